"""Small helpers shared by the loaders: argument checks and the train/test split."""

import numpy as np


def check_count(name, value, minimum=1):
    """Return ``value`` as an int, or raise a ValueError if it is below ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    return int(value)


def split_sizes(n, test_split):
    """Split ``n`` examples into ``(n_train, n_test)`` with ``n_test = round(n * test_split)``.

    Raises:
        ValueError: if ``test_split`` is outside ``[0, 1)`` or leaves no training example.
    """
    if not 0.0 <= test_split < 1.0:
        raise ValueError(f"test_split must be in [0, 1), got {test_split!r}.")
    n_test = int(round(n * test_split))
    n_train = n - n_test
    if n_train < 1:
        raise ValueError(
            f"n={n} with test_split={test_split} leaves no training example; "
            "ask for more examples or a smaller test_split.")
    return n_train, n_test


def take(arrays, index):
    """Index every array of a (possibly nested) list, tuple or dict the same way."""
    if isinstance(arrays, dict):
        return {key: take(value, index) for key, value in arrays.items()}
    if isinstance(arrays, (list, tuple)):
        return type(arrays)(take(value, index) for value in arrays)
    return arrays[index]


def train_test(x, y, n_train):
    """Cut already-shuffled data into Keras style ``(x_train, y_train), (x_test, y_test)``.

    ``x`` and ``y`` may be arrays or lists/dicts of arrays with the same first dimension.
    """
    head, tail = slice(0, n_train), slice(n_train, None)
    return (take(x, head), take(y, head)), (take(x, tail), take(y, tail))

