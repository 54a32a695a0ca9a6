"""kfunc.engine.hooks: the named points where legacy spellings and widgets plug in."""

import subprocess
import sys
import types

from kfunc.engine import hooks
from kfunc.engine.hooks import Plugin


def test_importing_the_core_runs_no_legacy_widget_or_display_code():
    code = (
        "import sys, kfunc.engine.layer; "
        "print([m for m in sys.modules if m.startswith(('kfunc.legacy', 'kfunc.widgets', 'kfunc.display'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_kfunc_installs_the_points_by_module_name():
    assert hooks.spellings._module_name == "kfunc.legacy"
    assert hooks.node_listener._module_name == "kfunc.widgets.call_sites"


def test_a_point_answers_with_its_defaults_until_a_module_is_installed(monkeypatch):
    class Defaults:
        greet = staticmethod(lambda name: f"hello {name}")

    point = Plugin(Defaults)
    assert point.greet("ada") == "hello ada"
    module = types.ModuleType("kfunc_test_plugin")
    module.greet = lambda name: f"bonjour {name}"
    monkeypatch.setitem(sys.modules, "kfunc_test_plugin", module)
    point.install("kfunc_test_plugin")
    assert point._module is None  # imported on the first call, not before
    assert point.greet("ada") == "bonjour ada"
