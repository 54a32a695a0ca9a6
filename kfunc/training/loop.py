"""The loops of ``fit``, ``evaluate`` and ``predict``: what happens to each batch.

One training step is the classic torch loop body, nothing more:

1. run the model's torch program (its ``torch.fx`` module) on the batch;
2. compute each output's loss: the per-sample loss, times the sample weights,
   averaged over the batch; the total is the sum of the losses times their weights;
3. ``zero_grad``, ``backward``, ``optimizer.step`` (with the loss scaled first
   under the ``'mixed_float16'`` policy, see :mod:`kfunc.mixed_precision`);
4. add the batch's losses and predictions to the running values (as tensors: no
   waiting for the device).

Everything that does not change from batch to batch (which outputs have a loss,
how the model's outputs are unpacked, which callbacks want batch events) is
worked out once, before the first batch.
"""

import torch

from kfunc.losses import _broadcastable
from kfunc.training import transfer
from kfunc.training.data import BatchStream
from kfunc.training.tracker import RunningLogs


class StepRunner:
    """One batch's work for a model: forward, losses, backward, update.

    Args:
        model: the (compiled) model.
        heads: its output heads.
        optimizer: the kfunc optimizer (only for training).
        forward: the function computing the outputs (the model's fx module, or a
            compiled version of it).
        loss_scaling: a :class:`~kfunc.mixed_precision.LossScaling`, for float16.
    """

    def __init__(self, model, heads, optimizer=None, forward=None, loss_scaling=None):
        # The fx module's own forward, skipping the wrapper that only adds to tracebacks.
        self.forward = forward if forward is not None else model._fx.forward
        self.loss_heads = [(h.index, h.per_sample_loss, h.loss_weight) for h in heads if h.loss is not None]
        self.optimizer = optimizer
        self.loss_scaling = loss_scaling
        structure = model._output_structure
        self.unpack = _as_list if isinstance(structure, (list, tuple)) else _values if isinstance(structure, dict) \
            else _one
        # Moving statistics (BatchNormalization's) change during the forward pass: a batch
        # that fails before its update puts them back, so that the model stays exactly as
        # after the last completed batch.
        self.statistics = [b for b in model.buffers() if b.is_floating_point()] if optimizer is not None else []

    def losses(self, outputs, targets, weights):
        """``(total loss, [each output's loss])``, as differentiable tensors."""
        total, per_output = None, []
        for index, per_sample_loss, loss_weight in self.loss_heads:
            values = per_sample_loss(targets[index], outputs[index])
            weight = weights[index]
            if weight is not None:
                values = values * _broadcastable(weight, values)
            loss = values.mean()
            per_output.append(loss)
            term = loss if loss_weight == 1.0 else loss * loss_weight
            total = term if total is None else total + term
        return total, per_output

    def train(self, inputs, targets, weights, tracker):
        saved = [b.clone() for b in self.statistics] if self.statistics else None
        try:
            outputs = self.unpack(self.forward(*inputs))
            total, per_output = self.losses(outputs, targets, weights)
        except BaseException:
            if saved is not None:
                with torch.no_grad():
                    torch._foreach_copy_(self.statistics, saved)
            raise
        if total.requires_grad:  # (not when every weight is frozen)
            self.optimizer.zero_grad()
            self.backward_and_step(total)
        tracker.update(total, per_output, outputs, targets, weights, inputs[0].shape[0])

    def backward_and_step(self, total):
        if self.loss_scaling is not None:
            self.loss_scaling.backward_and_step(total)
        else:
            total.backward()
            self.optimizer.step()

    def test(self, inputs, targets, weights, tracker):
        outputs = self.unpack(self.forward(*inputs))
        total, per_output = self.losses(outputs, targets, weights)
        tracker.update(total, per_output, outputs, targets, weights, inputs[0].shape[0])

    def predict(self, inputs):
        return self.unpack(self.forward(*inputs))


def train_epoch(runner, fetch, indices, tracker, callbacks, interrupt, model, world=None):
    """Train on the batches ``indices``; stop early if ``model.stop_training`` is set.

    Given a data-parallel ``world`` (see :mod:`kfunc.training.distributed`), the
    processes stop together, when any of them is asked to.
    """
    before = callbacks.wants_batch("train", "begin")
    after = callbacks.wants_batch("train", "end")
    for batch, index in enumerate(indices):
        if before:
            callbacks.batch("train", "begin", batch, {})
        inputs, targets, weights = fetch(index)
        runner.train(inputs, targets, weights, tracker)
        if after:
            callbacks.batch("train", "end", batch, RunningLogs(tracker))
        interrupt.check()
        if world is not None:
            model.stop_training = world.any(model.stop_training)
        if model.stop_training:
            break


def test_loop(runner, data, batch_size, steps, tracker, callbacks, device=None, world=None):
    """Evaluate on ``data`` (at most ``steps`` batches); returns the logs as floats.

    In a data-parallel run (``world``), each process evaluates its part of every
    batch, and the logs are those of all the parts together.
    """
    tracker.reset()
    stream, steps, runner, fetch = _batches(runner, data, batch_size, steps, device, world)
    before = callbacks.wants_batch("test", "begin")
    after = callbacks.wants_batch("test", "end")
    callbacks.call("on_test_begin", {})
    with torch.no_grad():
        for batch, index in enumerate(stream.epoch(steps)):
            if before:
                callbacks.batch("test", "begin", batch, {})
            inputs, targets, weights = fetch(index)
            runner.test(inputs, targets, weights, tracker)
            if after:
                callbacks.batch("test", "end", batch, RunningLogs(tracker))
    logs = tracker.results() if world is None else world.results(tracker)
    callbacks.call("on_test_end", logs)
    return logs


def predict_loop(runner, data, batch_size, steps, callbacks, device=None, world=None):
    """The model's outputs on ``data``, batch by batch: one tensor per output, on the CPU.

    In a data-parallel run (``world``), each process predicts its part of every
    batch, then all parts are gathered: every process returns the full outputs.
    """
    stream, steps, runner, fetch = _batches(runner, data, batch_size, steps, device, world)
    before = callbacks.wants_batch("predict", "begin")
    after = callbacks.wants_batch("predict", "end")
    callbacks.call("on_predict_begin", {})
    pieces = []
    with torch.no_grad():
        for batch, index in enumerate(stream.epoch(steps)):
            if before:
                callbacks.batch("predict", "begin", batch, {})
            inputs, _, _ = fetch(index)
            outputs = runner.predict(inputs)
            pieces.append(outputs)
            if after:
                callbacks.batch("predict", "end", batch, {"outputs": outputs})
    callbacks.call("on_predict_end", {})
    if not pieces:
        return []
    outputs = [torch.cat([p[i] for p in pieces]).cpu() for i in range(len(pieces[0]))]
    return outputs if world is None else runner.gathered(outputs)


def _batches(runner, data, batch_size, steps, device, world):
    """The batch stream, step count, runner and batch fetcher of one evaluation or prediction."""
    stream = BatchStream(data.size, batch_size)
    steps = stream.steps_per_pass if steps is None else min(steps, stream.steps_per_pass)
    fetch = transfer.batch_fetcher(data, device)
    if world is not None:  # each process works on its part of every batch
        runner = world.shard(runner, fetch)
        fetch = runner.fetch
    return stream, steps, runner, fetch


# How the fx module's result (a tensor, a list, or a dict, as the model's outputs were
# given) becomes a list of output tensors.
def _one(result):
    return (result,)


def _as_list(result):
    return result


def _values(result):
    return list(result.values())
