"""Training: what ``compile``, ``fit``, ``evaluate`` and ``predict`` do, one concept per module.

* :mod:`~kfunc.training.trainer`: the ``Trainer`` mixin that gives ``kfunc.Model`` its
  training methods; it orchestrates the modules below.
* :mod:`~kfunc.training.heads`: ``compile``'s arguments resolved per model output
  (loss, loss weight, metrics and their reported names).
* :mod:`~kfunc.training.data`: arrays checked against the model and turned into torch
  tensors once; batches as indices into them.
* :mod:`~kfunc.training.loop`: the per-batch work (forward, loss, backward, update) and
  the epoch, evaluation and prediction loops.
* :mod:`~kfunc.training.tracker`: the running loss and metric values of an epoch.
* :mod:`~kfunc.training.progress`: which progress display a ``verbose`` level gets
  (the seam where a notebook tracker plugs in).
* :mod:`~kfunc.training.interrupts`: Ctrl-C stops training between two batches.
* :mod:`~kfunc.training.checks`: mistakes in the data and arguments, found before any
  weight moves.
* :mod:`~kfunc.training.compiled`: ``compile(jit_compile=True)``, through ``torch.compile``.
* :mod:`~kfunc.training.transfer`: batches moved to a GPU through pinned memory.
* :mod:`~kfunc.training.distributed`: data-parallel ``fit`` when ``torchrun`` starts the script.

Losses, metrics, optimizers and callbacks live in ``kfunc.losses``, ``kfunc.metrics``,
``kfunc.optimizers`` and ``kfunc.callbacks``, as in Keras.
"""
