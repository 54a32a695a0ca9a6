"""Masks: which steps of a sequence are padding, carried along with the tensors.

``Embedding(mask_zero=True)`` and ``Masking`` mark padded steps. The mark travels as an
attribute of the tensor, ``tensor._keras_mask`` (a boolean tensor, ``True`` for real
steps), exactly as in tf.keras: each layer call reads the mask of its input, gives it
to ``call(..., mask=)`` when ``call`` takes it (an LSTM skips the padded steps), and
sets on its outputs the mask that ``compute_mask`` returns: the same mask for layers
that keep the steps (``supports_masking``), none for layers that do not.

While a model is described the same happens on the meta stand-ins of shape inference,
so a symbolic tensor knows its mask too (``x._keras_mask``, a symbolic boolean tensor).
"""

from kfunc.engine.structure import flatten


def mask_of(inputs):
    """The mask of ``inputs``: one tensor's mask, a list of masks for a list of tensors, or None."""
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(t, "_keras_mask", None) for t in inputs]
        return masks if any(m is not None for m in masks) else None
    return getattr(inputs, "_keras_mask", None)


def attach(outputs, masks):
    """Set ``_keras_mask`` on each output tensor: one mask for all, or one per output.

    As in tf.keras, nothing is set when there is no mask (a layer that returns its
    input keeps the input's mask), and outputs past the end of a list of masks get none.
    """
    if masks is None:
        return
    tensors = flatten(outputs)
    masks = flatten(masks) if isinstance(masks, (list, tuple)) else [masks] * len(tensors)
    for tensor, mask in zip(tensors, masks):
        try:
            tensor._keras_mask = mask
        except AttributeError:  # not a tensor (a layer may return anything)
            pass
