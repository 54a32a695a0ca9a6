"""Core layers: Dense and friends.

``Dense``, ``Activation``, ``Dropout``, ``Flatten``, ``Reshape``, ``Permute`` and
``RepeatVector`` compute or reshape. ``Lambda`` (any function of tensors) and
``Embedding`` (word ids to vectors) have modules of their own.
"""

__all__ = [
    "Dense",
    "Activation",
    "Dropout",
    "Flatten",
    "Reshape",
    "Permute",
    "RepeatVector",
]

import math

import torch
import torch.nn.functional as F

from kfunc import activations, initializers
from kfunc.engine.keras_tensor import KerasTensor
from kfunc.engine.layer import Layer
from kfunc.layers.convolutional import normalize_data_format
from kfunc.layers.regularization import set_weight_options, weight_options_config


class Dense(Layer):
    """A fully connected layer: ``activation(inputs @ kernel + bias)``.

    Args:
        units: the size of the output's last dimension.
        activation: an activation name or function (none by default).
        use_bias: whether to add a bias vector.
        kernel_initializer: how to draw the kernel (``'glorot_uniform'``).
        bias_initializer: how to draw the bias (``'zeros'``).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties added
            to the training loss (:mod:`kfunc.regularizers`); none by default.
        kernel_constraint, bias_constraint: rules applied to the weights after each
            training step (:mod:`kfunc.constraints`); none by default.

    The kernel has Keras's layout ``(input_dim, units)``. Applied to an input of
    shape ``(batch, ..., input_dim)`` it returns ``(batch, ..., units)``.

    Example:
        >>> y = Dense(64, activation='relu')(Input(shape=(784,)))
        >>> y.shape
        (None, 64)
    """

    supports_masking = True  # keeps the steps: a sequence's mask holds for its output

    casts_integer_inputs = True  # computes on floats

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"Dense(units={units!r}): `units` must be a positive int, the output size.")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        set_weight_options(self, kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                           kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)

    def build(self, input_shape):
        if not isinstance(input_shape, tuple) or input_shape[-1] is None:
            raise ValueError(
                f"Dense {self.name!r} needs an input whose last dimension is known; got shape {input_shape}."
            )
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def _check_input_shapes(self, input_shape):
        expected = self.kernel.shape[0]
        if isinstance(input_shape, tuple) and input_shape[-1] not in (None, expected):
            raise ValueError(
                f"Dense {self.name!r} expects an input with last dimension {expected}, "
                f"got shape {input_shape}. Its kernel was made for {expected} features on its "
                "first call; use a new Dense layer for inputs of another size."
            )

    def call(self, inputs):
        # The kernel keeps Keras's (inputs, units) layout, so x @ kernel needs no
        # transpose, forward or backward; addmm fuses the bias into the product.
        if inputs.dim() == 2 and self.use_bias:
            return self.activation(torch.addmm(self.bias, inputs, self.kernel))
        out = torch.matmul(inputs, self.kernel)
        return self.activation(out + self.bias if self.use_bias else out)

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units,
            activation=activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            **weight_options_config(self, "kernel_regularizer", "bias_regularizer", "kernel_constraint",
                                    "bias_constraint"),
        )
        return config


class Activation(Layer):
    """Applies an activation function to its input, element by element.

    Args:
        activation: an activation name (``'relu'``, ``'softmax'``, ...) or a function.

    Example:
        >>> Activation('relu')(Input(shape=(3,))).shape
        (None, 3)
    """

    supports_masking = True  # keeps the steps: a sequence's mask holds for its output

    casts_integer_inputs = True  # computes on floats

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        config = super().get_config()
        config.update(activation=activations.serialize(self.activation))
        return config


class Dropout(Layer):
    """Sets a random fraction ``rate`` of its inputs to 0 while training.

    The values that are kept are scaled by ``1 / (1 - rate)``, so the expected sum
    stays the same; outside training (``evaluate``, ``predict``) the layer passes
    its input through unchanged.

    Args:
        rate: the fraction of values to drop, in ``[0, 1)``.
        noise_shape: the shape of the keep/drop mask, broadcast over the input;
            ``None`` entries take the input's size. ``(None, 1, features)`` drops
            the same features at every time step.
        seed: a seed for this layer's own random generator (the global one by default).

    Example:
        >>> Dropout(0.5)(torch.ones(2, 4), training=True)  # random: about half are 0
        tensor([[2., 0., 2., 2.],
                [0., 2., 0., 2.]])
        >>> Dropout(0.5)(torch.ones(2, 4), training=False)
        tensor([[1., 1., 1., 1.],
                [1., 1., 1., 1.]])
    """

    supports_masking = True  # keeps the steps: a sequence's mask holds for its output

    casts_integer_inputs = True  # computes on floats

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(
                f"Dropout(rate={rate!r}): `rate` is the fraction of values to drop, a number "
                "in [0, 1), e.g. Dropout(0.5)."
            )
        self.rate = float(rate)
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed = seed
        self._generators = {}  # device -> torch.Generator, when a seed is given

    def compute_output_spec(self, inputs, training=None):
        """The input's shape, and floats: known without drawing a mask for stand-in tensors."""
        return KerasTensor(inputs.shape, inputs.dtype if "float" in inputs.dtype else self._dtype)

    def call(self, inputs, training=None):
        training = self.training if training is None else bool(training)
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None and self.seed is None:
            return F.dropout(inputs, self.rate, training=True)
        shape = self._mask_shape(inputs)
        draws = torch.rand(shape, generator=self._generator(inputs.device), device=inputs.device)
        keep = (draws >= self.rate).to(inputs.dtype)
        return inputs * keep / (1.0 - self.rate)

    def _mask_shape(self, inputs):
        if self.noise_shape is None:
            return inputs.shape
        if len(self.noise_shape) != inputs.ndim:
            raise ValueError(
                f"Dropout {self.name!r}: noise_shape={self.noise_shape} has {len(self.noise_shape)} "
                f"entries, but the input has {inputs.ndim} axes (shape {tuple(inputs.shape)}). "
                "Give one entry per axis, None for 'same as the input'."
            )
        return tuple(size if want is None else want for want, size in zip(self.noise_shape, inputs.shape))

    def _generator(self, device):
        if self.seed is None:
            return None
        if device not in self._generators:
            self._generators[device] = torch.Generator(device=device).manual_seed(self.seed)
        return self._generators[device]

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, noise_shape=self.noise_shape, seed=self.seed)
        return config


class Flatten(Layer):
    """Flattens each sample to a vector: ``(batch, 4, 4, 8)`` -> ``(batch, 128)``.

    Args:
        data_format: ``'channels_last'`` (default) or ``'channels_first'``. With
            channels-first inputs the values are first put in channels-last order,
            so that a model gives the same vector whichever format it uses.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format, "Flatten")

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = torch.movedim(inputs, 1, -1)
        if inputs.ndim == 1:
            return inputs.unsqueeze(-1)
        return inputs.reshape(inputs.shape[0], -1)

    def get_config(self):
        config = super().get_config()
        config.update(data_format=self.data_format)
        return config


class Reshape(Layer):
    """Gives each sample a new shape with the same number of values.

    Args:
        target_shape: the new shape of one sample (without the batch dimension);
            one size may be ``-1``, meaning "whatever makes the count match".

    Example:
        >>> Reshape((3, 4))(Input(shape=(12,))).shape
        (None, 3, 4)
        >>> Reshape((-1, 2))(Input(shape=(12,))).shape
        (None, 6, 2)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        try:
            target = tuple(target_shape)
        except TypeError:
            raise TypeError(
                f"Reshape(target_shape={target_shape!r}): `target_shape` must be a tuple such as "
                f"(3, 4), even for one dimension: ({target_shape},)."
            ) from None
        bad = [d for d in target if isinstance(d, bool) or not isinstance(d, int) or (d <= 0 and d != -1)]
        if bad or target.count(-1) > 1:
            raise ValueError(
                f"Reshape(target_shape={target_shape!r}): each size must be a positive int, and at "
                "most one may be -1 (computed from the others)."
            )
        self.target_shape = target

    def _check_input_shapes(self, input_shape):
        sizes = input_shape[1:]
        if None in sizes:
            return
        count = math.prod(sizes)
        known = math.prod(d for d in self.target_shape if d != -1)
        fits = count % known == 0 if -1 in self.target_shape else count == known
        if not fits:
            raise ValueError(
                f"Reshape {self.name!r} cannot turn an input of shape {input_shape} "
                f"({count} values per sample) into shape {self.target_shape} "
                f"({known} values{' times a whole number' if -1 in self.target_shape else ''}). "
                "The target must hold the same number of values; put -1 for one size to "
                "have it computed."
            )

    def call(self, inputs):
        return inputs.reshape((inputs.shape[0],) + self.target_shape)

    def get_config(self):
        config = super().get_config()
        config.update(target_shape=self.target_shape)
        return config


class Permute(Layer):
    """Reorders the axes of each sample; axes are numbered from 1 (the batch is 0).

    Args:
        dims: a permutation of ``1, ..., n``: ``(2, 1)`` swaps the two axes of a
            ``(batch, steps, features)`` input.

    Example:
        >>> Permute((2, 1))(Input(shape=(10, 64))).shape
        (None, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(
                f"Permute(dims={dims}): `dims` must be a permutation of 1, ..., {len(dims)} "
                "(axes are numbered from 1; the batch axis 0 never moves), e.g. Permute((2, 1))."
            )
        self.dims = dims

    def _check_input_shapes(self, input_shape):
        if len(input_shape) != len(self.dims) + 1:
            raise ValueError(
                f"Permute {self.name!r} with dims={self.dims} reorders {len(self.dims)} axes, but "
                f"its input of shape {input_shape} has {len(input_shape) - 1} besides the batch."
            )

    def call(self, inputs):
        return inputs.permute((0,) + self.dims)

    def get_config(self):
        config = super().get_config()
        config.update(dims=self.dims)
        return config


class RepeatVector(Layer):
    """Repeats each input vector ``n`` times: ``(batch, features)`` -> ``(batch, n, features)``.

    Args:
        n: how many times to repeat.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            raise ValueError(f"RepeatVector(n={n!r}): `n` must be a positive int, the number of copies.")
        self.n = n

    def _check_input_shapes(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(
                f"RepeatVector {self.name!r} repeats vectors: it expects an input of shape "
                f"(batch, features), got {input_shape}. Flatten it first if needed."
            )

    def call(self, inputs):
        return inputs.unsqueeze(1).repeat(1, self.n, 1)

    def get_config(self):
        config = super().get_config()
        config.update(n=self.n)
        return config

