"""Pairs of synthetic "tweets", one-hot character by character, labelled "same author" or not.

Each made-up author has a style: a few favourite characters used far more often than by
others, favourite character pairs (after a given character, the same next one), and a usual
tweet length. Telling two authors apart means noticing these habits, which an LSTM reading the
characters one by one can learn.
"""

import numpy as np

from ._pairs import pair_classes
from ._split import check_count, split_sizes, train_test

_FAVOURITE_SHARE = 0.5  # share of an author's characters drawn from their favourites
_BIGRAM_HABIT = 0.3  # chance that a character is the author's usual successor of the previous one


def _author_styles(authors, alphabet, rng):
    """Draw each author's character probabilities, usual successors and usual length fraction."""
    # characters are not all equally common in any text: a Zipf-like base frequency
    common_order = rng.permutation(alphabet)
    base = np.empty(alphabet)
    base[common_order] = 1.0 / (np.arange(alphabet) + 5.0)
    base /= base.sum()

    n_favourites = max(1, min(8, alphabet // (2 * authors)))
    favourites = rng.permutation(alphabet)[: authors * n_favourites].reshape(authors, n_favourites)
    probabilities = np.tile(base * (1 - _FAVOURITE_SHARE), (authors, 1))
    for author in range(authors):
        probabilities[author, favourites[author]] += _FAVOURITE_SHARE / n_favourites

    successors = rng.integers(0, alphabet, size=(authors, alphabet))
    length_fraction = rng.permutation(np.linspace(0.35, 0.95, authors))
    return probabilities, successors, length_fraction


def _write_tweets(writers, length, alphabet, styles, rng):
    """Write one tweet per author id in ``writers``, one-hot ``(count, length, alphabet)``."""
    probabilities, successors, length_fraction = styles
    count = len(writers)

    # 1. characters drawn from each author's own frequencies
    chars = np.empty((count, length), dtype=np.int64)
    for author in np.unique(writers):
        rows = np.flatnonzero(writers == author)
        chars[rows] = rng.choice(alphabet, size=(len(rows), length), p=probabilities[author])

    # 2. habits: often, a character is the author's usual successor of the one before it
    habit = rng.random((count, length)) < _BIGRAM_HABIT
    for t in range(1, length):
        follow = successors[writers, chars[:, t - 1]]
        chars[:, t] = np.where(habit[:, t], follow, chars[:, t])

    # 3. a length near the author's usual one; the text sits at the end, zeros before it
    usual = length_fraction[writers] * length
    sizes = np.clip(np.rint(usual * (1 + 0.15 * rng.standard_normal(count))), 4, length)
    written = np.arange(length)[None, :] >= (length - sizes)[:, None]

    tweets = np.zeros((count, length, alphabet), dtype=np.float32)
    row, step = np.nonzero(written)
    tweets[row, step, chars[row, step]] = 1.0
    return tweets


def tweet_pairs(n=500, length=140, alphabet=256, authors=4, test_split=0.2, seed=0):
    """Pairs of one-hot tweets, labelled 1.0 when the same author wrote both.

    How it is made, with ``numpy.random.default_rng(seed)``:

    1. Each of ``authors`` authors gets a style: a Zipf-like base frequency of characters
       (shared by all), a handful of favourite characters of their own that make up half of
       what they write, a usual successor for every character (followed 30% of the time), and
       a usual tweet length between 35% and 95% of ``length``.
    2. Pairs of authors are drawn for the training and the test set, in each exactly half of
       them (rounded down) the same author twice; each author in a pair writes a new tweet
       (so no tweet appears twice).
    3. A tweet of ``k`` characters fills the last ``k`` time steps, one-hot; the time steps
       before it are all zeros (padding at the start, as Keras's ``pad_sequences`` does).

    A note for models: a head that is one ``Dense`` layer on the concatenation of the two
    encodings computes ``f(a) + g(b)``, which cannot express "same author" (it is an equality,
    not a sum) and stays well below what the data allows; a hidden ``Dense`` layer with
    ``relu`` after the merge lets the model compare the two encodings.

    Args:
        n: number of pairs, training and test together. Each pair holds ``2 * length *
            alphabet`` float32 numbers: 280 KiB at the guide's shape, so keep ``n`` modest
            there, or use e.g. ``length=40, alphabet=32`` to train fast.
        length: time steps per tweet (the guide uses 140).
        alphabet: size of the one-hot character vectors (the guide uses 256), at least
            ``2 * authors``.
        authors: number of authors, at least 2.
        test_split: fraction of the pairs kept for the test set.
        seed: seed of the generator.

    Returns:
        ``([a_train, b_train], y_train), ([a_test, b_test], y_test)``: ``a`` and ``b`` are
        float32 of shape ``(pairs, length, alphabet)`` with one 1.0 per written time step and
        zero rows for padding; ``y`` is float32 of shape ``(pairs,)``, 1.0 for the same author.

    Example:
        >>> ([a, b], y), _ = tweet_pairs(n=1000, length=40, alphabet=32)
        >>> a.shape, y.shape, y.mean()
        ((800, 40, 32), (800,), np.float32(0.5))
    """
    n = check_count("n", n, minimum=2)
    length = check_count("length", length, minimum=4)
    authors = check_count("authors", authors, minimum=2)
    alphabet = check_count("alphabet", alphabet, minimum=2 * authors)
    n_train, _ = split_sizes(n, test_split)
    rng = np.random.default_rng(seed)

    styles = _author_styles(authors, alphabet, rng)
    # pairs drawn for each split on its own, so that both splits are exactly balanced
    splits = pair_classes(authors, n_train, rng), pair_classes(authors, n - n_train, rng)
    author_a, author_b, same = (np.concatenate(parts) for parts in zip(*splits))
    tweets = _write_tweets(np.concatenate([author_a, author_b]), length, alphabet, styles, rng)
    return train_test([tweets[:n], tweets[n:]], same, n_train)
