"""Synthetic news headlines whose popularity depends on their words and on when they were posted.

The guide's multi-input, multi-output model reads a headline (a sequence of word ids) and five
extra numbers about the post, and predicts whether the headline will be popular. These
headlines are made up: most words are filler, and a few come from groups of related words that
make a headline more or less popular. All words of a group have the same effect, so a trained
Embedding tends to place them close together: a lesson can look up the nearest neighbours of
``"shocking"`` and find its synonyms.
"""

import numpy as np

from ._split import check_count, split_sizes, train_test

# Each group: (effect on the popularity score, words). Effects differ between groups so that
# groups stay apart in a trained embedding; words inside a group are interchangeable.
HEADLINE_WORD_GROUPS = {
    "shock": (2.0, ("shocking", "stunning", "unbelievable", "astonishing", "jaw-dropping")),
    "animals": (1.2, ("kitten", "puppy", "panda", "otter", "hedgehog")),
    "celebrity": (0.6, ("celebrity", "superstar", "actress", "singer", "influencer")),
    "finance": (-0.6, ("quarterly", "dividend", "fiscal", "earnings", "audit")),
    "bureaucracy": (-1.2, ("committee", "subcommittee", "regulation", "procedure", "bylaw")),
    "weather": (-2.0, ("drizzle", "overcast", "humidity", "barometer", "mild")),
}

# Common words with no effect; they are frequent filler, as in real headlines.
HEADLINE_FUNCTION_WORDS = (
    "the", "a", "of", "in", "on", "to", "for", "with", "and", "after", "new", "says")

# What each column of the auxiliary input means, and its effect on the popularity score.
HEADLINE_AUX_FEATURES = (
    ("followers", 0.8, "the author's follower count, standardised (mean 0, std 1)"),
    ("weekend", 0.8, "1.0 if posted on a weekend, else 0.0"),
    ("has_image", 0.8, "1.0 if the post has a picture, else 0.0"),
    ("hour", 1.0, "hour of posting divided by 23, in [0, 1]; later posts do better"),
    ("noise", 0.0, "a random number with no effect, a distractor"),
)

_NAMED_WORDS = tuple(w for _, words in HEADLINE_WORD_GROUPS.values() for w in words) \
    + HEADLINE_FUNCTION_WORDS
_MIN_VOCAB = len(_NAMED_WORDS) + 1 + 20  # padding id 0, named words, at least 20 filler words
_NOISE = 0.5  # standard deviation of the random part of the popularity score


def headline_word_index():
    """Map the readable words of :func:`headlines` to their token ids.

    Only the words of ``HEADLINE_WORD_GROUPS`` and ``HEADLINE_FUNCTION_WORDS`` have names; they
    take the ids ``1 .. 42`` (in that order) whatever the vocabulary size. Higher ids are
    nameless filler words, and id 0 is never used (Keras keeps it for padding).

    Returns:
        A dict from word to id, like Keras's ``imdb.get_word_index()``.

    Example:
        >>> index = headline_word_index()
        >>> index["shocking"], index["stunning"], index["the"]
        (1, 2, 31)
        >>> words = {i: w for w, i in index.items()}  # the other way round
    """
    return {word: i + 1 for i, word in enumerate(_NAMED_WORDS)}


def _word_effects(vocab_size):
    """The popularity effect of every token id, a float64 array of length ``vocab_size``."""
    effects = np.zeros(vocab_size)
    index = headline_word_index()
    for effect, words in HEADLINE_WORD_GROUPS.values():
        effects[[index[w] for w in words]] = effect
    return effects


def headlines(n=5000, vocab_size=10000, maxlen=100, test_split=0.2, seed=0):
    """Headlines as word ids, five facts about each post, and whether it became popular.

    How it is made, with ``numpy.random.default_rng(seed)``:

    1. Each headline has ``maxlen`` word ids in ``[1, vocab_size)`` (no padding). It holds 0 to
       3 words drawn from ``HEADLINE_WORD_GROUPS`` (a uniform group, then a uniform word of
       it) at random places, about 30% function words (``"the"``, ``"of"``, ...) and, for the
       rest, nameless filler ids above 42 with frequencies falling as ``1 / (rank + 10)``.
    2. The auxiliary input has the five columns described in ``HEADLINE_AUX_FEATURES``:
       followers, weekend, has_image, hour, and a noise column.
    3. A popularity score adds the effects of the headline's group words, the effects of the
       auxiliary features (``HEADLINE_AUX_FEATURES`` gives each weight) and Gaussian noise
       (std 0.5). The label is 1.0 when the score is above the median score of all ``n``
       examples, so the classes are balanced.

    Neither input is enough on its own: the best use of the headline alone is right about
    75% of the time (what the guide's auxiliary output can reach), of the auxiliary input
    alone about 70%, and of both together about 90% (the main output).

    Args:
        n: number of headlines, training and test together.
        vocab_size: size of the vocabulary (the Embedding's ``input_dim``), at least 63. The
            guide uses 10000; a classroom run can use 1000.
        maxlen: number of words in each headline (the guide uses 100; try 20 to train fast).
        test_split: fraction of the headlines kept for the test set.
        seed: seed of the generator.

    Returns:
        ``(x_train, y_train), (x_test, y_test)`` where ``x`` is a dict
        ``{'main_input': headline_ids, 'aux_input': aux_features}`` keyed by the guide's input
        names: ``headline_ids`` int64 of shape ``(examples, maxlen)``, ``aux_features`` float32
        of shape ``(examples, 5)``; ``y`` is float32 of shape ``(examples,)``, 1.0 for a
        popular headline. The guide's two outputs both learn ``y``.

    Example:
        >>> (x, y), (x_test, y_test) = headlines(n=1000, vocab_size=1000, maxlen=20)
        >>> x['main_input'].shape, x['aux_input'].shape, y.shape
        ((800, 20), (800, 5), (800,))
        >>> # fit by name: model.fit(x, {'main_output': y, 'aux_output': y})
        >>> # or by position: model.fit([x['main_input'], x['aux_input']], [y, y])
    """
    n = check_count("n", n, minimum=2)
    vocab_size = check_count("vocab_size", vocab_size, minimum=_MIN_VOCAB)
    maxlen = check_count("maxlen", maxlen, minimum=3)
    n_train, _ = split_sizes(n, test_split)
    rng = np.random.default_rng(seed)

    # 1. filler words: function words, else nameless ids with Zipf-like frequencies
    first_filler = len(_NAMED_WORDS) + 1
    n_function = len(HEADLINE_FUNCTION_WORDS)
    rank = np.arange(vocab_size - first_filler)
    zipf = 1.0 / (rank + 10.0)
    ids = first_filler + rng.choice(len(rank), size=(n, maxlen), p=zipf / zipf.sum())
    is_function = rng.random((n, maxlen)) < 0.3
    ids[is_function] = first_filler - n_function + rng.integers(0, n_function, is_function.sum())

    # ... then 0 to 3 group words at distinct random places
    group_ids = np.array([[headline_word_index()[w] for w in words]
                          for _, words in HEADLINE_WORD_GROUPS.values()])
    n_keywords = rng.integers(0, 4, size=n)
    places = np.argsort(rng.random((n, maxlen)), axis=1)[:, :3]
    for k in range(3):
        rows = np.flatnonzero(n_keywords > k)
        groups = rng.integers(0, group_ids.shape[0], size=len(rows))
        words = group_ids[groups, rng.integers(0, group_ids.shape[1], size=len(rows))]
        ids[rows, places[rows, k]] = words

    # 2. the auxiliary facts about each post
    aux = np.stack([
        rng.standard_normal(n),
        (rng.random(n) < 2 / 7).astype(float),
        (rng.random(n) < 0.5).astype(float),
        rng.integers(0, 24, size=n) / 23.0,
        rng.standard_normal(n),
    ], axis=1)

    # 3. the popularity score and the balanced label
    weights = np.array([weight for _, weight, _ in HEADLINE_AUX_FEATURES])
    centred = aux - np.array([0.0, 2 / 7, 0.5, 0.5, 0.0])
    score = _word_effects(vocab_size)[ids].sum(axis=1) + centred @ weights
    score += _NOISE * rng.standard_normal(n)
    labels = (score > np.median(score)).astype(np.float32)

    x = {"main_input": ids.astype(np.int64), "aux_input": aux.astype(np.float32)}
    return train_test(x, labels, n_train)
