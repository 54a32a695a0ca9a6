"""RNN(cell), the built-in cells, stacked cells and your own cells: numerics, shapes, states, config, errors.

The oracle is a recurrent step written by hand in torch, fed the cell's own
(Keras-layout) weights; and the built-in layers, which run the same equations.
"""

import time

import numpy as np
import pytest
import torch

from kfunc.engine.layer import Layer
from kfunc.layers import Dense, Input
from kfunc.layers.recurrent import (
    GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell, StackedRNNCells,
)
from kfunc.models import Model, load_model


def lstm_step(x, h, c, kernel, recurrent, bias):
    i, f, g, o = (x @ kernel + h @ recurrent + bias).chunk(4, dim=-1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def gru_step(x, h, kernel, recurrent, bias):
    xz, xr, xh = (x @ kernel + bias[0]).chunk(3, dim=-1)
    rz, rr, rh = (h @ recurrent + bias[1]).chunk(3, dim=-1)
    z, r = torch.sigmoid(xz + rz), torch.sigmoid(xr + rr)
    return z * h + (1 - z) * torch.tanh(xh + r * rh)


def randomize(layer, *call_args):
    """Build ``layer`` on the arguments and give every weight random values; return them as tensors."""
    layer(*call_args)
    rng = np.random.default_rng(0)
    layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in layer.get_weights()])
    return [torch.as_tensor(w) for w in layer.get_weights()]


def close(a, b):
    torch.testing.assert_close(a, b, atol=2e-5, rtol=1e-5)


class MinimalRNNCell(Layer):
    """The cell Keras documents: ``output = x @ kernel + h @ recurrent_kernel``, one state."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units), "glorot_uniform")
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, self.units), "orthogonal")

    def call(self, inputs, states):
        output = inputs @ self.kernel + states[0] @ self.recurrent_kernel
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class RunningSumCell(Layer):
    """Two states of different widths, and an output that is neither of them."""

    state_size = [3, 1]
    output_size = 2

    def call(self, inputs, states):
        total, count = states
        total, count = total + inputs, count + 1
        return torch.cat([total.mean(-1, keepdim=True), count], dim=-1), [total, count]


# ---------------------------------------------------------------- cells


def test_cells_have_the_layers_weight_layouts_and_state_sizes():
    x = Input(shape=(5, 3))
    cells = {LSTMCell(4): [(3, 16), (4, 16), (16,)], GRUCell(4): [(3, 12), (4, 12), (2, 12)],
             SimpleRNNCell(4): [(3, 4), (4, 4), (4,)], GRUCell(4, reset_after=False): [(3, 12), (4, 12), (12,)]}
    for cell, shapes in cells.items():
        RNN(cell)(x)
        assert [tuple(w.shape) for w in cell.weights] == shapes
    assert LSTMCell(4).state_size == [4, 4] and GRUCell(4).state_size == 4 and SimpleRNNCell(4).state_size == 4
    cell = LSTMCell(3)
    RNN(cell)(x)
    np.testing.assert_array_equal(cell.get_weights()[2], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])  # unit_forget_bias


def test_a_cell_computes_one_step():
    x, h, c = torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4)
    cell = LSTMCell(4)
    kernel, recurrent, bias = randomize(cell, x, [h, c])
    output, (new_h, new_c) = cell(x, [h, c])
    want_h, want_c = lstm_step(x, h, c, kernel, recurrent, bias)
    close(output, want_h)
    close(new_c, want_c)
    gru = GRUCell(4)
    weights = randomize(gru, x, [h])
    output, states = gru(x, [h])
    close(output, gru_step(x, h, *weights))
    assert isinstance(states, list)
    _, state = gru(x, h)  # one state given as a tensor comes back as a tensor
    assert isinstance(state, torch.Tensor)


# ---------------------------------------------------------------- RNN(cell)


@pytest.mark.parametrize("make_cell, make_layer", [
    (lambda: LSTMCell(4), lambda: LSTM(4, return_sequences=True, return_state=True)),
    (lambda: GRUCell(4), lambda: GRU(4, return_sequences=True, return_state=True)),
    (lambda: SimpleRNNCell(4, activation="relu"), lambda: SimpleRNN(4, activation="relu", return_sequences=True,
                                                                    return_state=True)),
    (lambda: GRUCell(4, reset_after=False, recurrent_activation="hard_sigmoid"),
     lambda: GRU(4, reset_after=False, recurrent_activation="hard_sigmoid", return_sequences=True,
                 return_state=True)),
])
def test_rnn_of_a_cell_computes_what_the_layer_computes(make_cell, make_layer):
    x = torch.randn(3, 6, 5)
    rnn, layer = RNN(make_cell(), return_sequences=True, return_state=True), make_layer()
    weights = randomize(rnn, x)
    layer(x)
    layer.set_weights([w.numpy() for w in weights])
    for got, want in zip(rnn(x), layer(x)):
        close(got, want)


def test_rnn_lstm_cell_matches_hand_written_steps_with_initial_state_and_go_backwards():
    x, h, c = torch.randn(2, 5, 3), torch.randn(2, 4), torch.randn(2, 4)
    rnn = RNN(LSTMCell(4), return_sequences=True, return_state=True, go_backwards=True)
    kernel, recurrent, bias = randomize(rnn, x)
    sequence, got_h, got_c = rnn(x, initial_state=[h, c])
    outputs = []
    for t in reversed(range(5)):
        h, c = lstm_step(x[:, t], h, c, kernel, recurrent, bias)
        outputs.append(h)
    close(sequence, torch.stack(outputs, 1))
    close(got_h, h)
    close(got_c, c)
    close(rnn([x, h, c])[0], rnn(x, initial_state=[h, c])[0])  # the states as extra inputs, as Keras takes them


def test_cell_dropout_only_while_training():
    x = torch.randn(4, 6, 3)
    rnn, plain = RNN(LSTMCell(4, dropout=0.5, recurrent_dropout=0.5)), RNN(LSTMCell(4))
    weights = randomize(rnn, x)
    plain(x)
    plain.set_weights([w.numpy() for w in weights])
    close(rnn(x), plain(x))
    assert not torch.allclose(rnn(x, training=True), plain(x))


# ---------------------------------------------------------------- stacked cells


def test_stacked_cells_compute_what_stacked_layers_compute():
    x = torch.randn(3, 6, 5)
    stacked = RNN([LSTMCell(4), GRUCell(3)], return_sequences=True)
    weights = [w.numpy() for w in randomize(stacked, x)]
    assert [w.shape for w in weights] == [(5, 16), (4, 16), (16,), (4, 9), (3, 9), (2, 9)]
    lstm, gru = LSTM(4, return_sequences=True), GRU(3, return_sequences=True)
    gru(lstm(x))
    lstm.set_weights(weights[:3])
    gru.set_weights(weights[3:])
    close(stacked(x), gru(lstm(x)))


def test_stacked_states_come_per_cell_and_go_in_flat_or_nested():
    x = torch.randn(2, 5, 3)
    rnn = RNN(StackedRNNCells([LSTMCell(4), GRUCell(2)]), return_state=True)
    output, (h1, c1), h2 = rnn(x)
    assert output.shape == (2, 2) and h1.shape == c1.shape == (2, 4) and h2.shape == (2, 2)
    close(output, h2)
    states = [torch.randn(2, 4), torch.randn(2, 4), torch.randn(2, 2)]
    flat = rnn(x, initial_state=states)
    nested = rnn(x, initial_state=[states[:2], states[2]])
    close(flat[0], nested[0])
    assert not torch.allclose(flat[0], output)
    symbolic = rnn(Input(shape=(5, 3)))
    assert [symbolic[0].shape, [t.shape for t in symbolic[1]], symbolic[2].shape] == [
        (None, 2), [(None, 4), (None, 4)], (None, 2)]


# ---------------------------------------------------------------- your own cells


def test_your_own_cell_runs_step_by_step():
    x = torch.randn(2, 5, 3)
    cell = MinimalRNNCell(4)
    rnn = RNN(cell, return_sequences=True, return_state=True)
    kernel, recurrent = randomize(rnn, x)
    sequence, h = rnn(x)
    want, outputs = torch.zeros(2, 4), []
    for t in range(5):
        want = x[:, t] @ kernel + want @ recurrent
        outputs.append(want)
    close(sequence, torch.stack(outputs, 1))
    close(h, want)
    assert rnn(Input(shape=(None, 3)))[0].shape == (None, None, 4)


def test_your_own_cell_with_several_states_and_its_own_output_size():
    rnn = RNN(RunningSumCell(), return_sequences=True, return_state=True)
    symbolic = rnn(Input(shape=(4, 3)))
    assert [t.shape for t in symbolic] == [(None, 4, 2), (None, 3), (None, 1)]
    x = torch.ones(2, 4, 3)
    sequence, total, count = rnn(x)
    close(count, torch.full((2, 1), 4.0))
    close(sequence[:, :, 0], torch.tensor([[1.0, 2, 3, 4]] * 2))


def test_a_subclass_of_a_built_in_cell_runs_its_own_call():
    class DoubledLSTMCell(LSTMCell):
        def call(self, inputs, states, training=None):
            output, states = super().call(inputs, states, training)
            return 2 * output, states

    x = torch.randn(2, 5, 3)
    mine, plain = RNN(DoubledLSTMCell(4)), RNN(LSTMCell(4))
    weights = randomize(mine, x)
    plain(x)
    plain.set_weights([w.numpy() for w in weights])
    close(mine(x), 2 * plain(x))


def test_your_own_cell_trains_in_a_model():
    inputs = Input(shape=(6, 3))
    model = Model(inputs, Dense(1)(RNN([MinimalRNNCell(8), LSTMCell(4)])(inputs)))
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 6, 3)).astype("float32")
    y = x.sum(axis=(1, 2))[:, None] / 5
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


# ---------------------------------------------------------------- shapes


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
def test_symbolic_shapes_equal_real_shapes(return_sequences, return_state):
    rnn = RNN(LSTMCell(4), return_sequences=return_sequences, return_state=return_state)
    symbolic = rnn(Input(shape=(None, 3)))
    real = rnn(torch.randn(2, 7, 3))
    if not return_state:
        symbolic, real = [symbolic], [real]
    assert len(symbolic) == 1 + 2 * return_state
    for s, r in zip(symbolic, real):
        assert len(s.shape) == r.dim() and all(a is None or a == b for a, b in zip(s.shape, r.shape))


def test_describing_a_long_sequence_model_is_cheap():
    start = time.perf_counter()
    assert RNN(LSTMCell(256))(Input(shape=(2000, 4096))).shape == (None, 256)
    assert time.perf_counter() - start < 1.0


# ---------------------------------------------------------------- config and saving


@pytest.mark.parametrize("make", [
    lambda: RNN(LSTMCell(5, recurrent_activation="hard_sigmoid", dropout=0.1), return_sequences=True, name="enc"),
    lambda: RNN(GRUCell(3, reset_after=False), go_backwards=True, return_state=True),
    lambda: RNN([SimpleRNNCell(2, use_bias=False), LSTMCell(3, unit_forget_bias=False)]),
])
def test_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    clone = RNN.from_config(config)
    assert clone.get_config() == config
    assert type(clone.cell) is type(layer.cell)


def test_cell_configs_have_keras_arguments():
    config = GRUCell(8).get_config()
    assert config["reset_after"] is True and config["recurrent_activation"] == "sigmoid"
    assert LSTMCell(8).get_config()["unit_forget_bias"] is True
    for cell in (SimpleRNNCell(2), LSTMCell(2), GRUCell(2)):
        assert type(cell).from_config(cell.get_config()).get_config() == cell.get_config()


@pytest.mark.parametrize("decoder_kind", ["LSTM", "RNN(LSTMCell)"])
def test_seq2seq_model_trains_saves_and_reloads(tmp_path, decoder_kind):
    # The Keras character-level seq2seq example: the encoder's final states start the decoder.
    encoder_inputs, decoder_inputs = Input(shape=(None, 6)), Input(shape=(None, 5))
    _, h, c = LSTM(8, return_state=True)(encoder_inputs)
    if decoder_kind == "LSTM":
        decoder = LSTM(8, return_sequences=True, return_state=True)
    else:
        decoder = RNN(LSTMCell(8), return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder(decoder_inputs, initial_state=[h, c])
    outputs = Dense(5, activation="softmax")(decoder_outputs)
    model = Model([encoder_inputs, decoder_inputs], outputs)
    assert len(decoder.inbound_nodes[0].input_tensors) == 3  # the sequence and both states
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    rng = np.random.default_rng(0)
    x_enc = rng.normal(size=(32, 7, 6)).astype("float32")
    x_dec = np.eye(5, dtype="float32")[rng.integers(0, 5, size=(32, 4))]
    targets = np.roll(x_dec, -1, axis=1)
    history = model.fit([x_enc, x_dec], targets, epochs=5, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    model.save(str(tmp_path / "seq2seq"))
    again = load_model(str(tmp_path / "seq2seq"))
    np.testing.assert_array_equal(again.predict([x_enc, x_dec], verbose=0), model.predict([x_enc, x_dec], verbose=0))


# ---------------------------------------------------------------- errors


def test_what_is_not_a_cell_is_refused_saying_what_a_cell_is():
    with pytest.raises(TypeError, match=r"given the LSTM layer 'lstm'.*Use `LSTMCell\(3\)`"):
        RNN(LSTM(3))
    with pytest.raises(TypeError, match=r"a layer with a `state_size`.*call\(inputs, states\).*Dense"):
        RNN(Dense(3))
    with pytest.raises(TypeError, match=r"StackedRNNCells takes a non-empty list of cells"):
        StackedRNNCells([])


def test_stateful_and_wrong_inputs_are_refused():
    with pytest.raises(ValueError, match=r"RNN\(stateful=True\).*return_state=True.*initial_state"):
        RNN(LSTMCell(3), stateful=True)
    with pytest.raises(ValueError, match=r"RNN 'rnn_1' expects a 3D input .*\(None, 32\)"):
        RNN(LSTMCell(3))(Input(shape=(32,)))
    rnn = RNN(LSTMCell(4))
    with pytest.raises(ValueError, match=r"carries 2 state\(s\) \(h, c\).*got 1"):
        rnn(torch.randn(2, 5, 3), initial_state=[torch.zeros(2, 4)])
    rnn(Input(shape=(5, 3)))
    with pytest.raises(ValueError, match=r"expects 3 features per step, got shape \(None, 5, 7\)"):
        rnn(Input(shape=(5, 7)))
    with pytest.raises(ValueError, match=r"LSTMCell 'lstm_cell_\d+' computes one time step.*RNN\(LSTMCell"):
        LSTMCell(3)(torch.randn(2, 5, 3), [torch.zeros(2, 3)] * 2)


def test_a_failed_first_call_leaves_the_cell_unbuilt():
    rnn = RNN(MinimalRNNCell(4))
    with pytest.raises(ValueError):
        rnn(Input(shape=(32,)))
    assert not rnn.cell.built
    assert rnn(Input(shape=(5, 3))).shape == (None, 4)
