"""Interrupted training loses nothing.

A ``KeyboardInterrupt`` (the notebook's interrupt button) or any other exception
raised while ``fit`` runs (from a callback, a custom loss, a real Ctrl-C) reaches the
caller unchanged, and leaves:

* the weights of the last completed batch (moving statistics included);
* ``model.history`` holding the epochs completed so far;
* the model in inference mode, Ctrl-C's handler as it was, the trainable flags as
  they were;
* a model that ``fit`` trains again at once.
"""

import os
import signal

import numpy as np
import pytest
import torch

from kfunc import Input, Model, layers as L
from kfunc.callbacks import Callback


class Boom(Exception):
    """An error of the user's own, to check that it reaches the caller as it was raised."""


def model_with_state():
    """Dense, BatchNormalization (moving statistics) and Dropout (training-only behaviour)."""
    inputs = Input(shape=(6,), name="features")
    x = L.Dense(8, activation="relu")(inputs)
    x = L.BatchNormalization()(x)
    x = L.Dropout(0.3)(x)
    outputs = L.Dense(1, activation="sigmoid", name="prob")(x)
    model = Model(inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["acc"])
    return model


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 6)).astype("float32")
    return x, (x[:, :1] + x[:, 1:2] > 0).astype("float32")


class InterruptAt(Callback):
    """Raises ``error`` from ``hook`` at (epoch, batch); records the weights after every batch."""

    def __init__(self, error, hook, epoch, batch=None):
        super().__init__()
        self.error, self.hook, self.epoch, self.batch = error, hook, epoch, batch
        self.current = None
        self.after_batches = []  # (epoch, batch, weights) after each completed batch
        self.mode_in_batch = None

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_begin(self, batch, logs=None):
        self.mode_in_batch = self.model.training
        self._maybe_raise("on_train_batch_begin", batch)

    def on_train_batch_end(self, batch, logs=None):
        self.after_batches.append((self.current, batch, self.model.get_weights()))
        self._maybe_raise("on_train_batch_end", batch)

    def on_epoch_end(self, epoch, logs=None):
        self._maybe_raise("on_epoch_end", None)

    def on_test_batch_end(self, batch, logs=None):
        self._maybe_raise("on_test_batch_end", batch)

    def _maybe_raise(self, hook, batch):
        if hook == self.hook and self.current == self.epoch and batch == self.batch:
            raise self.error


def assert_same_weights(a, b):
    assert len(a) == len(b)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)


def assert_ready_again(model, x, y):
    """Inference mode, Ctrl-C's handler restored, and a new fit trains from here."""
    assert not model.training and not any(m.training for m in model.modules())
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    before = model.get_weights()
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert history.epoch == [0, 1] and model.history is history
    assert all(np.isfinite(history.history["loss"]))
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert not model.training


ERRORS = [KeyboardInterrupt(), Boom("from a callback"), RuntimeError("something else")]


@pytest.mark.parametrize("error", ERRORS, ids=["KeyboardInterrupt", "own exception", "RuntimeError"])
@pytest.mark.parametrize("epoch, batch", [(0, 0), (1, 2), (2, 3)])
def test_exception_after_a_batch_keeps_that_batch(error, epoch, batch):
    x, y = data()
    model = model_with_state()
    stopper = InterruptAt(error, "on_train_batch_end", epoch, batch)
    with pytest.raises(type(error)) as info:
        model.fit(x, y, epochs=4, batch_size=16, callbacks=[stopper], verbose=0)
    assert info.value is error  # the very exception, not a wrapped one
    assert stopper.mode_in_batch is True  # it trained in training mode...
    last_epoch, last_batch, weights = stopper.after_batches[-1]
    assert (last_epoch, last_batch) == (epoch, batch)
    assert_same_weights(model.get_weights(), weights)  # ...and kept the batch that completed
    assert model.history.epoch == list(range(epoch))
    assert all(len(v) == epoch for v in model.history.history.values())
    assert model.optimizer.iterations == epoch * 4 + batch + 1
    assert_ready_again(model, x, y)


@pytest.mark.parametrize("error", ERRORS, ids=["KeyboardInterrupt", "own exception", "RuntimeError"])
def test_exception_before_a_batch_keeps_the_previous_batch(error):
    x, y = data()
    model = model_with_state()
    stopper = InterruptAt(error, "on_train_batch_begin", epoch=1, batch=2)
    with pytest.raises(type(error)) as info:
        model.fit(x, y, epochs=3, batch_size=16, callbacks=[stopper], verbose=0)
    assert info.value is error
    assert stopper.after_batches[-1][:2] == (1, 1)
    assert_same_weights(model.get_weights(), stopper.after_batches[-1][2])
    assert model.history.epoch == [0]
    assert model.optimizer.iterations == 4 + 2
    assert_ready_again(model, x, y)


def test_exception_at_an_epoch_end_keeps_the_epochs_recorded_before():
    x, y = data()
    model = model_with_state()
    stopper = InterruptAt(Boom("at the end of epoch 1"), "on_epoch_end", epoch=1)
    with pytest.raises(Boom):
        model.fit(x, y, epochs=3, batch_size=16, callbacks=[stopper], verbose=0)
    # the History comes after the user's callbacks, as in Keras: epoch 1 was not recorded
    assert model.history.epoch == [0]
    assert_same_weights(model.get_weights(), stopper.after_batches[-1][2])
    assert_ready_again(model, x, y)


def test_exception_during_validation_keeps_the_epoch_weights():
    x, y = data()
    model = model_with_state()
    stopper = InterruptAt(KeyboardInterrupt(), "on_test_batch_end", epoch=2, batch=0)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=4, batch_size=16, validation_split=0.25, callbacks=[stopper], verbose=0)
    assert model.history.epoch == [0, 1] and len(model.history.history["val_loss"]) == 2
    assert_same_weights(model.get_weights(), stopper.after_batches[-1][2])
    assert stopper.after_batches[-1][:2] == (2, 2)  # 48 training samples: 3 batches, all done
    assert_ready_again(model, x, y)


def test_a_custom_loss_failing_mid_epoch_keeps_the_batches_before():
    calls = {"n": 0}

    def fragile(y_true, y_pred):
        calls["n"] += 1
        if calls["n"] == 6:  # (call 1 is kfunc's check of the targets before training)
            raise Boom("the loss gave up")
        return torch.mean((y_true - y_pred) ** 2, dim=-1)

    x, y = data()
    model = model_with_state()
    model.compile(optimizer="sgd", loss=fragile)
    recorder = InterruptAt(None, "never", epoch=-1)
    with pytest.raises(Boom, match="gave up"):
        model.fit(x, y, epochs=2, batch_size=16, callbacks=[recorder], verbose=0)
    assert len(recorder.after_batches) == 4  # one epoch of 4 batches, then the 5th failed
    assert_same_weights(model.get_weights(), recorder.after_batches[-1][2])
    assert model.history.epoch == [0]
    assert not model.training
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    assert_ready_again(model, x, y)


def test_ctrl_c_during_a_batch_finishes_that_batch_then_stops():
    x, y = data()
    model = model_with_state()

    class CtrlC(InterruptAt):
        def on_train_batch_begin(self, batch, logs=None):
            if (self.current, batch) == (1, 1):
                os.kill(os.getpid(), signal.SIGINT)  # the interrupt button, while the batch runs

    stopper = CtrlC(None, "never", epoch=-1)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=3, batch_size=16, callbacks=[stopper], verbose=0)
    assert stopper.after_batches[-1][:2] == (1, 1)  # the batch under way completed
    assert_same_weights(model.get_weights(), stopper.after_batches[-1][2])
    assert model.history.epoch == [0]
    assert_ready_again(model, x, y)


def test_trainable_flags_set_after_compile_are_restored_after_an_interrupt():
    x, y = data()
    model = model_with_state()
    first = model.layers[1]
    first.trainable = False  # takes effect at the next compile; fit trains it meanwhile
    stopper = InterruptAt(KeyboardInterrupt(), "on_train_batch_end", epoch=0, batch=1)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=2, batch_size=16, callbacks=[stopper], verbose=0)
    assert not first.trainable and not first.kernel.requires_grad


def test_train_on_batch_interrupted_by_its_loss_leaves_inference_mode():
    def failing(y_true, y_pred):
        if torch.is_grad_enabled():
            raise KeyboardInterrupt
        return torch.mean((y_true - y_pred) ** 2, dim=-1)

    x, y = data(16)
    model = model_with_state()
    model.compile(optimizer="sgd", loss=failing)
    weights = model.get_weights()
    with pytest.raises(KeyboardInterrupt):
        model.train_on_batch(x, y)
    assert_same_weights(model.get_weights(), weights)
    assert not model.training


def test_live_tracker_ends_in_its_snapshot_after_an_interrupted_fit():
    from kfunc.widgets import LiveTracker

    x, y = data()
    model = model_with_state()
    sink = []
    tracker = LiveTracker(mode="html", sink=sink, update_every=0)
    stopper = InterruptAt(KeyboardInterrupt(), "on_train_batch_end", epoch=1, batch=1)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=3, batch_size=16, callbacks=[tracker, stopper])
    tracker._cell_ended()  # what the notebook's post_run_cell event does after the interrupt
    final = sink[-1][1]["text/plain"]
    assert final.startswith("Trained 1 epoch of 3") and "interrupted during epoch 2" in final
    assert any("image/png" in bundle for _, bundle in sink if isinstance(bundle, dict))
    assert_ready_again(model, x, y)


# ----------------------------------------------------------------------------- NaN and divergence


class CountBatches(Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append(batch)


def test_terminate_on_nan_stops_at_the_first_bad_batch(capsys):
    from kfunc.callbacks import TerminateOnNaN

    x, y = data()
    x[40] = np.nan  # in batch 2 (16 samples a batch)
    model = model_with_state()
    counter = CountBatches()
    history = model.fit(x, y, epochs=3, batch_size=16, shuffle=False, callbacks=[TerminateOnNaN(), counter],
                        verbose=0)
    assert counter.seen == [0, 1, 2]  # batch 2 made the loss NaN; no batch ran after it
    assert history.epoch == [0] and np.isnan(history.history["loss"][0])
    assert "Batch 2: invalid loss nan, terminating training" in capsys.readouterr().out
    assert not model.training


def test_a_nan_prediction_gives_a_nan_loss_not_a_torch_error():
    x, y = data(32)
    x[3] = np.nan
    model = model_with_state()  # a sigmoid output under binary cross-entropy
    history = model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert np.isnan(history.history["loss"][0])
    assert np.isnan(model.evaluate(x, y, verbose=0)[0])


def test_divergence_is_stopped_by_terminate_on_nan():
    from kfunc.callbacks import TerminateOnNaN
    from kfunc.optimizers import SGD

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 6)).astype("float32") * 100
    inputs = Input(shape=(6,))
    model = Model(inputs, L.Dense(1)(L.Dense(16)(inputs)))
    model.compile(optimizer=SGD(learning_rate=10.0), loss="mse")
    counter = CountBatches()
    history = model.fit(x, x[:, :1] * 1e3, epochs=20, batch_size=8, callbacks=[TerminateOnNaN(), counter],
                        verbose=0)
    assert len(history.epoch) < 20 and len(counter.seen) < 20 * 8
    assert not np.isfinite(history.history["loss"][-1])
