"""Checks made before training touches anything: what would fail in a batch fails now.

``fit``, ``evaluate``, ``train_on_batch`` and ``test_on_batch`` check their data as
they turn it into tensors (counts, names and shapes, see :mod:`.data`). Two things
can only be checked by running the model, and this module does it, once per call,
before any weight, node or optimizer state changes:

1. the ids an ``Embedding`` reads straight from a model input: all of them, not
   only those of the first batch, are whole numbers in ``[0, input_dim)``;
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

import torch


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


def check_before_training(model, heads, data):
    """Refuse ``data`` now if a batch of it would fail inside the model or a loss.

    Args:
        model: the compiled model.
        heads: its output heads (:mod:`.heads`).
        data: the :class:`~kfunc.training.data.ArrayData` about to be used.

    Raises:
        ValueError: naming the input and the Embedding for a bad id, or the output
            and its loss for targets that do not fit the predictions.
    """
    if data.size == 0:
        return
    _check_embedding_ids(model, data.inputs)
    # shapes already checked for this graph and compile pass again (train_on_batch in a loop)
    graph, compiled, checked = model.__dict__.get("_checked_data") or (None, None, set())
    if graph is not model._fx or compiled is not heads:
        checked = set()
        model.__dict__["_checked_data"] = (model._fx, heads, checked)
    signature = _signature(data)
    if signature not in checked and _needs_a_trial(heads, data):
        _check_on_two_samples(model, heads, data)
        checked.add(signature)


# ----------------------------------------------------------------------------- embedding ids


def _check_embedding_ids(model, inputs):
    for index, (name, tensor) in enumerate(zip(model.input_names, inputs)):
        for embedding in _embeddings_reading(model, index):
            try:
                embedding._check_ids(tensor)
            except ValueError as err:
                raise ValueError(f"In the data for input {name!r}: {err}") from None


def _embeddings_reading(model, index):
    """The Embedding layers that read model input ``index`` directly (or through a nested model)."""
    from kfunc.engine.functional import Functional
    from kfunc.layers import Embedding

    tensor = model.inputs[index]
    found = []
    for node in model._nodes:
        if node.is_input or not any(t is tensor for t in node.input_tensors):
            continue
        layer = node.layer
        if isinstance(layer, Embedding) and node.input_tensors[0] is tensor:
            found.append(layer)
        elif isinstance(layer, Functional) and len(node.input_tensors) == len(layer.inputs):
            for inner, t in enumerate(node.input_tensors):
                if t is tensor:
                    found += _embeddings_reading(layer, inner)
    return found


# ----------------------------------------------------------------------------- two samples


def _needs_a_trial(heads, data):
    """Whether some target can only be checked on real predictions (see the module docstring)."""
    from kfunc.metrics import MeanMetricWrapper

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
    device = _device_of(model)
    sample = lambda t: None if t is None else t[:2].to(device)  # noqa: E731
    inputs = [sample(t) for t in data.inputs]
    targets = [sample(t) for t in data.targets]
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with torch.no_grad():
            outputs = _as_list(model._fx(*inputs), model._output_structure)
            for head in heads:
                target = targets[head.index] if head.index < len(targets) else None
                if target is not None:
                    _check_head(head, target, outputs[head.index].float())
    finally:
        for module, training in modes:
            module.training = training


def _check_head(head, target, prediction):
    from kfunc.metrics import MeanMetricWrapper

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


def _device_of(model):
    for parameter in torch.nn.Module.parameters(model):
        if not parameter.is_meta:
            return parameter.device
    return torch.device("cpu")


def _as_list(result, structure):
    if isinstance(structure, dict):
        return list(result.values())
    if isinstance(structure, (list, tuple)):
        return list(result)
    return [result]
