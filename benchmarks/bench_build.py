"""How long, and how much memory, building the guide's largest models takes.

The video question-answering model of the guide has about 169 M parameters.
Describing it must allocate none of them: weights stay on torch's meta device
until they are needed. Run: ``python benchmarks/bench_build.py``.
"""

import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def rss_mb():
    with open(f"/proc/{os.getpid()}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    import kfunc  # noqa: F401  (import cost is not part of the build)
    import guide_models

    kfunc.layers.Dense(1)(kfunc.Input(shape=(1,)))  # warm up torch's meta kernels
    before = rss_mb()
    start = time.perf_counter()
    vqa, video_qa, _ = guide_models.vqa_models()
    seconds = time.perf_counter() - start
    extra = rss_mb() - before
    print(f"video QA model: {video_qa.count_params():,} parameters (VQA {vqa.count_params():,})")
    print(f"build time: {seconds:.2f} s (goal < 2 s)")
    print(f"extra RSS: {extra:.1f} MB (goal < 200 MB)")
    ok = seconds < 2 and extra < 200
    print("OK" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
