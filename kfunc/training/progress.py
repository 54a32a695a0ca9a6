"""The callbacks a run calls, and which progress display a ``verbose`` level adds.

``fit``, ``evaluate`` and ``predict`` call, in this order: the progress display,
the callbacks given in ``callbacks=``, and (``fit`` only) the ``History`` it returns.

The progress display is, by default, the text :class:`~kfunc.callbacks.ProgbarLogger`.
A richer display (the notebook's live training tracker) plugs in here without
training knowing it: it appends a function to :data:`progress_hooks`::

    from kfunc.training import progress
    progress.progress_hooks.append(lambda verbose, mode: Tracker() if verbose == 1 and mode == 'fit' else None)

``fit`` then asks the hooks, the latest added first, and uses the first callback one
returns; if none does, the text display. The display is an ordinary callback, so
passing one in ``callbacks=`` works too; a callback with the class attribute
``is_progress_display = True`` replaces the default one.
"""

from kfunc.callbacks import Callback, CallbackList, ProgbarLogger

# Functions ``(verbose, mode) -> Callback or None``; ``mode`` is 'fit', 'evaluate' or 'predict'.
progress_hooks = []


def callback_list(model, callbacks, verbose, mode, params, history=None, world=None):
    """The callbacks of one run, in calling order, given ``model`` and ``params``.

    Args:
        callbacks: the user's callback, or a list of them (or None).
        verbose: the ``verbose`` argument (``'auto'`` means 1).
        mode: ``'fit'``, ``'evaluate'`` or ``'predict'``.
        params: the run's settings, which every callback can read (``epochs``, ...).
        history: ``fit``'s History, called last.
        world: in a data-parallel run, only process 0 reports and writes files.
    """
    given = [callbacks] if isinstance(callbacks, Callback) else list(callbacks or [])
    if world is not None and not world.is_chief:
        given, verbose = world.callbacks(given), 0
    shown = any(getattr(cb, "is_progress_display", False) for cb in given)
    display = None if shown else progress_callback(verbose_level(verbose), mode)
    ordered = ([display] if display is not None else []) + given + ([history] if history is not None else [])
    return CallbackList(ordered, model=model, params=params)


def verbose_level(verbose):
    """0, 1 or 2 from a ``verbose`` argument (``'auto'`` is 1)."""
    return 1 if verbose == "auto" else int(verbose)


def progress_callback(verbose, mode="fit"):
    """The progress display for ``verbose`` (0, 1 or 2) in ``mode``, or None for none."""
    for hook in reversed(progress_hooks):
        callback = hook(verbose, mode)
        if callback is not None:
            return callback
    return ProgbarLogger() if verbose else None
