"""Op layers: operators and ``kfunc.ops`` functions applied to symbolic tensors.

While a model is described, ``x + y``, ``2 * x``, ``x[:, 0]`` or ``K.mean(x, axis=-1)``
have nothing to compute: ``x`` holds no numbers yet. So, as in Keras, each becomes a
layer call of its own, the node of an ``OpLayer``: a layer without weights that keeps
the function (``operator.add``, ``kfunc.ops.mean``) and the arguments that are not
tensors (``2``, ``axis=-1``, a numpy array), and computes the function when the model
runs on data. Its node shows in the graph, the summary and ``model.code`` like any
other (``multiply = self.multiply(dense)``), and it saves: its config names the
function and holds the constants.

Python numbers and numpy arrays are the constants an op may hold. A torch tensor is
refused, because a saved model could not hold it and a trained one would not update
it; and torch or numpy functions cannot run on a symbolic tensor at all. The errors
say what to use instead: ``kfunc.ops`` (``K``) functions, or a ``Lambda`` layer.
"""

__all__ = ["OpLayer"]

import copy
import importlib
import operator

import numpy as np
import torch

from kfunc.engine import naming
from kfunc.engine.dtypes import dtype_name
from kfunc.engine.keras_tensor import is_symbolic
from kfunc.engine.layer import Layer
from kfunc.engine.structure import flatten

_TORCH_CONSTANT = """\
{op} was given a torch tensor of shape {shape} together with the symbolic tensor {tensor}. \
A model under construction keeps only constants it can save and need not train: give \
the values as a numpy array (`t.numpy()`), or, if they are weights to train, compute \
with them in a layer of your own that makes them with `add_weight`."""

_NO_DATA = """\
{function}() was called on the symbolic tensor {tensor}. A symbolic tensor holds no \
numbers yet, so {library} cannot compute with it. While a model is being built, \
{instead}, or put the code in a Lambda layer, which runs it on real tensors later:
    y = Lambda(lambda t: {function}(t))(x)"""

_NOT_A_CONSTANT = """\
{op} was given {value!r} (a {kind}) together with symbolic tensors. An op on symbolic \
tensors keeps numbers, strings, slices and numpy arrays as constants; for anything \
else, compute in a Lambda layer: Lambda(lambda t: ...)(x)."""

_NOT_A_TENSOR = """\
{op} on symbolic tensors gives a {kind}, not a tensor, so it cannot be a node of the \
model (layer {name!r}). For the sizes known now, read `K.int_shape(x)` (None where unknown); \
to compute with the real value, call {op} inside a Lambda layer."""

_UNKNOWN_FUNCTION = """\
An OpLayer records Python's operators and kfunc's own functions, which a saved model \
finds again by name, but got {name!r}. Wrap other functions in a Lambda layer: \
Lambda(lambda t: f(t))(x)."""

# The layer names of Python's operators, as Keras 3 names its ops: `x * 2` is a
# node of the layer 'multiply' (then 'multiply_1', ...).
OPERATOR_NAMES = {
    operator.add: "add", operator.sub: "subtract", operator.mul: "multiply", operator.truediv: "true_divide",
    operator.floordiv: "floor_divide", operator.mod: "mod", operator.pow: "power", operator.matmul: "matmul",
    operator.and_: "logical_and", operator.or_: "logical_or", operator.xor: "logical_xor",
    operator.lt: "less", operator.le: "less_equal", operator.gt: "greater", operator.ge: "greater_equal",
    operator.neg: "negative", operator.abs: "absolute", operator.invert: "logical_not",
    operator.getitem: "get_item",
}

# numpy's functions behind its operators: `np.ones(3) + x` asks x what np.add should do.
_NUMPY_OPERATORS = {
    np.add: operator.add, np.subtract: operator.sub, np.multiply: operator.mul, np.true_divide: operator.truediv,
    np.floor_divide: operator.floordiv, np.remainder: operator.mod, np.power: operator.pow,
    np.matmul: operator.matmul, np.bitwise_and: operator.and_, np.bitwise_or: operator.or_,
    np.bitwise_xor: operator.xor, np.less: operator.lt, np.less_equal: operator.le, np.greater: operator.gt,
    np.greater_equal: operator.ge,
}


class OpLayer(Layer):
    """One function of tensors (an operator, a ``kfunc.ops`` function), as a layer.

    Made by the operators of symbolic tensors and by ``kfunc.ops`` functions called
    on them, not by hand: ``x * 2`` makes ``OpLayer(operator.mul, [{'__input__': 0}, 2])``
    and calls it on ``x``. The layer is called on the symbolic tensors alone, in the order they
    appear in the arguments; the other arguments are its configuration.

    Args:
        function: the function, or its public name (``'operator.mul'``,
            ``'kfunc.ops.mean'``).
        call_args: the positional arguments, each tensor written ``{'__input__': i}``
            (the ``i``-th tensor the layer is called on), tuples, slices and numpy
            arrays in the JSON form of :func:`encode`.
        call_kwargs: the keyword arguments, in the same form.

    Example:
        >>> x = Input(shape=(4,))
        >>> y = x * 2
        >>> y.node.layer.get_config()['call_args']
        [{'__input__': 0}, 2]
    """

    def __init__(self, function, call_args, call_kwargs=None, **kwargs):
        function = _find_function(function) if isinstance(function, str) else function
        if _find_function(public_name(function)) is not function:
            raise ValueError(_UNKNOWN_FUNCTION.format(name=public_name(function)))
        if kwargs.get("name") is None:  # the operator's name, or the function's: 'multiply', 'mean'
            kwargs["name"] = naming.unique_name(OPERATOR_NAMES.get(function, function.__name__))
        super().__init__(**kwargs)
        self.function, self.function_name = function, public_name(function)
        self._call_args, self._call_kwargs = list(call_args), dict(call_kwargs or {})
        # the arguments as the function gets them, each tensor and numpy array a marker
        self._template = (_decode(self._call_args, self), _decode(self._call_kwargs, self))

    def call(self, *inputs):
        args, kwargs = _fill(self._template, inputs, self)
        output = self.function(*args, **kwargs)
        if not all(isinstance(t, torch.Tensor) for t in flatten(output)):
            raise TypeError(_NOT_A_TENSOR.format(op=self.function_name, name=self.name, kind=type(output).__name__))
        return output

    def get_config(self):
        config = super().get_config()
        config.update(function=self.function_name, call_args=copy.deepcopy(self._call_args),
                      call_kwargs=copy.deepcopy(self._call_kwargs))
        return config


# ---------------------------------------------------------------- the points the core calls


def apply(function, args, kwargs):
    """``function(*args, **kwargs)`` on symbolic tensors: a new op layer, called on them.

    Returns:
        The symbolic output(s) of the new node.

    Raises:
        TypeError: for a torch tensor, or a value that cannot be a constant, among the
            arguments.
    """
    values = flatten([list(args), kwargs])
    data = next((v for v in values if isinstance(v, torch.Tensor)), None)
    if data is not None:
        tensor = next(v for v in values if is_symbolic(v))
        raise TypeError(_TORCH_CONSTANT.format(op=public_name(function), shape=tuple(data.shape), tensor=tensor))
    tensors = []
    call_args = encode(list(args), tensors, function)
    call_kwargs = encode(dict(kwargs), tensors, function)
    return OpLayer(function, call_args, call_kwargs)(*tensors)


def torch_function(func, args, kwargs):
    """Raise the TypeError for a torch function called on a symbolic tensor (``torch.exp(x)``)."""
    tensor = next((v for v in flatten([list(args), kwargs]) if is_symbolic(v)), None)
    raise TypeError(_no_data_message(_torch_name(func), "torch", func.__name__, tensor))


def numpy_function(ufunc, method, inputs, kwargs):
    """``array + x`` and its siblings as op nodes; a TypeError for numpy's other functions (``np.exp(x)``)."""
    function = _NUMPY_OPERATORS.get(ufunc)
    if function is None or method != "__call__" or kwargs:
        tensor = next((v for v in inputs if is_symbolic(v)), None)
        raise TypeError(_no_data_message(f"numpy.{ufunc.__name__}", "numpy", ufunc.__name__, tensor))
    return apply(function, inputs, {})


# ---------------------------------------------------------------- functions by name


def public_name(function):
    """The name a saved model finds ``function`` by: ``'operator.add'``, ``'kfunc.ops.mean'``."""
    module = getattr(function, "__module__", None)
    return f"{'operator' if module == '_operator' else module}.{getattr(function, '__name__', function)}"


def _find_function(name):
    """The function a config names; only Python's operators and kfunc's functions are looked up."""
    module, _, attribute = str(name).rpartition(".")
    if module != "operator" and not module.startswith("kfunc."):
        raise ValueError(_UNKNOWN_FUNCTION.format(name=name))
    found = getattr(importlib.import_module(module), attribute, None)
    if not callable(found):
        raise ValueError(_UNKNOWN_FUNCTION.format(name=name))
    return found


def _torch_name(func):
    module = getattr(func, "__module__", None) or "torch.Tensor"
    return f"{module}.{func.__name__}"


def _no_data_message(function, library, name, tensor):
    from kfunc import ops  # the functions to suggest instead

    if name in ops.__all__:
        instead = f"use kfunc.ops.{name}(x) (K.{name} in Keras 2 code), which adds a node to the graph"
    else:
        instead = "use Python's operators and kfunc.ops (K) functions, which add nodes to the graph"
    return _NO_DATA.format(function=function, tensor=tensor, library=library, instead=instead)


# ---------------------------------------------------------------- arguments as JSON data


class _Input:
    """Where the ``index``-th tensor of the call goes."""

    def __init__(self, index):
        self.index = index


class _Constant:
    """Where the layer's buffer ``name`` (a numpy constant, on the layer's device) goes."""

    def __init__(self, name):
        self.name = name


def encode(value, tensors, function):
    """``value`` as JSON data; each symbolic tensor is appended to ``tensors`` and written ``{'__input__': i}``.

    Tuples, slices, ``...`` and numpy arrays are written as tagged dicts
    (``{'__tuple__': [...]}``, ``{'__slice__': [start, stop, step]}``,
    ``{'__ellipsis__': True}``, ``{'__array__': [...], 'dtype': 'float32', 'shape': [...]}``);
    numpy float64 arrays become float32, the dtype kfunc computes in.
    """
    if is_symbolic(value):
        tensors.append(value)
        return {"__input__": len(tensors) - 1}
    if isinstance(value, np.ndarray):
        array = value.astype(np.float32) if value.dtype == np.float64 else value
        return {"__array__": array.tolist(), "dtype": array.dtype.name, "shape": list(array.shape)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        items = [encode(item, tensors, function) for item in value]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        return {key: encode(item, tensors, function) for key, item in value.items()}
    if isinstance(value, slice):
        return {"__slice__": [encode(v, tensors, function) for v in (value.start, value.stop, value.step)]}
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if isinstance(value, torch.dtype):
        return dtype_name(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(_NOT_A_CONSTANT.format(op=public_name(function), value=value, kind=type(value).__name__))


def _decode(value, layer):
    """The arguments :func:`encode` wrote, with markers for tensors; numpy arrays become buffers of ``layer``."""
    if isinstance(value, list):
        return [_decode(item, layer) for item in value]
    if not isinstance(value, dict):
        return value
    if "__input__" in value:
        return _Input(value["__input__"])
    if "__array__" in value:
        name = f"constant_{len(layer._buffers)}"
        array = np.array(value["__array__"], dtype=value["dtype"]).reshape(value["shape"])
        layer.register_buffer(name, torch.from_numpy(array), persistent=False)  # moves with .to(device)
        return _Constant(name)
    if "__tuple__" in value:
        return tuple(_decode(item, layer) for item in value["__tuple__"])
    if "__slice__" in value:
        return slice(*value["__slice__"])
    if "__ellipsis__" in value:
        return Ellipsis
    return {key: _decode(item, layer) for key, item in value.items()}


def _fill(value, inputs, layer):
    """The template with each marker replaced: by its input tensor, or by the constant on the inputs' device."""
    if isinstance(value, _Input):
        return inputs[value.index]
    if isinstance(value, _Constant):
        return getattr(layer, value.name).to(inputs[0].device)
    if isinstance(value, list):
        return [_fill(item, inputs, layer) for item in value]
    if isinstance(value, tuple):
        return tuple(_fill(item, inputs, layer) for item in value)
    if isinstance(value, dict):
        return {key: _fill(item, inputs, layer) for key, item in value.items()}
    return value
