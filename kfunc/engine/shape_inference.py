"""Output shapes without computing: run the layer on torch ``meta`` tensors.

A ``meta`` tensor has a shape and a dtype but no memory, and torch's operators
compute only the output's shape on it. To learn which output sizes depend on an
unknown input size (the batch, or a sequence length given as ``None``), the layer
runs twice with two different stand-in sizes; the output dimensions that change
between the runs are unknown (``None``) too.

A layer whose weights already hold values (it computed on data before) runs with
meta copies of them in their place (:func:`~kfunc.engine.weights.meta_copies`).
"""

import torch
from torch.func import functional_call

from kfunc._errors.arguments import TORCH_ERRORS, wrong_shape_error
from kfunc.engine.dtypes import dtype_name, torch_dtype
from kfunc.engine.keras_tensor import KerasTensor, is_symbolic
from kfunc.engine.structure import flatten, map_structure
from kfunc.engine.weights import meta_copies

# Stand-in sizes for unknown dimensions: (first run, second run).
_BATCH_STAND_INS = (2, 3)
_OTHER_STAND_INS = (8, 11)


def run_on_meta(layer, args, kwargs, run=0):
    """Run ``layer`` with each symbolic tensor replaced by a meta tensor (the stand-in sizes of ``run``)."""

    def stand_in(value):
        if not is_symbolic(value):
            return value
        shape = [d if d is not None else (_BATCH_STAND_INS if axis == 0 else _OTHER_STAND_INS)[run]
                 for axis, d in enumerate(value.shape)]
        tensor = torch.empty(shape, dtype=torch_dtype(value.dtype), device="meta")
        if value._keras_mask is not None:
            tensor._keras_mask = stand_in(value._keras_mask)
        return tensor

    meta_args, meta_kwargs = map_structure(stand_in, (tuple(args), dict(kwargs)))
    with torch.no_grad(), torch.device("meta"):  # tensors the layer makes itself are stand-ins too
        copies = meta_copies(layer)
        if copies:
            return functional_call(layer, copies, meta_args, meta_kwargs, tie_weights=False)
        return layer(*meta_args, **meta_kwargs)


def infer_output_spec(layer, args, kwargs):
    """Symbolic outputs of ``layer`` called on symbolic ``args``/``kwargs``.

    Raises:
        ValueError: when the layer cannot run on these shapes; the message names the
            layer, its input shapes and torch's reason.
        TypeError: when the layer returns something that is not a tensor.
    """
    tensors = [t for t in flatten([args, kwargs]) if is_symbolic(t)]
    try:
        first = run_on_meta(layer, args, kwargs, run=0)
        unknown = any(d is None for t in tensors for d in t.shape)
        second = run_on_meta(layer, args, kwargs, run=1) if unknown else first
    except TORCH_ERRORS as err:
        raise wrong_shape_error(layer, tensors, err) from None
    # A dimension is unknown where the two runs disagree.
    seconds = iter(flatten(second))
    return map_structure(lambda output: _symbolic(output, next(seconds)), first)


def _symbolic(first, second):
    if not isinstance(first, torch.Tensor):
        raise TypeError(f"A layer returned {type(first).__name__}, not a tensor, while its shape was inferred.")
    shape = [None if a != b else a for a, b in zip(first.shape, second.shape)]
    tensor = KerasTensor(tuple(shape), dtype=dtype_name(first.dtype))
    mask = getattr(first, "_keras_mask", None)
    if mask is not None:  # the output's mask, symbolic too (kfunc.engine.masking)
        tensor._keras_mask = _symbolic(mask, getattr(second, "_keras_mask", mask))
    return tensor
