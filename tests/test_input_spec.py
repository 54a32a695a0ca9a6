"""InputSpec: a layer declares the inputs it takes, and every call checks them first, naming the layer."""

import json

import numpy as np
import pytest
import torch

import kfunc
from kfunc import Input, Model
from kfunc.layers import Dense, InputSpec, Layer


class SumOverSteps(Layer):
    """A custom layer for sequences only, as tf.keras's guide writes them."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[2],), initializer="ones")  # (needs a third axis)

    def call(self, inputs):
        return (inputs * self.scale).sum(axis=1)


class Projection(Layer):
    """Sets its spec in build, pinning the last axis as tf.keras's Dense does."""

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 2))
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_shape[-1]})

    def call(self, inputs):
        return inputs @ self.kernel


def test_a_custom_layer_with_an_input_spec_works_on_the_right_rank():
    inputs = Input(shape=(5, 3))
    model = Model(inputs, Dense(1)(SumOverSteps()(inputs)))
    assert model.output_shape == (None, 1)
    assert model.predict(np.ones((2, 5, 3), "float32"), verbose=0).shape == (2, 1)


def test_symbolic_call_of_the_wrong_rank_names_the_layer_before_build():
    layer = SumOverSteps(name="sum_steps")
    with pytest.raises(ValueError) as info:
        layer(Input(shape=(8,)))
    message = str(info.value)
    assert "Input 0 of layer 'sum_steps' (SumOverSteps) is incompatible with the layer" in message
    assert "expected ndim=3, found ndim=2. Full shape received: (None, 8)" in message
    assert not layer.built and layer._inbound_nodes == []  # refused before build, and no node


def test_data_call_of_the_wrong_rank_is_refused_too():
    with pytest.raises(ValueError, match=r"layer 'sum_steps_2'.*expected ndim=3, found ndim=4"):
        SumOverSteps(name="sum_steps_2")(torch.ones(2, 3, 4, 5))


def test_a_spec_set_in_build_checks_the_next_calls():
    layer = Projection(name="proj")
    layer(Input(shape=(4,)))
    assert layer(Input(shape=(7, 4))).shape == (None, 7, 2)
    with pytest.raises(ValueError, match=r"layer 'proj'.*expected axis -1 of the input to have value 4, but it has value 6"):
        layer(Input(shape=(6,)))
    with pytest.raises(ValueError, match=r"expected min_ndim=2, found ndim=1"):
        layer(torch.ones(4))


@pytest.mark.parametrize("spec, shape, dtype, match", [
    (InputSpec(max_ndim=3), (None, 2, 3, 4), "float32", r"expected max_ndim=3, found ndim=4"),
    (InputSpec(dtype="int64"), (None, 3), "float32", r"expected dtype=int64, found dtype=float32"),
    (InputSpec(shape=(None, 3, 4)), (None, 3, 5), "float32", r"expected shape=\(None, 3, 4\), found shape=\(None, 3, 5\)"),
    (InputSpec(shape=(None, 3)), (None, 3, 1), "float32", r"expected ndim=2, found ndim=3"),
    (InputSpec(ndim=2, name="ids"), (None,), "float32", r"Input 0 with name 'ids' of layer 'l'"),
])
def test_each_field_is_checked(spec, shape, dtype, match):
    layer = Layer(name="l")
    with pytest.raises(ValueError, match=match):
        spec.check(layer, 0, shape, dtype)


def test_unknown_sizes_pass_the_size_checks():
    layer = Layer(name="l")
    InputSpec(shape=(None, 3, 4), axes={1: 3}).check(layer, 0, (None, None, 4), "float32")
    InputSpec(dtype=torch.float32).check(layer, 0, (2, 3), "float32")


def test_one_spec_per_input_of_a_layer_with_several():
    class Pair(Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.input_spec = [InputSpec(ndim=2), None]

        def call(self, inputs):
            return inputs[0]

    a, b = Input(shape=(3,)), Input(shape=(3, 3))
    assert Pair()([a, b]).shape == (None, 3)
    with pytest.raises(ValueError, match=r"Input 0 of layer 'pair_1'.*expected ndim=2, found ndim=3"):
        Pair(name="pair_1")([b, a])


def test_config_round_trip_and_repr():
    spec = InputSpec(ndim=3, axes={-1: 8}, dtype="float32")
    again = InputSpec.from_config(json.loads(json.dumps(spec.get_config())))
    assert again.get_config() == spec.get_config()
    assert repr(spec) == "InputSpec(dtype='float32', ndim=3, axes={-1: 8})"
    assert InputSpec(shape=(None, 4)).ndim == 2


def test_axes_outside_the_rank_are_refused():
    with pytest.raises(ValueError, match=r"axis 3 does not exist"):
        InputSpec(ndim=3, axes={3: 2})


def test_input_spec_is_public_where_keras_has_it():
    assert kfunc.layers.InputSpec is InputSpec
    assert Dense(2).input_spec is None
