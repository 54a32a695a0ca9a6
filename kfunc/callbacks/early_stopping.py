"""``EarlyStopping``: stop when a monitored value has stopped improving."""

import warnings

import numpy as np

from kfunc.callbacks.base import Callback


def _improvement_mode(monitor, mode, who):
    """``'min'`` or ``'max'``: whether smaller or larger values of ``monitor`` are better."""
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{who}: unknown mode {mode!r}; using 'auto'.", stacklevel=3)
        mode = "auto"
    if mode == "auto":
        better_high = monitor.endswith(("acc", "accuracy", "auc", "precision", "recall"))
        return "max" if better_high else "min"
    return mode


def _missing_warning(who, monitor, logs):
    warnings.warn(
        f"{who} watches {monitor!r}, which is not among the logged values "
        f"{sorted(logs or {})}; it does nothing this epoch. (Validation values such as "
        "'val_loss' exist only when fit has validation data.)",
        stacklevel=3,
    )


class EarlyStopping(Callback):
    """Stops training when ``monitor`` has not improved for ``patience`` epochs.

    Args:
        monitor: the logged value to watch (``'val_loss'``).
        min_delta: the least change that counts as an improvement.
        patience: how many epochs without improvement to wait before stopping.
        verbose: 1 prints a line when it stops.
        mode: ``'min'``, ``'max'``, or ``'auto'`` (max for accuracies, min otherwise).
        baseline: a value the monitor must beat; until it does, patience runs out.
        restore_best_weights: when stopping, put back the weights of the best epoch.
        start_from_epoch: epochs to wait before watching at all.

    Attributes:
        stopped_epoch: the epoch at which it stopped training (0 if it did not).
        best_epoch: the epoch with the best value.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.mode = _improvement_mode(monitor, mode, "EarlyStopping")

    def _is_improvement(self, value, reference):
        if self.mode == "max":
            return value - self.min_delta > reference
        return value + self.min_delta < reference

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf if self.mode == "min" else -np.inf
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            _missing_warning("EarlyStopping", self.monitor, logs)
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()  # in case no epoch ever improves
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose > 0:
                    print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
