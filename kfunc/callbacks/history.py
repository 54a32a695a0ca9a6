"""``History``: the record of a ``fit``, epoch by epoch.

``fit`` always adds one, and returns it: ``history.history['val_loss']`` is the list
of the validation losses, one per epoch, and ``history.epoch`` the list of epoch
numbers they belong to. While ``fit`` runs (and after it stopped, even by an
error or Ctrl-C), ``model.history`` is the same object, holding the epochs done.
"""

from kfunc.callbacks.base import Callback


class History(Callback):
    """Records every epoch's ``logs``.

    Attributes:
        history: ``{'loss': [...], 'val_loss': [...], ...}``, one value per epoch.
        epoch: the epoch numbers, starting at ``fit``'s ``initial_epoch``.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def set_model(self, model):
        super().set_model(model)
        model.history = self

    def on_train_begin(self, logs=None):
        self.history = {}
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def plot(self, title=None):
        """Draw the curves of this training (loss and every metric, training and validation).

        Returns:
            A matplotlib ``Figure`` (see :func:`kfunc.widgets.plot_history`).
        """
        from kfunc.widgets.curves import history_plot

        return history_plot(self, title=title)

    def __repr__(self):
        return f"<History epochs={self.epoch} keys={list(self.history)}>"
