"""What a model's layers add to each training step, beyond the compiled losses.

Keras adds to the loss that ``fit`` minimizes, and reports as ``loss``:

1. the penalties on weights (``kernel_regularizer=``, ``add_weight(regularizer=)``),
   computed from the current weights;
2. the losses that layers add during the step's forward pass (activity penalties,
   ``add_loss`` in ``call``, ``model.add_loss(tensor)``; see :mod:`kfunc.added_losses`);
3. the values of the loss functions given to ``add_loss(function)``.

After each optimizer step, it brings every weight that has a constraint
(``kernel_constraint=``, see :mod:`kfunc.constraints`) back to it. Evaluation adds
the same losses, and changes no weight.

The per-output losses (``<output>_loss``) stay the compiled ones, as in Keras.
"""

import torch

from kfunc import added_losses
from kfunc.layers.regularization import AddLoss


class StepExtras:
    """The extra losses and the constraints of ``model``, read once per run of steps.

    Args:
        model: the model being trained or evaluated.
        training: whether the steps update the weights (then a step needs a loss).
    """

    def __init__(self, model, training):
        layers = model._layer_tree()
        self.model_name, self.training = model.name, training
        self.penalties = [(layer, name, rule) for layer in layers for name, rule in layer._regularizers.items()
                          if rule is not None]
        self.constraints = [(layer, name, rule) for layer in layers for name, rule in layer._constraints.items()
                            if rule is not None]
        self.functions = [f for layer in layers for f in layer._loss_functions]

    # Called right before the step's forward pass: what the layers add from then on is the step's.
    collect = staticmethod(added_losses.collect)

    def total(self, loss):
        """The compiled ``loss`` (None without one) plus the penalties and the added losses.

        Raises:
            ValueError: when training and there is no loss at all.
        """
        terms = [rule(layer._weight(name)) for layer, name, rule in self.penalties]
        terms += added_losses.collected_losses() + [function() for function in self.functions]
        for term in terms:
            loss = term if loss is None else loss + term
        if loss is None and self.training:
            raise ValueError(
                f"Model {self.model_name!r} was compiled without a loss, and none of its layers adds one; "
                "fit needs one: compile(loss=...), or model.add_loss(...)."
            )
        return loss

    def constrain(self):
        """Bring every constrained, trainable weight back to its constraint (after an optimizer step)."""
        if not self.constraints:
            return
        with torch.no_grad():
            for layer, name, rule in self.constraints:
                weight = layer._weight(name)
                if weight.requires_grad:
                    weight.copy_(rule(weight))


def may_add_losses(model):
    """Whether ``model`` could add a loss of its own: a penalty, a loss function or ``add_loss``
    layer, an activity regularizer, or a layer class of the user's (its ``call`` may add one)."""
    return any(
        any(r is not None for r in layer._regularizers.values()) or layer._loss_functions
        or layer.activity_regularizer is not None or isinstance(layer, AddLoss)
        or not type(layer).__module__.startswith("kfunc.")
        for layer in model._layer_tree()
    )
