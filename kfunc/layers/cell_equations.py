"""The equations of the built-in recurrent cells: SimpleRNN, LSTM and GRU, written once.

Each set of equations says how one time step turns an input ``x_t`` and the
states into new states, with weights in Keras's layouts (the gates side by side
in blocks of ``units`` columns, ``u`` below):

=========  ===============  ====================  ==========================
equations  ``kernel``       ``recurrent_kernel``  ``bias``
=========  ===============  ====================  ==========================
SimpleRNN  ``(in, u)``      ``(u, u)``            ``(u,)``
LSTM       ``(in, 4u)``     ``(u, 4u)``           ``(4u,)``; gates i, f, c, o
GRU        ``(in, 3u)``     ``(u, 3u)``           ``(2, 3u)``; gates z, r, h
=========  ===============  ====================  ==========================

(The GRU bias has a row for the input side and a row for the recurrent side; with
``reset_after=False`` it is a single ``(3u,)`` row.)

Two kinds of layers use them, so both compute the same numbers:

* a **cell** (:mod:`kfunc.layers.rnn_cells`, ``LSTMCell``) computes one step;
* a **recurrent layer** (:mod:`kfunc.layers.recurrent`, ``LSTM``) runs the
  equations over a whole sequence, with its own weights.

A whole sequence runs either on torch's fused kernels (``torch.lstm``,
``torch.gru``, ``torch.rnn_tanh``; cuDNN on a GPU) when the activations are the
defaults and there is no recurrent dropout (``_fusable``/``_fused``), or step by
step (``_step``), after one matrix product for the input side of every step
(``project``). torch stores a kernel as ``(gates * u, in)``, so the Keras matrices
are handed over transposed; torch's LSTM gate order i, f, g, o is Keras's, but its
GRU order is r, z, n, so the GRU's z and r blocks are swapped on the way.
"""

import torch
import torch.nn.functional as F

from kfunc import activations, initializers
from kfunc.layers.regularization import set_weight_options, weight_options_config


class Equations:
    """What the three sets of equations share: settings, kernels, dropout masks, the input side.

    A subclass sets ``_gates`` (blocks of ``units`` columns in its kernel) and
    ``_state_names``, and defines ``_make_weights(features)``, ``_fusable()``,
    ``_fused(x, states)`` (the whole sequence on torch's kernel) and
    ``_step(projected_x, states, recurrent_masks)`` (one step, by hand).
    """

    _gates = 1
    _state_names = ("h",)
    implementation = 2  # one dropout mask for all gates; LSTM and GRU can set 1

    def __init__(self, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, **kwargs):
        # Keras's weight options, as for Dense (none by default); see kfunc.regularizers.
        super().__init__(**kwargs)
        set_weight_options(self, kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                           bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                           recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint)

    def _store_cell(self, units, activation, use_bias, kernel_initializer, recurrent_initializer,
                    bias_initializer, dropout, recurrent_dropout):
        cls = type(self).__name__
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"{cls}(units={units!r}): `units` must be a positive int, the state size.")
        for arg, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0.0 <= rate < 1.0:
                raise ValueError(f"{cls}({arg}={rate!r}): a dropout rate is a fraction in [0, 1).")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)

    @property
    def state_size(self):
        """The width of each state, as Keras gives it: an int for one state, a list for several."""
        count = len(self._state_names)
        return self.units if count == 1 else [self.units] * count

    @property
    def output_size(self):
        return self.units

    def _add_kernels(self, features):
        width = self._gates * self.units
        self.kernel = self.add_weight("kernel", (features, width), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", (self.units, width), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint,
        )

    def _add_bias(self, shape, initializer):
        self.bias = self.add_weight("bias", shape, initializer=initializer, regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint)

    def _input_bias(self):
        return self.bias if self.use_bias else None

    def dropout_masks(self, x, training):
        """The input and recurrent dropout masks for ``x``, drawn once and reused at every step."""
        input_masks = self._dropout_masks(x, x.shape[-1], self.dropout, training)
        recurrent_masks = self._dropout_masks(x, self.units, self.recurrent_dropout, training)
        return input_masks, recurrent_masks

    def _dropout_masks(self, x, width, rate, training):
        """Inverted-dropout masks ``(batch, width)``: one, one per gate, or None."""
        if not training or rate == 0.0:
            return None
        count = self._gates if self.implementation == 1 else 1
        ones = x.new_ones(x.shape[0], width)
        return [F.dropout(ones, rate, training=True) for _ in range(count)]

    def fused_sequence(self, x, states, input_masks, recurrent_masks):
        """The whole sequence ``(batch, timesteps, features)`` on torch's kernel, or None where it cannot run.

        torch's kernels know neither recurrent dropout nor a mask per gate, nor other
        activations than the defaults, and refuse an empty sequence.
        """
        one_input_mask = input_masks is None or len(input_masks) == 1
        if recurrent_masks is not None or not one_input_mask or x.shape[1] == 0 or not self._fusable():
            return None
        if input_masks is not None:
            x = x * input_masks[0].unsqueeze(1)
        return self._fused(x, states)

    def project(self, x, input_masks):
        """The input side of the equations, ``x @ kernel + bias``, for one step or every step at once."""
        projected = masked_matmul(x, self.kernel, input_masks)
        bias = self._input_bias()
        if bias is not None:
            projected = projected + bias
        return projected

    def step(self, projected_x, states, recurrent_masks):
        """One step from the projected input: ``(output, new_states)``; the output is the state h."""
        states = self._step(projected_x, states, recurrent_masks)
        return states[0], states

    def _torch_train_flag(self):
        # torch's kernels keep what backward needs only when told they are training.
        return torch.is_grad_enabled()

    def _cell_config(self):
        return dict(
            units=self.units,
            activation=activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            recurrent_initializer=initializers.serialize(self.recurrent_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            **weight_options_config(self, "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                                    "kernel_constraint", "recurrent_constraint", "bias_constraint"),
            dropout=self.dropout,
            recurrent_dropout=self.recurrent_dropout,
        )


class SimpleRNNEquations(Equations):
    """``h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``."""

    def _make_weights(self, features):
        self._add_kernels(features)
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


class LSTMEquations(Equations):
    """Long short-term memory (Hochreiter and Schmidhuber, 1997).

    With ``z = x_t @ kernel + h @ recurrent_kernel + bias`` cut into the gate blocks
    i, f, c, o::

        i = recurrent_activation(z_i)      f = recurrent_activation(z_f)
        c = f * c + i * activation(z_c)    o = recurrent_activation(z_o)
        h = o * activation(c)
    """

    _gates = 4
    _state_names = ("h", "c")

    def _store_lstm(self, recurrent_activation, unit_forget_bias, implementation):
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.implementation = _implementation(self, implementation)

    def _make_weights(self, features):
        self._add_kernels(features)
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
        gate = activations.plain(self.recurrent_activation)  # (no logits kept at every step)
        i, f, o = gate(z_i), gate(z_f), gate(z_o)
        c = f * c + i * self.activation(z_c)
        return [o * self.activation(c), c]


class GRUEquations(Equations):
    """Gated recurrent unit (Cho et al., 2014), in tf.keras's default ``reset_after`` form.

    With the gate blocks z (update), r (reset) and h (candidate)::

        z = recurrent_activation(x_z + h @ U_z + b_z)
        r = recurrent_activation(x_r + h @ U_r + b_r)
        candidate = activation(x_h + r * (h @ U_h + b_h))     # reset_after=True
        h = z * h + (1 - z) * candidate

    where ``x_* = x_t @ kernel_* + input bias``. With ``reset_after=False`` the reset
    gate acts before the product: ``activation(x_h + (r * h) @ U_h)``, and the bias is
    one ``(3u,)`` row.
    """

    _gates = 3

    def _store_gru(self, recurrent_activation, implementation, reset_after):
        self.recurrent_activation = activations.get(recurrent_activation)
        self.implementation = _implementation(self, implementation)
        self.reset_after = bool(reset_after)

    def _make_weights(self, features):
        self._add_kernels(features)
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
        gate = activations.plain(self.recurrent_activation)  # (no logits kept at every step)
        z, r = gate(x_z + r_z), gate(x_r + r_r)
        if self.reset_after:
            candidate = self.activation(x_h + r * r_h)
        else:
            h_h = h if masks[2] is None else h * masks[2]
            candidate = self.activation(x_h + (r * h_h) @ self.recurrent_kernel[:, 2 * u:])
        return [z * h + (1 - z) * candidate]


def masked_matmul(x, kernel, masks):
    """``x @ kernel``, with ``x`` multiplied by a dropout mask first.

    With one mask per gate block of the kernel, each block sees its own mask. A
    mask has shape ``(batch, features)``; for a sequence ``x`` it holds for every step.
    """
    if masks is None:
        return x @ kernel
    expand = (lambda m: m.unsqueeze(1)) if x.dim() == 3 else (lambda m: m)  # noqa: E731
    if len(masks) == 1:
        return (x * expand(masks[0])) @ kernel
    blocks = kernel.chunk(len(masks), dim=1)
    return torch.cat([(x * expand(m)) @ w for m, w in zip(masks, blocks)], dim=-1)


def _is(fn, *candidates):
    return any(fn is c for c in candidates)


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
