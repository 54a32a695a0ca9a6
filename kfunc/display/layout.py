"""kfunc's own layered layout: where each box and arrow goes, without Graphviz.

When no Graphviz program is at hand, this small layout places the scene the way
``dot`` does, in fewer steps:

1. **Layers.** Each box goes one rank below the deepest box that feeds it (the
   longest path from the inputs); an Input that is read only late (the headline
   model's ``aux_input``) moves down to just above its reader.
2. **Long arrows** that skip ranks get a hidden waypoint in every rank they
   cross, so they bend around the boxes instead of cutting through them.
3. **Order within a rank.** A few sweeps down and up put each box at the mean
   position of its neighbours (the barycentre heuristic), keeping the boxes of a
   nested model's cluster together; the order with the fewest crossings wins.
4. **Coordinates.** Each rank is placed as close as possible to where its
   neighbours pull it, without overlaps (a least-squares fit solved exactly by the
   pool-adjacent-violators algorithm), down and up a few times.
5. **Arrows** become polylines through their waypoints, labelled with the shape.

The result is plain numbers, in points, read by the SVG writer and by the
matplotlib drawing (PNG, PDF). A left-to-right drawing is laid out top-to-bottom
with widths and heights swapped, then turned.
"""

from dataclasses import dataclass, field

from kfunc.display.arrows import label_rect, place_labels, port_slots
from kfunc.display.frames import cluster_rects, separate_clusters
from kfunc.display.metrics import CLUSTER_LABEL, CLUSTER_PAD, EDGE_SIZE, LEGEND_SIZE, box_size, text_width

_MARGIN = 10
_RANK_GAP_TB = 36
_SWEEPS = 8


@dataclass
class Layout:
    """Positions in points, origin at the top left; rectangles are ``(x, y, w, h)``."""

    width: float = 0.0
    height: float = 0.0
    boxes: dict = field(default_factory=dict)
    edges: dict = field(default_factory=dict)  # id -> (points, (x, y), text anchor)
    clusters: dict = field(default_factory=dict)
    legend: tuple = None  # (x, y) of the legend's top left


def layout(scene):
    """Place ``scene``'s boxes, arrows and clusters; return a :class:`Layout`."""
    turned = scene.rankdir in ("LR", "RL")
    sizes = {}
    for box in scene.boxes:
        w, h = box_size(box)
        sizes[box.id] = (h, w) if turned else (w, h)
    paths = {box.id: scene.cluster_path(box.cluster) for box in scene.boxes}

    # 1. ranks: longest path from the inputs, then lone inputs down to their readers
    ids = [box.id for box in scene.boxes]
    preds = {v: [] for v in ids}
    succs = {v: [] for v in ids}
    for edge in scene.edges:
        preds[edge.dst].append(edge.src)
        succs[edge.src].append(edge.dst)
    rank = {}
    topological = _topological(ids, preds, succs)
    for v in topological:
        rank[v] = max((rank[u] + 1 for u in preds[v]), default=0)
    # A branch that is read only late slides down next to its reader, when that
    # shortens (or keeps) the total length of its arrows.
    for v in reversed(topological):
        if succs[v] and len(succs[v]) >= len(preds[v]):
            rank[v] = max(rank[v], min(rank[s] for s in succs[v]) - 1)

    # 2. waypoints: one hidden node per rank crossed by a long arrow
    chains = {}  # edge id -> [src, waypoints..., dst]
    for edge in scene.edges:
        chain = [edge.src]
        common = _common_prefix(paths[edge.src], paths[edge.dst])
        for r in range(rank[edge.src] + 1, rank[edge.dst]):
            waypoint = f"{edge.id}~{r}"
            rank[waypoint] = r
            paths[waypoint] = common
            sizes[waypoint] = (4.0, 0.0)
            chain.append(waypoint)
        chain.append(edge.dst)
        chains[edge.id] = chain
    up, down = {v: [] for v in rank}, {v: [] for v in rank}
    for chain in chains.values():
        for a, b in zip(chain, chain[1:]):
            down[a].append(b)
            up[b].append(a)

    # 3. order within each rank: barycentre sweeps, clusters kept together
    ranks = [[] for _ in range(max(rank.values()) + 1)]
    for v in list(ids) + [w for c in chains.values() for w in c[1:-1]]:
        ranks[rank[v]].append(v)
    ranks = [_sort_rank(row, {v: i for i, v in enumerate(row)}, paths) for row in ranks]
    best, best_crossings = [list(r) for r in ranks], _crossings(ranks, down)
    for sweep in range(_SWEEPS):
        going_down = sweep % 2 == 0
        order = range(1, len(ranks)) if going_down else range(len(ranks) - 2, -1, -1)
        for r in order:
            neighbours = up if going_down else down
            position = {v: i for i, v in enumerate(ranks[r - 1 if going_down else r + 1])}
            current = {v: i for i, v in enumerate(ranks[r])}
            key = {}
            for v in ranks[r]:
                near = [position[u] for u in neighbours[v] if u in position]
                key[v] = sum(near) / len(near) if near else current[v]
            ranks[r] = _sort_rank(ranks[r], key, paths)
        crossings = _crossings(ranks, down)
        if crossings < best_crossings:
            best, best_crossings = [list(r) for r in ranks], crossings
    ranks = best

    # 4. coordinates: across each rank by least squares, along the ranks by rank height
    x = _place_across(ranks, sizes, paths, up, down, turned)
    y_top, heights = _place_along(ranks, sizes, paths, scene, up, down, turned)
    rects = {}
    for r, row in enumerate(ranks):
        for v in row:
            w, h = sizes[v]
            top = y_top[r] + (heights[r] - h) / 2
            rects[v] = (x[v] - w / 2, top, w, h)
    if scene.clusters:
        separate_clusters(scene, rects, paths, turned)

    # 5. arrows: from the bottom of the source through the waypoints to the target
    result = Layout()
    start_slots = port_slots(chains, rects, lambda c: c[0], lambda c: c[1])
    end_slots = port_slots(chains, rects, lambda c: c[-1], lambda c: c[-2])
    routes = {}
    for edge in scene.edges:
        chain = chains[edge.id]
        sx, sy, sw, sh = rects[chain[0]]
        tx, ty, tw, th = rects[chain[-1]]
        points = [(sx + sw / 2 + start_slots[edge.id], sy + sh)]
        for waypoint in chain[1:-1]:
            wx, wy, ww, wh = rects[waypoint]
            r = rank[waypoint]
            points += [(wx + ww / 2, y_top[r]), (wx + ww / 2, y_top[r] + heights[r])]
        points.append((tx + tw / 2 + end_slots[edge.id], ty))
        (ax, ay), (bx, by) = points[-2], points[-1]
        # Labels of arrows entering one box go outwards (left ones on the left);
        # a single slanted arrow has its label on its outer side.
        slot, slant = end_slots[edge.id], bx - ax
        steep = abs(slant) < 0.2 * abs(by - ay)
        side = "end" if (slot < 0 if slot else not steep and slant < 0) else "start"
        routes[edge.id] = (points, side)

    # 6. turn a left-to-right drawing, then label the arrows where labels fit
    if turned:
        rects = {v: (yy, xx, hh, ww) for v, (xx, yy, ww, hh) in rects.items()}
        routes = {e: ([(py, px) for px, py in pts], "above") for e, (pts, _) in routes.items()}
    result.boxes = {box.id: rects[box.id] for box in scene.boxes}
    result.clusters = cluster_rects(scene, result.boxes)
    result.edges = place_labels(scene, routes, result.boxes)
    _normalize(result, scene)
    return result


# ---------------------------------------------------------------------- ordering


def _topological(ids, preds, succs):
    """``ids`` in an order where every box follows its producers (ties: scene order)."""
    waiting = {v: len(preds[v]) for v in ids}
    ready = [v for v in ids if waiting[v] == 0]
    out = []
    while ready:
        v = ready.pop(0)
        out.append(v)
        for s in succs[v]:
            waiting[s] -= 1
            if waiting[s] == 0:
                ready.append(s)
    return out + [v for v in ids if v not in set(out)]


def _common_prefix(a, b):
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _sort_rank(row, key, paths, depth=0):
    """Sort ``row`` by ``key``, keeping each cluster's members next to each other."""
    groups, first_seen = {}, []
    for v in row:
        path = paths[v]
        group = path[depth] if len(path) > depth else ("box", v)
        if group not in groups:
            groups[group] = []
            first_seen.append(group)
        groups[group].append(v)

    def group_key(group):
        members = groups[group]
        return (sum(key[v] for v in members) / len(members), first_seen.index(group))

    out = []
    for group in sorted(first_seen, key=group_key):
        if isinstance(group, tuple):
            out.append(group[1])
        else:
            out.extend(_sort_rank(groups[group], key, paths, depth + 1))
    return out


def _crossings(ranks, down):
    total = 0
    for r in range(len(ranks) - 1):
        below = {v: i for i, v in enumerate(ranks[r + 1])}
        pairs = [(i, below[w]) for i, v in enumerate(ranks[r]) for w in down[v] if w in below]
        for k, (a1, b1) in enumerate(pairs):
            for a2, b2 in pairs[k + 1 :]:
                if (a1 - a2) * (b1 - b2) < 0:
                    total += 1
    return total


# ---------------------------------------------------------------------- coordinates


def _separation(u, v, sizes, paths, turned):
    hidden = sum(1 for w in (u, v) if "~" in w)
    base = (18, 8, 4)[hidden]
    common = len(_common_prefix(paths[u], paths[v]))
    levels = len(paths[u]) - common + len(paths[v]) - common
    per_level = CLUSTER_PAD + (CLUSTER_LABEL if turned else 4)
    return (sizes[u][0] + sizes[v][0]) / 2 + base + levels * per_level


def _fit_row(row, desired, sizes, paths, turned):
    """Centres for ``row`` closest to ``desired`` with no overlap (pool adjacent violators)."""
    offsets = [0.0]
    for u, v in zip(row, row[1:]):
        offsets.append(offsets[-1] + _separation(u, v, sizes, paths, turned))
    blocks = []  # [weight, weighted sum, count]
    for v, offset in zip(row, offsets):
        weight = 0.5 if "~" in v else 1.0
        blocks.append([weight, weight * (desired[v] - offset), 1])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][0] > blocks[-1][1] / blocks[-1][0]:
            w, s, c = blocks.pop()
            blocks[-1][0] += w
            blocks[-1][1] += s
            blocks[-1][2] += c
    x, i = {}, 0
    for w, s, c in blocks:
        for _ in range(c):
            x[row[i]] = s / w + offsets[i]
            i += 1
    return x


def _place_across(ranks, sizes, paths, up, down, turned):
    x = {}
    for row in ranks:
        x.update(_fit_row(row, {v: 0.0 for v in row}, sizes, paths, turned))
    for sweep in range(6):
        for r in range(len(ranks)) if sweep % 2 == 0 else range(len(ranks) - 1, -1, -1):
            row = ranks[r]
            desired = {}
            for v in row:
                near = up[v] + down[v] if sweep >= 4 else (up[v] if sweep % 2 == 0 else down[v])
                desired[v] = sum(x[u] for u in near) / len(near) if near else x[v]
            x.update(_fit_row(row, desired, sizes, paths, turned))
    # Straighten one-to-one links (a chain of layers), down then up.
    for going_down in (True, False):
        for r in range(1, len(ranks)) if going_down else range(len(ranks) - 2, -1, -1):
            near, back = (up, down) if going_down else (down, up)
            desired = {v: x[near[v][0]] if len(near[v]) == 1 and len(back[near[v][0]]) == 1 else x[v] for v in ranks[r]}
            x.update(_fit_row(ranks[r], desired, sizes, paths, turned))
    return x


def _place_along(ranks, sizes, paths, scene, up, down, turned):
    """The top of each rank and its height, with room for labels and cluster frames."""
    heights = [max((sizes[v][1] for v in row), default=0.0) for row in ranks]
    if turned:
        widest = max((text_width(e.label, EDGE_SIZE) for e in scene.edges), default=0.0)
        gap = min(max(widest + 20, _RANK_GAP_TB), 170.0)
    else:
        gap = _RANK_GAP_TB
    before = [0.0] * len(ranks)
    after = [0.0] * len(ranks)
    rank_of = {v: r for r, row in enumerate(ranks) for v in row}
    for cluster in scene.clusters:
        members = [v for v, path in paths.items() if cluster.id in path and "~" not in v]
        if members:
            before[min(rank_of[v] for v in members)] += CLUSTER_PAD + (0 if turned else CLUSTER_LABEL)
            after[max(rank_of[v] for v in members)] += CLUSTER_PAD
    tops, y = [], 0.0
    for r in range(len(ranks)):
        y += before[r]
        tops.append(y)
        # More room where many arrows meet, so that their labels can stagger.
        fan = max(len(down[v]) for v in ranks[r])
        if r + 1 < len(ranks):
            fan = max([fan] + [len(up[v]) for v in ranks[r + 1]])
        y += heights[r] + after[r] + gap + (0 if turned else 11 * max(0, fan - 2))
    return tops, heights


def _normalize(result, scene):
    """Shift everything to start at the margin, add the legend, flip BT/RL, set the size."""
    rects = list(result.boxes.values()) + list(result.clusters.values())
    points = [p for pts, _, _ in result.edges.values() for p in pts]
    left = min([r[0] for r in rects] + [p[0] for p in points])
    top = min([r[1] for r in rects] + [p[1] for p in points])
    right = max([r[0] + r[2] for r in rects] + [p[0] for p in points])
    bottom = max([r[1] + r[3] for r in rects] + [p[1] for p in points])
    for edge in scene.edges:  # labels may stick out of the drawing
        if edge.label:
            _, position, anchor = result.edges[edge.id]
            x0, y0, w, h = label_rect(position, anchor, edge.label)
            left, right = min(left, x0), max(right, x0 + w)
            top, bottom = min(top, y0), max(bottom, y0 + h)
    width, height = right - left, bottom - top
    flip_x, flip_y = scene.rankdir == "RL", scene.rankdir == "BT"

    def move(px, py):
        px, py = px - left, py - top
        if flip_x:
            px = width - px
        if flip_y:
            py = height - py
        return px + _MARGIN, py + _MARGIN

    def move_rect(rect):
        x0, y0 = move(rect[0], rect[1])
        x1, y1 = move(rect[0] + rect[2], rect[1] + rect[3])
        return (min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))

    result.boxes = {k: move_rect(r) for k, r in result.boxes.items()}
    result.clusters = {k: move_rect(r) for k, r in result.clusters.items()}
    def move_label(px, py):
        # a flipped label keeps its text upright: it moves by its baseline, not its top
        mx, my = move(px, py)
        return (mx, my + EDGE_SIZE - 2) if flip_y else (mx, my)

    result.edges = {
        k: ([move(*p) for p in pts], move_label(*label), anchor) for k, (pts, label, anchor) in result.edges.items()
    }
    result.width = width + 2 * _MARGIN
    result.height = height + 2 * _MARGIN
    if scene.legend:
        result.legend = (_MARGIN, result.height)
        legend_width = max(text_width(text, LEGEND_SIZE) for _, _, text in scene.legend) + 24
        result.width = max(result.width, legend_width + 2 * _MARGIN)
        result.height += len(scene.legend) * 16 + _MARGIN
