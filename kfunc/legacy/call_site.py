"""Where the user wrote a call, how they wrote it, and warning there once.

A Keras 1 spelling is reported at the user's own line, not inside kfunc: the call
site is the innermost frame outside the ``kfunc`` package. When that line's source
can be read (a file, a notebook cell) and Python says where the call is in it
(3.11+), the call is parsed, so the warning can show the Keras 2 call written
with the user's own variable names. Otherwise values are written as literals, or
by the names the user's code binds to them.
"""

import ast
import linecache
import warnings
from dataclasses import dataclass
from types import FrameType

from kfunc.legacy.translate import Arg, MISSING
from kfunc.tracebacks import user_frame

# What was already said, so that a cell of Keras 1 code reads as a short list of fixes:
_warned = set()  # (file, line, column, old name, notes) of each call site that warned
_explained = set()  # (file, note): a note is explained once per file (a notebook cell is a file)


class LegacySpellingWarning(UserWarning):
    """A Keras 1 spelling was used; the message shows the same call in Keras 2.

    Attributes:
        old_call: the call as written (source text, when it could be read).
        modern_call: the Keras 2 call, ready to paste in its place.
    """

    def __init__(self, message, old_call=None, modern_call=None):
        super().__init__(message)
        self.old_call = old_call
        self.modern_call = modern_call


@dataclass
class CallSite:
    """The user's call that is being translated.

    Args:
        frame: the frame of the user's code (for names of values and for warnings).
        node: the call expression as parsed, or ``None`` when its source is unknown.
    """

    frame: FrameType
    node: ast.Call = None

    def callee(self, default):
        """How the user wrote the called thing (``'Dense'``, ``'layers.Dense'``, ``'model.fit'``)."""
        return ast.unparse(self.node.func) if self.node is not None else default

    def arguments(self, args, kwargs, names, extra_keywords_ok=False):
        """The call's arguments as :class:`Arg`, sources taken from the parsed call.

        Args:
            args, kwargs: the values the callable received.
            names: the parameter names of the positional arguments, in order.
            extra_keywords_ok: whether the source may hold keywords that are not in
                ``kwargs`` (``fit`` hands over only the ones its signature did not take).
        """
        sources = self._sources(len(args), kwargs, extra_keywords_ok)
        if sources is None:
            self.node = None  # the parsed expression is not this call (or is not readable)
            positional = [(value, self.source_of(value)) for value in args]
            keywords = [(name, self.source_of(value)) for name, value in kwargs.items()]
        else:
            positional = [(args[i] if i < len(args) else MISSING, s) for i, s in enumerate(sources[0])]
            keywords = list(sources[1].items())
        out = [
            Arg(names[i] if i < len(names) else None, value, source, positional=True)
            for i, (value, source) in enumerate(positional)
        ]
        out.extend(Arg(name, kwargs.get(name, MISSING), source) for name, source in keywords)
        return out

    def _sources(self, n_args, kwargs, extra_keywords_ok):
        node = self.node
        if node is None or any(isinstance(a, ast.Starred) for a in node.args):
            return None
        if any(k.arg is None for k in node.keywords) or len(node.args) < n_args:
            return None
        written = {k.arg: ast.unparse(k.value) for k in node.keywords}
        if not set(kwargs) <= set(written) or (not extra_keywords_ok and set(written) != set(kwargs)):
            return None
        if not extra_keywords_ok and len(node.args) != n_args:
            return None
        return [ast.unparse(a) for a in node.args], written

    def source_of(self, value):
        """Source text for ``value``: a literal, or a name the user's code binds to it."""
        if value is None or isinstance(value, (bool, int, float, str)):
            return repr(value)
        if isinstance(value, (list, tuple)):
            items = [self.source_of(v) for v in value]
            if isinstance(value, tuple):
                return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
            return "[" + ", ".join(items) + "]"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{self.source_of(k)}: {self.source_of(v)}" for k, v in value.items()) + "}"
        for scope in (self.frame.f_locals, self.frame.f_globals):
            for name, bound in scope.items():
                if bound is value and not name.startswith("_"):
                    return name
        return repr(value)

    def warn_once(self, written, modern, notes):
        """Warn, unless this call site already warned for this very spelling.

        A spelling is the old name together with what changed (the notes): a loop
        that calls ``merge(..., mode=mode)`` with 'sum', then 'mul', warns once for
        each mode, each with its own modern call. In one file (a notebook cell is a
        file) each note is explained only the first time: five ``Convolution2D`` calls
        in a cell give five short "update" lines and one explanation, not five
        paragraphs.

        Args:
            written: the old spelling, as called (``'Convolution2D'``, ``'merge'``).
            modern: the Keras 2 call.
            notes: what changed, one short phrase each.

        The message reads ``Update your <written> call: <modern call>``, then the notes
        not yet explained in this file.
        """
        filename = self.frame.f_code.co_filename
        line, _, column, _ = _position(self.frame)
        key = (filename, line, column, written, tuple(notes))
        if key in _warned:
            return
        _warned.add(key)
        old = ast.unparse(self.node) if self.node is not None else None
        message = f"Update your {written} call: {modern}"
        new_notes = [note for note in dict.fromkeys(notes) if (filename, note) not in _explained]
        _explained.update((filename, note) for note in new_notes)
        if new_notes:
            message += "\n(Keras 1 spelling: " + "; ".join(new_notes) + ".)"
        warnings.warn_explicit(
            LegacySpellingWarning(message, old_call=old, modern_call=modern),
            LegacySpellingWarning,
            filename=self.frame.f_code.co_filename,
            lineno=self.frame.f_lineno,
            module=self.frame.f_globals.get("__name__", "__main__"),
            module_globals=self.frame.f_globals,
        )


def reset_warnings():
    """Forget which call sites have warned and which notes were explained, so that each warns again (for tests)."""
    _warned.clear()
    _explained.clear()


def find_call_site():
    """The :class:`CallSite` of the innermost call made from outside kfunc."""
    frame = user_frame()
    return CallSite(frame, _parse_call(frame))


def _position(frame):
    """``(line, end_line, column, end_column)`` of the instruction the frame is running."""
    code, index = frame.f_code, frame.f_lasti // 2  # one position per 2-byte code unit
    if hasattr(code, "co_positions"):  # Python 3.11+; before, only the line is known
        positions = list(code.co_positions())
        if index < len(positions) and None not in positions[index]:
            return positions[index]
    return (frame.f_lineno, frame.f_lineno, None, None)


def _parse_call(frame):
    """The call expression the frame is running, parsed, or ``None`` if its source is unknown."""
    line, end_line, col, end_col = _position(frame)
    if col is None or end_col is None:
        return None
    lines = linecache.getlines(frame.f_code.co_filename, frame.f_globals)
    if len(lines) < end_line:
        return None
    # Columns count UTF-8 bytes.
    chunk = [l.encode("utf-8") for l in lines[line - 1 : end_line]]
    if len(chunk) == 1:
        chunk[0] = chunk[0][col:end_col]
    else:
        chunk[0], chunk[-1] = chunk[0][col:], chunk[-1][:end_col]
    try:
        tree = ast.parse(b"".join(chunk).decode("utf-8"), mode="eval")
    except SyntaxError:
        return None
    return tree.body if isinstance(tree.body, ast.Call) else None
