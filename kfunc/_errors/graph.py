"""The graph walk's checks: a model whose graph does not make sense, explained.

Two mistakes stop :func:`kfunc.engine.graph.map_graph`: an output that needs an
``Input`` the model was not given ("graph disconnected", named with the Input that
is missing), and two layers with one name.
"""

from collections import defaultdict


class GraphError(ValueError):
    """A model's inputs and outputs do not make a valid graph."""


def check_connected(nodes, inputs):
    computable = {id(t) for t in inputs}
    for node in nodes:
        for tensor in node.input_tensors:
            if id(tensor) not in computable:
                missing = tensor._keras_history.layer
                raise GraphError(
                    f"Graph disconnected: layer {node.layer.name!r} needs the tensor "
                    f"{tensor.name or ''} from {missing.name!r}, which cannot be computed "
                    f"from the model's inputs {[t.name for t in inputs]}. "
                    + _disconnected_hint(tensor, inputs)
                )
        if not node.is_input:
            computable.update(id(t) for t in node.outputs)


def _disconnected_hint(tensor, inputs):
    """Name the Input the model is missing, found by walking back from ``tensor``."""
    missing, stack, seen = [], [tensor], set()
    input_ids = {id(t) for t in inputs}
    while stack:
        t = stack.pop()
        if id(t) in seen or id(t) in input_ids:
            continue
        seen.add(id(t))
        node = t.node
        if node.is_input:
            missing.append(node.layer.name)
        stack.extend(node.input_tensors)
    if missing:
        names = ", ".join(repr(m) for m in dict.fromkeys(missing))
        return (
            f"It depends on the Input {names}, which is not in the model's inputs: add it "
            "to `Model(inputs=[...])`."
        )
    return "Model inputs must be tensors made by `Input(...)`."


def check_unique_names(layers):
    counts = defaultdict(int)
    for layer in layers:
        counts[layer.name] += 1
    for name, count in counts.items():
        if count > 1:
            raise GraphError(
                f'The name "{name}" is used {count} times in the model. All layer names '
                "must be unique: give the layers different `name=` arguments (or leave "
                "`name` out to get automatic names)."
            )
