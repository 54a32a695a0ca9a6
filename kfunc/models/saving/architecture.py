"""Architectures as JSON, and models rebuilt from it.

``model.get_config()`` describes a functional model as plain data: its layers, each
with its class, its constructor arguments and its *inbound nodes* (the calls that
connect it, with every tensor argument written ``{"__tensor__": [layer name, node
index, tensor index]}``). Rebuilding makes each layer from its class, then replays
the calls, each layer's in order, as soon as the tensors they need exist; the new
model joins the replayed inputs to the replayed outputs.
"""

import inspect
import json

import numpy as np
import torch

from kfunc.models.saving.objects import get_registered_object, loading, with_custom_objects
from kfunc.models.saving.objects import safe_mode as current_safe_mode


def model_to_json(model, **kwargs):
    """The architecture as JSON: ``{"class_name": ..., "config": model.get_config()}``."""
    config = {"class_name": type(model).__name__, "config": model.get_config(), "kfunc_version": _kfunc_version()}
    try:
        return json.dumps(config, default=json_default, **kwargs)
    except TypeError as err:
        raise ValueError(f"Model {model.name!r} cannot be written as JSON: {err}") from None


def model_from_json(json_string, custom_objects=None, safe_mode=True):
    """The model (without weights) described by :func:`model_to_json`'s text."""
    return model_from_config(json.loads(json_string), custom_objects=custom_objects, safe_mode=safe_mode)


def model_from_config(config, custom_objects=None, safe_mode=True):
    """The model (without weights) described by ``{"class_name": ..., "config": ...}``."""
    with loading(custom_objects, safe_mode):
        return deserialize_layer(config)


def deserialize_layer(config, custom_objects=None):
    """The layer (or model) described by ``{"class_name": ..., "config": ...}``.

    Looks the class up in ``custom_objects``, in those of the load in progress, in
    the registered classes, then in ``kfunc.layers`` and ``kfunc.models``.

    Raises:
        ValueError: for an unknown class name, or a ``Lambda`` in safe mode.
    """
    from kfunc.engine.layer import Layer

    class_name, layer_config = config["class_name"], with_custom_objects(config["config"])
    cls = _layer_class(class_name, custom_objects)
    if _is_functional_config(layer_config) or class_name == "Sequential":
        return _model_from_config(cls, layer_config)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(f"{class_name!r} in the saved config is not a layer class.")
    if "safe_mode" in _parameters(cls.from_config):
        return cls.from_config(layer_config, safe_mode=current_safe_mode())
    return cls.from_config(layer_config)


def _layer_class(class_name, custom_objects=None):
    import kfunc.layers
    import kfunc.models

    found = get_registered_object(class_name, custom_objects)
    if found is None and class_name in ("Functional", "Model"):
        found = kfunc.models.Model
    if found is None:
        found = getattr(kfunc.layers, class_name, None) or getattr(kfunc.models, class_name, None)
    if found is None:
        from kfunc._errors import did_you_mean

        known = [n for n in dir(kfunc.layers) if n[:1].isupper()]
        raise ValueError(
            f"Unknown layer class {class_name!r} in the saved model.{did_you_mean(class_name, known)} "
            f"If it is your own layer, pass it to load_model(..., custom_objects={{{class_name!r}: "
            f"{class_name}}}) or decorate its class with @register_keras_serializable()."
        )
    return found


def rebuild_model(cls, config, custom_objects=None, make_layer=None):
    """A model of class ``cls`` (without weights) from its ``get_config()``; ``cls.from_config`` uses it.

    Args:
        make_layer: ``make_layer(entry)`` gives the layer for each entry of
            ``config['layers']``; by default, the layer the entry describes
            (``clone_model`` passes its ``clone_function`` here).
    """
    with loading(custom_objects, current_safe_mode()):
        return _model_from_config(cls, with_custom_objects(config), make_layer or layer_from_entry)


def layer_from_entry(entry):
    """The layer an entry of a model's config describes, with the name the model recorded.

    A custom layer whose ``get_config()`` leaves out ``name`` comes back with a new
    automatic name; the model's config recorded its name beside the layer's own
    config, as tf.keras does, and the layer gets it back (saved weights are filed
    under it).
    """
    layer = deserialize_layer(entry)
    layer.name = entry.get("name", layer.name)
    return layer


def _model_from_config(cls, config, make_layer=layer_from_entry):
    from kfunc.models import Sequential

    if issubclass(cls, Sequential) or "input_layers" not in config:
        return _sequential_from_config(cls if issubclass(cls, Sequential) else Sequential, config, make_layer)
    return _functional_from_config(cls, config, make_layer)


def _sequential_from_config(cls, config, make_layer):
    from kfunc.layers.input_layer import Input

    model = cls(name=config.get("name"))
    entries = config.get("layers", [])
    shape = config.get("build_input_shape")
    if shape is not None and entries and "batch_input_shape" not in entries[0]["config"]:
        model.add(Input(batch_shape=tuple(shape)))
    for entry in entries:
        model.add(make_layer(entry))
    return model


def _functional_from_config(cls, config, make_layer):
    """Make the layers, then replay their calls (nodes) in an order where inputs exist."""
    from kfunc.layers.input_layer import InputLayer
    from kfunc.engine.structure import flatten

    rank = _node_ranks(config)
    made = {}  # (layer name in the config, node index in this model) -> the node's output tensors
    pending = []  # [layer, its name in the config, its node configs, how many are replayed]
    # 1. make every layer; an InputLayer makes its tensor at once
    for entry in config["layers"]:
        layer = make_layer(entry)
        if isinstance(layer, InputLayer):
            made[(entry["name"], 0)] = layer._inbound_nodes[0].outputs
        else:
            pending.append([layer, entry["name"], entry["inbound_nodes"], 0])

    def resolve(value):
        if isinstance(value, dict) and "__tensor__" in value:
            name, node_index, tensor_index = value["__tensor__"]
            return made[(name, rank[name][node_index])][tensor_index]
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return value

    def ready(node):
        refs = _tensor_refs(node)
        return all((name, rank[name][index]) in made for name, index, _ in refs)

    # 2. replay the calls, each layer's in order, as soon as their inputs exist
    progress = True
    while progress:
        progress = False
        for item in pending:
            layer, name, nodes, done = item
            while done < len(nodes) and ready(nodes[done]):
                node = nodes[done]
                outputs = layer(*resolve(node["args"]), **resolve(node["kwargs"]))
                made[(name, done)] = flatten(outputs)
                done, progress = done + 1, True
            item[3] = done
    stuck = [item[1] for item in pending if item[3] < len(item[2])]
    if stuck:
        raise ValueError(f"The saved config is inconsistent: the calls of layer(s) {stuck} cannot be connected.")
    # 3. the model from its inputs and outputs
    inputs = _resolve_structure(config["input_layers"], resolve)
    outputs = _resolve_structure(config["output_layers"], resolve)
    model = cls(inputs=inputs, outputs=outputs, name=config.get("name"))
    if config.get("hidden_output_layers"):  # model.add_loss's and add_metric's layers
        model._add_hidden_outputs([resolve({"__tensor__": r}) for r in config["hidden_output_layers"]])
    return model


def _resolve_structure(refs, resolve):
    """Input or output refs: one ``[name, node, tensor]``, a list of them, or a dict."""
    if isinstance(refs, dict):
        return {k: resolve({"__tensor__": v}) for k, v in refs.items()}
    if refs and isinstance(refs[0], str):
        return resolve({"__tensor__": refs})
    return [resolve({"__tensor__": r}) for r in refs]


def _node_ranks(config):
    """For each layer, its node indices as referenced in the config -> 0, 1, 2, ...

    The calls of a layer that a model does not use (calls made for another model)
    are not in its config, so the indices the config refers to can skip numbers;
    replayed, the calls are numbered from 0 in the same order.
    """
    refs = []
    for entry in config["layers"]:
        for node in entry.get("inbound_nodes", []):
            refs += _tensor_refs(node)
    for key in ("input_layers", "output_layers", "hidden_output_layers"):
        value = config.get(key) or []
        values = value.values() if isinstance(value, dict) else [value] if value and isinstance(value[0], str) else value
        refs += [tuple(v) for v in values]
    indices = {}
    for name, index, _ in refs:
        indices.setdefault(name, set()).add(index)
    return {name: {index: rank for rank, index in enumerate(sorted(found))} for name, found in indices.items()}


def _tensor_refs(value):
    if isinstance(value, dict) and "__tensor__" in value:
        return [tuple(value["__tensor__"])]
    if isinstance(value, dict):
        return [r for v in value.values() for r in _tensor_refs(v)]
    if isinstance(value, list):
        return [r for v in value for r in _tensor_refs(v)]
    return []


def _is_functional_config(config):
    return isinstance(config, dict) and "layers" in config and ("input_layers" in config or "build_input_shape" in config)


def _parameters(function):
    try:
        return inspect.signature(function).parameters
    except (TypeError, ValueError):
        return {}


def json_default(value):
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, torch.dtype):
        return str(value).replace("torch.", "")
    if isinstance(value, torch.Tensor) and value.numel() < 1000:
        return value.tolist()
    raise TypeError(f"a value of type {type(value).__name__} ({value!r:.80}) is not JSON data")


def _kfunc_version():
    import kfunc

    return getattr(kfunc, "__version__", None)
