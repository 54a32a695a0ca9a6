"""The node explorer's panel: the facts of one call, with the node's public attributes."""

from kfunc import Model
from kfunc.layers import Dense, Input, concatenate
from kfunc.widgets.node_details import info_html, info_text, node_info


def _shared_model():
    a, b = Input(shape=(3,), name="left"), Input(shape=(3,), name="right")
    shared = Dense(2, name="shared")
    merged = concatenate([shared(a), shared(b)], name="both")
    return Model([a, b], merged), shared


def test_panel_shows_the_public_attributes_of_a_shared_call():
    model, shared = _shared_model()
    info = node_info(shared, 1, model)
    assert (info.outbound_layer, info.input_shapes, info.output_shapes) == ("shared", "(None, 3)", "(None, 2)")
    text = info_text(info)
    assert "node.inbound_layers: right" in text and "node.outbound_layer: shared" in text
    assert "node.input_shapes: (None, 3)" in text and "node.output_shapes: (None, 2)" in text
    assert "<code>node.input_shapes</code></th><td style='text-align: left'><code>(None, 3)</code>" in info_html(info)


def test_panel_writes_several_inbound_layers_as_a_list_and_none_for_an_input():
    model, _ = _shared_model()
    text = info_text(node_info(model.get_layer("both"), 0, model))
    assert "node.inbound_layers: [shared, shared]" in text
    assert "node.input_shapes: [(None, 2), (None, 2)]" in text
    text = info_text(node_info(model.get_layer("left"), 0, model))
    assert "node.inbound_layers: []" in text and "node.input_shapes: (None, 3)" in text
