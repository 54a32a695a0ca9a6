"""Values given as numpy arrays, lists or numbers where kfunc computes on torch tensors.

Keras's functions take whatever ``convert_to_tensor`` takes: its documentation
calls ``metric.update_state([0, 1, 1, 1], [1, 0, 1, 1])`` and
``loss([[0., 1.]], [[1., 1.]])``, and a notebook plots ``relu`` over
``np.linspace(-3, 3)``. The activations, losses and metrics convert such values
here; torch tensors (and symbolic tensors) go through untouched.
"""

import functools

import numpy as np
import torch

# What the activations convert (one isinstance check for the tensors that layers pass).
ARRAY_LIKE = (np.ndarray, list, tuple, int, float)


def as_float_tensor(x):
    """``x`` as a torch tensor; integers as float32."""
    x = torch.as_tensor(x)
    return x if x.is_floating_point() else x.float()


def as_tensors(y_true, y_pred):
    """``y_true`` and ``y_pred`` as torch tensors: numpy arrays, lists and numbers are
    converted (whole-number predictions to float32, ``y_true`` to ``y_pred``'s float
    dtype), as Keras takes them too."""
    if not isinstance(y_pred, torch.Tensor):
        y_pred = _tensor(y_pred, "y_pred")
        if not y_pred.is_floating_point():
            y_pred = y_pred.float()  # (predictions written as whole numbers: [[1, 1], [0, 0]])
    if not isinstance(y_true, torch.Tensor):
        y_true = _tensor(y_true, "y_true")
        if y_pred.is_floating_point() and y_true.dtype != y_pred.dtype:
            y_true = y_true.to(y_pred.dtype)
    return y_true, y_pred


def _tensor(values, name):
    """A torch tensor of ``values``: lists and numbers as torch makes them (floats in
    float32), arrays (numpy, pandas) in their own dtype."""
    try:
        if isinstance(values, (list, tuple, int, float, bool)):
            return torch.as_tensor(values)
        array = np.asarray(values)
        if array.dtype == object or array.dtype.kind in "USV":
            raise TypeError(f"numpy made an array of dtype {array.dtype} of it")
        return torch.from_numpy(np.ascontiguousarray(array))
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(
            f"{name} must be numbers: a torch tensor, a numpy array or a list of numbers; got "
            f"{type(values).__name__} ({err}). Convert it first, e.g. np.asarray(..., dtype='float32')."
        ) from None


def taking_arrays(function):
    """``function(y_true, y_pred, ...)``, also on numpy arrays and lists (see :func:`as_tensors`)."""

    @functools.wraps(function)
    def on_tensors(y_true, y_pred, *args, **kwargs):
        if not (isinstance(y_true, torch.Tensor) and isinstance(y_pred, torch.Tensor)):
            y_true, y_pred = as_tensors(y_true, y_pred)
        return function(y_true, y_pred, *args, **kwargs)

    return on_tensors
