"""The little language of the visual and video QA sets: questions, their words, the answers.

:func:`image_qa` and :func:`video_qa` share this vocabulary and these answer ids, so that a
question encoder and an answer layer trained on images can be reused on videos, as the guide's
video QA model does.
"""

import numpy as np

from .shapes import COLOURS, SHAPES

SIZES = ("small", "large")
DIRECTIONS = ("left", "right", "up", "down")

# The answer ids are positions in this tuple (a Dense softmax layer has one unit per answer).
ANSWERS = COLOURS + SHAPES + SIZES + DIRECTIONS

# A few ways of asking each kind of question; one is drawn at random for every example.
QUESTIONS = {
    "colour": ("what colour is the shape", "which colour is it",
               "what is the colour of the object"),
    "shape": ("what shape is it", "which shape is in the picture", "what kind of shape is this"),
    "size": ("how big is the shape", "is the object small or large", "what size is it"),
    "direction": ("which way does the shape move", "where is it going",
                  "in what direction does the object move"),
}

MAX_QUESTION_WORDS = max(len(q.split()) for forms in QUESTIONS.values() for q in forms)


def scene_word_index():
    """Map every word of ``QUESTIONS`` to its id: 1, 2, ... in order of first appearance.

    Id 0 is padding. The ids are the same for :func:`image_qa` and :func:`video_qa`.

    Example:
        >>> index = scene_word_index()
        >>> [index[w] for w in "what colour is it".split()]
        [1, 2, 3, 7]
    """
    index = {}
    for forms in QUESTIONS.values():
        for question in forms:
            for word in question.split():
                index.setdefault(word, len(index) + 1)
    return index


def encode_questions(kinds, maxlen, rng):
    """Ask one question of each kind in ``kinds``, worded at random, as padded word ids.

    Args:
        kinds: sequence of keys of ``QUESTIONS``.
        maxlen: length of each row, at least ``MAX_QUESTION_WORDS``.
        rng: a ``numpy.random.Generator`` choosing the wording.

    Returns:
        int64 array ``(len(kinds), maxlen)``, the words at the end and 0 in front.
    """
    index = scene_word_index()
    encoded = {kind: [[index[w] for w in q.split()] for q in forms]
               for kind, forms in QUESTIONS.items()}
    out = np.zeros((len(kinds), maxlen), dtype=np.int64)
    wording = rng.integers(0, 3, size=len(kinds))
    for row, (kind, form) in enumerate(zip(kinds, wording)):
        words = encoded[kind][form]
        out[row, maxlen - len(words):] = words
    return out


def check_language(question_maxlen, vocab, num_answers):
    """Check the sizes asked of an image or video QA set; raise a ValueError that says why."""
    if question_maxlen < MAX_QUESTION_WORDS:
        raise ValueError(f"question_maxlen must be at least {MAX_QUESTION_WORDS} (the longest "
                         f"question), got {question_maxlen}.")
    words = len(scene_word_index())
    if vocab < words + 1:
        raise ValueError(f"vocab must be at least {words + 1} (padding and {words} words), "
                         f"got {vocab}.")
    if num_answers < len(ANSWERS):
        raise ValueError(f"num_answers must be at least {len(ANSWERS)} (the answers are "
                         f"{', '.join(ANSWERS)}), got {num_answers}.")


def answer_targets(answers, num_answers, one_hot):
    """Answer ids as int64 ``(n,)``, or one-hot float32 ``(n, num_answers)`` if ``one_hot``."""
    answers = np.asarray(answers, dtype=np.int64)
    return np.eye(num_answers, dtype=np.float32)[answers] if one_hot else answers
