"""Model construction, validation, calling, and the torch side of a functional model."""

import numpy as np
import pytest
import torch

import kfunc
from kfunc.layers import Dense, Input
from kfunc.models import Model


def mlp():
    inputs = Input(shape=(8,), name="features")
    hidden = Dense(16, activation="relu", name="hidden")(inputs)
    outputs = Dense(3, activation="softmax", name="probs")(hidden)
    return Model(inputs, outputs)


def torch_forward(model, x):
    """The same network written by hand in torch, from the model's weights."""
    k1, b1, k2, b2 = [torch.as_tensor(w) for w in model.get_weights()]
    return torch.softmax(torch.relu(x @ k1 + b1) @ k2 + b2, dim=-1)


def test_forward_matches_hand_written_torch():
    model = mlp()
    x = torch.randn(5, 8)
    torch.testing.assert_close(model(x), torch_forward(model, x))
    np.testing.assert_allclose(model(x.numpy()).detach().numpy(), torch_forward(model, x).numpy(), rtol=1e-6)


def test_construction_adds_no_node_and_first_call_is_node_0():
    model = mlp()
    assert model._inbound_nodes == []
    y = model(Input(shape=(8,)))
    assert y._keras_history.layer is model and y._keras_history.node_index == 0
    assert len(model.get_layer("hidden")._inbound_nodes) == 1
    assert model.output.shape == (None, 3) and model.output._keras_history.layer.name == "probs"


def test_calling_a_model_reuses_its_weights():
    model = mlp()
    x = Input(shape=(8,))
    outer = Model(x, model(x))
    assert outer.weights[0] is model.weights[0]
    data = torch.randn(4, 8)
    torch.testing.assert_close(outer(data), model(data))
    assert outer.layers[1] is model


def test_shared_layer_has_one_set_of_weights_and_gradients_from_both_paths():
    a, b = Input(shape=(4,)), Input(shape=(4,))
    shared = Dense(2, name="shared")
    out = kfunc.layers.Add()([shared(a), shared(b)]) if hasattr(kfunc.layers, "Add") else None
    if out is None:
        pytest.skip("merge layers not available")
    model = Model([a, b], out)
    assert len(list(model.parameters())) == 2
    xa, xb = torch.randn(3, 4), torch.randn(3, 4)
    model([xa, xb]).sum().backward()
    kernel = shared.kernel
    # d/dK sum(xa K + xb K) = (xa + xb)^T 1
    torch.testing.assert_close(kernel.grad, (xa + xb).sum(0)[:, None].expand(4, 2))


def test_inputs_must_come_from_input():
    x = Input(shape=(3,))
    h = Dense(2)(x)
    with pytest.raises(ValueError, match="must come from `Input"):
        Model(h, Dense(1)(h))


def test_outputs_must_be_symbolic():
    x = Input(shape=(3,))
    with pytest.raises(ValueError, match="symbolic tensors.*ndarray"):
        Model(x, np.zeros((1, 3)))


def test_graph_disconnected_names_the_missing_input():
    a, b = Input(shape=(3,), name="a"), Input(shape=(3,), name="b")
    merged = Dense(2, name="needs_b")(b)
    out = Dense(1)(kfunc.layers.concatenate([Dense(2)(a), merged])) if hasattr(kfunc.layers, "concatenate") else Dense(1)(merged)
    with pytest.raises(ValueError, match="Graph disconnected.*'b'"):
        Model(a, out)


def test_duplicate_layer_names_are_refused():
    x = Input(shape=(3,))
    y = Dense(2, name="same")(Dense(2, name="same")(x))
    with pytest.raises(ValueError, match='The name "same" is used 2 times'):
        Model(x, y)


def test_same_input_twice_is_refused():
    x = Input(shape=(3,))
    with pytest.raises(ValueError, match="given twice"):
        Model([x, x], Dense(1)(x))


def test_layer_called_on_a_layer_explains():
    dense = Dense(2, name="encoder")
    with pytest.raises(TypeError, match="called on the layer 'encoder' itself"):
        Dense(1)(dense)


def test_dict_inputs_and_outputs_by_name():
    a, b = Input(shape=(2,), name="a"), Input(shape=(3,), name="b")
    ya, yb = Dense(1, name="ya")(a), Dense(1, name="yb")(b)
    model = Model({"a": a, "b": b}, {"ya": ya, "yb": yb})
    assert model.input_names == ["a", "b"] and model.output_names == ["ya", "yb"]
    out = model({"b": torch.ones(1, 3), "a": torch.ones(1, 2)})
    assert set(out) == {"ya", "yb"}
    with pytest.raises(ValueError, match=r"needs data for the input\(s\) \['b'\]"):
        model({"a": torch.ones(1, 2)})


def test_get_layer_by_name_and_index():
    model = mlp()
    assert model.get_layer("hidden") is model.layers[1]
    assert model.get_layer(index=2).name == "probs"
    with pytest.raises(ValueError, match="No such layer: 'hiden'. Did you mean 'hidden'"):
        model.get_layer("hiden")
    with pytest.raises(ValueError, match="only 3 layers"):
        model.get_layer(index=7)


def test_model_is_a_torch_module():
    model = mlp()
    names = [n for n, _ in model.named_parameters()]
    assert names == ["hidden.kernel", "hidden.bias", "probs.kernel", "probs.bias"]
    assert set(model.state_dict()) == set(names)
    model.eval()
    assert not model.get_layer("hidden").training
    model.to(torch.float64)
    assert model.get_layer("probs").kernel.dtype == torch.float64


def test_torch_compile_and_export_give_the_same_outputs():
    from guide_models import dense_network

    model = dense_network()
    model.eval()
    x = torch.randn(4, 784)
    expected = model(x)
    compiled = torch.compile(model, backend="eager")
    torch.testing.assert_close(compiled(x), expected)
    exported = torch.export.export(model, (x,))
    torch.testing.assert_close(exported.module()(x), expected)


def test_training_argument_of_a_model_call_reaches_every_layer_for_that_call_only():
    from kfunc.layers import Dropout

    x = Input(shape=(1000,))
    model = Model(x, Dropout(0.5)(x))
    ones = torch.ones(1, 1000)
    assert torch.equal(model(ones), ones)
    assert (model(ones, training=True) == 0).any()
    assert not model.training and torch.equal(model(ones), ones)
