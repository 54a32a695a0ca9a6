#!/usr/bin/env bash
# Set up a fresh machine (tools/setup_env.sh) and run the lessons, as any user, root included.
#
#   bash tools/lessons.sh               -> JupyterLab at http://127.0.0.1:8888/lab on your working
#                                          copy of the lessons, ~/kfunc-lessons/
#   bash tools/lessons.sh --headless [NN ...]
#                                       -> executes the lessons (all, or those numbered) without a
#                                          browser, in a temporary copy, and prints a table of time,
#                                          memory and accuracy (tools/run_lessons.py; its other
#                                          options, e.g. --keep DIR, pass through)
#   bash tools/lessons.sh --student-copies [NN ...] [--out DIR] [--check]
#                                       -> writes the students' copies of the lessons, without the
#                                          worked answers and outputs, to ~/kfunc-lessons-student/
#                                          (tools/student_copy.py; --check also runs each copy)
#
# JupyterLab comes with RISE (jupyterlab-rise): in a lesson, View > Render as slideshow (Alt+R)
# presents it, one slide per section; /rise/NN_slug.ipynb opens it as a slideshow in a tab.
#
# The working copy: the first run copies lessons/*.ipynb and lessons/README.md there; later runs
# copy only the files that are missing, so a student's edited notebook is never overwritten
# (delete or rename a notebook there to get a fresh copy of it at the next start). JupyterLab
# serves that folder, so the repository's lessons/ never changes.
#
# Options:
#   --dir DIR     the working copy (default: $KFUNC_LESSONS_DIR, else ~/kfunc-lessons)
#   --port N      serve on exactly this port (default: $KFUNC_LESSONS_PORT, else 8888, or the
#                 next free one)
#   anything else is passed to `jupyter lab`, e.g. --IdentityProvider.token=SECRET (or set
#   JUPYTER_TOKEN); by default the server makes a token and prints the URL that carries it.
set -euo pipefail
here=$PWD
cd "$(dirname "$0")/.."

headless=0
student=0
folder=${KFUNC_LESSONS_DIR:-}
port=${KFUNC_LESSONS_PORT:-}
rest=()  # JupyterLab's options, or run_lessons.py's with --headless
while [ $# -gt 0 ]; do
    case "$1" in
        --headless) headless=1; shift ;;
        --student-copies) student=1; shift ;;
        --dir) folder=${2:?lessons.sh: --dir needs a folder}; shift 2 ;;
        --dir=*) folder=${1#--dir=}; shift ;;
        --port) port=${2:?lessons.sh: --port needs a number}; shift 2 ;;
        --port=*) port=${1#--port=}; shift ;;
        *) rest+=("$1"); shift ;;
    esac
done

bash tools/setup_env.sh
if [ "$headless" = 1 ]; then
    exec .venv/bin/python tools/run_lessons.py ${rest[@]+"${rest[@]}"}
fi
if [ "$student" = 1 ]; then
    # relative --out folders are relative to where the command was typed
    repo=$PWD
    cd "$here"
    exec "$repo/.venv/bin/python" "$repo/tools/student_copy.py" ${rest[@]+"${rest[@]}"}
fi

if [ -z "$folder" ]; then
    folder=${HOME:?lessons.sh: HOME is not set; give the working copy with --dir DIR or KFUNC_LESSONS_DIR}/kfunc-lessons
fi
if [ -n "$port" ]; then
    rest=(--ServerApp.port="$port" --ServerApp.port_retries=0 ${rest[@]+"${rest[@]}"})
fi

# The working copy, outside the repository: copy what is missing, never overwrite.
case "$folder" in
    /*) ;;
    *) folder=$here/$folder ;;  # relative to where the command was typed
esac
mkdir -p "$folder"
folder=$(cd "$folder" && pwd -P)
case "$folder/" in
    "$(pwd -P)/"*)
        echo "lessons.sh: the working copy $folder is inside the repository; choose another with --dir DIR" >&2
        exit 2 ;;
esac
copied=0
for lesson in lessons/*.ipynb lessons/README.md; do
    if [ ! -e "$folder/${lesson##*/}" ]; then
        cp "$lesson" "$folder/"
        copied=$((copied + 1))
    fi
done
echo "lessons: your working copy is $folder ($copied new file(s) copied; files already there are kept)"

# The lessons' models are small: one thread trains them fastest, and leaves the other cores to
# the browser and the server (several threads on a busy laptop can make training crawl). The
# lessons were checked that way too. Set OMP_NUM_THREADS yourself to choose otherwise.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} MKL_NUM_THREADS=${MKL_NUM_THREADS:-1}

# --allow-root: classroom containers run as root. The server listens on 127.0.0.1 only, and
# its kernels talk to it encrypted (CurveZMQ, when the kernel declares support) rather than in
# plain TCP.
exec .venv/bin/python -m jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --allow-root \
    --ServerApp.root_dir="$folder" --KernelManager.transport_encryption=auto ${rest[@]+"${rest[@]}"}
