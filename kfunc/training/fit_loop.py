"""The loop of ``fit``: epochs of batches, with callbacks, validation and a clean stop.

``fit`` (see :mod:`.trainer`) checks its arguments and its data, then writes down
the run in one :class:`FitRun`; :func:`fit_loop` runs it:

1. make the training steps (see :mod:`.steps`), with the weights trainable as
   they were at ``compile``, and the Embeddings' per-batch id checks off (``fit``
   checked every id beforehand);
2. each epoch: reset the running values, train on the epoch's batches (calling
   the batch hooks of the callbacks that have them), read the epoch's logs;
3. every ``validation_freq`` epochs, evaluate the validation data (the ``val_`` logs);
4. give the logs to ``on_epoch_end``; a callback may set ``model.stop_training``.

Ctrl-C stops between two batches (see :mod:`.interrupts`). Whatever ends the
run, the model is left in inference mode with the weights of its last complete
batch, and ``model.history`` holds the completed epochs.
"""

import dataclasses

import torch

from kfunc.callbacks import CallbackList
from kfunc.layers.embedding import ids_checked_beforehand
from kfunc.training.data import ArrayData, BatchStream
from kfunc.training.distributed import World
from kfunc.training.evaluation import evaluate_loop
from kfunc.training.interrupts import DeferredInterrupt
from kfunc.training.steps import StepFactory
from kfunc.training.tracker import RunningLogs


@dataclasses.dataclass
class FitRun:
    """Everything one ``fit`` call decided before its first batch."""

    train: ArrayData
    val: ArrayData | None  # (None: no validation)
    stream: BatchStream  # which samples each training batch takes, epoch after epoch
    factory: StepFactory  # how each batch runs (see .steps), on `device`, with the processes of `world`
    device: torch.device
    world: World | None
    callbacks: CallbackList  # the progress display first, the History last
    epochs: range  # range(initial_epoch, epochs)
    steps_per_epoch: int | None  # (None: one pass over the data)
    validation_freq: int | list
    validation_batch_size: int
    validation_steps: int | None
    checked: list  # the Embeddings whose ids were all checked beforehand (see .checks)

    def validates(self, epoch):
        """Whether to validate after ``epoch`` (from 0): every N epochs, or at listed epochs (from 1)."""
        if self.val is None:
            return False
        if isinstance(self.validation_freq, int):
            return (epoch + 1) % self.validation_freq == 0
        return (epoch + 1) in self.validation_freq


def fit_loop(model, run):
    """Train ``model`` as ``run`` says (see the module docstring)."""
    compiled, callbacks = model._compiled, run.callbacks
    tracker = compiled.tracker
    model.stop_training = False
    logs = {}
    try:
        with DeferredInterrupt() as interrupt, compiled.trainable_as_compiled(), ids_checked_beforehand(run.checked):
            # 1. the steps, and the batches where they compute
            steps = run.factory.steps(model, run.device, run.world, compiled.heads, model.optimizer)
            fetch = steps.fetcher(run.train)
            # (under torchrun, a callback that could stop mid-epoch makes the processes agree after each batch)
            agree = run.world is not None and run.world.may_stop_mid_epoch(callbacks)
            callbacks.call("on_train_begin", {})
            for epoch in run.epochs:
                # 2. one epoch of training
                tracker.reset()
                model.train()
                callbacks.call("on_epoch_begin", epoch, {})
                _train_epoch(model, steps, fetch, run.stream.epoch(run.steps_per_epoch), callbacks, interrupt, agree)
                logs = tracker.results(run.world)
                # 3. validation
                if run.validates(epoch):
                    model.eval()
                    val_logs = evaluate_loop(steps, run.val, run.validation_batch_size, run.validation_steps,
                                             tracker, callbacks)
                    logs.update(("val_" + k, v) for k, v in val_logs.items())
                # 4. the epoch's logs to the callbacks
                callbacks.call("on_epoch_end", epoch, logs)
                if model.stop_training:
                    break
            if run.world is not None:  # batch norm statistics: process 0's, everywhere
                run.world.copy_from_chief(model, buffers_only=True)
            model.optimizer.settle()  # (rows updated alone are owed their decays: the state as dense training's)
            callbacks.call("on_train_end", logs)
    finally:
        model.eval()


def _train_epoch(model, steps, fetch, indices, callbacks, interrupt, agree):
    """Train on the batches ``indices``; stop early if ``model.stop_training`` is set.

    With ``agree``, the processes of a data-parallel run stop together, when any
    of them is asked to.
    """
    tracker = model._compiled.tracker
    before, after = callbacks.wants_batch("train", "begin"), callbacks.wants_batch("train", "end")
    for batch, index in enumerate(indices):
        if before:
            callbacks.batch("train", "begin", batch, {})
        inputs, targets, weights = fetch(index)
        steps.train(inputs, targets, weights, tracker)
        if after:
            callbacks.batch("train", "end", batch, RunningLogs(tracker))
        interrupt.check()
        if agree:
            model.stop_training = steps.world.any(model.stop_training)
        if model.stop_training:
            break
