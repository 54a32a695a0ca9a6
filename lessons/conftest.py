"""pytest settings for `pytest --nbval lessons/`: the kernel environment the notebooks were made in.

nbval starts each lesson's kernel from this process, so the kernel inherits these variables.
They must equal ``KERNEL_ENV`` in ``tools/regen_lessons.py`` (tests/test_lessons_lint.py checks):
one graph renderer (graphviz-pure draws the same SVG on every machine) and one thread (torch's
numbers, and so the printed losses, then do not depend on the machine's core count).
"""

import os

KERNEL_ENV = {
    "KFUNC_RENDERER": "graphviz-pure",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
}

os.environ.update(KERNEL_ENV)
