"""Recurrent layers: ``SimpleRNN``, ``LSTM`` and ``GRU``.

A recurrent layer reads a sequence ``(batch, timesteps, features)`` one step at a
time and carries a state from each step to the next. It returns the last output
``(batch, units)``, or every step's output ``(batch, timesteps, units)`` with
``return_sequences=True``; ``return_state=True`` adds the final states.

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
``reset_after=False`` it is a single ``(3u,)`` row.)

There are two ways to compute, with the same results:

1. **torch's fused kernels** (``torch.lstm``, ``torch.gru``, ``torch.rnn_tanh``,
   ``torch.rnn_relu``; cuDNN on a GPU) when the activations are the defaults and
   there is no recurrent dropout. torch stores a kernel as ``(gates * u, in)``, so
   the Keras matrices are handed over transposed; torch's LSTM gate order i, f, g, o
   is Keras's i, f, c, o, but its GRU order is r, z, n, so the GRU's z and r blocks
   are swapped on the way.
2. **a Python loop over the time steps** that spells out the Keras equations
   (``_step``), for custom activations, recurrent dropout or ``reset_after=False``.

On ``meta`` tensors (shape inference) the layer skips both and returns empty
outputs of the right shapes: torch's meta LSTM would walk the steps one by one.
"""

__all__ = ["SimpleRNN", "LSTM", "GRU"]

import torch
import torch.nn.functional as F

from kfunc import activations, initializers
from kfunc.engine.layer import Layer

_STATEFUL_MESSAGE = (
    "{cls}(stateful=True) is not supported by kfunc: a stateful layer keeps its last "
    "states between batches, hidden inside the layer. Do it in the open instead: "
    "build the layer with `return_state=True` and pass the states it returns to the "
    "next call as `initial_state=[...]`."
)


class _Recurrent(Layer):
    """What SimpleRNN, LSTM and GRU share: checks, states, dropout, the time loop.

    A subclass sets ``_gates`` (blocks of ``units`` columns in its kernel) and
    ``_state_names``, makes its weights in ``build`` and defines ``_fusable``,
    ``_fused`` (the torch kernel) and ``_step`` (one time step, by hand).
    """

    casts_integer_inputs = True  # computes on floats

    _gates = 1
    _state_names = ("h",)
    implementation = 2  # one dropout mask for all gates; LSTM and GRU can set 1

    def _store_common(self, units, activation, use_bias, kernel_initializer, recurrent_initializer,
                      bias_initializer, dropout, recurrent_dropout, return_sequences, return_state,
                      go_backwards, stateful, unroll):
        cls = type(self).__name__
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"{cls}(units={units!r}): `units` must be a positive int, the state size.")
        for arg, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0.0 <= rate < 1.0:
                raise ValueError(f"{cls}({arg}={rate!r}): a dropout rate is a fraction in [0, 1).")
        if stateful:
            raise ValueError(_STATEFUL_MESSAGE.format(cls=cls))
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = False
        self.unroll = bool(unroll)  # accepted for Keras code; both ways compute the same

    # ------------------------------------------------------------------ shapes

    def _check_rank(self, input_shape):
        if isinstance(input_shape, list):  # layer([x, h, c]): the states follow the sequence
            input_shape = input_shape[0]
        cls = type(self).__name__
        if not isinstance(input_shape, tuple) or len(input_shape) != 3:
            raise ValueError(
                f"{cls} {self.name!r} expects a 3D input (batch, timesteps, features), got "
                f"shape {input_shape}. A recurrent layer reads sequences: give each sample a "
                "time axis (e.g. `Input(shape=(timesteps, features))`), or put an Embedding "
                "layer before it to turn sequences of word indices into vectors."
            )
        if input_shape[-1] is None:
            raise ValueError(
                f"{cls} {self.name!r} needs the number of features per step (the last "
                f"dimension) to be known, got shape {input_shape}."
            )
        return input_shape

    def _add_kernels(self, input_shape):
        features = self._check_rank(input_shape)[-1]
        width = self._gates * self.units
        self.kernel = self.add_weight("kernel", (features, width), self.kernel_initializer)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", (self.units, width), self.recurrent_initializer
        )

    def _check_input_shapes(self, input_shape):
        input_shape = self._check_rank(input_shape)
        expected = self.kernel.shape[0]
        if input_shape[-1] != expected:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} expects {expected} features per step, "
                f"got shape {input_shape}. Its kernel was made for {expected} features on its "
                "first call; use a new layer for sequences of another width."
            )

    # ------------------------------------------------------------------ computing

    def call(self, inputs, initial_state=None, training=None):
        # Keras also takes the initial states as extra inputs: layer([x, h, c]).
        if isinstance(inputs, (list, tuple)):
            inputs, initial_state = inputs[0], list(inputs[1:]) or initial_state
        self._check_rank(tuple(inputs.shape))
        training = self.training if training is None else bool(training)
        # 1. the states to start from: the ones given, or zeros
        states = self._initial_states(inputs, initial_state)
        if inputs.is_meta:
            # Shape inference: the shapes are known, and torch's meta LSTM would walk
            # every time step one operator at a time (seconds for a long sequence).
            sequence = inputs.new_empty(inputs.shape[0], inputs.shape[1], self.units)
            states = [s.new_empty(s.shape) for s in states]
            return self._outputs(sequence, states)
        # 2. the steps in the order the layer walks them
        x = inputs.flip(1) if self.go_backwards else inputs
        # 3. dropout masks, drawn once per sequence and reused at every step
        input_masks = self._dropout_masks(x, x.shape[-1], self.dropout, training)
        recurrent_masks = self._dropout_masks(x, self.units, self.recurrent_dropout, training)
        # 4. the whole sequence with torch's kernel, or step by step (torch's kernels
        #    refuse an empty sequence; the loop returns the initial states for it)
        one_input_mask = input_masks is None or len(input_masks) == 1
        if recurrent_masks is None and one_input_mask and x.shape[1] > 0 and self._fusable():
            if input_masks is not None:
                x = x * input_masks[0].unsqueeze(1)
            sequence, states = self._fused(x, states)
        else:
            sequence, states = self._loop(x, states, input_masks, recurrent_masks)
        return self._outputs(sequence, states)

    def _outputs(self, sequence, states):
        # The last output (which is the state h), or all of them; then the states.
        output = sequence if self.return_sequences else states[0]
        return [output] + list(states) if self.return_state else output

    def _initial_states(self, inputs, initial_state):
        batch = inputs.shape[0]
        names = self._state_names
        if initial_state is None:
            return [inputs.new_zeros(batch, self.units) for _ in names]
        states = [initial_state] if isinstance(initial_state, torch.Tensor) else list(initial_state)
        cls = type(self).__name__
        if len(states) != len(names):
            raise ValueError(
                f"{cls} {self.name!r} carries {len(names)} state(s) ({', '.join(names)}), so "
                f"`initial_state` must be a list of {len(names)} tensor(s); got {len(states)}."
            )
        for name, state in zip(names, states):
            if tuple(state.shape) != (batch, self.units):
                raise ValueError(
                    f"{cls} {self.name!r}: the initial state {name} must have shape "
                    f"(batch, units) = {(batch, self.units)}, got {tuple(state.shape)}."
                )
        return states

    def _dropout_masks(self, x, width, rate, training):
        """Inverted-dropout masks ``(batch, width)``: one, one per gate, or None."""
        if not training or rate == 0.0:
            return None
        count = self._gates if self.implementation == 1 else 1
        ones = x.new_ones(x.shape[0], width)
        return [F.dropout(ones, rate, training=True) for _ in range(count)]

    def _loop(self, x, states, input_masks, recurrent_masks):
        # The input side of every step at once (one matrix product), then the steps.
        projected = _masked_matmul(x, self.kernel, input_masks)
        bias = self._input_bias()
        if bias is not None:
            projected = projected + bias
        outputs = []
        for t in range(x.shape[1]):
            states = self._step(projected[:, t], states, recurrent_masks)
            outputs.append(states[0])
        if not outputs:
            return x.new_zeros(x.shape[0], 0, self.units), states
        return torch.stack(outputs, dim=1), states

    def _input_bias(self):
        return self.bias if self.use_bias else None

    def _torch_train_flag(self):
        # torch's kernels keep what backward needs only when told they are training.
        return torch.is_grad_enabled()

    # ------------------------------------------------------------------ config

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units,
            activation=activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            recurrent_initializer=initializers.serialize(self.recurrent_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            dropout=self.dropout,
            recurrent_dropout=self.recurrent_dropout,
            return_sequences=self.return_sequences,
            return_state=self.return_state,
            go_backwards=self.go_backwards,
            stateful=self.stateful,
            unroll=self.unroll,
        )
        return config


def _masked_matmul(x, kernel, masks):
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
            self.bias = self.add_weight("bias", (self.units,), self.bias_initializer)

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
        return [self.activation(projected_x + _masked_matmul(h, self.recurrent_kernel, recurrent_masks))]


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
            self.bias = self.add_weight("bias", (4 * self.units,), init)

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
        z = projected_x + _masked_matmul(h, self.recurrent_kernel, recurrent_masks)
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
            self.bias = self.add_weight("bias", shape, self.bias_initializer)

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
            recurrent = _masked_matmul(h, self.recurrent_kernel, recurrent_masks)
            if self.use_bias:
                recurrent = recurrent + self.bias[1]
            r_z, r_r, r_h = recurrent.chunk(3, dim=-1)
        else:
            zr_masks = recurrent_masks[:2] if recurrent_masks else None
            r_z, r_r = _masked_matmul(h, self.recurrent_kernel[:, : 2 * u], zr_masks).chunk(2, dim=-1)
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
