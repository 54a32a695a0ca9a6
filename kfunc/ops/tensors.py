"""Making tensors: constants, zeros and ones, casts, and turning arguments into tensors.

Every function of :mod:`kfunc.ops` accepts torch tensors, numpy arrays or Python
numbers; :func:`to_tensor` is where that conversion happens, once, for all of them.
The numerical settings Keras keeps globally (``epsilon``, ``floatx``) live in
:mod:`kfunc.config`; they are offered here under their backend names.
"""

import numpy as np
import torch

from kfunc.config import epsilon, floatx, set_epsilon  # noqa: F401 (Keras's backend names)
from kfunc.engine.dtypes import torch_dtype


def to_tensor(x, like=None):
    """``x`` as a torch tensor; numbers take the dtype and device of ``like``.

    A float64 numpy array becomes float32, the dtype kfunc computes in.
    """
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, np.ndarray):
        t = torch.from_numpy(np.ascontiguousarray(x))
        return t.float() if t.dtype == torch.float64 else t
    if like is not None:
        return torch.as_tensor(x, dtype=like.dtype, device=like.device)
    return torch.as_tensor(x, dtype=torch.float32 if isinstance(x, float) else None)


# ---------------------------------------------------------------- making tensors


def constant(value, dtype=None, shape=None):
    """A tensor holding ``value`` (broadcast to ``shape`` when given)."""
    t = torch.as_tensor(value, dtype=torch_dtype(dtype or floatx()))
    return t.expand(shape).clone() if shape is not None else t


def zeros(shape, dtype=None):
    return torch.zeros(shape, dtype=torch_dtype(dtype or floatx()))


def ones(shape, dtype=None):
    return torch.ones(shape, dtype=torch_dtype(dtype or floatx()))


def arange(start, stop=None, step=1, dtype=None):
    """``start, start + step, ...`` up to ``stop`` (excluded); ``arange(n)`` is ``0 .. n - 1``."""
    if stop is None:
        start, stop = 0, start
    return torch.arange(start, stop, step, dtype=torch_dtype(dtype) if dtype is not None else None)


def eye(size, dtype=None):
    return torch.eye(size, dtype=torch_dtype(dtype or floatx()))


def zeros_like(x, dtype=None):
    return torch.zeros_like(to_tensor(x), dtype=torch_dtype(dtype) if dtype else None)


def ones_like(x, dtype=None):
    return torch.ones_like(to_tensor(x), dtype=torch_dtype(dtype) if dtype else None)


def cast(x, dtype):
    """``x`` converted to ``dtype`` (``'float32'``, ``'int64'``, ``torch.bool``, ...)."""
    return to_tensor(x).to(torch_dtype(dtype))
