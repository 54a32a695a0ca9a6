"""Where training is being watched: a widget frontend, a plain notebook, or a terminal.

A Python process cannot ask its notebook what it can show, so kfunc looks at what
it can see, without importing anything:

* **no Jupyter kernel** (plain ``python``, a terminal IPython, CI): ``'text'``, one
  printed line per epoch;
* **a kernel started by a Jupyter server** (JupyterLab, Notebook 7, Voila: the server
  sets ``JPY_SESSION_NAME``), VS Code, Colab, or a frontend whose widget manager has
  already talked to ipywidgets: ``'widget'``, live ipywidgets with a Stop button;
* **any other kernel** (``nbclient``, ``nbconvert --execute``, ``nbval``, a frontend
  without widgets): ``'html'``, HTML and PNG outputs updated in place.

The environment variable ``KFUNC_TRACKER`` (``widget``, ``html``, ``text`` or
``off``) overrides the guess for the whole process; ``LiveTracker(mode=...)`` for
one training.

Outputs go through :class:`Slot`: one output area that is shown once and then
replaced in place (a Jupyter *display id*), never by clearing the cell, so other
output of the cell stays.
"""

import os
import sys

MODES = ("widget", "html", "text")
ENV_VAR = "KFUNC_TRACKER"

# What a live output area holds when it is first shown and when training ends: nothing.
# The first message of an area is what nbval records and the last is what a saved
# notebook keeps, so both being this same empty bundle keeps notebooks checkable.
EMPTY = {"text/plain": "", "text/html": ""}


def kernel_shell():
    """The IPython shell of the Jupyter kernel running this code, or None (imports nothing)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:  # a kernel always has IPython imported already
        return None
    shell = ipython.get_ipython()
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None


def widget_frontend():
    """Whether the kernel's frontend is one that shows ipywidgets (a guess, see the module doc)."""
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None and getattr(widgets.Widget, "_control_comm", None) is not None:
        return True  # a widget manager has opened its control channel to this kernel
    env = os.environ
    if "JPY_SESSION_NAME" in env or "VSCODE_PID" in env or "VSCODE_CWD" in env:
        return True
    return "google.colab" in sys.modules


def choose_mode(mode=None):
    """The display mode to use: ``mode`` if given, else ``KFUNC_TRACKER``, else the guess.

    Raises:
        ValueError: for a mode that is not ``'widget'``, ``'html'`` or ``'text'``.
    """
    mode = mode or os.environ.get(ENV_VAR, "").strip().lower() or None
    if mode in (None, "auto", "off"):
        if kernel_shell() is None:
            return "text"
        return "widget" if widget_frontend() else "html"
    if mode not in MODES:
        raise ValueError(
            f"LiveTracker(mode={mode!r}) is not a display mode; use 'widget' (ipywidgets), 'html' "
            f"(outputs updated in place, no widgets) or 'text' (a printed line per epoch), or leave "
            f"it out to choose automatically."
        )
    return mode


def tracker_disabled():
    """Whether ``KFUNC_TRACKER=off`` asks for fit's text progress bar even in notebooks."""
    return os.environ.get(ENV_VAR, "").strip().lower() == "off"


class Slot:
    """One output area of the notebook, shown once and then replaced in place.

    Args:
        sink: where the bundles go instead of the notebook, for tests and benchmarks:
            a list, which receives ``('show' or 'update', bundle_or_object)`` tuples.

    ``show`` and ``update`` take a mime bundle (a dict) or an object that displays
    itself (a widget).
    """

    def __init__(self, sink=None):
        self.sink = sink
        self._display_id = None

    def show(self, content):
        if self.sink is not None:
            self.sink.append(("show", content))
            return
        from IPython.display import display

        handle = display(content, raw=isinstance(content, dict), display_id=True)
        self._display_id = handle.display_id

    def update(self, content):
        if self.sink is not None:
            self.sink.append(("update", content))
            return
        if self._display_id is None:
            return
        from IPython.display import update_display

        update_display(content, raw=isinstance(content, dict), display_id=self._display_id)


def show_once(content, sink=None):
    """Display ``content`` (a mime bundle) as a new, final output."""
    if sink is not None:
        sink.append(("show", content))
        return
    from IPython.display import display

    display(content, raw=True)
