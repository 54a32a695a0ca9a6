"""kfunc's layers, by family.

Each family module lists its public names in ``__all__``; they are all available
here as ``kfunc.layers.<Name>``. Keras 1 names (``Convolution2D``, ``merge``) are
answered by the spellings point of the core (:mod:`kfunc.engine.hooks`), which
``kfunc.legacy`` fills.
"""

from kfunc._errors import missing
from kfunc.engine import hooks
from kfunc.engine.layer import Layer
from kfunc.layers.input_layer import Input, InputLayer
from kfunc.layers.input_spec import InputSpec
from kfunc.layers.activation import *  # noqa: F401,F403
from kfunc.layers.attention import *  # noqa: F401,F403
from kfunc.layers.convolutional import *  # noqa: F401,F403
from kfunc.layers.convolutional_transpose import *  # noqa: F401,F403
from kfunc.layers.core import *  # noqa: F401,F403
from kfunc.layers.depthwise import *  # noqa: F401,F403
from kfunc.layers.embedding import *  # noqa: F401,F403
from kfunc.layers.lambda_layer import *  # noqa: F401,F403
from kfunc.layers.masking import *  # noqa: F401,F403
from kfunc.layers.merging import *  # noqa: F401,F403
from kfunc.layers.multi_head_attention import *  # noqa: F401,F403
from kfunc.layers.noise import *  # noqa: F401,F403
from kfunc.layers.normalization import *  # noqa: F401,F403
from kfunc.layers.op_layer import *  # noqa: F401,F403
from kfunc.layers.pooling import *  # noqa: F401,F403
from kfunc.layers.recurrent import *  # noqa: F401,F403
from kfunc.layers.regularization import *  # noqa: F401,F403
from kfunc.layers.reshaping import *  # noqa: F401,F403
from kfunc.layers.wrappers import *  # noqa: F401,F403


def __getattr__(name):
    old = None if name.startswith("_") else hooks.spellings.old_layer(name)
    if old is None:
        raise missing.missing_attribute("kfunc.layers", name) or AttributeError(
            f"module 'kfunc.layers' has no attribute {name!r}"
        )
    return old
