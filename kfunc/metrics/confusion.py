"""Thresholded counts of 0/1 predictions, and the metrics read from them.

A prediction above a threshold counts as positive; a target that is not 0 is
positive. At each threshold four running (weighted) counts are kept: true
positives, false positives, false negatives and true negatives.
``TruePositives()`` reports one of them; ``Precision()`` and ``Recall()`` divide
them; ``AUC`` and the metrics of :mod:`kfunc.metrics.operating_points` read the
counts at many thresholds.

Counting sorts each prediction into the interval between two thresholds and adds
the intervals up, so a batch costs time in proportion to its samples plus the
thresholds, never to their product (an AUC on segmentation masks stays cheap).
"""

import torch

from kfunc.metrics.base import Metric


def _as_list(thresholds, default):
    """The thresholds as a list of floats in [0, 1] (``[default]`` for None)."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
    for value in values:
        if not 0 <= float(value) <= 1:
            raise ValueError(f"thresholds must be between 0 and 1; got {thresholds!r}.")
    return [float(v) for v in values]


def evenly_spaced_thresholds(num_thresholds):
    """``num_thresholds`` thresholds from just below 0 to just above 1, as Keras's AUC
    uses: predictions of exactly 0 count as positive at the first, of 1 at none."""
    if num_thresholds < 2:
        raise ValueError(f"num_thresholds must be at least 2; got {num_thresholds!r}.")
    eps = 1e-7
    inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return [-eps] + inner + [1 + eps]


class _ConfusionCounts(Metric):
    """Counts of true/false positives/negatives at one or more thresholds.

    Args:
        thresholds: a float or a list of floats in [0, 1] (0.5 when None).
        top_k: only each sample's ``top_k`` largest predictions may count as positive.
        class_id: count only this class (the index on the last axis).
    """

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None, *, _values=None):
        super().__init__(name, dtype)
        self.thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        # with top_k and no thresholds, the top k predictions are positive whatever their values
        values = _values if _values is not None else _as_list(thresholds, 0.5 if top_k is None else -1e10)
        self._thresholds = torch.tensor(values, dtype=torch.float32)
        self._order = torch.argsort(self._thresholds)  # counting wants them sorted
        self.reset_state()

    def reset_state(self):
        self.tp = self.fp = self.fn = self.tn = None

    def update_state(self, y_true, y_pred, sample_weight=None):
        with torch.no_grad():
            y_true, y_pred = self._floats(y_true, y_pred)
            if self.top_k is not None:
                kth = torch.topk(y_pred, min(self.top_k, y_pred.shape[-1]), dim=-1).values[..., -1:]
                y_pred = torch.where(y_pred >= kth, y_pred, torch.full_like(y_pred, -1e10))  # below every threshold
            if self.class_id is not None:
                y_true, y_pred = y_true[..., self.class_id], y_pred[..., self.class_id]
            if y_true.numel() != y_pred.numel():
                raise ValueError(
                    f"{type(self).__name__} ({self.name!r}) compares each prediction to its target, so y_true "
                    f"and y_pred must have as many values; got shapes {tuple(y_true.shape)} and "
                    f"{tuple(y_pred.shape)}."
                )
            y_pred = y_pred.reshape(y_true.shape) if y_true.dim() < y_pred.dim() else y_pred
            weight = self._weights(sample_weight, y_pred).reshape(-1)
            positive = (y_true.reshape(-1) != 0).to(weight.dtype)
            counts = self._counts(y_pred.reshape(-1), weight * positive, weight * (1 - positive))
            if self.tp is None:
                self.tp, self.fp, self.fn, self.tn = counts
            else:
                for state, new in zip((self.tp, self.fp, self.fn, self.tn), counts):
                    state.add_(new)

    def _counts(self, y_pred, positive, negative):
        """tp, fp, fn, tn at each threshold, from each sample's weight as a positive and as a negative."""
        thresholds = self._thresholds.to(y_pred.device)
        order = self._order.to(y_pred.device)
        sorted_thresholds = thresholds[order]
        # how many thresholds each prediction is above: it is positive at those
        above = torch.bucketize(y_pred.contiguous(), sorted_thresholds.to(y_pred.dtype), right=False)
        bins = len(thresholds) + 1

        def above_and_not(weight):
            per_bin = torch.zeros(bins, dtype=weight.dtype, device=weight.device).index_add_(0, above, weight)
            # above sorted threshold j: the samples in bins j + 1 and later; not above it: bins 0 to j
            # (each summed on its own, rather than one subtracted from the total, which leaves rounding errors)
            tail = torch.flip(torch.cumsum(torch.flip(per_bin, [0]), 0), [0])[1:]
            head = torch.cumsum(per_bin, 0)[:-1]
            unsorted = lambda values: torch.empty_like(values).index_copy_(0, order, values)  # noqa: E731
            return unsorted(tail), unsorted(head)

        tp, fn = above_and_not(positive)
        fp, tn = above_and_not(negative)
        return tp, fp, fn, tn

    def _value(self, numerator, denominator):
        """``numerator / denominator``, 0 where the denominator is 0, one value per threshold."""
        if numerator is None:
            return torch.tensor(0.0)
        return self._one_or_all(divide_no_nan(numerator, denominator))

    def _one_or_all(self, values):
        """A number for one threshold, else one value per threshold (as Keras gives)."""
        return values[0] if len(values) == 1 else values

    def get_config(self):
        return {**super().get_config(), "thresholds": self.thresholds, "top_k": self.top_k, "class_id": self.class_id}


def divide_no_nan(numerator, denominator):
    """``numerator / denominator``, 0 where the denominator is 0 (a rate of nothing)."""
    return torch.where(denominator > 0, numerator / denominator.clamp(min=1e-12), torch.zeros_like(numerator))


class _Count(_ConfusionCounts):
    """One of the four counts: ``thresholds`` (0.5 by default) may be a list, giving one per threshold."""

    _state = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(thresholds, name=name, dtype=dtype)

    def result(self):
        value = getattr(self, self._state)
        if value is None:
            value = torch.zeros(len(self._thresholds))
        return self._one_or_all(value)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.thresholds}


class TruePositives(_Count):
    """The (weighted) number of positive samples predicted positive (above the threshold)."""

    _state = "tp"


class FalsePositives(_Count):
    """The (weighted) number of negative samples predicted positive (above the threshold)."""

    _state = "fp"


class TrueNegatives(_Count):
    """The (weighted) number of negative samples predicted negative (at or below the threshold)."""

    _state = "tn"


class FalseNegatives(_Count):
    """The (weighted) number of positive samples predicted negative (at or below the threshold)."""

    _state = "fn"


class Precision(_ConfusionCounts):
    """Of the samples predicted positive (above the threshold, 0.5), the fraction that are."""

    def result(self):
        return self._value(self.tp, None if self.tp is None else self.tp + self.fp)


class Recall(_ConfusionCounts):
    """Of the positive samples, the fraction predicted positive (above the threshold, 0.5)."""

    def result(self):
        return self._value(self.tp, None if self.tp is None else self.tp + self.fn)
