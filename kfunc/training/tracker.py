"""Running values over an epoch: the numbers ``fit`` reports.

Keras reports, for an epoch, the loss averaged over all of its samples (each
batch's loss counted once per sample in the batch) and every metric over all of
the samples. The tracker keeps these sums as torch tensors, so a batch adds to them
without waiting for the device; reading the values (:meth:`EpochTracker.results`)
is what waits, and happens once per epoch, or when a progress bar prints.

In a data-parallel run, the sums of all processes are added up before the values
are read, so that every process reports what one process alone would.
"""

from collections.abc import Mapping

import torch

from kfunc import added_losses, metrics


class EpochTracker:
    """The running loss(es) and metrics of one pass over data.

    Args:
        heads: the model's output heads (see :mod:`kfunc.training.heads`).
    """

    def __init__(self, heads):
        self.loss_heads = [h for h in heads if h.loss is not None]
        multi = len(heads) > 1
        self.loss_names = ["loss"] + ([f"{h.name}_loss" for h in self.loss_heads] if multi else [])
        self.metrics = [
            (head.index, name, metric, weighted)
            for head in heads
            for weighted, entries in ((False, head.metrics), (True, head.weighted_metrics))
            for name, metric in entries
        ]
        self.names = self.loss_names + [name for _, name, _, _ in self.metrics]
        self.added = {}  # add_metric's values by name: a mean over the batches (named once first seen)
        self.reset()

    def reset(self):
        self.samples = 0
        self._sums = None  # total loss, then each output's loss, each times the batch size
        for _, _, metric, _ in self.metrics:
            metric.reset_state()
        for metric in self.added.values():
            metric.reset_state()

    def update(self, total, head_losses, outputs, targets, weights, batch_size):
        """Add one batch: its losses (tensors) and its predictions, for the metrics."""
        with torch.no_grad():
            self.samples += batch_size
            values = [total] + head_losses if len(self.loss_names) > 1 else [total]
            if total is not None:
                if self._sums is None:
                    self._sums = [v.detach() * batch_size for v in values]
                else:
                    for running, v in zip(self._sums, values):
                        running.add_(v.detach(), alpha=batch_size)
            for index, _, metric, weighted in self.metrics:
                metric.update_state(targets[index], outputs[index], weights[index] if weighted else None)
            for name, value in added_losses.collected_metrics():  # add_metric during the batch's forward pass
                if name not in self.added:
                    self.added[name] = metrics.Mean(name)
                    self.names.append(name)
                self.added[name].update_state(value.mean())

    def results(self, world=None):
        """The values so far, as Python floats, in Keras's order (waits for the device).

        In a data-parallel run (``world``, see :mod:`.distributed`), the values over
        the batches of all processes: the same logs on every process.
        """
        if world is not None:
            return self._pooled_results(world)
        logs = {}
        if self._sums is not None and self.samples:
            values = torch.stack([s.float() for s in self._sums]) / self.samples
            logs.update(zip(self.loss_names, values.tolist()))
        for _, name, metric, _ in self.metrics:
            logs[name] = float(metric.result())
        for name, metric in self.added.items():
            logs[name] = float(metric.result())
        return logs

    def _pooled_results(self, world):
        """The running sums (samples, loss times samples) and each metric's running state
        are added across the processes; the values are then read from those totals,
        exactly as one process reads its own."""
        states, others = [], []  # additive metric states; metrics of unknown kinds
        for _, name, metric, _ in self.metrics:
            parts = _additive_state(metric)
            if parts is None:
                others.append((name, metric))
            else:
                states.extend(parts)
        # 1. one vector: samples, loss sums, metric states, weighted values of other metrics
        pieces = [torch.tensor([float(self.samples)], dtype=torch.float64)]
        if self.loss_heads:
            sums = self._sums or [torch.zeros(()) for _ in self.loss_names]
            pieces.append(torch.stack([s.detach().double().cpu().reshape(()) for s in sums]))
        for owner, attr, shape in states:
            value = getattr(owner, attr)
            pieces.append(torch.zeros(shape, dtype=torch.float64) if value is None
                          else torch.as_tensor(value).detach().double().cpu().reshape(shape))
        for _, metric in others:
            value = float(metric.result()) * self.samples if self.samples else 0.0
            pieces.append(torch.tensor([value], dtype=torch.float64))
        # 2. add them up across the processes
        flat = world.add_up(torch.cat([p.reshape(-1) for p in pieces]))
        totals = iter(torch.split(flat, [p.numel() for p in pieces]))
        # 3. read the logs from the totals, then put this process's own sums back
        saved = (self.samples, self._sums, [(o, a, getattr(o, a)) for o, a, _ in states])
        try:
            self.samples = int(next(totals).item())
            if self.loss_heads:
                self._sums = list(next(totals).float())
            for owner, attr, shape in states:
                setattr(owner, attr, next(totals).reshape(shape).float())
            logs = self.results()
            for name, _ in others:
                logs[name] = float(next(totals).item()) / self.samples if self.samples else 0.0
        finally:
            self.samples, self._sums = saved[0], saved[1]
            for owner, attr, value in saved[2]:
                setattr(owner, attr, value)
        return logs


def _additive_state(metric):
    """``[(object, attribute, shape)]``: the running sums behind a metric, or None if unknown."""
    if isinstance(metric, metrics.Mean):
        return [(metric, "total", ()), (metric, "count", ())]
    if isinstance(metric, metrics.Accuracy):
        return _additive_state(metric._mean)
    if isinstance(metric, metrics._ConfusionCounts):
        shape = tuple(metric._thresholds.shape)
        return [(metric, name, shape) for name in ("tp", "fp", "fn", "tn")]
    if isinstance(metric, metrics.IoU):
        return [(metric, "total_cm", (metric.num_classes, metric.num_classes))]
    return None


class RunningLogs(Mapping):
    """The ``logs`` a batch-level callback receives: read only if the callback reads them.

    It behaves as a read-only dict of the running values (``logs['loss']``,
    ``logs.get('acc')``, ``dict(logs)``); the values are computed on first access,
    so callbacks that ignore them cost nothing.
    """

    def __init__(self, tracker, extra=None):
        self._tracker = tracker
        self._extra = extra or {}
        self._values = None

    def _computed(self):
        if self._values is None:
            self._values = {**self._tracker.results(), **self._extra}
        return self._values

    def __getitem__(self, key):
        return self._computed()[key]

    def __iter__(self):
        return iter(self._computed())

    def __len__(self):
        return len(self._computed())

    def __repr__(self):
        return repr(self._computed())
