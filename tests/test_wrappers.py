"""TimeDistributed and Bidirectional: per-step application, nodes, weights, merges, config."""

import time

import numpy as np
import pytest
import torch

from kfunc.layers import (
    GRU,
    LSTM,
    Bidirectional,
    Conv2D,
    Dense,
    Flatten,
    Input,
    MaxPooling2D,
    SimpleRNN,
    TimeDistributed,
)
from kfunc.models import Model, Sequential


def keras_lstm(x, kernel, recurrent, bias, h, c):
    """The LSTM equations, step by step, with Keras-layout weights (gates i, f, c, o)."""
    u = recurrent.shape[0]
    outputs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, o = torch.sigmoid(z[:, :u]), torch.sigmoid(z[:, u:2 * u]), torch.sigmoid(z[:, 3 * u:])
        c = f * c + i * torch.tanh(z[:, 2 * u:3 * u])
        h = o * torch.tanh(c)
        outputs.append(h)
    return torch.stack(outputs, 1), h, c


def close(a, b):
    torch.testing.assert_close(a, b, atol=2e-5, rtol=1e-5)


def digit_classifier():
    x = Input(shape=(784,))
    hidden = Dense(64, activation="relu")(x)
    return Model(x, Dense(10, activation="softmax")(hidden))


# ---------------------------------------------------------------- TimeDistributed


def test_time_distributed_dense_applies_the_same_dense_to_every_step():
    dense = Dense(4)
    layer = TimeDistributed(dense)
    x = torch.randn(2, 5, 3)
    y = layer(x)
    kernel, bias = [torch.as_tensor(w) for w in dense.get_weights()]
    close(y, x @ kernel + bias)
    assert layer.weights[0] is dense.kernel and layer.count_params() == 16


def test_time_distributed_model_as_in_the_guide():
    model = digit_classifier()
    processed = TimeDistributed(model)(Input(shape=(20, 784)))
    assert processed.shape == (None, 20, 10)
    assert model._inbound_nodes == []  # the inner model gained no node
    assert len(model.layers[1]._inbound_nodes) == 1
    data = torch.rand(2, 20, 784)
    wrapped = processed._keras_history.layer
    out = wrapped(data)
    for t in (0, 7, 19):
        close(out[:, t], model(data[:, t]))


def test_time_distributed_in_a_model_and_unknown_time_length():
    x = Input(shape=(None, 8))
    y = TimeDistributed(Dense(3, activation="relu"))(x)
    assert y.shape == (None, None, 3)
    model = Model(x, y)
    assert model(torch.randn(2, 4, 8)).shape == (2, 4, 3)
    assert model(torch.randn(3, 9, 8)).shape == (3, 9, 3)


def test_time_distributed_conv_stack_then_lstm():
    vision = Sequential()
    vision.add(Conv2D(4, (3, 3), activation="relu", padding="same", input_shape=(12, 12, 3)))
    vision.add(MaxPooling2D((2, 2)))
    vision.add(Flatten())
    video = Input(shape=(5, 12, 12, 3))
    frames = TimeDistributed(vision)(video)
    assert frames.shape == (None, 5, 144)
    encoded = LSTM(6)(frames)
    model = Model(video, encoded)
    data = torch.rand(2, 5, 12, 12, 3)
    per_frame = torch.stack([vision(data[:, t]) for t in range(5)], 1)
    torch.testing.assert_close(model.layers[1](data), per_frame)
    assert model(data).shape == (2, 6)


def test_full_size_video_model_stays_on_meta_and_is_cheap():
    start = time.perf_counter()
    vision = Sequential()
    vision.add(Conv2D(64, (3, 3), activation="relu", padding="same", input_shape=(224, 224, 3)))
    vision.add(Conv2D(64, (3, 3), activation="relu"))
    vision.add(MaxPooling2D((2, 2)))
    vision.add(Conv2D(128, (3, 3), activation="relu", padding="same"))
    vision.add(Conv2D(128, (3, 3), activation="relu"))
    vision.add(MaxPooling2D((2, 2)))
    vision.add(Conv2D(256, (3, 3), activation="relu", padding="same"))
    vision.add(Conv2D(256, (3, 3), activation="relu"))
    vision.add(Conv2D(256, (3, 3), activation="relu"))
    vision.add(MaxPooling2D((2, 2)))
    vision.add(Flatten())
    frames = TimeDistributed(vision)(Input(shape=(100, 224, 224, 3)))
    assert frames.shape == (None, 100, 160_000)
    lstm = LSTM(256)
    assert lstm(frames).shape == (None, 256)
    assert time.perf_counter() - start < 3.0
    assert lstm.count_params() == 4 * 256 * (160_000 + 256 + 1)
    layers = [m for m in vision.modules()] + [lstm]
    assert all(p.is_meta for m in layers for p in m._parameters.values())


def test_time_distributed_passes_training_to_layers_that_take_it():
    from kfunc.layers import Dropout

    layer = TimeDistributed(Dropout(0.5))
    x = torch.ones(4, 3, 10)
    torch.testing.assert_close(layer(x, training=False), x)
    assert (layer(x, training=True) == 0).any()


def test_time_distributed_errors():
    with pytest.raises(ValueError, match=r"TimeDistributed 'time_distributed' .*\(None, 784\) has no time axis"):
        TimeDistributed(Dense(3))(Input(shape=(784,)))
    with pytest.raises(TypeError, match="wraps a layer"):
        TimeDistributed("dense")
    dense = Dense(3)
    dense(Input(shape=(4,)))
    with pytest.raises(ValueError, match="expects an input with last dimension 4"):
        TimeDistributed(dense)(Input(shape=(5, 6)))


def test_time_distributed_config_round_trip():
    layer = TimeDistributed(Dense(3, activation="relu", name="inner"), name="td")
    config = layer.get_config()
    assert config["layer"]["class_name"] == "Dense"
    clone = TimeDistributed.from_config(config)
    assert clone.get_config() == config and isinstance(clone.layer, Dense)


# ---------------------------------------------------------------- Bidirectional


def test_bidirectional_lstm_matches_two_hand_written_directions():
    layer = Bidirectional(LSTM(4, return_sequences=True))
    x = torch.randn(2, 6, 3)
    layer(x)
    rng = np.random.default_rng(0)
    layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in layer.get_weights()])
    w = [torch.as_tensor(a) for a in layer.get_weights()]
    zeros = torch.zeros(2, 4)
    forward = keras_lstm(x, *w[:3], zeros, zeros)[0]
    backward = keras_lstm(x.flip(1), *w[3:], zeros, zeros)[0].flip(1)  # back in time order
    close(layer(x), torch.cat([forward, backward], -1))


def test_bidirectional_weights_names_and_order():
    layer = Bidirectional(LSTM(4))
    assert layer.forward_layer.name == "forward_lstm" and layer.backward_layer.name == "backward_lstm"
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    y = layer(Input(shape=(5, 3)))
    assert y.shape == (None, 8) and layer.name == "bidirectional"
    assert [tuple(w.shape) for w in layer.weights] == [(3, 16), (4, 16), (16,)] * 2
    assert layer.weights[0] is layer.forward_layer.kernel and layer.weights[3] is layer.backward_layer.kernel


@pytest.mark.parametrize("mode", ["sum", "mul", "ave", None])
def test_bidirectional_merge_modes(mode):
    layer = Bidirectional(GRU(3), merge_mode=mode)
    x = torch.randn(2, 5, 4)
    out = layer(x)
    f, b = layer.forward_layer(x), layer.backward_layer(x)
    expected = {"sum": f + b, "mul": f * b, "ave": (f + b) / 2, None: [f, b]}[mode]
    if mode is None:
        close(out[0], f)
        close(out[1], b)
        assert [t.shape for t in layer(Input(shape=(5, 4)))] == [(None, 3), (None, 3)]
    else:
        close(out, expected)


def test_bidirectional_return_state_and_initial_state():
    layer = Bidirectional(LSTM(4, return_state=True))
    symbolic = layer(Input(shape=(5, 3)))
    assert [t.shape for t in symbolic] == [(None, 8)] + [(None, 4)] * 4
    x = torch.randn(2, 5, 3)
    states = [torch.randn(2, 4) for _ in range(4)]
    out, h_f, c_f, h_b, c_b = layer(x, initial_state=states)
    w = [torch.as_tensor(a) for a in layer.get_weights()]
    _, want_h_f, want_c_f = keras_lstm(x, *w[:3], states[0], states[1])
    _, want_h_b, _ = keras_lstm(x.flip(1), *w[3:], states[2], states[3])
    close(h_f, want_h_f)
    close(c_f, want_c_f)
    close(h_b, want_h_b)
    close(out, torch.cat([want_h_f, want_h_b], -1))


def test_bidirectional_with_given_backward_layer():
    backward = SimpleRNN(3, go_backwards=True, return_sequences=True, name="back")
    layer = Bidirectional(SimpleRNN(5, return_sequences=True), backward_layer=backward)
    assert layer.backward_layer is backward and backward.name == "backward_back"
    assert layer(Input(shape=(6, 2))).shape == (None, 6, 8)
    with pytest.raises(ValueError, match="go_backwards"):
        Bidirectional(LSTM(3), backward_layer=LSTM(3))
    with pytest.raises(ValueError, match="return_sequences"):
        Bidirectional(LSTM(3), backward_layer=LSTM(3, go_backwards=True, return_sequences=True))


def test_bidirectional_in_a_sequential_model():
    model = Sequential([Bidirectional(LSTM(4, return_sequences=True), input_shape=(5, 3)),
                        Bidirectional(LSTM(2)), Dense(1)])
    assert model.output_shape == (None, 1)
    assert model(torch.randn(2, 5, 3)).shape == (2, 1)


def test_bidirectional_config_round_trip():
    layer = Bidirectional(GRU(3, return_sequences=True, name="g"), merge_mode="sum", name="bi")
    config = layer.get_config()
    assert config["layer"]["config"]["name"] == "g"
    clone = Bidirectional.from_config(config)
    assert clone.get_config() == config
    assert clone.forward_layer.name == "forward_g" and clone.merge_mode == "sum"


def test_bidirectional_errors():
    with pytest.raises(TypeError, match="recurrent layer"):
        Bidirectional(Dense(3))
    with pytest.raises(ValueError, match="merge_mode"):
        Bidirectional(LSTM(3), merge_mode="max")
    with pytest.raises(ValueError, match=r"'forward_lstm_1' expects a 3D input"):
        Bidirectional(LSTM(3))(Input(shape=(4,)))
