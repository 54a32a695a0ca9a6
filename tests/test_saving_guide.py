"""The keras.io guide's saving patterns: loss and metric objects, custom layers, configs and JSON.

Two regressions: ``load_model`` of a model compiled with a loss *object* failed with
"Unknown output name 'class_name' in the loss dict", and ``Model.from_config`` of a
model whose custom layer's ``get_config()`` leaves out ``name`` failed with
``KeyError: ('custom_dense', 0)``.
"""

import numpy as np
import pytest

import kfunc
from kfunc import Input, Model, Sequential, losses, metrics, optimizers
from kfunc.layers import Dense, Layer
from kfunc.models import load_model, model_from_config, model_from_json


def digits_like(n=64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 12)).astype("float32"), rng.integers(0, 4, n)


def guide_classifier():
    inputs = Input(shape=(12,), name="digits")
    x = Dense(16, activation="relu", name="dense_1")(inputs)
    outputs = Dense(4, name="predictions")(x)  # logits
    return Model(inputs, outputs)


def test_load_model_restores_loss_and_metric_objects(tmp_path):
    model = guide_classifier()
    model.compile(
        optimizer=optimizers.RMSprop(),
        loss=losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[metrics.SparseCategoricalAccuracy()],
    )
    x, y = digits_like()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    model.save(str(tmp_path / "model"))
    again = load_model(str(tmp_path / "model"))
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    loss = again.loss
    assert isinstance(loss, losses.SparseCategoricalCrossentropy) and loss.get_config()["from_logits"] is True
    assert again.metrics_names == model.metrics_names
    assert isinstance(again.optimizer, optimizers.RMSprop)
    np.testing.assert_allclose(again.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0), rtol=1e-6)
    # the restored optimizer state continues training as the original would
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    again.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_load_model_restores_objects_per_output(tmp_path):
    inputs = Input(shape=(3,))
    model = Model(inputs, {"a": Dense(2, name="a")(inputs), "b": Dense(1, name="b")(inputs)})
    model.compile(loss={"a": losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
                        "b": losses.MeanSquaredError()},
                  metrics={"b": [metrics.MeanAbsoluteError()]})
    model.save(str(tmp_path / "m"))
    again = load_model(str(tmp_path / "m"))
    assert again.loss["a"].get_config()["label_smoothing"] == 0.1
    assert isinstance(again.loss["b"], losses.MeanSquaredError)
    assert again.metrics_names == model.metrics_names


class CustomDense(Layer):
    """The guide's custom layer: its get_config() returns only its own argument, no `name`."""

    def __init__(self, units=32):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight("w", shape=(input_shape[-1], self.units), initializer="random_normal")
        self.b = self.add_weight("b", shape=(self.units,), initializer="random_normal")

    def call(self, inputs):
        return inputs @ self.w + self.b

    def get_config(self):
        return {"units": self.units}


def test_from_config_of_a_custom_layer_without_name_in_its_config():
    inputs = Input((32,))
    outputs = CustomDense(4)(inputs)
    model = Model(inputs, outputs)
    config = model.get_config()
    again = Model.from_config(config, custom_objects={"CustomDense": CustomDense})
    assert [l.name for l in again.layers] == [l.name for l in model.layers]
    assert again.output_shape == (None, 4)
    again.set_weights(model.get_weights())
    x = np.random.default_rng(0).random((3, 32)).astype("float32")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_custom_layer_without_name_round_trips_through_json_and_files(tmp_path):
    inputs = Input((5,))
    first = CustomDense(3)
    outputs = CustomDense(2)(first(inputs))  # two of them: both names must come back
    model = Model(inputs, outputs)
    objects = {"CustomDense": CustomDense}
    assert [l.name for l in model_from_json(model.to_json(), custom_objects=objects).layers] == \
        [l.name for l in model.layers]
    model.save(str(tmp_path / "m"))
    again = load_model(str(tmp_path / "m"), custom_objects=objects)
    x = np.ones((2, 5), "float32")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_sequential_with_a_custom_layer_without_name(tmp_path):
    model = Sequential([Input((5,)), CustomDense(3), Dense(1)])
    model.save(str(tmp_path / "m"))
    again = load_model(str(tmp_path / "m"), custom_objects={"CustomDense": CustomDense})
    x = np.ones((2, 5), "float32")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_model_from_json_and_model_from_config_are_in_kfunc_models():
    model = guide_classifier()
    from_json = kfunc.models.model_from_json(model.to_json())
    from_config = model_from_config({"class_name": "Functional", "config": model.get_config()})
    for again in (from_json, from_config):
        assert isinstance(again, Model)
        assert [l.name for l in again.layers] == [l.name for l in model.layers]
        assert again.count_params() == model.count_params()
    inputs = Input((2,))
    custom = Model(inputs, CustomDense(1)(inputs))
    with pytest.raises(ValueError, match="Unknown layer class 'CustomDense'.*custom_objects"):
        model_from_json(custom.to_json())
