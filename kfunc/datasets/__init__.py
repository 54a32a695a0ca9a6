"""Small offline data sets for the lessons, made on the spot and the same on every run.

Every loader takes ``seed=0`` (drawn with ``numpy.random.default_rng(seed)``), returns numpy
arrays in the Keras datasets style ``(x_train, y_train), (x_test, y_test)``, needs no download
and takes well under a second. ``x`` is a list (or, for :func:`headlines`, a dict) of arrays
when the model has several inputs, in the order of the guide's inputs.

=================  ========  ==========================================================
loader             lesson    what it holds
=================  ========  ==========================================================
``digits``         01, 02    real hand-written digits (scikit-learn's), 28x28 or 27x27
``headlines``      03        headline word ids + 5 facts about the post -> popular?
``qa_triplets``    04        question, relevant answer, irrelevant answer (word ids)
``tweet_pairs``    05        two one-hot character sequences -> same author?
``digit_pairs``    09        two real digit images -> same digit?
``image_qa``       10        picture of a coloured shape + question -> answer id
``video_qa``       11        clip of a moving shape + question -> answer id
=================  ========  ==========================================================
"""

from kfunc._errors import missing

from .digit_pairs import digit_pairs
from .digits import digits
from .headlines import HEADLINE_AUX_FEATURES, HEADLINE_WORD_GROUPS, headline_word_index, headlines
from .image_qa import image_qa
from .question_answering import QA_TOPICS, qa_triplets, qa_word_index
from .scene_questions import ANSWERS, QUESTIONS, scene_word_index
from .tweets import tweet_pairs
from .video_qa import video_qa

__all__ = [
    "digits", "digit_pairs", "headlines", "headline_word_index", "HEADLINE_WORD_GROUPS",
    "HEADLINE_AUX_FEATURES", "tweet_pairs", "qa_triplets", "qa_word_index", "QA_TOPICS",
    "image_qa", "video_qa", "scene_word_index", "QUESTIONS", "ANSWERS",
]


def __getattr__(name):
    raise missing.missing_attribute("kfunc.datasets", name) or AttributeError(
        f"module 'kfunc.datasets' has no attribute {name!r}"
    )
