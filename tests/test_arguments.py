"""kfunc._errors.arguments: what a layer may be made with and called on."""

import numpy as np
import pytest
import torch

from kfunc._errors.arguments import parameter_names
from kfunc.layers import Dense, Input, Layer


def test_parameter_names_gather_every_constructor_up_the_classes():
    names = parameter_names(Dense)
    assert {"units", "activation", "name", "trainable", "input_shape"} <= names
    assert "output_dim" not in names


def test_an_unknown_argument_is_refused_with_a_guess_and_the_list():
    with pytest.raises(TypeError, match=r"Dense\(\) got an unknown argument 'activaton'='relu'. Did you mean 'activation'\?"):
        Dense(3, activaton="relu")


def test_a_subclass_may_take_its_own_keywords_through_kwargs():
    class Scaled(Layer):
        def __init__(self, **kwargs):
            self.factor = kwargs.pop("factor", 1.0)
            super().__init__(**kwargs)

        def call(self, x):
            return x * self.factor

    assert Scaled(factor=3.0, name="scaled")(torch.ones(1, 2)).tolist() == [[3.0, 3.0]]


def test_a_layer_called_on_a_layer_explains_both_ways():
    encoder = Dense(2, name="encoder")
    with pytest.raises(TypeError, match="called on the layer 'encoder' itself"):
        Dense(1)(encoder)
    with pytest.raises(TypeError, match="called on the layer 'encoder' itself"):
        Dense(1)([Input(shape=(2,)), encoder])


def test_data_mixed_into_a_model_under_construction_is_refused():
    with pytest.raises(TypeError, match="mix of symbolic tensors and real data"):
        Dense(1)([Input(shape=(2,)), np.zeros((1, 2))])


def test_calls_on_data_that_is_not_a_tensor_explain_what_to_pass():
    dense = Dense(1, name="d")
    with pytest.raises(TypeError, match="called without an input"):
        dense()
    with pytest.raises(TypeError, match="called on the string 'abc'"):
        dense("abc")
    with pytest.raises(TypeError, match=r"Python list of numbers. .*np.array"):
        dense([[1.0, 2.0]])


def test_a_torch_failure_on_data_names_the_layer_and_the_shapes():
    dense = Dense(2, name="d")
    dense(torch.ones(1, 3))
    with pytest.raises(ValueError, match=r"Layer 'd' \(Dense\) failed on its input: shape \(1, 4\) \(float32\)"):
        dense(torch.ones(1, 4))


def test_a_setting_given_to_the_call_is_refused_naming_the_layer_and_the_constructor():
    x = Input(shape=(4,))
    with pytest.raises(TypeError, match=r"Layer 'dense\w*' \(Dense\) was called with the keyword argument 'units'.*"
                                        r"Its call takes: inputs\. .*constructor, `Dense\(\.\.\.\)`"):
        Dense(3)(x, units=3)
    assert Dense(3)(x).shape == (None, 3)  # the failed call left nothing half-made


def test_training_and_mask_are_dropped_for_a_call_that_does_not_take_them():
    x = Input(shape=(4,))
    assert Dense(3)(x, training=True).shape == (None, 3)
    assert Dense(3)(x, mask=None).shape == (None, 3)
    data = torch.ones(2, 4)
    assert Dense(3)(data, training=False).shape == (2, 3)
