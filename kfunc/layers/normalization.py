"""Normalization layers: rescale activations to mean 0 and variance 1, then learn a scale.

``BatchNormalization`` normalizes each feature over the batch (and, for images,
over height and width); ``LayerNormalization`` normalizes each sample over its
features. Both then multiply by a learned ``gamma`` and add a learned ``beta``.
"""

__all__ = ["BatchNormalization", "LayerNormalization"]

import torch

from kfunc import initializers
from kfunc.engine.layer import Layer
from kfunc.layers.regularization import set_weight_options, weight_options_config


class _Normalization(Layer):
    """What both layers share: the axes, gamma and beta, and the formula.

    Both take Keras's ``beta_regularizer``, ``gamma_regularizer``, ``beta_constraint``
    and ``gamma_constraint`` (keywords; none by default), as ``Dense`` takes its own.
    """

    casts_integer_inputs = True  # computes on floats
    supports_masking = True  # keeps the steps: a sequence's mask holds for its output

    def __init__(self, axis, epsilon, center, scale, beta_initializer, gamma_initializer, beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        set_weight_options(self, beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                           beta_constraint=beta_constraint, gamma_constraint=gamma_constraint)
        self.axis = _axis_list(axis, type(self).__name__)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)

    def _axes(self, rank):
        """``self.axis`` as non-negative axis numbers for inputs of ``rank`` axes."""
        return [a % rank for a in self.axis]

    def _check_input_shapes(self, input_shape):
        kind, rank = type(self).__name__, len(input_shape)
        if any(not -rank <= a < rank for a in self.axis) or 0 in self._axes(rank):
            raise ValueError(
                f"{kind} {self.name!r} normalizes along axis {self._axis_config()}, which an "
                f"input of shape {input_shape} does not have (or which is the batch axis 0). "
                f"Use axis=-1 for the last axis (features, or channels_last images)."
            )
        sizes = tuple(input_shape[a] for a in self._axes(rank))
        if None in sizes:
            raise ValueError(
                f"{kind} {self.name!r} needs to know the size of axis {self._axis_config()} to make "
                f"its weights; the input shape {input_shape} leaves it unknown."
            )
        if getattr(self, "_param_shape", sizes) != sizes:
            raise ValueError(
                f"{kind} {self.name!r} has weights for axis size {self._param_shape}, but was called "
                f"on an input of shape {input_shape}. Use a new layer for inputs of another size."
            )

    def build(self, input_shape):
        self._check_input_shapes(input_shape)
        self._param_shape = tuple(input_shape[a] for a in self._axes(len(input_shape)))
        if self.scale:
            self.gamma = self.add_weight("gamma", self._param_shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", self._param_shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)

    def _broadcast(self, weight, inputs):
        """``weight`` (the normalized axes' sizes) reshaped to broadcast against ``inputs``."""
        shape = [1] * inputs.ndim
        for a in self._axes(inputs.ndim):
            shape[a] = inputs.shape[a]
        return weight.reshape(shape)

    def _normalize(self, inputs, mean, variance):
        outputs = (inputs - mean) * torch.rsqrt(variance + self.epsilon)
        if self.scale:
            outputs = outputs * self._broadcast(self.gamma, inputs)
        if self.center:
            outputs = outputs + self._broadcast(self.beta, inputs)
        return outputs

    def _axis_config(self):
        return self.axis[0] if len(self.axis) == 1 else list(self.axis)

    def get_config(self):
        config = super().get_config()
        config.update(
            axis=self._axis_config(),
            epsilon=self.epsilon,
            center=self.center,
            scale=self.scale,
            beta_initializer=initializers.serialize(self.beta_initializer),
            gamma_initializer=initializers.serialize(self.gamma_initializer),
            **weight_options_config(self, "beta_regularizer", "gamma_regularizer", "beta_constraint",
                                    "gamma_constraint"),
        )
        return config


class BatchNormalization(_Normalization):
    """Normalizes each feature with the statistics of the batch (training) or with
    their moving averages (inference), then scales by ``gamma`` and shifts by ``beta``.

    Args:
        axis: the feature axis (``-1``; ``1`` for channels-first images). Statistics
            are taken over all the other axes.
        momentum: how slowly the moving averages follow the batches.
        epsilon: added to the variance before the square root.
        center, scale: whether to learn ``beta`` and ``gamma``.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: how to start each weight.

    Weights, in Keras's order: ``gamma``, ``beta`` (trained by ``fit``), then
    ``moving_mean``, ``moving_variance`` (not trained: updated by each training step
    as ``moving = moving * momentum + batch * (1 - momentum)``).

    The batch variance divides by the number of values N, not N - 1, both to
    normalize and to update ``moving_variance``: tf.keras does the same (its fused
    kernel removes the N / (N - 1) correction that the raw op applies). PyTorch's own
    ``BatchNorm`` differs here: it keeps the N - 1 estimate in its running variance.

    As in tf.keras, a layer set to ``trainable = False`` always runs in inference
    mode: it uses, and no longer updates, its moving statistics.

    Example:
        >>> BatchNormalization()(Input(shape=(32, 32, 3))).shape
        (None, 32, 32, 3)
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", **kwargs):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError(
                f"BatchNormalization(momentum={momentum!r}): `momentum` is the share of the old "
                "moving average kept at each step, a number in [0, 1] (0.99 by default)."
            )
        self.momentum = float(momentum)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape):
        super().build(input_shape)
        self.moving_mean = self.add_weight(
            "moving_mean", self._param_shape, initializer=self.moving_mean_initializer, trainable=False
        )
        self.moving_variance = self.add_weight(
            "moving_variance", self._param_shape, initializer=self.moving_variance_initializer, trainable=False
        )

    def call(self, inputs, training=None):
        training = self.training if training is None else bool(training)
        if not self.trainable:
            training = False
        if not training:
            mean = self._broadcast(self.moving_mean, inputs)
            variance = self._broadcast(self.moving_variance, inputs)
            return self._normalize(inputs, mean, variance)
        # 1. the statistics of this batch, over every axis but the feature axes
        axes = self._axes(inputs.ndim)
        reduce = [a for a in range(inputs.ndim) if a not in axes]
        mean = inputs.mean(dim=reduce, keepdim=True)
        variance = inputs.var(dim=reduce, correction=0, keepdim=True)
        # 2. the moving averages follow them
        self._update_moving(mean, variance)
        # 3. normalize with the batch's own statistics
        return self._normalize(inputs, mean, variance)

    @torch.no_grad()
    def _update_moving(self, mean, variance):
        m = self.momentum
        batch_mean = mean.reshape(self._param_shape).to(self.moving_mean.dtype)
        batch_variance = variance.reshape(self._param_shape).to(self.moving_variance.dtype)
        self.moving_mean.mul_(m).add_(batch_mean * (1 - m))
        self.moving_variance.mul_(m).add_(batch_variance * (1 - m))

    def get_config(self):
        config = super().get_config()
        config.update(
            momentum=self.momentum,
            moving_mean_initializer=initializers.serialize(self.moving_mean_initializer),
            moving_variance_initializer=initializers.serialize(self.moving_variance_initializer),
        )
        return config


class LayerNormalization(_Normalization):
    """Normalizes each sample over its features, then scales by ``gamma`` and shifts by ``beta``.

    Args:
        axis: the axis (or list of axes) to normalize over: ``-1``, the features.
        epsilon: added to the variance before the square root.
        center, scale: whether to learn ``beta`` and ``gamma``.
        beta_initializer, gamma_initializer: how to start them.

    The same in training and inference; the variance divides by N, as in Keras.
    Weights, in Keras's order: ``gamma``, ``beta``, shaped like the normalized axes.
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", **kwargs):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer, **kwargs)

    def call(self, inputs):
        axes = self._axes(inputs.ndim)
        mean = inputs.mean(dim=axes, keepdim=True)
        variance = inputs.var(dim=axes, correction=0, keepdim=True)
        return self._normalize(inputs, mean, variance)


def _axis_list(axis, kind):
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
        raise ValueError(
            f"{kind}(axis={axis!r}): `axis` must be an int (or a list of ints), e.g. -1 for the "
            "last axis."
        )
    return axes
