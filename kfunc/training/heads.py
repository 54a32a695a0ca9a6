"""What ``compile`` decides for each output of a model: its *head*.

A model with two outputs, compiled with ``loss='binary_crossentropy',
loss_weights=[1., 0.2], metrics=['acc']``, has two heads; each knows its output's
name and position, its loss function, the weight of that loss in the total, and
its metrics with the names they are reported under (``main_output_acc``).

``compile`` resolves every argument form here once (a name, a list in output
order, a dict by output name, one value for every output), so that training only
loops over ready heads.
"""

import copy
import functools

from kfunc import losses as losses_module
from kfunc import metrics as metrics_module
from kfunc._errors import did_you_mean

_ACCURACY = ("accuracy", "acc")
_CROSSENTROPY = ("crossentropy", "ce")


class OutputHead:
    """Training settings of one model output.

    Attributes:
        name: the output's name (the name of the layer that makes it).
        index: its position in ``model.outputs``.
        loss: the loss as resolved (a function or loss object), or None.
        loss_weight: the factor of this loss in the total loss.
        metrics: ``[(reported name, Metric)]``, computed without sample weights.
        weighted_metrics: the same, computed with sample weights.
    """

    def __init__(self, name, index, output_shape, loss, loss_weight):
        self.name = name
        self.index = index
        self.output_shape = output_shape
        self.loss = loss
        self.loss_weight = float(loss_weight)
        fn, kwargs = losses_module.per_sample_function(loss) if loss is not None else (None, {})
        self.loss_function = fn  # the per-sample function, to check targets against
        self.per_sample_loss = functools.partial(fn, **kwargs) if kwargs else fn
        self.metrics = []
        self.weighted_metrics = []
        self._auto_accuracy = []  # accuracy metrics resolved by compile, revisable by the targets

    @property
    def needs_targets(self):
        return self.loss is not None or bool(self.metrics or self.weighted_metrics)

    @property
    def sparse_labels(self):
        """Whether the targets are integer class labels (sparse categorical losses)."""
        return self.loss_function is losses_module.sparse_categorical_crossentropy

    def all_metrics(self):
        return self.metrics + self.weighted_metrics

    def adapt_accuracy_to_targets(self, target_shape):
        """Switch an automatic categorical accuracy to sparse when the targets are labels."""
        out_last = self.output_shape[-1]
        sparse = len(target_shape) < len(self.output_shape) or (target_shape[-1] == 1 and out_last not in (1, None))
        for metric in self._auto_accuracy:
            if sparse and metric.fn is metrics_module.categorical_accuracy:
                metric.fn = metrics_module.sparse_categorical_accuracy

    def __repr__(self):
        names = [n for n, _ in self.all_metrics()]
        return f"<OutputHead {self.name!r} loss={_describe(self.loss)} weight={self.loss_weight} metrics={names}>"


def build_heads(model, loss, loss_weights=None, metrics=None, weighted_metrics=None):
    """One :class:`OutputHead` per model output, from ``compile``'s arguments.

    Raises:
        ValueError: for a list of the wrong length, a dict key that is not an output
            name, or an unknown loss or metric name.
    """
    names = list(model.output_names)
    shapes = [tuple(t.shape) for t in model.outputs]
    # 1. one loss per output
    per_output_loss = _per_output(loss, names, "loss")
    per_output_loss = [losses_module.get(l) if l is not None else None for l in per_output_loss]
    # 2. one loss weight per output (1.0 where none is given)
    weights = _per_output(loss_weights, names, "loss_weights", default=1.0, broadcast=False)
    heads = [
        OutputHead(name, i, shape, l, 1.0 if w is None else w)
        for i, (name, shape, l, w) in enumerate(zip(names, shapes, per_output_loss, weights))
    ]
    # 3. metrics: a flat list goes to every output (Keras 2), a dict or nested list per output
    prefix = len(names) > 1
    taken = set()
    any_loss = any(h.loss is not None for h in heads)
    for entries, weighted in ((metrics, False), (weighted_metrics, True)):
        per_output, broadcast = _per_output_metrics(entries, names)
        for head, head_entries in zip(heads, per_output):
            if broadcast and any_loss and head.loss is None:
                continue  # an output left out of the loss dict expects no targets
            for entry in head_entries:
                metric, auto = _resolve_metric(entry, head)
                base = _metric_name(entry, metric)
                log_name = f"{head.name}_{base}" if prefix else base
                if log_name in taken and weighted:
                    log_name = f"{head.name}_weighted_{base}" if prefix else f"weighted_{base}"
                taken.add(log_name)
                (head.weighted_metrics if weighted else head.metrics).append((log_name, metric))
                if auto:
                    head._auto_accuracy.append(metric)
    return heads


# ----------------------------------------------------------------------------- helpers


def _per_output(value, names, argument, default=None, broadcast=True):
    """``value`` spread over the outputs: one entry per output name, in order."""
    n = len(names)
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(
                f"Unknown output name {unknown[0]!r} in the `{argument}` dict."
                f"{did_you_mean(unknown[0], names)} The model's outputs are: {names}."
            )
        return [value.get(name, default) for name in names]
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(
                f"`{argument}` was given as a list of {len(value)} entries, but the model has "
                f"{n} output(s) {names}: give one entry per output, in that order, or a dict "
                f"keyed by output name."
            )
        return list(value)
    if value is None:
        return [default] * n
    if not broadcast:
        if n == 1 and isinstance(value, (int, float)):
            return [value]
        raise ValueError(
            f"`{argument}` must be a list (one number per output) or a dict by output name "
            f"{names}; got {value!r}."
        )
    return [value] * n


def _per_output_metrics(entries, names):
    """``(a list of metric entries per output, whether one list was given to all)``."""
    if entries is None:
        return [[] for _ in names], False
    if isinstance(entries, dict):
        per_output = _per_output(entries, names, "metrics", default=[])
        return [_as_list(e) for e in per_output], False
    if isinstance(entries, (list, tuple)):
        nested = len(entries) == len(names) and len(names) > 1 and all(
            isinstance(e, (list, tuple)) or e is None for e in entries
        )
        if nested:
            return [_as_list(e) for e in entries], False
        # Keras 2: a flat list applies to every output; outputs after the first get copies
        return [[e if i == 0 else _fresh(e) for e in entries] for i in range(len(names))], True
    return [[entries if i == 0 else _fresh(entries)] for i in range(len(names))], True


def _as_list(entry):
    if entry is None:
        return []
    return list(entry) if isinstance(entry, (list, tuple)) else [entry]


def _fresh(entry):
    return copy.deepcopy(entry) if isinstance(entry, metrics_module.Metric) else entry


def _resolve_metric(entry, head):
    """``(Metric object, whether it is an automatic accuracy)`` for one metric entry."""
    if isinstance(entry, str) and entry in _ACCURACY + _CROSSENTROPY:
        binary = head.output_shape[-1] == 1 or head.loss_function is losses_module.binary_crossentropy
        sparse = head.loss_function is losses_module.sparse_categorical_crossentropy
        kind = "binary" if binary else "sparse_categorical" if sparse else "categorical"
        if entry in _ACCURACY:
            fn = getattr(metrics_module, f"{kind}_accuracy")
            return metrics_module.MeanMetricWrapper(fn, name=entry), kind == "categorical"
        return metrics_module.MeanMetricWrapper(getattr(losses_module, f"{kind}_crossentropy"), name=entry), False
    metric = metrics_module.get(entry)
    if isinstance(metric, metrics_module.Metric):
        return metric, False
    if callable(metric):
        return metrics_module.MeanMetricWrapper(metric, name=_metric_name(entry, metric)), False
    raise TypeError(f"Could not interpret metric {entry!r}: pass a name, a function or a kfunc.metrics.Metric.")


def _metric_name(entry, metric):
    """The name a metric is reported under: the string as given, else its own name."""
    if isinstance(entry, str):
        return entry
    if isinstance(entry, metrics_module.Metric):
        return entry.name
    return getattr(entry, "__name__", None) or getattr(metric, "name", None) or type(entry).__name__


def _describe(loss):
    if loss is None:
        return "None"
    return getattr(loss, "__name__", None) or getattr(loss, "name", None) or type(loss).__name__
