"""Pairs of real digit images labelled "same digit" or "different digits"."""

import numpy as np

from ._pairs import pair_classes, pick_members
from ._split import check_count, split_sizes
from .digits import digits


def digit_pairs(n=2000, size=27, test_split=0.2, seed=0):
    """Pairs of hand-written digits, labelled 1.0 when both show the same digit.

    How it is made: the images of :func:`digits` (scikit-learn's real 8x8 digits enlarged to
    ``size x size``, values in [0, 1]) are first split into a training pool and a test pool,
    so that no test pair reuses a training image. Pairs are then drawn within each pool:
    exactly half of them (rounded down) show the same digit twice (two different images of
    it), the others two different digits; the digits are uniform. Everything is drawn with
    ``numpy.random.default_rng(seed)``.

    A note for models: a head that is one ``Dense`` layer on the concatenation of two
    encodings computes ``f(a) + g(b)``, which cannot express "same digit" (an equality, not a
    sum). On these balanced pairs a sum can still beat chance: ranking the digits and answering
    "same" when *a* ranks at least as high as *b* gets 75%, the best a sum of per-digit scores
    can do. Trained for a few epochs, such a model stays between 50% and 65%. A hidden
    ``Dense`` layer with ``relu`` after the merge, or merging with ``subtract``/``multiply``,
    lets it compare the two.

    Args:
        n: number of pairs, training and test together.
        size: side of each image; the guide's shared vision model uses 27.
        test_split: fraction of the pairs (and of the digit images) kept for the test set.
        seed: seed of the draw.

    Returns:
        ``([a_train, b_train], y_train), ([a_test, b_test], y_test)``: ``a`` and ``b`` are
        float32 arrays of shape ``(pairs, size, size, 1)`` with values in [0, 1]; ``y`` is
        float32 of shape ``(pairs,)``, 1.0 for the same digit and 0.0 otherwise. With the
        defaults, 1,600 training and 400 test pairs.

    Example:
        >>> ([a, b], y), ([a_test, b_test], y_test) = digit_pairs(n=1000)
        >>> a.shape, b.shape, y.shape, y.mean()
        ((800, 27, 27, 1), (800, 27, 27, 1), (800,), np.float32(0.5))
    """
    n = check_count("n", n, minimum=2)
    n_train, n_test = split_sizes(n, test_split)
    (x_pool, y_pool), (x_test_pool, y_test_pool) = digits(
        shape=(size, size, 1), one_hot=False, test_split=test_split if n_test else 0.0, seed=seed)
    rng = np.random.default_rng(seed)

    def draw(images, labels, count):
        class_a, class_b, same = pair_classes(10, count, rng)
        index_a, index_b = pick_members(labels, class_a, class_b, rng)
        return [images[index_a], images[index_b]], same

    train = draw(x_pool, y_pool, n_train)
    test = draw(x_test_pool, y_test_pool, n_test)
    return train, test
