"""Training curves: a :class:`~kfunc.widgets.record.TrainingRecord` drawn with matplotlib.

One panel per quantity, training values solid and validation values dashed in the
same colour, epochs on the x axis (epoch 1 ends at x = 1):

* **loss**: the total loss, the running loss of the epoch in progress (thin), and
  the best epoch marked (a dotted line and a star);
* **loss by output** (multi-output models): each output's own loss, its loss weight
  in the legend;
* one panel per metric; for a multi-output model, a metric's outputs share a panel
  (``main_output_acc`` and ``aux_output_acc`` are both "acc");
* **learning rate**, when it changed during training (a schedule, a callback that
  lowers it); a rate that stayed the same would only draw a flat line.

Figures are made with ``matplotlib.figure.Figure`` and the Agg canvas, never with
pyplot, so drawing opens no window and leaves no figure behind in a notebook.
"""

import io
import math

from kfunc.widgets.record import TrainingRecord

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]
PANEL_WIDTH = 3.6  # inches
PANEL_HEIGHT = 2.5
COLUMNS = 3


def panels(record):
    """``[(title, [(label, name)], kind)]``: what each panel of the figure shows.

    ``kind`` is ``'loss'``, ``'outputs'``, ``'metric'`` or ``'lr'``; ``name`` is the
    training name (its ``val_`` twin is drawn with it when logged).
    """
    outputs = [name for name, _ in record.weights]
    weights = dict(record.weights)
    names = record.names
    train_names = [n for n in names if not n.startswith("val_")]
    result = []
    if "loss" in names or record.trace:  # the running loss is drawn from the first batches on
        result.append(("loss", [("loss", "loss")], "loss"))
    output_losses = [(f"{o} (x{weights[o]:g})", f"{o}_loss") for o in outputs if f"{o}_loss" in names]
    if output_losses:
        result.append(("loss by output", output_losses, "outputs"))
    groups = {}
    for name in train_names:
        if name == "loss" or name in {f"{o}_loss" for o in outputs}:
            continue
        owner = next((o for o in outputs if name.startswith(o + "_")), None)
        key, label = (name[len(owner) + 1 :], owner) if owner else (name, name)
        groups.setdefault(key, []).append((label, name))
    result += [(key, series, "metric") for key, series in groups.items()]
    if rate_changed(record):
        result.append(("learning rate", [("lr", "lr")], "lr"))
    return result


def rate_changed(record):
    """Whether the learning rate took more than one value, at epoch ends or within epochs."""
    rates = {v for v in record.lr if v is not None} | {v for _, v in record.lr_trace}
    return len(rates) > 1


class Curves:
    """A figure of a record's curves that is redrawn by moving its lines, not rebuilt.

    Making axes, ticks and legends is most of matplotlib's drawing time; a tracker
    redraws the same panels many times, so the figure and its lines are made once
    (again only when the panels change) and each :meth:`draw` only gives the lines
    their new points and the axes their new limits.
    """

    def __init__(self, title=None):
        self.title = title
        self.figure = None
        self._layout = None
        self._panels = []

    def draw(self, record):
        """Bring the figure up to date with ``record``; returns the matplotlib ``Figure``."""
        layout = panels(record)
        if layout != self._layout:
            self._build(record, layout)
        x_start, x_end = _x_range(record)
        best = record.best_index()
        for panel in self._panels:
            panel.update(record, best)
            panel.ax.set_xlim(x_start, x_end)
        return self.figure

    def _build(self, record, layout):
        from matplotlib.figure import Figure

        self._layout = layout
        n = max(len(layout), 1)
        columns = 2 if n == 4 else min(n, COLUMNS)
        rows = math.ceil(n / columns)
        title = self.title
        if any(name.startswith("val_") for name in record.names):
            title = (title + "\n" if title else "") + "solid: training, dashed: validation"
        top = 0.3 + 0.17 * (title.count("\n") + 1 if title else 0)  # inches above the panels
        width, height = PANEL_WIDTH * columns, PANEL_HEIGHT * rows + top
        figure = Figure(figsize=(width, height))
        # Fixed margins, in inches: a layout engine would double the drawing time.
        figure.subplots_adjust(left=0.6 / width, right=1 - 0.15 / width, bottom=0.45 / height,
                               top=1 - top / height, wspace=0.35, hspace=0.55)
        if title:
            figure.suptitle(title, fontsize=8, y=1 - 0.08 / height, va="top")
        axes = figure.subplots(rows, columns, squeeze=False).ravel()
        for ax in axes[len(layout):]:
            ax.set_visible(False)
        if not layout:
            axes[0].set_visible(True)
            axes[0].text(0.5, 0.5, "no values logged yet", ha="center", va="center", fontsize=9)
            axes[0].set_axis_off()
        self._panels = [_Panel(ax, *entry) for ax, entry in zip(axes, layout)]
        self.figure = figure


class _Panel:
    """One panel's axes and lines, made once and then moved."""

    def __init__(self, ax, title, series, kind):
        from matplotlib.ticker import MaxNLocator

        self.ax, self.title, self.series, self.kind = ax, title, series, kind
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(True, alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.set_xlabel("epoch", fontsize=8)
        self.lines = []
        if kind == "lr":
            colour = COLOURS[4]
            self.trace = ax.plot([], [], "-", color=colour, linewidth=1.5)[0]
            self.points = ax.plot([], [], "o", color=colour, markersize=3)[0]
            return
        for k, (label, _) in enumerate(series):
            colour = COLOURS[k % len(COLOURS)]
            train = ax.plot([], [], "-", color=colour, marker="o", markersize=3, linewidth=1.5,
                            label=label if len(series) > 1 else None)[0]
            val = ax.plot([], [], "--", color=colour, marker="o", markersize=3, linewidth=1.5)[0]
            self.lines.append((train, val))
        self.trace = self.best_line = self.best_star = None
        if kind == "loss":
            self.trace = ax.plot([], [], "-", color=COLOURS[0], alpha=0.35, linewidth=1, label="within epochs")[0]
            self.best_line = ax.axvline(0, color="#444444", linestyle=":", linewidth=1, visible=False)
            self.best_star = ax.plot([], [], "*", color="#f59f00", markersize=12, markeredgecolor="#444444",
                                     label="best epoch")[0]
        if any(line.get_label() and not line.get_label().startswith("_") for line in ax.lines):
            ax.legend(fontsize=7, loc="best")

    def update(self, record, best):
        ax = self.ax
        if self.kind == "lr":
            _set(self.trace, record.lr_trace)
            points = [(e + 1, v) for e, v in zip(record.epochs, record.lr) if v is not None]
            _set(self.points, points)
            values = [v for _, v in record.lr_trace] + [v for _, v in points]
            log = bool(values) and min(values) > 0 and max(values) / min(values) > 20
            if log != (ax.get_yscale() == "log"):
                ax.set_yscale("log" if log else "linear")
            ax.relim()
            ax.autoscale_view(scalex=False)
            if values and min(values) == max(values):
                ax.set_ylim(0, 2 * max(values) or 1)
            return
        xs = [e + 1 for e in record.epochs]
        for (train, val), (_, name) in zip(self.lines, self.series):
            for line, full in ((train, name), (val, "val_" + name)):
                column = record.values.get(full, [])
                _set(line, [(x, v) for x, v in zip(xs, column) if v is not None])
        if self.kind == "loss":
            _set(self.trace, record.trace)
            monitor = record.monitor
            if best is not None:
                x = record.epochs[best] + 1
                self.best_line.set_xdata([x, x])
                self.best_line.set_visible(True)
                _set(self.best_star, [(x, record.values[monitor][best])])
                ax.set_title(f"{self.title} (best: epoch {x})", fontsize=9)
        ax.relim(visible_only=True)
        ax.autoscale_view(scalex=False)


def _set(line, points):
    """Give a line its points, ``[(x, y), ...]``."""
    if points:
        xs, ys = zip(*points)
        line.set_data(xs, ys)
    else:
        line.set_data([], [])


def png(figure, dpi=80):
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def history_plot(history, title=None):
    """The curves of a finished training as a matplotlib figure.

    Args:
        history: the ``History`` that ``fit`` returned (or a ``{name: [values]}`` dict).
        title: a title above the panels.

    Returns:
        A ``matplotlib.figure.Figure`` (in a notebook it shows itself as a picture;
        ``figure.savefig('curves.png')`` writes it).

    Example:
        >>> history = model.fit(x, y, epochs=10, validation_split=0.2)
        >>> history.plot()          # the same as kfunc.widgets.plot_history(history)
    """
    figure = Curves(title).draw(TrainingRecord.from_history(history))
    _let_notebook_show(figure)
    return figure


plot_history = history_plot


# ---------------------------------------------------------------------- helpers


def _x_range(record):
    """From the start of the first epoch to a little after the last value (at most the planned end)."""
    xs = [e + 1 for e in record.epochs] + [x for x, _ in record.trace]
    start = record.epochs[0] if record.epochs else int(min(xs, default=0))
    planned = start + (record.total_epochs or 1)
    if not xs:
        return start, planned
    last = max(xs)
    return start, max(last, min(planned, max(start + 5, last + 0.5 * (last - start))))


def _let_notebook_show(figure):
    """Have a notebook show a pyplot-free figure as a PNG (IPython only knows pyplot's)."""
    from kfunc.widgets.frontend import kernel_shell

    shell = kernel_shell()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]
    try:
        formatter.lookup_by_type(type(figure))
    except KeyError:
        formatter.for_type(type(figure), lambda fig: png(fig, dpi=90))
