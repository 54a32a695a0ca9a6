"""Callbacks: code that ``fit``, ``evaluate`` and ``predict`` call at set moments.

A callback is an object with *hooks*: methods such as ``on_epoch_end(epoch, logs)``
that the training loop calls at the start and end of training, of each epoch, and
of each batch. ``self.model`` is the model being trained (so a callback can read or
change its weights, its optimizer's learning rate, or set
``self.model.stop_training = True``); ``self.params`` holds the run's settings
(``epochs``, ``steps``, ``verbose``, ...).

``logs`` is a dict of the values so far: after an epoch, ``{'loss': 0.31,
'acc': 0.91, 'val_loss': 0.35, ...}``; after a batch, the running values of the
epoch so far (computed only if the callback reads them).
"""

_MODES = ("train", "test", "predict")


class Callback:
    """Base class of callbacks: every hook exists and does nothing.

    Override the hooks you need::

        class PrintLoss(Callback):
            def on_epoch_end(self, epoch, logs=None):
                print(epoch, logs['loss'])

    Attributes:
        model: the model being trained (set by ``fit``).
        params: ``{'epochs', 'steps', 'samples', 'batch_size', 'verbose', ...}``.
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    # training
    def on_train_begin(self, logs=None):
        """Called once when ``fit`` starts."""

    def on_train_end(self, logs=None):
        """Called once when ``fit`` ends; ``logs`` are the last epoch's."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of each epoch (``epoch`` counts from 0, or ``initial_epoch``)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of each epoch, with the epoch's values (``val_`` ones included)."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before each training batch (``batch`` counts from 0 in each epoch)."""
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after each training batch, with the epoch's running values."""
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch, logs=None):
        """The Keras 2 name of :meth:`on_train_batch_begin`."""

    def on_batch_end(self, batch, logs=None):
        """The Keras 2 name of :meth:`on_train_batch_end`."""

    # evaluation (also the validation inside fit)
    def on_test_begin(self, logs=None):
        """Called when ``evaluate`` (or a validation pass) starts."""

    def on_test_end(self, logs=None):
        """Called when ``evaluate`` (or a validation pass) ends, with its values."""

    def on_test_batch_begin(self, batch, logs=None):
        """Called before each evaluation batch."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after each evaluation batch."""

    # prediction
    def on_predict_begin(self, logs=None):
        """Called when ``predict`` starts."""

    def on_predict_end(self, logs=None):
        """Called when ``predict`` ends."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before each prediction batch."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after each prediction batch; ``logs['outputs']`` holds the batch's outputs."""


HOOKS = [name for name in vars(Callback) if name.startswith("on_")]


def overrides(callback, hook):
    """Whether ``callback`` does something in ``hook`` (a method or a function set on it)."""
    method = getattr(callback, hook, None)
    return method is not None and getattr(method, "__func__", None) is not getattr(Callback, hook)


class CallbackList:
    """Several callbacks called as one, in order.

    Batch hooks are called only for the callbacks that define them, so that a run
    whose callbacks care only about epochs pays nothing per batch.
    """

    def __init__(self, callbacks, model=None, params=None):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if model is not None:
                cb.set_model(model)
            if params is not None:
                cb.set_params(params)
        self._batch_listeners = {
            (mode, when): [cb for cb in self.callbacks if _listens(cb, mode, when)]
            for mode in _MODES
            for when in ("begin", "end")
        }

    def wants_batches(self, mode):
        """Whether any callback has a batch hook for ``mode`` (``'train'``, ``'test'``, ``'predict'``)."""
        return bool(self._batch_listeners[(mode, "begin")] or self._batch_listeners[(mode, "end")])

    def wants_batch(self, mode, when):
        return bool(self._batch_listeners[(mode, when)])

    def batch(self, mode, when, batch, logs):
        """Call ``on_{mode}_batch_{when}(batch, logs)`` on the callbacks that define it."""
        hook = f"on_{mode}_batch_{when}"
        for cb in self._batch_listeners[(mode, when)]:
            getattr(cb, hook)(batch, logs)

    def call(self, hook, *args):
        """Call ``hook`` on every callback, e.g. ``call('on_epoch_end', epoch, logs)``."""
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def __iter__(self):
        return iter(self.callbacks)


def _listens(callback, mode, when):
    hooks = [f"on_{mode}_batch_{when}"]
    if mode == "train":
        hooks.append(f"on_batch_{when}")
    return any(overrides(callback, h) for h in hooks)
