"""Depthwise and separable convolutions: ``DepthwiseConv2D``, ``SeparableConv1D`` and ``SeparableConv2D``.

A ``Conv2D`` mixes space and channels at once: each filter looks at a window of every
input channel. A *depthwise* convolution looks at space only: each input channel is
convolved with its own ``depth_multiplier`` kernels, and channels never mix, so an
input with ``c`` channels gives ``c * depth_multiplier`` outputs (channel ``i`` makes
outputs ``i * depth_multiplier`` to ``(i + 1) * depth_multiplier - 1``). A *separable*
convolution follows it with a 1x1 convolution (the *pointwise* one) that mixes the
channels into ``filters`` outputs. The pair does much of a ``Conv2D``'s work with
far fewer weights; MobileNet and Xception are built of it.

torch does a depthwise convolution as a grouped one, one group per input channel.
Padding, strides, dilation and ``data_format`` work as for ``Conv1D`` and ``Conv2D``
(:mod:`kfunc.layers.convolutional`), whose base class these layers share.

Weights, in Keras's layouts: ``depthwise_kernel`` ``(kernel_size..., in_channels,
depth_multiplier)``; for the separable layers also ``pointwise_kernel`` ``(1...,
in_channels * depth_multiplier, filters)`` (one 1 per spatial axis); then ``bias``.
Each weight takes a regularizer and a constraint, as ``Conv2D``'s kernel does
(``depthwise_regularizer``, ``pointwise_constraint``, ...).
"""

__all__ = ["DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D",
           "SeparableConvolution2D"]

from kfunc import activations, initializers
from kfunc.layers.convolutional import _Convolution
from kfunc.layers.regularization import set_weight_options, weight_options_config


def _depth_multiplier(value, layer):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"{layer}(depth_multiplier={value!r}): `depth_multiplier` must be a positive int, the "
            "number of outputs per input channel."
        )
    return value


class _Depthwise(_Convolution):
    """The depthwise step all these layers start with."""

    rank = 2

    def _build_depthwise(self, input_shape):
        self._check_rank(input_shape)
        shape = self.kernel_size + (input_shape[self._channel_axis], self.depth_multiplier)
        self.depthwise_kernel = self.add_weight("depthwise_kernel", shape, initializer=self.depthwise_initializer,
                                                regularizer=self.depthwise_regularizer,
                                                constraint=self.depthwise_constraint)

    def _add_bias(self, size):
        self.bias = self.add_weight("bias", (size,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def _check_input_shapes(self, input_shape):
        self._check_channels(input_shape, self.depthwise_kernel.shape[-2])
        self._check_window_fits(input_shape)

    def _depthwise(self, x, bias):
        """The depthwise convolution of channels-first ``x``: one group per input channel."""
        channels, multiplier = self.depthwise_kernel.shape[-2:]
        # (k..., in, m) -> torch's (in * m, 1, k...); output in*m + j is channel in's j-th kernel
        kernel = self.depthwise_kernel.reshape(*self.kernel_size, 1, channels * multiplier)
        kernel = kernel.permute(self.rank + 1, self.rank, *range(self.rank))
        return self._convolve(x, kernel, bias, channels)


class DepthwiseConv2D(_Depthwise):
    """Convolves each input channel with its own kernels; channels do not mix.

    Args:
        kernel_size: the window size, ``(rows, cols)`` or one int for both.
        strides: the step between windows, ``(1, 1)`` by default.
        padding: ``'valid'`` or ``'same'`` (TensorFlow's padding, as ``Conv2D``).
        depth_multiplier: how many kernels (outputs) per input channel (1).
        data_format: ``None`` or ``'channels_last'`` (default), or ``'channels_first'``.
        dilation_rate: the spacing between the kernel's taps, ``(1, 1)``.
        activation: applied to the output (none by default).
        use_bias: whether to add a bias per output channel.
        depthwise_initializer, bias_initializer: ``'glorot_uniform'``, ``'zeros'``.
        depthwise_regularizer, bias_regularizer: penalties on the weights, added to
            the training loss (none by default).
        depthwise_constraint, bias_constraint: constraints applied to the weights
            after each update (none by default).

    The kernel ``depthwise_kernel`` has shape ``(kh, kw, in_channels, depth_multiplier)``.

    Example:
        >>> DepthwiseConv2D(3, depth_multiplier=2, padding='same')(Input(shape=(32, 32, 8))).shape
        (None, 32, 32, 16)
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self._store_window(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias)
        self.depth_multiplier = _depth_multiplier(depth_multiplier, "DepthwiseConv2D")
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        set_weight_options(self, depthwise_regularizer=depthwise_regularizer, bias_regularizer=bias_regularizer,
                           depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint)

    def build(self, input_shape):
        self._build_depthwise(input_shape)
        if self.use_bias:
            self._add_bias(input_shape[self._channel_axis] * self.depth_multiplier)

    def call(self, inputs):
        # 1. channels first (a view); 2. the depthwise convolution; 3. back, then the activation
        y = self._depthwise(self._channels_first(inputs), self.bias if self.use_bias else None)
        return self.activation(self._from_channels_first(y))

    def get_config(self):
        config = super().get_config()
        config.update(
            **self._window_config(),
            depth_multiplier=self.depth_multiplier,
            activation=activations.serialize(self.activation),
            use_bias=self.use_bias,
            depthwise_initializer=initializers.serialize(self.depthwise_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            **weight_options_config(self, "depthwise_regularizer", "bias_regularizer", "depthwise_constraint",
                                    "bias_constraint"),
        )
        return config


class _Separable(_Depthwise):
    """A depthwise convolution, then a pointwise one (kernel 1) that mixes the channels into ``filters``."""

    def __init__(self, filters, kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier,
                 activation, use_bias, depthwise_initializer, pointwise_initializer, bias_initializer,
                 depthwise_regularizer, pointwise_regularizer, bias_regularizer, depthwise_constraint,
                 pointwise_constraint, bias_constraint, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(
                f"{cls}(filters={filters!r}): `filters` must be a positive int, the number of output channels."
            )
        self.filters = filters
        self._store_window(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias)
        self.depth_multiplier = _depth_multiplier(depth_multiplier, cls)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        set_weight_options(self, depthwise_regularizer=depthwise_regularizer,
                           pointwise_regularizer=pointwise_regularizer, bias_regularizer=bias_regularizer,
                           depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
                           bias_constraint=bias_constraint)

    def build(self, input_shape):
        self._build_depthwise(input_shape)
        depth = input_shape[self._channel_axis] * self.depth_multiplier
        self.pointwise_kernel = self.add_weight("pointwise_kernel", (1,) * self.rank + (depth, self.filters),
                                                initializer=self.pointwise_initializer,
                                                regularizer=self.pointwise_regularizer,
                                                constraint=self.pointwise_constraint)
        if self.use_bias:
            self._add_bias(self.filters)

    def call(self, inputs):
        # 1. channels first (a view)
        x = self._channels_first(inputs)
        # 2. the depthwise step, over space
        x = self._depthwise(x, None)
        # 3. the pointwise step, over channels: a convolution of kernel 1, torch layout (filters, depth, 1...)
        kernel = self.pointwise_kernel.permute(self.rank + 1, self.rank, *range(self.rank))
        y = self._ops[self.rank](x, kernel, self.bias if self.use_bias else None)
        # 4. back to the data format, then the activation
        return self.activation(self._from_channels_first(y))

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            **self._window_config(),
            depth_multiplier=self.depth_multiplier,
            activation=activations.serialize(self.activation),
            use_bias=self.use_bias,
            depthwise_initializer=initializers.serialize(self.depthwise_initializer),
            pointwise_initializer=initializers.serialize(self.pointwise_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            **weight_options_config(self, "depthwise_regularizer", "pointwise_regularizer", "bias_regularizer",
                                    "depthwise_constraint", "pointwise_constraint", "bias_constraint"),
        )
        return config


class SeparableConv1D(_Separable):
    """A depthwise convolution over the steps of a sequence, then a pointwise one that mixes the channels.

    Args:
        filters: the number of output channels.
        kernel_size: the window length of the depthwise step (an int).
        strides: the step between windows (1).
        padding: ``'valid'``, ``'same'`` or ``'causal'`` (as ``Conv1D``).
        data_format: ``None`` or ``'channels_last'`` (default), or ``'channels_first'``.
        dilation_rate: the spacing between the kernel's taps (1).
        depth_multiplier: how many depthwise outputs per input channel (1).
        activation: applied to the output (none by default).
        use_bias: whether to add a bias per filter (after the pointwise step).
        depthwise_initializer, pointwise_initializer, bias_initializer:
            ``'glorot_uniform'``, ``'glorot_uniform'``, ``'zeros'``.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer: penalties on
            the weights, added to the training loss (none by default).
        depthwise_constraint, pointwise_constraint, bias_constraint: constraints
            applied to the weights after each update (none by default).

    Weights: ``depthwise_kernel`` ``(k, in_channels, depth_multiplier)``,
    ``pointwise_kernel`` ``(1, in_channels * depth_multiplier, filters)``, ``bias``.

    Example:
        >>> SeparableConv1D(32, 5, padding='same')(Input(shape=(100, 8))).shape
        (None, 100, 32)
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier,
                         activation, use_bias, depthwise_initializer, pointwise_initializer, bias_initializer,
                         depthwise_regularizer, pointwise_regularizer, bias_regularizer, depthwise_constraint,
                         pointwise_constraint, bias_constraint, **kwargs)


class SeparableConv2D(_Separable):
    """A depthwise convolution over an image, then a 1x1 convolution that mixes the channels into ``filters``.

    Args:
        filters: the number of output channels.
        kernel_size: the window size of the depthwise step, ``(rows, cols)`` or one int.
        strides: the step between windows, ``(1, 1)`` by default.
        padding: ``'valid'`` or ``'same'`` (TensorFlow's padding, as ``Conv2D``).
        data_format: ``None`` or ``'channels_last'`` (default), or ``'channels_first'``.
        dilation_rate: the spacing between the kernel's taps, ``(1, 1)``.
        depth_multiplier: how many depthwise outputs per input channel (1).
        activation: applied to the output (none by default).
        use_bias: whether to add a bias per filter (after the pointwise step).
        depthwise_initializer, pointwise_initializer, bias_initializer:
            ``'glorot_uniform'``, ``'glorot_uniform'``, ``'zeros'``.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer: penalties on
            the weights, added to the training loss (none by default).
        depthwise_constraint, pointwise_constraint, bias_constraint: constraints
            applied to the weights after each update (none by default).

    Weights: ``depthwise_kernel`` ``(kh, kw, in_channels, depth_multiplier)``,
    ``pointwise_kernel`` ``(1, 1, in_channels * depth_multiplier, filters)``, ``bias``.

    Example:
        >>> SeparableConv2D(64, 3, padding='same')(Input(shape=(32, 32, 8))).shape
        (None, 32, 32, 64)
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier,
                         activation, use_bias, depthwise_initializer, pointwise_initializer, bias_initializer,
                         depthwise_regularizer, pointwise_regularizer, bias_regularizer, depthwise_constraint,
                         pointwise_constraint, bias_constraint, **kwargs)


SeparableConvolution1D = SeparableConv1D  # Keras's aliases
SeparableConvolution2D = SeparableConv2D
