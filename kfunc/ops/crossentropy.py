"""Cross-entropies, the building blocks of Keras's classification losses.

Each returns one value per sample (not averaged), and clips probabilities to
``[epsilon, 1 - epsilon]`` before taking logarithms, as Keras does, so that a
confident wrong prediction gives a large loss instead of ``inf``. With
``from_logits=True`` the output is read as logits, which is more accurate.

Probabilities that come straight from ``sigmoid`` or ``softmax`` carry the logits
they were computed from (:func:`kfunc.activations.keep_logits`); the
cross-entropies then compute from those, as tf.keras 2 does: the same value, but
exact where the probabilities round to 0 or 1.
"""

import warnings

import torch

from kfunc import activations
from kfunc.ops.tensors import epsilon, to_tensor


def from_logits_if_known(output, from_logits, kind, loss_name):
    """``(output, from_logits)`` to compute with: the logits behind ``output`` when it came
    straight from the activation ``kind`` ('sigmoid' or 'softmax'), else as given."""
    logits = activations.logits_behind(output, kind)
    if logits is None:
        return output, from_logits
    if from_logits:
        _warn_once(loss_name, kind)
    return logits, True


_warned = set()


def _warn_once(loss_name, kind):
    if (loss_name, kind) in _warned:
        return
    _warned.add((loss_name, kind))
    warnings.warn(
        f"{loss_name} got from_logits=True, but its predictions come from a {kind} activation: they "
        f"are probabilities, not logits. kfunc computes the loss from the values before the {kind}, "
        f"as tf.keras does. Drop from_logits=True, or give the layer no activation, to silence this.",
        stacklevel=4,
    )


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy (not averaged), ``output`` clipped as in Keras."""
    output, from_logits = from_logits_if_known(to_tensor(output), from_logits, "sigmoid", "binary_crossentropy")
    target = to_tensor(target, like=output).to(output.dtype)
    if from_logits:
        return torch.nn.functional.binary_cross_entropy_with_logits(output, target, reduction="none")
    output = torch.clamp(output, epsilon(), 1.0 - epsilon())
    return -(target * torch.log(output) + (1.0 - target) * torch.log(1.0 - output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy of one-hot ``target`` and probabilities ``output``, summed over ``axis``."""
    output = to_tensor(output)
    if axis == -1 or axis == output.dim() - 1:
        output, from_logits = from_logits_if_known(output, from_logits, "softmax", "categorical_crossentropy")
    target = to_tensor(target, like=output).to(output.dtype)
    if from_logits:
        return -torch.sum(target * torch.log_softmax(output, dim=axis), dim=axis)
    output = output / torch.sum(output, dim=axis, keepdim=True)
    output = torch.clamp(output, epsilon(), 1.0 - epsilon())
    return -torch.sum(target * torch.log(output), dim=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy of integer class ids ``target`` and probabilities ``output``."""
    output = to_tensor(output)
    if axis == -1 or axis == output.dim() - 1:
        output, from_logits = from_logits_if_known(output, from_logits, "softmax", "sparse_categorical_crossentropy")
    target = to_tensor(target).long()
    log_probs = torch.log_softmax(output, dim=axis) if from_logits else torch.log(
        torch.clamp(output / torch.sum(output, dim=axis, keepdim=True), epsilon(), 1.0 - epsilon())
    )
    log_probs = torch.movedim(log_probs, axis, -1)
    if target.ndim == log_probs.ndim:  # ids given with a trailing axis of size 1
        target = target.squeeze(-1)
    return -torch.gather(log_probs, -1, target.unsqueeze(-1)).squeeze(-1)
