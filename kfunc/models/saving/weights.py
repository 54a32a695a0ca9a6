"""Weights files: a model's weights keyed ``'<layer name>/<weight name>'``, and loading them back.

``save_weights`` stores each layer's weights (its torch ``state_dict``, in Keras's
layouts) under the layer's name, with the order of the layers. ``load_weights``
pairs the file's layers with the model's (by name, or else by position, as Keras
does), checks every weight's shape, and only then copies: a file that does not fit
changes nothing.
"""

import os
import warnings

import torch

from kfunc.models.saving.files import MODEL_FORMAT, VERSION, WEIGHTS_FORMAT, atomic_save, read


def save_weights(model, filepath, overwrite=True):
    """Write ``model``'s weights to exactly ``filepath`` (see the module docstring)."""
    layers, weights = collect_weights(model)
    atomic_save({"format": WEIGHTS_FORMAT, "version": VERSION, "layers": layers, "weights": weights},
                 filepath, overwrite)


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Read weights written by ``save_weights`` (or ``save``) into ``model``.

    Args:
        by_name: load only into the layers whose names are in the file, leaving the
            others as they are. By default every layer with weights gets the file's
            weights: by name when the names match, else by position, as Keras does.
        skip_mismatch: with ``by_name``, skip (with a warning) the layers whose
            weights do not match, instead of refusing the file.

    Raises:
        ValueError: for a file that is not a kfunc weights file, is truncated, or
            holds weights of another architecture (naming the layer and the shapes).
            The model is then unchanged.
    """
    content = read(filepath, (WEIGHTS_FORMAT, MODEL_FORMAT))
    assign_weights(model, content["layers"], content["weights"], os.fspath(filepath), by_name, skip_mismatch)


def collect_weights(model):
    """``(layer names, {'<layer>/<weight>': tensor})`` for the layers that have weights."""
    model.materialize()
    names, weights = [], {}
    for layer in model.layers:
        state = layer.state_dict()
        if state:
            names.append(layer.name)
            for key, value in state.items():
                weights[f"{layer.name}/{key}"] = value.detach().cpu().clone()
    return names, weights


def assign_weights(model, saved_layers, saved, path, by_name, skip_mismatch):
    # 1. group the file's weights by layer, and list the model's layers that have weights
    by_layer = {name: {} for name in saved_layers}
    for key, value in saved.items():
        layer_name, _, weight_name = key.partition("/")
        by_layer.setdefault(layer_name, {})[weight_name] = value
    model.materialize()
    targets = [(layer, layer.state_dict(keep_vars=True)) for layer in model.layers]
    targets = [(layer, state) for layer, state in targets if state]
    # 2. pair file layers with model layers: by name, or else by position
    pairs = _pair_layers(targets, by_layer, saved_layers, path, by_name)
    # 3. check every pair before changing anything
    checked = []
    for (layer, state), saved_name, values in pairs:
        if set(values) != set(state) and len(values) == len(state):
            # The same layer made again in code names its inner layers anew (`dense_4` for
            # `dense`): as Keras does, a layer's weights then pair by their order.
            values = dict(zip(state, values.values()))
        problem = _mismatch(layer, state, saved_name, values, path)
        if problem is None:
            checked.append((state, values))
        elif by_name and skip_mismatch:
            warnings.warn(problem + " Skipped (skip_mismatch=True).", stacklevel=3)
        else:
            raise ValueError(problem)
    # 4. copy
    with torch.no_grad():
        for state, values in checked:
            for key, target in state.items():
                target.copy_(values[key])


def _pair_layers(targets, by_layer, saved_layers, path, by_name):
    model_names = [layer.name for layer, _ in targets]
    if by_name:
        return [(t, t[0].name, by_layer[t[0].name]) for t in targets if t[0].name in by_layer]
    if sorted(model_names) == sorted(saved_layers):
        return [(t, t[0].name, by_layer[t[0].name]) for t in targets]
    if not targets:
        raise ValueError(
            f"The model has no weights yet to load {path!r} into: a Sequential model without an "
            "input shape makes them on its first call. Give its first layer input_shape=..., or "
            "call it on data, then load the weights."
        )
    if len(targets) != len(saved_layers):
        raise ValueError(
            f"The file {path!r} holds weights for {len(saved_layers)} layer(s) {saved_layers}, but the "
            f"model has {len(targets)} layer(s) with weights {model_names}. It was saved from another "
            "architecture; nothing was loaded."
        )
    return [(t, name, by_layer[name]) for t, name in zip(targets, saved_layers)]


def _mismatch(layer, state, saved_name, values, path):
    """A message describing how the file's weights differ from the layer's, or None."""
    called = f"layer {layer.name!r}" + (f" (called {saved_name!r} in the file)" if saved_name != layer.name else "")
    if set(values) != set(state):
        return (
            f"The file {path!r} does not fit {called}: the layer has the weights {sorted(state)}, the "
            f"file has {sorted(values)}. It was saved from another architecture; nothing was loaded."
        )
    for key, target in state.items():
        if tuple(values[key].shape) != tuple(target.shape):
            return (
                f"The file {path!r} does not fit {called}: its weight {key!r} has shape "
                f"{tuple(target.shape)} in the model but {tuple(values[key].shape)} in the file. It was "
                "saved from another architecture; nothing was loaded."
            )
    return None
