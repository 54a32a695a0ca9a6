"""``clone_model``: the same architecture again, with new layers and new weights.

Keras code trains several copies of one architecture from scratch (an ensemble, a
comparison of optimizers) with ``clone_model(model)``. The copy is made as
``Model.from_config(model.get_config())`` makes it: each layer again from its
config, its calls replayed, so the copy shares nothing with the original and its
weights are drawn afresh (copy them with ``clone.set_weights(model.get_weights())``).

``clone_function(layer)`` may make each new layer instead (an ``InputLayer``
is always made anew), as in tf.keras.
"""

from kfunc.layers.input_layer import InputLayer
from kfunc.models.saving.architecture import layer_from_entry, rebuild_model
from kfunc.models.saving.objects import loading
from kfunc.models.sequential import Sequential


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model of the same architecture, with new layers and freshly initialized weights.

    Args:
        model: a functional ``Model`` or a ``Sequential``.
        input_tensors: not supported; the copy makes its own ``Input``s.
        clone_function: ``clone_function(layer) -> new layer``, called for each layer
            (not the ``InputLayer``s); by default, the layer rebuilt from its config.

    Raises:
        NotImplementedError: for ``input_tensors``; call the copy on them instead,
            ``clone_model(model)(tensor)``.
    """
    if input_tensors is not None:
        raise NotImplementedError(
            "clone_model(..., input_tensors=...) is not supported in kfunc. Clone the model, then "
            "call the copy on your tensors: `outputs = clone_model(model)(input_tensors)`."
        )
    if clone_function is None:
        make_layer = layer_from_entry
    elif isinstance(model, Sequential):
        originals = iter(model.layers)  # the config lists the chain's layers in order
        make_layer = lambda entry: clone_function(next(originals))  # noqa: E731
    else:
        by_name = {layer.name: layer for layer in model.layers}

        def make_layer(entry):
            original = by_name[entry["name"]]
            return layer_from_entry(entry) if isinstance(original, InputLayer) else clone_function(original)

    # The classes come from the model itself, and a Lambda's code from memory, not from a file.
    classes = {type(layer).__name__: type(layer) for layer in model._layer_tree()}
    with loading(classes, safe_mode=False):
        return rebuild_model(type(model), model.get_config(), make_layer=make_layer)
