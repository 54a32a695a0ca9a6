"""Which progress display ``fit``, ``evaluate`` and ``predict`` add for a ``verbose`` level.

By default it is the text :class:`~kfunc.callbacks.ProgbarLogger`. A richer display
(the notebook's live training tracker) plugs in here without training knowing it:
it appends a function to :data:`progress_hooks`::

    from kfunc.training import progress
    progress.progress_hooks.append(lambda verbose, mode: Tracker() if verbose == 1 and mode == 'fit' else None)

``fit`` then asks the hooks, the latest added first, and uses the first callback one
returns; if none does, the text display. The display is an ordinary callback, so
passing one in ``callbacks=`` works too; a callback with the class attribute
``is_progress_display = True`` replaces the default one.
"""

# Functions ``(verbose, mode) -> Callback or None``; ``mode`` is 'fit', 'evaluate' or 'predict'.
progress_hooks = []


def progress_callback(verbose, mode="fit"):
    """The progress display for ``verbose`` (0, 1 or 2) in ``mode``, or None for none."""
    for hook in reversed(progress_hooks):
        callback = hook(verbose, mode)
        if callback is not None:
            return callback
    if verbose:
        from kfunc.callbacks.progbar import ProgbarLogger

        return ProgbarLogger()
    return None
