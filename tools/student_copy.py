#!/usr/bin/env python3
"""Make the students' copies of the lessons: every cell but the worked answers, no outputs.

    .venv/bin/python tools/student_copy.py                 # every lesson, into ~/kfunc-lessons-student/
    .venv/bin/python tools/student_copy.py 03 05           # lessons 03 and 05
    .venv/bin/python tools/student_copy.py --out handout/  # into another folder (outside the repository)
    .venv/bin/python tools/student_copy.py --check         # also run each copy in a fresh kernel

A student copy of ``lessons/NN_slug.ipynb`` is the same notebook without the cells tagged
``answer`` (the "### Worked answers" heading, its explanations and its code) and with every
output cleared, so that the student runs the lesson and sees each result appear. The
exercise cells keep their placeholders (``answer = None``) and the check cells after them
say "not answered yet" until the student writes an answer. Slide metadata stays, so a
student can follow the slideshow too.

The copies go to a folder outside the repository (the lessons in ``lessons/`` are made only
by ``tools/regen_lessons.py``). Running the command again rewrites only the copies whose
lesson changed, and prints, for each lesson, whether it wrote or kept the copy.

``--check`` then executes every copy in a fresh ``python3`` kernel, with the kernel settings
of ``tools/regen_lessons.py`` (one thread, one graph renderer), in a temporary working
folder, and fails when a cell raises (cells tagged ``raises-exception`` may): without the
worked answers and with the placeholders still in place, every other cell must run.
``--jobs 2`` runs two copies at once (each kernel uses one thread).
"""

import argparse
import concurrent.futures
import copy
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import regen_lessons  # noqa: E402  (re-executes under .venv when needed)
import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError  # noqa: E402

REPO = regen_lessons.REPO
ANSWER = regen_lessons.ANSWER
DEFAULT_OUT = Path("~/kfunc-lessons-student")


def is_answer(cell):
    """Whether a cell is part of the worked answers (tagged ``answer``)."""
    return ANSWER in cell.metadata.get("tags", [])


def student_notebook(nb):
    """A copy of the lesson ``nb`` without its worked answers, outputs cleared."""
    student = copy.deepcopy(nb)
    student.cells = [cell for cell in student.cells if not is_answer(cell)]
    for cell in student.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return student


def student_text(lesson):
    """The student copy of the notebook at ``lesson``, as the exact text written to disk."""
    return regen_lessons.render(student_notebook(nbformat.read(lesson, as_version=4)))


def output_folder(out):
    """The folder for the copies, refused when it lies inside the repository."""
    folder = Path(out).expanduser().resolve()
    if folder.is_relative_to(REPO.resolve()):
        raise SystemExit(f"student_copy: {folder} is inside the repository; choose a folder outside it with --out DIR")
    return folder


def lesson_notebooks(numbers=()):
    """The lesson notebooks (all, or those numbered), in order."""
    notebooks = [regen_lessons.notebook_path(source) for source in regen_lessons.lesson_sources(numbers)]
    missing = [path.name for path in notebooks if not path.exists()]
    if missing:
        raise SystemExit(f"student_copy: no notebook for {', '.join(missing)}: run tools/regen_lessons.py first")
    return notebooks


def write_copies(notebooks, folder):
    """Write the student copy of each notebook into ``folder``; return the paths of the copies.

    A copy already holding the right text is left alone, so running twice changes nothing.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for lesson in notebooks:
        target = folder / lesson.name
        text = student_text(lesson)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            print(f"kept {target} (already up to date)", flush=True)
        else:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target}", flush=True)
        written.append(target)
    return written


def run_copy(path, timeout):
    """Execute one student copy in a fresh kernel; return ``(name, seconds, error or None)``."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kfunc-student-") as workdir:  # files a lesson saves land here
        client = NotebookClient(
            nb,
            kernel_name=regen_lessons.KERNEL_NAME,
            timeout=timeout,
            startup_timeout=120,
            allow_errors=False,  # cells tagged raises-exception may still raise (nbclient honours the tag)
            record_timing=False,
            store_widget_state=False,
            resources={"metadata": {"path": workdir}},
            config=regen_lessons.KERNEL_MANAGER_CONFIG,
        )
        error = None
        try:
            client.execute()
        except CellTimeoutError:
            error = f"a cell ran longer than {timeout} s"
        except CellExecutionError as failure:
            error = "a cell raised: " + str(failure).strip().splitlines()[-1][:300]
        except DeadKernelError:
            error = "the kernel died (a crash, or out of memory)"
    return path.name, time.perf_counter() - start, error


def check_copies(paths, timeout, jobs):
    """Run every student copy; print one line each; return the names of those that failed."""
    regen_lessons.pin_kernel_environment()
    failed = []
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for name, seconds, error in pool.map(lambda path: run_copy(path, timeout), paths):
            if error:
                failed.append(name)
                print(f"FAILED {name} ({seconds:.1f} s): {error}", flush=True)
            else:
                print(f"ran {name} ({seconds:.1f} s): every cell ran", flush=True)
    print(f"student_copy: ran {len(paths)} student copies in {time.perf_counter() - start:.1f} s", flush=True)
    return failed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers (03); all lessons when none")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help=f"folder for the copies (default {DEFAULT_OUT})")
    parser.add_argument("--check", action="store_true", help="run each copy in a fresh kernel; fail when a cell raises")
    parser.add_argument("--jobs", type=int, default=1, help="with --check: copies run at once (default 1)")
    parser.add_argument("--timeout", type=int, default=300, help="with --check: seconds allowed per cell (default 300)")
    args = parser.parse_args(argv)

    folder = output_folder(args.out)
    copies = write_copies(lesson_notebooks(args.lessons), folder)
    print(f"student_copy: {len(copies)} student copies in {folder}", flush=True)
    if args.check:
        failed = check_copies(copies, args.timeout, args.jobs)
        if failed:
            print(f"student_copy: FAILED: {', '.join(failed)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
