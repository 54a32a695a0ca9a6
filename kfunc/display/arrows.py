"""Arrows in kfunc's built-in layout: where they leave and enter boxes, where labels go.

Several arrows leaving (or entering) one box are spread along its side, in the
order of the boxes at their other end, so they do not cross right at the box.
Each label is put along the last stretch of its arrow, trying a few spots and
both sides until it covers no box and no other label.
"""

from kfunc.display.metrics import EDGE_SIZE, text_width


def port_slots(chains, rects, end_of, next_of):
    """Spread the arrows leaving (or entering) one box across its side."""
    by_box = {}
    for edge_id, chain in chains.items():
        by_box.setdefault(end_of(chain), []).append(edge_id)
    slots = {}
    for box, edge_ids in by_box.items():
        width = rects[box][2]
        edge_ids.sort(key=lambda e: rects[next_of(chains[e])][0] + rects[next_of(chains[e])][2] / 2)
        n = len(edge_ids)
        step = min(14.0, width * 0.8 / max(n - 1, 1))
        for k, edge_id in enumerate(edge_ids):
            slots[edge_id] = (k - (n - 1) / 2) * step
    return slots


def label_rect(position, anchor, text):
    """The rectangle taken by an arrow label drawn at ``position`` (its baseline)."""
    lx, ly = position
    w = text_width(text, EDGE_SIZE)
    left = {"start": lx, "end": lx - w}.get(anchor, lx - w / 2)
    return (left, ly - EDGE_SIZE, w, EDGE_SIZE + 2)


def place_labels(scene, routes, boxes):
    """Put each label along the last stretch of its arrow, where it hits nothing placed."""
    cell = 40.0
    grid = {}

    def cells(rect):
        x0, y0, w, h = rect
        for i in range(int(x0 // cell), int((x0 + w) // cell) + 1):
            for j in range(int(y0 // cell), int((y0 + h) // cell) + 1):
                yield i, j

    def free(rect):
        x0, y0, w, h = rect
        for key in cells(rect):
            for a, b, c, d in grid.get(key, ()):
                if x0 < a + c and a < x0 + w and y0 < b + d and b < y0 + h:
                    return False
        return True

    def take(rect):
        for key in cells(rect):
            grid.setdefault(key, []).append(rect)

    for rect in boxes.values():
        take(rect)
    out = {}
    for edge in scene.edges:
        points, side = routes[edge.id]
        (ax, ay), (bx, by) = points[-2], points[-1]
        if not edge.label:
            out[edge.id] = (points, (bx, by), "start")
            continue
        sides = ["above", "below"] if side == "above" else [side, "end" if side == "start" else "start"]
        choice = None
        for t in (0.5, 0.3, 0.7, 0.15, 0.85):
            mx, my = ax + (bx - ax) * t, ay + (by - ay) * t
            for s in sides:
                position, anchor = {
                    "start": ((mx + 4, my + 3), "start"),
                    "end": ((mx - 4, my + 3), "end"),
                    "above": ((mx, my - 4), "middle"),
                    "below": ((mx, my + 11), "middle"),
                }[s]
                rect = label_rect(position, anchor, edge.label)
                fits = free(rect)
                if choice is None or fits:
                    choice = (position, anchor, rect)
                if fits:
                    break
            else:
                continue
            break
        take(choice[2])
        out[edge.id] = (points, choice[0], choice[1])
    return out
