"""The three faces of the training tracker: widgets, HTML outputs, printed lines.

Each view gets the same calls from :class:`~kfunc.widgets.tracker.LiveTracker`:
``start()``; ``update(progress, png)``, a *redraw*: the progress text and the
curves picture of one same moment, shown together so that the text never tells of
an epoch the curves do not show yet; ``epoch_end(progress, logs)``, where the text
view prints its line (the notebook views show an epoch at their next redraw); and
``finish(png)``.

The two notebook views show their live parts in output areas that start empty and
are emptied again at the end, when the *snapshot* (the final curves as a PNG, the
epoch table as HTML, each with a text stand-in) is shown as ordinary outputs. So a
saved notebook holds the snapshot and no widget, and the first and last states of
each live area agree, which is what notebook checkers (nbval) compare.
"""

import base64

from kfunc.widgets import report
from kfunc.widgets.frontend import EMPTY, Slot, show_once


def snapshot_bundles(record, png, weights):
    """The two final outputs: the curves (PNG + caption) and the epoch table (HTML + text)."""
    curves = {"text/plain": report.curves_caption(record)}
    if png is not None:
        curves["image/png"] = base64.b64encode(png).decode("ascii")
    latest = record.latest()
    table_html = report.epoch_table_html(record) + report.breakdown_html(latest, weights)
    table_text = report.epoch_table_text(record)
    breakdown = "\n".join(filter(None, (report.breakdown_text(latest, weights, p) for p in ("", "val_"))))
    if breakdown:
        table_text += "\n" + breakdown
    return [curves, {"text/html": table_html, "text/plain": table_text}]


class TextView:
    """A printed line per epoch (terminals, CI logs), as fit's ``verbose=2`` prints them."""

    def __init__(self, tracker):
        self.tracker = tracker

    def start(self):
        pass

    def update(self, progress, png):
        pass

    def epoch_end(self, progress, logs):
        weights = self.tracker.record.weights
        print(report.epoch_line(progress, logs, self.tracker.record), flush=True)
        for prefix in ("", "val_"):
            text = report.breakdown_text(logs, weights, prefix)
            if text:
                print("    " + text, flush=True)

    def finish(self, png):
        print(report.table_caption(self.tracker.record), flush=True)


class HtmlView:
    """Two outputs updated in place (progress as HTML, curves as PNG), then the snapshot."""

    def __init__(self, tracker, sink=None):
        self.tracker = tracker
        self.sink = sink
        self.text = Slot(sink)
        self.curves = Slot(sink)
        self._shown_png = None

    def start(self):
        self.text.show(EMPTY)
        self.curves.show(EMPTY)

    def update(self, progress, png):
        body = report.progress_html(progress)
        body += report.bar_html(_epochs_done(progress), progress.epochs)
        breakdown = report.breakdown_html(self.tracker.record.latest(), self.tracker.record.weights)
        self.text.update({"text/html": f"<div>{body}{breakdown}</div>", "text/plain": ""})
        if png is not None and png is not self._shown_png:  # an unchanged picture is not sent again
            self._shown_png = png
            self.curves.update({"image/png": base64.b64encode(png).decode("ascii"), "text/plain": ""})

    def epoch_end(self, progress, logs):
        pass

    def finish(self, png):
        self.text.update(EMPTY)
        self.curves.update(EMPTY)
        for bundle in snapshot_bundles(self.tracker.record, png, self.tracker.record.weights):
            show_once(bundle, self.sink)


class WidgetView:
    """ipywidgets: progress bars, the curves, the loss breakdown and a Stop button.

    Attributes (ipywidgets, for tests and for the curious):
        box: the whole tracker (a ``VBox``).
        epoch_bar, batch_bar: ``IntProgress`` bars.
        info: ``HTML``: epoch, batch, time left, samples/s, running values.
        curves: ``Image`` (PNG) of the curves.
        breakdown: ``HTML``: each output's weighted share of the loss.
        stop_button: ``Button`` that ends training after the current batch.
        status: ``HTML`` next to the button.
    """

    def __init__(self, tracker, sink=None):
        import ipywidgets as w

        from kfunc.widgets.stop import hear_clicks_while_busy

        self.tracker = tracker
        self.sink = sink
        self.slot = Slot(sink)
        name = getattr(tracker.model, "name", "model")
        self.title = w.HTML(f"<b>Training {name}</b>")
        self.epoch_bar = w.IntProgress(value=0, min=0, max=1, description="epochs",
                                       layout=w.Layout(width="420px"))
        self.batch_bar = w.IntProgress(value=0, min=0, max=1, description="batches",
                                       layout=w.Layout(width="420px"))
        self.info = w.HTML("")
        self.curves = w.Image(format="png")
        self.breakdown = w.HTML("")
        self.stop_button = w.Button(description="Stop", icon="stop", button_style="danger",
                                    tooltip="End training after the current batch (weights and History are kept)")
        self.status = w.HTML("")
        self.stop_button.on_click(lambda _: tracker.stop())
        self.box = w.VBox([
            self.title, self.epoch_bar, self.batch_bar, self.info, self.curves, self.breakdown,
            w.HBox([self.stop_button, self.status]),
        ])
        self.live_stop = hear_clicks_while_busy(self.stop_button, tracker.stop) if sink is None else True
        if not self.live_stop:
            self.stop_button.tooltip = ("This kernel reads clicks only between cells (ipykernel < 7): use "
                                        "Kernel > Interrupt to stop fit now.")

    def start(self):
        self.slot.show(EMPTY)
        self.slot.update(self.box)

    def update(self, progress, png):
        with self.box.hold_sync():
            self.epoch_bar.max = max(progress.epochs, 1)
            self.epoch_bar.value = int(_epochs_done(progress))
            if progress.steps:
                self.batch_bar.max = progress.steps
                self.batch_bar.value = min(progress.batch, progress.steps)
            self.info.value = report.progress_html(progress)
            self.breakdown.value = report.breakdown_html(self.tracker.record.latest(), self.tracker.record.weights)
            if self.tracker.stop_requested and not self.stop_button.disabled:
                self.stop_button.disabled = True
                self.status.value = "<i>stopping after this batch...</i>"
        if png is not None:
            with self.curves.hold_sync():
                self.curves.value = png
                self.curves.width = str(_png_width(png))  # shown at its own size, not stretched

    def epoch_end(self, progress, logs):
        pass

    def finish(self, png):
        self.stop_button.disabled = True
        self.slot.update(EMPTY)
        for widget in self.box.children[-1].children + self.box.children:
            widget.close()
        self.box.close()
        for bundle in snapshot_bundles(self.tracker.record, png, self.tracker.record.weights):
            show_once(bundle, self.sink)


def _png_width(png):
    """The width in pixels written in a PNG's header."""
    return int.from_bytes(png[16:20], "big")


def _epochs_done(progress):
    """How many epochs are done, with the fraction of the one in progress (2.5: half of the third)."""
    if progress.epoch_ended:
        return progress.epoch
    return progress.epoch - 1 + (progress.batch / progress.steps if progress.steps else 0.0)
