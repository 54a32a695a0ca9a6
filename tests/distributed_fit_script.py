"""The training script that tests/test_distributed.py runs under torchrun, and alone.

    python -m torch.distributed.run --standalone --nproc_per_node=2 tests/distributed_fit_script.py OUT
    python tests/distributed_fit_script.py OUT          # the one-process reference

It is an ordinary kfunc script: nothing in it mentions processes. Each process
writes what it saw and what it got to ``OUT/rank<R>.json`` (``OUT/single.json``
alone): weights, History, the rows each batch brought it (the first column of ``x``
is the row's number), ``evaluate`` and ``predict`` results, and what ``fit`` printed.
"""

import contextlib
import io
import json
import os
import sys

import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc.callbacks import LambdaCallback
from kfunc.layers import Dense, Lambda

seen = {}  # phase -> [rows of each batch]
phase = ["build"]


def record(t):
    """Note which rows (by the number in column 0) a batch holds; pass the other columns on."""
    if not t.is_meta:
        seen.setdefault(phase[0], []).append([int(v) for v in t[:, 0].round().tolist()])
    return t[:, 1:]


def make_model():
    phase[0] = "setup"  # (fit may try the model on a couple of samples before training)
    kfunc.utils.clear_session()
    kfunc.utils.set_random_seed(0)
    inputs = Input(shape=(5,))
    x = Lambda(record)(inputs)
    x = Dense(8, activation="tanh")(x)
    outputs = Dense(1, activation="sigmoid")(x)
    model = Model(inputs, outputs)
    model.compile(optimizer=kfunc.optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy",
                  metrics=["acc", "mae"])
    return model


def data(n, seed):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 5).astype("float32")
    x[:, 0] = np.arange(n)
    y = (x[:, 1] + x[:, 2] > 1.0).astype("float32")
    return x, y


def phases(prefix):
    def begin(epoch, logs=None):
        phase[0] = f"{prefix}{epoch}"

    def begin_test(logs=None):
        phase[0] = f"{prefix}val"

    return LambdaCallback(on_epoch_begin=begin, on_test_begin=begin_test)


def weights(model):
    return [w.tolist() for w in model.get_weights()]


def main(out):
    world = int(os.environ.get("WORLD_SIZE", "1"))
    result = {"world": world}
    x, y = data(36, 0)
    xv, yv = data(10, 1)

    # A. 36 samples, global batch 8 (4 + 4 rows), in order; validation data; progress shown
    model = make_model()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, validation_data=(xv, yv),
                            callbacks=[phases("fit")], verbose=1)
    result["printed"] = printed.getvalue()
    result["history"] = history.history
    result["weights"] = weights(model)
    phase[0] = "evaluate"
    result["evaluate"] = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    phase[0] = "predict"
    result["predict"] = model.predict(x, batch_size=8).tolist()

    # B. 37 samples: the last batch (5 rows) splits 3 + 2
    model = make_model()
    x37, y37 = data(37, 2)
    history = model.fit(x37, y37, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[phases("uneven")])
    result["uneven_history"] = history.history
    result["uneven_weights"] = weights(model)
    phase[0] = "uneven_predict"
    result["uneven_predict"] = model.predict(x37, batch_size=8).tolist()

    # C. shuffled: both processes must walk the same permutation
    model = make_model()
    model.fit(x, y, batch_size=8, epochs=2, shuffle=True, verbose=0, callbacks=[phases("shuffled")])
    result["shuffled_weights"] = weights(model)

    # D. one process asks to stop mid-epoch (as a callback reading its own batch logs might)
    model = make_model()
    asking = os.environ.get("RANK", "1") == "1"

    def stop_after_third(batch, logs=None):
        if asking and batch == 2:
            model.stop_training = True

    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
                        callbacks=[phases("stopped"), LambdaCallback(on_train_batch_end=stop_after_third)])
    result["stopped_epochs"] = history.epoch

    # E. a global batch that does not split evenly
    try:
        model.fit(x, y, batch_size=7, epochs=1, verbose=0)
        result["odd_batch_error"] = None
    except ValueError as err:
        result["odd_batch_error"] = str(err)

    result["seen"] = seen
    name = f"rank{os.environ['RANK']}" if world > 1 else "single"
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(sys.argv[1])
