"""Metrics: numbers that judge a model, reported by ``fit`` and ``evaluate``.

A metric is a *running* value: during an epoch it accumulates, batch after batch,
and its ``result()`` is the value over everything seen since the last
``reset_state()``. Accuracy over an epoch is the fraction of all the epoch's samples
that were right, not the mean of the batches' accuracies.

As in Keras, each metric exists as a function returning one value per sample
(``binary_accuracy(y_true, y_pred)``) and as a class keeping the running state
(``BinaryAccuracy()``). ``compile(metrics=[...])`` takes either, or a name: any
loss name, ``'mae'``, ``'mse'``, a class name (``'AUC'``), and
``'accuracy'``/``'acc'``, which ``compile`` turns into binary, categorical or sparse
categorical accuracy from the loss and the output's shape.

The modules, one kind of metric each:

* :mod:`.functions`: the per-sample functions (and the losses, as metrics);
* :mod:`.base`: ``Metric``, ``Mean``, ``Sum``, ``MeanMetricWrapper``;
* :mod:`.wrappers`: the running means of the functions (``BinaryAccuracy``, ``Hinge``...);
* :mod:`.confusion`: thresholded counts (``TruePositives``...), ``Precision``, ``Recall``;
* :mod:`.auc` and :mod:`.operating_points`: what the counts at many thresholds give;
* :mod:`.iou`, :mod:`.fbeta`, :mod:`.regression`: IoU, F-scores, RMSE and R².

Example:
    >>> m = CategoricalAccuracy()
    >>> m.update_state([[0, 1], [1, 0]], [[0.2, 0.8], [0.3, 0.7]])
    >>> float(m.result())
    0.5
"""

from kfunc.metrics import functions as _functions
from kfunc.metrics.auc import AUC
from kfunc.metrics.base import Mean, MeanMetricWrapper, Metric, Sum
from kfunc.metrics.confusion import (
    FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives, _ConfusionCounts,
)
from kfunc.metrics.fbeta import F1Score, FBetaScore
from kfunc.metrics.functions import (
    KLD, MAE, MAPE, MSE, MSLE, binary_accuracy, binary_crossentropy, categorical_accuracy,
    categorical_crossentropy, categorical_hinge, cosine_proximity, hinge, kl_divergence, kld,
    kullback_leibler_divergence, log_cosh, logcosh, mae, mape, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, mse, msle, poisson,
    sparse_categorical_accuracy, sparse_categorical_crossentropy, sparse_top_k_categorical_accuracy,
    squared_hinge, top_k_categorical_accuracy,
)
from kfunc.metrics.iou import IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from kfunc.metrics.lookup import _CLASS_SHORT_NAMES, _CLASSES, _FUNCTIONS, get, serialize
from kfunc.metrics.operating_points import (
    PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity,
)
from kfunc.metrics.regression import R2Score, RootMeanSquaredError
from kfunc.metrics.wrappers import (
    Accuracy, BinaryAccuracy, BinaryCrossentropy, CategoricalAccuracy, CategoricalCrossentropy, CategoricalHinge,
    CosineSimilarity, Hinge, KLDivergence, LogCoshError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredError, MeanSquaredLogarithmicError, Poisson, SparseCategoricalAccuracy,
    SparseCategoricalCrossentropy, SparseTopKCategoricalAccuracy, SquaredHinge, TopKCategoricalAccuracy,
)

# The per-sample functions and the classes are kfunc.metrics's (as kfunc.ops does for
# its own): their reprs, pickles and the first-batch checks of ``fit`` name this package.
for _name in ("binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
              "sparse_top_k_categorical_accuracy", "cosine_proximity"):
    getattr(_functions, _name).__module__ = __name__
for _cls in _CLASSES.values():
    _cls.__module__ = __name__
del _name, _cls
