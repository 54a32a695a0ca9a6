#!/usr/bin/env python3
"""Rebuild lesson notebooks from their scripts: the only way lesson outputs change.

Each lesson's source of truth is a jupytext "percent" script, ``lessons/src/NN_slug.py``.
This tool turns it into ``lessons/NN_slug.ipynb``, executes the notebook in place (kernel
``python3``, working directory ``lessons/``) and writes it with clean, deterministic
metadata, so that regenerating twice gives byte-identical files.

    .venv/bin/python tools/regen_lessons.py            # every lesson
    .venv/bin/python tools/regen_lessons.py 03 07      # lessons 03 and 07
    .venv/bin/python tools/regen_lessons.py 03 --timeout 300

What "clean" means:

0. the kernel runs with :data:`KERNEL_ENV` (one graph renderer, one thread), as under nbval;
1. the kernelspec is ``python3``; ``language_info`` keeps no Python version;
2. cell ids are ``cell-000``, ``cell-001``, ... and execution counts run 1, 2, 3, ...;
3. cell metadata keeps only ``tags``, ``slideshow`` and a few JupyterLab display keys (the
   ``jp-MarkdownHeadingCollapsed`` of the "### Worked answers" heading is added when the
   script forgot it); no execution timings, no widget state;
4. every cell gets a RISE slide type (:func:`slide_type`): a markdown cell that starts
   with ``# `` or ``## `` begins a slide, one that starts with ``### `` a subslide, every
   other cell continues the slide ("-"), and cells tagged ``answer`` are skipped, so the
   worked answers never reach the screen. A type the script gives
   (``# %% [markdown] slideshow={"slide_type": "subslide"}``) wins, except on answers;
5. consecutive stream outputs are merged and carriage returns resolved, as a terminal
   would show them (the split between stream messages depends on timing);
6. the strings of ``lessons/nbval_sanitize.cfg`` (timings) are replaced as nbval replaces them,
   so that the stored text does not depend on how fast this run was;
7. a traceback is stored as the kernel showed it, exactly what a student sees: kfunc hides
   its own frames from a user's mistake (``kfunc.tracebacks``), so only the notebook's
   cells remain, and a traceback that still shows a library file fails check 9;
8. widget model ids are renumbered in order of appearance;
9. any remaining output containing an absolute path (``/work``, ``/tmp``, ``/root``,
   ``/home``, this machine's home or the Python prefix) fails the run loudly, as does a
   cell tagged ``raises-exception`` that raised nothing, any other cell that raised, and a
   notebook over 1.5 MB.

A failed lesson leaves its old notebook untouched; the tool exits non-zero at the end.
"""

import argparse
import os
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
SOURCES = LESSONS / "src"


def _reexec_in_venv():
    """Run under the repository's .venv when started with a Python that lacks the tools."""
    try:
        import jupytext  # noqa: F401
        import nbclient  # noqa: F401
    except ImportError:
        venv_python = REPO / ".venv" / "bin" / "python"
        if venv_python.exists() and Path(sys.prefix).resolve() != venv_python.parent.parent.resolve():
            os.execv(str(venv_python), [str(venv_python), *sys.argv])
        raise SystemExit(
            "regen_lessons needs jupytext and nbclient: "
            "run `.venv/bin/pip install jupytext nbclient ipykernel` (or bash tools/setup_env.sh)"
        )


_reexec_in_venv()

import jupytext  # noqa: E402
import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from traitlets.config import Config  # noqa: E402
from nbclient.exceptions import CellExecutionError, CellTimeoutError  # noqa: E402

# The kernel's environment, the same for regen_lessons, run_lessons and nbval (lessons/conftest.py
# sets it too; tests/test_lessons_lint.py checks they agree): one renderer that draws the same SVG
# on every machine, and one thread, so that numbers, and so printed losses, do not depend on the
# machine's core count (one thread is also the fastest for these small models on a busy machine).
KERNEL_ENV = {
    "KFUNC_RENDERER": "graphviz-pure",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
}

# The kernels talk to this process encrypted (CurveZMQ, when the kernel declares support)
# rather than in plain TCP, so ipykernel has no reason to warn about it.
KERNEL_MANAGER_CONFIG = Config({"KernelManager": {"transport_encryption": "auto"}})

KERNEL_NAME = "python3"
KERNELSPEC = {"name": KERNEL_NAME, "display_name": "Python 3 (ipykernel)", "language": "python"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
CELL_METADATA_KEPT = ("tags", "slideshow", "jp-MarkdownHeadingCollapsed", "jupyter", "editable", "deletable")
ANSWERS_HEADING = "### Worked answers"
ANSWER = "answer"  # the tag of the worked answers: skipped in slides, left out of student copies
RAISES = "raises-exception"
MAX_BYTES = 1_500_000
BINARY_MIME = ("image/png", "image/jpeg", "image/gif")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

_ABSOLUTE_ROOTS = {"/work", "/tmp", "/root", "/home", str(Path.home()), sys.prefix, str(REPO)}
ABSOLUTE_PATH = re.compile(
    r"(?<![\w.~/:-])(?:"
    + "|".join(re.escape(p.rstrip("/")) for p in sorted(_ABSOLUTE_ROOTS, key=len, reverse=True) if p not in ("", "/"))
    + r")(?=[/\s'\":,)\]]|$)"
)
_CARRIAGE_RETURN = re.compile(r"^.*\r(?=[^\n])", re.MULTILINE)
_BACKSPACE = re.compile("[^\n]\x08")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_MODEL_ID = re.compile(r"^[0-9a-f]{32}$")


SANITIZE_FILE = LESSONS / "nbval_sanitize.cfg"


def sanitize_patterns():
    """``[(regex, replacement)]`` of the sanitizer file's ``timing-*`` sections.

    Those mask what changes from run to run (timings), so they are applied to the stored
    outputs too. The ``figures-*`` sections mask what changes from machine to machine; the
    stored notebook keeps the real figures, and only nbval masks them.
    """
    if not SANITIZE_FILE.exists():
        return []
    import configparser

    config = configparser.ConfigParser()
    config.read_string(SANITIZE_FILE.read_text())
    return [
        (re.compile(config[name]["regex"]), config[name]["replace"])
        for name in config.sections()
        if name.startswith("timing-")
    ]


class LessonError(Exception):
    """A lesson that cannot be regenerated; the message says which cell and why."""


# ---------------------------------------------------------------------------------------
# finding lessons


def lesson_sources(numbers=()):
    """The lesson scripts ``lessons/src/NN_*.py`` for the given numbers (all when none)."""
    found = sorted(p for p in SOURCES.glob("[0-9][0-9]_*.py"))
    if not numbers:
        return found
    chosen = []
    for number in numbers:
        number = number.strip()
        if number.endswith(".py") or "/" in number:
            path = Path(number).resolve()
            matches = [p for p in found if p.resolve() == path]
        else:
            matches = [p for p in found if p.name.startswith(f"{int(number):02d}_")]
        if len(matches) != 1:
            names = ", ".join(p.name for p in found) or "none"
            raise SystemExit(
                f"regen_lessons: expected one script for lesson {number!r} in {SOURCES.relative_to(REPO)}/, "
                f"found {len(matches)} (scripts there: {names})"
            )
        chosen.append(matches[0])
    return chosen


def notebook_path(source):
    """``lessons/src/NN_slug.py`` -> ``lessons/NN_slug.ipynb``."""
    return LESSONS / (source.stem + ".ipynb")


# ---------------------------------------------------------------------------------------
# script -> clean notebook (before execution)


def slide_type(cell):
    """The RISE slide type of a cell: its place in the slideshow.

    One idea per ``##`` section makes one slide per idea: a markdown cell starting with
    ``# `` or ``## `` begins a slide, ``### `` a subslide (shown below the slide), and every
    other cell continues the current one ("-"). Worked answers are "skip": a teacher presents
    the exercise, not its answer. A type set in the script wins over the headings.
    """
    if ANSWER in cell.metadata.get("tags", []):
        return "skip"
    given = cell.metadata.get("slideshow", {}).get("slide_type")
    if given:
        return given
    text = cell.source.lstrip() if cell.cell_type == "markdown" else ""
    if text.startswith(("# ", "## ")):
        return "slide"
    if text.startswith("### "):
        return "subslide"
    return "-"


def read_script(source):
    """The notebook the script describes, with deterministic ids and metadata, no outputs."""
    nb = jupytext.read(source, fmt="py:percent")
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = nbformat.from_dict({"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)})
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:03d}"
        cell.metadata = nbformat.from_dict({k: cell.metadata[k] for k in CELL_METADATA_KEPT if k in cell.metadata})
        cell.metadata["slideshow"] = {"slide_type": slide_type(cell)}
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith(ANSWERS_HEADING):
            cell.metadata["jp-MarkdownHeadingCollapsed"] = True
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


# ---------------------------------------------------------------------------------------
# execution


def pin_kernel_environment():
    """Make kernels started from this process inherit :data:`KERNEL_ENV`."""
    os.environ.update(KERNEL_ENV)


def execute(nb, timeout, name):
    """Run every cell in a fresh ``python3`` kernel with ``lessons/`` as working directory."""
    pin_kernel_environment()
    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=timeout,
        startup_timeout=120,
        allow_errors=False,  # cells tagged raises-exception may still raise (nbclient honours the tag)
        record_timing=False,
        store_widget_state=False,
        resources={"metadata": {"path": str(LESSONS)}},
        config=KERNEL_MANAGER_CONFIG,
    )
    try:
        client.execute()
    except CellTimeoutError as error:
        raise LessonError(f"{name}: a cell ran longer than {timeout} s (use --timeout to allow more)\n{error}") from None
    except CellExecutionError as error:
        raise LessonError(f"{name}: a cell raised an error (tag it raises-exception if that is the lesson)\n{error}") from None
    return nb


# ---------------------------------------------------------------------------------------
# cleaning the outputs


def _text(value):
    return "".join(value) if isinstance(value, list) else value


def _resolve_terminal(text):
    """What a terminal shows: ``\\b`` erases a character, ``\\r`` rewinds the line.

    The same steps, in the same order, as nbval's own stream coalescing, so that a
    stored output equals what nbval computes from a fresh run.
    """
    old = None
    while old is None or len(text) < len(old):
        old = text
        text = _BACKSPACE.sub("", text)
    return _CARRIAGE_RETURN.sub("", text)


def _merge_streams(outputs):
    merged = []
    for out in outputs:
        if out.output_type == "stream" and merged and merged[-1].output_type == "stream" and merged[-1].name == out.name:
            merged[-1].text = _text(merged[-1].text) + _text(out.text)
        else:
            if out.output_type == "stream":
                out.text = _text(out.text)
            merged.append(out)
    for out in merged:
        if out.output_type == "stream":
            out.text = _resolve_terminal(out.text)
    return [out for out in merged if not (out.output_type == "stream" and out.text == "")]


def _renumber_widgets(nb):
    ids = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get(WIDGET_MIME)
            if isinstance(view, dict) and "model_id" in view:
                old = view["model_id"]
                view["model_id"] = ids.setdefault(old, f"{len(ids) + 1:032x}")


def _sanitize(out, patterns):
    """Apply nbval's sanitizer to every text an output shows (as nbval does when comparing)."""

    def clean(text):
        for regex, replace in patterns:
            text = regex.sub(replace, text)
        return text

    if out.output_type == "stream":
        out.text = clean(out.text)
    for mime, value in out.get("data", {}).items():
        if mime not in BINARY_MIME and isinstance(value, str):
            out.data[mime] = clean(value)


def clean_outputs(nb):
    """Make the executed notebook deterministic; returns it."""
    patterns = sanitize_patterns()
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        cell.outputs = _merge_streams(cell.outputs)
        for out in cell.outputs:
            if out.output_type in ("display_data", "execute_result"):
                out.setdefault("metadata", {})
            if out.output_type == "execute_result":
                out.execution_count = count
            _sanitize(out, patterns)
    _renumber_widgets(nb)
    nb.metadata = nbformat.from_dict({"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)})
    return nb


# ---------------------------------------------------------------------------------------
# checks


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def check(nb, name):
    """Raise LessonError on what must never be saved: absolute paths, stray or missing errors."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        raises = RAISES in cell.metadata.get("tags", [])
        errors = [out for out in cell.outputs if out.output_type == "error"]
        if raises and not errors:
            problems.append(f"cell {index} is tagged {RAISES} but raised nothing")
        if errors and not raises:
            problems.append(f"cell {index} raised {errors[0].ename} but is not tagged {RAISES}")
        for out in cell.outputs:
            data = out.get("data", {})
            payload = {k: v for k, v in data.items() if k not in BINARY_MIME} if data else dict(out)
            for text in _strings(payload):
                text = _ANSI.sub("", text)
                match = ABSOLUTE_PATH.search(text)
                if match:
                    line = next(l for l in text.splitlines() if match.group(0) in l)
                    problems.append(f"cell {index} prints an absolute path ({match.group(0)}...): {line.strip()[:160]}")
                    break
    if problems:
        raise LessonError(f"{name}:\n  " + "\n  ".join(problems))


def render(nb):
    """The notebook as the exact text written to disk."""
    return nbformat.writes(nb, version=4) + "\n"


# ---------------------------------------------------------------------------------------


def regenerate(source, timeout, write=True):
    """Convert, execute, clean and check one lesson; write it; return (path, seconds, bytes)."""
    name = source.name
    start = time.perf_counter()
    nb = read_script(source)
    execute(nb, timeout, name)
    clean_outputs(nb)
    check(nb, name)
    text = render(nb)
    size = len(text.encode())
    if size > MAX_BYTES:
        raise LessonError(f"{name}: the notebook would be {size / 1e6:.2f} MB (limit {MAX_BYTES / 1e6} MB); make its images smaller")
    path = notebook_path(source)
    if write:
        path.write_text(text, encoding="utf-8")
    return path, time.perf_counter() - start, size


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers (03) or script paths; all lessons when none")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default 300)")
    args = parser.parse_args(argv)

    sources = lesson_sources(args.lessons)
    if not sources:
        raise SystemExit(f"regen_lessons: no lesson scripts in {SOURCES.relative_to(REPO)}/")
    failed = []
    for source in sources:
        try:
            path, seconds, size = regenerate(source, args.timeout)
        except LessonError as error:
            failed.append(source.name)
            print(f"FAILED {error}\n", file=sys.stderr, flush=True)
            continue
        print(f"wrote {path.relative_to(REPO)}  ({seconds:.1f} s, {size / 1e3:.0f} kB)", flush=True)
    if failed:
        print(f"regen_lessons: {len(failed)} lesson(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
