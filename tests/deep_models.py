"""Very deep models, and a way to show that code reading them never recurses per layer.

Python stops a recursion at ``sys.getrecursionlimit()`` frames (1,000 by default).
Code that walks a graph by calling itself once per layer or per nesting level
fails on deep models; code that keeps its own stack does not. The tests call such
code under :func:`recursion_headroom`, which leaves only a few frames above the
caller, far fewer than the model has layers or levels.
"""

import contextlib
import functools
import sys

from kfunc.layers import Dense, Input
from kfunc.models import Model


@functools.cache  # built once per test session (seconds for 2,000 layers); the tests only read it
def dense_chain(depth):
    """``Input -> Dense(2) -> ... -> Dense(2)``, ``depth`` Dense layers in one model."""
    x = y = Input(shape=(2,))
    for _ in range(depth):
        y = Dense(2)(y)
    return Model(x, y)


def nested_models(depth):
    """A model holding a model holding a model ... ``depth`` levels, a Dense at the bottom."""
    x = Input(shape=(2,))
    model = Model(x, Dense(2)(x))
    for _ in range(depth):
        x = Input(shape=(2,))
        model = Model(x, model(x))
    return model


@contextlib.contextmanager
def recursion_headroom(frames):
    """Lower Python's recursion limit to the current stack depth plus ``frames``."""
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)
