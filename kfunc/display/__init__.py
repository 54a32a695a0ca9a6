"""Showing models: summaries, graph pictures, and rich notebook displays.

This package only *reads* the graph (layers, nodes, symbolic tensors); nothing
in the engine depends on it. Graphviz lays the pictures out, run as a program, so
importing this package loads no drawing library.

* :func:`print_summary` / :func:`summary_html`: ``model.summary()``, the Keras
  table of layers, shapes, parameter counts and connections (:mod:`.summary`).
* :func:`build_scene`: what a picture of the model shows, as plain data: a box per
  layer call, an arrow per tensor, clusters for nested models (:mod:`.scene`).
* :class:`Diagram`: a scene as DOT text (:mod:`.dot`) and as SVG/PNG/PDF, drawn
  by the Graphviz ``dot`` program or by the ``graphviz-pure`` wheel that kfunc
  installs (:mod:`.renderers`); with neither, a model shows its summary as text.
* :func:`layer_mimebundle`, :func:`tensor_mimebundle`, :func:`model_mimebundle`:
  what Jupyter shows for a layer, a symbolic tensor, a model (:mod:`.bundles`).
"""

from kfunc.display.bundles import layer_mimebundle, model_mimebundle, tensor_mimebundle
from kfunc.display.diagram import Diagram
from kfunc.display.renderers import RenderError, set_renderer, which_renderer
from kfunc.display.scene import Options, build_scene
from kfunc.display.summary import count_weights, print_summary, summary_html, summary_lines, summary_text

__all__ = [
    "Diagram",
    "Options",
    "RenderError",
    "build_scene",
    "count_weights",
    "layer_mimebundle",
    "model_mimebundle",
    "print_summary",
    "set_renderer",
    "summary_html",
    "summary_lines",
    "summary_text",
    "tensor_mimebundle",
    "which_renderer",
]
