"""F-scores: the weighted harmonic mean of precision and recall, per class.

``FBetaScore`` keeps, for each class (the last axis of ``(batch, classes)`` targets
and predictions), running (weighted) counts of true positives, false positives and
false negatives. A prediction is positive above ``threshold``; with
``threshold=None`` each sample's largest prediction is its one positive class. The
score gives recall ``beta`` times the importance of precision::

    F = (1 + beta**2) * precision * recall / (beta**2 * precision + recall)

``average=None`` gives one score per class; ``'micro'`` pools the counts of all
classes first, ``'macro'`` averages the classes' scores, ``'weighted'`` averages them
weighted by each class's (weighted) number of positive targets.
"""

import torch

from kfunc.config import epsilon
from kfunc.metrics.base import Metric

_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """The F-beta score of multi-class or multi-label predictions.

    Args:
        average: ``None`` (one score per class), ``'micro'``, ``'macro'`` or ``'weighted'``.
        beta: how many times recall matters more than precision (1.0).
        threshold: predictions above it are positive; ``None``: each sample's largest.
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name, dtype)
        what = f"{type(self).__name__}"
        if average not in _AVERAGES:
            raise ValueError(f"{what}(average={average!r}): use None, 'micro', 'macro' or 'weighted'.")
        if not isinstance(beta, (int, float)) or beta <= 0:
            raise ValueError(f"{what}(beta={beta!r}): beta must be a number above 0.")
        if threshold is not None and not 0 < threshold <= 1:
            raise ValueError(f"{what}(threshold={threshold!r}): the threshold must be in (0, 1], or None.")
        self.average, self.beta, self.threshold = average, float(beta), threshold
        self.reset_state()

    def reset_state(self):
        self.true_positives = self.false_positives = self.false_negatives = self.intermediate_weights = None

    def update_state(self, y_true, y_pred, sample_weight=None):
        with torch.no_grad():
            y_true, y_pred = self._floats(y_true, y_pred)
            if y_pred.dim() != 2 or y_true.shape != y_pred.shape:
                raise ValueError(
                    f"{type(self).__name__} ({self.name!r}) takes targets and predictions of shape "
                    f"(batch, classes), the same for both; got {tuple(y_true.shape)} and {tuple(y_pred.shape)}. "
                    "For one 0/1 output, targets and predictions have shape (batch, 1)."
                )
            if self.threshold is None:
                positive = y_pred >= torch.amax(y_pred, dim=-1, keepdim=True)
            else:
                positive = y_pred > self.threshold
            positive = positive.to(y_pred.dtype)
            weight = self._weights(sample_weight, y_pred)
            sums = [
                torch.sum(weight * positive * y_true, 0),
                torch.sum(weight * positive * (1 - y_true), 0),
                torch.sum(weight * (1 - positive) * y_true, 0),
                torch.sum(weight * y_true, 0),
            ]
            if self.true_positives is None:
                self.true_positives, self.false_positives, self.false_negatives, self.intermediate_weights = sums
            else:
                for state, new in zip(self._states(), sums):
                    state.add_(new)

    def _states(self):
        return self.true_positives, self.false_positives, self.false_negatives, self.intermediate_weights

    def result(self):
        if self.true_positives is None:
            return torch.tensor(0.0)
        eps = epsilon()
        tp, fp, fn, positives = self._states()
        if self.average == "micro":
            tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
        precision, recall = tp / (tp + fp + eps), tp / (tp + fn + eps)
        beta2 = self.beta ** 2
        score = (1 + beta2) * precision * recall / (beta2 * precision + recall + eps)
        if self.average == "weighted":
            return torch.sum(score * positives / (positives.sum() + eps))
        if self.average is not None:
            return torch.mean(score)
        return score

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """The F1 score: the harmonic mean of precision and recall (:class:`FBetaScore` with beta 1)."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average, 1.0, threshold, name, dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
