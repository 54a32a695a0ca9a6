"""Saving and loading models: weights alone, or architecture, weights and compile settings.

Two kinds of file, both written by ``torch.save`` and read back with
``torch.load(weights_only=True)``, whose unpickler makes only tensors, numbers,
strings, lists and dicts: reading a file can never run code from it.

* ``model.save_weights(path)`` writes the weights: a dict of tensors keyed
  ``'<layer name>/<weight name>'`` (``'dense_1/kernel'``), plus the layer order.
  ``model.load_weights(path)`` reads them into a model of the same architecture.
* ``model.save(path)`` adds the architecture, as the JSON text of
  ``model.get_config()`` (the layers and, for each, the calls that connect them),
  and the compile settings and optimizer state. ``kfunc.models.load_model(path)``
  rebuilds the layers from their classes, replays the calls in order, loads the
  weights and compiles the model again.

Files are written to exactly the path given (no suffix is added), through a
temporary file in the same folder renamed over the target at the end, so an
interrupted save never leaves a half-written file. Loading checks the whole file
against the model before changing any weight: a truncated file, another kind of
file, or weights of another architecture raise an error and leave the model as it
was.

Custom layers are found by class name in ``custom_objects`` or in the classes
registered with :func:`register_keras_serializable`. A ``Lambda`` layer holds code
(its function), so ``load_model`` rebuilds it only when asked to with
``safe_mode=False``.
"""

from kfunc.models.saving.architecture import (
    deserialize_layer,
    model_from_config,
    model_from_json,
    model_to_json,
    rebuild_model,
)
from kfunc.models.saving.model_file import load_model, save_model
from kfunc.models.saving.objects import get_registered_object, register_keras_serializable, safe_mode
from kfunc.models.saving.weights import load_weights, save_weights

__all__ = [
    "deserialize_layer",
    "get_registered_object",
    "load_model",
    "load_weights",
    "model_from_config",
    "model_from_json",
    "model_to_json",
    "rebuild_model",
    "register_keras_serializable",
    "safe_mode",
    "save_model",
    "save_weights",
]
