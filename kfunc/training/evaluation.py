"""The loops of ``evaluate`` and ``predict``: passes over data that change no weight.

``evaluate`` runs the model and its losses and metrics batch after batch, adding
to the running values (:mod:`.tracker`), and reads them once at the end; the
validation at the end of a ``fit`` epoch is the same loop. ``predict`` keeps each
batch's outputs and joins them. Both compute without gradients, and call the
batch hooks only of the callbacks that have them.
"""

import numpy as np
import torch

from kfunc.training.data import BatchStream
from kfunc.training.tracker import RunningLogs


def evaluate_loop(steps, data, batch_size, max_steps, tracker, callbacks):
    """The logs (as floats) over ``data``, at most ``max_steps`` batches of it.

    Args:
        steps: the :class:`~kfunc.training.steps.Steps` to run (in a data-parallel
            run, each process evaluates its part of every batch, and the logs are
            those of all the parts together).
        data: an :class:`~kfunc.training.data.ArrayData` with targets.
        tracker: the :class:`~kfunc.training.tracker.EpochTracker` to fill.
        callbacks: the run's :class:`~kfunc.callbacks.CallbackList`.
    """
    tracker.reset()
    stream, fetch = BatchStream(data.size, batch_size), steps.fetcher(data)
    before, after = callbacks.wants_batch("test", "begin"), callbacks.wants_batch("test", "end")
    callbacks.call("on_test_begin", {})
    with torch.no_grad():
        for batch, index in enumerate(stream.epoch(count_steps(data.size, batch_size, max_steps))):
            if before:
                callbacks.batch("test", "begin", batch, {})
            inputs, targets, weights = fetch(index)
            steps.test(inputs, targets, weights, tracker)
            if after:
                callbacks.batch("test", "end", batch, RunningLogs(tracker))
    logs = tracker.results(steps.world)
    callbacks.call("on_test_end", logs)
    return logs


def predict_loop(steps, data, batch_size, max_steps, callbacks):
    """The model's outputs on ``data``, batch by batch: one tensor per output, on the CPU.

    In a data-parallel run, each process predicts its part of every batch, then all
    parts are gathered: every process returns the full outputs.
    """
    stream, fetch = BatchStream(data.size, batch_size), steps.fetcher(data)
    before, after = callbacks.wants_batch("predict", "begin"), callbacks.wants_batch("predict", "end")
    callbacks.call("on_predict_begin", {})
    pieces = []
    with torch.no_grad():
        for batch, index in enumerate(stream.epoch(count_steps(data.size, batch_size, max_steps))):
            if before:
                callbacks.batch("predict", "begin", batch, {})
            inputs, _, _ = fetch(index)
            outputs = steps.predict(inputs)
            pieces.append(outputs)
            if after:
                callbacks.batch("predict", "end", batch, {"outputs": outputs})
    callbacks.call("on_predict_end", {})
    if not pieces:
        return []
    return steps.gathered([torch.cat([p[i] for p in pieces]).cpu() for i in range(len(pieces[0]))])


def count_steps(size, batch_size, max_steps=None):
    """The number of batches in one pass over ``size`` samples, at most ``max_steps``."""
    full = -(-size // batch_size)
    return full if max_steps is None else min(max_steps, full)


def as_output_structure(model, arrays):
    """One array per output, as the model's outputs were given: a dict by name for a
    dict; else one array, or a list of several (as Keras 2)."""
    structure = model._output_structure
    if isinstance(structure, dict):
        return dict(zip(structure, arrays))
    return arrays[0] if len(arrays) == 1 else list(arrays)


class QuickPredict:
    """The path of a one-batch ``predict``, kept for the next call on a like array.

    Most of a one-sample ``predict`` is checking: matching the array to the model's
    input, looking for Embedding ids to check, finding the device, making the steps.
    When the next call brings the same kind of array (one C-ordered float32 array of
    the same shape but for the number of rows, at most one batch of them), for the
    same graph, dtype policy and device, every check would come out as before: the
    call goes straight to the forward pass. Anything else takes ``predict``'s full
    path, which may keep a new one.

    Args:
        model: the model, after a one-batch ``predict`` on ``x`` computed without
            checking ids (it has no Embedding reading an input).
        x: that call's array, which ``match_inputs`` took as it was.
        steps: the prediction :class:`~kfunc.training.steps.Steps` it ran.
        policy: the dtype policy it ran under.
        rows: the batch size: the most rows a call may have to go this way.
    """

    def __init__(self, model, x, steps, policy, rows):
        self.graph, self.steps, self.policy, self.rows = model._fx, steps, policy, rows
        self.shape = x.shape[1:]
        self.weight = next((p for p in model.parameters() if not p.is_meta), None)
        self.device = steps.device
        self.on_cpu = steps.device.type == "cpu"

    def outputs(self, model, x, policy, one_batch=False):
        """The model's outputs for ``x`` as numpy arrays, or None when ``x`` or the model differ.

        ``one_batch``: ``x`` is one batch whatever its rows (``predict_on_batch``).
        """
        if (type(x) is not np.ndarray or x.dtype != np.float32 or x.shape[1:] != self.shape
                or (x.shape[0] > self.rows and not one_batch) or not x.flags.c_contiguous or model._fx is not self.graph
                or policy is not self.policy or (self.weight is not None and self.weight.device != self.device)):
            return None
        if model.training:
            model.eval()
        inputs = [torch.from_numpy(x) if self.on_cpu else torch.from_numpy(x).to(self.device)]
        with torch.no_grad():
            outputs = self.steps.predict(inputs)
        return [o.numpy() for o in outputs] if self.on_cpu else [o.cpu().numpy() for o in outputs]
