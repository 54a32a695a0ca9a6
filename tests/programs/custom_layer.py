"""A layer of one's own with add_weight and get_config (keras.io's "making new layers" guide)."""

import numpy as np

import kfunc as keras
from kfunc import layers


class Linear(layers.Layer):
    """y = w.x + b, its weights made when the input size is known."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal", trainable=True)

    def call(self, inputs):
        return keras.backend.dot(inputs, self.w) + self.b

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


def run(workdir):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 8)).astype("float32")
    y = (x @ rng.normal(size=(8, 1)) + 0.1).astype("float32")

    inputs = keras.Input(shape=(8,))
    hidden = Linear(16)(inputs)
    hidden = layers.Activation("tanh")(hidden)
    outputs = Linear(1, name="head")(hidden)
    model = keras.Model(inputs, outputs)
    assert [w.shape for w in model.get_layer("head").weights] == [(16, 1), (1,)]
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, batch_size=32, epochs=5, verbose=0)

    config = model.get_config()
    rebuilt = keras.Model.from_config(config, custom_objects={"Linear": Linear})
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in model.layers]

    model.save(workdir / "linear.keras")
    again = keras.models.load_model(workdir / "linear.keras", custom_objects={"Linear": Linear})
    return history.history["loss"], model.predict(x[:16]), again.predict(x[:16])
