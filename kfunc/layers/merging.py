"""Merge layers: one tensor from a list of tensors.

``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum`` and ``Minimum`` combine
tensors of the same shape element by element; ``Concatenate`` joins tensors side by
side along one axis; ``Dot`` takes the dot product of two tensors, sample by sample.
Each has a lowercase function that makes the layer and calls it at once::

    merged = concatenate([encoded_a, encoded_b], axis=-1)
    # is short for
    merged = Concatenate(axis=-1)([encoded_a, encoded_b])

A merge layer is called on a *list* of tensors, and checks their shapes before it
adds a node to the graph.
"""

__all__ = [
    "Add",
    "Subtract",
    "Multiply",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
    "Dot",
    "add",
    "subtract",
    "multiply",
    "average",
    "maximum",
    "minimum",
    "concatenate",
    "dot",
]

import functools

import torch

from kfunc import ops
from kfunc.engine.keras_tensor import KerasTensor
from kfunc.engine.layer import Layer
from kfunc.engine.structure import shapes_of


class _Merge(Layer):
    """What the merge layers share: a list of inputs, checked, then one output.

    Subclasses define ``_merge(tensors)`` and, when their rule differs from "same
    shapes", ``_check_shapes(shapes)``.
    """

    _min_inputs, _max_inputs = 2, None

    def compute_mask(self, inputs, mask=None):
        """A step is real where it is real in every masked input (tf.keras's rule)."""
        masks = [m for m in (mask or []) if m is not None]
        return torch.stack(masks).all(dim=0) if masks else None

    def _check_input_shapes(self, input_shape):
        kind = type(self).__name__
        if not isinstance(input_shape, list) or not all(isinstance(s, tuple) for s in input_shape):
            raise ValueError(
                f"{kind} layer {self.name!r} merges a LIST of tensors, e.g. "
                f"`{kind}()([x, y])`; it was called on one tensor of shape {input_shape}."
            )
        count = len(input_shape)
        if count < self._min_inputs or (self._max_inputs and count > self._max_inputs):
            wanted = (
                f"exactly {self._min_inputs}" if self._min_inputs == self._max_inputs
                else f"at least {self._min_inputs}"
            )
            raise ValueError(
                f"{kind} layer {self.name!r} needs {wanted} input tensors, got {count} "
                f"(shapes {input_shape})."
            )
        self._check_shapes(input_shape)

    def _check_shapes(self, shapes):
        """Element-wise rule: same rank; each size equal, or 1 (broadcast), or unknown."""
        for shape in shapes[1:]:
            axis = _first_conflict(shapes[0], shape, broadcast=True)
            if axis is not None:
                raise ValueError(
                    f"{type(self).__name__} layer {self.name!r} combines its inputs element by "
                    f"element, so their shapes must match; got shapes {shapes} "
                    f"({_conflict(shapes[0], shape, axis)}). To put tensors of different sizes "
                    "side by side, use concatenate([...]) instead."
                )

    def compute_output_spec(self, inputs, *args, **kwargs):
        # A size unknown in one input but known in another must be that size (the
        # shapes must agree there), so infer the output from the known one.
        shapes = [list(t.shape) for t in inputs]
        for group in self._agreeing_axes(shapes):
            known = {shapes[i][a] for i, a in group} - {None, 1}
            if len(known) == 1:
                for i, a in group:
                    if shapes[i][a] is None:
                        shapes[i][a] = next(iter(known))
        stand_ins = [KerasTensor(tuple(s), dtype=t.dtype) for s, t in zip(shapes, inputs)]
        for stand_in, tensor in zip(stand_ins, inputs):
            stand_in._keras_mask = tensor._keras_mask
        return super().compute_output_spec(stand_ins, *args, **kwargs)

    def _agreeing_axes(self, shapes):
        """Groups of ``(input index, axis)`` whose sizes must be equal (or 1)."""
        return [[(i, axis) for i in range(len(shapes))] for axis in range(1, len(shapes[0]))]

    def call(self, inputs):
        self._check_input_shapes(shapes_of(inputs))  # on data, the same checks as while building
        return self._merge(list(inputs))

    def _merge(self, tensors):
        raise NotImplementedError


class Add(_Merge):
    """The element-wise sum of its inputs (a residual connection: ``add([x, y])``)."""

    def _merge(self, tensors):
        return functools.reduce(torch.add, tensors)


class Subtract(_Merge):
    """The element-wise difference ``inputs[0] - inputs[1]`` of exactly two inputs."""

    _max_inputs = 2

    def _merge(self, tensors):
        return tensors[0] - tensors[1]


class Multiply(_Merge):
    """The element-wise product of its inputs."""

    def _merge(self, tensors):
        return functools.reduce(torch.mul, tensors)


class Average(_Merge):
    """The element-wise mean of its inputs."""

    def _merge(self, tensors):
        return functools.reduce(torch.add, tensors) / len(tensors)


class Maximum(_Merge):
    """The element-wise maximum of its inputs."""

    def _merge(self, tensors):
        return functools.reduce(torch.maximum, tensors)


class Minimum(_Merge):
    """The element-wise minimum of its inputs."""

    def _merge(self, tensors):
        return functools.reduce(torch.minimum, tensors)


class Concatenate(_Merge):
    """Joins its inputs side by side along ``axis``.

    Args:
        axis: the axis to join along (the last by default). All other sizes of the
            inputs must be equal.

    Example:
        >>> Concatenate()([Input(shape=(32,)), Input(shape=(5,))]).shape
        (None, 37)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"Concatenate(axis={axis!r}): `axis` must be an int, e.g. -1 for the last axis.")
        self.axis = axis

    def _check_shapes(self, shapes):
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes) or not -rank <= self.axis < rank:
            raise ValueError(
                f"Concatenate layer {self.name!r} joins its inputs along axis {self.axis}, so they "
                f"need the same number of axes, and that axis must exist; got shapes {shapes}."
            )
        axis = self.axis % rank
        for shape in shapes[1:]:
            others = [a for a in range(rank) if a != axis]
            clash = _first_conflict(shapes[0], shape, broadcast=False, axes=others)
            if clash is not None:
                raise ValueError(
                    f"Concatenate layer {self.name!r} joins its inputs along axis {self.axis}, so "
                    f"all other dimensions must match; got shapes {shapes} "
                    f"({_conflict(shapes[0], shape, clash)}). Reshape or pool the inputs first, "
                    "or pick the axis where they differ."
                )

    def _agreeing_axes(self, shapes):
        axis = self.axis % len(shapes[0])
        return [group for group in super()._agreeing_axes(shapes) if group[0][1] != axis]

    def _merge(self, tensors):
        return torch.cat(tensors, dim=self.axis)

    def compute_mask(self, inputs, mask=None):
        """The inputs' masks joined as the inputs are: a step is real where all its joined parts are."""
        if mask is None or all(m is None for m in mask):
            return None
        full = [torch.ones_like(t, dtype=torch.bool) if m is None else m.unsqueeze(-1) if m.dim() < t.dim() else m
                for t, m in zip(inputs, mask)]
        return torch.cat(full, dim=self.axis).all(dim=-1)

    def get_config(self):
        config = super().get_config()
        config.update(axis=self.axis)
        return config


class Dot(_Merge):
    """The dot product of two inputs, sample by sample.

    Args:
        axes: the axis to sum over, the same in both inputs (an int), or one per
            input (a pair). Axis 0 is the batch and cannot be used.
        normalize: if True, each input is first scaled to unit length along its
            axis, so the result is the cosine similarity.

    Two inputs of shape ``(batch, n)`` give ``(batch, 1)``; in general the output
    has the first input's axes without the summed one, then the second input's.

    Example:
        >>> Dot(axes=1)([Input(shape=(64,)), Input(shape=(64,))]).shape
        (None, 1)
    """

    _max_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        pair = (axes, axes) if isinstance(axes, int) and not isinstance(axes, bool) else tuple(axes)
        if len(pair) != 2 or not all(isinstance(a, int) and not isinstance(a, bool) for a in pair):
            raise ValueError(
                f"Dot(axes={axes!r}): `axes` is one int (the same axis in both inputs) or a pair "
                "of ints, one axis per input, e.g. Dot(axes=1) or Dot(axes=(1, 2))."
            )
        self.axes = axes if isinstance(axes, int) else pair
        self.normalize = bool(normalize)

    def _pair(self, shapes):
        pair = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        return [a % len(s) if -len(s) <= a < len(s) else None for a, s in zip(pair, shapes)]

    def _check_shapes(self, shapes):
        ax, ay = self._pair(shapes)
        if ax in (None, 0) or ay in (None, 0):
            raise ValueError(
                f"Dot layer {self.name!r} with axes={self.axes} cannot sum over those axes of "
                f"inputs of shapes {shapes}: each axis must exist and must not be the batch "
                "axis 0."
            )
        size_x, size_y = shapes[0][ax], shapes[1][ay]
        if None not in (size_x, size_y) and size_x != size_y:
            raise ValueError(
                f"Dot layer {self.name!r} multiplies axis {ax} of its first input with axis {ay} "
                f"of its second, so their sizes must be equal; got shapes {shapes} "
                f"({size_x} vs {size_y})."
            )

    def _agreeing_axes(self, shapes):
        ax, ay = self._pair(shapes)
        return [[(0, ax), (1, ay)]]

    def _merge(self, tensors):
        x, y = tensors
        ax, ay = self._pair([x.shape, y.shape])
        if self.normalize:
            x, y = ops.l2_normalize(x, axis=ax), ops.l2_normalize(y, axis=ay)
        return ops.batch_dot(x, y, axes=(ax, ay))

    def get_config(self):
        config = super().get_config()
        config.update(axes=self.axes, normalize=self.normalize)
        return config


# ---------------------------------------------------------------------- helpers


def _first_conflict(a, b, broadcast, axes=None):
    """The first axis where shapes ``a`` and ``b`` cannot agree, or None."""
    if len(a) != len(b):
        return -1
    for axis in range(len(a)) if axes is None else axes:
        x, y = a[axis], b[axis]
        if x is None or y is None or x == y or (broadcast and 1 in (x, y)):
            continue
        return axis
    return None


def _conflict(a, b, axis):
    if axis == -1:
        return f"{len(a)} axes vs {len(b)}"
    return f"axis {axis}: {a[axis]} vs {b[axis]}"


# ---------------------------------------------------------------------- functions


def add(inputs, **kwargs):
    """``Add(**kwargs)(inputs)``: the element-wise sum of a list of tensors."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``Subtract(**kwargs)(inputs)``: ``inputs[0] - inputs[1]``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``Multiply(**kwargs)(inputs)``: the element-wise product of a list of tensors."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``Average(**kwargs)(inputs)``: the element-wise mean of a list of tensors."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``Maximum(**kwargs)(inputs)``: the element-wise maximum of a list of tensors."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``Minimum(**kwargs)(inputs)``: the element-wise minimum of a list of tensors."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis, **kwargs)(inputs)``: a list of tensors joined along ``axis``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    """``Dot(axes, normalize, **kwargs)(inputs)``: the dot product of two tensors per sample."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
