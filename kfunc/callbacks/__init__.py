"""``kfunc.callbacks``: objects that ``fit`` calls at the start and end of epochs and batches.

Pass them as ``model.fit(..., callbacks=[EarlyStopping(patience=3)])``. ``fit`` adds
two of its own: the progress display (for ``verbose=1`` or ``2``) first, and the
``History`` it returns, last. ``LiveTracker``, the notebook's live training display,
lives with the widgets (:mod:`kfunc.widgets`) and is loaded from there when first used.
"""

from kfunc._errors import missing
from kfunc.callbacks.base import Callback, CallbackList
from kfunc.callbacks.csv_logger import CSVLogger
from kfunc.callbacks.early_stopping import EarlyStopping
from kfunc.callbacks.history import History
from kfunc.callbacks.lambda_callback import LambdaCallback
from kfunc.callbacks.learning_rate import LearningRateScheduler, ReduceLROnPlateau
from kfunc.callbacks.model_checkpoint import ModelCheckpoint
from kfunc.callbacks.progbar import ProgbarLogger
from kfunc.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "Callback",
    "CallbackList",
    "CSVLogger",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
    "LiveTracker",
]


def __getattr__(name):
    # Display code imports training code, never the reverse: the tracker is loaded on demand.
    if name == "LiveTracker":
        from kfunc.widgets.tracker import LiveTracker

        return LiveTracker
    raise missing.missing_attribute("kfunc.callbacks", name) or AttributeError(
        f"module 'kfunc.callbacks' has no attribute {name!r}"
    )
