"""A model written as a class with call() (keras.io's "mix and match" and the books' subclassing chapters)."""

import numpy as np

import kfunc as keras
from kfunc import layers


class MLP(keras.Model):
    def __init__(self, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.dense_1 = layers.Dense(32, activation="relu")
        self.dropout = layers.Dropout(0.2)
        self.dense_2 = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=None):
        x = self.dense_1(inputs)
        x = self.dropout(x, training=training)
        return self.dense_2(x)


def run(workdir):
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=3.0, size=(3, 4))
    y = rng.integers(3, size=600)
    x = (centres[y] + rng.normal(size=(600, 4))).astype("float32")

    model = MLP()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=4, verbose=0)
    assert model.evaluate(x, y, verbose=0)[1] > 0.8

    # a functional model can hold it, like any layer
    inputs = keras.Input(shape=(4,))
    outer = keras.Model(inputs, layers.Dense(1)(model(inputs)))
    assert outer.output_shape == (None, 1)

    model.save_weights(workdir / "mlp.weights.h5")
    again = MLP()
    again(x[:1])  # build it, then load
    again.load_weights(workdir / "mlp.weights.h5")
    return history.history["loss"], model.predict(x[:16]), again.predict(x[:16])
