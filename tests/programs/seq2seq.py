"""Sequence to sequence with an LSTM encoder-decoder (the Keras examples' lstm_seq2seq).

The task: read a sequence of tokens and write it reversed, one token at a time.
"""

import numpy as np

import kfunc as keras
from kfunc.layers import LSTM, Dense, Input
from kfunc.models import Model


def make_pairs(rng, count, tokens, length):
    """One-hot sources, the decoder's inputs (start token, then the target shifted) and targets."""
    source = rng.integers(2, tokens, size=(count, length))
    target = source[:, ::-1]
    decoder_in = np.concatenate([np.ones((count, 1), dtype=int), target[:, :-1]], axis=1)  # 1 = start
    eye = np.eye(tokens, dtype="float32")
    return eye[source], eye[decoder_in], eye[target]


def run(workdir):
    num_tokens, length, latent_dim = 6, 4, 32
    rng = np.random.default_rng(0)
    encoder_input_data, decoder_input_data, decoder_target_data = make_pairs(rng, 768, num_tokens, length)

    encoder_inputs = Input(shape=(None, num_tokens))
    encoder = LSTM(latent_dim, return_state=True)
    encoder_outputs, state_h, state_c = encoder(encoder_inputs)
    encoder_states = [state_h, state_c]  # the outputs are discarded: the states carry the sequence

    decoder_inputs = Input(shape=(None, num_tokens))
    decoder_lstm = LSTM(latent_dim, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
    decoder_dense = Dense(num_tokens, activation="softmax")
    decoder_outputs = decoder_dense(decoder_outputs)

    model = Model([encoder_inputs, decoder_inputs], decoder_outputs)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit([encoder_input_data, decoder_input_data], decoder_target_data, batch_size=64, epochs=6,
                        verbose=0, validation_split=0.2)
    model.save(workdir / "s2s.h5")

    # inference: an encoder model, and a decoder model fed its own states one step at a time
    encoder_model = Model(encoder_inputs, encoder_states)
    decoder_state_input_h = Input(shape=(latent_dim,))
    decoder_state_input_c = Input(shape=(latent_dim,))
    decoder_states_inputs = [decoder_state_input_h, decoder_state_input_c]
    decoder_outputs, state_h, state_c = decoder_lstm(decoder_inputs, initial_state=decoder_states_inputs)
    decoder_outputs = decoder_dense(decoder_outputs)
    decoder_model = Model([decoder_inputs] + decoder_states_inputs, [decoder_outputs, state_h, state_c])

    states = encoder_model.predict(encoder_input_data[:8])
    token = np.zeros((8, 1, num_tokens), dtype="float32")
    token[:, 0, 1] = 1.0
    step_outputs, h, c = decoder_model.predict([token] + states)
    assert step_outputs.shape == (8, 1, num_tokens) and h.shape == (8, latent_dim)

    again = keras.models.load_model(workdir / "s2s.h5")
    sample = [encoder_input_data[:16], decoder_input_data[:16]]
    return history.history["loss"], model.predict(sample), again.predict(sample)
