"""Model subclassing: layers as attributes, the forward pass in ``call``, trained like any model."""

import numpy as np
import pytest
import torch

import kfunc
from kfunc import Input, Model
from kfunc.layers import BatchNormalization, Dense, Dropout


class TwoDense(Model):
    def __init__(self, units=8, **kwargs):
        super().__init__(**kwargs)
        self.hidden = Dense(units, activation="relu")
        self.out = Dense(1)

    def call(self, inputs, training=None):
        return self.out(self.hidden(inputs))


class TwoHeads(Model):
    """Two outputs, and a Dropout that records the training flag it was called with."""

    def __init__(self):
        super().__init__(name="two_heads")
        self.hidden = Dense(6, activation="tanh")
        self.drop = Dropout(0.5)
        self.regression = Dense(1)
        self.classes = Dense(3, activation="softmax")
        self.seen_training = []

    def call(self, inputs, training=None):
        self.seen_training.append(training)
        x = self.drop(self.hidden(inputs), training=training)
        return self.regression(x), self.classes(x)


def regression_data(n=64, features=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    return x, (x[:, :1] * 2 - x[:, 1:2]).astype("float32")


def test_numerics_match_hand_written_torch_with_copied_weights():
    model = TwoDense()
    x, _ = regression_data(5)
    got = model.predict(x, verbose=0)
    kernel1, bias1, kernel2, bias2 = (torch.from_numpy(w) for w in model.get_weights())
    assert kernel1.shape == (4, 8) and kernel2.shape == (8, 1)  # Keras layouts
    expected = torch.relu(torch.from_numpy(x) @ kernel1 + bias1) @ kernel2 + bias2
    np.testing.assert_allclose(got, expected.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model(torch.from_numpy(x)).detach().numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_fit_lowers_the_loss_and_evaluate_and_predict_work():
    kfunc.utils.set_random_seed(0)
    model = TwoDense()
    x, y = regression_data()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert list(history.history) == ["loss", "mae"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    loss, mae = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(float(np.mean((model.predict(x, verbose=0) - y) ** 2)), rel=1e-4)
    assert model.predict(x, verbose=0).shape == (64, 1)


def test_layers_weights_and_names_come_from_attributes_and_the_first_call():
    model = TwoDense(name="regressor")
    assert model.name == "regressor" and not model.built
    assert [l.name for l in model.layers] == ["dense", "dense_1"]
    model.build((None, 4))
    assert model.built and model.count_params() == 4 * 8 + 8 + 8 + 1
    assert [tuple(w.shape) for w in model.trainable_weights] == [(4, 8), (8,), (8, 1), (1,)]
    assert model.input_names == ["input_1"] and model.output_names == ["output_1"]
    assert [t.shape for t in model.outputs] == [(None, 1)]
    assert len(list(model.parameters())) == 4


def test_lists_and_dicts_of_layers_are_tracked_in_assignment_order():
    class Stacked(Model):
        def __init__(self):
            super().__init__()
            self.blocks = [Dense(4, name="a"), Dense(4, name="b")]
            self.heads = {"left": Dense(1, name="left"), "right": Dense(2, name="right")}

        def call(self, inputs):
            for block in self.blocks:
                inputs = block(inputs)
            return {name: head(inputs) for name, head in self.heads.items()}

    model = Stacked()
    assert [l.name for l in model.layers] == ["a", "b", "left", "right"]
    outputs = model(np.ones((2, 3), dtype="float32"))
    assert outputs["right"].shape == (2, 2)
    assert model.output_names == ["left", "right"]
    assert len(model.trainable_weights) == 8
    model.compile(optimizer="sgd", loss={"left": "mse", "right": "mse"})
    history = model.fit(np.ones((8, 3)), {"left": np.zeros((8, 1)), "right": np.ones((8, 2))}, verbose=0)
    assert set(history.history) == {"loss", "left_loss", "right_loss"}
    assert isinstance(model.predict(np.ones((2, 3)), verbose=0), dict)


def test_two_outputs_get_tf_keras_names_and_training_reaches_call():
    kfunc.utils.set_random_seed(0)
    model = TwoHeads()
    x, y = regression_data()
    labels = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0)
    model.compile(optimizer="adam", loss=["mse", "sparse_categorical_crossentropy"], metrics={"output_2": "accuracy"})
    model.seen_training.clear()
    history = model.fit(x, [y, labels], epochs=2, batch_size=32, verbose=0)
    assert model.output_names == ["output_1", "output_2"]
    assert set(history.history) == {"loss", "output_1_loss", "output_2_loss", "output_2_accuracy"}
    assert model.seen_training.count(True) == 2 * 2  # every training batch (fit's checks run in inference)
    model.seen_training.clear()
    first = model.predict(x, verbose=0)
    assert set(model.seen_training) == {False}
    np.testing.assert_array_equal(first[1], model.predict(x, verbose=0)[1])  # no dropout outside fit
    assert isinstance(first, list) and first[1].shape == (64, 3)


def test_training_flag_reaches_dropout_and_batch_normalization():
    class Normalized(Model):
        def __init__(self):
            super().__init__()
            self.norm = BatchNormalization()
            self.drop = Dropout(0.9)

        def call(self, inputs, training=None):
            return self.drop(self.norm(inputs, training=training), training=training)

    model = Normalized()
    x = np.random.default_rng(0).normal(3.0, 2.0, size=(32, 5)).astype("float32")
    inference = model.predict(x, verbose=0)
    np.testing.assert_allclose(inference, model.predict(x, verbose=0))
    trained = model(torch.from_numpy(x), training=True)
    assert (trained == 0).float().mean() > 0.5  # dropout on
    assert not np.allclose(model.norm.get_weights()[2], 0.0)  # moving mean moved
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros_like(x), epochs=1, verbose=0)


def test_save_weights_round_trip_gives_identical_predictions(tmp_path):
    model = TwoDense()
    x, y = regression_data()
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "weights.kfunc"
    model.save_weights(path)
    again = TwoDense()
    again.build((None, 4))
    again.load_weights(path)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_save_and_get_config_refuse_and_point_to_save_weights(tmp_path):
    model = TwoDense()
    model.build((None, 4))
    with pytest.raises(NotImplementedError, match=r"subclassed model.*save_weights"):
        model.save(tmp_path / "model.kfunc")
    with pytest.raises(NotImplementedError, match="subclassed model"):
        model.get_config()
    assert not (tmp_path / "model.kfunc").exists()


def test_summary_before_and_after_build():
    model = TwoDense(name="regressor")
    with pytest.raises(ValueError, match=r"has not been built yet.*build\(input_shape\)"):
        model.summary()
    model.build((None, 4))
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[0] == 'Model: "regressor"'
    assert lines[4].split() == ["dense", "(Dense)", "multiple", "40"]
    assert lines[6].split() == ["dense_1", "(Dense)", "multiple", "9"]
    assert "Total params: 49" in lines
    assert "Connected to" not in lines[2]
    assert model._repr_mimebundle_() == {"text/plain": "\n".join(lines)}


def test_a_functional_model_inside_a_subclassed_one():
    inputs = Input(shape=(4,))
    encoder = Model(inputs, Dense(3, activation="relu", name="code")(inputs), name="encoder")

    class WithEncoder(Model):
        def __init__(self):
            super().__init__()
            self.encoder = encoder
            self.head = Dense(1)

        def call(self, inputs, training=None):
            return self.head(self.encoder(inputs))

    model = WithEncoder()
    x, y = regression_data()
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.layers == [encoder, model.head]
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               model.head(torch.from_numpy(encoder.predict(x, verbose=0))).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    assert len(encoder.get_layer("code").inbound_nodes) == 1  # its inner layers record no new node


def test_a_subclassed_model_inside_a_functional_one_is_one_node():
    inner = TwoDense(name="inner")
    inputs = Input(shape=(4,))
    outputs = Dense(2, name="after")(inner(inputs))
    model = Model(inputs, outputs)
    assert [l.name for l in model.layers] == ["input_1", "inner", "after"]
    assert len(inner.inbound_nodes) == 1 and inner.input is inputs
    assert inner.get_output_shape_at(0) == (None, 1)
    assert inner.hidden.inbound_nodes == []  # the subclassed model's inside is not a graph
    x, y = regression_data()
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, np.concatenate([y, -y], axis=1), epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               model.get_layer("after")(torch.from_numpy(inner.predict(x, verbose=0))).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_several_inputs_in_a_list_and_by_build():
    class Joined(Model):
        def __init__(self):
            super().__init__()
            self.left, self.right = Dense(2), Dense(2)

        def call(self, inputs):
            a, b = inputs
            return self.left(a) + self.right(b)

    model = Joined()
    a, b = np.ones((6, 3), "float32"), np.ones((6, 5), "float32")
    model.compile(optimizer="sgd", loss="mse")
    model.fit([a, b], np.zeros((6, 2)), verbose=0)
    assert model.input_names == ["input_1", "input_2"]
    assert [t.shape for t in model.inputs] == [(None, 3), (None, 5)]
    other = Joined()
    other.build([(None, 3), (None, 5)])
    assert other.count_params() == model.count_params() == 3 * 2 + 2 + 5 * 2 + 2


def test_a_user_build_runs_before_the_first_call():
    class Scaled(Model):
        def __init__(self):
            super().__init__()
            self.dense = Dense(2)

        def build(self, input_shape):
            self.scale = self.add_weight("scale", (input_shape[-1],), initializer="ones")
            super().build(input_shape)

        def call(self, inputs):
            return self.dense(inputs * self.scale)

    model = Scaled()
    out = model(torch.ones(3, 4))
    assert out.shape == (3, 2) and model.scale.shape == (4,)
    assert model.count_params() == 4 + 4 * 2 + 2


def test_no_call_and_no_inputs_is_still_an_error():
    with pytest.raises(ValueError, match="needs `inputs`"):
        Model()


def test_code_shows_call_and_the_explorer_explains_there_are_no_nodes():
    from kfunc.widgets import explore

    model = TwoDense(name="regressor")
    model.build((None, 4))
    assert model.code.lstrip().startswith("def call(self, inputs, training=None):")
    with pytest.raises(ValueError, match="'regressor' is a subclassed model.*no nodes to explore"):
        explore(model)


def test_a_layer_set_before_super_init_is_explained():
    class Forgetful(Model):
        def __init__(self):
            self.dense = Dense(2)
            super().__init__()

        def call(self, inputs):
            return self.dense(inputs)

    with pytest.raises(AttributeError, match=r"sets the layer\(s\) 'dense' before calling `super\(\).__init__\(\)`"):
        Forgetful()
