"""What ``compile`` decides, kept for ``fit``, ``evaluate`` and ``predict``.

``model.compile(...)`` checks its arguments and keeps its decisions in one
:class:`CompileSettings`, ``model._compiled``:

1. per output, the loss, the loss's weight in the total and the metrics: the
   output's *head* (see :mod:`kfunc.training.heads`), made as soon as the model
   knows its outputs (a ``Sequential`` may learn them only from the first data);
2. the running values that ``fit`` reports, over those heads
   (:class:`~kfunc.training.tracker.EpochTracker`);
3. which weights train: Keras fixes it at ``compile``, until the next ``compile``.

The optimizer is the model's own attribute, ``model.optimizer``, as in Keras.
How batches run (the dtype policy in force, ``jit_compile``, ``device``) goes to
the model's new :class:`~kfunc.training.steps.StepFactory`, ``model._steps``.
"""

import contextlib

from kfunc.training.heads import build_heads
from kfunc.training.tracker import EpochTracker


class CompileSettings:
    """The arguments of one ``compile`` call, and what training needs from them.

    Args:
        model: the model being compiled.
        loss, metrics, loss_weights, weighted_metrics, sample_weight_mode:
            ``compile``'s arguments (see ``Model.compile``).

    Raises:
        ValueError: for an unknown loss or metric name, or a list or dict that does
            not match the model's outputs (before the model changes).
    """

    def __init__(self, model, loss=None, metrics=None, loss_weights=None, weighted_metrics=None,
                 sample_weight_mode=None):
        self.loss, self.metrics, self.loss_weights = loss, metrics, loss_weights
        self.weighted_metrics, self.sample_weight_mode = weighted_metrics, sample_weight_mode
        self.heads = self.tracker = None
        if model.outputs:  # (a Sequential may still wait for its input shape)
            self.build_heads(model)
        self.trainable = {layer: layer._trainable for layer in model._layer_tree()}
        self.tried = set()  # data shapes already tried on two samples (see checks.check_before_training)

    def build_heads(self, model):
        """Make the output heads and their tracker, from the model's outputs."""
        self.heads = build_heads(model, self.loss, self.loss_weights, self.metrics, self.weighted_metrics)
        self.tracker = EpochTracker(self.heads)

    @contextlib.contextmanager
    def trainable_as_compiled(self):
        """Train the weights that were trainable at ``compile``, as Keras does.

        Setting ``layer.trainable`` after ``compile`` takes effect at the next
        ``compile``; until then ``fit`` trains the weights as they were compiled.
        """
        changed = []
        for layer, trainable in self.trainable.items():
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
