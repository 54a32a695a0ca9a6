"""Up-sampling, zero-padding and cropping: against numpy by hand, plus shapes, configs, saving, errors."""

import json

import numpy as np
import pytest
import torch

from kfunc import Input, Model
from kfunc.layers import (
    Conv2D, Cropping1D, Cropping2D, Dense, Flatten, UpSampling1D, UpSampling2D, ZeroPadding1D, ZeroPadding2D,
)
from kfunc.layers.reshaping import edge_pairs
from kfunc.models import load_model


def data(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def round_trip(layer):
    config = json.loads(json.dumps(layer.get_config()))  # tuples become lists, as in a saved model
    clone = type(layer).from_config(config)
    assert clone.get_config() == layer.get_config()
    return clone


def symbolic_and_real(layer, shape, x):
    """The inferred shape (None where unknown) agrees with the real output's shape."""
    symbolic = layer(Input(shape=shape)).shape
    real = tuple(layer(x).shape)
    assert len(symbolic) == len(real) and all(s in (None, r) for s, r in zip(symbolic, real)), (symbolic, real)
    return symbolic


def hand_bilinear(x, factor, axis):
    """TensorFlow's bilinear resize along one axis: pixel centres at half-integers, edges clamped."""
    n = x.shape[axis]
    src = np.maximum((np.arange(n * factor) + 0.5) / factor - 0.5, 0)
    low = np.floor(src).astype(int)
    high = np.minimum(low + 1, n - 1)
    w = (src - low).reshape([-1 if a == axis else 1 for a in range(x.ndim)])
    return np.take(x, low, axis) * (1 - w) + np.take(x, high, axis) * w


# ---------------------------------------------------------------- up-sampling


def test_upsampling1d_repeats_each_step():
    x = data(2, 4, 3)
    np.testing.assert_array_equal(UpSampling1D(3)(x).numpy(), np.repeat(x, 3, axis=1))
    assert symbolic_and_real(UpSampling1D(), (None, 3), x) == (None, None, 3)
    assert UpSampling1D(2)(Input(shape=(5, 3))).shape == (None, 10, 3)


def test_upsampling2d_nearest_repeats_each_pixel():
    x = data(2, 3, 4, 5)
    want = np.repeat(np.repeat(x, 2, axis=1), 3, axis=2)
    np.testing.assert_array_equal(UpSampling2D((2, 3))(x).numpy(), want)
    first = UpSampling2D((2, 3), data_format="channels_first")(x.transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(first.numpy(), want.transpose(0, 3, 1, 2))
    assert symbolic_and_real(UpSampling2D(), (3, 4, 5), x) == (None, 6, 8, 5)


@pytest.mark.parametrize("size", [(2, 2), (3, 2), (1, 4)])
def test_upsampling2d_bilinear_matches_tensorflow_resize(size):
    x = data(2, 3, 4, 2)
    want = hand_bilinear(hand_bilinear(x, size[0], 1), size[1], 2)
    got = UpSampling2D(size, interpolation="bilinear")(x).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    first = UpSampling2D(size, data_format="channels_first", interpolation="bilinear")(x.transpose(0, 3, 1, 2))
    np.testing.assert_allclose(first.numpy(), want.transpose(0, 3, 1, 2), rtol=1e-5, atol=1e-6)


def test_upsampling_config_and_errors():
    clone = round_trip(UpSampling2D(3, data_format="channels_first", interpolation="bilinear"))
    assert (clone.size, clone.data_format, clone.interpolation) == ((3, 3), "channels_first", "bilinear")
    assert round_trip(UpSampling1D(4)).size == 4
    assert UpSampling2D(interpolation="Bilinear").interpolation == "bilinear"  # Keras 3 lowers the name too
    with pytest.raises(ValueError, match=r"UpSampling2D\(interpolation='bicubic'\).*'nearest', 'bilinear'"):
        UpSampling2D(interpolation="bicubic")
    with pytest.raises(ValueError, match=r"UpSampling2D\(size=0\)"):
        UpSampling2D(0)
    with pytest.raises(ValueError, match=r"UpSampling2D 'up' expects a 4D input \(batch, rows, cols, channels\), got shape \(None, 5, 3\)"):
        UpSampling2D(name="up")(Input(shape=(5, 3)))


# ---------------------------------------------------------------- zero-padding


@pytest.mark.parametrize("value, pairs", [
    (1, ((1, 1), (1, 1))),
    ((2, 3), ((2, 2), (3, 3))),
    (((0, 1), (2, 3)), ((0, 1), (2, 3))),
    ([[0, 1], [2, 3]], ((0, 1), (2, 3))),  # as a config read back from JSON
])
def test_edge_amounts_take_keras_forms(value, pairs):
    assert edge_pairs(value, 2, "ZeroPadding2D", "padding") == pairs


def test_zero_padding2d_matches_numpy():
    x = data(2, 3, 4, 2)
    y = ZeroPadding2D(((1, 2), (0, 3)))(x).numpy()
    np.testing.assert_array_equal(y, np.pad(x, ((0, 0), (1, 2), (0, 3), (0, 0))))
    first = ZeroPadding2D((1, 2), data_format="channels_first")(x.transpose(0, 3, 1, 2)).numpy()
    np.testing.assert_array_equal(first, np.pad(x, ((0, 0), (1, 1), (2, 2), (0, 0))).transpose(0, 3, 1, 2))
    assert symbolic_and_real(ZeroPadding2D(), (None, 4, 2), x) == (None, None, 6, 2)


def test_zero_padding1d_matches_numpy():
    x = data(2, 5, 3)
    np.testing.assert_array_equal(ZeroPadding1D()(x).numpy(), np.pad(x, ((0, 0), (1, 1), (0, 0))))
    np.testing.assert_array_equal(ZeroPadding1D((0, 2))(x).numpy(), np.pad(x, ((0, 0), (0, 2), (0, 0))))
    assert ZeroPadding1D((1, 2))(Input(shape=(10, 4))).shape == (None, 13, 4)


def test_zero_padding_config_keeps_keras_form():
    assert ZeroPadding2D(2).get_config()["padding"] == ((2, 2), (2, 2))
    assert ZeroPadding1D(2).get_config()["padding"] == (2, 2)
    assert ZeroPadding2D((1, 2)).padding == ((1, 1), (2, 2))
    assert round_trip(ZeroPadding2D(((0, 1), (2, 3)), data_format="channels_first")).padding == ((0, 1), (2, 3))
    assert round_trip(ZeroPadding1D((0, 3))).padding == (0, 3)


@pytest.mark.parametrize("make, match", [
    (lambda: ZeroPadding2D(-1), r"ZeroPadding2D\(padding=-1\): `padding` must be a non-negative int"),
    (lambda: ZeroPadding2D((1, 2, 3)), r"\(top, bottom\), \(left, right\)"),
    (lambda: ZeroPadding1D(((1, 2),)), r"ZeroPadding1D\(padding=\(\(1, 2\),\)\).*\(before, after\)"),
    (lambda: Cropping2D("1"), r"Cropping2D\(cropping='1'\)"),
    (lambda: ZeroPadding2D(data_format="nhwc"), r"data_format='nhwc'"),
])
def test_bad_amounts_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ---------------------------------------------------------------- cropping


def test_cropping2d_matches_slicing():
    x = data(2, 6, 7, 3)
    np.testing.assert_array_equal(Cropping2D(((1, 0), (2, 1)))(x).numpy(), x[:, 1:, 2:-1])
    np.testing.assert_array_equal(Cropping2D(1)(x).numpy(), x[:, 1:-1, 1:-1])
    first = Cropping2D((1, 2), data_format="channels_first")(x.transpose(0, 3, 1, 2)).numpy()
    np.testing.assert_array_equal(first, x[:, 1:-1, 2:-2].transpose(0, 3, 1, 2))
    assert np.array_equal(Cropping2D()(x).numpy(), x)  # no cropping by default
    assert symbolic_and_real(Cropping2D(((1, 0), (2, 1))), (None, 7, 3), x) == (None, None, 4, 3)


def test_cropping1d_matches_slicing_and_config():
    x = data(2, 6, 3)
    np.testing.assert_array_equal(Cropping1D()(x).numpy(), x[:, 1:-1])
    np.testing.assert_array_equal(Cropping1D((2, 0))(x).numpy(), x[:, 2:])
    assert round_trip(Cropping1D((2, 1))).cropping == (2, 1)
    assert round_trip(Cropping2D(((1, 2), (3, 4)))).get_config()["cropping"] == ((1, 2), (3, 4))


def test_cropping_everything_away_is_refused():
    with pytest.raises(ValueError, match=r"Cropping2D 'crop' cannot cut 2 \+ 2 positions from axis 1 of an "
                                         r"input of shape \(None, 4, 8, 1\): nothing would be left"):
        Cropping2D(2, name="crop")(Input(shape=(4, 8, 1)))
    layer = Cropping1D((3, 3), name="c1")
    assert layer(Input(shape=(None, 2))).shape == (None, None, 2)
    with pytest.raises(ValueError, match=r"Cropping1D 'c1' cannot cut 3 \+ 3 positions"):
        layer(data(1, 5, 2))


def test_1d_layers_want_sequences():
    with pytest.raises(ValueError, match=r"ZeroPadding1D 'z' expects a 3D input \(batch, steps, features\)"):
        ZeroPadding1D(name="z")(Input(shape=(4, 4, 2)))


# ---------------------------------------------------------------- in a model


def test_model_with_reshaping_layers_saves_and_reloads(tmp_path):
    image, sequence = Input(shape=(6, 6, 2)), Input(shape=(5, 3))
    x = ZeroPadding2D(((1, 0), (0, 1)))(image)
    x = Conv2D(3, 3, padding="same")(x)
    x = Cropping2D(((1, 0), (0, 1)))(UpSampling2D(interpolation="bilinear")(x))
    steps = Cropping1D((1, 2))(UpSampling1D(2)(ZeroPadding1D(1)(Dense(4)(sequence))))
    model = Model([image, sequence], [Flatten()(x), steps])
    assert model.output_shape == [(None, 13 * 13 * 3), (None, 11, 4)]
    path = str(tmp_path / "model")
    model.save(path)
    again = load_model(path)
    inputs = [data(2, 6, 6, 2), data(2, 5, 3, seed=1)]
    for a, b in zip(model.predict(inputs, verbose=0), again.predict(inputs, verbose=0)):
        np.testing.assert_array_equal(a, b)
