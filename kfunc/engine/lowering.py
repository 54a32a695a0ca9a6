"""Lowering: a functional model's nodes become a ``torch.fx`` program.

Every node becomes one line of Python: ``dense_1 = self.dense_1(dense)``. Inputs
are the function's arguments, a shared layer is one submodule called once per node,
and a layer returning several tensors is unpacked with ``getitem``. The result is
a ``torch.fx.GraphModule``: ordinary torch code that ``print(model.code)`` shows,
and that ``torch.compile`` and ``torch.export`` understand.
"""

import keyword
import operator
import re

import torch
from torch import fx, nn

from kfunc.engine.keras_tensor import KerasTensor, is_symbolic, map_structure

# Attribute names of an fx GraphModule that a layer name must not shadow.
_RESERVED = set(dir(fx.GraphModule)) | {"graph", "code"}


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


def lower(inputs, outputs_structure, nodes, class_name="Model"):
    """Build the ``GraphModule`` that computes ``outputs_structure`` from ``inputs``.

    Args:
        inputs: the model's input tensors, in argument order.
        outputs_structure: a tensor, or list/dict of tensors, to return.
        nodes: the nodes to run, each after those it depends on.
        class_name: the name of the generated class (shown in ``model.code``).
    """
    graph = fx.Graph()
    root = nn.Module()
    taken = set()
    targets = {}  # layer -> submodule name
    values = {}  # id(symbolic tensor) -> fx value

    for tensor in inputs:
        values[id(tensor)] = graph.placeholder(_identifier(tensor._keras_history.layer.name, taken))

    lookup = lambda v: values[id(v)] if is_symbolic(v) else v  # noqa: E731
    for node in nodes:
        if node.is_input:
            continue
        layer = node.layer
        if layer not in targets:
            targets[layer] = _identifier(layer.name, taken)
            root._modules[targets[layer]] = layer
        result = graph.call_module(
            targets[layer],
            tuple(map_structure(lookup, list(node.call_args))),
            map_structure(lookup, node.call_kwargs),
        )
        if isinstance(node.output_structure, KerasTensor):
            values[id(node.outputs[0])] = result
        else:
            for i, tensor in enumerate(node.outputs):
                values[id(tensor)] = graph.call_function(operator.getitem, (result, i))

    graph.output(map_structure(lookup, outputs_structure))
    module = fx.GraphModule(root, graph, class_name=class_name)
    return module
