"""Automatic layer names: ``dense``, ``dense_1``, ``conv2d``, ...

Names count per class in snake case, from 0 (``dense``, then ``dense_1``), inside a
naming scope that :func:`clear_session` resets, so that re-running a notebook gives
the same names every time.
"""

import re

_counts = {}


def to_snake_case(class_name):
    """``GlobalAveragePooling2D`` -> ``global_average_pooling2d``, ``LSTM`` -> ``lstm``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(prefix, zero_based=True):
    """The next free name for ``prefix`` in the current naming scope."""
    count = _counts.get(prefix, 0)
    _counts[prefix] = count + 1
    if zero_based:
        return prefix if count == 0 else f"{prefix}_{count}"
    return f"{prefix}_{count + 1}"


def clear_session():
    """Reset automatic names, so the next ``Dense`` is called ``dense`` again."""
    _counts.clear()
