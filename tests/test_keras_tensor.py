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


# ---------------------------------------------------------------- operators make op nodes


def test_operators_and_indexing_add_a_node_each():
    x = Input(shape=(3, 4))
    y = x * 2
    assert y.node.layer.name == "multiply" and y.node.input_tensors == [x]
    assert x._keras_history.layer._outbound_nodes[-1] is y.node
    assert type(y.node.layer).__name__ == "OpLayer"


# Shapes and dtypes recorded from Keras 3 (KERAS_BACKEND=torch) for x, y: Input((3, 4)), v: Input((4,)).
KERAS3_OPERATOR_SPECS = {
    "x[:, 0]": ((None, 4), "float32"),
    "x[..., 1:3]": ((None, 3, 2), "float32"),
    "x[:, :, None]": ((None, 3, 1, 4), "float32"),
    "x[:, -1, :]": ((None, 4), "float32"),
    "x[:, ::2]": ((None, 2, 4), "float32"),
    "x + v[:, None]": ((None, 3, 4), "float32"),
    "x * 2": ((None, 3, 4), "float32"),
    "2 - x": ((None, 3, 4), "float32"),
    "x / y": ((None, 3, 4), "float32"),
    "x ** 2": ((None, 3, 4), "float32"),
    "-x": ((None, 3, 4), "float32"),
    "abs(x)": ((None, 3, 4), "float32"),
    "x < y": ((None, 3, 4), "bool"),
    "x >= 0.5": ((None, 3, 4), "bool"),
}


@pytest.mark.parametrize("expression", sorted(KERAS3_OPERATOR_SPECS))
def test_operator_shapes_and_dtypes_match_keras3(expression):
    x, y, v = Input(shape=(3, 4)), Input(shape=(3, 4)), Input(shape=(4,))
    out = eval(expression)
    assert (out.shape, out.dtype) == KERAS3_OPERATOR_SPECS[expression]


def test_reflected_operators_keep_the_operands_in_order():
    import numpy as np
    import torch

    from kfunc.models import Model

    x = Input(shape=(2,))
    model = Model(x, [2 - x, 2 / x, 2 ** x, np.array([1.0, 4.0]) - x, np.float64(3) * x, 5 // x, 5 % x])
    data = np.array([[1.0, 2.0]], "float32")
    t = torch.tensor(data)
    expected = [2 - t, 2 / t, 2 ** t, torch.tensor([1.0, 4.0]) - t, 3 * t, 5 // t, 5 % t]
    for got, want in zip(model.predict(data, verbose=0), expected):
        np.testing.assert_allclose(got, want.numpy())


def test_a_batch_axis_that_cannot_broadcast_is_refused_when_the_model_is_built():
    # Keras 3 infers (None, 3, 4) for this sum and fails only on data (batch 2 against 3)
    x, v = Input(shape=(3, 4)), Input(shape=(4,))
    with pytest.raises(ValueError, match=r"cannot be called on an input of shape \[\(None, 3, 4\), \(None, 4\)\]"):
        x + v


def test_unknown_sizes_stay_unknown_through_operators():
    x = Input(shape=(None, 4))
    assert (x[:, :, 0] * 2).shape == (None, None)
    assert x[:, 1:].shape == (None, None, 4)


def test_equality_stays_identity_so_tensors_can_be_found_and_hashed():
    x, y = Input(shape=(3,)), Input(shape=(3,))
    assert (x == x) is True and (x == y) is False and (x != y) is True
    assert x in [y, x] and {x: 1}[x] == 1
    with pytest.raises(TypeError, match="no truth value"):
        bool(x > 0)


def test_numpy_cannot_read_a_symbolic_tensor():
    import numpy as np

    with pytest.raises(TypeError, match="cannot become a numpy array.*Lambda layer"):
        np.asarray(Input(shape=(3,)))
