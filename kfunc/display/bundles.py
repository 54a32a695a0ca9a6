"""What a model, a layer and a symbolic tensor show when a notebook displays them.

Jupyter asks an object for ``_repr_mimebundle_``: a dict from mime type to data,
from which the front end picks the richest one it can show. kfunc's objects
answer with:

* a **model**: its graph as SVG and PNG, and its summary as ``text/plain``;
* a **layer**: a table of its nodes (each call: index, inbound tensors, input and
  output shapes), as HTML and as text;
* a **symbolic tensor**: its shape, dtype and history (which call of which layer
  made it).

No text holds a memory address, so notebook outputs stay the same run after run.
"""

import html

from kfunc.display.summary import format_shape, layer_param_count, summary_text


def model_mimebundle(model, **options):
    """The notebook display of a functional model: SVG + PNG + text summary."""
    from kfunc.display.diagram import Diagram
    from kfunc.display.scene import Options, build_scene

    try:
        text = summary_text(model)
    except ValueError as error:
        return {"text/plain": str(error)}
    if getattr(model, "_subclassed", False):
        return {"text/plain": text}  # no graph to draw: its forward pass is Python code
    options.setdefault("rankdir", "auto")
    return Diagram(build_scene(model, Options(**options)), text).mimebundle()


def layer_mimebundle(layer):
    """The notebook display of a layer (a model gets :func:`model_mimebundle`)."""
    from kfunc.engine.functional import Functional

    if isinstance(layer, Functional):
        return model_mimebundle(layer)
    rows = _node_rows(layer)
    return {"text/html": _layer_html(layer, rows), "text/plain": _layer_text(layer, rows)}


def tensor_mimebundle(tensor):
    """The notebook display of a symbolic tensor: shape, dtype and history."""
    head = f"KerasTensor shape={format_shape(tensor.shape)} dtype={tensor.dtype}"
    history = tensor._keras_history
    if history is None:
        where, where_html = "not made by a layer call yet", "not made by a layer call yet"
    else:
        layer, node_index, tensor_index = history
        ref = f"{layer.name}[{node_index}][{tensor_index}]"
        where = f"made by {layer.name} ({type(layer).__name__}), node {node_index}, tensor {tensor_index}: {ref}"
        where_html = (
            f"<code>{html.escape(layer.name)}</code> ({type(layer).__name__}), node {node_index}, "
            f"tensor {tensor_index} &mdash; <code>{html.escape(ref)}</code>"
        )
    text = f"<{head}, {where}>"
    table = (
        '<table style="font-size: 90%">'
        f"<tr><th style='text-align: left'>shape</th><td><code>{format_shape(tensor.shape)}</code></td></tr>"
        f"<tr><th style='text-align: left'>dtype</th><td><code>{tensor.dtype}</code></td></tr>"
        f"<tr><th style='text-align: left'>history</th><td>{where_html}</td></tr>"
        "</table>"
    )
    return {"text/html": f"<div><b>KerasTensor</b>{table}</div>", "text/plain": text}


# ---------------------------------------------------------------------- layers


def _node_rows(layer):
    rows = []
    for index, node in enumerate(layer._inbound_nodes):
        inbound = [
            f"{t._keras_history.layer.name}[{t._keras_history.node_index}][{t._keras_history.tensor_index}]"
            for t in node.input_tensors
        ]
        inputs = node.outputs if node.is_input else node.input_tensors
        rows.append(
            (
                str(index),
                ", ".join(inbound) or "-",
                ", ".join(format_shape(t.shape) for t in inputs),
                ", ".join(format_shape(t.shape) for t in node.outputs),
            )
        )
    return rows


def _layer_heading(layer):
    state = f"{layer_param_count(layer):,} params" if layer.built else "not built yet"
    n = len(layer._inbound_nodes)
    calls = "never called, so it has no nodes yet" if n == 0 else f"{n} node{'s' if n != 1 else ''} (one per call)"
    return f"{type(layer).__name__} {layer.name!r} ({state}): {calls}"


_HEADERS = ("node", "inbound", "input shape", "output shape")


def _layer_text(layer, rows):
    lines = [_layer_heading(layer)]
    if rows:
        widths = [max(len(h), *(len(r[i]) for r in rows)) + 2 for i, h in enumerate(_HEADERS)]
        for row in [_HEADERS] + rows:
            lines.append("".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def _layer_html(layer, rows):
    out = [f"<div><p>{html.escape(_layer_heading(layer))}</p>"]
    if rows:
        out.append('<table style="font-size: 90%">')
        out.append("<tr>" + "".join(f"<th style='text-align: left'>{h}</th>" for h in _HEADERS) + "</tr>")
        for row in rows:
            out.append("<tr>" + "".join(f"<td><code>{html.escape(c)}</code></td>" for c in row) + "</tr>")
        out.append("</table>")
    out.append("</div>")
    return "\n".join(out)
