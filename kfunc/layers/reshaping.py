"""Layers that resize sequences and images: up-sampling, zero-padding, cropping.

* ``UpSampling1D/2D`` repeat each step (each pixel) ``size`` times; ``UpSampling2D``
  can instead interpolate bilinearly, as TensorFlow's ``resize`` does (pixel centres
  at half-integers, which is torch's ``align_corners=False``).
* ``ZeroPadding1D/2D`` add rows of zeros at the edges, ``Cropping1D/2D`` cut them off.
  Both take the same forms of ``(before, after)`` amounts per axis: one int for all,
  one int per axis, or a pair per axis.

They learn nothing. The 2D layers take ``data_format`` (``channels_last`` by default)
like the convolutions; the 1D layers take ``(batch, steps, features)``, as in tf.keras 2.
"""

__all__ = ["UpSampling1D", "UpSampling2D", "ZeroPadding1D", "ZeroPadding2D", "Cropping1D", "Cropping2D"]

import torch.nn.functional as F

from kfunc.engine.layer import Layer
from kfunc.layers.convolutional import normalize_data_format, normalize_tuple

_INTERPOLATIONS = ("nearest", "bilinear")


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def edge_pairs(value, rank, layer, arg):
    """``(before, after)`` per spatial axis from the forms Keras takes.

    Example:
        >>> edge_pairs(1, 2, 'ZeroPadding2D', 'padding')
        ((1, 1), (1, 1))
        >>> edge_pairs((1, 2), 2, 'ZeroPadding2D', 'padding')        # rows, cols
        ((1, 1), (2, 2))
        >>> edge_pairs(((0, 1), (2, 3)), 2, 'ZeroPadding2D', 'padding')
        ((0, 1), (2, 3))
        >>> edge_pairs((0, 1), 1, 'ZeroPadding1D', 'padding')        # one axis: before, after
        ((0, 1),)
    """
    if _is_count(value):
        return ((value, value),) * rank
    items = tuple(value) if isinstance(value, (tuple, list)) else ()
    if rank == 1 and len(items) == 2 and all(map(_is_count, items)):
        return (items,)
    if rank > 1 and len(items) == rank and all(map(_is_count, items)):
        return tuple((n, n) for n in items)
    pairs = tuple(tuple(p) for p in items if isinstance(p, (tuple, list)))
    if rank > 1 and len(pairs) == len(items) == rank and all(len(p) == 2 and all(map(_is_count, p)) for p in pairs):
        return pairs
    example = "1 or (1, 2)" if rank == 1 else "1, (1, 2) for (rows, cols), or ((top, bottom), (left, right))"
    raise ValueError(
        f"{layer}({arg}={value!r}): `{arg}` must be a non-negative int or "
        f"{'a pair (before, after)' if rank == 1 else 'one int or one pair (before, after) per axis'}, "
        f"e.g. {example}."
    )


class _Resizing(Layer):
    """What these layers share: ``rank`` spatial axes, found from ``data_format``."""

    rank = None
    data_format = "channels_last"  # the 2D layers set their own

    def _spatial_axes(self):
        first = 2 if self.data_format == "channels_first" else 1
        return tuple(range(first, first + self.rank))

    def _check_input_shapes(self, input_shape):
        rank = self.rank + 2
        if not isinstance(input_shape, tuple) or len(input_shape) != rank:
            layout = "(batch, steps, features)" if self.rank == 1 else (
                "(batch, channels, rows, cols)" if self.data_format == "channels_first"
                else "(batch, rows, cols, channels)")
            raise ValueError(
                f"{type(self).__name__} {self.name!r} expects a {rank}D input {layout}, got shape {input_shape}."
            )


class UpSampling1D(_Resizing):
    """Repeats each step ``size`` times: ``(batch, steps, features)`` -> ``(batch, steps * size, features)``.

    Args:
        size: how many times each step is repeated (2).

    Example:
        >>> UpSampling1D(3)(Input(shape=(10, 4))).shape
        (None, 30, 4)
    """

    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 1, "UpSampling1D", "size")[0]

    def call(self, inputs):
        return inputs.repeat_interleave(self.size, dim=1)

    def get_config(self):
        config = super().get_config()
        config.update(size=self.size)
        return config


class UpSampling2D(_Resizing):
    """Enlarges images ``size`` times: ``(batch, rows, cols, ch)`` -> ``(batch, rows * sr, cols * sc, ch)``.

    Args:
        size: the factors for rows and columns, ``(2, 2)`` or one int for both.
        data_format: ``None`` or ``'channels_last'`` (default), or ``'channels_first'``.
        interpolation: ``'nearest'`` (default) repeats each pixel; ``'bilinear'``
            blends the four nearest pixels, as TensorFlow's ``resize`` does.

    Example:
        >>> UpSampling2D((2, 3))(Input(shape=(8, 8, 16))).shape
        (None, 16, 24, 16)
    """

    rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 2, "UpSampling2D", "size")
        self.data_format = normalize_data_format(data_format, "UpSampling2D")
        method = interpolation.lower() if isinstance(interpolation, str) else interpolation
        if method not in _INTERPOLATIONS:
            raise ValueError(
                f"UpSampling2D(interpolation={interpolation!r}): kfunc's UpSampling2D interpolates "
                f"with one of {', '.join(map(repr, _INTERPOLATIONS))}."
            )
        self.interpolation = method

    def call(self, inputs):
        rows, cols = self._spatial_axes()
        if self.interpolation == "nearest":
            return inputs.repeat_interleave(self.size[0], dim=rows).repeat_interleave(self.size[1], dim=cols)
        # torch interpolates channels-first images; the channel axis is moved with a view
        x = inputs if self.data_format == "channels_first" else inputs.movedim(-1, 1)
        y = F.interpolate(x, scale_factor=self.size, mode="bilinear", align_corners=False)
        return y if self.data_format == "channels_first" else y.movedim(1, -1)

    def get_config(self):
        config = super().get_config()
        config.update(size=self.size, data_format=self.data_format, interpolation=self.interpolation)
        return config


class _Edges(_Resizing):
    """Zero-padding and cropping: an amount ``(before, after)`` per spatial axis."""

    def _store(self, amounts, arg, data_format=None):
        cls = type(self).__name__
        self.pairs = edge_pairs(amounts, self.rank, cls, arg)
        if self.rank > 1:
            self.data_format = normalize_data_format(data_format, cls)

    def _config_amounts(self):
        """Keras's form in the config: ``(before, after)`` for 1D, one pair per axis for 2D."""
        return self.pairs[0] if self.rank == 1 else self.pairs

    def get_config(self):
        config = super().get_config()
        config.update({self._argument: self._config_amounts()})
        if self.rank > 1:
            config.update(data_format=self.data_format)
        return config


class _ZeroPadding(_Edges):
    _argument = "padding"

    @property
    def padding(self):
        return self._config_amounts()

    def call(self, inputs):
        # F.pad lists (before, after) from the last axis backwards, 0s for the unpadded ones
        by_axis = dict(zip(self._spatial_axes(), self.pairs))
        flat = [n for axis in reversed(range(1, inputs.ndim)) for n in by_axis.get(axis, (0, 0))]
        return F.pad(inputs, flat)


class ZeroPadding1D(_ZeroPadding):
    """Adds zeros at the start and end of each sequence (``(batch, steps, features)``).

    Args:
        padding: an int (the same at both ends) or ``(before, after)`` (1).

    Example:
        >>> ZeroPadding1D((1, 2))(Input(shape=(10, 4))).shape
        (None, 13, 4)
    """

    rank = 1

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self._store(padding, "padding")


class ZeroPadding2D(_ZeroPadding):
    """Adds rows and columns of zeros around each image.

    Args:
        padding: an int (all four sides), ``(rows, cols)`` (top and bottom get
            ``rows``, left and right ``cols``), or ``((top, bottom), (left, right))``.
            ``(1, 1)`` by default.
        data_format: ``None`` or ``'channels_last'`` (default), or ``'channels_first'``.

    Example:
        >>> ZeroPadding2D(((1, 0), (2, 3)))(Input(shape=(28, 28, 1))).shape
        (None, 29, 33, 1)
    """

    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._store(padding, "padding", data_format)


class _Cropping(_Edges):
    _argument = "cropping"

    @property
    def cropping(self):
        return self._config_amounts()

    def _check_input_shapes(self, input_shape):
        super()._check_input_shapes(input_shape)
        for axis, (before, after) in zip(self._spatial_axes(), self.pairs):
            size = input_shape[axis]
            if size is not None and before + after >= size:
                raise ValueError(
                    f"{type(self).__name__} {self.name!r} cannot cut {before} + {after} positions "
                    f"from axis {axis} of an input of shape {input_shape}: nothing would be left. "
                    f"Crop less than {size} in all along that axis."
                )

    def call(self, inputs):
        if not inputs.is_meta:  # on data too, where a slice would just come out empty
            self._check_input_shapes(tuple(inputs.shape))
        index = [slice(None)] * inputs.ndim
        for axis, (before, after) in zip(self._spatial_axes(), self.pairs):
            index[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(index)]


class Cropping1D(_Cropping):
    """Cuts steps off the start and end of each sequence (``(batch, steps, features)``).

    Args:
        cropping: an int (the same at both ends) or ``(before, after)``; ``(1, 1)`` by default.

    Example:
        >>> Cropping1D((2, 1))(Input(shape=(10, 4))).shape
        (None, 7, 4)
    """

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self._store(cropping, "cropping")


class Cropping2D(_Cropping):
    """Cuts rows and columns off the edges of each image.

    Args:
        cropping: an int (all four sides), ``(rows, cols)``, or
            ``((top, bottom), (left, right))``; none by default.
        data_format: ``None`` or ``'channels_last'`` (default), or ``'channels_first'``.

    Example:
        >>> Cropping2D(((2, 2), (4, 4)))(Input(shape=(28, 28, 3))).shape
        (None, 24, 20, 3)
    """

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._store(cropping, "cropping", data_format)
