"""The loops of ``evaluate`` and ``predict``: passes over data that change no weight.

``evaluate`` runs the model and its losses and metrics batch after batch, adding
to the running values (:mod:`.tracker`), and reads them once at the end; the
validation at the end of a ``fit`` epoch is the same loop. ``predict`` keeps each
batch's outputs and joins them. Both compute without gradients, and call the
batch hooks only of the callbacks that have them.
"""

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
