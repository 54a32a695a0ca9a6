#!/usr/bin/env python3
"""Run every lesson headless and report its time, peak memory and accuracy against the goals.

    .venv/bin/python tools/run_lessons.py            # every lesson
    .venv/bin/python tools/run_lessons.py 01 03      # some lessons
    .venv/bin/python tools/run_lessons.py --keep out/ # also keep the executed notebooks
    bash tools/lessons.sh --headless 01 03           # the same, after setting up .venv

Each notebook ``lessons/NN_*.ipynb`` is executed with nbclient in a fresh ``python3`` kernel,
in a temporary copy of ``lessons/`` (the notebooks themselves are never written: only
``tools/regen_lessons.py`` changes them), with the kernel environment that nbval uses. The
table gives, per lesson:

* **seconds**: wall time from starting the kernel to the last cell's end;
* **peak MB**: the kernel process's peak resident memory (``ru_maxrss``, read inside the
  kernel after the last cell). The graph renderer runs as a short-lived child process of
  the kernel and is not counted (a forked child's ``ru_maxrss`` starts with a copy of the
  kernel's pages, so that number would say nothing about the child itself);
* **accuracy**: the number on the lesson's ``accuracy: 0.93`` line (a line of the cell's
  printed output that starts with ``accuracy:``; the last such line counts).

Goals: each lesson under 30 s and 600 MB, all of them under 8 minutes. A missed goal is
printed as a note (``goal missed: ...``) and does not change the exit status, because time
and memory depend on how busy the machine is; ``benchmarks/bench_lessons.py`` runs the
same measurement and fails on a missed goal. The exit status is non-zero only when a lesson
fails: a cell raised (a failed assertion included; cells tagged ``raises-exception`` may
raise) or ran out of time, or the lesson opened a network connection (a hidden first cell
makes any connection attempt fail and be counted).
"""

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import regen_lessons  # noqa: E402  (re-executes under .venv when needed)
import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError  # noqa: E402

LESSONS = regen_lessons.LESSONS
REPO = regen_lessons.REPO
GOAL_SECONDS = 30.0
GOAL_MB = 600.0
GOAL_TOTAL_SECONDS = 8 * 60.0
ACCURACY_LINE = re.compile(r"^accuracy:\s*([0-9]*\.?[0-9]+)\s*$", re.MULTILINE)

# Run first, in the kernel: every network connection or address look-up fails and is counted.
NETWORK_GUARD = """\
import socket as _run_lessons_socket
_run_lessons_attempts = []
def _run_lessons_refuse(self, address, *args, _original=_run_lessons_socket.socket.connect):
    if self.family == getattr(_run_lessons_socket, "AF_UNIX", None):
        return _original(self, address, *args)
    _run_lessons_attempts.append(repr(address))
    raise OSError(f"run_lessons: a lesson tried to open a network connection to {address!r}")
def _run_lessons_resolve(host, *args, _original=_run_lessons_socket.getaddrinfo):
    if host not in (None, "", "localhost", "127.0.0.1", "::1"):
        _run_lessons_attempts.append(repr(host))
        raise OSError(f"run_lessons: a lesson tried to look up the network address of {host!r}")
    return _original(host, *args)
_run_lessons_socket.socket.connect = _run_lessons_refuse
_run_lessons_socket.socket.connect_ex = _run_lessons_refuse
_run_lessons_socket.getaddrinfo = _run_lessons_resolve
"""

# Run last, in the kernel: the kernel's peak memory (and its children's, for reference), and the attempts.
REPORT = """\
import json as _json, resource as _resource, sys as _sys
_scale = 1 if _sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
print("RUN_LESSONS_REPORT " + _json.dumps({
    "self_mb": _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss * _scale / 2**20,
    "children_mb": _resource.getrusage(_resource.RUSAGE_CHILDREN).ru_maxrss * _scale / 2**20,
    "connections": _run_lessons_attempts,
}))
"""

KERNEL_MANAGER_CONFIG = regen_lessons.KERNEL_MANAGER_CONFIG


def lesson_notebooks(numbers=()):
    """The notebooks of the lessons whose script exists, in order (all when no numbers)."""
    return [regen_lessons.notebook_path(src) for src in regen_lessons.lesson_sources(numbers)]


def _printed(cell):
    return "".join(out.get("text", "") for out in cell.get("outputs", []) if out.get("output_type") == "stream")


def run_one(notebook, workdir, timeout):
    """Execute one notebook in ``workdir``; return ``(result, executed notebook or None)``.

    ``result`` is a dict: lesson, seconds, self_mb, children_mb, accuracy, connections, and
    ``error`` (None, or why the run failed).
    """
    result = {"lesson": notebook.stem, "seconds": None, "self_mb": None, "children_mb": None,
              "accuracy": None, "connections": [], "error": None}
    if not notebook.exists():
        result["error"] = f"{notebook.name} does not exist: run tools/regen_lessons.py"
        return result, None
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(NETWORK_GUARD))
    nb.cells.append(nbformat.v4.new_code_cell(REPORT))
    for cell in nb.cells:  # nbformat 4.5 ids for the two added cells
        cell.setdefault("id", f"run-lessons-{id(cell)}")
    client = NotebookClient(nb, kernel_name=regen_lessons.KERNEL_NAME, timeout=timeout, startup_timeout=120,
                            record_timing=False, store_widget_state=False,
                            resources={"metadata": {"path": str(workdir)}}, config=KERNEL_MANAGER_CONFIG)
    regen_lessons.pin_kernel_environment()
    start = time.perf_counter()
    try:
        client.execute()
    except CellTimeoutError:
        result["error"] = f"a cell ran longer than {timeout} s"
    except CellExecutionError as error:
        result["error"] = "a cell raised: " + str(error).strip().splitlines()[-1][:200]
    except DeadKernelError:
        result["error"] = "the kernel died (a crash, or out of memory)"
    result["seconds"] = time.perf_counter() - start
    lesson_cells = nb.cells[1:-1]
    found = ACCURACY_LINE.findall("".join(_printed(c) for c in lesson_cells))
    if found:
        result["accuracy"] = float(found[-1])
    report = re.search(r"^RUN_LESSONS_REPORT (.*)$", _printed(nb.cells[-1]), re.MULTILINE)
    if report:
        result.update(json.loads(report.group(1)))
    return result, nb


def failures_of(result):
    """Why one lesson's run failed, as short phrases (empty when it passed)."""
    failures = []
    if result["error"]:
        failures.append(result["error"])
    if result["connections"]:
        failures.append(f"opened network connections: {', '.join(result['connections'])}")
    return failures


def goals_missed_by(result):
    """The goals one lesson's run missed, as short phrases (its time and memory)."""
    missed = []
    if result["seconds"] is not None and result["seconds"] > GOAL_SECONDS:
        missed.append(f"took {result['seconds']:.1f} s (goal: under {GOAL_SECONDS:.0f} s)")
    if result["self_mb"] is not None and result["self_mb"] > GOAL_MB:
        missed.append(f"peaked at {result['self_mb']:.0f} MB (goal: under {GOAL_MB:.0f} MB)")
    return missed


def total_seconds(results):
    return sum(r["seconds"] or 0.0 for r in results)


def goals_missed(results):
    """One ``goal missed: ...`` line per missed goal: a lesson's time or memory, the total time."""
    lines = [f"goal missed: {r['lesson']} {missed}" for r in results for missed in goals_missed_by(r)]
    total = total_seconds(results)
    if total > GOAL_TOTAL_SECONDS:
        lines.append(f"goal missed: all lessons took {total / 60:.1f} min (goal: under {GOAL_TOTAL_SECONDS / 60:.0f} min)")
    return lines


def notes(results):
    """Lines about everything short of a failure: missed goals, a lesson that printed no accuracy."""
    silent = [r["lesson"] for r in results if r["accuracy"] is None and not failures_of(r)]
    return goals_missed(results) + [f"note: {lesson} printed no 'accuracy: ...' line" for lesson in silent]


def exit_status(results):
    """1 when a lesson failed, else 0: missed goals are notes, not failures."""
    return 1 if any(failures_of(r) for r in results) else 0


def table(results):
    """The results as a Markdown table, with the goals in the header."""
    lines = [
        f"| lesson | seconds (goal < {GOAL_SECONDS:.0f}) | peak MB (goal < {GOAL_MB:.0f}) | accuracy | result |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        seconds = f"{r['seconds']:.1f}" if r["seconds"] is not None else "-"
        memory = f"{r['self_mb']:.0f}" if r["self_mb"] is not None else "-"
        accuracy = f"{r['accuracy']:.3f}" if r["accuracy"] is not None else "-"
        failures = failures_of(r)
        result = "FAILED: " + "; ".join(failures) if failures else "passed"
        if goals_missed_by(r):
            result += " (goal missed)"
        lines.append(f"| {r['lesson']} | {seconds} | {memory} | {accuracy} | {result} |")
    total = total_seconds(results)
    lines.append(f"| **total** | {total:.1f} (goal < {GOAL_TOTAL_SECONDS:.0f}) | | | |")
    return "\n".join(lines)


def summary(results):
    """The table, the notes, and a last line that says whether every lesson passed."""
    lines = [table(results), ""]
    if notes(results):
        lines += [*notes(results), ""]
    failed = [r["lesson"] for r in results if failures_of(r)]
    missed = goals_missed(results)
    if failed:
        lines.append(f"run_lessons: FAILED: {', '.join(failed)} ({len(failed)} of {len(results)} lessons)")
    elif missed:
        lines.append(f"run_lessons: all {len(results)} lessons passed; {len(missed)} time or memory goal(s) "
                     "missed (notes only: benchmarks/bench_lessons.py checks the goals)")
    else:
        lines.append(f"run_lessons: all {len(results)} lessons passed")
    return "\n".join(lines)


def measure(numbers=(), timeout=300, keep=None):
    """Run the lessons numbered (all when none) in a temporary copy of ``lessons/``; return their results."""
    notebooks = lesson_notebooks(numbers)
    if not notebooks:
        raise SystemExit("run_lessons: no lessons found")
    if keep is not None and keep.resolve().is_relative_to(LESSONS.resolve()):
        raise SystemExit(f"run_lessons: --keep must be outside {LESSONS} (only tools/regen_lessons.py writes there)")
    results = []
    with tempfile.TemporaryDirectory(prefix="kfunc-lessons-") as tmp:
        workdir = Path(tmp) / "lessons"
        shutil.copytree(LESSONS, workdir, ignore=shutil.ignore_patterns("src", "*.py", ".ipynb_checkpoints"))
        for notebook in notebooks:
            print(f"running {notebook.name} ...", file=sys.stderr, flush=True)
            result, executed = run_one(workdir / notebook.name, workdir, timeout)
            results.append(result)
            if keep is not None and executed is not None:
                keep.mkdir(parents=True, exist_ok=True)
                executed.cells = executed.cells[1:-1]
                nbformat.write(executed, keep / notebook.name)
    return results


def parse_args(argv=None, description=None):
    parser = argparse.ArgumentParser(description=description or __doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers (03); all lessons when none")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default 300)")
    parser.add_argument("--keep", type=Path, help="write the executed notebooks into this folder")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    results = measure(args.lessons, args.timeout, args.keep)
    print(summary(results))
    return exit_status(results)


if __name__ == "__main__":
    sys.exit(main())
