"""Utilities: seeding, one-hot labels, naming scope, a graph's source inputs, and drawing models."""

import random

import numpy as np
import torch

from kfunc.engine.naming import clear_session as _clear_names
from kfunc.utils.source_inputs import get_source_inputs  # noqa: F401 (public here, as in Keras)


def set_random_seed(seed):
    """Seed Python's, numpy's and torch's generators, so a notebook re-runs the same.

    Weights are drawn from torch's generator when first needed, dropout masks and
    shuffling in ``fit`` too: after this call, the same code gives the same numbers.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def clear_session():
    """Start a fresh naming scope: the next ``Dense`` is called ``dense`` again."""
    _clear_names()


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot rows for integer class labels: ``[0, 2] -> [[1, 0, 0], [0, 0, 1]]``.

    Args:
        y: integer labels, any shape (a trailing axis of size 1 is dropped).
        num_classes: the number of classes; ``max(y) + 1`` by default.

    Raises:
        ValueError: for labels that are not whole numbers, are negative, or reach
            ``num_classes``.
    """
    y = np.asarray(y)
    if y.size and not np.all(np.equal(np.mod(y, 1), 0)):
        raise ValueError("to_categorical expects whole-number class labels; some labels have a fractional part.")
    y = y.astype("int64")
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y[..., 0]
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"to_categorical: labels must lie in [0, {num_classes}); got values from {y.min()} to {y.max()}."
        )
    out = np.zeros(y.shape + (num_classes,), dtype=dtype)
    np.put_along_axis(out, y[..., None], 1, axis=-1)
    return out


def plot_model(model, *args, **kwargs):
    """Draw ``model`` as a graph of layer calls (see :mod:`kfunc.display`)."""
    from kfunc.utils.plotting import plot_model as _plot_model

    return _plot_model(model, *args, **kwargs)


def model_to_dot(model, *args, **kwargs):
    """The model's graph as a ``graphviz`` DOT source (see :mod:`kfunc.display`)."""
    from kfunc.utils.plotting import model_to_dot as _model_to_dot

    return _model_to_dot(model, *args, **kwargs)


def register_keras_serializable(package="Custom", name=None):
    """Register a custom layer class so that ``load_model`` can rebuild it by name."""
    from kfunc.models.saving import register_keras_serializable as _register

    return _register(package=package, name=name)
