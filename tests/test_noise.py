"""Noise layers: active only in training, where they match the noise drawn by hand in torch."""

import json
import math

import numpy as np
import pytest
import torch

from kfunc import Input, Model
from kfunc.layers import (
    AlphaDropout, Conv2D, Dense, Flatten, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D,
)
from kfunc.models import load_model

ALL = [
    lambda: GaussianNoise(0.5),
    lambda: GaussianDropout(0.3),
    lambda: SpatialDropout1D(0.5),
    lambda: SpatialDropout2D(0.5),
]


def data(*shape, seed=0):
    return torch.as_tensor(np.random.default_rng(seed).normal(size=shape).astype("float32"))


def round_trip(layer):
    config = json.loads(json.dumps(layer.get_config()))
    clone = type(layer).from_config(config)
    assert clone.get_config() == layer.get_config()
    return clone


def seeded(seed):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("make", ALL, ids=["gaussian_noise", "gaussian_dropout", "spatial1d", "spatial2d"])
def test_identity_outside_training(make):
    layer = make()
    x = data(2, 3, 4) if isinstance(layer, SpatialDropout1D) else data(2, 3, 4, 5)
    assert layer(x) is x or torch.equal(layer(x), x)
    assert torch.equal(layer(x, training=False), x)
    assert not torch.equal(layer(x, training=True), x)
    assert layer(Input(shape=tuple(x.shape[1:]))).shape == (None,) + tuple(x.shape[1:])


# ---------------------------------------------------------------- AlphaDropout

SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def alpha_dropout_by_hand(x, rate, keep):
    """tf.keras's formula: dropped values go to SELU's floor, then a * x + b keeps mean and variance."""
    alpha_p = -SELU_ALPHA * SELU_SCALE
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * rate
    return a * (x * keep + (1 - keep) * alpha_p) + b


def test_alpha_dropout_matches_the_formula_with_the_mask_drawn_by_hand():
    x = data(4, 6)
    y = AlphaDropout(0.3, seed=7)(x, training=True)
    keep = (torch.rand((4, 6), generator=seeded(7)) >= 0.3).float()
    torch.testing.assert_close(y, alpha_dropout_by_hand(x, 0.3, keep))


def test_alpha_dropout_noise_shape_shares_the_mask():
    x = data(2, 5, 3)
    y = AlphaDropout(0.5, noise_shape=(None, 1, 3), seed=1)(x, training=True)
    keep = (torch.rand((2, 1, 3), generator=seeded(1)) >= 0.5).float()
    torch.testing.assert_close(y, alpha_dropout_by_hand(x, 0.5, keep))


def test_alpha_dropout_keeps_mean_and_variance_of_unit_normal_inputs():
    x = torch.randn(400, 500, generator=seeded(123))  # (not the mask's seed: draws of one seed correlate)
    y = AlphaDropout(0.2, seed=5)(x, training=True)
    assert abs(y.mean().item()) < 0.01 and abs(y.var().item() - 1.0) < 0.02


def test_alpha_dropout_passes_through_outside_training_and_at_rate_0():
    x = data(3, 4)
    assert torch.equal(AlphaDropout(0.4)(x), x)
    assert torch.equal(AlphaDropout(0.0)(x, training=True), x)
    assert AlphaDropout(0.1)(Input(shape=(7,))).shape == (None, 7)


def test_alpha_dropout_config_and_errors():
    clone = round_trip(AlphaDropout(0.25, noise_shape=(None, 1), seed=3))
    assert (clone.rate, clone.noise_shape, clone.seed) == (0.25, (None, 1), 3)
    with pytest.raises(ValueError, match=r"AlphaDropout\(rate=1\)"):
        AlphaDropout(1)


# ---------------------------------------------------------------- Gaussian


def test_gaussian_noise_adds_the_noise_drawn_by_hand():
    x = data(3, 4)
    y = GaussianNoise(0.2, seed=5)(x, training=True)
    torch.testing.assert_close(y, x + 0.2 * torch.randn((3, 4), generator=seeded(5)))


def test_gaussian_noise_has_the_right_spread():
    noise = GaussianNoise(0.5)(torch.zeros(200, 500), training=True)
    assert abs(noise.mean().item()) < 0.01 and abs(noise.std().item() - 0.5) < 0.01


def test_gaussian_dropout_multiplies_by_noise_drawn_by_hand():
    x = data(3, 4)
    y = GaussianDropout(0.2, seed=5)(x, training=True)
    torch.testing.assert_close(y, x * (1 + math.sqrt(0.2 / 0.8) * torch.randn((3, 4), generator=seeded(5))))
    factors = GaussianDropout(0.5)(torch.ones(200, 500), training=True)
    assert abs(factors.mean().item() - 1) < 0.01 and abs(factors.std().item() - 1) < 0.01


def test_zero_noise_changes_nothing():
    x = data(3, 4)
    assert torch.equal(GaussianNoise(0)(x, training=True), x)
    assert torch.equal(GaussianDropout(0)(x, training=True), x)


def test_a_seed_repeats_the_noise():
    x = data(3, 4)
    assert torch.equal(GaussianNoise(1, seed=3)(x, training=True), GaussianNoise(1, seed=3)(x, training=True))
    layer = GaussianNoise(1, seed=3)
    assert not torch.equal(layer(x, training=True), layer(x, training=True))  # the generator moves on


# ---------------------------------------------------------------- spatial dropout


def test_spatial_dropout1d_drops_whole_channels_as_drawn_by_hand():
    x = data(2, 5, 6)
    y = SpatialDropout1D(0.4, seed=1)(x, training=True)
    keep = (torch.rand((2, 1, 6), generator=seeded(1)) >= 0.4).float()
    torch.testing.assert_close(y, x * keep / 0.6)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_spatial_dropout2d_drops_whole_feature_maps(data_format):
    x = torch.ones(4, 6, 6, 8) if data_format == "channels_last" else torch.ones(4, 8, 6, 6)
    y = SpatialDropout2D(0.5, data_format=data_format)(x, training=True)
    maps = y if data_format == "channels_first" else y.movedim(-1, 1)
    per_map = maps.reshape(4, 8, 36)
    assert set(per_map.unique().tolist()) == {0.0, 2.0}
    assert torch.all(per_map.min(-1).values == per_map.max(-1).values)  # each map all dropped or all kept
    x = data(2, 3, 4, 5)
    keep = (torch.rand((2, 1, 1, 5), generator=seeded(2)) >= 0.5).float()
    torch.testing.assert_close(SpatialDropout2D(0.5, seed=2)(x, training=True), x * keep * 2)


# ---------------------------------------------------------------- configs and errors


def test_configs_round_trip():
    assert round_trip(GaussianNoise(0.3, seed=2)).stddev == 0.3
    assert round_trip(GaussianDropout(0.4)).rate == 0.4
    clone = round_trip(SpatialDropout2D(0.2, data_format="channels_first", seed=4))
    assert (clone.rate, clone.data_format, clone.seed) == (0.2, "channels_first", 4)
    assert "noise_shape" not in SpatialDropout1D(0.1).get_config()


@pytest.mark.parametrize("make, match", [
    (lambda: GaussianNoise(-1), r"GaussianNoise\(stddev=-1\).*a number >= 0"),
    (lambda: GaussianNoise("0.1"), r"GaussianNoise\(stddev='0.1'\)"),
    (lambda: GaussianDropout(1), r"GaussianDropout\(rate=1\).*\[0, 1\)"),
    (lambda: SpatialDropout1D(1.5), r"SpatialDropout1D\(rate=1.5\)"),
    (lambda: SpatialDropout2D(0.1, data_format="NHWC"), r"SpatialDropout2D\(data_format='NHWC'\)"),
])
def test_bad_arguments_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_spatial_dropout_wants_its_rank():
    with pytest.raises(ValueError, match=r"SpatialDropout2D 'sd' drops whole channels of a 4D input "
                                         r"\(batch, rows, cols, channels\); got shape \(None, 5, 3\)"):
        SpatialDropout2D(0.2, name="sd")(Input(shape=(5, 3)))
    with pytest.raises(ValueError, match=r"SpatialDropout1D 'sd1' drops whole channels of a 3D input"):
        SpatialDropout1D(0.2, name="sd1")(torch.ones(2, 3), training=True)


# ---------------------------------------------------------------- in a model


def test_noise_acts_in_fit_only_and_the_model_saves(tmp_path):
    inputs = Input(shape=(6, 6, 2))
    x = GaussianNoise(0.1)(inputs)
    x = SpatialDropout2D(0.2)(Conv2D(4, 3, activation="relu")(x))
    x = GaussianDropout(0.2)(Flatten()(x))
    model = Model(inputs, Dense(1)(x))
    model.compile("adam", "mse")
    x = data(16, 6, 6, 2).numpy()
    y = x.mean(axis=(1, 2, 3))[:, None]
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    first = model.predict(x, verbose=0)
    np.testing.assert_array_equal(first, model.predict(x, verbose=0))  # no noise at inference
    model.train()  # the mode fit puts the model in
    assert not np.allclose(model(x).detach().numpy(), first)
    model.eval()
    path = str(tmp_path / "model")
    model.save(path)
    np.testing.assert_array_equal(load_model(path).predict(x, verbose=0), first)
