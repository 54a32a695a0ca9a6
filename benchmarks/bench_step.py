"""kfunc against the cheapest correct hand-written torch: training steps and one-sample inference.

What is compared, side by side in one process, with the same number of torch
threads on both sides:

* **guide MLP** (784 -> Dense 64 relu -> Dense 64 relu -> Dense 10 softmax; RMSprop,
  categorical cross-entropy, accuracy), at batch 32 and at batch 256;
* **headline model** of the guide (Embedding 10000 x 512 on 100 ids, LSTM 32, an
  auxiliary sigmoid output on the LSTM, 5 auxiliary inputs concatenated, Dense 64
  x 3, a main sigmoid output; RMSprop, binary cross-entropy, loss weights 1.0 and
  0.2), at batch 32;
* **one-sample inference** on the guide MLP: ``model(x)`` on a torch tensor against
  the bare forward of the torch network (gradients on, as both compute them), and
  ``model.predict(x)`` on a numpy array against the bare forward under
  ``torch.no_grad()``, from and to numpy.

The hand-written side is the cheapest correct torch loop we know for the same
network, weights and data: the loss fused on the pre-activation
(``cross_entropy`` on the logits with integer labels, ``binary_cross_entropy_with_logits``),
the same optimizer settings (``torch.optim.RMSprop``, ``foreach`` where torch picks
it), ``zero_grad(set_to_none=True)``, the epoch's running sums (loss per output,
correct predictions) kept as tensors and read with one ``.item()``-like sync per
epoch, batches gathered with ``index_select`` on a fresh permutation each epoch.
The headline model's Embedding gets torch's ordinary dense gradient: that is what
a hand-written loop does.

The kfunc side is ``model.fit(x, y, batch_size=..., epochs=1, verbose=0)`` on numpy
arrays, timed around the whole call (its checks and setup included), so a figure
here is what a user gets for one epoch, or a bit less.

Timing: a *round* runs one epoch of each side, in alternating order (ABBA);
epochs are short (a tenth of a second to a second) and rounds many (15), because a
shared machine's speed drifts by a factor of two over seconds: neighbouring epochs
see nearly the same machine, and the median of many rounds shrugs off the odd one.
Figures are medians over the rounds, the spread is the lowest and highest round,
and the *ratio* is kfunc samples/s over torch samples/s, computed per round from
the two neighbouring epochs (steadier when the machine's load drifts) and given
as median [min, max]. Inference is timed in blocks of calls, interleaved the same
way; its ratio is kfunc time / bare time (lower is better).

Goals (issue 17): headline ratio >= 1.0, MLP batch 32 ratio >= 0.95 (at 1 and 2
threads), ``model(x)`` <= 1.15x and ``predict`` <= 1.3x the bare forward.

Run from the repository root, on a quiet machine::

    .venv/bin/python benchmarks/bench_step.py                 # 1 and 2 threads, all workloads
    .venv/bin/python benchmarks/bench_step.py --quick         # a smoke run (small sizes, few rounds)
    .venv/bin/python benchmarks/bench_step.py --threads 2 --rounds 9 --only mlp32 headline
"""

import argparse
import contextlib
import gc
import io
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import kfunc  # noqa: E402
from bench_fit import dense_kfunc as mlp_kfunc, headline_kfunc  # noqa: E402 (the same guide models)

GOALS = {"mlp32": (">=", 0.95), "headline32": (">=", 1.0), "call1": ("<=", 1.15), "predict1": ("<=", 1.3)}


# ----------------------------------------------------------------------------- the models, twice


class MLPTorch(nn.Module):
    """The guide MLP, returning the logits (the softmax is fused into the loss)."""

    def __init__(self):
        super().__init__()
        self.d1, self.d2, self.out = nn.Linear(784, 64), nn.Linear(64, 64), nn.Linear(64, 10)

    def forward(self, x):
        return self.out(torch.relu(self.d2(torch.relu(self.d1(x)))))


class HeadlineTorch(nn.Module):
    """The headline model, returning the two outputs' logits (the sigmoids are fused into the loss)."""

    def __init__(self, vocab, embed):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, 32, batch_first=True)
        self.aux = nn.Linear(32, 1)
        self.d1, self.d2, self.d3 = nn.Linear(37, 64), nn.Linear(64, 64), nn.Linear(64, 64)
        self.main = nn.Linear(64, 1)

    def forward(self, ids, extra):
        _, (h, _) = self.lstm(self.embedding(ids))
        h = h[-1]
        x = torch.relu(self.d3(torch.relu(self.d2(torch.relu(self.d1(torch.cat([h, extra], dim=-1)))))))
        return self.main(x), self.aux(h)


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
    """Keras's RMSprop defaults, in torch."""
    return torch.optim.RMSprop(module.parameters(), lr=0.001, alpha=0.9, eps=1e-7)


# ----------------------------------------------------------------------------- the hand-written epochs


def mlp_epoch(module, optimizer, x, labels, batch_size):
    """One epoch of the guide MLP: fused cross-entropy, running loss and hits as tensors, one sync."""
    module.train()
    n = x.shape[0]
    order = torch.randperm(n)
    loss_sum, hits = torch.zeros(()), torch.zeros((), dtype=torch.long)
    for start in range(0, n, batch_size):
        index = order[start:start + batch_size]
        xb, yb = x.index_select(0, index), labels.index_select(0, index)
        logits = module(xb)
        loss = F.cross_entropy(logits, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            loss_sum.add_(loss, alpha=len(index))
            hits.add_((logits.argmax(-1) == yb).sum())
    return (torch.stack([loss_sum, hits.float()]) / n).tolist()


def headline_epoch(module, optimizer, ids, extra, labels, batch_size):
    """One epoch of the headline model: BCE with logits, the three running losses as tensors, one sync."""
    module.train()
    n = ids.shape[0]
    order = torch.randperm(n)
    sums = torch.zeros(3)
    for start in range(0, n, batch_size):
        index = order[start:start + batch_size]
        yb = labels.index_select(0, index)
        main, aux = module(ids.index_select(0, index), extra.index_select(0, index))
        main_loss = F.binary_cross_entropy_with_logits(main, yb)
        aux_loss = F.binary_cross_entropy_with_logits(aux, yb)
        loss = main_loss + 0.2 * aux_loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            sums.add_(torch.stack([loss, main_loss, aux_loss]), alpha=len(index))
    return (sums / n).tolist()


# ----------------------------------------------------------------------------- timing


def interleaved(sides, rounds):
    """``{side: [seconds per round]}``: each round runs every side once, the order alternating."""
    for _, run in sides:
        run()  # warm-up
    seconds = {name: [] for name, _ in sides}
    for r in range(rounds):
        for name, run in sides if r % 2 == 0 else sides[::-1]:
            gc.collect()
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)
    return seconds


def load_line(when, own_threads=0):
    """The machine's load: figures mean little when other work competes for the cores.

    ``own_threads``: the threads this benchmark itself just kept busy (they count in the
    load average for a minute after).
    """
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    noisy = load > 1.0 + own_threads
    return (f"load average (1 min) {when}: {load:.2f} on {os.cpu_count()} cores"
            f"{f' (this benchmark ran {own_threads} thread(s) until now)' if own_threads else ''}"
            f"{'   NOT QUIET: other work competes, timings are unreliable' if noisy else ''}")


def spread(values, fmt):
    return f"{fmt.format(statistics.median(values))} [{fmt.format(min(values))}-{fmt.format(max(values))}]"


def report_training(key, title, kfunc_run, torch_run, samples, rounds, results):
    seconds = interleaved([("kfunc", kfunc_run), ("torch", torch_run)], rounds)
    rates = {side: [samples / s for s in values] for side, values in seconds.items()}
    ratios = results[key] = [k / t for k, t in zip(rates["kfunc"], rates["torch"])]
    print(f"  {title:<30} kfunc {spread(rates['kfunc'], '{:,.0f}')}/s   torch {spread(rates['torch'], '{:,.0f}')}/s"
          f"   ratio {spread(ratios, '{:.3f}')}{verdict(key, ratios)}", flush=True)


def verdict(key, ratios):
    """Whether the median of the rounds' ratios meets the goal of ``key`` (if it has one)."""
    if key not in GOALS:
        return ""
    sense, goal = GOALS[key]
    value = statistics.median(ratios)
    met = value >= goal if sense == ">=" else value <= goal
    return f"   goal {sense} {goal}: {'met' if met else 'MISSED'}"


# ----------------------------------------------------------------------------- workloads


def bench_mlp(batch_size, n, rounds, results):
    kfunc.utils.clear_session()
    kfunc.utils.set_random_seed(0)
    model = mlp_kfunc()
    model.materialize()
    module = MLPTorch()
    for layer, linear in zip([l for l in model.layers if l.weights], (module.d1, module.d2, module.out)):
        copy_dense(layer, linear)
    optimizer = rmsprop(module)
    rng = np.random.default_rng(0)
    x = rng.random((n, 784), dtype=np.float32)
    classes = rng.integers(0, 10, n)
    y = np.eye(10, dtype="float32")[classes]
    xt, labels = torch.from_numpy(x), torch.from_numpy(classes)
    report_training(
        f"mlp{batch_size}", f"guide MLP, batch {batch_size}",
        lambda: model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0),
        lambda: mlp_epoch(module, optimizer, xt, labels, batch_size),
        n, rounds, results,
    )


def bench_progress_bar(n, rounds):
    """What the text progress bar (``verbose=1``, the default) costs the guide MLP at batch 32.

    (The notebook's live tracker has its own benchmark: ``benchmarks/bench_tracker.py``.)
    """
    kfunc.utils.clear_session()
    kfunc.utils.set_random_seed(0)
    model = mlp_kfunc()
    rng = np.random.default_rng(0)
    x = rng.random((n, 784), dtype=np.float32)
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, n)]

    def with_bar():
        with contextlib.redirect_stdout(io.StringIO()):
            model.fit(x, y, batch_size=32, epochs=1, verbose=1)

    seconds = interleaved([("bar", with_bar), ("silent", lambda: model.fit(x, y, batch_size=32, epochs=1, verbose=0))],
                          rounds)
    ratios = [s / b for b, s in zip(seconds["bar"], seconds["silent"])]
    print(f"  {'progress bar (verbose=1)':<30} speed with / without: {spread(ratios, '{:.3f}')}", flush=True)


def bench_headline(n, rounds, results, vocab=10000, maxlen=100, embed=512):
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
    rng = np.random.default_rng(0)
    ids = rng.integers(1, vocab, (n, maxlen)).astype("int32")
    extra = rng.random((n, 5), dtype=np.float32)
    labels = (rng.random((n, 1)) > 0.5).astype("float32")
    idt, ext, lat = torch.from_numpy(ids), torch.from_numpy(extra), torch.from_numpy(labels)
    report_training(
        "headline32", f"headline {vocab}x{embed}, batch 32",
        lambda: model.fit([ids, extra], [labels, labels], batch_size=32, epochs=1, verbose=0),
        lambda: headline_epoch(module, optimizer, idt, ext, lat, 32),
        n, rounds, results,
    )


def bench_one_sample(calls, rounds, results):
    """``model(x)`` against the bare forward with gradients on (as ``model(x)`` computes), and
    ``predict`` against the bare forward without gradients, from and to numpy (as ``predict`` does)."""
    kfunc.utils.clear_session()
    kfunc.utils.set_random_seed(0)
    model = mlp_kfunc()
    model.materialize()
    module = MLPTorch().eval()
    for layer, linear in zip([l for l in model.layers if l.weights], (module.d1, module.d2, module.out)):
        copy_dense(layer, linear)
    sample = np.random.default_rng(0).random((1, 784), dtype=np.float32)
    tensor = torch.from_numpy(sample)

    def bare_call():
        return torch.softmax(module(tensor), dim=-1)

    def bare_predict():
        with torch.no_grad():
            return torch.softmax(module(torch.from_numpy(sample)), dim=-1).numpy()

    def block(fn):
        def run():
            for _ in range(calls):
                fn()
        return run

    sides = [("bare call", block(bare_call)), ("call", block(lambda: model(tensor))),
             ("bare predict", block(bare_predict)), ("predict", block(lambda: model.predict(sample)))]
    seconds = interleaved(sides, rounds * 5)  # (short blocks, many of them: steadier medians)
    micro = {name: [s / calls * 1e6 for s in values] for name, values in seconds.items()}
    for key, name, title in (("call1", "call", "model(x), 1 sample"), ("predict1", "predict", "predict(x), 1 sample")):
        bare = micro[f"bare {name}"]
        ratios = results[key] = [k / b for k, b in zip(micro[name], bare)]
        print(f"  {title:<30} kfunc {spread(micro[name], '{:.1f}')} us   bare {spread(bare, '{:.1f}')} us"
              f"   ratio {spread(ratios, '{:.2f}')}{verdict(key, ratios)}", flush=True)


WORKLOADS = ("mlp32", "mlp256", "headline32", "inference", "progress")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="torch thread counts (default: 1 2)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds per workload (default 15; 3 with --quick)")
    parser.add_argument("--quick", action="store_true", help="small data and few rounds: a smoke run, not a measure")
    parser.add_argument("--only", nargs="+", choices=WORKLOADS, default=WORKLOADS)
    args = parser.parse_args()
    quick = args.quick
    rounds = args.rounds or (3 if quick else 15)
    print(f"torch {torch.__version__}, kfunc {Path(kfunc.__file__).parent}; {rounds} rounds per workload"
          f"{' (QUICK: smoke run, figures not meaningful)' if quick else ''}")
    print("figures: median [lowest-highest round]; ratio = kfunc / torch samples/s (training), "
          "kfunc / bare time (inference)")
    print(load_line("before"))
    summary = {}
    for threads in args.threads:
        torch.set_num_threads(threads)
        print(f"\n{torch.get_num_threads()} torch thread(s), both sides:")
        results = summary[threads] = {}
        if "mlp32" in args.only:
            bench_mlp(32, 1024 if quick else 4096, rounds, results)
        if "mlp256" in args.only:
            bench_mlp(256, 2048 if quick else 16384, rounds, results)
        if "headline32" in args.only:
            bench_headline(64 if quick else 512, rounds, results)
        if "inference" in args.only:
            bench_one_sample(50 if quick else 200, rounds, results)
        if "progress" in args.only:
            bench_progress_bar(1024 if quick else 4096, rounds)
    print("\n" + load_line("after", own_threads=args.threads[-1]))
    print("goals (median ratio over the rounds [lowest-highest]):")
    for threads, results in summary.items():
        for key, ratios in results.items():
            if key in GOALS:
                print(f"  {threads} thread(s) {key:<11} {spread(ratios, '{:.3f}')}{verdict(key, ratios)}")


if __name__ == "__main__":
    main()
