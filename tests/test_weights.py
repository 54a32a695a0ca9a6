"""kfunc.engine.weights: weights made on the first call, given values only when needed."""

import numpy as np
import pytest
import torch

from kfunc.layers import BatchNormalization, Dense, Input
from kfunc.models import Model


def mlp():
    x = Input(shape=(4,))
    return Model(x, Dense(2, name="out")(Dense(8, name="hidden")(x)))


def on_meta(model):
    return [p.is_meta for layer in model.layers for p in layer._parameters.values()]


@pytest.mark.parametrize("use", [
    lambda m: list(m.parameters()),
    lambda m: m.state_dict(),
    lambda m: list(m.buffers()),
    lambda m: m.to(torch.float64),
    lambda m: m.get_weights(),
    lambda m: m(torch.ones(1, 4)),
], ids=["parameters", "state_dict", "buffers", "to", "get_weights", "call on data"])
def test_weights_get_values_at_their_first_use(use):
    model = mlp()
    assert all(on_meta(model)) and not model._is_materialized
    use(model)
    assert not any(on_meta(model)) and model._is_materialized


def test_describing_and_counting_draws_no_value():
    model = mlp()
    assert model.count_params() == 4 * 8 + 8 + 8 * 2 + 2
    model(Input(batch_shape=(7, 4)))  # a symbolic call on another shape runs shape inference only
    assert all(on_meta(model))


def test_shape_inference_of_a_layer_with_values_leaves_them_alone():
    dense = Dense(3, kernel_initializer="ones")
    dense(torch.ones(1, 2))  # now the kernel holds values
    kernel = dense.kernel
    assert dense(Input(shape=(2,))).shape == (None, 3)
    assert dense.kernel is kernel and torch.equal(kernel, torch.ones(2, 3))


def test_a_new_model_over_a_used_layer_draws_no_value_for_the_others():
    used = Dense(4, name="used")
    used(torch.ones(1, 4))
    fresh = Dense(2, name="fresh")
    x = Input(shape=(4,))
    model = Model(x, fresh(used(x)))
    model(Input(batch_shape=(7, 4)))  # shape inference of the whole model, on meta
    assert fresh.kernel.is_meta and not used.kernel.is_meta


def test_trainable_false_freezes_every_weight_and_lists_it_as_non_trainable():
    model = mlp()
    hidden = model.get_layer("hidden")
    hidden.trainable = False
    assert [tuple(w.shape) for w in model.trainable_weights] == [(8, 2), (2,)]
    assert [tuple(w.shape) for w in model.non_trainable_weights] == [(4, 8), (8,)]
    assert not hidden.kernel.requires_grad
    assert [tuple(w.shape) for w in model.weights] == [(8, 2), (2,), (4, 8), (8,)]


def test_keras_order_trainable_first_then_the_moving_statistics():
    bn = BatchNormalization()
    bn(Input(shape=(3,)))
    assert [w.shape[0] for w in bn.weights] == [3, 3, 3, 3]
    assert [bn.gamma, bn.beta] == bn.trainable_weights
    assert [bn.moving_mean, bn.moving_variance] == bn.non_trainable_weights


def test_a_shared_weight_is_counted_and_listed_once():
    x = Input(shape=(3,))
    shared = Dense(3, name="shared")
    model = Model(x, shared(shared(x)))
    assert model.count_params() == 12 and len(model.weights) == 2


def test_set_weights_with_the_wrong_number_of_arrays_says_what_it_expects():
    dense = Dense(2)
    dense(Input(shape=(3,)))
    with pytest.raises(ValueError, match=r"has 2 weight\(s\) \(\(3, 2\), \(2,\)\), but set_weights received 1"):
        dense.set_weights([torch.zeros(3, 2).numpy()])


def test_count_params_before_the_first_call_explains():
    with pytest.raises(ValueError, match="no weights yet: it is built on its first call"):
        Dense(2).count_params()


def features_mlp():
    """test_functional's model: features (8) -> hidden (16, relu) -> probs (3, softmax)."""
    inputs = Input(shape=(8,), name="features")
    hidden = Dense(16, activation="relu", name="hidden")(inputs)
    return Model(inputs, Dense(3, activation="softmax", name="probs")(hidden))


def test_weights_stay_on_meta_until_needed():
    model = features_mlp()
    assert all(p.is_meta for layer in model.layers for p in layer._parameters.values())
    assert model.count_params() == 8 * 16 + 16 + 16 * 3 + 3
    model.get_weights()
    assert not any(p.is_meta for p in model.parameters())


def test_set_weights_checks_every_shape_before_changing_any():
    model = features_mlp()
    before = model.get_weights()
    bad = [np.ones_like(w) for w in before]
    bad[-1] = np.ones(4)
    with pytest.raises(ValueError, match=r"shape \(3,\) was given an array of shape \(4,\)"):
        model.set_weights(bad)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


# ----------------------------------------------------------------------------- add_weight, Keras's signature

from kfunc import constraints, initializers, regularizers  # noqa: E402
from kfunc.layers import Layer  # noqa: E402


class Linear(Layer):
    """The keras.io guide's custom layer: unnamed weights made in __init__, kept as attributes."""

    def __init__(self, units=3, input_dim=4):
        super().__init__()
        self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return inputs @ self.w + self.b


def test_unnamed_weights_take_the_attribute_names_they_are_kept_under():
    layer = Linear()
    assert layer._weight_names == ["w", "b"]
    out = layer(torch.ones(2, 4))  # the values are drawn under those names
    assert out.shape == (2, 3) and list(layer.state_dict()) == ["w", "b"]
    assert torch.allclose(out, torch.ones(2, 4) @ layer.w + layer.b)


def test_weights_not_kept_as_attributes_are_variable_variable_1():
    class Pair(Layer):
        def build(self, input_shape):
            self.pair = [self.add_weight(shape=(2,)), self.add_weight(shape=(2,))]

    layer = Pair()
    layer(torch.ones(1, 2))
    assert layer._weight_names == ["variable", "variable_1"]


def test_a_custom_layer_with_add_weight_trains_in_a_model():
    x = Input(shape=(4,))
    model = Model(x, Linear()(x))
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    model.fit(np.random.rand(8, 4), np.random.rand(8, 3), verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_default_initializer_is_glorot_uniform_for_floats_and_zeros_otherwise():
    class Two(Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", (50, 50))
            self.count = self.add_weight("count", (), dtype="int64", trainable=False)

    layer = Two()
    layer(torch.ones(1, 1))
    limit = np.sqrt(6 / 100)
    assert layer.kernel.abs().max() <= limit and layer.kernel.std() > limit / 3
    assert layer.count.dtype == torch.int64 and layer.count.item() == 0
    assert layer.trainable_weights == [layer.kernel] and layer.non_trainable_weights == [layer.count]


def test_initializer_regularizer_and_constraint_by_name_or_object():
    class Scale(Layer):
        def build(self, input_shape):
            self.a = self.add_weight(name="a", shape=(2,), initializer=initializers.Constant(3.0),
                                     regularizer="l2", constraint=constraints.NonNeg())
            self.b = self.add_weight(name="b", shape=(2,), initializer="ones", regularizer=regularizers.l1(0.5),
                                     constraint="max_norm")

        def call(self, inputs):
            return inputs * self.a * self.b

    layer = Scale()
    layer(torch.ones(1, 2))
    assert layer.a.tolist() == [3.0, 3.0] and layer.b.tolist() == [1.0, 1.0]
    assert [v.item() for v in layer.losses] == pytest.approx([0.01 * 18, 0.5 * 2])
    assert isinstance(layer._constraints["a"], constraints.NonNeg)
    assert isinstance(layer._constraints["b"], constraints.MaxNorm)


def test_kfuncs_earlier_argument_order_still_gives_the_initializer():
    class Old(Layer):
        def build(self, input_shape):
            self.k = self.add_weight("k", (2,), "ones")

    layer = Old()
    layer(torch.ones(1, 2))
    assert layer.k.tolist() == [1.0, 1.0] and layer.k.dtype == torch.float32


def test_tensorflow_options_are_accepted_and_typos_refused():
    class Tf(Layer):
        def build(self, input_shape):
            self.k = self.add_weight("k", (2,), aggregation="mean", synchronization="auto", use_resource=True)

    Tf()(torch.ones(1, 2))

    class Typo(Layer):
        def build(self, input_shape):
            self.k = self.add_weight("k", (2,), initialiser="ones")

    with pytest.raises(TypeError, match=r"add_weight\(\) got an unknown argument 'initialiser'"):
        Typo()(torch.ones(1, 2))
