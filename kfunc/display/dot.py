"""Write a :class:`~kfunc.display.scene.Scene` as Graphviz DOT text.

Boxes become nodes with HTML-like labels (bold name, then class and node index),
arrows become edges labelled with shapes, nested models become ``cluster``
subgraphs, and the legend is the graph's own label at the bottom. Hover texts go
into ``tooltip`` attributes, which Graphviz writes into the SVG, so they work in
any browser without scripts. The text depends only on the scene: the same model
gives the same bytes.
"""

FONT = "Helvetica"


def to_dot(scene):
    """The DOT source of ``scene``, as a string."""
    lines = [f"digraph {_quote(scene.name)} {{"]
    graph_attrs = {
        "rankdir": scene.rankdir,
        "fontname": FONT,
        "fontsize": "10",
        "nodesep": "0.3",
        "ranksep": "0.45",
        "bgcolor": "white",
        "pad": "0.15",
        "tooltip": f"model {scene.name}",
    }
    lines.append(f"  graph [{_attrs(graph_attrs)}{_legend_attr(scene)}];")
    lines.append(
        f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=11, '
        'margin="0.12,0.05", penwidth=1.2];'
    )
    lines.append(f'  edge [fontname="{FONT}", fontsize=9, color="#666666", fontcolor="#333333", arrowsize=0.7];')

    children = {}
    for cluster in scene.clusters:
        children.setdefault(cluster.parent, []).append(cluster)
    members = {}
    for box in scene.boxes:
        members.setdefault(box.cluster, []).append(box)
    _write_clusters(lines, children, members)
    names = {b.id: (b.layer_name or b.title) for b in scene.boxes}
    for edge in scene.edges:
        attrs = {"id": edge.id}
        if edge.label:
            attrs["label"] = f" {edge.label} "
        text = f"{names.get(edge.src, edge.src)} -> {names.get(edge.dst, edge.dst)}"
        attrs["tooltip"] = f"{text}: {edge.label}" if edge.label else text
        lines.append(f"  {_quote(edge.src)} -> {_quote(edge.dst)} [{_attrs(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _write_clusters(lines, children, members):
    """The boxes of the top level, then each cluster as a ``subgraph`` holding its own.

    Clusters nest as deeply as models do, so the walk keeps its own stack (one
    iterator over the clusters still to write per open level) instead of calling
    itself: a model nested thousands of levels deep is written like any other.
    """
    lines.extend(f"  {_quote(box.id)} [{_box_attrs(box)}];" for box in members.get(None, []))
    open_levels = [iter(children.get(None, []))]
    while open_levels:
        indent = "  " * len(open_levels)
        cluster = next(open_levels[-1], None)
        if cluster is None:  # this level is written: close its subgraph
            open_levels.pop()
            if open_levels:
                lines.append(f"{'  ' * len(open_levels)}}}")
            continue
        lines.append(f"{indent}subgraph {_quote('cluster_' + cluster.id)} {{")
        lines.append(f"{indent}  graph [{_cluster_attrs(cluster)}];")
        lines.extend(f"{indent}  {_quote(box.id)} [{_box_attrs(box)}];" for box in members.get(cluster.id, []))
        open_levels.append(iter(children.get(cluster.id, [])))


def _cluster_attrs(cluster):
    title = f"<b>{_html(cluster.title)}</b>"
    if cluster.badge:
        title += f'  <font point-size="9">{_html(cluster.badge)}</font>'
    attrs = {
        "id": cluster.id,
        "style": "rounded,filled",
        "fillcolor": cluster.fill,
        "color": cluster.border,
        "penwidth": "1.5" if cluster.badge else "1",
        "fontsize": "10",
        "labeljust": "l",
        "labelloc": "t",  # the graph's own label (the legend) sits at the bottom
        "tooltip": cluster.tooltip,
    }
    return f"{_attrs(attrs)}, label=<{title}>"


def _box_attrs(box):
    if box.kind == "output":
        label = f'<font point-size="9">{_html(box.title)}</font>'
        attrs = {"id": box.id, "style": "rounded,dashed", "color": box.border, "fontcolor": "#555555",
                 "margin": "0.06,0.02", "height": "0.25", "tooltip": box.tooltip}
        return f"{_attrs(attrs)}, label=<{label}>"
    parts = [f"<b>{_html(box.title)}</b>"]
    parts += [_html(line) for line in box.lines]
    if box.badge:
        parts.append(f'<font point-size="9" color="{box.border}"><b>{_html(box.badge)}</b></font>')
    attrs = {
        "id": box.id,
        "fillcolor": box.fill,
        "color": box.border,
        "tooltip": box.tooltip,
    }
    if box.shared or box.kind == "model":
        attrs["penwidth"] = "2"
    if box.kind == "model":
        attrs["peripheries"] = "2"
    return f"{_attrs(attrs)}, label=<{'<br/>'.join(parts)}>"


def _legend_attr(scene):
    if not scene.legend:
        return ""
    rows = "".join(
        f'<tr><td width="14" height="10" bgcolor="{fill}" color="{border}" border="1"></td>'
        f'<td align="left">{_html(text)}</td></tr>'
        for fill, border, text in scene.legend
    )
    table = f'<table border="0" cellspacing="4" cellpadding="1">{rows}</table>'
    return f', labelloc="b", labeljust="l", label=<{table}>'


def _attrs(attrs):
    return ", ".join(f"{key}={_quote(value)}" for key, value in attrs.items())


def _quote(text):
    """A DOT double-quoted string; newlines become XML line breaks for tooltips."""
    text = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "&#10;")
    return f'"{text}"'


def _html(text):
    """Text made safe inside a DOT HTML-like label."""
    return (
        str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
