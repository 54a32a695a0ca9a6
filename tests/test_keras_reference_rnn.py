"""RNN(cell), Attention and MultiHeadAttention compute in kfunc what they compute in Keras.

``tests/data/keras_reference_rnn.npz`` was recorded by ``tools/make_keras_reference_rnn.py``
with Keras 3 on its torch backend: inputs, weights and Keras's outputs for each
layer below. kfunc loads the same weights with ``set_weights`` and must agree.
"""

from pathlib import Path

import numpy as np
import pytest
import torch

from kfunc.layers.attention import Attention
from kfunc.layers.multi_head_attention import MultiHeadAttention
from kfunc.layers.recurrent import RNN, GRUCell, LSTMCell, SimpleRNNCell

DATA = np.load(Path(__file__).parent / "data" / "keras_reference_rnn.npz")

# name: (layer factory, whether the layer takes its inputs as one list)
CASES = {
    "rnn_lstm_cell": (lambda: RNN(LSTMCell(5), return_sequences=True), False),
    "rnn_gru_cell": (lambda: RNN(GRUCell(5), go_backwards=True), False),
    "rnn_simple_cell": (lambda: RNN(SimpleRNNCell(3, activation="relu")), False),
    "rnn_stacked": (lambda: RNN([LSTMCell(4), GRUCell(3)], return_sequences=True), False),
    "attention": (lambda: Attention(), True),
    "attention_scaled": (lambda: Attention(use_scale=True), True),
    "attention_scaled_masked": (lambda: Attention(use_scale=True), True),
    "attention_concat": (lambda: Attention(score_mode="concat", use_scale=True), True),
    "mha_masked": (lambda: MultiHeadAttention(num_heads=2, key_dim=3), False),
    "mha_key_value_dim": (lambda: MultiHeadAttention(2, 3, value_dim=4, output_shape=6), False),
}


def _arrays(name, kind):
    return [torch.as_tensor(DATA[k]) for k in sorted(DATA.files) if k.startswith(f"{name}/{kind}")]


@pytest.mark.parametrize("name", sorted(CASES))
def test_layer_matches_keras(name):
    make, as_list = CASES[name]
    xs, weights, expected = _arrays(name, "x"), _arrays(name, "w"), _arrays(name, "y")
    kwargs = {}
    if f"{name}/value_mask" in DATA.files:
        kwargs = {"mask": [None, torch.as_tensor(DATA[f"{name}/value_mask"])], "return_attention_scores": True}
    if f"{name}/attention_mask" in DATA.files:
        kwargs = {"attention_mask": torch.as_tensor(DATA[f"{name}/attention_mask"]), "return_attention_scores": True}
    layer = make()
    call = (lambda: layer(xs, **kwargs)) if as_list else (lambda: layer(*xs, **kwargs))  # noqa: E731
    call()  # build from the inputs' shapes
    layer.set_weights([w.numpy() for w in weights])
    outputs = call()
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        np.testing.assert_allclose(got.detach().numpy(), want.numpy(), rtol=1e-4, atol=1e-5)
