"""Whole-model files: architecture, weights, compile settings and optimizer state together.

``load_model`` rebuilds the architecture (see :mod:`.architecture`), loads the
weights (see :mod:`.weights`) and, when the compile settings could be saved
(losses and metrics known by name), compiles the model as it was, restoring the
optimizer's state so that training continues where it stopped.
"""

import json
import os
import warnings

from kfunc.engine.structure import map_structure
from kfunc.models.saving.architecture import json_default, model_from_json, model_to_json
from kfunc.models.saving.files import MODEL_FORMAT, VERSION, atomic_save, read
from kfunc.models.saving.objects import get_registered_object, loading
from kfunc.models.saving.weights import assign_weights, collect_weights


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    """Write the architecture, weights, compile settings and optimizer state to ``filepath``."""
    layers, weights = collect_weights(model)
    content = {
        "format": MODEL_FORMAT,
        "version": VERSION,
        "model_config": model_to_json(model),
        "layers": layers,
        "weights": weights,
        "training_config": _training_config(model),
        "optimizer_state": None,
    }
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None and optimizer.torch_optimizer is not None:
        content["optimizer_state"] = optimizer.state_dict()
    atomic_save(content, filepath, overwrite)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """The model saved by ``model.save(filepath)``: rebuilt, with its weights, compiled.

    Args:
        custom_objects: ``{name: class or function}`` for custom layers, losses,
            metrics and activations.
        compile: compile the model as it was saved (when its settings could be saved).
        safe_mode: refuse to rebuild ``Lambda`` layers from the code stored in the
            file; pass ``safe_mode=False`` for a file you trust.

    Raises:
        ValueError: for a file that is not a saved kfunc model, or that is truncated;
            for an unknown layer class (add it to ``custom_objects``); for a
            ``Lambda`` in safe mode.
    """
    content = read(filepath, (MODEL_FORMAT,))
    try:
        model = model_from_json(content["model_config"], custom_objects=custom_objects, safe_mode=safe_mode)
    except (json.JSONDecodeError, KeyError, IndexError, TypeError, AttributeError) as err:
        raise ValueError(
            f"The architecture in {os.fspath(filepath)!r} could not be rebuilt ({type(err).__name__}: {err}). "
            "If the model has custom layers, check that their get_config() returns every constructor "
            "argument; otherwise the file is damaged, or was not written by kfunc's model.save."
        ) from err
    assign_weights(model, content["layers"], content["weights"], os.fspath(filepath), False, False)
    if compile and content.get("training_config"):
        with loading(custom_objects, safe_mode):
            _compile_from_config(model, json.loads(content["training_config"]), content.get("optimizer_state"))
    return model


def _training_config(model):
    """The compile arguments as JSON text, or None if some of them cannot be named."""
    from kfunc import losses, metrics, optimizers

    compiled = getattr(model, "_compiled", None)
    if compiled is None:
        return None
    optimizer = optimizers.serialize(model.optimizer)
    try:
        config = {
            "optimizer": optimizer,
            "loss": _serialize(compiled.loss, losses.serialize),
            "metrics": _serialize(compiled.metrics, metrics.serialize),
            "weighted_metrics": _serialize(compiled.weighted_metrics, metrics.serialize),
            "loss_weights": compiled.loss_weights,
            "sample_weight_mode": compiled.sample_weight_mode,
        }
        return json.dumps(config, default=json_default)
    except (TypeError, ValueError):
        return None


def _serialize(value, serialize):
    """``compile``'s argument as JSON data: each loss or metric by name (or config dict)."""

    def named(leaf):
        if leaf is None or isinstance(leaf, str):
            return leaf
        out = serialize(leaf)
        if isinstance(out, str) and not out.isidentifier():
            raise ValueError(f"{leaf!r} has no name to save it under")
        return out

    return map_structure(named, value)


def _compile_from_config(model, config, optimizer_state):
    from kfunc import losses, metrics, optimizers

    def named(value, get, kind):
        if isinstance(value, list):
            return [named(v, get, kind) for v in value]
        if isinstance(value, dict) and "class_name" in value:  # a loss or metric object's config
            return get(value)
        if isinstance(value, dict):  # one entry per output
            return {k: named(v, get, kind) for k, v in value.items()}
        if isinstance(value, str):
            custom = get_registered_object(value)
            if custom is not None:
                return custom
            try:
                if value not in ("accuracy", "acc", "crossentropy", "ce"):
                    get(value)
            except ValueError:
                raise ValueError(
                    f"The saved model was compiled with the {kind} {value!r}, which kfunc does not know. "
                    f"Pass it to load_model(..., custom_objects={{{value!r}: {value}}}), or load with "
                    "compile=False and compile the model yourself."
                ) from None
        return value

    if config.get("optimizer"):
        optimizer = optimizers.get(config["optimizer"])
    else:
        warnings.warn(
            "The model was compiled with an optimizer that could not be saved (a torch optimizer "
            "or a learning-rate function); it is loaded with 'rmsprop'. Compile it again with yours.",
            stacklevel=3,
        )
        optimizer = "rmsprop"
    model.compile(
        optimizer=optimizer,
        loss=named(config.get("loss"), losses.get, "loss"),
        metrics=named(config.get("metrics"), metrics.get, "metric"),
        weighted_metrics=named(config.get("weighted_metrics"), metrics.get, "metric"),
        loss_weights=config.get("loss_weights"),
        sample_weight_mode=config.get("sample_weight_mode"),
    )
    if optimizer_state is not None and config.get("optimizer"):
        try:
            model.optimizer.build(model.parameters())
            model.optimizer.load_state_dict(optimizer_state)
        except (ValueError, KeyError, RuntimeError) as err:
            warnings.warn(f"The saved optimizer state could not be restored ({err}); the optimizer starts afresh.",
                          stacklevel=3)
