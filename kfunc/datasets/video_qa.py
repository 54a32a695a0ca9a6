"""Video question answering on short synthetic clips of a moving shape: "which way?" -> "left"."""

import numpy as np

from ._split import check_count, split_sizes, train_test
from .scene_questions import (
    ANSWERS, DIRECTIONS, SIZES, answer_targets, check_language, encode_questions)
from .shapes import COLOURS, SHAPES, draw_radius, draw_shapes, place

_TRAVEL = 0.2  # distance covered from the first frame to the last, as a fraction of the side
_STEP = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}


def video_qa(n=1000, frames=4, image_size=32, question_maxlen=10, vocab=100, num_answers=16,
             one_hot=False, test_split=0.2, seed=0):
    """Short clips of one coloured shape moving in a straight line, a question, and the answer.

    How it is made, with ``numpy.random.default_rng(seed)``: every clip shows one shape
    (``SHAPES``) of one colour (``COLOURS``), small or large as in :func:`image_qa`, moving at
    constant speed left, right, up or down (``DIRECTIONS``) and covering a fifth of the side
    from the first frame to the last; the middle of its path is near the middle of the frame
    (``shapes.place``), and the shape stays whole in every frame. Each frame
    has its own background noise. The question asks, with equal chances, for the colour, the
    shape, the size or the direction of motion, in one of three wordings. The pictures, the
    words and the answer ids are those of :func:`image_qa` (``scene_questions``), so a vision
    model and a question encoder trained there can be reused here, as in the guide. Only the
    direction needs more than one frame.

    Args:
        n: number of (clip, question, answer) examples, training and test together.
        frames: frames per clip, at least 2 (the guide uses 100).
        image_size: side of the frames in pixels, at least 16 (the guide uses 224; a clip
            takes ``frames * image_size**2 * 12`` bytes, 60 MB at the guide's scale).
        question_maxlen: length of the question sequences, at least 7 (the guide uses 100).
        vocab: vocabulary size for an Embedding's ``input_dim``, at least 26.
        num_answers: size of the answer layer, at least 16 (the guide uses 1000).
        one_hot: answers as one-hot float32 rows instead of int64 ids.
        test_split: fraction of the examples kept for the test set.
        seed: seed of the generator.

    Returns:
        ``([videos_train, questions_train], answers_train), ([videos_test, questions_test],
        answers_test)``, the inputs in the guide's order ``[video_input,
        video_question_input]``: ``videos`` float32 ``(examples, frames, image_size,
        image_size, 3)`` in [0, 1]; ``questions`` int64 ``(examples, question_maxlen)``;
        ``answers`` int64 ``(examples,)`` or float32 ``(examples, num_answers)``.

    Example:
        >>> ([videos, questions], answers), _ = video_qa(n=100)
        >>> videos.shape, questions.shape, answers.shape
        ((80, 4, 32, 32, 3), (80, 10), (80,))
    """
    n = check_count("n", n, minimum=2)
    frames = check_count("frames", frames, minimum=2)
    image_size = check_count("image_size", image_size, minimum=16)
    check_language(question_maxlen, vocab, num_answers)
    n_train, _ = split_sizes(n, test_split)
    rng = np.random.default_rng(seed)

    shape = rng.integers(0, len(SHAPES), size=n)
    colour = rng.integers(0, len(COLOURS), size=n)
    direction = rng.integers(0, len(DIRECTIONS), size=n)
    large = rng.integers(0, 2, size=n)
    radius = draw_radius(large, image_size, rng)

    travel = _TRAVEL * image_size
    step = np.array([_STEP[d] for d in DIRECTIONS])[direction]  # (n, 2): unit x and y moves
    start = place(radius, image_size, rng, travel, step)
    t = np.linspace(0.0, 1.0, frames)
    centre = start[:, None, :] + travel * t[None, :, None] * step[:, None, :]  # (n, frames, 2)

    images = draw_shapes(image_size, centre[..., 0].ravel(), centre[..., 1].ravel(),
                         np.repeat(radius, frames), np.repeat(shape, frames),
                         np.repeat(colour, frames), rng)
    videos = images.reshape(n, frames, image_size, image_size, 3)

    kinds = np.array(["colour", "shape", "size", "direction"])[rng.integers(0, 4, size=n)]
    questions = encode_questions(kinds, question_maxlen, rng)
    answers = np.select(
        [kinds == "colour", kinds == "shape", kinds == "size"],
        [colour, len(COLOURS) + shape, ANSWERS.index(SIZES[0]) + large],
        ANSWERS.index(DIRECTIONS[0]) + direction)
    return train_test([videos, questions], answer_targets(answers, num_answers, one_hot), n_train)
