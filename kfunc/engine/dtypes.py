"""Dtypes by name: Keras says ``'float32'``, torch says ``torch.float32``.

Layers, inputs and configs keep the Keras name (it prints well and saves as JSON);
torch gets its dtype object at the last moment, from :func:`torch_dtype`.
"""

import numpy as np
import torch

from kfunc._errors import did_you_mean

DTYPES = {
    name: getattr(torch, name)
    for name in ("float32", "float64", "float16", "bfloat16", "int32", "int64", "int16", "int8", "uint8", "bool")
}


def torch_dtype(dtype):
    """``'float32'`` (or a numpy or torch dtype) -> ``torch.float32``; a ValueError for an unknown name."""
    if isinstance(dtype, torch.dtype):
        return dtype
    name = dtype_name(dtype)
    if name not in DTYPES:
        raise ValueError(f"Unknown dtype {dtype!r}.{did_you_mean(name, DTYPES)} Valid dtypes: {', '.join(DTYPES)}.")
    return DTYPES[name]


def dtype_name(dtype):
    """``torch.float32``, ``np.float32`` or ``'float32'`` -> ``'float32'``."""
    if isinstance(dtype, torch.dtype):
        return str(dtype).replace("torch.", "")
    if isinstance(dtype, str):
        return dtype
    try:
        return np.dtype(dtype).name
    except TypeError:
        return str(dtype)
