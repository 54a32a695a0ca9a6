"""Core layers: each against a hand-written torch computation, plus shapes, configs, errors."""

import warnings

import numpy as np
import pytest
import torch

from kfunc import backend as K
from kfunc import ops
from kfunc.layers import (
    Activation,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Input,
    Lambda,
    Permute,
    RepeatVector,
    Reshape,
)
from kfunc.models import Model


def assert_symbolic_matches_real(layer, shape, x):
    """The inferred shape (batch None) agrees with the real output's shape."""
    symbolic = layer(Input(shape=shape, dtype=str(x.dtype).replace("torch.", ""))).shape
    real = tuple(layer(x).shape)
    assert len(symbolic) == len(real)
    assert all(s is None or s == r for s, r in zip(symbolic, real)), (symbolic, real)
    return symbolic


def round_trip(layer):
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    return clone


# ---------------------------------------------------------------------- Dense


def test_dense_matches_torch_linear():
    layer = Dense(4, activation="tanh")
    x = torch.randn(3, 5)
    out = layer(x)
    kernel, bias = [torch.as_tensor(w) for w in layer.get_weights()]
    torch.testing.assert_close(out, torch.tanh(x @ kernel + bias))
    assert kernel.shape == (5, 4)


# ---------------------------------------------------------------------- Activation


def test_activation_applies_the_named_function():
    x = torch.randn(4, 6)
    torch.testing.assert_close(Activation("relu")(x), torch.relu(x))
    torch.testing.assert_close(Activation("softmax")(x), torch.softmax(x, dim=-1))
    assert Activation("sigmoid")(Input(shape=(6,))).shape == (None, 6)


def test_activation_config_round_trip_and_unknown_name():
    clone = round_trip(Activation("tanh"))
    assert clone.get_config()["activation"] == "tanh"
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        Activation("rellu")


# ---------------------------------------------------------------------- Dropout


def test_dropout_is_identity_outside_training():
    x = torch.randn(8, 10)
    layer = Dropout(0.5)
    assert torch.equal(layer(x, training=False), x)
    layer.eval()
    assert torch.equal(layer(x), x)


def test_dropout_in_training_zeroes_and_rescales():
    x = torch.ones(200, 50)
    out = Dropout(0.4)(x, training=True)
    kept = out != 0
    torch.testing.assert_close(out[kept], torch.full_like(out[kept], 1 / 0.6))
    assert 0.55 < kept.float().mean().item() < 0.65


def test_dropout_noise_shape_shares_the_mask_across_an_axis():
    x = torch.ones(4, 7, 5)
    out = Dropout(0.5, noise_shape=(None, 1, 5))(x, training=True)
    # the same features are dropped at every step of a sample
    assert torch.equal(out, out[:, :1, :].expand_as(out))
    assert {0.0, 2.0} >= set(out.unique().tolist())


def test_dropout_seed_gives_reproducible_masks():
    x = torch.ones(6, 30)
    a = Dropout(0.5, seed=7)(x, training=True)
    b = Dropout(0.5, seed=7)(x, training=True)
    assert torch.equal(a, b)


def test_dropout_shapes_config_and_errors():
    layer = Dropout(0.3, noise_shape=(None, 1), seed=3)
    assert assert_symbolic_matches_real(layer, (9,), torch.randn(2, 9)) == (None, 9)
    assert round_trip(layer).get_config()["noise_shape"] == (None, 1)
    with pytest.raises(ValueError, match=r"Dropout\(rate=1.5\).*\[0, 1\)"):
        Dropout(1.5)
    with pytest.raises(ValueError, match="noise_shape=.*3 entries.*2 axes"):
        Dropout(0.5, noise_shape=(None, 1, 1))(torch.ones(2, 3), training=True)


def test_dropout_training_flag_reaches_it_through_a_model():
    inputs = Input(shape=(100,))
    model = Model(inputs, Dropout(0.5)(inputs, training=True))
    out = model(torch.ones(4, 100))
    assert (out == 0).any() and (out == 2).any()


# ---------------------------------------------------------------------- Flatten


def test_flatten_channels_last_and_first():
    x = torch.randn(2, 3, 4, 5)
    torch.testing.assert_close(Flatten()(x), x.reshape(2, -1))
    # channels_first: put the channels last first, so the vector order matches
    torch.testing.assert_close(Flatten(data_format="channels_first")(x), x.permute(0, 2, 3, 1).reshape(2, -1))
    assert assert_symbolic_matches_real(Flatten(), (3, 4, 5), x) == (None, 60)
    assert Flatten()(Input(shape=(None, 3))).shape == (None, None)


def test_flatten_of_a_vector_batch_keeps_a_feature_axis():
    assert Flatten()(torch.arange(3.0)).shape == (3, 1)


def test_flatten_config_and_bad_data_format():
    assert round_trip(Flatten(data_format="channels_first")).data_format == "channels_first"
    with pytest.raises(ValueError, match="channels_last"):
        Flatten(data_format="nhwc")


# ---------------------------------------------------------------------- Reshape


def test_reshape_with_and_without_minus_one():
    x = torch.randn(2, 12)
    torch.testing.assert_close(Reshape((3, 4))(x), x.reshape(2, 3, 4))
    torch.testing.assert_close(Reshape((-1, 2))(x), x.reshape(2, 6, 2))
    assert assert_symbolic_matches_real(Reshape((-1, 2)), (12,), x) == (None, 6, 2)
    assert Reshape((-1, 2))(Input(shape=(None, 4))).shape == (None, None, 2)


def test_reshape_errors_name_the_layer_and_the_counts():
    with pytest.raises(ValueError, match="at most one may be -1"):
        Reshape((-1, -1))
    with pytest.raises(TypeError, match=r"\(12,\)"):
        Reshape(12)
    inputs = Input(shape=(12,))
    layer = Reshape((5, 3), name="bad_reshape")
    with pytest.raises(ValueError, match=r"'bad_reshape'.*\(None, 12\).*12 values.*\(5, 3\).*15 values"):
        layer(inputs)
    assert layer._inbound_nodes == []


def test_reshape_config_round_trip():
    assert round_trip(Reshape((4, -1))).target_shape == (4, -1)


# ---------------------------------------------------------------------- Permute, RepeatVector


def test_permute_is_one_based_like_keras():
    x = torch.randn(2, 10, 64)
    torch.testing.assert_close(Permute((2, 1))(x), x.permute(0, 2, 1))
    assert assert_symbolic_matches_real(Permute((2, 1)), (10, 64), x) == (None, 64, 10)
    assert round_trip(Permute((3, 1, 2))).dims == (3, 1, 2)


def test_permute_errors():
    with pytest.raises(ValueError, match="permutation of 1, ..., 2"):
        Permute((0, 1))
    with pytest.raises(ValueError, match=r"reorders 2 axes.*\(None, 4, 5, 6\)"):
        Permute((2, 1))(Input(shape=(4, 5, 6)))


def test_repeat_vector():
    x = torch.randn(3, 5)
    out = RepeatVector(4)(x)
    torch.testing.assert_close(out, x[:, None, :].expand(3, 4, 5))
    assert assert_symbolic_matches_real(RepeatVector(4), (5,), x) == (None, 4, 5)
    assert round_trip(RepeatVector(2)).n == 2
    with pytest.raises(ValueError, match=r"\(batch, features\)"):
        RepeatVector(2)(Input(shape=(3, 5)))
    with pytest.raises(ValueError, match="positive int"):
        RepeatVector(0)


# ---------------------------------------------------------------------- Lambda


def scale_by(x, factor):
    return x * factor


def test_lambda_on_one_tensor_and_with_arguments():
    x = torch.randn(3, 4)
    torch.testing.assert_close(Lambda(lambda t: K.square(t))(x), x**2)
    torch.testing.assert_close(Lambda(scale_by, arguments={"factor": 3.0})(x), 3 * x)
    assert Lambda(lambda t: K.sum(t, axis=-1, keepdims=True))(Input(shape=(4,))).shape == (None, 1)


def test_lambda_on_a_list_receives_the_list():
    a, b = Input(shape=(4,)), Input(shape=(4,))
    out = Lambda(lambda t: K.square(t[0] - t[1]))([a, b])
    assert out.shape == (None, 4)
    model = Model([a, b], out)
    xa, xb = torch.randn(2, 4), torch.randn(2, 4)
    torch.testing.assert_close(model([xa, xb]), (xa - xb) ** 2)


def test_lambda_with_two_parameters_on_a_list_explains_the_list():
    a, b = Input(shape=(1,)), Input(shape=(1,))
    layer = Lambda(lambda x, y: K.square(x - y), name="score_gap")
    with pytest.raises(TypeError) as info:
        layer([a, b])
    message = str(info.value)
    assert "'score_gap'" in message and "ONE argument" in message
    assert "lambda t: t[0] - t[1]" in message
    assert layer._inbound_nodes == [] and a._keras_history.layer._outbound_nodes == []
    # the same mistake on real data
    with pytest.raises(TypeError, match="one list"):
        layer([torch.ones(1, 1), torch.ones(1, 1)])


def test_lambda_with_two_parameters_on_one_tensor_points_to_arguments():
    with pytest.raises(TypeError, match="arguments="):
        Lambda(lambda x, power: x**power)(Input(shape=(2,)))


def test_lambda_passes_the_training_flag():
    layer = Lambda(lambda x, training=None: x + (1.0 if training else 0.0))
    x = torch.zeros(1, 2)
    torch.testing.assert_close(layer(x, training=True), x + 1)
    torch.testing.assert_close(layer(x, training=False), x)


def test_lambda_output_shape_is_used_when_the_function_cannot_run_on_meta():
    numpy_square = lambda t: torch.from_numpy(t.numpy() ** 2)  # noqa: E731
    layer = Lambda(numpy_square, output_shape=(4,))
    assert layer(Input(shape=(4,))).shape == (None, 4)
    with pytest.raises(ValueError, match=r"not\s+numpy.*output_shape="):
        Lambda(numpy_square)(Input(shape=(4,)))
    computed = Lambda(numpy_square, output_shape=lambda s: (s[0], 2 * s[1]))
    assert computed(Input(shape=(4,))).shape == (None, 8)


def test_lambda_config_refuses_code_in_safe_mode():
    layer = Lambda(lambda t: K.square(t) + 1)
    config = layer.get_config()
    assert config["function_type"] == "lambda"
    assert config["function"] == "lambda t: K.square(t) + 1"
    with pytest.raises(ValueError, match="safe_mode=False"):
        Lambda.from_config(config)
    clone = Lambda.from_config(config, safe_mode=False)
    x = torch.randn(2, 3)
    torch.testing.assert_close(clone(x), x**2 + 1)
    assert clone.get_config() == config


def test_lambda_config_of_a_named_function():
    layer = Lambda(scale_by, arguments={"factor": 2.0}, output_shape=(5,))
    config = layer.get_config()
    assert (config["function"], config["function_type"]) == ("scale_by", "function")
    assert config["output_shape"] == (5,) and config["arguments"] == {"factor": 2.0}
    with pytest.raises(ValueError, match=r"function .*scale_by.*safe_mode=False"):
        Lambda.from_config(config)
    clone = Lambda.from_config(config, safe_mode=False)
    assert clone.function is scale_by and clone.get_config() == config


def test_lambda_of_a_kfunc_op_rebuilds_in_safe_mode():
    config = Lambda(K.square).get_config()
    assert config["module"] == "kfunc.ops"
    assert Lambda.from_config(config).function is ops.square


def test_lambda_refuses_a_mask_that_is_not_a_function_and_a_non_function():
    assert Lambda(lambda t: t, mask=lambda t, m: m).mask is not None  # masks are propagated (tests/test_masking.py)
    with pytest.raises(TypeError, match="mask"):
        Lambda(lambda t: t, mask=True)
    with pytest.raises(TypeError, match="must be a function"):
        Lambda(3)


# ---------------------------------------------------------------------- Embedding


def test_embedding_looks_up_rows_of_its_table():
    layer = Embedding(input_dim=10, output_dim=3)
    ids = torch.tensor([[1, 2, 9], [0, 0, 4]])
    out = layer(ids)
    table = torch.as_tensor(layer.get_weights()[0])
    assert table.shape == (10, 3)
    torch.testing.assert_close(out, table[ids])


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.int32, np.int64, np.float32, np.float64])
def test_embedding_accepts_ids_of_any_integer_or_whole_float_dtype(dtype):
    layer = Embedding(10, 2)
    out = layer(np.array([[3, 0, 7]], dtype=dtype))
    table = torch.as_tensor(layer.get_weights()[0])
    torch.testing.assert_close(out, table[[3, 0, 7]][None])


def test_embedding_default_initializer_is_uniform_005():
    layer = Embedding(1000, 50)
    layer(Input(shape=(3,), dtype="int32"))  # weights are made on the first call
    table = layer.get_weights()[0]
    assert table.min() >= -0.05 and table.max() <= 0.05 and table.std() > 0.02


def test_embedding_refuses_fractional_and_out_of_range_ids():
    layer = Embedding(10, 2, name="words")
    with pytest.raises(ValueError, match=r"'words'.*value 2\.5.*input_dim=10"):
        layer(np.array([[1.0, 2.5]]))
    with pytest.raises(ValueError, match=r"'words'.*id 10.*\[0, 10\).*input_dim is 10"):
        layer(np.array([[1, 10]]))
    with pytest.raises(ValueError, match=r"id -1"):
        layer(torch.tensor([[-1, 3]]))


def test_embedding_without_input_dim_explains_the_vocabulary():
    with pytest.raises(TypeError, match=r"(?s)input_dim.*vocabulary.*Embedding\(input_dim=10000, output_dim=1024\)"):
        Embedding(output_dim=1024)


def test_embedding_shapes_like_the_guide():
    main_input = Input(shape=(100,), dtype="int32", name="main_input")
    layer = Embedding(output_dim=512, input_dim=10000, input_length=100)
    assert layer(main_input).shape == (None, 100, 512)
    # float ids are fine too; no values are checked on symbolic tensors
    assert Embedding(50, 8)(Input(shape=(None,))).shape == (None, None, 8)
    assert assert_symbolic_matches_real(Embedding(50, 8), (6,), torch.randint(0, 50, (2, 6))) == (None, 6, 8)
    with pytest.raises(ValueError, match="input_length=100.*shape \\(None, 20\\)"):
        Embedding(10, 2, input_length=100)(Input(shape=(20,)))


def test_embedding_input_length_gives_the_input_shape_for_sequential():
    assert Embedding(10, 2, input_length=7)._batch_input_shape == (None, 7)
    assert Embedding(10, 2)._batch_input_shape == (None, None)


def test_embedding_config_round_trip_and_mask_zero():
    layer = Embedding(20, 4, input_length=5)
    clone = round_trip(layer)
    assert clone.get_config()["embeddings_initializer"]["class_name"] == "RandomUniform"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the mask is honoured now: nothing to warn about
        masked = Embedding(20, 4, mask_zero=True)
    torch.testing.assert_close(masked.compute_mask(torch.tensor([[0, 3]])), torch.tensor([[False, True]]))


def test_embedding_weight_errors():
    with pytest.raises(ValueError, match="positive int"):
        Embedding(0, 3)
    with pytest.raises(TypeError, match="unknown argument 'output_dims'"):
        Embedding(10, output_dims=3)
