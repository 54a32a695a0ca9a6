"""Convolution layers: ``Conv1D`` and ``Conv2D``.

Their base class ``_Convolution`` holds what every convolution shares (the window,
the padding, the data layout); the transposed, depthwise and separable convolutions
(:mod:`kfunc.layers.convolutional_transpose`, :mod:`kfunc.layers.depthwise`)
build on it.

A convolution slides a small kernel over the steps of a sequence (1D) or the
pixels of an image (2D) and computes, at each position, a weighted sum of the
window under it, for each of ``filters`` output channels.

Data layout. Keras's default is ``channels_last``: ``(batch, steps, channels)``
and ``(batch, rows, cols, channels)``. torch's convolutions want the channels
first, so the layer moves the channel axis with ``movedim``. That is a view, not
a copy: a channels-last batch viewed as ``(batch, channels, rows, cols)`` is exactly
what torch calls the ``channels_last`` memory format, which its convolution kernels
(oneDNN on CPU, cuDNN on GPU) run on directly, and whose result moved back is
again an ordinary contiguous channels-last tensor.

Weights. The kernel has Keras's layout ``(kernel_size..., in_channels, filters)``
(``(kh, kw, in, out)`` for Conv2D); torch's is ``(out, in, kh, kw)``, a permuted view.

Padding. ``'valid'`` pads nothing. ``'same'`` pads so that the output has
``ceil(size / stride)`` positions, exactly as TensorFlow does: when the padding
needed is odd, the extra cell goes at the end (bottom, right). torch's own
``padding='same'`` cannot do strides, so the layer computes the padding itself.
``'causal'`` (Conv1D) pads only at the start, so that output step t sees inputs up
to step t.
"""

__all__ = ["Conv1D", "Conv2D"]

import math

import torch.nn.functional as F

from kfunc import activations, config, initializers
from kfunc.engine.layer import Layer
from kfunc.layers.regularization import set_weight_options, weight_options_config


def same_padding(size, kernel, stride, dilation=1):
    """TensorFlow's ``'same'`` padding of one axis: ``(before, after)``.

    The output has ``ceil(size / stride)`` positions; the padding they need is split
    in two, the odd cell (if any) going after.

    Example:
        >>> same_padding(6, kernel=2, stride=2)   # 3 outputs need no padding
        (0, 0)
        >>> same_padding(7, kernel=4, stride=2)   # 4 outputs need 3 cells: 1 before, 2 after
        (1, 2)
    """
    span = (kernel - 1) * dilation + 1
    total = max((math.ceil(size / stride) - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def normalize_tuple(value, rank, layer, arg):
    """``3`` -> ``(3, 3)`` for a 2D layer; a tuple of ``rank`` positive ints is kept."""
    values = (value,) * rank if isinstance(value, int) and not isinstance(value, bool) else value
    try:
        values = tuple(values)
    except TypeError:
        values = ()
    if len(values) != rank or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0
                                      for v in values):
        raise ValueError(
            f"{layer}({arg}={value!r}): `{arg}` must be a positive int or a tuple of {rank} "
            f"positive ints, e.g. {(3,) * rank if rank > 1 else 3}."
        )
    return values


def normalize_data_format(value, layer):
    """``data_format`` checked; ``None`` means the session's default (``kfunc.config.image_data_format()``)."""
    if value is None:
        return config.image_data_format()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{layer}(data_format={value!r}): use 'channels_last' (batch, ..., channels), the "
            "default, or 'channels_first' (batch, channels, ...)."
        )
    return value


def normalize_padding(value, layer, allowed=("valid", "same")):
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(
            f"{layer}(padding={value!r}): use one of {', '.join(repr(a) for a in allowed)}."
        )
    return padding


def pad_arguments(x, pairs):
    """Pad ``x`` (channels first) by ``(before, after)`` per spatial axis.

    Returns ``(x, padding)`` for a torch op: symmetric padding is left to the op
    (``padding=(p, ...)``, no copy); uneven padding is applied here with ``F.pad``.
    """
    if all(before == after for before, after in pairs):
        return x, tuple(before for before, _ in pairs)
    flat = [p for pair in reversed(pairs) for p in pair]  # F.pad lists the last axis first
    return F.pad(x, flat), (0,) * len(pairs)


class _Convolution(Layer):
    """What every convolution shares: the window, how it moves, the data layout.

    ``rank`` is the number of spatial axes. Subclasses store their settings with
    ``_store_window`` and make their own kernels.
    """

    casts_integer_inputs = True  # computes on floats

    rank = None
    _ops = {1: F.conv1d, 2: F.conv2d}

    def _store_window(self, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias):
        """Check and keep the window and how it moves, the activation, and whether there is a bias."""
        cls = type(self).__name__
        self.kernel_size = normalize_tuple(kernel_size, self.rank, cls, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, cls, "strides")
        allowed = ("valid", "same", "causal") if self.rank == 1 else ("valid", "same")
        self.padding = normalize_padding(padding, cls, allowed)
        self.data_format = normalize_data_format(data_format, cls)
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, cls, "dilation_rate")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)

    @property
    def _channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def _spatial(self, shape):
        return tuple(shape[2:]) if self.data_format == "channels_first" else tuple(shape[1:-1])

    def _check_rank(self, input_shape):
        cls, rank = type(self).__name__, self.rank + 2
        layout = ("(batch, steps, channels)", "(batch, rows, cols, channels)")[self.rank - 1]
        if self.data_format == "channels_first":
            layout = ("(batch, channels, steps)", "(batch, channels, rows, cols)")[self.rank - 1]
        if not isinstance(input_shape, tuple) or len(input_shape) != rank:
            raise ValueError(
                f"{cls} {self.name!r} expects a {rank}D input {layout} "
                f"(data_format={self.data_format!r}), got shape {input_shape}."
            )
        if input_shape[self._channel_axis] is None:
            raise ValueError(
                f"{cls} {self.name!r} needs the number of channels to be known, got shape "
                f"{input_shape} with data_format={self.data_format!r}."
            )

    def _check_channels(self, input_shape, expected):
        """Refuse an input of another rank, or with another number of channels than ``expected``."""
        self._check_rank(input_shape)
        if input_shape[self._channel_axis] != expected:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} expects {expected} input channels, got shape "
                f"{input_shape}. Its kernel was made for {expected} channels on its first call; "
                "use a new layer for inputs with another number of channels."
            )

    def _check_window_fits(self, input_shape):
        """With ``'valid'`` padding, refuse inputs smaller than the (dilated) window."""
        if self.padding != "valid":
            return
        for size, k, d in zip(self._spatial(input_shape), self.kernel_size, self.dilation_rate):
            span = (k - 1) * d + 1
            if size is not None and size < span:
                raise ValueError(
                    f"{type(self).__name__} {self.name!r} with kernel_size={self.kernel_size} and "
                    f"padding='valid' needs at least {span} positions along each spatial axis, "
                    f"got shape {input_shape}. Use padding='same', a smaller kernel, or less "
                    "downsampling before this layer."
                )

    def _padding_pairs(self, spatial_sizes):
        if self.padding == "same":
            return [same_padding(n, k, s, d) for n, k, s, d in
                    zip(spatial_sizes, self.kernel_size, self.strides, self.dilation_rate)]
        if self.padding == "causal":
            return [((self.kernel_size[0] - 1) * self.dilation_rate[0], 0)]
        return [(0, 0)] * self.rank

    def _channels_first(self, inputs):
        return inputs if self.data_format == "channels_first" else inputs.movedim(-1, 1)

    def _from_channels_first(self, y):
        return y if self.data_format == "channels_first" else y.movedim(1, -1)

    def _convolve(self, x, kernel, bias, groups):
        """Convolve channels-first ``x`` with a torch-layout ``kernel``, padded as TensorFlow pads."""
        x, padding = pad_arguments(x, self._padding_pairs(tuple(x.shape[2:])))
        if x.shape[0] == 1:
            # torch's slow path for a one-sample batch cannot compute gradients for a
            # permuted kernel (one filter: "grad_weight must be contiguous"): copy it.
            kernel = kernel.contiguous()
        return self._ops[self.rank](x, kernel, bias, self.strides, padding, self.dilation_rate, groups)

    def _window_config(self):
        return dict(kernel_size=self.kernel_size, strides=self.strides, padding=self.padding,
                    data_format=self.data_format, dilation_rate=self.dilation_rate)


class _Conv(_Convolution):
    """What Conv1D and Conv2D share: ``filters`` kernels over ``groups`` of the input channels.

    Each also takes Keras's ``kernel_regularizer``, ``bias_regularizer``,
    ``activity_regularizer``, ``kernel_constraint`` and ``bias_constraint`` (none by
    default), as ``Dense`` does.
    """

    def __init__(self, kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        set_weight_options(self, kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                           kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)

    def _store(self, filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
               activation, use_bias, kernel_initializer, bias_initializer):
        cls = type(self).__name__
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{cls}(filters={filters!r}): `filters` must be a positive int, the number of output channels.")
        if not isinstance(groups, int) or groups <= 0 or filters % groups:
            raise ValueError(f"{cls}(groups={groups!r}): `groups` must be a positive int dividing filters={filters}.")
        self.filters = filters
        self._store_window(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias)
        self.groups = groups
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def build(self, input_shape):
        self._check_rank(input_shape)
        channels = input_shape[self._channel_axis]
        if channels % self.groups:
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: groups={self.groups} must divide the "
                f"number of input channels, {channels} (shape {input_shape})."
            )
        shape = self.kernel_size + (channels // self.groups, self.filters)
        self.kernel = self.add_weight("kernel", shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def _check_input_shapes(self, input_shape):
        self._check_channels(input_shape, self.kernel.shape[-2] * self.groups)
        self._check_window_fits(input_shape)

    def call(self, inputs):
        # 1. channels first, as torch wants them (a view: see the module docstring)
        x = self._channels_first(inputs)
        # 2. the convolution, with torch's kernel layout (out, in, k...), and TensorFlow's padding
        kernel = self.kernel.permute(self.rank + 1, self.rank, *range(self.rank))
        y = self._convolve(x, kernel, self.bias if self.use_bias else None, self.groups)
        # 3. back to the data format, then the activation (softmax acts on the last axis)
        return self.activation(self._from_channels_first(y))

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            **self._window_config(),
            groups=self.groups,
            activation=activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            **weight_options_config(self, "kernel_regularizer", "bias_regularizer", "kernel_constraint",
                                    "bias_constraint"),
        )
        return config


class Conv1D(_Conv):
    """A 1D convolution over the steps of a sequence ``(batch, steps, channels)``.

    Args:
        filters: the number of output channels.
        kernel_size: the window length (an int or a 1-tuple).
        strides: the step between windows (1).
        padding: ``'valid'`` (no padding), ``'same'`` (``ceil(steps / strides)``
            outputs, TensorFlow's padding) or ``'causal'`` (pad the start only).
        data_format: ``'channels_last'`` (default) or ``'channels_first'``
            ``(batch, channels, steps)``.
        dilation_rate: the spacing between the kernel's taps (1).
        groups: split the channels into this many independent groups (1).
        activation: applied to the output (none by default).
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer: ``'glorot_uniform'``, ``'zeros'``.

    The kernel has shape ``(kernel_size, in_channels // groups, filters)``.

    Example:
        >>> Conv1D(32, 3, padding='same')(Input(shape=(100, 8))).shape
        (None, 100, 32)
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self._store(filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
                    activation, use_bias, kernel_initializer, bias_initializer)


class Conv2D(_Conv):
    """A 2D convolution over images ``(batch, rows, cols, channels)``.

    Args:
        filters: the number of output channels.
        kernel_size: the window size, ``(rows, cols)`` or one int for both.
        strides: the step between windows, ``(1, 1)`` by default.
        padding: ``'valid'`` (no padding) or ``'same'`` (``ceil(size / strides)``
            outputs per axis, with TensorFlow's padding: the odd cell at the end).
        data_format: ``None`` or ``'channels_last'`` (default), or
            ``'channels_first'`` ``(batch, channels, rows, cols)``.
        dilation_rate: the spacing between the kernel's taps, ``(1, 1)``.
        groups: split the channels into this many independent groups (1).
        activation: applied to the output (none by default).
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer: ``'glorot_uniform'``, ``'zeros'``.

    The kernel has shape ``(kh, kw, in_channels // groups, filters)``.

    Example:
        >>> Conv2D(16, (3, 3), padding='same')(Input(shape=(32, 32, 3))).shape
        (None, 32, 32, 16)
        >>> Conv2D(16, 3, strides=2)(Input(shape=(32, 32, 3))).shape
        (None, 15, 15, 16)
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self._store(filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
                    activation, use_bias, kernel_initializer, bias_initializer)
