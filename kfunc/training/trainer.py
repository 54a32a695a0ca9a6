"""The training mixin of ``kfunc.Model``: compile, fit, evaluate, predict, save.

``compile`` decides, for each output, its loss, the loss's weight and the metrics
(see :mod:`kfunc.training.heads`), and which optimizer updates the weights.
``fit`` then runs the plain torch loop of :mod:`kfunc.training.loop` over the data
(turned into torch tensors once, see :mod:`kfunc.training.data`), calling the
callbacks at each epoch (and, for those that want them, each batch), and returns
the ``History``.

Example:
    >>> model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    >>> history = model.fit(data, labels, epochs=5, validation_split=0.2)
    >>> history.history.keys()
    dict_keys(['loss', 'accuracy', 'val_loss', 'val_accuracy'])
"""

import contextlib
import functools
import inspect

import torch

from kfunc import callbacks as callbacks_module
from kfunc import mixed_precision
import kfunc.losses  # noqa: F401 (so that ``import kfunc`` brings kfunc.losses and kfunc.metrics)
import kfunc.metrics  # noqa: F401
from kfunc import optimizers
from kfunc._errors import did_you_mean
from kfunc.training import checks, distributed, progress, transfer
from kfunc.training.compiled import JitCompiler
from kfunc.training.data import ArrayData, BatchStream, match_inputs, match_sample_weights, match_targets, to_tensor
from kfunc.training.heads import build_heads, metrics_names
from kfunc.training.interrupts import DeferredInterrupt
from kfunc.training.loop import StepRunner, predict_loop, test_loop, train_epoch
from kfunc.training.tracker import EpochTracker

# Functions ``(method_name, kwargs) -> kwargs`` applied to the keyword arguments that a
# training method (``fit``, ``evaluate``, ``predict``, ``compile``) does not know. The
# legacy module translates Keras 1 spellings (``nb_epoch``) here; what no hook
# removes is refused with a TypeError.
argument_hooks = []

# Arguments Keras takes for data pipelines that have no meaning for in-memory arrays.
_PIPELINE_ARGUMENTS = ("max_queue_size", "workers", "use_multiprocessing")


def _translating_old_arguments(method):
    """Let the argument hooks rename the keyword arguments ``method`` does not take.

    ``fit(x, y, nb_epoch=10)``: the hooks get ``{'nb_epoch': 10}`` and may return
    ``{'epochs': 10}``, which then reaches ``fit`` as its own ``epochs`` argument.
    """
    own = [p for p in inspect.signature(method).parameters if p not in ("self", "kwargs")]

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        unknown = {k: v for k, v in kwargs.items() if k not in own}
        if unknown and argument_hooks:
            for hook in argument_hooks:
                unknown = hook(method.__name__, unknown)
            given = set(own[: len(args)]) | (kwargs.keys() & set(own))
            twice = [k for k in unknown if k in given]
            if twice:
                raise TypeError(f"{method.__name__}() got the argument {twice[0]!r} twice (under an old name too).")
            kwargs = {**{k: v for k, v in kwargs.items() if k in own}, **unknown}
        return method(self, *args, **kwargs)

    return wrapper


class Trainer:
    """Adds ``compile``, ``fit``, ``evaluate``, ``predict`` and saving to a functional model."""

    optimizer = None
    history = None  # the History of the latest (or running) fit
    stop_training = False  # set it (from a callback) to end fit after the current batch
    _compiled = None  # compile's arguments, once compiled
    _heads = None
    _trainable_at_compile = None

    # ------------------------------------------------------------------ compile

    @_translating_old_arguments
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, sample_weight_mode=None,
                weighted_metrics=None, target_tensors=None, jit_compile=False, device=None, **kwargs):
        """Choose the optimizer, the loss(es) and the metrics for training.

        Args:
            optimizer: a name (``'rmsprop'``, ``'adam'``, ``'sgd'``, ``'adagrad'``,
                ``'adamw'``; Keras's default settings), a ``kfunc.optimizers`` object, or
                a torch optimizer class or factory (``torch.optim.SGD``).
            loss: a name, a function ``(y_true, y_pred)`` or a ``kfunc.losses`` object,
                used for every output; or a list (one per output, in order) or a dict
                by output name.
            metrics: a list applied to every output, or a dict by output name (or a
                list of lists). ``'accuracy'``/``'acc'`` picks binary, categorical or
                sparse accuracy from the loss and the output's shape.
            loss_weights: a list or dict: the factor of each output's loss in the total.
            sample_weight_mode: ``'temporal'`` for weights per time step (accepted;
                kfunc infers it from the shape of the weights).
            weighted_metrics: metrics that take the sample weights into account.
            jit_compile: compute with ``torch.compile`` (training, evaluation and
                prediction; see :mod:`kfunc.training.compiled`).
            device: a torch device to train on (``'cuda'``); by default, where the
                model's weights are.

        The dtype policy in force (:mod:`kfunc.mixed_precision`) is read here too.

        Raises:
            ValueError: for an unknown name, or a list or dict that does not match
                the outputs.
        """
        kwargs = _other_arguments("compile", kwargs, ignored=("run_eagerly", "steps_per_execution"))
        if target_tensors is not None:
            raise ValueError("compile(target_tensors=...) is not supported: give the targets to fit(x, y).")
        new_optimizer = optimizers.get(optimizer)
        if self.outputs:  # unknown names, lists of the wrong length: refused before anything changes
            build_heads(self, loss, loss_weights, metrics, weighted_metrics)
        self.optimizer = new_optimizer
        self.loss, self.loss_weights = loss, loss_weights
        self._compiled = {
            "loss": loss, "metrics": metrics, "loss_weights": loss_weights, "weighted_metrics": weighted_metrics,
            "sample_weight_mode": sample_weight_mode, "jit_compile": jit_compile, "device": device,
            "policy": mixed_precision.global_policy(),
        }
        self._heads = None
        self.__dict__["_forwards"] = (None, {})  # the forward functions made for this compile
        self.__dict__["_jit"] = JitCompiler(self.name) if jit_compile else None
        # Keras's rule: which layers train is fixed by compile, until the next compile.
        self._trainable_at_compile = {layer: layer._trainable for layer in self._layer_tree()}
        if self.outputs:  # a Sequential may still wait for its input shape
            self._build_heads()

    def _build_heads(self):
        c = self._compiled
        self._heads = build_heads(self, c["loss"], c["loss_weights"], c["metrics"], c["weighted_metrics"])
        self._tracker = EpochTracker(self._heads)

    @property
    def metrics_names(self):
        """The names of ``evaluate``'s values: ``['loss', ...]`` (empty before compile)."""
        return metrics_names(self._heads) if self._heads is not None else []

    # ------------------------------------------------------------------ fit

    @_translating_old_arguments
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_freq=1, **kwargs):
        """Train the model for ``epochs`` epochs on ``x`` and ``y``; returns the ``History``.

        Args:
            x: the inputs: an array (numpy or torch), a list in ``model.inputs``
                order, or a dict by input name.
            y: the targets, likewise by output.
            batch_size: samples per update (32).
            epochs: the index of the last epoch, plus one: with ``initial_epoch=3``,
                ``epochs=5`` trains epochs 3 and 4.
            verbose: 0 silent, 1 a progress bar, 2 one line per epoch.
            callbacks: ``kfunc.callbacks`` objects to call during training.
            validation_split: the fraction of the samples, taken from the end before
                any shuffling, kept for validation.
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight)``,
                instead of ``validation_split``.
            shuffle: reshuffle the samples every epoch (``'batch'``: shuffle the batches).
            class_weight: ``{class: weight}``, weighting each sample by its class.
            sample_weight: an array with one weight per sample (or one per output).
            initial_epoch: the epoch to start from (to resume a training).
            steps_per_epoch: batches per epoch (by default, one pass over the data).
            validation_steps: batches per validation (by default, all).
            validation_freq: validate every N epochs, or at the listed epochs (from 1).
            validation_batch_size, device: keyword-only extras.

        Returns:
            The :class:`~kfunc.callbacks.History`, also kept as ``model.history``.

        Exceptions inside fit (Ctrl-C included) reach the caller with the weights of
        the last complete batch and ``model.history`` holding the completed epochs.
        """
        options = _other_arguments("fit", kwargs, extras=("validation_batch_size", "device"))
        checks.check_fit_arguments(epochs, initial_epoch, validation_split, validation_freq, steps_per_epoch)
        # 1. the model must be compiled, built, and know its data
        self._require_compiled("fit")
        self._ready(x)
        if not any(h.loss is not None for h in self._heads):
            raise ValueError(f"Model {self.name!r} was compiled without a loss; fit needs one: compile(loss=...).")
        batch_size = _batch_size(batch_size, "fit")
        train = self._array_data(x, y, sample_weight, class_weight)
        if train.size == 0:
            raise ValueError("fit received arrays with no samples (their first axis has length 0).")
        # 2. the validation data: given, or the tail of the training data
        val = None
        if validation_data is not None:
            val = self._array_data(*_unpack_validation(validation_data))
        elif validation_split:
            train, val = train.split_tail(validation_split)
        # 3. device, processes (under torchrun) and optimizer
        world, device = self._processes(self._device(options.get("device")), batch_size, "fit")
        self.optimizer.build(self.parameters())
        # 4. callbacks: progress display first, the History last
        stream = BatchStream(train.size, batch_size, shuffle) if world is None else \
            world.stream(train.size, batch_size, shuffle)
        steps = steps_per_epoch or stream.steps_per_pass
        history = callbacks_module.History()
        params = {"epochs": epochs, "steps": steps, "verbose": _verbose(verbose), "samples": train.size,
                  "batch_size": batch_size, "do_validation": val is not None,
                  "metrics": self.metrics_names + ["val_" + n for n in self.metrics_names] * (val is not None)}
        cbs = self._callback_list(callbacks, verbose, "fit", params, history, world)
        # 5. the epochs
        self._fit_loop(train, val, stream, steps_per_epoch, cbs, device, initial_epoch, epochs, validation_freq,
                       options.get("validation_batch_size") or batch_size, validation_steps, world)
        return history

    def _fit_loop(self, train, val, stream, steps_per_epoch, cbs, device, initial_epoch, epochs, validation_freq,
                  val_batch_size, validation_steps, world=None):
        scaling = mixed_precision.loss_scaling(self._policy(), self.optimizer, device)
        runner = StepRunner(self, self._heads, self.optimizer, self._forward_function(device, world), scaling)
        fetch = transfer.batch_fetcher(train, device)
        steps, agree = runner, None
        if world is not None:  # this process's part of each batch
            steps = world.shard(runner, fetch)
            fetch = steps.fetch
            agree = world if world.may_stop_mid_epoch(cbs) else None
        tracker = self._tracker
        self.stop_training = False
        logs = {}
        try:
            with DeferredInterrupt() as interrupt, self._trainable_as_compiled():
                cbs.call("on_train_begin", {})
                for epoch in range(initial_epoch, epochs):
                    tracker.reset()
                    self.train()
                    cbs.call("on_epoch_begin", epoch, {})
                    train_epoch(steps, fetch, stream.epoch(steps_per_epoch), tracker, cbs, interrupt, self, agree)
                    logs = tracker.results() if world is None else world.results(tracker)
                    if val is not None and _validates(epoch, validation_freq):
                        self.eval()
                        val_logs = test_loop(runner, val, val_batch_size, validation_steps, tracker, cbs, device,
                                             world)
                        logs.update(("val_" + k, v) for k, v in val_logs.items())
                    cbs.call("on_epoch_end", epoch, logs)
                    if self.stop_training:
                        break
                if world is not None:  # batch norm statistics: process 0's, everywhere
                    world.copy_from_chief(self, buffers_only=True)
                cbs.call("on_train_end", logs)
        finally:
            self.eval()

    # ------------------------------------------------------------------ evaluate, predict

    @_translating_old_arguments
    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, steps=None, callbacks=None,
                 return_dict=False, **kwargs):
        """The loss and metrics on ``x`` and ``y``, in inference mode.

        Returns:
            A number when there is only the loss; otherwise a list in the order of
            ``model.metrics_names``; a dict by name with ``return_dict=True``.
        """
        options = _other_arguments("evaluate", kwargs, extras=("device",))
        self._require_compiled("evaluate")
        self._ready(x)
        data = self._array_data(x, y, sample_weight, None)
        batch_size = _batch_size(batch_size, "evaluate")
        params = {"verbose": _verbose(verbose), "steps": _steps(data.size, batch_size, steps), "samples": data.size}
        world, device = self._processes(self._device(options.get("device")), batch_size, "evaluate")
        cbs = self._callback_list(callbacks, verbose, "evaluate", params, world=world)
        self.eval()
        runner = StepRunner(self, self._heads, forward=self._forward_function(device))
        logs = test_loop(runner, data, batch_size, steps, self._tracker, cbs, device, world)
        return _results(logs, self.metrics_names, return_dict)

    @_translating_old_arguments
    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None, **kwargs):
        """The model's outputs for the inputs ``x``, computed in batches, as numpy arrays.

        Returns:
            An array for a single output; a list of arrays (or a dict, if the model's
            outputs were given as a dict) for several.
        """
        options = _other_arguments("predict", kwargs, extras=("device",)) if kwargs else {}
        self._ready(x, need_heads=False)
        inputs = match_inputs(self, x)
        batch_size = _batch_size(batch_size, "predict")
        device = self._device(options.get("device"))
        if self.training:
            self.eval()
        runner = StepRunner(self, (), forward=self._forward_function(device))
        if inputs[0].shape[0] <= batch_size and steps is None and not callbacks and not verbose:
            # One batch and nothing to report: the shortest path, for low latency.
            self._materialize_once()
            with torch.inference_mode():
                outputs = [o.cpu().numpy() for o in runner.predict([t.to(device) for t in inputs])]
        else:
            # (one batch above: every process computes it whole; here they share the batches)
            world, device = self._processes(device, batch_size, "predict")
            data = ArrayData(inputs)
            params = {"verbose": _verbose(verbose), "steps": _steps(data.size, batch_size, steps), "samples": data.size}
            cbs = self._callback_list(callbacks, verbose, "predict", params, world=world)
            outputs = [o.numpy() for o in predict_loop(runner, data, batch_size, steps, cbs, device, world)]
        return self._as_output_structure(outputs)

    # ------------------------------------------------------------------ one batch

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True, return_dict=False):
        """One update on exactly this batch; returns its loss and metrics (as ``evaluate``)."""
        self._require_compiled("train_on_batch")
        self._ready(x)
        data = self._array_data(x, y, sample_weight, class_weight)
        device = self._device(None)
        self.optimizer.build(self.parameters())
        scaling = mixed_precision.loss_scaling(self._policy(), self.optimizer, device)
        runner = StepRunner(self, self._heads, self.optimizer, self._forward_function(device), scaling)
        if reset_metrics:
            self._tracker.reset()
        self.train()
        try:
            with self._trainable_as_compiled():
                runner.train(*data.batch_fetcher(device)(slice(None)), self._tracker)
        finally:
            self.eval()
        return _results(self._tracker.results(), self.metrics_names, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        """The loss and metrics on exactly this batch, without updating anything."""
        self._require_compiled("test_on_batch")
        self._ready(x)
        data = self._array_data(x, y, sample_weight, None)
        if reset_metrics:
            self._tracker.reset()
        self.eval()
        with torch.no_grad():
            device = self._device(None)
            runner = StepRunner(self, self._heads, forward=self._forward_function(device))
            runner.test(*data.batch_fetcher(device)(slice(None)), self._tracker)
        return _results(self._tracker.results(), self.metrics_names, return_dict)

    def predict_on_batch(self, x):
        """The outputs for exactly this batch (as ``predict``, in one go)."""
        return self.predict(x, batch_size=max(1, len(match_inputs(self, x)[0])))

    # ------------------------------------------------------------------ saving

    def save(self, filepath, overwrite=True, include_optimizer=True, **kwargs):
        """Save the architecture, the weights and the compile settings in one file.

        ``kfunc.models.load_model(filepath)`` makes the model again. See
        :mod:`kfunc.models.saving`.
        """
        from kfunc.models import saving

        if not distributed.is_chief():  # under torchrun, process 0 writes the file
            return
        saving.save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        """Save the weights (only) to exactly ``filepath``. See :mod:`kfunc.models.saving`."""
        from kfunc.models import saving

        if not distributed.is_chief():  # under torchrun, process 0 writes the file
            return
        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False):
        """Load weights saved by ``save_weights`` (or ``save``); refuses other architectures."""
        from kfunc.models import saving

        saving.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The model (without weights) that ``model.get_config()`` describes."""
        from kfunc.models import saving

        return saving.rebuild_model(cls, config, custom_objects)

    def to_json(self, **kwargs):
        """The architecture as a JSON string (``kfunc.models.saving.model_from_json`` reads it)."""
        from kfunc.models import saving

        return saving.model_to_json(self, **kwargs)

    # ------------------------------------------------------------------ helpers

    def _require_compiled(self, method):
        if self._compiled is None:
            raise checks.NotCompiledError(
                f"Model {self.name!r} must be compiled before {method}(): call e.g. "
                "model.compile(optimizer='rmsprop', loss='binary_crossentropy') first."
            )

    def _ready(self, x, need_heads=True):
        """Build a Sequential model from the data if it does not know its input shape yet."""
        if not self.outputs:
            if x is None:
                raise ValueError(f"Model {self.name!r} has no input shape yet; give it data (x) first.")
            first = x[0] if isinstance(x, (list, tuple)) and not isinstance(x[0], (int, float)) else x
            self._build_from([to_tensor(first, "input")])
        if need_heads and self._heads is None:
            self._build_heads()

    def _array_data(self, x, y=None, sample_weight=None, class_weight=None):
        if x is None:
            raise ValueError(f"Model {self.name!r} needs input data: pass x (an array, a list, or a dict by input name).")
        inputs = match_inputs(self, x)
        targets = match_targets(self, self._heads, y)
        weights = match_sample_weights(self, self._heads, targets, sample_weight, class_weight)
        data = ArrayData(inputs, targets, weights)
        checks.check_before_training(self, self._heads, data)  # (ids, and targets against outputs)
        return data

    def _device(self, device=None):
        """Where to compute: ``device`` if given (moving the model there), else where the weights are."""
        device = device or (self._compiled or {}).get("device")
        if device is not None:
            self.to(device)
            return torch.device(device)
        # the first real weight says where the model is: a quick look at the layers' own
        # weights, then at all (without making meta weights real)
        for layer in self._layers:
            for p in layer._parameters.values():
                if p is not None and not p.is_meta:
                    return p.device
        for _, p in torch.nn.Module.named_parameters(self):
            if not p.is_meta:
                return p.device
        return torch.device("cpu")

    def _processes(self, device, batch_size, method):
        """``(world, device)``: the data-parallel run this process is part of (None if
        it runs alone), and the device it computes on (under torchrun, its own GPU)."""
        world = distributed.current(device)
        if world is None:
            return None, device
        world.check_batch_size(batch_size, method)
        placed = world.place(device)
        return world, self._device(placed) if placed != device else device

    def _materialize_once(self):
        """Give meta weights their values, checking only once per version of the graph."""
        if self.__dict__.get("_materialized_graph") is not self._fx:
            self.materialize()
            self.__dict__["_materialized_graph"] = self._fx

    def _policy(self):
        """The dtype policy: the one read by ``compile``, else the global one."""
        return (self._compiled or {}).get("policy") or mixed_precision.global_policy()

    def _forward_function(self, device=None, world=None):
        """The function computing the outputs from the inputs, made once per graph and setting.

        The model's fx program; wrapped in DistributedDataParallel in a
        data-parallel run (``world``); under autocast for a mixed policy; through
        ``torch.compile`` with ``jit_compile=True``.
        """
        policy, jit = self._policy(), self.__dict__.get("_jit")
        if world is None and not policy.is_mixed and jit is None:
            return self._fx.forward  # (skipping the wrapper that only adds to tracebacks)
        device = torch.device(device) if device is not None else self._device()
        program = self._fx if world is None else world.data_parallel(self, device, self._heads)
        graph, made = self.__dict__.get("_forwards") or (None, {})
        if graph is not self._fx:  # a new graph (a Sequential grew): start afresh
            graph, made = self._fx, {}
            self.__dict__["_forwards"] = (graph, made)
        key = (id(program), policy.name, device.type)
        if key not in made:
            forward = mixed_precision.mixed_forward(program, policy, device)
            made[key] = (program, forward if jit is None else jit.compile(forward))
        return made[key][1]

    @contextlib.contextmanager
    def _trainable_as_compiled(self):
        """Train the weights that were trainable at ``compile``, as Keras does.

        Setting ``layer.trainable`` after ``compile`` takes effect at the next
        ``compile``; until then ``fit`` trains the weights as they were compiled.
        """
        changed = []
        for layer, trainable in (self._trainable_at_compile or {}).items():
            if layer._trainable != trainable:
                for p in layer._parameters.values():
                    if p is not None and p.requires_grad != trainable:
                        changed.append((p, p.requires_grad))
                        p.requires_grad_(trainable)
        try:
            yield
        finally:
            for p, requires_grad in changed:
                p.requires_grad_(requires_grad)

    def _callback_list(self, callbacks, verbose, mode, params, history=None, world=None):
        if isinstance(callbacks, callbacks_module.Callback):
            callbacks = [callbacks]
        given = list(callbacks or [])
        if world is not None and not world.is_chief:  # only process 0 reports and writes files
            given, verbose = world.callbacks(given), 0
        shown = any(getattr(cb, "is_progress_display", False) for cb in given)
        display = None if shown else progress.progress_callback(_verbose(verbose), mode)
        ordered = ([display] if display is not None else []) + given + ([history] if history is not None else [])
        return callbacks_module.CallbackList(ordered, model=self, params=params)

    def _as_output_structure(self, arrays):
        """A dict for outputs given as a dict; else one array, or a list of several (as Keras 2)."""
        structure = self._output_structure
        if isinstance(structure, dict):
            return dict(zip(structure, arrays))
        return arrays[0] if len(arrays) == 1 else list(arrays)


# ---------------------------------------------------------------------- helpers


def _other_arguments(method, kwargs, extras=(), ignored=()):
    """The known extra keyword arguments (``device=``, ...); unknown ones are refused."""
    known = {k: kwargs.pop(k) for k in list(kwargs) if k in extras}
    for k in list(kwargs):
        if k in ignored or k in _PIPELINE_ARGUMENTS:
            kwargs.pop(k)
    if kwargs:
        name = next(iter(kwargs))
        valid = [p for p in inspect.signature(getattr(Trainer, method)).parameters if p not in ("self", "kwargs")]
        valid += list(extras)
        raise TypeError(
            f"{method}() got an unknown argument {name!r}.{did_you_mean(name, valid)} "
            f"Its arguments are: {', '.join(valid)}."
        )
    return known


def _batch_size(batch_size, method):
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"{method}(batch_size={batch_size!r}): the batch size must be a positive int, e.g. 32.")
    return batch_size


def _steps(size, batch_size, steps):
    full = -(-size // batch_size)
    return full if steps is None else min(steps, full)


def _verbose(verbose):
    return 1 if verbose == "auto" else int(verbose)


def _validates(epoch, validation_freq):
    """Whether to validate after ``epoch`` (from 0): every N epochs, or at listed epochs (from 1)."""
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return (epoch + 1) in validation_freq


def _unpack_validation(validation_data):
    if isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3):
        return tuple(validation_data) + (None,) * (3 - len(validation_data))
    raise ValueError(
        "validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight_val); "
        f"got {type(validation_data).__name__}"
        + (f" of length {len(validation_data)}" if isinstance(validation_data, (tuple, list)) else "")
        + "."
    )


def _results(logs, names, return_dict):
    if return_dict:
        return {name: logs[name] for name in names if name in logs}
    values = [logs[name] for name in names if name in logs]
    return values[0] if len(values) == 1 else values
