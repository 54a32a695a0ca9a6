"""``kfunc.backend``: Keras 2's ``keras.backend``, imported as ``K``.

Keras 2 scripts open with ``from keras import backend as K`` and use it for three
things, all here under the same names:

* the tensor functions of :mod:`kfunc.ops` (``K.square(x)``, ``K.mean(x, axis=-1)``),
  re-exported unchanged;
* the session's settings: :func:`clear_session`, :func:`image_data_format`,
  :func:`floatx`, :func:`epsilon` and their setters (kept in :mod:`kfunc.config`),
  :func:`learning_phase` (see :mod:`.session`);
* values: :func:`get_value`/:func:`set_value` on weights, variables and an
  optimizer's learning rate (:mod:`.values`), :func:`function` to compute a part of
  a model on arrays (:mod:`.function`), and random tensors (:mod:`.random_tensors`).

TensorFlow's own machinery (sessions, placeholders, symbolic gradients) has no
counterpart in kfunc, which runs PyTorch eagerly: asking for it raises an error that
says what to use instead.

Example:
    >>> from kfunc import backend as K
    >>> K.clear_session()
    >>> K.image_data_format()
    'channels_last'
    >>> K.set_value(model.optimizer.lr, 0.01)
"""

from kfunc._errors import did_you_mean
from kfunc.backend.function import function
from kfunc.backend.random_tensors import random_normal, random_uniform
from kfunc.backend.session import (
    backend, clear_session, in_test_phase, in_train_phase, learning_phase, set_learning_phase,
)
from kfunc.backend.values import (
    batch_get_value, batch_set_value, cast_to_floatx, count_params, dtype, eval, get_value, is_keras_tensor,
    set_value, variable,
)
from kfunc.config import epsilon, floatx, image_data_format, set_epsilon, set_floatx, set_image_data_format
from kfunc.ops import *  # noqa: F401,F403
from kfunc.ops import __all__ as _ops_names

__all__ = [
    *_ops_names,
    # the session and its settings
    "clear_session", "backend", "image_data_format", "set_image_data_format", "set_floatx",
    "learning_phase", "set_learning_phase", "in_train_phase", "in_test_phase",
    # values
    "get_value", "set_value", "batch_get_value", "batch_set_value", "eval", "variable",
    "cast_to_floatx", "dtype", "count_params", "is_keras_tensor",
    # computing
    "function", "random_normal", "random_uniform",
]

# TensorFlow-only names that Keras 2 scripts use, and what to write in kfunc instead.
_TENSORFLOW_ONLY = {
    "get_session": "kfunc runs PyTorch eagerly, without TensorFlow sessions; delete the line.",
    "set_session": "kfunc runs PyTorch eagerly, without TensorFlow sessions; delete the line.",
    "placeholder": "make a symbolic input with kfunc.Input(shape=...).",
    "gradients": "kfunc computes gradients inside fit; for your own, use torch.autograd.grad on real tensors.",
    "update": "change a weight with K.set_value(weight, value).",
    "update_add": "change a weight with K.set_value(weight, K.get_value(weight) + increment).",
    "get_graph": "kfunc runs PyTorch eagerly, without TensorFlow graphs.",
    "manual_variable_initialization": "kfunc gives weights their values when first needed; delete the line.",
}


def __getattr__(name):
    if name in _TENSORFLOW_ONLY:
        raise AttributeError(
            f"kfunc.backend has no {name!r}: it is part of TensorFlow's machinery, which kfunc (on "
            f"PyTorch) does not have. Instead: {_TENSORFLOW_ONLY[name]}"
        )
    raise AttributeError(f"module 'kfunc.backend' has no attribute {name!r}.{did_you_mean(name, __all__)}")
