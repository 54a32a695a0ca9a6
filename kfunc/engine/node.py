"""Nodes: one call of one layer.

A layer is an object with weights; a node is an *event*: the layer was called on
these tensors, with these keyword arguments, and produced those tensors. Because a
layer can be called many times (a shared LSTM reading two tweets), it owns a list of
nodes, ``layer._inbound_nodes``, numbered 0, 1, 2, ... in call order. The layers
that produced the node's inputs list the same node in their ``_outbound_nodes``.

The graph of a model is made of nodes, not layers: following each node's input
tensors back to the nodes that produced them walks the model from outputs to inputs.
"""

from kfunc.engine import hooks
from kfunc.engine.keras_tensor import KerasHistory, is_symbolic
from kfunc.engine.structure import flatten, one_or_list


class Node:
    """One call of ``layer`` on symbolic tensors.

    Args:
        layer: the layer that was called.
        call_args: the positional arguments of the call, symbolic tensors included.
        call_kwargs: the keyword arguments of the call (``training=True``,
            ``initial_state=[...]``, ...).
        outputs: the symbolic tensor, or nested list/tuple/dict of them, the call returned.

    Creating a node wires it into the graph:

    1. it is appended to ``layer._inbound_nodes``;
    2. it is appended to the ``_outbound_nodes`` of the layer behind each input
       tensor (once per tensor, so ``add([x, x])`` lists it twice);
    3. each output tensor's history becomes ``(layer, this node's index, i)``;
    4. the node listener hears of it (see :mod:`kfunc.engine.hooks`).
    """

    def __init__(self, layer, call_args=(), call_kwargs=None, outputs=None):
        self.layer = layer
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.input_tensors = [t for t in flatten([self.call_args, self.call_kwargs]) if is_symbolic(t)]
        self.output_structure = outputs
        self.outputs = [t for t in flatten(outputs) if is_symbolic(t)]

        # 1. the layer owns this call
        layer._inbound_nodes.append(self)
        index = len(layer._inbound_nodes) - 1
        # 2. each producer of an input learns where its output went
        for tensor in self.input_tensors:
            if tensor._keras_history is not None:
                tensor._keras_history.layer._outbound_nodes.append(self)
        # 3. each output remembers where it came from
        for i, tensor in enumerate(self.outputs):
            tensor._keras_history = KerasHistory(layer, index, i)
        # 4. whoever listens hears of it (the node explorer notes the user's line)
        hooks.node_listener.node_created(self)

    @property
    def is_input(self):
        """True for the node of an ``InputLayer``: it has no inputs."""
        return not self.input_tensors

    @property
    def parent_nodes(self):
        """The nodes that produced this node's inputs, one per input tensor."""
        return [t.node for t in self.input_tensors]

    # Keras 2's public view of the call, read as ``get_input_shape_at``/``get_output_at`` read
    # it: one item alone, several in a list. ``input_tensors`` stays the list the graph walks.
    outbound_layer = property(lambda self: self.layer, doc="The layer called (the node is in its `_inbound_nodes`).")
    output_tensors = property(lambda self: one_or_list(self.outputs))
    input_shapes = property(lambda self: one_or_list([t.shape for t in self.input_tensors or self.outputs]))
    output_shapes = property(lambda self: one_or_list([t.shape for t in self.outputs]))

    @property
    def inbound_layers(self):
        """The layers that made this node's inputs: one layer, a list of several, ``[]`` for an Input."""
        return [] if self.is_input else one_or_list([t._keras_history.layer for t in self.input_tensors])

    @property
    def node_index(self):
        return self.layer._inbound_nodes.index(self)

    def __repr__(self):
        inbound = ", ".join(
            f"{t._keras_history.layer.name}[{t._keras_history.node_index}]"
            f"[{t._keras_history.tensor_index}]"
            for t in self.input_tensors
        )
        return f"<Node {self.layer.name}[{self.node_index}] <- ({inbound})>"
