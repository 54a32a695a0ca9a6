"""``LiveTracker``: watch a training as it runs, then keep a picture of it.

In a notebook, ``fit`` shows it on its own (``verbose=1``, the default, in a
Jupyter kernel); pass one to ``callbacks=`` to choose its settings::

    model.fit(x, y, epochs=20, validation_split=0.2, callbacks=[LiveTracker(mode='html')])

While training runs it shows the epoch and batch with the time left and the
samples per second; curves of the loss and of every metric (training solid,
validation dashed), the best epoch starred; for a model with several outputs,
each output's loss, its loss weight and its share of the total; the learning
rate; and a **Stop** button that ends training after the current batch, keeping
the weights and the ``History``. When training ends the live view gives way to a
snapshot: the final curves as a PNG and a table of the epochs, best values
highlighted, which is what a saved notebook (GitHub, nbviewer) shows.

How it is shown depends on where (see :mod:`kfunc.widgets.frontend`): ipywidgets
in JupyterLab, VS Code or Colab; outputs replaced in place where widgets cannot be
shown; a printed line per epoch in a terminal.

It stays cheap and in step. The per-batch hook only compares the clock with the
time of the next *redraw*; a redraw reads the running values and updates the
progress text and the curves together, from the same moment of the training, so
the text never runs ahead of the picture. Redraws come as often as keeps them
under 3% of the training time (at most 4 a second), and the final state is always
drawn, however the training ends.
"""

import math
import time
from dataclasses import dataclass, field

from kfunc.callbacks.base import Callback
from kfunc.widgets.frontend import choose_mode, kernel_shell
from kfunc.widgets.record import TrainingRecord, loss_weights


@dataclass
class Progress:
    """Where a training is, for the displays.

    Attributes:
        epoch: the epoch in progress, from 1; epochs: the last epoch's number.
        epoch_ended: whether that epoch is over (its values are in the record).
        batch: batches done in this epoch; steps: batches per epoch (None if unknown).
        status: ``''`` or ``'stopping after this batch'``.
        elapsed_epoch: seconds since the epoch began.
        eta_epoch, eta_total: estimated seconds left in the epoch and in the training.
        samples_per_second: training speed in this epoch.
        running: the epoch's running values (``{'loss': ..., 'acc': ...}``).
    """

    epoch: int = 1
    epochs: int = 1
    epoch_ended: bool = False
    batch: int = 0
    steps: int = None
    status: str = ""
    elapsed_epoch: float = 0.0
    eta_epoch: float = None
    eta_total: float = None
    samples_per_second: float = 0.0
    running: dict = field(default_factory=dict)


class LiveTracker(Callback):
    """Live curves, progress, loss breakdown and a Stop button while ``fit`` runs.

    Args:
        mode: ``'widget'``, ``'html'`` or ``'text'``; by default chosen from where the
            code runs (the ``KFUNC_TRACKER`` environment variable overrides the guess).
        update_every: the shortest time between two redraws, in seconds (4 a second).
        drawing_budget: the largest fraction of the training time spent redrawing the
            progress and the curves while training runs (0.03: 3%).
        dpi: resolution of the curves picture.
        sink: a list that receives the outputs instead of the notebook (tests).

    Attributes:
        record: the :class:`~kfunc.widgets.record.TrainingRecord` of the last training.
        view: the display in use (its widgets, for a ``'widget'`` tracker).
        stop_requested: whether :meth:`stop` (the Stop button) was used in this training.
        clock: the function that tells the time, in seconds (a test may give its own).

    Example:
        >>> tracker = LiveTracker()
        >>> history = model.fit(x, y, epochs=50, callbacks=[tracker])
        >>> tracker.record.best_index()     # the best epoch's position
    """

    is_progress_display = True  # fit adds no text progress bar beside it
    clock = staticmethod(time.perf_counter)

    def __init__(self, mode=None, update_every=0.25, drawing_budget=0.03, dpi=80, sink=None):
        super().__init__()
        if mode is not None:
            choose_mode(mode)  # refuse an unknown mode now, not in the middle of fit
        self.mode = mode
        self.update_every = update_every
        self.drawing_budget = drawing_budget
        self.dpi = dpi
        self.sink = sink
        self.record = None
        self.view = None
        self.stop_requested = False
        self._finished = True
        self._curves = None

    # ------------------------------------------------------------------ the Stop button

    def stop(self):
        """End training after the current batch, as the Stop button does.

        Safe to call from another thread: it only sets flags that the training loop
        reads between batches.
        """
        if self._finished:
            return
        self.stop_requested = True
        if self.model is not None:
            self.model.stop_training = True

    # ------------------------------------------------------------------ fit's hooks

    def on_train_begin(self, logs=None):
        params = self.params
        self.active_mode = choose_mode(self.mode)
        self.record = TrainingRecord(weights=loss_weights(self.model), planned=list(params.get("metrics", [])))
        self.stop_requested = False
        self._finished = False
        self._progress = Progress(epochs=params.get("epochs", 1), steps=params.get("steps"))
        self._epoch_times = []
        self._next_redraw = math.inf if self.active_mode == "text" else 0.0  # the text view prints per epoch
        self._curves = None  # the figure, made at the first redraw
        self._png = None
        self._drawn = None  # what of the record the PNG shows
        self.view = self._make_view()
        self.view.start()
        self._watch_cell()

    def on_epoch_begin(self, epoch, logs=None):
        if self.record.total_epochs is None:
            self.record.total_epochs = self.params.get("epochs", epoch + 1) - epoch
        p = self._progress
        p.epoch, p.epoch_ended, p.batch, p.status, p.running = epoch + 1, False, 0, "", {}
        self._epoch_started = self.clock()

    def on_train_batch_end(self, batch, logs=None):
        p = self._progress
        p.batch = batch + 1
        now = self.clock()
        if now < self._next_redraw:
            return
        # 1. the running values (reading them waits for the device: only when they are shown)
        p.running = dict(logs) if logs is not None else {}
        if "loss" in p.running:
            self.record.add_running(self._x(), p.running["loss"], self._learning_rate())
        if self.stop_requested:
            p.status = "stopping after this batch"
        self._timing(now)
        # 2. the text and the curves of this moment, together
        self._redraw()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        now = self.clock()
        self._epoch_times.append(now - self._epoch_started)
        lr = logs.get("lr", self._learning_rate())
        self.record.add_epoch(epoch, logs, lr)
        if "loss" in logs:
            self.record.add_running(self._x(), logs["loss"], lr)
        p = self._progress
        p.epoch_ended, p.status, p.running = True, "", dict(logs)
        self._timing(now)
        self.view.epoch_end(p, logs)
        if now >= self._next_redraw:
            self._redraw()

    def on_train_end(self, logs=None):
        self._finish()

    # ------------------------------------------------------------------ internals

    def _make_view(self):
        from kfunc.widgets import views

        if self.active_mode == "widget":
            return views.WidgetView(self, self.sink)
        if self.active_mode == "html":
            return views.HtmlView(self, self.sink)
        return views.TextView(self)

    def _finish(self, interrupted=False, error=None):
        """Leave the snapshot: the final state is redrawn (whatever the throttle), then shown for good.

        Args:
            interrupted: True when fit ended with an exception (it never called on_train_end).
            error: that exception, when known.
        """
        if self._finished:
            return
        self._finished = True
        self._unwatch_cell()
        self.record.stopped = self._how_it_stopped(interrupted, error)
        if self.active_mode != "text":
            self._redraw()
        self.view.finish(self._png)

    def _how_it_stopped(self, interrupted, error):
        """The sentence the snapshot's caption gives when training ended before its last epoch."""
        p = self._progress
        where = f"during epoch {p.epoch}, after batch {p.batch}" + (f" of {p.steps}" if p.steps else "")
        if isinstance(error, KeyboardInterrupt):  # Ctrl-C, or the notebook's Kernel > Interrupt
            return (f"Training was interrupted {where} (KeyboardInterrupt); "
                    "the weights are those of the last completed batch.")
        if interrupted and error is not None:
            return f"Training was stopped by an exception in fit ({type(error).__name__}) {where}."
        if interrupted:  # the cell caught the exception, or no notebook told which one it was
            return f"Training was interrupted {where} (an exception in fit)."
        if self.stop_requested:
            return f"Stopped with the Stop button in epoch {p.epoch}, after batch {p.batch}."
        if getattr(self.model, "stop_training", False):
            return "Stopped early by a callback (model.stop_training)."
        return ""

    def _timing(self, now):
        p = self._progress
        elapsed = now - self._epoch_started
        p.elapsed_epoch = elapsed
        batch_size = self.params.get("batch_size") or 0
        samples = self.params.get("samples") or 0
        if p.batch and elapsed > 0:
            seen = min(p.batch * batch_size, samples) if samples else p.batch * batch_size
            p.samples_per_second = seen / elapsed
            if p.steps:
                p.eta_epoch = max(p.steps - p.batch, 0) * elapsed / p.batch
        epoch_length = (sum(self._epoch_times) / len(self._epoch_times)) if self._epoch_times else (
            elapsed + (p.eta_epoch or 0.0))
        if p.eta_epoch is not None:
            remaining = max(p.epochs - p.epoch, 0)
            p.eta_total = p.eta_epoch + remaining * epoch_length

    def _x(self):
        """The position of now on the curves' x axis (epoch 3 half done: 2.5)."""
        p = self._progress
        return (p.epoch - 1) + (p.batch / p.steps if p.steps else 1.0)

    def _learning_rate(self):
        optimizer = getattr(self.model, "optimizer", None)
        try:
            rate = getattr(optimizer, "learning_rate", None)
            return float(rate) if rate is not None else None
        except (TypeError, ValueError, RuntimeError):
            return None

    def _redraw(self):
        """One redraw: the progress text and the curves, from the same state, in one view update.

        Its cost sets the pace: the next redraw waits until this one is within the
        drawing budget of the time in between (the first redraw, which also loads
        the fonts, does not count).
        """
        started = self.clock()
        first = self._curves is None
        self.view.update(self._progress, self._picture())
        cost = self.clock() - started
        self._next_redraw = self.clock() + max(self.update_every, 0.0 if first else cost / self.drawing_budget)

    def _picture(self):
        """The curves of the record as it is now, as PNG (drawn again only when the record changed)."""
        from kfunc.widgets import curves

        record = self.record
        state = (len(record.epochs), len(record.trace), len(record.lr_trace))
        if state != self._drawn:
            if self._curves is None:
                self._curves = curves.Curves()
            self._png = curves.png(self._curves.draw(record), self.dpi)
            self._drawn = state
        return self._png

    # A fit that raises (Ctrl-C, an error) never calls on_train_end: in a notebook the
    # end of the cell finishes the display instead, so no live view is left behind.
    def _watch_cell(self):
        shell = kernel_shell() if self.sink is None else None
        self._shell = shell
        if shell is not None:
            shell.events.register("post_run_cell", self._cell_ended)

    def _unwatch_cell(self):
        if getattr(self, "_shell", None) is not None:
            try:
                self._shell.events.unregister("post_run_cell", self._cell_ended)
            except ValueError:
                pass
            self._shell = None

    def _cell_ended(self, result=None):
        # IPython passes the cell's ExecutionResult: its error_in_exec is what stopped fit
        self._finish(interrupted=True, error=getattr(result, "error_in_exec", None))
