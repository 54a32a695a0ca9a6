"""kfunc.engine.graph: the walk from a model's outputs back to its inputs."""

import sys

import numpy as np
import pytest

from kfunc.engine.graph import GraphError, map_graph
from kfunc.layers import Dense, Input, add
from kfunc.models import Model


def test_layers_by_decreasing_depth_ties_in_the_order_the_walk_met_them():
    from guide_models import headline_model

    model = headline_model(vocab=50, maxlen=10, embed=8)
    assert [l.name for l in model.layers] == [
        "main_input", "embedding", "lstm", "aux_input", "concatenate",
        "dense", "dense_1", "dense_2", "main_output", "aux_output",
    ]


def test_every_node_comes_after_the_nodes_it_depends_on():
    a = Input(shape=(2,), name="a")
    left, right = Dense(2, name="left")(a), Dense(2, name="right")(a)
    out = Dense(1, name="out")(add([left, right]))
    nodes, layers = map_graph([a], [out])
    order = [n.layer.name for n in nodes]
    assert order[0] == "a" and order[-1] == "out" and order.index("add") > max(order.index("left"), order.index("right"))
    assert [l.name for l in layers] == ["a", "left", "right", "add", "out"]


def test_a_shared_layer_is_listed_once_at_its_greatest_depth():
    a, b = Input(shape=(3,), name="a"), Input(shape=(3,), name="b")
    shared = Dense(3, name="shared")
    out = shared(add([shared(a), b]))
    nodes, layers = map_graph([a, b], [out])
    assert [l.name for l in layers].count("shared") == 1
    assert [n.layer.name for n in nodes].count("shared") == 2


def test_a_declared_input_that_no_output_needs_still_belongs_to_the_model():
    used, unused = Input(shape=(2,), name="used"), Input(shape=(2,), name="unused")
    model = Model([used, unused], Dense(1)(used))
    assert [l.name for l in model.layers] == ["used", "unused", "dense"]
    assert model.predict([np.ones((1, 2)), np.ones((1, 2))], verbose=0).shape == (1, 1)


def test_a_disconnected_graph_names_the_missing_input():
    a, b = Input(shape=(2,), name="a"), Input(shape=(2,), name="b")
    with pytest.raises(GraphError, match=r"Graph disconnected.*It depends on the Input 'b'"):
        map_graph([a], [add([a, b])])


def test_two_layers_with_one_name_are_refused():
    x = Input(shape=(2,))
    with pytest.raises(GraphError, match='The name "twin" is used 2 times'):
        map_graph([x], [Dense(1, name="twin")(Dense(2, name="twin")(x))])


def test_a_chain_deeper_than_the_recursion_limit_builds_and_predicts():
    depth = 2000
    assert depth > sys.getrecursionlimit() / 2
    x = inputs = Input(shape=(2,))
    for _ in range(depth):
        x = Dense(2, use_bias=False, kernel_initializer="identity")(x)
    model = Model(inputs, x)
    assert len(model.layers) == depth + 1 and model.code.count("\n    dense") == depth
    data = np.array([[1.0, -2.0]], dtype="float32")
    np.testing.assert_allclose(model.predict(data, verbose=0), data)
