"""Per-sample metric functions: one value per sample, as the losses give.

``binary_accuracy(y_true, y_pred)`` of predictions of shape ``(batch, 1)`` has shape
``(batch,)``; the metric classes (``BinaryAccuracy()``) keep a running mean of such
values over batches. The loss functions serve as metrics too (``metrics=['mae']``),
so they are re-exported here under the names Keras gives them as metrics.
"""

import torch

from kfunc import losses
from kfunc.array_like import taking_arrays


@taking_arrays
def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1 where the prediction is on the same side of ``threshold`` as the 0/1 target."""
    predicted = (y_pred > threshold).to(y_true.dtype)
    return torch.mean((predicted == y_true).to(y_pred.dtype), dim=-1)


@taking_arrays
def categorical_accuracy(y_true, y_pred):
    """1 where the most probable class is the target's one-hot class."""
    return (torch.argmax(y_true, dim=-1) == torch.argmax(y_pred, dim=-1)).to(y_pred.dtype)


@taking_arrays
def sparse_categorical_accuracy(y_true, y_pred):
    """1 where the most probable class is the integer target."""
    labels = y_true.squeeze(-1) if y_true.dim() == y_pred.dim() else y_true
    return (labels.long() == torch.argmax(y_pred, dim=-1)).to(y_pred.dtype)


@taking_arrays
def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the target's one-hot class is among the ``k`` most probable."""
    top = torch.topk(y_pred, min(k, y_pred.shape[-1]), dim=-1).indices
    return (top == torch.argmax(y_true, dim=-1, keepdim=True)).any(dim=-1).to(y_pred.dtype)


@taking_arrays
def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the integer target is among the ``k`` most probable classes."""
    labels = y_true.squeeze(-1) if y_true.dim() == y_pred.dim() else y_true
    top = torch.topk(y_pred, min(k, y_pred.shape[-1]), dim=-1).indices
    return (top == labels.long().unsqueeze(-1)).any(dim=-1).to(y_pred.dtype)


@taking_arrays
def cosine_proximity(y_true, y_pred, axis=-1):
    """The cosine of the angle between target and prediction (1 is best)."""
    return -losses.cosine_similarity(y_true, y_pred, axis)


# Loss functions serve as metrics too (``metrics=['mae']``).
from kfunc.losses import (  # noqa: E402, F401 (with Keras's short names)
    KLD, MAE, MAPE, MSE, MSLE, binary_crossentropy, categorical_crossentropy, categorical_hinge, hinge,
    kl_divergence, kld, kullback_leibler_divergence, log_cosh, logcosh, mae, mape, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, mse, msle, poisson,
    sparse_categorical_crossentropy, squared_hinge,
)
