"""Rewriting one call from its Keras 1 spelling to Keras 2, and writing the new call out.

A call is a list of :class:`Arg`: each argument's value, the source text that
produced it, and whether it was passed by position. The rows of a table entry
(:class:`Rename`, :class:`Combine`, :class:`Drop`, :class:`Refuse`) turn old
arguments into new ones; the result is at once the arguments to run the modern
call with and its source text, so the call a warning shows is the call that runs.
"""

import functools
from dataclasses import dataclass, field

MISSING = object()  # the value of an argument seen only in the source (never translated)


@dataclass
class Arg:
    """One argument of a call.

    Args:
        name: the parameter it binds to (``None`` for a positional one not known).
        value: its value (``MISSING`` when only its source is known).
        source: Python source that evaluates to it where the call was written.
        positional: whether the call passes it by position.
        old: the Keras 1 name(s) it was translated from, for error messages.
    """

    name: str
    value: object
    source: str
    positional: bool = False
    old: tuple = ()


# ---------------------------------------------------------------------- rows


@dataclass(frozen=True)
class Rename:
    """An old keyword that Keras 2 calls ``new``; ``values`` maps old values to new ones.

    ``values`` is a dict (values not in it stay as they are) or a function. A value
    that maps to ``None`` means "the Keras 2 default": the argument is left out.
    ``note`` adds a word of warning when the meaning changed too.
    """

    new: str
    values: object = None
    note: str = ""

    def apply(self, args, names, call):
        (arg,) = args
        value, source = arg.value, arg.source
        if self.values is not None and value is not MISSING:
            mapped = self.values(value) if callable(self.values) else self.values.get(value, value)
            if mapped is None:
                note = f"{arg.name}={value!r} means the Keras 2 default: leave it out"
                return [], note
            if mapped is not value:
                value, source = mapped, repr(mapped)
        new = Arg(self.new, value, source, arg.positional, old=(arg.name,))
        if source != arg.source:
            note = f"{arg.name}={arg.source} is now {self.new}={source}"
        else:
            note = f"{arg.name} is now {self.new}"
        return [new], f"{note} ({self.note})" if self.note else note


@dataclass(frozen=True)
class Combine:
    """Several old arguments that Keras 2 takes as one tuple ``new`` (``nb_row, nb_col``)."""

    new: str

    def apply(self, args, names, call):
        given = {a.name: a for a in args}
        missing = [n for n in names if n not in given]
        if missing:
            raise TypeError(
                f"{call}() was given {', '.join(given)} but not {', '.join(missing)}: in Keras 1 "
                f"they come together ({', '.join(names)}). Give {self.new}=("
                f"{', '.join(names)}) instead, the Keras 2 way."
            )
        parts = [given[n] for n in names]
        value = tuple(a.value for a in parts)
        source = "(" + ", ".join(a.source for a in parts) + ")"
        new = Arg(self.new, value, source, parts[0].positional, old=tuple(names))
        return [new], f"{', '.join(names)} are now {self.new}"


@dataclass(frozen=True)
class Drop:
    """An old argument with no Keras 2 counterpart, left out; ``reason`` says why.

    With ``accept``, only those values are left out and any other is an error.
    """

    reason: str
    accept: tuple = None

    def apply(self, args, names, call):
        (arg,) = args
        if self.accept is None or any(arg.value is v or arg.value == v for v in self.accept):
            return [], f"{arg.name}={arg.source}: {self.reason}"
        raise TypeError(f"{call}({arg.name}={arg.source}): {self.reason}")


@dataclass(frozen=True)
class Refuse:
    """An old argument that cannot be translated; ``advice`` says what to do instead."""

    advice: str

    def apply(self, args, names, call):
        (arg,) = args
        raise TypeError(f"{call}({arg.name}={arg.source}) is a Keras 1 argument that Keras 2 dropped. {self.advice}")


@dataclass(frozen=True)
class Spelling:
    """How one Keras 2 callable was spelled in Keras 1.

    Args:
        rows: old argument name (a tuple of names for :class:`Combine`) -> row.
        implies: Keras 2 arguments that the old spelling means without saying
            (``data_format='channels_first'`` for Keras 1 image layers)...
        implied_by: ...when one of these old names is used (always if empty).
        implied_note: why, in a few words.
    """

    rows: dict = field(default_factory=dict)
    implies: dict = field(default_factory=dict)
    implied_by: frozenset = frozenset()
    implied_note: str = ""

    @functools.cached_property
    def old_names(self):
        names = set()
        for key in self.rows:
            names.update(key if isinstance(key, tuple) else (key,))
        return names

    def merged(self, other):
        """This spelling with the rows of ``other`` added (for rows every layer has)."""
        return Spelling({**other.rows, **self.rows}, self.implies, self.implied_by, self.implied_note)


# ---------------------------------------------------------------------- translating


def translate(spelling, args, call):
    """Apply ``spelling`` to ``args`` (a list of :class:`Arg`), in place of the old ones.

    Args:
        spelling: the table entry.
        args: the call's arguments, named.
        call: how the user wrote the callable (``'Convolution2D'``), for messages.

    Returns:
        ``(new_args, notes)``: the Keras 2 arguments, and one note per change.

    Raises:
        TypeError: an argument given under both its Keras 1 and Keras 2 names, or
            an old argument that Keras 2 cannot express.
    """
    by_name = {a.name: a for a in args if a.name}
    # 1. rewrite each old argument (or group of them) where the first of them stood
    replaced, notes = {}, []
    for key, row in spelling.rows.items():
        names = key if isinstance(key, tuple) else (key,)
        found = [by_name[n] for n in names if n in by_name]
        if not found:
            continue
        new, note = row.apply(found, names, call)
        replaced[id(found[0])] = new
        for arg in found[1:]:
            replaced[id(arg)] = []
        notes.append(note)
    out = []
    for arg in args:
        out.extend(replaced.get(id(arg), [arg]))
    # 2. the same argument under both spellings is an error
    _refuse_duplicates(out, call)
    # 3. what the old spelling meant without saying
    used = {a.name for a in args}
    if not spelling.implied_by or used & spelling.implied_by:
        present = {a.name for a in out}
        for name, value in spelling.implies.items():
            if name not in present:
                out.append(Arg(name, value, repr(value)))
                if spelling.implied_note:
                    notes.append(spelling.implied_note)
    return out, notes


def _refuse_duplicates(args, call):
    seen = {}
    for arg in args:
        if arg.name is None:
            continue
        if arg.name in seen:
            old, new = (arg, seen[arg.name]) if arg.old else (seen[arg.name], arg)
            old_text = ", ".join(old.old)
            new_text = f"{new.source} (by position)" if new.positional else f"{new.name}={new.source}"
            raise TypeError(
                f"{call}() got the same argument twice: {old_text} (its Keras 1 name) and "
                f"{new_text} (its Keras 2 name). Keep the Keras 2 one only: "
                f"{arg.name}=..."
            )
        seen[arg.name] = arg


def arrange(args, positional_params):
    """Split ``args`` into those passed by position and by keyword, for the modern call.

    An argument stays positional only while it lands on the Keras 2 parameter of its
    name (``Conv2D(16, (3, 3))``: ``filters``, then ``kernel_size``); from the first
    one that would not, the rest are passed by keyword.
    """
    positional, keywords = [], []
    for arg in args:
        index = len(positional)
        fits = arg.name is None or (index < len(positional_params) and positional_params[index] == arg.name)
        if arg.positional and not keywords and fits:
            positional.append(arg)
        else:
            keywords.append(arg)
    return positional, keywords


def renamed_callee(callee, old, new):
    """``layers.merge`` -> ``layers.concatenate``: the Keras 2 callee, written the user's way.

    Only a callee that ends with the old name is renamed in place; one the user
    renamed on import (``from kfunc.layers import merge as m``) becomes ``new``.
    """
    head, _, last = callee.rpartition(".")
    if last != old:
        return new
    return f"{head}.{new}" if head else new


def render(callee, positional, keywords):
    """The source of the call ``callee(positional..., name=value...)``."""
    parts = [a.source for a in positional] + [f"{a.name}={a.source}" for a in keywords]
    return f"{callee}({', '.join(parts)})"


def values(positional, keywords):
    """The ``(args, kwargs)`` to make the modern call with (arguments with known values)."""
    return (
        tuple(a.value for a in positional),
        {a.name: a.value for a in keywords if a.value is not MISSING},
    )
