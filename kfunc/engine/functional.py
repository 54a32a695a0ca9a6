"""The functional model: a graph of layer calls from ``Input`` tensors to outputs.

``Functional(inputs, outputs)`` walks back from the outputs to find every layer
call in between (see :mod:`kfunc.engine.graph`), checks that the graph makes
sense, and lowers it to torch code (see :mod:`kfunc.engine.lowering`). A model is
itself a layer: calling it on new symbolic tensors adds a node *to the model*,
reusing its layers and their weights; its inner layers gain no node.

``kfunc.Model`` adds training (``compile``, ``fit``, ...) on top of this class.
"""

import numpy as np
import torch

from kfunc._errors import did_you_mean
from kfunc.engine.graph import map_graph
from kfunc.engine.keras_tensor import KerasTensor, is_symbolic
from kfunc.engine.layer import Layer
from kfunc.engine.lowering import lower, unreadable_output
from kfunc.engine.structure import flatten, map_structure, one_or_list


class Functional(Layer):
    """A model defined by its input and output tensors.

    Args:
        inputs: an ``Input`` tensor, or a list or dict of them.
        outputs: a tensor computed from the inputs, or a list or dict of them.
        name: the model's name (``model``, ``model_1``, ... by default).

    Raises:
        ValueError: when the inputs are not ``Input`` tensors, appear twice, or do
            not lead to the outputs; when outputs are not symbolic tensors; when two
            layers share a name.
    """

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        trainable = kwargs.pop("trainable", True)
        super().__init__(name=name, trainable=True, **kwargs)
        self._init_graph(inputs, outputs)
        if not trainable:
            self.trainable = False  # now that the layers are known, freeze them all

    def _init_graph(self, inputs, outputs):
        # 1. remember the structures as given; flatten them for the graph walk
        self._input_structure = _endpoints(inputs, "inputs", self.name)
        self._output_structure = _endpoints(outputs, "outputs", self.name)
        self.inputs, self.outputs = flatten(self._input_structure), flatten(self._output_structure)
        # 2. walk the graph: node order, layer order, connectivity, unique names
        self._nodes, self._layers = map_graph(self.inputs, self.outputs)
        self._network_nodes = {id(n) for n in self._nodes}
        # 3. register the layers as torch submodules, under their names
        self._modules.clear()
        for layer in self._sublayers():
            self._modules[layer.name] = layer
        # 4. lower the graph to one torch program (kept outside torch's submodules: it holds the same layers)
        fx_module = lower(self.inputs, self._output_structure, self._nodes, _class_name(self.name))
        object.__setattr__(self, "_fx", fx_module)
        self.built = True

    # ------------------------------------------------------------- structure

    @property
    def layers(self):
        """The model's layers, deepest (the inputs) first, as Keras orders them."""
        return list(self._layers)

    def _sublayers(self):
        return [layer for layer in self._layers if not layer._inbound_nodes[0].is_input]

    # A model's input and output are those it was built from, as given (a tensor, a list, a dict).
    input = property(lambda self: self._input_structure)
    output = property(lambda self: self._output_structure)

    input_shape = property(lambda self: one_or_list([t.shape for t in self.inputs]))
    output_shape = property(lambda self: one_or_list([t.shape for t in self.outputs]))
    input_names = property(lambda self: [t._keras_history.layer.name for t in self.inputs])

    @property
    def output_names(self):
        """The names of the layers making the outputs, made unique as tf.keras does (``'lstm'``, ``'lstm_1'``)."""
        names, taken, counts = [], set(), {}
        for tensor in self.outputs:
            base = proposal = tensor._keras_history.layer.name
            while proposal in taken:
                counts[base] = counts.get(base, 0) + 1
                proposal = f"{base}_{counts[base]}"
            taken.add(proposal)
            names.append(proposal)
        return names

    def get_layer(self, name=None, index=None):
        """A layer of the model by ``name`` or by position ``index`` in ``model.layers``.

        Raises:
            ValueError: for an unknown name or an index out of range.
        """
        if (name is None) == (index is None):
            raise ValueError("get_layer takes either `name=` or `index=`, exactly one of them.")
        if index is not None:
            if not -len(self._layers) <= index < len(self._layers):
                raise ValueError(
                    f"get_layer(index={index}): model {self.name!r} has only "
                    f"{len(self._layers)} layers (indices 0 to {len(self._layers) - 1})."
                )
            return self._layers[index]
        for layer in self._layers:
            if layer.name == name:
                return layer
        names = [l.name for l in self._layers]
        raise ValueError(f"No such layer: {name!r}.{did_you_mean(name, names)} The model's layers are: {names}.")

    code = property(lambda self: self._fx.code, doc="The generated torch code of the forward pass.")
    graph_module = property(lambda self: self._fx, doc="The ``torch.fx.GraphModule`` that computes the model.")

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False):
        """Print the table of layers, shapes, parameter counts and connections (:func:`kfunc.display.print_summary`)."""
        from kfunc.display import print_summary

        print_summary(self, line_length, positions, print_fn, expand_nested, show_trainable)

    # ------------------------------------------------------------- calling

    def call(self, inputs, training=None, mask=None):
        """Compute the outputs for real inputs: one tensor, a list, or a dict by name."""
        try:  # forward itself: fx's __call__ would print its own report and drop the traceback
            return self._fx.forward(*self._flatten_inputs(inputs))
        except (IndexError, KeyError, TypeError) as err:
            layer = unreadable_output(self._fx, err)
            if layer is None:
                raise
            raise ValueError(
                f"Layer {layer.name!r} ({type(layer).__name__}) returned, on data, tensors nested "
                f"otherwise than when model {self.name!r} was built ({type(err).__name__}: {err}). "
                "A layer must return the same structure (one tensor, or the same lists) on every call."
            ) from err

    def _flatten_inputs(self, inputs):
        n = len(self.inputs)
        if isinstance(inputs, dict):
            missing = [name for name in self.input_names if name not in inputs]
            if missing:
                raise ValueError(
                    f"Model {self.name!r} needs data for the input(s) {missing}; the dict "
                    f"passed has the keys {list(inputs)}. Expected keys: {self.input_names}."
                )
            return [inputs[name] for name in self.input_names]
        if isinstance(inputs, (list, tuple)):
            if len(inputs) != n:
                raise ValueError(
                    f"Model {self.name!r} has {n} input(s) {self.input_names}, but was "
                    f"called on {len(inputs)} tensors."
                )
            return list(inputs)
        if n != 1:
            raise ValueError(
                f"Model {self.name!r} has {n} inputs {self.input_names}, but was called on "
                "a single tensor. Pass a list in that order, or a dict by input name."
            )
        return [inputs]

    def _check_input_shapes(self, input_shape):
        shapes = [input_shape] if isinstance(input_shape, tuple) else self._flatten_inputs(input_shape)
        for expected, shape, name in zip(self.inputs, shapes, self.input_names):
            if isinstance(shape, tuple) and not _compatible(expected.shape, shape):
                raise ValueError(
                    f"Input {name!r} of model {self.name!r} expects shape "
                    f"{expected.shape}, but was called on shape {shape}."
                )

    def compute_output_spec(self, inputs, training=None, mask=None):
        tensors = self._flatten_inputs(inputs)
        if all(is_symbolic(t) and t.shape == x.shape for t, x in zip(tensors, self.inputs)):
            # Same shapes as at construction: the outputs have the construction shapes.
            return map_structure(lambda t: KerasTensor(t.shape, t.dtype), self._output_structure)
        return super().compute_output_spec(inputs)

    # ------------------------------------------------------------- config

    def get_config(self):
        """The architecture as plain data: layers, with the nodes that connect them.

        A tensor is written ``[layer name, node index, tensor index]``; inside a node's
        arguments, ``{'__tensor__': [...]}``.
        """
        ref = lambda t: [t._keras_history.layer.name, *t._keras_history[1:]]  # noqa: E731
        tagged = lambda v: {"__tensor__": ref(v)} if is_symbolic(v) else v  # noqa: E731
        layers = [
            {
                "class_name": type(layer).__name__,
                "name": layer.name,
                "config": layer.get_config(),
                "inbound_nodes": [
                    {"args": map_structure(tagged, list(n.call_args)), "kwargs": map_structure(tagged, n.call_kwargs)}
                    for n in layer._inbound_nodes
                    if id(n) in self._network_nodes and not n.is_input
                ],
            }
            for layer in self._layers
        ]
        return {
            "name": self.name,
            "layers": layers,
            "input_layers": map_structure(ref, self._input_structure),
            "output_layers": map_structure(ref, self._output_structure),
        }


def _class_name(model_name):
    """The generated class's name: ``model_1`` -> ``Model1``."""
    name = "".join(part.capitalize() for part in model_name.replace("-", "_").split("_")) or "Model"
    return name if name.isidentifier() else "Model"


def _compatible(expected, given):
    return len(expected) == len(given) and all(a is None or b is None or a == b for a, b in zip(expected, given))


def _endpoints(structure, which, model_name):
    """``inputs`` or ``outputs`` as given (one tensor, a list, a dict), refused unless they make sense."""
    if structure is None or (isinstance(structure, (list, tuple, dict)) and not structure):
        needed = "the tensor(s) returned by `Input(...)`" if which == "inputs" else "the tensor(s) the model computes"
        raise ValueError(f"Model {model_name!r} needs `{which}`: {needed}.")
    if isinstance(structure, (list, tuple, dict)):
        structure = dict(structure) if isinstance(structure, dict) else list(structure)
    tensors = flatten(structure)
    for i, tensor in enumerate(tensors):
        if not is_symbolic(tensor) and which == "outputs":
            raise ValueError(
                f"Model outputs must be symbolic tensors returned by layers; model {model_name!r} was "
                f"given {_describe(tensor)}. Build the outputs by calling layers on the model's Input tensors."
            )
        if not is_symbolic(tensor):
            raise ValueError(
                f"Model inputs must be tensors returned by `Input(...)`; model {model_name!r} was given "
                f"{_describe(tensor)}."
            )
        if which == "inputs" and not tensor.node.is_input:
            layer = tensor._keras_history.layer
            raise ValueError(
                f"Model inputs must come from `Input(...)`; model {model_name!r} was given the output of "
                f"layer {layer.name!r} ({type(layer).__name__}). Use the Input tensor that this layer's "
                "branch starts from, or start a new model from a new `Input(shape=...)`."
            )
        if which == "inputs" and any(tensor is other for other in tensors[:i]):
            raise ValueError(
                f"The input {tensor.name!r} is given twice to model {model_name!r}. Each input must "
                "appear only once."
            )
    return structure


def _describe(value):
    if isinstance(value, (torch.Tensor, np.ndarray)):
        return f"a {type(value).__name__} of shape {tuple(value.shape)}"
    return f"{type(value).__name__} {value!r}"[:120]
