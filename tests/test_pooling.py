"""Pooling layers: windows, TensorFlow's 'same' padding, global pooling, shapes, config.

The oracle pools window by window with numpy; for 'same' padding it uses only the
real cells under each window, as TensorFlow does.
"""

import numpy as np
import pytest
import torch

from kfunc.layers import (
    AveragePooling1D,
    AveragePooling2D,
    AvgPool2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAvgPool2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    Input,
    MaxPool2D,
    MaxPooling1D,
    MaxPooling2D,
)


def hand_pool2d(x, pool, strides, pads, reduce):
    """Channels-last pooling; each window keeps only the real (unpadded) cells."""
    (ph, pw), (sh, sw), ((top, bottom), (left, right)) = pool, strides, pads
    height, width = x.shape[1] + top + bottom, x.shape[2] + left + right
    out_h, out_w = (height - ph) // sh + 1, (width - pw) // sw + 1
    out = np.zeros((x.shape[0], out_h, out_w, x.shape[3]))
    for i in range(out_h):
        for j in range(out_w):
            r0, c0 = i * sh - top, j * sw - left
            rows = slice(max(r0, 0), min(r0 + ph, x.shape[1]))
            cols = slice(max(c0, 0), min(c0 + pw, x.shape[2]))
            out[:, i, j] = reduce(x[:, rows, cols, :], axis=(1, 2))
    return out


def close(got, want):
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-5, atol=1e-6)


def data(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


# ---------------------------------------------------------------- windows


def test_max_pooling_2d_valid():
    x = data((2, 7, 6, 3))
    close(MaxPooling2D((2, 2))(x), hand_pool2d(x, (2, 2), (2, 2), ((0, 0), (0, 0)), np.max))
    close(MaxPooling2D((3, 2), strides=(1, 2))(x), hand_pool2d(x, (3, 2), (1, 2), ((0, 0), (0, 0)), np.max))


def test_average_pooling_2d_valid():
    x = data((2, 7, 6, 3))
    close(AveragePooling2D((3, 3), strides=2)(x), hand_pool2d(x, (3, 3), (2, 2), ((0, 0), (0, 0)), np.mean))


@pytest.mark.parametrize("layer_cls, reduce", [(MaxPooling2D, np.max), (AveragePooling2D, np.mean)])
@pytest.mark.parametrize("size, pool, strides, pads", [
    (7, 2, 2, (0, 1)),  # the odd cell after
    (5, 3, 1, (1, 1)),  # symmetric: left to torch
    (7, 4, 2, (1, 2)),
    (6, 2, 2, (0, 0)),
    (8, 3, 3, (0, 1)),
])
def test_same_padding_matches_tensorflow(layer_cls, reduce, size, pool, strides, pads):
    x = data((2, size, size, 2), seed=size)
    y = layer_cls(pool, strides=strides, padding="same")(x)
    assert y.shape[1] == -(-size // strides)
    close(y, hand_pool2d(x, (pool, pool), (strides, strides), (pads, pads), reduce))


def test_average_same_excludes_padding_by_hand():
    x = torch.tensor([1.0, 2, 3, 4, 5]).reshape(1, 5, 1)
    # windows [1, 2], [3, 4], [5, pad]: the last mean is over its one real cell
    assert AveragePooling1D(2, padding="same")(x).flatten().tolist() == [1.5, 3.5, 5.0]
    x = torch.tensor([1.0, 2, 3, 4]).reshape(1, 4, 1)
    assert AveragePooling1D(3, strides=1, padding="same")(x).flatten().tolist() == [1.5, 2.0, 3.0, 3.5]


def test_max_same_never_picks_padding():
    x = -torch.arange(1.0, 6.0).reshape(1, 5, 1)  # all negative: zero padding would win
    assert MaxPooling1D(2, padding="same")(x).flatten().tolist() == [-1.0, -3.0, -5.0]


def test_pooling_1d_matches_2d_on_a_column():
    x = data((2, 9, 3))
    expected = hand_pool2d(x[:, :, None, :], (3, 1), (2, 1), ((0, 0), (0, 0)), np.max)[:, :, 0]
    close(MaxPooling1D(3, strides=2)(x), expected)


def test_strides_default_to_pool_size():
    pool = MaxPooling2D((3, 2))
    assert pool.strides == (3, 2)
    assert pool(Input(shape=(9, 8, 1))).shape == (None, 3, 4, 1)


def test_channels_first():
    x = data((2, 3, 7, 6))
    first = AveragePooling2D(2, padding="same", data_format="channels_first")(x)
    last = AveragePooling2D(2, padding="same")(np.ascontiguousarray(x.transpose(0, 2, 3, 1)))
    torch.testing.assert_close(first, last.permute(0, 3, 1, 2))
    assert MaxPooling1D(2, data_format="channels_first")(Input(shape=(3, 8))).shape == (None, 3, 4)


# ---------------------------------------------------------------- global pooling


def test_global_pooling_values():
    x = data((2, 5, 4, 3))
    close(GlobalAveragePooling2D()(x), x.mean(axis=(1, 2)))
    close(GlobalMaxPooling2D()(x), x.max(axis=(1, 2)))
    close(GlobalAveragePooling2D(data_format="channels_first")(x), x.mean(axis=(2, 3)))
    close(GlobalMaxPooling2D(keepdims=True)(x), x.max(axis=(1, 2), keepdims=True))
    seq = data((2, 6, 3))
    close(GlobalAveragePooling1D()(seq), seq.mean(axis=1))
    close(GlobalMaxPooling1D(data_format="channels_first")(seq), seq.max(axis=2))


def test_global_pooling_shapes():
    assert GlobalAveragePooling2D()(Input(shape=(None, None, 8))).shape == (None, 8)
    assert GlobalMaxPooling2D(keepdims=True)(Input(shape=(5, 5, 8))).shape == (None, 1, 1, 8)
    assert GlobalAveragePooling1D()(Input(shape=(None, 4))).shape == (None, 4)


# ---------------------------------------------------------------- shapes


@pytest.mark.parametrize("layer_cls", [MaxPooling2D, AveragePooling2D])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pool, strides", [(2, None), (3, 1), (3, 2), (2, 3)])
def test_symbolic_shapes_equal_real_shapes(layer_cls, padding, pool, strides):
    layer = layer_cls(pool, strides=strides, padding=padding)
    symbolic = layer(Input(shape=(9, 10, 2)))
    assert symbolic.shape == (None,) + tuple(layer(torch.randn(1, 9, 10, 2)).shape[1:])


# ---------------------------------------------------------------- config


def test_aliases_names_and_config_round_trip():
    assert MaxPool2D is MaxPooling2D and AvgPool2D is AveragePooling2D
    assert GlobalAvgPool2D is GlobalAveragePooling2D
    assert MaxPool2D().name == "max_pooling2d"
    assert GlobalAveragePooling2D().name == "global_average_pooling2d"
    for layer in (MaxPooling2D((3, 3), strides=(1, 1), padding="same"), AveragePooling1D(4),
                  GlobalMaxPooling2D(data_format="channels_first", keepdims=True)):
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
    assert MaxPooling2D().get_config()["strides"] == (2, 2)
    assert MaxPooling2D().get_config()["data_format"] == "channels_last"


# ---------------------------------------------------------------- errors


def test_errors():
    with pytest.raises(ValueError, match=r"MaxPooling2D 'max_pooling2d' expects a 4D input.*\(None, 8, 8\)"):
        MaxPooling2D()(Input(shape=(8, 8)))
    with pytest.raises(ValueError, match=r"needs at least 3 positions.*padding='same'"):
        AveragePooling2D(3)(Input(shape=(2, 8, 1)))
    with pytest.raises(ValueError, match=r"GlobalAveragePooling1D .* expects a 3D input"):
        GlobalAveragePooling1D()(Input(shape=(4, 4, 4)))
    with pytest.raises(ValueError, match="padding"):
        MaxPooling1D(padding="causal")
    with pytest.raises(ValueError, match="pool_size"):
        MaxPooling2D(pool_size=0)
