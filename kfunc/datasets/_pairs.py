"""Balanced same/different pairs of classes, shared by ``digit_pairs`` and ``tweet_pairs``."""

import numpy as np


def pair_classes(num_classes, n_pairs, rng):
    """Draw ``n_pairs`` pairs of class ids, exactly half of them (rounded down) the same class.

    The first class of each pair is uniform over the classes; for a "different" pair the second
    class is uniform over the other classes.

    Returns:
        ``(class_a, class_b, same)``: two int64 arrays of shape ``(n_pairs,)`` and a float32
        array of shape ``(n_pairs,)`` that is 1.0 where the classes agree and 0.0 elsewhere.
    """
    n_same = n_pairs // 2
    class_a = rng.integers(0, num_classes, size=n_pairs)
    shift = rng.integers(1, num_classes, size=n_pairs)
    shift[:n_same] = 0
    class_b = (class_a + shift) % num_classes
    order = rng.permutation(n_pairs)
    class_a, class_b = class_a[order], class_b[order]
    return class_a, class_b, (class_a == class_b).astype(np.float32)


def pick_members(labels, class_a, class_b, rng):
    """For each pair of classes, pick one example of each class from ``labels``.

    Two examples of a same-class pair are always two different examples.

    Returns:
        ``(index_a, index_b)``: int64 arrays indexing ``labels``.
    """
    index_a = np.empty(len(class_a), dtype=np.int64)
    index_b = np.empty(len(class_b), dtype=np.int64)
    for c in np.unique(np.concatenate([class_a, class_b])):
        pool = np.flatnonzero(labels == c)
        if len(pool) < 2:
            raise ValueError(f"class {c} has {len(pool)} example(s); pairs need at least 2.")
        rows_a, rows_b = class_a == c, class_b == c
        first = rng.integers(0, len(pool), size=rows_a.sum())
        index_a[rows_a] = pool[first]
        second = rng.integers(0, len(pool), size=rows_b.sum())
        # a same-class pair takes the second example at a non-zero offset from the first
        same = rows_b & (class_a == c)
        offset = rng.integers(1, len(pool), size=same.sum())
        position_a = np.searchsorted(pool, index_a[same])
        second[same[rows_b]] = (position_a + offset) % len(pool)
        index_b[rows_b] = pool[second]
    return index_a, index_b
