"""Callbacks: the hooks fit calls, and the Keras callbacks built on them."""

import csv
import math

import numpy as np
import pytest

from kfunc import Input, Model
from kfunc.callbacks import (
    Callback, CSVLogger, EarlyStopping, History, LambdaCallback, LearningRateScheduler, ModelCheckpoint,
    ReduceLROnPlateau, TerminateOnNaN,
)
from kfunc.callbacks.base import CallbackList
from kfunc.layers import Dense
from kfunc.optimizers import SGD


def model_and_data(n=64, lr=0.1, metrics=None):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x.sum(1) > 0).astype("float32")
    inputs = Input(shape=(3,))
    model = Model(inputs, Dense(1, activation="sigmoid")(Dense(4, activation="relu")(inputs)))
    model.compile(optimizer=SGD(learning_rate=lr), loss="binary_crossentropy", metrics=metrics)
    return model, x, y


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def __getattribute__(self, name):
        if name.startswith("on_"):
            calls = object.__getattribute__(self, "calls")
            return lambda *args: calls.append(name)
        return object.__getattribute__(self, name)


def test_hook_order_in_fit_with_validation():
    model, x, y = model_and_data(n=20)
    recorder = Recorder()
    model.fit(x, y, batch_size=10, epochs=1, validation_split=0.5, callbacks=[recorder], verbose=0)
    assert recorder.calls == [
        "on_train_begin", "on_epoch_begin",
        "on_train_batch_begin", "on_train_batch_end",
        "on_test_begin", "on_test_batch_begin", "on_test_batch_end", "on_test_end",
        "on_epoch_end", "on_train_end",
    ]


def test_evaluate_and_predict_hooks_and_params():
    model, x, y = model_and_data(n=20)
    seen = {}
    cb = LambdaCallback(on_test_batch_end=lambda batch, logs: seen.setdefault("test", []).append(dict(logs)),
                        on_predict_batch_end=lambda batch, logs: seen.setdefault("predict", []).append(batch),
                        on_predict_begin=lambda logs: seen.setdefault("begin", True))
    model.evaluate(x, y, batch_size=8, callbacks=[cb], verbose=0)
    model.predict(x, batch_size=8, callbacks=[cb])
    assert len(seen["test"]) == 3 and "loss" in seen["test"][-1]
    assert seen["predict"] == [0, 1, 2] and seen["begin"]
    assert cb.model is model and cb.params["steps"] == 3


def test_batch_logs_are_running_epoch_values_and_computed_lazily():
    model, x, y = model_and_data(n=32, metrics=["acc"])
    logs_seen = []
    model.fit(x, y, batch_size=8, callbacks=[LambdaCallback(on_train_batch_end=lambda b, logs: logs_seen.append(logs))],
              verbose=0)
    final = model.history.history
    assert dict(logs_seen[-1]) == {"loss": final["loss"][0], "acc": final["acc"][0]}
    assert set(logs_seen[0]) == {"loss", "acc"} and logs_seen[0].get("missing") is None


def test_batch_hooks_are_called_only_for_callbacks_that_define_them():
    class EpochOnly(Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

    class OldStyle(Callback):
        def on_batch_end(self, batch, logs=None):
            self.seen = batch

    listeners = CallbackList([EpochOnly(), OldStyle()])
    assert listeners.wants_batch("train", "end") and not listeners.wants_batch("train", "begin")
    assert not listeners.wants_batches("test")
    assert not CallbackList([EpochOnly(), History()]).wants_batches("train")
    model, x, y = model_and_data(n=16)
    old = OldStyle()
    model.fit(x, y, batch_size=8, callbacks=[old], verbose=0)
    assert old.seen == 1


def test_history_is_returned_set_on_the_model_and_reset_each_fit():
    model, x, y = model_and_data()
    first = model.fit(x, y, epochs=2, verbose=0)
    second = model.fit(x, y, epochs=1, verbose=0)
    assert model.history is second and second.epoch == [0] and len(first.epoch) == 2
    assert second.params["epochs"] == 1 and second.model is model


def test_early_stopping_restores_best_weights():
    model, x, y = model_and_data(lr=0.5)
    values = iter([0.5, 0.4, 0.45, 0.6, 0.7, 0.1])
    weights = {}

    class FakeMonitor(Callback):  # before EarlyStopping: makes up the monitored values
        def on_epoch_end(self, epoch, logs=None):
            logs["score"] = next(values)
            weights[epoch] = self.model.get_weights()

    stopper = EarlyStopping(monitor="score", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=6, callbacks=[FakeMonitor(), stopper], verbose=0)
    assert history.epoch == [0, 1, 2, 3] and stopper.stopped_epoch == 3 and stopper.best_epoch == 1
    for a, b in zip(model.get_weights(), weights[1]):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_modes_delta_and_baseline():
    assert EarlyStopping(monitor="val_acc").mode == "max"
    assert EarlyStopping(monitor="val_loss").mode == "min"
    assert EarlyStopping(monitor="val_accuracy", mode="min").mode == "min"
    model, x, y = model_and_data()
    stopper = EarlyStopping(monitor="loss", min_delta=10.0, patience=1)
    history = model.fit(x, y, epochs=5, callbacks=[stopper], verbose=0)
    assert history.epoch == [0, 1]  # no change of 10 ever counts as an improvement

    class Constant(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["score"] = 1.0

    stopper = EarlyStopping(monitor="score", baseline=0.5, patience=2)  # never beats the baseline
    assert model.fit(x, y, epochs=6, callbacks=[Constant(), stopper], verbose=0).epoch == [0, 1]


def test_early_stopping_warns_on_missing_monitor():
    model, x, y = model_and_data()
    with pytest.warns(UserWarning, match="'val_loss', which is not among the logged values"):
        model.fit(x, y, epochs=1, callbacks=[EarlyStopping()], verbose=0)


def test_model_checkpoint_formats_paths_and_saves_best_only(tmp_path):
    model, x, y = model_and_data()
    values = iter([0.5, 0.7, 0.3])

    class Fake(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["score"] = next(values)

    path = str(tmp_path / "w.{epoch:02d}-{score:.2f}.pt")
    checkpoint = ModelCheckpoint(path, monitor="score", mode="min", save_best_only=True, save_weights_only=True)
    model.fit(x, y, epochs=3, callbacks=[Fake(), checkpoint], verbose=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.01-0.50.pt", "w.03-0.30.pt"]
    saved = model_and_data()[0]
    saved.load_weights(str(tmp_path / "w.03-0.30.pt"))
    for a, b in zip(saved.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_model_checkpoint_whole_model_every_epoch(tmp_path):
    from kfunc.models import load_model

    model, x, y = model_and_data()
    model.fit(x, y, epochs=2, validation_split=0.25,
              callbacks=[ModelCheckpoint(str(tmp_path / "model-{epoch}-{val_loss:.3f}"))], verbose=0)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2 and names[0].startswith("model-1-")
    again = load_model(str(tmp_path / names[1]))
    np.testing.assert_allclose(again.predict(x), model.predict(x), rtol=1e-6)


def test_lambda_callback_takes_any_hook_and_refuses_others():
    events = []
    cb = LambdaCallback(on_train_begin=lambda logs: events.append("begin"),
                        on_test_end=lambda logs: events.append(("test_end", round(logs["loss"], 3))),
                        on_epoch_end=lambda epoch, logs: events.append(epoch))
    model, x, y = model_and_data()
    model.fit(x, y, epochs=2, validation_split=0.25, callbacks=[cb], verbose=0)
    assert events[0] == "begin" and events[2] == 0 and events[1][0] == "test_end"
    with pytest.raises(ValueError, match="Did you mean 'on_epoch_end'"):
        LambdaCallback(on_epoch_ends=print)


def test_terminate_on_nan_stops_at_the_first_nan_batch(capsys):
    model, x, y = model_and_data(n=64)
    x = x.copy()
    x[20] = np.nan  # the second batch of 16 holds a NaN
    batches = []
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0,
                        callbacks=[TerminateOnNaN(), LambdaCallback(on_train_batch_end=lambda b, l: batches.append(b))])
    assert batches == [0, 1] and history.epoch == [0]
    assert math.isnan(history.history["loss"][0])
    assert "Batch 1: invalid loss" in capsys.readouterr().out


def test_csv_logger_writes_a_row_per_epoch(tmp_path):
    model, x, y = model_and_data(metrics=["acc"])
    path = tmp_path / "log.csv"
    model.fit(x, y, epochs=3, validation_split=0.25, validation_freq=2, callbacks=[CSVLogger(str(path))], verbose=0)
    rows = list(csv.DictReader(open(path)))
    assert [r["epoch"] for r in rows] == ["0", "1", "2"]
    assert list(rows[0]) == ["epoch", "acc", "loss"] or "val_loss" in rows[1]
    model.fit(x, y, epochs=1, callbacks=[CSVLogger(str(path), append=True)], verbose=0)
    assert len(list(csv.DictReader(open(path)))) == 4


def test_reduce_lr_on_plateau_and_lr_in_logs():
    model, x, y = model_and_data(lr=0.1)
    values = iter([1.0, 1.0, 1.0, 1.0, 1.0])

    class Flat(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["score"] = next(values)

    reducer = ReduceLROnPlateau(monitor="score", factor=0.5, patience=2, min_lr=0.02)
    history = model.fit(x, y, epochs=5, callbacks=[Flat(), reducer], verbose=0)
    # the logged rate is the one the epoch trained with; reductions apply from the next epoch
    assert history.history["lr"] == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05])
    assert model.optimizer.learning_rate == pytest.approx(0.025)


def test_learning_rate_scheduler_sets_rate_each_epoch():
    model, x, y = model_and_data(lr=0.1)
    history = model.fit(x, y, epochs=3, verbose=0,
                        callbacks=[LearningRateScheduler(lambda epoch, lr: lr / 2 if epoch else lr)])
    assert history.history["lr"] == pytest.approx([0.1, 0.05, 0.025])
    model.fit(x, y, epochs=2, verbose=0, callbacks=[LearningRateScheduler(lambda epoch: 0.3 + epoch)])
    assert model.optimizer.learning_rate == pytest.approx(1.3)


def test_live_tracker_is_reachable_from_callbacks():
    widgets = pytest.importorskip("kfunc.widgets")
    import kfunc.callbacks

    assert kfunc.callbacks.LiveTracker is widgets.LiveTracker
    assert issubclass(kfunc.callbacks.LiveTracker, Callback) and kfunc.callbacks.LiveTracker.is_progress_display
