"""Element-wise functions: each output value depends on the input values at the same place.

Maths (``square``, ``sqrt``, ``exp``, ...), comparisons, choosing between two
tensors (``switch``), and the activation functions under Keras backend names.
Where a function takes two arguments, either may be a Python number.
"""

import torch

from kfunc import activations
from kfunc.ops.tensors import to_tensor

# ---------------------------------------------------------------- maths


def abs(x):  # noqa: A001 (Keras's name)
    return torch.abs(to_tensor(x))


def square(x):
    return torch.square(to_tensor(x))


def sqrt(x):
    """Square root; negative values (rounding errors) count as 0, as in Keras."""
    return torch.sqrt(torch.clamp(to_tensor(x), min=0.0))


def exp(x):
    return torch.exp(to_tensor(x))


def log(x):
    return torch.log(to_tensor(x))


def pow(x, a):  # noqa: A001 (Keras's name)
    return torch.pow(to_tensor(x), a)


def sign(x):
    return torch.sign(to_tensor(x))


def round(x):  # noqa: A001 (Keras's name)
    return torch.round(to_tensor(x))


def clip(x, min_value, max_value):
    """``x`` with values below ``min_value`` or above ``max_value`` moved to the bound."""
    return torch.clamp(to_tensor(x), min=min_value, max=max_value)


def maximum(x, y):
    """The element-wise larger of ``x`` and ``y`` (either may be a number)."""
    x = to_tensor(x, like=y if isinstance(y, torch.Tensor) else None)
    return torch.maximum(x, to_tensor(y, like=x))


def minimum(x, y):
    """The element-wise smaller of ``x`` and ``y`` (either may be a number)."""
    x = to_tensor(x, like=y if isinstance(y, torch.Tensor) else None)
    return torch.minimum(x, to_tensor(y, like=x))


def cos(x):
    return torch.cos(to_tensor(x))


def sin(x):
    return torch.sin(to_tensor(x))


# ---------------------------------------------------------------- comparisons and choices


def equal(x, y):
    x = to_tensor(x)
    return torch.eq(x, to_tensor(y, like=x))


def not_equal(x, y):
    x = to_tensor(x)
    return torch.ne(x, to_tensor(y, like=x))


def greater(x, y):
    x = to_tensor(x)
    return torch.gt(x, to_tensor(y, like=x))


def greater_equal(x, y):
    x = to_tensor(x)
    return torch.ge(x, to_tensor(y, like=x))


def less(x, y):
    x = to_tensor(x)
    return torch.lt(x, to_tensor(y, like=x))


def less_equal(x, y):
    x = to_tensor(x)
    return torch.le(x, to_tensor(y, like=x))


def switch(condition, then_expression, else_expression):
    """``then_expression`` where ``condition`` holds, ``else_expression`` elsewhere."""
    return torch.where(to_tensor(condition).bool(), then_expression, else_expression)


def where(condition, x, y):
    return switch(condition, x, y)


def stop_gradient(x):
    """``x`` as a constant: no gradient flows back through it."""
    return to_tensor(x).detach()


# ---------------------------------------------------------------- activations


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    return activations.relu(to_tensor(x), alpha=alpha, max_value=max_value, threshold=threshold)


def sigmoid(x):
    return torch.sigmoid(to_tensor(x))


def hard_sigmoid(x):
    return torch.clamp(0.2 * to_tensor(x) + 0.5, 0.0, 1.0)


def tanh(x):
    return torch.tanh(to_tensor(x))


def softmax(x, axis=-1):
    return torch.softmax(to_tensor(x), dim=axis)


def softplus(x):
    return torch.nn.functional.softplus(to_tensor(x))


def softsign(x):
    return torch.nn.functional.softsign(to_tensor(x))


def elu(x, alpha=1.0):
    return torch.nn.functional.elu(to_tensor(x), alpha)
