"""Regularization in layers: ``ActivityRegularization``, the layers behind ``model.add_loss``,
and how layers take their ``*_regularizer`` and ``*_constraint`` arguments.

``ActivityRegularization(l1, l2)`` passes its input on unchanged and adds a penalty
on it to the training loss. ``AddLoss`` and ``AddMetric`` are what
``model.add_loss(tensor)`` and ``model.add_metric(tensor, name=...)`` put into a
model's graph, as tf.keras does: they pass their input on and add it as a loss (or
report it as a metric) at every forward pass. The model computes them without
returning them, so its outputs stay as they were.
"""

__all__ = ["ActivityRegularization", "AddLoss", "AddMetric"]

from kfunc import constraints, regularizers
from kfunc.engine.layer import Layer


class ActivityRegularization(Layer):
    """Pass the input on, and add ``l1 * sum(|x|) + l2 * sum(x ** 2)`` (per sample) to the loss.

    Args:
        l1: the factor of the absolute values (0 by default).
        l2: the factor of the squares (0 by default).

    Example:
        >>> x = ActivityRegularization(l1=1e-5)(Dense(64, activation='relu')(inputs))
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = l1, l2

    def call(self, inputs):
        return inputs

    def get_config(self):
        config = super().get_config()
        del config["activity_regularizer"]  # (l1 and l2 make it again)
        config.update(l1=self.l1, l2=self.l2)
        return config


class AddLoss(Layer):
    """Pass the input on, and add it to the training loss (``model.add_loss`` makes one)."""

    def call(self, inputs):
        self.add_loss(inputs)
        return inputs


class AddMetric(Layer):
    """Pass the input on, and report it under ``metric_name`` (``model.add_metric`` makes one).

    Args:
        metric_name: the name in the logs.
        aggregation: ``None`` or ``'mean'``: the value is averaged over the batches.
    """

    def __init__(self, metric_name=None, aggregation=None, **kwargs):
        super().__init__(**kwargs)
        self.metric_name, self.aggregation = metric_name, aggregation

    def call(self, inputs):
        self.add_metric(inputs, name=self.metric_name, aggregation=self.aggregation)
        return inputs

    def get_config(self):
        config = super().get_config()
        config.update(metric_name=self.metric_name, aggregation=self.aggregation)
        return config


def set_weight_options(layer, **given):
    """Set each ``<weight>_regularizer`` and ``<weight>_constraint`` argument on ``layer``, resolved.

    Raises:
        ValueError, TypeError: for a value that is no regularizer (or constraint),
            naming the layer and the argument, and listing the valid names.
    """
    for argument, value in given.items():
        module = regularizers if argument.endswith("_regularizer") else constraints
        try:
            setattr(layer, argument, module.get(value, argument))
        except (TypeError, ValueError) as err:
            raise type(err)(f"{type(layer).__name__} {layer.name!r}: {err}") from None


def weight_options_config(layer, *arguments):
    """The ``arguments`` that were given, as Keras writes them in ``get_config`` (those left at None are left out)."""
    config = {}
    for argument in arguments:
        value = getattr(layer, argument)
        if value is not None:
            module = regularizers if argument.endswith("_regularizer") else constraints
            config[argument] = module.serialize(value)
    return config
