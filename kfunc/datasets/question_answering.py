"""Questions, each with a relevant and an irrelevant answer, as sequences of word ids.

The guide's question-answering model learns an embedding space where a question sits close to
its relevant answers. In these made-up data, every question is about one topic (cooking,
football, astronomy, ...) and uses a few of that topic's words; the relevant ("good") answer
uses words of the same topic, the irrelevant ("bad") answer words of another topic. Both
answers are built alike, so only their relation to the question tells them apart.
"""

import numpy as np

from ._split import check_count, split_sizes, train_test

QA_TOPICS = {
    "cooking": ("recipe", "oven", "flour", "simmer", "garlic", "bake", "sauce", "knife"),
    "football": ("goal", "striker", "referee", "penalty", "league", "keeper", "pitch", "offside"),
    "astronomy": ("planet", "orbit", "comet", "telescope", "galaxy", "nebula", "moon", "star"),
    "music": ("guitar", "chord", "melody", "rhythm", "drummer", "tempo", "song", "piano"),
    "gardening": ("soil", "seed", "compost", "tulip", "prune", "weeds", "hedge", "bulb"),
    "computing": ("compiler", "kernel", "memory", "python", "debug", "server", "cache", "bug"),
    "travel": ("passport", "flight", "hotel", "luggage", "visa", "airport", "train", "map"),
    "medicine": ("doctor", "fever", "vaccine", "dose", "nurse", "clinic", "symptom", "pill"),
}
QA_QUESTION_WORDS = ("what", "how", "why", "when", "which", "where", "who", "can")
QA_COMMON_WORDS = ("the", "a", "is", "it", "you", "to", "and", "of", "in", "your", "do",
                   "should", "best", "because", "usually", "with")

_NAMED_WORDS = tuple(w for words in QA_TOPICS.values() for w in words) \
    + QA_QUESTION_WORDS + QA_COMMON_WORDS
_MIN_VOCAB = len(_NAMED_WORDS) + 1 + 20  # padding id 0, named words, at least 20 filler words


def qa_word_index():
    """Map the readable words of :func:`qa_triplets` to their token ids.

    The topic words of ``QA_TOPICS`` take ids 1 to 64 (eight words per topic, topics in the
    order listed), then come ``QA_QUESTION_WORDS`` and ``QA_COMMON_WORDS``. Higher ids are
    nameless filler words; id 0 is padding.

    Returns:
        A dict from word to id.

    Example:
        >>> index = qa_word_index()
        >>> index["recipe"], index["goal"], index["what"]
        (1, 9, 65)
    """
    return {word: i + 1 for i, word in enumerate(_NAMED_WORDS)}


def _sentences(topics, maxlen, vocab, rng, start_with=None):
    """Write one sentence per topic id: topic words, common words and filler, 0-padded in front."""
    count = len(topics)
    index = qa_word_index()
    topic_ids = np.array([[index[w] for w in words] for words in QA_TOPICS.values()])
    common_ids = np.array([index[w] for w in QA_COMMON_WORDS])
    first_filler = len(_NAMED_WORDS) + 1
    zipf = 1.0 / (np.arange(vocab - first_filler) + 10.0)

    # 1. every place holds a common word (2 in 3) or a filler word
    filler = first_filler + rng.choice(len(zipf), size=(count, maxlen), p=zipf / zipf.sum())
    common = rng.choice(common_ids, size=(count, maxlen))
    words = np.where(rng.random((count, maxlen)) < 2 / 3, common, filler)

    # 2. a sentence fills its first `size` places; 40% of them (at least 2) get topic words
    sizes = rng.integers((maxlen + 1) // 2, maxlen + 1, size=count)
    n_topic = np.maximum(2, np.rint(0.4 * sizes).astype(int))
    keys = rng.random((count, maxlen))
    keys[np.arange(maxlen)[None, :] >= sizes[:, None]] = np.inf
    if start_with is not None:
        keys[:, 0] = np.inf  # the first place is kept for the question word
    is_topic = keys.argsort(axis=1).argsort(axis=1) < n_topic[:, None]  # smallest keys win
    topic_words = topic_ids[topics[:, None], rng.integers(0, topic_ids.shape[1], (count, maxlen))]
    words = np.where(is_topic, topic_words, words)
    if start_with is not None:
        words[:, 0] = rng.choice(start_with, size=count)

    # 3. move each sentence to the end of its row, zeros in front
    source = np.arange(maxlen)[None, :] - (maxlen - sizes)[:, None]
    padded = np.take_along_axis(words, np.maximum(source, 0), axis=1)
    return np.where(source >= 0, padded, 0).astype(np.int64)


def qa_triplets(n=5000, question_maxlen=100, answer_maxlen=100, vocab=10000, test_split=0.2,
                seed=0):
    """Questions with a relevant and an irrelevant answer, for a triplet-style QA model.

    How it is made, with ``numpy.random.default_rng(seed)``: each example picks a topic for
    the question and a different topic for the bad answer (both uniform over the 8 topics of
    ``QA_TOPICS``). Every sentence has a random length between half its maximum length and
    the maximum; 40% of its words (at least 2) are words of its topic, two thirds of the rest
    common words (``QA_COMMON_WORDS``) and one third nameless filler ids with frequencies
    falling as ``1 / (rank + 10)``. A question starts with a question word (``what``, ``how``,
    ...). The good answer is written about the question's topic, the bad answer about the
    other topic, independently, so the two answers look alike. Sentences are padded with 0 at
    the start, as Keras's ``pad_sequences`` does.

    With a few thousand examples the guide's model learns this within a few epochs (an
    Embedding of 32 and an LSTM of 32 on each side, 5000 examples, question and answer lengths
    12 and 16: the good answer scores higher on about 90% or more of the test questions
    after 3 epochs); with far fewer examples it memorises the filler words instead.

    The targets follow the guide's three outputs, in its order ``[output,
    good_answer_score, bad_answer_score]`` where ``output = square(good - bad)``: they are
    ``1.0``, ``1.0`` and ``0.0``, a consistent goal (a good score of 1 and a bad score of 0
    make a squared gap of 1). Mean squared error on each output is the simplest custom loss
    for them; after training, ``good score > bad score`` on the test set measures success.

    Args:
        n: number of examples (question, good answer, bad answer), training and test together.
        question_maxlen: length of the question sequences, at least 6 (the guide uses 100).
        answer_maxlen: length of the answer sequences, at least 6 (the guide uses 100).
        vocab: vocabulary size, ids run over ``[0, vocab)``, at least 109 (the guide's
            ``Embedding`` should get ``input_dim=vocab``).
        test_split: fraction of the examples kept for the test set.
        seed: seed of the generator.

    Returns:
        ``([q_train, good_train, bad_train], targets_train), ([q_test, good_test, bad_test],
        targets_test)``: ``q`` is int64 of shape ``(examples, question_maxlen)``, ``good`` and
        ``bad`` are int64 of shape ``(examples, answer_maxlen)``; ``targets`` is a list of three
        float32 arrays of shape ``(examples, 1)``, the shape of the model's dot-product
        outputs: ``[ones (squared gap), ones (good score), zeros (bad score)]``.

    Example:
        >>> (x, targets), (x_test, targets_test) = qa_triplets(
        ...     n=500, question_maxlen=12, answer_maxlen=16, vocab=500)
        >>> [a.shape for a in x], [t[0, 0] for t in targets]
        ([(400, 12), (400, 16), (400, 16)], [np.float32(1.0), np.float32(1.0), np.float32(0.0)])
    """
    n = check_count("n", n, minimum=2)
    question_maxlen = check_count("question_maxlen", question_maxlen, minimum=6)
    answer_maxlen = check_count("answer_maxlen", answer_maxlen, minimum=6)
    vocab = check_count("vocab", vocab, minimum=_MIN_VOCAB)
    n_train, _ = split_sizes(n, test_split)
    rng = np.random.default_rng(seed)

    n_topics = len(QA_TOPICS)
    topic = rng.integers(0, n_topics, size=n)
    other = (topic + rng.integers(1, n_topics, size=n)) % n_topics
    question_ids = [qa_word_index()[w] for w in QA_QUESTION_WORDS]
    questions = _sentences(topic, question_maxlen, vocab, rng, start_with=question_ids)
    good = _sentences(topic, answer_maxlen, vocab, rng)
    bad = _sentences(other, answer_maxlen, vocab, rng)

    ones, zeros = np.ones((n, 1), np.float32), np.zeros((n, 1), np.float32)
    return train_test([questions, good, bad], [ones, ones, zeros], n_train)
