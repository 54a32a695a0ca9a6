"""``CSVLogger``: write each epoch's values as a row of a CSV file."""

import csv
import os

from kfunc.callbacks.base import Callback


class CSVLogger(Callback):
    """Appends one row per epoch to ``filename``: ``epoch`` then every logged value.

    Args:
        filename: the CSV file.
        separator: the column separator.
        append: keep the rows of an earlier run (``True``) or start the file anew.

    Each row is written (and the file closed) at the end of its epoch, so the file
    is complete even when training is interrupted. Values missing in an epoch
    (``val_`` ones with ``validation_freq``) are written as ``NA``.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys = None

    def on_train_begin(self, logs=None):
        self.keys = None
        self._write_header = not (self.append and os.path.exists(self.filename) and os.path.getsize(self.filename))
        if not self.append:
            open(self.filename, "w").close()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
        row = {"epoch": epoch, **{k: logs.get(k, "NA") for k in self.keys}}
        with open(self.filename, "a", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["epoch"] + self.keys, delimiter=self.sep, extrasaction="ignore")
            if self._write_header:
                writer.writeheader()
                self._write_header = False
            writer.writerow(row)
