"""The Layer base class: what every layer, and every model, shares.

A layer is a ``torch.nn.Module`` with Keras's manners:

* it has a ``name`` (``dense``, ``dense_1``, ...) and a ``trainable`` switch;
* it makes its weights on its first call, from the shape of what it is called on
  (``build``), with Keras's initializers and in Keras's array layouts;
* called on symbolic tensors it computes nothing: it infers the output shapes and
  records the call as a :class:`~kfunc.engine.node.Node`;
* called on torch tensors (or numpy arrays) it computes (``call``).

Weights made while a model is only being described live on torch's ``meta``
device, which holds shapes but no memory; they get real values (``materialize``)
the first time they are needed: a real call, ``fit``, ``get_weights``, ``.to()``.
So describing even a 160-million-parameter model costs no memory.
"""

import functools

import numpy as np
import torch
from torch import nn

from kfunc import initializers
from kfunc._errors import did_you_mean
from kfunc.engine import naming
from kfunc.engine.keras_tensor import KerasTensor, flatten, is_symbolic
from kfunc.engine.node import Node

# Functions ``(cls, args, kwargs) -> (args, kwargs)`` applied to the arguments of every
# layer constructor before it runs. The legacy module registers its translation of
# Keras 1 spellings here, so that the core itself never mentions old names.
constructor_hooks = []

class NodeAttributeError(AttributeError):
    """An ``AttributeError`` whose message is the whole explanation.

    Python adds "Did you mean: ...?" to attribute errors it can name; for these
    messages, which already say what to use instead, that guess only distracts.
    """

    name = property(lambda self: None, lambda self, value: None)


_BASE_KWARGS = ("name", "trainable", "dtype", "input_shape", "batch_input_shape", "batch_size", "input_dim")


class Layer(nn.Module):
    """Base class of all kfunc layers.

    Subclasses follow one shape: ``__init__`` stores the configuration, ``build``
    makes the weights with :meth:`add_weight`, ``call`` computes on torch tensors,
    ``get_config`` returns the constructor arguments.

    Args:
        name: the layer's name; by default the class name in snake case, numbered
            (``dense``, ``dense_1``, ...).
        trainable: whether ``fit`` updates this layer's weights.
        dtype: the dtype of the weights (``'float32'`` by default).
        input_shape: for the first layer of a ``Sequential`` model, the shape of
            one sample (without the batch dimension).
        batch_input_shape: the same, with the batch dimension.
    """

    def __init_subclass__(cls, **kwargs):
        # Wrap each subclass constructor so that the constructor hooks see the
        # arguments exactly as the user wrote them, once, at the outermost call.
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return

        @functools.wraps(init)
        def __init__(self, *args, **kwargs):
            if constructor_hooks and not self.__dict__.get("_hooks_done"):
                object.__setattr__(self, "_hooks_done", True)
                for hook in constructor_hooks:
                    args, kwargs = hook(type(self), args, kwargs)
            init(self, *args, **kwargs)

        cls.__init__ = __init__

    # Whether integer inputs become floats (the layer's dtype) before ``call``. Layers
    # that compute on floats (Dense, Conv2D, LSTM, ...) set it, so that they take integer
    # features as tf.keras's Dense does; layers that pass ids along (Embedding, Reshape,
    # merges, custom layers) get the integers as they are.
    casts_integer_inputs = False

    def __init__(
        self,
        name=None,
        trainable=True,
        dtype=None,
        input_shape=None,
        batch_input_shape=None,
        batch_size=None,
        input_dim=None,
        **kwargs,
    ):
        if kwargs:
            self._reject_unknown_arguments(kwargs)
        super().__init__()
        if name is not None and (not isinstance(name, str) or not name or "/" in name):
            raise ValueError(
                f"{type(self).__name__}(name={name!r}): a layer name must be a non-empty "
                "string without '/'."
            )
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self._dtype = _dtype_name(dtype) if dtype is not None else "float32"
        self.training = False  # as in Keras, a call outside fit() is inference
        self._inbound_nodes = []
        self._outbound_nodes = []
        self.built = False
        self._weight_names = []  # own weights, in creation order
        self._initializers = {}  # weight name -> initializer, until materialized
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            if isinstance(input_shape, int):
                input_shape = (input_shape,)
            self._batch_input_shape = (batch_size,) + tuple(input_shape)
        else:
            self._batch_input_shape = None

    def _reject_unknown_arguments(self, kwargs):
        import inspect

        allowed = set(_BASE_KWARGS)
        for klass in type(self).__mro__:
            init = klass.__dict__.get("__init__")
            if init is not None and klass is not object:
                params = inspect.signature(inspect.unwrap(init)).parameters
                allowed.update(p for p in params if p not in ("self", "args", "kwargs"))
        name = next(iter(kwargs))
        raise TypeError(
            f"{type(self).__name__}() got an unknown argument {name!r}={kwargs[name]!r}."
            f"{did_you_mean(name, allowed)} Its arguments are: "
            f"{', '.join(sorted(allowed))}."
        )

    # ------------------------------------------------------------------ calling

    def __call__(self, *args, **kwargs):
        """Call the layer: symbolically on symbolic tensors, for real on tensors."""
        first = args[0] if args else None
        if isinstance(first, torch.Tensor):
            return self._call_eager(args, kwargs)
        flat = flatten([list(args), kwargs])
        if any(is_symbolic(t) for t in flat):
            return self._call_symbolic(args, kwargs)
        self._check_real_arguments(args, flat)
        return self._call_eager(*_to_torch(args, kwargs))

    def forward(self, *args, **kwargs):
        return self.call(*args, **kwargs)

    def call(self, inputs, *args, **kwargs):
        """The computation, on torch tensors. Subclasses override it."""
        return inputs

    def _call_eager(self, args, kwargs):
        first = args[0] if args else None
        if self.casts_integer_inputs and isinstance(first, torch.Tensor) and not first.is_floating_point():
            args = (first.to(_DTYPES.get(self._dtype, torch.float32)),) + tuple(args[1:])
        if not self.built:
            self._build_from(args)
        if self._initializers and not _on_meta(args):
            self.materialize()
        try:
            return nn.Module.__call__(self, *args, **kwargs)
        except _TORCH_ERRORS as err:
            if _on_meta(args) or isinstance(err, torch.OutOfMemoryError):
                raise  # shape inference explains it with the symbolic shapes; memory is no mistake
            raise ValueError(_failed_call_message(self, args, err)) from err

    def _call_symbolic(self, args, kwargs):
        # 1. check the arguments: symbolic tensors only, no real data mixed in
        self._check_symbolic_arguments(args, kwargs)
        inputs = args[0] if args else None
        # 2. build the weights on the first call, from the input shapes
        newly_built = not self.built
        if newly_built:
            self._build_from(args)
        # 3. infer the output shapes without computing anything
        try:
            self._check_input_shapes(_shapes_of(inputs))
            outputs = self.compute_output_spec(*args, **kwargs)
        except Exception:
            if newly_built:
                self._unbuild()
            raise
        # 4. record the call as a node of this layer
        Node(self, args, kwargs, outputs)
        return outputs

    def _check_symbolic_arguments(self, args, kwargs):
        for value in flatten([list(args), kwargs]):
            if isinstance(value, Layer):
                raise TypeError(
                    f"Layer {self.name!r} was called on the layer {value.name!r} itself, "
                    f"not on a tensor. Call that layer on a tensor first, e.g. "
                    f"`{value.name}(x)`, and pass its output to {self.name!r}."
                )
            if isinstance(value, (torch.Tensor, np.ndarray)):
                raise TypeError(
                    f"Layer {self.name!r} was called on a mix of symbolic tensors and real "
                    f"data (a {type(value).__name__} of shape {tuple(value.shape)}). While "
                    "a model is being built, pass symbolic tensors only; feed real data "
                    "later with `model(data)` or `model.predict(data)`."
                )

    def _check_real_arguments(self, args, flat):
        for value in flat:
            if isinstance(value, Layer):
                raise TypeError(
                    f"Layer {self.name!r} was called on the layer {value.name!r} itself, "
                    f"not on a tensor. Call that layer on a tensor first, e.g. "
                    f"`{value.name}(x)`, and pass its output to {self.name!r}."
                )
        first = args[0] if args else None
        if first is None:
            raise TypeError(f"Layer {self.name!r} was called without an input. Call it on a tensor: `{self.name}(x)`.")
        if isinstance(first, str):
            raise TypeError(
                f"Layer {self.name!r} was called on the string {first!r}. Layers take tensors: "
                "an `Input(...)` tensor while building a model, or numbers as a numpy array "
                "or torch tensor."
            )
        leaves = flatten(first)
        if any(isinstance(v, (int, float, bool)) for v in leaves):
            raise TypeError(
                f"Layer {self.name!r} was called on a Python {type(first).__name__} of numbers. "
                "Layers take tensors: wrap the numbers in `np.array(...)` (with a batch "
                "dimension first), or build a model from `Input(shape=...)`."
            )
        if not all(isinstance(v, (torch.Tensor, np.ndarray)) for v in leaves):
            kinds = sorted({type(v).__name__ for v in leaves})
            raise TypeError(
                f"Layer {self.name!r} was called on {', '.join(kinds)}; it takes symbolic "
                "tensors (from `Input(...)` or other layers) or real tensors (numpy arrays, "
                "torch tensors)."
            )

    def _build_from(self, args):
        """Run ``build`` once, on the shape of the first argument; undo it if it fails."""
        inputs = args[0] if args else None
        try:
            self.build(_shapes_of(inputs))
        except Exception:
            self._unbuild()
            raise
        self.built = True

    def _unbuild(self):
        for name in self._weight_names:
            self._parameters.pop(name, None)
            self._buffers.pop(name, None)
        self._weight_names.clear()
        self._initializers.clear()
        self.built = False

    def build(self, input_shape):
        """Make the layer's weights for inputs of ``input_shape``. Subclasses override it."""
        self.built = True

    def _check_input_shapes(self, input_shape):
        """Refuse shapes the layer cannot take, with a clear message. Subclasses may override."""

    def compute_output_spec(self, *args, **kwargs):
        """Symbolic outputs for symbolic inputs, found by running on ``meta`` tensors."""
        from kfunc.engine.shape_inference import infer_output_spec

        return infer_output_spec(self, args, kwargs)

    def compute_output_shape(self, input_shape):
        """The output shape for ``input_shape`` (batch dimension ``None`` allowed)."""
        inputs = _symbolic_like(input_shape)
        return _shapes_of(self.compute_output_spec(inputs))

    # ------------------------------------------------------------------ weights

    def add_weight(self, name, shape, initializer="glorot_uniform", trainable=True, dtype=None):
        """Declare a weight of ``shape`` (Keras's layout) and return it.

        The weight lives on the ``meta`` device until :meth:`materialize` draws its
        values from ``initializer``. Trainable weights are parameters; the others
        (moving averages, say) are buffers that ``fit`` does not update directly.
        """
        dtype = _torch_dtype(dtype or self._dtype)
        tensor = torch.empty(tuple(shape), dtype=dtype, device="meta")
        if trainable:
            self.register_parameter(name, nn.Parameter(tensor, requires_grad=self._trainable))
        else:
            self.register_buffer(name, tensor)
        self._weight_names.append(name)
        self._initializers[name] = initializers.get(initializer)
        return getattr(self, name)

    def materialize(self):
        """Give every weight that is still on ``meta`` its initial values."""
        for layer in self._layer_tree():
            for name, initializer in list(layer._initializers.items()):
                old = getattr(layer, name)
                with torch.no_grad():
                    value = initializer(tuple(old.shape), dtype=old.dtype)
                if name in layer._parameters:
                    layer._parameters[name] = nn.Parameter(value, requires_grad=old.requires_grad)
                else:
                    layer._buffers[name] = value
                del layer._initializers[name]
        return self

    @property
    def _is_materialized(self):
        return not any(layer._initializers for layer in self._layer_tree())

    def _layer_tree(self):
        return [m for m in self.modules() if isinstance(m, Layer)]

    def _sublayers(self):
        """Layers this layer holds (a wrapped layer, a model's layers), in order."""
        return [m for m in self.children() if isinstance(m, Layer)]

    def _own_weights(self, trainable):
        out = []
        for name in self._weight_names:
            is_param = name in self._parameters
            if is_param == trainable:
                out.append(getattr(self, name))
        return out

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        for layer in self._layer_tree():
            layer._trainable = bool(value)
            for p in layer._parameters.values():
                if p is not None:
                    p.requires_grad_(bool(value))

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        self.materialize()
        return _unique(self._own_weights(True) + [w for l in self._sublayers() for w in l.trainable_weights])

    @property
    def non_trainable_weights(self):
        self.materialize()
        own = self._own_weights(False)
        if not self.trainable:
            own = self._own_weights(True) + own
        sub = [w for l in self._sublayers() for w in l.non_trainable_weights]
        if not self.trainable:
            sub = [w for l in self._sublayers() for w in l.weights]
        return _unique(own + sub)

    @property
    def weights(self):
        """Trainable weights, then non-trainable ones, as Keras orders them."""
        return _unique(self.trainable_weights + self.non_trainable_weights)

    def get_weights(self):
        """The weights as numpy arrays, in Keras's layouts and order."""
        return [w.detach().cpu().numpy().copy() for w in self.weights]

    def set_weights(self, weights):
        """Set every weight from a list of numpy arrays (Keras's layouts and order).

        Raises:
            ValueError: when the number of arrays or a shape does not match; then no
                weight has been changed.
        """
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(
                f"Layer {self.name!r} has {len(own)} weight(s) "
                f"({', '.join(str(tuple(w.shape)) for w in own) or 'none'}), but "
                f"set_weights received {len(weights)} array(s). Pass a list like the one "
                "`get_weights()` returns."
            )
        arrays = [np.asarray(a) for a in weights]
        for w, a in zip(own, arrays):
            if tuple(w.shape) != tuple(a.shape):
                raise ValueError(
                    f"Layer {self.name!r}: a weight of shape {tuple(w.shape)} was given an "
                    f"array of shape {tuple(a.shape)}. No weight was changed."
                )
        with torch.no_grad():
            for w, a in zip(own, arrays):
                w.copy_(torch.as_tensor(a, dtype=w.dtype))

    def count_params(self):
        """The number of scalars in the weights (shared weights counted once)."""
        if not self.built:
            raise ValueError(
                f"Layer {self.name!r} has no weights yet: it is built on its first call. "
                "Call it on an input (or give the model an input shape) first."
            )
        seen, total = set(), 0
        for layer in self._layer_tree():
            for name in layer._weight_names:
                w = getattr(layer, name)
                if id(w) not in seen:
                    seen.add(id(w))
                    total += w.numel()
        return total

    # The torch views of the weights make sure they hold real values first.
    def parameters(self, recurse=True):
        self.materialize()
        return super().parameters(recurse)

    def named_parameters(self, *args, **kwargs):
        self.materialize()
        return super().named_parameters(*args, **kwargs)

    def state_dict(self, *args, **kwargs):
        self.materialize()
        return super().state_dict(*args, **kwargs)

    def load_state_dict(self, *args, **kwargs):
        self.materialize()
        return super().load_state_dict(*args, **kwargs)

    def _apply(self, fn, *args, **kwargs):
        self.materialize()
        return super()._apply(fn, *args, **kwargs)

    # ------------------------------------------------------------------ config

    def get_config(self):
        """The constructor arguments that rebuild this layer (without weights)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    @property
    def dtype(self):
        return self._dtype

    # ------------------------------------------------------------------ nodes

    def _node_at(self, node_index, what):
        if not self._inbound_nodes:
            raise RuntimeError(
                f"The layer {self.name!r} has never been called, so it has no {what} yet. "
                f"Call it on a tensor first, e.g. `y = {self.name}(x)`."
            )
        if not isinstance(node_index, int) or not 0 <= node_index < len(self._inbound_nodes):
            n = len(self._inbound_nodes)
            raise ValueError(
                f"Asked for the {what} at node {node_index}, but layer {self.name!r} has "
                f"only {n} inbound node{'s' if n != 1 else ''} (valid indices: 0 to {n - 1}). "
                "Each call of a layer adds one node."
            )
        return self._inbound_nodes[node_index]

    def get_input_at(self, node_index):
        """The input tensor(s) of the ``node_index``-th call of this layer."""
        return _unpack(_node_inputs(self._node_at(node_index, "input")))

    def get_output_at(self, node_index):
        """The output tensor(s) of the ``node_index``-th call of this layer."""
        return _unpack(self._node_at(node_index, "output").outputs)

    def get_input_shape_at(self, node_index):
        """The input shape(s) seen by the ``node_index``-th call of this layer."""
        return _unpack([t.shape for t in _node_inputs(self._node_at(node_index, "input shape"))])

    def get_output_shape_at(self, node_index):
        """The output shape(s) made by the ``node_index``-th call of this layer."""
        return _unpack([t.shape for t in self._node_at(node_index, "output shape").outputs])

    def _single_node(self, what, accessor):
        if not self._inbound_nodes:
            raise NodeAttributeError(
                f"Layer {self.name} has never been called, so it has no {what} yet. "
                f"Call it on a tensor first, e.g. `y = {self.name}(x)`."
            )
        if len(self._inbound_nodes) > 1:
            n = len(self._inbound_nodes)
            raise NodeAttributeError(
                f'Layer {self.name} has multiple inbound nodes, hence the notion of '
                f'"layer {what}" is ill-defined. Use `{accessor}(node_index)` instead. '
                f"({self.name} has been called {n} times, so it has {n} nodes, "
                f"indexed 0 to {n - 1}.)"
            )
        return self._inbound_nodes[0]

    @property
    def input(self):
        """The input of the layer's only call (an error if it was called several times)."""
        return _unpack(_node_inputs(self._single_node("input", "get_input_at")))

    @property
    def output(self):
        """The output of the layer's only call (an error if it was called several times)."""
        return _unpack(self._single_node("output", "get_output_at").outputs)

    def _agreed_shape(self, what, accessor, shapes_of_node):
        if not self._inbound_nodes:
            raise NodeAttributeError(
                f"Layer {self.name} has never been called, so it has no {what} yet. "
                f"Call it on a tensor first, e.g. `y = {self.name}(x)`."
            )
        shapes = {repr(shapes_of_node(node)): shapes_of_node(node) for node in self._inbound_nodes}
        if len(shapes) > 1:
            raise NodeAttributeError(
                f'The layer "{self.name}" has multiple inbound nodes with different {what}s, '
                f'hence the notion of "{what}" is ill-defined for the layer. '
                f"Use `{accessor}(node_index)` instead (nodes 0 to "
                f"{len(self._inbound_nodes) - 1})."
            )
        return _unpack(next(iter(shapes.values())))

    @property
    def input_shape(self):
        """The input shape, while every call of the layer saw the same one."""
        return self._agreed_shape(
            "input shape", "get_input_shape_at", lambda n: [t.shape for t in _node_inputs(n)]
        )

    @property
    def output_shape(self):
        """The output shape, while every call of the layer made the same one."""
        return self._agreed_shape(
            "output shape", "get_output_shape_at", lambda n: [t.shape for t in n.outputs]
        )

    @property
    def inbound_nodes(self):
        return list(self._inbound_nodes)

    @property
    def outbound_nodes(self):
        return list(self._outbound_nodes)

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            prop = getattr(type(self), name, None)
            if not isinstance(prop, property):
                raise
        # A property that raised AttributeError lands here; re-run it (outside the `except`,
        # so that its own explanation reaches the user alone, not chained to torch's one).
        return prop.fget(self)

    # ------------------------------------------------------------------ display

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        from kfunc.display import layer_mimebundle

        return layer_mimebundle(self)


# ---------------------------------------------------------------------- helpers


# Errors torch raises from inside a layer's computation on data that the symbolic
# shapes could not rule out (integers fed to a float layer, a sequence too short for
# a convolution): the layer call turns them into a ValueError naming the layer.
_TORCH_ERRORS = (RuntimeError, NotImplementedError, IndexError)


def _failed_call_message(layer, args, err):
    tensors = [t for t in flatten(list(args)) if isinstance(t, torch.Tensor)]
    described = ", ".join(f"shape {tuple(t.shape)} ({_dtype_name(t.dtype)})" for t in tensors) or "no tensor"
    hint = ""
    if any(not (t.is_floating_point() or t.is_complex()) for t in tensors):
        hint = (
            " It was given integers: apart from Embedding, layers compute on floats. Feed float "
            "data (`x.astype('float32')`), or turn ids into vectors with an Embedding first."
        )
    reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return (
        f"Layer {layer.name!r} ({type(layer).__name__}) failed on its input: {described}.{hint} "
        f"Torch reported: {reason}"
    )


def _node_inputs(node):
    # An Input's node has no inputs; Keras reports its tensor as both input and output.
    return node.outputs if node.is_input else node.input_tensors


def _unpack(items):
    return items[0] if len(items) == 1 else list(items)


def _unique(tensors):
    seen, out = set(), []
    for t in tensors:
        if id(t) not in seen:
            seen.add(id(t))
            out.append(t)
    return out


def _shapes_of(structure):
    """The shape structure of a (nested) structure of tensors."""
    if isinstance(structure, (list, tuple)):
        return [_shapes_of(s) for s in structure]
    if isinstance(structure, dict):
        return {k: _shapes_of(v) for k, v in structure.items()}
    if isinstance(structure, KerasTensor):
        return structure.shape
    if isinstance(structure, (torch.Tensor, np.ndarray)):
        return tuple(structure.shape)
    return None


def _symbolic_like(shape):
    if isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple)):
        return [_symbolic_like(s) for s in shape]
    return KerasTensor(shape)


def _on_meta(args):
    first = args[0] if args else None
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    return isinstance(first, torch.Tensor) and first.is_meta


def _to_torch(args, kwargs):
    """Numpy arrays (and lists of them) become torch tensors for an eager call."""

    def convert(x):
        if isinstance(x, np.ndarray):
            t = torch.from_numpy(np.ascontiguousarray(x))
            return t.float() if t.dtype == torch.float64 else t
        if isinstance(x, list):
            return [convert(v) for v in x]
        if isinstance(x, tuple):
            return tuple(convert(v) for v in x)
        if isinstance(x, dict):
            return {k: convert(v) for k, v in x.items()}
        return x

    return convert(args), kwargs


_DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "int32": torch.int32,
    "int64": torch.int64,
    "int16": torch.int16,
    "int8": torch.int8,
    "uint8": torch.uint8,
    "bool": torch.bool,
}


def _torch_dtype(name):
    if isinstance(name, torch.dtype):
        return name
    key = _dtype_name(name)
    if key not in _DTYPES:
        raise ValueError(f"Unknown dtype {name!r}.{did_you_mean(key, _DTYPES)} Valid dtypes: {', '.join(_DTYPES)}.")
    return _DTYPES[key]


def _dtype_name(dtype):
    """``torch.float32``, ``np.float32`` or ``'float32'`` -> ``'float32'``."""
    if isinstance(dtype, torch.dtype):
        return str(dtype).replace("torch.", "")
    if isinstance(dtype, str):
        return dtype
    try:
        return np.dtype(dtype).name
    except TypeError:
        return str(dtype)
