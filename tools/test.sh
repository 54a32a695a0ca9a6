#!/usr/bin/env bash
# Set up a fresh machine and run the whole test suite: unit tests, the lessons under nbval
# (as stored, with another CPU's kernels, with other random weights: tools/check_lessons.sh),
# the students' copies of the lessons (made without the worked answers, then run: every cell
# must run with the exercises still unanswered; two at a time), then the live tracker and a
# RISE slideshow in a real JupyterLab in headless Chromium (it prints SKIPPED when no browser
# can be installed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh
.venv/bin/python -m pytest tests -q
bash tools/check_lessons.sh
.venv/bin/python tools/student_copy.py --out "${TMPDIR:-/tmp}/kfunc-student-copies" --check --jobs 2
.venv/bin/python tools/browser_check.py "${TMPDIR:-/tmp}/kfunc-browser-check"
