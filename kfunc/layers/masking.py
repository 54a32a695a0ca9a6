"""``Masking``: mark the steps of a sequence that are padding.

Sequences of different lengths are padded to one length. ``Masking(mask_value=0.0)``
marks a step as padding when every feature of it equals ``mask_value``; the layers
after it that understand masks (the recurrent layers, ``GlobalAveragePooling1D``,
the merges) then leave those steps out. See :mod:`kfunc.engine.masking`.
"""

import torch

from kfunc.engine.layer import Layer

__all__ = ["Masking"]


class Masking(Layer):
    """Mark padded steps, and zero them.

    Args:
        mask_value: the value that fills a padded step; a step whose features all
            equal it is padding.

    Example:
        >>> x = Input(shape=(None, 3))
        >>> Masking()(x)._keras_mask.shape
        (None, None)
    """

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value

    def compute_mask(self, inputs, mask=None):
        return (inputs != self.mask_value).any(dim=-1)

    def call(self, inputs):
        keep = self.compute_mask(inputs)
        return inputs * keep.unsqueeze(-1).to(inputs.dtype)

    def get_config(self):
        config = super().get_config()
        config.update(mask_value=self.mask_value)
        return config
