"""Keras-layout weights compute in kfunc what they compute in Keras.

``tests/data/keras_reference.npz`` was recorded by ``tools/make_keras_reference.py``
with Keras 3 on its torch backend: weights, an input and Keras's output for each
layer below. kfunc loads the same weights with ``set_weights`` and must agree.
"""

from pathlib import Path

import numpy as np
import pytest
import torch

from kfunc.layers import GRU, LSTM, Conv2D, Dense, SimpleRNN

DATA = np.load(Path(__file__).parent / "data" / "keras_reference.npz")

CASES = {
    "dense": lambda: Dense(5, activation="tanh"),
    "conv2d_same_stride2": lambda: Conv2D(3, (4, 4), strides=2, padding="same", activation="relu"),
    "conv2d_valid": lambda: Conv2D(4, (3, 3)),
    "lstm": lambda: LSTM(6, return_sequences=True),
    "gru": lambda: GRU(6, return_sequences=True),
    "simple_rnn": lambda: SimpleRNN(6),
    "embedding_lstm_last": lambda: LSTM(3, go_backwards=True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_layer_matches_keras(name):
    x = DATA[f"{name}/x"]
    weights = [DATA[k] for k in sorted(DATA.files) if k.startswith(f"{name}/w")]
    layer = CASES[name]()
    layer(torch.as_tensor(x))  # build from the input's shape
    layer.set_weights(weights)
    out = layer(torch.as_tensor(x)).detach().numpy()
    np.testing.assert_allclose(out, DATA[f"{name}/y"], rtol=1e-4, atol=1e-5)
