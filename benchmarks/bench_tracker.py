"""What does the live training tracker cost ``fit``?

The guide's dense network (784 -> 64 -> 64 -> 10, rmsprop, categorical
cross-entropy, accuracy) trains at batch size 32 on random data, in one process,
alternately without a tracker (``verbose=0``) and with a :class:`LiveTracker` in
``'html'`` and in ``'widget'`` mode. No notebook is attached: the tracker's outputs go
to a list, so everything it computes (running values, progress text, the curves
PNG, the final snapshot) is computed, and only the sending to a frontend is left
out. The figures are the median time of a whole ``fit`` call over the repeats, the
median over the repeats of the ratio of speeds, tracked / untracked, each pair run
back to back, and the time spent inside the tracker's own hooks as a share of the
fit. The goal is a speed of at least 0.9x; the verdict uses the hooks' share,
which, unlike a ratio of two timings, does not move with the load of a shared
machine (a second untracked fit shows how much that load moves timings).

Run from the repository root::

    .venv/bin/python benchmarks/bench_tracker.py              # 20 epochs of 8192 samples, 5 repeats
    .venv/bin/python benchmarks/bench_tracker.py --quick      # a smoke test
    .venv/bin/python benchmarks/bench_tracker.py --epochs 5 --samples 16384 --repeats 3
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import kfunc  # noqa: E402
from kfunc import Input, Model  # noqa: E402
from kfunc.layers import Dense  # noqa: E402
from kfunc.widgets import LiveTracker  # noqa: E402

GOAL = 0.9


def dense_network():
    inputs = Input(shape=(784,))
    x = Dense(64, activation="relu")(inputs)
    x = Dense(64, activation="relu")(x)
    predictions = Dense(10, activation="softmax")(x)
    model = Model(inputs=inputs, outputs=predictions)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


class TimedTracker(LiveTracker):
    """A LiveTracker that adds up the time spent in its own hooks (its cost, whatever the load)."""

    spent = 0.0


def _timed(hook):
    def run(self, *args):
        start = time.perf_counter()
        try:
            return hook(self, *args)
        finally:
            self.spent += time.perf_counter() - start
    return run


for _name in ("on_train_begin", "on_epoch_begin", "on_train_batch_end", "on_test_begin", "on_epoch_end",
              "on_train_end"):
    setattr(TimedTracker, _name, _timed(getattr(LiveTracker, _name)))


def timed_fit(model, x, y, epochs, mode):
    """``(seconds of the whole fit, seconds spent in the tracker's hooks)``."""
    tracker = TimedTracker(mode=mode, sink=[]) if mode is not None else None
    start = time.perf_counter()
    model.fit(x, y, batch_size=32, epochs=epochs, verbose=0, validation_split=0.1,
              callbacks=[tracker] if tracker else [])
    return time.perf_counter() - start, tracker.spent if tracker else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--samples", type=int, default=8192)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="2 epochs of 2048 samples, 2 repeats, no verdict")
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.samples, args.repeats = 2, 2048, 2
    torch.set_num_threads(args.threads)
    kfunc.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((args.samples, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, args.samples)]
    model = dense_network()

    modes = [None, "html", "widget"]
    for mode in modes:  # warm up: first-call costs (imports, fonts, the widget classes) are not timed
        timed_fit(model, x[:512], y[:512], 1, mode)
    times = {mode: [] for mode in modes + ["control"]}
    for repeat in range(args.repeats):
        # alternate, in a rotating order, so that each sees the same machine load; "control" is a
        # second untracked fit: its ratio to the first shows how much the machine's load moves timings
        order = modes + ["control"]
        order = order[repeat % len(order):] + order[:repeat % len(order)]
        for mode in order:
            times[mode].append(timed_fit(model, x, y, args.epochs, None if mode == "control" else mode))

    def ratios(mode):
        return [base_t / t for (base_t, _), (t, _) in zip(times[None], times[mode])]

    base = statistics.median(t for t, _ in times[None])
    steps = args.epochs * -(-int(args.samples * 0.9) // 32)
    print(f"dense network, batch 32, {args.epochs} epochs of {args.samples} samples ({steps} steps), "
          f"{args.threads} thread(s), median of {args.repeats}")
    print(f"  without tracker: {base:7.3f} s   (a second untracked fit: speed ratio "
          f"{statistics.median(ratios('control')):.3f}x, the noise of this machine)")
    ok = True
    for mode in modes[1:]:
        median = statistics.median(t for t, _ in times[mode])
        own = statistics.median(spent / total for total, spent in times[mode])
        ratio = statistics.median(ratios(mode))
        ok &= 1 - own >= GOAL
        print(f"  tracker '{mode}': {median:7.3f} s   speed ratio {ratio:.3f}x; time in the tracker's hooks: "
              f"{100 * own:.1f}% of the fit, so a speed of {1 - own:.3f}x (goal >= {GOAL}x)")
    if args.quick:  # too short a fit for the goal: the final snapshot's fixed cost dominates
        print("smoke test: no verdict")
        return 0
    print("OK" if ok else "BELOW GOAL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
