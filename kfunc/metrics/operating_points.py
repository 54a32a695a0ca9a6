"""The best value of one rate where another reaches a target: operating points of a classifier.

Moving the decision threshold trades one rate for another (recall for precision,
sensitivity for specificity). ``PrecisionAtRecall(0.8)`` answers: of the thresholds
at which recall is at least 0.8, what is the best precision? The counts are kept at
``num_thresholds`` evenly spaced thresholds (see :mod:`kfunc.metrics.confusion`), so
the answer is as fine as that grid; 0 when no threshold meets the target.
"""

import torch

from kfunc.metrics.confusion import _ConfusionCounts, divide_no_nan, evenly_spaced_thresholds


def _rates(metric):
    """Each rate, one value per threshold, by name."""
    tp, fp, fn, tn = metric.tp, metric.fp, metric.fn, metric.tn
    return {
        "precision": divide_no_nan(tp, tp + fp),
        "recall": divide_no_nan(tp, tp + fn),
        "sensitivity": divide_no_nan(tp, tp + fn),
        "specificity": divide_no_nan(tn, tn + fp),
    }


class _OperatingPoint(_ConfusionCounts):
    """The largest ``_reported`` rate over the thresholds where ``_constrained`` >= ``value``."""

    _constrained = _reported = None

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        what = f"{type(self).__name__}({self._constrained}={value!r})"
        if not 0 <= value <= 1:
            raise ValueError(f"{what}: the {self._constrained} to reach must be between 0 and 1.")
        if num_thresholds <= 0:
            raise ValueError(f"{what}: num_thresholds must be positive; got {num_thresholds!r}.")
        values = [0.5] if num_thresholds == 1 else evenly_spaced_thresholds(num_thresholds)
        super().__init__(class_id=class_id, name=name, dtype=dtype, _values=values)
        self.value, self.num_thresholds = value, num_thresholds

    def result(self):
        if self.tp is None:
            return torch.tensor(0.0)
        rates = _rates(self)
        feasible = rates[self._constrained] >= self.value
        # rates are never negative, so 0 where no threshold is feasible
        return torch.where(feasible, rates[self._reported], torch.zeros_like(rates[self._reported])).max()

    def get_config(self):
        return {
            "name": self.name, "dtype": self.dtype, "num_thresholds": self.num_thresholds,
            "class_id": self.class_id, self._constrained: self.value,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls(config.pop(cls._constrained), **config)


class PrecisionAtRecall(_OperatingPoint):
    """The best precision at a recall of at least ``recall``."""

    _constrained, _reported = "recall", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(_OperatingPoint):
    """The best recall at a precision of at least ``precision``."""

    _constrained, _reported = "precision", "recall"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)


class SensitivityAtSpecificity(_OperatingPoint):
    """The best sensitivity (recall) at a specificity of at least ``specificity``."""

    _constrained, _reported = "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(_OperatingPoint):
    """The best specificity at a sensitivity (recall) of at least ``sensitivity``."""

    _constrained, _reported = "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)
