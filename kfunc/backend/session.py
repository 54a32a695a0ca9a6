"""The session: naming, the learning phase, and which backend runs.

Keras 2 scripts open with ``K.clear_session()``: in kfunc it resets automatic layer
names, so that a notebook re-run names its layers ``dense``, ``dense_1``, ... again.

The *learning phase* is how Keras 2 layers knew whether they were training. In
kfunc, as in tf.keras 2, a layer learns it from its ``training`` argument (``fit``
passes ``training=True``); the global phase is 0 (testing), as tf.keras 2 reports it
outside a training step.
"""

import warnings

from kfunc.engine.naming import clear_session as _reset_names


def clear_session():
    """Start afresh: the next ``Dense`` is called ``dense`` again, the next model ``model``."""
    _reset_names()


def backend():
    """The name of the library that computes: ``'torch'``."""
    return "torch"


def learning_phase():
    """The global learning phase: 0 (testing). Layers read their ``training`` argument instead."""
    return 0


def set_learning_phase(value):
    """Accept Keras 2's ``K.set_learning_phase(0)``, which is what kfunc does anyway.

    Raises:
        NotImplementedError: for 1: kfunc has no global training switch.
        ValueError: for anything but 0 or 1.
    """
    if value not in (0, 1):
        raise ValueError(f"set_learning_phase({value!r}): the learning phase is 0 (testing) or 1 (training).")
    if value == 1:
        raise NotImplementedError(
            "set_learning_phase(1): kfunc has no global training switch. Call the model or the "
            "layer with `training=True` (as fit does), e.g. `model(x, training=True)`."
        )
    warnings.warn(
        "set_learning_phase is deprecated in tf.keras 2 and not needed in kfunc: layers run in "
        "testing mode outside fit unless called with training=True.",
        DeprecationWarning,
        stacklevel=2,
    )


def in_train_phase(x, alt, training=None):
    """``x`` when training, ``alt`` otherwise; either may be a function of no arguments.

    Args:
        training: the layer's ``training`` argument; ``None`` means the global
            :func:`learning_phase` (testing).
    """
    if training is None:
        training = learning_phase()
    chosen = x if training else alt
    return chosen() if callable(chosen) else chosen


def in_test_phase(x, alt, training=None):
    """``x`` when testing, ``alt`` when training (the reverse of :func:`in_train_phase`)."""
    return in_train_phase(alt, x, training=training)
