"""The guide's visual question answering model at full scale, on a GPU: kfunc against hand-written torch.

The model (Keras guide, "Visual question answering model"): a VGG-like stack of
seven 3x3 convolutions over 224x224x3 images, an Embedding and LSTM(256) over
100-word questions, and Dense(1000, softmax) over both: 165 M weights, almost all
in the last Dense. Training: batch 32, RMSprop (Keras's defaults), categorical
cross-entropy on probabilities.

In one run, for float32 and for mixed bfloat16, it times a training step of:

* kfunc, eager (``compile(jit_compile=False)``);
* the same network written by hand in torch (the usual way: NCHW convolutions on
  a ``channels_last`` view of the NHWC images, ``nn.LSTM``), eager;
* kfunc with ``jit_compile=True``; and the hand-written one through ``torch.compile``.

and prints milliseconds per step and the ratio kfunc / torch (the goal: at most
1.1 in eager and in compiled mode, for both precisions). Both sides read batches
that are already on the GPU, so the figure is the computation and the framework's
own overhead; ``--host-data`` adds a kfunc run fed numpy arrays, whose batches
travel through pinned memory.

Run from the repository root on a machine with a CUDA GPU::

    .venv/bin/python benchmarks/bench_vqa_gpu.py
    .venv/bin/python benchmarks/bench_vqa_gpu.py --steps 10 --only eager --json out.json
    .venv/bin/python benchmarks/bench_vqa_gpu.py --profile      # also: the heaviest kernels of one step

Without a GPU it says so and exits (status 0); ``--cpu-smoke`` runs the whole
script on the CPU at toy sizes, to check the script itself.

Compiled mode takes long to start: ``torch.compile`` unrolls the LSTM's 100 steps
(seen on the CPU: minutes for the guide's headline model). With little device time,
run ``--only eager`` first, then ``--only compiled --precision float32``.
"""

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

EPS = 1e-7
FULL = dict(size=224, vocab=10000, maxlen=100, answers=1000)
TOY = dict(size=32, vocab=100, maxlen=8, answers=10)


# ----------------------------------------------------------------------------- the model by hand


class VisionTorch(nn.Module):
    """The guide's vision model: conv, conv, pool, conv, conv, pool, conv x3, pool, flatten."""

    def __init__(self):
        super().__init__()
        spec = [(3, 64, 1), (64, 64, 0), None, (64, 128, 1), (128, 128, 0), None,
                (128, 256, 1), (256, 256, 0), (256, 256, 0), None]
        self.layers = nn.ModuleList([nn.MaxPool2d(2) if s is None else nn.Conv2d(s[0], s[1], 3, padding=s[2])
                                     for s in spec])

    def forward(self, images):  # (batch, height, width, 3): the Keras layout
        x = images.permute(0, 3, 1, 2)  # a view, in torch's channels_last memory format
        for layer in self.layers:
            x = layer(x) if isinstance(layer, nn.MaxPool2d) else torch.relu(layer(x))
        return x.permute(0, 2, 3, 1).flatten(1)  # Keras flattens (height, width, channels)


class VQATorch(nn.Module):
    def __init__(self, vocab, answers, image_features):
        super().__init__()
        self.vision = VisionTorch()
        self.embedding = nn.Embedding(vocab, 256)
        self.lstm = nn.LSTM(256, 256, batch_first=True)
        self.output = nn.Linear(256 + image_features, answers)

    def forward(self, images, question):
        _, (h, _) = self.lstm(self.embedding(question))
        merged = torch.cat([h[-1], self.vision(images)], dim=-1)
        return torch.softmax(self.output(merged), dim=-1)


def copy_weights(kfunc_model, module):
    """The kfunc model's weights into the hand-written one (Keras layouts to torch's)."""
    from kfunc.layers import LSTM, Conv2D, Dense, Embedding

    layers = []

    def walk(model):
        for layer in model.layers:
            if hasattr(layer, "layers"):
                walk(layer)
            else:
                layers.append(layer)

    walk(kfunc_model)
    convs = [l for l in layers if isinstance(l, Conv2D)]
    with torch.no_grad():
        for conv, target in zip(convs, [m for m in module.vision.layers if isinstance(m, nn.Conv2d)]):
            target.weight.copy_(conv.kernel.permute(3, 2, 0, 1))
            target.bias.copy_(conv.bias)
        embedding = next(l for l in layers if isinstance(l, Embedding))
        module.embedding.weight.copy_(embedding.embeddings)
        lstm = next(l for l in layers if isinstance(l, LSTM))
        module.lstm.weight_ih_l0.copy_(lstm.kernel.T)
        module.lstm.weight_hh_l0.copy_(lstm.recurrent_kernel.T)
        module.lstm.bias_ih_l0.copy_(lstm.bias)
        module.lstm.bias_hh_l0.zero_()
        dense = next(l for l in layers if isinstance(l, Dense))
        module.output.weight.copy_(dense.kernel.T)
        module.output.bias.copy_(dense.bias)


def categorical_ce(y, p):
    """Keras's categorical cross-entropy on probabilities."""
    p = p / p.sum(dim=-1, keepdim=True)
    return -(y * p.clamp(EPS, 1 - EPS).log()).sum(dim=-1).mean()


# ----------------------------------------------------------------------------- timing


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_kfunc(model, x, y, batch_size, repeats, device):
    """Seconds per step: median over ``repeats`` calls of ``fit(epochs=1)``; and the first call's seconds."""
    sync(device)
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    sync(device)
    first = time.perf_counter() - start
    steps = len(y) // batch_size
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
        sync(device)
        times.append((time.perf_counter() - start) / steps)
    return statistics.median(times), first


def time_torch(module, x, y, batch_size, repeats, device, bf16):
    """Seconds per step of the classic loop over the same batches (same median, same first call)."""
    step_module = module
    optimizer = torch.optim.RMSprop(module.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
    images, questions = x
    n = len(y)

    def epoch():
        running = torch.zeros((), device=device)
        for start in range(0, n, batch_size):
            batch = slice(start, start + batch_size)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
                predictions = step_module(images[batch], questions[batch])
            loss = categorical_ce(y[batch], predictions.float())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            running += loss.detach()
        return float(running)  # as kfunc's fit reads its logs once per epoch

    sync(device)
    start = time.perf_counter()
    epoch()
    sync(device)
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        epoch()
        sync(device)
        times.append((time.perf_counter() - start) / (n // batch_size))
    return (statistics.median(times) if times else first / (n // batch_size)), first


def profile_step(label, run, device):
    """Print the heaviest kernels of one call of ``run``, and the layout copies among them."""
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    with profile(activities=activities) as prof:
        run()
        sync(device)
    events = prof.key_averages()
    key = "self_device_time_total" if device.type == "cuda" else "self_cpu_time_total"
    top = sorted(events, key=lambda e: getattr(e, key, 0), reverse=True)[:12]
    print(f"  heaviest operations, {label}:")
    for e in top:
        print(f"    {getattr(e, key, 0) / 1e3:9.2f} ms  x{e.count:<5} {e.key[:90]}")
    copies = [e for e in events if any(w in e.key.lower() for w in ("copy_", "nchwtonhwc", "nhwctonchw", "transpose"))]
    print(f"  layout/copy operations: " + ", ".join(f"{e.key[:40]} x{e.count}" for e in copies[:6]) or "none")
    rnn = [e.key for e in events if "cudnn_rnn" in e.key.lower() or "rnn" in e.key.lower()]
    print(f"  recurrent kernels: {sorted(set(rnn))[:4] or 'none'}")


# ----------------------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20, help="batches per timed epoch (default 20)")
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per case (default 3)")
    parser.add_argument("--only", choices=["eager", "compiled"], help="time only eager or only compiled mode")
    parser.add_argument("--precision", choices=["float32", "mixed_bfloat16"], action="append",
                        help="the precisions to time (default both)")
    parser.add_argument("--profile", action="store_true", help="print the heaviest kernels of one eager step")
    parser.add_argument("--host-data", action="store_true", help="also time kfunc fed numpy arrays")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--cpu-smoke", action="store_true", help="run on the CPU at toy sizes (checks the script)")
    args = parser.parse_args()

    if not torch.cuda.is_available() and not args.cpu_smoke:
        print(f"bench_vqa_gpu.py measures the VQA model on a CUDA GPU, and this machine has none "
              f"(torch {torch.__version__}: torch.cuda.is_available() is False). Nothing was measured. "
              "Run it where a GPU is available, or with --cpu-smoke to check the script on toy sizes.")
        return 0

    import kfunc
    from guide_models import vqa_models
    from kfunc import mixed_precision

    device = torch.device("cpu" if args.cpu_smoke else "cuda")
    sizes = TOY if args.cpu_smoke else FULL
    batch_size = 32 if not args.cpu_smoke else 4
    n = batch_size * args.steps
    if args.cpu_smoke:  # (oneDNN has no bfloat16 LSTM on many CPUs; this mode only checks the script)
        torch.backends.mkldnn.enabled = False
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = False  # float32 means float32 on both sides
    torch.backends.cudnn.allow_tf32 = False
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU (smoke test, toy sizes)"
    print(f"torch {torch.__version__}, {name}; VQA model, batch {batch_size}, {args.steps} steps per epoch, "
          f"median of {args.repeats} epochs; sizes {sizes}", flush=True)

    rng = np.random.RandomState(0)
    images_np = rng.rand(n, sizes["size"], sizes["size"], 3).astype("float32")
    questions_np = rng.randint(1, sizes["vocab"], (n, sizes["maxlen"])).astype("int64")
    answers_np = np.eye(sizes["answers"], dtype="float32")[rng.randint(0, sizes["answers"], n)]
    images, questions, answers = (torch.from_numpy(a).to(device) for a in (images_np, questions_np, answers_np))

    kfunc.utils.set_random_seed(0)
    model, _, _ = vqa_models(size=sizes["size"], vocab=sizes["vocab"], maxlen=sizes["maxlen"],
                             answers=sizes["answers"], with_video=False)
    model.to(device)
    features = model.layers[-1].kernel.shape[0] - 256
    module = VQATorch(sizes["vocab"], sizes["answers"], features).to(device).to(memory_format=torch.channels_last)
    copy_weights(model, module)
    print(f"weights: {sum(p.numel() for p in module.parameters()) / 1e6:.1f} M", flush=True)
    with torch.no_grad():
        model.eval()
        mine = model.predict([images[:batch_size], questions[:batch_size]], batch_size=batch_size)
        theirs = module(images[:batch_size], questions[:batch_size]).cpu().numpy()
    print(f"same outputs before training: max difference {np.abs(mine - theirs).max():.2e}", flush=True)

    results = []
    modes = ["eager", "compiled"] if args.only is None else [args.only]
    for precision in args.precision or ["float32", "mixed_bfloat16"]:
        bf16 = precision == "mixed_bfloat16"
        for mode in modes:
            jit = mode == "compiled"
            mixed_precision.set_global_policy(precision)
            model.compile(optimizer="rmsprop", loss="categorical_crossentropy", jit_compile=jit)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                k_step, k_first = time_kfunc(model, [images, questions], answers, batch_size, args.repeats, device)
            fell_back = [str(w.message) for w in caught if "jit_compile" in str(w.message)]
            step_module = torch.compile(module) if jit else module
            t_step, t_first = time_torch(step_module, [images, questions], answers, batch_size, args.repeats,
                                         device, bf16)
            row = {"precision": precision, "mode": mode, "kfunc_ms": k_step * 1e3, "torch_ms": t_step * 1e3,
                   "ratio": k_step / t_step, "kfunc_first_s": k_first, "torch_first_s": t_first,
                   "kfunc_fell_back": fell_back[0] if fell_back else None}
            results.append(row)
            print(f"{precision:<15} {mode:<9} kfunc {row['kfunc_ms']:8.2f} ms/step   torch {row['torch_ms']:8.2f} "
                  f"ms/step   kfunc/torch {row['ratio']:.3f}   (first epoch: kfunc {k_first:.1f}s, torch "
                  f"{t_first:.1f}s)" + (f"   kfunc FELL BACK TO EAGER: {fell_back[0]}" if fell_back else ""),
                  flush=True)
            if args.profile and mode == "eager":
                x_one, y_one = [images[:batch_size], questions[:batch_size]], answers[:batch_size]
                profile_step(f"kfunc {precision}", lambda: model.fit(x_one, y_one, batch_size=batch_size,
                                                                     verbose=0), device)
                profile_step(f"torch {precision}", lambda: time_torch(module, x_one, y_one, batch_size, 0, device,
                                                                      bf16), device)
        mixed_precision.set_global_policy("float32")
    if args.host_data:
        model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
        k_step, _ = time_kfunc(model, [images_np, questions_np], answers_np, batch_size, args.repeats, device)
        results.append({"precision": "float32", "mode": "eager, numpy inputs", "kfunc_ms": k_step * 1e3})
        print(f"float32         eager     kfunc {k_step * 1e3:8.2f} ms/step with numpy inputs (each batch "
              "copied to the device: on CUDA through pinned memory, without waiting)", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"device": name, "torch": torch.__version__, "results": results},
                                              indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
