"""``K.function``: a part of a model's graph, as a function of numpy arrays.

Keras 2 code reads a hidden layer's activations with::

    get_hidden = K.function([model.input], [model.layers[1].output])
    hidden = get_hidden([x])[0]

As in tf.keras 2, the function is a :class:`~kfunc.Model` from ``inputs`` to
``outputs``, called on the arrays given, without computing gradients, in testing
mode; it returns numpy arrays, a list when ``outputs`` was a list.

Multi-backend Keras 2 code also passes ``K.learning_phase()`` among the inputs and
its value (0 or 1) in the call: kfunc accepts it and runs the model in training
mode for 1 (dropout active).
"""

import numpy as np
import torch

from kfunc.engine.keras_tensor import is_symbolic
from kfunc.engine.structure import flatten
from kfunc.models import Model
from kfunc.ops.tensors import to_tensor


def function(inputs, outputs, updates=None, name=None):
    """A function that computes ``outputs`` from values for ``inputs``.

    Args:
        inputs: a symbolic tensor or a list of them (``Input``s, or tensors a
            model was built from), possibly with ``K.learning_phase()`` among them.
        outputs: a symbolic tensor or a list of them, computed from ``inputs``.
        updates: Keras 2's graph updates; tf.keras 2 refuses them, and so does kfunc.
        name: the name of the model made inside (``'function'`` by default).

    Returns:
        ``f(values)``: ``values`` a list with one array per input (one array alone
        for a single input); returns one numpy array per output.

    Raises:
        ValueError: for an input that is not a symbolic tensor, for ``updates``, and
            when ``outputs`` cannot be computed from ``inputs`` (as ``Model`` explains).
    """
    if updates:
        raise ValueError(
            "K.function(..., updates=...): graph updates do not exist in kfunc (nor in tf.keras 2). "
            "Train with model.fit, or change weights with K.set_value."
        )
    several_inputs = isinstance(inputs, (list, tuple))
    inputs = list(inputs) if several_inputs else [inputs]
    phase_slots = [i for i, x in enumerate(inputs) if _is_learning_phase(x)]
    for i, x in enumerate(inputs):
        if i not in phase_slots and not is_symbolic(x):
            raise ValueError(
                f"K.function: input {i} is a {type(x).__name__}; the inputs must be symbolic "
                "tensors, such as `model.input` or an `Input`."
            )
    tensors = [x for i, x in enumerate(inputs) if i not in phase_slots]
    model = Model(tensors, list(outputs) if isinstance(outputs, (list, tuple)) else outputs, name=name or "function")
    return _ModelFunction(model, len(inputs), phase_slots, isinstance(outputs, (list, tuple)))


class _ModelFunction:
    """What :func:`function` returns: the model inside, called on arrays."""

    def __init__(self, model, count, phase_slots, several_outputs):
        self.model, self._count, self._phase_slots = model, count, phase_slots
        self._several_outputs = several_outputs

    def __call__(self, values):
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        if len(values) != self._count:
            raise ValueError(f"This function takes {self._count} input value(s) in a list, got {len(values)}.")
        training = any(bool(values[i]) for i in self._phase_slots)
        parameter = next(iter(self.model.parameters()), None)
        device = parameter.device if parameter is not None else torch.get_default_device()
        data = [to_tensor(v).to(device) for i, v in enumerate(values) if i not in self._phase_slots]
        # Layers read their mode from torch's flag; the layers may belong to another model
        # too, so each one's flag is put back afterwards.
        modes = {module: module.training for module in self.model.modules()}
        self.model.train(training)
        try:
            with torch.no_grad():
                outputs = self.model(data if len(data) > 1 else data[0])
        finally:
            for module, mode in modes.items():
                module.training = mode
        arrays = [np.asarray(t.detach().cpu()) for t in flatten(outputs)]
        return arrays if self._several_outputs else arrays[0]


def _is_learning_phase(x):
    """``K.learning_phase()`` among the inputs: the number 0 or 1 it returns."""
    return isinstance(x, int) and not isinstance(x, bool) and x in (0, 1)
