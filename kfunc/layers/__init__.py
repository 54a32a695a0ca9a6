"""kfunc's layers, by family."""

from kfunc.engine.input_layer import Input, InputLayer
from kfunc.layers.core import Dense
