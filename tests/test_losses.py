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
