"""Metrics: numbers that judge a model, reported by ``fit`` and ``evaluate``.

A metric is a *running* value: during an epoch it accumulates, batch after batch,
and its ``result()`` is the value over everything seen since the last
``reset_state()``. Accuracy over an epoch is the fraction of all the epoch's samples
that were right, not the mean of the batches' accuracies.

As in Keras, each metric exists as a function returning one value per sample
(``binary_accuracy(y_true, y_pred)``) and as a class keeping the running state
(``BinaryAccuracy()``). ``compile(metrics=[...])`` takes either, or a name: any
loss name, ``'mae'``, ``'mse'``, and ``'accuracy'``/``'acc'``, which ``compile``
turns into binary, categorical or sparse categorical accuracy from the loss and the
output's shape.

State lives in torch tensors on the model's device, so accumulating a batch costs a
few tensor operations and never waits for the device; ``result()`` is read once per
epoch or when a progress bar prints.

Example:
    >>> m = CategoricalAccuracy()
    >>> m.update_state(torch.tensor([[0., 1.], [1., 0.]]), torch.tensor([[0.2, 0.8], [0.3, 0.7]]))
    >>> float(m.result())
    0.5
"""

import torch

from kfunc import losses
from kfunc.losses import as_tensors, taking_arrays
from kfunc._errors import resolve_named
from kfunc.engine.naming import to_snake_case

# ----------------------------------------------------------------------------- functions


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
from kfunc.losses import (  # noqa: E402, F401
    binary_crossentropy, categorical_crossentropy, categorical_hinge, hinge, kl_divergence,
    log_cosh, mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy, squared_hinge,
)

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


# ----------------------------------------------------------------------------- classes


class Metric:
    """Base class: a value that accumulates over batches.

    Subclasses implement ``update_state(y_true, y_pred, sample_weight=None)``,
    ``result()`` and ``reset_state()``. Calling a metric updates it and returns the
    running result.

    Args:
        name: the name under which ``fit`` reports it.
        dtype: the dtype of the state (``'float32'``).
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or to_snake_case(type(self).__name__)
        self.dtype = dtype or "float32"

    def __call__(self, y_true, y_pred, sample_weight=None):
        self.update_state(y_true, y_pred, sample_weight=sample_weight)
        return self.result()

    def update_state(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        raise NotImplementedError

    def reset_states(self):
        """The Keras 2 spelling of :meth:`reset_state`."""
        self.reset_state()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


class Mean(Metric):
    """The (weighted) mean of the values it is given: ``update_state(values, sample_weight)``."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name, dtype)
        self.reset_state()

    def reset_state(self):
        self.total = None  # a tensor once the first values arrive
        self.count = 0  # a number, or a tensor when sample weights are used

    def update_state(self, values, sample_weight=None):
        if not isinstance(values, torch.Tensor) or values.requires_grad:
            values = torch.as_tensor(values).detach()
        if sample_weight is None:
            total, count = torch.sum(values, dtype=torch.float32), values.numel()
        else:
            weight = losses.broadcastable_weights(
                torch.as_tensor(sample_weight, dtype=torch.float32, device=values.device), values
            ).expand_as(values)
            total, count = torch.sum(values * weight, dtype=torch.float32), torch.sum(weight)
        self.total = total if self.total is None else self.total.add_(total)
        self.count = self.count + count

    def result(self):
        if self.total is None:
            return torch.tensor(0.0)
        return self.total / self.count


class MeanMetricWrapper(Mean):
    """The running mean of a per-sample function ``fn(y_true, y_pred, **kwargs)``.

    Args:
        fn: the function, e.g. :func:`binary_accuracy`.
        name: the metric's name (``fn``'s by default).
        kwargs: passed to ``fn`` (``threshold=0.7``).
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or fn.__name__, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        if torch.is_grad_enabled():
            with torch.no_grad():
                return self.update_state(y_true, y_pred, sample_weight)
        if not (isinstance(y_true, torch.Tensor) and isinstance(y_pred, torch.Tensor)):
            y_true, y_pred = as_tensors(y_true, y_pred)
        super().update_state(self.fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


def _wrapper_class(class_name, fn, default_name, doc, **defaults):
    """A Keras-style metric class: the running mean of ``fn`` with arguments ``defaults``."""

    def __init__(self, name=default_name, dtype=None, **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(
                f"{class_name}() got an unknown argument {sorted(unknown)[0]!r}. "
                f"Its arguments are: {', '.join([*defaults, 'name', 'dtype'])}."
            )
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **{**defaults, **kwargs})

    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc})


BinaryAccuracy = _wrapper_class(
    "BinaryAccuracy", binary_accuracy, "binary_accuracy", "Fraction of 0/1 targets predicted right.", threshold=0.5
)
CategoricalAccuracy = _wrapper_class(
    "CategoricalAccuracy", categorical_accuracy, "categorical_accuracy", "Fraction of one-hot targets predicted right."
)
SparseCategoricalAccuracy = _wrapper_class(
    "SparseCategoricalAccuracy",
    sparse_categorical_accuracy,
    "sparse_categorical_accuracy",
    "Fraction of integer class targets predicted right.",
)
TopKCategoricalAccuracy = _wrapper_class(
    "TopKCategoricalAccuracy", top_k_categorical_accuracy, "top_k_categorical_accuracy",
    "Fraction of one-hot targets among the k most probable classes.", k=5,
)
SparseTopKCategoricalAccuracy = _wrapper_class(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy, "sparse_top_k_categorical_accuracy",
    "Fraction of integer targets among the k most probable classes.", k=5,
)
MeanSquaredError = _wrapper_class("MeanSquaredError", mean_squared_error, "mean_squared_error", "Mean squared error.")
MeanAbsoluteError = _wrapper_class(
    "MeanAbsoluteError", mean_absolute_error, "mean_absolute_error", "Mean absolute error."
)
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error, "mean_absolute_percentage_error",
    "Mean absolute error in percent of the target.",
)
BinaryCrossentropy = _wrapper_class(
    "BinaryCrossentropy", binary_crossentropy, "binary_crossentropy", "Mean binary cross-entropy.",
    from_logits=False, label_smoothing=0.0,
)
CategoricalCrossentropy = _wrapper_class(
    "CategoricalCrossentropy", categorical_crossentropy, "categorical_crossentropy",
    "Mean categorical cross-entropy.", from_logits=False, label_smoothing=0.0,
)
SparseCategoricalCrossentropy = _wrapper_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy, "sparse_categorical_crossentropy",
    "Mean sparse categorical cross-entropy.", from_logits=False,
)
CosineSimilarity = _wrapper_class(
    "CosineSimilarity", cosine_proximity, "cosine_similarity", "Mean cosine similarity (1 is best).", axis=-1
)


class Accuracy(Metric):
    """Fraction of predictions exactly equal to the targets."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(name, dtype)
        self._mean = Mean(name)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = as_tensors(y_true, y_pred)
        with torch.no_grad():
            self._mean.update_state((y_true == y_pred).float(), sample_weight)

    def result(self):
        return self._mean.result()

    def reset_state(self):
        self._mean.reset_state()


class _ConfusionCounts(Metric):
    """Counts of true/false positives/negatives at one or more thresholds (0/1 targets)."""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name, dtype)
        self.thresholds = thresholds
        values = [0.5] if thresholds is None else list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
        self._thresholds = torch.tensor(values, dtype=torch.float32)
        self.reset_state()

    def reset_state(self):
        self.tp = self.fp = self.fn = self.tn = None

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = as_tensors(y_true, y_pred)
        with torch.no_grad():
            thresholds = self._thresholds.to(y_pred.device)
            truth = (y_true.reshape(-1, 1) > 0.5).float()
            predicted = (y_pred.reshape(-1, 1).float() > thresholds).float()  # (n, thresholds)
            weight = torch.ones_like(truth)
            if sample_weight is not None:
                w = torch.as_tensor(sample_weight, dtype=torch.float32, device=y_pred.device)
                per_sample = y_true.numel() // max(1, w.numel())
                weight = w.reshape(-1, 1).repeat_interleave(per_sample, dim=0)
            counts = [
                torch.sum(weight * truth * predicted, 0),
                torch.sum(weight * (1 - truth) * predicted, 0),
                torch.sum(weight * truth * (1 - predicted), 0),
                torch.sum(weight * (1 - truth) * (1 - predicted), 0),
            ]
            if self.tp is None:
                self.tp, self.fp, self.fn, self.tn = counts
            else:
                for state, new in zip((self.tp, self.fp, self.fn, self.tn), counts):
                    state.add_(new)

    def _value(self, numerator, denominator):
        if numerator is None:
            return torch.tensor(0.0)
        value = torch.where(denominator > 0, numerator / denominator.clamp(min=1e-12), torch.zeros_like(numerator))
        return value[0] if value.numel() == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.thresholds}


class Precision(_ConfusionCounts):
    """Of the samples predicted positive (above the threshold, 0.5), the fraction that are."""

    def result(self):
        return self._value(self.tp, None if self.tp is None else self.tp + self.fp)


class Recall(_ConfusionCounts):
    """Of the positive samples, the fraction predicted positive (above the threshold, 0.5)."""

    def result(self):
        return self._value(self.tp, None if self.tp is None else self.tp + self.fn)


class AUC(_ConfusionCounts):
    """Area under the ROC (or precision-recall) curve, from counts at evenly spaced thresholds.

    Args:
        num_thresholds: how many thresholds between 0 and 1 (200, as Keras).
        curve: ``'ROC'`` or ``'PR'``.
    """

    def __init__(self, num_thresholds=200, curve="ROC", name="auc", dtype=None):
        if curve not in ("ROC", "PR"):
            raise ValueError(f"AUC(curve={curve!r}): use 'ROC' or 'PR'.")
        eps = 1e-7
        inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        super().__init__([-eps] + inner + [1 + eps], name=name, dtype=dtype)
        self.num_thresholds, self.curve = num_thresholds, curve

    def result(self):
        if self.tp is None:
            return torch.tensor(0.0)
        recall = self.tp / (self.tp + self.fn).clamp(min=1e-12)
        if self.curve == "ROC":
            x = self.fp / (self.fp + self.tn).clamp(min=1e-12)
            y = recall
        else:
            x = recall
            y = torch.where(self.tp + self.fp > 0, self.tp / (self.tp + self.fp).clamp(min=1e-12), torch.ones_like(recall))
        # thresholds increase, so x decreases: the trapezoids' widths are x[i] - x[i + 1]
        return torch.sum((x[:-1] - x[1:]) * (y[:-1] + y[1:]) / 2)

    def get_config(self):
        return {"num_thresholds": self.num_thresholds, "curve": self.curve, "name": self.name, "dtype": self.dtype}


# ----------------------------------------------------------------------------- lookup

_FUNCTIONS = {
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "cosine_proximity": cosine_proximity,
    **losses._LOSSES,
    "cosine_similarity": cosine_proximity,  # as a metric, 1 is best
}
_CLASSES = {
    cls.__name__: cls
    for cls in (
        Mean, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
        SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
        BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, CosineSimilarity,
        Precision, Recall, AUC,
    )
}
_CLASS_SHORT_NAMES = {"auc": AUC, "precision": Precision, "recall": Recall}


def get(identifier):
    """A metric from a name, a class name, a config dict, a function or a Metric.

    ``'accuracy'`` and ``'acc'`` are not resolved here: which accuracy they mean depends
    on the loss and the output, so ``compile`` resolves them.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
    """
    valid = [k for k in _FUNCTIONS if k.islower()] + list(_CLASS_SHORT_NAMES) + ["accuracy", "acc"]
    return resolve_named(identifier, "metric", Metric, _FUNCTIONS, _CLASSES, _CLASS_SHORT_NAMES, valid)


def serialize(metric):
    if isinstance(metric, Metric) and type(metric).__name__ in _CLASSES:
        return {"class_name": type(metric).__name__, "config": metric.get_config()}
    return getattr(metric, "__name__", None) or getattr(metric, "name", None) or repr(metric)
