"""Tensor functions with Keras backend signatures, computing on torch tensors.

A ``Lambda`` layer or a custom loss written for Keras calls functions such as
``K.square(x)`` or ``K.mean(x, axis=-1)``. This module gives those functions the
same names, arguments and defaults, each a line or two of torch, so that such code
runs unchanged::

    from kfunc import backend as K          # or: from kfunc import ops
    distance = Lambda(lambda t: K.sum(K.square(t[0] - t[1]), axis=-1, keepdims=True))

Every function also runs on torch ``meta`` tensors (shape inference), so a
``Lambda`` built from them knows its output shape without computing anything.
Arguments may be torch tensors, numpy arrays or Python numbers.
"""

import numpy as np
import torch

from kfunc.engine.layer import _torch_dtype

__all__ = [
    # constants and configuration
    "epsilon", "set_epsilon", "floatx",
    # making tensors
    "constant", "zeros", "ones", "eye", "zeros_like", "ones_like", "cast",
    # shapes
    "shape", "int_shape", "ndim", "reshape", "transpose", "permute_dimensions",
    "expand_dims", "squeeze", "flatten", "batch_flatten", "concatenate", "stack",
    "repeat", "repeat_elements", "tile", "gather",
    # element-wise maths
    "abs", "square", "sqrt", "exp", "log", "pow", "sign", "round", "clip",
    "maximum", "minimum", "cos", "sin", "equal", "not_equal", "greater",
    "greater_equal", "less", "less_equal", "switch", "where", "stop_gradient",
    # reductions
    "sum", "mean", "max", "min", "prod", "std", "var", "any", "all", "argmax",
    "argmin", "cumsum", "cumprod", "logsumexp",
    # linear algebra
    "dot", "batch_dot", "l2_normalize",
    # activations
    "relu", "sigmoid", "hard_sigmoid", "tanh", "softmax", "softplus", "softsign", "elu",
    # losses' building blocks
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
]

_EPSILON = 1e-7


def _tensor(x, like=None):
    """``x`` as a torch tensor; numbers take the dtype and device of ``like``."""
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, np.ndarray):
        t = torch.from_numpy(np.ascontiguousarray(x))
        return t.float() if t.dtype == torch.float64 else t
    if like is not None:
        return torch.as_tensor(x, dtype=like.dtype, device=like.device)
    return torch.as_tensor(x, dtype=torch.float32 if isinstance(x, float) else None)


def _dims(x, axis):
    """Keras's ``axis`` (None, an int, or a list) as the ``dim`` torch expects."""
    if axis is None:
        return tuple(range(x.ndim))
    if isinstance(axis, (list, tuple)):
        return tuple(axis)
    return axis


# ---------------------------------------------------------------- configuration


def epsilon():
    """The small number Keras adds to avoid dividing by zero (``1e-7``)."""
    return _EPSILON


def set_epsilon(value):
    """Change the value that :func:`epsilon` returns."""
    global _EPSILON
    _EPSILON = float(value)


def floatx():
    """The default float type, ``'float32'``."""
    return "float32"


# ---------------------------------------------------------------- making tensors


def constant(value, dtype=None, shape=None):
    """A tensor holding ``value`` (broadcast to ``shape`` when given)."""
    t = torch.as_tensor(value, dtype=_torch_dtype(dtype or floatx()))
    return t.expand(shape).clone() if shape is not None else t


def zeros(shape, dtype=None):
    return torch.zeros(shape, dtype=_torch_dtype(dtype or floatx()))


def ones(shape, dtype=None):
    return torch.ones(shape, dtype=_torch_dtype(dtype or floatx()))


def eye(size, dtype=None):
    return torch.eye(size, dtype=_torch_dtype(dtype or floatx()))


def zeros_like(x, dtype=None):
    x = _tensor(x)
    return torch.zeros_like(x, dtype=_torch_dtype(dtype) if dtype else None)


def ones_like(x, dtype=None):
    x = _tensor(x)
    return torch.ones_like(x, dtype=_torch_dtype(dtype) if dtype else None)


def cast(x, dtype):
    """``x`` converted to ``dtype`` (``'float32'``, ``'int64'``, ``torch.bool``, ...)."""
    return _tensor(x).to(_torch_dtype(dtype))


# ---------------------------------------------------------------- shapes


def shape(x):
    """The shape of a real tensor (a ``torch.Size``, which is a tuple)."""
    return _tensor(x).shape


def int_shape(x):
    """The shape as a tuple of ints; a symbolic tensor keeps ``None`` for unknown sizes."""
    return tuple(x.shape)


def ndim(x):
    return len(x.shape)


def reshape(x, shape):
    """``x`` with a new shape, batch dimension included; one size may be ``-1``."""
    return _tensor(x).reshape(tuple(shape))


def transpose(x, axes=None):
    """``x`` with its axes reversed, or put in the order ``axes``."""
    x = _tensor(x)
    return x.permute(tuple(axes) if axes is not None else tuple(reversed(range(x.ndim))))


def permute_dimensions(x, pattern):
    """``x`` with its axes in the order ``pattern`` (batch axis included, 0-based)."""
    return _tensor(x).permute(tuple(pattern))


def expand_dims(x, axis=-1):
    """``x`` with a new axis of size 1 at ``axis``."""
    return _tensor(x).unsqueeze(axis)


def squeeze(x, axis=None):
    """``x`` without the axis ``axis`` of size 1 (every such axis when ``None``)."""
    x = _tensor(x)
    return x.squeeze() if axis is None else x.squeeze(axis)


def flatten(x):
    """All of ``x`` as one vector."""
    return _tensor(x).reshape(-1)


def batch_flatten(x):
    """``x`` as ``(batch, everything else)``."""
    x = _tensor(x)
    return x.reshape(x.shape[0], -1)


def concatenate(tensors, axis=-1):
    """The tensors joined along an existing axis."""
    return torch.cat([_tensor(t) for t in tensors], dim=axis)


def stack(x, axis=0):
    """The tensors of the list ``x`` stacked along a new axis."""
    return torch.stack([_tensor(t) for t in x], dim=axis)


def repeat(x, n):
    """``(batch, features)`` -> ``(batch, n, features)``: each sample repeated ``n`` times."""
    return _tensor(x).unsqueeze(1).expand(-1, n, -1)


def repeat_elements(x, rep, axis):
    """Each element along ``axis`` repeated ``rep`` times (``[a, b]`` -> ``[a, a, b, b]``)."""
    return torch.repeat_interleave(_tensor(x), rep, dim=axis)


def tile(x, n):
    """``x`` tiled ``n[i]`` times along axis ``i``."""
    return _tensor(x).repeat(tuple(n) if isinstance(n, (list, tuple)) else (n,))


def gather(reference, indices):
    """Rows ``indices`` of ``reference`` (an embedding lookup)."""
    return _tensor(reference)[_tensor(indices).long()]


# ---------------------------------------------------------------- element-wise maths


def abs(x):  # noqa: A001 (Keras's name)
    return torch.abs(_tensor(x))


def square(x):
    return torch.square(_tensor(x))


def sqrt(x):
    """Square root; negative values (rounding errors) count as 0, as in Keras."""
    return torch.sqrt(torch.clamp(_tensor(x), min=0.0))


def exp(x):
    return torch.exp(_tensor(x))


def log(x):
    return torch.log(_tensor(x))


def pow(x, a):  # noqa: A001 (Keras's name)
    return torch.pow(_tensor(x), a)


def sign(x):
    return torch.sign(_tensor(x))


def round(x):  # noqa: A001 (Keras's name)
    return torch.round(_tensor(x))


def clip(x, min_value, max_value):
    """``x`` with values below ``min_value`` or above ``max_value`` moved to the bound."""
    return torch.clamp(_tensor(x), min=min_value, max=max_value)


def maximum(x, y):
    """The element-wise larger of ``x`` and ``y`` (either may be a number)."""
    x = _tensor(x, like=y if isinstance(y, torch.Tensor) else None)
    return torch.maximum(x, _tensor(y, like=x))


def minimum(x, y):
    """The element-wise smaller of ``x`` and ``y`` (either may be a number)."""
    x = _tensor(x, like=y if isinstance(y, torch.Tensor) else None)
    return torch.minimum(x, _tensor(y, like=x))


def cos(x):
    return torch.cos(_tensor(x))


def sin(x):
    return torch.sin(_tensor(x))


def equal(x, y):
    x = _tensor(x)
    return torch.eq(x, _tensor(y, like=x))


def not_equal(x, y):
    x = _tensor(x)
    return torch.ne(x, _tensor(y, like=x))


def greater(x, y):
    x = _tensor(x)
    return torch.gt(x, _tensor(y, like=x))


def greater_equal(x, y):
    x = _tensor(x)
    return torch.ge(x, _tensor(y, like=x))


def less(x, y):
    x = _tensor(x)
    return torch.lt(x, _tensor(y, like=x))


def less_equal(x, y):
    x = _tensor(x)
    return torch.le(x, _tensor(y, like=x))


def switch(condition, then_expression, else_expression):
    """``then_expression`` where ``condition`` holds, ``else_expression`` elsewhere."""
    return torch.where(_tensor(condition).bool(), then_expression, else_expression)


def where(condition, x, y):
    return switch(condition, x, y)


def stop_gradient(x):
    """``x`` as a constant: no gradient flows back through it."""
    return _tensor(x).detach()


# ---------------------------------------------------------------- reductions


def sum(x, axis=None, keepdims=False):  # noqa: A001 (Keras's name)
    """The sum over ``axis`` (an int, a list of ints, or ``None`` for all axes)."""
    x = _tensor(x)
    return torch.sum(x, dim=_dims(x, axis), keepdim=keepdims)


def mean(x, axis=None, keepdims=False):
    """The mean over ``axis`` (an int, a list of ints, or ``None`` for all axes)."""
    x = _tensor(x)
    if not x.is_floating_point():
        x = x.float()
    return torch.mean(x, dim=_dims(x, axis), keepdim=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001 (Keras's name)
    """The largest value over ``axis`` (all axes when ``None``)."""
    x = _tensor(x)
    return torch.amax(x, dim=_dims(x, axis), keepdim=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001 (Keras's name)
    """The smallest value over ``axis`` (all axes when ``None``)."""
    x = _tensor(x)
    return torch.amin(x, dim=_dims(x, axis), keepdim=keepdims)


def prod(x, axis=None, keepdims=False):
    x = _tensor(x)
    if axis is None:
        out = torch.prod(x)
        return out.reshape((1,) * x.ndim) if keepdims else out
    for a in sorted((axis,) if isinstance(axis, int) else axis, key=lambda a: a % x.ndim, reverse=True):
        x = torch.prod(x, dim=a, keepdim=keepdims)
    return x


def var(x, axis=None, keepdims=False):
    """The variance over ``axis``, dividing by N (not N - 1), as Keras does."""
    x = _tensor(x)
    return torch.var(x, dim=_dims(x, axis), correction=0, keepdim=keepdims)


def std(x, axis=None, keepdims=False):
    """The standard deviation over ``axis``, dividing by N (not N - 1), as Keras does."""
    x = _tensor(x)
    return torch.std(x, dim=_dims(x, axis), correction=0, keepdim=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001 (Keras's name)
    x = _tensor(x).bool()
    return torch.any(x, dim=_dims(x, axis), keepdim=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001 (Keras's name)
    x = _tensor(x).bool()
    return torch.all(x, dim=_dims(x, axis), keepdim=keepdims)


def argmax(x, axis=-1):
    return torch.argmax(_tensor(x), dim=axis)


def argmin(x, axis=-1):
    return torch.argmin(_tensor(x), dim=axis)


def cumsum(x, axis=0):
    return torch.cumsum(_tensor(x), dim=axis)


def cumprod(x, axis=0):
    return torch.cumprod(_tensor(x), dim=axis)


def logsumexp(x, axis=None, keepdims=False):
    x = _tensor(x)
    return torch.logsumexp(x, dim=_dims(x, axis), keepdim=keepdims)


# ---------------------------------------------------------------- linear algebra


def dot(x, y):
    """The matrix product; for higher ranks, over the last axis of ``x`` and the
    second-to-last axis of ``y`` (the last one when ``y`` is a vector)."""
    x, y = _tensor(x), _tensor(y)
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

    Example:
        >>> batch_dot(torch.ones(32, 20), torch.ones(32, 20), axes=1).shape
        torch.Size([32, 1])
    """
    x, y = _tensor(x), _tensor(y)
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
    x = _tensor(x)
    squares = torch.sum(torch.square(x), dim=_dims(x, axis), keepdim=True)
    return x * torch.rsqrt(torch.clamp(squares, min=1e-12))


# ---------------------------------------------------------------- activations


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    from kfunc import activations

    return activations.relu(_tensor(x), alpha=alpha, max_value=max_value, threshold=threshold)


def sigmoid(x):
    return torch.sigmoid(_tensor(x))


def hard_sigmoid(x):
    return torch.clamp(0.2 * _tensor(x) + 0.5, 0.0, 1.0)


def tanh(x):
    return torch.tanh(_tensor(x))


def softmax(x, axis=-1):
    return torch.softmax(_tensor(x), dim=axis)


def softplus(x):
    return torch.nn.functional.softplus(_tensor(x))


def softsign(x):
    return torch.nn.functional.softsign(_tensor(x))


def elu(x, alpha=1.0):
    return torch.nn.functional.elu(_tensor(x), alpha)


# ---------------------------------------------------------------- losses' building blocks


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy (not averaged), ``output`` clipped as in Keras."""
    output = _tensor(output)
    target = _tensor(target, like=output).to(output.dtype)
    if from_logits:
        return torch.nn.functional.binary_cross_entropy_with_logits(output, target, reduction="none")
    output = torch.clamp(output, _EPSILON, 1.0 - _EPSILON)
    return -(target * torch.log(output) + (1.0 - target) * torch.log(1.0 - output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy of one-hot ``target`` and probabilities ``output``, summed over ``axis``."""
    output = _tensor(output)
    target = _tensor(target, like=output).to(output.dtype)
    if from_logits:
        return -torch.sum(target * torch.log_softmax(output, dim=axis), dim=axis)
    output = output / torch.sum(output, dim=axis, keepdim=True)
    output = torch.clamp(output, _EPSILON, 1.0 - _EPSILON)
    return -torch.sum(target * torch.log(output), dim=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy of integer class ids ``target`` and probabilities ``output``."""
    output = _tensor(output)
    target = _tensor(target).long()
    log_probs = torch.log_softmax(output, dim=axis) if from_logits else torch.log(
        torch.clamp(output / torch.sum(output, dim=axis, keepdim=True), _EPSILON, 1.0 - _EPSILON)
    )
    log_probs = torch.movedim(log_probs, axis, -1)
    if target.ndim == log_probs.ndim:  # ids given with a trailing axis of size 1
        target = target.squeeze(-1)
    return -torch.gather(log_probs, -1, target.unsqueeze(-1)).squeeze(-1)
