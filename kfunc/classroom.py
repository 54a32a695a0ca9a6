"""Exercises that check themselves, without ever showing the answer.

A lesson's exercise leaves a placeholder (``answer = None``) for the student, and the
cell after it checks whatever the student wrote::

    from kfunc.classroom import Check

    lstm_parameters = None                      # the exercise cell: the student fills it in
    Check("05.1", digest="9f2c...", hint="An LSTM has four gates.")(lstm_parameters)
    ✗ 05.1: not answered yet. Hint: An LSTM has four gates.

The lesson stores a *digest* of the right answer (a SHA-256 of a canonical form), not
the answer itself, so a student reading the notebook's source learns nothing from it.
The canonical form lets equal answers written differently agree: ``(2, 3)`` and
``[2, 3]``, ``8320`` and ``8320.0``, ``0.1 + 0.2`` and ``0.3``, ``" relu "`` and
``"relu"``, a numpy array and the nested list it holds. Where an answer is not one
value but a property (``a model whose output shape is (None, 10)``), ``Check`` runs a
predicate instead.

A teacher makes a digest once, from the shell::

    python -c "from kfunc.classroom import digest; print(digest(8320))"
"""

import contextlib
import hashlib
import io
import json
import math
import numbers

RIGHT = "✓"
NOT_YET = "✗"
SIGNIFICANT_DIGITS = 6


def digest(value, decimals=None):
    """The SHA-256 (hex) of a value's canonical form: what a lesson stores instead of an answer.

    Args:
        value: an int, float, bool, str, None, a tuple/list/set/dict of these, a numpy
            scalar or array, a torch tensor or a shape.
        decimals: round floats to this many decimal places; by default floats keep
            6 significant digits, so a float computed in another order still agrees.

    Returns:
        A 64-character hex string.

    Raises:
        TypeError: for a value with no canonical form (a model, a function, ...):
            check such answers with ``Check(id, test=predicate)``.

    Example:
        >>> digest((None, 10)) == digest([None, 10.0])
        True
    """
    text = json.dumps(_canonical(value, decimals), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(value, decimals):
    """Plain JSON data that equal answers share, whatever type they came as."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return _canonical_float(float(value), decimals)
    if isinstance(value, dict):
        return {str(_canonical(key, decimals)): _canonical(item, decimals) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        items = [_canonical(item, decimals) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, (tuple, list)):
        return [_canonical(item, decimals) for item in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays, torch tensors: their Python values
        return _canonical(value.tolist(), decimals)
    raise TypeError(
        f"digest() cannot make a canonical form of a {type(value).__name__}. It accepts numbers, "
        "strings, booleans, None, shapes, lists, tuples, sets, dicts and arrays; for any other "
        "answer, check a property of it with Check(id, test=lambda answer: ...)."
    )


def _canonical_float(number, decimals):
    """A float rounded so that harmless differences vanish; a whole number becomes an int."""
    if math.isnan(number) or math.isinf(number):
        return str(number)
    rounded = round(number, decimals) if decimals is not None else float(f"{number:.{SIGNIFICANT_DIGITS}g}")
    if rounded == 0:
        return 0  # -0.0 and 0.0 agree
    return int(rounded) if rounded.is_integer() else rounded


class Check:
    """The check after an exercise: one line that says right, or not yet with a hint.

    Args:
        id: the exercise's name in the lessons, ``"<lesson>.<number>"`` (``"05.1"``).
        digest: :func:`digest` of the right answer.
        test: instead of a digest, a predicate ``test(answer) -> bool`` for answers that
            are properties (it must not print; whatever it prints is swallowed).
        hint: what to think about when the answer is not right yet. It must not give the
            answer away.
        decimals: the ``decimals`` that the digest was made with, if any.

    Calling a check prints exactly one line and returns nothing. It never raises:
    a student's wrong type, or a predicate that fails on a wrong answer, is "not yet".

    Example:
        >>> Check("05.1", digest=digest(8320), hint="Count the four gates.")(8320)
        ✓ 05.1: right.
        >>> Check("05.1", digest=digest(8320), hint="Count the four gates.")(8000)
        ✗ 05.1: not yet. Hint: Count the four gates.
    """

    def __init__(self, id, digest=None, test=None, hint="", decimals=None):
        if (digest is None) == (test is None):
            raise ValueError(
                f"Check({id!r}) needs exactly one of digest= (the digest of the right answer) "
                "or test= (a predicate that says whether an answer is right)."
            )
        self.id = id
        self.expected_digest = digest
        self.test = test
        self.hint = hint
        self.decimals = decimals

    def is_right(self, answer):
        """Whether ``answer`` is right (never raises, never prints)."""
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                if self.test is not None:
                    return bool(self.test(answer))
                return digest(answer, self.decimals) == self.expected_digest
        except Exception:  # a wrong answer may break the predicate, or have no digest: not right yet
            return False

    def message(self, answer):
        """The line that calling the check prints for ``answer``."""
        if answer is not None and self.is_right(answer):
            return f"{RIGHT} {self.id}: right."
        verdict = "not answered yet." if answer is None else "not yet."
        hint = f" Hint: {self.hint}" if self.hint else ""
        return f"{NOT_YET} {self.id}: {verdict}{hint}"

    def __call__(self, answer):
        print(self.message(answer))

    def __repr__(self):
        return f"Check({self.id!r})"
