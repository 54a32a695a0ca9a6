"""Old ``Layer`` methods (``layer.get_output()``), answered when a layer lacks the name.

A layer asks the spellings point (:mod:`kfunc.engine.hooks`) for a name it does not
have; :func:`old_method` answers with the Keras 1 method, which does what its Keras 2
replacement does (``layer.output``) and warns once per call site with the
replacement, written with the user's own variable.
"""

import ast

from kfunc.legacy.call_site import find_call_site
from kfunc.legacy.table import OLD_METHODS


def old_method(layer, name):
    """``layer.<name>`` for a Keras 1 method ``name`` (``get_output``), or None for any other name."""
    entry = OLD_METHODS.get(name)
    if entry is None:
        return None

    def method(*args, **kwargs):
        for ignored in entry.ignored:
            kwargs.pop(ignored, None)
        if entry.is_property and len(args) > len(entry.ignored):
            raise TypeError(f"{name}() takes no arguments except {', '.join(entry.ignored)}.")
        site = find_call_site()
        receiver = _receiver(site, layer)
        if entry.is_property:
            modern = f"{receiver}.{entry.modern}"
            note = f"{name}() is now the property .{entry.modern}"
            result = lambda: getattr(layer, entry.modern)  # noqa: E731
        else:
            arguments = site.arguments(args, kwargs, ())
            parts = [a.source for a in arguments if a.positional] + [f"{a.name}={a.source}" for a in arguments if not a.positional]
            modern = f"{receiver}.{entry.modern}({', '.join(parts)})"
            note = f"{name}() is now {entry.modern}()"
            result = lambda: getattr(layer, entry.modern)(*args, **kwargs)  # noqa: E731
        site.warn_once(name, modern, [note])
        return result()

    method.__name__ = method.__qualname__ = name
    kind = "property" if entry.is_property else "method"
    method.__doc__ = f"Keras 1's name for the {kind} ``{entry.modern}`` (warns, then returns it)."
    return method


def _receiver(site, layer):
    """How the user wrote the layer the method was called on (``lstm`` in ``lstm.get_output()``)."""
    if site.node is not None and isinstance(site.node.func, ast.Attribute):
        return ast.unparse(site.node.func.value)
    return site.source_of(layer)
