"""``kfunc.backend``: the Keras 2 name of :mod:`kfunc.ops`.

Keras 2 code imports its tensor functions as ``from keras import backend as K``
and calls ``K.square(x)``, ``K.mean(x, axis=-1)``. The same line with ``kfunc``
gives exactly the functions of :mod:`kfunc.ops`; this module only re-exports them.
"""

from kfunc.ops import *  # noqa: F401,F403
from kfunc.ops import __all__  # noqa: F401
