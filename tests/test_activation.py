"""Activation layers: each against the formula written in torch, plus shapes, configs, saving, errors."""

import json

import numpy as np
import pytest
import torch

import kfunc
from kfunc import Input, Model, activations, regularizers
from kfunc.layers import ELU, Conv2D, Dense, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from kfunc.models import load_model


def data(*shape, seed=0):
    return torch.as_tensor(np.random.default_rng(seed).normal(size=shape).astype("float32"))


def round_trip(layer):
    config = json.loads(json.dumps(layer.get_config()))  # through JSON, as a saved model is
    clone = type(layer).from_config(config)
    assert clone.get_config() == layer.get_config()
    return clone


def close(got, want):
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- LeakyReLU


def test_leaky_relu_default_slope_is_tf_keras_0_3():
    x = data(3, 7)
    close(LeakyReLU()(x), torch.where(x > 0, x, 0.3 * x))
    assert LeakyReLU().get_config()["alpha"] == 0.3


def test_leaky_relu_takes_alpha_or_keras_3_negative_slope():
    x = data(4, 5)
    close(LeakyReLU(alpha=0.1)(x), torch.where(x > 0, x, 0.1 * x))
    assert LeakyReLU(negative_slope=0.1).alpha == LeakyReLU(0.1).alpha == 0.1
    with pytest.raises(ValueError, match=r"LeakyReLU\(alpha=0.1, negative_slope=0.2\).*give only one"):
        LeakyReLU(alpha=0.1, negative_slope=0.2)
    with pytest.raises(ValueError, match=r"LeakyReLU\(alpha='big'\).*must be a number"):
        LeakyReLU("big")


def test_numpy_numbers_are_numbers():
    assert LeakyReLU(np.float32(0.25)).alpha == 0.25 and ReLU(np.int64(6)).max_value == 6.0
    json.dumps(ELU(np.float64(0.5)).get_config())


def test_leaky_relu_config_round_trip_and_keras_3_config():
    layer = round_trip(LeakyReLU(0.2, name="leaky"))
    assert layer.alpha == 0.2 and layer.name == "leaky"
    assert LeakyReLU.from_config({"negative_slope": 0.05, "name": "k3"}).alpha == 0.05


# ---------------------------------------------------------------- ELU


def test_elu_matches_formula():
    x = data(3, 7)
    close(ELU()(x), torch.where(x > 0, x, torch.exp(x) - 1))
    close(ELU(alpha=0.5)(x), torch.where(x > 0, x, 0.5 * (torch.exp(x) - 1)))
    assert round_trip(ELU(0.5)).alpha == 0.5


# ---------------------------------------------------------------- ReLU


@pytest.mark.parametrize("settings", [
    {},
    {"max_value": 6.0},
    {"max_value": 0.5},
    {"negative_slope": 0.1},
    {"threshold": 0.4},
    {"max_value": 1.0, "negative_slope": 0.2, "threshold": 0.3},
])
def test_relu_matches_formula(settings):
    top, slope, threshold = settings.get("max_value"), settings.get("negative_slope", 0.0), settings.get("threshold", 0.0)
    x = data(5, 8) * 2
    above = x if top is None else torch.clamp(x, max=top)
    close(ReLU(**settings)(x), torch.where(x > threshold, above, slope * (x - threshold)))


def test_relu6_and_config():
    x = torch.tensor([[-3.0, 0.0, 2.0, 7.0]])
    assert ReLU(max_value=6)(x).tolist() == [[0.0, 0.0, 2.0, 6.0]]
    assert round_trip(ReLU(6, 0.1, 0.5)).get_config() | {} == {
        "name": "re_lu_1", "trainable": True, "dtype": "float32",
        "max_value": 6.0, "negative_slope": 0.1, "threshold": 0.5}


@pytest.mark.parametrize("arg", ["max_value", "negative_slope", "threshold"])
def test_relu_refuses_negative_settings(arg):
    with pytest.raises(ValueError, match=rf"ReLU\({arg}=-1\).*cannot be negative"):
        ReLU(**{arg: -1})


# ---------------------------------------------------------------- PReLU


def test_prelu_alpha_has_input_shape_and_learns_slopes():
    layer = PReLU()
    y = layer(Input(shape=(4, 3)))
    assert y.shape == (None, 4, 3) and [tuple(w.shape) for w in layer.weights] == [(4, 3)]
    assert layer.weights[0] is layer.alpha and layer.get_weights()[0].sum() == 0  # zeros: a ReLU at first
    alpha = np.random.default_rng(1).normal(size=(4, 3)).astype("float32")
    layer.set_weights([alpha])
    x = data(2, 4, 3)
    close(layer(x), torch.where(x > 0, x, torch.as_tensor(alpha) * x))


def test_prelu_shared_axes_give_one_slope_per_channel():
    layer = PReLU(shared_axes=[1, 2])
    assert layer(Input(shape=(None, None, 5))).shape == (None, None, None, 5)
    assert tuple(layer.alpha.shape) == (1, 1, 5)
    assert PReLU(shared_axes=1).shared_axes == [1]
    layer.set_weights([np.arange(5, dtype="float32").reshape(1, 1, 5) / 10])
    x = data(2, 3, 4, 5)
    close(layer(x), torch.where(x > 0, x, torch.arange(5.0) / 10 * x))


def test_prelu_slopes_get_gradients():
    layer = PReLU(alpha_initializer="ones")
    x = -torch.ones(2, 3)
    layer(x).sum().backward()
    assert layer.alpha.grad.tolist() == [-2.0, -2.0, -2.0]  # one slope per feature, summed over the batch


def test_prelu_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"needs every size but the batch to be known.*shared_axes=\[1\]"):
        PReLU(name="p")(Input(shape=(None, 4)))
    with pytest.raises(ValueError, match=r"shared_axes=\[0\].*numbered from 1"):
        PReLU(shared_axes=[0])
    with pytest.raises(ValueError, match=r"shared_axes=1.5.*numbered from 1"):
        PReLU(shared_axes=1.5)
    with pytest.raises(ValueError, match=r"shared_axes=\[3\] cannot take an input of shape \(None, 4, 2\)"):
        PReLU(shared_axes=[3])(Input(shape=(4, 2)))
    layer = PReLU(name="p2")
    layer(Input(shape=(4,)))
    with pytest.raises(ValueError, match=r"PReLU 'p2' has slopes of shape \(4,\).*\(None, 5\)"):
        layer(Input(shape=(5,)))


def test_prelu_alpha_regularizer_adds_its_penalty():
    layer = PReLU(alpha_initializer="ones", alpha_regularizer=regularizers.l2(0.5))
    layer(torch.rand(2, 3))
    assert [v.item() for v in layer.losses] == pytest.approx([0.5 * 3.0])


def test_prelu_alpha_constraint_is_applied_after_an_update():
    x = Input(shape=(3,))
    model = Model(x, PReLU(alpha_initializer="zeros", alpha_constraint="non_neg")(x))
    model.compile(optimizer=kfunc.optimizers.SGD(1.0), loss="mse")
    # negative inputs and targets above the output: the update pushes the slopes below zero
    model.fit(-np.ones((4, 3), "float32"), np.ones((4, 3), "float32"), epochs=1, verbose=0)
    assert np.all(model.get_weights()[0] == 0.0)


def test_prelu_regularizer_and_constraint_survive_the_config():
    assert PReLU().get_config()["alpha_regularizer"] is None and PReLU().get_config()["alpha_constraint"] is None
    clone = round_trip(PReLU(alpha_regularizer="l1", alpha_constraint="non_neg"))
    assert clone.get_config()["alpha_regularizer"]["class_name"] == "L1"
    assert clone.get_config()["alpha_constraint"]["class_name"] == "NonNeg"


def test_prelu_unknown_regularizer_names_the_layer():
    with pytest.raises(ValueError, match=r"PReLU 'p'.*alpha_regularizer"):
        PReLU(alpha_regularizer="l5", name="p")


def test_prelu_config_round_trip():
    clone = round_trip(PReLU(alpha_initializer="ones", shared_axes=(1,)))
    assert clone.shared_axes == [1] and clone.get_config()["alpha_initializer"] == PReLU(
        alpha_initializer="ones").get_config()["alpha_initializer"]


# ---------------------------------------------------------------- ThresholdedReLU


def test_thresholded_relu_matches_hand_written_torch():
    x = torch.linspace(-2, 3, 11).reshape(1, 11)
    close(ThresholdedReLU()(x), torch.where(x > 1.0, x, torch.zeros_like(x)))
    close(ThresholdedReLU(theta=0.5)(x), x * (x > 0.5).float())
    assert ThresholdedReLU(theta=1.0)(torch.tensor([[1.0]])).item() == 0.0  # strictly above theta


def test_thresholded_relu_config_shape_and_errors():
    assert round_trip(ThresholdedReLU(theta=0.25)).theta == 0.25
    assert ThresholdedReLU()(Input(shape=(4, 2))).shape == (None, 4, 2)
    with pytest.raises(ValueError, match=r"ThresholdedReLU\(theta=-1\).*cannot be negative"):
        ThresholdedReLU(theta=-1)
    with pytest.raises(ValueError, match=r"theta=None"):
        ThresholdedReLU(theta=None)


def test_thresholded_relu_takes_integers_as_floats():
    assert ThresholdedReLU()(torch.tensor([[0, 2]])).tolist() == [[0.0, 2.0]]


# ---------------------------------------------------------------- Softmax


def test_softmax_matches_formula_along_axis():
    x = data(2, 3, 4)
    close(Softmax()(x), torch.exp(x) / torch.exp(x).sum(-1, keepdim=True))
    close(Softmax(axis=1)(x), torch.exp(x) / torch.exp(x).sum(1, keepdim=True))
    close(Softmax(axis=(1, 2))(x), torch.exp(x) / torch.exp(x).sum((1, 2), keepdim=True))
    assert round_trip(Softmax(axis=(1, 2))).axis == (1, 2)


def test_softmax_mask_gives_masked_positions_no_probability():
    x = data(2, 4)
    mask = torch.tensor([[True, True, False, True], [True, False, False, False]])
    y = Softmax()(x, mask=mask)
    masked = torch.where(mask, torch.exp(x), torch.zeros(()))
    close(y, masked / masked.sum(-1, keepdim=True))
    scores, keep = Input(shape=(3, 4)), Input(shape=(1, 4), dtype="bool")
    assert Softmax()(scores, mask=keep).shape == (None, 3, 4)


def test_softmax_errors():
    with pytest.raises(ValueError, match=r"Softmax\(axis='last'\)"):
        Softmax(axis="last")
    with pytest.raises(ValueError, match=r"Softmax 'sm' with axis=2 cannot take an input of shape \(None, 3\)"):
        Softmax(axis=2, name="sm")(Input(shape=(3,)))


# ---------------------------------------------------------------- in a model


def test_names_follow_keras_snake_case():
    assert [ReLU().name, PReLU().name, LeakyReLU().name, ELU().name, Softmax().name] == [
        "re_lu", "p_re_lu", "leaky_re_lu", "elu", "softmax"]


def test_model_with_activation_layers_saves_and_reloads(tmp_path):
    inputs = Input(shape=(6, 6, 2))
    x = LeakyReLU(0.1)(Conv2D(4, 3)(inputs))
    x = PReLU(shared_axes=[1, 2])(Conv2D(4, 3)(x))
    x = ELU()(ReLU(max_value=6)(x))
    outputs = Softmax()(Dense(3)(x))
    model = Model(inputs, outputs)
    model.layers[4].set_weights([np.full((1, 1, 4), 0.25, "float32")])
    path = str(tmp_path / "model")
    model.save(path)
    again = load_model(path)
    assert [type(l).__name__ for l in again.layers] == [type(l).__name__ for l in model.layers]
    x = np.random.default_rng(0).normal(size=(2, 6, 6, 2)).astype("float32")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_integer_inputs_become_floats():
    assert LeakyReLU()(torch.tensor([-1, 2])).tolist() == pytest.approx([-0.3, 2.0])


def test_an_activation_layer_serves_as_another_layer_s_activation():
    x = data(2, 4)
    dense = Dense(3, activation=LeakyReLU(0.1))
    plain = Dense(3)
    plain(x)
    dense(x)
    dense.set_weights(plain.get_weights())
    close(dense(x), LeakyReLU(0.1)(plain(x)))


def test_an_activation_layer_given_as_activation_saves_and_reloads(tmp_path):
    x = Input(shape=(3,))
    model = Model(x, Dense(2, activation=LeakyReLU(0.2))(x))
    model.save(tmp_path / "m.keras")
    again = load_model(tmp_path / "m.keras")
    data = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    np.testing.assert_allclose(again.predict(data, verbose=0), model.predict(data, verbose=0), rtol=1e-6)
    assert isinstance(again.layers[1].activation, LeakyReLU)


@pytest.mark.parametrize("name", sorted(activations._ACTIVATIONS))
def test_activations_take_numpy_arrays_lists_and_numbers(name):
    fn = activations.get(name)
    values = np.linspace(-3, 3, 7)
    expected = fn(torch.from_numpy(values)).numpy()
    np.testing.assert_allclose(fn(values).numpy(), expected)  # as one plots an activation
    np.testing.assert_allclose(fn([values.tolist()]).numpy()[0], expected, rtol=1e-6, atol=1e-6)  # in float32
    assert fn([-1, 0, 2]).dtype == torch.float32  # integers compute as floats
