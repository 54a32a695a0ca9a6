#!/usr/bin/env bash
# Create .venv (if missing) and install kfunc with what the tests and lessons need.
# torch comes first and pinned, so that pip takes the CPU build and not a CUDA one.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e ".[test,lessons]"
