"""kfunc.constraints: rules that fit applies to weights after every optimizer step."""

import numpy as np
import pytest
import torch

import kfunc
from kfunc import constraints
from kfunc.layers import Conv2D, Dense, Embedding, Input
from kfunc.models import Model, load_model

W = torch.tensor([[3.0, 0.1, -1.0], [4.0, 0.2, 0.0]])  # column norms: 5, ~0.224, 1


def norms(w, axis=0):
    return np.sqrt((np.asarray(w) ** 2).sum(axis=axis, keepdims=True))


def test_max_norm_scales_down_only_the_long_vectors():
    out = constraints.MaxNorm(max_value=2)(W).numpy()
    assert norms(out)[0] == pytest.approx([2.0, 0.2236, 1.0], abs=1e-4)
    assert np.allclose(out[:, 1:], W.numpy()[:, 1:], atol=1e-6)


def test_unit_norm_and_min_max_norm_match_numpy():
    w = W.numpy()
    assert np.allclose(constraints.UnitNorm()(W).numpy(), w / (1e-7 + norms(w)), atol=1e-6)
    rule = constraints.MinMaxNorm(min_value=0.5, max_value=2.0, rate=0.5)
    desired = 0.5 * np.clip(norms(w), 0.5, 2.0) + 0.5 * norms(w)
    assert np.allclose(rule(W).numpy(), w * desired / (1e-7 + norms(w)), atol=1e-6)


def test_non_neg_zeroes_the_negative_entries():
    assert np.allclose(constraints.NonNeg()(W).numpy(), [[3.0, 0.1, 0.0], [4.0, 0.2, 0.0]])


def test_axes_given_as_a_list_make_one_vector_per_filter():
    kernel = torch.randn(3, 3, 2, 4) * 5
    out = constraints.max_norm(1.0, axis=[0, 1, 2])(kernel)
    assert out.reshape(-1, 4).norm(dim=0).numpy() == pytest.approx([1.0] * 4, abs=1e-5)


@pytest.mark.parametrize("name, cls", [("max_norm", constraints.MaxNorm), ("non_neg", constraints.NonNeg),
                                       ("unit_norm", constraints.UnitNorm), ("min_max_norm", constraints.MinMaxNorm),
                                       ("maxnorm", constraints.MaxNorm), ("MaxNorm", constraints.MaxNorm)])
def test_get_by_name(name, cls):
    assert type(constraints.get(name)) is cls


def test_defaults_and_serialization_follow_keras():
    assert constraints.serialize(constraints.max_norm()) == {"class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}}
    assert constraints.MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}
    again = constraints.get({"class_name": "UnitNorm", "config": {"axis": 1}})
    assert isinstance(again, constraints.UnitNorm) and again.axis == 1


def test_unknown_name_names_the_layer_the_argument_and_the_valid_names():
    with pytest.raises(ValueError) as info:
        Dense(3, kernel_constraint="max_nrom")
    message = str(info.value)
    assert "Dense 'dense'" in message and "kernel_constraint" in message and "Did you mean 'max_norm'?" in message
    assert "max_norm, min_max_norm, non_neg, unit_norm" in message


def test_max_norm_is_applied_after_each_sgd_step():
    x = Input(shape=(4,))
    model = Model(x, Dense(3, kernel_constraint=constraints.max_norm(0.5))(x))
    model.compile(optimizer=kfunc.optimizers.SGD(0.1), loss="mse")
    data, targets = np.random.rand(8, 4).astype("float32"), np.random.rand(8, 3).astype("float32")
    kernel, bias = (torch.tensor(w, requires_grad=True) for w in model.get_weights())
    ((torch.tensor(data) @ kernel + bias - torch.tensor(targets)) ** 2).mean().backward()
    with torch.no_grad():
        stepped = kernel - 0.1 * kernel.grad
        length = stepped.norm(dim=0, keepdim=True)
        expected = stepped * length.clamp(0, 0.5) / (1e-7 + length)
    model.fit(data, targets, batch_size=8, epochs=1, verbose=0)
    assert np.allclose(model.get_weights()[0], expected.numpy(), atol=1e-6)
    assert np.allclose(model.get_weights()[1], (bias - 0.1 * bias.grad).detach().numpy(), atol=1e-6)


def test_non_neg_keeps_every_weight_non_negative_through_training():
    x = Input(shape=(4,))
    model = Model(x, Dense(3, kernel_constraint="non_neg", bias_constraint=constraints.non_neg())(x))
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.random.rand(32, 4), -np.ones((32, 3)), epochs=3, verbose=0)
    assert all((w >= 0).all() for w in model.get_weights())


def test_a_frozen_layer_is_left_as_it_is():
    x = Input(shape=(4,))
    dense = Dense(3, kernel_constraint=constraints.unit_norm(), trainable=False)
    model = Model(x, Dense(1)(dense(x)))
    model.compile(optimizer="sgd", loss="mse")
    before = dense.get_weights()[0]
    model.fit(np.random.rand(8, 4), np.random.rand(8, 1), verbose=0)
    assert np.array_equal(dense.get_weights()[0], before)


def test_a_function_is_a_constraint_too():
    x = Input(shape=(4,))
    model = Model(x, Dense(3, kernel_constraint=lambda w: w.clamp(-0.01, 0.01))(x))
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.random.rand(8, 4), np.random.rand(8, 3), verbose=0)
    assert np.abs(model.get_weights()[0]).max() <= 0.01 + 1e-7


def test_constraints_survive_load_model(tmp_path):
    x = Input(shape=(5, 5, 1))
    h = Conv2D(2, 3, kernel_constraint=constraints.max_norm(2.0, axis=[0, 1, 2]))(x)
    model = Model(x, Dense(1, bias_constraint="non_neg")(h))
    model.save(tmp_path / "m.kfunc")
    again = load_model(tmp_path / "m.kfunc")
    assert again.layers[1].get_config()["kernel_constraint"] == {
        "class_name": "MaxNorm", "config": {"max_value": 2.0, "axis": [0, 1, 2]}}
    assert isinstance(again.layers[2].bias_constraint, constraints.NonNeg)


def test_embedding_takes_an_embeddings_constraint():
    x = Input(shape=(3,), dtype="int32")
    model = Model(x, Embedding(10, 4, embeddings_constraint=constraints.unit_norm(axis=1))(x))
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.random.randint(0, 10, (8, 3)), np.random.rand(8, 3, 4), verbose=0)
    assert np.allclose(norms(model.get_weights()[0], axis=1), 1.0, atol=1e-5)
