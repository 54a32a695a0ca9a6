"""kfunc: the Keras functional API, computing on PyTorch, made for teaching.

>>> from kfunc import Input, Model
>>> from kfunc.layers import Dense
>>> inputs = Input(shape=(784,))
>>> outputs = Dense(10, activation='softmax')(Dense(64, activation='relu')(inputs))
>>> model = Model(inputs, outputs)
"""

from kfunc import activations, backend, callbacks, config, datasets, initializers, layers, losses, metrics, models, ops, optimizers, utils
from kfunc.engine.input_layer import Input
from kfunc.models import Model, Sequential
from kfunc import legacy  # noqa: E402  (Keras 1 spellings: installs their hooks)
from kfunc import widgets  # noqa: E402
from kfunc import tracebacks  # noqa: E402

widgets.install()  # in a notebook, fit shows the live tracker (nothing is imported outside one)
tracebacks.install()  # a user's mistake shows the user's code, not kfunc's (kfunc.config turns it off)

__version__ = "0.1.0"
