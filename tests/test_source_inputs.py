"""``kfunc.utils.get_source_inputs``: the Input tensors a symbolic tensor is computed from."""

import pytest
import torch

from kfunc import Input, Model
from kfunc.layers import Add, Concatenate, Dense
from kfunc.utils import get_source_inputs


def test_an_input_is_its_own_source():
    x = Input((3,))
    assert get_source_inputs(x) == [x]


def test_sources_in_the_order_reached_each_once():
    a, b, unused = Input((3,)), Input((3,)), Input((3,))
    dense = Dense(3)
    c = Add()([dense(b), a])
    d = Concatenate()([c, b, a, dense(a)])
    sources = get_source_inputs(d)
    assert len(sources) == 2 and sources[0] is b and sources[1] is a  # tf.keras's order
    assert all(s is not unused for s in sources)
    model = Model(get_source_inputs(d), d)  # the pattern it serves
    assert model.inputs[0] is b


def test_a_nested_model_call_leads_to_the_outer_inputs():
    inner_in = Input((2,))
    inner = Model(inner_in, Dense(2)(inner_in))
    outer_in = Input((2,))
    out = Dense(1)(inner(outer_in))
    assert get_source_inputs(out) == [outer_in]


def test_a_deep_chain_needs_no_recursion():
    x = inputs = Input((2,))
    dense = Dense(2)
    for _ in range(1200):
        x = dense(x)
    assert get_source_inputs(x) == [inputs]


def test_real_values_are_refused():
    with pytest.raises(ValueError, match="symbolic tensor.*got a Tensor"):
        get_source_inputs(torch.zeros(2))
