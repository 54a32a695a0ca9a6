"""The node explorer: pick a layer and one of its calls, and see everything about that call.

A layer is an object; a *node* is one call of it. ``explore(model)`` lists the
model's layers and, for the chosen layer, its nodes. For the chosen node it shows:

* its input tensors (each named ``layer[node][tensor]``, the Keras way of saying
  which call made it) and its output tensors, with shapes and dtypes;
* the node's public attributes as Keras 2 names them (``inbound_layers``: who fed
  this call, ``outbound_layer``, ``input_shapes``, ``output_shapes``) and the
  layers that read its outputs;
* the layer's parameter count (shared by all of its nodes: one set of weights);
* the line of code that made the call (noted by :mod:`kfunc.widgets.call_sites`);
* the model's graph with this call highlighted.

The facts and their layout are :mod:`kfunc.widgets.node_details`; here, choosing
the node and showing the panel.

In a notebook with widgets these are two dropdowns and a live panel; elsewhere
(a headless run, GitHub) ``explore(model, layer, node_index)`` shows the same panel
for one node as two outputs that a saved notebook keeps: the details as HTML, and
the graph as a PNG image, each with a text stand-in. The graph is never SVG inside
the HTML: an untrusted notebook (a fresh clone, Binder's first open) has the
``<svg>`` elements of HTML outputs stripped, while an image shows everywhere.
"""

import functools

from kfunc.widgets.frontend import choose_mode
from kfunc.widgets.node_details import NodeInfo, TensorInfo, info_html, info_text, node_info, node_of

__all__ = ["HIGHLIGHT", "NodeInfo", "NodeReport", "TensorInfo", "explore", "highlighted_diagram", "info_html",
           "info_text", "node_info"]

HIGHLIGHT = ("#FFE066", "#E03131")  # fill and border of the chosen call in the graph


def highlighted_diagram(model, layer, node_index):
    """The model's :class:`~kfunc.display.Diagram` with call ``node_index`` of ``layer`` highlighted.

    Returns None when that call is not drawn (it is not part of the model's graph).
    """
    from kfunc.display import Diagram, Options, build_scene
    from kfunc.display.summary import summary_text

    scene = build_scene(model, Options(rankdir="auto"))
    chosen = [b for b in scene.boxes
              if b.cluster is None and b.layer_name == layer.name and b.node_index == node_index]
    if not chosen:
        return None
    for box in chosen:
        box.fill, box.border = HIGHLIGHT
        box.badge = (box.badge + " - " if box.badge else "") + "selected"
    return Diagram(scene, summary_text(model))


def explore(model, layer=None, node_index=None, mode=None):
    """The node explorer of ``model`` (or of one layer), for a notebook.

    Args:
        model: a functional model (or a single layer, to look at its calls alone).
        layer: the layer (or its name) to show first; by default the first layer
            called more than once, else the model's last layer.
        node_index: the node to show first (by default, the layer's first node in
            the model).
        mode: ``'widget'`` for dropdowns, ``'html'`` for a fixed panel; by default
            widgets where the notebook can show them.

    Returns:
        A ``NodeExplorer`` widget (an ``ipywidgets.VBox``), or a :class:`NodeReport` that displays
        itself (HTML, with text for terminals: ``print(explore(model, 'lstm', 1))``).

    Raises:
        ValueError: for a layer name the model does not have, or a node it lacks; for a
            subclassed model (it has no graph of nodes).

    Example:
        >>> explore(model)                       # then pick 'lstm' and node 1
        >>> explore(model, 'conv2d', 1)          # one call, as a fixed panel
    """
    from kfunc.engine.functional import Functional

    if getattr(model, "_subclassed", False):
        raise ValueError(f"Model {model.name!r} is a subclassed model: the layers its `call` uses compute "
                         "without recording nodes, so it has no nodes to explore. Explore a functional model "
                         "that calls it on an `Input`: there it is one layer, with one node per call.")
    graph = model if isinstance(model, Functional) else None
    layers = list(graph.layers) if graph is not None else [model]
    chosen = _resolve_layer(graph, layers, layer)
    if node_index is None:
        node_index = _first_node(graph, chosen)
    node_of(chosen, node_index)  # refuse a missing node now
    if choose_mode(mode) == "widget":
        return _explorer_class()(graph, layers, chosen, node_index)
    return NodeReport(graph, chosen, node_index)


class NodeReport:
    """One node's panel: notebook outputs (the details as HTML, the graph as PNG), or text (``str``)."""

    def __init__(self, model, layer, node_index):
        self.model = model
        self.layer = layer
        self.node_index = node_index
        self.info = node_info(layer, node_index, model)

    def bundles(self):
        """The panel's outputs, as mime bundles: ``[details, graph]``.

        The details are HTML (with the text of ``str(report)``); the graph, with the
        call highlighted, is a PNG with a one-line text stand-in. It is left out when
        the call is not part of the model's graph (the details say so) or when no
        renderer can draw it.
        """
        diagram = highlighted_diagram(self.model, self.layer, self.node_index) if self.model is not None else None
        note = _NOT_DRAWN if self.model is not None and diagram is None else ""
        result = [{"text/html": f"<div>{info_html(self.info)}{note}</div>", "text/plain": str(self)}]
        png = diagram.mimebundle().get("image/png") if diagram is not None else None  # base64, as Jupyter wants
        if png is not None:
            caption = f"<Graph of model {self.model.name!r}, call {self.info.layer}[{self.node_index}] highlighted>"
            result.append({"image/png": png, "text/plain": caption})
        return result

    def _ipython_display_(self):
        # Two outputs, not one bundle: a notebook shows only the richest part of a bundle,
        # which for HTML + PNG would be the HTML alone.
        from IPython.display import display

        for bundle in self.bundles():
            display(bundle, raw=True)

    def __str__(self):
        return info_text(self.info)

    def __repr__(self):
        return f"<NodeReport {self.info.layer}[{self.node_index}]>"


@functools.lru_cache(maxsize=None)
def _explorer_class():
    """The widget class, made on first use so that ipywidgets is imported only then."""
    import ipywidgets as w

    class _NodeExplorer(w.VBox):
        """Two dropdowns (layer, node) over an info panel and the highlighted graph.

        Attributes:
            layer_menu, node_menu: the ``Dropdown`` widgets.
            details: ``HTML`` panel of the node; graph: ``HTML`` holding the SVG.
        """

        def __init__(self, model, layers, layer, node_index):
            self._graph_model = model
            self._layers = {l.name: l for l in layers}
            self._filling = False
            self.layer_menu = w.Dropdown(
                options=[(f"{l.name} ({type(l).__name__}, {len(l._inbound_nodes)} node"
                          f"{'s' if len(l._inbound_nodes) != 1 else ''})", l.name) for l in layers],
                value=layer.name, description="layer")
            self.node_menu = w.Dropdown(description="node")
            self.details = w.HTML()
            self.graph = w.HTML()
            super().__init__([w.HBox([self.layer_menu, self.node_menu]), self.details, self.graph])
            self._fill_nodes(layer, node_index)
            self.layer_menu.observe(self._layer_changed, names="value")
            self.node_menu.observe(self._node_changed, names="value")
            self._show()

        @property
        def selected(self):
            """``(layer, node index)`` shown now."""
            return self._layers[self.layer_menu.value], self.node_menu.value

        def select(self, layer, node_index=0):
            """Show call ``node_index`` of ``layer`` (a layer or its name)."""
            name = layer if isinstance(layer, str) else layer.name
            self.layer_menu.value = name
            self.node_menu.value = node_index

        def _fill_nodes(self, layer, node_index):
            options = []
            for i, node in enumerate(layer._inbound_nodes):
                outside = self._graph_model is not None and id(node) not in self._graph_model._network_nodes
                options.append((f"node {i}" + (" (not in this model)" if outside else ""), i))
            self._filling = True  # one redraw for the new layer, not one per menu change
            try:
                self.node_menu.options = options
                self.node_menu.value = node_index
            finally:
                self._filling = False

        def _layer_changed(self, change):
            layer = self._layers[change["new"]]
            self._fill_nodes(layer, _first_node(self._graph_model, layer))
            self._show()

        def _node_changed(self, change):
            if change["new"] is not None and not self._filling:
                self._show()

        def _show(self):
            layer, index = self.selected
            if index is None:
                return
            self.details.value = info_html(node_info(layer, index, self._graph_model))
            self.graph.value = _graph_svg(self._graph_model, layer, index)

        def __repr__(self):
            layer, index = self.selected
            name = self._graph_model.name if self._graph_model is not None else layer.name
            return f"NodeExplorer(model={name!r}, layer={layer.name!r}, node_index={index})"

    _NodeExplorer.__name__ = _NodeExplorer.__qualname__ = "NodeExplorer"
    return _NodeExplorer


def __getattr__(name):
    # ``kfunc.widgets.explorer.NodeExplorer``: the widget class, importing ipywidgets on demand
    if name == "NodeExplorer":
        return _explorer_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------- helpers


def _resolve_layer(model, layers, layer):
    if layer is None:
        in_graph = [l for l in layers if len(_graph_nodes(model, l)) > 1]
        return in_graph[0] if in_graph else layers[-1]
    if isinstance(layer, str):
        by_name = {l.name: l for l in layers}
        if layer not in by_name:
            from kfunc._errors import did_you_mean

            raise ValueError(f"Model {getattr(model, 'name', '?')!r} has no layer {layer!r}."
                             f"{did_you_mean(layer, list(by_name))} Its layers: {list(by_name)}.")
        return by_name[layer]
    if layer not in layers:
        raise ValueError(f"Layer {layer.name!r} is not a layer of model {getattr(model, 'name', '?')!r}.")
    return layer


def _graph_nodes(model, layer):
    if model is None:
        return list(layer._inbound_nodes)
    return [n for n in layer._inbound_nodes if id(n) in model._network_nodes]


def _first_node(model, layer):
    in_graph = _graph_nodes(model, layer)
    return layer._inbound_nodes.index(in_graph[0]) if in_graph else 0


_NOT_DRAWN = "<p><i>This call is not part of the model's graph, so the graph does not show it.</i></p>"


def _graph_svg(model, layer, node_index):
    """The highlighted graph as inline SVG (for the live widget), or a short note when it cannot be drawn."""
    if model is None:
        return ""
    diagram = highlighted_diagram(model, layer, node_index)
    if diagram is None:
        return _NOT_DRAWN
    return diagram.mimebundle().get("image/svg+xml", "")
