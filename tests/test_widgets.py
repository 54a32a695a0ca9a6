"""kfunc.widgets besides the tracker: the node explorer, training curves, records, call sites."""

import base64
import inspect
import io

import numpy as np
import pytest
from matplotlib.figure import Figure

from kfunc.layers import LSTM, Conv2D, Dense, Input, concatenate
from kfunc.models import Model
from kfunc.widgets import TrainingRecord, explore, node_info, plot_history
from kfunc.widgets.curves import panels
from kfunc.widgets.explorer import HIGHLIGHT, highlighted_diagram, info_text

PNG_MAGIC = b"\x89PNG"


def _pixels(png):
    """The RGB pixels of a PNG, as an ``(n, 3)`` array of ints."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int).reshape(-1, 3)


def shared_lstm_model():
    tweet_a = Input(shape=(10, 8))
    tweet_b = Input(shape=(10, 8))
    lstm = LSTM(4)
    encoded_a = lstm(tweet_a)
    encoded_b = lstm(tweet_b)  # the second node of the same layer
    merged = concatenate([encoded_a, encoded_b])
    return Model([tweet_a, tweet_b], Dense(1, activation="sigmoid")(merged)), lstm


def _line_of(text):
    """The line number of ``text`` in this file (for call-site checks)."""
    lines = inspect.getsource(inspect.getmodule(_line_of)).splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


# ---------------------------------------------------------------------- call sites (engine)


def test_each_node_records_the_user_line_that_made_it():
    model, lstm = shared_lstm_model()
    first, second = lstm._inbound_nodes
    assert first.call_site[0].endswith("test_widgets.py")
    assert first.call_site[1:] == (_line_of("encoded_a = lstm(tweet_a)"), "encoded_a = lstm(tweet_a)")
    assert second.call_site[2] == "encoded_b = lstm(tweet_b)  # the second node of the same layer"
    inputs = model.inputs[0]._keras_history.layer._inbound_nodes[0]
    assert inputs.call_site[2] == "tweet_a = Input(shape=(10, 8))"


def test_call_site_skips_kfunc_frames_of_a_nested_call():
    inner_in = Input(shape=(4,))
    inner = Model(inner_in, Dense(2)(inner_in))
    outer_in = Input(shape=(4,))
    out = inner(outer_in)
    node = out._keras_history.layer._inbound_nodes[-1]
    assert node.call_site[2] == "out = inner(outer_in)"


# ---------------------------------------------------------------------- node explorer


def test_node_info_of_a_shared_layer_second_call():
    model, lstm = shared_lstm_model()
    info = node_info(lstm, 1, model)
    assert (info.layer, info.class_name, info.node_index, info.nodes) == ("lstm", "LSTM", 1, 2)
    assert [(t.ref, t.shape, t.dtype) for t in info.inputs] == [("input_2[0][0]", "(None, 10, 8)", "float32")]
    assert [(t.ref, t.shape) for t in info.outputs] == [("lstm[1][0]", "(None, 4)")]
    assert info.inbound_layers == ["input_2"] and info.read_by == ["concatenate[0]"]
    assert info.params == 4 * 4 * (8 + 4 + 1) and info.in_model
    assert info.call_site == ("tests/test_widgets.py", _line_of("encoded_b = lstm(tweet_b)"),
                              "encoded_b = lstm(tweet_b)  # the second node of the same layer")


def test_node_info_of_an_input_and_of_a_node_outside_the_model():
    model, lstm = shared_lstm_model()
    alone = Input(shape=(10, 8))
    lstm(alone)  # a third call, in no model
    info = node_info(lstm, 2, model)
    assert not info.in_model and info.read_by == []
    source = model.inputs[0]._keras_history.layer
    first = node_info(source, 0, model)
    assert first.inputs == [] and [t.ref for t in first.outputs] == ["input_1[0][0]"]
    assert "inputs: none: this is where data enters" in info_text(first)


def test_static_report_shows_the_node_and_its_highlighted_graph():
    model, lstm = shared_lstm_model()
    report = explore(model, "lstm", 1, mode="html")
    text = str(report)
    assert text.splitlines()[0] == "lstm (LSTM), node 1 of 2"
    assert "  made by: tests/test_widgets.py, line" in text
    details, graph = report.bundles()
    assert details["text/plain"] == text
    assert "lstm[1][0]" in details["text/html"] and "encoded_b = lstm(tweet_b)" in details["text/html"]
    assert "input_2" in details["text/html"] and "(None, 10, 8)" in details["text/html"]
    assert base64.b64decode(graph["image/png"]).startswith(PNG_MAGIC)
    assert graph["text/plain"] == "<Graph of model 'model', call lstm[1] highlighted>"


@pytest.mark.parametrize("renderer", ["dot", "graphviz-pure"])
def test_static_report_stores_its_graph_as_an_image_never_as_svg_in_html(monkeypatch, renderer):
    """An untrusted notebook strips <svg> from HTML outputs: the graph must be a PNG output of its own."""
    from kfunc.display import renderers

    if renderers.RENDERERS[[r.name for r in renderers.RENDERERS].index(renderer)].unavailable("png"):
        pytest.skip(f"{renderer} cannot draw here")
    monkeypatch.setenv("KFUNC_RENDERER", renderer)
    model, lstm = shared_lstm_model()
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append((obj, raw)))
    explore(model, "lstm", 1, mode="html")._ipython_display_()  # as a notebook cell's last line shows it
    assert [raw for _, raw in shown] == [True, True]
    bundles = [bundle for bundle, _ in shown]
    assert [sorted(b) for b in bundles] == [["text/html", "text/plain"], ["image/png", "text/plain"]]
    assert not any("<svg" in b.get("text/html", "").lower() for b in bundles)
    png = base64.b64decode(bundles[1]["image/png"])
    assert png.startswith(PNG_MAGIC) and 2_000 < len(png) < 300_000
    # the chosen call is drawn in the highlight colour (the PNG has its yellow)
    yellow = [int(HIGHLIGHT[0][i:i + 2], 16) for i in (1, 3, 5)]
    assert (np.abs(_pixels(png) - yellow).sum(axis=1) < 30).sum() > 100


def test_static_report_of_a_call_outside_the_graph_says_so_and_has_no_picture():
    model, lstm = shared_lstm_model()
    lstm(Input(shape=(10, 8)))  # a third call, in no model
    bundles = explore(model, "lstm", 2, mode="html").bundles()
    assert len(bundles) == 1
    assert "not part of the model's graph" in bundles[0]["text/html"]


def test_no_stored_output_puts_svg_inside_html():
    """Explorer panel, tracker snapshot, model, layer and tensor displays: pictures travel as images."""
    from kfunc.widgets import LiveTracker

    model, lstm = shared_lstm_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = [rng.random((16, 10, 8), dtype=np.float32) for _ in range(2)]
    sink = []
    model.fit(x, np.ones((16, 1), np.float32), epochs=2, verbose=0, validation_split=0.25,
              callbacks=[LiveTracker(mode="html", sink=sink)])
    bundles = explore(model, "lstm", 1, mode="html").bundles() + [b for _, b in sink]
    bundles += [model._repr_mimebundle_(), lstm._repr_mimebundle_(), model.output._repr_mimebundle_()]
    htmls = [b["text/html"] for b in bundles if isinstance(b, dict) and "text/html" in b]
    assert len(htmls) > 4 and not any("<svg" in h.lower() for h in htmls)
    assert sum("image/png" in b for b in bundles if isinstance(b, dict)) >= 2


def test_highlight_marks_only_the_chosen_call():
    model, lstm = shared_lstm_model()
    scene = highlighted_diagram(model, lstm, 1).scene
    marked = [(b.layer_name, b.node_index) for b in scene.boxes if b.fill == HIGHLIGHT[0]]
    assert marked == [("lstm", 1)]
    assert next(b for b in scene.boxes if b.layer_name == "lstm" and b.node_index == 1).badge.endswith("selected")
    lone = Input(shape=(10, 8))
    lstm(lone)
    assert highlighted_diagram(model, lstm, 2) is None  # not part of the model's graph


def test_explorer_widget_dropdowns_choose_layer_and_node():
    model, _ = shared_lstm_model()
    explorer = explore(model, mode="widget")
    assert repr(explorer) == "NodeExplorer(model='model', layer='lstm', node_index=0)"  # shared layer first
    assert explorer.layer_menu.options[2] == ("lstm (LSTM, 2 nodes)", "lstm")
    assert explorer.node_menu.options == (("node 0", 0), ("node 1", 1))
    explorer.node_menu.value = 1
    assert "lstm[1][0]" in explorer.details.value and "<svg" in explorer.graph.value
    explorer.layer_menu.value = "dense"
    assert explorer.selected[1] == 0 and explorer.node_menu.options == (("node 0", 0),)
    assert "dense[0][0]" in explorer.details.value
    explorer.select("lstm", 1)
    assert repr(explorer) == "NodeExplorer(model='model', layer='lstm', node_index=1)"
    assert explorer._repr_mimebundle_()["text/plain"] == repr(explorer)


def test_explore_a_conv_layer_called_on_two_image_sizes():
    conv = Conv2D(16, (3, 3), padding="same")
    small, large = Input(shape=(32, 32, 3)), Input(shape=(64, 64, 3))
    model = Model([small, large], [conv(small), conv(large)])
    text = str(explore(model, conv, 1, mode="html"))
    assert "outputs: conv2d[1][0] (None, 64, 64, 16) float32" in text
    assert "parameters: 448" in text


def test_explore_refuses_unknown_layers_and_nodes():
    model, lstm = shared_lstm_model()
    with pytest.raises(ValueError, match=r"Model 'model' has no layer 'lsmt'.*Did you mean 'lstm'"):
        explore(model, "lsmt", mode="html")
    with pytest.raises(ValueError, match=r"Layer 'lstm' has 2 node\(s\) \(0 to 1\); node_index=5"):
        explore(model, "lstm", 5, mode="html")
    with pytest.raises(ValueError, match=r"Layer 'dense_9' was never called"):
        node_info(Dense(2, name="dense_9"))


# ---------------------------------------------------------------------- curves and records


def _fitted_history(epochs=3):
    inputs = Input(shape=(4,))
    model = Model(inputs, Dense(2, activation="softmax")(Dense(8, activation="relu")(inputs)))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.random((64, 4), dtype=np.float32)
    y = np.eye(2, dtype=np.float32)[(x[:, 0] > 0.5).astype(int)]
    return model.fit(x, y, epochs=epochs, batch_size=16, validation_split=0.25, verbose=0)


def test_history_plot_draws_a_panel_per_quantity():
    history = _fitted_history()
    figure = history.plot()
    assert isinstance(figure, Figure)
    titles = [ax.get_title() for ax in figure.axes if ax.get_visible()]
    assert titles[0].startswith("loss (best: epoch ") and titles[1] == "accuracy"
    loss_ax = figure.axes[0]
    train, val = loss_ax.lines[0], loss_ax.lines[1]
    assert list(train.get_xdata()) == [1, 2, 3]
    assert list(train.get_ydata()) == pytest.approx(history.history["loss"])
    assert list(val.get_ydata()) == pytest.approx(history.history["val_loss"])
    assert plot_history(history.history).axes[0].get_title().startswith("loss")


def test_multi_output_panels_group_each_metric_over_the_outputs():
    record = TrainingRecord(weights=[("main_output", 1.0), ("aux_output", 0.2)])
    logs = {"loss": 0.8, "main_output_loss": 0.6, "aux_output_loss": 1.0,
            "main_output_acc": 0.7, "aux_output_acc": 0.6, "val_loss": 0.9}
    record.add_epoch(0, logs, 0.001)
    without_rate = [
        ("loss", [("loss", "loss")], "loss"),
        ("loss by output", [("main_output (x1)", "main_output_loss"), ("aux_output (x0.2)", "aux_output_loss")],
         "outputs"),
        ("acc", [("main_output", "main_output_acc"), ("aux_output", "aux_output_acc")], "metric"),
    ]
    assert panels(record) == without_rate  # one rate so far: a flat line says nothing
    record.add_epoch(1, logs, 0.0005)  # the rate changed: its panel appears
    assert panels(record) == [*without_rate, ("learning rate", [("lr", "lr")], "lr")]


def test_learning_rate_panel_follows_changes_within_epochs():
    record = TrainingRecord()
    record.add_epoch(0, {"loss": 0.8}, 0.01)
    record.add_running(0.5, 0.9, 0.01)
    assert [kind for _, _, kind in panels(record)] == ["loss"]
    record.add_running(0.7, 0.85, 0.005)
    assert [kind for _, _, kind in panels(record)] == ["loss", "lr"]


def test_record_from_history_keeps_epochs_and_values():
    history = _fitted_history(epochs=2)
    record = TrainingRecord.from_history(history)
    assert record.epochs == [0, 1] and record.names == ["loss", "val_loss", "accuracy", "val_accuracy"]
    assert record.values["val_loss"] == pytest.approx(history.history["val_loss"])
    assert record.monitor == "val_loss"


def test_plot_history_png_is_a_picture():
    from kfunc.widgets.curves import png

    assert png(_fitted_history().plot()).startswith(PNG_MAGIC)


def test_import_kfunc_widgets_imports_no_display_library():
    import subprocess
    import sys

    code = ("import sys, kfunc, kfunc.widgets; "
            "print(sorted(m for m in ('ipywidgets', 'matplotlib', 'IPython') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr
