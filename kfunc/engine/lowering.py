"""Lowering: a functional model's nodes become a ``torch.fx`` program.

Every node becomes one line of Python: ``dense_1 = self.dense_1(dense)``. Inputs
are the function's arguments, a shared layer is one submodule called once per node,
and the tensors of a layer returning several are read out with ``getitem``, one
level of nesting at a time (``lstm[0]``; ``getitem[1]`` for ``[[a, b], c]``'s ``b``).
The result is a ``torch.fx.GraphModule``: ordinary torch code that
``print(model.code)`` shows, and that ``torch.compile`` and ``torch.export`` understand.
"""

import keyword
import operator
import re

from torch import fx, nn

from kfunc.engine.keras_tensor import is_symbolic
from kfunc.engine.structure import flatten, map_structure

# Attribute names of an fx GraphModule that a layer name must not shadow.
_RESERVED = set(dir(fx.GraphModule)) | {"graph", "code"}


def lower(inputs, outputs_structure, nodes, class_name="Model"):
    """Build the ``GraphModule`` that computes ``outputs_structure`` from ``inputs``.

    Args:
        inputs: the model's input tensors, in argument order.
        outputs_structure: a tensor, or list/dict of tensors, to return.
        nodes: the nodes to run, each after those it depends on.
        class_name: the name of the generated class (shown in ``model.code``).
    """
    graph, root = fx.Graph(), nn.Module()
    taken = set()
    targets = {}  # layer -> submodule name
    values = {}  # id(symbolic tensor) -> fx value
    value_of = lambda v: values[id(v)] if is_symbolic(v) else v  # noqa: E731

    # 1. one argument per input
    for tensor in inputs:
        values[id(tensor)] = graph.placeholder(_identifier(tensor._keras_history.layer.name, taken))
    # 2. one line per node, calling the layer's submodule on the values of its arguments
    for node in nodes:
        if node.is_input:
            continue
        if node.layer not in targets:
            targets[node.layer] = _identifier(node.layer.name, taken)
            root._modules[targets[node.layer]] = node.layer
        result = graph.call_module(
            targets[node.layer],
            tuple(map_structure(value_of, list(node.call_args))),
            map_structure(value_of, node.call_kwargs),
        )
        # 3. its output tensors, read out of the result as they are nested in it
        _read_out(graph, result, node.output_structure, values)
    # 4. return the outputs, in the structure the model was given them
    graph.output(map_structure(value_of, outputs_structure))
    return fx.GraphModule(root, graph, class_name=class_name)


def _read_out(graph, value, structure, values):
    """Give each symbolic tensor in ``structure`` the fx value that reads it out of ``value``."""
    if is_symbolic(structure):
        values[id(structure)] = value
        return
    items = structure.items() if isinstance(structure, dict) else enumerate(structure)
    for key, item in items:
        if any(is_symbolic(t) for t in flatten(item)):
            _read_out(graph, graph.call_function(operator.getitem, (value, key)), item, values)


def _identifier(name, taken):
    """A Python identifier close to ``name`` that is not in ``taken``."""
    ident = re.sub(r"\W", "_", name)
    if not ident or ident[0].isdigit() or keyword.iskeyword(ident) or ident in _RESERVED:
        ident = f"layer_{ident}"
    candidate, i = ident, 1
    while candidate in taken:
        candidate, i = f"{ident}_{i}", i + 1
    taken.add(candidate)
    return candidate
