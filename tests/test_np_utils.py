"""kfunc.utils.np_utils: Keras 2's module path for to_categorical and normalize."""

import numpy as np
import pytest

import kfunc
from kfunc.utils import np_utils


def test_old_module_path_and_new_names_are_the_same_functions():
    from kfunc.utils.np_utils import normalize, to_categorical

    assert to_categorical is kfunc.utils.to_categorical and normalize is kfunc.utils.normalize
    assert np_utils.to_categorical([0, 2], 3).tolist() == [[1, 0, 0], [0, 0, 1]]


def test_normalize_gives_unit_rows_as_numpy_computes_them():
    x = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_allclose(np_utils.normalize(x), x / np.linalg.norm(x, axis=-1, keepdims=True))
    np.testing.assert_allclose(np_utils.normalize(x, axis=0, order=1), x / np.abs(x).sum(axis=0, keepdims=True))


def test_normalize_leaves_zero_rows_at_zero_and_takes_vectors():
    assert np_utils.normalize(np.array([[0.0, 0.0], [3.0, 4.0]])).tolist() == [[0.0, 0.0], [0.6, 0.8]]
    np.testing.assert_allclose(np_utils.normalize(np.array([3.0, 4.0])), [[0.6, 0.8]])  # (as Keras: 2-D out)


def test_to_categorical_errors_still_teach():
    with pytest.raises(ValueError, match="whole-number"):
        np_utils.to_categorical([0.5])
