"""What a layer may be made with and called on: the checks, with errors that teach.

A layer is called on symbolic tensors while a model is described, and on data
(numpy arrays, torch tensors) afterwards. The mistakes a student makes on the way
(passing the layer instead of its output, mixing data into a model under
construction, a Python list of numbers, a misspelt argument) are caught here and
explained, rather than surfacing as a torch error from deep inside a layer.
"""

import functools
import inspect

import numpy as np
import torch

from kfunc._errors import did_you_mean
from kfunc.engine.dtypes import dtype_name
from kfunc.engine.structure import flatten, one_or_list
from kfunc.engine.weights import Weights

# The keyword arguments every layer takes (see Layer.__init__).
BASE_ARGUMENTS = ("name", "trainable", "dtype", "input_shape", "batch_input_shape", "batch_size", "input_dim")

# Errors torch raises from inside a layer's computation on data that the symbolic
# shapes could not rule out (integers fed to a float layer, a sequence too short for
# a convolution): the layer call turns them into a ValueError naming the layer.
TORCH_ERRORS = (RuntimeError, NotImplementedError, IndexError)


@functools.lru_cache(maxsize=None)
def parameter_names(cls):
    """Every keyword argument that ``cls(...)`` takes: the parameters of each constructor up its classes."""
    names = set(BASE_ARGUMENTS)
    for klass in cls.__mro__[:-1]:  # all but `object`
        init = klass.__dict__.get("__init__")
        if init is not None:
            params = inspect.signature(inspect.unwrap(init)).parameters
            names.update(p for p in params if p not in ("self", "args", "kwargs"))
    return frozenset(names)


def check_layer_name(cls, name):
    """Refuse a layer name that is not a non-empty string without '/'."""
    if name is not None and (not isinstance(name, str) or not name or "/" in name):
        raise ValueError(f"{cls.__name__}(name={name!r}): a layer name must be a non-empty string without '/'.")


def check_config_complete(cls, config):
    """Refuse to rebuild ``cls`` from a config that lacks arguments its constructor requires."""
    params = inspect.signature(cls.__init__).parameters.values()
    missing = [p.name for p in params if p.name != "self" and p.default is p.empty
               and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in config]
    if missing:
        raise NotImplementedError(
            f"Layer {cls.__name__} cannot be rebuilt from its config: its constructor needs "
            f"{', '.join(missing)}, which the config {sorted(config)} does not hold. Give {cls.__name__} a "
            "`get_config()` that adds them to `super().get_config()`, as Keras asks of layers with arguments."
        )


def reject_unknown_arguments(cls, kwargs):
    """Raise the TypeError for keyword arguments that no constructor of ``cls`` took."""
    allowed = parameter_names(cls)
    name = next(iter(kwargs))
    raise TypeError(
        f"{cls.__name__}() got an unknown argument {name!r}={kwargs[name]!r}."
        f"{did_you_mean(name, allowed)} Its arguments are: {', '.join(sorted(allowed))}."
    )


@functools.lru_cache(maxsize=None)
def call_keywords(cls):
    """The keyword arguments ``cls.call`` takes, or ``None`` when it takes any (``**kwargs``)."""
    params = inspect.signature(cls.call).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return None
    return frozenset(p.name for p in params if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


def takes_keyword(cls, name):
    """Whether ``cls.call`` takes the keyword argument ``name`` (or any, with ``**kwargs``)."""
    allowed = call_keywords(cls)
    return allowed is None or name in allowed


def accepted_call_keywords(layer, kwargs):
    """The keyword arguments of a call that the layer's ``call`` takes.

    ``training`` and ``mask`` are dropped when ``call`` does not take them, as Keras
    does (a model passes them to all its layers); any other unknown keyword is a
    mistake, often a setting given to the call instead of the constructor.
    """
    allowed = call_keywords(type(layer))
    if allowed is None:
        return kwargs
    unknown = [name for name in kwargs if name not in allowed and name not in ("training", "mask")]
    if unknown:
        kind = type(layer).__name__
        raise TypeError(
            f"Layer {layer.name!r} ({kind}) was called with the keyword argument {unknown[0]!r}, "
            f"which its call does not take.{did_you_mean(unknown[0], allowed)} Its call takes: "
            f"{', '.join(sorted(allowed))}. A layer's settings go to its constructor, `{kind}(...)`, "
            "and the call gets the input tensors."
        )
    return {name: value for name, value in kwargs.items() if name in allowed}


def check_symbolic_call(layer, values):
    """Refuse a layer, or data, among the arguments of a call on symbolic tensors."""
    for value in values:
        _check_not_a_layer(layer, value)
        if isinstance(value, (torch.Tensor, np.ndarray)):
            raise TypeError(
                f"Layer {layer.name!r} was called on a mix of symbolic tensors and real "
                f"data (a {type(value).__name__} of shape {tuple(value.shape)}). While "
                "a model is being built, pass symbolic tensors only; feed real data "
                "later with `model(data)` or `model.predict(data)`."
            )


def check_data_call(layer, args, values):
    """Refuse anything but tensors or arrays as the input of a call on data."""
    for value in values:
        _check_not_a_layer(layer, value)
    first = args[0] if args else None
    if first is None:
        raise TypeError(f"Layer {layer.name!r} was called without an input. Call it on a tensor: `{layer.name}(x)`.")
    if isinstance(first, str):
        raise TypeError(
            f"Layer {layer.name!r} was called on the string {first!r}. Layers take tensors: "
            "an `Input(...)` tensor while building a model, or numbers as a numpy array "
            "or torch tensor."
        )
    leaves = flatten(first)
    if any(isinstance(v, (int, float, bool)) for v in leaves):
        raise TypeError(
            f"Layer {layer.name!r} was called on a Python {type(first).__name__} of numbers. "
            "Layers take tensors: wrap the numbers in `np.array(...)` (with a batch "
            "dimension first), or build a model from `Input(shape=...)`."
        )
    if not all(isinstance(v, (torch.Tensor, np.ndarray)) for v in leaves):
        kinds = sorted({type(v).__name__ for v in leaves})
        raise TypeError(
            f"Layer {layer.name!r} was called on {', '.join(kinds)}; it takes symbolic "
            "tensors (from `Input(...)` or other layers) or real tensors (numpy arrays, "
            "torch tensors)."
        )


def _check_not_a_layer(layer, value):
    if isinstance(value, Weights):  # that is, a layer
        raise TypeError(
            f"Layer {layer.name!r} was called on the layer {value.name!r} itself, "
            f"not on a tensor. Call that layer on a tensor first, e.g. "
            f"`{value.name}(x)`, and pass its output to {layer.name!r}."
        )


def failed_call_message(layer, args, err):
    """Why ``layer`` failed on data: its inputs' shapes and dtypes, a hint, and torch's reason."""
    tensors = [t for t in flatten(args) if isinstance(t, torch.Tensor)]
    described = ", ".join(f"shape {tuple(t.shape)} ({dtype_name(t.dtype)})" for t in tensors) or "no tensor"
    hint = ""
    if any(not (t.is_floating_point() or t.is_complex()) for t in tensors):
        hint = (
            " It was given integers: apart from Embedding, layers compute on floats. Feed float "
            "data (`x.astype('float32')`), or turn ids into vectors with an Embedding first."
        )
    reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return (
        f"Layer {layer.name!r} ({type(layer).__name__}) failed on its input: {described}.{hint} "
        f"Torch reported: {reason}"
    )


def wrong_shape_error(layer, tensors, err):
    """Why ``layer`` cannot run on symbolic ``tensors`` of these shapes: torch's reason, and its first call's shapes."""
    previous = ""
    if layer._inbound_nodes:
        shapes = one_or_list([t.shape for t in layer._inbound_nodes[0].input_tensors])
        previous = f" Its first call was on {shapes}, which fixed its weights' shapes."
    return ValueError(
        f"Layer {layer.name!r} ({type(layer).__name__}) cannot be called on an input "
        f"of shape {one_or_list([t.shape for t in tensors])}.{previous} Torch reported: {err}"
    )
