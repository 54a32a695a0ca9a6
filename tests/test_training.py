"""compile, fit, evaluate and predict: argument forms, Keras's numbers, and torch as the oracle."""

import os
import signal

import numpy as np
import pytest
import torch

import guide_models as guide
import kfunc
from kfunc import Input, Model, Sequential
from kfunc.callbacks import Callback, LambdaCallback
from kfunc.layers import Dense
from kfunc.optimizers import SGD


def small_binary_model(features=4, name=None):
    inputs = Input(shape=(features,))
    hidden = Dense(8, activation="relu")(inputs)
    outputs = Dense(1, activation="sigmoid")(hidden)
    return Model(inputs, outputs, name=name)


def binary_data(n=100, features=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("float32")
    return x, y


def per_sample_bce(y, p):
    p = np.clip(p.astype("float64"), 1e-7, 1 - 1e-7)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def headline(vocab=30, maxlen=6, embed=4):
    return guide.headline_model(vocab=vocab, maxlen=maxlen, embed=embed)


def headline_data(n=24, vocab=30, maxlen=6):
    rng = np.random.default_rng(1)
    ids = rng.integers(1, vocab, size=(n, maxlen)).astype("int32")
    extra = rng.random((n, 5)).astype("float32")
    labels = (rng.random(n) > 0.5).astype("float32")
    return ids, extra, labels


# ----------------------------------------------------------------------------- the guide's models


def test_dense_network_of_the_guide_trains_with_accuracy_key():
    model = guide.dense_network()
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    data = rng.random((64, 784)).astype("float32")
    labels = kfunc.utils.to_categorical(rng.integers(0, 10, 64), 10)
    history = model.fit(data, labels, verbose=0)
    assert list(history.history) == ["loss", "accuracy"]
    assert model.metrics_names == ["loss", "accuracy"]


def test_headline_model_list_form_history_keys():
    model = headline()
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", loss_weights=[1.0, 0.2])
    ids, extra, labels = headline_data()
    history = model.fit([ids, extra], [labels, labels], epochs=2, batch_size=8, validation_split=0.25, verbose=0)
    assert list(history.history) == [
        "loss", "main_output_loss", "aux_output_loss", "val_loss", "val_main_output_loss", "val_aux_output_loss",
    ]
    h = history.history
    for i in range(2):  # the total is the weighted sum of the per-output losses
        assert h["loss"][i] == pytest.approx(h["main_output_loss"][i] + 0.2 * h["aux_output_loss"][i], rel=1e-5)
        assert h["val_loss"][i] == pytest.approx(h["val_main_output_loss"][i] + 0.2 * h["val_aux_output_loss"][i],
                                                 rel=1e-5)


def test_headline_model_dict_form_matches_list_form():
    ids, extra, labels = headline_data()
    results = []
    for form in ("list", "dict"):
        kfunc.utils.clear_session()
        kfunc.utils.set_random_seed(3)
        model = headline()
        if form == "list":
            model.compile(optimizer="rmsprop", loss="binary_crossentropy", loss_weights=[1.0, 0.2])
            history = model.fit([ids, extra], [labels, labels], epochs=2, batch_size=8, verbose=0)
        else:
            model.compile(
                optimizer="rmsprop",
                loss={"main_output": "binary_crossentropy", "aux_output": "binary_crossentropy"},
                loss_weights={"main_output": 1.0, "aux_output": 0.2},
            )
            history = model.fit({"main_input": ids, "aux_input": extra}, {"main_output": labels, "aux_output": labels},
                                epochs=2, batch_size=8, verbose=0)
        results.append(history.history)
    assert results[0].keys() == results[1].keys()
    for key in results[0]:
        np.testing.assert_allclose(results[0][key], results[1][key], rtol=1e-5)


def test_multi_output_metric_names_as_given_and_prefixed():
    model = headline()
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc", "mae"])
    assert model.metrics_names == [
        "loss", "main_output_loss", "aux_output_loss", "main_output_acc", "main_output_mae", "aux_output_acc",
        "aux_output_mae",
    ]
    ids, extra, labels = headline_data()
    history = model.fit([ids, extra], [labels, labels], verbose=0)
    assert list(history.history) == model.metrics_names
    values = model.evaluate([ids, extra], [labels, labels], verbose=0, return_dict=True)
    assert list(values) == model.metrics_names


def test_metrics_dict_per_output():
    model = headline()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics={"aux_output": ["accuracy"]})
    assert model.metrics_names == ["loss", "main_output_loss", "aux_output_loss", "aux_output_accuracy"]


def test_shared_lstm_model_trains():
    model = guide.shared_lstm_model(length=5, alphabet=3)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    a, b = rng.random((16, 5, 3)).astype("float32"), rng.random((16, 5, 3)).astype("float32")
    history = model.fit([a, b], (rng.random(16) > 0.5).astype("float32"), epochs=2, verbose=0)
    assert list(history.history) == ["loss", "accuracy"] and history.epoch == [0, 1]


# ----------------------------------------------------------------------------- Keras's numbers


def test_validation_split_takes_the_tail_before_shuffling():
    x, y = binary_data(100)
    model = small_binary_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["acc"])
    history = model.fit(x, y, epochs=1, batch_size=16, validation_split=0.25, shuffle=True, verbose=0)
    loss, acc = model.evaluate(x[75:], y[75:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(loss, rel=1e-6)
    assert history.history["val_acc"][0] == pytest.approx(acc, rel=1e-6)


def count_batches(model, **fit_args):
    seen = []
    model.fit(callbacks=[LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))], verbose=0,
              **fit_args)
    return seen


def test_100_samples_at_default_batch_size_are_4_steps():
    x, y = binary_data(100)
    model = small_binary_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    assert count_batches(model, x=x, y=y) == [0, 1, 2, 3]


def test_steps_per_epoch_caps_batches_and_continues_the_data():
    x, y = binary_data(100)
    model = small_binary_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    assert count_batches(model, x=x, y=y, steps_per_epoch=2, epochs=2) == [0, 1, 0, 1]
    stream = kfunc.training.data.BatchStream(100, 40)
    first, second = list(stream.epoch(2)), list(stream.epoch(2))
    sizes = [len(range(100)[i]) for i in first + second]
    assert sizes == [40, 40, 20, 40]  # a pass ends with its short batch, then a new pass starts
    assert first[0] == slice(0, 40) and second[0] == slice(80, 100)


def test_initial_epoch_and_epochs_give_epoch_numbers():
    x, y = binary_data(40)
    model = small_binary_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    history = model.fit(x, y, initial_epoch=3, epochs=5, verbose=0)
    assert history.epoch == [3, 4] and len(history.history["loss"]) == 2
    assert model.history is history


def test_validation_freq():
    x, y = binary_data(40)
    model = small_binary_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    history = model.fit(x, y, epochs=4, validation_split=0.25, validation_freq=2, verbose=0)
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 2
    history = model.fit(x, y, epochs=4, validation_data=(x[:8], y[:8]), validation_freq=[1, 4], verbose=0)
    assert len(history.history["val_loss"]) == 2


def test_validation_data_with_sample_weights():
    x, y = binary_data(40)
    w = np.linspace(0.5, 2.0, 40).astype("float32")
    model = small_binary_model()
    model.compile(optimizer=SGD(learning_rate=0.0), loss="binary_crossentropy")
    history = model.fit(x, y, validation_data=(x, y, w), verbose=0)
    per_sample = per_sample_bce(y, model.predict(x)[:, 0])
    assert history.history["val_loss"][0] == pytest.approx(np.mean(w * per_sample), rel=1e-5)


def test_sample_weight_scales_each_sample_loss_not_normalised():
    x, y = binary_data(50)
    w = np.random.default_rng(2).random(50).astype("float32") * 3
    model = small_binary_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    per_sample = per_sample_bce(y, model.predict(x)[:, 0])
    weighted = model.evaluate(x, y, sample_weight=w, batch_size=50, verbose=0)
    assert weighted == pytest.approx(np.mean(w * per_sample), rel=1e-5)
    assert model.evaluate(x, y, batch_size=50, verbose=0) == pytest.approx(np.mean(per_sample), rel=1e-5)


def test_class_weight_equals_the_matching_sample_weights():
    x, y = binary_data(32)
    class_weight = {0: 0.3, 1: 2.5}
    losses, weights = [], []
    for kind in ("class", "sample"):
        kfunc.utils.clear_session()
        kfunc.utils.set_random_seed(5)
        model = small_binary_model()
        model.compile(optimizer=SGD(learning_rate=0.1), loss="binary_crossentropy")
        before = model.predict(x)[:, 0]
        if kind == "class":
            history = model.fit(x, y, batch_size=32, class_weight=class_weight, shuffle=False, verbose=0)
        else:
            w = np.where(y == 1, 2.5, 0.3).astype("float32")
            history = model.fit(x, y, batch_size=32, sample_weight=w, shuffle=False, verbose=0)
        losses.append(history.history["loss"][0])
        weights.append(model.get_weights())
    expected = np.mean(np.where(y == 1, 2.5, 0.3) * per_sample_bce(y, before))
    assert losses[0] == pytest.approx(expected, rel=1e-5) and losses[1] == pytest.approx(expected, rel=1e-5)
    for a, b in zip(*weights):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_class_weight_with_one_hot_targets_and_missing_class():
    model = guide.dense_network()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x = np.random.rand(20, 784).astype("float32")
    y = kfunc.utils.to_categorical(np.arange(20) % 10, 10)
    model.fit(x, y, class_weight={i: 1.0 + i for i in range(10)}, verbose=0)
    with pytest.raises(ValueError, match=r"no weight for the class\(es\) \[9\]"):
        model.fit(x, y, class_weight={i: 1.0 for i in range(9)}, verbose=0)


def test_one_step_matches_a_hand_written_torch_step():
    x, y = binary_data(16)
    model = small_binary_model()
    model.compile(optimizer=SGD(learning_rate=0.5), loss="binary_crossentropy")
    kernel1, bias1, kernel2, bias2 = [torch.tensor(w, requires_grad=True) for w in model.get_weights()]
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)[:, None]
    p = torch.sigmoid(torch.relu(xt @ kernel1 + bias1) @ kernel2 + bias2).clamp(1e-7, 1 - 1e-7)
    loss = -(yt * p.log() + (1 - yt) * (1 - p).log()).mean()
    loss.backward()
    history = model.fit(x, y, batch_size=16, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(loss.item(), rel=1e-6)
    for w, t in zip(model.get_weights(), (kernel1, bias1, kernel2, bias2)):
        np.testing.assert_allclose(w, (t - 0.5 * t.grad).detach().numpy(), rtol=1e-5, atol=1e-7)


def test_epoch_loss_is_the_sample_weighted_mean_of_batch_losses():
    x, y = binary_data(40)
    model = small_binary_model()
    model.compile(optimizer=SGD(learning_rate=0.0), loss="binary_crossentropy", metrics=["acc"])
    history = model.fit(x, y, batch_size=16, shuffle=False, verbose=0)  # batches of 16, 16, 8
    p = model.predict(x)[:, 0]
    assert history.history["loss"][0] == pytest.approx(np.mean(per_sample_bce(y, p)), rel=1e-5)
    assert history.history["acc"][0] == pytest.approx(np.mean((p > 0.5) == y), rel=1e-6)


def test_linearly_separable_problem_is_learned():
    x, y = binary_data(400, features=2)
    inputs = Input(shape=(2,))
    model = Model(inputs, Dense(1, activation="sigmoid")(inputs))
    model.compile(optimizer=kfunc.optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.95
    assert model.evaluate(x, y, verbose=0)[1] > 0.95


def test_accuracy_resolves_from_loss_and_shape():
    heads_of = lambda m: [type(metric).__name__ + ":" + metric.fn.__name__ for h in m._heads for _, metric in h.metrics]  # noqa: E731
    model = guide.dense_network()
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["acc"])
    assert heads_of(model) == ["MeanMetricWrapper:categorical_accuracy"]
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert heads_of(model) == ["MeanMetricWrapper:sparse_categorical_accuracy"]
    binary = small_binary_model()
    binary.compile(optimizer="sgd", loss="mse", metrics=["accuracy"])
    assert heads_of(binary) == ["MeanMetricWrapper:binary_accuracy"]
    # integer labels with a custom loss: the targets' shape decides
    model.compile(optimizer="sgd", loss=lambda t, p: ((p - p) ** 2).mean(-1), metrics=["acc"])
    model.fit(np.random.rand(8, 784).astype("float32"), np.arange(8)[:, None] % 10, verbose=0)
    assert heads_of(model) == ["MeanMetricWrapper:sparse_categorical_accuracy"]


def test_sparse_categorical_crossentropy_with_labels_of_both_shapes():
    model = guide.dense_network()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.rand(30, 784).astype("float32")
    labels = np.arange(30) % 10
    a = model.evaluate(x, labels, verbose=0)
    b = model.evaluate(x, labels[:, None].astype("float64"), verbose=0)
    np.testing.assert_allclose(a, b)
    with pytest.raises(ValueError, match="labels from 1 to 10, but the output has 10 classes"):
        model.evaluate(x, labels + 1, verbose=0)


def test_categorical_crossentropy_with_integer_labels_explains():
    model = guide.dense_network()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="to_categorical.*sparse_categorical_crossentropy"):
        model.fit(np.random.rand(10, 784), np.arange(10)[:, None], verbose=0)


# ----------------------------------------------------------------------------- argument forms


def test_x_as_torch_tensors_and_float64_numpy():
    x, y = binary_data(32)
    model = small_binary_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    a = model.evaluate(torch.from_numpy(x), torch.from_numpy(y), verbose=0)
    b = model.evaluate(x.astype("float64"), y.astype("float64"), verbose=0)
    c = model.evaluate(x, y.tolist(), verbose=0)
    assert a == pytest.approx(b, rel=1e-6) and a == pytest.approx(c, rel=1e-6)


def test_evaluate_returns_scalar_list_or_dict():
    x, y = binary_data(32)
    model = small_binary_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    assert isinstance(model.evaluate(x, y, verbose=0), float)
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["acc", "mse"])
    values = model.evaluate(x, y, verbose=0)
    assert isinstance(values, list) and len(values) == 3
    assert model.evaluate(x, y, verbose=0, return_dict=True) == dict(zip(["loss", "acc", "mse"], values))


def test_predict_forms_and_batching():
    model = headline()
    ids, extra, _ = headline_data(n=70)
    main, aux = model.predict([ids, extra])
    assert isinstance(main, np.ndarray) and main.shape == (70, 1) and aux.shape == (70, 1)
    by_name = model.predict({"main_input": ids, "aux_input": extra}, batch_size=7)
    np.testing.assert_allclose(by_name[0], main, rtol=1e-5, atol=1e-6)
    with torch.no_grad():
        direct = model([torch.from_numpy(ids), torch.from_numpy(extra)])[0].numpy()
    np.testing.assert_allclose(main, direct, rtol=1e-5, atol=1e-6)
    single = small_binary_model()
    out = single.predict(np.zeros((3, 4), "float32"))
    assert isinstance(out, np.ndarray) and out.shape == (3, 1)
    assert single.predict(np.zeros((100, 4)), steps=2, batch_size=10).shape == (20, 1)
    assert single.predict_on_batch(np.zeros((5, 4))).shape == (5, 1)


def test_predict_with_dict_outputs_returns_a_dict():
    inputs = Input(shape=(3,), name="features")
    model = Model(inputs, {"score": Dense(1, name="score")(inputs), "probs": Dense(2, activation="softmax")(inputs)})
    out = model.predict(np.zeros((4, 3), "float32"))
    assert isinstance(out, dict) and set(out) == {"score", "probs"} and out["probs"].shape == (4, 2)


def test_train_and_test_on_batch():
    x, y = binary_data(16)
    model = small_binary_model()
    model.compile(optimizer=SGD(learning_rate=0.0), loss="binary_crossentropy", metrics=["acc"])
    loss, acc = model.train_on_batch(x, y)
    assert [loss, acc] == pytest.approx(model.test_on_batch(x, y), rel=1e-6)
    assert model.test_on_batch(x, y, return_dict=True).keys() == {"loss", "acc"}
    assert not model.training


def test_sequential_compiled_before_it_knows_its_input_shape():
    model = Sequential([Dense(8, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["acc"])
    x, y = binary_data(32)
    history = model.fit(x, y, epochs=2, verbose=0)
    assert list(history.history) == ["loss", "acc"]
    assert model.predict(x).shape == (32, 1)


def test_shuffle_false_is_deterministic_and_batch_shuffle_works():
    x, y = binary_data(48)
    results = []
    for shuffle in (False, False, "batch"):
        kfunc.utils.clear_session()
        kfunc.utils.set_random_seed(1)
        model = small_binary_model()
        model.compile(optimizer="sgd", loss="binary_crossentropy")
        results.append(model.fit(x, y, epochs=2, batch_size=8, shuffle=shuffle, verbose=0).history["loss"])
    assert results[0] == results[1]
    assert results[2] != results[0]


def test_loss_and_metric_objects_and_callables():
    x, y = binary_data(32)
    model = small_binary_model()
    model.compile(optimizer=kfunc.optimizers.Adam(learning_rate=0.01), loss=kfunc.losses.BinaryCrossentropy(),
                  metrics=[kfunc.metrics.BinaryAccuracy(name="bin_acc"), kfunc.metrics.AUC(), kfunc.losses.mse])
    history = model.fit(x, y, epochs=2, verbose=0)
    assert list(history.history) == ["loss", "bin_acc", "auc", "mean_squared_error"]


def test_torch_optimizer_factory():
    import functools

    x, y = binary_data(32)
    model = small_binary_model()
    model.compile(optimizer=functools.partial(torch.optim.SGD, lr=0.05, momentum=0.9), loss="binary_crossentropy")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=5, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before
    assert model.optimizer.learning_rate == pytest.approx(0.05)


def test_weighted_metrics_use_sample_weights():
    x, y = binary_data(32)
    w = np.linspace(0, 2, 32).astype("float32")
    model = small_binary_model()
    model.compile(optimizer=SGD(learning_rate=0.0), loss="binary_crossentropy", metrics=["acc"],
                  weighted_metrics=["acc"])
    assert model.metrics_names == ["loss", "acc", "weighted_acc"]
    values = model.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    right = (model.predict(x)[:, 0] > 0.5) == y
    assert values["acc"] == pytest.approx(right.mean())
    assert values["weighted_acc"] == pytest.approx((w * right).sum() / w.sum(), rel=1e-6)


# ----------------------------------------------------------------------------- errors that teach


def test_fit_before_compile_says_so():
    with pytest.raises(RuntimeError, match="must be compiled"):
        small_binary_model().fit(*binary_data(8), verbose=0)


def test_unknown_loss_and_optimizer_names():
    model = small_binary_model()
    with pytest.raises(ValueError, match="Did you mean 'binary_crossentropy'"):
        model.compile(optimizer="sgd", loss="binary_crossentropie")
    with pytest.raises(ValueError, match="Did you mean 'rmsprop'"):
        model.compile(optimizer="rmsprob", loss="mse")
    with pytest.raises(TypeError, match="Did you mean 'epochs'"):
        model.compile(optimizer="sgd", loss="mse")
        model.fit(*binary_data(8), epoch=3)


def test_loss_list_and_dict_that_do_not_match_the_outputs():
    model = headline()
    with pytest.raises(ValueError, match="list of 1 entries, but the model has 2 output"):
        model.compile(optimizer="sgd", loss=["mse"])
    with pytest.raises(ValueError, match="Unknown output name 'main_ouptut'.*Did you mean 'main_output'"):
        model.compile(optimizer="sgd", loss={"main_ouptut": "mse"})


def test_missing_and_misshapen_data_errors():
    model = headline()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    ids, extra, labels = headline_data()
    with pytest.raises(ValueError, match="No data for the input 'aux_input'"):
        model.fit({"main_input": ids}, [labels, labels], verbose=0)
    with pytest.raises(ValueError, match="list of 1 arrays, but the model has 2 input"):
        model.fit([ids], [labels, labels], verbose=0)
    with pytest.raises(ValueError, match=r"Input 'aux_input' expects samples of shape \(5,\).*\(24, 3\)"):
        model.fit([ids, extra[:, :3]], [labels, labels], verbose=0)
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit([ids, extra[:10]], [labels, labels], verbose=0)
    with pytest.raises(ValueError, match="needs targets"):
        model.fit([ids, extra], verbose=0)


def test_dict_loss_without_an_output_needs_no_targets_for_it():
    model = headline()
    model.compile(optimizer="sgd", loss={"main_output": "binary_crossentropy"}, metrics=["acc"])
    ids, extra, labels = headline_data()
    history = model.fit([ids, extra], {"main_output": labels}, verbose=0)
    assert list(history.history) == ["loss", "main_output_loss", "main_output_acc"]
    model.fit([ids, extra], [labels], verbose=0)  # a list with the targets that are needed
    model.fit([ids, extra], [labels, None], verbose=0)


# ----------------------------------------------------------------------------- interruptions


class StopAt(Callback):
    def __init__(self, epoch, batch, error):
        super().__init__()
        self.epoch, self.batch, self.error, self.weights = epoch, batch, error, None
        self.current = None

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.current, batch) == (self.epoch, self.batch):
            self.weights = self.model.get_weights()
            raise self.error


@pytest.mark.parametrize("error", [KeyboardInterrupt(), RuntimeError("boom")])
def test_exception_leaves_last_batch_weights_and_completed_epochs(error):
    x, y = binary_data(64)
    model = small_binary_model()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    stopper = StopAt(epoch=2, batch=1, error=error)
    with pytest.raises(type(error)):
        model.fit(x, y, epochs=5, batch_size=16, callbacks=[stopper], verbose=0)
    for a, b in zip(model.get_weights(), stopper.weights):
        np.testing.assert_array_equal(a, b)
    assert model.history.epoch == [0, 1] and len(model.history.history["loss"]) == 2
    assert not model.training


def test_ctrl_c_is_honoured_after_the_current_batch():
    x, y = binary_data(64)
    model = small_binary_model()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    seen = {}

    class Interrupt(Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == 2:
                os.kill(os.getpid(), signal.SIGINT)  # arrives during the batch

        def on_train_batch_end(self, batch, logs=None):
            seen["batch"], seen["weights"] = batch, self.model.get_weights()

    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=3, batch_size=16, callbacks=[Interrupt()], verbose=0)
    assert seen["batch"] == 2  # the batch in progress was completed, then fit stopped
    for a, b in zip(model.get_weights(), seen["weights"]):
        np.testing.assert_array_equal(a, b)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_stop_training_is_honoured_after_the_current_batch():
    x, y = binary_data(64)
    model = small_binary_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    batches = []

    def stop(batch, logs):
        batches.append(batch)
        if batch == 1:
            model.stop_training = True

    history = model.fit(x, y, epochs=3, batch_size=16, callbacks=[LambdaCallback(on_train_batch_end=stop)], verbose=0)
    assert batches == [0, 1] and history.epoch == [0]


# ----------------------------------------------------------------------------- display, devices


def test_verbose_levels_print_keras_like_lines(capsys):
    x, y = binary_data(40)
    model = small_binary_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["acc"])
    model.fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=2, verbose=2, validation_split=0.25)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert lines[1].startswith("1/1 - ") and " - loss: " in lines[1] and " - val_acc: " in lines[1]
    model.fit(x, y, epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert out.startswith("Epoch 1/1\n2/2 [==============================] - ") and " - acc: " in out
    model.evaluate(x, y, verbose=1)
    assert capsys.readouterr().out.startswith("2/2 [==============================]")


def test_progress_hook_replaces_the_text_display(capsys):
    from kfunc.training import progress

    made = []

    class Tracker(Callback):
        def on_epoch_end(self, epoch, logs=None):
            made.append(dict(logs))

    progress.progress_hooks.append(lambda verbose, mode: Tracker() if verbose == 1 and mode == "fit" else None)
    try:
        x, y = binary_data(20)
        model = small_binary_model()
        model.compile(optimizer="sgd", loss="binary_crossentropy")
        model.fit(x, y, epochs=2)
    finally:
        progress.progress_hooks.pop()
    assert capsys.readouterr().out == "" and len(made) == 2


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_trains_on_cuda_with_data_moved_per_batch():
    x, y = binary_data(64)
    model = small_binary_model()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["acc"], device="cuda")
    history = model.fit(x, y, epochs=2, verbose=0)
    assert next(model.parameters()).device.type == "cuda" and len(history.epoch) == 2
    assert model.predict(x).shape == (64, 1)


def test_device_argument_on_cpu():
    x, y = binary_data(16)
    model = small_binary_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.fit(x, y, device="cpu", verbose=0)
    assert model.predict(x, device="cpu").shape == (16, 1)


def test_trainable_changes_take_effect_at_the_next_compile():
    x, y = binary_data(32)
    model = small_binary_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    first = model.layers[1]
    first.trainable = False  # without compiling again: still trained, as in Keras
    before = first.get_weights()
    model.fit(x, y, verbose=0)
    assert not np.array_equal(first.get_weights()[0], before[0])
    assert not first.trainable and not first.kernel.requires_grad
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    before = first.get_weights()
    model.fit(x, y, verbose=0)
    np.testing.assert_array_equal(first.get_weights()[0], before[0])
    model.trainable = False
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    history = model.fit(x, y, verbose=0)  # nothing to train: the loss is still reported
    assert len(history.history["loss"]) == 1


def test_jit_compile_runs_the_step_through_torch_compile(monkeypatch):
    compiled = []
    monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: compiled.append(fn) or fn)
    x, y = binary_data(16)
    model = small_binary_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy", jit_compile=True)
    model.fit(x, y, epochs=2, verbose=0)
    assert compiled == [model._fx]
