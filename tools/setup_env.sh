#!/usr/bin/env bash
# Create .venv (if missing) and install kfunc with what the tests and lessons need.
# torch comes first and pinned, so that pip takes the CPU build and not a CUDA one.
#
# It prints one line per step; the full output of every step goes to .venv/setup.log, and a
# failed step prints the end of that log. When nothing changed since the last complete
# setup (same pyproject.toml, same torch pin, recorded in .venv/setup.stamp), the installs
# are skipped: delete .venv/setup.stamp to run them again, or .venv/ to start afresh.
#   PYTHON=python3.12 bash tools/setup_env.sh   -> make the venv with another Python
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TORCH_PIN="torch==2.13.0"
LOG=.venv/setup.log
STAMP=.venv/setup.stamp

fail() {  # fail <what failed>: say so, show the end of the log (without pip's known noise)
    echo "setup: FAILED: $1" >&2
    if [ -s "$LOG" ]; then
        echo "---- last lines of $LOG ----" >&2
        grep -v -e "^WARNING: Location '.*' is ignored" "$LOG" | tail -n 25 >&2 || true
        echo "---- full log: $PWD/$LOG ----" >&2
    fi
    exit 1
}

step() {  # step <message> <note> <command...>: one line on screen, the command's output in the log
    local message=$1 note=$2
    shift 2
    echo "setup: $message${note:+ ($note)}"
    echo "==== $message: $*" >>"$LOG"
    "$@" >>"$LOG" 2>&1 || fail "$message (exit status $?)"
}

# What the installs depend on; the same text means nothing to install again.
wanted_stamp() {
    .venv/bin/python - "$TORCH_PIN" <<'EOF'
import hashlib, pathlib, sys
digest = hashlib.sha256(pathlib.Path("pyproject.toml").read_bytes() + sys.argv[1].encode())
print(f"{sys.argv[1]} pyproject.toml:{digest.hexdigest()}")
EOF
}

# The installed packages the tools need are all still there (a cheap look, nothing imported).
installed() {
    .venv/bin/python -c "
import importlib.util, sys
sys.exit(any(importlib.util.find_spec(m) is None for m in ('kfunc', 'torch', 'jupyterlab', 'jupyterlab_rise', 'pytest', 'nbval', 'nbclient')))
" 2>/dev/null
}

make_venv() {
    "$PYTHON" -m venv .venv && .venv/bin/python -m pip install --progress-bar off --upgrade pip
}

# 1. nothing changed since the last complete setup: nothing to do
if [ -x .venv/bin/python ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(wanted_stamp)" ] && installed; then
    echo "setup: .venv is up to date (pyproject.toml and the torch pin are unchanged)"
    exit 0
fi

# 2. otherwise install, forgetting the stamp until every step has succeeded
rm -f "$STAMP"
if [ ! -x .venv/bin/python ]; then
    command -v "$PYTHON" >/dev/null \
        || { echo "setup: FAILED: '$PYTHON' not found; install Python 3.10 or newer, or set PYTHON=/path/to/python3" >&2; exit 1; }
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
        || { echo "setup: FAILED: kfunc needs Python 3.10 or newer; $PYTHON is $("$PYTHON" -V 2>&1)" >&2; exit 1; }
    mkdir -p .venv
    : >"$LOG"
    step "creating .venv with $("$PYTHON" -V 2>&1)" "" make_venv
else
    : >"$LOG"
    echo "setup: using the existing .venv ($(.venv/bin/python -V 2>&1)), installing what changed"
fi
step "installing $TORCH_PIN" "the first time takes a few minutes" \
    .venv/bin/python -m pip install --progress-bar off "$TORCH_PIN"
step "installing kfunc and its dependencies" "tests, JupyterLab and its RISE slideshows" \
    .venv/bin/python -m pip install --progress-bar off -e ".[test,lessons]"
# 3. remember what was installed
wanted_stamp >"$STAMP"
echo "setup: done (full log: .venv/setup.log)"
