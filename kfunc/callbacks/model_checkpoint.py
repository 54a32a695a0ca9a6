"""``ModelCheckpoint``: save the model (or its weights) during training."""

import os

import numpy as np

from kfunc.callbacks.base import Callback
from kfunc.callbacks.early_stopping import _improvement_mode, _missing_warning


class ModelCheckpoint(Callback):
    """Saves the model at the end of epochs, optionally only when it improved.

    Args:
        filepath: where to save; may hold fields filled from the epoch number
            (counted from 1) and the logs: ``'weights.{epoch:02d}-{val_loss:.2f}.pt'``.
        monitor: the value that decides what "best" is (``'val_loss'``).
        verbose: 1 prints a line at each save.
        save_best_only: save only when ``monitor`` improved on the best so far.
        save_weights_only: ``model.save_weights(path)`` instead of ``model.save(path)``.
        mode: ``'min'``, ``'max'`` or ``'auto'`` (see :class:`EarlyStopping`).
        save_freq: ``'epoch'``, or a number of batches between saves.
        period: Keras 2's ``save_freq`` in epochs: save every ``period`` epochs.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", period=1):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.period = period
        self.mode = _improvement_mode(monitor, mode, "ModelCheckpoint")
        self.best = np.inf if self.mode == "min" else -np.inf
        self._epoch = 0
        self._batches = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches += 1
        if self._batches % int(self.save_freq) == 0:
            self._save(self._epoch, dict(logs or {}), batch=batch)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch" and (epoch + 1) % self.period == 0:
            self._save(epoch, logs or {})

    def _save(self, epoch, logs, batch=None):
        try:
            path = self.filepath.format(epoch=epoch + 1, batch=batch, **logs)
        except KeyError as err:
            raise KeyError(
                f"ModelCheckpoint's filepath {self.filepath!r} uses the field {err}, which is not a "
                f"logged value. Available fields: epoch, {', '.join(sorted(logs))}."
            ) from None
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                _missing_warning("ModelCheckpoint", self.monitor, logs)
                return
            better = current > self.best if self.mode == "max" else current < self.best
            if not better:
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
