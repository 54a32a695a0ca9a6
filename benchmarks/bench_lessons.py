"""Whether every lesson runs within the classroom goals: under 30 s and 600 MB each, 8 minutes in all.

The measurement is ``tools/run_lessons.py``'s (each lesson in a fresh kernel, in a temporary
copy of ``lessons/``; wall time, the kernel's peak memory, the accuracy it prints), but here a
missed goal fails: the exit status is non-zero when a goal is missed or a lesson fails. Time
depends on the machine, so run it on a quiet one (a busy machine makes lessons slower, which
``bash tools/lessons.sh --headless`` only notes).

    .venv/bin/python benchmarks/bench_lessons.py          # every lesson
    .venv/bin/python benchmarks/bench_lessons.py 09 11    # some lessons (the 8-minute goal is for all)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import run_lessons  # noqa: E402  (re-executes under .venv when needed)


def main(argv=None):
    args = run_lessons.parse_args(argv, description=__doc__.split("\n\n")[0])
    results = run_lessons.measure(args.lessons, args.timeout, args.keep)
    print(run_lessons.table(results))
    failed = [f"{r['lesson']} failed: {'; '.join(run_lessons.failures_of(r))}"
              for r in results if run_lessons.failures_of(r)]
    missed = run_lessons.goals_missed(results)
    print("", *failed, *missed, sep="\n")
    if failed:
        print("FAILED")
    elif missed:
        print("OVER BUDGET")
    else:
        print("OK: every goal met")
    return 1 if failed or missed else 0


if __name__ == "__main__":
    sys.exit(main())
