"""The Layer base class: what every layer, and every model, shares.

A layer is a ``torch.nn.Module`` with Keras's manners. It has a ``name`` and a
configuration that rebuilds it; it makes its weights on its first call, from the
shape of what it is called on (see :mod:`kfunc.engine.weights`). Called on symbolic
tensors it computes nothing: it infers the output shapes and records the call as a
:class:`~kfunc.engine.node.Node` (``__call__`` below is that lesson, step by step).
Called on data it computes (``call``). It answers what each of its calls saw:
``get_output_at(i)``, ``.output``, ...
"""

import functools

import numpy as np
import torch
from torch import nn

from kfunc._errors import nodes as nodes_errors
from kfunc._errors.arguments import (
    TORCH_ERRORS, accepted_call_keywords, check_data_call, check_layer_name, check_symbolic_call, failed_call_message,
    check_config_complete, parameter_names, reject_unknown_arguments, takes_keyword,
)
from kfunc._errors.nodes import NodeAttributeError
from kfunc.added_losses import AddedLosses
from kfunc.engine import hooks, masking, naming
from kfunc.engine.dtypes import DTYPES, dtype_name
from kfunc.engine.keras_tensor import KerasTensor, is_symbolic
from kfunc.engine.node import Node
from kfunc.engine.shape_inference import infer_output_spec
from kfunc.engine.structure import flatten, map_structure, one_or_list, shapes_of
from kfunc.engine.weights import Weights

__all__ = ["Layer", "NodeAttributeError"]


class Layer(AddedLosses, Weights, nn.Module):
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
        activity_regularizer: a penalty on the layer's outputs, added to the
            training loss (see :mod:`kfunc.added_losses`, which also gives
            ``add_loss``, ``add_metric`` and ``losses``).
    """

    # Whether integer inputs become floats (the layer's dtype) before ``call``. Layers
    # that compute on floats (Dense, Conv2D, LSTM, ...) set it, so that they take integer
    # features as tf.keras's Dense does; layers that pass ids along (Embedding, Reshape,
    # merges, custom layers) get the integers as they are.
    casts_integer_inputs = False

    # Whether the layer keeps the steps of its input, so that the input's mask holds for
    # its output too (see kfunc.engine.masking). Layers that do set it.
    supports_masking = False

    # What the layer takes: a kfunc.layers.InputSpec (or one per input), checked first at every call.
    input_spec = None

    def __init_subclass__(cls, **kwargs):
        # Each constructor is wrapped, so that keyword arguments that no constructor of
        # the class takes go to the spellings point (kfunc.engine.hooks) first: once,
        # at the outermost constructor, as the user wrote them.
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return

        @functools.wraps(init)
        def __init__(self, *args, **kwargs):
            if type(self).__init__ is __init__ and not kwargs.keys() <= parameter_names(type(self)):
                args, kwargs = hooks.spellings.layer_arguments(type(self), args, kwargs)
            init(self, *args, **kwargs)

        cls.__init__ = __init__

    def __init__(self, name=None, trainable=True, dtype=None, input_shape=None, batch_input_shape=None,
                 batch_size=None, input_dim=None, activity_regularizer=None, **kwargs):
        if kwargs:
            reject_unknown_arguments(type(self), kwargs)
        super().__init__(trainable, activity_regularizer)  # AddedLosses, Weights, then torch.nn.Module
        check_layer_name(type(self), name)
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self._dtype = dtype_name(dtype) if dtype is not None else "float32"
        self.training = False  # as in Keras, a call outside fit() is inference
        self._inbound_nodes = []
        self._outbound_nodes = []
        self.built = False
        input_shape = (input_dim,) if input_dim is not None and input_shape is None else input_shape
        if batch_input_shape is None and input_shape is not None:  # the first layer of a Sequential
            batch_input_shape = (batch_size,) + ((input_shape,) if isinstance(input_shape, int) else tuple(input_shape))
        self._batch_input_shape = tuple(batch_input_shape) if batch_input_shape is not None else None

    # ------------------------------------------------------------------ calling

    def __call__(self, *args, **kwargs):
        """Call the layer: on data it computes, on symbolic tensors it records a node."""
        if kwargs:
            kwargs = accepted_call_keywords(self, kwargs)
        first = args[0] if args else None
        if isinstance(first, torch.Tensor):
            return self._call_on_data(args, kwargs)
        values = flatten([args, kwargs])
        if not any(map(is_symbolic, values)):
            check_data_call(self, args, values)
            return self._call_on_data(map_structure(_as_torch, args), kwargs)
        # 1. check the arguments: symbolic tensors only, no real data mixed in, as input_spec says
        check_symbolic_call(self, values)
        if self.input_spec is not None:
            self._check_input_spec(first)
        # 2. build the weights on the first call, from the input shapes
        newly_built = not self.built
        if newly_built:
            self._build_from(args)
        # 3. infer the output shapes without computing anything
        try:
            self._check_input_shapes(shapes_of(first))
            outputs = self.compute_output_spec(*args, **kwargs)
            if type(self).compute_mask is Layer.compute_mask:  # the default rule needs no run
                masking.attach(outputs, self.compute_mask(first, masking.mask_of(first)))
        except Exception:
            if newly_built:
                self._unbuild()
            raise
        # 4. record the call as a node of this layer
        Node(self, args, kwargs, outputs)
        return outputs

    def _call_on_data(self, args, kwargs):
        """Compute on torch tensors; build the layer and give its weights values first if needed."""
        first = args[0] if args else None
        if self.input_spec is not None:
            self._check_input_spec(first)
        if self.casts_integer_inputs and isinstance(first, torch.Tensor) and not first.is_floating_point():
            args = (first.to(DTYPES.get(self._dtype, torch.float32)),) + tuple(args[1:])
        if not self.built:
            self._build_from(args)
        if self._initializers and not _on_meta(first):  # shape inference needs no values
            self.materialize()
        mask = masking.mask_of(first)
        if mask is not None and "mask" not in kwargs and takes_keyword(type(self), "mask"):
            kwargs = {**kwargs, "mask": mask}
        try:
            if (self._forward_hooks or self._forward_pre_hooks or self._backward_hooks or self._backward_pre_hooks
                    or _torch_hooks_anywhere()):
                outputs = nn.Module.__call__(self, *args, **kwargs)
            else:  # what torch's __call__ does without hooks, minus its bookkeeping
                outputs = self.forward(*args, **kwargs)
        except TORCH_ERRORS as err:
            if _on_meta(first) or isinstance(err, torch.OutOfMemoryError):
                raise  # shape inference explains it with the symbolic shapes; memory is no mistake
            raise ValueError(failed_call_message(self, args, err)) from err
        if mask is not None or type(self).compute_mask is not Layer.compute_mask:
            masking.attach(outputs, self.compute_mask(first, kwargs.get("mask", mask)))
        return outputs

    def forward(self, *args, **kwargs):
        if self._call_losses:
            self._call_losses.clear()  # what `add_loss` added in the previous call (kfunc.added_losses)
        outputs = self.call(*args, **kwargs)
        if self.activity_regularizer is not None:
            self._add_activity_penalty(outputs)
        return outputs

    def call(self, inputs, *args, **kwargs):
        """The computation, on torch tensors. Subclasses override it."""
        return inputs

    def _build_from(self, args):
        """Run ``build`` once, on the shape of the first argument; undo it if it fails."""
        try:
            self.build(shapes_of(args[0] if args else None))
        except Exception:
            self._unbuild()
            raise
        self.built = True

    def build(self, input_shape):
        """Make the layer's weights for inputs of ``input_shape``. Subclasses override it."""
        self.built = True

    def _check_input_shapes(self, input_shape):
        """Refuse shapes the layer cannot take, with a clear message. Subclasses may override."""

    def _check_input_spec(self, inputs):
        """Refuse inputs that the layer's ``input_spec`` does not admit (one spec per input, or None)."""
        specs = self.input_spec if isinstance(self.input_spec, (list, tuple)) else [self.input_spec]
        tensors = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        for index, (spec, tensor) in enumerate(zip(specs, tensors)):
            if spec is not None:
                spec.check(self, index, tuple(tensor.shape), dtype_name(tensor.dtype))

    def compute_mask(self, inputs, mask=None):
        """The mask of the output: the input's for a layer that ``supports_masking``, else None."""
        return mask if self.supports_masking else None

    def compute_output_spec(self, *args, **kwargs):
        """Symbolic outputs for symbolic inputs, found by running on ``meta`` tensors."""
        return infer_output_spec(self, args, kwargs)

    def compute_output_shape(self, input_shape):
        """The output shape for ``input_shape`` (batch dimension ``None`` allowed)."""
        several = isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple))
        inputs = [KerasTensor(s) for s in input_shape] if several else KerasTensor(input_shape)
        return shapes_of(self.compute_output_spec(inputs))

    # ------------------------------------------------------------------ config

    def get_config(self):
        """The constructor arguments that rebuild this layer (without weights)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        config.update(self._losses_config())
        return config

    @classmethod
    def from_config(cls, config):
        check_config_complete(cls, config)
        return cls(**config)

    dtype = property(lambda self: self._dtype, doc="The dtype of the layer's weights, by name.")

    # ------------------------------------------------------------------ nodes

    def _node_attribute(self, what, node_index=None):
        """What the call ``node_index`` saw: its ``'input'``, ``'output'``, their ``shape`` or ``mask``.

        Without a ``node_index``, the layer's own, as Keras defines it: that of its only
        call for tensors and masks, the one all its calls agree on for shapes.
        """
        nodes, read, n = self._inbound_nodes, _NODE_ATTRIBUTES[what], len(self._inbound_nodes)
        if not nodes:
            raise nodes_errors.never_called(self, what)
        if node_index is not None:
            if not isinstance(node_index, int) or not 0 <= node_index < n:
                raise nodes_errors.no_such_node(self, what, node_index)
            return read(nodes[node_index])
        if "shape" not in what:
            if n > 1:  # which call's tensor (or mask)? Keras refuses to choose
                raise nodes_errors.ill_defined(self, what)
            return read(nodes[0])
        values = {repr(value): value for value in map(read, nodes)}
        if len(values) > 1:  # shapes: defined when every call agrees
            raise nodes_errors.shapes_differ(self, what)
        return next(iter(values.values()))

    # Keras's node accessors: what call ``node_index`` of the layer saw.
    def get_input_at(self, node_index):
        return self._node_attribute("input", node_index)

    def get_output_at(self, node_index):
        return self._node_attribute("output", node_index)

    def get_input_shape_at(self, node_index):
        return self._node_attribute("input shape", node_index)

    def get_output_shape_at(self, node_index):
        return self._node_attribute("output shape", node_index)

    def get_input_mask_at(self, node_index):
        return self._node_attribute("input mask", node_index)

    def get_output_mask_at(self, node_index):
        return self._node_attribute("output mask", node_index)

    # The same for the layer's only call (tensors), or agreed on by all its calls (shapes).
    input = property(lambda self: self._node_attribute("input"))
    output = property(lambda self: self._node_attribute("output"))
    input_shape = property(lambda self: self._node_attribute("input shape"))
    output_shape = property(lambda self: self._node_attribute("output shape"))
    input_mask = property(lambda self: self._node_attribute("input mask"))
    output_mask = property(lambda self: self._node_attribute("output mask"))
    inbound_nodes = property(lambda self: list(self._inbound_nodes))
    outbound_nodes = property(lambda self: list(self._outbound_nodes))

    def __getattr__(self, name):
        # Python comes here when the usual lookup fails: for torch's parameters and
        # submodules, for a property that raised AttributeError, for an unknown name.
        parameters = self.__dict__.get("_parameters")
        if parameters is not None and name in parameters:  # the common case first: a weight
            return parameters[name]
        try:
            return super().__getattr__(name)
        except AttributeError:
            found = getattr(type(self), name, None)
            if not isinstance(found, property):
                found = None if name.startswith("_") else hooks.spellings.old_method(self, name)
            if found is None:
                raise
        # Outside the `except`, so that torch's message is not chained to the answer: a
        # property runs again to raise its own explanation; an old method is returned.
        return found.fget(self) if isinstance(found, property) else found

    # ------------------------------------------------------------------ display

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        from kfunc.display import layer_mimebundle  # IPython's rich display, on demand

        return layer_mimebundle(self)


# What a node saw, as the accessors above report it. An Input's node has no inputs:
# Keras reports its tensor as both its input and its output.
_NODE_ATTRIBUTES = {
    "input": lambda node: one_or_list(node.input_tensors or node.outputs),
    "output": lambda node: one_or_list(node.outputs),
    "input shape": lambda node: one_or_list([t.shape for t in node.input_tensors or node.outputs]),
    "output shape": lambda node: one_or_list([t.shape for t in node.outputs]),
    "input mask": lambda node: one_or_list([t._keras_mask for t in node.input_tensors or node.outputs]),
    "output mask": lambda node: one_or_list([t._keras_mask for t in node.outputs]),
}


# torch's hooks on every module: dicts that torch fills in place when one is registered.
_GLOBAL_TORCH_HOOKS = (nn.modules.module._global_forward_hooks, nn.modules.module._global_forward_pre_hooks,
                       nn.modules.module._global_backward_hooks, nn.modules.module._global_backward_pre_hooks)


def _torch_hooks_anywhere():
    """Whether torch hooks are set on all modules, or torch.jit is tracing: then torch's own call runs."""
    return any(_GLOBAL_TORCH_HOOKS) or torch._C._get_tracing_state() is not None


def _as_torch(value):
    """A numpy array as a torch tensor (float64 data as float32, Keras's default); anything else as it is."""
    if isinstance(value, np.ndarray):
        tensor = torch.from_numpy(np.ascontiguousarray(value))
        return tensor.float() if tensor.dtype == torch.float64 else tensor
    return value


def _on_meta(inputs):
    """Whether the (first) input is a meta stand-in: shape inference is running the layer."""
    first = flatten(inputs)[:1]
    return bool(first) and isinstance(first[0], torch.Tensor) and first[0].is_meta
