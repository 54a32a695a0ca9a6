"""Record what Keras itself computes, as reference data for kfunc's tests.

Run with Keras 3 on its torch backend, in a scratch environment (Keras is never a
dependency of kfunc)::

    KERAS_BACKEND=torch python tools/make_keras_reference.py tests/data/keras_reference.npz

For Dense, Conv2D (same padding, stride 2), LSTM, GRU and SimpleRNN it draws
weights in Keras's layouts and an input from a fixed seed, runs the Keras layer,
and saves weights, input and output. ``tests/test_keras_reference.py`` loads the
same weights into kfunc with ``set_weights`` and compares the outputs.
"""

import os
import sys

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

CASES = {
    "dense": (lambda: keras.layers.Dense(5, activation="tanh"), (4, 7)),
    "conv2d_same_stride2": (lambda: keras.layers.Conv2D(3, (4, 4), strides=2, padding="same", activation="relu"), (2, 9, 9, 2)),
    "conv2d_valid": (lambda: keras.layers.Conv2D(4, (3, 3)), (2, 6, 6, 3)),
    "lstm": (lambda: keras.layers.LSTM(6, return_sequences=True), (3, 5, 4)),
    "gru": (lambda: keras.layers.GRU(6, return_sequences=True), (3, 5, 4)),
    "simple_rnn": (lambda: keras.layers.SimpleRNN(6), (3, 5, 4)),
    "embedding_lstm_last": (lambda: keras.layers.LSTM(3, go_backwards=True), (2, 4, 3)),
}


def main(path):
    rng = np.random.default_rng(0)
    arrays = {}
    for name, (make, shape) in CASES.items():
        layer = make()
        x = rng.normal(size=shape).astype("float32")
        layer.build(shape)
        weights = [rng.normal(scale=0.5, size=w.shape).astype("float32") for w in layer.get_weights()]
        layer.set_weights(weights)
        y = keras.ops.convert_to_numpy(layer(x))
        arrays[f"{name}/x"] = x
        arrays[f"{name}/y"] = y
        for i, w in enumerate(weights):
            arrays[f"{name}/w{i}"] = w
    np.savez(path, **arrays)
    print(f"wrote {len(CASES)} cases to {path} with keras {keras.__version__}")


if __name__ == "__main__":
    main(sys.argv[1])
