"""Record what Keras computes for RNN(cell), Attention and MultiHeadAttention, as reference data.

Run with Keras 3 on its torch backend, in a scratch environment (Keras is never a
dependency of kfunc)::

    KERAS_BACKEND=torch python tools/make_keras_reference_rnn.py tests/data/keras_reference_rnn.npz

For each case it calls the Keras layer once to build it, draws weights in Keras's
layouts and inputs from a fixed seed, calls it again, and saves the inputs
(``<case>/x0``, ``x1``, ...), the weights (``w00``, ``w01``, ...) and the outputs
(``y0``, ``y1``, ...). ``tests/test_keras_reference_rnn.py`` loads the same weights
into kfunc with ``set_weights`` and compares the outputs.
"""

import os
import sys

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
from keras import layers  # noqa: E402

rng = np.random.default_rng(0)


def normal(*shape):
    return rng.normal(size=shape).astype("float32")


def sequences():
    return [normal(3, 6, 4)], {}


def query_value():
    return [normal(2, 4, 5), normal(2, 6, 5)], {}


def query_value_masked():
    value_mask = np.ones((2, 6), bool)
    value_mask[0, 4:] = False  # the first sample's value has two padded steps
    return [normal(2, 4, 5), normal(2, 6, 5)], {"mask": [None, value_mask], "return_attention_scores": True}


def mha_inputs():
    mask = rng.random((2, 4, 6)) > 0.3
    mask[:, :, 0] = True  # every query step sees at least one key step
    return [normal(2, 4, 5), normal(2, 6, 7)], {"attention_mask": mask, "return_attention_scores": True}


def mha_with_key():
    return [normal(2, 4, 5), normal(2, 6, 7), normal(2, 6, 3)], {}


# name: (layer factory, inputs factory, whether the layer takes its inputs as one list)
CASES = {
    "rnn_lstm_cell": (lambda: layers.RNN(layers.LSTMCell(5), return_sequences=True), sequences, False),
    "rnn_gru_cell": (lambda: layers.RNN(layers.GRUCell(5), go_backwards=True), sequences, False),
    "rnn_simple_cell": (lambda: layers.RNN(layers.SimpleRNNCell(3, activation="relu")), sequences, False),
    "rnn_stacked": (lambda: layers.RNN([layers.LSTMCell(4), layers.GRUCell(3)], return_sequences=True),
                    sequences, False),
    "attention": (lambda: layers.Attention(), query_value, True),
    "attention_scaled": (lambda: layers.Attention(use_scale=True), query_value, True),
    "attention_scaled_masked": (lambda: layers.Attention(use_scale=True), query_value_masked, True),
    "attention_concat": (lambda: layers.Attention(score_mode="concat", use_scale=True), query_value, True),
    "mha_masked": (lambda: layers.MultiHeadAttention(num_heads=2, key_dim=3), mha_inputs, False),
    "mha_key_value_dim": (lambda: layers.MultiHeadAttention(2, 3, value_dim=4, output_shape=6), mha_with_key, False),
}


def main(path):
    arrays = {}
    for name, (make, inputs, as_list) in CASES.items():
        layer = make()
        xs, kwargs = inputs()
        call = (lambda: layer(xs, **kwargs)) if as_list else (lambda: layer(*xs, **kwargs))
        call()  # builds the layer
        weights = [rng.normal(scale=0.5, size=w.shape).astype("float32") for w in layer.get_weights()]
        layer.set_weights(weights)
        ys = call()
        ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
        for i, x in enumerate(xs):
            arrays[f"{name}/x{i}"] = x
        for key, value in kwargs.items():
            if key == "mask":
                arrays[f"{name}/value_mask"] = value[1]
            elif key == "attention_mask":
                arrays[f"{name}/attention_mask"] = value
        for i, w in enumerate(weights):
            arrays[f"{name}/w{i:02d}"] = w
        for i, y in enumerate(ys):
            arrays[f"{name}/y{i}"] = keras.ops.convert_to_numpy(y)
    np.savez(path, **arrays)
    print(f"wrote {len(CASES)} cases to {path} with keras {keras.__version__}")


if __name__ == "__main__":
    main(sys.argv[1])
