"""``ProgbarLogger``: the text progress line that ``fit(verbose=1)`` prints.

With ``verbose=1`` each epoch shows a bar that grows as batches are done, with the
running loss and metrics and an estimate of the time left::

    Epoch 1/5
    250/250 [==============================] - 1s 3ms/step - loss: 0.3121 - acc: 0.9102

The line is redrawn in place (a carriage return) at most every ``interval``
seconds, so printing never slows training; where the output cannot be redrawn in
place (a file, a pipe), only the finished line is printed. With ``verbose=2`` each
epoch prints one line at its end: ``250/250 - 1s - 3ms/step - loss: 0.3121 - ...``.
"""

import sys
import time

from kfunc.callbacks.base import Callback

_WIDTH = 30  # characters inside the bar's brackets


class ProgbarLogger(Callback):
    """Prints training progress; ``fit``, ``evaluate`` and ``predict`` add one when ``verbose`` is set.

    Args:
        interval: the least time in seconds between two redraws of the line.
    """

    is_progress_display = True  # fit adds no other progress display next to it

    def __init__(self, interval=0.1):
        super().__init__()
        self.interval = interval
        self._in_fit = False
        self._verbose = 1

    def on_train_begin(self, logs=None):
        self._in_fit = True
        self._verbose = self.params.get("verbose", 1)

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        if self._verbose:
            print(f"Epoch {epoch + 1}/{self.params.get('epochs', '?')}", file=sys.stdout, flush=True)
        self._start(self.params.get("steps"))

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finish(logs)

    # evaluate() and predict() on their own (validation inside fit stays silent)
    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._verbose = self.params.get("verbose", 1)
            self._start(self.params.get("steps"))

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self._update(batch + 1, logs)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            self._finish(logs)

    def on_predict_begin(self, logs=None):
        self._verbose = self.params.get("verbose", 1)
        self._start(self.params.get("steps"))

    def on_predict_batch_end(self, batch, logs=None):
        self._update(batch + 1, None)

    def on_predict_end(self, logs=None):
        self._finish(None)

    # ------------------------------------------------------------------ drawing

    def _start(self, steps):
        self._steps = steps
        self._seen = 0
        self._started = self._last_draw = time.perf_counter()
        self._dynamic = _redraws_in_place()

    def _update(self, seen, logs):
        self._seen = seen
        if self._verbose != 1 or not self._dynamic:
            return
        now = time.perf_counter()
        if now - self._last_draw < self.interval:
            return
        self._last_draw = now
        elapsed = now - self._started
        per_step = elapsed / seen
        remaining = per_step * (self._steps - seen) if self._steps else 0.0
        line = f"{self._counter()} {self._bar()} - ETA: {_duration(remaining)}{_values(logs)}"
        sys.stdout.write("\r" + line.ljust(getattr(self, "_drawn", 0)))
        sys.stdout.flush()
        self._drawn = len(line)

    def _finish(self, logs):
        if not self._verbose:
            return
        elapsed = time.perf_counter() - self._started
        steps = self._seen or 1
        timing = f"{int(elapsed)}s {_per_step(elapsed / steps)}"
        if self._verbose == 1:
            line = f"{self._counter()} {self._bar()} - {timing}{_values(logs)}"
        else:
            line = f"{self._counter()} - {int(elapsed)}s - {_per_step(elapsed / steps)}{_values(logs)}"
        prefix = "\r" if self._verbose == 1 and self._dynamic else ""
        sys.stdout.write(prefix + line.ljust(getattr(self, "_drawn", 0)) + "\n")
        sys.stdout.flush()
        self._drawn = 0

    def _counter(self):
        total = self._steps if self._steps is not None else "?"
        return f"{self._seen:>{len(str(total))}}/{total}"

    def _bar(self):
        if not self._steps:
            return "[" + "." * _WIDTH + "]"
        done = int(_WIDTH * self._seen / self._steps)
        if self._seen >= self._steps:
            return "[" + "=" * _WIDTH + "]"
        return "[" + "=" * max(done - 1, 0) + ">" + "." * (_WIDTH - max(done, 1)) + "]"


def _redraws_in_place():
    """Whether ``\\r`` redraws the line: a terminal, or a Jupyter kernel's output area."""
    isatty = getattr(sys.stdout, "isatty", None)
    if isatty is not None and isatty():
        return True
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and hasattr(shell, "kernel")


def _values(logs):
    if not logs:
        return ""
    parts = []
    for key, value in logs.items():
        if isinstance(value, float) or hasattr(value, "__float__") and not isinstance(value, (list, tuple)):
            try:
                v = float(value)
            except (TypeError, ValueError):
                continue
            parts.append(f" - {key}: {v:.4f}" if abs(v) > 1e-3 or v == 0 else f" - {key}: {v:.4e}")
    return "".join(parts)


def _per_step(seconds):
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def _duration(seconds):
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if seconds >= 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds}s"
