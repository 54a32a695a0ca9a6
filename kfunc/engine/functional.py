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

from kfunc.engine.graph import map_graph
from kfunc.engine.keras_tensor import KerasTensor, flatten, is_symbolic
from kfunc.engine.layer import Layer
from kfunc.engine.lowering import lower


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
            self.trainable = False

    def _init_graph(self, inputs, outputs):
        # 1. remember the structures as given; flatten them for the graph walk
        self._input_structure = _check_inputs(inputs, self.name)
        self._output_structure = _check_outputs(outputs, self.name)
        self.inputs = flatten(self._input_structure)
        self.outputs = flatten(self._output_structure)
        # 2. walk the graph: node order, layer order, connectivity, unique names
        nodes, layers = map_graph(self.inputs, self.outputs)
        self._nodes = nodes
        self._network_nodes = {id(n) for n in nodes}
        self._layers = layers
        # 3. register the layers as torch submodules, under their names
        self._modules.clear()
        for layer in layers:
            if not _is_input_layer(layer):
                self._modules[layer.name] = layer
        # 4. lower the graph to one torch program
        object.__setattr__(self, "_fx", lower(self.inputs, self._output_structure, nodes, _class_name(self)))
        self.built = True

    # ------------------------------------------------------------- structure

    @property
    def layers(self):
        """The model's layers, deepest (the inputs) first, as Keras orders them."""
        return list(self._layers)

    @property
    def input(self):
        """The tensor(s) the model was built from (a dict or list if given so)."""
        return self._input_structure

    @property
    def output(self):
        """The tensor(s) the model was built to compute."""
        return self._output_structure

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def input_names(self):
        return [t._keras_history.layer.name for t in self.inputs]

    @property
    def output_names(self):
        """The names of the layers making the outputs; made unique as tf.keras does.

        Two outputs made by the same layer (two calls of a shared layer, or a layer
        with several outputs) are ``'name'`` and ``'name_1'``, so that each output has
        its own key in the dicts of targets, losses and metrics.
        """
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
        from kfunc._errors import did_you_mean

        names = [l.name for l in self._layers]
        raise ValueError(f"No such layer: {name!r}.{did_you_mean(name, names)} The model's layers are: {names}.")

    @property
    def code(self):
        """The generated torch code of the forward pass, as Python source."""
        return self._fx.code

    @property
    def graph_module(self):
        """The ``torch.fx.GraphModule`` that computes the model."""
        return self._fx

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False):
        """Print the table of layers, output shapes, parameter counts and connections.

        See :func:`kfunc.display.print_summary` for the arguments.
        """
        from kfunc.display import print_summary

        print_summary(self, line_length, positions, print_fn, expand_nested, show_trainable)

    def _sublayers(self):
        return [l for l in self._layers if not _is_input_layer(l)]

    # ------------------------------------------------------------- calling

    def call(self, inputs, training=None, mask=None):
        """Compute the outputs for real inputs: one tensor, a list, or a dict by name."""
        return self._fx(*self._flatten_inputs(inputs))

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
        given = flatten(input_shape) if isinstance(input_shape, (list, dict)) else [input_shape]
        if len(given) == len(self.inputs) and all(
            isinstance(s, tuple) for s in given
        ):
            for expected, shape, name in zip(self.inputs, given, self.input_names):
                if not _shapes_compatible(expected.shape, shape):
                    raise ValueError(
                        f"Input {name!r} of model {self.name!r} expects shape "
                        f"{expected.shape}, but was called on shape {shape}."
                    )

    def compute_output_spec(self, inputs, training=None, mask=None):
        tensors = self._flatten_inputs(inputs)
        if all(is_symbolic(t) and t.shape == x.shape for t, x in zip(tensors, self.inputs)):
            # Same shapes as at construction: the outputs have the construction shapes.
            return _fresh_like(self._output_structure)
        return super().compute_output_spec(inputs)

    # ------------------------------------------------------------- config

    def get_config(self):
        """The architecture as plain data: layers, with the nodes that connect them."""
        layer_configs = []
        for layer in self._layers:
            nodes = []
            for node in layer._inbound_nodes:
                if id(node) not in self._network_nodes or node.is_input:
                    continue
                nodes.append(_node_config(node))
            layer_configs.append(
                {
                    "class_name": type(layer).__name__,
                    "name": layer.name,
                    "config": layer.get_config(),
                    "inbound_nodes": nodes,
                }
            )
        return {
            "name": self.name,
            "layers": layer_configs,
            "input_layers": _structure_refs(self._input_structure),
            "output_layers": _structure_refs(self._output_structure),
        }


def _node_index_in_model(tensor):
    return tensor._keras_history.node_index


def _ref(tensor):
    layer, node_index, tensor_index = tensor._keras_history
    return [layer.name, node_index, tensor_index]


def _structure_refs(structure):
    if isinstance(structure, dict):
        return {k: _ref(v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_ref(v) for v in structure]
    return _ref(structure)


def _node_config(node):
    def encode(value):
        if is_symbolic(value):
            return {"__tensor__": _ref(value)}
        if isinstance(value, (list, tuple)):
            return [encode(v) for v in value]
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        return value

    return {"args": encode(list(node.call_args)), "kwargs": encode(node.call_kwargs)}


def _is_input_layer(layer):
    from kfunc.engine.input_layer import InputLayer

    return isinstance(layer, InputLayer)


def _class_name(model):
    name = "".join(part.capitalize() for part in model.name.replace("-", "_").split("_")) or "Model"
    return name if name.isidentifier() else "Model"


def _shapes_compatible(expected, given):
    if len(expected) != len(given):
        return False
    return all(a is None or b is None or a == b for a, b in zip(expected, given))


def _fresh_like(structure):
    if isinstance(structure, dict):
        return {k: _fresh_like(v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_fresh_like(v) for v in structure]
    return KerasTensor(structure.shape, structure.dtype)


def _describe(value):
    if isinstance(value, (torch.Tensor, np.ndarray)):
        return f"a {type(value).__name__} of shape {tuple(value.shape)}"
    return f"{type(value).__name__} {value!r}"[:120]


def _check_inputs(inputs, model_name):
    from kfunc.engine.input_layer import InputLayer

    if inputs is None or (isinstance(inputs, (list, tuple, dict)) and not inputs):
        raise ValueError(f"Model {model_name!r} needs `inputs`: the tensor(s) returned by `Input(...)`.")
    structure = dict(inputs) if isinstance(inputs, dict) else list(inputs) if isinstance(inputs, (list, tuple)) else inputs
    flat = flatten(structure)
    seen = set()
    for tensor in flat:
        if not is_symbolic(tensor):
            raise ValueError(
                f"Model inputs must be tensors returned by `Input(...)`; model "
                f"{model_name!r} was given {_describe(tensor)}."
            )
        layer = tensor._keras_history.layer
        if not isinstance(layer, InputLayer):
            raise ValueError(
                f"Model inputs must come from `Input(...)`; model {model_name!r} was given "
                f"the output of layer {layer.name!r} ({type(layer).__name__}). Use the "
                "Input tensor that this layer's branch starts from, or start a new model "
                "from a new `Input(shape=...)`."
            )
        if id(tensor) in seen:
            raise ValueError(
                f"The input {tensor.name!r} is given twice to model {model_name!r}. Each "
                "input must appear only once."
            )
        seen.add(id(tensor))
    return structure


def _check_outputs(outputs, model_name):
    if outputs is None or (isinstance(outputs, (list, tuple, dict)) and not outputs):
        raise ValueError(f"Model {model_name!r} needs `outputs`: the tensor(s) the model computes.")
    structure = dict(outputs) if isinstance(outputs, dict) else list(outputs) if isinstance(outputs, (list, tuple)) else outputs
    for tensor in flatten(structure):
        if not is_symbolic(tensor):
            raise ValueError(
                f"Model outputs must be symbolic tensors returned by layers; model "
                f"{model_name!r} was given {_describe(tensor)}. Build the outputs by calling "
                "layers on the model's Input tensors."
            )
    return structure
