"""Asking a layer for what its calls saw, where that is not defined: the errors.

A layer's ``.output`` (and ``.input``, ``.input_shape``, ...) is defined when the
layer was called once, and for shapes when all its calls agree. Otherwise Keras
refuses to choose, and so does kfunc: ``get_output_at(node_index)`` names the call.
"""


class NodeAttributeError(AttributeError, RuntimeError):
    """Asked a layer for what its calls saw, where that is not defined.

    An ``AttributeError`` as Keras raises from ``.output``, and a ``RuntimeError`` as
    tf.keras raises from ``get_output_at`` on a layer never called. It names no
    attribute, so Python adds no "Did you mean" to a message that says what to use.
    """

    name = property(lambda self: None, lambda self, value: None)


def _accessor(what):
    return f"get_{what.replace(' ', '_')}_at"


def never_called(layer, what):
    return NodeAttributeError(
        f"Layer {layer.name} has never been called, so it has no {what} yet. "
        f"Call it on a tensor first, e.g. `y = {layer.name}(x)`."
    )


def no_such_node(layer, what, node_index):
    n = len(layer._inbound_nodes)
    return ValueError(
        f"Asked for the {what} at node {node_index}, but layer {layer.name!r} has "
        f"only {n} inbound node{'s' if n != 1 else ''} (valid indices: 0 to {n - 1}). "
        "Each call of a layer adds one node."
    )


def ill_defined(layer, what):
    n = len(layer._inbound_nodes)
    return NodeAttributeError(
        f'Layer {layer.name} has multiple inbound nodes, hence the notion of "layer {what}" '
        f"is ill-defined. Use `{_accessor(what)}(node_index)` instead. ({layer.name} has been "
        f"called {n} times, so it has {n} nodes, indexed 0 to {n - 1}.)"
    )


def shapes_differ(layer, what):
    n = len(layer._inbound_nodes)
    return NodeAttributeError(
        f'The layer "{layer.name}" has multiple inbound nodes with different {what}s, '
        f'hence the notion of "{what}" is ill-defined for the layer. '
        f"Use `{_accessor(what)}(node_index)` instead (nodes 0 to {n - 1})."
    )
