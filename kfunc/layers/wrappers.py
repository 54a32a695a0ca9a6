"""Wrappers: layers that hold another layer and change how it is applied.

* ``TimeDistributed(layer)`` applies ``layer`` to every time step of a sequence:
  ``(batch, time, ...)`` is folded into one big batch ``(batch * time, ...)``, the
  inner layer runs once on it, and the result is unfolded to ``(batch, time, ...)``.
  The inner layer can be any layer, a whole ``Model`` or ``Sequential`` included; its
  weights are shared across the steps.
* ``Bidirectional(rnn)`` runs a recurrent layer forwards and a copy of it backwards
  over the sequence and merges the two outputs.

The inner layers are torch submodules, so their weights are the wrapper's weights
(``Bidirectional``: the forward layer's, then the backward layer's, as in Keras).
Calling a wrapper on symbolic tensors adds a node to the wrapper only: the inner
layer's shapes are worked out without calling it symbolically.
"""

__all__ = ["TimeDistributed", "Bidirectional"]

import inspect

import torch

from kfunc.engine.keras_tensor import KerasTensor
from kfunc.engine.layer import Layer
from kfunc.engine.structure import map_structure
from kfunc.layers.recurrence import _Recurrent


def serialize_layer(layer):
    """``{'class_name': ..., 'config': ...}``: what rebuilds ``layer`` (without weights)."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize_layer(config):
    """The layer that :func:`serialize_layer` described (custom and registered classes included)."""
    from kfunc.models.saving import deserialize_layer as _deserialize

    return _deserialize(config)


def _accepts_training(layer):
    return "training" in inspect.signature(layer.call).parameters


class TimeDistributed(Layer):
    """Apply ``layer`` to every time step (axis 1) of its input.

    Args:
        layer: the layer (or model) to apply; it sees inputs shaped like one step,
            ``(batch, ...)``.

    Input ``(batch, time, ...)``, at least 3D; output ``(batch, time, ...)`` with the
    inner layer's output shape after ``time``.

    Example:
        >>> model = Model(x := Input(shape=(784,)), Dense(10, activation='softmax')(x))
        >>> TimeDistributed(model)(Input(shape=(20, 784))).shape
        (None, 20, 10)
    """

    supports_masking = True  # the steps stay the steps: the input's mask holds for the output

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise TypeError(
                f"TimeDistributed wraps a layer, such as `TimeDistributed(Dense(10))`; it was "
                f"given {type(layer).__name__} {layer!r}."
            )
        self.layer = layer

    def _check_input_shapes(self, input_shape):
        if not isinstance(input_shape, tuple) or len(input_shape) < 3:
            raise ValueError(
                f"TimeDistributed {self.name!r} applies {self.layer.name!r} to every time step "
                f"(axis 1), but its input of shape {input_shape} has no time axis: it needs "
                f"at least 3 dimensions (batch, time, ...). Give each sample a time axis, e.g. "
                f"`Input(shape={_with_time_axis(self.layer, input_shape)})`, or call "
                f"{self.layer.name!r} directly if the data has no time steps."
            )

    def build(self, input_shape):
        self._check_input_shapes(input_shape)

    def compute_output_spec(self, inputs, training=None):
        """The output shape: the inner layer's output for one step, with ``time`` put back."""
        step = KerasTensor((None,) + inputs.shape[2:], dtype=inputs.dtype)
        newly_built = not self.layer.built
        try:
            if newly_built:
                self.layer._build_from((step,))
            self.layer._check_input_shapes(step.shape)
            outputs = self.layer.compute_output_spec(step)
        except Exception as err:
            if newly_built:
                self.layer._unbuild()
            if isinstance(err, ValueError):
                raise ValueError(
                    f"TimeDistributed {self.name!r} passes each time step, of shape {step.shape}, "
                    f"to {self.layer.name!r}, which cannot take it: {err}"
                ) from None
            raise
        return map_structure(lambda t: KerasTensor(inputs.shape[:2] + t.shape[1:], t.dtype), outputs)

    def call(self, inputs, training=None):
        batch, steps = inputs.shape[0], inputs.shape[1]
        # 1. fold the time axis into the batch: every step becomes a sample
        folded = inputs.reshape((batch * steps,) + tuple(inputs.shape[2:]))
        # 2. one call of the inner layer on all the steps at once
        kwargs = {"training": training} if training is not None and _accepts_training(self.layer) else {}
        outputs = self.layer(folded, **kwargs)
        # 3. unfold: (batch * time, ...) -> (batch, time, ...)
        unfold = lambda y: y.reshape((batch, steps) + tuple(y.shape[1:]))  # noqa: E731
        return map_structure(unfold, outputs)

    def get_config(self):
        config = super().get_config()
        config["layer"] = serialize_layer(self.layer)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls(deserialize_layer(config.pop("layer")), **config)


def _with_time_axis(layer, input_shape):
    """``'(timesteps, 784)'``: a sample shape with a time axis before what ``layer`` takes."""
    inputs = getattr(layer, "inputs", None)
    if inputs and len(inputs) == 1:
        step = inputs[0].shape[1:]  # a model: its input's shape
    elif isinstance(input_shape, tuple) and len(input_shape) > 1:
        step = input_shape[1:]
    else:
        step = ("features",)
    return "(" + ", ".join(["timesteps"] + [str(d) for d in step]) + ")"


_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """Run a recurrent layer both ways over a sequence and merge the two results.

    The forward layer is a copy of ``layer`` named ``forward_<name>``; the backward
    layer is ``backward_layer``, or else a copy of ``layer`` that reads the sequence
    from its end (``go_backwards`` flipped), named ``backward_<name>``. With
    ``return_sequences`` the backward outputs are put back in time order before merging,
    so step t of the result sees the whole sequence.

    Args:
        layer: a ``SimpleRNN``, ``LSTM`` or ``GRU`` (only its configuration is used).
        merge_mode: ``'concat'`` (default), ``'sum'``, ``'mul'``, ``'ave'``, or ``None``
            to return ``[forward_output, backward_output]``.
        backward_layer: a recurrent layer to use for the backward direction.

    Call arguments: ``initial_state``, the forward layer's states then the backward
    layer's; ``training``. With ``return_state`` the result is the merged output(s),
    then the forward states, then the backward states.

    Example:
        >>> Bidirectional(LSTM(10, return_sequences=True))(Input(shape=(5, 3))).shape
        (None, 5, 20)
    """

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        _check_recurrent(layer, "layer")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Bidirectional(merge_mode={merge_mode!r}): use one of "
                f"{', '.join(repr(m) for m in _MERGE_MODES)}."
            )
        self.merge_mode = merge_mode
        self._layer_config = serialize_layer(layer)
        self._backward_config = None
        self.forward_layer = _copy(layer, name=f"forward_{layer.name}")
        if backward_layer is None:
            self.backward_layer = _copy(layer, name=f"backward_{layer.name}",
                                        go_backwards=not layer.go_backwards)
        else:
            _check_recurrent(backward_layer, "backward_layer")
            self._check_pair(layer, backward_layer)
            self._backward_config = serialize_layer(backward_layer)
            backward_layer.name = f"backward_{backward_layer.name}"
            self.backward_layer = backward_layer
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        if self._batch_input_shape is None:  # Bidirectional(LSTM(8, input_shape=...)) starts a model
            self._batch_input_shape = layer._batch_input_shape

    @staticmethod
    def _check_pair(layer, backward_layer):
        for arg in ("return_sequences", "return_state"):
            if getattr(layer, arg) != getattr(backward_layer, arg):
                raise ValueError(
                    f"Bidirectional: the forward and backward layers must agree on `{arg}`; "
                    f"{layer.name!r} has {getattr(layer, arg)}, {backward_layer.name!r} has "
                    f"{getattr(backward_layer, arg)}."
                )
        if layer.go_backwards == backward_layer.go_backwards:
            raise ValueError(
                f"Bidirectional: the backward layer must read the other way from the forward "
                f"one, but both have go_backwards={layer.go_backwards}. Build "
                f"{backward_layer.name!r} with go_backwards={not layer.go_backwards}."
            )

    def _check_input_shapes(self, input_shape):
        shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        for inner in (self.forward_layer, self.backward_layer):
            try:
                if inner.built:
                    inner._check_input_shapes(shape)
                else:
                    inner._check_rank(shape)
            except ValueError as err:
                raise ValueError(f"Bidirectional {self.name!r} cannot run its {inner.name!r}: {err}") from None

    def compute_mask(self, inputs, mask=None):
        """The sequence's mask for returned sequences; none for a last step or the states."""
        if isinstance(mask, list):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        return [output_mask] if self.return_state else output_mask  # the states get no mask

    def call(self, inputs, initial_state=None, training=None):
        # 1. split the initial states between the two directions
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = list(initial_state[:half]), list(initial_state[half:])
        # 2. run both directions
        forward = self.forward_layer(inputs, initial_state=forward_state, training=training)
        backward = self.backward_layer(inputs, initial_state=backward_state, training=training)
        states = []
        if self.return_state:
            forward, states = forward[0], forward[1:]
            backward, backward_states = backward[0], backward[1:]
            states = states + backward_states
        # 3. the backward sequence back in time order, then merge
        if self.return_sequences:
            backward = torch.flip(backward, dims=[1])
        merged = _merge(self.merge_mode, forward, backward)
        if self.return_state:
            return merged + states
        return merged[0] if len(merged) == 1 else merged

    def get_config(self):
        config = super().get_config()
        config.update(layer=self._layer_config, merge_mode=self.merge_mode)
        if self._backward_config is not None:
            config["backward_layer"] = self._backward_config
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"))
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = deserialize_layer(backward)
        return cls(layer, **config)


def _check_recurrent(layer, arg):
    if not isinstance(layer, _Recurrent):
        raise TypeError(
            f"Bidirectional({arg}=...) takes a recurrent layer (SimpleRNN, LSTM or GRU), "
            f"e.g. `Bidirectional(LSTM(32))`; it was given {type(layer).__name__} {layer!r}."
        )


def _copy(layer, **changes):
    config = layer.get_config()
    config.update(changes)
    config.pop("batch_input_shape", None)  # the wrapper, not its copies, starts a model
    return type(layer).from_config(config)


def _merge(mode, forward, backward):
    """One tensor from the two directions; a list ``[forward, backward]`` for ``None``."""
    if mode == "concat":
        return [torch.cat([forward, backward], dim=-1)]
    if mode == "sum":
        return [forward + backward]
    if mode == "mul":
        return [forward * backward]
    if mode == "ave":
        return [(forward + backward) / 2]
    return [forward, backward]
