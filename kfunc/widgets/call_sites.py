"""Where the user's code made each node, for the node explorer.

The explorer shows the line of the user's code behind each layer call: ``made by:
notebook cell, line 12: encoded_b = lstm(tweet_b)``. The core announces each new
node at its node listener point (:mod:`kfunc.engine.hooks`; ``kfunc/__init__.py``
installs this module there); :func:`node_created` notes the file and line of the
first frame outside kfunc, which is cheap, and the source line is read only when
the explorer shows it.
"""

import linecache
import os

from kfunc.tracebacks import user_frame


class CallSite:
    """``(file name, line number, source line)`` of a call, the source read when asked for.

    It reads as that tuple: ``filename, line, source = call_site``, ``call_site[2]``.
    """

    __slots__ = ("filename", "line")

    def __init__(self, filename, line):
        self.filename, self.line = filename, line

    @property
    def source(self):
        return linecache.getline(self.filename, self.line).strip()

    def __iter__(self):
        return iter((self.filename, self.line, self.source))

    def __getitem__(self, index):
        return tuple(self)[index]

    def __eq__(self, other):
        return tuple(self) == tuple(other) if isinstance(other, (tuple, CallSite)) else NotImplemented

    __hash__ = None

    def __repr__(self):
        return f"CallSite{tuple(self)!r}"


def node_created(node):
    """Note on ``node`` (as ``node.call_site``) the user's line that made it."""
    frame = user_frame()
    node.call_site = CallSite(frame.f_code.co_filename, frame.f_lineno)


def where(call_site):
    """``(where, line, source)`` with a short, machine-independent ``where``, or None."""
    if call_site is None:
        return None
    filename, line, source = call_site
    if _is_notebook_cell(filename):
        where = "notebook cell"
    elif filename.startswith("<"):
        where = filename
    else:
        try:
            relative = os.path.relpath(filename)
        except ValueError:  # another drive (Windows)
            relative = filename
        where = relative if not relative.startswith("..") else os.path.basename(filename)
    return where, line, source


def _is_notebook_cell(filename):
    if filename.startswith("<ipython-input-") or "ipykernel_" in filename:
        return True
    from kfunc.widgets.frontend import kernel_shell

    shell = kernel_shell()
    names = getattr(getattr(shell, "compile", None), "_filename_map", None) or {}
    return filename in names
