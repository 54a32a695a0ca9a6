"""Data-parallel ``fit`` on ``torch.distributed``: one script, N processes, one training.

Started by ``torchrun --nproc_per_node=N script.py`` (or any launcher that sets
``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR`` and ``MASTER_PORT``), the same
``model.fit(x, y, batch_size=B)`` trains data-parallel, with nothing else changed:

1. **The processes meet.** The first ``fit`` (``evaluate``, ``predict``) makes the
   default process group: ``gloo`` for a model on the CPU, ``nccl`` (with ``gloo``
   beside it for CPU tensors) on CUDA, where each process takes the GPU numbered by
   its ``LOCAL_RANK``. A group the script made itself is used as it is. A group
   kfunc made is destroyed when the process exits, so the script ends cleanly.
2. **The model is replicated.** Its torch program is wrapped in
   ``DistributedDataParallel``, which copies process 0's weights to the others, and,
   during ``backward``, averages the gradients of all processes. Every process then
   makes the same update and keeps the same weights (see
   :class:`~kfunc.training.steps.StepFactory`).
3. **The data is split.** ``batch_size`` is the *global* batch, as in Keras's
   distribution strategies: process ``r`` of ``N`` computes the ``r``-th of ``N``
   equal parts of every batch. All processes walk the batches in the same order
   (shuffled from one seed that process 0 draws), so global batch ``i`` holds the
   samples of batch ``i`` of a one-process run. ``B`` must divide by ``N``; a last,
   short batch is split as evenly as it goes, each part weighted by its size (see
   :class:`~kfunc.training.steps.ShardedSteps`).
4. **The numbers are pooled.** The running sums behind the loss and the metrics
   are added across processes before each epoch's values are read, so ``History``
   is the same on every process, and the same as a one-process run's (see
   :mod:`kfunc.training.tracker`).
5. **One process speaks.** Only process 0 (rank 0) shows progress and widgets,
   writes CSV logs and checkpoints, and ``save`` writes the file.

``evaluate`` and ``predict`` split their batches the same way; ``predict`` then
gathers every process's rows, so each process returns the full result.
"""

import atexit
import gc
import os
import weakref

import torch
import torch.distributed as dist

from kfunc.callbacks import CSVLogger, ModelCheckpoint
from kfunc.callbacks.base import overrides
from kfunc.training.data import BatchStream

_LAUNCHER_VARIABLES = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def launched():
    """Whether this process is one of several: a process group of 2+ exists, or a launcher asked for one."""
    if not dist.is_available():
        return False
    if dist.is_initialized():
        return dist.get_world_size() > 1
    return _int_env("WORLD_SIZE", 1) > 1


def rank():
    """This process's number (0 when training alone), without starting anything."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    return _int_env("RANK", 0) if _int_env("WORLD_SIZE", 1) > 1 else 0


def is_chief():
    """Whether this process is the one that prints and writes files (rank 0)."""
    return rank() == 0


def current(device=None):
    """The :class:`World` this process trains in, or None when it trains alone.

    Makes the default process group on first use (see the module's docstring).

    Args:
        device: where the model computes; picks the backend of a group made here.
    """
    if not launched():
        return None
    if not dist.is_initialized():
        _make_group(device)
    group, world = _current
    if group is not dist.group.WORLD:
        world = World()
        _current[:] = [dist.group.WORLD, world]
    return world


_current = [None, None]  # the default group, and its World
_made_here = []  # the group kfunc made, to destroy at exit
_holders = weakref.WeakSet()  # objects holding DistributedDataParallel wrappers (see release_at_exit)


def _make_group(device):
    missing = [name for name in _LAUNCHER_VARIABLES if name not in os.environ]
    if missing:
        raise RuntimeError(
            f"WORLD_SIZE={os.environ['WORLD_SIZE']} asks for data-parallel training, but the "
            f"variable(s) {', '.join(missing)} are not set. Start the script with "
            "`torchrun --nproc_per_node=N script.py`, which sets all four, or make the process "
            "group yourself with torch.distributed.init_process_group(...) before fit."
        )
    on_cuda = device is not None and torch.device(device).type == "cuda"
    if on_cuda:
        torch.cuda.set_device(_int_env("LOCAL_RANK", 0))
        backend = "cpu:gloo,cuda:nccl"  # nccl for the model's tensors, gloo for small CPU ones
    else:
        backend = "gloo"
    dist.init_process_group(backend=backend)
    _made_here.append(dist.group.WORLD)
    # An undestroyed group can abort the interpreter at exit ("terminate called without
    # an active exception"); atexit runs this before Python tears the process down.
    atexit.register(_destroy_group)


def _destroy_group():
    _release_wrappers()
    if _made_here and dist.is_initialized():
        dist.destroy_process_group()
    _made_here.clear()
    _current[:] = [None, None]


def release_at_exit(holder):
    """Call ``holder.release()`` when the process exits, before the process group is destroyed.

    A DistributedDataParallel wrapper holds on to the process group: kept until
    Python itself is torn down, the group would be destroyed after it, which aborts
    the process ("terminate called without an active exception"), even when
    ``destroy_process_group`` ran. Whatever keeps a wrapper registers here.
    """
    _holders.add(holder)


def _release_wrappers():
    for holder in list(_holders):
        holder.release()
    _holders.clear()
    gc.collect()


atexit.register(_release_wrappers)  # (also for a group the script made, and destroyed itself)


def _int_env(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


class World:
    """The processes of a data-parallel run, seen from one of them.

    Attributes:
        rank: this process's number, from 0.
        size: the number of processes.
        local_rank: its number on this machine (which GPU it takes).
    """

    def __init__(self):
        self.rank = dist.get_rank()
        self.size = dist.get_world_size()
        self.local_rank = _int_env("LOCAL_RANK", self.rank)
        backend = str(dist.get_backend())
        # small CPU tensors (seeds, logs) travel by gloo where the group has it
        self.cpu_collectives = "gloo" in backend or "mpi" in backend

    @property
    def is_chief(self):
        return self.rank == 0

    def __repr__(self):
        return f"<World rank={self.rank} size={self.size}>"

    # ------------------------------------------------------------------ setup

    def place(self, device):
        """The device this process computes on: ``cuda`` means its own GPU, ``cuda:LOCAL_RANK``."""
        device = torch.device(device)
        if device.type == "cuda" and device.index != self.local_rank:
            return torch.device("cuda", self.local_rank)
        return device

    def check_batch_size(self, batch_size, method):
        if batch_size % self.size:
            lower = batch_size - batch_size % self.size
            higher = lower + self.size
            suggestion = f"{lower} or {higher}" if lower else str(higher)
            raise ValueError(
                f"{method}(batch_size={batch_size}) runs on {self.size} processes, and the batch size "
                f"is the global batch, split evenly between them: it must be a multiple of "
                f"{self.size}. Use e.g. batch_size={suggestion}."
            )

    def data_parallel(self, program, device, find_unused_parameters=False):
        """``program`` wrapped in ``DistributedDataParallel``: copies process 0's weights to
        every process, and averages the gradients of all processes during ``backward``."""
        return torch.nn.parallel.DistributedDataParallel(
            program,
            device_ids=[device.index] if device.type == "cuda" else None,
            find_unused_parameters=find_unused_parameters,
        )

    def copy_from_chief(self, module, buffers_only=False):
        """Give ``module``'s weights (or only its buffers) process 0's values."""
        tensors = list(module.buffers()) if buffers_only else list(module.parameters()) + list(module.buffers())
        with torch.no_grad():
            for t in tensors:
                dist.broadcast(t.data, 0)

    def stream(self, size, batch_size, shuffle):
        """A :class:`~kfunc.training.data.BatchStream` that walks the same batches on every process."""
        if shuffle is False:
            return BatchStream(size, batch_size, shuffle)
        seed = self._from_chief(lambda: int(torch.randint(0, 2**62, ())))
        return _SharedOrderStream(size, batch_size, shuffle, seed)

    def callbacks(self, callbacks):
        """The callbacks this process runs: only process 0 keeps those that report or write files."""
        return list(callbacks) if self.is_chief else [cb for cb in callbacks if not _reports(cb)]

    def may_stop_mid_epoch(self, callbacks):
        """Whether a callback that runs on every process has batch hooks, and so could stop training mid-epoch.

        Then the processes must agree, after every batch, on whether to go on (one
        small collective per batch); otherwise they stop, if at all, at the end of an
        epoch, from the same logs.
        """
        hooks = ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end")
        return any(overrides(cb, hook) for cb in callbacks if not _reports(cb) for hook in hooks)

    # ------------------------------------------------------------------ during the loops

    def share(self, rows):
        """``(start, stop, weight)``: this process's rows ``[start, stop)`` of a global batch of ``rows``.

        The weight makes the average of the processes' gradients that of the whole
        batch: 1 for equal parts; part size times processes over batch size for a
        short last batch. A process left without rows (a batch smaller than the
        number of processes) computes the batch's first row with weight 0, so that
        it still joins the gradient averaging.
        """
        start, stop = self.part(rows, self.rank)
        if stop == start:
            return 0, 1, 0.0
        return start, stop, (stop - start) * self.size / rows

    def part(self, rows, rank):
        """``(start, stop)``: process ``rank``'s rows of a batch of ``rows`` (even parts, the first one row more)."""
        base, extra = divmod(rows, self.size)
        start = rank * base + min(rank, extra)
        return start, start + base + (1 if rank < extra else 0)

    def add_up(self, values):
        """``values`` (a float64 vector on the CPU) summed over all processes (all must call this together)."""
        total = values.to(self._collective_device())
        dist.all_reduce(total)
        return total.cpu()

    def any(self, flag):
        """Whether ``flag`` is true on any process (every process must call this together)."""
        t = torch.tensor([1.0 if flag else 0.0], device=self._collective_device())
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(t.item())

    def gather_rows(self, outputs, rows_of):
        """Every process's predicted rows, put in order: the full outputs, on every process.

        Args:
            outputs: this process's outputs, one tensor per model output.
            rows_of: ``rows_of[r]``: the positions (a LongTensor) of process ``r``'s rows
                in the full result, in the order ``r`` computed them.
        """
        total = sum(len(r) for r in rows_of)
        longest = max(len(r) for r in rows_of)
        device = self._collective_device()
        full = []
        for local in outputs:
            padded = torch.zeros((longest,) + tuple(local.shape[1:]), dtype=local.dtype, device=device)
            padded[:len(local)] = local
            parts = [torch.empty_like(padded) for _ in range(self.size)]
            dist.all_gather(parts, padded)
            result = torch.empty((total,) + tuple(local.shape[1:]), dtype=local.dtype)
            for part, rows in zip(parts, rows_of):
                result[rows] = part[:len(rows)].cpu()
            full.append(result)
        return full

    def _from_chief(self, make):
        """A number made on process 0, the same on every process."""
        t = torch.tensor([make() if self.is_chief else 0], dtype=torch.int64, device=self._collective_device())
        dist.broadcast(t, 0)
        return int(t.item())

    def _collective_device(self):
        return torch.device("cpu") if self.cpu_collectives else torch.device("cuda", torch.cuda.current_device())


class _SharedOrderStream(BatchStream):
    """A BatchStream whose shuffling draws from its own generator, seeded the same on every process."""

    def __init__(self, size, batch_size, shuffle, seed):
        super().__init__(size, batch_size, shuffle)
        self._state = torch.Generator().manual_seed(seed).get_state()

    def _new_pass(self):
        # the parent draws from torch's global generator: lend it this stream's state
        with torch.random.fork_rng(devices=[]):
            torch.set_rng_state(self._state)
            batches = list(super()._new_pass())
            self._state = torch.get_rng_state()
        return iter(batches)


def _reports(callback):
    """Whether a callback only shows progress or writes files (process 0's business)."""
    return getattr(callback, "is_progress_display", False) or isinstance(callback, (CSVLogger, ModelCheckpoint))
