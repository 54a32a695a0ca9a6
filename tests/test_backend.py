"""``kfunc.backend`` as Keras 2 code uses it: settings, values, ``function``, random tensors."""

import pickle
import warnings

import numpy as np
import pytest
import torch

import kfunc
from kfunc import Input, Model, backend as K, config, losses, optimizers
from kfunc.layers import (
    Conv1D, Conv2D, Dense, Dropout, Flatten, GlobalAveragePooling2D, MaxPooling2D,
)


@pytest.fixture(autouse=True)
def default_settings():
    """Each test starts and ends with Keras's default settings."""
    yield
    config.set_image_data_format("channels_last")
    config.set_epsilon(1e-7)


def dense_model(units=3, optimizer="adam"):
    inputs = Input((4,))
    hidden = Dense(5, activation="relu")(inputs)
    model = Model(inputs, Dense(units)(hidden))
    model.compile(optimizer=optimizer, loss="mse")
    return model


def data(n=16):
    rng = np.random.default_rng(0)
    return rng.random((n, 4)).astype("float32"), rng.random((n, 3)).astype("float32")


# ---------------------------------------------------------------- the session


def test_clear_session_restarts_automatic_names():
    assert [Dense(1).name, Dense(1).name] == ["dense", "dense_1"]
    K.clear_session()
    assert Dense(1).name == "dense"


def test_backend_names_torch():
    assert K.backend() == "torch"


def test_learning_phase_is_testing_outside_fit():
    assert K.learning_phase() == 0
    with pytest.warns(DeprecationWarning):
        K.set_learning_phase(0)
    with pytest.raises(NotImplementedError, match="training=True"):
        K.set_learning_phase(1)
    with pytest.raises(ValueError, match="0 .testing. or 1"):
        K.set_learning_phase(2)


def test_in_train_phase_picks_by_training_argument():
    assert K.in_train_phase("train", "test") == "test"  # the global phase: testing
    assert K.in_train_phase("train", "test", training=True) == "train"
    assert K.in_train_phase(lambda: "train", lambda: "test", training=False) == "test"
    assert K.in_test_phase("test", "train", training=False) == "test"


def test_tensorflow_only_names_say_what_to_use():
    with pytest.raises(AttributeError, match="TensorFlow's machinery.*kfunc.Input"):
        K.placeholder(shape=(None, 3))
    with pytest.raises(AttributeError, match="sessions"):
        K.get_session()
    with pytest.raises(AttributeError, match="Did you mean 'image_data_format'"):
        K.image_data_formats  # noqa: B018


# ---------------------------------------------------------------- settings


def test_image_data_format_is_the_default_of_layers_without_one():
    assert K.image_data_format() == config.image_data_format() == "channels_last"
    before = Conv2D(4, 3)
    K.set_image_data_format("channels_first")
    assert K.image_data_format() == "channels_first"
    for layer in (Conv2D(4, 3), MaxPooling2D(), Flatten(), GlobalAveragePooling2D()):
        assert layer.data_format == "channels_first", type(layer).__name__
    assert before.data_format == "channels_last"  # a layer keeps the format it was made with
    assert Conv2D(4, 3, data_format="channels_last").data_format == "channels_last"
    assert Conv1D(4, 3).data_format == "channels_last"  # tf.keras's Conv1D says channels_last itself
    outputs = MaxPooling2D()(Conv2D(8, 3)(Input((3, 32, 32))))
    assert outputs.shape == (None, 8, 15, 15)


def test_set_image_data_format_refuses_other_names():
    with pytest.raises(ValueError, match="'channels_last'.*'channels_first'"):
        K.set_image_data_format("channels_middle")
    assert K.image_data_format() == "channels_last"


def test_floatx_is_float32_and_other_types_are_explained():
    assert K.floatx() == "float32"
    K.set_floatx("float32")
    with pytest.raises(NotImplementedError, match="mixed_precision.set_global_policy"):
        K.set_floatx("float16")
    with pytest.raises(NotImplementedError, match="dtype='float64'"):
        K.set_floatx("float64")
    with pytest.raises(ValueError, match="must be one of"):
        K.set_floatx("float33")


def test_epsilon_is_read_by_ops_losses_and_optimizers():
    assert K.epsilon() == kfunc.ops.epsilon() == 1e-7
    y_true, y_pred = torch.tensor([[1.0]]), torch.tensor([[0.0]])
    assert losses.binary_crossentropy(y_true, y_pred).item() == pytest.approx(-np.log(1e-7), rel=1e-4)
    K.set_epsilon(1e-3)
    assert kfunc.ops.epsilon() == config.epsilon() == 1e-3
    assert losses.binary_crossentropy(y_true, y_pred).item() == pytest.approx(-np.log(1e-3), rel=1e-5)
    assert K.binary_crossentropy(y_true, y_pred).item() == pytest.approx(-np.log(1e-3), rel=1e-5)
    assert optimizers.Adam(epsilon=None).hyper["epsilon"] == 1e-3  # tf.keras: epsilon or backend epsilon
    assert optimizers.Adam().hyper["epsilon"] == 1e-7  # an explicit default stays


# ---------------------------------------------------------------- the learning rate


def test_get_and_set_value_on_the_optimizer_learning_rate():
    model = dense_model(optimizer=optimizers.Adam(learning_rate=0.001))
    assert K.get_value(model.optimizer.lr) == pytest.approx(0.001)
    K.set_value(model.optimizer.lr, 0.01)  # before fit: no torch optimizer yet
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    x, y = data()
    model.fit(x, y, epochs=1, verbose=0)
    assert model.optimizer.torch_optimizer.param_groups[0]["lr"] == pytest.approx(0.01)
    K.set_value(model.optimizer.learning_rate, np.float32(0.5))  # after fit: the torch optimizer's rate
    assert model.optimizer.torch_optimizer.param_groups[0]["lr"] == pytest.approx(0.5)
    assert K.get_value(model.optimizer.lr) == pytest.approx(0.5)


def test_a_tf_keras_learning_rate_callback_runs_unchanged():
    class HalveEachEpoch(kfunc.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            lr = float(K.get_value(self.model.optimizer.lr))
            if epoch > 0:
                K.set_value(self.model.optimizer.lr, lr * 0.5)
            self.seen = getattr(self, "seen", []) + [float(K.get_value(self.model.optimizer.lr))]

    model = dense_model(optimizer=optimizers.SGD(learning_rate=0.08))
    callback = HalveEachEpoch()
    model.fit(*data(), epochs=3, verbose=0, callbacks=[callback])
    assert callback.seen == pytest.approx([0.08, 0.04, 0.02])
    assert model.optimizer.torch_optimizer.param_groups[0]["lr"] == pytest.approx(0.02)


def test_the_learning_rate_is_a_float_that_reads_its_optimizer_now():
    optimizer = optimizers.RMSprop(learning_rate=0.01)
    rate = optimizer.lr
    assert isinstance(rate, float) and rate == 0.01 and repr(rate) == "0.01"
    assert rate * 2 == 0.02
    optimizer.learning_rate = 0.5
    assert K.get_value(rate) == 0.5 and rate.numpy() == 0.5  # the optimizer's rate, not the old number
    rate.assign(0.25)  # tf.keras 2's optimizer.lr.assign(...)
    assert optimizer.learning_rate == 0.25
    copied = pickle.loads(pickle.dumps(rate))
    assert type(copied) is float and copied == 0.01


def test_set_value_on_a_plain_number_explains_what_to_do():
    lr = float(optimizers.Adam().learning_rate)
    with pytest.raises(TypeError, match="model.optimizer.learning_rate = new_value"):
        K.set_value(lr, 0.1)


# ---------------------------------------------------------------- weights and values


def test_get_and_set_value_on_weights():
    model = dense_model()
    kernel, bias = model.layers[1].weights  # reading `weights` gives them values
    np.testing.assert_array_equal(K.get_value(kernel), model.layers[1].get_weights()[0])
    assert [v.shape for v in K.batch_get_value(model.layers[1].weights)] == [(4, 5), (5,)]
    K.set_value(kernel, np.ones((4, 5)))
    K.batch_set_value([(bias, np.full(5, 2.0))])
    np.testing.assert_array_equal(model.layers[1].get_weights()[0], np.ones((4, 5), "float32"))
    np.testing.assert_array_equal(model.layers[1].get_weights()[1], np.full(5, 2.0, "float32"))
    with pytest.raises(ValueError, match=r"shape \(3,\).*shape \(5,\)"):
        K.set_value(bias, np.zeros(3))


def test_weights_without_values_yet_are_explained():
    model = dense_model()
    with pytest.raises(ValueError, match="no values yet.*get_weights"):
        K.get_value(model.layers[1].kernel)


def test_values_of_symbolic_tensors_are_refused():
    x = Input((3,))
    with pytest.raises(ValueError, match="symbolic tensor.*K.function"):
        K.get_value(x)
    with pytest.raises(ValueError, match="symbolic tensor"):
        K.set_value(x, np.zeros(3))


def test_numbers_and_arrays():
    assert K.get_value(3) == 3
    array = np.zeros(3, "float32")
    K.set_value(array, [1, 2, 3])
    np.testing.assert_array_equal(array, [1, 2, 3])
    assert K.eval(torch.tensor([1.0, 2.0])).tolist() == [1.0, 2.0]


def test_variables_and_tensor_helpers():
    v = K.variable([[1, 2], [3, 4]], name="v")
    assert v.dtype == torch.float32 and K.dtype(v) == "float32"
    K.set_value(v, [[0, 0], [0, 1]])
    assert K.eval(v).tolist() == [[0, 0], [0, 1]]
    assert K.count_params(v) == 4 and K.int_shape(v) == (2, 2) and K.ndim(v) == 2
    assert tuple(K.shape(v)) == (2, 2)
    assert K.dtype(Input((3,), dtype="int32")) == "int32"
    assert K.cast_to_floatx([1, 2]).dtype == np.float32
    assert K.cast_to_floatx(torch.tensor([1, 2])).dtype == torch.float32
    assert K.eval(K.ones((2, 3))).sum() == 6 and K.eval(K.zeros_like(v)).sum() == 0
    assert K.eval(K.ones_like(v)).sum() == 4 and K.zeros((2,)).dtype == torch.float32
    assert K.eval(K.constant(2.0, shape=(2,))).tolist() == [2.0, 2.0]
    assert K.int_shape(Input((None, 3))) == (None, None, 3)
    with pytest.raises(ValueError, match="unknown dimensions"):
        K.count_params(Input((3,)))


def test_is_keras_tensor():
    assert K.is_keras_tensor(Input((3,)))
    assert K.is_keras_tensor(Dense(2)(Input((3,))))
    assert not K.is_keras_tensor(torch.zeros(3))
    with pytest.raises(ValueError, match="not a tensor"):
        K.is_keras_tensor(np.zeros(3))  # tf.keras refuses non-tensors too


# ---------------------------------------------------------------- K.function


def test_function_computes_a_hidden_layer_as_torch_does():
    model = dense_model()
    x, _ = data(5)
    hidden = K.function([model.input], [model.layers[1].output])
    (values,) = hidden([x])
    kernel, bias = (torch.from_numpy(w) for w in model.layers[1].get_weights())
    expected = torch.relu(torch.from_numpy(x) @ kernel + bias).numpy()
    np.testing.assert_allclose(values, expected, rtol=1e-6, atol=1e-6)
    assert isinstance(values, np.ndarray)
    single = K.function(model.input, model.output)  # no lists: one array in, one out
    np.testing.assert_allclose(single(x), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)


def test_function_of_several_inputs_and_outputs():
    a, b = Input((2,)), Input((3,))
    joined = kfunc.layers.concatenate([a, b])
    out = Dense(1)(joined)
    f = K.function([a, b], [joined, out])
    joined_value, out_value = f([np.ones((4, 2)), np.zeros((4, 3))])
    assert joined_value.shape == (4, 5) and out_value.shape == (4, 1)
    assert joined_value.dtype == np.float32


def test_function_with_the_learning_phase_among_its_inputs():
    inputs = Input((200,))
    outputs = Dropout(0.5)(inputs)
    f = K.function([inputs, K.learning_phase()], [outputs])
    x = np.ones((2, 200), "float32")
    np.testing.assert_array_equal(f([x, 0])[0], x)  # testing: dropout does nothing
    trained = f([x, 1])[0]
    assert (trained == 0).any() and set(np.unique(trained)) <= {0.0, 2.0}


def test_function_misuse_is_explained():
    model = dense_model()
    with pytest.raises(ValueError, match="input 0 is a ndarray; the inputs must be symbolic"):
        K.function([np.zeros((2, 4))], [model.output])
    with pytest.raises(ValueError, match="updates"):
        K.function([model.input], [model.output], updates=[(1, 2)])
    f = K.function([model.input], [model.output])
    with pytest.raises(ValueError, match="takes 1 input value"):
        f([np.zeros((2, 4)), np.zeros((2, 4))])


# ---------------------------------------------------------------- random tensors


def test_random_normal_has_the_shape_mean_and_spread_asked():
    values = K.random_normal((200, 100), mean=2.0, stddev=0.5)
    assert values.shape == (200, 100) and values.dtype == torch.float32
    assert values.mean().item() == pytest.approx(2.0, abs=0.02)
    assert values.std().item() == pytest.approx(0.5, abs=0.02)


def test_random_uniform_stays_in_its_range():
    values = K.random_uniform((1000,), minval=-3.0, maxval=-1.0, dtype="float64")
    assert values.dtype == torch.float64
    assert values.min().item() >= -3.0 and values.max().item() < -1.0
    assert values.mean().item() == pytest.approx(-2.0, abs=0.1)


def test_random_seed_repeats_the_draw_without_touching_torch_generator():
    state = torch.get_rng_state()
    first = K.random_normal((3, 4), seed=7)
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(first, K.random_normal((3, 4), seed=7))
    assert not torch.equal(first, K.random_normal((3, 4), seed=8))
    assert torch.equal(K.random_uniform((5,), seed=1), K.random_uniform((5,), seed=1))


def test_random_shapes_from_a_tensor_and_bad_shapes():
    x = torch.zeros(6, 2)
    assert K.random_normal(shape=(K.shape(x)[0], 3)).shape == (6, 3)
    with pytest.raises(ValueError, match="whole numbers"):
        K.random_normal((None, 3))


def test_random_normal_in_a_lambda_on_data():
    """The variational autoencoder's sampling, computed on real tensors."""
    sample = kfunc.layers.Lambda(lambda t: t[0] + K.exp(0.5 * t[1]) * K.random_normal(shape=(K.shape(t[0])[0], 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = sample([torch.zeros(4, 2), torch.zeros(4, 2)])
    assert z.shape == (4, 2)
