"""What does ``compile(jit_compile=True)`` buy on a CPU? The guide's dense network and headline model.

Each model is trained with ``jit_compile=False`` and ``jit_compile=True`` from the
same initial weights, in the same process. The first epoch of the compiled model
includes ``torch.compile``'s work; it is reported apart ("compile"), as the time of
that first epoch minus a steady epoch. The speed is the median samples per second
over the following epochs (``fit(..., epochs=1)`` calls, setup included), taken in
turns between the two sides so that both see the same machine load. The ratio is
given by wall clock and by process CPU time; on a machine shared with other work,
the CPU-time one is the steadier (with one thread, it is the work done).

Run from the repository root::

    .venv/bin/python benchmarks/bench_jit.py              # both models, guide sizes
    .venv/bin/python benchmarks/bench_jit.py --quick      # smaller, for a smoke test
    .venv/bin/python benchmarks/bench_jit.py --threads 2 --repeats 9
"""

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import kfunc  # noqa: E402
from guide_models import dense_network, headline_model  # noqa: E402
from kfunc.training.jit import JitCompileWarning  # noqa: E402


def dense_case(n):
    x = np.random.rand(n, 784).astype("float32")
    y = np.eye(10, dtype="float32")[np.random.randint(0, 10, n)]

    def build(jit):
        kfunc.utils.clear_session()
        kfunc.utils.set_random_seed(0)
        model = dense_network()
        model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"], jit_compile=jit)
        return model

    return build, (x, y)


def headline_case(n, vocab, maxlen, embed):
    ids = np.random.randint(1, vocab, (n, maxlen)).astype("int32")
    extra = np.random.rand(n, 5).astype("float32")
    labels = (np.random.rand(n, 1) > 0.5).astype("float32")

    def build(jit):
        kfunc.utils.clear_session()
        kfunc.utils.set_random_seed(0)
        model = headline_model(vocab=vocab, maxlen=maxlen, embed=embed)
        model.compile(optimizer="rmsprop", loss="binary_crossentropy", loss_weights=[1.0, 0.2], jit_compile=jit)
        return model

    return build, ([ids, extra], [labels, labels])


def bench(name, build, data, batch_size, repeats):
    x, y = data
    n = len(x[0]) if isinstance(x, list) else len(x)
    models = {"eager": build(False), "jit": build(True)}
    first = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", JitCompileWarning)
        for side, model in models.items():
            start = time.perf_counter()
            model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
            first[side] = time.perf_counter() - start
    fell_back = [w for w in caught if issubclass(w.category, JitCompileWarning)]
    times = {side: ([], []) for side in models}  # wall clock, process CPU time
    for repeat in range(repeats):
        order = list(models) if repeat % 2 == 0 else list(models)[::-1]
        for side in order:
            wall, cpu = time.perf_counter(), time.process_time()
            models[side].fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
            times[side][0].append(time.perf_counter() - wall)
            times[side][1].append(time.process_time() - cpu)
    rate = {side: n / statistics.median(t[0]) for side, t in times.items()}
    cpu_ratio = statistics.median(times["eager"][1]) / statistics.median(times["jit"][1])
    compile_s = first["jit"] - statistics.median(times["jit"][0])
    note = f"  (fell back to eager: {fell_back[0].message})" if fell_back else ""
    print(f"{name:<40} eager {rate['eager']:>9,.0f}/s   jit {rate['jit']:>9,.0f}/s   "
          f"jit/eager {rate['jit'] / rate['eager']:.2f} (wall) {cpu_ratio:.2f} (cpu)   compile {compile_s:5.1f}s{note}",
          flush=True)
    return rate


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--repeats", type=int, default=7, help="timed epochs per side (default 7)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--only", choices=["dense", "headline"], action="append")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    only = set(args.only or ["dense", "headline"])
    print(f"torch {torch.__version__}, {args.threads} thread(s), device cpu, {args.repeats} repeats; "
          "median samples/s of fit(epochs=1); compile = first compiled epoch minus a steady one", flush=True)
    q = args.quick
    if "dense" in only:
        n = 2048 if q else 8192
        build, data = dense_case(n)
        bench("dense 784-64-64-10, batch 32", build, data, 32, args.repeats)
        bench("dense 784-64-64-10, batch 256", build, data, 256, args.repeats)
    if "headline" in only:
        sizes = dict(vocab=1000, maxlen=20, embed=32) if q else dict(vocab=10000, maxlen=100, embed=512)
        build, data = headline_case(128 if q else 512, **sizes)
        label = "headline, batch 32" + (" (small)" if q else f" (vocab {sizes['vocab']}, maxlen {sizes['maxlen']})")
        bench(label, build, data, 32, args.repeats)


if __name__ == "__main__":
    main()
