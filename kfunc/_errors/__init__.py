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


def resolve_named(identifier, kind, base, functions, classes, short_names=None, valid=None):
    """The object ``identifier`` names, as ``losses.get`` and ``metrics.get`` resolve it.

    A callable or an instance of ``base`` is returned as it is; a subclass of ``base``
    is instantiated; a config dict ``{'class_name': ..., 'config': ...}`` is rebuilt;
    a string is looked up among ``functions`` (returned as they are), then ``classes``
    and ``short_names`` (instantiated).

    Raises:
        ValueError: for an unknown name or class name, listing ``valid`` names.
    """
    if isinstance(identifier, base) or callable(identifier) and not isinstance(identifier, type):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, base):
        return identifier()
    if isinstance(identifier, dict):
        cls = classes.get(identifier.get("class_name"))
        if cls is None:
            raise unknown_name_error(f"{kind} class", identifier.get("class_name"), classes)
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        if identifier in functions:
            return functions[identifier]
        cls = classes.get(identifier) or (short_names or {}).get(identifier)
        if cls is not None:
            return cls()
    raise unknown_name_error(kind, identifier, valid if valid is not None else functions)
