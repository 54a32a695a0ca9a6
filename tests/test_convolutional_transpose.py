"""Conv2DTranspose: Keras's kernel layout and output sizes, against a transposed convolution by hand.

The oracle scatters each input pixel's contribution into the output window by window
(the definition of a transposed convolution), then keeps the part TensorFlow keeps.
"""

import json

import numpy as np
import pytest
import torch

from kfunc import Input, Model
from kfunc.layers import (
    Conv1DTranspose, Conv2D, Conv2DTranspose, Convolution1DTranspose, Convolution2DTranspose,
)
from kfunc.layers.convolutional_transpose import transposed_length
from kfunc.models import load_model


def hand_transposed(x, kernel, strides, dilation=(1, 1)):
    """The full transposed convolution of channels-last ``x``: ``(n - 1) * s + span`` per axis."""
    kh, kw, filters, _ = kernel.shape
    (sh, sw), (dh, dw) = strides, dilation
    n, rows, cols, _ = x.shape
    out = np.zeros((n, (rows - 1) * sh + (kh - 1) * dh + 1, (cols - 1) * sw + (kw - 1) * dw + 1, filters))
    for i in range(rows):
        for j in range(cols):
            for a in range(kh):
                for b in range(kw):
                    out[:, i * sh + a * dh, j * sw + b * dw] += x[:, i, j] @ kernel[a, b].T
    return out


def keep(full, lengths, starts):
    """Rows ``start:start+length`` per axis of ``full``, zeros past its end."""
    out = np.zeros((full.shape[0],) + tuple(lengths) + full.shape[3:])
    part = full[:, starts[0]:starts[0] + lengths[0], starts[1]:starts[1] + lengths[1]]
    out[:, :part.shape[1], :part.shape[2]] = part
    return out


def tf_same_start(out_length, kernel, stride, dilation=1):
    """Where TensorFlow's 'same' padding of a length-``out_length`` input begins."""
    span = (kernel - 1) * dilation + 1
    total = max((-(-out_length // stride) - 1) * stride + span - out_length, 0)
    return total // 2


def close(got, want):
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- layout and sizes


def test_kernel_layout_is_keras_layout():
    layer = Conv2DTranspose(8, (3, 5))
    layer(Input(shape=(6, 6, 2)))
    assert [tuple(w.shape) for w in layer.weights] == [(3, 5, 8, 2), (8,)]  # (kh, kw, filters, in)
    assert layer.count_params() == 3 * 5 * 8 * 2 + 8
    assert layer.name == "conv2d_transpose" and Convolution2DTranspose is Conv2DTranspose


@pytest.mark.parametrize("size, kernel, stride, padding, output_padding, expected", [
    (4, 3, 2, "same", None, 8),
    (4, 3, 2, "valid", None, 9),
    (4, 2, 3, "valid", None, 12),  # a stride longer than the kernel leaves gaps
    (4, 3, 2, "same", 1, 8),
    (4, 3, 2, "same", 0, 7),
    (4, 3, 2, "valid", 1, 10),
    (5, 4, 2, "same", None, 10),
    (5, 3, 1, "same", None, 5),
    (None, 3, 2, "same", None, None),
])
def test_output_length_follows_tensorflow(size, kernel, stride, padding, output_padding, expected):
    assert transposed_length(size, kernel, stride, padding, output_padding) == expected
    shape = (size, 3, 2)
    y = Conv2DTranspose(2, (kernel, 1), strides=(stride, 1), padding=padding,
                        output_padding=None if output_padding is None else (output_padding, 0))(Input(shape=shape))
    assert y.shape[1] == expected


def test_dilation_widens_the_kernel_span():
    assert transposed_length(4, 3, 1, "valid", dilation=2) == 8


# ---------------------------------------------------------------- numerics


@pytest.mark.parametrize("kernel_size, strides, padding, output_padding, dilation", [
    ((3, 3), (1, 1), "valid", None, (1, 1)),
    ((3, 3), (2, 2), "valid", None, (1, 1)),
    ((3, 2), (2, 3), "valid", None, (1, 1)),
    ((3, 3), (2, 2), "same", None, (1, 1)),
    ((4, 4), (2, 2), "same", None, (1, 1)),
    ((3, 3), (2, 2), "same", (1, 0), (1, 1)),
    ((2, 3), (3, 2), "valid", (2, 1), (1, 1)),
    ((3, 3), (1, 1), "same", None, (2, 2)),
    ((2, 2), (1, 1), "valid", None, (2, 1)),
])
def test_matches_transposed_convolution_by_hand(kernel_size, strides, padding, output_padding, dilation):
    layer = Conv2DTranspose(3, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                            dilation_rate=dilation, bias_initializer="random_normal")
    x = np.random.default_rng(0).normal(size=(2, 4, 5, 2)).astype("float32")
    y = layer(x)
    kernel, bias = [w.astype(np.float64) for w in layer.get_weights()]
    full = hand_transposed(x, kernel, strides, dilation)
    pads = output_padding or (None, None)
    lengths = [transposed_length(n, k, s, padding, p, d) for n, k, s, p, d in
               zip((4, 5), kernel_size, strides, pads, dilation)]
    starts = [0, 0] if padding == "valid" else [tf_same_start(L, k, s, d) for L, k, s, d in
                                                 zip(lengths, kernel_size, strides, dilation)]
    close(y, keep(full, lengths, starts) + bias)


def test_channels_first_equals_channels_last_on_transposed_data():
    last = Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu")
    first = Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu", data_format="channels_first")
    x = np.random.default_rng(1).normal(size=(2, 5, 6, 3)).astype("float32")
    y = last(x)
    first(x.transpose(0, 3, 1, 2))
    first.set_weights(last.get_weights())
    close(first(x.transpose(0, 3, 1, 2)), y.detach().numpy().transpose(0, 3, 1, 2))
    assert first(Input(shape=(3, None, 6))).shape == (None, 4, None, 12)


def test_undoes_the_size_of_a_strided_convolution():
    inputs = Input(shape=(28, 28, 1))
    down = Conv2D(8, 3, strides=2, padding="same")(inputs)
    assert Conv2DTranspose(1, 3, strides=2, padding="same")(down).shape == (None, 28, 28, 1)


def test_one_sample_batches_get_gradients():
    layer = Conv2DTranspose(1, 3, strides=2)
    layer(torch.randn(1, 4, 4, 2)).sum().backward()
    assert layer.kernel.grad.shape == (3, 3, 1, 2)


# ---------------------------------------------------------------- config and errors


def test_config_round_trip():
    layer = Conv2DTranspose(4, (3, 2), strides=2, padding="same", output_padding=1, activation="relu",
                            use_bias=False, data_format="channels_first")
    config = json.loads(json.dumps(layer.get_config()))
    clone = Conv2DTranspose.from_config(config)
    assert clone.get_config() == layer.get_config()
    assert config["output_padding"] == [1, 1] and "groups" not in config
    assert Conv2DTranspose(2, 3).get_config()["output_padding"] is None


@pytest.mark.parametrize("make, match", [
    (lambda: Conv2DTranspose(2, 3, strides=2, output_padding=2), r"output_padding=2, strides=\(2, 2\).*smaller than its stride"),
    (lambda: Conv2DTranspose(2, 3, output_padding=(1,)), r"Conv2DTranspose\(output_padding=\(1,\)\): give a non-negative int or a pair"),
    (lambda: Conv2DTranspose(0, 3), r"Conv2DTranspose\(filters=0\)"),
    (lambda: Conv2DTranspose(2, 3, padding="causal"), r"Conv2DTranspose\(padding='causal'\): use one of 'valid', 'same'"),
])
def test_bad_arguments_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_inputs_it_cannot_take_are_refused():
    layer = Conv2DTranspose(2, 3, name="up")
    with pytest.raises(ValueError, match=r"Conv2DTranspose 'up' expects a 4D input \(batch, rows, cols, channels\)"):
        layer(Input(shape=(8, 3)))
    layer(Input(shape=(4, 4, 3)))
    with pytest.raises(ValueError, match=r"Conv2DTranspose 'up' expects 3 input channels, got shape \(None, 4, 4, 5\)"):
        layer(Input(shape=(4, 4, 5)))


# ---------------------------------------------------------------- in a model


def test_autoencoder_learns_and_saves(tmp_path):
    inputs = Input(shape=(8, 8, 1))
    x = Conv2D(4, 3, strides=2, padding="same", activation="relu")(inputs)
    outputs = Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid")(x)
    model = Model(inputs, outputs)
    model.compile("adam", "mse")
    images = np.random.default_rng(0).random((32, 8, 8, 1)).astype("float32")
    history = model.fit(images, images, epochs=5, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = str(tmp_path / "model")
    model.save(path)
    np.testing.assert_array_equal(load_model(path).predict(images, verbose=0), model.predict(images, verbose=0))


# ---------------------------------------------------------------- Conv1DTranspose


def hand_transposed_1d(x, kernel, stride, dilation=1):
    """The full 1D transposed convolution of channels-last ``x``, written with torch's loops."""
    k, filters, _ = kernel.shape
    n, steps, _ = x.shape
    out = torch.zeros(n, (steps - 1) * stride + (k - 1) * dilation + 1, filters, dtype=torch.float64)
    for i in range(steps):
        for a in range(k):
            out[:, i * stride + a * dilation] += x[:, i] @ kernel[a].T
    return out


def test_conv1d_transpose_kernel_layout_and_names():
    layer = Conv1DTranspose(6, 4)
    layer(Input(shape=(5, 3)))
    assert [tuple(w.shape) for w in layer.weights] == [(4, 6, 3), (6,)]  # (k, filters, in)
    assert layer.name == "conv1d_transpose" and Convolution1DTranspose is Conv1DTranspose


@pytest.mark.parametrize("kernel_size, strides, padding, output_padding, dilation", [
    (3, 1, "valid", None, 1),
    (3, 2, "valid", None, 1),
    (3, 2, "same", None, 1),
    (4, 2, "same", None, 1),
    (3, 2, "same", 0, 1),
    (2, 3, "valid", 2, 1),
    (3, 1, "same", None, 2),
])
def test_conv1d_transpose_matches_torch_by_hand(kernel_size, strides, padding, output_padding, dilation):
    layer = Conv1DTranspose(3, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                            dilation_rate=dilation, bias_initializer="random_normal")
    x = torch.as_tensor(np.random.default_rng(0).normal(size=(2, 5, 2)))
    y = layer(x.float())
    kernel, bias = [torch.as_tensor(w, dtype=torch.float64) for w in layer.get_weights()]
    full = hand_transposed_1d(x, kernel, strides, dilation)
    length = transposed_length(5, kernel_size, strides, padding, output_padding, dilation)
    start = 0 if padding == "valid" else tf_same_start(length, kernel_size, strides, dilation)
    want = torch.zeros(2, length, 3, dtype=torch.float64)
    part = full[:, start:start + length]
    want[:, :part.shape[1]] = part
    close(y, (want + bias).numpy())


def test_conv1d_transpose_shapes_and_channels_first():
    assert Conv1DTranspose(8, 3, strides=2, padding="same")(Input(shape=(10, 4))).shape == (None, 20, 8)
    assert Conv1DTranspose(8, 3, strides=2)(Input(shape=(None, 4))).shape == (None, None, 8)
    last, first = Conv1DTranspose(4, 3, strides=2), Conv1DTranspose(4, 3, strides=2, data_format="channels_first")
    x = np.random.default_rng(2).normal(size=(2, 6, 3)).astype("float32")
    y = last(x)
    first(x.transpose(0, 2, 1))
    first.set_weights(last.get_weights())
    close(first(x.transpose(0, 2, 1)), y.detach().numpy().transpose(0, 2, 1))


def test_conv1d_transpose_config_regularizers_and_errors():
    layer = Conv1DTranspose(4, 3, strides=2, padding="same", output_padding=1, kernel_regularizer="l2",
                            bias_constraint="non_neg")
    config = json.loads(json.dumps(layer.get_config()))
    assert Conv1DTranspose.from_config(config).get_config() == layer.get_config()
    assert config["output_padding"] == [1] and "groups" not in config
    layer(torch.ones(1, 3, 2))
    assert layer.losses[0].item() == pytest.approx(0.01 * (layer.kernel ** 2).sum().item())
    with pytest.raises(ValueError, match=r"Conv1DTranspose\(padding='causal'\): use one of 'valid', 'same'"):
        Conv1DTranspose(2, 3, padding="causal")
    with pytest.raises(ValueError, match=r"Conv1DTranspose\(output_padding=\(1, 1\)\): give a non-negative int,"):
        Conv1DTranspose(2, 3, strides=2, output_padding=(1, 1))
    with pytest.raises(ValueError, match=r"Conv1DTranspose 'up1' expects a 3D input \(batch, steps, channels\)"):
        Conv1DTranspose(2, 3, name="up1")(Input(shape=(4, 4, 3)))


def test_conv2d_transpose_regularizer_and_constraint_reach_the_weights():
    layer = Conv2DTranspose(2, 3, kernel_regularizer="l1", kernel_constraint="non_neg")
    layer(torch.ones(1, 4, 4, 2))
    assert layer.losses[0].item() == pytest.approx(0.01 * layer.kernel.abs().sum().item())
    assert layer.get_config()["kernel_constraint"]["class_name"] == "NonNeg"
