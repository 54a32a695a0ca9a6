"""Mistakes found before training touches anything: what would fail in a batch fails now.

The arguments of ``fit``, ``evaluate`` and ``predict`` are checked first (a number
of the wrong kind, a batch size of 0). The data is checked as it is turned into
tensors (counts, names and shapes, see :mod:`.matching`). Two things can only be
checked by running the model, and this module does it, once per call, before any
weight, node or optimizer state changes:

1. the ids an ``Embedding`` reads straight from a model input: all of them, not
   only those of the first batch, are whole numbers in ``[0, input_dim)``. Those
   Embeddings then skip their own check on each batch, which would make a GPU
   wait (see :func:`check_embedding_ids`);
2. where the targets' shapes cannot be checked against the symbolic output shapes
   (an output with a size left open, such as a sequence length; a custom loss or
   metric), two samples go through the model (in inference mode, without
   gradients) and through each output's loss and metrics: a target that does not
   fit its output is refused here, with the output's name, instead of by torch in
   the middle of a batch.

Example:
    >>> model.fit(x, y)  # sequences of 5 steps in, targets of 4 steps, a custom loss
    ValueError: Output 'per_step': its loss (squared_error) cannot compare the targets
    with the predictions: targets of shape (2, 4, 3), predictions of shape (2, 5, 3) ...
"""

import weakref

import torch

from kfunc.engine.functional import Functional
from kfunc.layers.embedding import Embedding
from kfunc.metrics import MeanMetricWrapper
from kfunc.training.steps import unpacker, weights_device


class NotCompiledError(RuntimeError, ValueError):
    """``fit`` or ``evaluate`` before ``compile``.

    A ``RuntimeError`` as in Keras, and a ``ValueError`` like kfunc's other
    mistakes of use, so that either ``except`` catches it.
    """


def check_fit_arguments(epochs, initial_epoch, validation_split, validation_freq, steps_per_epoch):
    """Refuse ``fit`` arguments of the wrong kind, naming the argument and an example.

    Raises:
        TypeError: for a number of the wrong type (``epochs='10'``).
        ValueError: for a value out of range (``validation_split=1.5``).
    """
    for name, value, low in (("epochs", epochs, 0), ("initial_epoch", initial_epoch, 0)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"fit({name}={value!r}): `{name}` must be an int, e.g. {name}=10.")
        if value < low:
            raise ValueError(f"fit({name}={value!r}): `{name}` must be at least {low}.")
    if steps_per_epoch is not None and (
        isinstance(steps_per_epoch, bool) or not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0
    ):
        raise ValueError(f"fit(steps_per_epoch={steps_per_epoch!r}): give a positive int, or None for whole passes.")
    if isinstance(validation_split, bool) or not isinstance(validation_split, (int, float)):
        raise TypeError(
            f"fit(validation_split={validation_split!r}): `validation_split` is a fraction of the "
            "samples, a number in [0, 1) such as 0.2."
        )
    if not 0.0 <= validation_split < 1.0:
        raise ValueError(
            f"validation_split={validation_split!r}: it must be a fraction of the samples in "
            "[0, 1), e.g. 0.2 to keep the last fifth for validation."
        )
    frequencies = validation_freq if isinstance(validation_freq, (list, tuple, set, range)) else [validation_freq]
    if not all(isinstance(f, int) and not isinstance(f, bool) and f > 0 for f in frequencies):
        raise ValueError(
            f"fit(validation_freq={validation_freq!r}): give a positive int (validate every N epochs) "
            "or a list of epoch numbers counted from 1."
        )


def batch_size(value, method):
    """The batch size to use: 32 when not given. Raises ValueError for anything but a positive int."""
    if value is None:
        return 32
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{method}(batch_size={value!r}): the batch size must be a positive int, e.g. 32.")
    return value


def unpack_validation(validation_data):
    """``(x_val, y_val, sample_weight_val)`` from ``fit``'s ``validation_data``."""
    if isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3):
        return tuple(validation_data) + (None,) * (3 - len(validation_data))
    raise ValueError(
        "validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight_val); "
        f"got {type(validation_data).__name__}"
        + (f" of length {len(validation_data)}" if isinstance(validation_data, (tuple, list)) else "")
        + "."
    )


def check_before_training(model, heads, data, tried):
    """Refuse ``data`` now if a batch of it would fail inside the model or a loss.

    Args:
        model: the compiled model.
        heads: its output heads (:mod:`.heads`).
        data: the :class:`~kfunc.training.data.ArrayData` about to be used.
        tried: the (graph, data shapes) already tried on two samples, for this
            compile (``train_on_batch`` in a loop tries once).

    Returns:
        The Embeddings whose ids were all checked (see :func:`check_embedding_ids`).

    Raises:
        ValueError: naming the input and the Embedding for a bad id, or the output
            and its loss for targets that do not fit the predictions.
    """
    if data.size == 0:
        return []
    checked = check_embedding_ids(model, data.inputs, name_the_input=True)
    signature = (model._fx, _signature(data))
    if signature not in tried and _needs_a_trial(heads, data):
        _check_on_two_samples(model, heads, data)
        tried.add(signature)
    return checked


# ----------------------------------------------------------------------------- embedding ids


def check_embedding_ids(model, inputs, name_the_input=False):
    """Check every id that an Embedding reads straight from a model input.

    Args:
        model: the model.
        inputs: one tensor per model input, all of the data.
        name_the_input: start the error with the input's name (``fit`` and
            ``evaluate`` do; ``predict`` shows the Embedding's own message).

    Returns:
        The Embeddings whose every call in the model reads a model input as it is:
        all the ids they will see were checked, so the batches may skip the check
        (``with ids_checked_beforehand(...)``, see :mod:`kfunc.layers.embedding`).

    Raises:
        ValueError: for an id that is not a whole number in ``[0, input_dim)``.
    """
    calls = _embedding_calls_of(model)
    if not calls:
        return []
    for index, (name, tensor) in enumerate(zip(model.input_names, inputs)):
        for layer in [layer for layer, read in calls if read == index]:
            try:
                layer.check_ids(tensor)
            except ValueError as err:
                if not name_the_input:
                    raise
                raise ValueError(f"In the data for input {name!r}: {err}") from None
    fed_otherwise = {id(layer) for layer, read in calls if read is None}
    checked = {id(layer): layer for layer, read in calls if id(layer) not in fed_otherwise}
    return list(checked.values())


# model -> (the fx module its graph was lowered to, its Embedding calls): a graph is walked
# once, not at every predict (a one-sample predict must stay close to a bare forward)
_EMBEDDING_CALLS = weakref.WeakKeyDictionary()


def _embedding_calls_of(model):
    """:func:`_embedding_calls` of ``model``'s own inputs, remembered for its current graph."""
    graph = getattr(model, "_fx", None)
    cached = _EMBEDDING_CALLS.get(model)
    if cached is None or cached[0] is not graph or graph is None:
        cached = (graph, _embedding_calls(model, list(range(len(model.inputs)))))
        _EMBEDDING_CALLS[model] = cached
    return cached[1]


def _embedding_calls(model, feeds):
    """``[(Embedding, index of the model input it reads as it is, or None)]``: its calls in the model.

    ``feeds`` gives, for each of ``model.inputs``, the index of the outermost model's
    input that it is (None for a computed tensor): a nested model's Embeddings read
    the outer model's inputs through it.
    """
    reads = {id(tensor): feed for tensor, feed in zip(model.inputs, feeds)}
    calls = []
    for node in model._nodes:
        layer = node.layer
        if isinstance(layer, Embedding):
            calls.append((layer, reads.get(id(node.input_tensors[0]))))
        elif isinstance(layer, Functional) and len(node.input_tensors) == len(layer.inputs):
            calls += _embedding_calls(layer, [reads.get(id(t)) for t in node.input_tensors])
    return calls


# ----------------------------------------------------------------------------- two samples


def _needs_a_trial(heads, data):
    """Whether some target can only be checked on real predictions (see the module docstring)."""
    for head in heads:
        if head.index >= len(data.targets) or data.targets[head.index] is None:
            continue
        functions = [head.loss_function] if head.loss is not None else []
        functions += [m.fn for _, m in head.all_metrics() if isinstance(m, MeanMetricWrapper)]
        if None in head.output_shape[1:] or not all(_is_kfuncs(fn) for fn in functions):
            return True
    return False


def _is_kfuncs(function):
    return getattr(function, "__module__", None) in ("kfunc.losses", "kfunc.metrics")


def _signature(data):
    shapes = lambda tensors: tuple(None if t is None else (tuple(t.shape[1:]), t.dtype) for t in tensors)  # noqa: E731
    return shapes(data.inputs), shapes(data.targets)


def _check_on_two_samples(model, heads, data):
    device = weights_device(model)
    sample = lambda t: None if t is None else t[:2].to(device)  # noqa: E731
    inputs = [sample(t) for t in data.inputs]
    targets = [sample(t) for t in data.targets]
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with torch.no_grad():
            outputs = unpacker(model._output_structure)(model._fx(*inputs))
            for head in heads:
                target = targets[head.index] if head.index < len(targets) else None
                if target is not None:
                    _check_head(head, target, outputs[head.index].float())
    finally:
        for module, training in modes:
            module.training = training


def _check_head(head, target, prediction):
    checks = [("loss", head.loss_function, head.per_sample_loss)] if head.loss is not None else []
    checks += [(f"metric {name!r}", metric.fn, lambda t, p, m=metric: m.fn(t, p, **m._fn_kwargs))
               for name, metric in head.all_metrics() if isinstance(metric, MeanMetricWrapper)]
    for what, fn, compute in checks:
        try:
            compute(target, prediction)
        except Exception as err:  # noqa: BLE001 (any failure here is the data's, explained below)
            name = getattr(fn, "__name__", None) or type(fn).__name__
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ValueError(
                f"Output {head.name!r}: its {what} ({name}) cannot compare the targets with the "
                f"predictions: targets of shape {tuple(target.shape)}, predictions of shape "
                f"{tuple(prediction.shape)} (for the first 2 samples). ({reason}) Give `y` for "
                f"output {head.name!r} the shape of its predictions, or pick a loss that takes "
                "targets of this shape."
            ) from err
