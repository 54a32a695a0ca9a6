"""The live training tracker (kfunc.widgets.tracker and its views), without a browser.

A fake training loop drives the tracker's hooks as ``fit`` does, so the widgets'
traits, the Stop button and the final snapshot can be checked exactly; real
``fit`` runs check the per-output loss breakdown and stopping mid-epoch; a real
kernel checks that a Stop click is heard while the kernel is busy. (A notebook
executed headless and checked by nbval twice, and the tracker in a real browser:
``tools/browser_check.py``.)
"""

import base64
import json
import math
import os
import queue
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import kfunc
import kfunc.datasets
import kfunc.widgets
from kfunc.widgets import LiveTracker, loss_breakdown, loss_weights, notebook_progress, views
from kfunc.widgets.frontend import EMPTY, choose_mode
from kfunc.widgets.record import TrainingRecord
from kfunc.widgets.report import BEST_STYLE, scrolling
from guide_models import dense_network, headline_model

REPO = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG"
EVERY_BATCH = {"update_every": 0, "drawing_budget": math.inf}  # no throttle: a redraw at every batch


# ---------------------------------------------------------------------- a fake fit


class FakeHead:
    def __init__(self, name, loss_weight):
        self.name, self.loss_weight, self.loss = name, loss_weight, "binary_crossentropy"


class FakeOptimizer:
    learning_rate = 0.01


class FakeModel:
    """What the tracker reads from a model: its name, heads, optimizer and stop flag."""

    name = "fake"

    def __init__(self, weights=(("main_output", 1.0), ("aux_output", 0.2))):
        self._heads = [FakeHead(n, w) for n, w in weights]
        self.optimizer = FakeOptimizer()
        self.stop_training = False


def epoch_logs(epoch, val=True):
    main, aux = 0.7 / (epoch + 1), 0.6 - 0.05 * epoch
    logs = {"loss": main + 0.2 * aux, "main_output_loss": main, "aux_output_loss": aux,
            "main_output_acc": 0.5 + 0.1 * epoch, "aux_output_acc": 0.5 + 0.05 * epoch}
    if val:
        logs.update({"val_" + k: v * 1.1 if "loss" in k else v - 0.05 for k, v in list(logs.items())})
    return logs


def fake_fit(tracker, model, epochs=3, steps=5, during_batch=None):
    """Call the tracker's hooks in fit's order; returns the History-like list of epoch logs."""
    tracker.set_model(model)
    tracker.set_params({"epochs": epochs, "steps": steps, "samples": steps * 32, "batch_size": 32, "verbose": 1})
    model.stop_training = False
    tracker.on_train_begin({})
    history = []
    for epoch in range(epochs):
        tracker.on_epoch_begin(epoch, {})
        for batch in range(steps):
            if during_batch is not None:
                during_batch(epoch, batch)
            tracker.on_train_batch_end(batch, {"loss": 0.9 - 0.01 * batch, "main_output_acc": 0.5})
            if model.stop_training:
                break
        tracker.on_test_begin({})
        logs = epoch_logs(epoch)
        tracker.on_epoch_end(epoch, logs)
        history.append(logs)
        if model.stop_training:
            break
    tracker.on_train_end(logs)
    return history


def bundles(sink, kind=None):
    return [c for k, c in sink if isinstance(c, dict) and (kind is None or k == kind)]


# ---------------------------------------------------------------------- widget mode


def test_widget_tracker_traits_follow_the_fake_training():
    sink, seen = [], {}
    tracker = LiveTracker(mode="widget", sink=sink, **EVERY_BATCH)
    model = FakeModel()

    def look(epoch, batch):
        if (epoch, batch) == (1, 3):
            view = tracker.view
            seen.update(epoch_max=view.epoch_bar.max, epoch_value=view.epoch_bar.value,
                        batch_max=view.batch_bar.max, batch_value=view.batch_bar.value,
                        info=view.info.value, png=view.curves.value, breakdown=view.breakdown.value)

    fake_fit(tracker, model, epochs=3, steps=5, during_batch=look)
    assert seen["epoch_max"] == 3 and seen["epoch_value"] == 1
    assert seen["batch_max"] == 5 and seen["batch_value"] == 3  # batches 0..2 done when batch 3 starts
    assert "Epoch 2/3" in seen["info"] and "batch 3/5" in seen["info"] and "samples/s" in seen["info"]
    assert bytes(seen["png"]).startswith(PNG_MAGIC)
    assert "main_output" in seen["breakdown"] and "x 0.2" in seen["breakdown"]


def test_widget_tracker_is_closed_and_leaves_a_snapshot():
    sink = []
    tracker = LiveTracker(mode="widget", sink=sink, **EVERY_BATCH)
    fake_fit(tracker, FakeModel(), epochs=3)
    view = tracker.view
    # 1. the live area started empty, showed the widget, and was emptied again
    assert sink[0] == ("show", EMPTY) and sink[1] == ("update", view.box)
    assert ("update", EMPTY) in sink
    # 2. every widget was closed, so a saved notebook needs no widget state
    assert view.box.comm is None and view.stop_button.comm is None and view.curves.comm is None
    # 3. the snapshot: the curves as PNG, the epoch table as HTML, each with text
    curves, table = sink[-2][1], sink[-1][1]
    assert base64.b64decode(curves["image/png"]).startswith(PNG_MAGIC)
    assert curves["text/plain"] == "<Training curves: loss, loss by output, acc; 3 epochs>"  # the rate stayed 0.01
    assert "<table" in table["text/html"] and BEST_STYLE in table["text/html"]
    assert table["text/plain"].startswith("Trained 3 epochs. Best epoch: 3 (val_loss ")


def test_learning_rate_panel_appears_when_the_rate_changes():
    sink = []
    tracker = LiveTracker(mode="widget", sink=sink, **EVERY_BATCH)
    model = FakeModel()
    model.optimizer.learning_rate = 0.01

    def lower_the_rate(epoch, batch):
        model.optimizer.learning_rate = 0.01 / (epoch + 1)

    fake_fit(tracker, model, epochs=3, during_batch=lower_the_rate)
    curves, table = sink[-2][1], sink[-1][1]
    assert curves["text/plain"] == "<Training curves: loss, loss by output, acc, learning rate; 3 epochs>"
    assert table["text/plain"].startswith("Trained 3 epochs. Best epoch: 3 (val_loss ")


def test_stop_button_sets_stop_training_and_the_training_ends_after_that_batch():
    sink, batches = [], []
    tracker = LiveTracker(mode="widget", sink=sink, **EVERY_BATCH)
    model = FakeModel()

    def click(epoch, batch):
        batches.append((epoch, batch))
        if (epoch, batch) == (1, 2):
            tracker.view.stop_button.click()
            assert model.stop_training and tracker.stop_requested

    history = fake_fit(tracker, model, epochs=5, steps=5, during_batch=click)
    assert batches[-1] == (1, 2)  # no batch after the one that was running
    assert len(history) == 2 and tracker.record.epochs == [0, 1]
    assert tracker.view.stop_button.disabled
    assert "Stopped with the Stop button in epoch 2, after batch 3." in sink[-1][1]["text/plain"]
    tracker.stop()  # after the end, a late click changes nothing
    assert not tracker.view.stop_button.comm


def test_stop_button_in_a_real_fit_keeps_weights_and_history():
    (x, y) = _digits(256)
    model = dense_network()
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    tracker = LiveTracker(mode="widget", sink=[], **EVERY_BATCH)

    class ClickStop(kfunc.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if len(model.history.epoch) == 1 and batch == 2:
                tracker.view.stop_button.click()

    history = model.fit(x, y, batch_size=32, epochs=10, verbose=0, callbacks=[tracker, ClickStop()])
    assert history.epoch == [0, 1]  # the first epoch, then the part of the second that ran
    assert model.optimizer.iterations == 8 + 3
    assert model.history is history and set(history.history) == {"loss", "accuracy"}
    assert model.evaluate(x, y, verbose=0)[0] == pytest.approx(history.history["loss"][-1], rel=0.2)


# ---------------------------------------------------------------------- per-output breakdown


def test_breakdown_rows_sum_to_the_total_loss():
    logs = {"loss": 0.5 + 0.2 * 0.4, "main_output_loss": 0.5, "aux_output_loss": 0.4}
    rows, rest = loss_breakdown(logs, [("main_output", 1.0), ("aux_output", 0.2)])
    assert [(r.output, r.weight, r.weighted) for r in rows] == [("main_output", 1.0, 0.5),
                                                                ("aux_output", 0.2, pytest.approx(0.08))]
    assert sum(r.weighted for r in rows) == pytest.approx(logs["loss"]) and rest == pytest.approx(0.0)
    assert sum(r.share for r in rows) == pytest.approx(1.0)
    assert rows[0].share == pytest.approx(0.5 / 0.58)


def test_breakdown_of_a_real_multi_output_fit_sums_to_the_total_loss():
    model, x, y = _headline_setup()
    assert loss_weights(model) == [("main_output", 1.0), ("aux_output", 0.2)]
    tracker = LiveTracker(mode="html", sink=[])
    history = model.fit(x, y, epochs=2, batch_size=32, validation_split=0.25, verbose=0, callbacks=[tracker])
    for epoch in range(2):
        logs = {k: v[epoch] for k, v in history.history.items()}
        for prefix in ("", "val_"):
            rows, rest = loss_breakdown(logs, loss_weights(model), prefix)
            assert len(rows) == 2
            assert sum(r.weighted for r in rows) == pytest.approx(logs[prefix + "loss"], rel=1e-5)
            assert abs(rest) < 1e-5 * logs[prefix + "loss"]
    table = tracker.sink[-1][1]
    assert "training loss by output" in table["text/html"] and "validation loss by output" in table["text/html"]
    assert "loss " in table["text/plain"] and " = 1 x main_output_loss " in table["text/plain"]


# ---------------------------------------------------------------------- html and text modes


def test_html_live_areas_start_and_end_empty_so_nbval_sees_what_was_saved():
    sink = []
    fake_fit(LiveTracker(mode="html", sink=sink, **EVERY_BATCH), FakeModel(), epochs=2)
    shows = [c for k, c in sink if k == "show"]
    assert shows[:2] == [EMPTY, EMPTY]  # the two live areas, as first shown (what nbval records)
    updates = [c for k, c in sink if k == "update"]
    assert updates[-2:] == [EMPTY, EMPTY]  # ... and as left at the end (what a saved notebook keeps)
    assert any("image/png" in u for u in updates) and any("Epoch 2/2" in u.get("text/html", "") for u in updates)
    assert [sorted(b) for b in shows[2:]] == [["image/png", "text/plain"], ["text/html", "text/plain"]]


def test_snapshot_text_is_deterministic_and_holds_no_clock():
    texts = []
    for _ in range(2):
        sink = []
        fake_fit(LiveTracker(mode="html", sink=sink, **EVERY_BATCH), FakeModel(), epochs=3)
        texts.append([(b["text/plain"], b.get("text/html")) for b in bundles(sink, "show")[2:]])
        time.sleep(0.01)
    assert texts[0] == texts[1]
    joined = json.dumps(texts[0])
    assert "/step" not in joined and "samples/s" not in joined and " at 0x" not in joined


class StepClock:
    """A clock that moves only when the test moves it, so that the tracker's throttle is exact."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _shown_epoch(html_text):
    """The epoch the progress text names (``<b>Epoch 4/40</b>``)."""
    return int(re.search(r"Epoch (\d+)/\d+", html_text).group(1))


def _plotted_epoch(figure):
    """The epoch the loss panel reaches: its rightmost point (x = 3.4 lies in epoch 4)."""
    xs = [x for line in figure.axes[0].lines if line.get_visible() for x in line.get_xdata()]
    return math.ceil(max(xs))


@pytest.mark.parametrize("mode", ["widget", "html"])
def test_text_and_curves_show_the_same_epoch_at_every_redraw(monkeypatch, mode):
    """Short epochs and costly redraws: both are throttled together, and the last epoch is drawn."""
    clock, sink, seen = StepClock(), [], []
    tracker = LiveTracker(mode=mode, sink=sink)  # the default throttle: 4 a second, 3% of the time
    tracker.clock = clock
    view_class = views.WidgetView if mode == "widget" else views.HtmlView
    update = view_class.update

    def timed_update(view, progress, png):
        update(view, progress, png)
        clock.now += 0.05  # a redraw costs 0.05 s: the budget spaces them 0.05 / 0.03 = 1.7 s apart
        if mode == "widget":
            text = view.info.value
        else:
            text = next(b["text/html"] for _, b in reversed(sink) if isinstance(b, dict) and b.get("text/html"))
        seen.append((_shown_epoch(text), _plotted_epoch(tracker._curves.figure)))

    monkeypatch.setattr(view_class, "update", timed_update)

    def batch_takes_a_moment(epoch, batch):
        clock.now += 0.02  # 5 batches: an epoch of 0.1 s

    fake_fit(tracker, FakeModel(), epochs=40, steps=5, during_batch=batch_takes_a_moment)
    assert 3 < len(seen) < 10  # throttled: far fewer redraws than epochs
    assert len({text for text, _ in seen}) == len(seen)  # each redraw moved on
    assert all(text == curves for text, curves in seen), seen
    assert seen[-1] == (40, 40)  # the final state is exact


def test_a_real_fit_of_many_short_epochs_keeps_text_and_curves_together(monkeypatch):
    x, y = _digits(64)
    model = dense_network()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    sink, seen = [], []
    update = views.HtmlView.update

    def recording_update(view, progress, png):
        update(view, progress, png)
        text = next(b["text/html"] for _, b in reversed(sink) if isinstance(b, dict) and b.get("text/html"))
        seen.append((_shown_epoch(text), _plotted_epoch(view.tracker._curves.figure)))

    monkeypatch.setattr(views.HtmlView, "update", recording_update)
    model.fit(x, y, batch_size=16, epochs=30, verbose=0, callbacks=[LiveTracker(mode="html", sink=sink)])
    assert len(seen) < 30 and all(text == curves for text, curves in seen), seen
    assert seen[-1] == (30, 30)


def test_wide_history_tables_scroll_sideways_in_the_live_view_and_the_snapshot():
    """A multi-output model logs 10 values and the learning rate: the table must not be cut off."""
    sink, live = [], []
    tracker = LiveTracker(mode="widget", sink=sink, **EVERY_BATCH)
    fake_fit(tracker, FakeModel(), epochs=2,
             during_batch=lambda epoch, batch: live.append(tracker.view.breakdown.value) if epoch == 1 else None)
    table = sink[-1][1]["text/html"]
    epochs = re.findall(r"<table.*?</table>", table)[0]
    assert "val_main_output_acc" in epochs and epochs.count("<th ") == 12  # epoch + 11 columns
    for text in (table, live[-1]):
        tables = re.findall(r"<table.*?</table>", text)
        assert tables and all(scrolling(t) in text for t in tables)  # each table in its own scrolling box
        assert "overflow-x: auto" in scrolling("") and "<style" not in text and "<script" not in text
    html_sink = []
    fake_fit(LiveTracker(mode="html", sink=html_sink, **EVERY_BATCH), FakeModel(), epochs=2)
    live_text = [b["text/html"] for k, b in html_sink if k == "update" and "Epoch 2/2" in b.get("text/html", "")]
    assert all(scrolling(t) in live_text[-1] for t in re.findall(r"<table.*?</table>", live_text[-1]))


def test_text_mode_prints_a_line_per_epoch(capsys):
    fake_fit(LiveTracker(mode="text"), FakeModel(), epochs=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Epoch 1/2 - 0s ") and "/step - loss: 0.8200 - main_output_loss: 0.7000" in lines[0]
    assert lines[0].endswith("lr: 0.01")
    assert lines[1] == "    loss 0.8200 = 1 x main_output_loss 0.7000 (85.4%) + 0.2 x aux_output_loss 0.6000 (14.6%)"
    assert lines[3].startswith("Epoch 2/2")
    assert lines[-1] == "Trained 2 epochs. Best epoch: 2 (val_loss 0.5060)."


def _started_then_failed(error):
    """A fake fit that raises ``error`` after the first batch; the cell's end then finishes the tracker."""
    sink = []
    tracker = LiveTracker(mode="html", sink=sink, **EVERY_BATCH)
    tracker.set_model(FakeModel())
    tracker.set_params({"epochs": 3, "steps": 4, "samples": 128, "batch_size": 32})
    tracker.on_train_begin({})
    tracker.on_epoch_begin(0, {})
    tracker.on_train_batch_end(0, {"loss": 1.0})
    # what IPython's post_run_cell event passes: the cell's ExecutionResult
    tracker._cell_ended(SimpleNamespace(error_in_exec=error))
    return tracker, sink


def test_an_exception_in_fit_still_replaces_the_live_view_at_the_end_of_the_cell():
    tracker, sink = _started_then_failed(ValueError("bad batch"))
    assert sink[-1][1]["text/plain"].splitlines()[0] == (
        "Trained 0 epochs of 3. Training was stopped by an exception in fit (ValueError) during epoch 1, after batch 1 of 4.")
    assert "Interrupted" not in json.dumps(bundles(sink))
    tracker._cell_ended()
    assert sum(1 for k, _ in sink if k == "show") == 4  # finished once only


def test_an_exception_of_unknown_type_is_still_called_an_exception():
    _, sink = _started_then_failed(None)  # the cell caught it, say: IPython saw no error
    assert sink[-1][1]["text/plain"].splitlines()[0] == (
        "Trained 0 epochs of 3. Training was interrupted during epoch 1, after batch 1 of 4 (an exception in fit).")


def test_kernel_interrupt_is_called_an_interrupt_in_the_snapshot():
    """Kernel > Interrupt sends SIGINT: fit ends the batch, then raises KeyboardInterrupt."""
    x, y = _digits(128)
    model = dense_network()
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    sink = []
    tracker = LiveTracker(mode="html", sink=sink, **EVERY_BATCH)

    class InterruptButton(kfunc.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if len(model.history.epoch) == 1 and batch == 2:
                os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt) as caught:
        model.fit(x, y, batch_size=32, epochs=5, verbose=0, callbacks=[tracker, InterruptButton()])
    tracker._cell_ended(SimpleNamespace(error_in_exec=caught.value))
    curves, table = bundles(sink, "show")[-2:]
    caption = table["text/plain"].splitlines()[0]
    assert caption.startswith(
        "Trained 1 epoch of 5. Training was interrupted during epoch 2, after batch 3 of 4 (KeyboardInterrupt); "
        "the weights are those of the last completed batch. Best epoch: 1 (loss ")
    assert "exception" not in caption
    assert caption in table["text/html"] and base64.b64decode(curves["image/png"]).startswith(PNG_MAGIC)


def test_best_epoch_and_table_highlight_follow_each_column_direction():
    record = TrainingRecord(total_epochs=3)
    for epoch, (loss, acc) in enumerate([(0.9, 0.6), (0.5, 0.8), (0.7, 0.7)]):
        record.add_epoch(epoch, {"loss": loss, "acc": acc}, 0.001)
    assert record.monitor == "loss" and record.best_index() == 1
    assert record.best_index("acc") == 1
    from kfunc.widgets.report import epoch_table_text

    assert epoch_table_text(record).splitlines() == [
        "Trained 3 epochs. Best epoch: 2 (loss 0.5000).",
        "epoch     loss      acc     lr",
        "    1   0.9000   0.6000  0.001",
        "  2 *  0.5000*  0.8000*  0.001",
        "    3   0.7000   0.7000  0.001",
    ]


# ---------------------------------------------------------------------- choosing the display


def test_progress_hook_gives_a_tracker_only_for_fit_verbose_1_in_a_kernel(monkeypatch):
    monkeypatch.delenv("KFUNC_TRACKER", raising=False)
    assert notebook_progress(1, "fit") is None  # pytest is no kernel
    monkeypatch.setattr(kfunc.widgets, "kernel_shell", lambda: object())
    assert isinstance(notebook_progress(1, "fit"), LiveTracker)
    assert notebook_progress(2, "fit") is None and notebook_progress(0, "fit") is None
    assert notebook_progress(1, "evaluate") is None
    monkeypatch.setenv("KFUNC_TRACKER", "off")
    assert notebook_progress(1, "fit") is None


def test_install_adds_the_hook_once():
    from kfunc.training import progress

    before = list(progress.progress_hooks)
    try:
        kfunc.widgets.install()
        kfunc.widgets.install()
        assert progress.progress_hooks.count(notebook_progress) == 1
    finally:
        progress.progress_hooks[:] = before


def test_mode_is_chosen_from_the_environment_and_can_be_forced(monkeypatch):
    monkeypatch.delenv("KFUNC_TRACKER", raising=False)
    assert choose_mode() == "text"  # no kernel here
    assert choose_mode("html") == "html"
    monkeypatch.setenv("KFUNC_TRACKER", "widget")
    assert choose_mode() == "widget"
    with pytest.raises(ValueError, match=r"LiveTracker\(mode='fancy'\) is not a display mode"):
        LiveTracker(mode="fancy")


def test_plain_python_fit_prints_text_progress_and_imports_no_widgets():
    code = textwrap.dedent("""
        import sys, numpy as np, kfunc, kfunc.widgets
        from kfunc.layers import Dense
        kfunc.widgets.install()
        inputs = kfunc.Input(shape=(4,))
        model = kfunc.Model(inputs, Dense(1)(inputs))
        model.compile(optimizer='sgd', loss='mse')
        model.fit(np.zeros((64, 4), 'float32'), np.zeros((64, 1), 'float32'), epochs=2, verbose=1)
        print('MODULES', sorted(m for m in ('ipywidgets', 'matplotlib', 'IPython') if m in sys.modules))
    """)
    env = {k: v for k, v in os.environ.items() if k not in ("JPY_SESSION_NAME", "KFUNC_TRACKER")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Epoch 1/2" in out.stdout and "2/2 [==============================]" in out.stdout
    assert "MODULES []" in out.stdout


# ---------------------------------------------------------------------- a real kernel


def test_stop_click_is_heard_while_the_kernel_is_busy():
    """A Stop click reaches a kernel that is running a cell (ipykernel 7's shell thread)."""
    manager = pytest.importorskip("jupyter_client.manager")
    km, kc = manager.start_new_kernel(kernel_name="python3", cwd=str(REPO))
    try:
        code = textwrap.dedent("""
            import time, ipywidgets
            from IPython.display import display
            from kfunc.widgets.stop import hear_clicks_while_busy
            clicks = []
            button = ipywidgets.Button(description='Stop')
            display(button)
            print('hooked', hear_clicks_while_busy(button, lambda: clicks.append(1)), flush=True)
            start = time.time()
            while not clicks and time.time() - start < 20:
                time.sleep(0.01)   # a busy cell: messages wait in the queue
            print('heard' if clicks else 'not heard', flush=True)
        """)
        msg_id = kc.execute(code)
        comm_id, printed, deadline = None, "", time.time() + 60
        while time.time() < deadline:
            try:
                msg = kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            content = msg["content"]
            if msg["msg_type"] == "comm_open" and content["data"]["state"].get("_model_name") == "ButtonModel":
                comm_id = content["comm_id"]
            elif msg["msg_type"] == "stream":
                printed += content["text"]
                if "hooked True" in content["text"]:
                    click = {"comm_id": comm_id, "data": {"method": "custom", "content": {"event": "click"}}}
                    kc.shell_channel.send(kc.session.msg("comm_msg", click))
            elif msg["msg_type"] == "error":
                pytest.fail("\n".join(content["traceback"]))
            elif (msg["msg_type"] == "status" and content["execution_state"] == "idle"
                  and msg["parent_header"].get("msg_id") == msg_id):
                break
        if "hooked False" in printed:
            pytest.skip("this ipykernel has no shell channel thread: clicks wait for the cell's end")
        assert "heard" in printed and "not heard" not in printed
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


# ---------------------------------------------------------------------- helpers


def _digits(n):
    rng = np.random.default_rng(0)
    x = rng.random((n, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
    return x, y


def _headline_setup():
    (x, y), _ = kfunc.datasets.headlines(n=256, vocab_size=200, maxlen=12)
    model = headline_model(vocab=200, maxlen=12, embed=8)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", loss_weights=[1.0, 0.2], metrics=["acc"])
    return model, x, {"main_output": y, "aux_output": y}
