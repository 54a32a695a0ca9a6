"""Weights given to a layer that cannot take them, explained: no weight changes then."""

import numpy as np


def checked_weight_arrays(layer, own, weights):
    """``weights`` as numpy arrays, refused unless there is one per weight of ``own``, each of its shape."""
    if len(weights) != len(own):
        raise ValueError(
            f"Layer {layer.name!r} has {len(own)} weight(s) "
            f"({', '.join(str(tuple(w.shape)) for w in own) or 'none'}), but "
            f"set_weights received {len(weights)} array(s). Pass a list like the one "
            "`get_weights()` returns."
        )
    arrays = [np.asarray(a) for a in weights]
    for w, a in zip(own, arrays):
        if tuple(w.shape) != tuple(a.shape):
            raise ValueError(
                f"Layer {layer.name!r}: a weight of shape {tuple(w.shape)} was given an "
                f"array of shape {tuple(a.shape)}. No weight was changed."
            )
    return arrays


def not_built_error(layer):
    """Asked for the weights of a layer that has none yet."""
    return ValueError(
        f"Layer {layer.name!r} has no weights yet: it is built on its first call. "
        "Call it on an input (or give the model an input shape) first."
    )


# What tf.keras's and Keras 3's add_weight take for TensorFlow's own machinery: nothing to do in torch.
_TF_WEIGHT_OPTIONS = {"use_resource", "synchronization", "aggregation", "partitioner", "caching_device", "getter",
                      "experimental_autocast", "autocast", "overwrite_with_gradient"}


def check_weight_options(layer, options):
    """Refuse a keyword that ``add_weight`` does not know (a typo), naming the layer."""
    unknown = sorted(set(options) - _TF_WEIGHT_OPTIONS)
    if unknown:
        raise TypeError(
            f"Layer {layer.name!r}: add_weight() got an unknown argument {unknown[0]!r}. It takes name, shape, "
            "dtype, initializer, regularizer, trainable and constraint."
        )
