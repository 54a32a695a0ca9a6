"""Shapes: reading them, and rearranging a tensor's values into new ones.

None of these functions computes anything new from the values: they reshape,
reorder, join, repeat or pick them.
"""

import torch

from kfunc.ops.tensors import to_tensor


def shape(x):
    """The shape of a real tensor (a ``torch.Size``, which is a tuple)."""
    return to_tensor(x).shape


def int_shape(x):
    """The shape as a tuple of ints; a symbolic tensor keeps ``None`` for unknown sizes."""
    return tuple(x.shape)


def ndim(x):
    return len(x.shape)


def reshape(x, shape):
    """``x`` with a new shape, batch dimension included; one size may be ``-1``."""
    return to_tensor(x).reshape(tuple(shape))


def transpose(x, axes=None):
    """``x`` with its axes reversed, or put in the order ``axes``."""
    x = to_tensor(x)
    return x.permute(tuple(axes) if axes is not None else tuple(reversed(range(x.ndim))))


def permute_dimensions(x, pattern):
    """``x`` with its axes in the order ``pattern`` (batch axis included, 0-based)."""
    return to_tensor(x).permute(tuple(pattern))


def expand_dims(x, axis=-1):
    """``x`` with a new axis of size 1 at ``axis``."""
    return to_tensor(x).unsqueeze(axis)


def squeeze(x, axis=None):
    """``x`` without the axis ``axis`` of size 1 (every such axis when ``None``)."""
    x = to_tensor(x)
    return x.squeeze() if axis is None else x.squeeze(axis)


def flatten(x):
    """All of ``x`` as one vector."""
    return to_tensor(x).reshape(-1)


def batch_flatten(x):
    """``x`` as ``(batch, everything else)``."""
    x = to_tensor(x)
    return x.reshape(x.shape[0], -1)


def concatenate(tensors, axis=-1):
    """The tensors joined along an existing axis."""
    return torch.cat([to_tensor(t) for t in tensors], dim=axis)


def stack(x, axis=0):
    """The tensors of the list ``x`` stacked along a new axis."""
    return torch.stack([to_tensor(t) for t in x], dim=axis)


def repeat(x, n):
    """``(batch, features)`` -> ``(batch, n, features)``: each sample repeated ``n`` times."""
    return to_tensor(x).unsqueeze(1).expand(-1, n, -1)


def repeat_elements(x, rep, axis):
    """Each element along ``axis`` repeated ``rep`` times (``[a, b]`` -> ``[a, a, b, b]``)."""
    return torch.repeat_interleave(to_tensor(x), rep, dim=axis)


def tile(x, n):
    """``x`` tiled ``n[i]`` times along axis ``i``."""
    return to_tensor(x).repeat(tuple(n) if isinstance(n, (list, tuple)) else (n,))


def gather(reference, indices):
    """Rows ``indices`` of ``reference`` (an embedding lookup)."""
    return to_tensor(reference)[to_tensor(indices).long()]
