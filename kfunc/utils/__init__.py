"""Utilities: seeding, one-hot labels, naming scope, a graph's source inputs, data in batches,
custom objects for loading, and drawing models."""

import random

import numpy as np
import torch

from kfunc._errors import missing
from kfunc.engine.naming import clear_session as _clear_names
from kfunc.training.sequence import PyDataset, Sequence  # noqa: F401 (public here, as in Keras)
from kfunc.utils import np_utils  # noqa: F401 (Keras 2 programs import from keras.utils.np_utils)
from kfunc.utils.custom_objects import CustomObjectScope, custom_object_scope  # noqa: F401
from kfunc.utils.np_utils import normalize, to_categorical  # noqa: F401
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


def __getattr__(name):
    raise missing.missing_attribute("kfunc.utils", name) or AttributeError(
        f"module 'kfunc.utils' has no attribute {name!r}"
    )
