#!/usr/bin/env bash
# Set up a fresh machine and run the whole test suite: unit tests, then the lessons under nbval.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh
# Draw graphs with the renderer shipped as a wheel, so lesson SVGs are the same on every machine.
export KFUNC_RENDERER=graphviz-pure
.venv/bin/python -m pytest tests -q
.venv/bin/python -m pytest --nbval lessons/ --nbval-sanitize-with lessons/nbval_sanitize.cfg -q
