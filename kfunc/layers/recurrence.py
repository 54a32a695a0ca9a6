"""What every recurrent layer shares: reading a sequence step by step, carrying states.

A recurrent layer reads a sequence ``(batch, timesteps, features)`` one step at a
time and carries a state from each step to the next. It returns the last output
``(batch, units)``, or every step's output ``(batch, timesteps, units)`` with
``return_sequences=True``; ``return_state=True`` adds the final states. The layers
themselves (:mod:`kfunc.layers.recurrent`) add their weights and equations.

There are two ways to compute, with the same results:

1. **torch's fused kernels** (``torch.lstm``, ``torch.gru``, ``torch.rnn_tanh``,
   ``torch.rnn_relu``; cuDNN on a GPU) when the activations are the defaults and
   there is no recurrent dropout (a layer's ``_fused``);
2. **a Python loop over the time steps** that spells out the Keras equations (a
   layer's ``_step``), for custom activations, recurrent dropout or ``reset_after=False``.

On ``meta`` tensors (shape inference) the layer skips both and returns empty
outputs of the right shapes: torch's meta LSTM would walk the steps one by one.
"""

import torch
import torch.nn.functional as F

from kfunc import activations, initializers
from kfunc.engine.layer import Layer
from kfunc.layers.regularization import set_weight_options, weight_options_config

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

    All three take Keras's ``kernel_regularizer``, ``recurrent_regularizer``,
    ``bias_regularizer``, ``activity_regularizer``, ``kernel_constraint``,
    ``recurrent_constraint`` and ``bias_constraint`` (keywords; none by default), as
    for ``Dense``.
    """

    casts_integer_inputs = True  # computes on floats

    _gates = 1
    _state_names = ("h",)
    implementation = 2  # one dropout mask for all gates; LSTM and GRU can set 1

    def __init__(self, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        set_weight_options(self, kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                           bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                           recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint)

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
        self.kernel = self.add_weight("kernel", (features, width), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", (self.units, width), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint,
        )

    def _add_bias(self, shape, initializer):
        self.bias = self.add_weight("bias", shape, initializer=initializer, regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint)

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
        projected = masked_matmul(x, self.kernel, input_masks)
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
            **weight_options_config(self, "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                                    "kernel_constraint", "recurrent_constraint", "bias_constraint"),
            dropout=self.dropout,
            recurrent_dropout=self.recurrent_dropout,
            return_sequences=self.return_sequences,
            return_state=self.return_state,
            go_backwards=self.go_backwards,
            stateful=self.stateful,
            unroll=self.unroll,
        )
        return config


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
