"""Keras 1 spellings that still work, and teach their Keras 2 form.

Old tutorials and answers write ``Model(input=, output=)``,
``merge([a, b], mode='concat')``, ``Convolution2D(16, 3, 3, border_mode='same')``,
``fit(nb_epoch=10)``, ``layer.get_output()``. kfunc runs them, and warns once per
call site with the Keras 2 call that does the same, ready to paste in::

    UserWarning: Update your Convolution2D call: Conv2D(16, (3, 3), padding='same', data_format='channels_first')

All old names live in one table (:mod:`kfunc.legacy.table`); the modules here are
the machinery that reads it:

* :mod:`~kfunc.legacy.translate`: rewriting one call's arguments, and writing it out;
* :mod:`~kfunc.legacy.call_site`: finding and reading the user's call, and warning there;
* :mod:`~kfunc.legacy.layers`: layer constructors (a constructor hook) and renamed classes;
* :mod:`~kfunc.legacy.merge`: ``merge`` and ``Merge``;
* :mod:`~kfunc.legacy.training`: ``fit(nb_epoch=)`` and friends;
* :mod:`~kfunc.legacy.methods`: ``layer.get_output()`` and friends.

Importing this package installs the hooks (layer constructors, training methods)
and the old methods.
"""

from kfunc.engine import layer as _layer
from kfunc.training import trainer as _trainer
from kfunc.legacy.call_site import LegacySpellingWarning, reset_warnings
from kfunc.legacy.layers import old_layer_name, translate_constructor
from kfunc.legacy.merge import Merge, merge
from kfunc.legacy.methods import attach_old_methods
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

if translate_constructor not in _layer.constructor_hooks:
    _layer.constructor_hooks.append(translate_constructor)
if translate_fit_kwargs not in _trainer.argument_hooks:
    _trainer.argument_hooks.append(translate_fit_kwargs)
attach_old_methods()
