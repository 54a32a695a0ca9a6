"""Activation functions by Keras name, computing on torch tensors.

``get('relu')`` returns the function; ``get(None)`` the identity; a callable is
returned as it is. Layers accept any of these as ``activation=``.
"""

import torch
import torch.nn.functional as F

from kfunc._errors import unknown_name_error
from kfunc.array_like import ARRAY_LIKE, as_float_tensor

# Activations take numpy arrays, lists and numbers too, as Keras's do (to plot ``relu``
# over ``np.linspace(-3, 3)``): each begins ``if isinstance(x, ARRAY_LIKE): x = as_float_tensor(x)``
# (a check, no extra call, for the tensors that layers pass).


def linear(x):
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    return x


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    if alpha == 0.0 and max_value is None and threshold == 0.0:
        return torch.relu(x)
    negative = alpha * (x - threshold) if alpha else torch.zeros_like(x)
    out = torch.where(x >= threshold, x, negative)
    return out.clamp(max=max_value) if max_value is not None else out


def sigmoid(x):
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    return keep_logits(torch.sigmoid(x), x, "sigmoid")


def hard_sigmoid(x):
    """Keras 2's piecewise-linear sigmoid: ``clip(0.2 * x + 0.5, 0, 1)``."""
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    return (0.2 * x + 0.5).clamp(0.0, 1.0)


def tanh(x):
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    return torch.tanh(x)


def softmax(x, axis=-1):
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    probabilities = torch.softmax(x, dim=axis)
    return keep_logits(probabilities, x, "softmax") if axis == -1 or axis == x.dim() - 1 else probabilities


# ----------------------------------------------------------------------------- the logits behind probabilities
#
# As in tf.keras 2, the cross-entropy losses compute from the logits when the
# probabilities come straight from ``sigmoid`` or ``softmax`` (``Dense(10,
# activation='softmax')`` and ``loss='categorical_crossentropy'``): the same loss,
# but exact where the probabilities round to 0 or 1, and cheaper. The activation
# leaves its input on its output tensor for them to find (not inside torch.compile,
# whose outputs are new tensors: jit_compile computes on the probabilities).


def keep_logits(probabilities, logits, kind):
    """``probabilities``, carrying the ``logits`` they were computed from by ``kind`` ('sigmoid' or 'softmax')."""
    if isinstance(probabilities, torch.Tensor) and not torch.compiler.is_compiling():
        probabilities._kfunc_logits = (kind, logits)
    return probabilities


def logits_behind(probabilities, kind):
    """The logits that ``probabilities`` came from by ``kind`` (see :func:`keep_logits`), or None."""
    found = getattr(probabilities, "_kfunc_logits", None)
    return found[1] if found is not None and found[0] == kind else None


def plain(activation):
    """The torch function that computes ``activation`` when it keeps no logits (for inner loops)."""
    return _PLAIN.get(activation, activation)


def log_softmax(x, axis=-1):
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    return torch.log_softmax(x, dim=axis)


def elu(x, alpha=1.0):
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    return F.elu(x, alpha)


def selu(x):
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    return F.selu(x)


def softplus(x):
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    return F.softplus(x)


def softsign(x):
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    return F.softsign(x)


def exponential(x):
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    return torch.exp(x)


def swish(x):
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    return F.silu(x)


def gelu(x, approximate=False):
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    return F.gelu(x, approximate="tanh" if approximate else "none")


def leaky_relu(x, negative_slope=0.2):
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    return F.leaky_relu(x, negative_slope)


def relu6(x):
    if isinstance(x, ARRAY_LIKE):
        x = as_float_tensor(x)
    return F.relu6(x)


_PLAIN = {sigmoid: torch.sigmoid}

_ACTIVATIONS = {
    "linear": linear,
    "relu": relu,
    "sigmoid": sigmoid,
    "hard_sigmoid": hard_sigmoid,
    "tanh": tanh,
    "softmax": softmax,
    "log_softmax": log_softmax,
    "elu": elu,
    "selu": selu,
    "softplus": softplus,
    "softsign": softsign,
    "exponential": exponential,
    "swish": swish,
    "silu": swish,
    "gelu": gelu,
    "leaky_relu": leaky_relu,
    "relu6": relu6,
}


def get(identifier):
    """The activation function named ``identifier`` (or ``identifier`` if callable).

    Raises:
        ValueError: for an unknown name, listing the valid ones.
    """
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, dict) and "class_name" in identifier:  # a layer used as activation, saved
        from kfunc.models.saving import deserialize_layer  # layers sit above this module

        return deserialize_layer(identifier)
    if isinstance(identifier, str) and identifier in _ACTIVATIONS:
        return _ACTIVATIONS[identifier]
    raise unknown_name_error("activation", identifier, _ACTIVATIONS)


def serialize(fn):
    """The Keras name of an activation function (for ``get_config``); a layer (``LeakyReLU(0.2)``) as its config."""
    if hasattr(fn, "get_config") and hasattr(fn, "_inbound_nodes"):
        return {"class_name": type(fn).__name__, "config": fn.get_config()}
    for name, known in _ACTIVATIONS.items():
        if known is fn:
            return "swish" if name == "silu" else name
    return getattr(fn, "__name__", repr(fn))
