"""The data of ``fit``, ``evaluate`` and ``predict`` as torch tensors, and its batches.

The arrays a user passes are matched to the model's inputs and outputs and turned
into torch tensors once per call (see :mod:`.matching`), so that a batch is only
an index into tensors that already exist:

* :class:`ArrayData` holds the inputs, targets and sample weights, all with the
  same number of samples, and gives a batch for a slice or an index tensor;
* :class:`BatchStream` says which samples each batch takes, pass after pass
  (shuffled or not).
"""

import math

import numpy as np
import torch


class ArrayData:
    """Inputs, targets and sample weights as torch tensors of equal length.

    Args:
        inputs: one tensor per model input.
        targets: one tensor (or None) per model output.
        weights: one tensor (or None) per model output.
    """

    def __init__(self, inputs, targets=None, weights=None):
        self.inputs = list(inputs)
        self.targets = list(targets) if targets is not None else []
        self.weights = list(weights) if weights is not None else [None] * len(self.targets)
        self.size = _check_sample_counts(self.inputs, self.targets, self.weights)

    def split_tail(self, fraction):
        """``(head, tail)``: the first ``1 - fraction`` of the samples, and the rest.

        The tail is taken before any shuffling, as Keras's ``validation_split`` does.
        """
        split_at = int(math.floor(self.size * (1.0 - fraction)))
        if split_at == 0 or split_at == self.size:
            raise ValueError(
                f"validation_split={fraction} of {self.size} samples leaves "
                f"{split_at} for training and {self.size - split_at} for validation; both need "
                "at least one sample. Use more data or another fraction."
            )
        return self._part(slice(0, split_at)), self._part(slice(split_at, None))

    def _part(self, samples):
        cut = lambda tensors: [None if t is None else t[samples] for t in tensors]  # noqa: E731
        return ArrayData(cut(self.inputs), cut(self.targets), cut(self.weights))

    def batch_fetcher(self, device=None):
        """A function ``index -> (inputs, targets, weights)`` for a slice or an index tensor."""
        inputs, targets, weights = self.inputs, self.targets, self.weights
        n_in, n_out = len(inputs), len(targets)
        tensors = inputs + targets + weights
        present = [i for i, t in enumerate(tensors) if t is not None]
        on_cpu = [t is None or t.device.type == "cpu" for t in tensors]  # (the batch indices are on the CPU)
        move = device is not None and any(t.device != torch.device(device) for t in tensors if t is not None)

        def fetch(index):
            picked = [None] * len(tensors)
            if isinstance(index, slice):
                for i in present:
                    picked[i] = tensors[i][index]
            else:
                for i in present:
                    picked[i] = tensors[i].index_select(0, index if on_cpu[i] else index.to(tensors[i].device))
            if move:
                picked = [None if t is None else t.to(device, non_blocking=True) for t in picked]
            return picked[:n_in], picked[n_in:n_in + n_out], picked[n_in + n_out:]

        return fetch


class BatchStream:
    """The batches of one or more passes over ``size`` samples.

    Args:
        size: the number of samples.
        batch_size: samples per batch (the last batch of a pass may be smaller).
        shuffle: ``True`` (a new order each pass), ``False``, or ``'batch'``
            (shuffle the order of the batches, not the samples inside them).
    """

    def __init__(self, size, batch_size, shuffle=False):
        if shuffle not in (True, False, "batch"):
            raise ValueError(f"shuffle={shuffle!r}: use True, False or 'batch'.")
        self.size, self.batch_size, self.shuffle = size, batch_size, shuffle
        self._pending = iter(())  # the rest of the current pass

    @property
    def steps_per_pass(self):
        return math.ceil(self.size / self.batch_size)

    def _new_pass(self):
        starts = range(0, self.size, self.batch_size)
        if self.shuffle is True:
            order = torch.randperm(self.size)
            return (order[s:s + self.batch_size] for s in starts)
        if self.shuffle == "batch":
            starts = [starts[i] for i in torch.randperm(len(starts)).tolist()]
        return (slice(s, min(s + self.batch_size, self.size)) for s in starts)

    def epoch(self, steps=None):
        """The indices of the next ``steps`` batches; with ``steps=None``, one whole pass.

        With ``steps`` given, the batches continue where the previous epoch stopped,
        starting a new (reshuffled) pass whenever one ends.
        """
        if steps is None:
            yield from self._new_pass()
            return
        for _ in range(steps):
            index = next(self._pending, None)
            if index is None:
                self._pending = self._new_pass()
                index = next(self._pending)
            yield index


# ----------------------------------------------------------------------------- helpers


def to_tensor(array, what):
    """A torch tensor from a numpy array, a tensor or nested lists; float64 becomes float32."""
    if isinstance(array, torch.Tensor):
        t = array.detach()
    else:
        try:
            a = np.asarray(array)
        except Exception as err:  # ragged lists and the like
            raise ValueError(f"Could not turn the {what} into an array: {err}") from None
        if a.dtype == object:
            raise ValueError(
                f"The {what} is an array of Python objects (dtype=object), not of numbers. "
                "Ragged lists (rows of different lengths) do this: pad them to one length."
            )
        if a.dtype.kind == "U" or a.dtype.kind == "S":
            raise ValueError(f"The {what} holds strings; kfunc models take numbers (word ids, not words).")
        t = torch.from_numpy(np.ascontiguousarray(a))
    if t.dtype == torch.float64 or t.dtype == torch.float16 or t.dtype == torch.bool:
        t = t.float()
    if t.dim() == 0:
        raise ValueError(f"The {what} is a single number; it needs a first axis of samples.")
    return t


def _check_sample_counts(inputs, targets, weights):
    sizes = {}
    for kind, tensors in (("x", inputs), ("y", targets), ("sample_weight", weights)):
        for t in tensors:
            if t is not None:
                sizes.setdefault(kind, set()).add(int(t.shape[0]))
    all_sizes = set().union(*sizes.values()) if sizes else set()
    if len(all_sizes) > 1:
        detail = ", ".join(f"{kind}: {sorted(s)}" for kind, s in sizes.items())
        raise ValueError(
            f"All arrays must have the same number of samples (the first axis), but they have "
            f"different ones ({detail}). Check that x, y and sample_weight describe the same samples."
        )
    if not all_sizes:
        return 0
    return all_sizes.pop()
