"""Core layers: Dense and friends."""

__all__ = ["Dense"]

import torch
import torch.nn.functional as F

from kfunc import activations, initializers
from kfunc.engine.layer import Layer


class Dense(Layer):
    """A fully connected layer: ``activation(inputs @ kernel + bias)``.

    Args:
        units: the size of the output's last dimension.
        activation: an activation name or function (none by default).
        use_bias: whether to add a bias vector.
        kernel_initializer: how to draw the kernel (``'glorot_uniform'``).
        bias_initializer: how to draw the bias (``'zeros'``).

    The kernel has Keras's layout ``(input_dim, units)``. Applied to an input of
    shape ``(batch, ..., input_dim)`` it returns ``(batch, ..., units)``.

    Example:
        >>> y = Dense(64, activation='relu')(Input(shape=(784,)))
        >>> y.shape
        (None, 64)
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"Dense(units={units!r}): `units` must be a positive int, the output size.")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def build(self, input_shape):
        if not isinstance(input_shape, tuple) or input_shape[-1] is None:
            raise ValueError(
                f"Dense {self.name!r} needs an input whose last dimension is known; got shape {input_shape}."
            )
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), self.bias_initializer)

    def _check_input_shapes(self, input_shape):
        expected = self.kernel.shape[0]
        if isinstance(input_shape, tuple) and input_shape[-1] not in (None, expected):
            raise ValueError(
                f"Dense {self.name!r} expects an input with last dimension {expected}, "
                f"got shape {input_shape}. Its kernel was made for {expected} features on its "
                "first call; use a new Dense layer for inputs of another size."
            )

    def call(self, inputs):
        out = F.linear(inputs, self.kernel.T, self.bias if self.use_bias else None)
        return self.activation(out)

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units,
            activation=activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
        )
        return config
