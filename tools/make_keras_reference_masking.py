"""Record what Keras's recurrent layers compute on sequences with padded (masked) steps.

Run with Keras 3 on its torch backend, in a scratch environment (Keras is never a
dependency of kfunc)::

    KERAS_BACKEND=torch python tools/make_keras_reference_masking.py tests/data/keras_reference_masking.npz

For LSTM, GRU and SimpleRNN, each with and without ``return_sequences`` and
``go_backwards``, it draws weights in Keras's layouts, runs the layer on a fixed input
with a fixed mask, and saves weights, input, mask and outputs (the output, then the
states). ``tests/test_masking.py`` loads the same weights into kfunc and compares.
"""

import os
import sys

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

rng = np.random.default_rng(1)
x = rng.normal(size=(2, 5, 3)).astype("float32")
mask = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1]], bool)
arrays = {"x": x, "mask": mask}
for cls in ("LSTM", "GRU", "SimpleRNN"):
    for rs in (True, False):
        for back in (False, True):
            layer = getattr(keras.layers, cls)(4, return_sequences=rs, return_state=True, go_backwards=back)
            layer.build((2, 5, 3))
            weights = [rng.normal(scale=0.5, size=w.shape).astype("float32") for w in layer.get_weights()]
            layer.set_weights(weights)
            out = layer(x, mask=mask)
            key = f"{cls}_{'seq' if rs else 'last'}_{'back' if back else 'fwd'}"
            for i, w in enumerate(weights):
                arrays[f"{key}/w{i}"] = w
            for i, o in enumerate(out):
                arrays[f"{key}/out{i}"] = keras.ops.convert_to_numpy(o)


if __name__ == "__main__":
    np.savez(sys.argv[1], **arrays)
    print(f"wrote {len(arrays)} arrays to {sys.argv[1]}")
