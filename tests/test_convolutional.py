"""Conv1D and Conv2D: Keras layouts, TensorFlow's padding, channels_first, shapes, config.

The oracle is a convolution written with numpy slices over windows, on inputs
padded by hand with TensorFlow's padding (the odd cell at the end).
"""

import numpy as np
import pytest
import torch

from kfunc.layers import Conv1D, Conv2D, Convolution1D, Convolution2D, Input


def hand_conv2d(x, kernel, bias=None, strides=(1, 1), dilation=(1, 1)):
    """A 'valid' channels-last convolution of an already padded ``x``, window by window."""
    kh, kw, _, filters = kernel.shape
    (sh, sw), (dh, dw) = strides, dilation
    span_h, span_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    out_h = (x.shape[1] - span_h) // sh + 1
    out_w = (x.shape[2] - span_w) // sw + 1
    out = np.zeros((x.shape[0], out_h, out_w, filters), dtype=np.float64)
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, i * sh:i * sh + span_h:dh, j * sw:j * sw + span_w:dw, :]
            out[:, i, j] = np.einsum("nhwc,hwco->no", window, kernel)
    return out + (0 if bias is None else bias)


def hand_conv1d(x, kernel, bias=None, stride=1, dilation=1):
    out = hand_conv2d(x[:, :, None, :], kernel[:, None], bias, (stride, 1), (dilation, 1))
    return out[:, :, 0, :]


def weights_of(layer):
    return [w.astype(np.float64) for w in layer.get_weights()]


def close(got, want):
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- layouts


def test_kernel_layout_is_keras_layout():
    conv = Conv2D(8, (3, 5))
    conv(Input(shape=(16, 16, 3)))
    assert [tuple(w.shape) for w in conv.weights] == [(3, 5, 3, 8), (8,)]
    assert conv.count_params() == 3 * 5 * 3 * 8 + 8
    conv1 = Conv1D(4, 3)
    conv1(Input(shape=(10, 6)))
    assert [tuple(w.shape) for w in conv1.weights] == [(3, 6, 4), (4,)]


def test_aliases_and_names():
    assert [Conv2D(1, 1).name, Convolution2D(1, (1, 1)).name, Conv1D(1, 1).name] == ["conv2d", "conv2d_1", "conv1d"]
    assert type(Convolution2D(1, (1, 1))) is Conv2D and type(Convolution1D(1, 1)) is Conv1D


# ---------------------------------------------------------------- numerics


def test_conv2d_valid_matches_hand_convolution():
    conv = Conv2D(4, (3, 2), activation="relu")
    x = np.random.default_rng(0).normal(size=(2, 7, 6, 3)).astype("float32")
    y = conv(x)
    kernel, bias = weights_of(conv)
    close(y, np.maximum(hand_conv2d(x, kernel, bias), 0))


@pytest.mark.parametrize("size, kernel_size, strides, pads", [
    (7, 4, 2, (1, 2)),  # 4 outputs need 3 cells: TensorFlow puts the odd one at the end
    (6, 2, 2, (0, 0)),  # 3 outputs need none
    (5, 2, 1, (0, 1)),  # an even kernel at stride 1: one cell, at the end
    (8, 3, 3, (0, 1)),
    (9, 5, 2, (2, 2)),
])
def test_conv2d_same_padding_matches_tensorflow(size, kernel_size, strides, pads):
    conv = Conv2D(3, kernel_size, strides=strides, padding="same")
    x = np.random.default_rng(1).normal(size=(2, size, size, 2)).astype("float32")
    y = conv(x)
    assert y.shape[1] == -(-size // strides)  # ceil(size / strides)
    padded = np.pad(x, ((0, 0), pads, pads, (0, 0)))
    kernel, bias = weights_of(conv)
    close(y, hand_conv2d(padded, kernel, bias, (strides, strides)))


def test_conv1d_same_with_stride_2_and_even_kernel_by_hand():
    conv = Conv1D(1, 2, strides=2, padding="same", use_bias=False, kernel_initializer="ones")
    x = torch.tensor([1.0, 2, 3, 4, 5]).reshape(1, 5, 1)
    # windows [1, 2], [3, 4], [5, pad]: TensorFlow pads after, not before
    assert conv(x).flatten().tolist() == [3.0, 7.0, 5.0]


def test_conv1d_causal_sees_only_the_past():
    conv = Conv1D(1, 2, padding="causal", use_bias=False, kernel_initializer="ones")
    x = torch.tensor([1.0, 2, 3, 4]).reshape(1, 4, 1)
    assert conv(x).flatten().tolist() == [1.0, 3.0, 5.0, 7.0]
    dilated = Conv1D(1, 2, padding="causal", dilation_rate=2, use_bias=False, kernel_initializer="ones")
    assert dilated(x).flatten().tolist() == [1.0, 2.0, 4.0, 6.0]


def test_conv1d_matches_hand_convolution_with_strides_and_dilation():
    x = np.random.default_rng(2).normal(size=(2, 11, 3)).astype("float32")
    strided = Conv1D(4, 3, strides=2)
    close(strided(x), hand_conv1d(x, *weights_of(strided), stride=2))
    dilated = Conv1D(4, 3, dilation_rate=2)
    close(dilated(x), hand_conv1d(x, *weights_of(dilated), dilation=2))


def test_conv2d_dilation_with_same_padding():
    conv = Conv2D(2, 3, dilation_rate=2, padding="same")
    x = np.random.default_rng(3).normal(size=(1, 6, 6, 2)).astype("float32")
    y = conv(x)
    padded = np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0)))
    kernel, bias = weights_of(conv)
    close(y, hand_conv2d(padded, kernel, bias, dilation=(2, 2)))


def test_channels_first_equals_channels_last_on_transposed_data():
    last = Conv2D(4, (3, 2), strides=2, padding="same")
    first = Conv2D(4, (3, 2), strides=2, padding="same", data_format="channels_first")
    x = torch.randn(2, 9, 8, 3)
    last(x)
    first(x.permute(0, 3, 1, 2))
    first.set_weights(last.get_weights())
    assert first.get_weights()[0].shape == (3, 2, 3, 4)  # the kernel layout does not change
    torch.testing.assert_close(first(x.permute(0, 3, 1, 2)), last(x).permute(0, 3, 1, 2))
    assert first(Input(shape=(3, 9, 8))).shape == (None, 4, 5, 4)


def test_channels_first_conv1d():
    conv = Conv1D(2, 3, data_format="channels_first")
    x = np.random.default_rng(4).normal(size=(2, 3, 7)).astype("float32")
    y = conv(x)
    assert tuple(y.shape) == (2, 2, 5)
    close(y.transpose(1, 2), hand_conv1d(x.transpose(0, 2, 1), *weights_of(conv)))


def test_groups_convolve_channel_groups_separately():
    conv = Conv2D(4, 3, groups=2, use_bias=False)
    x = np.random.default_rng(5).normal(size=(1, 5, 5, 6)).astype("float32")
    y = conv(x)
    (kernel,) = weights_of(conv)
    assert kernel.shape == (3, 3, 3, 4)
    close(y[..., :2], hand_conv2d(x[..., :3], kernel[..., :2]))
    close(y[..., 2:], hand_conv2d(x[..., 3:], kernel[..., 2:]))


def test_softmax_activation_acts_on_the_channels():
    conv = Conv2D(5, 3, padding="same", activation="softmax")
    y = conv(torch.randn(2, 4, 4, 3))
    torch.testing.assert_close(y.sum(-1), torch.ones(2, 4, 4))


def test_output_is_an_ordinary_contiguous_channels_last_tensor():
    y = Conv2D(8, 3, padding="same")(torch.randn(2, 10, 10, 3))
    assert y.is_contiguous()


# ---------------------------------------------------------------- shapes


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("kernel_size, strides", [(1, 1), (3, 1), (2, 2), (3, 2), (4, 3)])
def test_symbolic_shapes_equal_real_shapes(padding, kernel_size, strides):
    conv = Conv2D(2, kernel_size, strides=strides, padding=padding)
    symbolic = conv(Input(shape=(9, 10, 3)))
    real = conv(torch.randn(1, 9, 10, 3))
    assert symbolic.shape == (None,) + tuple(real.shape[1:])
    conv1 = Conv1D(2, kernel_size, strides=strides, padding=padding)
    assert conv1(Input(shape=(None, 3))).shape == (None, None, 2)
    assert conv1(Input(shape=(9, 3))).shape == (None,) + tuple(conv1(torch.randn(1, 9, 3)).shape[1:])


def test_guide_shared_conv_on_two_image_sizes():
    conv = Conv2D(16, (3, 3), padding="same")
    conv(Input(shape=(32, 32, 3)))
    assert conv.input_shape == (None, 32, 32, 3)
    conv(Input(shape=(64, 64, 3)))
    assert conv.get_input_shape_at(0) == (None, 32, 32, 3)
    assert conv.get_input_shape_at(1) == (None, 64, 64, 3)
    assert conv.get_output_shape_at(1) == (None, 64, 64, 16)


# ---------------------------------------------------------------- config


def test_config_round_trip_and_defaults():
    conv = Conv2D(8, 3, strides=2, padding="SAME", data_format="channels_first", activation="relu",
                  use_bias=False, kernel_initializer="he_normal", name="c")
    config = conv.get_config()
    assert config["kernel_size"] == (3, 3) and config["strides"] == (2, 2) and config["padding"] == "same"
    assert Conv2D.from_config(config).get_config() == config
    defaults = Conv2D(4, 3).get_config()
    assert defaults["data_format"] == "channels_last" and defaults["dilation_rate"] == (1, 1)
    assert defaults["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert defaults["activation"] == "linear" and defaults["use_bias"] is True
    conv1 = Conv1D(4, 5, padding="causal")
    assert Conv1D.from_config(conv1.get_config()).get_config() == conv1.get_config()


# ---------------------------------------------------------------- errors


def test_wrong_rank_is_refused():
    with pytest.raises(ValueError, match=r"Conv2D 'conv2d' expects a 4D input \(batch, rows, cols, channels\).*\(None, 28, 28\)"):
        Conv2D(4, 3)(Input(shape=(28, 28)))
    with pytest.raises(ValueError, match=r"Conv1D 'conv1d' expects a 3D input"):
        Conv1D(4, 3)(Input(shape=(28,)))


def test_kernel_larger_than_input_with_valid_padding():
    with pytest.raises(ValueError, match=r"needs at least 5 positions.*padding='same'"):
        Conv2D(4, 5)(Input(shape=(4, 4, 3)))


def test_wrong_channels_on_a_later_call():
    conv = Conv2D(4, 3)
    conv(Input(shape=(8, 8, 3)))
    with pytest.raises(ValueError, match=r"expects 3 input channels, got shape \(None, 8, 8, 5\)"):
        conv(Input(shape=(8, 8, 5)))
    assert len(conv._inbound_nodes) == 1


def test_bad_arguments():
    with pytest.raises(ValueError, match="padding='causal'"):
        Conv2D(4, 3, padding="causal")
    with pytest.raises(ValueError, match="kernel_size"):
        Conv2D(4, (3, 3, 3))
    with pytest.raises(ValueError, match="data_format"):
        Conv2D(4, 3, data_format="NHWC")
    with pytest.raises(ValueError, match="filters"):
        Conv1D(0, 3)
    with pytest.raises(ValueError, match="groups"):
        Conv2D(4, 3, groups=3)
