"""Small helpers that make error messages teach."""

import difflib


def did_you_mean(given, valid):
    """`` Did you mean 'relu'?`` when ``given`` is close to one of ``valid``, else ``''``."""
    matches = difflib.get_close_matches(str(given), [str(v) for v in valid], n=1, cutoff=0.6)
    return f" Did you mean {matches[0]!r}?" if matches else ""


def unknown_name_error(kind, given, valid):
    """A ValueError for an unknown name of some kind (activation, loss, ...)."""
    valid = sorted(valid)
    return ValueError(
        f"Unknown {kind}: {given!r}.{did_you_mean(given, valid)} "
        f"Valid names are: {', '.join(valid)}."
    )
