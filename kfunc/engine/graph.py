"""Walking a graph of nodes: which layers a model holds, and in what order.

Starting from a model's outputs, a depth-first walk follows each node's input
tensors back to the nodes that made them, and lists every node after all of the
nodes it depends on. Each node then gets a *depth*: 0 for the nodes making the
outputs, and one more than any node that consumes its outputs. Inputs are deepest.
``model.layers`` lists layers by decreasing depth (inputs first), ties in the order
the walk first met them; that is also the order of ``model.get_weights()``.

The walk keeps its own stack rather than calling itself, so a model may be as deep
as memory allows (a chain of 10,000 layers), not as deep as Python's recursion limit.
This module is plain Python: it reads the graph, it computes nothing.
"""

from kfunc._errors.graph import GraphError, check_connected, check_unique_names

__all__ = ["GraphError", "map_graph"]


def map_graph(inputs, outputs):
    """Order the nodes and layers between ``inputs`` and ``outputs``.

    Args:
        inputs: the model's input tensors (flat list).
        outputs: the model's output tensors (flat list).

    Returns:
        ``(nodes, layers)``: the nodes in an order where every node comes after the
        nodes it depends on (deepest first), and the layers in Keras's order.

    Raises:
        GraphError: on an output that needs an Input that is not among ``inputs``
            ("graph disconnected"), or on two layers sharing a name.
    """
    entered, post_order = _walk(outputs)
    first_visit = {}  # layer -> when the walk first met it
    for node in entered:
        first_visit.setdefault(node.layer, len(first_visit))

    # Depth: outputs at 0, each producer one deeper than its deepest consumer; all
    # the nodes of one layer share that layer's greatest depth.
    node_depth, layer_depth = {}, {}
    for node in reversed(post_order):
        depth = max(node_depth.get(id(node), 0), layer_depth.get(node.layer, 0))
        layer_depth[node.layer] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))

    # Declared inputs that no output needs still belong to the model.
    for tensor in inputs:
        layer = tensor._keras_history.layer
        if layer not in layer_depth:
            layer_depth[layer], first_visit[layer] = 0, -1
            node_depth[id(tensor.node)] = 0
            post_order.insert(0, tensor.node)

    position = {id(node): i for i, node in enumerate(post_order)}
    nodes = sorted(post_order, key=lambda n: (-node_depth[id(n)], position[id(n)]))
    layers = sorted(layer_depth, key=lambda l: (-layer_depth[l], first_visit[l]))
    check_connected(nodes, inputs)
    check_unique_names(layers)
    return nodes, layers


def _walk(outputs):
    """A depth-first walk back from ``outputs``: the nodes in the order it met them,
    and in an order where each comes after the nodes it depends on."""
    entered, post_order, seen = [], [], set()

    def enter(tensor, stack):
        node = tensor.node
        if id(node) not in seen:
            seen.add(id(node))
            entered.append(node)
            stack.append((node, iter(node.input_tensors)))

    for output in outputs:
        stack = []  # the path being walked: (node, its input tensors not followed yet)
        enter(output, stack)
        while stack:
            node, inputs = stack[-1]
            tensor = next(inputs, None)
            if tensor is not None:
                enter(tensor, stack)  # deeper first
            else:
                stack.pop()  # every input of the node is listed, so the node can be
                post_order.append(node)
    return entered, post_order
