"""The rendering chain: which Graphviz program turns a model's DOT text into SVG, PNG or PDF.

kfunc writes the picture as DOT text (:mod:`kfunc.display.dot`) and lets Graphviz
lay it out. It tries, in order:

1. ``dot``, the Graphviz program, when it is on ``PATH``;
2. ``graphviz-pure``, a self-contained port of ``dot`` that kfunc installs as a
   dependency (the wheel of the same name), so no system package is needed. It
   writes SVG and PNG; for a PDF, kfunc wraps its PNG in a one-page PDF.

When neither can draw, a model shows its summary as text, and says why in one
logged line (logger ``kfunc.display``). A missing ``dot`` when ``graphviz-pure``
stands in is only logged at the INFO level, since the picture is the same.

``set_renderer(name)`` (or the ``KFUNC_RENDERER`` environment variable) pins one
renderer: ``'dot'``, ``'graphviz-pure'``, or ``'text'`` for no pictures at all.
Pinning makes notebook outputs identical across machines.
"""

import io
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

log = logging.getLogger("kfunc.display")

_TIMEOUT_S = 60
_reported = set()  # the fallbacks already reported in this session
_pinned = None


class RenderError(RuntimeError):
    """No renderer could draw the picture; the message says why, in one line."""


class SystemDot:
    """The Graphviz ``dot`` program found on ``PATH``."""

    name = "dot"
    formats = ("svg", "png", "pdf")

    def executable(self):
        return shutil.which("dot")

    def unavailable(self, fmt):
        return None if self.executable() else "no Graphviz `dot` program on PATH"

    def render(self, scene, fmt, dpi):
        return _run_graphviz(self.executable(), scene, fmt, dpi)


class GraphvizPure(SystemDot):
    """The ``graphviz-pure`` program from the wheel of the same name.

    It writes no PDF, so a PDF is its PNG on one page (a picture, not vectors).
    """

    name = "graphviz-pure"

    def executable(self):
        found = shutil.which("graphviz-pure")
        if found:
            return found
        # A notebook kernel started from a virtual environment may not have its
        # bin directory on PATH: look next to the Python that runs kfunc.
        for folder in (Path(sys.executable).parent, Path(sys.prefix) / "bin", Path(sys.prefix) / "Scripts"):
            for name in ("graphviz-pure", "graphviz-pure.exe"):
                candidate = folder / name
                if candidate.is_file() and os.access(candidate, os.X_OK):
                    return str(candidate)
        return None

    def unavailable(self, fmt):
        return None if self.executable() else "the graphviz-pure package is not installed (pip install graphviz-pure)"

    def render(self, scene, fmt, dpi):
        if fmt != "pdf":
            return _run_graphviz(self.executable(), scene, fmt, dpi)
        from PIL import Image  # installed with matplotlib, a kfunc dependency

        png = Image.open(io.BytesIO(_run_graphviz(self.executable(), scene, "png", dpi)))
        out = io.BytesIO()
        png.convert("RGB").save(out, "PDF", resolution=dpi, quality=95)
        return out.getvalue()


RENDERERS = (SystemDot(), GraphvizPure())
_NAMES = {r.name: r for r in RENDERERS}


def set_renderer(name=None):
    """Pin the renderer: ``'dot'``, ``'graphviz-pure'``, ``'text'``; None for the chain.

    Raises:
        ValueError: for an unknown name.
    """
    global _pinned
    if name is not None and name not in _NAMES and name != "text":
        raise ValueError(f"Unknown renderer {name!r}; choose one of {sorted(_NAMES) + ['text']}, or None for the chain.")
    _pinned = name


def renderer_chain():
    """The renderers tried, in order, under the current setting."""
    name = _pinned or os.environ.get("KFUNC_RENDERER") or None
    if name == "text":
        return []
    if name in _NAMES:
        return [_NAMES[name]]
    return list(RENDERERS)


def which_renderer(fmt="svg"):
    """The name of the renderer that would draw ``fmt`` now, or None."""
    for renderer in renderer_chain():
        if fmt in renderer.formats and not renderer.unavailable(fmt):
            return renderer.name
    return None


def render(scene, fmt, dpi=None):
    """Draw ``scene`` as ``fmt`` bytes with the first renderer that can.

    Args:
        scene: what to draw.
        fmt: ``'svg'``, ``'png'`` or ``'pdf'``.
        dpi: the resolution of a PNG (``scene.dpi`` by default).

    Returns:
        ``(data, renderer_name)``.

    Raises:
        RenderError: when no renderer can; its message gives each one's reason.
    """
    reasons = []
    chain = renderer_chain()
    if not chain:
        raise RenderError("pictures are turned off (renderer 'text')")
    for renderer in chain:
        if fmt not in renderer.formats:
            reasons.append(f"{renderer.name} cannot write {fmt.upper()}")
            continue
        why = renderer.unavailable(fmt)
        if why:
            reasons.append(why)
            continue
        try:
            data = renderer.render(scene, fmt, dpi or scene.dpi)
        except Exception as error:  # a broken renderer must not hide the model
            reasons.append(f"{renderer.name} failed: {_first_line(error)}")
            continue
        if reasons:
            report_once(renderer.name, f"kfunc.display: {'; '.join(reasons)}; drawing with {renderer.name}.", logging.INFO)
        return data, renderer.name
    raise RenderError("; ".join(reasons))


def report_once(key, message, level=logging.WARNING):
    """Log ``message`` (one line) the first time ``key`` is reported in this session."""
    if key in _reported:
        return
    _reported.add(key)
    log.log(level, message)


def _run_graphviz(program, scene, fmt, dpi):
    from kfunc.display.dot import to_dot

    command = [program, f"-T{fmt}"]
    if fmt == "png":
        command.append(f"-Gdpi={dpi}")
    done = subprocess.run(command, input=to_dot(scene).encode("utf-8"), capture_output=True, timeout=_TIMEOUT_S)
    if done.returncode != 0 or not done.stdout:
        raise RenderError(f"{Path(program).name} exited with status {done.returncode}: {_first_line(done.stderr.decode(errors='replace'))}")
    return done.stdout


def _first_line(text):
    lines = str(text).strip().splitlines()
    return lines[0] if lines else type(text).__name__
