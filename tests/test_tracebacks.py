"""A user's mistake shows the user's code; an internal bug keeps kfunc's frames.

The error a student sees in IPython (a notebook) or from a plain ``python`` script
shows their own line and kfunc's message, with no frame from a file inside the
``kfunc/`` package; the switch in :mod:`kfunc.config` and the environment variable
``KFUNC_TRACEBACK_FILTERING=0`` bring the frames back. IPython and the scripts run
in subprocesses, with a fresh ``kfunc`` import, exactly as a student's would.
"""

import json
import os
import re
import signal
import subprocess
import sys
import traceback
from pathlib import Path

import numpy as np
import pytest

import kfunc
from kfunc import Input, Model, tracebacks
from kfunc.layers import Dense, Lambda, add
from kfunc.training import trainer

ROOT = Path(__file__).resolve().parents[1]
KFUNC_DIR = os.path.join(os.path.dirname(kfunc.__file__), "")

SETUP = """\
import numpy as np
import kfunc
from kfunc import Input, Model
from kfunc.layers import Dense, add
inputs = Input((4,))
model = Model(inputs, Dense(3)(inputs))
model.compile(optimizer='sgd', loss='mse')
x, y = np.zeros((8, 4), 'float32'), np.zeros((8, 3), 'float32')
"""
FIT_TYPO = "model.fit(x, y, epoch=3)"
FIT_MESSAGE = "TypeError: fit() got an unknown argument 'epoch'. Did you mean 'epochs'?"
SHAPE_MISTAKE = "add([Dense(3)(Input((4,))), Input((5,))])"
SHAPE_MESSAGE = "ValueError: Add layer 'add' combines its inputs element by element"

# An internal bug, simulated: fit's helper replaced by a function of a (made-up) kfunc
# file that indexes past the end of a list, an error no ``raise`` statement made.
BREAK_FIT = """\
import os, kfunc.training.trainer
source, bug = "def _other_arguments(*args, **kwargs):\\n    return [][1]\\n", {}
exec(compile(source, os.path.join(os.path.dirname(kfunc.__file__), "simulated_bug.py"), "exec"), bug)
kfunc.training.trainer._other_arguments = bug["_other_arguments"]
"""


def kfunc_lines(text):
    """The lines of a shown traceback that name a file inside the kfunc package."""
    return [line for line in text.splitlines() if KFUNC_DIR in line]


def last_line(text):
    return text.strip().splitlines()[-1]


def run_python(code, tmp_path, **env):
    """Run ``code`` as a script file in a fresh Python; its stderr."""
    script = tmp_path / "student.py"
    script.write_text(code)
    environ = {k: v for k, v in os.environ.items() if k != "KFUNC_TRACEBACK_FILTERING"}
    environ.update(HOME=str(tmp_path), OMP_NUM_THREADS="1", **env)
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    return done.stderr


@pytest.fixture
def filtering_on():
    """Filtering on for the test, whatever the environment says, and as it was afterwards."""
    was = kfunc.config.is_traceback_filtering_enabled()
    kfunc.config.enable_traceback_filtering()
    yield
    (kfunc.config.enable_traceback_filtering if was else kfunc.config.disable_traceback_filtering)()


def shown(error):
    """The text Python's excepthook prints for ``error`` once kfunc has filtered it."""
    tb = tracebacks.traceback_to_show(error, error.__traceback__)
    return "".join(traceback.format_exception(type(error), error, tb))


def kfunc_function(source, name):
    """A function whose code says it is in a file inside the kfunc package (to simulate one)."""
    namespace = {}
    exec(compile(source, os.path.join(KFUNC_DIR, "simulated_bug.py"), "exec"), namespace)
    return namespace[name]


def small_model():
    inputs = Input((4,))
    model = Model(inputs, Dense(3)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    return model, np.zeros((8, 4), "float32"), np.zeros((8, 3), "float32")


# ---------------------------------------------------------------------- in this process


def test_caught_error_is_the_one_kfunc_raised_with_all_its_frames():
    model, x, y = small_model()
    with pytest.raises(TypeError) as caught:
        model.fit(x, y, epoch=3)
    assert type(caught.value) is TypeError
    assert str(caught.value).startswith(FIT_MESSAGE.removeprefix("TypeError: "))
    # nothing is filtered where the error is raised: only where it is shown
    innermost = traceback.extract_tb(caught.value.__traceback__)[-1]
    assert innermost.filename.startswith(KFUNC_DIR) and innermost.name == "_other_arguments"


def test_shape_mistake_shows_the_users_line_and_kfuncs_message(filtering_on):
    with pytest.raises(ValueError) as caught:
        add([Dense(3)(Input((4,))), Input((5,))])
    text = shown(caught.value)
    assert kfunc_lines(text) == []
    assert f'File "{__file__}"' in text and "add([Dense(3)(Input((4,))), Input((5,))])" in text
    assert last_line(text).startswith(SHAPE_MESSAGE)


def test_chained_error_loses_kfunc_frames_too(filtering_on):
    def on_data_only(t):  # fine while kfunc infers shapes, fails on real data
        if t.device.type != "meta":
            raise RuntimeError("my function failed")
        return t

    inputs = Input((4,))
    model = Model(inputs, Lambda(on_data_only)(inputs))
    with pytest.raises(ValueError) as caught:
        model.predict(np.zeros((2, 4), "float32"), verbose=0)
    text = shown(caught.value)
    assert kfunc_lines(text) == []
    # the torch calls and the generated forward between kfunc and the Lambda go too
    assert "torch" not in text.replace("Torch reported", "") and "eval_with_key" not in text
    cause, error = text.split("The above exception was the direct cause of the following exception:")
    assert 'raise RuntimeError("my function failed")' in cause and "in on_data_only" in cause
    assert 'model.predict(np.zeros((2, 4), "float32"), verbose=0)' in error
    assert last_line(text).startswith("ValueError: Layer 'lambda' (Lambda) failed on its input")


def test_internal_bug_keeps_every_frame(filtering_on, monkeypatch):
    model, x, y = small_model()
    monkeypatch.setattr(trainer, "_other_arguments", kfunc_function("def broken(*args, **kwargs):\n    return [][1]\n", "broken"))
    with pytest.raises(IndexError) as caught:
        model.fit(x, y, verbose=0)
    tb = caught.value.__traceback__
    assert tracebacks.traceback_to_show(caught.value, tb) is tb
    assert len(kfunc_lines(shown(caught.value))) >= 3  # trainer.py twice, then the bug


def test_failed_assert_in_kfunc_is_a_bug(filtering_on):
    check = kfunc_function("def check(n):\n    assert n > 0, 'an invariant'\n", "check")
    with pytest.raises(AssertionError) as caught:
        check(0)
    assert tracebacks.traceback_to_show(caught.value, caught.value.__traceback__) is caught.value.__traceback__


def test_keyboard_interrupt_inside_kfunc_is_filtered(filtering_on):
    # Ctrl-C lands wherever kfunc happens to be, never at a raise: still not a bug
    step = kfunc_function("def step(handler):\n    handler(2, None)\n", "step")
    with pytest.raises(KeyboardInterrupt) as caught:
        step(signal.default_int_handler)
    text = shown(caught.value)
    assert kfunc_lines(text) == [] and "step(signal.default_int_handler)" in text


def test_switch_turns_filtering_off_and_on(filtering_on):
    model, x, y = small_model()
    with pytest.raises(TypeError) as caught:
        model.fit(x, y, epoch=3)
    kfunc.config.disable_traceback_filtering()
    assert not kfunc.config.is_traceback_filtering_enabled()
    assert len(kfunc_lines(shown(caught.value))) >= 2
    kfunc.config.enable_traceback_filtering()
    assert kfunc.config.is_traceback_filtering_enabled()
    assert kfunc_lines(shown(caught.value)) == []


def test_install_again_changes_nothing():
    before = sys.excepthook
    tracebacks.install()
    tracebacks.install()
    assert sys.excepthook is before


# ---------------------------------------------------------------------- a plain Python script


@pytest.mark.parametrize(("mistake", "message"), [(FIT_TYPO, FIT_MESSAGE), (SHAPE_MISTAKE, SHAPE_MESSAGE)], ids=["fit typo", "shape mistake"])
def test_script_shows_the_users_line_and_kfuncs_message(tmp_path, mistake, message):
    stderr = run_python(SETUP + mistake + "\n", tmp_path)
    assert kfunc_lines(stderr) == []
    assert f'File "{tmp_path / "student.py"}", line 9, in <module>' in stderr and mistake in stderr
    assert last_line(stderr).startswith(message)


def test_script_environment_variable_turns_filtering_off(tmp_path):
    stderr = run_python(SETUP + FIT_TYPO + "\n", tmp_path, KFUNC_TRACEBACK_FILTERING="0")
    assert any("trainer.py" in line for line in kfunc_lines(stderr))
    assert last_line(stderr).startswith(FIT_MESSAGE)


# ---------------------------------------------------------------------- IPython, as in a notebook

CELLS = {
    "setup": SETUP,
    "fit typo": FIT_TYPO,
    "shape mistake": SHAPE_MISTAKE,
    "caught": f"try:\n    {FIT_TYPO}\nexcept TypeError as error:\n    caught = error\nprint(type(caught).__name__ + ': ' + str(caught))",
    "switched off": f"kfunc.config.disable_traceback_filtering()\n{FIT_TYPO}",
    "switched on": f"kfunc.config.enable_traceback_filtering()\n{FIT_TYPO}",
    "bug": BREAK_FIT + "model.fit(x, y, verbose=0)",
    "install again": "handler = get_ipython().CustomTB\nkfunc.tracebacks.install()\nprint(get_ipython().CustomTB is handler)",
    "user's handler": (
        "shell = get_ipython()\nshell.set_custom_exc((), None)\n"
        "shell.set_custom_exc((ZeroDivisionError,), lambda shell, etype, value, tb, tb_offset=None: print('my handler'))\n"
        "kfunc.tracebacks.install()\nprint(shell.custom_exceptions)\n1 / 0"
    ),
}

DRIVER = """\
import json, sys
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance(colors="nocolor")
for name, cell in json.loads(sys.argv[1]).items():
    print("@@@ " + name, flush=True)
    error = shell.run_cell(cell).error_in_exec
    print("@@@ error: " + (f"{type(error).__name__}: {error}" if error is not None else "none"), flush=True)
"""


@pytest.fixture(scope="module")
def ipython(tmp_path_factory):
    """What each cell of ``CELLS`` shows in an IPython shell: ``(output, error_in_exec)`` by name."""
    pytest.importorskip("IPython")
    home = tmp_path_factory.mktemp("ipython")
    environ = {**os.environ, "HOME": str(home), "OMP_NUM_THREADS": "1"}
    environ.pop("KFUNC_TRACEBACK_FILTERING", None)
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(CELLS)], cwd=home, env=environ, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    text = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout)
    shown = {}
    for part in text.split("@@@ ")[1:]:
        name, _, output = part.partition("\n")
        if name.startswith("error: "):
            shown[current] = (shown[current][0], name.removeprefix("error: "))
        else:
            current = name
            shown[name] = (output, None)
    return shown


@pytest.mark.parametrize(("cell", "message"), [("fit typo", FIT_MESSAGE), ("shape mistake", SHAPE_MESSAGE)], ids=["fit typo", "shape mistake"])
def test_ipython_shows_the_cell_and_kfuncs_message(ipython, cell, message):
    output, error = ipython[cell]
    assert kfunc_lines(output) == []
    assert f"----> 1 {CELLS[cell]}" in output
    assert last_line(output).startswith(message)
    assert error == last_line(output)  # the error IPython shows is the one the cell raised


def test_ipython_caught_error_is_the_same_error(ipython):
    output, error = ipython["caught"]
    assert error == "none"
    assert output.strip() == ipython["fit typo"][1]


def test_ipython_switch_turns_filtering_off_and_on(ipython):
    off, _ = ipython["switched off"]
    assert any("trainer.py" in line for line in kfunc_lines(off))
    assert last_line(off).startswith(FIT_MESSAGE)
    on, _ = ipython["switched on"]
    assert kfunc_lines(on) == [] and last_line(on).startswith(FIT_MESSAGE)


def test_ipython_internal_bug_keeps_kfunc_frames(ipython):
    output, error = ipython["bug"]
    assert any("trainer.py" in line for line in kfunc_lines(output))
    assert any("simulated_bug.py" in line for line in kfunc_lines(output))
    assert last_line(output) == error == "IndexError: list index out of range"


def test_ipython_install_is_idempotent_and_keeps_the_users_handler(ipython):
    assert ipython["install again"] == ("True\n", "none")
    output, error = ipython["user's handler"]
    assert output.splitlines() == ["(<class 'ZeroDivisionError'>,)", "my handler"]
    assert error == "ZeroDivisionError: division by zero"
