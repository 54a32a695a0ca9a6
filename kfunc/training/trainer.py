"""The training methods of ``kfunc.Model``: compile, fit, evaluate, predict.

Each method checks its arguments, then hands the work to the module of its
concept:

* ``compile`` keeps its decisions in a :class:`~kfunc.training.compile.CompileSettings`
  (``model._compiled``): the loss, loss weight and metrics of each output (its
  *head*, :mod:`kfunc.training.heads`), and how batches run, which a new
  :class:`~kfunc.training.steps.StepFactory` (``model._steps``) applies;
* ``fit`` turns the data into tensors once (:mod:`kfunc.training.matching`),
  checks it (:mod:`kfunc.training.checks`), writes the run down in a
  :class:`~kfunc.training.fit_loop.FitRun` and runs :func:`~kfunc.training.fit_loop.fit_loop`;
* ``evaluate`` and ``predict`` run the loops of :mod:`kfunc.training.evaluation`.

Example:
    >>> model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    >>> history = model.fit(data, labels, epochs=5, validation_split=0.2)
    >>> history.history.keys()
    dict_keys(['loss', 'accuracy', 'val_loss', 'val_accuracy'])
"""

import functools
import inspect

import torch

from kfunc import callbacks as callbacks_module
from kfunc import mixed_precision, optimizers
from kfunc._errors import did_you_mean
from kfunc.layers.embedding import ids_checked_beforehand
from kfunc.training import batch_source, checks
from kfunc.training.compile import CompileSettings
from kfunc.training.data import ArrayData, BatchStream, to_tensor
from kfunc.training.extras import may_add_losses
from kfunc.training.evaluation import QuickPredict, as_output_structure, count_steps, evaluate_loop, predict_loop
from kfunc.training.fit_loop import FitRun, fit_loop
from kfunc.training.matching import fits_as_it_is, match_inputs, match_sample_weights, match_targets
from kfunc.training.progress import callback_list, verbose_level
from kfunc.training.steps import StepFactory

# Functions ``(method_name, kwargs) -> kwargs`` applied to the keyword arguments that a
# training method (``fit``, ``evaluate``, ``predict``, ``compile``) does not know: the
# one that ``kfunc/__init__.py`` installs translates Keras 1 spellings (``nb_epoch``).
# What no hook removes is refused with a TypeError.
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
        if not kwargs:  # (the common case, and a one-sample predict must stay quick)
            return method(self, *args)
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
    """Adds ``compile``, ``fit``, ``evaluate`` and ``predict`` to a functional model."""

    optimizer = None
    history = None  # the History of the latest (or running) fit
    stop_training = False  # set it (from a callback) to end fit after the current batch
    _compiled = None  # a CompileSettings, once compiled
    _steps = None  # the StepFactory that makes the steps (see _step_factory)

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
                prediction; see :mod:`kfunc.training.jit`).
            device: a torch device to train on (``'cuda'``); by default, where the
                model's weights are.

        The dtype policy in force (:mod:`kfunc.mixed_precision`) is read here too.

        Raises:
            ValueError: for an unknown name, or a list or dict that does not match
                the outputs.
        """
        _other_arguments("compile", kwargs, ignored=("run_eagerly", "steps_per_execution"))
        if target_tensors is not None:
            raise ValueError("compile(target_tensors=...) is not supported: give the targets to fit(x, y).")
        # (unknown names, lists of the wrong length: refused before anything changes)
        new_optimizer = optimizers.get(optimizer)
        settings = CompileSettings(self, loss, metrics, loss_weights, weighted_metrics, sample_weight_mode)
        self.optimizer, self.loss, self.loss_weights = new_optimizer, loss, loss_weights
        self._compiled = settings
        # how batches run: the dtype policy in force, jit_compile, the device
        self._steps = StepFactory(self.name, jit_compile, mixed_precision.global_policy(), device)

    @property
    def metrics_names(self):
        """The names of ``evaluate``'s values: ``['loss', ...]`` (empty before compile)."""
        tracker = self._compiled.tracker if self._compiled is not None else None
        return list(tracker.names) if tracker is not None else []

    @property
    def _heads(self):
        """The output heads of the latest compile (None before; the notebook tracker reads them too)."""
        return self._compiled.heads if self._compiled is not None else None

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
        if batch_source.is_batch_source(x):  # a Sequence or a generator: its batches, one by one
            return self.fit(**batch_source.fit_arguments(self, dict(locals(), **kwargs)))
        options = _other_arguments("fit", kwargs, extras=("validation_batch_size", "device"))
        checks.check_fit_arguments(epochs, initial_epoch, validation_split, validation_freq, steps_per_epoch)
        # 1. the model must be compiled with a loss, and built
        self._require_compiled("fit")
        self._ready(x)
        if not any(h.loss is not None for h in self._heads) and not may_add_losses(self):
            raise ValueError(f"Model {self.name!r} was compiled without a loss; fit needs one: compile(loss=...).")
        batch_size = checks.batch_size(batch_size, "fit")
        # 2. the data as tensors, checked; the validation data given, or the tail of the training data
        train, checked = self._array_data(x, y, sample_weight, class_weight)
        if train.size == 0:
            raise ValueError("fit received arrays with no samples (their first axis has length 0).")
        val = None
        if validation_data is not None:
            val, _ = self._array_data(*checks.unpack_validation(validation_data))
        elif validation_split:
            train, val = train.split_tail(validation_split)
        # 3. where each batch runs, with which processes (under torchrun); the optimizer's state
        factory = self._step_factory()
        world, device = factory.place(self, options.get("device"), batch_size, "fit")
        self.optimizer.build(self.parameters())
        # 4. the order of the batches; the callbacks: progress display first, the History last
        stream = BatchStream(train.size, batch_size, shuffle) if world is None else \
            world.stream(train.size, batch_size, shuffle)
        history = callbacks_module.History()
        params = {"epochs": epochs, "steps": steps_per_epoch or stream.steps_per_pass, "verbose": verbose_level(verbose),
                  "samples": train.size, "batch_size": batch_size, "do_validation": val is not None,
                  "metrics": self.metrics_names + ["val_" + n for n in self.metrics_names] * (val is not None)}
        cbs = callback_list(self, callbacks, verbose, "fit", params, history, world)
        # 5. the epochs
        fit_loop(self, FitRun(
            train=train, val=val, stream=stream, factory=factory, device=device, world=world, callbacks=cbs,
            epochs=range(initial_epoch, epochs), steps_per_epoch=steps_per_epoch, validation_freq=validation_freq,
            validation_batch_size=options.get("validation_batch_size") or batch_size,
            validation_steps=validation_steps, checked=checked,
        ))
        return history

    @_translating_old_arguments
    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, steps=None, callbacks=None,
                 return_dict=False, **kwargs):
        """The loss and metrics on ``x`` and ``y``, in inference mode.

        Returns:
            A number when there is only the loss; otherwise a list in the order of
            ``model.metrics_names``; a dict by name with ``return_dict=True``.
        """
        if batch_source.is_batch_source(x):  # a Sequence or a generator: its batches, one by one
            return self.evaluate(**batch_source.evaluate_arguments(self, dict(locals(), **kwargs)))
        options = _other_arguments("evaluate", kwargs, extras=("device",))
        self._require_compiled("evaluate")
        self._ready(x)
        data, checked = self._array_data(x, y, sample_weight, None)
        batch_size = checks.batch_size(batch_size, "evaluate")
        factory = self._step_factory()
        world, device = factory.place(self, options.get("device"), batch_size, "evaluate")
        params = {"verbose": verbose_level(verbose), "steps": count_steps(data.size, batch_size, steps),
                  "samples": data.size}
        cbs = callback_list(self, callbacks, verbose, "evaluate", params, world=world)
        self.eval()
        with ids_checked_beforehand(checked):
            logs = evaluate_loop(factory.steps(self, device, world, self._heads), data, batch_size, steps,
                                 self._compiled.tracker, cbs)
        return _results(logs, self.metrics_names, return_dict)

    @_translating_old_arguments
    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None, **kwargs):
        """The model's outputs for the inputs ``x``, computed in batches, as numpy arrays.

        Returns:
            An array for a single output; a list of arrays (or a dict, if the model's
            outputs were given as a dict) for several.
        """
        if batch_size is None and not (verbose or steps or callbacks or kwargs):
            outputs = self._as_latest_one_batch(x)  # an array like the latest one-batch predict's: no checks again
            if outputs is not None:
                return outputs
        if batch_source.is_batch_source(x):  # a Sequence or a generator: its batches, one by one
            arguments = dict(x=x, batch_size=batch_size, verbose=verbose, steps=steps, callbacks=callbacks, **kwargs)
            return self.predict(**batch_source.predict_arguments(self, arguments))
        options = _other_arguments("predict", kwargs, extras=("device",)) if kwargs else {}
        self._ready(x, need_heads=False)
        source = x if isinstance(x, batch_source.BatchSource) else None  # (its first batch was checked)
        inputs = None if source else match_inputs(self, x)
        checked = [] if source else checks.check_embedding_ids(self, inputs)
        batch_size = checks.batch_size(batch_size, "predict")
        factory = self._step_factory()
        if self.training:
            self.eval()
        if not source and inputs[0].shape[0] <= batch_size and steps is None and not callbacks and not verbose:
            # One batch and nothing to report: the shortest path, for low latency (every
            # process computes it whole).
            device = factory.device_for(self, options.get("device"))
            one_batch = factory.steps(self, device)  # (made outside inference mode: it may make the weights)
            inputs = [t.to(device) for t in inputs]
            if checked:
                with ids_checked_beforehand(checked), torch.no_grad():
                    outputs = one_batch.predict(inputs)
            else:
                with torch.no_grad():  # (cheaper to enter than inference_mode, for one sample)
                    outputs = one_batch.predict(inputs)
                if factory.device is None and not options and fits_as_it_is(x, self.inputs):
                    factory.quick = QuickPredict(self, x, one_batch, factory.policy or mixed_precision.global_policy(),
                                                 batch_size)
            outputs = [o.cpu().numpy() for o in outputs]
        else:
            world, device = factory.place(self, options.get("device"), batch_size, "predict")
            data = source or ArrayData(inputs)
            params = {"verbose": verbose_level(verbose), "steps": count_steps(data.size, batch_size, steps),
                      "samples": data.size}
            cbs = callback_list(self, callbacks, verbose, "predict", params, world=world)
            with ids_checked_beforehand(checked):
                outputs = predict_loop(factory.steps(self, device, world), data, batch_size, steps, cbs)
            outputs = [o.numpy() for o in outputs]
        return as_output_structure(self, outputs)

    # ------------------------------------------------------------------ one batch

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True, return_dict=False):
        """One update on exactly this batch; returns its loss and metrics (as ``evaluate``)."""
        self._require_compiled("train_on_batch")
        self._ready(x)
        data, checked = self._array_data(x, y, sample_weight, class_weight)
        factory, compiled = self._step_factory(), self._compiled
        device = factory.device_for(self)
        self.optimizer.build(self.parameters())
        if reset_metrics:
            compiled.tracker.reset()
        self.train()
        try:
            with compiled.trainable_as_compiled(), ids_checked_beforehand(checked):
                steps = factory.steps(self, device, None, compiled.heads, self.optimizer)
                steps.train(*data.batch_fetcher(device)(slice(None)), compiled.tracker)
        finally:
            self.eval()
        return _results(compiled.tracker.results(), self.metrics_names, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        """The loss and metrics on exactly this batch, without updating anything."""
        self._require_compiled("test_on_batch")
        self._ready(x)
        data, checked = self._array_data(x, y, sample_weight, None)
        factory, compiled = self._step_factory(), self._compiled
        if reset_metrics:
            compiled.tracker.reset()
        self.eval()
        device = factory.device_for(self)
        with torch.no_grad(), ids_checked_beforehand(checked):
            steps = factory.steps(self, device, None, compiled.heads)
            steps.test(*data.batch_fetcher(device)(slice(None)), compiled.tracker)
        return _results(compiled.tracker.results(), self.metrics_names, return_dict)

    def predict_on_batch(self, x):
        """The outputs for exactly this batch (as ``predict``, in one go)."""
        outputs = self._as_latest_one_batch(x, one_batch=True)
        if outputs is not None:
            return outputs
        return self.predict(x, batch_size=max(1, len(match_inputs(self, x)[0])))

    def _as_latest_one_batch(self, x, one_batch=False):
        """``predict(x)`` by the latest one-batch predict's path (QuickPredict), or None."""
        factory = self._steps
        quick = factory.quick.outputs(self, x, factory.policy or mixed_precision.global_policy(), one_batch) if (
            factory is not None and factory.quick is not None) else None
        return None if quick is None else as_output_structure(self, quick)

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
        if need_heads and self._compiled.heads is None:
            self._compiled.build_heads(self)

    def _array_data(self, x, y=None, sample_weight=None, class_weight=None):
        """``(data, checked)``: the arrays as an ArrayData, checked against the model, and
        the Embeddings whose ids were all checked."""
        if x is None:
            raise ValueError(f"Model {self.name!r} needs input data: pass x (an array, a list, or a dict by input name).")
        if isinstance(x, batch_source.BatchSource):  # (its first batch was checked)
            return x, []
        heads = self._heads
        inputs = match_inputs(self, x)
        targets = match_targets(self, heads, y)
        data = ArrayData(inputs, targets, match_sample_weights(self, heads, targets, sample_weight, class_weight))
        return data, checks.check_before_training(self, heads, data, self._compiled.tried)

    def _step_factory(self):
        """The model's StepFactory: compile's, or a plain one for a model never compiled."""
        if self._steps is None:
            self._steps = StepFactory(self.name)
        return self._steps


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


def _results(logs, names, return_dict):
    if return_dict:
        return {name: logs[name] for name in names if name in logs}
    values = [logs[name] for name in names if name in logs]
    return values[0] if len(values) == 1 else values
