"""kfunc's layers, by family.

Each family module lists its public names in ``__all__``; they are all available
here as ``kfunc.layers.<Name>``.
"""

from kfunc.engine.input_layer import Input, InputLayer
from kfunc.engine.layer import Layer
from kfunc.layers.convolutional import *  # noqa: F401,F403
from kfunc.layers.core import *  # noqa: F401,F403
from kfunc.layers.embedding import *  # noqa: F401,F403
from kfunc.layers.lambda_layer import *  # noqa: F401,F403
from kfunc.layers.merge import *  # noqa: F401,F403
from kfunc.layers.normalization import *  # noqa: F401,F403
from kfunc.layers.pooling import *  # noqa: F401,F403
from kfunc.layers.recurrent import *  # noqa: F401,F403
from kfunc.layers.wrappers import *  # noqa: F401,F403
from kfunc.legacy import AtrousConvolution2D, Convolution1D, Convolution2D, Merge, merge  # noqa: E402,F401  (Keras 1 names)
