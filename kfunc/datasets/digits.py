"""Real hand-written digits: scikit-learn's 8x8 images, enlarged to MNIST-like sizes.

scikit-learn ships 1,797 scanned digits (0-9) of 8x8 pixels inside the package, so they load
without any download. The guide's models expect MNIST's 28x28 images (784 values when flattened)
or 27x27 ones, so ``digits`` enlarges each image with bilinear interpolation.
"""

import functools
import math

import numpy as np

from ._split import check_count, split_sizes, train_test


@functools.lru_cache(maxsize=1)
def _raw_digits():
    """scikit-learn's digits as ``(images, labels)``: float64 (1797, 8, 8) in [0, 16], int64."""
    from sklearn.datasets import load_digits  # imported here: importing sklearn takes ~1 s

    bunch = load_digits()
    images, labels = bunch.images.copy(), bunch.target.astype(np.int64)
    images.flags.writeable = labels.flags.writeable = False
    return images, labels


def _bilinear_weights(size_in, size_out):
    """A ``(size_out, size_in)`` matrix that resizes one axis by bilinear interpolation.

    Pixel centres are lined up as in most image libraries (``align_corners=False``): output
    pixel ``i`` samples the input at ``(i + 0.5) * size_in / size_out - 0.5``, clamped to the
    edge, and mixes the two nearest input pixels by distance.
    """
    position = (np.arange(size_out) + 0.5) * size_in / size_out - 0.5
    position = np.clip(position, 0, size_in - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, size_in - 1)
    weight_high = position - low
    matrix = np.zeros((size_out, size_in))
    matrix[np.arange(size_out), low] += 1 - weight_high
    matrix[np.arange(size_out), high] += weight_high
    return matrix


def resize_images(images, size):
    """Resize square grey images ``(n, h, w)`` to ``(n, size, size)`` by bilinear interpolation.

    Bilinear interpolation is a weighted average of input pixels, so values stay in the input's
    range.
    """
    rows = _bilinear_weights(images.shape[1], size)
    cols = _bilinear_weights(images.shape[2], size)
    return rows @ images @ cols.T


def _image_side(shape):
    """The image side for a shape ``(d,)`` with d a square number, ``(s, s)`` or ``(s, s, 1)``."""
    shape = tuple(shape)
    if len(shape) == 1 and shape[0] >= 1 and math.isqrt(shape[0]) ** 2 == shape[0]:
        return math.isqrt(shape[0])
    if len(shape) in (2, 3) and shape[0] == shape[1] and shape[2:] in ((), (1,)):
        return shape[0]
    raise ValueError(
        f"digits cannot make images of shape {shape}: use (d,) with d a square number such as "
        "(784,), or (s, s), or (s, s, 1) such as (28, 28, 1) or (27, 27, 1).")


def digits(shape=(784,), num_classes=10, one_hot=True, test_split=0.2, seed=0):
    """Real hand-written digits, enlarged from 8x8 to MNIST-like images.

    How it is made: scikit-learn's 1,797 digit scans (8x8 pixels, grey levels 0-16) are
    scaled to [0, 1], enlarged with bilinear interpolation to ``s x s`` pixels (so they look
    smooth rather than blocky), and reshaped to ``shape``. Digits ``>= num_classes`` are left
    out. The examples are shuffled with ``numpy.random.default_rng(seed)`` and the last
    ``round(n * test_split)`` of them form the test set. The classes are roughly balanced
    (about 180 images per digit).

    Args:
        shape: the shape of one image: ``(784,)`` (28x28 flattened row by row, for Dense
            layers), ``(28, 28, 1)`` or ``(27, 27, 1)`` (channels-last, for Conv2D), or any
            ``(d,)`` with ``d`` a square number, ``(s, s)`` or ``(s, s, 1)``.
        num_classes: keep the digits ``0 .. num_classes - 1`` (2 to 10).
        one_hot: labels as one-hot float32 rows of length ``num_classes`` (for
            ``categorical_crossentropy``); if False, int64 digit values.
        test_split: fraction of the examples kept for the test set.
        seed: seed of the shuffle.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` is float32 of shape ``(n,) + shape``
        with values in [0, 1]; ``y`` is float32 ``(n, num_classes)`` or int64 ``(n,)``. With the
        defaults, 1,438 training and 359 test images.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = digits()
        >>> x_train.shape, y_train.shape, x_train.dtype
        ((1438, 784), (1438, 10), dtype('float32'))
        >>> (x, y), _ = digits(shape=(27, 27, 1), one_hot=False)
        >>> x.shape, y[:5]
        ((1438, 27, 27, 1), array([6, 6, 6, 2, 5]))
    """
    side = _image_side(shape)
    num_classes = check_count("num_classes", num_classes, minimum=2)
    if num_classes > 10:
        raise ValueError(
            f"there are only 10 digits; num_classes must be 2 to 10, got {num_classes}.")
    images, labels = _raw_digits()
    keep = labels < num_classes
    images, labels = images[keep], labels[keep]

    order = np.random.default_rng(seed).permutation(len(labels))
    images, labels = images[order] / 16.0, labels[order]
    x = resize_images(images, side).reshape((len(labels),) + tuple(shape)).astype(np.float32)
    np.clip(x, 0.0, 1.0, out=x)  # guard against rounding just outside [0, 1]
    y = np.eye(num_classes, dtype=np.float32)[labels] if one_hot else labels

    n_train, _ = split_sizes(len(labels), test_split)
    return train_test(x, y, n_train)
