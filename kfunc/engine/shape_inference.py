"""Output shapes without computing: run the layer on torch ``meta`` tensors.

A ``meta`` tensor has a shape and a dtype but no memory, and torch's operators
compute only the output's shape on it. To learn which output sizes depend on an
unknown input size (the batch, or a sequence length given as ``None``), the layer
runs twice with two different stand-in sizes; the output dimensions that change
between the runs are unknown (``None``) too.
"""

import torch
from torch import nn
from torch.func import functional_call

from kfunc.engine.keras_tensor import KerasTensor, is_symbolic, map_structure

# Stand-in sizes for unknown dimensions: (first run, second run).
_BATCH_STAND_INS = (2, 3)
_OTHER_STAND_INS = (8, 11)


def _meta_input(tensor, run):
    from kfunc.engine.layer import _torch_dtype

    shape = [
        (_BATCH_STAND_INS if axis == 0 else _OTHER_STAND_INS)[run] if d is None else d
        for axis, d in enumerate(tensor.shape)
    ]
    return torch.empty(shape, dtype=_torch_dtype(tensor.dtype), device="meta")


def _meta_state(layer):
    """Meta copies of the layer's real weights (none needed while they are on meta)."""
    state = {}
    # nn.Module's own named_parameters: the Layer override would materialize the weights.
    for name, value in list(nn.Module.named_parameters(layer, remove_duplicate=False)) + list(
        layer.named_buffers(remove_duplicate=False)
    ):
        if not value.is_meta:
            state[name] = torch.empty_like(value, device="meta")
    return state


def run_on_meta(layer, args, kwargs, run=0):
    """Run ``layer.call`` with symbolic tensors replaced by meta tensors."""
    to_meta = lambda v: _meta_input(v, run) if is_symbolic(v) else v  # noqa: E731
    meta_args = map_structure(to_meta, list(args))
    meta_kwargs = map_structure(to_meta, dict(kwargs))
    with torch.no_grad():
        state = _meta_state(layer)
        if state:
            return functional_call(layer, state, tuple(meta_args), meta_kwargs)
        return layer(*meta_args, **meta_kwargs)


def infer_output_spec(layer, args, kwargs):
    """Symbolic outputs of ``layer`` called on symbolic ``args``/``kwargs``.

    Raises:
        ValueError: when the layer cannot run on these shapes; the message names the
            layer, its input shapes and torch's reason.
    """
    tensors = [t for t in _flat(args, kwargs) if is_symbolic(t)]
    has_unknown = any(d is None for t in tensors for d in t.shape)
    try:
        first = run_on_meta(layer, args, kwargs, run=0)
        second = run_on_meta(layer, args, kwargs, run=1) if has_unknown else first
    except (RuntimeError, NotImplementedError, IndexError) as err:
        shapes = [t.shape for t in tensors]
        shown = shapes[0] if len(shapes) == 1 else shapes
        previous = ""
        if layer._inbound_nodes:
            previous = (
                f" Its first call was on {_first_call_shapes(layer)}, which fixed its "
                "weights' shapes."
            )
        raise ValueError(
            f"Layer {layer.name!r} ({type(layer).__name__}) cannot be called on an input "
            f"of shape {shown}.{previous} Torch reported: {err}"
        ) from None
    return _to_symbolic(first, second)


def _first_call_shapes(layer):
    node = layer._inbound_nodes[0]
    shapes = [t.shape for t in node.input_tensors]
    return shapes[0] if len(shapes) == 1 else shapes


def _to_symbolic(first, second):
    if isinstance(first, (list, tuple)):
        return type(first)(_to_symbolic(a, b) for a, b in zip(first, second))
    if isinstance(first, dict):
        return {k: _to_symbolic(first[k], second[k]) for k in first}
    if not isinstance(first, torch.Tensor):
        raise TypeError(f"A layer returned {type(first).__name__}, not a tensor, while its shape was inferred.")
    from kfunc.engine.layer import _dtype_name

    shape = [None if a != b else a for a, b in zip(first.shape, second.shape)]
    return KerasTensor(tuple(shape), dtype=_dtype_name(first.dtype))


def _flat(args, kwargs):
    from kfunc.engine.keras_tensor import flatten

    return flatten([list(args), kwargs])
