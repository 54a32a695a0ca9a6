"""Ctrl-C during ``fit``: stop between two batches, never in the middle of an update.

A ``KeyboardInterrupt`` can arrive at any moment, for instance while the optimizer
has updated half of the weights. While ``fit`` runs, a first Ctrl-C (SIGINT) is
only noted; the loop finishes the batch it is in and then raises
``KeyboardInterrupt``, so the weights are those after a complete batch. A second
Ctrl-C raises at once, for a batch that would take too long.
"""

import signal
import threading


class DeferredInterrupt:
    """Context manager that turns the first SIGINT into a flag checked between batches.

    Example:
        >>> with DeferredInterrupt() as interrupt:
        ...     for batch in batches:
        ...         train(batch)
        ...         interrupt.check()
    """

    def __init__(self):
        self.requested = False
        self._previous = None

    def __enter__(self):
        in_main_thread = threading.current_thread() is threading.main_thread()
        # Only replace Python's own handler; leave any other alone.
        if in_main_thread and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._note)
        return self

    def _note(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def check(self):
        """Raise ``KeyboardInterrupt`` if Ctrl-C was pressed since the last check."""
        if self.requested:
            self.requested = False
            raise KeyboardInterrupt("fit was interrupted; the weights are those after the last complete batch.")

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
        return False
