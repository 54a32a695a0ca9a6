"""Constraints: rules a weight is brought back to after every training step.

A constraint is called on a weight and returns the weight it should be instead:

* ``MaxNorm(max_value=2, axis=0)``: vectors longer than ``max_value`` are scaled down;
* ``NonNeg()``: negative entries become 0;
* ``UnitNorm(axis=0)``: every vector is scaled to length 1;
* ``MinMaxNorm(min_value=0.0, max_value=1.0, rate=1.0, axis=0)``: lengths are moved
  into ``[min_value, max_value]`` (``rate`` of the way there).

The "vectors" run along ``axis`` of the weight in Keras's layout: with ``axis=0``, a
Dense kernel ``(inputs, units)`` has one vector per unit, its incoming weights. For a
Conv2D kernel ``(rows, cols, channels, filters)``, use ``axis=[0, 1, 2]``.

Layers take them as ``kernel_constraint=`` and ``bias_constraint=``;
``add_weight(constraint=...)`` gives one to a weight of a custom layer. As in
Keras, ``fit`` applies them right after each optimizer step, outside of the
gradient computation. Any function from a tensor to a tensor of the same shape
works as a constraint too.

Example:
    >>> from kfunc import constraints
    >>> Dense(64, kernel_constraint=constraints.max_norm(3))
"""

import torch

from kfunc._errors import resolve_named

# Keras's backend epsilon, which keeps a zero vector from being divided by zero.
EPSILON = 1e-7


class Constraint:
    """Base class: ``constraint(weight)`` returns the constrained weight (a new tensor)."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _norms(w, axis):
    """The length of every vector of ``w`` along ``axis``, keeping the dimensions (to broadcast)."""
    dims = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return torch.sqrt(torch.sum(torch.square(w), dim=dims, keepdim=True))


class MaxNorm(Constraint):
    """Scale down every vector along ``axis`` whose length is over ``max_value``.

    Args:
        max_value: the greatest length allowed (2 by default).
        axis: the axis (or list of axes) the vectors run along (0 by default).
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = torch.clamp(norms, 0, self.max_value)
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Replace negative entries by 0."""

    def __call__(self, w):
        return w * (w >= 0).to(w.dtype)


class UnitNorm(Constraint):
    """Scale every vector along ``axis`` to length 1.

    Args:
        axis: the axis (or list of axes) the vectors run along (0 by default).
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (EPSILON + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Move the length of every vector along ``axis`` into ``[min_value, max_value]``.

    Args:
        min_value, max_value: the bounds of the lengths (0.0 and 1.0 by default).
        rate: how far to move them: 1.0 all the way, less for a gradual change
            (``rate * clipped + (1 - rate) * length``).
        axis: the axis (or list of axes) the vectors run along (0 by default).
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = self.rate * torch.clamp(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


# Keras's lowercase names, and Keras 1's shorter ones.
max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
maxnorm, nonneg, unitnorm = MaxNorm, NonNeg, UnitNorm

_BY_NAME = {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm,
            "maxnorm": MaxNorm, "nonneg": NonNeg, "unitnorm": UnitNorm}
_BY_CLASS_NAME = {cls.__name__: cls for cls in (MaxNorm, NonNeg, UnitNorm, MinMaxNorm)}


def get(identifier, argument="constraint"):
    """A constraint from a name (``'max_norm'``, ``'non_neg'``, ...), a config dict, an object or a function.

    Args:
        identifier: what the user gave; None gives None.
        argument: the argument it was given as, named in the error
            (``'kernel_constraint'``).

    Raises:
        ValueError: for an unknown name or class name, listing the valid ones.
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)) or callable(identifier):  # objects and classes are callable too
        return resolve_named(identifier, argument, Constraint, {}, _BY_CLASS_NAME, _BY_NAME, valid=[n for n in _BY_NAME if "_" in n])
    raise TypeError(
        f"Could not interpret {argument}={identifier!r}: give a name ('max_norm', 'non_neg', "
        "'unit_norm', 'min_max_norm'), a kfunc.constraints object such as constraints.max_norm(3), "
        "or a function of a weight tensor."
    )


def serialize(constraint):
    """``{'class_name': 'MaxNorm', 'config': {'max_value': 2, 'axis': 0}}``; a function by its name."""
    if constraint is None:
        return None
    if isinstance(constraint, Constraint):
        return {"class_name": type(constraint).__name__, "config": constraint.get_config()}
    return getattr(constraint, "__name__", repr(constraint))


def deserialize(config):
    """The constraint a :func:`serialize` result describes."""
    return get(config)
