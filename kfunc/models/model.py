"""``kfunc.Model``: a functional model that can also be trained.

The graph, the calling and the node bookkeeping come from
:class:`~kfunc.engine.functional.Functional`; ``compile``, ``fit``, ``evaluate``,
``predict`` and saving come from :class:`~kfunc.training.trainer.Trainer`.
"""

from kfunc.engine.functional import Functional
from kfunc.training.trainer import Trainer


class Model(Trainer, Functional):
    """A model: the layers that lead from ``inputs`` to ``outputs``, ready to train.

    Args:
        inputs: an ``Input`` tensor, or a list or dict of them.
        outputs: the tensor(s) computed from them, or a list or dict of them.
        name: the model's name (``model``, ``model_1``, ... by default).

    Example:
        >>> inputs = Input(shape=(784,))
        >>> x = Dense(64, activation='relu')(inputs)
        >>> outputs = Dense(10, activation='softmax')(x)
        >>> model = Model(inputs=inputs, outputs=outputs)
        >>> model.count_params()
        50890
    """
