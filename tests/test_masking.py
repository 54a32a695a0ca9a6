"""kfunc.engine.masking and the Masking layer: masks travel with tensors, as in tf.keras."""

import numpy as np
import pytest
import torch

import kfunc
from kfunc import Input, Model
from kfunc.layers import (
    Add, Concatenate, Dense, Embedding, Flatten, GlobalAveragePooling1D, Lambda, Masking, TimeDistributed,
)

PADDED = np.array([[[1, 2], [0, 0], [3, 4], [0, 0]], [[0, 0], [5, 6], [7, 8], [9, 1]]], dtype="float32")
REAL = np.array([[True, False, True, False], [False, True, True, True]])


def test_masking_marks_and_zeroes_padded_steps():
    x = Input(shape=(4, 2))
    y = Masking()(x)
    assert y._keras_mask.shape == (None, 4) and y._keras_mask.dtype == "bool"
    out = Model(x, y)(torch.tensor(PADDED))
    assert np.array_equal(out._keras_mask.numpy(), REAL)
    assert np.array_equal(out.numpy(), PADDED)  # padded steps were zeros already


def test_masking_with_another_value_zeroes_the_marked_steps():
    data = np.where(PADDED == 0, -1.0, PADDED).astype("float32")
    out = Masking(mask_value=-1.0)(torch.tensor(data))
    assert np.array_equal(out._keras_mask.numpy(), REAL)
    assert np.array_equal(out.numpy(), PADDED)


def test_embedding_mask_zero_marks_id_zero():
    ids = Input(shape=(5,), dtype="int32")
    vectors = Embedding(10, 3, mask_zero=True)(ids)
    assert vectors._keras_mask.shape == (None, 5)
    out = Model(ids, vectors)(torch.tensor([[4, 2, 0, 0, 0]]))
    assert out._keras_mask.tolist() == [[True, True, False, False, False]]


def test_layers_that_keep_the_steps_pass_the_mask_on():
    x = Input(shape=(4, 2))
    m = Masking()(x)
    for layer in (Dense(3), kfunc.layers.Activation("relu"), kfunc.layers.Dropout(0.5), TimeDistributed(Dense(2))):
        assert layer(m)._keras_mask is not None, type(layer).__name__


def test_layers_that_lose_the_steps_drop_the_mask_silently_as_tf_keras():
    m = Masking()(Input(shape=(4, 2)))
    assert Flatten()(m)._keras_mask is None


def test_global_average_pooling_averages_the_real_steps_only():
    x = Input(shape=(4, 2))
    pooled = GlobalAveragePooling1D()(Masking()(x))
    assert pooled._keras_mask is None
    out = Model(x, pooled).predict(PADDED, verbose=0)
    # recorded from Keras 3 (torch backend): the mean of the unmasked steps
    np.testing.assert_allclose(out, [[2.0, 3.0], [7.0, 5.0]], rtol=1e-6)


def test_global_average_pooling_channels_first_uses_the_mask_on_the_last_axis():
    layer = GlobalAveragePooling1D(data_format="channels_first")
    data = torch.tensor(PADDED).transpose(1, 2)  # (batch, channels, steps)
    out = layer(data, mask=torch.tensor(REAL))
    np.testing.assert_allclose(out.numpy(), [[2.0, 3.0], [7.0, 5.0]], rtol=1e-6)


def test_merges_combine_the_masks():
    x = Input(shape=(4, 2))
    m = Masking()(x)
    plain = Dense(2)(x)  # no mask
    assert Add()([m, plain])._keras_mask is not None
    assert Concatenate()([m, plain])._keras_mask is not None
    model = Model(x, [Add()([m, Dense(2)(m)]), Concatenate()([m, plain])])
    added, joined = model(torch.tensor(PADDED))
    assert np.array_equal(added._keras_mask.numpy(), REAL)
    assert np.array_equal(joined._keras_mask.numpy(), REAL)


def test_add_of_two_masks_keeps_a_step_only_where_both_are_real():
    a = torch.tensor([[True, True, False]])
    b = torch.tensor([[True, False, False]])
    assert Add().compute_mask([torch.zeros(1, 3, 2)] * 2, [a, b]).tolist() == [[True, False, False]]


def test_a_layer_whose_call_takes_mask_receives_it():
    seen = {}

    class Sees(kfunc.layers.Layer):
        def call(self, inputs, mask=None):
            seen["mask"] = mask
            return inputs

    x = Input(shape=(4, 2))
    Model(x, Sees()(Masking()(x)))(torch.tensor(PADDED))
    assert np.array_equal(seen["mask"].numpy(), REAL)


def test_custom_compute_mask_on_a_custom_layer():
    class FirstTwo(kfunc.layers.Layer):
        def compute_mask(self, inputs, mask=None):
            keep = torch.zeros(inputs.shape[:2], dtype=torch.bool, device=inputs.device)
            keep[:, :2] = True
            return keep

    x = Input(shape=(4, 2))
    y = FirstTwo()(x)
    assert y._keras_mask.shape == (None, 4)
    pooled = Model(x, GlobalAveragePooling1D()(y)).predict(PADDED, verbose=0)
    np.testing.assert_allclose(pooled, PADDED[:, :2].mean(axis=1), rtol=1e-6)


def test_lambda_mask_function_gives_the_output_mask():
    x = Input(shape=(4, 2))
    y = Lambda(lambda t: t * 2, mask=lambda t, m: t[..., 0] > 2)(x)
    out = Model(x, y)(torch.tensor(PADDED))
    assert np.array_equal(out._keras_mask.numpy(), PADDED[..., 0] > 2)
    with pytest.raises(TypeError, match="`mask=` takes a function"):
        Lambda(lambda t: t, mask=True)


def test_mask_accessors_follow_the_node_rules():
    x = Input(shape=(4, 2))
    dense = Dense(3)
    m = Masking()(x)
    dense(m)
    assert dense.input_mask.shape == (None, 4)
    assert dense.get_output_mask_at(0).shape == (None, 4)
    dense(Input(shape=(4, 2)))
    assert dense.get_input_mask_at(1) is None
    with pytest.raises(AttributeError, match='"layer input mask" is ill-defined'):
        dense.input_mask


def test_masked_model_saves_and_reloads(tmp_path):
    x = Input(shape=(4, 2))
    y = GlobalAveragePooling1D()(Dense(3)(Masking()(x)))
    model = Model(x, y)
    model.save(tmp_path / "m.keras")
    again = kfunc.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(again.predict(PADDED, verbose=0), model.predict(PADDED, verbose=0), rtol=1e-6)


# ------------------------------------------------------------ recurrent layers skip padded steps

REFERENCE = np.load(__import__("pathlib").Path(__file__).parent / "data" / "keras_reference_masking.npz")
RECURRENT_CASES = sorted({key.split("/")[0] for key in REFERENCE.files if "/" in key})


@pytest.mark.parametrize("case", RECURRENT_CASES)
def test_recurrent_layers_skip_padded_steps_as_keras_does(case):
    kind, returned, direction = case.split("_")
    layer = getattr(kfunc.layers, kind)(4, return_sequences=returned == "seq", return_state=True,
                                        go_backwards=direction == "back")
    x, mask = REFERENCE["x"], REFERENCE["mask"]
    layer(Input(shape=x.shape[1:]))
    layer.set_weights([REFERENCE[f"{case}/w{i}"] for i in range(len(layer.get_weights()))])
    outputs = layer(torch.tensor(x), mask=torch.tensor(mask))
    for i, output in enumerate(outputs):
        np.testing.assert_allclose(output.detach().numpy(), REFERENCE[f"{case}/out{i}"], atol=1e-5)


def test_a_masked_lstm_equals_the_lstm_on_the_real_steps_only():
    ids = Input(shape=(6,), dtype="int32")
    vectors = Embedding(20, 3, mask_zero=True)(ids)
    lstm = kfunc.layers.LSTM(5)
    model = Model(ids, lstm(vectors))
    padded = np.array([[4, 7, 2, 0, 0, 0], [3, 9, 1, 5, 8, 6]])
    out = model.predict(padded, verbose=0)
    # the same layers on the first sequence without its padding give the same last output
    embedded = model.layers[1](torch.tensor(padded[:1, :3]))
    del embedded._keras_mask  # three real steps: nothing to skip
    np.testing.assert_allclose(out[:1], lstm(embedded).detach().numpy(), atol=1e-6)


def test_a_masked_sequence_output_carries_the_mask_and_states_do_not():
    x = Input(shape=(5, 3))
    seq, h, c = kfunc.layers.LSTM(4, return_sequences=True, return_state=True)(Masking()(x))
    assert seq._keras_mask.shape == (None, 5)
    assert h._keras_mask is None and c._keras_mask is None
    assert kfunc.layers.GRU(4)(Masking()(x))._keras_mask is None


def test_rnn_of_a_cell_and_bidirectional_skip_padded_steps():
    x = Input(shape=(5, 3))
    masked = Masking()(x)
    rnn = kfunc.layers.RNN(kfunc.layers.LSTMCell(4))
    both = kfunc.layers.Bidirectional(kfunc.layers.GRU(2))
    model = Model(x, [rnn(masked), both(masked)])
    data = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    data[0, 3:] = 0  # the first sequence has 3 real steps
    short = data[:1, :3]
    full, bi = model.predict(data, verbose=0)
    np.testing.assert_allclose(full[:1], rnn(torch.tensor(short)).detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(bi[:1], both(torch.tensor(short)).detach().numpy(), atol=1e-6)
