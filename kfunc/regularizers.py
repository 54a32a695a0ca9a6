"""Regularizers: penalties on weights (or on a layer's outputs) added to the training loss.

A regularizer is called on a tensor and returns a number to add to the loss, so
that training prefers small weights:

* ``L1(l1)``: ``l1 * sum(|w|)``, which pushes weights to exactly zero;
* ``L2(l2)``: ``l2 * sum(w ** 2)``, "weight decay", which keeps them small;
* ``L1L2(l1, l2)``: both.

Layers take them as ``kernel_regularizer=``, ``bias_regularizer=`` (a penalty on a
weight, computed at every training step) and ``activity_regularizer=`` (a penalty on
the layer's output, computed at every call); ``add_weight(regularizer=...)`` gives
one to a weight of a custom layer. ``model.losses`` lists the current penalties, and
``fit`` adds them to the loss it minimizes and reports (see :mod:`kfunc.added_losses`).

Any function of a tensor that returns a scalar tensor works as a regularizer too.

Example:
    >>> from kfunc import regularizers
    >>> Dense(64, kernel_regularizer=regularizers.l2(0.001))
    >>> Dense(64, kernel_regularizer='l2')  # l2=0.01, Keras's default
"""

import torch

from kfunc._errors import resolve_named


class Regularizer:
    """Base class: ``regularizer(tensor)`` returns a scalar tensor, the penalty."""

    def __call__(self, x):
        return torch.zeros((), dtype=x.dtype, device=x.device)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)``.

    Args:
        l1: the factor of the absolute values (0 by default, as tf.keras's class).
        l2: the factor of the squares (0 by default).
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        penalty = torch.zeros((), dtype=x.dtype, device=x.device)
        if self.l1:
            penalty = penalty + self.l1 * torch.sum(torch.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * torch.sum(torch.square(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1 * sum(|x|)``: pushes values to exactly zero (sparse weights).

    Args:
        l1: the factor (Keras's default 0.01).
    """

    def __init__(self, l1=0.01):
        self.l1 = float(l1)

    def __call__(self, x):
        return self.l1 * torch.sum(torch.abs(x))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x ** 2)``: keeps values small ("weight decay").

    Args:
        l2: the factor (Keras's default 0.01).
    """

    def __init__(self, l2=0.01):
        self.l2 = float(l2)

    def __call__(self, x):
        return self.l2 * torch.sum(torch.square(x))

    def get_config(self):
        return {"l2": self.l2}


def l1_l2(l1=0.01, l2=0.01):
    """An :class:`L1L2` regularizer with Keras's defaults for this function (0.01 each)."""
    return L1L2(l1=l1, l2=l2)


# Keras's lowercase names: l1(0.01) makes an L1 regularizer.
l1, l2 = L1, L2

_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": l1_l2}
_BY_CLASS_NAME = {"L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier, argument="regularizer"):
    """A regularizer from a name (``'l1'``, ``'l2'``, ``'l1_l2'``), a config dict, an object or a function.

    Args:
        identifier: what the user gave; None gives None.
        argument: the argument it was given as, named in the error
            (``'kernel_regularizer'``).

    Raises:
        ValueError: for an unknown name or class name, listing the valid ones.
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)) or callable(identifier):  # objects and classes are callable too
        return resolve_named(identifier, argument, Regularizer, {}, _BY_CLASS_NAME, _BY_NAME, valid=_BY_NAME)
    raise TypeError(
        f"Could not interpret {argument}={identifier!r}: give a name ('l1', 'l2', 'l1_l2'), a "
        "kfunc.regularizers object such as regularizers.l2(0.001), or a function of a tensor."
    )


def serialize(regularizer):
    """``{'class_name': 'L2', 'config': {'l2': 0.01}}`` (as Keras writes it); a function by its name."""
    if regularizer is None:
        return None
    if isinstance(regularizer, Regularizer):
        return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
    return getattr(regularizer, "__name__", repr(regularizer))


def deserialize(config):
    """The regularizer a :func:`serialize` result describes."""
    return get(config)
