"""BatchNormalization and LayerNormalization against hand-written torch."""

import numpy as np
import pytest
import torch

from kfunc.layers import BatchNormalization, Input, LayerNormalization
from kfunc.models import Model


def with_random_weights(layer, x):
    """Build ``layer`` on ``x`` and give every weight random values (variances positive)."""
    layer(x, training=False) if isinstance(layer, BatchNormalization) else layer(x)
    layer.set_weights([np.random.rand(*w.shape).astype("float32") + 0.5 for w in layer.get_weights()])
    return [torch.as_tensor(w) for w in layer.get_weights()]


# ---------------------------------------------------------------------- BatchNormalization


def test_batchnorm_weights_in_keras_order_and_kinds():
    layer = BatchNormalization()
    layer(Input(shape=(8, 8, 3)))
    assert [tuple(w.shape) for w in layer.weights] == [(3,)] * 4
    assert [n for n, _ in layer.named_parameters()] == ["gamma", "beta"]
    assert [n for n, _ in layer.named_buffers()] == ["moving_mean", "moving_variance"]
    gamma, beta, mean, var = layer.get_weights()
    np.testing.assert_array_equal(gamma, 1)
    np.testing.assert_array_equal(beta, 0)
    np.testing.assert_array_equal(mean, 0)
    np.testing.assert_array_equal(var, 1)
    assert layer.count_params() == 12


def test_batchnorm_inference_uses_the_moving_statistics():
    layer = BatchNormalization(epsilon=1e-3)
    x = torch.randn(4, 5)
    gamma, beta, mean, var = with_random_weights(layer, x)
    expected = (x - mean) / torch.sqrt(var + 1e-3) * gamma + beta
    torch.testing.assert_close(layer(x, training=False), expected)


def test_batchnorm_training_uses_the_batch_and_updates_moving_stats_like_keras():
    layer = BatchNormalization(momentum=0.9)
    x = torch.randn(6, 4, 4, 3) * 2 + 1
    gamma, beta, old_mean, old_var = with_random_weights(layer, x)
    out = layer(x, training=True)
    batch_mean = x.mean(dim=(0, 1, 2))
    batch_var = x.var(dim=(0, 1, 2), unbiased=False)  # divides by N, as tf.keras
    torch.testing.assert_close(out, (x - batch_mean) / torch.sqrt(batch_var + 1e-3) * gamma + beta)
    moving_mean, moving_var = [torch.as_tensor(w) for w in layer.get_weights()[2:]]
    torch.testing.assert_close(moving_mean, old_mean * 0.9 + batch_mean * 0.1)
    torch.testing.assert_close(moving_var, old_var * 0.9 + batch_var * 0.1)


def test_batchnorm_follows_the_module_mode_and_trainable_flag():
    layer = BatchNormalization()
    x = torch.randn(8, 3) + 5
    layer(x, training=False)
    before = layer.get_weights()[2].copy()
    layer.train()
    layer(x)  # training mode from the module: moving mean moves
    assert not np.allclose(layer.get_weights()[2], before)
    layer.trainable = False  # tf.keras: a frozen BatchNormalization runs in inference mode
    frozen = layer.get_weights()[2].copy()
    layer(x, training=True)
    np.testing.assert_array_equal(layer.get_weights()[2], frozen)


def test_batchnorm_channels_first_axis():
    layer = BatchNormalization(axis=1)
    x = torch.randn(2, 3, 5, 5)
    gamma, beta, mean, var = [w.reshape(1, 3, 1, 1) for w in with_random_weights(layer, x)]
    torch.testing.assert_close(layer(x, training=False), (x - mean) / torch.sqrt(var + 1e-3) * gamma + beta)
    assert layer.get_weights()[0].shape == (3,)


def test_batchnorm_without_center_and_scale_has_only_moving_stats():
    layer = BatchNormalization(center=False, scale=False)
    x = torch.randn(10, 4)
    layer(x, training=False)
    assert [w.shape for w in layer.get_weights()] == [(4,), (4,)]
    torch.testing.assert_close(layer(x, training=True), (x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + 1e-3))


def test_batchnorm_in_a_model_symbolic_and_real_shapes_agree():
    inputs = Input(shape=(None, 6))
    layer = BatchNormalization()
    outputs = layer(inputs)
    assert outputs.shape == (None, None, 6)
    # the symbolic call ran on stand-in tensors and left the moving statistics alone
    np.testing.assert_array_equal(layer.get_weights()[2], 0)
    model = Model(inputs, outputs).eval()
    x = torch.randn(2, 7, 6)
    assert model(x).shape == (2, 7, 6)
    torch.testing.assert_close(model(x), x / np.sqrt(1 + 1e-3))


def test_batchnorm_config_round_trip():
    layer = BatchNormalization(axis=1, momentum=0.5, epsilon=1e-5, center=False, gamma_initializer="he_normal")
    clone = BatchNormalization.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert clone.momentum == 0.5 and clone.axis == [1] and not clone.center


def test_batchnorm_errors():
    with pytest.raises(ValueError, match=r"axis 3.*\(None, 4, 5\)"):
        BatchNormalization(axis=3)(Input(shape=(4, 5)))
    with pytest.raises(ValueError, match="size of axis -1"):
        BatchNormalization()(Input(shape=(4, None)))
    layer = BatchNormalization(name="bn")
    layer(Input(shape=(4,)))
    with pytest.raises(ValueError, match=r"'bn'.*\(4,\).*\(None, 5\)"):
        layer(Input(shape=(5,)))
    with pytest.raises(ValueError, match="momentum"):
        BatchNormalization(momentum=1.5)


# ---------------------------------------------------------------------- LayerNormalization


def test_layernorm_matches_torch_layer_norm():
    layer = LayerNormalization(epsilon=1e-3)
    x = torch.randn(3, 7, 5)
    gamma, beta = with_random_weights(layer, x)
    expected = torch.nn.functional.layer_norm(x, (5,), gamma, beta, eps=1e-3)
    torch.testing.assert_close(layer(x), expected)


def test_layernorm_over_several_axes():
    layer = LayerNormalization(axis=[1, 2], center=False)
    x = torch.randn(2, 3, 4)
    (gamma,) = with_random_weights(layer, x)
    mean = x.mean(dim=(1, 2), keepdim=True)
    var = x.var(dim=(1, 2), keepdim=True, unbiased=False)
    torch.testing.assert_close(layer(x), (x - mean) / torch.sqrt(var + 1e-3) * gamma)
    assert gamma.shape == (3, 4)


def test_layernorm_shapes_config_and_errors():
    layer = LayerNormalization()
    assert layer(Input(shape=(None, 8))).shape == (None, None, 8)
    assert [w.shape for w in layer.get_weights()] == [(8,), (8,)]
    clone = LayerNormalization.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    with pytest.raises(ValueError, match="must be an int"):
        LayerNormalization(axis="last")
