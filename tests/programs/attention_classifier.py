"""Queries attending to values: the Attention layer's documented example, trained."""

import numpy as np

import kfunc as keras
from kfunc import layers


def run(workdir):
    vocab, length = 30, 8
    rng = np.random.default_rng(0)
    queries = rng.integers(1, vocab, size=(512, length))
    values = rng.integers(1, vocab, size=(512, length))
    labels = (np.isin(queries[:, :1], values).any(axis=1)).astype("float32")  # is the first query word among the values?

    query_input = keras.Input(shape=(None,), dtype="int32")
    value_input = keras.Input(shape=(None,), dtype="int32")
    token_embedding = layers.Embedding(input_dim=vocab, output_dim=16)
    query_embeddings = token_embedding(query_input)
    value_embeddings = token_embedding(value_input)
    cnn_layer = layers.Conv1D(filters=16, kernel_size=3, padding="same")
    query_seq_encoding = cnn_layer(query_embeddings)
    value_seq_encoding = cnn_layer(value_embeddings)
    query_value_attention_seq = layers.Attention()([query_seq_encoding, value_seq_encoding])
    query_encoding = layers.GlobalAveragePooling1D()(query_seq_encoding)
    query_value_attention = layers.GlobalAveragePooling1D()(query_value_attention_seq)
    input_layer = layers.Concatenate()([query_encoding, query_value_attention])
    output = layers.Dense(1, activation="sigmoid")(input_layer)
    model = keras.Model([query_input, value_input], output)

    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit([queries, values], labels, batch_size=32, epochs=4, verbose=0)
    model.save(workdir / "attention.keras")
    again = keras.models.load_model(workdir / "attention.keras")
    sample = [queries[:16], values[:16]]
    return history.history["loss"], model.predict(sample), again.predict(sample)
