"""Recurrent layers: ``SimpleRNN``, ``LSTM`` and ``GRU``, and the cells they are made of.

Each layer runs the equations of its cell (:mod:`kfunc.layers.cell_equations`)
over a whole sequence, with its weights held by the layer itself (``kernel``,
``recurrent_kernel``, ``bias``, in Keras's layouts): ``LSTM(8)`` computes what
``RNN(LSTMCell(8))`` computes, on torch's fused kernel where it can. How a sequence
is walked and states are carried is shared with ``RNN``
(:mod:`kfunc.layers.recurrence`); the cells are in :mod:`kfunc.layers.rnn_cells`.
"""

__all__ = ["SimpleRNN", "LSTM", "GRU", "RNN", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"]

from kfunc import activations
from kfunc.layers.cell_equations import GRUEquations, LSTMEquations, SimpleRNNEquations
from kfunc.layers.recurrence import RNN, _Recurrent, run_equations
from kfunc.layers.rnn_cells import GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells


class _EquationsLayer(_Recurrent):
    """A recurrent layer that runs built-in equations on its own weights."""

    def build(self, input_shape):
        self._make_weights(self._check_rank(input_shape)[-1])

    def _expected_features(self):
        return self.kernel.shape[0]

    def _state_sizes(self):
        return [self.units] * len(self._state_names)

    def _state_names_for_errors(self):
        return list(self._state_names)

    def _output_size(self):
        return self.units

    def _walk(self, x, states, training, mask=None):
        return run_equations(self, x, states, training, mask)

    def get_config(self):
        config = super().get_config()
        config.update(self._cell_config())
        config.update(self._sequence_config())
        return config


class SimpleRNN(SimpleRNNEquations, _EquationsLayer):
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
        self._store_cell(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, dropout, recurrent_dropout)
        self._store_sequence_options(return_sequences, return_state, go_backwards, stateful, unroll)


class LSTM(LSTMEquations, _EquationsLayer):
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

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, implementation=2, **kwargs):
        super().__init__(**kwargs)
        self._store_cell(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, dropout, recurrent_dropout)
        self._store_sequence_options(return_sequences, return_state, go_backwards, stateful, unroll)
        self._store_lstm(recurrent_activation, unit_forget_bias, implementation)

    def get_config(self):
        config = super().get_config()
        config.update(
            recurrent_activation=activations.serialize(self.recurrent_activation),
            unit_forget_bias=self.unit_forget_bias,
            implementation=self.implementation,
        )
        return config


class GRU(GRUEquations, _EquationsLayer):
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

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 implementation=2, reset_after=True, **kwargs):
        super().__init__(**kwargs)
        self._store_cell(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, dropout, recurrent_dropout)
        self._store_sequence_options(return_sequences, return_state, go_backwards, stateful, unroll)
        self._store_gru(recurrent_activation, implementation, reset_after)

    def get_config(self):
        config = super().get_config()
        config.update(
            recurrent_activation=activations.serialize(self.recurrent_activation),
            implementation=self.implementation,
            reset_after=self.reset_after,
        )
        return config
