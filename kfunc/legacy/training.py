"""Keras 1 keyword arguments of ``fit`` and its siblings (``fit(nb_epoch=10)``)."""

from kfunc.legacy.call_site import find_call_site
from kfunc.legacy.table import METHOD_ARGUMENTS
from kfunc.legacy.translate import MISSING, Arg, arrange, render, translate


def translate_fit_kwargs(method_name, kwargs):
    """Rename the Keras 1 keyword arguments of a training method, warning once per call site.

    It answers the spellings point for training methods (see :mod:`kfunc.engine.hooks`):
    the trainer calls it with the keyword arguments its own signature did not take
    (its ``**kwargs``), and then reads the Keras 2 names from the result:
    ``fit(x, y, nb_epoch=10)`` hands over ``{'nb_epoch': 10}`` and gets
    ``{'epochs': 10}`` back.

    Args:
        method_name: ``'fit'``, ``'fit_generator'``, ``'evaluate_generator'``,
            ``'predict_generator'``, or another method (then nothing is renamed).
        kwargs: the keyword arguments, as the user gave them.

    Returns:
        A new dict with Keras 2 names; arguments that are not Keras 1 names pass
        through unchanged.

    Raises:
        TypeError: when the call gives both an old name and its new one
            (``nb_epoch=`` and ``epochs=``).
    """
    spelling = METHOD_ARGUMENTS.get(method_name)
    if spelling is None or not spelling.old_names & kwargs.keys():
        return dict(kwargs)
    site = find_call_site()
    # The call as written holds every argument (x, y, epochs=...), not only kwargs,
    # so that the warning shows the whole call, and an old name given together
    # with its new one is caught.
    given = site.arguments((), kwargs, (), extra_keywords_ok=True)
    new_args, notes = translate(spelling, given, method_name)
    positional, keywords = arrange(new_args, ())
    if not any(a.positional for a in given) and site.node is None:
        positional = [_ellipsis()]
    callee = site.callee(f"model.{method_name}")
    site.warn_once(method_name, render(callee, positional, keywords), notes)
    return {a.name: a.value for a in keywords if a.value is not MISSING}


def _ellipsis():
    """A stand-in for the positional arguments of a call whose source is unknown."""
    return Arg(None, MISSING, "...", positional=True)
