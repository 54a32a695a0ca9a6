"""Settings for the whole session: for now, whether tracebacks hide kfunc's own frames.

An error caused by a mistake in the student's code is shown without the frames of
kfunc's functions it went through (see :mod:`kfunc.tracebacks`), so the student's
own line sits right above the message. Someone debugging kfunc itself wants every
frame: switch the filtering off here, or start Python with the environment variable
``KFUNC_TRACEBACK_FILTERING=0``.

Example:
    >>> import kfunc
    >>> kfunc.config.disable_traceback_filtering()
    >>> kfunc.config.is_traceback_filtering_enabled()
    False
"""

import os

# Read once, when kfunc is imported; the functions below change it afterwards.
_traceback_filtering = os.environ.get("KFUNC_TRACEBACK_FILTERING", "1").strip().lower() not in ("0", "false", "off", "no")


def enable_traceback_filtering():
    """Show tracebacks of a user's mistakes without kfunc's frames (the default)."""
    global _traceback_filtering
    _traceback_filtering = True


def disable_traceback_filtering():
    """Show every frame of every traceback, kfunc's included (for debugging kfunc)."""
    global _traceback_filtering
    _traceback_filtering = False


def is_traceback_filtering_enabled():
    """Whether tracebacks of a user's mistakes are shown without kfunc's frames.

    Returns:
        ``True`` unless :func:`disable_traceback_filtering` was called or Python
        started with ``KFUNC_TRACEBACK_FILTERING=0`` (or ``false``, ``off``, ``no``).
    """
    return _traceback_filtering
