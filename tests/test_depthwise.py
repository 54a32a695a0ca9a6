"""DepthwiseConv2D, SeparableConv1D and SeparableConv2D: Keras's layouts, against convolutions by hand."""

import json

import numpy as np
import pytest
import torch

import kfunc
from kfunc import Input, Model, constraints, initializers, regularizers
from kfunc.layers import (
    Dense, DepthwiseConv2D, Flatten, SeparableConv1D, SeparableConv2D, SeparableConvolution1D, SeparableConvolution2D,
)
from kfunc.models import load_model


def hand_depthwise(x, kernel, strides=(1, 1), dilation=(1, 1)):
    """A 'valid' depthwise convolution of channels-last ``x``: output ``c * m + j`` is channel c's j-th kernel."""
    kh, kw, channels, multiplier = kernel.shape
    (sh, sw), (dh, dw) = strides, dilation
    span_h, span_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    rows, cols = (x.shape[1] - span_h) // sh + 1, (x.shape[2] - span_w) // sw + 1
    out = np.zeros((x.shape[0], rows, cols, channels * multiplier))
    for i in range(rows):
        for j in range(cols):
            window = x[:, i * sh:i * sh + span_h:dh, j * sw:j * sw + span_w:dw, :]  # (n, kh, kw, c)
            out[:, i, j] = np.einsum("nhwc,hwcm->ncm", window, kernel).reshape(x.shape[0], -1)
    return out


def tf_pad(x, kernel_size, strides, dilation=(1, 1)):
    """``x`` padded as TensorFlow's 'same' padding does (the odd cell at the end)."""
    pads = [(0, 0)]
    for n, k, s, d in zip(x.shape[1:3], kernel_size, strides, dilation):
        total = max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
        pads.append((total // 2, total - total // 2))
    return np.pad(x, pads + [(0, 0)])


def weights_of(layer):
    return [w.astype(np.float64) for w in layer.get_weights()]


def close(got, want):
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-4, atol=1e-5)


def data(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


# ---------------------------------------------------------------- layouts


def test_weights_have_keras_layouts_and_names():
    depthwise = DepthwiseConv2D((3, 2), depth_multiplier=2)
    depthwise(Input(shape=(8, 8, 3)))
    assert [tuple(w.shape) for w in depthwise.weights] == [(3, 2, 3, 2), (6,)]
    separable = SeparableConv2D(5, 3, depth_multiplier=2)
    separable(Input(shape=(8, 8, 3)))
    assert [tuple(w.shape) for w in separable.weights] == [(3, 3, 3, 2), (1, 1, 6, 5), (5,)]
    assert [n for n, _ in separable.named_parameters()] == ["depthwise_kernel", "pointwise_kernel", "bias"]
    assert separable.count_params() == 54 + 30 + 5
    assert (depthwise.name, separable.name) == ("depthwise_conv2d", "separable_conv2d")
    assert SeparableConvolution2D is SeparableConv2D


# ---------------------------------------------------------------- numerics


@pytest.mark.parametrize("kernel_size, strides, dilation, multiplier", [
    ((3, 3), (1, 1), (1, 1), 1),
    ((3, 2), (2, 1), (1, 1), 2),
    ((2, 2), (1, 1), (2, 2), 3),
])
def test_depthwise_valid_matches_hand_convolution(kernel_size, strides, dilation, multiplier):
    layer = DepthwiseConv2D(kernel_size, strides=strides, dilation_rate=dilation, depth_multiplier=multiplier,
                            bias_initializer="random_normal", activation="relu")
    x = data(2, 7, 6, 3)
    y = layer(x)
    kernel, bias = weights_of(layer)
    close(y, np.maximum(hand_depthwise(x, kernel, strides, dilation) + bias, 0))


def test_depthwise_same_padding_with_stride_2_pads_as_tensorflow():
    layer = DepthwiseConv2D((4, 3), strides=2, padding="same", depth_multiplier=2)
    x = data(2, 7, 6, 3)
    y = layer(x)
    assert tuple(y.shape) == (2, 4, 3, 6)
    kernel, bias = weights_of(layer)
    close(y, hand_depthwise(tf_pad(x, (4, 3), (2, 2)), kernel, (2, 2)) + bias)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_separable_is_depthwise_then_pointwise(padding):
    layer = SeparableConv2D(4, 3, padding=padding, depth_multiplier=2, bias_initializer="random_normal")
    x = data(2, 6, 5, 3)
    y = layer(x)
    depthwise, pointwise, bias = weights_of(layer)
    padded = tf_pad(x, (3, 3), (1, 1)) if padding == "same" else x
    want = np.einsum("nhwc,cf->nhwf", hand_depthwise(padded, depthwise), pointwise[0, 0]) + bias
    close(y, want)


def test_channels_first_equals_channels_last_on_transposed_data():
    for make in (lambda f: DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2, data_format=f),
                 lambda f: SeparableConv2D(4, 3, padding="same", data_format=f)):
        last, first = make("channels_last"), make("channels_first")
        x = data(2, 7, 6, 3)
        y = last(x)
        first(x.transpose(0, 3, 1, 2))
        first.set_weights(last.get_weights())
        close(first(x.transpose(0, 3, 1, 2)), y.detach().numpy().transpose(0, 3, 1, 2))


def test_symbolic_shapes_with_unknown_sizes():
    assert DepthwiseConv2D(3, depth_multiplier=4)(Input(shape=(None, None, 2))).shape == (None, None, None, 8)
    assert SeparableConv2D(16, 3, strides=2, padding="same")(Input(shape=(9, 9, 2))).shape == (None, 5, 5, 16)
    first = DepthwiseConv2D(3, data_format="channels_first")
    assert first(Input(shape=(2, 9, None))).shape == (None, 2, 7, None)


def test_one_sample_batches_get_gradients():
    layer = SeparableConv2D(1, 3)
    layer(torch.randn(1, 5, 5, 2)).sum().backward()
    assert layer.depthwise_kernel.grad.shape == (3, 3, 2, 1)


# ---------------------------------------------------------------- config and errors


def test_configs_round_trip():
    for layer in (DepthwiseConv2D((3, 2), strides=2, padding="same", depth_multiplier=3, use_bias=False,
                                  depthwise_initializer="he_normal", activation="relu"),
                  SeparableConv2D(8, 3, dilation_rate=2, depth_multiplier=2, data_format="channels_first",
                                  pointwise_initializer="ones")):
        config = json.loads(json.dumps(layer.get_config()))
        assert type(layer).from_config(config).get_config() == layer.get_config()
    config = SeparableConv2D(8, 3).get_config()
    assert {"filters", "depth_multiplier", "depthwise_initializer", "pointwise_initializer"} <= set(config)
    assert "groups" not in config and "kernel_initializer" not in config


@pytest.mark.parametrize("make, match", [
    (lambda: DepthwiseConv2D(3, depth_multiplier=0), r"DepthwiseConv2D\(depth_multiplier=0\)"),
    (lambda: SeparableConv2D(2.5, 3), r"SeparableConv2D\(filters=2.5\)"),
    (lambda: SeparableConv2D(2, (3, 3, 3)), r"SeparableConv2D\(kernel_size=\(3, 3, 3\)\)"),
    (lambda: DepthwiseConv2D(3, padding="full"), r"DepthwiseConv2D\(padding='full'\)"),
])
def test_bad_arguments_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_inputs_it_cannot_take_are_refused():
    layer = DepthwiseConv2D(3, name="dw")
    with pytest.raises(ValueError, match=r"DepthwiseConv2D 'dw' with kernel_size=\(3, 3\) and padding='valid' "
                                         r"needs at least 3 positions"):
        layer(Input(shape=(2, 8, 3)))
    layer(Input(shape=(8, 8, 3)))
    with pytest.raises(ValueError, match=r"DepthwiseConv2D 'dw' expects 3 input channels, got shape \(None, 8, 8, 4\)"):
        layer(Input(shape=(8, 8, 4)))
    with pytest.raises(ValueError, match=r"SeparableConv2D 'sep' expects a 4D input"):
        SeparableConv2D(2, 3, name="sep")(Input(shape=(8, 3)))


# ---------------------------------------------------------------- in a model


def test_model_learns_and_saves(tmp_path):
    inputs = Input(shape=(8, 8, 3))
    x = SeparableConv2D(8, 3, padding="same", activation="relu")(inputs)
    x = DepthwiseConv2D(3, strides=2, depth_multiplier=2, activation="relu")(x)
    model = Model(inputs, Dense(1)(Flatten()(x)))
    model.compile("adam", "mse")
    images = data(32, 8, 8, 3)
    targets = images.mean(axis=(1, 2, 3))[:, None]
    history = model.fit(images, targets, epochs=5, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = str(tmp_path / "model")
    model.save(path)
    np.testing.assert_array_equal(load_model(path).predict(images, verbose=0), model.predict(images, verbose=0))


# ---------------------------------------------------------------- SeparableConv1D


def hand_separable_1d(x, depthwise, pointwise, stride=1, dilation=1):
    """A 'valid' separable 1D convolution of channels-last ``x``, by torch's loops."""
    k, channels, multiplier = depthwise.shape
    span = (k - 1) * dilation + 1
    steps = (x.shape[1] - span) // stride + 1
    mid = torch.zeros(x.shape[0], steps, channels * multiplier, dtype=torch.float64)
    for i in range(steps):
        window = x[:, i * stride:i * stride + span:dilation]  # (n, k, c)
        mid[:, i] = torch.einsum("nkc,kcm->ncm", window, depthwise).reshape(x.shape[0], -1)
    return mid @ pointwise[0]


def test_separable_conv1d_layouts_and_names():
    layer = SeparableConv1D(5, 3, depth_multiplier=2)
    layer(Input(shape=(10, 4)))
    assert [tuple(w.shape) for w in layer.weights] == [(3, 4, 2), (1, 8, 5), (5,)]
    assert layer.name == "separable_conv1d" and SeparableConvolution1D is SeparableConv1D


@pytest.mark.parametrize("kernel_size, strides, dilation, multiplier", [(3, 1, 1, 1), (3, 2, 1, 2), (2, 1, 3, 1)])
def test_separable_conv1d_matches_torch_by_hand(kernel_size, strides, dilation, multiplier):
    layer = SeparableConv1D(4, kernel_size, strides=strides, dilation_rate=dilation, depth_multiplier=multiplier,
                            bias_initializer="random_normal")
    x = torch.as_tensor(np.random.default_rng(0).normal(size=(2, 11, 3)))
    y = layer(x.float())
    depthwise, pointwise, bias = (torch.as_tensor(w, dtype=torch.float64) for w in layer.get_weights())
    close(y, (hand_separable_1d(x, depthwise, pointwise, strides, dilation) + bias).numpy())


def test_separable_conv1d_same_and_causal_pad_as_conv1d():
    x = torch.as_tensor(np.random.default_rng(1).normal(size=(2, 7, 3)))
    for padding, pads in (("same", (1, 1)), ("causal", (2, 0))):
        layer = SeparableConv1D(2, 3, padding=padding)
        y = layer(x.float())
        depthwise, pointwise, bias = (torch.as_tensor(w, dtype=torch.float64) for w in layer.get_weights())
        padded = torch.nn.functional.pad(x, (0, 0, *pads))
        close(y, (hand_separable_1d(padded, depthwise, pointwise) + bias).numpy())


def test_separable_conv1d_config_and_symbolic_shapes():
    layer = SeparableConv1D(8, 5, padding="same", depth_multiplier=2, data_format="channels_first",
                            pointwise_regularizer="l2")
    config = json.loads(json.dumps(layer.get_config()))
    assert SeparableConv1D.from_config(config).get_config() == layer.get_config()
    assert layer(Input(shape=(3, None))).shape == (None, 8, None)
    assert SeparableConv1D(4, 3, strides=2)(Input(shape=(9, 2))).shape == (None, 4, 4)


# ---------------------------------------------------------------- regularizers and constraints


@pytest.mark.parametrize("make, names", [
    (lambda r: DepthwiseConv2D(3, depthwise_regularizer=r, bias_regularizer=r), ["depthwise_kernel", "bias"]),
    (lambda r: SeparableConv2D(2, 3, depthwise_regularizer=r, pointwise_regularizer=r, bias_regularizer=r),
     ["depthwise_kernel", "pointwise_kernel", "bias"]),
    (lambda r: SeparableConv1D(2, 3, depthwise_regularizer=r, pointwise_regularizer=r, bias_regularizer=r),
     ["depthwise_kernel", "pointwise_kernel", "bias"]),
])
def test_every_weight_regularizer_reaches_its_weight(make, names):
    layer = make(regularizers.l2(0.3))
    layer.bias_initializer = initializers.get("ones")  # (a zero bias would hide a missing penalty)
    layer(torch.rand(2, 6, 6, 2) if layer.rank == 2 else torch.rand(2, 6, 2))
    assert [v.item() for v in layer.losses] == pytest.approx([0.3 * (getattr(layer, n) ** 2).sum().item()
                                                               for n in names])


def test_constraints_apply_after_each_update_and_survive_saving(tmp_path):
    inputs = Input(shape=(6, 6, 2))
    x = SeparableConv2D(3, 3, depthwise_constraint="non_neg", pointwise_constraint=constraints.max_norm(0.1, axis=[0, 1, 2]),
                        bias_constraint="non_neg")(inputs)
    x = DepthwiseConv2D(3, depthwise_constraint="non_neg", bias_constraint="non_neg",
                        depthwise_regularizer="l1")(x)
    model = Model(inputs, Dense(1)(Flatten()(x)))
    model.compile(kfunc.optimizers.SGD(0.5), "mse")
    images = data(16, 6, 6, 2)
    model.fit(images, -np.abs(data(16, 1, seed=1)), epochs=2, verbose=0)
    separable, depthwise = model.layers[1], model.layers[2]
    assert separable.depthwise_kernel.min() >= 0 and depthwise.depthwise_kernel.min() >= 0
    assert depthwise.bias.min() >= 0 and separable.bias.min() >= 0
    assert separable.pointwise_kernel[0, 0].norm(dim=0).max() <= 0.1 + 1e-6
    path = str(tmp_path / "model")
    model.save(path)
    again = load_model(path)
    assert again.layers[1].get_config() == separable.get_config()
    assert again.layers[2].get_config()["depthwise_regularizer"]["class_name"] == "L1"
    np.testing.assert_array_equal(again.predict(images, verbose=0), model.predict(images, verbose=0))


def test_config_leaves_out_the_options_not_given():
    assert "depthwise_regularizer" not in DepthwiseConv2D(3).get_config()
    assert "pointwise_constraint" not in SeparableConv2D(2, 3).get_config()
    with pytest.raises(ValueError, match=r"SeparableConv2D 's'.*pointwise_regularizer"):
        SeparableConv2D(2, 3, pointwise_regularizer="l7", name="s")
