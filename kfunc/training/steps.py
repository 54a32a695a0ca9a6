"""One batch's work, and the one place that decides how it runs.

A training step is the classic torch loop body, nothing more:

1. run the model's torch program (its ``torch.fx`` module) on the batch;
2. compute each output's loss: the per-sample loss, times the sample weights,
   averaged over the batch; the total is the sum of the losses times their weights;
3. ``zero_grad``, ``backward``, ``optimizer.step``;
4. add the batch's losses and predictions to the running values (as tensors: no
   waiting for the device).

Evaluation and prediction steps do 1, 2 and 4, or only 1.

*How* the program runs depends on five choices, all made by :class:`StepFactory`
(one per model and compile), once per model graph and setting:

* the **device**: the one given to ``compile`` or ``fit``, else where the weights
  are; batches travel there through pinned memory (:mod:`.transfer`);
* **data parallelism**: under ``torchrun``, training runs the program wrapped in
  ``DistributedDataParallel``, and each process works on its part of every batch
  (:class:`ShardedSteps`, see :mod:`.distributed`);
* **mixed precision**: the program runs under autocast, and the loss is scaled
  before ``backward`` for ``float16`` (:mod:`kfunc.mixed_precision`);
* **jit_compile**: the program goes through ``torch.compile`` (:mod:`.jit`);
* **rows of Embedding tables**: when training alone, in float32 or bfloat16,
  eagerly, an Embedding whose optimizer can update only the looked-up rows, with
  the result of a whole-table update, hands it a sparse gradient of those rows
  (:mod:`kfunc.optimizers.embedding_rows`).

With none of them (one process, float32, eager), the step calls the fx module's
own ``forward``: nothing stands between the loop and the model's code.
"""

import torch

from kfunc import mixed_precision
from kfunc.layers.embedding import Embedding, sparse_gradients
from kfunc.losses import broadcastable_weights
from kfunc.training import distributed, transfer
from kfunc.training.extras import StepExtras
from kfunc.training.jit import JitCompiler


class StepFactory:
    """Makes a model's steps; keeps what is costly to make (compiled and data-parallel programs).

    ``compile`` makes a new factory with its choices; a model that was never
    compiled gets a plain one on first use (the global dtype policy, eager).

    Args:
        model_name: the model's name, for ``jit_compile``'s warning.
        jit_compile: run the program through ``torch.compile``.
        policy: the dtype policy read by ``compile`` (None: the global one, when used).
        device: the device given to ``compile`` (None: where the weights are).
    """

    def __init__(self, model_name="model", jit_compile=False, policy=None, device=None):
        self.jit = JitCompiler(model_name) if jit_compile else None
        self.policy = policy
        self.device = device
        self._graph = None  # the model's fx module that the programs below were made for
        self._made = {}  # (program id, policy, device type) -> (program, forward function)
        self._wrapped = None  # (key, DistributedDataParallel wrapper), in a data-parallel run
        self._predicting = {}  # (policy, device) -> the prediction steps (kept: a one-sample predict is short)
        self.quick = None  # the path of the latest one-batch predict (see kfunc.training.evaluation.QuickPredict)

    def device_for(self, model, device=None):
        """Where to compute: ``device`` (or compile's), moving the model there; else where the weights are."""
        device = device or self.device
        if device is None:
            return weights_device(model)
        model.to(device)
        return torch.device(device)

    def place(self, model, device, batch_size, method):
        """``(world, device)``: the data-parallel run this process is part of (None when it
        runs alone) and the device it computes on (under torchrun, its own GPU)."""
        device = self.device_for(model, device)
        world = distributed.current(device)
        if world is None:
            return None, device
        world.check_batch_size(batch_size, method)
        placed = world.place(device)
        return world, self.device_for(model, placed) if placed != device else device

    def steps(self, model, device, world=None, heads=(), optimizer=None):
        """The steps of ``model`` on ``device``: training steps when given the ``optimizer``.

        Args:
            world: the data-parallel run (see :meth:`place`), or None.
            heads: the output heads (:mod:`.heads`), for the losses; none to predict.
            optimizer: the kfunc optimizer, built on the model's parameters.
        """
        if self._graph is not model._fx:  # a new graph (a Sequential grew): start afresh
            model.materialize()
            self._graph, self._made, self._wrapped, self._predicting, self.quick = model._fx, {}, None, {}, None
        policy = self.policy or mixed_precision.global_policy()
        if world is None and optimizer is None and not heads:
            key = (policy.name, device)
            if key not in self._predicting:
                self._predicting[key] = Steps(model, heads, self._forward(model, policy, device, None, heads), device)
            return self._predicting[key]
        training_world = world if optimizer is not None else None  # (only training averages gradients)
        forward = self._forward(model, policy, device, training_world, heads)
        scaling = mixed_precision.loss_scaling(policy, optimizer, device)
        if world is None:
            rows = self._row_trained(model, optimizer) if scaling is None and self.jit is None else []
            return Steps(model, heads, forward, device, optimizer, scaling, rows)
        return ShardedSteps(world, model, heads, forward, device, optimizer, scaling)

    @staticmethod
    def _row_trained(model, optimizer):
        """The Embedding layers whose tables ``optimizer`` updates on the looked-up rows only.

        Not in a data-parallel run (``DistributedDataParallel`` averages dense
        gradients), nor with float16's loss scaling or ``jit_compile``: there the
        tables train whole.
        """
        if optimizer is None:
            return []
        return [layer for layer in model.modules()
                if isinstance(layer, Embedding) and layer.built and optimizer.updates_rows_of(layer.embeddings)]

    def _forward(self, model, policy, device, world, heads):
        if world is None and not policy.is_mixed and self.jit is None:
            return model._fx.forward  # (skipping the module's __call__, which only adds to tracebacks)
        program = model._fx if world is None else self._data_parallel(model._fx, world, device, heads)
        key = (id(program), policy.name, device.type)
        if key not in self._made:
            forward = mixed_precision.mixed_forward(program, policy, device)
            self._made[key] = (program, forward if self.jit is None else self.jit.compile(forward))
        return self._made[key][1]

    def _data_parallel(self, program, world, device, heads):
        """``program`` in ``DistributedDataParallel``, made once per device and set of trainable weights.

        With no trainable weight there is nothing to average: the weights are only
        copied from process 0, and the plain program is returned.
        """
        trainable = [p for p in program.parameters() if p.requires_grad]
        if not trainable:
            world.copy_from_chief(program)
            return program
        key = (device, tuple(id(p) for p in trainable))
        if self._wrapped is None or self._wrapped[0] != key:
            # outputs without a loss leave some weights without gradients
            wrapped = world.data_parallel(program, device, find_unused_parameters=any(h.loss is None for h in heads))
            self._wrapped = (key, wrapped)
            distributed.release_at_exit(self)
        return self._wrapped[1]

    def release(self):
        """Let go of the data-parallel wrapper and the functions made from it (at exit)."""
        self._wrapped, self._made, self._predicting, self.quick = None, {}, {}, None


class Steps:
    """One batch's work for a model: forward, losses, backward, update.

    Args:
        model: the model.
        heads: its output heads (none, to predict).
        forward: the function computing the outputs (see :class:`StepFactory`).
        device: where the batches go.
        optimizer: the kfunc optimizer (to train).
        loss_scaling: a :class:`~kfunc.mixed_precision.LossScaling`, for float16.
        row_trained: the Embedding layers that give sparse gradients when training
            (see :class:`~kfunc.layers.embedding.sparse_gradients`).
    """

    world = None  # the data-parallel run (see ShardedSteps)

    def __init__(self, model, heads, forward, device, optimizer=None, loss_scaling=None, row_trained=()):
        self.forward = forward
        self.extras = StepExtras(model, training=optimizer is not None)  # [extras] regularizers, add_loss, constraints
        self.device = device
        self.loss_heads = [(h.index, h.per_sample_loss, h.loss_weight) for h in heads if h.loss is not None]
        self.optimizer = optimizer
        self.loss_scaling = loss_scaling
        self.unpack = unpacker(model._output_structure)
        # Moving statistics (BatchNormalization's) change during the forward pass: a batch
        # that fails before its update puts them back, so that the model stays exactly as
        # after the last completed batch.
        self.statistics = [b for b in model.buffers() if b.is_floating_point()] if optimizer is not None else []
        self.sparse_gradients = sparse_gradients(row_trained)

    def fetcher(self, data):
        """A function ``index -> (inputs, targets, weights)``: the batches of ``data`` on the device."""
        return transfer.batch_fetcher(data, self.device)

    def losses(self, outputs, targets, weights):
        """``(total loss, [each output's loss])``, as differentiable tensors."""
        total, per_output = None, []
        for index, per_sample_loss, loss_weight in self.loss_heads:
            values = per_sample_loss(targets[index], outputs[index])
            weight = weights[index]
            if weight is not None:
                values = values * broadcastable_weights(weight, values)
            loss = values.mean()
            per_output.append(loss)
            term = loss if loss_weight == 1.0 else loss * loss_weight
            total = term if total is None else total + term
        return self.extras.total(total), per_output  # [extras] + penalties and added losses

    def train(self, inputs, targets, weights, tracker):
        """One update on the batch; its losses and predictions go to the ``tracker``."""
        # 1. forward and losses (the tables trained on rows get sparse gradients); if they
        #    fail, the moving statistics go back as they were
        saved = [b.clone() for b in self.statistics] if self.statistics else None
        try:
            self.extras.collect()  # [extras] what the layers add during the forward pass
            with self.sparse_gradients:
                outputs = self.unpack(self.forward(*inputs))
            total, per_output = self.losses(outputs, targets, weights)
        except BaseException:
            if saved is not None:
                with torch.no_grad():
                    torch._foreach_copy_(self.statistics, saved)
            raise
        # 2. backward and update (none when every weight is frozen)
        if total.requires_grad:
            self.optimizer.zero_grad()
            self._backward_and_step(total)
            self.extras.constrain()  # [extras] constraints, after the update
        # 3. the running values
        rows = self._rows(inputs)
        if rows:
            tracker.update(total, per_output, outputs, targets, weights, rows)

    def test(self, inputs, targets, weights, tracker):
        """The batch's losses and predictions, to the ``tracker`` (no update)."""
        self.extras.collect()  # [extras] what the layers add during the forward pass
        outputs = self.unpack(self.forward(*inputs))
        rows = self._rows(inputs)
        if rows:
            total, per_output = self.losses(outputs, targets, weights)
            tracker.update(total, per_output, outputs, targets, weights, rows)

    def predict(self, inputs):
        """The batch's outputs, one tensor per model output."""
        return self.unpack(self.forward(*inputs))

    def gathered(self, outputs):
        """The predictions of the whole data, from those this process made (all of them, alone)."""
        return outputs

    def _rows(self, inputs):
        """How many of the batch's samples count for this process's running values."""
        return inputs[0].shape[0]

    def _backward_and_step(self, total):
        if self.loss_scaling is not None:
            self.loss_scaling.backward_and_step(total)
        else:
            total.backward()
            self.optimizer.step()


class ShardedSteps(Steps):
    """:class:`Steps` on this process's part of every batch, in a data-parallel run.

    The loops use them as they use plain steps: the fetcher takes a global
    batch's indices and returns this process's rows of it. Training weights the
    loss by the part's share of the batch (1 for equal parts), so that the
    gradients averaged by ``DistributedDataParallel`` are the whole batch's.

    Args:
        world: the :class:`~kfunc.training.distributed.World`.
        *args: as for :class:`Steps`.
    """

    def __init__(self, world, *args):
        super().__init__(*args)
        self.world = world
        self.rows, self.weight = 0, 1.0  # of the batch last fetched
        self.batch_rows = []  # the size of every global batch fetched, in order

    def fetcher(self, data):
        fetch = super().fetcher(data)
        self.batch_rows = []

        def fetch_part(index):
            rows = index.stop - index.start if isinstance(index, slice) else len(index)
            start, stop, self.weight = self.world.share(rows)
            self.rows = stop - start if self.weight else 0
            self.batch_rows.append(rows)
            return fetch(slice(index.start + start, index.start + stop) if isinstance(index, slice)
                         else index[start:stop])

        return fetch_part

    def _rows(self, inputs):
        # (a process without rows still ran the batch's forward, to join DistributedDataParallel's)
        return self.rows

    def predict(self, inputs):
        outputs = super().predict(inputs)
        return outputs if self.rows else [o[:0] for o in outputs]

    def _backward_and_step(self, total):
        super()._backward_and_step(total if self.weight == 1.0 else total * self.weight)

    def gathered(self, outputs):
        """The full predictions, on every process, from this process's rows of them.

        Every process fetched the same global batches, so each one knows where every
        process's rows go (data the rows need not carry).
        """
        if not outputs:
            return outputs
        positions = [[] for _ in range(self.world.size)]
        seen = 0
        for rows in self.batch_rows:
            for r in range(self.world.size):
                start, stop = self.world.part(rows, r)
                positions[r].append(torch.arange(seen + start, seen + stop))
            seen += rows
        return self.world.gather_rows(outputs, [torch.cat(p) for p in positions])


def weights_device(model):
    """Where the model's weights are: the device of its first real (not meta) weight, else the CPU."""
    # a quick look at the layers' own weights first, then at all (without making meta weights real)
    for layer in model._layers:
        for p in layer._parameters.values():
            if p is not None and not p.is_meta:
                return p.device
    for _, p in torch.nn.Module.named_parameters(model):
        if not p.is_meta:
            return p.device
    return torch.device("cpu")


def unpacker(structure):
    """The function turning the fx module's result (a tensor, a list, or a dict, as the
    model's outputs were given) into a list of output tensors."""
    if isinstance(structure, dict):
        return _values
    return _as_list if isinstance(structure, (list, tuple)) else _one


def _one(result):
    return (result,)


def _as_list(result):
    return result


def _values(result):
    return list(result.values())
