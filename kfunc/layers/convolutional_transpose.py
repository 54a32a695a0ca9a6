"""``Conv1DTranspose`` and ``Conv2DTranspose``: the convolutions that enlarge, as in decoders and generators.

A convolution maps a window of input pixels to one output pixel; its transpose
maps each input pixel to a window of output pixels, weighted by the kernel, and
adds up where windows overlap. With ``strides=2`` each input pixel moves two output
pixels on, so the image doubles in size. (It is the gradient of a convolution,
hence the other name, "deconvolution", although it undoes nothing.)

Output size. Along each axis, for input length ``n``, stride ``s`` and a (dilated)
kernel span ``k``, every output of the full transposed convolution is
``(n - 1) * s + k`` long. Keras then keeps the length a convolution with the same
settings would have come *from*, as TensorFlow's ``deconv_output_length`` says:

* ``'valid'``: ``n * s + max(k - s, 0)``;
* ``'same'``: ``n * s``;
* with ``output_padding=p``: ``(n - 1) * s + k - 2 * (k // 2 if 'same' else 0) + p``.

The layer computes the full transposed convolution and keeps that many positions,
starting where TensorFlow's ``'same'`` padding of the output would begin (the odd
cell of padding at the end, as in :func:`~kfunc.layers.convolutional.same_padding`),
adding zeros at the end where the kept length is longer than the full one.

Weights. The kernel has Keras's layout ``(kernel_size..., filters, in_channels)``
(``(kh, kw, filters, in)`` in 2D): note the output channels before the input
channels, the reverse of ``Conv2D``'s, since the kernel is that of the convolution
it transposes. torch's ``conv_transpose2d`` wants ``(in, out, kh, kw)``, a permuted view.
"""

__all__ = ["Conv1DTranspose", "Conv2DTranspose", "Convolution1DTranspose", "Convolution2DTranspose"]

import torch.nn.functional as F

from kfunc.layers.convolutional import _Conv, same_padding


def transposed_length(size, kernel, stride, padding, output_padding=None, dilation=1):
    """The output length of a transposed convolution along one axis (``None`` stays ``None``).

    Example:
        >>> transposed_length(4, kernel=3, stride=2, padding='same')
        8
        >>> transposed_length(4, kernel=3, stride=2, padding='valid')
        9
        >>> transposed_length(4, kernel=3, stride=2, padding='same', output_padding=0)
        7
    """
    if size is None:
        return None
    span = (kernel - 1) * dilation + 1
    if output_padding is None:
        return size * stride + (max(span - stride, 0) if padding == "valid" else 0)
    return (size - 1) * stride + span - 2 * (span // 2 if padding == "same" else 0) + output_padding


class _ConvTranspose(_Conv):
    """What Conv1DTranspose and Conv2DTranspose share: all but the number of spatial axes.

    As ``Conv1D`` and ``Conv2D``, they take Keras's ``kernel_regularizer``,
    ``bias_regularizer``, ``activity_regularizer``, ``kernel_constraint`` and
    ``bias_constraint`` (none by default).
    """

    _transposed_ops = {1: F.conv_transpose1d, 2: F.conv_transpose2d}

    def __init__(self, filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
                 activation, use_bias, kernel_initializer, bias_initializer, **kwargs):
        super().__init__(**kwargs)
        self._store(filters, kernel_size, strides, padding, data_format, dilation_rate, 1,
                    activation, use_bias, kernel_initializer, bias_initializer)
        if self.padding == "causal":  # (a 1D convolution may pad so; its transpose may not)
            raise ValueError(f"{type(self).__name__}(padding={padding!r}): use one of 'valid', 'same'.")
        self.output_padding = self._output_padding(output_padding)

    def _output_padding(self, value):
        if value is None:
            return None
        cls = type(self).__name__
        pads = (value,) * self.rank if isinstance(value, int) and not isinstance(value, bool) else value
        pads = tuple(pads) if isinstance(pads, (tuple, list)) else ()
        if len(pads) != self.rank or not all(isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in pads):
            raise ValueError(
                f"{cls}(output_padding={value!r}): give a non-negative int"
                + (" or a pair of them (rows, cols)" if self.rank == 2 else "")
                + ", or None to infer the output size from `padding`."
            )
        for p, s, d in zip(pads, self.strides, self.dilation_rate):
            if p >= max(s, d):
                raise ValueError(
                    f"{cls}(output_padding={value!r}, strides={self.strides}): each output "
                    f"padding must be smaller than its stride (or dilation); {p} is not smaller "
                    f"than {max(s, d)}."
                )
        return pads

    def build(self, input_shape):
        self._check_rank(input_shape)
        shape = self.kernel_size + (self.filters, input_shape[self._channel_axis])
        self.kernel = self.add_weight("kernel", shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def _check_input_shapes(self, input_shape):
        self._check_channels(input_shape, self.kernel.shape[-1])

    def _output_sizes(self, sizes):
        pads = self.output_padding or (None,) * self.rank
        return [transposed_length(n, k, s, self.padding, p, d) for n, k, s, p, d in
                zip(sizes, self.kernel_size, self.strides, pads, self.dilation_rate)]

    def call(self, inputs):
        rank = self.rank
        # 1. channels first, as torch wants them (a view)
        x = self._channels_first(inputs)
        # 2. the full transposed convolution, with torch's kernel layout (in, out, k...)
        kernel = self.kernel.permute(rank + 1, rank, *range(rank))
        if x.shape[0] == 1:
            kernel = kernel.contiguous()  # as in Conv2D: torch's one-sample path wants it so
        full = self._transposed_ops[rank](x, kernel, None, self.strides, dilation=self.dilation_rate)
        # 3. keep Keras's output length along each axis: a slice, and zeros at the end if it is longer
        y = full
        for axis, n in zip(range(2, rank + 2), self._output_sizes(tuple(x.shape[2:]))):
            start = 0 if self.padding == "valid" else same_padding(n, *self._window(axis))[0]
            y = y.narrow(axis, start, min(n, y.shape[axis] - start))
            if y.shape[axis] < n:
                y = F.pad(y, [0, 0] * (rank + 1 - axis) + [0, n - y.shape[axis]])
        if self.use_bias:
            y = y + self.bias.reshape((-1,) + (1,) * rank)
        # 4. back to the data format, then the activation
        return self.activation(self._from_channels_first(y))

    def _window(self, axis):
        """``(kernel, stride, dilation)`` along spatial ``axis`` (from 2, once channels are first)."""
        i = axis - 2
        return self.kernel_size[i], self.strides[i], self.dilation_rate[i]

    def get_config(self):
        config = super().get_config()
        del config["groups"]  # a transposed convolution has none in Keras
        config.update(output_padding=self.output_padding)
        return config


class Conv1DTranspose(_ConvTranspose):
    """A transposed 1D convolution: from a sequence ``(batch, steps, channels)`` to a longer one.

    Args:
        filters: the number of output channels.
        kernel_size: the window length (an int or a 1-tuple).
        strides: how far apart the windows of neighbouring input steps land (1);
            ``2`` doubles the length.
        padding: ``'valid'`` or ``'same'`` (``steps * strides`` outputs); see the
            module docstring.
        output_padding: an int smaller than the stride, to pick the exact output
            length (``None``: inferred from ``padding``).
        data_format: ``None`` or ``'channels_last'`` (default), or ``'channels_first'``.
        dilation_rate: the spacing between the kernel's taps (1).
        activation: applied to the output (none by default).
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer: ``'glorot_uniform'``, ``'zeros'``.

    The kernel has shape ``(kernel_size, filters, in_channels)``.

    Example:
        >>> Conv1DTranspose(8, 3, strides=2, padding='same')(Input(shape=(10, 4))).shape
        (None, 20, 8)
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
                         activation, use_bias, kernel_initializer, bias_initializer, **kwargs)


class Conv2DTranspose(_ConvTranspose):
    """A transposed 2D convolution: from ``(batch, rows, cols, channels)`` to a larger image.

    Args:
        filters: the number of output channels.
        kernel_size: the window size, ``(rows, cols)`` or one int for both.
        strides: how far apart the windows of neighbouring input pixels land, ``(1, 1)``
            by default; ``2`` doubles the size.
        padding: ``'valid'`` or ``'same'`` (``size * strides`` outputs per axis);
            see the module docstring.
        output_padding: an int or a pair, each smaller than its stride, to pick the
            exact output size (``None``: inferred from ``padding``).
        data_format: ``None`` or ``'channels_last'`` (default), or ``'channels_first'``.
        dilation_rate: the spacing between the kernel's taps, ``(1, 1)``.
        activation: applied to the output (none by default).
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer: ``'glorot_uniform'``, ``'zeros'``.

    The kernel has shape ``(kh, kw, filters, in_channels)``.

    Example:
        >>> Conv2DTranspose(16, 3, strides=2, padding='same')(Input(shape=(7, 7, 32))).shape
        (None, 14, 14, 16)
        >>> Conv2DTranspose(16, 3, strides=2)(Input(shape=(7, 7, 32))).shape
        (None, 15, 15, 16)
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
                         activation, use_bias, kernel_initializer, bias_initializer, **kwargs)


Convolution1DTranspose = Conv1DTranspose  # Keras's aliases
Convolution2DTranspose = Conv2DTranspose
