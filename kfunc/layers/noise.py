"""Noise layers: regularize a network by perturbing its activations while it trains.

Like ``Dropout`` (:mod:`kfunc.layers.core`), each layer acts only in training
(inside ``fit``, or called with ``training=True``) and passes its input through
unchanged otherwise (``evaluate``, ``predict``, a plain call):

* ``GaussianNoise(stddev)`` adds noise drawn from ``N(0, stddev²)``;
* ``GaussianDropout(rate)`` multiplies by noise drawn from ``N(1, rate / (1 - rate))``,
  which has the mean and variance of dropout's keep-and-rescale;
* ``AlphaDropout(rate)`` drops values to SELU's resting value instead of 0, then
  rescales so that the mean and variance stay those of its input: the dropout
  for self-normalizing networks (``activation='selu'``);
* ``SpatialDropout1D/2D(rate)`` drop whole channels (feature maps) rather than single
  values: neighbouring steps or pixels are strongly correlated, so dropping them
  one by one regularizes little. They are ``Dropout`` with a ``noise_shape`` of 1
  along the steps or pixels.
"""

__all__ = ["GaussianNoise", "GaussianDropout", "AlphaDropout", "SpatialDropout1D", "SpatialDropout2D"]

import math
import numbers

import torch

from kfunc.engine.layer import Layer
from kfunc.layers.convolutional import normalize_data_format
from kfunc.layers.core import Dropout


def _check_rate(rate, layer):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(
            f"{layer}(rate={rate!r}): `rate` is the fraction of values to drop, a number in "
            f"[0, 1), e.g. {layer}(0.2)."
        )
    return float(rate)


class _Noise(Layer):
    """Adds or multiplies random noise in training; a subclass says how (``_noisy``)."""

    supports_masking = True  # element by element: a sequence's mask holds for its output

    casts_integer_inputs = True  # computes on floats

    _generator = Dropout._generator  # the same seeded generator per device as Dropout's

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._generators = {}  # device -> torch.Generator, when a seed is given

    def call(self, inputs, training=None):
        training = self.training if training is None else bool(training)
        return self._noisy(inputs) if training else inputs

    def _normal(self, inputs):
        """Draws from ``N(0, 1)``, one per input value."""
        return torch.randn(inputs.shape, generator=self._generator(inputs.device), device=inputs.device,
                           dtype=inputs.dtype)


class GaussianNoise(_Noise):
    """Adds Gaussian noise of standard deviation ``stddev`` while training.

    A classic way to fight overfitting, and the corruption step of a denoising autoencoder.

    Args:
        stddev: the standard deviation of the noise, a number >= 0.
        seed: a seed for this layer's own random generator (the global one by default).

    Example:
        >>> noise = GaussianNoise(0.1)
        >>> noise(torch.zeros(1, 3), training=True)  # random
        tensor([[ 0.0154, -0.1207,  0.0542]])
        >>> noise(torch.zeros(1, 3))
        tensor([[0., 0., 0.]])
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, numbers.Real) or stddev < 0:
            raise ValueError(
                f"GaussianNoise(stddev={stddev!r}): `stddev` is the noise's standard deviation, "
                "a number >= 0, e.g. GaussianNoise(0.1)."
            )
        self.stddev = float(stddev)

    def _noisy(self, inputs):
        return inputs + self.stddev * self._normal(inputs) if self.stddev else inputs

    def get_config(self):
        config = super().get_config()
        config.update(stddev=self.stddev, seed=self.seed)
        return config


class GaussianDropout(_Noise):
    """Multiplies by Gaussian noise of mean 1 while training: dropout without zeros.

    Args:
        rate: the dropout rate it imitates, in ``[0, 1)``; the noise's standard
            deviation is ``sqrt(rate / (1 - rate))``.
        seed: a seed for this layer's own random generator (the global one by default).

    Example:
        >>> GaussianDropout(0.5)(torch.ones(1, 3), training=True)  # random, around 1
        tensor([[ 1.6137, -0.2101,  1.3251]])
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        self.rate = _check_rate(rate, "GaussianDropout")

    def _noisy(self, inputs):
        if not self.rate:
            return inputs
        return inputs * (1.0 + math.sqrt(self.rate / (1.0 - self.rate)) * self._normal(inputs))

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, seed=self.seed)
        return config


# SELU's constants: selu(x) = _SELU_SCALE * (x if x > 0 else _SELU_ALPHA * (exp(x) - 1)).
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Dropout):
    """Dropout for SELU networks: keeps the mean and variance of its input while training.

    Plain dropout sets values to 0 and scales the rest up, which changes the variance
    that a self-normalizing network relies on. Alpha dropout sets the dropped values
    to ``-alpha * scale``, the value SELU tends to far below zero, then applies
    ``a * x + b``, with ``a`` and ``b`` chosen so that an input of mean 0 and variance
    1 keeps them (tf.keras's formula):

    ``a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5``, ``b = -a * alpha_p * rate``,
    where ``alpha_p = -alpha * scale``.

    Args:
        rate: the fraction of values to drop, in ``[0, 1)``.
        noise_shape: the shape of the keep/drop mask, as for ``Dropout``.
        seed: a seed for this layer's own random generator (the global one by default).

    Example:
        >>> x = Dense(64, activation='selu', kernel_initializer='lecun_normal')(inputs)
        >>> x = AlphaDropout(0.1)(x)
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(_check_rate(rate, "AlphaDropout"), noise_shape=noise_shape, seed=seed, **kwargs)

    def call(self, inputs, training=None):
        training = self.training if training is None else bool(training)
        if not training or self.rate == 0:
            return inputs
        draws = torch.rand(self._mask_shape(inputs), generator=self._generator(inputs.device), device=inputs.device)
        keep = (draws >= self.rate).to(inputs.dtype)
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (inputs * keep + (1 - keep) * alpha_p) + b


class _SpatialDropout(Dropout):
    """Dropout of whole channels: the mask has size 1 along the spatial axes."""

    rank = None

    def _check_input_shapes(self, input_shape):
        if len(input_shape) != self.rank + 2:
            layout = "(batch, steps, channels)" if self.rank == 1 else (
                "(batch, channels, rows, cols)" if self.data_format == "channels_first"
                else "(batch, rows, cols, channels)")
            raise ValueError(
                f"{type(self).__name__} {self.name!r} drops whole channels of a {self.rank + 2}D input "
                f"{layout}; got shape {input_shape}."
            )

    def _mask_shape(self, inputs):
        self._check_input_shapes(tuple(inputs.shape))
        return super()._mask_shape(inputs)

    def get_config(self):
        config = super().get_config()
        del config["noise_shape"]  # set by the layer itself, from the data format
        return config


class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of a sequence ``(batch, steps, channels)`` while training.

    Each channel is dropped at every step or at none; kept channels are scaled by
    ``1 / (1 - rate)``. Often placed right after an ``Embedding``.

    Args:
        rate: the fraction of channels to drop, in ``[0, 1)``.
        seed: a seed for this layer's own random generator (the global one by default).

    Example:
        >>> SpatialDropout1D(0.5)(torch.ones(1, 3, 4), training=True)  # random
        tensor([[[2., 0., 0., 2.],
                 [2., 0., 0., 2.],
                 [2., 0., 0., 2.]]])
    """

    rank = 1
    data_format = "channels_last"

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(_check_rate(rate, "SpatialDropout1D"), noise_shape=(None, 1, None), seed=seed, **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Drops whole feature maps of an image ``(batch, rows, cols, channels)`` while training.

    Args:
        rate: the fraction of channels to drop, in ``[0, 1)``.
        data_format: ``None`` or ``'channels_last'`` (default), or ``'channels_first'``.
        seed: a seed for this layer's own random generator (the global one by default).

    Example:
        >>> SpatialDropout2D(0.2)(Input(shape=(32, 32, 16))).shape
        (None, 32, 32, 16)
    """

    rank = 2

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        data_format = normalize_data_format(data_format, "SpatialDropout2D")
        noise_shape = (None, None, 1, 1) if data_format == "channels_first" else (None, 1, 1, None)
        super().__init__(_check_rate(rate, "SpatialDropout2D"), noise_shape=noise_shape, seed=seed, **kwargs)
        self.data_format = data_format

    def get_config(self):
        config = super().get_config()
        config.update(data_format=self.data_format)
        return config
