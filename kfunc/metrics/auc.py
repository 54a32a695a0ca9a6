"""AUC: the area under the ROC or the precision-recall curve, from thresholded counts.

The counts at ``num_thresholds`` thresholds (see :mod:`kfunc.metrics.confusion`)
give one point of the curve each; the area is summed over the intervals between
neighbouring points. For the ROC curve, each interval is a trapezoid
(``summation_method='interpolation'``). For the PR curve, precision does not vary
linearly between two points, so, as Keras does (after Davis & Goadrich, 2006), the
area of each interval is integrated exactly under the assumption that true and
false positives grow linearly between the two thresholds. ``'minoring'`` and
``'majoring'`` take the lower or higher of the two neighbouring heights instead.
"""

import torch

from kfunc.metrics.confusion import _ConfusionCounts, divide_no_nan, evenly_spaced_thresholds

_CURVES = {"roc": "ROC", "pr": "PR"}
_SUMMATIONS = ("interpolation", "minoring", "majoring")


class AUC(_ConfusionCounts):
    """Area under the ROC (or precision-recall) curve, from counts at evenly spaced thresholds.

    Args:
        num_thresholds: how many thresholds between 0 and 1 (200, as Keras).
        curve: ``'ROC'`` or ``'PR'``.
        summation_method: ``'interpolation'``, ``'minoring'`` or ``'majoring'``.
        thresholds: thresholds to use instead of evenly spaced ones (then
            ``num_thresholds`` is their number plus 2, for the ends).
        multi_label: only ``False`` (every value one binary prediction) is supported.
        from_logits: the predictions are logits (a sigmoid is applied first).
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        if str(curve).lower() not in _CURVES:
            raise ValueError(f"AUC(curve={curve!r}): use 'ROC' or 'PR'.")
        if summation_method not in _SUMMATIONS:
            raise ValueError(f"AUC(summation_method={summation_method!r}): use one of {', '.join(_SUMMATIONS)}.")
        if multi_label or label_weights is not None:
            raise ValueError(
                "AUC(multi_label=True) and AUC(label_weights=...) are not supported by kfunc: each label's AUC "
                "would be kept apart. Use one AUC per output, or multi_label=False (all values pooled)."
            )
        if thresholds is not None:
            inner = sorted(float(t) for t in (thresholds if isinstance(thresholds, (list, tuple)) else [thresholds]))
            values, num_thresholds = [-1e-7] + inner + [1 + 1e-7], len(inner) + 2
        else:
            values = evenly_spaced_thresholds(num_thresholds)
        super().__init__(name=name or "auc", dtype=dtype, _values=values)
        self.thresholds = thresholds
        self.num_thresholds, self.curve, self.summation_method = num_thresholds, _CURVES[str(curve).lower()], summation_method
        self.multi_label, self.num_labels, self.label_weights, self.from_logits = False, num_labels, None, from_logits

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.from_logits:
            y_true, y_pred = self._floats(y_true, y_pred)
            y_pred = torch.sigmoid(y_pred)
        super().update_state(y_true, y_pred, sample_weight)

    def result(self):
        if self.tp is None:
            return torch.tensor(0.0)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolated_pr_area()
        recall = divide_no_nan(self.tp, self.tp + self.fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(self.fp, self.fp + self.tn), recall
        else:
            x, y = recall, divide_no_nan(self.tp, self.tp + self.fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[:-1], y[1:])
        else:
            heights = torch.maximum(y[:-1], y[1:])
        # thresholds increase, so x decreases: the intervals' widths are x[i] - x[i + 1]
        return torch.sum((x[:-1] - x[1:]) * heights)

    def _interpolated_pr_area(self):
        """The PR area when, between two thresholds, each added positive prediction is
        true with the same probability: precision is then a ratio of two lines in the
        number of positive predictions, and its integral over recall has a closed form."""
        tp, predicted = self.tp, self.tp + self.fp
        new_tp = tp[:-1] - tp[1:]  # true positives gained from one threshold down to the previous
        new_predicted = (predicted[:-1] - predicted[1:]).clamp(min=0)
        slope = divide_no_nan(new_tp, new_predicted)  # true positives per positive prediction
        intercept = tp[1:] - slope * predicted[1:]
        both = (predicted[:-1] > 0) & (predicted[1:] > 0)
        ratio = torch.where(both, divide_no_nan(predicted[:-1], predicted[1:].clamp(min=0)), torch.ones_like(tp[1:]))
        area = slope * (new_tp + intercept * torch.log(ratio))
        return torch.sum(divide_no_nan(area, (tp[1:] + self.fn[1:]).clamp(min=0)))

    def get_config(self):
        config = {
            "name": self.name, "dtype": self.dtype, "num_thresholds": self.num_thresholds, "curve": self.curve,
            "summation_method": self.summation_method, "multi_label": False, "num_labels": self.num_labels,
            "label_weights": None, "from_logits": self.from_logits,
        }
        return config if self.thresholds is None else {**config, "thresholds": self.thresholds}
