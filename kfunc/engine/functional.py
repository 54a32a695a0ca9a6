"""The functional model: a graph of layer calls from ``Input`` tensors to outputs.

``Functional(inputs, outputs)`` walks back from the outputs to find every layer
call in between (see :mod:`kfunc.engine.graph`), checks that the graph makes
sense, and lowers it to torch code (see :mod:`kfunc.engine.lowering`). A model is
itself a layer: calling it on new symbolic tensors adds a node *to the model*,
reusing its layers and their weights; its inner layers gain no node.

``kfunc.Model`` adds training (``compile``, ``fit``, ...) on top of this class.
"""

from kfunc._errors.endpoints import check_model_input_shapes, checked_endpoints, inputs_in_order
from kfunc._errors.lowering import misread_output_error
from kfunc.engine.graph import map_graph
from kfunc.engine.keras_tensor import KerasTensor, is_symbolic
from kfunc.engine.layer import Layer
from kfunc.engine.lowering import lower
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

    _hidden_outputs = ()  # tensors computed by every forward pass but not returned (see _add_hidden_outputs)

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        trainable = kwargs.pop("trainable", True)
        super().__init__(name=name, trainable=True, **kwargs)
        self._init_graph(inputs, outputs)
        if not trainable:
            self.trainable = False  # now that the layers are known, freeze them all

    def _init_graph(self, inputs, outputs):
        # 1. remember the structures as given; flatten them for the graph walk
        self._input_structure = checked_endpoints(inputs, "inputs", self.name)
        self._output_structure = checked_endpoints(outputs, "outputs", self.name)
        self.inputs, self.outputs = flatten(self._input_structure), flatten(self._output_structure)
        # 2. walk the graph: node order, layer order, connectivity, unique names
        self._nodes, self._layers = map_graph(self.inputs, self.outputs + list(self._hidden_outputs))
        self._network_nodes = {id(n) for n in self._nodes}
        # 3. register the layers as torch submodules, under their names
        self._modules.clear()
        for layer in self._sublayers():
            self._modules[layer.name] = layer
        # 4. lower the graph to one torch program (kept outside torch's submodules: it holds the same layers)
        fx_module = lower(self.inputs, self._output_structure, self._nodes, _class_name(self.name))
        object.__setattr__(self, "_fx", fx_module)
        self.built = True

    def _add_hidden_outputs(self, tensors):
        """Compute ``tensors`` in every forward pass too, without returning them.

        ``model.add_loss(tensor)`` (the VAE pattern) uses it: the layer that adds the
        loss joins the graph, and ``model.code`` shows its call.
        """
        map_graph(self.inputs, self.outputs + list(tensors))  # (a tensor the inputs do not lead to: refused here)
        self._hidden_outputs += tuple(tensors)
        self._init_graph(self._input_structure, self._output_structure)

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

    code = property(lambda self: self._fx.code, doc="The generated torch code of the forward pass.")
    graph_module = property(lambda self: self._fx, doc="The ``torch.fx.GraphModule`` that computes the model.")

    # ------------------------------------------------------------- calling

    def call(self, inputs, training=None, mask=None):
        """Compute the outputs for real inputs: one tensor, a list, or a dict by name.

        ``training=True`` (or False) holds for every layer during this call, as in Keras.
        """
        mode = self.training
        if training is not None and bool(training) != mode:
            self.train(bool(training))
        try:  # forward itself: fx's __call__ would print its own report and drop the traceback
            return self._fx.forward(*self._flatten_inputs(inputs))
        except (IndexError, KeyError, TypeError) as err:
            explained = misread_output_error(self, err)
            if explained is None:
                raise
            raise explained from err
        finally:
            if self.training != mode:
                self.train(mode)

    def _flatten_inputs(self, inputs):
        return inputs_in_order(self, inputs)

    def _check_input_shapes(self, input_shape):
        check_model_input_shapes(self, input_shape)

    def compute_output_spec(self, inputs, training=None, mask=None):
        tensors = self._flatten_inputs(inputs)
        if all(is_symbolic(t) and t.shape == x.shape for t, x in zip(tensors, self.inputs)):
            # Same shapes as at construction: the outputs have the construction shapes.
            return map_structure(_fresh, self._output_structure)
        return super().compute_output_spec(inputs)


def _class_name(model_name):
    """The generated class's name: ``model_1`` -> ``Model1``."""
    name = "".join(part.capitalize() for part in model_name.replace("-", "_").split("_")) or "Model"
    return name if name.isidentifier() else "Model"


def _fresh(tensor):
    """A new symbolic tensor like ``tensor``, with a mask like its mask."""
    fresh = KerasTensor(tensor.shape, tensor.dtype)
    if tensor._keras_mask is not None:
        fresh._keras_mask = _fresh(tensor._keras_mask)
    return fresh
