"""The loops of ``fit``, ``evaluate`` and ``predict``: what happens to each batch.

One training step is the classic torch loop body, nothing more:

1. run the model's torch program (its ``torch.fx`` module) on the batch;
2. compute each output's loss: the per-sample loss, times the sample weights,
   averaged over the batch; the total is the sum of the losses times their weights;
3. ``zero_grad``, ``backward``, ``optimizer.step``;
4. add the batch's losses and predictions to the running values (as tensors: no
   waiting for the device).

Everything that does not change from batch to batch (which outputs have a loss,
how the model's outputs are unpacked, which callbacks want batch events) is
worked out once, before the first batch.
"""

import torch

from kfunc.losses import _broadcastable
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
    """

    def __init__(self, model, heads, optimizer=None, forward=None):
        # The fx module's own forward, skipping the wrapper that only adds to tracebacks.
        self.forward = forward if forward is not None else model._fx.forward
        self.loss_heads = [(h.index, h.per_sample_loss, h.loss_weight) for h in heads if h.loss is not None]
        self.optimizer = optimizer
        structure = model._output_structure
        self.unpack = _as_list if isinstance(structure, (list, tuple)) else _values if isinstance(structure, dict) \
            else _one

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
        outputs = self.unpack(self.forward(*inputs))
        total, per_output = self.losses(outputs, targets, weights)
        if total.requires_grad:  # (not when every weight is frozen)
            self.optimizer.zero_grad()
            total.backward()
            self.optimizer.step()
        tracker.update(total, per_output, outputs, targets, weights, inputs[0].shape[0])

    def test(self, inputs, targets, weights, tracker):
        outputs = self.unpack(self.forward(*inputs))
        total, per_output = self.losses(outputs, targets, weights)
        tracker.update(total, per_output, outputs, targets, weights, inputs[0].shape[0])

    def predict(self, inputs):
        return self.unpack(self.forward(*inputs))


def train_epoch(runner, fetch, indices, tracker, callbacks, interrupt, model):
    """Train on the batches ``indices``; stop early if ``model.stop_training`` is set."""
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
        if model.stop_training:
            break


def test_loop(runner, data, batch_size, steps, tracker, callbacks, device=None):
    """Evaluate on ``data`` (at most ``steps`` batches); returns the logs as floats."""
    tracker.reset()
    stream = BatchStream(data.size, batch_size)
    steps = stream.steps_per_pass if steps is None else min(steps, stream.steps_per_pass)
    fetch = data.batch_fetcher(device)
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
    logs = tracker.results()
    callbacks.call("on_test_end", logs)
    return logs


def predict_loop(runner, data, batch_size, steps, callbacks, device=None):
    """The model's outputs on ``data``, batch by batch: one tensor per output, on the CPU."""
    stream = BatchStream(data.size, batch_size)
    steps = stream.steps_per_pass if steps is None else min(steps, stream.steps_per_pass)
    fetch = data.batch_fetcher(device)
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
    return [torch.cat([p[i] for p in pieces]).cpu() for i in range(len(pieces[0]))]


# How the fx module's result (a tensor, a list, or a dict, as the model's outputs were
# given) becomes a list of output tensors.
def _one(result):
    return (result,)


def _as_list(result):
    return result


def _values(result):
    return list(result.values())
