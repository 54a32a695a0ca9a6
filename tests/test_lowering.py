"""kfunc.engine.lowering: a model's nodes become a torch.fx program, printed by model.code."""

import pytest
import torch
from torch import fx

from kfunc.layers import LSTM, Dense, Input, Lambda, Layer, add
from kfunc.models import Model


def nested_model():
    x = Input(shape=(3,), name="x")
    (a, b), c = Lambda(lambda t: [[t * 2, t + 1], t - 1], name="split")(x)
    return Model(x, add([a, b, c], name="total"))


def test_nested_outputs_are_read_one_level_at_a_time():
    model = nested_model()
    assert model.code.strip() == "\n".join([
        "def forward(self, x):",
        "    split = self.split(x);  x = None",
        "    getitem = split[0]",
        "    getitem_1 = getitem[0]",
        "    getitem_2 = getitem[1];  getitem = None",
        "    getitem_3 = split[1];  split = None",
        "    total = self.total([getitem_1, getitem_2, getitem_3]);  getitem_1 = getitem_2 = getitem_3 = None",
        "    return total",
    ])


def test_nested_outputs_compute_what_the_hand_computation_gives():
    model = nested_model()
    t = torch.tensor([[1.0, -2.0, 0.5]])
    torch.testing.assert_close(model(t), (t * 2) + (t + 1) + (t - 1))
    torch.testing.assert_close(torch.as_tensor(model.predict(t.numpy(), verbose=0)), 4 * t)


def test_a_layer_with_several_outputs_is_unpacked_with_getitem():
    x = Input(shape=(5, 3), name="seq")
    out, h, c = LSTM(4, return_state=True, name="lstm")(x)
    model = Model(x, [out, c])
    lines = [line.split(";")[0].strip() for line in model.code.splitlines()]
    assert lines[4:9] == [
        "lstm = self.lstm(seq)", "getitem = lstm[0]", "getitem_1 = lstm[1]", "getitem_2 = lstm[2]",
        "return [getitem, getitem_2]",
    ]


def test_a_shared_layer_is_one_submodule_called_once_per_node():
    a, b = Input(shape=(2,), name="a"), Input(shape=(2,), name="b")
    shared = Dense(2, name="shared")
    model = Model([a, b], add([shared(a), shared(b)]))
    assert model.code.count("self.shared(") == 2
    assert [name for name, _ in model.graph_module.named_children()] == ["shared", "add"]
    assert model.graph_module.shared is shared


def test_dict_outputs_and_names_that_are_not_identifiers():
    x = Input(shape=(2,), name="2d input")
    model = Model(x, {"first": Dense(1, name="class")(x), "second": Dense(1, name="code")(x)})
    code = model.code
    assert "def forward(self, layer_2d_input):" in code
    assert "layer_class = self.layer_class(layer_2d_input)" in code and "layer_code = self.layer_code(" in code
    assert "return {'first': layer_class, 'second': layer_code}" in code
    assert isinstance(model.graph_module, fx.GraphModule)


def test_a_layer_returning_other_nesting_on_data_is_named():
    class Moody(Layer):
        """Two outputs while the model is described, one on data: a layer bug to report."""

        def call(self, x):
            return [x, x] if x.is_meta else [x]

    x = Input(shape=(2,))
    first, second = Moody(name="moody")(x)
    model = Model(x, add([first, second]))
    with pytest.raises(ValueError, match=r"Layer 'moody' \(Moody\) returned, on data, tensors nested otherwise"):
        model(torch.ones(1, 2))


def test_an_error_inside_an_inner_layer_names_that_layer_not_the_model():
    x = Input(shape=(3,))
    inner = Lambda(lambda t: t[:, [0, 5]], output_shape=(2,), name="picker")
    model = Model(x, Dense(1)(inner(x)))
    with pytest.raises(ValueError, match=r"Layer 'picker' \(Lambda\) failed on its input"):
        model(torch.ones(1, 3))


def features_mlp():
    """test_functional's model: features (8) -> hidden (16, relu) -> probs (3, softmax)."""
    inputs = Input(shape=(8,), name="features")
    hidden = Dense(16, activation="relu", name="hidden")(inputs)
    return Model(inputs, Dense(3, activation="softmax", name="probs")(hidden))


def test_code_is_readable_python():
    code = features_mlp().code
    assert "def forward(self, features)" in code
    assert "hidden = self.hidden(features)" in code
    assert "probs = self.probs(hidden)" in code
