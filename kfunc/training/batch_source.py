"""Data that comes in whole batches: a ``kfunc.utils.Sequence`` or a Python generator.

``fit``, ``evaluate`` and ``predict`` cut arrays into batches themselves
(:mod:`.data`). Keras 2 programs also hand them batches already made:

* a :class:`~kfunc.training.sequence.Sequence`: ``seq[i]`` is batch ``i`` and
  ``len(seq)`` the number of batches in one pass. ``fit`` visits the batches in a
  new random order each epoch (``shuffle=True``) and calls ``seq.on_epoch_end()``
  after each epoch (evaluate and predict: after their pass);
* a generator (any iterator): it yields batch after batch, usually forever, so
  ``steps_per_epoch`` (``steps`` for evaluate and predict, ``validation_steps`` for
  validation data) says how many batches make an epoch. Each epoch continues
  where the last one stopped.

A batch is ``(x, y)`` or ``(x, y, sample_weight)``, each part what ``fit`` would take
(an array, a list by input, a dict by name); ``predict`` also takes ``x`` alone. A
list is the inputs of a multi-input model, a tuple the ``(x, y, ...)`` parts, as in
Keras.

The loops stay as they are. A :class:`BatchSource` is data whose *items* are whole
batches: the loops take it one item at a time (``batch_size=1``), and each item
becomes tensors when it is fetched, matched to the model's inputs and outputs as
arrays given to ``fit`` are. The first batch is checked against the model before
training starts, as arrays are (see :mod:`.checks`).

Example:
    >>> def batches():
    ...     while True:
    ...         picked = np.random.randint(0, len(x), 32)
    ...         yield x[picked], y[picked]
    >>> model.fit(batches(), steps_per_epoch=100, epochs=5)
"""

import collections.abc
import itertools

from kfunc.callbacks import Callback
from kfunc.training import checks, distributed
from kfunc.training.data import ArrayData
from kfunc.training.matching import match_inputs, match_sample_weights, match_targets
from kfunc.training.sequence import Sequence


def is_batch_source(x):
    """Whether ``x`` is data that comes in batches (a Sequence or a generator) rather than arrays."""
    return isinstance(x, (Sequence, collections.abc.Iterator))


class BatchSource:
    """The batches of a Sequence or a generator, as the loops fetch data: one item per batch.

    Args:
        model: the model the batches are for (their parts are matched to its
            inputs and outputs).
        source: the Sequence or the generator.
        steps: the batches per pass of a generator (a Sequence has ``len``).
        method: ``'fit'``, ``'evaluate'`` or ``'predict'`` (and the argument
            that gave ``steps``), for the messages.
        class_weight: ``{class: weight}``, turned into sample weights batch by batch.
    """

    def __init__(self, model, source, steps, method, class_weight=None):
        self.model, self.method, self.class_weight = model, method, class_weight
        self.is_sequence = isinstance(source, Sequence)
        name, argument = method
        if distributed.launched():
            raise ValueError(
                f"{name}() under torchrun takes arrays, not a {_kind(source)}: each process would "
                "draw its own batches. Load the arrays and pass them to fit, which shares every batch out."
            )
        if self.is_sequence:
            self.size = len(source)
            if self.size == 0:
                raise ValueError(f"The Sequence given to {name}() has no batches: its __len__ returned 0.")
        elif steps is None:
            raise ValueError(
                f"{name}() was given a generator, which has no length: say how many of its batches "
                f"make one pass, e.g. {name}(generator, {argument}=100). (A keras.utils.Sequence "
                "knows its own length.)"
            )
        else:
            self.size = steps
        self.drawn = 0  # batches drawn from a generator so far
        self.source = source
        self.first = self._batch(0)
        if not self.is_sequence:
            self.source, self.drawn = itertools.chain([self.first], source), 0  # the first batch is still to come

    # What a fetch needs of an ArrayData's arrays: none here, each batch brings its own.
    inputs, targets, weights = (), (), ()

    def check_first_batch(self):
        """Build the model if needed and check the first batch against it, as ``fit`` checks arrays."""
        x, y, sample_weight = _parts(self.first, self.method[0])
        predicting = self.method[0] == "predict"
        self.model._ready(x, need_heads=not predicting)
        data = self._tensors(self.first)
        if predicting:
            checks.check_embedding_ids(self.model, data.inputs)
        else:
            checks.check_before_training(self.model, self.model._heads, data, self.model._compiled.tried)

    def batch_fetcher(self, device=None):
        """A function ``index -> (inputs, targets, weights)``: batch number ``index``, on ``device``."""

        def fetch(index):
            number = index.start if isinstance(index, slice) else int(index[0])
            return self._tensors(self._batch(number)).batch_fetcher(device)(slice(None))

        return fetch

    def _batch(self, number):
        """Batch ``number`` of a Sequence; the next batch of a generator."""
        if self.is_sequence:
            return self.source[number]
        try:
            batch = next(self.source)
        except StopIteration:
            name, argument = self.method
            raise ValueError(
                f"The generator given to {name}() stopped after {self.drawn} batches, but "
                f"{argument}={self.size} asks for {self.size} per pass (each epoch draws anew). Make it "
                "loop forever (`while True:` around its loop), or give a smaller number."
            ) from None
        self.drawn += 1
        return batch

    def _tensors(self, batch):
        """One batch as an ArrayData, matched to the model's inputs and outputs."""
        x, y, sample_weight = _parts(batch, self.method[0])
        model = self.model
        inputs = match_inputs(model, x)
        if self.method[0] == "predict":
            return ArrayData(inputs)
        targets = match_targets(model, model._heads, y)
        weights = match_sample_weights(model, model._heads, targets, sample_weight, self.class_weight)
        return ArrayData(inputs, targets, weights)


class EndOfPass(Callback):
    """Calls each Sequence's ``on_epoch_end``: the training one after each epoch, the
    validation (or evaluated, or predicted) one after each of its passes."""

    def __init__(self, train=None, test=None, predict=None):
        super().__init__()
        self.sequences = {"train": train, "test": test, "predict": predict}

    def _end(self, which):
        sequence = self.sequences[which]
        if sequence is not None:
            sequence.on_epoch_end()

    def on_epoch_end(self, epoch, logs=None):
        self._end("train")

    def on_test_end(self, logs=None):
        self._end("test")

    def on_predict_end(self, logs=None):
        self._end("predict")


# ----------------------------------------------------------------------------- the methods' arguments


def fit_arguments(model, arguments):
    """``fit``'s arguments for a Sequence or generator ``x``: its batches as a BatchSource.

    Args:
        model: the model being fitted.
        arguments: the arguments ``fit`` was called with, by name.

    Raises:
        ValueError: for arguments that only arrays take (``y``, ``batch_size``,
            ``sample_weight``, ``validation_split``: the batches carry them).
    """
    arguments = {k: v for k, v in arguments.items() if k not in ("self", "kwargs")}
    _refuse_array_arguments("fit", arguments, ("y", "batch_size", "sample_weight"))
    model._require_compiled("fit")
    train = BatchSource(model, arguments["x"], arguments["steps_per_epoch"], ("fit", "steps_per_epoch"),
                        arguments["class_weight"])
    if arguments["validation_split"]:
        raise ValueError(
            f"validation_split={arguments['validation_split']} keeps aside the last samples of arrays; "
            f"a {_kind(arguments['x'])} has no last samples. Pass validation_data=... (arrays, a Sequence "
            "or a generator) instead."
        )
    train.check_first_batch()
    val, validation = None, arguments["validation_data"]
    if is_batch_source(validation):
        val = BatchSource(model, validation, arguments["validation_steps"], ("fit", "validation_steps"))
        val.check_first_batch()
        # (a pair, as validation_data is; a BatchSource carries its targets itself)
        arguments.update(validation_data=(val, None), validation_batch_size=1)
    elif validation is not None:  # arrays: batches of 32 unless told, as when x is arrays
        arguments["validation_batch_size"] = arguments.get("validation_batch_size") or 32
    end_of_pass = EndOfPass(train.source if train.is_sequence else None,
                            val.source if val is not None and val.is_sequence else None)
    arguments.update(x=train, class_weight=None, batch_size=1, callbacks=_with(arguments["callbacks"], end_of_pass),
                     shuffle=bool(arguments["shuffle"]) and train.is_sequence)
    return arguments


def evaluate_arguments(model, arguments):
    """``evaluate``'s arguments for a Sequence or generator ``x`` (see :func:`fit_arguments`)."""
    arguments = {k: v for k, v in arguments.items() if k not in ("self", "kwargs")}
    _refuse_array_arguments("evaluate", arguments, ("y", "batch_size", "sample_weight"))
    model._require_compiled("evaluate")
    data = BatchSource(model, arguments["x"], arguments["steps"], ("evaluate", "steps"))
    data.check_first_batch()
    callbacks = _with(arguments["callbacks"], EndOfPass(test=data.source if data.is_sequence else None))
    arguments.update(x=data, batch_size=1, callbacks=callbacks)
    return arguments


def predict_arguments(model, arguments):
    """``predict``'s arguments for a Sequence or generator ``x`` (see :func:`fit_arguments`)."""
    arguments = {k: v for k, v in arguments.items() if k not in ("self", "kwargs")}
    _refuse_array_arguments("predict", arguments, ("batch_size",))
    data = BatchSource(model, arguments["x"], arguments["steps"], ("predict", "steps"))
    data.check_first_batch()
    callbacks = _with(arguments["callbacks"], EndOfPass(predict=data.source if data.is_sequence else None))
    arguments.update(x=data, batch_size=1, callbacks=callbacks)
    return arguments


# ----------------------------------------------------------------------------- helpers


def _parts(batch, method):
    """``(x, y, sample_weight)`` of one batch: a tuple of 2 or 3 is the parts, anything else is ``x``."""
    if isinstance(batch, tuple):
        if len(batch) in (2, 3):
            return batch + (None,) * (3 - len(batch))
        if len(batch) == 1:
            return batch[0], None, None
        raise ValueError(
            f"A batch for {method}() is a tuple (x, y) or (x, y, sample_weight); got a tuple of "
            f"{len(batch)} parts. For a model with several inputs, give x as a list: ([x1, x2], y)."
        )
    if method != "predict":
        raise ValueError(
            f"A batch for {method}() must be a tuple (x, y) or (x, y, sample_weight); got "
            f"{type(batch).__name__}. Make the generator (or __getitem__) return x and y together."
        )
    return batch, None, None


def _refuse_array_arguments(method, arguments, names):
    for name in names:
        if arguments.get(name) is not None:
            raise ValueError(
                f"{method}({name}=...) is for arrays; with a {_kind(arguments['x'])} as x, each batch "
                f"carries it: yield (x, y) or (x, y, sample_weight), batches already of the size you want."
            )


def _with(callbacks, extra):
    given = [callbacks] if isinstance(callbacks, Callback) else list(callbacks or [])
    return given + [extra]


def _kind(source):
    return "Sequence" if isinstance(source, Sequence) else "generator"
