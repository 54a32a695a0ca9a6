"""Node semantics: every call of a layer is a node, and the accessors read them."""

import pytest

from kfunc.layers import Dense, Input


def test_call_adds_one_node_and_sets_history():
    x = Input(shape=(3,))
    dense = Dense(4)
    y = dense(x)
    assert len(dense._inbound_nodes) == 1
    assert y._keras_history == (dense, 0, 0)
    assert y._keras_history.layer is dense
    producer = x._keras_history.layer
    assert producer._outbound_nodes == [dense._inbound_nodes[0]]
    assert dense._inbound_nodes[0].parent_nodes == [producer._inbound_nodes[0]]


def test_node_indices_follow_call_order():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    dense = Dense(4)
    ya, yb = dense(a), dense(b)
    assert ya._keras_history.node_index == 0
    assert yb._keras_history.node_index == 1
    assert dense.get_output_at(0) is ya
    assert dense.get_output_at(1) is yb
    assert dense.get_input_at(1) is b


def test_output_is_strict_with_several_nodes():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    dense = Dense(4)
    first = dense(a)
    assert dense.output is first
    dense(b)
    with pytest.raises(AttributeError) as err:
        dense.output
    message = str(err.value)
    assert message.startswith(
        'Layer dense has multiple inbound nodes, hence the notion of "layer output" is ill-defined. '
        "Use `get_output_at(node_index)` instead."
    )
    assert "2 nodes" in message
    with pytest.raises(AttributeError, match=r"get_input_at\(node_index\)"):
        dense.input


def test_never_called_layer_explains_itself():
    dense = Dense(4)
    for attribute in ("input", "output", "input_shape", "output_shape"):
        with pytest.raises(AttributeError, match="has never been called"):
            getattr(dense, attribute)
    with pytest.raises(RuntimeError, match="has never been called"):
        dense.get_output_at(0)


def test_out_of_range_node_index_says_how_many_nodes_exist():
    dense = Dense(4)
    dense(Input(shape=(3,)))
    dense(Input(shape=(3,)))
    with pytest.raises(ValueError, match="only 2 inbound nodes"):
        dense.get_output_at(2)


def test_shapes_defined_while_all_nodes_agree():
    dense = Dense(4)
    dense(Input(shape=(3,)))
    dense(Input(shape=(3,)))
    assert dense.input_shape == (None, 3)
    assert dense.output_shape == (None, 4)
    dense(Input(shape=(7, 3)))
    with pytest.raises(AttributeError, match=r"get_input_shape_at\(node_index\)"):
        dense.input_shape
    assert dense.get_input_shape_at(2) == (None, 7, 3)
    assert dense.get_output_shape_at(2) == (None, 7, 4)


def test_failed_call_adds_no_node():
    dense = Dense(4)
    dense(Input(shape=(3,)))
    with pytest.raises(ValueError, match=r"dense.*last dimension 3.*\(None, 5\)"):
        dense(Input(shape=(5,)))
    assert len(dense._inbound_nodes) == 1


def test_failed_first_call_leaves_layer_unbuilt():
    dense = Dense(4)
    with pytest.raises(ValueError):
        dense(Input(shape=(None,)))
    assert not dense.built and dense._inbound_nodes == [] and dense.weights == []
    assert dense(Input(shape=(2,))).shape == (None, 4)


def test_input_layer_node_reports_its_tensor_as_input_and_output():
    x = Input(shape=(3,), name="pixels")
    layer = x._keras_history.layer
    assert layer.name == "pixels"
    assert layer.input is x and layer.output is x
    assert layer.get_input_shape_at(0) == (None, 3)


def test_guide_node_section_lstm():
    from kfunc.layers import LSTM

    a = Input(shape=(140, 256))
    b = Input(shape=(140, 256))
    lstm = LSTM(32)
    encoded_a = lstm(a)
    assert lstm.output == encoded_a
    encoded_b = lstm(b)
    with pytest.raises(AttributeError) as err:
        lstm.output
    assert 'Layer lstm has multiple inbound nodes, hence the notion of "layer output" is ill-defined.' in str(err.value)
    assert lstm.get_output_at(0) == encoded_a
    assert lstm.get_output_at(1) == encoded_b


def test_guide_node_section_conv2d():
    from kfunc.layers import Conv2D

    a = Input(shape=(32, 32, 3))
    b = Input(shape=(64, 64, 3))
    conv = Conv2D(16, (3, 3), padding="same")
    conv(a)
    assert conv.input_shape == (None, 32, 32, 3)
    conv(b)
    with pytest.raises(AttributeError):
        conv.input_shape
    assert conv.get_input_shape_at(0) == (None, 32, 32, 3)
    assert conv.get_input_shape_at(1) == (None, 64, 64, 3)


def test_same_tensor_twice_lists_the_node_twice():
    from kfunc.layers import add

    x = Input(shape=(3,))
    y = add([x, x])
    producer = x._keras_history.layer
    assert producer._outbound_nodes == [y.node, y.node]
    assert len(y.node.parent_nodes) == 2


# ----------------------------------------------------------------------------- public attributes
# tf.keras 2's Node: one layer or shape alone, several in a list (as get_*_at return them).


def test_public_attributes_of_a_one_input_call():
    x = Input(shape=(3,), name="features")
    dense = Dense(4, name="hidden")
    y = dense(x)
    node = dense.inbound_nodes[0]
    assert node.outbound_layer is dense
    assert node.inbound_layers is x._keras_history.layer
    assert node.input_tensors == [x]  # the list the graph walks (Keras 3's form)
    assert node.output_tensors is y
    assert node.input_shapes == (None, 3)
    assert node.output_shapes == (None, 4)


def test_public_attributes_of_a_merge_and_of_several_outputs():
    from kfunc.layers import LSTM, concatenate

    a, b = Input(shape=(3,), name="a"), Input(shape=(5,), name="b")
    merged = concatenate([a, b])
    node = merged.node
    assert node.inbound_layers == [a._keras_history.layer, b._keras_history.layer]
    assert node.input_shapes == [(None, 3), (None, 5)]
    assert node.output_shapes == (None, 8)

    sequence = Input(shape=(6, 2))
    lstm = LSTM(4, return_state=True)
    outputs = lstm(sequence)
    node = lstm.inbound_nodes[0]
    assert node.output_tensors == outputs and len(outputs) == 3
    assert node.output_shapes == [(None, 4), (None, 4), (None, 4)]


def test_public_attributes_agree_with_the_layer_accessors():
    a, b = Input(shape=(3,)), Input(shape=(7, 3))
    dense = Dense(4)
    dense(a), dense(b)
    for i, node in enumerate(dense.inbound_nodes):
        assert node.output_tensors is dense.get_output_at(i)
        assert node.input_shapes == dense.get_input_shape_at(i)
        assert node.output_shapes == dense.get_output_shape_at(i)
        assert node.inbound_layers is dense.get_input_at(i)._keras_history.layer


def test_public_attributes_of_an_input_node():
    x = Input(shape=(3,))
    node = x.node
    assert node.inbound_layers == [] and node.outbound_layer is x._keras_history.layer
    assert node.input_tensors == [] and node.output_tensors is x
    assert node.input_shapes == (None, 3) and node.output_shapes == (None, 3)

