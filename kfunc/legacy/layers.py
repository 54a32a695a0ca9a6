"""Keras 1 layer constructors: old keyword arguments, and old class names.

:func:`translate_constructor` answers the spellings point for constructors (see
:mod:`kfunc.engine.hooks`): before a layer or model is made with keyword arguments
that its class does not take, it rewrites the Keras 1 ones (``Dense(output_dim=64)``)
into Keras 2 ones.
:func:`old_layer_name` makes the callables behind renamed classes
(``Convolution2D(16, 3, 3)``), which rewrite their Keras 1 positional arguments too.
Both warn once per call site with the Keras 2 call.
"""

import functools
import inspect

from kfunc.legacy.call_site import find_call_site
from kfunc.legacy.table import KERAS1_POSITIONAL, LAYER_ARGUMENTS, OLD_LAYER_NAMES
from kfunc.legacy.translate import arrange, render, renamed_callee, translate, values


def translate_constructor(cls, args, kwargs):
    """Rewrite the Keras 1 keyword arguments of a ``cls(...)`` call; other calls pass unchanged."""
    spelling = spelling_for(cls)
    if not spelling.old_names & kwargs.keys():
        return args, kwargs
    keras1 = KERAS1_POSITIONAL.get(cls.__name__)
    names = keras1.positional if keras1 and keras1.keras1_form(args) else positional_params(cls)
    return modernize(spelling, cls, None, args, kwargs, names)


def old_layer_name(old_name):
    """The callable behind a renamed Keras 1 layer class, such as ``Convolution2D``."""
    entry = OLD_LAYER_NAMES[old_name]

    def make_layer(*args, **kwargs):
        from kfunc import layers

        cls = getattr(layers, entry.modern)
        keras1 = entry.keras1_form(args)
        names = entry.positional if keras1 else positional_params(cls)
        if len(args) > len(names):
            raise TypeError(f"{old_name}() takes at most {len(names)} positional arguments ({', '.join(names)}); got {len(args)}.")
        spelling = spelling_for(cls)
        if not keras1 and not spelling.old_names & kwargs.keys():
            return cls(*args, **kwargs)
        new_args, new_kwargs = modernize(spelling, cls, old_name, args, kwargs, names, rename_to=entry.modern)
        return cls(*new_args, **new_kwargs)

    make_layer.__name__ = make_layer.__qualname__ = old_name
    make_layer.__doc__ = (
        f"Keras 1's name for :class:`{entry.modern}`; makes a ``{entry.modern}``.\n\n"
        f"Keras 1 arguments ({', '.join(entry.positional)}) work, with a warning that "
        f"shows the same call in Keras 2."
    )
    return make_layer


def modernize(spelling, cls, written, args, kwargs, names, rename_to=None):
    """Translate one constructor call, warn at its call site, return its new ``(args, kwargs)``.

    Args:
        spelling: the table entry for the class.
        cls: the Keras 2 class that will be made.
        written: the name the user called (``'Convolution2D'``); ``None``: as the
            call's source says, else the class name.
        args, kwargs: the arguments as the user gave them.
        names: the parameter names of the positional arguments.
        rename_to: the Keras 2 name, when the user called an old name.
    """
    site = find_call_site()
    given = site.arguments(args, kwargs, names)
    callee = site.callee(written or cls.__name__)
    written = written or callee.rpartition(".")[2]
    new_args, notes = translate(spelling, given, written)
    if rename_to is not None:
        callee = renamed_callee(callee, written, rename_to)
        notes.insert(0, f"{written} is now {rename_to}")
    positional, keywords = arrange(new_args, positional_params(cls))
    site.warn_once(written, render(callee, positional, keywords), notes)
    return values(positional, keywords)


@functools.lru_cache(maxsize=None)
def spelling_for(cls):
    """The table entry for ``cls`` (its nearest listed class), with the rows every layer has."""
    common = LAYER_ARGUMENTS["Layer"]
    for klass in cls.__mro__:
        if klass.__name__ in LAYER_ARGUMENTS and klass.__name__ != "Layer":
            return LAYER_ARGUMENTS[klass.__name__].merged(common)
    return common


@functools.lru_cache(maxsize=None)
def positional_params(cls):
    """The names of the parameters of ``cls(...)`` that can be passed by position."""
    try:
        params = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return ()
    return tuple(p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD)
