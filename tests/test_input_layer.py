"""kfunc.layers.input_layer: where a model's data enters the graph."""

import pytest

from kfunc.layers.input_layer import InputLayer
from kfunc.layers import Input


def test_input_is_the_one_tensor_of_an_input_layer_node():
    x = Input(shape=(784,))
    layer = x._keras_history.layer
    assert isinstance(layer, InputLayer) and layer.name == "input_1"
    assert x.shape == (None, 784) and x.dtype == "float32"
    assert layer._inbound_nodes[0].outputs == [x] and layer._inbound_nodes[0].is_input
    assert Input(shape=(3,))._keras_history.layer.name == "input_2"  # inputs count from 1, as in Keras


def test_batch_shape_dtype_and_name():
    x = Input(batch_shape=(8, None, 5), dtype="int32", name="ids")
    assert (x.shape, x.dtype, x.name) == ((8, None, 5), "int32", "ids")
    assert x._keras_history.layer.get_config() == {
        "batch_input_shape": (8, None, 5), "dtype": "int32", "sparse": False, "name": "ids",
    }


@pytest.mark.parametrize("kwargs, error, message", [
    ({}, ValueError, r"needs a `shape`.*Input\(shape=\(784,\)\)"),
    ({"shape": 784}, TypeError, r"must be a tuple, even for one dimension. Write `Input\(shape=\(784,\)\)`"),
    ({"shape": (3, 0)}, ValueError, "every size must be a positive int"),
    ({"shape": (3,), "batch_shape": (None, 3)}, ValueError, "not both"),
])
def test_wrong_shapes_explain_the_right_one(kwargs, error, message):
    with pytest.raises(error, match=message):
        Input(**kwargs)
