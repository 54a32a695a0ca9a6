"""Data-parallel ``fit`` on the CPU: one process against two (torchrun, gloo).

The same training script (the guide's dense network, and its headline model) runs
three ways, with the same global batch:

* alone, with 1 torch thread;
* alone, with as many threads as the two processes have together (2);
* as 2 processes under ``python -m torch.distributed.run --nproc_per_node=2``,
  1 thread each.

Each run trains ``1 + repeats`` epochs in one ``fit`` call; the figure is the median
samples per second of the epochs after the first (which includes warming up). The
ratio compares two processes with one process: data parallelism pays when the work
of a batch outweighs the averaging of the gradients after it.

Run from the repository root::

    .venv/bin/python benchmarks/bench_ddp.py
    .venv/bin/python benchmarks/bench_ddp.py --quick
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER_VARIABLES = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


# ----------------------------------------------------------------------------- the training script


def worker(args):
    import numpy as np
    import torch

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    import kfunc
    from guide_models import dense_network, headline_model

    torch.set_num_threads(args.threads)
    kfunc.utils.set_random_seed(0)
    rng = np.random.RandomState(0)
    n = args.samples
    if args.model == "dense":
        model = dense_network()
        model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
        x = rng.rand(n, 784).astype("float32")
        y = np.eye(10, dtype="float32")[rng.randint(0, 10, n)]
    else:
        vocab, maxlen, embed = (1000, 20, 32) if args.small else (10000, 100, 512)
        model = headline_model(vocab=vocab, maxlen=maxlen, embed=embed)
        model.compile(optimizer="rmsprop", loss="binary_crossentropy", loss_weights=[1.0, 0.2])
        x = [rng.randint(1, vocab, (n, maxlen)).astype("int32"), rng.rand(n, 5).astype("float32")]
        labels = (rng.rand(n, 1) > 0.5).astype("float32")
        y = [labels, labels]

    times = []

    class EpochTimer(kfunc.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    model.fit(x, y, batch_size=args.batch_size, epochs=1 + args.repeats, verbose=0, callbacks=[EpochTimer()])
    if int(os.environ.get("RANK", "0")) == 0:
        Path(args.out).write_text(json.dumps({"rate": n / statistics.median(times[1:])}))


# ----------------------------------------------------------------------------- the three runs


def run(script_args, processes, threads):
    env = {k: v for k, v in os.environ.items() if k not in LAUNCHER_VARIABLES}
    env["OMP_NUM_THREADS"] = str(threads)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        launcher = ["-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"] \
            if processes > 1 else []
        command = [sys.executable, *launcher, str(Path(__file__).resolve()), "--worker", "--out", str(out),
                   "--threads", str(threads), *script_args]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
        return json.loads(out.read_text())["rate"]


def compare(label, script_args):
    one = run(script_args, 1, 1)
    one_two_threads = run(script_args, 1, 2)
    two = run(script_args, 2, 1)
    print(f"{label:<38} 1 process {one:>9,.0f}/s   1 process x 2 threads {one_two_threads:>9,.0f}/s   "
          f"2 processes {two:>9,.0f}/s   ratio 2p/1p {two / one:.2f}   2p/(1p x 2t) {two / one_two_threads:.2f}",
          flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--repeats", type=int, default=5, help="timed epochs after the first (default 5)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--model", choices=["dense", "headline"], default="dense", help=argparse.SUPPRESS)
    parser.add_argument("--samples", type=int, default=8192, help=argparse.SUPPRESS)
    parser.add_argument("--batch-size", type=int, default=64, help=argparse.SUPPRESS)
    parser.add_argument("--small", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    import torch

    print(f"torch {torch.__version__}, {os.cpu_count()} CPU cores, gloo; median samples/s over {args.repeats} "
          "epochs after the first; the batch size is the global batch", flush=True)
    common = ["--repeats", str(args.repeats)]
    n = 4096 if args.quick else 16384
    for batch in (64, 512):
        compare(f"dense 784-64-64-10, batch {batch}",
                common + ["--model", "dense", "--samples", str(n), "--batch-size", str(batch)])
    headline = ["--model", "headline", "--batch-size", "64"]
    if args.quick:
        compare("headline (small), batch 64", common + headline + ["--samples", "512", "--small"])
    else:
        compare("headline (vocab 10000, maxlen 100), batch 64", common + headline + ["--samples", "1024"])


if __name__ == "__main__":
    main()
