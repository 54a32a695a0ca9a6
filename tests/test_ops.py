"""kfunc.ops (alias kfunc.backend): Keras backend signatures, computing with torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from kfunc import backend as K
from kfunc import ops
from kfunc.layers import Input, Lambda


@pytest.fixture
def x():
    return torch.randn(3, 4, 5)


def test_backend_is_the_same_functions_as_ops():
    assert K.square is ops.square and K.batch_dot is ops.batch_dot
    assert set(ops.__all__) <= set(dir(K))
    assert all(callable(getattr(ops, name)) for name in ops.__all__)


def test_every_function_is_found_under_kfunc_ops_whichever_module_defines_it():
    import pickle

    assert {getattr(ops, name).__module__ for name in ops.__all__} == {"kfunc.ops"}
    assert pickle.loads(pickle.dumps(ops.batch_dot)) is ops.batch_dot


@pytest.mark.parametrize("axis", [None, 0, -1, [1, 2], (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_take_keras_axis_and_keepdims(x, axis, keepdims):
    dims = tuple(range(x.ndim)) if axis is None else axis
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    a = x.numpy()
    for name, reference in [("sum", np.sum), ("mean", np.mean), ("max", np.max), ("min", np.min),
                            ("var", np.var), ("std", np.std), ("prod", np.prod)]:
        out = getattr(K, name)(x, axis=axis, keepdims=keepdims)
        np.testing.assert_allclose(out.numpy(), reference(a, axis=np_axis, keepdims=keepdims), rtol=1e-5,
                                   atol=1e-6, err_msg=name)
    assert K.sum(x, axis=axis, keepdims=keepdims).shape == torch.sum(x, dim=dims, keepdim=keepdims).shape


def test_elementwise_functions_match_torch(x):
    torch.testing.assert_close(K.square(x), x * x)
    torch.testing.assert_close(K.abs(x), x.abs())
    torch.testing.assert_close(K.exp(x), x.exp())
    torch.testing.assert_close(K.log(K.abs(x) + 1), torch.log(x.abs() + 1))
    torch.testing.assert_close(K.pow(x, 3), x**3)
    torch.testing.assert_close(K.sign(x), torch.sign(x))
    torch.testing.assert_close(K.clip(x, -0.5, 0.5), x.clamp(-0.5, 0.5))
    torch.testing.assert_close(K.cumsum(x, axis=1), x.cumsum(1))
    torch.testing.assert_close(K.ones_like(x), torch.ones_like(x))
    torch.testing.assert_close(K.zeros_like(x, dtype="int32"), torch.zeros(3, 4, 5, dtype=torch.int32))


def test_sqrt_treats_small_negative_values_as_zero():
    torch.testing.assert_close(K.sqrt(torch.tensor([4.0, -1e-9])), torch.tensor([2.0, 0.0]))


def test_maximum_and_minimum_accept_numbers(x):
    torch.testing.assert_close(K.maximum(x, 0.0), torch.relu(x))
    torch.testing.assert_close(K.minimum(x, x * 2), torch.minimum(x, 2 * x))
    torch.testing.assert_close(K.maximum(1.0, x), x.clamp(min=1.0))


def test_activations(x):
    torch.testing.assert_close(K.softmax(x), torch.softmax(x, dim=-1))
    torch.testing.assert_close(K.softmax(x, axis=1), torch.softmax(x, dim=1))
    torch.testing.assert_close(K.sigmoid(x), torch.sigmoid(x))
    torch.testing.assert_close(K.tanh(x), torch.tanh(x))
    torch.testing.assert_close(K.relu(x), torch.relu(x))
    torch.testing.assert_close(K.relu(x, alpha=0.1), F.leaky_relu(x, 0.1))
    torch.testing.assert_close(K.relu(x, max_value=0.5), x.clamp(0, 0.5))


def test_shape_functions(x):
    assert K.concatenate([x, x]).shape == (3, 4, 10)
    assert K.concatenate([x, x], axis=0).shape == (6, 4, 5)
    assert K.stack([x, x]).shape == (2, 3, 4, 5)
    assert K.stack([x, x], axis=-1).shape == (3, 4, 5, 2)
    assert K.reshape(x, (3, -1)).shape == (3, 20)
    assert K.transpose(x).shape == (5, 4, 3)
    torch.testing.assert_close(K.transpose(x[0]), x[0].T)
    assert K.permute_dimensions(x, (0, 2, 1)).shape == (3, 5, 4)
    assert K.expand_dims(x).shape == (3, 4, 5, 1)
    assert K.expand_dims(x, 0).shape == (1, 3, 4, 5)
    assert K.squeeze(K.expand_dims(x, 1), 1).shape == (3, 4, 5)
    assert K.batch_flatten(x).shape == (3, 20) and K.flatten(x).shape == (60,)
    assert K.repeat(x[:, 0], 2).shape == (3, 2, 5)
    assert K.int_shape(x) == (3, 4, 5) and K.ndim(x) == 3 and tuple(K.shape(x)) == (3, 4, 5)
    assert K.int_shape(Input(shape=(7,))) == (None, 7)
    assert K.cast(x, "int64").dtype == torch.int64 and K.cast(x > 0, "float32").dtype == torch.float32


def test_dot_is_a_matrix_product_over_the_last_axis(x):
    w = torch.randn(5, 6)
    torch.testing.assert_close(K.dot(x, w), x @ w)
    y = torch.randn(7, 5, 2)
    torch.testing.assert_close(K.dot(x, y), torch.einsum("abk,ckd->abcd", x, y))


def test_batch_dot_like_keras():
    a, b = torch.randn(32, 20), torch.randn(32, 20)
    out = K.batch_dot(a, b, axes=1)
    assert out.shape == (32, 1)
    torch.testing.assert_close(out, (a * b).sum(-1, keepdim=True))
    # the Keras documentation's example: (32, 20, 1) and (32, 30, 20) over axes (1, 2)
    x, y = torch.randn(32, 20, 1), torch.randn(32, 30, 20)
    out = K.batch_dot(x, y, axes=(1, 2))
    assert out.shape == (32, 1, 30)
    torch.testing.assert_close(out, torch.einsum("bki,bjk->bij", x, y))
    # default axes: a batched matrix product
    m, n = torch.randn(4, 2, 3), torch.randn(4, 3, 5)
    torch.testing.assert_close(K.batch_dot(m, n), m @ n)
    with pytest.raises(ValueError, match="batch axis"):
        K.batch_dot(a, b, axes=0)


def test_l2_normalize_matches_torch(x):
    torch.testing.assert_close(K.l2_normalize(x, axis=-1), F.normalize(x, dim=-1, eps=1e-6))
    torch.testing.assert_close(K.l2_normalize(x), x / x.norm())
    assert torch.equal(K.l2_normalize(torch.zeros(2, 3), axis=1), torch.zeros(2, 3))


def test_epsilon_and_set_epsilon():
    assert K.epsilon() == 1e-7 and K.floatx() == "float32"
    K.set_epsilon(1e-5)
    try:
        assert ops.epsilon() == 1e-5
        # the cross-entropies clip with the epsilon in force
        loss = K.binary_crossentropy(torch.tensor([1.0]), torch.tensor([0.0]))
        torch.testing.assert_close(loss, -torch.log(torch.tensor([1e-5])))
    finally:
        K.set_epsilon(1e-7)


def test_crossentropies_match_torch():
    probs = torch.softmax(torch.randn(4, 3), dim=-1)
    labels = torch.tensor([0, 2, 1, 2])
    onehot = F.one_hot(labels, 3).float()
    expected = -torch.log(probs[torch.arange(4), labels])
    torch.testing.assert_close(K.categorical_crossentropy(onehot, probs), expected)
    torch.testing.assert_close(K.sparse_categorical_crossentropy(labels, probs), expected)
    logits = torch.randn(4, 3)
    torch.testing.assert_close(
        K.categorical_crossentropy(onehot, logits, from_logits=True), F.cross_entropy(logits, labels, reduction="none")
    )
    p, t = torch.rand(5), torch.randint(0, 2, (5,)).float()
    torch.testing.assert_close(K.binary_crossentropy(t, p), F.binary_cross_entropy(p, t, reduction="none"))


def test_numpy_arrays_and_comparisons():
    a = np.array([[1.0, -2.0]])
    torch.testing.assert_close(K.square(a), torch.tensor([[1.0, 4.0]]))
    assert K.greater(torch.tensor([1.0, 3.0]), 2.0).tolist() == [False, True]
    assert K.equal(torch.tensor([1, 2]), np.array([1, 3])).tolist() == [True, False]
    torch.testing.assert_close(K.switch(torch.tensor([True, False]), torch.ones(2), torch.zeros(2)), torch.tensor([1.0, 0.0]))
    assert K.argmax(torch.tensor([[0.1, 0.9], [0.8, 0.2]])).tolist() == [1, 0]


def test_ops_run_on_meta_tensors_inside_a_lambda():
    a, b = Input(shape=(None, 8)), Input(shape=(None, 8))
    distance = Lambda(lambda t: K.sqrt(K.sum(K.square(t[0] - t[1]), axis=-1, keepdims=True)))([a, b])
    assert distance.shape == (None, None, 1)
    scores = Lambda(lambda t: K.batch_dot(t[0], t[1], axes=(2, 2)))([a, b])
    assert scores.shape == (None, None, None)
    pooled = Lambda(lambda t: K.l2_normalize(K.mean(t, axis=1), axis=-1))(a)
    assert pooled.shape == (None, 8)


# ---------------------------------------------------------------- on symbolic tensors: op nodes

# Shapes and dtypes of the same calls in Keras 3 (`keras.ops`, KERAS_BACKEND=torch), for
# x, y = Input((3, 4)). argmax gives int32 there and int64 here: dtypes follow torch.
KERAS3_OP_SPECS = {
    "mean(x, axis=-1)": ((None, 3), "float32"),
    "mean(x, axis=1, keepdims=True)": ((None, 1, 4), "float32"),
    "sum(x, axis=[1, 2])": ((None,), "float32"),
    "max(x, axis=1)": ((None, 4), "float32"),
    "min(x, axis=-1, keepdims=True)": ((None, 3, 1), "float32"),
    "prod(x, axis=2)": ((None, 3), "float32"),
    "std(x, axis=-1)": ((None, 3), "float32"),
    "var(x, axis=1)": ((None, 4), "float32"),
    "square(x)": ((None, 3, 4), "float32"),
    "sqrt(x)": ((None, 3, 4), "float32"),
    "exp(x)": ((None, 3, 4), "float32"),
    "log(x)": ((None, 3, 4), "float32"),
    "abs(x)": ((None, 3, 4), "float32"),
    "concatenate([x, y], axis=1)": ((None, 6, 4), "float32"),
    "concatenate([x, y])": ((None, 3, 8), "float32"),
    "expand_dims(x, 1)": ((None, 1, 3, 4), "float32"),
    "argmax(x, axis=-1)": ((None, 3), "int64"),
    "cumsum(x, axis=1)": ((None, 3, 4), "float32"),
    "softmax(x)": ((None, 3, 4), "float32"),
    "relu(x)": ((None, 3, 4), "float32"),
    "sigmoid(x)": ((None, 3, 4), "float32"),
    "tanh(x)": ((None, 3, 4), "float32"),
    "reshape(x, (-1, 12))": ((None, 12), "float32"),
    "stack([x, y], axis=1)": ((None, 2, 3, 4), "float32"),
    "maximum(x, 0.5)": ((None, 3, 4), "float32"),
    "minimum(x, y)": ((None, 3, 4), "float32"),
    "clip(x, 0, 1)": ((None, 3, 4), "float32"),
    "sign(x)": ((None, 3, 4), "float32"),
    "greater(x, y)": ((None, 3, 4), "bool"),
    "equal(x, 1.0)": ((None, 3, 4), "bool"),
    "where(greater(x, 0), x, y)": ((None, 3, 4), "float32"),
    "logsumexp(x, axis=-1)": ((None, 3), "float32"),
}


@pytest.mark.parametrize("call", sorted(KERAS3_OP_SPECS))
def test_ops_on_symbolic_tensors_are_nodes_with_keras3_shapes(call):
    x, y = Input(shape=(3, 4)), Input(shape=(3, 4))
    out = eval(call, {**vars(ops), "x": x, "y": y})
    assert (out.shape, out.dtype) == KERAS3_OP_SPECS[call]
    assert type(out.node.layer).__name__ == "OpLayer"
    assert out.node.layer.get_config()["function"] == "kfunc.ops." + call.split("(")[0]


def test_backend_functions_on_symbolic_tensors_compute_like_on_torch_tensors(x):
    from kfunc.models import Model

    a = Input(shape=(4, 5))
    calls = [
        lambda t: K.mean(t, axis=-1),
        lambda t: K.sum(K.square(t), axis=[1, 2], keepdims=True),
        lambda t: K.batch_dot(t, t, axes=(2, 2)),
        lambda t: K.l2_normalize(t, axis=1),
        lambda t: K.permute_dimensions(t, (0, 2, 1)),
        lambda t: K.switch(K.greater(t, 0), t, K.zeros_like(t)),
        lambda t: K.cast(K.argmax(t), "float32"),
        lambda t: K.repeat_elements(t, 2, axis=1),
        lambda t: K.binary_crossentropy(K.sigmoid(t), K.sigmoid(2 * t)),
    ]
    model = Model(a, [call(a) for call in calls])
    for got, call in zip(model.predict(x.numpy(), verbose=0), calls):
        np.testing.assert_allclose(got, call(x).numpy(), rtol=1e-5, atol=1e-6)


def test_functions_that_read_shapes_answer_on_symbolic_tensors_without_a_node():
    a = Input(shape=(None, 5))
    assert K.int_shape(a) == (None, None, 5) and K.ndim(a) == 3
    assert a._keras_history.layer._outbound_nodes == []


def test_on_torch_tensors_the_functions_run_as_before(x):
    assert ops.square.__wrapped__ is not ops.square
    torch.testing.assert_close(ops.square(x), ops.square.__wrapped__(x))
    torch.testing.assert_close(K.concatenate([x, x]), torch.cat([x, x], dim=-1))


def test_arange_counts_as_keras_backend_does():
    assert ops.arange(4).tolist() == [0, 1, 2, 3]
    assert ops.arange(1, 7, 2).tolist() == [1, 3, 5]
    assert ops.arange(start=0, stop=3, step=1, dtype="float32").dtype == torch.float32
