"""Activation layers: ``LeakyReLU``, ``ELU``, ``ReLU``, ``ThresholdedReLU``, ``PReLU`` and ``Softmax``.

``Activation('relu')`` applies a named function; these layers exist for the
activations that take settings (a slope, a ceiling, an axis) or, for ``PReLU``,
learn one. Each computes element by element (``Softmax`` along an axis) and keeps
its input's shape, so shape inference runs them on stand-in tensors like any
other layer.

Argument names and defaults are tf.keras 2's. Keras 3 renamed ``LeakyReLU``'s
``alpha`` to ``negative_slope``; both spellings are taken here, and the config
keeps tf.keras's ``alpha``. Keras 3 removed ``ThresholdedReLU``; kfunc keeps tf.keras 2's.
"""

__all__ = ["LeakyReLU", "ELU", "ReLU", "ThresholdedReLU", "PReLU", "Softmax"]

import numbers

import torch
import torch.nn.functional as F

from kfunc import activations, initializers
from kfunc.engine.layer import Layer
from kfunc.layers.regularization import set_weight_options, weight_options_config


def _number(value, layer, arg, minimum=None):
    """``value`` as a float; refused when it is not a number (or is below ``minimum``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{layer}({arg}={value!r}): `{arg}` must be a number, e.g. {layer}({arg}=0.1).")
    if minimum is not None and value < minimum:
        raise ValueError(f"{layer}({arg}={value!r}): `{arg}` cannot be negative; give a number >= {minimum}.")
    return float(value)


class LeakyReLU(Layer):
    """A ReLU that lets a little through below zero: ``x`` if ``x > 0`` else ``alpha * x``.

    Args:
        alpha: the slope below zero (0.3, as in tf.keras 2).
        negative_slope: Keras 3's name for ``alpha``; give one or the other.

    Example:
        >>> LeakyReLU(alpha=0.1)(torch.tensor([[-2.0, 3.0]]))
        tensor([[-0.2000,  3.0000]])
    """

    supports_masking = True  # element by element: a sequence's mask holds for its output

    casts_integer_inputs = True  # computes on floats

    def __init__(self, alpha=0.3, negative_slope=None, **kwargs):
        super().__init__(**kwargs)
        if negative_slope is not None and alpha not in (0.3, negative_slope):
            raise ValueError(
                f"LeakyReLU(alpha={alpha!r}, negative_slope={negative_slope!r}): both name the "
                "slope below zero (`negative_slope` is Keras 3's name); give only one."
            )
        self.alpha = _number(alpha if negative_slope is None else negative_slope, "LeakyReLU", "alpha")

    def call(self, inputs):
        return F.leaky_relu(inputs, self.alpha)

    def get_config(self):
        config = super().get_config()
        config.update(alpha=self.alpha)
        return config


class ELU(Layer):
    """The exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    Args:
        alpha: the value the output tends to far below zero is ``-alpha`` (1.0).

    Example:
        >>> ELU()(torch.tensor([[-1.0, 2.0]]))
        tensor([[-0.6321,  2.0000]])
    """

    supports_masking = True  # element by element: a sequence's mask holds for its output

    casts_integer_inputs = True  # computes on floats

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = _number(alpha, "ELU", "alpha")

    def call(self, inputs):
        return F.elu(inputs, self.alpha)

    def get_config(self):
        config = super().get_config()
        config.update(alpha=self.alpha)
        return config


class ReLU(Layer):
    """The rectified linear unit, with Keras's three settings.

    Above ``threshold`` the output is ``x``, capped at ``max_value``; at or below it,
    ``negative_slope * (x - threshold)``. The defaults give ``max(x, 0)``;
    ``ReLU(max_value=6)`` is ReLU6.

    Args:
        max_value: the largest output (no cap by default); not negative.
        negative_slope: the slope below the threshold (0); not negative.
        threshold: where the output leaves zero (0); not negative.

    Example:
        >>> ReLU(max_value=6)(torch.tensor([[-1.0, 3.0, 9.0]]))
        tensor([[0., 3., 6.]])
    """

    supports_masking = True  # element by element: a sequence's mask holds for its output

    casts_integer_inputs = True  # computes on floats

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = None if max_value is None else _number(max_value, "ReLU", "max_value", minimum=0)
        self.negative_slope = _number(negative_slope, "ReLU", "negative_slope", minimum=0)
        self.threshold = _number(threshold, "ReLU", "threshold", minimum=0)

    def call(self, inputs):
        if self.negative_slope == 0 and self.threshold == 0:
            return F.relu(inputs) if self.max_value is None else inputs.clamp(0, self.max_value)
        above = inputs if self.max_value is None else inputs.clamp(max=self.max_value)
        return torch.where(inputs > self.threshold, above, self.negative_slope * (inputs - self.threshold))

    def get_config(self):
        config = super().get_config()
        config.update(max_value=self.max_value, negative_slope=self.negative_slope, threshold=self.threshold)
        return config


class ThresholdedReLU(Layer):
    """Passes values above ``theta`` and zeroes the rest: ``x`` if ``x > theta`` else ``0``.

    Unlike ``ReLU(threshold=theta)``, the values it passes are not shifted down by
    ``theta``: the output jumps from 0 to ``theta`` at the threshold.

    Args:
        theta: the threshold (1.0); not negative.

    Example:
        >>> ThresholdedReLU(theta=1.0)(torch.tensor([[0.5, 1.0, 1.5]]))
        tensor([[0.0000, 0.0000, 1.5000]])
    """

    supports_masking = True  # element by element: a sequence's mask holds for its output

    casts_integer_inputs = True  # computes on floats

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None:
            raise ValueError("ThresholdedReLU(theta=None): give the threshold as a number >= 0, e.g. theta=1.0.")
        self.theta = _number(theta, "ThresholdedReLU", "theta", minimum=0)

    def call(self, inputs):
        return inputs * (inputs > self.theta).to(inputs.dtype)

    def get_config(self):
        config = super().get_config()
        config.update(theta=self.theta)
        return config


class PReLU(Layer):
    """A leaky ReLU whose slope below zero is learned: ``x`` if ``x > 0`` else ``alpha * x``.

    ``alpha`` is a weight with one slope per input value, of shape ``input_shape[1:]``.
    ``shared_axes`` makes some axes share one slope: for images ``(batch, rows, cols,
    channels)``, ``shared_axes=[1, 2]`` learns one slope per channel, of shape ``(1, 1,
    channels)``.

    Args:
        alpha_initializer: how to draw the slopes (``'zeros'``: a plain ReLU at first).
        alpha_regularizer: a penalty on the slopes, added to the training loss
            (``'l2'``, ``kfunc.regularizers.l2(1e-4)``, ...; none by default).
        alpha_constraint: a constraint applied to the slopes after each update
            (``'non_neg'``, ``kfunc.constraints.max_norm(1.0)``, ...; none by default).
        shared_axes: an axis or a list of axes (numbered from 1, the batch being 0)
            along which one slope is shared.

    Example:
        >>> layer = PReLU(shared_axes=[1, 2])
        >>> layer(Input(shape=(32, 32, 3))).shape
        (None, 32, 32, 3)
        >>> tuple(layer.alpha.shape)
        (1, 1, 3)
    """

    supports_masking = True  # element by element: a sequence's mask holds for its output

    casts_integer_inputs = True  # computes on floats

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        set_weight_options(self, alpha_regularizer=alpha_regularizer, alpha_constraint=alpha_constraint)
        axes = [] if shared_axes is None else list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
        if not all(isinstance(a, int) and not isinstance(a, bool) and a >= 1 for a in axes):
            raise ValueError(
                f"PReLU(shared_axes={shared_axes!r}): give axes numbered from 1 (the batch "
                "axis 0 is always shared), e.g. shared_axes=[1, 2] for one slope per channel of an image."
            )
        self.shared_axes = axes or None

    def _alpha_shape(self, input_shape):
        """The shape of ``alpha`` for inputs of ``input_shape``: its sizes, 1 along shared axes."""
        shared = self.shared_axes or []
        if not isinstance(input_shape, tuple) or len(input_shape) < 2 or max(shared, default=1) >= len(input_shape):
            raise ValueError(
                f"PReLU {self.name!r} with shared_axes={self.shared_axes} cannot take an input of "
                f"shape {input_shape}: it needs a batch axis, and every shared axis must be one of "
                f"the input's axes 1 to {len(input_shape) - 1 if isinstance(input_shape, tuple) else '...'}."
            )
        shape = tuple(1 if axis in shared else size for axis, size in enumerate(input_shape) if axis > 0)
        if None in shape:
            unknown = [axis for axis, size in enumerate(input_shape) if axis > 0 and size is None]
            raise ValueError(
                f"PReLU {self.name!r} learns one slope per input value, so it needs every size but "
                f"the batch to be known; got shape {input_shape}. Share the unknown axes: "
                f"PReLU(shared_axes={sorted(set(shared) | set(unknown))})."
            )
        return shape

    def build(self, input_shape):
        self.alpha = self.add_weight("alpha", self._alpha_shape(input_shape), initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)

    def _check_input_shapes(self, input_shape):
        expected = tuple(self.alpha.shape)
        if self._alpha_shape(input_shape) != expected:
            raise ValueError(
                f"PReLU {self.name!r} has slopes of shape {expected}, made on its first call; it "
                f"cannot take an input of shape {input_shape}. Use a new PReLU layer for it."
            )

    def call(self, inputs):
        return F.relu(inputs) - self.alpha * F.relu(-inputs)

    def get_config(self):
        config = super().get_config()
        config.update(
            alpha_initializer=initializers.serialize(self.alpha_initializer),
            alpha_regularizer=None,  # (tf.keras writes both, None when not given)
            alpha_constraint=None,
            shared_axes=self.shared_axes,
        )
        config.update(weight_options_config(self, "alpha_regularizer", "alpha_constraint"))
        return config


class Softmax(Layer):
    """Turns scores into probabilities along ``axis``: ``exp(x) / sum(exp(x))``.

    Args:
        axis: the axis (or a tuple of axes) that sums to 1 (-1, the last).

    Call arguments:
        mask: optional, broadcast against the inputs; where it is ``False`` (or 0)
            the score is pushed to a large negative number, so that position gets
            (almost) no probability, as tf.keras does.

    Example:
        >>> Softmax()(torch.tensor([[1.0, 1.0, 2.0]]))
        tensor([[0.2119, 0.2119, 0.5761]])
    """

    supports_masking = True  # element by element: a sequence's mask holds for its output

    casts_integer_inputs = True  # computes on floats

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        axes = [axis] if isinstance(axis, int) else list(axis) if isinstance(axis, (tuple, list)) else [None]
        if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            raise ValueError(f"Softmax(axis={axis!r}): `axis` must be an int or a tuple of ints, e.g. axis=-1.")
        self.axis = axis if isinstance(axis, int) else tuple(axis)

    def _check_input_shapes(self, input_shape):
        axes = (self.axis,) if isinstance(self.axis, int) else self.axis
        if any(not -len(input_shape) <= a < len(input_shape) for a in axes):
            raise ValueError(
                f"Softmax {self.name!r} with axis={self.axis} cannot take an input of shape "
                f"{input_shape}, which has {len(input_shape)} axes."
            )

    def call(self, inputs, mask=None):
        if mask is not None:
            # Where the mask is off, a score so low that its exp is 0 (float16's lowest, it goes no lower).
            lowest = -1e9 if torch.finfo(inputs.dtype).max > 1e9 else torch.finfo(inputs.dtype).min
            inputs = inputs + (1.0 - mask.to(inputs.dtype)) * lowest
        if isinstance(self.axis, int):
            probabilities = torch.softmax(inputs, self.axis)
            if self.axis in (-1, inputs.dim() - 1):  # (a cross-entropy on them computes from the logits)
                activations.keep_logits(probabilities, inputs, "softmax")
            return probabilities
        return torch.exp(inputs - torch.logsumexp(inputs, self.axis, keepdim=True))

    def get_config(self):
        config = super().get_config()
        config.update(axis=self.axis)
        return config
