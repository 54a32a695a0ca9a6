"""Merge layers and functions: values against torch, shapes, configs, and their errors."""

import pytest
import torch
import torch.nn.functional as F

from kfunc.layers import (
    Add,
    Average,
    Concatenate,
    Conv2D,
    Dense,
    Dot,
    Input,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from kfunc.models import Model

ELEMENTWISE = [
    (add, Add, lambda a, b, c: a + b + c),
    (multiply, Multiply, lambda a, b, c: a * b * c),
    (average, Average, lambda a, b, c: (a + b + c) / 3),
    (maximum, Maximum, lambda a, b, c: torch.maximum(torch.maximum(a, b), c)),
    (minimum, Minimum, lambda a, b, c: torch.minimum(torch.minimum(a, b), c)),
]


@pytest.mark.parametrize("function, cls, expected", ELEMENTWISE, ids=lambda v: getattr(v, "__name__", ""))
def test_elementwise_merge_in_a_model_matches_torch(function, cls, expected):
    inputs = [Input(shape=(4, 5)) for _ in range(3)]
    out = function(inputs)
    assert out.shape == (None, 4, 5)
    assert type(out._keras_history.layer) is cls
    model = Model(inputs, out)
    data = [torch.randn(2, 4, 5) for _ in range(3)]
    torch.testing.assert_close(model(data), expected(*data))


def test_subtract_takes_exactly_two():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    layer = Subtract()
    model = Model([a, b], layer([a, b]))
    x, y = torch.randn(2, 3), torch.randn(2, 3)
    torch.testing.assert_close(model([x, y]), x - y)
    with pytest.raises(ValueError, match="exactly 2 input tensors, got 3"):
        subtract([a, b, a])


def test_add_of_the_same_tensor_twice_lists_the_node_twice():
    x = Input(shape=(3,))
    y = add([x, x])
    source = x._keras_history.layer
    assert source._outbound_nodes.count(y.node) == 2


def test_elementwise_merge_broadcasts_size_one_axes_like_keras():
    out = add([Input(shape=(4, 1)), Input(shape=(4, 6))])
    assert out.shape == (None, 4, 6)


def test_elementwise_merge_error_names_the_layer_and_all_shapes():
    a, b = Input(shape=(32,)), Input(shape=(16,))
    layer = Add(name="residual")
    with pytest.raises(ValueError) as info:
        layer([a, b, a])
    message = str(info.value)
    assert "'residual'" in message and "[(None, 32), (None, 16), (None, 32)]" in message
    assert "concatenate" in message
    assert layer._inbound_nodes == [] and a._keras_history.layer._outbound_nodes == []


def test_merge_needs_a_list_of_at_least_two():
    x = Input(shape=(3,))
    with pytest.raises(ValueError, match="at least 2 input tensors, got 1"):
        add([x])
    with pytest.raises(ValueError, match=r"LIST of tensors.*one tensor of shape \(None, 3\)"):
        Maximum()(x)


def test_merge_on_a_layer_instead_of_a_tensor_says_to_call_it_first():
    image = Input(shape=(8, 8, 3))
    conv = Conv2D(4, (3, 3))
    with pytest.raises(TypeError, match=r"layer 'conv2d' itself.*Call that layer on a tensor first"):
        concatenate([image, conv])
    with pytest.raises(TypeError, match=r"layer 'conv2d' itself"):
        add([conv, conv])


def test_merge_checks_shapes_of_real_data_too():
    with pytest.raises(ValueError, match=r"'add'.*\[\(2, 3\), \(2, 4\)\]"):
        add([torch.ones(2, 3), torch.ones(2, 4)])
    torch.testing.assert_close(Add()([torch.ones(2, 3), torch.ones(2, 3)]), torch.full((2, 3), 2.0))


# ---------------------------------------------------------------------- Concatenate


def test_concatenate_like_the_guide():
    lstm_out, auxiliary_input = Input(shape=(32,)), Input(shape=(5,))
    merged = concatenate([lstm_out, auxiliary_input])
    assert merged.shape == (None, 37)
    model = Model([lstm_out, auxiliary_input], merged)
    a, b = torch.randn(2, 32), torch.randn(2, 5)
    torch.testing.assert_close(model([a, b]), torch.cat([a, b], dim=-1))


def test_concatenate_along_channels_first_axis_and_unknown_sizes():
    towers = [Input(shape=(c, 8, 8)) for c in (2, 3, 4)]
    assert concatenate(towers, axis=1).shape == (None, 9, 8, 8)
    assert concatenate([Input(shape=(None, 4)), Input(shape=(7, 4))], axis=-1).shape == (None, 7, 8)
    assert concatenate([Input(shape=(None, 4)), Input(shape=(7, 4))], axis=1).shape == (None, None, 4)
    assert add([Input(shape=(None, 4)), Input(shape=(7, 4))]).shape == (None, 7, 4)
    assert dot([Input(shape=(None,)), Input(shape=(3, 6))], axes=1).shape == (None, 6)


def test_concatenate_error_names_the_axis_and_the_other_dimensions():
    a, b = Input(shape=(8, 8, 3)), Input(shape=(4, 4, 3))
    with pytest.raises(ValueError) as info:
        concatenate([a, b], axis=-1)
    message = str(info.value)
    assert "'concatenate'" in message and "axis -1" in message and "all other dimensions must match" in message
    assert "[(None, 8, 8, 3), (None, 4, 4, 3)]" in message
    with pytest.raises(ValueError, match="same number of axes"):
        concatenate([Input(shape=(3,)), Input(shape=(3, 1))])


def test_concatenate_config_round_trip():
    layer = Concatenate(axis=1, name="join")
    clone = Concatenate.from_config(layer.get_config())
    assert clone.axis == 1 and clone.name == "join"


# ---------------------------------------------------------------------- Dot


def test_dot_of_two_vectors_per_sample_is_batch_by_one():
    a, b = Input(shape=(6,)), Input(shape=(6,))
    out = dot([a, b], axes=1)
    assert out.shape == (None, 1)
    x, y = torch.randn(3, 6), torch.randn(3, 6)
    torch.testing.assert_close(Model([a, b], out)([x, y]), (x * y).sum(-1, keepdim=True))


def test_dot_normalize_gives_cosine_similarity():
    a, b = Input(shape=(6,)), Input(shape=(6,))
    model = Model([a, b], dot([a, b], axes=-1, normalize=True))
    x, y = torch.randn(3, 6), torch.randn(3, 6)
    torch.testing.assert_close(model([x, y]), F.cosine_similarity(x, y, dim=-1)[:, None])


def test_dot_along_different_axes_matches_einsum():
    a, b = Input(shape=(5, 7)), Input(shape=(7, 2))
    out = Dot(axes=(2, 1))([a, b])
    assert out.shape == (None, 5, 2)
    x, y = torch.randn(3, 5, 7), torch.randn(3, 7, 2)
    torch.testing.assert_close(Model([a, b], out)([x, y]), torch.einsum("bik,bkj->bij", x, y))
    # a sequence against a vector: attention scores
    seq, query = Input(shape=(5, 7)), Input(shape=(7,))
    scores = dot([seq, query], axes=(2, 1))
    assert scores.shape == (None, 5)
    q = torch.randn(3, 7)
    torch.testing.assert_close(Model([seq, query], scores)([x, q]), torch.einsum("bik,bk->bi", x, q))


def test_dot_errors():
    a, b = Input(shape=(3,)), Input(shape=(4,))
    with pytest.raises(ValueError, match=r"'dot'.*axis 1 of its first.*axis 1 of its second.*\(3 vs 4\)"):
        dot([a, b], axes=1)
    with pytest.raises(ValueError, match="batch axis 0"):
        dot([a, a], axes=0)
    with pytest.raises(ValueError, match="exactly 2 input tensors"):
        dot([a, a, a], axes=1)
    with pytest.raises(ValueError, match="pair of ints"):
        Dot(axes=(1, 2, 3))


def test_dot_config_round_trip():
    layer = Dot(axes=(2, 1), normalize=True)
    clone = Dot.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config() and clone.axes == (2, 1) and clone.normalize


def test_merge_functions_pass_layer_arguments():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    out = add([a, b], name="total")
    assert out._keras_history.layer.name == "total"
    assert Dense(2)(out).shape == (None, 2)
