"""What a model may be built from and called on: the checks, with errors that teach.

A model's inputs must be the tensors ``Input(...)`` returned, each once; its outputs
must be symbolic tensors that layers returned. The usual mistakes (a layer's output
given as an input, data given as an output, an empty list) are explained here,
before the graph walk starts. A call of the model then takes one tensor per input:
in a list in input order, in a dict by input name, or alone for a one-input model.
"""

import numpy as np
import torch

from kfunc.engine.keras_tensor import is_symbolic
from kfunc.engine.structure import flatten


def checked_endpoints(structure, which, model_name):
    """``inputs`` or ``outputs`` as given (one tensor, a list, a dict), refused unless they make sense."""
    if structure is None or (isinstance(structure, (list, tuple, dict)) and not structure):
        needed = "the tensor(s) returned by `Input(...)`" if which == "inputs" else "the tensor(s) the model computes"
        raise ValueError(f"Model {model_name!r} needs `{which}`: {needed}.")
    if isinstance(structure, (list, tuple, dict)):
        structure = dict(structure) if isinstance(structure, dict) else list(structure)
    tensors = flatten(structure)
    for i, tensor in enumerate(tensors):
        if not is_symbolic(tensor) and which == "outputs":
            raise ValueError(
                f"Model outputs must be symbolic tensors returned by layers; model {model_name!r} was "
                f"given {_describe(tensor)}. Build the outputs by calling layers on the model's Input tensors."
            )
        if not is_symbolic(tensor):
            raise ValueError(
                f"Model inputs must be tensors returned by `Input(...)`; model {model_name!r} was given "
                f"{_describe(tensor)}."
            )
        if which == "inputs" and not tensor.node.is_input:
            layer = tensor._keras_history.layer
            raise ValueError(
                f"Model inputs must come from `Input(...)`; model {model_name!r} was given the output of "
                f"layer {layer.name!r} ({type(layer).__name__}). Use the Input tensor that this layer's "
                "branch starts from, or start a new model from a new `Input(shape=...)`."
            )
        if which == "inputs" and any(tensor is other for other in tensors[:i]):
            raise ValueError(
                f"The input {tensor.name!r} is given twice to model {model_name!r}. Each input must "
                "appear only once."
            )
    return structure


def inputs_in_order(model, inputs):
    """The data for each of ``model``'s inputs, in order: from one tensor, a list, or a dict by input name."""
    n = len(model.inputs)
    if isinstance(inputs, dict):
        missing = [name for name in model.input_names if name not in inputs]
        if missing:
            raise ValueError(
                f"Model {model.name!r} needs data for the input(s) {missing}; the dict "
                f"passed has the keys {list(inputs)}. Expected keys: {model.input_names}."
            )
        return [inputs[name] for name in model.input_names]
    if isinstance(inputs, (list, tuple)):
        if len(inputs) != n:
            raise ValueError(
                f"Model {model.name!r} has {n} input(s) {model.input_names}, but was "
                f"called on {len(inputs)} tensors."
            )
        return list(inputs)
    if n != 1:
        raise ValueError(
            f"Model {model.name!r} has {n} inputs {model.input_names}, but was called on "
            "a single tensor. Pass a list in that order, or a dict by input name."
        )
    return [inputs]


def check_model_input_shapes(model, input_shape):
    """Refuse a call of ``model`` on shapes its inputs cannot take."""
    shapes = [input_shape] if isinstance(input_shape, tuple) else inputs_in_order(model, input_shape)
    for expected, shape, name in zip(model.inputs, shapes, model.input_names):
        if isinstance(shape, tuple) and not _compatible(expected.shape, shape):
            raise ValueError(
                f"Input {name!r} of model {model.name!r} expects shape "
                f"{expected.shape}, but was called on shape {shape}."
            )


def _compatible(expected, given):
    return len(expected) == len(given) and all(a is None or b is None or a == b for a, b in zip(expected, given))


def _describe(value):
    if isinstance(value, (torch.Tensor, np.ndarray)):
        return f"a {type(value).__name__} of shape {tuple(value.shape)}"
    return f"{type(value).__name__} {value!r}"[:120]
