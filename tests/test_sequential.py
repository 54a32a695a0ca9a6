import numpy as np
import pytest
import torch

from kfunc.layers import Dense, Input
from kfunc.models import Model, Sequential


def test_list_constructor_with_input_shape_builds_at_once():
    model = Sequential([Dense(32, input_shape=(784,)), Dense(10)])
    assert model.built
    assert model.output_shape == (None, 10)
    assert [l.name for l in model.layers] == ["dense", "dense_1"]
    assert model.inputs[0]._keras_history.layer.name == "dense_input"
    assert model.count_params() == 784 * 32 + 32 + 32 * 10 + 10


def test_add_and_pop():
    model = Sequential()
    model.add(Dense(4, input_dim=3))
    model.add(Dense(2))
    assert model.output_shape == (None, 2)
    popped = model.pop()
    assert popped.name == "dense_1"
    assert model.output_shape == (None, 4) and len(model.layers) == 1


def test_deferred_build_on_first_call_with_data():
    model = Sequential([Dense(4), Dense(2)])
    assert not model.built
    out = model(np.ones((3, 5), dtype="float32"))
    assert tuple(out.shape) == (3, 2)
    assert model.built and model.input_shape == (None, 5)


def test_sequential_used_as_a_layer_in_a_functional_model():
    vision = Sequential([Dense(8, activation="relu", input_shape=(6,)), Dense(4)])
    a, b = Input(shape=(6,)), Input(shape=(6,))
    ya, yb = vision(a), vision(b)
    assert ya._keras_history == (vision, 0, 0) and yb._keras_history.node_index == 1
    model = Model([a, b], Dense(1)(ya))
    assert vision in model.layers
    x = torch.randn(2, 6)
    torch.testing.assert_close(model([x, x]), model.layers[-1](vision(x)))


def test_add_of_an_incompatible_layer_leaves_the_model_unchanged():
    model = Sequential([Dense(4, input_shape=(3,))])
    shared = Dense(2)
    shared(Input(shape=(7,)))
    with pytest.raises(ValueError, match="last dimension 7"):
        model.add(shared)
    assert len(model.layers) == 1 and model.output_shape == (None, 4)


def test_add_refuses_non_layers():
    with pytest.raises(TypeError, match="takes a layer"):
        Sequential().add("dense")


def test_sequential_is_made_by_functionals_constructor(monkeypatch):
    from kfunc.engine.functional import Functional

    made, init = [], Functional.__init__
    monkeypatch.setattr(Functional, "__init__", lambda self, *a, **k: made.append(type(self).__name__) or init(self, *a, **k))
    model = Sequential([Dense(2, input_shape=(3,))], name="chain")
    assert made == ["Sequential"] and model.name == "chain"
    assert model.output_shape == (None, 2) and model.get_layer("dense") is model.layers[0]


def test_popping_every_layer_leaves_an_empty_model_that_grows_again():
    model = Sequential([Dense(4, input_shape=(3,))])
    model.pop()
    assert model.layers == [] and not model.built and list(model.parameters()) == []
    model.add(Dense(2))
    assert model.output_shape == (None, 2) and model.count_params() == 3 * 2 + 2
