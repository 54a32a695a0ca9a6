"""kfunc.engine.shape_inference: output shapes from two runs on torch's meta device."""

import pytest
import torch

from kfunc.engine.shape_inference import run_on_meta
from kfunc.layers import Dense, Input, Layer


class MatMul(Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1], 2))

    def call(self, x):
        return x @ self.kernel


def test_unknown_dimensions_stay_unknown_known_ones_are_found():
    seq = Input(shape=(None, 3))
    assert Dense(4)(seq).shape == (None, None, 4)

    class FirstTwoSteps(Layer):
        def call(self, x):
            return x[:, :2]

    class SumOverTime(Layer):
        def call(self, x):
            return x.sum(dim=1)

    assert FirstTwoSteps()(seq).shape == (None, 2, 3)
    assert SumOverTime()(seq).shape == (None, 3)


def test_stand_in_sizes_differ_between_the_two_runs():
    seen = []

    class Spy(Layer):
        def call(self, x):
            seen.append((tuple(x.shape), x.device.type))
            return x

    Spy()(Input(shape=(None, 3)))
    assert seen == [((2, 8, 3), "meta"), ((3, 11, 3), "meta")]
    seen.clear()
    Spy()(Input(batch_shape=(4, 3)))  # nothing unknown: one run is enough
    assert seen == [((4, 3), "meta")]


def test_a_layer_may_make_tensors_in_call_on_its_inputs_device():
    class AddPositions(Layer):
        def call(self, x):
            return x + torch.arange(x.shape[1], dtype=x.dtype, device=x.device)[None, :, None]

    class WithOnes(Layer):
        def call(self, x):
            return torch.cat([x, x.new_ones(x.shape[0], 1)], dim=-1)

    assert AddPositions()(Input(shape=(None, 3))).shape == (None, None, 3)
    assert WithOnes()(Input(shape=(4,))).shape == (None, 5)


def test_a_tensor_made_inside_call_is_a_stand_in_too():
    class AddOnes(Layer):
        def call(self, x):
            return x + torch.ones(4)  # no device given: inference makes it on meta

    layer = AddOnes()
    assert layer(Input(shape=(4,))).shape == (None, 4)
    assert torch.equal(layer(torch.zeros(2, 4)), torch.ones(2, 4))


def test_a_tensor_pinned_to_the_cpu_inside_call_is_explained_with_the_layer():
    class CpuOnes(Layer):
        def call(self, x):
            return x + torch.ones(4, device="cpu")

    with pytest.raises(ValueError, match=r"Layer 'cpu_ones' \(CpuOnes\) cannot be called on an input of shape "
                                         r"\(None, 4\)\. Torch reported: .*device"):
        CpuOnes()(Input(shape=(4,)))


def test_a_later_call_on_another_shape_recalls_the_first_one():
    layer = MatMul(name="matmul")
    layer(Input(shape=(3,)))
    with pytest.raises(ValueError, match=r"\(None, 5\)\. Its first call was on \(None, 3\), which fixed its weights"):
        layer(Input(shape=(5,)))
    assert len(layer._inbound_nodes) == 1


def test_a_layer_returning_no_tensor_is_refused():
    class Nothing(Layer):
        def call(self, x):
            return 3

    with pytest.raises(TypeError, match="returned int, not a tensor"):
        Nothing()(Input(shape=(2,)))


def test_run_on_meta_uses_meta_copies_of_weights_with_values():
    layer = MatMul()
    layer(torch.ones(1, 3))  # the kernel now holds values
    out = run_on_meta(layer, (Input(shape=(3,)),), {})
    assert out.is_meta and tuple(out.shape) == (2, 2) and not layer.kernel.is_meta
