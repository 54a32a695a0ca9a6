"""``model.summary()``: a model as a table of layers, shapes and parameter counts.

The table follows Keras 2 (tf.keras): one row per layer, in ``model.layers`` order,
with the layer's output shape and parameter count. When the model is more than a
straight chain, a ``Connected to`` column says which tensors each call of the layer
read, written ``layer_name[node_index][tensor_index]``: ``lstm[0][0]`` is the first
output of the first call of ``lstm``. A shared layer lists the inputs of all of
its calls, one per line. Only the calls that belong to this model are listed: a
layer shared with another model may have more nodes than this model uses.

The totals count each weight once, even when a layer is used several times.

A subclassed model (its forward pass written in ``call``) has no graph: its table
lists the layers it holds, with ``multiple`` for their shapes, as tf.keras prints it.
"""

import html

# Default widths, as Keras 2 prints them: a chain of layers needs three columns,
# any other graph a fourth one for the connections.
_CHAIN_LINE_LENGTH, _CHAIN_POSITIONS = 65, (0.45, 0.85, 1.0)
_GRAPH_LINE_LENGTH, _GRAPH_POSITIONS = 98, (0.33, 0.55, 0.67, 1.0)
_TRAINABLE_WIDTH = 11


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False):
    """Print the Keras-style summary table of ``model``.

    Args:
        model: a built model (functional, ``Sequential`` or subclassed).
        line_length: the total width of the table, in characters.
        positions: where each column ends, as fractions of ``line_length`` or as
            character counts. A column grows when a name or shape is longer: the
            table never cuts a name short.
        print_fn: called once per line of the table (``print`` by default); pass
            ``lines.append`` to collect the lines instead.
        expand_nested: also list the layers inside nested models, indented.
        show_trainable: add a ``Trainable`` column (``Y`` or ``N``).

    Raises:
        ValueError: when the model is not built yet (a ``Sequential`` model whose
            first layer does not know its input shape, a subclassed model never called).

    Example:
        >>> model.summary(print_fn=lines.append)
    """
    print_fn = print if print_fn is None else print_fn
    for line in summary_lines(model, line_length, positions, expand_nested, show_trainable):
        print_fn(line)


def summary_text(model, **options):
    """The summary table as one string (the lines of :func:`print_summary`)."""
    return "\n".join(summary_lines(model, **options))


def summary_lines(model, line_length=None, positions=None, expand_nested=False, show_trainable=False):
    """The lines of the summary table of ``model``, without trailing spaces."""
    chain, headers, rows = _table(model, expand_nested, show_trainable)
    widths = _column_widths(chain, line_length, positions, show_trainable, headers, rows)
    total_width = sum(widths)
    lines = [f'Model: "{model.name}"', "_" * total_width, _format_row([[h] for h in headers], widths)[0], "=" * total_width]
    for i, (cells, top_level) in enumerate(rows):
        next_top = i + 1 == len(rows) or rows[i + 1][1]
        lines.extend(_format_row(cells, widths))
        if i + 1 == len(rows):
            lines.append("=" * total_width)
        elif next_top:
            lines.append("_" * total_width)
    if not rows:
        lines.append("=" * total_width)
    trainable, non_trainable = count_weights(model)
    lines += [
        f"Total params: {trainable + non_trainable:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {non_trainable:,}",
        "_" * total_width,
    ]
    return lines


def summary_html(model, expand_nested=False, show_trainable=False):
    """The summary as an HTML table, for notebooks.

    Returns:
        A string holding a ``<div>`` with the model name, the table and the totals.
    """
    _, headers, rows = _table(model, expand_nested, show_trainable)
    trainable, non_trainable = count_weights(model)
    out = [
        '<div class="kfunc-summary">',
        f"<p><b>Model:</b> <code>{html.escape(model.name)}</code></p>",
        '<table style="border-collapse: collapse; font-size: 90%">',
        "<thead><tr>" + "".join(f'<th style="text-align: left; padding: 2px 10px">{h}</th>' for h in headers) + "</tr></thead>",
        "<tbody>",
    ]
    for cells, top_level in rows:
        border = "border-top: 1px solid #ccc; " if top_level else ""
        tds = []
        for i, cell in enumerate(cells):
            text = "<br>".join(html.escape(line).replace("  ", "&nbsp;&nbsp;") for line in cell)
            align = "right" if headers[i] == "Param #" else "left"
            tds.append(f'<td style="{border}text-align: {align}; padding: 2px 10px; font-family: monospace">{text}</td>')
        out.append("<tr>" + "".join(tds) + "</tr>")
    out += [
        "</tbody></table>",
        f"<p>Total params: {trainable + non_trainable:,}<br>Trainable params: {trainable:,}<br>"
        f"Non-trainable params: {non_trainable:,}</p>",
        "</div>",
    ]
    return "\n".join(out)


# ---------------------------------------------------------------------- model facts


def is_sequential_like(model):
    """True when the model is one straight chain: each call reads the previous one's output."""
    from kfunc.models.sequential import Sequential

    if isinstance(model, Sequential) or getattr(model, "_subclassed", False):
        return True  # (a subclassed model lists its layers, as tf.keras does: no connections to show)
    nodes = model._nodes
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        return False
    previous = None
    for node in nodes:
        if node.is_input:
            if previous is not None:
                return False
        elif len(node.input_tensors) != 1 or node.input_tensors[0].node is not previous:
            return False
        previous = node
    return True


def model_nodes_of(model, layer):
    """The calls of ``layer`` that belong to ``model``'s graph, in call order."""
    return [n for n in layer._inbound_nodes if id(n) in model._network_nodes]


def count_weights(model):
    """``(trainable, non_trainable)`` scalar counts, each weight counted once.

    Reads only the weights' shapes, so the weights of a model that was only
    described (still on torch's ``meta`` device) are not materialized. The layers
    inside nested models are found with a stack, not by recursion, so a model
    nested thousands of levels deep is counted like any other.
    """
    seen, trainable, non_trainable = set(), 0, 0
    for layer in _layer_tree(model):
        for name in layer._weight_names:
            weight = getattr(layer, name)
            if id(weight) in seen:
                continue
            seen.add(id(weight))
            if name in layer._parameters and layer.trainable:
                trainable += weight.numel()
            else:
                non_trainable += weight.numel()
    return trainable, non_trainable


def layer_param_count(layer):
    """The number of scalars in the layer's weights (0 while it has none)."""
    return sum(count_weights(layer)) if layer.built else 0


def format_shape(shape):
    """``(None, 32)`` as Keras prints it; a list of shapes for several tensors."""
    if isinstance(shape, list):
        return "[" + ", ".join(format_shape(s) for s in shape) + "]"
    return str(tuple(shape))


def wrapped_model(layer):
    """The functional model a layer is, or wraps (``TimeDistributed(model)``); else None."""
    from kfunc.engine.functional import Functional

    if isinstance(layer, Functional):
        return layer if getattr(layer, "_nodes", None) else None
    inner = getattr(layer, "layer", None)
    if isinstance(inner, Functional) and getattr(inner, "_nodes", None):
        return inner
    return None


# ---------------------------------------------------------------------- rows


def _check_built(model):
    if getattr(model, "_subclassed", False):
        if not model.built:
            from kfunc.models.subclassing import not_built_error

            raise not_built_error(model)
        return
    if not getattr(model, "_nodes", None):
        raise ValueError(
            f"Model {model.name!r} has not been built yet, so there is no graph to "
            "summarize: its first layer does not know the input shape. Give the first "
            "layer an `input_shape=(...)` (or start with an `Input`), or call the model "
            "on data once, then ask again."
        )


def _layer_tree(layer):
    """``layer`` and every layer inside it (wrapped layers, models' layers), each once.

    Walked with a stack: torch's ``Module.modules()`` calls itself once per level of
    nesting, which a summary of a deeply nested model must not.
    """
    from kfunc.engine.layer import Layer

    seen, found, stack = set(), [], [layer]
    while stack:
        module = stack.pop()
        if id(module) in seen:
            continue
        seen.add(id(module))
        if isinstance(module, Layer):
            found.append(module)
        stack.extend(reversed(list(module.children())))
    return found


def _table(model, expand_nested, show_trainable):
    """``(chain, headers, rows)``: the summary's columns and its rows of cells.

    A row is ``(cells, is_top_level)``; ``cells[i]`` is the list of lines of column
    ``i``. With ``expand_nested``, a nested model's layers follow its row, indented;
    the rows come from a stack of layers still to list, not from recursion, so
    nesting depth is limited by memory only.
    """
    _check_built(model)
    chain = is_sequential_like(model)
    headers = ["Layer (type)", "Output Shape", "Param #"] + ([] if chain else ["Connected to"])
    if show_trainable:
        headers.append("Trainable")
    rows = []
    # Sequential.layers leaves out the Input, as in Keras; a functional model lists it.
    pending = [(model, layer, 0) for layer in reversed(model.layers)]
    while pending:
        owner, layer, depth = pending.pop()
        name = "  " * depth + f"{layer.name} ({type(layer).__name__})"
        params = layer_param_count(layer)
        cells = [[name], [_output_shape_text(owner, layer)], [str(params)]]
        if not chain:
            cells.append(_connections(owner, layer) or [""])
        if show_trainable:
            cells.append(["Y" if layer.trainable else "N"] if params else ["-"])
        rows.append((cells, depth == 0))
        inner = wrapped_model(layer) if expand_nested else None
        if inner is not None:
            pending.extend((inner, sub, depth + 1) for sub in reversed(inner.layers))
    return chain, headers, rows


def _output_shape_text(model, layer):
    nodes = model_nodes_of(model, layer)
    shapes = []
    for node in nodes:
        shape = [t.shape for t in node.outputs]
        shapes.append(shape[0] if len(shape) == 1 else shape)
    if not shapes:  # a subclassed model's layers compute inside its call and record no node
        return "multiple" if getattr(model, "_subclassed", False) else "?"
    if any(s != shapes[0] for s in shapes):
        return "multiple"
    return format_shape(shapes[0])


def _connections(model, layer):
    lines = []
    for node in model_nodes_of(model, layer):
        for tensor in node.input_tensors:
            source, node_index, tensor_index = tensor._keras_history
            lines.append(f"{source.name}[{node_index}][{tensor_index}]")
    return lines


def _column_widths(chain, line_length, positions, show_trainable, headers, rows):
    default_length, default_positions = (
        (_CHAIN_LINE_LENGTH, _CHAIN_POSITIONS) if chain else (_GRAPH_LINE_LENGTH, _GRAPH_POSITIONS)
    )
    line_length = line_length or default_length
    positions = list(positions or default_positions)
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable and len(positions) < len(headers):
        positions.append(positions[-1] + _TRAINABLE_WIDTH)
    if len(positions) != len(headers):
        raise ValueError(
            f"summary(positions=...) needs {len(headers)} column ends for the columns "
            f"{headers}; got {len(positions)}."
        )
    widths = [b - a for a, b in zip([0] + positions[:-1], positions)]
    # A column grows to fit its longest entry plus one space, so nothing is cut.
    for i in range(len(widths)):
        longest = max([len(headers[i])] + [len(line) for cells, _ in rows for line in cells[i]])
        widths[i] = max(widths[i], longest + 1)
    return widths


def _format_row(cells, widths):
    height = max(len(c) for c in cells)
    lines = []
    for k in range(height):
        parts = [(cell[k] if k < len(cell) else "").ljust(width) for cell, width in zip(cells, widths)]
        lines.append("".join(parts).rstrip())
    return lines
