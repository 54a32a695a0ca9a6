"""custom_object_scope: custom layers and functions found by load_model, model_from_json and from_config."""

import numpy as np
import pytest

import kfunc
from kfunc import Input, Model
from kfunc.layers import Dense, Layer
from kfunc.models import load_model, model_from_json
from kfunc.utils import CustomObjectScope, custom_object_scope


class Doubling(Layer):
    def call(self, inputs):
        return 2 * inputs


def tripled(x):
    return 3 * x


def model_with_custom_parts():
    inputs = Input(shape=(3,))
    return Model(inputs, Dense(2, activation=tripled)(Doubling()(inputs)))


def test_load_model_finds_the_scope_s_objects(tmp_path):
    model = model_with_custom_parts()
    path = str(tmp_path / "custom.kfunc")
    model.save(path)
    with pytest.raises(ValueError, match="Doubling"):
        load_model(path)
    x = np.ones((2, 3), "float32")
    with custom_object_scope({"Doubling": Doubling, "tripled": tripled}):
        again = load_model(path)
    np.testing.assert_array_equal(again.predict(x), model.predict(x))


def test_model_from_json_and_from_config_find_them_too():
    model = model_with_custom_parts()
    with CustomObjectScope({"Doubling": Doubling}, {"tripled": tripled}):
        rebuilt = model_from_json(model.to_json())
        again = Model.from_config(model.get_config())
    assert [type(layer).__name__ for layer in rebuilt.layers] == ["InputLayer", "Doubling", "Dense"]
    assert again.layers[-1].activation is tripled


def test_scopes_nest_and_end_cleanly():
    model = model_with_custom_parts()
    with custom_object_scope({"tripled": tripled}) as outer:
        assert isinstance(outer, CustomObjectScope)
        with custom_object_scope({"Doubling": Doubling}):
            model_from_json(model.to_json())
        with pytest.raises(ValueError, match="Doubling"):
            model_from_json(model.to_json())  # the inner scope has ended
    with pytest.raises(ValueError, match="Doubling"):
        model_from_json(model.to_json())


def test_a_scope_keeps_load_model_s_safe_mode(tmp_path):
    inputs = Input(shape=(2,))
    model = Model(inputs, kfunc.layers.Lambda(lambda t: t + 1)(inputs))
    path = str(tmp_path / "lambda.kfunc")
    model.save(path)
    with custom_object_scope({"Doubling": Doubling}):
        with pytest.raises(ValueError, match="safe_mode"):
            load_model(path)


def test_only_dictionaries_are_taken():
    with pytest.raises(TypeError, match=r"custom_object_scope takes dictionaries.*got list"):
        custom_object_scope([Doubling])
