"""Visual question answering on small synthetic pictures: "what colour is the shape?" -> "red"."""

import numpy as np

from ._split import check_count, split_sizes, train_test
from .scene_questions import ANSWERS, SIZES, answer_targets, check_language, encode_questions
from .shapes import COLOURS, SHAPES, draw_radius, draw_shapes, place


def image_qa(n=2000, image_size=32, question_maxlen=10, vocab=100, num_answers=16,
             one_hot=False, test_split=0.2, seed=0):
    """Pictures of one coloured shape, a question about it, and the one-word answer.

    How it is made, with ``numpy.random.default_rng(seed)``: every picture shows one shape
    (``SHAPES``: square, circle, triangle, cross) in one colour (``COLOURS``: red, green,
    blue, yellow, magenta, cyan), small (radius 18-22% of the side) or large (32-36%), near
    the middle (at most a tenth of the side off centre, ``shapes.WANDER``), on a dark noisy
    background. The question asks, with equal
    chances, for its colour, its shape or its size, in one of three wordings
    (``scene_questions.QUESTIONS``), as word ids padded with 0 in front. The answer is an id
    into ``scene_questions.ANSWERS`` (16 words shared with :func:`video_qa`). Neither the
    picture nor the question alone gives the answer: the picture holds three answers, the
    question says which one is asked for.

    Args:
        n: number of (picture, question, answer) examples, training and test together.
        image_size: side of the pictures in pixels, at least 16 (the guide uses 224, where
            one picture takes 600 KB: keep ``n`` small at that size).
        question_maxlen: length of the question sequences, at least 7 (the guide uses 100).
        vocab: vocabulary size for an Embedding's ``input_dim``, at least 26 (the 25 question
            words take ids 1 to 25; the guide uses 10000).
        num_answers: size of the answer layer, at least 16 (the guide uses 1000); ids from 16
            on are never the answer.
        one_hot: answers as one-hot float32 rows (for ``categorical_crossentropy``) instead
            of int64 ids (for ``sparse_categorical_crossentropy``).
        test_split: fraction of the examples kept for the test set.
        seed: seed of the generator.

    Returns:
        ``([images_train, questions_train], answers_train), ([images_test, questions_test],
        answers_test)``, the inputs in the guide's order ``[image_input, question_input]``:
        ``images`` float32 ``(examples, image_size, image_size, 3)`` in [0, 1]; ``questions``
        int64 ``(examples, question_maxlen)``; ``answers`` int64 ``(examples,)`` or float32
        ``(examples, num_answers)``.

    Example:
        >>> ([images, questions], answers), _ = image_qa(n=100)
        >>> images.shape, questions.shape, answers.shape
        ((80, 32, 32, 3), (80, 10), (80,))
        >>> from kfunc.datasets.scene_questions import ANSWERS, scene_word_index
        >>> words = {i: w for w, i in scene_word_index().items()}
        >>> " ".join(words[i] for i in questions[0] if i), ANSWERS[answers[0]]
        ('which shape is in the picture', 'cross')
    """
    n = check_count("n", n, minimum=2)
    image_size = check_count("image_size", image_size, minimum=16)
    check_language(question_maxlen, vocab, num_answers)
    n_train, _ = split_sizes(n, test_split)
    rng = np.random.default_rng(seed)

    shape = rng.integers(0, len(SHAPES), size=n)
    colour = rng.integers(0, len(COLOURS), size=n)
    large = rng.integers(0, 2, size=n)
    radius = draw_radius(large, image_size, rng)
    centre = place(radius, image_size, rng)
    images = draw_shapes(image_size, centre[:, 0], centre[:, 1], radius, shape, colour, rng)

    kinds = np.array(["colour", "shape", "size"])[rng.integers(0, 3, size=n)]
    questions = encode_questions(kinds, question_maxlen, rng)
    answers = np.select(
        [kinds == "colour", kinds == "shape"],
        [colour, len(COLOURS) + shape],
        ANSWERS.index(SIZES[0]) + large)
    return train_test([images, questions], answer_targets(answers, num_answers, one_hot), n_train)
