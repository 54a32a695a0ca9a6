import os
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))
# The display tests choose renderers themselves; a renderer pinned for the lessons must not leak in.
os.environ.pop("KFUNC_RENDERER", None)

import kfunc  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_session():
    """Each test starts with fresh automatic names and a fixed seed."""
    kfunc.utils.clear_session()
    kfunc.utils.set_random_seed(0)
    torch.set_num_threads(2)
    yield
