"""Metric classes that are the running mean of a per-sample function.

``BinaryAccuracy()`` is the running mean of :func:`binary_accuracy`,
``MeanSquaredError()`` that of the loss function ``mean_squared_error``; each takes
the function's keyword arguments (``BinaryAccuracy(threshold=0.7)``) and ``name``
and ``dtype``, with Keras's defaults.
"""

import torch

from kfunc.metrics import functions as f
from kfunc.metrics.base import Mean, MeanMetricWrapper, Metric


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

    return type(class_name, (MeanMetricWrapper,), {
        "__init__": __init__, "__doc__": doc, "__module__": "kfunc.metrics",
    })


BinaryAccuracy = _wrapper_class(
    "BinaryAccuracy", f.binary_accuracy, "binary_accuracy", "Fraction of 0/1 targets predicted right.", threshold=0.5
)
CategoricalAccuracy = _wrapper_class(
    "CategoricalAccuracy", f.categorical_accuracy, "categorical_accuracy",
    "Fraction of one-hot targets predicted right.",
)
SparseCategoricalAccuracy = _wrapper_class(
    "SparseCategoricalAccuracy", f.sparse_categorical_accuracy, "sparse_categorical_accuracy",
    "Fraction of integer class targets predicted right.",
)
TopKCategoricalAccuracy = _wrapper_class(
    "TopKCategoricalAccuracy", f.top_k_categorical_accuracy, "top_k_categorical_accuracy",
    "Fraction of one-hot targets among the k most probable classes.", k=5,
)
SparseTopKCategoricalAccuracy = _wrapper_class(
    "SparseTopKCategoricalAccuracy", f.sparse_top_k_categorical_accuracy, "sparse_top_k_categorical_accuracy",
    "Fraction of integer targets among the k most probable classes.", k=5,
)
MeanSquaredError = _wrapper_class(
    "MeanSquaredError", f.mean_squared_error, "mean_squared_error", "Mean squared error."
)
MeanAbsoluteError = _wrapper_class(
    "MeanAbsoluteError", f.mean_absolute_error, "mean_absolute_error", "Mean absolute error."
)
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", f.mean_absolute_percentage_error, "mean_absolute_percentage_error",
    "Mean absolute error in percent of the target.",
)
MeanSquaredLogarithmicError = _wrapper_class(
    "MeanSquaredLogarithmicError", f.mean_squared_logarithmic_error, "mean_squared_logarithmic_error",
    "Mean squared error of log(1 + value).",
)
LogCoshError = _wrapper_class(
    "LogCoshError", f.log_cosh, "logcosh", "Mean logarithm of the hyperbolic cosine of the error."
)
BinaryCrossentropy = _wrapper_class(
    "BinaryCrossentropy", f.binary_crossentropy, "binary_crossentropy", "Mean binary cross-entropy.",
    from_logits=False, label_smoothing=0.0,
)
CategoricalCrossentropy = _wrapper_class(
    "CategoricalCrossentropy", f.categorical_crossentropy, "categorical_crossentropy",
    "Mean categorical cross-entropy.", from_logits=False, label_smoothing=0.0,
)
SparseCategoricalCrossentropy = _wrapper_class(
    "SparseCategoricalCrossentropy", f.sparse_categorical_crossentropy, "sparse_categorical_crossentropy",
    "Mean sparse categorical cross-entropy.", from_logits=False,
)
Hinge = _wrapper_class("Hinge", f.hinge, "hinge", "Mean hinge loss of -1/1 (or 0/1) targets.")
SquaredHinge = _wrapper_class(
    "SquaredHinge", f.squared_hinge, "squared_hinge", "Mean squared hinge loss of -1/1 (or 0/1) targets."
)
CategoricalHinge = _wrapper_class(
    "CategoricalHinge", f.categorical_hinge, "categorical_hinge", "Mean hinge loss of one-hot targets."
)
KLDivergence = _wrapper_class(
    "KLDivergence", f.kl_divergence, "kullback_leibler_divergence",
    "Mean Kullback-Leibler divergence of target and predicted distributions.",
)
Poisson = _wrapper_class("Poisson", f.poisson, "poisson", "Mean Poisson loss: y_pred - y_true * log(y_pred).")
CosineSimilarity = _wrapper_class(
    "CosineSimilarity", f.cosine_proximity, "cosine_similarity", "Mean cosine similarity (1 is best).", axis=-1
)


class Accuracy(Metric):
    """Fraction of predictions exactly equal to the targets."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(name, dtype)
        self._mean = Mean(name)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = self._floats(y_true, y_pred)
        with torch.no_grad():
            self._mean.update_state((y_true == y_pred).to(self._torch_dtype), sample_weight)

    def result(self):
        return self._mean.result()

    def reset_state(self):
        self._mean.reset_state()
