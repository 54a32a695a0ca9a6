"""The arrays given to ``fit``, ``evaluate`` and ``predict``, matched to the model.

Inputs come as one array, a list in ``model.inputs`` order, or a dict by input
name; targets likewise by output. This module checks them against the model, with
errors that name the input or output:

1. match the arrays to the model's inputs and outputs (by position or name);
2. convert each to a torch tensor of the right dtype (floats as float32, class
   labels as integers), adding a last axis of 1 where Keras would;
3. turn ``class_weight`` and ``sample_weight`` into one weight per sample and output.

:class:`~kfunc.training.data.ArrayData` then checks that every array has the same
number of samples.
"""

import numpy as np
import torch

from kfunc import losses
from kfunc._errors import did_you_mean
from kfunc.engine.dtypes import torch_dtype
from kfunc.training.data import to_tensor


def match_inputs(model, x):
    """One float or integer tensor per model input, from ``x`` as given to ``fit``.

    Raises:
        ValueError: when ``x`` has the wrong number of arrays, lacks an input name, or
            an array does not have the input's shape.
    """
    if fits_as_it_is(x, model.inputs):
        return [torch.from_numpy(x)]
    names = model.input_names
    arrays = _by_name_or_position(x, names, "input", "x")
    tensors = []
    for tensor, array, name in zip(model.inputs, arrays, names):
        t = to_tensor(array, f"input {name!r}")
        if t.dim() == 1 and len(tensor.shape) == 2:
            t = t.unsqueeze(-1)  # a 1-D array of numbers for an Input of shape (1,)
        _check_shape(t, tensor.shape, f"Input {name!r}", "x")
        wanted = torch_dtype(tensor.dtype)
        if wanted.is_floating_point and t.dtype != wanted:
            t = t.to(wanted)  # integer ids stay as they are, for an Embedding to check
        tensors.append(t)
    counts = {name: int(t.shape[0]) for name, t in zip(names, tensors)}
    if len(set(counts.values())) > 1:
        listed = ", ".join(f"{name!r}: {count}" for name, count in counts.items())
        raise ValueError(
            f"All input arrays must have the same number of samples (the first axis), but they "
            f"have {listed}. Each input needs one row per sample, the same samples in the same order."
        )
    return tensors


def match_targets(model, heads, y):
    """One target tensor per output (None for outputs that need none).

    Raises:
        ValueError: for missing targets, or targets that do not suit the output's loss.
    """
    names = model.output_names
    needed = [h.needs_targets for h in heads]
    if y is None:
        if any(needed):
            missing = [h.name for h in heads if h.needs_targets]
            raise ValueError(
                f"Model {model.name!r} needs targets `y` for its output(s) {missing}: "
                "call fit(x, y) with one target array per output."
            )
        return [None] * len(heads)
    if isinstance(y, (list, tuple)) and not _is_number_list(y) and len(y) == sum(needed) < len(names):
        given = iter(y)  # one array per output that has a loss or metrics, in order
        arrays = [next(given) if need else None for need in needed]
    else:
        arrays = _by_name_or_position(y, names, "output", "y", required=needed)
    targets = []
    for head, array in zip(heads, arrays):
        if array is None or not head.needs_targets:
            targets.append(None)
            continue
        targets.append(_prepare_target(head, to_tensor(array, f"target {head.name!r}")))
    return targets


def match_sample_weights(model, heads, targets, sample_weight=None, class_weight=None):
    """One weight tensor (or None) per output: sample weights times class weights."""
    names = model.output_names
    n = len(names)
    if sample_weight is None:
        per_output = [None] * n
    elif isinstance(sample_weight, (dict, list, tuple)) and not _is_number_list(sample_weight):
        per_output = _by_name_or_position(sample_weight, names, "output", "sample_weight",
                                          required=[False] * n)
    else:
        per_output = [sample_weight] * n  # one array for every output
    weights = []
    for head, w in zip(heads, per_output):
        if w is None:
            weights.append(None)
            continue
        w = to_tensor(w, f"sample_weight for {head.name!r}").float()
        if w.dim() == 2 and w.shape[-1] == 1:
            w = w.squeeze(-1)
        weights.append(w)
    if class_weight:
        for i, (head, cw) in enumerate(zip(heads, _class_weights_per_output(class_weight, names))):
            if cw is None or targets[i] is None:
                continue
            from_classes = _weights_from_classes(cw, targets[i], head)
            weights[i] = from_classes if weights[i] is None else weights[i] * from_classes
    return weights



# ----------------------------------------------------------------------------- helpers


def fits_as_it_is(x, model_inputs):
    """Whether ``x`` is one float32 numpy array that fits the model's only input as it is."""
    if type(x) is not np.ndarray or len(model_inputs) != 1 or x.dtype != np.float32 or not x.flags.c_contiguous:
        return False
    expected = model_inputs[0]
    return expected.dtype == "float32" and len(x.shape) == len(expected.shape) and all(
        e is None or e == g for e, g in zip(expected.shape[1:], x.shape[1:])
    )


def _is_number_list(value):
    return isinstance(value, (list, tuple)) and value and all(isinstance(v, (int, float)) for v in value)


def _by_name_or_position(data, names, kind, argument, required=None):
    """The arrays of ``data`` in the order of ``names``: from a dict, a list, or one array."""
    n = len(names)
    required = required if required is not None else [True] * n
    if isinstance(data, dict):
        unknown = [k for k in data if k not in names]
        if unknown:
            raise ValueError(
                f"The dict passed as `{argument}` has the key {unknown[0]!r}, which is not the name "
                f"of a model {kind}.{did_you_mean(unknown[0], names)} The model's {kind}s are: {names}."
            )
        missing = [name for name, req in zip(names, required) if req and name not in data]
        if missing:
            raise ValueError(
                f"No data for the {kind} {missing[0]!r} in the dict passed as `{argument}` (keys: "
                f"{list(data)}). Give an array for each of: {[m for m, r in zip(names, required) if r]}."
            )
        return [data.get(name) for name in names]
    if isinstance(data, (list, tuple)) and not _is_number_list(data):
        if len(data) == n:
            return list(data)
        if n == 1 and all(_is_number_list(row) or np.ndim(row) == 0 for row in data):
            return [data]  # a plain list of samples for a one-input model
        raise ValueError(
            f"`{argument}` is a list of {len(data)} arrays, but the model has {n} {kind}(s) "
            f"{names}. Pass one array per {kind}, in this order, or a dict keyed by {kind} name."
        )
    if n != 1:
        raise ValueError(
            f"`{argument}` is a single array, but the model has {n} {kind}s {names}. Pass a list of "
            f"{n} arrays in this order, or a dict keyed by {kind} name."
        )
    return [data]


def _check_shape(t, expected, what, argument):
    expected_sample = tuple(expected[1:])
    given_sample = tuple(t.shape[1:])
    if len(expected_sample) != len(given_sample) or any(
        e is not None and e != g for e, g in zip(expected_sample, given_sample)
    ):
        raise ValueError(
            f"{what} expects samples of shape {expected_sample} (arrays of shape "
            f"{(None,) + expected_sample}), but the array passed as `{argument}` has shape "
            f"{tuple(t.shape)}: samples of shape {given_sample}. Check which array goes to "
            "which input, or the shape given to Input(shape=...)."
        )


def _prepare_target(head, t):
    """A target tensor shaped and typed for ``head``'s loss and metrics."""
    out_shape = head.output_shape
    if head.sparse_labels:
        if t.is_floating_point():
            if not bool(torch.all(t == torch.round(t))):
                raise ValueError(
                    f"The targets of output {head.name!r} must be integer class labels for "
                    "sparse_categorical_crossentropy; some have a fractional part."
                )
        t = t.long()
        classes = out_shape[-1]
        if t.numel() and classes is not None and (int(t.min()) < 0 or int(t.max()) >= classes):
            raise ValueError(
                f"The targets of output {head.name!r} hold class labels from {int(t.min())} to "
                f"{int(t.max())}, but the output has {classes} classes (labels 0 to {classes - 1})."
            )
        head.adapt_accuracy_to_targets(tuple(t.shape))
        return t
    if not t.is_floating_point():
        t = t.float()
    if t.dim() == len(out_shape) - 1:
        t = t.unsqueeze(-1)  # labels of shape (n,) for an output of shape (None, 1)
    head.adapt_accuracy_to_targets(tuple(t.shape))
    _check_target_shape(head, t)
    return t


def _check_target_shape(head, t):
    fn = head.loss_function
    expected = tuple(head.output_shape[1:])
    given = tuple(t.shape[1:])
    if fn is losses.categorical_crossentropy and given[-1:] == (1,) and expected[-1:] != (1,):
        raise ValueError(
            f"Output {head.name!r} uses categorical_crossentropy, which expects one-hot targets of "
            f"shape (samples, {expected[-1]}), but the targets have shape {tuple(t.shape)}: "
            "integer class labels, it seems. Either turn them into one-hot rows with "
            "`kfunc.utils.to_categorical(labels)`, or use the loss "
            "'sparse_categorical_crossentropy', which takes the labels as they are."
        )
    builtin = fn is not None and getattr(fn, "__module__", "") == "kfunc.losses"
    compatible = len(expected) == len(given) and all(e is None or e == g for e, g in zip(expected, given))
    if builtin and not compatible:
        raise ValueError(
            f"Output {head.name!r} makes predictions of shape {(None,) + expected}, but its "
            f"targets have shape {tuple(t.shape)}. The loss {fn.__name__} compares them element "
            "by element, so each target must have the shape of a prediction."
        )


def _class_weights_per_output(class_weight, names):
    if all(isinstance(v, dict) for v in class_weight.values()) and set(class_weight) <= set(names):
        return [class_weight.get(name) for name in names]
    if len(names) > 1:
        raise ValueError(
            f"`class_weight` as one dict {{class: weight}} works for single-output models; this "
            f"model has the outputs {names}. Give a dict of such dicts keyed by output name."
        )
    return [class_weight]


def _weights_from_classes(class_weight, target, head):
    """One weight per sample from the class of its target (argmax of a one-hot row)."""
    if target.dim() >= 2 and target.shape[-1] > 1:
        classes = torch.argmax(target, dim=-1)
    else:
        classes = target.squeeze(-1) if target.dim() >= 2 else target
        classes = torch.round(classes).long() if classes.is_floating_point() else classes.long()
    present = sorted(set(torch.unique(classes).tolist()))
    missing = [c for c in present if c not in class_weight]
    if missing:
        raise ValueError(
            f"`class_weight` for output {head.name!r} has no weight for the class(es) {missing} "
            f"found in the targets; it has weights for {sorted(class_weight)}. Give a weight for "
            "every class."
        )
    table = torch.zeros(max(max(present), max(class_weight)) + 1)
    for cls, w in class_weight.items():
        if cls >= 0:
            table[int(cls)] = float(w)
    return table.to(classes.device)[classes]
