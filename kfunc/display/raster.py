"""Draw a laid-out scene with matplotlib: PNG (and PDF) without Graphviz or cairo.

The drawing uses the same positions as the SVG writer, in points, so the two
pictures match. matplotlib is imported only here, when a picture is asked for,
and only its Agg canvas is used: no pyplot, no window, no global state.

For speed, artists are batched: all arrows are one line collection, all
arrowheads one polygon collection, and all text one path collection. Each
distinct string is turned into glyph outlines once (a label such as
``(None, 64)`` may appear a hundred times) and stamped wherever it is used.
"""

import io

from kfunc.display.frames import cluster_title
from kfunc.display.metrics import EDGE_SIZE, LEGEND_SIZE
from kfunc.display.svg import EDGE_COLOUR, LABEL_COLOUR, arrowhead, text_rows

FONT = "DejaVu Sans"  # ships with matplotlib, so every machine draws the same letters


def draw(scene, placed, fmt="png", dpi=96):
    """The picture as bytes in ``fmt`` (``'png'`` or ``'pdf'``).

    Raises:
        ImportError: when matplotlib is not installed.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection, PathCollection, PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch, Rectangle
    from matplotlib.transforms import Affine2D

    width, height = placed.width, placed.height
    figure = Figure(figsize=(width / 72, height / 72), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, width)
    axes.set_ylim(height, 0)
    axes.axis("off")
    stamps = _TextStamps()

    def rounded(rect, fill, border, lw, dashed=False, radius=6.0, z=1):
        x, y, w, h = rect
        axes.add_patch(
            FancyBboxPatch(
                (x, y), w, h, boxstyle=f"round,pad=0,rounding_size={min(radius, h / 2)}",
                facecolor=fill, edgecolor=border, linewidth=lw, linestyle="--" if dashed else "-", zorder=z,
            )
        )

    # 1. cluster frames, outermost first
    for cluster in sorted(scene.clusters, key=lambda c: len(scene.cluster_path(c.id))):
        if cluster.id in placed.clusters:
            rect = placed.clusters[cluster.id]
            rounded(rect, cluster.fill, cluster.border, 1.6 if cluster.badge else 1.0, z=0)
            stamps.add(cluster_title(cluster), 10, True, "#333333", rect[0] + 8, rect[1] + 13, "start")

    # 2. arrows, arrowheads and their labels
    lines, heads = [], []
    for edge in scene.edges:
        points, (lx, ly), anchor = placed.edges[edge.id]
        lines.append(points)
        heads.append(arrowhead(points))
        if edge.label:
            stamps.add(edge.label, EDGE_SIZE, False, LABEL_COLOUR, lx, ly, anchor)
    axes.add_collection(LineCollection(lines, colors=EDGE_COLOUR, linewidths=1, zorder=2))
    axes.add_collection(PolyCollection(heads, facecolors=EDGE_COLOUR, edgecolors=EDGE_COLOUR, linewidths=0.5, zorder=2))

    # 3. boxes and their text
    for box in scene.boxes:
        rect = placed.boxes[box.id]
        if box.kind == "output":
            rounded(rect, box.fill, box.border, 1.0, dashed=True, z=3)
        else:
            rounded(rect, box.fill, box.border, 2.0 if box.shared or box.kind == "model" else 1.2, z=3)
        if box.kind == "model":
            x, y, w, h = rect
            rounded((x + 3, y + 3, w - 6, h - 6), "none", box.border, 1.0, radius=4, z=3)
        rows = text_rows(box, rect)
        badge = box.badge and box.kind != "output"
        for k, (value, size, bold, tx, ty) in enumerate(rows):
            colour = box.border if badge and k == len(rows) - 1 else "#222222"
            stamps.add(value, size, bold, colour, tx, ty, "middle")

    # 4. the legend
    if scene.legend:
        lx, ly = placed.legend
        for k, (fill, border, value) in enumerate(scene.legend):
            row = ly + k * 16
            axes.add_patch(Rectangle((lx, row + 2), 14, 10, facecolor=fill, edgecolor=border, linewidth=1, zorder=3))
            stamps.add(value, LEGEND_SIZE, False, "#222222", lx + 20, row + 11, "start")

    # Glyph outlines are in points with y up, which is the display's direction:
    # scale them to pixels and place them at their data positions.
    paths, offsets, colours = stamps.collect()
    if paths:
        axes.add_collection(
            PathCollection(
                paths, offsets=offsets, offset_transform=axes.transData,
                transform=Affine2D().scale(dpi / 72.0), facecolors=colours, edgecolors="none", zorder=4,
            )
        )

    buffer = io.BytesIO()
    if fmt == "png":  # light compression: a big drawing encodes several times faster
        options = {"metadata": {"Software": None}, "pil_kwargs": {"compress_level": 1}}
    else:
        options = {"metadata": {"Creator": None, "Producer": None, "CreationDate": None}}
    figure.savefig(buffer, format=fmt, dpi=dpi, facecolor="white", **options)
    return buffer.getvalue()


class _TextStamps:
    """Text as filled glyph outlines: one outline per distinct string, reused."""

    def __init__(self):
        self._outlines = {}
        self._paths, self._offsets, self._colours = [], [], []

    def add(self, text, size, bold, colour, x, y, anchor):
        key = (text, size, bold, anchor)
        if key not in self._outlines:
            self._outlines[key] = _outline(text, size, bold, anchor)
        self._paths.append(self._outlines[key])
        self._offsets.append((x, y))
        self._colours.append(colour)

    def collect(self):
        return self._paths, self._offsets, self._colours


def _outline(text, size, bold, anchor):
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath, text_to_path
    from matplotlib.transforms import Affine2D

    prop = FontProperties(family=FONT, weight="bold" if bold else "normal", size=size)
    path = TextPath((0, 0), text, prop=prop)
    if anchor != "start":
        advance = text_to_path.get_text_width_height_descent(text, prop, ismath=False)[0]
        path = path.transformed(Affine2D().translate(-advance / 2 if anchor == "middle" else -advance, 0))
    return path
