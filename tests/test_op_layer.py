"""kfunc.layers.op_layer: operators and kfunc.ops functions on symbolic tensors, as layer nodes."""

import json

import numpy as np
import pytest
import torch

import kfunc
from kfunc import Input, Model
from kfunc import backend as K
from kfunc.layers import Dense, Lambda, OpLayer
from kfunc.models import load_model
from kfunc.models.saving import model_from_json


def dense_weights(layer):
    kernel, bias = (torch.tensor(w) for w in layer.get_weights())
    return kernel, bias


# ---------------------------------------------------------------- numerics against hand-written torch


def test_operators_and_ops_compute_as_the_same_torch_code():
    x = Input(shape=(5,))
    dense = Dense(4)
    h = dense(x)
    w = np.arange(8.0).reshape(4, 2)
    outputs = [
        (h * 2 - 1) / 3,
        2 - h,
        h ** 2 + abs(-h),
        h // 1 + h % 2,
        h[:, 1:3] @ np.ones((2, 3)),
        h @ w,
        K.mean(K.square(h), axis=-1, keepdims=True) + K.sum(h[:, None, :], axis=[1, 2])[:, None],
        K.concatenate([h, x[..., :2]], axis=-1),
        1 / (1 + K.exp(-h)),
        np.array([1.0, 2.0, 3.0, 4.0]) * h,
    ]
    model = Model(x, outputs)
    data = np.random.default_rng(0).normal(size=(6, 5)).astype("float32")
    got = model.predict(data, verbose=0)

    kernel, bias = dense_weights(dense)
    t = torch.tensor(data)
    g = t @ kernel + bias
    w_t = torch.tensor(w, dtype=torch.float32)
    expected = [
        (g * 2 - 1) / 3,
        2 - g,
        g ** 2 + g.abs(),
        torch.floor_divide(g, 1) + torch.remainder(g, 2),
        g[:, 1:3] @ torch.ones(2, 3),
        g @ w_t,
        (g * g).mean(-1, keepdim=True) + g.sum(-1, keepdim=True),
        torch.cat([g, t[:, :2]], dim=-1),
        torch.sigmoid(g),
        torch.tensor([1.0, 2.0, 3.0, 4.0]) * g,
    ]
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b.detach().numpy(), rtol=1e-5, atol=1e-5)


def test_comparisons_and_logical_operators_give_bool_tensors():
    x = Input(shape=(3,))
    y = Input(shape=(3,))
    outputs = [x < y, x >= 0.5, 0.5 < x, (x > 0) & (y > 0), (x > 0) | (y > 0), (x > 0) ^ (y > 0), ~(x > 0)]
    assert {o.dtype for o in outputs} == {"bool"}
    model = Model([x, y], outputs)
    a = np.array([[0.2, -1.0, 0.7]], "float32")
    b = np.array([[0.1, 2.0, -0.3]], "float32")
    got = model.predict([a, b], verbose=0)
    expected = [a < b, a >= 0.5, a > 0.5, (a > 0) & (b > 0), (a > 0) | (b > 0), (a > 0) ^ (b > 0), ~(a > 0)]
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(np.asarray(g, bool), e)


def test_gradients_flow_through_op_layers_and_the_loss_falls():
    kfunc.utils.set_random_seed(1)
    x = Input(shape=(4,))
    h = Dense(8, activation="tanh")(x)
    out = Dense(1)(h * 0.5 + K.square(h)[:, :1])
    model = Model(x, out)
    model.compile(optimizer=kfunc.optimizers.Adam(learning_rate=0.02), loss="mse")
    rng = np.random.default_rng(1)
    data = rng.normal(size=(64, 4)).astype("float32")
    target = data.sum(axis=1, keepdims=True)
    history = model.fit(data, target, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


# ---------------------------------------------------------------- the VAE pattern


def test_the_keras2_vae_pattern_builds_symbolically_and_matches_torch():
    kfunc.utils.set_random_seed(0)
    x = Input(shape=(6,))
    hidden = Dense(8, activation="relu")(x)
    mean_layer, log_var_layer = Dense(2), Dense(2)
    z_mean, z_log_var = mean_layer(hidden), log_var_layer(hidden)
    kl = -0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)
    sampling = getattr(K, "random_normal", None)

    def sample(args):
        mean, log_var = args
        noise = sampling(shape=K.shape(mean)) if sampling else torch.randn_like(mean)
        return mean + K.exp(0.5 * log_var) * noise

    z = Lambda(sample)([z_mean, z_log_var])
    assert kl.shape == (None,) and z.shape == (None, 2)
    model = Model(x, [kl, z, z_mean])
    data = np.random.default_rng(0).normal(size=(5, 6)).astype("float32")
    got_kl, got_z, got_mean = model.predict(data, verbose=0)

    t = torch.tensor(data)
    h = torch.relu(t @ torch.tensor(model.layers[1].get_weights()[0]) + torch.tensor(model.layers[1].get_weights()[1]))
    mean = h @ dense_weights(mean_layer)[0] + dense_weights(mean_layer)[1]
    log_var = h @ dense_weights(log_var_layer)[0] + dense_weights(log_var_layer)[1]
    expected_kl = -0.5 * torch.sum(1 + log_var - mean ** 2 - torch.exp(log_var), dim=-1)
    np.testing.assert_allclose(got_kl, expected_kl.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_mean, mean.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert got_z.shape == (5, 2) and not np.allclose(got_z, got_mean)  # the noise is drawn


# ---------------------------------------------------------------- shown as layers


def op_model():
    x = Input(shape=(4,), name="pixels")
    h = Dense(3, name="hidden")(x)
    return Model(x, K.mean(h * 2, axis=-1))


def test_summary_and_code_show_the_op_layers():
    model = op_model()
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense", "OpLayer", "OpLayer"]
    assert [layer.name for layer in model.layers[2:]] == ["multiply", "mean"]
    code = model.code
    assert "multiply = self.multiply(hidden)" in code and "mean = self.mean(multiply)" in code
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "multiply (OpLayer)" in text and "mean (OpLayer)" in text


def test_the_graph_drawing_shows_op_nodes():
    from kfunc.utils.plotting import model_to_dot

    source = model_to_dot(op_model(), show_shapes=True).source
    assert "multiply" in source and "OpLayer" in source and "mean" in source


def test_names_count_like_any_layer_and_keras3s_op_names():
    x = Input(shape=(4,))
    names = [t.node.layer.name for t in (x + 1, x + 2, x * 2, x / 2, x[:, 0], -x, abs(x), x ** 2, K.square(x))]
    assert names == ["add", "add_1", "multiply", "true_divide", "get_item", "negative", "absolute", "power", "square"]
    kfunc.utils.clear_session()
    assert (Input(shape=(2,)) - 1).node.layer.name == "subtract"


def test_an_op_layer_is_reused_on_other_tensors_like_any_layer():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    layer = (a * 3).node.layer
    c = layer(b)
    assert len(layer.inbound_nodes) == 2 and c.shape == (None, 3)
    np.testing.assert_allclose(Model(b, c).predict(np.ones((1, 3)), verbose=0), 3 * np.ones((1, 3)))


# ---------------------------------------------------------------- saving


def test_config_names_the_function_and_holds_the_constants():
    x = Input(shape=(4, 5))
    y = x[:, None, ..., ::2] + np.array([1.0, 2.0, 3.0])
    index, add = y.node.parent_nodes[0].layer, y.node.layer
    assert index.get_config()["function"] == "operator.getitem"
    assert index.get_config()["call_args"] == [
        {"__input__": 0},
        {"__tuple__": [{"__slice__": [None, None, None]}, None, {"__ellipsis__": True}, {"__slice__": [None, None, 2]}]},
    ]
    assert add.get_config()["call_args"][1] == {"__array__": [1.0, 2.0, 3.0], "dtype": "float32", "shape": [3]}
    assert K.mean(x, axis=-1).node.layer.get_config()["function"] == "kfunc.ops.mean"
    json.dumps([index.get_config(), add.get_config()])  # plain JSON data
    rebuilt = OpLayer.from_config(add.get_config())
    assert rebuilt.function is add.function and rebuilt.get_config() == add.get_config()


def test_a_model_with_op_layers_saves_and_loads_with_identical_predictions(tmp_path):
    x = Input(shape=(6,))
    h = Dense(4)(x)
    outputs = [
        K.sum(K.square(h - np.array([0.5, -0.5, 1.0, 0.0])), axis=-1, keepdims=True),
        K.concatenate([h[:, :2], x[..., -2:]]) * 0.1,
        K.cast(h > 0, "float32"),
        x[:, None, ::2],
    ]
    model = Model(x, outputs)
    data = np.random.default_rng(2).normal(size=(3, 6)).astype("float32")
    before = model.predict(data, verbose=0)
    path = str(tmp_path / "ops.keras")
    model.save(path)
    loaded = load_model(path)
    for a, b in zip(before, loaded.predict(data, verbose=0)):
        np.testing.assert_array_equal(a, b)
    rebuilt = model_from_json(model.to_json())
    rebuilt.set_weights(model.get_weights())
    for a, b in zip(before, rebuilt.predict(data, verbose=0)):
        np.testing.assert_array_equal(a, b)


def test_constants_are_not_weights_and_move_with_the_model():
    x = Input(shape=(3,))
    model = Model(x, x * np.array([1.0, 2.0, 3.0]))
    assert model.get_weights() == [] and list(model.state_dict()) == []
    model.to(torch.float64)
    out = model(torch.ones(1, 3, dtype=torch.float64))
    assert out.dtype == torch.float64 and out.tolist() == [[1.0, 2.0, 3.0]]


# ---------------------------------------------------------------- misuse


def test_a_torch_tensor_constant_is_refused_with_the_way_out():
    x = Input(shape=(3,))
    with pytest.raises(TypeError, match=r"operator\.add was given a torch tensor of shape \(3,\).*numpy array"):
        x + torch.ones(3)
    with pytest.raises(TypeError, match=r"operator\.mul was given a torch tensor"):
        torch.ones(3) * x
    with pytest.raises(TypeError, match=r"kfunc\.ops\.concatenate was given a torch tensor"):
        K.concatenate([x, torch.ones(2, 3)])


def test_torch_and_numpy_functions_on_symbolic_tensors_point_to_kfunc_ops():
    x = Input(shape=(3,), name="pixels")
    with pytest.raises(TypeError, match=r"torch\.exp\(\) was called on the symbolic tensor.*'pixels'.*kfunc\.ops\.exp"):
        torch.exp(x)
    with pytest.raises(TypeError, match=r"Lambda\(lambda t: torch\.nn\.functional\.relu\(t\)\)"):
        torch.nn.functional.relu(x)
    with pytest.raises(TypeError, match=r"numpy\.exp\(\) was called on the symbolic tensor.*kfunc\.ops\.exp"):
        np.exp(x)
    with pytest.raises(TypeError, match="cannot become a numpy array"):
        np.mean(x)


def test_values_that_cannot_be_saved_or_returned_are_refused():
    x = Input(shape=(3,))
    with pytest.raises(TypeError, match=r"operator\.add was given .*object.*Lambda layer"):
        x + object()
    with pytest.raises(TypeError, match=r"kfunc\.ops\.shape on symbolic tensors gives a Size, not a tensor.*int_shape"):
        K.shape(x)


def test_shapes_that_do_not_broadcast_name_the_op_layer():
    with pytest.raises(ValueError, match=r"Layer 'add(_\d+)?' \(OpLayer\) cannot be called on an input of shape \[\(None, 3\), \(None, 4\)\]"):
        Input(shape=(3,)) + Input(shape=(4,))


def test_a_config_may_only_name_operators_and_kfunc_functions():
    with pytest.raises(ValueError, match="records Python's operators and kfunc's own functions"):
        OpLayer.from_config({"function": "os.system", "call_args": ["echo hi"]})
    with pytest.raises(ValueError, match="records Python's operators"):
        OpLayer(lambda t: t, [{"__input__": 0}])


def test_import_kfunc_names_the_op_layers_as_the_operations_point():
    from kfunc.engine import hooks

    assert hooks.operations._module_name == "kfunc.layers.op_layer"


def test_numpy_indices_and_symbolic_ids_index_like_torch():
    x, ids = Input(shape=(5, 3)), Input(shape=(2,), dtype="int64")
    table = np.arange(12.0).reshape(6, 2)
    model = Model([x, ids], [x[:, np.array([0, 2])], x[:, [1, 4], 0], K.gather(table, ids)])
    data, chosen = np.arange(15.0).reshape(1, 5, 3), np.array([[1, 5]])
    got = model.predict([data, chosen], verbose=0)
    np.testing.assert_array_equal(got[0], data[:, [0, 2]])
    np.testing.assert_array_equal(got[1], data[:, [1, 4], 0])
    np.testing.assert_array_equal(got[2], table[chosen])
