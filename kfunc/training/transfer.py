"""Batches for a GPU: rows gathered into pinned memory, copied without waiting.

The data stays in the computer's memory; each batch travels to the GPU when it is
needed. Done naively (``batch.to('cuda')``), the program waits for every copy,
and the GPU waits for the program. kfunc does what torch's ``DataLoader`` does with
``pin_memory=True``:

1. the batch's rows are gathered straight into a *pinned* (page-locked) buffer,
   which the GPU can read by itself;
2. the copy to the GPU is started with ``non_blocking=True``: Python goes on to
   the next step while the copy runs, and the GPU runs it before the computation
   that uses it (both are queued on the same stream);
3. two buffers take turns, and a buffer is reused only once the GPU has finished
   reading it (a CUDA event marks that moment).

For data already on the device, or a model on the CPU, batches are plain slices.
"""

import torch


def batch_fetcher(data, device):
    """A function ``index -> (inputs, targets, weights)`` giving batches on ``device``.

    Args:
        data: an :class:`~kfunc.training.data.ArrayData`.
        device: where the model computes (None: where the data is).
    """
    if device is None or torch.device(device).type != "cuda":
        return data.batch_fetcher(device)
    tensors = data.inputs + data.targets + data.weights
    if all(t is None or t.device == torch.device(device) for t in tensors):
        return data.batch_fetcher(device)
    return StagedFetch(data, device, pin=torch.cuda.is_available())


class StagedFetch:
    """Batches gathered into reusable (pinned) buffers, then copied to ``device``.

    Args:
        data: an :class:`~kfunc.training.data.ArrayData` on the CPU.
        device: the device to copy batches to.
        pin: use page-locked buffers (needs CUDA).
        slots: how many buffers take turns.
    """

    def __init__(self, data, device, pin=True, slots=2):
        self.tensors = data.inputs + data.targets + data.weights
        self.splits = (len(data.inputs), len(data.inputs) + len(data.targets))
        self.device = torch.device(device)
        self.pin = pin
        self.buffers = [[None] * len(self.tensors) for _ in range(slots)]
        self.copied = [None] * slots  # an event per buffer: its last copy is done
        self.slot = 0

    def __call__(self, index):
        slot, self.slot = self.slot, (self.slot + 1) % len(self.buffers)
        if self.copied[slot] is not None:
            self.copied[slot].synchronize()  # the GPU has read this buffer: it may be refilled
        rows = index.stop - index.start if isinstance(index, slice) else len(index)
        batch = []
        for i, source in enumerate(self.tensors):
            if source is None:
                batch.append(None)
                continue
            staged = self._buffer(slot, i, source, rows)
            if isinstance(index, slice):
                staged.copy_(source[index])
            else:
                torch.index_select(source, 0, index, out=staged)
            # copy=True: a batch never aliases a buffer that will be refilled
            batch.append(staged.to(self.device, non_blocking=self.pin, copy=True))
        if self.device.type == "cuda":
            self.copied[slot] = torch.cuda.Event()
            self.copied[slot].record()
        a, b = self.splits
        return batch[:a], batch[a:b], batch[b:]

    def _buffer(self, slot, i, source, rows):
        buffer = self.buffers[slot][i]
        if buffer is None or buffer.shape[0] < rows:
            buffer = torch.empty((rows,) + tuple(source.shape[1:]), dtype=source.dtype, pin_memory=self.pin)
            self.buffers[slot][i] = buffer
        return buffer[:rows]
