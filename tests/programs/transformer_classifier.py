"""A Transformer block that classifies token sequences (keras.io's text classification with Transformer)."""

import numpy as np

import kfunc as keras
from kfunc import layers


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs, training=None):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output, training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output, training=training)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = keras.ops.shape(x)[-1]
        positions = keras.ops.arange(start=0, stop=maxlen, step=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions


def make_texts(rng, count, vocab_size, maxlen):
    """Positive when token 3 comes before token 4 somewhere in the text."""
    x = rng.integers(5, vocab_size, size=(count, maxlen))
    y = np.zeros(count, dtype="int64")
    for i in range(count):
        a, b = sorted(rng.choice(maxlen, size=2, replace=False))
        y[i] = rng.integers(2)
        x[i, a], x[i, b] = (3, 4) if y[i] else (4, 3)
    return x, y


def run(workdir):
    vocab_size, maxlen, embed_dim, num_heads, ff_dim = 40, 10, 16, 2, 16
    rng = np.random.default_rng(0)
    x_train, y_train = make_texts(rng, 512, vocab_size, maxlen)
    x_val, _ = make_texts(rng, 32, vocab_size, maxlen)

    def build_model():
        inputs = layers.Input(shape=(maxlen,))
        embedding_layer = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)
        x = embedding_layer(inputs)
        transformer_block = TransformerBlock(embed_dim, num_heads, ff_dim)
        x = transformer_block(x)
        x = layers.GlobalAveragePooling1D()(x)
        x = layers.Dropout(0.1)(x)
        x = layers.Dense(20, activation="relu")(x)
        x = layers.Dropout(0.1)(x)
        outputs = layers.Dense(2, activation="softmax")(x)
        return keras.Model(inputs=inputs, outputs=outputs)

    model = build_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=4, verbose=0)

    model.save_weights(workdir / "transformer.weights.h5")
    again = build_model()  # the custom layers have no get_config: the code makes the model again
    again.load_weights(workdir / "transformer.weights.h5")
    return history.history["loss"], model.predict(x_val), again.predict(x_val)
