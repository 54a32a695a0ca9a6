"""Array helpers of Keras 2's ``keras.utils.np_utils``: one-hot labels and row normalization.

Old programs import them from here (``from keras.utils.np_utils import to_categorical``);
both are also ``kfunc.utils.to_categorical`` and ``kfunc.utils.normalize``.
"""

import numpy as np


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot rows for integer class labels: ``[0, 2] -> [[1, 0, 0], [0, 0, 1]]``.

    Args:
        y: integer labels, any shape (a trailing axis of size 1 is dropped).
        num_classes: the number of classes; ``max(y) + 1`` by default.

    Raises:
        ValueError: for labels that are not whole numbers, are negative, or reach
            ``num_classes``.
    """
    y = np.asarray(y)
    if y.size and not np.all(np.equal(np.mod(y, 1), 0)):
        raise ValueError("to_categorical expects whole-number class labels; some labels have a fractional part.")
    y = y.astype("int64")
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y[..., 0]
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"to_categorical: labels must lie in [0, {num_classes}); got values from {y.min()} to {y.max()}."
        )
    out = np.zeros(y.shape + (num_classes,), dtype=dtype)
    np.put_along_axis(out, y[..., None], 1, axis=-1)
    return out


def normalize(x, axis=-1, order=2):
    """``x`` scaled so that each slice along ``axis`` has (L-``order``) norm 1.

    A slice of zeros stays zeros (its norm is taken as 1), as in Keras.

    Args:
        x: an array.
        axis: the axis along which the norms are taken (the last).
        order: the norm's order (2: Euclidean; 1: sum of absolute values).

    Example:
        >>> normalize(np.array([[3.0, 4.0]]))
        array([[0.6, 0.8]])
    """
    x = np.asarray(x)
    norms = np.atleast_1d(np.linalg.norm(x, order, axis))
    norms[norms == 0] = 1
    return x / np.expand_dims(norms, axis)
