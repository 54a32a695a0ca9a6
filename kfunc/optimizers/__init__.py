"""Optimizers with Keras's names and default hyper-parameters, running on ``torch.optim``.

``compile(optimizer='rmsprop')`` means ``RMSprop()`` with Keras's defaults, which are
not torch's: Keras's ``Adagrad`` starts at ``learning_rate=0.001`` with accumulators
at 0.1, torch's at 0.01 with accumulators at 0. Each class here stores the Keras
arguments and, once ``fit`` knows the model's parameters, makes the matching torch
optimizer (``optimizer.torch_optimizer``), which holds the state and defines the
maths of the updates.

``learning_rate`` can be read and set at any time, also during training (that is
what ``ReduceLROnPlateau`` and ``LearningRateScheduler`` do); ``lr`` is its old name.

An ``Embedding`` whose batch looks up only some rows of its table has the other
rows' gradients at zero. Where that leaves those rows exactly as they are (SGD
without momentum, RMSprop without momentum, Adagrad), ``fit`` updates only the
looked-up rows, with the same results as updating the whole table;
``Adam(embedding_updates='lazy')`` does it for Adam too, with other results (see
:mod:`.embedding_rows`).

The package: :mod:`.base` (the ``Optimizer`` class and its update step),
:mod:`.algorithms` (the Keras optimizers), :mod:`.multi_tensor` and
:mod:`.embedding_rows` (kfunc's own ways of making torch's updates).

Example:
    >>> model.compile(optimizer=RMSprop(learning_rate=0.01), loss='mse')
    >>> model.optimizer.learning_rate
    0.01
"""

import torch

from kfunc._errors import unknown_name_error
from kfunc.optimizers.algorithms import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Nadam,
    RMSprop,
    TorchOptimizer,
)
from kfunc.optimizers import schedules
from kfunc.optimizers.base import Optimizer

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam",
           "TorchOptimizer", "get", "serialize"]

_OPTIMIZERS = {
    "sgd": SGD,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
    "adagrad": Adagrad,
    "adadelta": Adadelta,
    "adamax": Adamax,
    "nadam": Nadam,
}


def get(identifier):
    """An optimizer from a name (any case), a config dict, an instance or a torch factory.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
        TypeError: for anything else.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _OPTIMIZERS.get(identifier.lower())
        if cls is None:
            raise unknown_name_error("optimizer", identifier, _OPTIMIZERS)
        return cls()
    if isinstance(identifier, dict):
        cls = _OPTIMIZERS.get(str(identifier.get("class_name", "")).lower())
        if cls is None:
            raise unknown_name_error("optimizer", identifier.get("class_name"), _OPTIMIZERS)
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    if isinstance(identifier, torch.optim.Optimizer) or callable(identifier):
        return TorchOptimizer(identifier)
    raise TypeError(
        f"Could not interpret optimizer {identifier!r}. Pass a name such as 'rmsprop' or "
        "'adam', an optimizer such as `kfunc.optimizers.Adam(learning_rate=0.01)`, or a "
        "torch optimizer class or factory such as `torch.optim.SGD`."
    )


def serialize(optimizer):
    """``{'class_name': ..., 'config': ...}`` for the Keras optimizers; None for torch ones and plain rate functions."""
    plain_function = optimizer._schedule is not None and not isinstance(optimizer._schedule, schedules.LearningRateSchedule)
    if isinstance(optimizer, TorchOptimizer) or plain_function:
        return None
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}
