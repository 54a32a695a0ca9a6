"""kfunc.engine.layer: the Layer base class, its call, and its node accessors."""

import numpy as np
import pytest
import torch

from kfunc.engine.layer import NodeAttributeError
from kfunc.layers import Dense, Input, Layer


class Scale(Layer):
    """A layer in the one shape every layer has: __init__, build, call, get_config."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor
        self.builds = 0

    def build(self, input_shape):
        self.builds += 1
        self.w = self.add_weight("w", (input_shape[-1],), initializer="ones")

    def call(self, inputs):
        return inputs * self.w * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_a_symbolic_call_builds_once_infers_the_shape_and_records_a_node():
    layer = Scale(name="scale")
    x = Input(shape=(3,))
    y = layer(x)
    z = layer(y)
    assert layer.builds == 1 and layer.w.shape == (3,)
    assert (y.shape, z.shape) == ((None, 3), (None, 3))
    assert [n.outputs for n in layer._inbound_nodes] == [[y], [z]]
    assert layer.w.is_meta  # nothing computed, nothing allocated


def test_a_call_on_data_computes_and_gives_the_weights_values():
    layer = Scale(3.0)
    out = layer(np.ones((2, 4), dtype="float64"))  # numpy in, float64 becomes float32
    assert out.dtype == torch.float32 and out.tolist() == [[3.0] * 4] * 2
    assert not layer.w.is_meta


def test_integer_inputs_become_floats_for_layers_that_compute_on_floats():
    dense = Dense(2, kernel_initializer="ones")
    assert dense(torch.tensor([[1, 2]])).tolist() == [[3.0, 3.0]]
    assert Layer()(torch.tensor([[1, 2]])).dtype == torch.int64  # a plain layer passes ids along


def test_get_config_rebuilds_the_layer():
    layer = Scale(5.0, name="five", trainable=False)
    copy = Scale.from_config(layer.get_config())
    assert (copy.name, copy.factor, copy.trainable) == ("five", 5.0, False)


def test_batch_input_shape_from_input_shape_or_input_dim():
    assert Dense(1, input_shape=(4,))._batch_input_shape == (None, 4)
    assert Dense(1, input_dim=4, batch_size=8)._batch_input_shape == (8, 4)
    assert Dense(1)._batch_input_shape is None


def test_a_bad_name_is_refused():
    with pytest.raises(ValueError, match="non-empty string without '/'"):
        Dense(1, name="a/b")


def test_never_called_is_an_attribute_error_and_a_runtime_error_as_tf_keras_raises():
    dense = Dense(1)
    for read in (lambda: dense.output, lambda: dense.get_output_at(0), lambda: dense.input_shape):
        with pytest.raises(NodeAttributeError, match="Layer dense has never been called") as caught:
            read()
        assert isinstance(caught.value, AttributeError) and isinstance(caught.value, RuntimeError)


def test_a_property_explains_itself_without_torchs_message_chained():
    dense = Dense(1)
    with pytest.raises(AttributeError) as caught:
        dense.output
    assert caught.value.__context__ is None and "object has no attribute" not in str(caught.value)


def test_an_unknown_attribute_is_torchs_attribute_error():
    with pytest.raises(AttributeError, match="'Dense' object has no attribute 'colour'"):
        Dense(1).colour


def test_accessors_of_a_multi_output_call_give_lists():
    from kfunc.layers import LSTM

    lstm = LSTM(4, return_state=True)
    outputs = lstm(Input(shape=(5, 3)))
    assert lstm.output == outputs and lstm.get_output_at(0) == outputs
    assert lstm.output_shape == [(None, 4), (None, 4), (None, 4)]
    assert lstm.inbound_nodes == lstm._inbound_nodes and lstm.inbound_nodes is not lstm._inbound_nodes


def test_rebuilding_a_custom_layer_without_get_config_names_the_missing_arguments():
    class Positional(Layer):
        def __init__(self, maxlen, vocab_size, **kwargs):
            super().__init__(**kwargs)
            self.maxlen, self.vocab_size = maxlen, vocab_size

    config = Positional(10, 20).get_config()
    with pytest.raises(NotImplementedError, match=r"Positional cannot be rebuilt from its config: its constructor "
                                                  r"needs maxlen, vocab_size.*`get_config\(\)`"):
        Positional.from_config(config)


def test_torch_hooks_on_a_layer_still_run_when_it_computes():
    seen = []
    layer = Dense(2)
    layer(torch.zeros(1, 3))
    handle = layer.register_forward_hook(lambda module, args, output: seen.append(output.shape))
    layer(torch.zeros(4, 3))
    handle.remove()
    layer(torch.zeros(5, 3))
    assert seen == [torch.Size([4, 2])]
    global_handle = torch.nn.modules.module.register_module_forward_hook(lambda m, a, o: seen.append("all"))
    try:
        layer(torch.zeros(1, 3))
    finally:
        global_handle.remove()
    assert seen[-1] == "all"
