"""Losses and metrics that layers add to training, beyond those given to ``compile``.

Keras lets a layer add terms to the loss that ``fit`` minimizes:

* **weight penalties**: ``Dense(64, kernel_regularizer=l2(0.01))``, or
  ``add_weight(regularizer=...)`` in a custom layer; computed from the weights at
  every step (see :mod:`kfunc.regularizers`);
* **activity penalties**: ``activity_regularizer=``, computed from the layer's
  outputs at every call, divided by the batch size (as tf.keras does);
* ``self.add_loss(tensor)`` inside a custom layer's ``call``: a value of that call;
* ``add_loss(function)``: a function of no argument, called at every step;
* ``model.add_loss(symbolic tensor)``: a value that the model's own graph computes
  (the VAE's KL term, see :meth:`kfunc.models.Model.add_loss`).

and ``add_metric(value, name=...)`` reports a value in the logs under ``name``,
averaged over the batches. ``fit`` and ``evaluate`` add the losses to the compiled
ones (see :mod:`kfunc.training.extras`); ``layer.losses`` lists them.

A value added during a call is kept by the layer until its next call (so
``layer.losses`` shows those of the latest call), and goes to the training or
evaluation step that is running, if any: the step collects every value added
during its forward pass, however many times a shared layer ran in it.
"""

import torch

from kfunc import regularizers


class _StepValues:
    """The values added during the forward pass of the running step (see :func:`collect`)."""

    def __init__(self):
        self.collecting = False
        self.losses, self.metrics = [], []  # scalar tensors; (name, tensor) pairs


_STEP = _StepValues()


def collect():
    """Start collecting the values that layers add: a training or evaluation step's forward pass begins."""
    _STEP.collecting, _STEP.losses, _STEP.metrics = True, [], []


def collected_losses():
    """The losses added since :func:`collect` (activity penalties, ``add_loss`` values); collecting stops."""
    _STEP.collecting = False
    return _STEP.losses


def collected_metrics():
    """The ``(name, value)`` pairs of ``add_metric`` since :func:`collect`."""
    return _STEP.metrics


class AddedLosses:
    """The part of :class:`~kfunc.engine.layer.Layer` that adds losses and metrics to training.

    Args:
        trainable: for the weights (the next class of the layer).
        activity_regularizer: a penalty on the layer's outputs, a name or an object
            of :mod:`kfunc.regularizers`.
    """

    def __init__(self, trainable=True, activity_regularizer=None):
        super().__init__(trainable)
        self.activity_regularizer = regularizers.get(activity_regularizer, "activity_regularizer")
        self._call_losses = []  # the values added during the latest call
        self._loss_functions = []  # add_loss(function)

    def add_loss(self, losses, inputs=None):
        """Add a loss (or a list of them) to the loss that ``fit`` minimizes and reports.

        Args:
            losses: a tensor computed in ``call`` (a value of this call; a tensor of
                several numbers counts as their sum), a function of no argument
                (called at every step, e.g. a penalty on a weight), or, on a model,
                a symbolic tensor of the model (the VAE pattern).
            inputs: accepted for Keras 2's signature, not needed.

        Raises:
            TypeError: for anything else (a symbolic tensor given to a layer that is
                not a model).
        """
        for value in losses if isinstance(losses, (list, tuple)) else [losses]:
            if isinstance(value, (torch.Tensor, int, float)):
                self._add_call_loss(torch.as_tensor(value))
            elif callable(value):
                self._loss_functions.append(value)
            else:
                self._add_symbolic_loss(value)

    def add_metric(self, value, name=None, aggregation=None):
        """Report ``value`` in the logs of ``fit`` and ``evaluate`` under ``name``, averaged over the batches.

        Args:
            value: a tensor computed in ``call`` or, on a model, a symbolic tensor of
                the model. A tensor of several numbers is averaged first.
            name: the name in the logs (and in ``History``); required.
            aggregation: ``None`` or ``'mean'`` (tf.keras 2's choices: both average).

        Raises:
            ValueError: without a ``name``, or for another aggregation.
        """
        if not name:
            raise ValueError(f"Layer {self.name!r}: add_metric needs the name to report the value under, e.g. "
                             "self.add_metric(value, name='mean_activation').")
        if aggregation not in (None, "mean"):
            raise ValueError(f"add_metric(aggregation={aggregation!r}): only 'mean' (or None) is supported: the value "
                             "is averaged over the batches.")
        if not isinstance(value, torch.Tensor):
            return self._add_symbolic_metric(value, name, aggregation)
        if _STEP.collecting and not value.is_meta:
            _STEP.metrics.append((name, value.detach()))

    @property
    def losses(self):
        """The losses of this layer and the layers it holds, as Keras lists them.

        For each layer: the values added during its latest call (activity
        penalties, ``add_loss`` in ``call``), then those of its loss functions and the
        penalties on its weights, computed now.
        """
        self.materialize()
        values = []
        for layer in self._layer_tree():
            values += layer._call_losses + [function() for function in layer._loss_functions]
            values += [rule(layer._weight(n)) for n, rule in layer._regularizers.items() if rule is not None]
        return values

    # ------------------------------------------------------------------ inside a call

    def _add_activity_penalty(self, outputs):
        """The activity penalty on the outputs of a call: the mean penalty of a sample, as tf.keras."""
        for output in _tensors(outputs):
            if output.is_floating_point() and output.dim():
                self._add_call_loss(self.activity_regularizer(output) / output.shape[0])

    def _add_call_loss(self, value):
        if value.is_meta:
            return  # shape inference: there are no values yet
        value = value.sum() if value.dim() else value
        self._call_losses.append(value)
        if _STEP.collecting:
            _STEP.losses.append(value)

    def _add_symbolic_loss(self, value):
        raise TypeError(
            f"Layer {self.name!r}: add_loss takes a tensor computed in call(), or a function of no argument; got "
            f"{type(value).__name__}. A loss computed from symbolic tensors belongs to the model: model.add_loss(...)."
        )

    def _add_symbolic_metric(self, value, name, aggregation):
        raise TypeError(
            f"Layer {self.name!r}: add_metric takes a tensor computed in call(); got {type(value).__name__}. "
            "A metric computed from symbolic tensors belongs to the model: model.add_metric(..., name=...)."
        )

    def _losses_config(self):
        """The activity regularizer for ``get_config``, when there is one (as Keras writes it)."""
        if self.activity_regularizer is None:
            return {}
        return {"activity_regularizer": regularizers.serialize(self.activity_regularizer)}


def _tensors(outputs):
    """The tensors in a call's outputs (one tensor, or a list, tuple or dict of them)."""
    if isinstance(outputs, torch.Tensor):
        return [outputs]
    items = outputs.values() if isinstance(outputs, dict) else outputs if isinstance(outputs, (list, tuple)) else []
    return [t for item in items for t in _tensors(item)]
