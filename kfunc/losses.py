"""Loss functions with Keras's names, formulas and defaults, on torch tensors.

Every loss exists twice, as Keras offers it:

* a function ``loss(y_true, y_pred)`` returning one value per sample (the last axis
  is reduced: ``mean_squared_error`` of predictions of shape ``(batch, 3)`` has
  shape ``(batch,)``);
* a class, ``MeanSquaredError()``, whose instances reduce those values to one
  number: the mean over the batch of ``sample_weight * loss``.

``compile(loss=...)`` takes a name (``'mse'``, ``'binary_crossentropy'``), a
function, or an instance. Cross-entropies on probabilities clip the predictions to
``[epsilon, 1 - epsilon]`` first, as Keras does (Keras's fuzz factor,
``kfunc.config.epsilon()``, 1e-7 unless set), so a probability of exactly 0 or 1
gives a large but finite loss; a NaN prediction gives a NaN loss rather than an error.

Example:
    >>> y_true = torch.tensor([[0., 1.], [1., 0.]])
    >>> y_pred = torch.tensor([[0.1, 0.9], [0.8, 0.2]])
    >>> categorical_crossentropy(y_true, y_pred)
    tensor([0.1054, 0.2231])
"""

import math

import torch
import torch.nn.functional as F

from kfunc._errors import resolve_named
from kfunc.config import epsilon
from kfunc.engine.naming import to_snake_case
from kfunc.array_like import as_tensors, taking_arrays
from kfunc.ops.crossentropy import from_logits_if_known
from kfunc.ops.symbolic import records_symbolic_calls

# ----------------------------------------------------------------------------- functions


def loss_function(function):
    """A per-sample loss: on symbolic tensors a node of the graph (the Keras 2 VAE adds
    such a loss), on numpy arrays and lists a tensor, as in Keras."""
    return records_symbolic_calls(taking_arrays(function))


@loss_function
def mean_squared_error(y_true, y_pred):
    return torch.mean(torch.square(y_pred - y_true), dim=-1)


@loss_function
def mean_absolute_error(y_true, y_pred):
    return torch.mean(torch.abs(y_pred - y_true), dim=-1)


@loss_function
def mean_absolute_percentage_error(y_true, y_pred):
    diff = torch.abs((y_true - y_pred) / torch.clamp(torch.abs(y_true), min=epsilon()))
    return 100.0 * torch.mean(diff, dim=-1)


@loss_function
def mean_squared_logarithmic_error(y_true, y_pred):
    first = torch.log(torch.clamp(y_pred, min=epsilon()) + 1.0)
    second = torch.log(torch.clamp(y_true, min=epsilon()) + 1.0)
    return torch.mean(torch.square(first - second), dim=-1)


@loss_function
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """Cross-entropy of 0/1 targets and probabilities (or logits), averaged over the last axis."""
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    y_pred, from_logits = from_logits_if_known(y_pred, from_logits, "sigmoid", "binary_crossentropy")
    if from_logits:
        return torch.mean(F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none"), dim=-1)
    # Composed by hand rather than with F.binary_cross_entropy, which raises on NaN.
    p = torch.clamp(y_pred, epsilon(), 1.0 - epsilon())
    return -torch.mean(y_true * torch.log(p) + (1.0 - y_true) * torch.log(1.0 - p), dim=-1)


@loss_function
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy of one-hot targets and class probabilities (or logits)."""
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[axis]
    if axis == -1 or axis == y_pred.dim() - 1:
        y_pred, from_logits = from_logits_if_known(y_pred, from_logits, "softmax", "categorical_crossentropy")
    if from_logits:
        if y_pred.dim() == 2:  # (one fused operation)
            return F.cross_entropy(y_pred, y_true, reduction="none")
        return -torch.sum(y_true * torch.log_softmax(y_pred, dim=axis), dim=axis)
    # Keras rescales the probabilities to sum to 1, then clips them away from 0 and 1.
    p = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
    p = torch.clamp(p, epsilon(), 1.0 - epsilon())
    return -torch.sum(y_true * torch.log(p), dim=axis)


@loss_function
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """Cross-entropy of integer class labels and class probabilities (or logits)."""
    labels = y_true.long()
    if labels.dim() == y_pred.dim():  # labels of shape (batch, 1)
        labels = labels.squeeze(axis)
    if axis == -1 or axis == y_pred.dim() - 1:
        y_pred, from_logits = from_logits_if_known(y_pred, from_logits, "softmax", "sparse_categorical_crossentropy")
    if from_logits and y_pred.dim() == 2:  # (one fused operation)
        return F.cross_entropy(y_pred, labels, reduction="none")
    if from_logits:
        log_p = torch.log_softmax(y_pred, dim=axis)
    else:
        p = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
        log_p = torch.log(torch.clamp(p, epsilon(), 1.0 - epsilon()))
    return -torch.gather(log_p, axis, labels.unsqueeze(axis)).squeeze(axis)


def _plus_minus_one(y_true):
    """Hinge losses want labels -1 and 1; labels 0 and 1 are converted, as Keras does."""
    is_binary = torch.all((y_true == 0) | (y_true == 1))
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


@loss_function
def hinge(y_true, y_pred):
    y_true = _plus_minus_one(y_true)
    return torch.mean(torch.clamp(1.0 - y_true * y_pred, min=0.0), dim=-1)


@loss_function
def squared_hinge(y_true, y_pred):
    y_true = _plus_minus_one(y_true)
    return torch.mean(torch.square(torch.clamp(1.0 - y_true * y_pred, min=0.0)), dim=-1)


@loss_function
def categorical_hinge(y_true, y_pred):
    positive = torch.sum(y_true * y_pred, dim=-1)
    negative = torch.amax((1.0 - y_true) * y_pred, dim=-1)
    return torch.clamp(negative - positive + 1.0, min=0.0)


@loss_function
def huber(y_true, y_pred, delta=1.0):
    """Squared error for small errors, absolute error (times ``delta``) for large ones."""
    return torch.mean(F.huber_loss(y_pred, y_true, reduction="none", delta=delta), dim=-1)


@loss_function
def log_cosh(y_true, y_pred):
    x = y_pred - y_true
    return torch.mean(x + F.softplus(-2.0 * x) - math.log(2.0), dim=-1)


@loss_function
def kl_divergence(y_true, y_pred):
    y_true = torch.clamp(y_true, epsilon(), 1.0)
    y_pred = torch.clamp(y_pred, epsilon(), 1.0)
    return torch.sum(y_true * torch.log(y_true / y_pred), dim=-1)


@loss_function
def poisson(y_true, y_pred):
    return torch.mean(y_pred - y_true * torch.log(y_pred + epsilon()), dim=-1)


def _l2_normalize(x, axis):
    return x * torch.rsqrt(torch.clamp(torch.sum(torch.square(x), dim=axis, keepdim=True), min=1e-12))


@loss_function
def cosine_similarity(y_true, y_pred, axis=-1):
    """Minus the cosine of the angle between target and prediction (-1 is best)."""
    return -torch.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), dim=axis)


# Keras's short names and alternative spellings.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
huber_loss = huber


# ----------------------------------------------------------------------------- classes


class Loss:
    """Base class of the loss objects: ``loss(y_true, y_pred, sample_weight=None)``.

    Subclasses implement ``call(y_true, y_pred)``, returning one value per sample
    (or per sample and time step). The reduction then weights them and averages:

    Args:
        reduction: ``'sum_over_batch_size'`` (also ``'auto'``, the default): the
            mean of ``sample_weight * loss``, *not* divided by the sum of weights;
            ``'sum'``: their sum; ``'none'``: the weighted values themselves.
        name: the loss's name.
    """

    def __init__(self, reduction="auto", name=None):
        if reduction not in ("auto", "sum_over_batch_size", "sum", "none"):
            raise ValueError(
                f"Unknown reduction {reduction!r}: use 'sum_over_batch_size' (the default), "
                "'sum' or 'none'."
            )
        self.reduction = reduction
        self.name = name or to_snake_case(type(self).__name__)

    def __call__(self, y_true, y_pred, sample_weight=None):
        if not (isinstance(y_true, torch.Tensor) and isinstance(y_pred, torch.Tensor)):
            y_true, y_pred = as_tensors(y_true, y_pred)
        values = self.call(y_true, y_pred)
        return reduce_weighted(values, sample_weight, self.reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred).")

    def get_config(self):
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class LossFunctionWrapper(Loss):
    """A loss object made from a per-sample loss function and its keyword arguments."""

    def __init__(self, fn, reduction="auto", name=None, **kwargs):
        super().__init__(reduction=reduction, name=name or getattr(fn, "__name__", None))
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


def _wrapper_class(class_name, fn, doc, **defaults):
    """A Keras-style loss class around ``fn``, with keyword arguments ``defaults``."""

    def __init__(self, reduction="auto", name=None, **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(
                f"{class_name}() got an unknown argument {sorted(unknown)[0]!r}. "
                f"Its arguments are: {', '.join([*defaults, 'reduction', 'name'])}."
            )
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name or fn.__name__, **{**defaults, **kwargs})

    def get_config(self):
        return {"reduction": self.reduction, "name": self.name, **self._fn_kwargs}

    return type(class_name, (LossFunctionWrapper,), {"__init__": __init__, "get_config": get_config, "__doc__": doc})


MeanSquaredError = _wrapper_class("MeanSquaredError", mean_squared_error, "Mean of the squared errors.")
MeanAbsoluteError = _wrapper_class("MeanAbsoluteError", mean_absolute_error, "Mean of the absolute errors.")
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error, "Mean absolute error, in percent of the target."
)
MeanSquaredLogarithmicError = _wrapper_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error, "Mean squared error of log(1 + value)."
)
BinaryCrossentropy = _wrapper_class(
    "BinaryCrossentropy", binary_crossentropy, "Cross-entropy for 0/1 targets.", from_logits=False, label_smoothing=0.0
)
CategoricalCrossentropy = _wrapper_class(
    "CategoricalCrossentropy",
    categorical_crossentropy,
    "Cross-entropy for one-hot targets.",
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
)
SparseCategoricalCrossentropy = _wrapper_class(
    "SparseCategoricalCrossentropy",
    sparse_categorical_crossentropy,
    "Cross-entropy for integer class labels.",
    from_logits=False,
    axis=-1,
)
Hinge = _wrapper_class("Hinge", hinge, "Hinge loss for -1/1 (or 0/1) targets.")
SquaredHinge = _wrapper_class("SquaredHinge", squared_hinge, "Squared hinge loss for -1/1 (or 0/1) targets.")
CategoricalHinge = _wrapper_class("CategoricalHinge", categorical_hinge, "Hinge loss for one-hot targets.")
Huber = _wrapper_class("Huber", huber, "Squared error near zero, absolute error beyond `delta`.", delta=1.0)
LogCosh = _wrapper_class("LogCosh", log_cosh, "Logarithm of the hyperbolic cosine of the error.")
KLDivergence = _wrapper_class("KLDivergence", kl_divergence, "Kullback-Leibler divergence of two distributions.")
Poisson = _wrapper_class("Poisson", poisson, "Poisson loss: y_pred - y_true * log(y_pred).")
CosineSimilarity = _wrapper_class(
    "CosineSimilarity", cosine_similarity, "Minus the cosine similarity of target and prediction.", axis=-1
)


def reduce_weighted(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Weight per-sample loss values and reduce them as Keras does.

    ``sample_weight`` of shape ``(batch,)`` scales each sample's values (all its time
    steps, for values of shape ``(batch, steps)``); the default reduction is the mean
    of the weighted values over all of them, not divided by the sum of weights.
    """
    if sample_weight is not None:
        sample_weight = torch.as_tensor(sample_weight, dtype=values.dtype, device=values.device)
        values = values * broadcastable_weights(sample_weight, values)
    if reduction == "none":
        return values
    if reduction == "sum":
        return torch.sum(values)
    return torch.mean(values)


def broadcastable_weights(weight, values):
    """``weight`` with trailing axes of size 1 added (or dropped) to line up with ``values``."""
    while weight.dim() > values.dim() and weight.shape[-1] == 1:
        weight = weight.squeeze(-1)
    if weight.dim() < values.dim():
        weight = weight.reshape(weight.shape + (1,) * (values.dim() - weight.dim()))
    return weight


# ----------------------------------------------------------------------------- lookup

_LOSSES = {
    "mean_squared_error": mean_squared_error,
    "mse": mean_squared_error,
    "MSE": mean_squared_error,
    "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error,
    "MAE": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mape": mean_absolute_percentage_error,
    "MAPE": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
    "msle": mean_squared_logarithmic_error,
    "MSLE": mean_squared_logarithmic_error,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "hinge": hinge,
    "squared_hinge": squared_hinge,
    "categorical_hinge": categorical_hinge,
    "huber": huber,
    "huber_loss": huber,
    "log_cosh": log_cosh,
    "logcosh": log_cosh,
    "kl_divergence": kl_divergence,
    "kullback_leibler_divergence": kl_divergence,
    "kld": kl_divergence,
    "KLD": kl_divergence,
    "poisson": poisson,
    "cosine_similarity": cosine_similarity,
}
_CLASSES = {
    cls.__name__: cls
    for cls in (
        MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
        BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, Hinge, SquaredHinge,
        CategoricalHinge, Huber, LogCosh, KLDivergence, Poisson, CosineSimilarity,
    )
}


def get(identifier):
    """A loss from a Keras name, a class name, a config dict, a function or an object.

    Returns the function for a function name (``'mse'`` -> ``mean_squared_error``),
    a new instance for a class name (``'MeanSquaredError'``), and callables as given.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
    """
    if identifier is None:
        return None
    return resolve_named(identifier, "loss", Loss, _LOSSES, _CLASSES, valid=[k for k in _LOSSES if k.islower()])


def serialize(loss):
    """A name (for a built-in function) or a config dict (for a loss object)."""
    if isinstance(loss, Loss) and type(loss).__name__ in _CLASSES:
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    return getattr(loss, "__name__", None) or getattr(loss, "name", None) or repr(loss)


def per_sample_function(loss):
    """``(fn, kwargs)``: the per-sample function behind a loss (for built-in ones).

    Training calls ``fn(y_true, y_pred, **kwargs)`` directly, then weights and
    averages; for any other callable, ``fn`` is the callable itself.
    """
    if isinstance(loss, LossFunctionWrapper):
        return loss.fn, dict(loss._fn_kwargs)
    if isinstance(loss, Loss):
        return loss.call, {}
    return loss, {}
