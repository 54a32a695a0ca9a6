"""``kfunc.Model``: a functional model that can also be trained and saved.

The graph, the calling and the node bookkeeping come from
:class:`~kfunc.engine.functional.Functional`; ``compile``, ``fit``, ``evaluate``
and ``predict`` from :class:`~kfunc.training.trainer.Trainer`; saving, here, from
the functions of :mod:`kfunc.models.saving`.
"""

from kfunc.engine.functional import Functional
from kfunc.models import saving
from kfunc.training import distributed
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

    def save(self, filepath, overwrite=True, include_optimizer=True, **kwargs):
        """Save the architecture, the weights and the compile settings in one file.

        ``kfunc.models.load_model(filepath)`` makes the model again. Under torchrun,
        process 0 writes the file.
        """
        if distributed.is_chief():
            saving.save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        """Save the weights (only) to exactly ``filepath`` (under torchrun, from process 0)."""
        if distributed.is_chief():
            saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False):
        """Load weights saved by ``save_weights`` (or ``save``); refuses other architectures."""
        saving.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The model (without weights) that ``model.get_config()`` describes."""
        return saving.rebuild_model(cls, config, custom_objects)

    def to_json(self, **kwargs):
        """The architecture as JSON text (``kfunc.models.saving.model_from_json`` reads it)."""
        return saving.model_to_json(self, **kwargs)
