"""``plot_model`` and ``model_to_dot``: Keras's drawing functions, on kfunc's display.

Both take Keras's argument names. The picture has one box per layer *call*, the
shape on every arrow, inputs and outputs marked, shared layers in a common colour
with a legend, and nested models as one box or, with ``expand_nested=True``, as a
cluster showing their inner graph. No system Graphviz is needed (see
:mod:`kfunc.display.renderers`).
"""

from kfunc.display.diagram import Diagram
from kfunc.display.scene import Options, build_scene
from kfunc.display.summary import summary_text


def model_to_dot(
    model,
    show_shapes=True,
    show_dtype=False,
    show_layer_names=True,
    rankdir="TB",
    expand_nested=False,
    dpi=96,
    subgraph=False,
    layer_range=None,
    show_layer_activations=False,
    show_trainable=False,
):
    """The drawing of ``model`` as a :class:`~kfunc.display.Diagram` (DOT text + pictures).

    Args:
        model: a built functional model (``Model`` or ``Sequential``).
        show_shapes: label every arrow with the shape of its tensor.
        show_dtype: add the tensor's dtype to the arrow labels.
        show_layer_names: put the layer's name in each box (else only its class).
        rankdir: ``'TB'`` (top to bottom), ``'LR'`` (left to right), ``'BT'``,
            ``'RL'``, or ``'auto'`` (left to right when the model is wide).
        expand_nested: draw each call of a nested model as a cluster holding its
            layers, instead of one box.
        dpi: the resolution of PNG pictures.
        subgraph: accepted for Keras compatibility; kfunc always draws a whole graph.
        layer_range: ``[first_name, last_name]``: draw only the layers from the first
            to the last, in ``model.layers`` order.
        show_layer_activations: add the activation function to each box.
        show_trainable: say in each box whether its weights are trainable.

    Returns:
        A :class:`~kfunc.display.Diagram`: ``.source`` is the DOT text; ``.svg`` and
        ``.png`` are the pictures; in a notebook it shows itself.

    Example:
        >>> print(model_to_dot(model).source)
    """
    options = Options(
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        rankdir=rankdir,
        expand_nested=expand_nested,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
        layer_range=tuple(layer_range) if layer_range is not None else None,
        dpi=dpi,
    )
    return Diagram(build_scene(model, options), summary_text(model))


def plot_model(
    model,
    to_file=None,
    show_shapes=True,
    show_dtype=False,
    show_layer_names=True,
    rankdir="TB",
    expand_nested=False,
    dpi=96,
    layer_range=None,
    show_layer_activations=False,
    show_trainable=False,
):
    """Draw ``model``; write the picture to ``to_file`` if given.

    Args:
        model: a built functional model.
        to_file: a path ending in ``.svg``, ``.png``, ``.pdf`` or ``.dot``; the
            extension chooses the format. None writes nothing.
        show_shapes, show_dtype, show_layer_names, rankdir, expand_nested, dpi,
        layer_range, show_layer_activations, show_trainable: as for
            :func:`model_to_dot`.

    Returns:
        The :class:`~kfunc.display.Diagram`, which a notebook displays.

    Raises:
        ValueError: for a ``to_file`` whose extension is not one of those above.
        kfunc.display.RenderError: when no renderer can write that format.

    Example:
        >>> plot_model(model, to_file='model.png', expand_nested=True)
    """
    diagram = model_to_dot(
        model,
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        rankdir=rankdir,
        expand_nested=expand_nested,
        dpi=dpi,
        layer_range=layer_range,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
    )
    if to_file is not None:
        diagram.write(to_file)
    return diagram
