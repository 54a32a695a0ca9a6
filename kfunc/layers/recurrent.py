"""Recurrent layers: ``SimpleRNN``, ``LSTM`` and ``GRU``, their weights and their equations.

How a recurrent layer reads a sequence, carries its states and chooses between
torch's fused kernels and a loop over the steps is shared, in
:mod:`kfunc.layers.recurrence`; each layer here adds its weights, its torch kernel
(``_fused``) and one step of its Keras equations (``_step``).

The weights have Keras's layouts, with the gates side by side in blocks of
``units`` columns (``u`` below):

============  ===============  ==================  ==========================
layer         ``kernel``       ``recurrent_kernel``  ``bias``
============  ===============  ==================  ==========================
SimpleRNN     ``(in, u)``      ``(u, u)``          ``(u,)``
LSTM          ``(in, 4u)``     ``(u, 4u)``         ``(4u,)``; gates i, f, c, o
GRU           ``(in, 3u)``     ``(u, 3u)``         ``(2, 3u)``; gates z, r, h
============  ===============  ==================  ==========================

(The GRU bias has a row for the input side and a row for the recurrent side; with
``reset_after=False`` it is a single ``(3u,)`` row.) torch stores a kernel as
``(gates * u, in)``, so the Keras matrices are handed over transposed; torch's LSTM
gate order i, f, g, o is Keras's i, f, c, o, but its GRU order is r, z, n, so the
GRU's z and r blocks are swapped on the way.
"""

__all__ = ["SimpleRNN", "LSTM", "GRU"]

import torch

from kfunc import activations, initializers
from kfunc.layers.recurrence import _Recurrent, masked_matmul


def _is(fn, *candidates):
    return any(fn is c for c in candidates)


class SimpleRNN(_Recurrent):
    """A fully connected recurrent layer: ``h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``.

    Args:
        units: the size of the state and of the output.
        activation: ``'tanh'`` by default (``'relu'`` also runs on torch's fused kernel).
        use_bias: whether to add a bias vector.
        kernel_initializer, recurrent_initializer, bias_initializer: how to draw the
            weights (``'glorot_uniform'``, ``'orthogonal'``, ``'zeros'``).
        dropout: fraction of the input features dropped while training (one mask per
            sequence).
        recurrent_dropout: fraction of the state dropped before the recurrent product.
        return_sequences: return every step's output ``(batch, timesteps, units)``.
        return_state: also return the final state: ``[output, h]``.
        go_backwards: read the sequence from its end (the outputs come in that order).
        stateful: must stay False (kfunc passes states explicitly, see ``initial_state``).
        unroll: accepted for Keras code; it changes nothing here.

    Call arguments: ``inputs`` ``(batch, timesteps, features)``; ``initial_state``, a
    list with the starting ``h`` ``(batch, units)``; ``training``.

    Example:
        >>> SimpleRNN(8)(Input(shape=(10, 3))).shape
        (None, 8)
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, **kwargs):
        super().__init__(**kwargs)
        self._store_common(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                           bias_initializer, dropout, recurrent_dropout, return_sequences, return_state,
                           go_backwards, stateful, unroll)

    def build(self, input_shape):
        self._add_kernels(input_shape)
        if self.use_bias:
            self._add_bias((self.units,), self.bias_initializer)

    def _fusable(self):
        return _is(self.activation, activations.tanh, torch.tanh, activations.relu, torch.relu)

    def _fused(self, x, states):
        kernel = torch.rnn_tanh if _is(self.activation, activations.tanh, torch.tanh) else torch.rnn_relu
        weights = [self.kernel.T, self.recurrent_kernel.T]
        if self.use_bias:
            weights += [self.bias, torch.zeros_like(self.bias)]
        sequence, h = kernel(x, states[0].unsqueeze(0), weights, self.use_bias, 1, 0.0,
                             self._torch_train_flag(), False, True)
        return sequence, [h[0]]

    def _step(self, projected_x, states, recurrent_masks):
        h = states[0]
        return [self.activation(projected_x + masked_matmul(h, self.recurrent_kernel, recurrent_masks))]


class _ForgetGateBias(initializers.Initializer):
    """The LSTM bias with ``unit_forget_bias``: ones for the forget gate, ``base`` elsewhere."""

    def __init__(self, base, units):
        self.base, self.units = base, units

    def __call__(self, shape, dtype=torch.float32):
        u = self.units
        return torch.cat([self.base((u,), dtype=dtype), torch.ones(u, dtype=dtype),
                          self.base((2 * u,), dtype=dtype)])


class LSTM(_Recurrent):
    """Long short-term memory (Hochreiter and Schmidhuber, 1997).

    At each step, with ``z = x_t @ kernel + h @ recurrent_kernel + bias`` cut into the
    four gate blocks i, f, c, o::

        i = recurrent_activation(z_i)      f = recurrent_activation(z_f)
        c = f * c + i * activation(z_c)    o = recurrent_activation(z_o)
        h = o * activation(c)

    Args:
        units: the size of the states ``h`` and ``c`` and of the output.
        activation: ``'tanh'`` by default.
        recurrent_activation: for the gates; ``'sigmoid'`` by default (tf.keras).
        use_bias: whether to add a bias vector.
        kernel_initializer, recurrent_initializer, bias_initializer: how to draw the
            weights (``'glorot_uniform'``, ``'orthogonal'``, ``'zeros'``).
        unit_forget_bias: start the forget gate's bias at 1 (default True), so that
            the cell remembers by default.
        dropout, recurrent_dropout: fractions dropped from the inputs and from the
            state while training; masks are drawn once per sequence.
        return_sequences, return_state, go_backwards, stateful, unroll: as for
            :class:`SimpleRNN`; ``return_state`` returns ``[output, h, c]``.
        implementation: 1 draws a dropout mask per gate, 2 (default) one mask; as in
            tf.keras, recurrent dropout switches to 1.

    Example:
        >>> LSTM(32)(Input(shape=(100, 16))).shape
        (None, 32)
        >>> out, h, c = LSTM(32, return_sequences=True, return_state=True)(Input(shape=(100, 16)))
        >>> out.shape, h.shape
        ((None, 100, 32), (None, 32))
    """

    _gates = 4
    _state_names = ("h", "c")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, implementation=2, **kwargs):
        super().__init__(**kwargs)
        self._store_common(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                           bias_initializer, dropout, recurrent_dropout, return_sequences, return_state,
                           go_backwards, stateful, unroll)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.implementation = _implementation(self, implementation)

    def build(self, input_shape):
        self._add_kernels(input_shape)
        if self.use_bias:
            init = self.bias_initializer
            if self.unit_forget_bias:
                init = _ForgetGateBias(init, self.units)
            self._add_bias((4 * self.units,), init)

    def _fusable(self):
        return _is(self.activation, activations.tanh, torch.tanh) and _is(
            self.recurrent_activation, activations.sigmoid, torch.sigmoid)

    def _fused(self, x, states):
        h0, c0 = (s.unsqueeze(0) for s in states)
        weights = [self.kernel.T, self.recurrent_kernel.T]  # torch's gate order i, f, g, o is Keras's
        if self.use_bias:
            weights += [self.bias, torch.zeros_like(self.bias)]
        sequence, h, c = torch.lstm(x, (h0, c0), weights, self.use_bias, 1, 0.0,
                                    self._torch_train_flag(), False, True)
        return sequence, [h[0], c[0]]

    def _step(self, projected_x, states, recurrent_masks):
        h, c = states
        z = projected_x + masked_matmul(h, self.recurrent_kernel, recurrent_masks)
        z_i, z_f, z_c, z_o = z.chunk(4, dim=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        return [o * self.activation(c), c]

    def get_config(self):
        config = super().get_config()
        config.update(
            recurrent_activation=activations.serialize(self.recurrent_activation),
            unit_forget_bias=self.unit_forget_bias,
            implementation=self.implementation,
        )
        return config


class GRU(_Recurrent):
    """Gated recurrent unit (Cho et al., 2014), in tf.keras's default ``reset_after`` form.

    At each step, with the gate blocks z (update), r (reset) and h (candidate)::

        z = recurrent_activation(x_z + h @ U_z + b_z)
        r = recurrent_activation(x_r + h @ U_r + b_r)
        candidate = activation(x_h + r * (h @ U_h + b_h))     # reset_after=True
        h = z * h + (1 - z) * candidate

    where ``x_* = x_t @ kernel_* + input bias``. With ``reset_after=False`` the reset
    gate acts before the product: ``activation(x_h + (r * h) @ U_h)``, and the bias is
    one ``(3u,)`` row.

    Args:
        units, activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, dropout, recurrent_dropout,
        return_sequences, return_state, go_backwards, stateful, unroll,
        implementation: as for :class:`LSTM`; ``return_state`` returns ``[output, h]``.
        reset_after: where the reset gate acts (default True, the cuDNN-compatible
            form with a ``(2, 3u)`` bias).

    Example:
        >>> GRU(16, return_sequences=True)(Input(shape=(None, 8))).shape
        (None, None, 16)
    """

    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 implementation=2, reset_after=True, **kwargs):
        super().__init__(**kwargs)
        self._store_common(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                           bias_initializer, dropout, recurrent_dropout, return_sequences, return_state,
                           go_backwards, stateful, unroll)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.implementation = _implementation(self, implementation)
        self.reset_after = bool(reset_after)

    def build(self, input_shape):
        self._add_kernels(input_shape)
        if self.use_bias:
            shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
            self._add_bias(shape, self.bias_initializer)

    def _input_bias(self):
        if not self.use_bias:
            return None
        return self.bias[0] if self.reset_after else self.bias

    def _fusable(self):
        return self.reset_after and _is(self.activation, activations.tanh, torch.tanh) and _is(
            self.recurrent_activation, activations.sigmoid, torch.sigmoid)

    def _fused(self, x, states):
        weights = [_keras_to_torch_gru(self.kernel).T, _keras_to_torch_gru(self.recurrent_kernel).T]
        if self.use_bias:
            weights += [_keras_to_torch_gru(self.bias[0]), _keras_to_torch_gru(self.bias[1])]
        sequence, h = torch.gru(x, states[0].unsqueeze(0), weights, self.use_bias, 1, 0.0,
                                self._torch_train_flag(), False, True)
        return sequence, [h[0]]

    def _step(self, projected_x, states, recurrent_masks):
        h = states[0]
        x_z, x_r, x_h = projected_x.chunk(3, dim=-1)
        u = self.units
        masks = recurrent_masks or [None] * 3
        if self.reset_after:
            recurrent = masked_matmul(h, self.recurrent_kernel, recurrent_masks)
            if self.use_bias:
                recurrent = recurrent + self.bias[1]
            r_z, r_r, r_h = recurrent.chunk(3, dim=-1)
        else:
            zr_masks = recurrent_masks[:2] if recurrent_masks else None
            r_z, r_r = masked_matmul(h, self.recurrent_kernel[:, : 2 * u], zr_masks).chunk(2, dim=-1)
        z = self.recurrent_activation(x_z + r_z)
        r = self.recurrent_activation(x_r + r_r)
        if self.reset_after:
            candidate = self.activation(x_h + r * r_h)
        else:
            h_h = h if masks[2] is None else h * masks[2]
            candidate = self.activation(x_h + (r * h_h) @ self.recurrent_kernel[:, 2 * u:])
        return [z * h + (1 - z) * candidate]

    def get_config(self):
        config = super().get_config()
        config.update(
            recurrent_activation=activations.serialize(self.recurrent_activation),
            implementation=self.implementation,
            reset_after=self.reset_after,
        )
        return config


def _keras_to_torch_gru(weight):
    """Reorder the gate blocks of the last axis from Keras's z, r, h to torch's r, z, n."""
    z, r, h = weight.chunk(3, dim=-1)
    return torch.cat([r, z, h], dim=-1)


def _implementation(layer, implementation):
    if implementation not in (1, 2):
        raise ValueError(
            f"{type(layer).__name__}(implementation={implementation!r}): use 1 (a dropout mask "
            "per gate) or 2 (one mask, the default)."
        )
    # As in tf.keras, recurrent dropout always uses one mask per gate.
    return 1 if layer.recurrent_dropout > 0 else implementation
