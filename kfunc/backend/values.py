"""Reading and writing values: weights, variables, learning rates, as Keras 2's backend does.

Keras 2 code reads a weight or an optimizer's learning rate with ``K.get_value``
and changes it in place with ``K.set_value``; learning-rate callbacks written for
tf.keras do ``K.set_value(self.model.optimizer.lr, new_lr)``. What holds a value
in kfunc:

* a weight or a variable is a torch tensor: read as a numpy array, written in
  place (its shape must stay the same);
* an optimizer's learning rate is a :class:`~kfunc.learning_rate.LearningRate`:
  reading gives the optimizer's current rate, writing sets it;
* a numpy array is written in place; a Python number is returned as it is, and
  cannot be written (numbers do not change in place).

A symbolic tensor (an ``Input``, a layer's output while a model is built) holds no
value: reading or writing one is refused, with what to do instead.
"""

import numpy as np
import torch

from kfunc import config
from kfunc.engine.dtypes import dtype_name, torch_dtype
from kfunc.engine.keras_tensor import KerasTensor, is_symbolic
from kfunc.learning_rate import LearningRate


def get_value(x):
    """The value of ``x``: a numpy array for a tensor, a float for a learning rate.

    Anything else that is not a tensor (a Python number, a numpy array) is returned
    as it is, as in tf.keras.

    Raises:
        ValueError: for a symbolic tensor, or a weight that has no values yet.
    """
    if isinstance(x, LearningRate):
        return x.current()
    if is_symbolic(x):
        raise ValueError(
            f"get_value: {x!r} is a symbolic tensor, which holds no value. To compute it, make a "
            "function of the model's inputs, `f = K.function(inputs, [tensor])`, then call `f([data])`."
        )
    if isinstance(x, torch.Tensor):
        _check_has_values(x, "get_value")
        x = x.detach()
        return (x.float() if x.dtype == torch.bfloat16 else x).cpu().numpy()
    return x


def set_value(x, value):
    """Write ``value`` into ``x`` in place: a weight, a variable, a numpy array, or a learning rate.

    Raises:
        ValueError: for a value of another shape than ``x``'s, a symbolic tensor,
            or a weight that has no values yet.
        TypeError: for a Python number or anything else that cannot change in place.
    """
    if isinstance(x, LearningRate):
        x.assign(float(np.asarray(value)))
    elif isinstance(x, torch.Tensor):
        _check_has_values(x, "set_value")
        new = torch.as_tensor(np.asarray(value), dtype=x.dtype)
        if tuple(new.shape) != tuple(x.shape):
            raise ValueError(
                f"set_value: the value has shape {tuple(new.shape)}, but the tensor it is written "
                f"into has shape {tuple(x.shape)}. A weight keeps its shape; give a value of that shape."
            )
        with torch.no_grad():
            x.copy_(new)
    elif isinstance(x, np.ndarray):
        x[...] = value
    elif is_symbolic(x):
        raise ValueError(f"set_value: {x!r} is a symbolic tensor, which holds no value to change.")
    else:
        raise TypeError(
            f"set_value: {type(x).__name__} {x!r} cannot be changed in place. It needs a weight, a "
            "variable (K.variable), a numpy array, or an optimizer's learning rate as "
            "`model.optimizer.lr` gives it. A learning rate copied into a plain number is only a "
            "number: set `model.optimizer.learning_rate = new_value` instead."
        )


def batch_get_value(tensors):
    """``[get_value(x) for x in tensors]``."""
    return [get_value(x) for x in tensors]


def batch_set_value(tuples):
    """``set_value(x, value)`` for each ``(x, value)`` pair."""
    for x, value in tuples:
        set_value(x, value)


def eval(x):  # noqa: A001 (Keras's name)
    """The value of a tensor, as a numpy array (Keras 2's ``K.eval``; see :func:`get_value`)."""
    return get_value(x)


def variable(value, dtype=None, name=None):
    """A tensor holding a copy of ``value``, that :func:`set_value` can change in place.

    Args:
        value: a number, a list or a numpy array.
        dtype: its type; :func:`kfunc.config.floatx` (``'float32'``) by default.
        name: accepted for Keras 2 code; torch tensors have no names.
    """
    return torch.tensor(np.asarray(value), dtype=torch_dtype(dtype or config.floatx()))


def cast_to_floatx(x):
    """``x`` as ``floatx`` (``'float32'``): a numpy array for numbers and arrays, a tensor for a tensor."""
    if isinstance(x, torch.Tensor):
        return x.to(torch_dtype(config.floatx()))
    return np.asarray(x, dtype=config.floatx())


def dtype(x):
    """The dtype of a tensor (symbolic or real) or array, by name: ``'float32'``."""
    return dtype_name(x.dtype)


def count_params(x):
    """How many numbers the tensor ``x`` holds (the product of its dimensions)."""
    if any(d is None for d in x.shape):
        raise ValueError(f"count_params: {x!r} has unknown dimensions (None), so its size is unknown.")
    return int(np.prod(tuple(x.shape), dtype=np.int64))


def is_keras_tensor(x):
    """Whether ``x`` is a symbolic tensor (an ``Input`` or a layer's output in a model being built).

    Raises:
        ValueError: for something that is not a tensor at all, as tf.keras does.
    """
    if isinstance(x, KerasTensor):
        return True
    if isinstance(x, torch.Tensor):
        return False
    raise ValueError(
        f"is_keras_tensor: found a {type(x).__name__}, which is not a tensor. It expects a "
        "symbolic tensor (True) or a torch tensor (False)."
    )


def _check_has_values(tensor, who):
    if tensor.is_meta:
        raise ValueError(
            f"{who}: this weight has no values yet. kfunc gives a model's weights their values "
            "when they are first needed; read them through `layer.weights` or `layer.get_weights()` "
            "(which give them values), or after the model has run on data."
        )
