"""Losses: Keras's formulas and reference values, weighting, safety on 0, 1 and NaN."""

import numpy as np
import pytest
import torch

import kfunc
from kfunc import losses

T = lambda values: torch.tensor(values, dtype=torch.float32)  # noqa: E731

# (loss class, y_true, y_pred, value Keras documents for these numbers)
KERAS_VALUES = [
    (losses.MeanSquaredError, [[0., 1.], [0., 0.]], [[1., 1.], [1., 0.]], 0.5),
    (losses.MeanAbsoluteError, [[0., 1.], [0., 0.]], [[1., 1.], [1., 0.]], 0.5),
    (losses.MeanAbsolutePercentageError, [[2., 1.], [2., 3.]], [[1., 1.], [1., 0.]], 50.0),
    (losses.MeanSquaredLogarithmicError, [[0., 1.], [0., 0.]], [[1., 1.], [1., 0.]], 0.240),
    (losses.BinaryCrossentropy, [[0., 1.], [0., 0.]], [[0.6, 0.4], [0.4, 0.6]], 0.815),
    (losses.CategoricalCrossentropy, [[0., 1., 0.], [0., 0., 1.]], [[0.05, 0.95, 0.], [0.1, 0.8, 0.1]], 1.177),
    (losses.SparseCategoricalCrossentropy, [1, 2], [[0.05, 0.95, 0.], [0.1, 0.8, 0.1]], 1.177),
    (losses.Hinge, [[0., 1.], [0., 0.]], [[0.6, 0.4], [0.4, 0.6]], 1.3),
    (losses.SquaredHinge, [[0., 1.], [0., 0.]], [[0.6, 0.4], [0.4, 0.6]], 1.86),
    (losses.CategoricalHinge, [[0., 1.], [0., 0.]], [[0.6, 0.4], [0.4, 0.6]], 1.4),
    (losses.Huber, [[0., 1.], [0., 0.]], [[0.6, 0.4], [0.4, 0.6]], 0.155),
    (losses.LogCosh, [[0., 1.], [0., 0.]], [[1., 1.], [0., 0.]], 0.108),
    (losses.KLDivergence, [[0., 1.], [0., 0.]], [[0.6, 0.4], [0.4, 0.6]], 0.458),
    (losses.Poisson, [[0., 1.], [0., 0.]], [[1., 1.], [0., 0.]], 0.5),
    (losses.CosineSimilarity, [[0., 1.], [1., 1.]], [[1., 0.], [1., 1.]], -0.5),
]


@pytest.mark.parametrize("cls, y_true, y_pred, expected", KERAS_VALUES, ids=[c[0].__name__ for c in KERAS_VALUES])
def test_loss_objects_give_keras_documented_values(cls, y_true, y_pred, expected):
    value = cls()(T(y_true) if cls is not losses.SparseCategoricalCrossentropy else torch.tensor(y_true), T(y_pred))
    assert float(value) == pytest.approx(expected, abs=2e-3)


@pytest.mark.parametrize("cls, y_true, y_pred, expected", KERAS_VALUES, ids=[c[0].__name__ for c in KERAS_VALUES])
def test_losses_take_lists_and_numpy_arrays_as_keras_does(cls, y_true, y_pred, expected):
    assert float(cls()(y_true, y_pred)) == pytest.approx(expected, abs=2e-3)  # as Keras's documentation writes them
    from_arrays = cls()(np.array(y_true), np.array(y_pred))  # float64 arrays: computed in float64, as tf.keras does
    assert from_arrays.dtype == torch.float64 and float(from_arrays) == pytest.approx(expected, abs=2e-3)
    loss = cls()
    if hasattr(loss, "fn"):  # the per-sample function too
        values = loss.fn(np.array(y_true), np.array(y_pred), **loss._fn_kwargs)
        assert float(torch.mean(values)) == pytest.approx(expected, abs=2e-3)


def test_functions_reduce_the_last_axis_only():
    y_true, y_pred = torch.rand(4, 3, 5), torch.rand(4, 3, 5)
    for fn in (losses.mse, losses.mae, losses.binary_crossentropy, losses.categorical_crossentropy, losses.huber):
        assert fn(y_true, y_pred).shape == (4, 3)


def test_crossentropies_against_hand_written_torch():
    torch.manual_seed(0)
    logits = torch.randn(6, 4)
    probs = torch.softmax(logits, -1)
    labels = torch.randint(0, 4, (6,))
    onehot = torch.nn.functional.one_hot(labels, 4).float()
    expected = -torch.log(probs.gather(1, labels[:, None]))[:, 0]
    torch.testing.assert_close(losses.categorical_crossentropy(onehot, probs), expected)
    torch.testing.assert_close(losses.sparse_categorical_crossentropy(labels, probs), expected)
    torch.testing.assert_close(losses.sparse_categorical_crossentropy(labels[:, None].float(), probs), expected)
    torch.testing.assert_close(losses.categorical_crossentropy(onehot, logits, from_logits=True), expected)
    torch.testing.assert_close(losses.sparse_categorical_crossentropy(labels, logits, from_logits=True), expected)
    p = torch.sigmoid(logits)
    t = (torch.rand(6, 4) > 0.5).float()
    bce = -(t * p.log() + (1 - t) * (1 - p).log()).mean(-1)
    torch.testing.assert_close(losses.binary_crossentropy(t, p), bce)
    torch.testing.assert_close(losses.binary_crossentropy(t, logits, from_logits=True), bce)


def test_probabilities_of_exactly_zero_and_one_are_clipped():
    y_true = T([[1.0, 0.0]])
    value = losses.categorical_crossentropy(y_true, T([[0.0, 1.0]]))
    assert float(value) == pytest.approx(-np.log(1e-7), rel=1e-3)
    assert torch.isfinite(losses.binary_crossentropy(T([[1.0]]), T([[0.0]]))).all()
    assert float(losses.binary_crossentropy(T([[1.0]]), T([[0.0]]))) == pytest.approx(-np.log(1e-7), rel=1e-3)


def test_nan_predictions_give_nan_not_an_error():
    nan = T([[float("nan")]])
    assert torch.isnan(losses.binary_crossentropy(T([[1.0]]), nan)).all()
    assert torch.isnan(losses.categorical_crossentropy(T([[1.0, 0.0]]), T([[float("nan"), 0.5]]))).all()


def test_gradient_of_clipped_crossentropy_is_finite():
    p = T([[0.0, 1.0]]).requires_grad_()
    losses.categorical_crossentropy(T([[1.0, 0.0]]), p).sum().backward()
    assert torch.isfinite(p.grad).all()


def test_sample_weight_reduction_is_mean_of_weighted_values():
    y_true, y_pred = T([[0., 1.], [0., 0.]]), T([[1., 1.], [1., 0.]])
    assert float(losses.MeanSquaredError()(y_true, y_pred, sample_weight=T([0.7, 0.3]))) == pytest.approx(0.25)
    cce = losses.CategoricalCrossentropy()
    value = cce(T([[0., 1., 0.], [0., 0., 1.]]), T([[0.05, 0.95, 0.], [0.1, 0.8, 0.1]]), sample_weight=T([0.3, 0.7]))
    assert float(value) == pytest.approx(0.814, abs=1e-3)
    # weights are not normalised by their sum
    assert float(losses.MeanSquaredError()(y_true, y_pred, sample_weight=T([2.0, 2.0]))) == pytest.approx(1.0)
    assert losses.MeanSquaredError(reduction="none")(y_true, y_pred).shape == (2,)
    assert float(losses.MeanSquaredError(reduction="sum")(y_true, y_pred)) == pytest.approx(1.0)


def test_temporal_sample_weights_broadcast_over_steps():
    values = torch.ones(2, 3)
    assert float(losses.reduce_weighted(values, T([1.0, 0.0]))) == pytest.approx(0.5)
    assert float(losses.reduce_weighted(values, T([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]))) == pytest.approx(1 / 6)


def test_label_smoothing():
    value = losses.categorical_crossentropy(T([[1.0, 0.0]]), T([[0.5, 0.5]]), label_smoothing=0.2)
    assert float(value) == pytest.approx(np.log(2), rel=1e-5)
    loss = losses.BinaryCrossentropy(label_smoothing=0.1)
    assert loss.get_config()["label_smoothing"] == 0.1


def test_hinge_converts_zero_one_labels():
    assert torch.allclose(losses.hinge(T([[0.0, 1.0]]), T([[0.3, 0.2]])), losses.hinge(T([[-1.0, 1.0]]), T([[0.3, 0.2]])))


def test_get_names_classes_and_errors():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("kullback_leibler_divergence") is losses.kl_divergence
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    assert isinstance(losses.get({"class_name": "Huber", "config": {"delta": 2.0}}), losses.Huber)
    custom = lambda t, p: (t - p).abs()  # noqa: E731
    assert losses.get(custom) is custom
    with pytest.raises(ValueError, match="Did you mean 'categorical_crossentropy'"):
        losses.get("categorical_crossentropie")
    with pytest.raises(TypeError, match="unknown argument 'delt'"):
        losses.Huber(delt=1.0)


def test_serialize_round_trip():
    huber = losses.Huber(delta=3.0)
    again = losses.get(losses.serialize(huber))
    assert again.get_config() == huber.get_config()
    assert losses.serialize(losses.mse) == "mean_squared_error"


def test_a_loss_function_on_symbolic_tensors_is_a_node_that_computes_the_loss():
    from kfunc import Input, Model

    x = Input(shape=(4,))
    y = kfunc.layers.Dense(4, activation="sigmoid")(x)
    per_sample = losses.binary_crossentropy(x, y)
    assert per_sample.shape == (None,)
    model = Model(x, [y, per_sample])
    data = torch.rand(3, 4)
    out, loss = model(data)
    torch.testing.assert_close(loss, losses.binary_crossentropy(data, out))


# ----------------------------------------------------------------------------- from the logits, as tf.keras 2


def confident_model(activation, units):
    """A model whose output layer is far too sure, wrongly: its probabilities round to 0 and 1."""
    from kfunc import Input, Model
    from kfunc.layers import Dense

    inputs = Input(shape=(2,))
    dense = Dense(units, activation=activation)
    model = Model(inputs, dense(inputs))
    kernel = np.zeros((2, units), np.float32)
    kernel[0, 0] = 100.0  # class 0 (or 1, for the sigmoid) gets a logit of 100 for x = (1, 0)
    dense.set_weights([kernel, np.zeros(units, np.float32)])
    return model


@pytest.mark.parametrize("activation, units, loss, target, exact", [
    ("softmax", 3, "categorical_crossentropy", [[0.0, 1.0, 0.0]], 100.0 + np.log1p(2 * np.exp(-100.0))),
    ("softmax", 3, "sparse_categorical_crossentropy", [[1]], 100.0 + np.log1p(2 * np.exp(-100.0))),
    ("sigmoid", 1, "binary_crossentropy", [[0.0]], 100.0),
])
def test_crossentropies_on_softmax_or_sigmoid_outputs_compute_from_the_logits(activation, units, loss, target, exact):
    # tf.keras 2.21 gives 100.0 in each case, in evaluate and from the loss function alike (observed)
    # On the probabilities, clipped to [1e-7, 1 - 1e-7], the loss could not exceed -log(1e-7) = 16.1
    model = confident_model(activation, units)
    model.compile(optimizer="sgd", loss=loss)
    x = np.array([[1.0, 0.0]], np.float32)
    assert model.evaluate(x, np.array(target, np.float32), verbose=0) == pytest.approx(exact, rel=1e-6)
    outputs = model(torch.from_numpy(x))
    assert getattr(losses, loss)(torch.tensor(target), outputs).item() == pytest.approx(exact, rel=1e-6)
    clipped = getattr(losses, loss)(torch.tensor(target), outputs.detach().clone()).item()
    assert 15.9 < clipped < 16.2  # the same probabilities without their logits: clipped


def test_the_logits_give_the_same_loss_and_gradient_where_nothing_is_clipped():
    logits = torch.randn(8, 5, dtype=torch.float64, requires_grad=True)
    y = torch.eye(5, dtype=torch.float64)[torch.randint(0, 5, (8,))]
    from_logits = losses.categorical_crossentropy(y, kfunc.activations.softmax(logits))
    (grad_logits,) = torch.autograd.grad(from_logits.sum(), logits)
    on_probabilities = losses.categorical_crossentropy(y, torch.softmax(logits, -1))
    (grad_probabilities,) = torch.autograd.grad(on_probabilities.sum(), logits)
    torch.testing.assert_close(from_logits, on_probabilities)
    torch.testing.assert_close(grad_logits, grad_probabilities)


def test_only_the_matching_activation_gives_its_logits():
    logits = torch.tensor([[3.0, -1.0]])
    softmaxed = kfunc.activations.softmax(logits)
    # binary cross-entropy on a softmax output: the probabilities, as written
    expected = -(torch.log(softmaxed[0, 0]) + torch.log(1 - softmaxed[0, 1])) / 2
    assert losses.binary_crossentropy(torch.tensor([[1.0, 0.0]]), softmaxed).item() == pytest.approx(expected.item())
    # a softmax over another axis keeps none
    assert kfunc.activations.logits_behind(kfunc.activations.softmax(logits, axis=0), "softmax") is None


def test_from_logits_on_a_softmax_output_warns_and_uses_the_logits():
    logits = torch.tensor([[2.0, 0.5, -1.0]])
    y = torch.tensor([[0.0, 1.0, 0.0]])
    with pytest.warns(UserWarning, match="from a softmax activation"):
        value = losses.CategoricalCrossentropy(from_logits=True)(y, kfunc.activations.softmax(logits))
    assert value.item() == pytest.approx(losses.categorical_crossentropy(y, logits, from_logits=True).item())


def test_mixed_precision_outputs_keep_their_logits():
    from kfunc import mixed_precision

    with mixed_precision.policy_scope("mixed_bfloat16"):
        model = confident_model("softmax", 3)
        model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x, y = np.array([[1.0, 0.0]], np.float32), np.array([[0.0, 1.0, 0.0]], np.float32)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(100.0, rel=1e-2)


@pytest.mark.parametrize("bad", ["ab", [["a"]], None])
def test_values_that_are_not_numbers_are_refused_by_name(bad):
    with pytest.raises(TypeError, match=r"y_true must be numbers.*got (str|list|NoneType)"):
        losses.mean_squared_error(bad, [[1.0]])
