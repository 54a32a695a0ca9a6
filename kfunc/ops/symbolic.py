"""The same functions on symbolic tensors: each call becomes a node of the model's graph.

``K.mean(x, axis=-1)`` computes on a torch tensor. On a symbolic tensor, a model under
construction, there is nothing to compute yet: the call is recorded instead, as the
node of an op layer (:mod:`kfunc.layers.op_layer`) that computes the same function
on data later, as Keras does. :func:`records_symbolic_calls` makes a function do
both; :mod:`kfunc.ops` applies it to each of its functions.
"""

import functools

from kfunc.engine import hooks
from kfunc.engine.keras_tensor import KerasTensor


def records_symbolic_calls(function):
    """``function``, made to add an op node when any argument is a symbolic tensor.

    Symbolic tensors are looked for among the arguments and inside the lists and
    tuples among them (``concatenate([a, b])``). On torch tensors the function runs
    as before, after that one look.

    Example:
        >>> mean = records_symbolic_calls(kfunc.ops.reductions.mean)
        >>> mean(Input(shape=(3, 4)), axis=-1).shape
        (None, 3)
    """

    @functools.wraps(function)
    def on_tensors_or_graph(*args, **kwargs):
        if _holds_symbolic(args) or (kwargs and _holds_symbolic(kwargs.values())):
            return hooks.operations.apply(on_tensors_or_graph, args, kwargs)
        return function(*args, **kwargs)

    return on_tensors_or_graph


def _holds_symbolic(values):
    for value in values:
        if isinstance(value, KerasTensor):
            return True
        if isinstance(value, (list, tuple)) and _holds_symbolic(value):
            return True
    return False
