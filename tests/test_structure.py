"""kfunc.engine.structure: the one walker of nested lists, tuples and dicts."""

import numpy as np
import torch

from kfunc.engine.structure import flatten, map_structure, one_or_list, shapes_of
from kfunc.layers import Input


def test_flatten_lists_leaves_in_order_dict_values_in_the_dict_order():
    assert flatten([1, (2, {"b": 3, "a": [4]}), 5]) == [1, 2, 3, 4, 5]
    assert flatten(7) == [7]
    assert flatten([]) == []


def test_map_structure_keeps_lists_tuples_and_dicts():
    assert map_structure(lambda x: x * 10, [1, (2, {"a": 3})]) == [10, (20, {"a": 30})]
    assert map_structure(str, 4) == "4"


def test_shapes_of_symbolic_torch_and_numpy_tensors():
    a, b = Input(shape=(3,)), Input(shape=(4, 5))
    assert shapes_of(a) == (None, 3)
    assert shapes_of([a, (b,)]) == [(None, 3), [(None, 4, 5)]]  # a tuple of tensors is a list of shapes
    assert shapes_of({"x": torch.zeros(2, 3), "y": np.zeros((1,))}) == {"x": (2, 3), "y": (1,)}
    assert shapes_of("not a tensor") is None


def test_one_or_list_is_how_keras_reports_a_nodes_tensors():
    assert one_or_list(["a"]) == "a"
    assert one_or_list(["a", "b"]) == ["a", "b"]
    assert one_or_list([]) == []
