"""Metrics by name: ``compile(metrics=['mae', 'AUC', 'RootMeanSquaredError'])``.

A name is looked up among the per-sample functions (``'binary_accuracy'``, any
loss name), then the metric classes (``'Precision'``, as tf.keras takes them), then
the names classes report under by default (``'auc'``, ``'root_mean_squared_error'``,
as Keras 3 takes them), for the classes that need no arguments.
"""

import inspect

from kfunc import losses
from kfunc._errors import resolve_named
from kfunc.metrics import auc, base, confusion, fbeta, functions, iou, operating_points, regression, wrappers

_FUNCTIONS = {
    "binary_accuracy": functions.binary_accuracy,
    "categorical_accuracy": functions.categorical_accuracy,
    "sparse_categorical_accuracy": functions.sparse_categorical_accuracy,
    "top_k_categorical_accuracy": functions.top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": functions.sparse_top_k_categorical_accuracy,
    "cosine_proximity": functions.cosine_proximity,
    **losses._LOSSES,
    "cosine_similarity": functions.cosine_proximity,  # as a metric, 1 is best
}
_CLASSES = {
    cls.__name__: cls
    for module in (base, wrappers, confusion, auc, operating_points, iou, fbeta, regression)
    for cls in vars(module).values()
    if isinstance(cls, type) and issubclass(cls, base.Metric) and not cls.__name__.startswith("_")
    and cls is not base.Metric and cls is not base.MeanMetricWrapper
}


def _needs_no_arguments(cls):
    return all(p.default is not p.empty or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
               for p in list(inspect.signature(cls.__init__).parameters.values())[1:])


# ('accuracy' is left to compile, which picks the accuracy that fits the loss)
_CLASS_SHORT_NAMES = {
    cls().name: cls for cls in _CLASSES.values()
    if _needs_no_arguments(cls) and cls().name not in _FUNCTIONS and cls().name != "accuracy"
}


def get(identifier):
    """A metric from a name, a class name, a config dict, a function or a Metric.

    ``'accuracy'`` and ``'acc'`` are not resolved here: which accuracy they mean depends
    on the loss and the output, so ``compile`` resolves them.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
    """
    valid = [k for k in _FUNCTIONS if k.islower()] + list(_CLASS_SHORT_NAMES) + ["accuracy", "acc"]
    return resolve_named(identifier, "metric", base.Metric, _FUNCTIONS, _CLASSES, _CLASS_SHORT_NAMES, valid)


def serialize(metric):
    """A config dict for a built-in metric object, else the function's or object's name."""
    if isinstance(metric, base.Metric) and type(metric).__name__ in _CLASSES:
        return {"class_name": type(metric).__name__, "config": metric.get_config()}
    return getattr(metric, "__name__", None) or getattr(metric, "name", None) or repr(metric)
