"""Reading a sequence step by step, carrying states: what every recurrent layer does.

A recurrent layer reads a sequence ``(batch, timesteps, features)`` one step at a
time and carries states from each step to the next. It returns the last output
``(batch, units)``, or every step's output ``(batch, timesteps, units)`` with
``return_sequences=True``; ``return_state=True`` adds the final states.

What happens at one step is a *cell*'s business (:mod:`kfunc.layers.rnn_cells`):
``RNN(cell)`` walks a sequence with any cell. ``SimpleRNN``, ``LSTM`` and ``GRU``
(:mod:`kfunc.layers.recurrent`) walk it with the built-in equations on their own
weights. Either way there are two roads to the same numbers:

1. **torch's fused kernels** (``torch.lstm``, ``torch.gru``, ``torch.rnn_tanh``;
   cuDNN on a GPU), where the built-in equations allow them;
2. **a Python loop over the time steps** (:func:`run_steps`), calling the step.

On ``meta`` tensors (shape inference) the built-in equations skip both and return
empty outputs of the right shapes: torch's meta LSTM would walk the steps one by one.
"""

__all__ = ["RNN"]

import torch

from kfunc.engine.layer import Layer
from kfunc.layers.cell_equations import Equations
from kfunc.layers.rnn_cells import StackedRNNCells, check_cell, flat_sizes, flat_states, output_size, runs_equations

_STATEFUL_MESSAGE = (
    "{cls}(stateful=True) is not supported by kfunc: a stateful layer keeps its last "
    "states between batches, hidden inside the layer. Do it in the open instead: "
    "build the layer with `return_state=True` and pass the states it returns to the "
    "next call as `initial_state=[...]`."
)


def run_steps(step, inputs, states, width, mask=None):
    """Walk the time axis of ``inputs``: ``output, states = step(inputs[:, t], states)`` at each step.

    Args:
        step: one time step, from that step's input and the states to ``(output, new_states)``.
        inputs: ``(batch, timesteps, ...)``, in the order the steps are walked.
        states: the flat list of states to start from.
        width: the size of an output, for an empty sequence.
        mask: ``(batch, timesteps)`` booleans, False for padded steps, or None. A padded
            step changes no state, and its output repeats the previous one (zeros before
            the first real step), as in Keras.

    Returns:
        ``(outputs, states)``: every step's output ``(batch, timesteps, width)`` and
        the last states (the initial ones for an empty sequence).
    """
    outputs = []
    for t in range(inputs.shape[1]):
        output, new_states = step(inputs[:, t], states)
        if mask is not None:
            real = mask[:, t].reshape((-1,) + (1,) * (output.dim() - 1))
            output = torch.where(real, output, outputs[-1] if outputs else torch.zeros_like(output))
            new_states = [torch.where(real.reshape(-1, *(1,) * (s.dim() - 1)), n, s) for n, s in zip(new_states, states)]
        outputs.append(output)
        states = new_states
    if not outputs:
        return inputs.new_zeros(inputs.shape[0], 0, width), states
    return torch.stack(outputs, dim=1), states


def run_equations(equations, x, states, training, mask=None):
    """The whole sequence with built-in equations: torch's kernel where it can, else the loop.

    A sequence with padded steps (``mask``) always takes the loop, which skips them.
    """
    input_masks, recurrent_masks = equations.dropout_masks(x, training)
    fused = None if mask is not None else equations.fused_sequence(x, states, input_masks, recurrent_masks)
    if fused is not None:
        return fused
    projected = equations.project(x, input_masks)  # the input side of every step at once
    return run_steps(lambda p, s: equations.step(p, s, recurrent_masks), projected, states, equations.units, mask)


class _Recurrent(Layer):
    """What ``RNN`` and SimpleRNN, LSTM and GRU share: options, states, shapes, the time loop.

    A subclass defines ``_state_sizes()`` (the width of each state, flat),
    ``_state_names_for_errors()``, ``_output_size()``, ``_expected_features()`` (None
    while unknown) and ``_walk(x, states, training, mask)`` (the whole sequence on data).

    A mask (from ``Embedding(mask_zero=True)`` or ``Masking``, or given as ``mask=``)
    makes the layer skip padded steps: their states are carried over unchanged.
    """

    casts_integer_inputs = True  # computes on floats

    def _store_sequence_options(self, return_sequences, return_state, go_backwards, stateful, unroll):
        if stateful:
            raise ValueError(_STATEFUL_MESSAGE.format(cls=type(self).__name__))
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

    def _check_input_shapes(self, input_shape):
        input_shape = self._check_rank(input_shape)
        expected = self._expected_features()
        if expected is not None and input_shape[-1] != expected:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} expects {expected} features per step, "
                f"got shape {input_shape}. Its kernel was made for {expected} features on its "
                "first call; use a new layer for sequences of another width."
            )

    # ------------------------------------------------------------------ computing

    def call(self, inputs, initial_state=None, training=None, mask=None):
        # Keras also takes the initial states as extra inputs: layer([x, h, c]).
        if isinstance(inputs, (list, tuple)):
            inputs, initial_state = inputs[0], list(inputs[1:]) or initial_state
            mask = mask[0] if isinstance(mask, (list, tuple)) else mask
        self._check_rank(tuple(inputs.shape))
        training = self.training if training is None else bool(training)
        # 1. the states to start from: the ones given, or zeros
        states = self._initial_states(inputs, initial_state)
        if inputs.is_meta:
            # Shape inference: the shapes are known, and torch's meta LSTM would walk
            # every time step one operator at a time (seconds for a long sequence).
            sequence, states = self._meta_walk(inputs, states, training)
            return self._outputs(sequence, states)
        # 2. the steps in the order the layer walks them (and which of them are padding)
        x = inputs.flip(1) if self.go_backwards else inputs
        if mask is not None:
            mask = (mask.flip(1) if self.go_backwards else mask).to(torch.bool)
        # 3. the whole sequence, on torch's kernel or step by step (skipping padded steps)
        sequence, states = self._walk(x, states, training, mask)
        return self._outputs(sequence, states)

    def compute_mask(self, inputs, mask=None):
        """A returned sequence keeps the input's mask; a last output and the states have none."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        return [output_mask] if self.return_state else output_mask

    def _meta_walk(self, inputs, states, training):
        sequence = inputs.new_empty(inputs.shape[0], inputs.shape[1], self._output_size())
        return sequence, [s.new_empty(s.shape) for s in states]

    def _outputs(self, sequence, states):
        # The last output, or all of them; then the states.
        output = sequence if self.return_sequences else self._last_output(sequence, states)
        return [output] + self._state_structure(states) if self.return_state else output

    def _last_output(self, sequence, states):
        return states[0]  # the built-in equations output their state h

    def _state_structure(self, states):
        return list(states)

    def _initial_states(self, inputs, initial_state):
        batch, sizes = inputs.shape[0], self._state_sizes()
        names = self._state_names_for_errors()
        if initial_state is None:
            return [inputs.new_zeros(batch, size) for size in sizes]
        states = flat_states(initial_state)
        cls = type(self).__name__
        if len(states) != len(sizes):
            raise ValueError(
                f"{cls} {self.name!r} carries {len(sizes)} state(s) ({', '.join(names)}), so "
                f"`initial_state` must be a list of {len(sizes)} tensor(s); got {len(states)}."
            )
        for name, size, state in zip(names, sizes, states):
            if tuple(state.shape) != (batch, size):
                raise ValueError(
                    f"{cls} {self.name!r}: the initial state {name} must have shape "
                    f"(batch, units) = {(batch, size)}, got {tuple(state.shape)}."
                )
        return states

    def _sequence_config(self):
        return dict(
            return_sequences=self.return_sequences,
            return_state=self.return_state,
            go_backwards=self.go_backwards,
            stateful=self.stateful,
            unroll=self.unroll,
        )


class RNN(_Recurrent):
    """A recurrent layer made of a cell: the cell computes one step, the layer walks the sequence.

    Args:
        cell: a cell: ``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``, or your own layer
            with a ``state_size`` (an int, or a list with one int per state) and a
            ``call(inputs, states)`` returning ``(output, new_states)``. A list of
            cells is stacked (``StackedRNNCells``): each reads the outputs of the one before.
        return_sequences: return every step's output ``(batch, timesteps, output size)``.
        return_state: also return the final states: ``[output, *states]`` (a stack
            gives each cell's states, a list for a cell with several).
        go_backwards: read the sequence from its end (the outputs come in that order).
        stateful: must stay False (kfunc passes states explicitly, see ``initial_state``).
        unroll: accepted for Keras code; it changes nothing here.

    Call arguments: ``inputs`` ``(batch, timesteps, features)``; ``initial_state``, a
    list of the starting states, ``(batch, size)`` each; ``training``.

    Example:
        >>> RNN(LSTMCell(8))(Input(shape=(10, 3))).shape
        (None, 8)
        >>> RNN([GRUCell(8), GRUCell(4)], return_sequences=True)(Input(shape=(10, 3))).shape
        (None, 10, 4)
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(list(cell))
        check_cell(cell, "RNN")
        self.cell = cell
        self._builds_cell = False  # whether this layer's first call builds the cell
        self._store_sequence_options(return_sequences, return_state, go_backwards, stateful, unroll)

    def build(self, input_shape):
        shape = self._check_rank(input_shape)
        self._builds_cell = not self.cell.built
        if self._builds_cell:
            self.cell.build((shape[0], shape[-1]))  # the shape of one step
            self.cell.built = True

    def _unbuild(self):
        # A first call that failed: a cell built by it is built again on the next call.
        super()._unbuild()
        if self._builds_cell:
            for layer in self.cell._layer_tree():
                layer._unbuild()

    def _expected_features(self):
        first = self.cell.cells[0] if isinstance(self.cell, StackedRNNCells) else self.cell
        return first.kernel.shape[0] if isinstance(first, Equations) and first.built else None

    def _state_sizes(self):
        return flat_sizes(self.cell.state_size)

    def _state_names_for_errors(self):
        if runs_equations(self.cell):
            return list(self.cell._state_names)
        return [f"#{i}" for i in range(len(self._state_sizes()))]

    def _output_size(self):
        return output_size(self.cell)

    def _meta_walk(self, inputs, states, training):
        if runs_equations(self.cell) or inputs.shape[1] == 0:
            return super()._meta_walk(inputs, states, training)
        # Your own cell: one step tells the output's shape and dtype.
        output, _ = self._cell_step(training)(inputs[:, 0], states)
        sequence = output.new_empty((inputs.shape[0], inputs.shape[1]) + tuple(output.shape[1:]))
        return sequence, [s.new_empty(s.shape) for s in states]

    def _walk(self, x, states, training, mask=None):
        cell = self.cell
        cell.materialize()  # the cell's weights get their values on the first call on data
        if runs_equations(cell):
            return run_equations(cell, x, states, training, mask)
        if _stack_of_equations(cell):
            # Stacked built-in cells compute what stacked layers compute: one cell after
            # the other over the whole sequence, each on torch's kernel where it can.
            final = []
            for each in cell.cells:
                own, states = states[:len(each._state_names)], states[len(each._state_names):]
                x, own = run_equations(each, x, own, training, mask)
                final += own
            return x, final
        return run_steps(self._cell_step(training), x, states, self._output_size(), mask)

    def _cell_step(self, training):
        """One step of the cell, on the flat list of states (the cell sees them as it declares them)."""

        def step(x_t, states):
            output, new_states = self.cell(x_t, self._state_structure(states), training=training)
            return output, flat_states(new_states)

        return step

    def _last_output(self, sequence, states):
        if sequence.shape[1] == 0:
            return sequence.new_zeros((sequence.shape[0],) + tuple(sequence.shape[2:]))
        return sequence[:, -1]

    def _state_structure(self, states):
        """The flat states nested as the cell's ``state_size``: a tensor per int, a list per list.

        A cell with one state (``state_size=8``) gets and gives the list ``[h]``, as in Keras.
        """
        sizes = self.cell.state_size
        if not isinstance(sizes, (list, tuple)):
            return list(states)
        flat = iter(states)

        def nest(size):
            return [nest(s) for s in size] if isinstance(size, (list, tuple)) else next(flat)

        return [nest(size) for size in sizes]

    def get_config(self):
        config = super().get_config()
        config.update(self._sequence_config())
        config["cell"] = {"class_name": type(self.cell).__name__, "config": self.cell.get_config()}
        return config

    @classmethod
    def from_config(cls, config):
        from kfunc.models.saving import deserialize_layer  # saving reads layers: imported on use

        config = dict(config)
        return cls(deserialize_layer(config.pop("cell")), **config)


def _stack_of_equations(cell):
    return (isinstance(cell, StackedRNNCells) and type(cell).call is StackedRNNCells.call
            and all(runs_equations(c) for c in cell.cells))
