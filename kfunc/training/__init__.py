"""Training: what ``compile``, ``fit``, ``evaluate`` and ``predict`` do, one concept per module.

Read in this order:

* :mod:`~kfunc.training.trainer`: the ``Trainer`` mixin that gives ``kfunc.Model``
  its training methods; each checks its arguments and hands over to the modules below.
* :mod:`~kfunc.training.compile`: what ``compile`` decides, kept in one object.
* :mod:`~kfunc.training.heads`: ``compile``'s arguments resolved per model output
  (loss, loss weight, metrics and their reported names).
* :mod:`~kfunc.training.matching`: the user's arrays matched to the model's inputs
  and outputs, as torch tensors.
* :mod:`~kfunc.training.data`: the tensors of a call, and its batches as indices.
* :mod:`~kfunc.training.checks`: mistakes in the arguments and the data, found
  before any weight moves (Embedding ids included).
* :mod:`~kfunc.training.steps`: one batch's work (forward, loss, backward, update),
  and the one place that decides how it runs: device, data parallelism, mixed
  precision, ``jit_compile``.
* :mod:`~kfunc.training.extras`: what the layers add to a step beyond the compiled
  losses: weight penalties, ``add_loss`` values, and the constraints after each update.
* :mod:`~kfunc.training.fit_loop`: the epochs of ``fit``, with callbacks and validation.
* :mod:`~kfunc.training.evaluation`: the loops of ``evaluate`` and ``predict``.
* :mod:`~kfunc.training.tracker`: the running loss and metric values of an epoch.
* :mod:`~kfunc.training.progress`: the callbacks of a run, and which progress
  display a ``verbose`` level gets (the seam where a notebook tracker plugs in).
* :mod:`~kfunc.training.interrupts`: Ctrl-C stops training between two batches.
* :mod:`~kfunc.training.transfer`: batches moved to a GPU through pinned memory.
* :mod:`~kfunc.training.jit`: ``compile(jit_compile=True)``, through ``torch.compile``.
* :mod:`~kfunc.training.distributed`: data-parallel ``fit`` when ``torchrun`` starts the script.

Losses, metrics, optimizers and callbacks live in ``kfunc.losses``, ``kfunc.metrics``,
``kfunc.optimizers`` and ``kfunc.callbacks``, as in Keras (regularizers and constraints
in ``kfunc.regularizers`` and ``kfunc.constraints``, the losses layers add in
``kfunc.added_losses``); saving in ``kfunc.models.saving``.
"""
