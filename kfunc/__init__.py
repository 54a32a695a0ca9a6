"""kfunc: the Keras functional API, computing on PyTorch, made for teaching.

>>> from kfunc import Input, Model
>>> from kfunc.layers import Dense
>>> inputs = Input(shape=(784,))
>>> outputs = Dense(10, activation='softmax')(Dense(64, activation='relu')(inputs))
>>> model = Model(inputs, outputs)
"""

from kfunc import activations, backend, callbacks, config, constraints, datasets, initializers, layers, losses, metrics
from kfunc import models, ops, optimizers, regularizers, tracebacks, utils
from kfunc._errors import missing
from kfunc.engine import hooks
from kfunc.layers.input_layer import Input
from kfunc.models import Model, Sequential
from kfunc.training import progress, trainer


def _notebook_progress(verbose, mode):
    from kfunc.widgets import notebook_progress  # imported at the first fit

    return notebook_progress(verbose, mode)


# What plugs into the core and into training, in the open. The packages named here
# are imported the first time they are needed, so `import kfunc` imports none of them.
hooks.spellings.install("kfunc.legacy")  # Keras 1 spellings run, and warn with their Keras 2 form
hooks.node_listener.install("kfunc.widgets.call_sites")  # the node explorer shows the line that made each node
hooks.operations.install("kfunc.layers.op_layer")  # `x + 1`, `x[:, 0]`, `K.mean(x)` on symbolic tensors are op nodes
trainer.argument_hooks.append(lambda method, kwargs: hooks.spellings.method_arguments(method, kwargs))  # fit(nb_epoch=)
progress.progress_hooks.append(_notebook_progress)  # in a notebook, fit shows the live tracker
tracebacks.install()  # a user's mistake shows the user's code, not kfunc's (kfunc.config turns it off)
missing.install()  # `import kfunc.applications` says what kfunc leaves out of Keras, and why


def __getattr__(name):
    error = missing.missing_attribute("kfunc", name)
    raise error or AttributeError(f"module 'kfunc' has no attribute {name!r}")

__version__ = "0.1.0"
