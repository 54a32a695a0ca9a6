"""How much does kfunc's ``fit`` cost over a hand-written torch loop?

Each case trains one of the guide's models with ``model.fit`` and the same network
written by hand in torch (same layers, same initial weights, same loss formula on
probabilities, same optimizer settings, the same running loss and accuracy kept as
tensors and read once per epoch), in the same process. Epochs alternate between
the two sides so that both see the same machine load; the figure is the median
samples per second over the repeats, and the ratio kfunc / torch.

The kfunc side is timed around the whole ``model.fit(..., epochs=1, verbose=0)``
call, setup included, with numpy inputs as a user would pass them; the torch side
around one epoch of its loop, on tensors made beforehand.

Also timed: ``model.predict`` on one sample against a bare ``torch.no_grad()``
forward of the hand-written network.

Run from the repository root::

    .venv/bin/python benchmarks/bench_fit.py            # all cases
    .venv/bin/python benchmarks/bench_fit.py --quick    # smaller, for a smoke test
    .venv/bin/python benchmarks/bench_fit.py --threads 2 --repeats 9

Targets (issue 3): dense network >= 0.9x at batch 32, >= 0.95x at batch 256;
one-sample predict <= 1.5x the bare forward.

Its torch side computes the losses on probabilities, as kfunc does, so it measures
kfunc's own overhead. ``benchmarks/bench_step.py`` is the stricter comparison (issue
17): the cheapest correct torch loop (losses fused on the logits), at 1 and 2 threads.
"""

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import kfunc  # noqa: E402
from kfunc import Input, Model  # noqa: E402
from kfunc.layers import LSTM, Dense, Embedding, concatenate  # noqa: E402

EPS = 1e-7


# ----------------------------------------------------------------------------- the models, twice


def dense_kfunc():
    inputs = Input(shape=(784,))
    x = Dense(64, activation="relu")(inputs)
    x = Dense(64, activation="relu")(x)
    predictions = Dense(10, activation="softmax")(x)
    model = Model(inputs=inputs, outputs=predictions)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


class DenseTorch(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10),
                                    nn.Softmax(dim=-1))

    def forward(self, x):
        return self.layers(x)


def headline_kfunc(vocab, maxlen, embed):
    main_input = Input(shape=(maxlen,), dtype="int32", name="main_input")
    x = Embedding(output_dim=embed, input_dim=vocab, input_length=maxlen)(main_input)
    lstm_out = LSTM(32)(x)
    auxiliary_output = Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
    auxiliary_input = Input(shape=(5,), name="aux_input")
    x = concatenate([lstm_out, auxiliary_input])
    x = Dense(64, activation="relu")(x)
    x = Dense(64, activation="relu")(x)
    x = Dense(64, activation="relu")(x)
    main_output = Dense(1, activation="sigmoid", name="main_output")(x)
    model = Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", loss_weights=[1.0, 0.2])
    return model


class HeadlineTorch(nn.Module):
    def __init__(self, vocab, embed):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, 32, batch_first=True)
        self.aux = nn.Linear(32, 1)
        self.d1, self.d2, self.d3 = nn.Linear(37, 64), nn.Linear(64, 64), nn.Linear(64, 64)
        self.main = nn.Linear(64, 1)

    def forward(self, ids, extra):
        _, (h, _) = self.lstm(self.embedding(ids.long()))
        h = h[-1]
        aux = torch.sigmoid(self.aux(h))
        x = torch.cat([h, extra], dim=-1)
        x = torch.relu(self.d3(torch.relu(self.d2(torch.relu(self.d1(x))))))
        return torch.sigmoid(self.main(x)), aux


def shared_lstm_kfunc(length, alphabet):
    tweet_a = Input(shape=(length, alphabet))
    tweet_b = Input(shape=(length, alphabet))
    shared_lstm = LSTM(64)
    merged = concatenate([shared_lstm(tweet_a), shared_lstm(tweet_b)], axis=-1)
    predictions = Dense(1, activation="sigmoid")(merged)
    model = Model(inputs=[tweet_a, tweet_b], outputs=predictions)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


class SharedLSTMTorch(nn.Module):
    def __init__(self, alphabet):
        super().__init__()
        self.lstm = nn.LSTM(alphabet, 64, batch_first=True)
        self.out = nn.Linear(128, 1)

    def forward(self, a, b):
        _, (ha, _) = self.lstm(a)
        _, (hb, _) = self.lstm(b)
        return torch.sigmoid(self.out(torch.cat([ha[-1], hb[-1]], dim=-1)))


def copy_dense(kfunc_dense, linear):
    with torch.no_grad():
        linear.weight.copy_(kfunc_dense.kernel.T)
        linear.bias.copy_(kfunc_dense.bias)


def copy_lstm(kfunc_lstm, lstm):
    """Keras LSTM weights (gates i, f, c, o) into torch's (i, f, g, o: the same order)."""
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(kfunc_lstm.kernel.T)
        lstm.weight_hh_l0.copy_(kfunc_lstm.recurrent_kernel.T)
        lstm.bias_ih_l0.copy_(kfunc_lstm.bias)
        lstm.bias_hh_l0.zero_()


def rmsprop(module):
    return torch.optim.RMSprop(module.parameters(), lr=0.001, alpha=0.9, eps=1e-7)


# ----------------------------------------------------------------------------- hand-written loops


def categorical_ce(y, p):
    p = p / p.sum(dim=-1, keepdim=True)
    return -(y * p.clamp(EPS, 1 - EPS).log()).sum(dim=-1).mean()


def binary_ce(y, p):
    p = p.clamp(EPS, 1 - EPS)
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean(dim=-1).mean()


def torch_epoch(module, optimizer, inputs, targets, batch_size, loss_fn, accuracy_fn=None):
    """One epoch of the classic loop; running sums stay tensors until the end."""
    module.train()
    n = inputs[0].shape[0]
    order = torch.randperm(n)
    loss_sum, correct = torch.zeros(()), torch.zeros(())
    for start in range(0, n, batch_size):
        index = order[start:start + batch_size]
        xb = [t.index_select(0, index) for t in inputs]
        yb = [t.index_select(0, index) for t in targets]
        outputs = module(*xb)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        loss = loss_fn(yb, outputs)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            loss_sum.add_(loss.detach(), alpha=len(index))
            if accuracy_fn is not None:
                correct.add_(accuracy_fn(yb[0], outputs[0]).sum())
    return float(loss_sum) / n, float(correct) / n

# ----------------------------------------------------------------------------- timing


def compare(name, kfunc_run, torch_run, samples, repeats):
    """Alternate the two sides ``repeats`` times; print median samples/s and the ratios.

    Both wall-clock time and process CPU time are measured. On a machine shared with
    other work the CPU-time figure is the steadier one: it does not count the time
    the process waited for a core (with one torch thread it is the work done). The
    "paired" figure is the median over repeats of the ratio of neighbouring kfunc and
    torch epochs, which cancels slow drifts of the machine's load.
    """
    kfunc_run(), torch_run()  # warm-up
    times = {"kfunc": ([], []), "torch": ([], [])}
    sides = [("kfunc", kfunc_run), ("torch", torch_run)]
    for repeat in range(repeats):
        for side, run in sides if repeat % 2 == 0 else sides[::-1]:  # ABBA: neither side always goes first
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            times[side][0].append(time.perf_counter() - wall)
            times[side][1].append(time.process_time() - cpu)
    rate = {side: [samples / statistics.median(t) for t in pair] for side, pair in times.items()}
    wall_ratio = rate["kfunc"][0] / rate["torch"][0]
    cpu_ratio = rate["kfunc"][1] / rate["torch"][1]
    # each kfunc epoch against the torch epoch next to it: steadier when the load drifts
    paired = statistics.median(t / k for k, t in zip(times["kfunc"][1], times["torch"][1]))
    print(f"{name:<34} kfunc {rate['kfunc'][0]:>9,.0f}/s  torch {rate['torch'][0]:>9,.0f}/s  "
          f"ratio {wall_ratio:.3f} (wall)  {cpu_ratio:.3f} (cpu)  {paired:.3f} (cpu, paired)", flush=True)
    return wall_ratio, cpu_ratio


def bench_dense(batch_size, n, repeats):
    kfunc.utils.clear_session()
    kfunc.utils.set_random_seed(0)
    model = dense_kfunc()
    model.materialize()
    module = DenseTorch()
    for k, t in zip([l for l in model.layers if l.weights], [m for m in module.layers if isinstance(m, nn.Linear)]):
        copy_dense(k, t)
    optimizer = rmsprop(module)
    x = np.random.rand(n, 784).astype("float32")
    y = np.eye(10, dtype="float32")[np.random.randint(0, 10, n)]
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def accuracy(y_true, y_pred):
        return (y_true.argmax(-1) == y_pred.argmax(-1))

    return compare(
        f"dense 784-64-64-10, batch {batch_size}",
        lambda: model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0),
        lambda: torch_epoch(module, optimizer, [xt], [yt], batch_size, lambda ys, ps: categorical_ce(ys[0], ps[0]),
                            accuracy),
        n, repeats,
    )


def bench_headline(n, repeats, vocab=10000, maxlen=100, embed=512):
    kfunc.utils.clear_session()
    kfunc.utils.set_random_seed(0)
    model = headline_kfunc(vocab, maxlen, embed)
    model.materialize()
    module = HeadlineTorch(vocab, embed)
    with torch.no_grad():
        module.embedding.weight.copy_(model.get_layer("embedding").embeddings)
    copy_lstm(model.get_layer("lstm"), module.lstm)
    copy_dense(model.get_layer("aux_output"), module.aux)
    for name, linear in (("dense", module.d1), ("dense_1", module.d2), ("dense_2", module.d3),
                         ("main_output", module.main)):
        copy_dense(model.get_layer(name), linear)
    optimizer = rmsprop(module)
    ids = np.random.randint(1, vocab, (n, maxlen)).astype("int32")
    extra = np.random.rand(n, 5).astype("float32")
    labels = (np.random.rand(n, 1) > 0.5).astype("float32")
    idt, ext, lat = torch.from_numpy(ids), torch.from_numpy(extra), torch.from_numpy(labels)

    def loss(ys, ps):
        return binary_ce(ys[0], ps[0]) + 0.2 * binary_ce(ys[0], ps[1])

    return compare(
        "headline (multi-input/output), b32",
        lambda: model.fit([ids, extra], [labels, labels], batch_size=32, epochs=1, verbose=0),
        lambda: torch_epoch(module, optimizer, [idt, ext], [lat], 32, loss),
        n, repeats,
    )


def bench_shared_lstm(n, repeats, length=280, alphabet=256):
    kfunc.utils.clear_session()
    kfunc.utils.set_random_seed(0)
    model = shared_lstm_kfunc(length, alphabet)
    model.materialize()
    module = SharedLSTMTorch(alphabet)
    copy_lstm(model.get_layer("lstm"), module.lstm)
    copy_dense(model.get_layer("dense"), module.out)
    optimizer = rmsprop(module)
    a = (np.random.rand(n, length, alphabet) > 0.9).astype("float32")
    b = (np.random.rand(n, length, alphabet) > 0.9).astype("float32")
    labels = (np.random.rand(n, 1) > 0.5).astype("float32")
    at, bt, lt = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(labels)

    def accuracy(y_true, y_pred):
        return ((y_pred > 0.5).float() == y_true).float().mean(-1)

    return compare(
        "shared LSTM (two tweets), b32",
        lambda: model.fit([a, b], labels, batch_size=32, epochs=1, verbose=0),
        lambda: torch_epoch(module, optimizer, [at, bt], [lt], 32, lambda ys, ps: binary_ce(ys[0], ps[0]), accuracy),
        n, repeats,
    )


def bench_predict(calls):
    kfunc.utils.clear_session()
    kfunc.utils.set_random_seed(0)
    model = dense_kfunc()
    module = DenseTorch().eval()
    model.predict(np.zeros((1, 784), "float32"))
    sample = np.random.rand(1, 784).astype("float32")
    sample64 = sample.astype("float64")
    tensor = torch.from_numpy(sample)

    def bare():
        with torch.no_grad():
            return module(tensor)

    def timed(fn):
        for _ in range(50):
            fn()
        blocks = []
        for _ in range(9):
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            blocks.append((time.perf_counter() - start) / calls)
        return statistics.median(blocks)

    results = {}
    for _ in range(3):  # interleave the sides
        for name, fn in (("bare torch forward", bare), ("kfunc predict (float32)", lambda: model.predict(sample)),
                         ("kfunc predict (float64)", lambda: model.predict(sample64))):
            results.setdefault(name, []).append(timed(fn))
    base = min(results["bare torch forward"])
    for name, values in results.items():
        print(f"{name:<34} {min(values) * 1e6:8.1f} us   ratio {min(values) / base:.2f}", flush=True)
    return min(results["kfunc predict (float32)"]) / base


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1, help="torch threads for both sides (default 1)")
    parser.add_argument("--repeats", type=int, default=15, help="timed epochs per side (default 15)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--only", choices=["dense", "headline", "shared", "predict"], action="append")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    only = set(args.only or ["dense", "headline", "shared", "predict"])
    print(f"torch {torch.__version__}, {args.threads} thread(s), {args.repeats} repeats; median samples/s (wall clock);"
          " ratio = kfunc / torch, by wall-clock and by process CPU time")
    q = args.quick
    if "dense" in only:
        bench_dense(32, 2048 if q else 8192, args.repeats)
        bench_dense(256, 4096 if q else 16384, args.repeats)
    if "headline" in only:
        if q:
            bench_headline(128, args.repeats, vocab=1000, maxlen=20, embed=32)
        else:
            bench_headline(512, args.repeats)
    if "shared" in only:
        if q:
            bench_shared_lstm(64, args.repeats, length=40, alphabet=32)
        else:
            bench_shared_lstm(256, args.repeats)
    if "predict" in only:
        bench_predict(200 if q else 1000)


if __name__ == "__main__":
    main()
