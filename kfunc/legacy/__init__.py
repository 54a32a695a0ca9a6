"""Keras 1 spellings that still work, and teach their Keras 2 form.

Old tutorials and answers write ``Model(input=, output=)``,
``merge([a, b], mode='concat')``, ``Convolution2D(16, 3, 3, border_mode='same')``,
``fit(nb_epoch=10)``, ``layer.get_output()``. kfunc runs them, and warns once per
call site with the Keras 2 call that does the same, ready to paste in::

    UserWarning: Update your Convolution2D call: Conv2D(16, (3, 3), padding='same', data_format='channels_first')

This package answers the spellings point of the core (:mod:`kfunc.engine.hooks`;
``kfunc/__init__.py`` installs it) with the four functions below; the core never
mentions an old name. All old names live in one table (:mod:`kfunc.legacy.table`);
the modules here are the machinery that reads it:

* :mod:`~kfunc.legacy.translate`: rewriting one call's arguments, and writing it out;
* :mod:`~kfunc.legacy.call_site`: finding and reading the user's call, and warning there;
* :mod:`~kfunc.legacy.layers`: layer constructors, and renamed classes;
* :mod:`~kfunc.legacy.merge`: ``merge`` and ``Merge``;
* :mod:`~kfunc.legacy.training`: ``fit(nb_epoch=)`` and friends;
* :mod:`~kfunc.legacy.methods`: ``layer.get_output()`` and friends.
"""

from kfunc.legacy.call_site import LegacySpellingWarning, reset_warnings
from kfunc.legacy.layers import old_layer_name, translate_constructor
from kfunc.legacy.merge import Merge, merge
from kfunc.legacy.methods import old_method
from kfunc.legacy.table import OLD_LAYER_NAMES
from kfunc.legacy.training import translate_fit_kwargs

Convolution1D = old_layer_name("Convolution1D")
Convolution2D = old_layer_name("Convolution2D")
AtrousConvolution2D = old_layer_name("AtrousConvolution2D")

__all__ = [
    "AtrousConvolution2D",
    "Convolution1D",
    "Convolution2D",
    "LegacySpellingWarning",
    "Merge",
    "merge",
    "reset_warnings",
    "translate_fit_kwargs",
]

# ---------------------------------------------------------------------- the spellings point
# What kfunc.engine.hooks.spellings calls: these two, old_method (imported above) and old_layer.
layer_arguments = translate_constructor
method_arguments = translate_fit_kwargs


def old_layer(name):
    """``kfunc.layers.<name>`` for a Keras 1 name (``Convolution2D``, ``merge``), or None."""
    return globals()[name] if name in OLD_LAYER_NAMES or name in ("merge", "Merge") else None
