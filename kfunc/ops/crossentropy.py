"""Cross-entropies, the building blocks of Keras's classification losses.

Each returns one value per sample (not averaged), and clips probabilities to
``[epsilon, 1 - epsilon]`` before taking logarithms, as Keras does, so that a
confident wrong prediction gives a large loss instead of ``inf``. With
``from_logits=True`` the output is read as logits, which is more accurate.
"""

import torch

from kfunc.ops.tensors import epsilon, to_tensor


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy (not averaged), ``output`` clipped as in Keras."""
    output = to_tensor(output)
    target = to_tensor(target, like=output).to(output.dtype)
    if from_logits:
        return torch.nn.functional.binary_cross_entropy_with_logits(output, target, reduction="none")
    output = torch.clamp(output, epsilon(), 1.0 - epsilon())
    return -(target * torch.log(output) + (1.0 - target) * torch.log(1.0 - output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy of one-hot ``target`` and probabilities ``output``, summed over ``axis``."""
    output = to_tensor(output)
    target = to_tensor(target, like=output).to(output.dtype)
    if from_logits:
        return -torch.sum(target * torch.log_softmax(output, dim=axis), dim=axis)
    output = output / torch.sum(output, dim=axis, keepdim=True)
    output = torch.clamp(output, epsilon(), 1.0 - epsilon())
    return -torch.sum(target * torch.log(output), dim=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy of integer class ids ``target`` and probabilities ``output``."""
    output = to_tensor(output)
    target = to_tensor(target).long()
    log_probs = torch.log_softmax(output, dim=axis) if from_logits else torch.log(
        torch.clamp(output / torch.sum(output, dim=axis, keepdim=True), epsilon(), 1.0 - epsilon())
    )
    log_probs = torch.movedim(log_probs, axis, -1)
    if target.ndim == log_probs.ndim:  # ids given with a trailing axis of size 1
        target = target.squeeze(-1)
    return -torch.gather(log_probs, -1, target.unsqueeze(-1)).squeeze(-1)
