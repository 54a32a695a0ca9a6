#!/usr/bin/env bash
# Set up a fresh machine and run the lessons.
#   bash tools/lessons.sh             -> opens JupyterLab on lessons/ (http://127.0.0.1:8888)
#   bash tools/lessons.sh --headless  -> executes every lesson without a browser and
#                                        prints a table of time, memory and accuracy
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh
if [ "${1:-}" = "--headless" ]; then
    exec .venv/bin/python tools/run_lessons.py
fi
exec .venv/bin/python -m jupyter lab --no-browser --ip=127.0.0.1 --notebook-dir=lessons
