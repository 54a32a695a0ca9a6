"""What a model's picture shows, as plain data: boxes, arrows, clusters, a legend.

The picture is made of *calls*, not layers: every node of the model gets its own
box, labelled with the layer's name, its class and the node's index, so a layer
used twice (a shared LSTM reading two tweets) shows up as two boxes that share a
colour and a "shared" badge, and the legend says they share one set of weights.
Every arrow is one tensor going from the call that made it to a call that reads
it, labelled with its shape. A nested model is one box per call, or, with
``expand_nested=True``, a cluster holding its own graph, with the arrows routed
to its inner inputs and out of its inner outputs.

The :class:`Scene` built here is plain data: the DOT writer turns it into text
for Graphviz (:mod:`kfunc.display.dot`), and the node explorer recolours one call
in it. Box ids come from positions in the graph (``n3`` is the model's fourth
node, ``c5_n1`` the second node inside the cluster drawn for the sixth node), so
the same model always gives the same picture.
"""

from dataclasses import dataclass, field

from kfunc.display.summary import format_shape, layer_param_count, wrapped_model
from kfunc.engine.layer import Layer

# Fill and border colours. Shared layers take the palette colours in turn.
PLAIN = ("#F1F4F8", "#5B6B7F")
INPUT = ("#E2F2E0", "#3A8A3F")
NESTED = ("#EEE8F8", "#6A4C9C")
OUTPUT = ("#FFFFFF", "#7A7A7A")
CLUSTER = ("#FAF8FE", "#8E79B8")
SHARED_PALETTE = [
    ("#FFD8A8", "#D9480F"),
    ("#A5D8FF", "#1864AB"),
    ("#FCC2D7", "#A61E4D"),
    ("#FFEC99", "#B35C00"),
    ("#96F2D7", "#087F5B"),
    ("#D0BFFF", "#5F3DC4"),
]

# Aspect rule for rankdir="auto": a top-to-bottom drawing wider than this many
# points turns left-to-right when that is narrower.
_AUTO_MAX_WIDTH = 900


@dataclass
class Box:
    """One box: a layer call, or the marker of a model output."""

    id: str
    title: str
    lines: list
    kind: str  # "layer", "input", "model" (a collapsed nested model) or "output"
    fill: str
    border: str
    tooltip: str = ""
    cluster: str = None
    badge: str = ""
    layer_name: str = ""
    node_index: int = None
    shared: bool = False


@dataclass
class Edge:
    """One arrow: a tensor from the call that made it to a call that reads it."""

    id: str
    src: str
    dst: str
    label: str = ""


@dataclass
class Cluster:
    """The frame around the inner graph of an expanded nested model call."""

    id: str
    title: str
    fill: str
    border: str
    parent: str = None
    tooltip: str = ""
    badge: str = ""


@dataclass
class Scene:
    """Everything a renderer needs, and nothing it must look up in the model."""

    name: str
    rankdir: str = "TB"
    boxes: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    clusters: list = field(default_factory=list)
    legend: list = field(default_factory=list)  # (fill, border, text)
    dpi: int = 96


@dataclass
class Options:
    """The drawing options of ``plot_model`` / ``model_to_dot``, Keras's names."""

    show_shapes: bool = True
    show_dtype: bool = False
    show_layer_names: bool = True
    rankdir: str = "TB"
    expand_nested: bool = False
    show_layer_activations: bool = False
    show_trainable: bool = False
    layer_range: tuple = None
    dpi: int = 96


_RANKDIRS = ("TB", "LR", "BT", "RL", "AUTO")


def build_scene(model, options=None):
    """The :class:`Scene` that draws ``model`` with ``options``.

    Raises:
        ValueError: for a model without a graph yet, or an unknown ``rankdir``
            or ``layer_range``.
    """
    options = options or Options()
    if not getattr(model, "_nodes", None):
        raise ValueError(
            f"Model {model.name!r} has no graph to draw yet: its first layer does not know "
            "its input shape. Give it an `input_shape=(...)`, or call the model on data once."
        )
    rankdir = str(options.rankdir).upper()
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir={options.rankdir!r} is not a direction; use 'TB', 'LR', 'BT', 'RL' or 'auto'.")
    scene = Scene(name=model.name, dpi=options.dpi)
    builder = _Builder(scene, options, _layer_range(model, options.layer_range))
    made_by = builder.draw_graphs(model)
    builder.draw_outputs(model, made_by)
    scene.legend = builder.legend
    scene.rankdir = _auto_rankdir(scene) if rankdir == "AUTO" else rankdir
    return scene


@dataclass
class _Level:
    """One graph being drawn: the model itself, or a nested model expanded in a cluster."""

    model: object
    cluster: str  # the cluster the boxes go in (None for the model itself), and their ids' prefix
    pending: object  # iterator over the (position, node) pairs still to draw
    calls: dict  # layer -> its number of calls in this graph
    made_by: dict = field(default_factory=dict)  # id(tensor) -> (box id, tensor index, number of outputs)
    entries: dict = field(default_factory=dict)  # id(input tensor) -> box id of its Input box
    opened_by: tuple = None  # (outer level, node) for an expanded call


class _Builder:
    """Fills a :class:`Scene` with a model's boxes, arrows, clusters and legend."""

    def __init__(self, scene, options, keep):
        self.scene = scene
        self.options = options
        self.keep = keep  # the layers to draw (all of them, or a layer_range)
        self.colours = {}  # shared layer -> palette entry, in order of appearance
        self.legend = []

    def draw_graphs(self, model):
        """Draw ``model``, nested models included; return where each of its tensors is made.

        Models nest as deeply as the user likes, so instead of calling itself for a
        nested model, the walk keeps a stack of the graphs being drawn: the top one
        is drawn node by node, an expanded call pushes the inner graph, and a graph
        that is done is popped and wired to the call that opened it.
        """
        stack = [self._level(model, cluster=None)]
        while True:
            level = stack[-1]
            step = next(level.pending, None)
            if step is None:
                stack.pop()
                if not stack:
                    return level.made_by
                self._close_cluster(level)
                continue
            position, node = step
            if level.cluster is None and self.keep is not None and node.layer not in self.keep:
                continue
            inner = wrapped_model(node.layer) if self.options.expand_nested and not node.is_input else None
            if inner is None:
                self._draw_call(level, position, node)
            else:
                stack.append(self._open_cluster(level, position, node, inner))

    def _level(self, model, cluster, opened_by=None):
        calls = {}
        for node in model._nodes:
            if not node.is_input:
                calls[node.layer] = calls.get(node.layer, 0) + 1
        return _Level(model, cluster, iter(enumerate(model._nodes)), calls, opened_by=opened_by)

    # 1. a call drawn as one box, with an arrow per input tensor
    def _draw_call(self, level, position, node):
        box_id = f"{_prefix(level.cluster)}n{position}"
        self.scene.boxes.append(self._call_box(box_id, node, level.cluster, level.calls.get(node.layer, 0)))
        for tensor in node.input_tensors:
            self._arrow(level.made_by, tensor, box_id)
        for k, tensor in enumerate(node.outputs):
            level.made_by[id(tensor)] = (box_id, k, len(node.outputs))
        if node.is_input:
            level.entries[id(node.outputs[0])] = box_id

    # 2. an expanded call of a nested model: a cluster, then its inner graph is drawn
    def _open_cluster(self, level, position, node, inner):
        layer, shared_calls = node.layer, level.calls.get(node.layer, 0)
        cluster_id = f"{_prefix(level.cluster)}c{position}"
        fill, border = CLUSTER
        badge = ""
        if shared_calls > 1:
            fill, border = self._shared_colour(layer, shared_calls)
            badge = f"shared: {shared_calls} calls"
        kind = type(layer).__name__ if layer is inner else f"{type(layer).__name__} of {inner.name}"
        title = f"{layer.name} ({kind}), node {node.node_index}"
        self.scene.clusters.append(
            Cluster(cluster_id, title, fill, border, parent=level.cluster, tooltip=_tooltip(layer, node), badge=badge)
        )
        return self._level(inner, cluster=cluster_id, opened_by=(level, node))

    # 3. the inner graph is drawn: arrows into its Inputs, its outputs made inside
    def _close_cluster(self, inner_level):
        outer, node = inner_level.opened_by
        inner = inner_level.model
        # The call's k-th input feeds the inner model's k-th Input.
        for tensor, inner_input in zip(_call_inputs(inner, node), inner.inputs):
            self._arrow(outer.made_by, tensor, inner_level.entries[id(inner_input)])
        # The call's k-th output is made where the inner model makes its k-th output.
        for tensor, inner_output in zip(node.outputs, inner.outputs):
            outer.made_by[id(tensor)] = inner_level.made_by[id(inner_output)]

    # 4. the model's outputs: a small marker under each, so the last shapes show too
    def draw_outputs(self, model, made_by):
        several = len(model.outputs) > 1
        for k, tensor in enumerate(model.outputs):
            if id(tensor) not in made_by:
                continue
            title = f"output {k}" if several else "output"
            tooltip = f"model output {k}: {model.output_names[k]}, shape {format_shape(tensor.shape)}"
            self.scene.boxes.append(Box(f"out{k}", title, [], "output", *OUTPUT, tooltip=tooltip))
            self._arrow(made_by, tensor, f"out{k}")

    def _arrow(self, made_by, tensor, dst):
        if id(tensor) not in made_by:  # outside a layer_range
            return
        src, index, count = made_by[id(tensor)]
        label = ""
        if self.options.show_shapes:
            label = format_shape(tensor.shape)
            if self.options.show_dtype:
                label += f" {tensor.dtype}"
            if count > 1:
                label = f"tensor {index}: {label}"
        elif count > 1:
            label = f"tensor {index}"
        edge_id = f"e{len(self.scene.edges)}"
        self.scene.edges.append(Edge(id=edge_id, src=src, dst=dst, label=label))

    def _call_box(self, box_id, node, cluster, shared_calls):
        layer = node.layer
        class_name = type(layer).__name__
        inner = getattr(layer, "layer", None)
        if isinstance(inner, Layer) and wrapped_model(layer) is not layer:
            class_name = f"{class_name}({type(inner).__name__})"
        kind = "input" if node.is_input else "model" if wrapped_model(layer) is layer else "layer"
        fill, border = {"input": INPUT, "model": NESTED}.get(kind, PLAIN)
        badge = ""
        if shared_calls > 1:
            fill, border = self._shared_colour(layer, shared_calls)
            badge = f"shared: {shared_calls} calls"
        title = layer.name if self.options.show_layer_names else class_name
        subtitle = f"{class_name}, node {node.node_index}" if self.options.show_layer_names else f"node {node.node_index}"
        lines = [subtitle]
        if kind == "input":
            badge = "input"
        if kind == "model":
            lines.append(f"nested model, {len(layer.layers)} layers")
        elif isinstance(inner, Layer):
            lines.append(f"wraps {inner.name}")
        if self.options.show_layer_activations:
            activation = _config_value(layer, "activation")
            if activation is not None:
                lines.append(f"activation: {activation}")
        if self.options.show_trainable and not node.is_input:
            lines.append("trainable" if layer.trainable else "frozen (not trainable)")
        return Box(
            id=box_id,
            title=title,
            lines=lines,
            kind=kind,
            fill=fill,
            border=border,
            tooltip=_tooltip(layer, node),
            cluster=cluster,
            badge=badge,
            layer_name=layer.name,
            node_index=node.node_index,
            shared=shared_calls > 1,
        )

    def _shared_colour(self, layer, calls):
        if layer not in self.colours:
            colour = SHARED_PALETTE[len(self.colours) % len(SHARED_PALETTE)]
            self.colours[layer] = colour
            self.legend.append((colour[0], colour[1], f"{layer.name} - shared: {calls} calls, one set of weights"))
        return self.colours[layer]


# ---------------------------------------------------------------------- helpers


def _prefix(cluster_id):
    """The prefix of the ids inside a cluster: ``"c5_"`` inside ``c5``, nothing outside."""
    return f"{cluster_id}_" if cluster_id else ""


def _call_inputs(inner, node):
    """The call's input tensors in the order of ``inner.inputs``."""
    args = node.call_args[0] if node.call_args else None
    if wrapped_model(node.layer) is inner and node.layer is inner and args is not None:
        try:
            return inner._flatten_inputs(args)
        except ValueError:
            pass
    return node.input_tensors


def _layer_range(model, layer_range):
    if layer_range is None:
        return None
    names = [layer.name for layer in model.layers]
    if len(layer_range) != 2 or any(n not in names for n in layer_range):
        raise ValueError(
            f"layer_range={layer_range!r} must name two layers of model {model.name!r}, the "
            f"first and the last to draw; its layers are {names}."
        )
    first, last = names.index(layer_range[0]), names.index(layer_range[1])
    if first > last:
        raise ValueError(f"layer_range={layer_range!r}: {layer_range[0]!r} comes after {layer_range[1]!r} in model.layers.")
    return set(model.layers[first : last + 1])


def _config_value(layer, key):
    try:
        return layer.get_config().get(key)
    except Exception:  # a layer whose config cannot be read still gets drawn
        return None


def _tooltip(layer, node):
    """Hover text: the call, its shapes, the parameter count and the configuration."""
    lines = [f"{layer.name} ({type(layer).__name__}), node {node.node_index}"]
    count = layer_param_count(layer)
    if count:
        trainable = "trainable" if layer.trainable else "not trainable"
        lines.append(f"params: {count:,} ({trainable})")
    if node.input_tensors:
        lines.append("input: " + ", ".join(format_shape(t.shape) for t in node.input_tensors))
    lines.append("output: " + ", ".join(format_shape(t.shape) for t in node.outputs))
    inner = wrapped_model(layer)
    if inner is not None:
        names = [l.name for l in inner.layers]
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        lines.append(f"model {inner.name}: {len(names)} layers ({shown})")
        return "\n".join(lines)
    try:
        config = layer.get_config()
    except Exception:
        config = {}
    for key, value in config.items():
        if key in ("name", "trainable"):
            continue
        if isinstance(value, dict) and "class_name" in value:
            value = value["class_name"]  # an initializer or a regularizer: its name is enough
        text = repr(value)
        lines.append(f"{key}={text if len(text) <= 48 else text[:45] + '...'}")
    return "\n".join(lines)


def _auto_rankdir(scene):
    """'LR' when a top-to-bottom drawing would be too wide and left-to-right is narrower."""
    preds = {b.id: [] for b in scene.boxes}
    for e in scene.edges:
        preds[e.dst].append(e.src)
    rank = {}
    for box in scene.boxes:  # boxes come in an order where producers come first
        rank[box.id] = max((rank[p] + 1 for p in preds[box.id] if p in rank), default=0)
    per_rank = {}
    for r in rank.values():
        per_rank[r] = per_rank.get(r, 0) + 1
    widest, depth = max(per_rank.values()), len(per_rank)
    tb_width, lr_width = widest * 150, depth * 190
    return "LR" if tb_width > _AUTO_MAX_WIDTH and lr_width < tb_width else "TB"
