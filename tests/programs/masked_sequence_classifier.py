"""An LSTM that classifies variable-length sequences, padded and masked (the Keras examples' imdb_lstm)."""

import numpy as np

import kfunc as keras
from kfunc.layers import LSTM, Dense, Embedding
from kfunc.models import Sequential


def make_reviews(rng, count, max_features, maxlen):
    """Sequences of 3 to maxlen word ids; positive when word 7 occurs. Padded with 0 at the front."""
    x = np.zeros((count, maxlen), dtype="int64")
    y = np.zeros(count, dtype="float32")
    for i in range(count):
        length = rng.integers(3, maxlen + 1)
        words = rng.integers(8, max_features, size=length)
        if rng.random() < 0.5:
            words[rng.integers(length)] = 7
            y[i] = 1.0
        x[i, maxlen - length:] = words
    return x, y


def run(workdir):
    max_features, maxlen = 50, 12
    rng = np.random.default_rng(0)
    x_train, y_train = make_reviews(rng, 512, max_features, maxlen)
    x_test, _ = make_reviews(rng, 64, max_features, maxlen)

    model = Sequential()
    model.add(Embedding(max_features, 16, mask_zero=True))
    model.add(LSTM(16, dropout=0.1, recurrent_dropout=0.1))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=6, verbose=0)

    # the padding is skipped: a review padded at its end predicts as when padded at its front
    post_padded = np.array([np.concatenate([row[row != 0], row[row == 0]]) for row in x_test])
    np.testing.assert_allclose(model.predict(post_padded), model.predict(x_test), atol=1e-5)

    model.save(workdir / "imdb_lstm.keras")
    again = keras.models.load_model(workdir / "imdb_lstm.keras")
    return history.history["loss"], model.predict(x_test), again.predict(x_test)
