"""Reductions: functions that combine the values along some axes into fewer values.

Sums, means, extremes, variances, along ``axis`` (an int, a list of ints, or
``None`` for every axis), keeping the reduced axes with size 1 when
``keepdims=True``, as Keras does. The products of linear algebra (``dot``,
``batch_dot``) sum over one axis too, and live here.
"""

import torch

from kfunc.ops.tensors import to_tensor


def _dims(x, axis):
    """Keras's ``axis`` (None, an int, or a list) as the ``dim`` torch expects."""
    if axis is None:
        return tuple(range(x.ndim))
    if isinstance(axis, (list, tuple)):
        return tuple(axis)
    return axis


# ---------------------------------------------------------------- along axes


def sum(x, axis=None, keepdims=False):  # noqa: A001 (Keras's name)
    """The sum over ``axis`` (an int, a list of ints, or ``None`` for all axes)."""
    x = to_tensor(x)
    return torch.sum(x, dim=_dims(x, axis), keepdim=keepdims)


def mean(x, axis=None, keepdims=False):
    """The mean over ``axis`` (an int, a list of ints, or ``None`` for all axes)."""
    x = to_tensor(x)
    if not x.is_floating_point():
        x = x.float()
    return torch.mean(x, dim=_dims(x, axis), keepdim=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001 (Keras's name)
    """The largest value over ``axis`` (all axes when ``None``)."""
    x = to_tensor(x)
    return torch.amax(x, dim=_dims(x, axis), keepdim=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001 (Keras's name)
    """The smallest value over ``axis`` (all axes when ``None``)."""
    x = to_tensor(x)
    return torch.amin(x, dim=_dims(x, axis), keepdim=keepdims)


def prod(x, axis=None, keepdims=False):
    x = to_tensor(x)
    if axis is None:
        out = torch.prod(x)
        return out.reshape((1,) * x.ndim) if keepdims else out
    for a in sorted((axis,) if isinstance(axis, int) else axis, key=lambda a: a % x.ndim, reverse=True):
        x = torch.prod(x, dim=a, keepdim=keepdims)
    return x


def var(x, axis=None, keepdims=False):
    """The variance over ``axis``, dividing by N (not N - 1), as Keras does."""
    x = to_tensor(x)
    return torch.var(x, dim=_dims(x, axis), correction=0, keepdim=keepdims)


def std(x, axis=None, keepdims=False):
    """The standard deviation over ``axis``, dividing by N (not N - 1), as Keras does."""
    x = to_tensor(x)
    return torch.std(x, dim=_dims(x, axis), correction=0, keepdim=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001 (Keras's name)
    x = to_tensor(x).bool()
    return torch.any(x, dim=_dims(x, axis), keepdim=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001 (Keras's name)
    x = to_tensor(x).bool()
    return torch.all(x, dim=_dims(x, axis), keepdim=keepdims)


def argmax(x, axis=-1):
    return torch.argmax(to_tensor(x), dim=axis)


def argmin(x, axis=-1):
    return torch.argmin(to_tensor(x), dim=axis)


def cumsum(x, axis=0):
    return torch.cumsum(to_tensor(x), dim=axis)


def cumprod(x, axis=0):
    return torch.cumprod(to_tensor(x), dim=axis)


def logsumexp(x, axis=None, keepdims=False):
    x = to_tensor(x)
    return torch.logsumexp(x, dim=_dims(x, axis), keepdim=keepdims)


# ---------------------------------------------------------------- linear algebra


def dot(x, y):
    """The matrix product; for higher ranks, over the last axis of ``x`` and the
    second-to-last axis of ``y`` (the last one when ``y`` is a vector)."""
    x, y = to_tensor(x), to_tensor(y)
    if y.ndim == 1:
        return torch.tensordot(x, y, dims=([x.ndim - 1], [0]))
    return torch.tensordot(x, y, dims=([x.ndim - 1], [y.ndim - 2]))


def batch_dot(x, y, axes=None):
    """The dot product of each sample of ``x`` with the same sample of ``y``.

    Args:
        x, y: tensors whose first axis is the batch.
        axes: the axis of ``x`` and the axis of ``y`` to sum over, as an int (the same
            axis in both) or a pair. By default the last axis of ``x`` and the
            second-to-last axis of ``y`` (its last when ``y`` has two axes).

    Returns:
        A tensor of shape ``x``'s axes without the summed one, then ``y``'s, batch
        axis once; ``(batch, 1)`` when nothing but the batch would be left.

    Raises:
        ValueError: when ``axes`` names the batch axis.

    Example:
        >>> batch_dot(torch.ones(32, 20), torch.ones(32, 20), axes=1).shape
        torch.Size([32, 1])
    """
    x, y = to_tensor(x), to_tensor(y)
    if axes is None:
        axes = (x.ndim - 1, y.ndim - 2 if y.ndim > 2 else y.ndim - 1)
    elif isinstance(axes, int):
        axes = (axes, axes)
    ax, ay = axes[0] % x.ndim, axes[1] % y.ndim
    if ax == 0 or ay == 0:
        raise ValueError(
            f"batch_dot cannot sum over the batch axis (axes={tuple(axes)}); each sample is "
            "multiplied with its own partner. Pick axes from 1 on."
        )
    # 1. move the summed axis to the end of x and right after the batch axis of y
    x = torch.movedim(x, ax, -1)
    y = torch.movedim(y, ay, 1)
    x_rest, y_rest = x.shape[1:-1], y.shape[2:]
    # 2. one batched matrix product: (batch, X, k) @ (batch, k, Y)
    out = torch.bmm(x.reshape(x.shape[0], -1, x.shape[-1]), y.reshape(y.shape[0], y.shape[1], -1))
    # 3. unfold X and Y again; keep at least one axis beside the batch
    out = out.reshape((out.shape[0],) + tuple(x_rest) + tuple(y_rest))
    return out.unsqueeze(-1) if out.ndim == 1 else out


def l2_normalize(x, axis=None):
    """``x`` divided by its Euclidean norm along ``axis`` (all axes when ``None``)."""
    x = to_tensor(x)
    squares = torch.sum(torch.square(x), dim=_dims(x, axis), keepdim=True)
    return x * torch.rsqrt(torch.clamp(squares, min=1e-12))
