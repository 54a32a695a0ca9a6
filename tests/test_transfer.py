"""Batches for a GPU (kfunc/training/transfer.py), checked on the CPU with unpinned buffers."""

import torch

from kfunc.training.data import ArrayData
from kfunc.training.transfer import StagedFetch, batch_fetcher


def data():
    x = torch.arange(60.0).reshape(20, 3)
    ids = torch.arange(20).reshape(20, 1) * 7
    y = torch.arange(20.0).unsqueeze(-1)
    return ArrayData([x, ids], [y], [torch.linspace(0, 1, 20)])


def test_staged_batches_equal_plain_ones_and_are_not_overwritten():
    d = data()
    plain, staged = d.batch_fetcher(None), StagedFetch(d, "cpu", pin=False)
    indices = [slice(0, 8), torch.tensor([3, 1, 19, 0, 5]), slice(8, 16), torch.tensor([2, 2]), slice(16, 20)]
    kept = []
    for index in indices:
        got, expected = staged(index), plain(index)
        kept.append((got, expected))
        for g, e in zip(sum(got, []), sum(expected, [])):
            assert g.dtype == e.dtype and torch.equal(g, e)
    for got, expected in kept:  # the buffers were reused, the batches handed out stay intact
        for g, e in zip(sum(got, []), sum(expected, [])):
            assert torch.equal(g, e)


def test_buffers_take_turns_and_grow_when_needed():
    staged = StagedFetch(data(), "cpu", pin=False)
    staged(slice(0, 4))
    staged(slice(4, 8))
    first = staged.buffers[0][0]
    staged(slice(8, 12))
    assert staged.buffers[0][0] is first  # slot 0 again, same buffer
    staged(slice(0, 10))  # slot 1 grows
    assert staged.buffers[1][0].shape[0] == 10


def test_cpu_training_uses_plain_slices():
    d = data()
    assert not isinstance(batch_fetcher(d, "cpu"), StagedFetch)
    assert not isinstance(batch_fetcher(d, None), StagedFetch)
