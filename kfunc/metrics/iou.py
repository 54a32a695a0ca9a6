"""Intersection over union of classes, the segmentation metrics, from a confusion matrix.

A running ``num_classes x num_classes`` matrix counts (with sample weights) how often
each true class (row) was predicted as each class (column). For a class, the
intersection is its diagonal entry and the union its row plus its column minus that
entry; ``IoU`` averages intersection / union over the ``target_class_ids`` whose union
is not empty. ``MeanIoU`` averages over all classes; ``BinaryIoU`` thresholds 0/1
predictions; the ``OneHot`` variants take one-hot targets and class scores.
"""

import torch

from kfunc.metrics.base import Metric
from kfunc.metrics.confusion import divide_no_nan


class IoU(Metric):
    """Mean intersection over union of the classes ``target_class_ids``.

    Args:
        num_classes: the number of classes (the matrix is ``num_classes`` square).
        target_class_ids: the classes to average over.
        ignore_class: a target class whose samples are not counted (None: none).
        sparse_y_true: targets are class ids (else one-hot or scores, reduced by argmax).
        sparse_y_pred: predictions are class ids (else scores, reduced by argmax on ``axis``).
        axis: the class axis of non-sparse targets and predictions.
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name, dtype)
        if max(target_class_ids, default=-1) >= num_classes or min(target_class_ids, default=0) < 0:
            raise ValueError(
                f"{type(self).__name__}: target_class_ids must be class ids in [0, {num_classes}); "
                f"got {list(target_class_ids)}."
            )
        self.num_classes, self.target_class_ids = num_classes, list(target_class_ids)
        self.ignore_class, self.sparse_y_true, self.sparse_y_pred, self.axis = ignore_class, sparse_y_true, sparse_y_pred, axis
        self.reset_state()

    def reset_state(self):
        self.total_cm = None  # rows: true class, columns: predicted class

    def update_state(self, y_true, y_pred, sample_weight=None):
        with torch.no_grad():
            y_true, y_pred = self._floats(y_true, y_pred)
            if not self.sparse_y_true:
                y_true = torch.argmax(y_true, dim=self.axis)
            if not self.sparse_y_pred:
                y_pred = torch.argmax(y_pred, dim=self.axis)
            weight = None if sample_weight is None else self._weights(sample_weight, y_true.to(self._torch_dtype))
            true, predicted = y_true.reshape(-1).long(), y_pred.reshape(-1).long()  # class ids, truncated as Keras does
            if true.numel() != predicted.numel():
                raise ValueError(
                    f"{type(self).__name__} ({self.name!r}) needs one predicted class per target; got "
                    f"{true.numel()} targets and {predicted.numel()} predictions. For class scores, pass "
                    f"sparse_y_pred=False (or use OneHotMeanIoU)."
                )
            weight = torch.ones_like(true, dtype=self._torch_dtype) if weight is None else weight.reshape(-1)
            if self.ignore_class is not None:  # not counted: weight 0, at a cell that exists
                ignored = true == self.ignore_class
                weight = torch.where(ignored, torch.zeros_like(weight), weight)
                true = torch.where(ignored, torch.zeros_like(true), true)
            self._check_ids(true, predicted)
            cells = true * self.num_classes + predicted
            counts = torch.zeros(self.num_classes ** 2, dtype=weight.dtype, device=weight.device)
            counts = counts.index_add_(0, cells, weight).reshape(self.num_classes, self.num_classes)
            self.total_cm = counts if self.total_cm is None else self.total_cm.add_(counts)

    def _check_ids(self, true, predicted):
        """Class ids outside [0, num_classes) are a mistake; checked on the CPU only,
        where looking at the values costs no wait for a device."""
        if true.device.type != "cpu" or true.numel() == 0:
            return
        for ids in (true, predicted):
            low, high = int(ids.min()), int(ids.max())
            if low < 0 or high >= self.num_classes:
                raise ValueError(
                    f"{type(self).__name__} ({self.name!r}, num_classes={self.num_classes}) got class id "
                    f"{low if low < 0 else high}; class ids must be in [0, {self.num_classes}). "
                    "Check num_classes, or pass sparse_y_pred=False if y_pred holds class scores."
                )

    def result(self):
        if self.total_cm is None:
            return torch.tensor(0.0)
        cm = self.total_cm
        intersection = torch.diagonal(cm)
        union = cm.sum(0) + cm.sum(1) - intersection
        ids = torch.tensor(self.target_class_ids, device=cm.device, dtype=torch.long)
        intersection, union = intersection[ids], union[ids]
        present = (union != 0).sum().to(cm.dtype)
        return divide_no_nan(divide_no_nan(intersection, union).sum(), present)

    def get_config(self):
        return {
            "name": self.name, "dtype": self.dtype, "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis,
        }


class MeanIoU(IoU):
    """Intersection over union averaged over all ``num_classes`` classes (see :class:`IoU`)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name, dtype, ignore_class, sparse_y_true,
                         sparse_y_pred, axis)

    def get_config(self):
        config = super().get_config()
        del config["target_class_ids"]
        return config


class BinaryIoU(IoU):
    """IoU of 0/1 targets and predictions thresholded at ``threshold`` (at or above is 1).

    Args:
        target_class_ids: ``[0, 1]`` averages both classes; ``[1]`` is the IoU of the positives.
        threshold: predictions at or above it are class 1.
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(2, list(target_class_ids), name, dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = self._floats(y_true, y_pred)
        super().update_state(y_true, (y_pred >= self.threshold).to(y_pred.dtype), sample_weight)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "target_class_ids": self.target_class_ids,
                "threshold": self.threshold}


class OneHotIoU(IoU):
    """:class:`IoU` of one-hot targets and class scores (each reduced to its largest class)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name, dtype, ignore_class, False, sparse_y_pred, axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """:class:`MeanIoU` of one-hot targets and class scores (each reduced to its largest class)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name, dtype, ignore_class, False, sparse_y_pred, axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config
