"""What the node explorer says about one call of a layer: the facts, as HTML and as text.

:func:`node_info` gathers the facts of node ``i`` of a layer into a :class:`NodeInfo`:
its tensors, its neighbours, its parameters, the line that made it, and the node's
public attributes as Keras 2 names them (``inbound_layers``, ``outbound_layer``,
``input_shapes``, ``output_shapes``), so that a student sees in the panel what
``layer.inbound_nodes[i].input_shapes`` returns. :func:`info_html` and
:func:`info_text` lay them out; :mod:`kfunc.widgets.explorer` shows them.
"""

import html
from dataclasses import dataclass, field

from kfunc.engine.keras_tensor import is_symbolic
from kfunc.engine.structure import flatten
from kfunc.widgets.call_sites import where


@dataclass
class TensorInfo:
    """A tensor of a node: ``ref`` (``'dense_1[0][0]'``), ``shape`` (text), ``dtype``."""

    ref: str
    shape: str
    dtype: str


@dataclass
class NodeInfo:
    """Everything the explorer shows about one call of a layer.

    Attributes:
        layer, class_name: the layer's name and class.
        node_index: which call (0 is the first); nodes: how many calls the layer has.
        inputs, outputs: :class:`TensorInfo` lists.
        inbound_layers: the names of the layers that made the inputs, one per input.
        read_by: ``'layer[node]'`` of each call that reads an output of this one.
        params: the layer's parameter count (all its calls share the weights).
        call_site: ``(where, line, source line)`` of the code that made the call, or None.
        in_model: whether the call is part of the explored model's graph.
        call_kwargs: keyword arguments of the call other than tensors (``training=True``).
        outbound_layer: the name of the layer called (``node.outbound_layer``).
        input_shapes, output_shapes: ``node.input_shapes`` and ``node.output_shapes``,
            as text: one shape alone, several in a list.
    """

    layer: str
    class_name: str
    node_index: int
    nodes: int
    inputs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    inbound_layers: list = field(default_factory=list)
    read_by: list = field(default_factory=list)
    params: int = 0
    call_site: tuple = None
    in_model: bool = True
    call_kwargs: dict = field(default_factory=dict)
    outbound_layer: str = ""
    input_shapes: str = ""
    output_shapes: str = ""


def node_info(layer, node_index=0, model=None):
    """The :class:`NodeInfo` of call ``node_index`` of ``layer``.

    Raises:
        ValueError: when the layer was never called, or has no such node.
    """
    from kfunc.display.summary import format_shape, layer_param_count

    node = node_of(layer, node_index)
    inputs = [TensorInfo(_ref(t), format_shape(t.shape), str(t.dtype)) for t in node.input_tensors]
    outputs = [
        TensorInfo(f"{layer.name}[{node_index}][{i}]", format_shape(t.shape), str(t.dtype))
        for i, t in enumerate(node.outputs)
    ]
    made_here = {id(t) for t in node.outputs}
    read_by = []
    for reader in layer._outbound_nodes:
        if any(id(t) in made_here for t in reader.input_tensors):
            ref = f"{reader.layer.name}[{reader.node_index}]"
            if ref not in read_by:
                read_by.append(ref)
    return NodeInfo(
        layer=layer.name,
        class_name=type(layer).__name__,
        node_index=node_index,
        nodes=len(layer._inbound_nodes),
        inputs=inputs,
        outputs=outputs,
        inbound_layers=[t._keras_history.layer.name for t in node.input_tensors if t._keras_history is not None],
        read_by=read_by,
        params=layer_param_count(layer),
        call_site=where(getattr(node, "call_site", None)),
        in_model=model is None or id(node) in getattr(model, "_network_nodes", ()),
        call_kwargs={k: v for k, v in node.call_kwargs.items() if not any(map(is_symbolic, flatten(v)))},
        outbound_layer=node.outbound_layer.name,
        input_shapes=format_shape(node.input_shapes),
        output_shapes=format_shape(node.output_shapes),
    )


def node_of(layer, node_index):
    """Node ``node_index`` of ``layer``, refused with a clear message when it does not exist."""
    nodes = layer._inbound_nodes
    if not nodes:
        raise ValueError(f"Layer {layer.name!r} was never called, so it has no node to explore. "
                         f"Call it on a tensor first: `{layer.name}(x)`.")
    if isinstance(node_index, int) and 0 <= node_index < len(nodes):
        return nodes[node_index]
    raise ValueError(f"Layer {layer.name!r} has {len(nodes)} node(s) (0 to {len(nodes) - 1}); "
                     f"node_index={node_index!r} is not one of them.")


def _attributes(info):
    """``(name, value)`` of the node's public attributes, the values written as Python prints them."""
    names = info.inbound_layers
    inbound = names[0] if len(names) == 1 else "[" + ", ".join(names) + "]"
    return [("inbound_layers", inbound), ("outbound_layer", info.outbound_layer),
            ("input_shapes", info.input_shapes), ("output_shapes", info.output_shapes)]


def info_html(info):
    """The node's panel as an HTML table."""
    e = html.escape

    def tensors(items):
        return "<br>".join(f"<code>{e(t.ref)}</code> {e(t.shape)} {e(t.dtype)}" for t in items) or "-"

    rows = [
        ("call", f"<code>{e(info.layer)}</code> ({e(info.class_name)}), node {info.node_index} "
                 f"of {info.nodes}" + ("" if info.in_model else " <i>(not part of this model)</i>")),
        ("inputs", tensors(info.inputs) if info.inputs else "none: this is where data enters"),
        ("outputs", tensors(info.outputs)),
        *((f"<code>node.{name}</code>", f"<code>{e(value)}</code>") for name, value in _attributes(info)),
        ("read by", e(", ".join(info.read_by)) or "-"),
        ("parameters", f"{info.params:,}" + (f" (one set of weights for all {info.nodes} calls)"
                                              if info.nodes > 1 and info.params else "")),
    ]
    if info.call_kwargs:
        rows.append(("call arguments", e(", ".join(f"{k}={v!r}" for k, v in info.call_kwargs.items()))))
    if info.call_site is not None:
        place, line, source = info.call_site
        rows.append(("made by", f"{e(place)}, line {line}<br><code>{e(source)}</code>"))
    body = "".join(f"<tr><th style='text-align: left; padding-right: 12px'>{k}</th>"
                   f"<td style='text-align: left'>{v}</td></tr>" for k, v in rows)
    return f"<table style='font-size: 13px'>{body}</table>"


def info_text(info):
    """The node's panel as text lines."""
    def tensors(items):
        return ", ".join(f"{t.ref} {t.shape} {t.dtype}" for t in items) or "-"

    lines = [
        f"{info.layer} ({info.class_name}), node {info.node_index} of {info.nodes}"
        + ("" if info.in_model else " (not part of this model)"),
        f"  inputs: {tensors(info.inputs) if info.inputs else 'none: this is where data enters'}",
        f"  outputs: {tensors(info.outputs)}",
        *(f"  node.{name}: {value}" for name, value in _attributes(info)),
        f"  read by: {', '.join(info.read_by) or '-'}",
        f"  parameters: {info.params:,}",
    ]
    if info.call_kwargs:
        lines.append("  call arguments: " + ", ".join(f"{k}={v!r}" for k, v in info.call_kwargs.items()))
    if info.call_site is not None:
        place, line, source = info.call_site
        lines.append(f"  made by: {place}, line {line}: {source}")
    return "\n".join(lines)


def _ref(tensor):
    history = tensor._keras_history
    return "?" if history is None else f"{history.layer.name}[{history.node_index}][{history.tensor_index}]"
