"""Symbolic tensors: the values that flow between layers while a model is built.

A symbolic tensor holds no numbers. It records a shape (with ``None`` for sizes not
known yet, such as the batch), a dtype, a name, and where it came from: the
``_keras_history`` triple ``(layer, node_index, tensor_index)`` says which call of
which layer produced it, and which of that call's outputs it is. Following those
triples backwards from a model's outputs is how a model finds its graph.

Operators and indexing record what they do: ``x * 2`` and ``x[:, 0]`` add a node to the
graph (:mod:`kfunc.layers.op_layer`). ``==`` and ``!=`` compare identities, as in Keras 3,
so that symbolic tensors can be found in lists and dicts.
"""

import operator
from collections import namedtuple

from kfunc.engine import hooks


class KerasTensor:
    """A placeholder for a tensor in a model under construction.

    Args:
        shape: tuple of ints or ``None``, the batch dimension first.
        dtype: a dtype name such as ``'float32'`` or ``'int32'``.
        name: a readable name (Inputs carry their layer's name).

    Example:
        >>> x = kfunc.Input(shape=(784,))
        >>> x.shape
        (None, 784)
        >>> x._keras_history.layer.name
        'input_1'
    """

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.name = name
        self._keras_history = None
        self._keras_mask = None  # a symbolic boolean tensor where steps are padding (kfunc.engine.masking)

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def node(self):
        """The node (layer call) that produced this tensor."""
        layer, node_index, _ = self._keras_history
        return layer._inbound_nodes[node_index]

    def __repr__(self):
        where = ""
        if self._keras_history is not None:
            layer, node_index, tensor_index = self._keras_history
            where = f", from {layer.name!r} node {node_index} tensor {tensor_index}"
        return f"<KerasTensor shape={self.shape} dtype={self.dtype}{where}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        from kfunc.display import tensor_mimebundle  # IPython's rich display, on demand

        return tensor_mimebundle(self)

    def __len__(self):
        raise TypeError(
            f"A symbolic tensor has no length: {self!r} holds no data yet. "
            "Use `.shape` to see its dimensions."
        )

    def __iter__(self):
        raise TypeError(
            f"A symbolic tensor cannot be iterated: {self!r} holds no data yet. "
            "If a layer returned several tensors, it returns a list you can unpack."
        )

    def __bool__(self):
        raise TypeError(
            f"A symbolic tensor has no truth value: {self!r} holds no data yet. "
            "Compare shapes (`x.shape == y.shape`) or identities (`x is y`) instead."
        )

    __hash__ = object.__hash__

    # torch and numpy ask a symbolic tensor what to do with it: numpy's operators
    # (`array + x`) make nodes; torch.exp(x), np.exp(x) and np.asarray(x) get errors that teach.
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return hooks.operations.torch_function(func, args, kwargs or {})

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return hooks.operations.numpy_function(ufunc, method, inputs, kwargs)

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"A symbolic tensor cannot become a numpy array: {self!r} holds no data yet. "
                        "Compute with kfunc.ops (K) functions, or with numpy inside a Lambda layer.")


def _operator_method(function, reflected=False):
    if reflected:  # `2 - x` calls x.__rsub__(2): the operands keep their order in the node
        return lambda self, other: hooks.operations.apply(function, (other, self), {})
    return lambda self, *others: hooks.operations.apply(function, (self, *others), {})


# x.__add__(y) records operator.add(x, y), y.__radd__(x) the same; comparisons need no
# reflected forms (Python turns `2 < x` into `x > 2`), nor do unary operators and indexing.
_BINARY = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
           "floordiv": operator.floordiv, "mod": operator.mod, "pow": operator.pow, "matmul": operator.matmul,
           "and": operator.and_, "or": operator.or_, "xor": operator.xor}
_OTHERS = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge, "neg": operator.neg,
           "abs": operator.abs, "invert": operator.invert, "getitem": operator.getitem}
for _name, _function in _BINARY.items():
    setattr(KerasTensor, f"__{_name}__", _operator_method(_function))
    setattr(KerasTensor, f"__r{_name}__", _operator_method(_function, reflected=True))
for _name, _function in _OTHERS.items():
    setattr(KerasTensor, f"__{_name}__", _operator_method(_function))


class KerasHistory(namedtuple("KerasHistory", "layer node_index tensor_index")):
    """``(layer, node_index, tensor_index)``: which call of which layer made a tensor, and which of its outputs it is."""

    __slots__ = ()

    def __repr__(self):
        return f"KerasHistory(layer={self.layer.name!r}, node_index={self.node_index}, tensor_index={self.tensor_index})"


def is_symbolic(x):
    """Whether ``x`` is a symbolic tensor (rather than data, or anything else)."""
    return isinstance(x, KerasTensor)
