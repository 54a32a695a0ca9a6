"""``kfunc.models.clone_model``: the same architecture, new layers, fresh weights."""

import numpy as np
import pytest

from kfunc import Input, Model, Sequential
from kfunc.layers import LSTM, Dense, Lambda, Layer, concatenate
from kfunc.models import clone_model


class Doubling(Layer):
    def call(self, inputs):
        return 2 * inputs

    def get_config(self):
        return {}  # leaves out `name`, as many custom layers do


def branching_model():
    a, b = Input((4,), name="a"), Input((3, 2), name="b")
    shared = Dense(5, name="shared")
    joined = concatenate([shared(a), LSTM(5)(b), Doubling()(shared(a))])
    out = Lambda(lambda t: t + 1.0)(Dense(2)(joined))
    return Model([a, b], out, name="branching")


def test_the_clone_has_the_architecture_with_new_layers_and_weights():
    model = branching_model()
    clone = clone_model(model)
    assert type(clone) is Model and clone.name == model.name
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    assert all(c is not o for c, o in zip(clone.layers, model.layers))
    assert len(clone.get_layer("shared")._inbound_nodes) == 2  # the shared layer is shared in the copy too
    x = [np.ones((2, 4), "float32"), np.ones((2, 3, 2), "float32")]
    assert not np.allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0))  # fresh weights
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_a_sequential_clone_is_a_sequential():
    model = Sequential([Dense(3, input_shape=(4,)), Doubling(), Dense(1)])
    clone = clone_model(model)
    assert isinstance(clone, Sequential) and clone.output_shape == (None, 1)
    assert clone.count_params() == model.count_params()


def test_clone_function_makes_each_layer():
    def renamed(layer):
        config = layer.get_config()
        config["name"] = "copy_of_" + config["name"]
        return type(layer).from_config(config)

    inputs = Input((4,))
    model = Model(inputs, Dense(2, name="top")(Dense(3, name="hidden")(inputs)))
    assert [l.name for l in clone_model(model, clone_function=renamed).layers][1:] == ["copy_of_hidden", "copy_of_top"]
    chain = Sequential([Dense(3, input_shape=(4,), name="first"), Dense(1, name="last")])
    assert [l.name for l in clone_model(chain, clone_function=renamed).layers] == ["copy_of_first", "copy_of_last"]


def test_input_tensors_are_not_supported_and_the_message_says_what_to_do():
    model = Sequential([Dense(3, input_shape=(4,))])
    with pytest.raises(NotImplementedError, match=r"clone_model\(model\)\(input_tensors\)"):
        clone_model(model, input_tensors=Input((4,)))
