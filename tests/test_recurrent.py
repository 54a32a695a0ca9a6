"""SimpleRNN, LSTM and GRU: Keras layouts, Keras equations, shapes, config, errors.

The oracle is the Keras equations written out by hand in a Python loop, fed the
layer's own (Keras-layout) weights. Matching them checks both the arithmetic and
that the weights are laid out the way Keras lays them out.
"""

import time

import numpy as np
import pytest
import torch

from kfunc.layers import GRU, LSTM, Input, SimpleRNN
from kfunc.models import Model


def hard_sigmoid(x):
    return (0.2 * x + 0.5).clamp(0.0, 1.0)


def keras_lstm(x, kernel, recurrent, bias, h, c, act=torch.tanh, gate=torch.sigmoid):
    u = recurrent.shape[0]
    outputs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f = gate(z[:, :u]), gate(z[:, u:2 * u])
        c = f * c + i * act(z[:, 2 * u:3 * u])
        h = gate(z[:, 3 * u:]) * act(c)
        outputs.append(h)
    return torch.stack(outputs, 1), h, c


def keras_gru(x, kernel, recurrent, bias, h, reset_after=True, act=torch.tanh, gate=torch.sigmoid):
    u = recurrent.shape[0]
    b_in, b_rec = (bias[0], bias[1]) if reset_after else (bias, None)
    outputs = []
    for t in range(x.shape[1]):
        xz, xr, xh = (x[:, t] @ kernel + b_in).split(u, dim=1)
        if reset_after:
            rz, rr, rh = (h @ recurrent + b_rec).split(u, dim=1)
            z, r = gate(xz + rz), gate(xr + rr)
            candidate = act(xh + r * rh)
        else:
            z = gate(xz + h @ recurrent[:, :u])
            r = gate(xr + h @ recurrent[:, u:2 * u])
            candidate = act(xh + (r * h) @ recurrent[:, 2 * u:])
        h = z * h + (1 - z) * candidate
        outputs.append(h)
    return torch.stack(outputs, 1), h


def keras_simple_rnn(x, kernel, recurrent, bias, h, act=torch.tanh):
    outputs = []
    for t in range(x.shape[1]):
        h = act(x[:, t] @ kernel + h @ recurrent + bias)
        outputs.append(h)
    return torch.stack(outputs, 1), h


def randomize(layer, x):
    """Build ``layer`` on ``x`` and give every weight (biases too) random values."""
    layer(x)
    rng = np.random.default_rng(0)
    layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in layer.get_weights()])
    return [torch.as_tensor(w) for w in layer.get_weights()]


def close(a, b):
    torch.testing.assert_close(a, b, atol=2e-5, rtol=1e-5)


# ---------------------------------------------------------------- layouts


def test_weight_layouts_are_keras_layouts():
    x = Input(shape=(7, 5))
    lstm, gru, rnn = LSTM(4), GRU(4), SimpleRNN(4)
    for layer in (lstm, gru, rnn):
        layer(x)
    assert [tuple(w.shape) for w in lstm.weights] == [(5, 16), (4, 16), (16,)]
    assert [tuple(w.shape) for w in gru.weights] == [(5, 12), (4, 12), (2, 12)]
    assert [tuple(w.shape) for w in GRU(4, reset_after=False)(x).node.layer.weights] == [(5, 12), (4, 12), (12,)]
    assert [tuple(w.shape) for w in rnn.weights] == [(5, 4), (4, 4), (4,)]
    assert lstm.count_params() == 5 * 16 + 4 * 16 + 16


def test_lstm_initial_weights_forget_bias_and_orthogonal_recurrent_kernel():
    lstm = LSTM(3)
    lstm(Input(shape=(2, 4)))
    kernel, recurrent, bias = lstm.get_weights()
    np.testing.assert_array_equal(bias, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(3), atol=1e-5)
    no_forget = LSTM(3, unit_forget_bias=False)
    no_forget(Input(shape=(2, 4)))
    np.testing.assert_array_equal(no_forget.get_weights()[2], np.zeros(12))


# ---------------------------------------------------------------- numerics


def test_lstm_matches_keras_equations():
    layer = LSTM(4, return_sequences=True, return_state=True)
    x = torch.randn(3, 6, 5)
    kernel, recurrent, bias = randomize(layer, x)
    sequence, h, c = layer(x)
    zeros = torch.zeros(3, 4)
    expected = keras_lstm(x, kernel, recurrent, bias, zeros, zeros)
    for got, want in zip((sequence, h, c), expected):
        close(got, want)


def test_lstm_with_custom_activation_uses_the_step_loop_and_matches():
    layer = LSTM(4, recurrent_activation="hard_sigmoid", return_sequences=True)
    x = torch.randn(2, 5, 3)
    kernel, recurrent, bias = randomize(layer, x)
    zeros = torch.zeros(2, 4)
    close(layer(x), keras_lstm(x, kernel, recurrent, bias, zeros, zeros, gate=hard_sigmoid)[0])


def test_gru_reset_after_matches_keras_equations():
    layer = GRU(4, return_sequences=True, return_state=True)
    x = torch.randn(3, 6, 5)
    kernel, recurrent, bias = randomize(layer, x)
    sequence, h = layer(x)
    expected = keras_gru(x, kernel, recurrent, bias, torch.zeros(3, 4))
    close(sequence, expected[0])
    close(h, expected[1])


def test_gru_reset_before_matches_keras_equations():
    layer = GRU(4, reset_after=False)
    x = torch.randn(3, 6, 5)
    kernel, recurrent, bias = randomize(layer, x)
    close(layer(x), keras_gru(x, kernel, recurrent, bias, torch.zeros(3, 4), reset_after=False)[1])


def test_gru_loop_and_fused_kernel_agree():
    x = torch.randn(2, 5, 3)
    fused = GRU(4, return_sequences=True)
    looped = GRU(4, return_sequences=True, activation=lambda t: torch.tanh(t))
    weights = randomize(fused, x)
    looped(x)
    looped.set_weights([w.numpy() for w in weights])
    close(fused(x), looped(x))


@pytest.mark.parametrize("activation, fn", [("tanh", torch.tanh), ("relu", torch.relu), ("sigmoid", torch.sigmoid)])
def test_simple_rnn_matches_keras_equations(activation, fn):
    layer = SimpleRNN(4, activation=activation, return_sequences=True)
    x = torch.randn(3, 6, 5)
    kernel, recurrent, bias = randomize(layer, x)
    close(layer(x), keras_simple_rnn(x, kernel, recurrent, bias, torch.zeros(3, 4), act=fn)[0])


def test_without_bias():
    layer = LSTM(4, use_bias=False)
    x = torch.randn(2, 5, 3)
    kernel, recurrent = randomize(layer, x)
    zeros = torch.zeros(2, 4)
    close(layer(x), keras_lstm(x, kernel, recurrent, 0.0, zeros, zeros)[1])


def test_go_backwards_reads_the_reversed_sequence():
    x = torch.randn(2, 5, 3)
    backwards = LSTM(4, go_backwards=True, return_sequences=True)
    forwards = LSTM(4, return_sequences=True)
    weights = randomize(backwards, x)
    forwards(x)
    forwards.set_weights([w.numpy() for w in weights])
    # Keras returns the outputs in the order the layer walked the steps.
    close(backwards(x), forwards(x.flip(1)))


def test_initial_state_keyword_and_list_inputs():
    layer = LSTM(4, return_state=True)
    x, h0, c0 = torch.randn(2, 5, 3), torch.randn(2, 4), torch.randn(2, 4)
    kernel, recurrent, bias = randomize(layer, x)
    _, want_h, want_c = keras_lstm(x, kernel, recurrent, bias, h0, c0)
    output, h, c = layer(x, initial_state=[h0, c0])
    close(output, want_h)
    close(c, want_c)
    close(layer([x, h0, c0])[0], want_h)


def test_initial_state_in_a_functional_model():
    seq, h0 = Input(shape=(5, 3)), Input(shape=(4,))
    gru = GRU(4)
    model = Model([seq, h0], gru(seq, initial_state=[h0]))
    assert model.output_shape == (None, 4)
    x, h = torch.randn(2, 5, 3), torch.randn(2, 4)
    kernel, recurrent, bias = [torch.as_tensor(w) for w in gru.get_weights()]
    close(model([x, h]), keras_gru(x, kernel, recurrent, bias, h)[1])


def test_gradients_reach_keras_layout_weights():
    layer = GRU(4)
    x = torch.randn(2, 5, 3)
    layer(x).sum().backward()
    assert all(w.grad is not None and w.grad.abs().sum() > 0 for w in layer.weights)


# ---------------------------------------------------------------- dropout


def test_dropout_only_while_training():
    x = torch.randn(4, 6, 3)
    layer = LSTM(4, dropout=0.5, recurrent_dropout=0.5)
    plain = LSTM(4)
    weights = randomize(layer, x)
    plain(x)
    plain.set_weights([w.numpy() for w in weights])
    close(layer(x, training=False), plain(x))
    assert not torch.allclose(layer(x, training=True), plain(x))
    layer.eval()
    close(layer(x), plain(x))
    assert layer.implementation == 1  # as in tf.keras, recurrent dropout uses a mask per gate


def test_input_dropout_mask_is_shared_across_time_steps():
    layer = SimpleRNN(3, dropout=0.5, activation="linear", use_bias=False, return_sequences=True)
    x = torch.ones(1, 4, 6)
    layer(x)
    layer.set_weights([np.eye(6, 3, dtype="float32"), np.zeros((3, 3), "float32")])
    out = layer(x, training=True)
    # no recurrence, identity-like kernel: each step shows the same dropped features
    for t in range(1, 4):
        close(out[:, t], out[:, 0])
    assert set(out[0, 0].tolist()) <= {0.0, 2.0}


# ---------------------------------------------------------------- shapes


@pytest.mark.parametrize("cls, states", [(LSTM, 2), (GRU, 1), (SimpleRNN, 1)])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
def test_symbolic_shapes_equal_real_shapes(cls, states, return_sequences, return_state):
    layer = cls(4, return_sequences=return_sequences, return_state=return_state)
    symbolic = layer(Input(shape=(None, 3)))
    real = layer(torch.randn(2, 7, 3))
    if not return_state:
        symbolic, real = [symbolic], [real]
    assert len(symbolic) == 1 + states * return_state
    for s, r in zip(symbolic, real):
        assert len(s.shape) == r.dim()
        assert all(a is None or a == b for a, b in zip(s.shape, r.shape))
    assert symbolic[0].shape == ((None, None, 4) if return_sequences else (None, 4))


def test_describing_a_long_sequence_model_is_cheap():
    start = time.perf_counter()
    layer = LSTM(256)
    y = layer(Input(shape=(2000, 4096)))
    assert y.shape == (None, 256)
    assert time.perf_counter() - start < 1.0
    assert layer._parameters["kernel"].is_meta  # nothing allocated


# ---------------------------------------------------------------- config


@pytest.mark.parametrize("layer", [
    LSTM(5, activation="relu", recurrent_activation="hard_sigmoid", unit_forget_bias=False,
         dropout=0.1, return_sequences=True, go_backwards=True, name="enc"),
    GRU(3, reset_after=False, return_state=True, recurrent_dropout=0.2),
    SimpleRNN(2, use_bias=False, kernel_initializer="he_normal"),
])
def test_config_round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config


def test_keras_defaults():
    config = LSTM(8).get_config()
    assert config["activation"] == "tanh" and config["recurrent_activation"] == "sigmoid"
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert config["recurrent_initializer"]["class_name"] == "Orthogonal"
    assert config["unit_forget_bias"] is True and config["stateful"] is False
    assert GRU(8).get_config()["reset_after"] is True
    assert [LSTM(1).name, LSTM(1).name, GRU(1).name, SimpleRNN(1).name] == ["lstm_1", "lstm_2", "gru_1", "simple_rnn"]


# ---------------------------------------------------------------- errors


def test_2d_input_is_refused_naming_layer_and_shape():
    with pytest.raises(ValueError, match=r"LSTM 'lstm' expects a 3D input .*\(None, 32\)"):
        LSTM(8)(Input(shape=(32,)))
    with pytest.raises(ValueError, match=r"GRU 'gru' expects a 3D input"):
        GRU(8)(torch.randn(4, 32))


def test_stateful_is_refused_with_the_alternative():
    with pytest.raises(ValueError, match=r"stateful=True.*return_state=True.*initial_state"):
        LSTM(8, stateful=True)


def test_wrong_feature_size_on_a_later_call():
    layer = LSTM(4)
    layer(Input(shape=(5, 3)))
    with pytest.raises(ValueError, match=r"expects 3 features per step, got shape \(None, 5, 7\)"):
        layer(Input(shape=(5, 7)))
    assert len(layer._inbound_nodes) == 1


def test_wrong_initial_states():
    layer = LSTM(4)
    x = torch.randn(2, 5, 3)
    with pytest.raises(ValueError, match=r"carries 2 state\(s\) \(h, c\).*got 1"):
        layer(x, initial_state=[torch.zeros(2, 4)])
    with pytest.raises(ValueError, match=r"initial state c must have shape"):
        layer(x, initial_state=[torch.zeros(2, 4), torch.zeros(2, 5)])


def test_bad_arguments():
    with pytest.raises(ValueError, match="units"):
        LSTM(0)
    with pytest.raises(ValueError, match="dropout"):
        GRU(3, dropout=1.5)
    with pytest.raises(ValueError, match="implementation"):
        LSTM(3, implementation=3)
    with pytest.raises(TypeError, match="unknown argument 'return_sequence'"):
        LSTM(3, return_sequence=True)
