"""Well-known functional-API programs run end to end: they train (the loss falls), save and reload.

The programs live in ``tests/programs/``, one module each, written for kfunc from the
descriptions of the Keras examples, the keras.io guides and the books' chapters, with
small offline data. See that package's docstring.
"""

import importlib
import pkgutil

import numpy as np
import pytest

import kfunc
import programs

PROGRAMS = sorted(m.name for m in pkgutil.iter_modules(programs.__path__))


def test_there_are_at_least_ten_programs():
    assert len(PROGRAMS) >= 10


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_learns_and_reloads(name, tmp_path):
    kfunc.backend.clear_session()
    kfunc.utils.set_random_seed(0)
    program = importlib.import_module(f"programs.{name}")
    losses, predictions, reloaded = program.run(tmp_path)
    assert losses[-1] < losses[0], losses
    predictions = predictions if isinstance(predictions, list) else [predictions]
    reloaded = reloaded if isinstance(reloaded, list) else [reloaded]
    assert len(reloaded) == len(predictions)
    for before, after in zip(predictions, reloaded):
        np.testing.assert_allclose(after, before, rtol=1e-5, atol=1e-6)
