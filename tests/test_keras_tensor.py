"""kfunc.engine.keras_tensor: symbolic tensors and where they come from."""

import pytest

from kfunc.engine.keras_tensor import KerasTensor, is_symbolic
from kfunc.layers import Dense, Input


def test_a_symbolic_tensor_knows_its_shape_and_its_history():
    x = Input(shape=(784,), name="pixels")
    y = Dense(10, name="probs")(x)
    assert (y.shape, y.ndim, y.dtype) == ((None, 10), 2, "float32")
    assert y._keras_history == (y.node.layer, 0, 0)
    assert repr(y._keras_history) == "KerasHistory(layer='probs', node_index=0, tensor_index=0)"
    assert repr(y) == "<KerasTensor shape=(None, 10) dtype=float32, from 'probs' node 0 tensor 0>"
    assert y.node is y._keras_history.layer._inbound_nodes[0]


def test_a_symbolic_tensor_holds_no_data_and_says_so():
    x = Input(shape=(3,))
    with pytest.raises(TypeError, match="has no length"):
        len(x)
    with pytest.raises(TypeError, match="cannot be iterated"):
        list(x)
    with pytest.raises(TypeError, match="no truth value"):
        bool(x)


def test_is_symbolic():
    assert is_symbolic(KerasTensor((None, 2)))
    assert not is_symbolic([KerasTensor((None, 2))])


def test_a_model_can_be_deep_copied_with_its_histories():
    import copy

    import numpy as np

    from kfunc.models import Model

    x = Input(shape=(3,))
    model = Model(x, Dense(2)(x))
    model.materialize()  # (a copy made before would draw its own initial values)
    twin = copy.deepcopy(model)
    assert twin.output._keras_history.layer is twin.layers[1] is not model.layers[1]
    np.testing.assert_allclose(twin.predict(np.ones((1, 3)), verbose=0), model.predict(np.ones((1, 3)), verbose=0))
