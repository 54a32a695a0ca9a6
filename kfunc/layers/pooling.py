"""Pooling layers: shrink a sequence or an image by summarizing windows.

* ``MaxPooling1D/2D`` keep the largest value of each window, ``AveragePooling1D/2D``
  the mean. ``strides`` defaults to the window size (windows side by side).
  ``padding='same'`` pads as TensorFlow does (see :mod:`kfunc.layers.convolutional`):
  padded cells never win a max, and they are left out of an average, so a window
  hanging over the border averages only the real cells in it.
* ``GlobalMaxPooling1D/2D`` and ``GlobalAveragePooling1D/2D`` summarize all the
  positions at once: ``(batch, rows, cols, channels)`` becomes ``(batch, channels)``
  (``keepdims=True`` keeps the pooled axes with size 1).

Data is ``channels_last`` by default; as for the convolutions, the channel axis is
moved with a view to the layout torch's pooling wants.
"""

__all__ = [
    "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
    "MaxPool1D", "MaxPool2D", "AvgPool1D", "AvgPool2D",
    "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalAvgPool1D", "GlobalAvgPool2D",
]

import torch
import torch.nn.functional as F

from kfunc.engine.layer import Layer
from kfunc.layers.convolutional import (
    normalize_data_format,
    normalize_padding,
    normalize_tuple,
    pad_arguments,
    same_padding,
)


class _Pooling(Layer):
    """Windowed pooling; a subclass sets ``rank`` (spatial axes) and ``mode``."""

    casts_integer_inputs = True  # computes on floats

    rank = None
    mode = None  # "max" or "average"
    _max_ops = {1: F.max_pool1d, 2: F.max_pool2d}
    _avg_ops = {1: F.avg_pool1d, 2: F.avg_pool2d}

    def _store(self, pool_size, strides, padding, data_format):
        cls = type(self).__name__
        self.pool_size = normalize_tuple(pool_size, self.rank, cls, "pool_size")
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, self.rank, cls, "strides")
        self.padding = normalize_padding(padding, cls)
        self.data_format = normalize_data_format(data_format, cls)

    def _spatial(self, shape):
        return tuple(shape[2:]) if self.data_format == "channels_first" else tuple(shape[1:-1])

    def _check_input_shapes(self, input_shape):
        cls, rank = type(self).__name__, self.rank + 2
        if not isinstance(input_shape, tuple) or len(input_shape) != rank:
            raise ValueError(
                f"{cls} {self.name!r} expects a {rank}D input (batch, "
                f"{'steps' if self.rank == 1 else 'rows, cols'}, channels) with "
                f"data_format={self.data_format!r}, got shape {input_shape}."
            )
        if self.padding == "valid":
            for size, k in zip(self._spatial(input_shape), self.pool_size):
                if size is not None and size < k:
                    raise ValueError(
                        f"{cls} {self.name!r} with pool_size={self.pool_size} and "
                        f"padding='valid' needs at least {k} positions along each pooled "
                        f"axis, got shape {input_shape}. Use padding='same' or a smaller pool."
                    )

    def call(self, inputs):
        # 1. channels first, as torch wants them (a view, no copy)
        x = inputs if self.data_format == "channels_first" else inputs.movedim(-1, 1)
        # 2. pool, with TensorFlow's padding
        pairs = [(0, 0)] * self.rank
        if self.padding == "same":
            pairs = [same_padding(n, k, s) for n, k, s in zip(x.shape[2:], self.pool_size, self.strides)]
        y = self._max(x, pairs) if self.mode == "max" else self._average(x, pairs)
        # 3. back to the data format
        return y if self.data_format == "channels_first" else y.movedim(1, -1)

    def _fits_torch_padding(self, pairs):
        # torch pads symmetrically, and by at most half a window
        return all(a == b and a <= k // 2 for (a, b), k in zip(pairs, self.pool_size))

    def _max(self, x, pairs):
        op = self._max_ops[self.rank]
        if self._fits_torch_padding(pairs):
            return op(x, self.pool_size, self.strides, tuple(a for a, _ in pairs))
        flat = [p for pair in reversed(pairs) for p in pair]
        return op(F.pad(x, flat, value=float("-inf")), self.pool_size, self.strides)

    def _average(self, x, pairs):
        op = self._avg_ops[self.rank]
        if self._fits_torch_padding(pairs):
            padding = tuple(a for a, _ in pairs)
            return op(x, self.pool_size, self.strides, padding, count_include_pad=False)
        # Uneven padding: the mean over padded windows, divided by the share of real
        # cells in each window (the mean of a padded mask of ones).
        padded, _ = pad_arguments(x, pairs)
        ones = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype, device=x.device)
        share, _ = pad_arguments(ones, pairs)
        return op(padded, self.pool_size, self.strides) / op(share, self.pool_size, self.strides)

    def get_config(self):
        config = super().get_config()
        config.update(pool_size=self.pool_size, strides=self.strides, padding=self.padding,
                      data_format=self.data_format)
        return config


class MaxPooling1D(_Pooling):
    """The largest value of each window of ``pool_size`` steps.

    Args:
        pool_size: the window length (2).
        strides: the step between windows; ``None`` (default) means ``pool_size``.
        padding: ``'valid'`` or ``'same'`` (TensorFlow's padding).
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Example:
        >>> MaxPooling1D(2)(Input(shape=(10, 4))).shape
        (None, 5, 4)
    """

    rank, mode = 1, "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last", **kwargs):
        super().__init__(**kwargs)
        self._store(pool_size, strides, padding, data_format)


class MaxPooling2D(_Pooling):
    """The largest value of each ``pool_size`` window of an image.

    Args:
        pool_size: the window, ``(rows, cols)`` or one int (``(2, 2)``).
        strides: the step between windows; ``None`` (default) means ``pool_size``.
        padding: ``'valid'`` or ``'same'`` (TensorFlow's padding).
        data_format: ``None``/``'channels_last'`` (default) or ``'channels_first'``.

    Example:
        >>> MaxPooling2D((2, 2))(Input(shape=(32, 32, 3))).shape
        (None, 16, 16, 3)
    """

    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._store(pool_size, strides, padding, data_format)


class AveragePooling1D(_Pooling):
    """The mean of each window of ``pool_size`` steps (arguments as :class:`MaxPooling1D`).

    With ``padding='same'`` the padded cells are left out of the mean, as in TensorFlow.

    Example:
        >>> AveragePooling1D(3, padding='same')(Input(shape=(10, 4))).shape
        (None, 4, 4)
    """

    rank, mode = 1, "average"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last", **kwargs):
        super().__init__(**kwargs)
        self._store(pool_size, strides, padding, data_format)


class AveragePooling2D(_Pooling):
    """The mean of each ``pool_size`` window of an image (arguments as :class:`MaxPooling2D`).

    With ``padding='same'`` the padded cells are left out of the mean, as in TensorFlow.

    Example:
        >>> AveragePooling2D()(Input(shape=(32, 32, 3))).shape
        (None, 16, 16, 3)
    """

    rank, mode = 2, "average"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._store(pool_size, strides, padding, data_format)


class _GlobalPooling(Layer):
    """Pool over every step or pixel; a subclass sets ``rank`` and ``mode``."""

    casts_integer_inputs = True  # computes on floats

    rank = None
    mode = None

    def _store(self, data_format, keepdims):
        self.data_format = normalize_data_format(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)

    def _check_input_shapes(self, input_shape):
        rank = self.rank + 2
        if not isinstance(input_shape, tuple) or len(input_shape) != rank:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} expects a {rank}D input (batch, "
                f"{'steps' if self.rank == 1 else 'rows, cols'}, channels) with "
                f"data_format={self.data_format!r}, got shape {input_shape}."
            )

    def call(self, inputs):
        first = 2 if self.data_format == "channels_first" else 1
        axes = tuple(range(first, first + self.rank))
        if self.mode == "max":
            return inputs.amax(dim=axes, keepdim=self.keepdims)
        return inputs.mean(dim=axes, keepdim=self.keepdims)

    def get_config(self):
        config = super().get_config()
        config.update(data_format=self.data_format, keepdims=self.keepdims)
        return config


class GlobalMaxPooling1D(_GlobalPooling):
    """The largest value over all steps: ``(batch, steps, channels)`` -> ``(batch, channels)``.

    Args:
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        keepdims: keep the steps axis, with size 1.
    """

    rank, mode = 1, "max"

    def __init__(self, data_format="channels_last", keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self._store(data_format, keepdims)


class GlobalMaxPooling2D(_GlobalPooling):
    """The largest value over all pixels: ``(batch, rows, cols, channels)`` -> ``(batch, channels)``.

    Args:
        data_format: ``None``/``'channels_last'`` (default) or ``'channels_first'``.
        keepdims: keep the rows and cols axes, with size 1.
    """

    rank, mode = 2, "max"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self._store(data_format, keepdims)


class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over all steps: ``(batch, steps, channels)`` -> ``(batch, channels)``.

    Args:
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        keepdims: keep the steps axis, with size 1.

    Example:
        >>> GlobalAveragePooling1D()(Input(shape=(10, 4))).shape
        (None, 4)
    """

    rank, mode = 1, "average"
    supports_masking = True  # the mean is over the real steps only; the output has no steps, so no mask

    def __init__(self, data_format="channels_last", keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self._store(data_format, keepdims)

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps = 2 if self.data_format == "channels_first" else 1
        weights = mask.to(inputs.dtype).unsqueeze(1 if steps == 2 else -1)
        total = (inputs * weights).sum(dim=steps, keepdim=self.keepdims)
        return total / weights.sum(dim=steps, keepdim=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalAveragePooling2D(_GlobalPooling):
    """The mean over all pixels: ``(batch, rows, cols, channels)`` -> ``(batch, channels)``.

    Args:
        data_format: ``None``/``'channels_last'`` (default) or ``'channels_first'``.
        keepdims: keep the rows and cols axes, with size 1.
    """

    rank, mode = 2, "average"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self._store(data_format, keepdims)


# Keras's short names for the same classes.
MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
