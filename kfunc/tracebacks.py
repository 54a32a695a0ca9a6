"""Tracebacks that show the student's code, not kfunc's.

A mistake in a cell, like ``model.fit(x, y, epoch=3)``, is found deep inside kfunc,
and Python lists every kfunc function the call went through: lines the student did
not write, between their own line and the message that explains it. Keras hides its
own frames for the same reason. kfunc does it where an error is *shown* (IPython's
handler, ``sys.excepthook``), so an exception caught with ``try`` is left as it was.

An internal bug keeps every frame: a maintainer needs them. The innermost frame that
is not library code (Python's own, an installed package's) tells which it is:

* the user's code (a cell, a script, a ``Lambda``'s or a callback's function): a mistake;
* kfunc's code stopped at a ``raise`` statement: kfunc refused the call on purpose;
* kfunc's code anywhere else (an ``IndexError``, a failed ``assert``, a torch error
  under a kfunc call): a bug.

A ``KeyboardInterrupt`` is never a bug. ``kfunc.config.disable_traceback_filtering()``
(or ``KFUNC_TRACEBACK_FILTERING=0``) shows every frame, for debugging kfunc itself.
"""

import dis
import functools
import os
import sys
import sysconfig
import types

from kfunc import config

_KFUNC_DIR = os.path.dirname(os.path.realpath(__file__)) + os.sep
_LIBRARY_DIRS = tuple(
    {os.path.realpath(sysconfig.get_path(name)) + os.sep for name in ("stdlib", "platstdlib", "purelib", "platlib")}
)

_previous_excepthook = sys.excepthook  # what the plain-Python hook hands the filtered error to


def install():
    """Show the errors of user mistakes without kfunc's frames, wherever errors are shown.

    In IPython (a Jupyter kernel, the ``ipython`` terminal), it sets the shell's
    custom exception handler, unless one is set already (the user's own, or this
    one). In plain Python, it wraps ``sys.excepthook``, handing the filtered error
    on to the hook that was there before. Calling it again changes nothing.
    """
    global _previous_excepthook
    # 1. in IPython, the shell shows errors itself (and restores sys.excepthook after each cell)
    ipython = sys.modules.get("IPython")  # a kernel has imported it already; plain Python need not
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        if not shell.custom_exceptions:
            shell.set_custom_exc((BaseException,), _show_in_ipython)
        return
    # 2. in plain Python, an uncaught error goes to sys.excepthook
    if sys.excepthook is not _excepthook:
        _previous_excepthook = sys.excepthook
        sys.excepthook = _excepthook


def traceback_to_show(error, tb):
    """The traceback to show for ``error``: without kfunc's frames for a user's mistake.

    The exception's own ``__traceback__``, and those of the exceptions chained to it
    (``raise ... from``, or raised while handling another), lose kfunc's frames too,
    since that is what Python and IPython print for them.

    Args:
        error: the exception being shown.
        tb: its traceback, as the handler received it.

    Returns:
        ``tb`` itself for an internal bug or with filtering off, else a new traceback.
    """
    # 1. an internal bug, or filtering switched off: every frame stays
    if not config.is_traceback_filtering_enabled() or not _is_user_mistake(error, tb):
        return tb
    # 2. the error keeps at least the frames it had, if all were kfunc's (kfunc running itself)
    shown = _without_kfunc(tb) or tb
    error.__traceback__ = shown  # Python's own excepthook prints this one, whatever tb it is given
    # 3. the exceptions chained to it lose kfunc's frames too
    seen, pending = {id(error)}, [error.__cause__, error.__context__]
    while pending:
        exc = pending.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        exc.__traceback__ = _without_kfunc(exc.__traceback__)
        pending += [exc.__cause__, exc.__context__]
    return shown


def user_frame():
    """The innermost frame of the running stack that is not kfunc's: where the user's code called in.

    Old spellings warn there, and the node explorer shows that line. If every frame
    is kfunc's, the outermost one.
    """
    frame = sys._getframe(1)
    while frame.f_back is not None and _origin(frame.f_code.co_filename) == "kfunc":
        frame = frame.f_back
    return frame


def _show_in_ipython(shell, etype, value, tb, tb_offset=None):
    """IPython's custom exception handler: show the error as IPython would, filtered."""
    shell.showtraceback((etype, value, traceback_to_show(value, tb)), tb_offset=tb_offset)


def _excepthook(etype, value, tb):
    """``sys.excepthook`` for plain Python: filter, then let the previous hook print."""
    _previous_excepthook(etype, value, traceback_to_show(value, tb))


def _is_user_mistake(error, tb):
    """Whether ``error`` comes from the user's code or a deliberate kfunc ``raise`` (see the module doc)."""
    if isinstance(error, KeyboardInterrupt):
        return True
    innermost = None
    while tb is not None:
        if _origin(tb.tb_frame.f_code.co_filename) != "library":
            innermost = tb
        tb = tb.tb_next
    if innermost is None:
        return False  # nothing of kfunc's or the user's: nothing to filter either
    if _origin(innermost.tb_frame.f_code.co_filename) == "user":
        return True
    # an assert compiles to a raise too, but it guards kfunc's own invariants
    return not isinstance(error, AssertionError) and innermost.tb_lasti in _raise_offsets(innermost.tb_frame.f_code)


def _without_kfunc(tb):
    """A copy of ``tb`` without kfunc's frames, nor the library frames kfunc called.

    The frames of torch's ``Module.__call__`` between kfunc's ``fit`` and a
    ``Lambda``'s function are kfunc's plumbing too. ``None`` if no frame is left.
    """
    kept, caller = [], "user"
    while tb is not None:
        origin = _origin(tb.tb_frame.f_code.co_filename)
        if origin == "user" or (origin == "library" and caller == "user"):
            kept.append(tb)
        if origin != "library":
            caller = origin
        tb = tb.tb_next
    new = None
    for entry in reversed(kept):
        new = types.TracebackType(new, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return new


@functools.lru_cache(maxsize=None)
def _origin(filename):
    """Who wrote the code of ``filename``: ``'kfunc'``, ``'library'`` or ``'user'``."""
    if filename.startswith("<eval_with_key>"):  # a model's forward, which kfunc generates with torch.fx
        return "kfunc"
    if filename.startswith("<"):  # <frozen importlib._bootstrap> is Python's; <stdin>, <string> the user's
        return "library" if filename.startswith("<frozen") else "user"
    path = os.path.realpath(filename)
    if path.startswith(_KFUNC_DIR):  # checked first: kfunc may be installed among the libraries
        return "kfunc"
    if path.startswith(_LIBRARY_DIRS) or {"site-packages", "dist-packages"} & set(path.split(os.sep)):
        return "library"
    return "user"


@functools.lru_cache(maxsize=None)
def _raise_offsets(code):
    """The offsets of the ``raise`` instructions in ``code`` (what a traceback's ``tb_lasti`` points at)."""
    return frozenset(i.offset for i in dis.get_instructions(code) if i.opname == "RAISE_VARARGS")
