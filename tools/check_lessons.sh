#!/usr/bin/env bash
# Check every lesson with nbval three ways (part of tools/test.sh):
#   1. as stored: each cell's output must come back, except what lessons/nbval_sanitize.cfg
#      masks (timings, and the figures that training produces);
#   2. with another CPU's kernels: torch's generic kernels (ATEN_CPU_CAPABILITY=default) and
#      MKL and oneDNN limited to AVX2 stand in for a machine other than the one that ran the
#      lessons, so that nothing a machine's rounding changes is compared exactly;
#   3. with other random weights (tools/other_machine/shift_seeds.py): training takes another
#      path, as it can on another machine; every lesson's assertions must still hold.
# The lesson kernels keep the settings of lessons/conftest.py (one thread, one renderer).
set -euo pipefail
cd "$(dirname "$0")/.."

nbval() {
    .venv/bin/python -m pytest --nbval lessons/ --nbval-sanitize-with lessons/nbval_sanitize.cfg -q "$@"
}

echo "== lessons under nbval, as stored"
nbval

echo "== lessons under nbval, with another CPU's kernels"
ATEN_CPU_CAPABILITY=default MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 nbval

echo "== lessons under nbval, with other random weights"
ipython_dir=$(mktemp -d)
trap 'rm -rf "$ipython_dir"' EXIT
mkdir -p "$ipython_dir/profile_default/startup"
cp tools/other_machine/shift_seeds.py "$ipython_dir/profile_default/startup/"
IPYTHONDIR="$ipython_dir" nbval
