"""Tensor functions with Keras backend signatures, computing on torch tensors.

A ``Lambda`` layer or a custom loss written for Keras calls functions such as
``K.square(x)`` or ``K.mean(x, axis=-1)``. This package gives those functions the
same names, arguments and defaults, each a line or two of torch, so that such code
runs unchanged::

    from kfunc import backend as K          # or: from kfunc import ops
    distance = Lambda(lambda t: K.sum(K.square(t[0] - t[1]), axis=-1, keepdims=True))

Every function also runs on torch ``meta`` tensors (shape inference), so a
``Lambda`` built from them knows its output shape without computing anything.
Arguments may be torch tensors, numpy arrays or Python numbers. Called on the
symbolic tensors of a model under construction, a function adds a node to the
graph instead (:mod:`.symbolic`), as in Keras: ``K.mean(x, axis=-1)`` is a layer call.

The functions are written in one module per kind: :mod:`.tensors` (making and
converting tensors), :mod:`.shapes`, :mod:`.elementwise`, :mod:`.reductions`
(linear algebra included) and :mod:`.crossentropy`. Use them from here.
"""

from kfunc.ops.crossentropy import binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy
from kfunc.ops.elementwise import (
    abs, clip, cos, elu, equal, exp, greater, greater_equal, hard_sigmoid, less, less_equal, log,
    maximum, minimum, not_equal, pow, relu, round, sigmoid, sign, sin, softmax, softplus, softsign,
    sqrt, square, stop_gradient, switch, tanh, where,
)
from kfunc.ops.reductions import (
    all, any, argmax, argmin, batch_dot, cumprod, cumsum, dot, l2_normalize, logsumexp, max, mean,
    min, prod, std, sum, var,
)
from kfunc.ops.shapes import (
    batch_flatten, concatenate, expand_dims, flatten, gather, int_shape, ndim, permute_dimensions,
    repeat, repeat_elements, reshape, shape, squeeze, stack, tile, transpose,
)
from kfunc.ops.symbolic import records_symbolic_calls
from kfunc.ops.tensors import arange, cast, constant, epsilon, eye, floatx, ones, ones_like, set_epsilon, zeros, zeros_like

__all__ = [
    # constants and configuration
    "epsilon", "set_epsilon", "floatx",
    # making tensors
    "constant", "zeros", "ones", "eye", "zeros_like", "ones_like", "cast", "arange",
    # shapes
    "shape", "int_shape", "ndim", "reshape", "transpose", "permute_dimensions",
    "expand_dims", "squeeze", "flatten", "batch_flatten", "concatenate", "stack",
    "repeat", "repeat_elements", "tile", "gather",
    # element-wise maths
    "abs", "square", "sqrt", "exp", "log", "pow", "sign", "round", "clip",
    "maximum", "minimum", "cos", "sin", "equal", "not_equal", "greater",
    "greater_equal", "less", "less_equal", "switch", "where", "stop_gradient",
    # reductions
    "sum", "mean", "max", "min", "prod", "std", "var", "any", "all", "argmax",
    "argmin", "cumsum", "cumprod", "logsumexp",
    # linear algebra
    "dot", "batch_dot", "l2_normalize",
    # activations
    "relu", "sigmoid", "hard_sigmoid", "tanh", "softmax", "softplus", "softsign", "elu",
    # losses' building blocks
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
]

# Each function's public home is ``kfunc.ops``, whichever module above defines it:
# a saved ``Lambda(K.square)`` names ``kfunc.ops.square``, so moving a function
# between those modules never breaks a saved model. Called on symbolic tensors, each
# adds a node to the graph, but those that only read a shape or a setting.
for _name in __all__:
    globals()[_name].__module__ = __name__
    if _name not in ("int_shape", "ndim", "epsilon", "set_epsilon", "floatx"):
        globals()[_name] = records_symbolic_calls(globals()[_name])
del _name
