"""Cluster frames in kfunc's built-in layout: the boxes around nested models.

A nested model drawn with ``expand_nested=True`` becomes a frame holding its
inner graph, with its title on top. The rank-by-rank placement keeps boxes
apart within each rank, but a frame spans several ranks, so frames are moved
apart afterwards (:func:`separate_clusters`).
"""

from kfunc.display.metrics import CLUSTER_LABEL, CLUSTER_PAD, text_width


def cluster_title(cluster):
    return cluster.title + (f"   {cluster.badge}" if cluster.badge else "")


def frame(cluster, inside, title_left=False, fit_title=True):
    """The rectangle around ``inside`` (rectangles): padding, and room for the title.

    Args:
        cluster: the cluster whose frame it is.
        inside: the rectangles of its boxes and inner frames.
        title_left: put the title's room on the left side instead of the top one
            (a left-to-right drawing, laid out before it is turned).
        fit_title: make the frame at least as wide as its title.
    """
    left = min(r[0] for r in inside) - CLUSTER_PAD
    right = max(r[0] + r[2] for r in inside) + CLUSTER_PAD
    top = min(r[1] for r in inside) - CLUSTER_PAD
    bottom = max(r[1] + r[3] for r in inside) + CLUSTER_PAD
    if title_left:
        left -= CLUSTER_LABEL
    else:
        top -= CLUSTER_LABEL
        if fit_title:
            right = max(right, left + text_width(cluster_title(cluster), 10, bold=True) + 16)
    return (left, top, right - left, bottom - top)


def cluster_rects(scene, boxes):
    rects = {}
    for cluster in sorted(scene.clusters, key=lambda c: -len(scene.cluster_path(c.id))):
        inside = [boxes[b.id] for b in scene.boxes if b.cluster == cluster.id]
        inside += [rects[c.id] for c in scene.clusters if c.parent == cluster.id and c.id in rects]
        if inside:
            rects[cluster.id] = frame(cluster, inside, fit_title=scene.rankdir not in ("LR", "RL"))
    return rects


def separate_clusters(scene, rects, paths, turned):
    """Slide clusters (and what lies right of them) so that no two frames overlap.

    The rank-by-rank placement keeps boxes apart within a rank, but a cluster's
    frame spans several ranks. Level by level, innermost first, each item (a box,
    a waypoint, or a child cluster moved as one block) moves right just enough to
    clear every item left of it whose vertical extent it shares.
    """
    by_id = {c.id: c for c in scene.clusters}
    levels = sorted(scene.clusters, key=lambda c: -len(scene.cluster_path(c.id))) + [None]
    for parent in levels:
        depth = len(scene.cluster_path(parent.id)) if parent else 0
        prefix = scene.cluster_path(parent.id) if parent else ()
        items = {}  # key -> the boxes and waypoints inside it
        for v, path in paths.items():
            if path[:depth] == prefix:
                key = path[depth] if len(path) > depth else v
                items.setdefault(key, []).append(v)

        def extent(key):
            inside = [rects[v] for v in items[key]]
            x0, y0, w, h = frame(by_id[key], inside, title_left=turned, fit_title=not turned) if key in by_id else inside[0]
            return x0, x0 + w, y0, y0 + h

        placed = []  # (left, right, top, bottom, is a cluster) of the items settled so far
        carry = 0.0  # what lies right of a moved item moves with it, keeping arrows straight
        for key in sorted(items, key=lambda k: (extent(k)[0], str(k))):
            left, right, top, bottom = extent(key)
            is_cluster = key in by_id
            # Boxes of one rank are already apart; only frames need clearing.
            need = max(
                (r + 6 for l, r, t, b, c in placed if (c or is_cluster) and t < bottom and top < b),
                default=left,
            )
            shift = carry = max(carry, need - left)
            if shift:
                for v in items[key]:
                    x0, y0, w, h = rects[v]
                    rects[v] = (x0 + shift, y0, w, h)
            placed.append((left + shift, right + shift, top, bottom, is_cluster))
