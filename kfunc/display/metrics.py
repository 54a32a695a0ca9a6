"""Text sizes for kfunc's built-in drawing: how big each box and label is.

Without a font engine at layout time, widths are estimated from the number of
characters; the estimate is generous enough for DejaVu Sans (the matplotlib
drawing) and for Helvetica or Arial (browsers showing the SVG).
"""

TITLE_SIZE, BODY_SIZE, BADGE_SIZE, EDGE_SIZE, LEGEND_SIZE = 11, 10, 9, 9, 10
_CHAR, _BOLD_CHAR = 0.62, 0.68  # mean glyph width of a sans-serif font, in ems
CLUSTER_PAD, CLUSTER_LABEL = 8, 16  # space around a cluster's boxes, and for its title


def text_width(text, size, bold=False):
    """An estimate of the width of ``text`` in points."""
    return len(text) * size * (_BOLD_CHAR if bold else _CHAR)


def box_lines(box):
    """The text lines of a box as ``(text, size, bold)``, top to bottom."""
    if box.kind == "output":
        return [(box.title, BADGE_SIZE, False)]
    lines = [(box.title, TITLE_SIZE, True)] + [(line, BODY_SIZE, False) for line in box.lines]
    if box.badge:
        lines.append((box.badge, BADGE_SIZE, True))
    return lines


def box_size(box):
    lines = box_lines(box)
    width = max(text_width(t, s, b) for t, s, b in lines) + (12 if box.kind == "output" else 20)
    height = sum(s * 1.3 for _, s, _ in lines) + (6 if box.kind == "output" else 10)
    return max(width, 36.0), height
