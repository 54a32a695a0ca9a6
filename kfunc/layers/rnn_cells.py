"""Recurrent cells: one time step of a recurrent layer, as a layer of its own.

A cell turns the input of one step ``(batch, features)`` and the states carried
from the step before into an output and new states::

    output, new_states = cell(x_t, states)

``RNN(cell)`` (:mod:`kfunc.layers.recurrence`) walks a sequence with it, so a new
kind of recurrence needs only its step: any layer with a ``state_size`` and such a
``call`` is a cell. The built-in ``SimpleRNNCell``, ``LSTMCell`` and ``GRUCell``
compute with the same equations as ``SimpleRNN``, ``LSTM`` and ``GRU``
(:mod:`kfunc.layers.cell_equations`), with the same weights in the same layouts.
``StackedRNNCells`` makes one cell of several, each reading the outputs of the one
before, as stacked recurrent layers do.
"""

import torch

from kfunc import activations
from kfunc.engine.layer import Layer
from kfunc.layers.cell_equations import Equations, GRUEquations, LSTMEquations, SimpleRNNEquations


class _Cell(Layer):
    """What the built-in cells share: building from the step's shape, and one step of their equations."""

    casts_integer_inputs = True  # computes on floats

    def build(self, input_shape):
        if not isinstance(input_shape, tuple) or len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} computes one time step: it expects an input "
                f"(batch, features) with known features, got shape {input_shape}. To read a whole "
                f"sequence, wrap it: `RNN({type(self).__name__}(...))`."
            )
        self._make_weights(input_shape[-1])

    def _check_input_shapes(self, input_shape):
        expected = self.kernel.shape[0]
        if isinstance(input_shape, tuple) and input_shape[-1] != expected:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} expects {expected} features per step, got "
                f"shape {input_shape}. Its kernel was made for {expected} features on its first call."
            )

    def call(self, inputs, states, training=None):
        """One step: ``(output, new_states)``; ``states`` a list (or, for one state, a tensor)."""
        single = isinstance(states, torch.Tensor)
        states = [states] if single else list(states)
        names = self._state_names
        if len(states) != len(names):
            raise ValueError(
                f"{type(self).__name__} {self.name!r} carries {len(names)} state(s) "
                f"({', '.join(names)}); it was given {len(states)}."
            )
        training = self.training if training is None else bool(training)
        input_masks, recurrent_masks = self.dropout_masks(inputs, training)
        output, new_states = self.step(self.project(inputs, input_masks), states, recurrent_masks)
        return output, new_states[0] if single else new_states

    def get_config(self):
        config = super().get_config()
        config.update(self._cell_config())
        return config


def runs_equations(cell):
    """Whether ``cell`` is a built-in cell as it is (not a subclass with its own ``call``)."""
    return isinstance(cell, _Cell) and type(cell).call is _Cell.call


class SimpleRNNCell(SimpleRNNEquations, _Cell):
    """One step of ``SimpleRNN``: ``h = activation(x @ kernel + h @ recurrent_kernel + bias)``.

    Args:
        units, activation, use_bias, kernel_initializer, recurrent_initializer,
        bias_initializer, dropout, recurrent_dropout: as for ``SimpleRNN``.

    Call: ``output, [h] = cell(x, [h])``.

    Example:
        >>> RNN(SimpleRNNCell(8))(Input(shape=(10, 3))).shape
        (None, 8)
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", dropout=0.0,
                 recurrent_dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self._store_cell(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, dropout, recurrent_dropout)


class LSTMCell(LSTMEquations, _Cell):
    """One step of ``LSTM``; its states are ``[h, c]``.

    Args:
        units, activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, unit_forget_bias, dropout,
        recurrent_dropout, implementation: as for ``LSTM``.

    Call: ``h, [h, c] = cell(x, [h, c])``.

    Example:
        >>> RNN(LSTMCell(8), return_state=True)(Input(shape=(10, 3)))[2].shape
        (None, 8)
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, dropout=0.0, recurrent_dropout=0.0,
                 implementation=2, **kwargs):
        super().__init__(**kwargs)
        self._store_cell(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, dropout, recurrent_dropout)
        self._store_lstm(recurrent_activation, unit_forget_bias, implementation)

    def get_config(self):
        config = super().get_config()
        config.update(recurrent_activation=activations.serialize(self.recurrent_activation),
                      unit_forget_bias=self.unit_forget_bias, implementation=self.implementation)
        return config


class GRUCell(GRUEquations, _Cell):
    """One step of ``GRU`` (``reset_after=True`` by default, as in tf.keras 2).

    Args:
        units, activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, dropout, recurrent_dropout,
        implementation, reset_after: as for ``GRU``.

    Call: ``output, [h] = cell(x, [h])``.

    Example:
        >>> RNN(GRUCell(8), return_sequences=True)(Input(shape=(10, 3))).shape
        (None, 10, 8)
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0, implementation=2,
                 reset_after=True, **kwargs):
        super().__init__(**kwargs)
        self._store_cell(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, dropout, recurrent_dropout)
        self._store_gru(recurrent_activation, implementation, reset_after)

    def get_config(self):
        config = super().get_config()
        config.update(recurrent_activation=activations.serialize(self.recurrent_activation),
                      implementation=self.implementation, reset_after=self.reset_after)
        return config


class StackedRNNCells(Layer):
    """Several cells used as one: each step runs them in turn, each reading the output of the one before.

    ``RNN([cell_1, cell_2])`` is ``RNN(StackedRNNCells([cell_1, cell_2]))``: it computes
    what two recurrent layers stacked with ``return_sequences=True`` compute. The
    states are each cell's, in order (``state_size`` lists them cell by cell), and the
    weights are each cell's, in order.

    Args:
        cells: a list of cells (``LSTMCell(8)``, your own cell, ...).

    Example:
        >>> RNN(StackedRNNCells([LSTMCell(8), LSTMCell(4)]))(Input(shape=(10, 3))).shape
        (None, 4)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(cells, (list, tuple)) or not cells:
            raise TypeError(
                f"StackedRNNCells takes a non-empty list of cells, e.g. "
                f"`StackedRNNCells([LSTMCell(8), LSTMCell(8)])`; it was given {cells!r}."
            )
        for cell in cells:
            check_cell(cell, "StackedRNNCells")
        for i, cell in enumerate(cells):
            self.add_module(f"cell_{i}", cell)  # torch sees the cells' weights, in order

    @property
    def cells(self):
        return list(self.children())

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self):
        return output_size(self.cells[-1])

    def build(self, input_shape):
        for cell in self.cells:
            if not cell.built:
                cell.build(input_shape)
                cell.built = True
            input_shape = (input_shape[0], output_size(cell))

    def call(self, inputs, states, training=None):
        """One step of every cell: ``(last cell's output, [each cell's new states])``."""
        flat = flat_states(states)
        new_states = []
        for cell in self.cells:
            count = len(flat_sizes(cell.state_size))
            own, flat = flat[:count], flat[count:]
            inputs, state = cell(inputs, own, training=training)
            new_states.append(state)
        return inputs, new_states

    def get_config(self):
        config = super().get_config()
        config["cells"] = [{"class_name": type(c).__name__, "config": c.get_config()} for c in self.cells]
        return config

    @classmethod
    def from_config(cls, config):
        from kfunc.models.saving import deserialize_layer

        config = dict(config)
        return cls([deserialize_layer(c) for c in config.pop("cells")], **config)


def check_cell(cell, where):
    """Refuse what is not a cell, saying what a cell is."""
    if isinstance(cell, Equations) and not isinstance(cell, _Cell):
        kind = type(cell).__name__
        raise TypeError(
            f"{where} takes a cell, which computes one step, but was given the {kind} layer "
            f"{cell.name!r}, which reads whole sequences. Use `{kind}Cell({cell.units})` "
            f"(`{kind}({cell.units})` is already a recurrent layer made of that cell)."
        )
    if not isinstance(cell, Layer) or getattr(cell, "state_size", None) is None:
        raise TypeError(
            f"{where} takes a cell: a layer with a `state_size` (the width of each state) and a "
            "`call(inputs, states)` that returns `(output, new_states)`, such as `LSTMCell(8)`; "
            f"it was given {type(cell).__name__} {cell!r}."
        )


def flat_sizes(state_size):
    """The width of each state, flat: ``[[8, 8], 4]`` -> ``[8, 8, 4]``."""
    if isinstance(state_size, (list, tuple)):
        return [size for item in state_size for size in flat_sizes(item)]
    return [state_size]


def flat_states(states):
    """The state tensors, flat, from a tensor or a nested list of them."""
    if isinstance(states, (list, tuple)):
        return [s for item in states for s in flat_states(item)]
    return [states]


def output_size(cell):
    """The width of a cell's output: its ``output_size``, else the width of its first state."""
    size = getattr(cell, "output_size", None)
    return size if size is not None else flat_sizes(cell.state_size)[0]
