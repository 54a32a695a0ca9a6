"""What the tracker remembers of a training run, as plain data.

:class:`TrainingRecord` holds, epoch by epoch, every logged value (``loss``,
``val_loss``, ``main_output_acc``, ...), the learning rate, and, within epochs,
a trace of the running training loss, so the curves move before an epoch ends.
It also answers the questions the displays ask: which values are better when
higher, which epoch is the best, and how a multi-output model's total loss splits
into its outputs' weighted losses (:func:`loss_breakdown`).

Nothing here draws or imports a display library; a finished ``History`` becomes a
record with :meth:`TrainingRecord.from_history`.
"""

from dataclasses import dataclass, field

# Logged names that end like this are better when higher (as EarlyStopping's 'auto').
_HIGHER_IS_BETTER = ("acc", "accuracy", "auc", "precision", "recall")


def higher_is_better(name):
    """Whether a larger value of the logged quantity ``name`` is an improvement."""
    return name.endswith(_HIGHER_IS_BETTER)


def base_name(name):
    """``'loss'`` for ``'val_loss'``: the quantity, training or validation alike."""
    return name[4:] if name.startswith("val_") else name


@dataclass
class BreakdownRow:
    """One output's part of a multi-output model's total loss.

    Attributes:
        output: the output's name.
        loss: the output's own loss (as logged, e.g. ``main_output_loss``).
        weight: its loss weight from ``compile(loss_weights=...)``.
        weighted: ``weight * loss``, its term in the total.
        share: ``weighted / total``, between 0 and 1 for positive losses.
    """

    output: str
    loss: float
    weight: float
    weighted: float
    share: float


def loss_weights(model):
    """``[(output name, loss weight)]`` for the outputs that have a loss, from ``compile``.

    Empty for a model that is not compiled, or that has a single output (whose loss
    is the total).
    """
    heads = getattr(model, "_heads", None) or []
    if len(heads) < 2:
        return []
    return [(head.name, float(head.loss_weight)) for head in heads if head.loss is not None]


def loss_breakdown(logs, weights, prefix=""):
    """Split the total loss of ``logs`` into each output's weighted loss.

    Args:
        logs: logged values with ``loss`` and ``<output>_loss`` entries.
        weights: ``[(output name, loss weight)]``, as :func:`loss_weights` gives.
        prefix: ``'val_'`` for the validation values.

    Returns:
        ``(rows, rest)``: a :class:`BreakdownRow` per output, and what of the total
        the outputs do not explain (zero up to rounding, unless the model adds other
        losses). Empty rows when the values are missing.
    """
    total = logs.get(prefix + "loss")
    if total is None or not weights:
        return [], 0.0
    rows = []
    for output, weight in weights:
        loss = logs.get(f"{prefix}{output}_loss")
        if loss is None:
            return [], 0.0
        weighted = weight * float(loss)
        rows.append(BreakdownRow(output, float(loss), weight, weighted, weighted / total if total else 0.0))
    rest = float(total) - sum(row.weighted for row in rows)
    return rows, rest


@dataclass
class TrainingRecord:
    """Every epoch's values, the learning rate, and the running loss within epochs.

    Attributes:
        epochs: the epoch numbers, from 0 (as ``History.epoch``).
        values: ``{name: [value or None, one per epoch]}`` in the order first logged.
        lr: the learning rate at the end of each epoch (None when unknown).
        trace: ``[(x, running training loss)]``, ``x`` in epochs (2.5 is half of the
            third epoch), sampled while epochs run.
        lr_trace: ``[(x, learning rate)]``, sampled likewise.
        total_epochs: the epochs ``fit`` was asked for (``epochs - initial_epoch``).
        weights: ``[(output, loss weight)]`` of a multi-output model.
        planned: the names ``fit`` announced it will log (``params['metrics']``), so
            that the curves have their final panels from the first picture on.
        stopped: a sentence when training was stopped early, else "".
    """

    epochs: list = field(default_factory=list)
    values: dict = field(default_factory=dict)
    lr: list = field(default_factory=list)
    trace: list = field(default_factory=list)
    lr_trace: list = field(default_factory=list)
    total_epochs: int = None
    weights: list = field(default_factory=list)
    planned: list = field(default_factory=list)
    stopped: str = ""

    @classmethod
    def from_history(cls, history):
        """A record of a finished ``History`` (or of a ``{name: [values]}`` dict)."""
        values = history.history if hasattr(history, "history") else dict(history)
        n = max((len(v) for v in values.values()), default=0)
        epochs = list(getattr(history, "epoch", None) or range(n))
        record = cls(total_epochs=len(epochs))
        if hasattr(history, "model") and history.model is not None:
            record.weights = loss_weights(history.model)
        for i, epoch in enumerate(epochs):
            logs = {k: v[i] for k, v in values.items() if i < len(v)}
            record.add_epoch(epoch, logs, logs.get("lr"))
        return record

    def add_epoch(self, epoch, logs, lr=None):
        """Record the values of one finished epoch."""
        index = len(self.epochs)
        self.epochs.append(epoch)
        for name, value in logs.items():
            if name == "lr":
                continue
            number = _number(value)
            if number is None:
                continue
            column = self.values.setdefault(name, [None] * index)
            column.append(number)
        for column in self.values.values():
            if len(column) < index + 1:
                column.append(None)
        self.lr.append(_number(lr))

    def add_running(self, x, loss, lr=None):
        """Record the running training loss (and learning rate) at ``x`` epochs."""
        if loss is not None:
            self.trace.append((x, float(loss)))
        if lr is not None:
            self.lr_trace.append((x, float(lr)))

    @property
    def names(self):
        """The logged (or planned) names, training ones first, each followed by its ``val_`` twin."""
        known = list(dict.fromkeys(list(self.planned) + list(self.values)))
        ordered = []
        for name in (n for n in known if not n.startswith("val_")):
            ordered.append(name)
            if "val_" + name in known:
                ordered.append("val_" + name)
        ordered += [n for n in known if n not in ordered]
        return ordered

    @property
    def monitor(self):
        """The value that picks the best epoch: ``val_loss`` when there is one, else ``loss``."""
        for name in ("val_loss", "loss"):
            if any(v is not None for v in self.values.get(name, [])):
                return name
        return None

    def best_index(self, name=None):
        """The position (in :attr:`epochs`) of the best value of ``name`` (the monitor), or None."""
        name = name or self.monitor
        column = self.values.get(name, [])
        known = [(v, i) for i, v in enumerate(column) if v is not None and v == v]  # not NaN
        if not known:
            return None
        if higher_is_better(base_name(name)):
            return max(known, key=lambda pair: (pair[0], -pair[1]))[1]
        return min(known)[1]

    def latest(self):
        """The values of the last epoch, ``{name: value}``."""
        return {name: column[-1] for name, column in self.values.items() if column and column[-1] is not None}


def _number(value):
    """``value`` as a float (NaN included: a diverged loss is worth seeing), or None."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
