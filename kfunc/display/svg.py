"""Write a laid-out scene as SVG text, with no Graphviz and no other library.

Every box, arrow and cluster is one ``<g>`` element whose ``id`` is the scene's
stable id, and whose ``<title>`` holds the hover text (browsers show it as a
tooltip; it stays in the file). Numbers are rounded to one decimal, so the same
model gives the same bytes.
"""

from xml.sax.saxutils import escape

from kfunc.display.frames import cluster_title
from kfunc.display.metrics import EDGE_SIZE, LEGEND_SIZE, box_lines

FONT = "Helvetica, Arial, sans-serif"
EDGE_COLOUR, LABEL_COLOUR = "#666666", "#333333"


def to_svg(scene, placed):
    """The SVG document for ``scene`` placed by :func:`kfunc.display.layout.layout`."""
    width, height = _n(placed.width), _n(placed.height)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="{height}pt" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}">',
        f"<title>{escape('model ' + scene.name)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>',
    ]
    for cluster in sorted(scene.clusters, key=lambda c: len(scene.cluster_path(c.id))):
        if cluster.id in placed.clusters:
            out += _cluster(cluster, placed.clusters[cluster.id])
    for edge in scene.edges:
        out += _edge(edge, placed.edges[edge.id])
    for box in scene.boxes:
        out += _box(box, placed.boxes[box.id])
    if scene.legend:
        out += _legend(scene.legend, placed.legend)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def arrowhead(points, length=7.0, half_width=3.5):
    """The three corners of the arrowhead at the end of a polyline."""
    (ax, ay), (bx, by) = points[-2], points[-1]
    dx, dy = bx - ax, by - ay
    norm = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / norm, dy / norm
    base_x, base_y = bx - ux * length, by - uy * length
    return [(bx, by), (base_x - uy * half_width, base_y + ux * half_width), (base_x + uy * half_width, base_y - ux * half_width)]


def text_rows(box, rect):
    """``(text, size, bold, x, baseline)`` for each line of a box, centred."""
    x, y, w, h = rect
    lines = box_lines(box)
    total = sum(size * 1.3 for _, size, _ in lines)
    cursor = y + (h - total) / 2
    rows = []
    for text, size, bold in lines:
        rows.append((text, size, bold, x + w / 2, cursor + size * 1.02))
        cursor += size * 1.3
    return rows


def _n(value):
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _points(points):
    return " ".join(f"{_n(px)},{_n(py)}" for px, py in points)


def _cluster(cluster, rect):
    x, y, w, h = rect
    width = "1.6" if cluster.badge else "1"
    title = cluster_title(cluster)
    return [
        f'<g id="{cluster.id}" class="cluster">',
        f"<title>{escape(cluster.tooltip)}</title>",
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="6" '
        f'fill="{cluster.fill}" stroke="{cluster.border}" stroke-width="{width}"/>',
        f'<text x="{_n(x + 8)}" y="{_n(y + 13)}" font-size="10" font-weight="bold" fill="#333333">{escape(title)}</text>',
        "</g>",
    ]


def _edge(edge, placed):
    points, position, anchor = placed
    out = [
        f'<g id="{edge.id}" class="edge">',
        f"<title>{escape(edge.label)}</title>",
        f'<polyline points="{_points(points)}" fill="none" stroke="{EDGE_COLOUR}" stroke-width="1"/>',
        f'<polygon points="{_points(arrowhead(points))}" fill="{EDGE_COLOUR}" stroke="{EDGE_COLOUR}"/>',
    ]
    if edge.label:
        lx, ly = position
        out.append(
            f'<text x="{_n(lx)}" y="{_n(ly)}" text-anchor="{anchor}" font-size="{EDGE_SIZE}" '
            f'fill="{LABEL_COLOUR}">{escape(edge.label)}</text>'
        )
    out.append("</g>")
    return out


def _box(box, rect):
    x, y, w, h = rect
    if box.kind == "output":
        style = f'fill="{box.fill}" stroke="{box.border}" stroke-dasharray="3,2"'
    else:
        width = "2" if box.shared or box.kind == "model" else "1.2"
        style = f'fill="{box.fill}" stroke="{box.border}" stroke-width="{width}"'
    out = [
        f'<g id="{box.id}" class="node">',
        f"<title>{escape(box.tooltip)}</title>",
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="6" {style}/>',
    ]
    if box.kind == "model":
        out.append(
            f'<rect x="{_n(x + 3)}" y="{_n(y + 3)}" width="{_n(w - 6)}" height="{_n(h - 6)}" rx="4" '
            f'fill="none" stroke="{box.border}" stroke-width="1"/>'
        )
    badge = box.badge and box.kind != "output"
    rows = text_rows(box, rect)
    for k, (text, size, bold, tx, ty) in enumerate(rows):
        colour = box.border if badge and k == len(rows) - 1 else "#222222"
        weight = ' font-weight="bold"' if bold else ""
        out.append(
            f'<text x="{_n(tx)}" y="{_n(ty)}" text-anchor="middle" font-size="{size}"{weight} '
            f'fill="{colour}">{escape(text)}</text>'
        )
    out.append("</g>")
    return out


def _legend(legend, origin):
    lx, ly = origin
    out = ['<g id="legend" class="legend">']
    for k, (fill, border, text) in enumerate(legend):
        row = ly + k * 16
        out.append(f'<rect x="{_n(lx)}" y="{_n(row + 2)}" width="14" height="10" fill="{fill}" stroke="{border}"/>')
        out.append(f'<text x="{_n(lx + 20)}" y="{_n(row + 11)}" font-size="{LEGEND_SIZE}" fill="#222222">{escape(text)}</text>')
    out.append("</g>")
    return out

