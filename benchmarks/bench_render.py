"""How long a 200-layer model takes to draw, with each renderer.

The model is a residual stack: 66 blocks of ``Dense -> Dense -> add`` on a
skip connection, 200 layers with the Input and the head, so the drawing has
long and short arrows and many merges. The goal is under one second for the
notebook display (SVG + PNG + summary) with either Graphviz program.

Run:  python benchmarks/bench_render.py
"""

import resource
import statistics
import time

import kfunc
from kfunc.display import build_scene, renderers, summary_text
from kfunc.display.dot import to_dot
from kfunc.display.scene import Options
from kfunc.layers import Dense, Input, add
from kfunc.models import Model


def residual_stack(blocks=66, width=16):
    inputs = Input(shape=(width,))
    x = inputs
    for _ in range(blocks):
        y = Dense(width, activation="relu")(x)
        y = Dense(width)(y)
        x = add([x, y])
    outputs = Dense(1)(x)
    return Model(inputs, outputs)


def _cpu():
    """CPU seconds of this process and its finished children (the Graphviz programs)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(fn, repeat=3):
    """Best and median wall time, and the CPU time of the best run, in seconds.

    On a shared machine the CPU time is the steadier figure.
    """
    runs = []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), _cpu()
        fn()
        runs.append((time.perf_counter() - start, _cpu() - cpu))
    best = min(runs)
    return best[0], statistics.median(r[0] for r in runs), best[1]


def _display(model, renderer):
    renderers.set_renderer(renderer)
    try:
        return kfunc.display.model_mimebundle(model)
    finally:
        renderers.set_renderer(None)


def main():
    kfunc.utils.clear_session()
    model = residual_stack()
    print(f"model: {len(model.layers)} layers, {len(model._nodes)} nodes")
    scene = build_scene(model, Options(rankdir="auto"))
    rows = [
        ("summary text", lambda: summary_text(model)),
        ("scene (what to draw)", lambda: build_scene(model, Options(rankdir="auto"))),
        ("DOT text", lambda: to_dot(scene)),
    ]
    for renderer in renderers.RENDERERS:
        for fmt in ("svg", "png"):
            if fmt in renderer.formats and not renderer.unavailable(fmt):
                rows.append((f"{renderer.name} {fmt.upper()}", lambda r=renderer, f=fmt: r.render(scene, f, scene.dpi)))
    for renderer in renderers.RENDERERS:
        if not renderer.unavailable("png"):
            rows.append((f"notebook display (SVG+PNG+text), {renderer.name}", lambda n=renderer.name: _display(model, n)))
    kfunc.display.model_mimebundle(model)  # warm up before timing
    print(f"{'step (seconds)':44s} {'best':>7s} {'median':>7s} {'cpu':>7s}")
    for name, fn in rows:
        best, median, cpu = timed(fn)
        print(f"{name:44s} {best:7.3f} {median:7.3f} {cpu:7.3f}")


if __name__ == "__main__":
    main()
