"""The classic mistakes: each gets an error that names the culprit, and changes nothing.

Every test makes one mistake on a model that has already trained a little (so its
optimizer has state), and checks four things:

1. the error's type (``ValueError`` or ``TypeError``);
2. that its message names the offending thing (the input, output, layer or
   argument, with the expected and the given shape or count, or the closest name);
3. that the model is exactly as before: the same ``get_weights()``, the same
   predictions, the same nodes on every layer, the same optimizer state;
4. that it still trains afterwards.
"""

import copy

import numpy as np
import pytest
import torch

from kfunc import Input, Model, layers as L


# ----------------------------------------------------------------------------- models and data


def two_in_two_out():
    """Inputs 'numbers' (4,) and 'extra' (3,); outputs 'score' (1, sigmoid) and 'kind' (3, softmax)."""
    numbers = Input(shape=(4,), name="numbers")
    extra = Input(shape=(3,), name="extra")
    hidden = L.Dense(8, activation="relu", name="hidden")(L.concatenate([numbers, extra]))
    score = L.Dense(1, activation="sigmoid", name="score")(hidden)
    kind = L.Dense(3, activation="softmax", name="kind")(hidden)
    model = Model([numbers, extra], [score, kind])
    model.compile(optimizer="adam", loss=["binary_crossentropy", "categorical_crossentropy"])
    return model


def two_in_two_out_data(n=16, seed=0):
    rng = np.random.default_rng(seed)
    x = [rng.standard_normal((n, 4)).astype("float32"), rng.standard_normal((n, 3)).astype("float32")]
    y = [rng.integers(0, 2, (n, 1)).astype("float32"), np.eye(3, dtype="float32")[rng.integers(0, 3, n)]]
    return x, y


def words_model():
    """Ids 'words' (5,) -> Embedding 'vocab' (input_dim 10) -> one sigmoid output."""
    words = Input(shape=(5,), dtype="int64", name="words")
    vectors = L.Embedding(10, 4, name="vocab")(words)
    out = L.Dense(1, activation="sigmoid", name="out")(L.Flatten()(vectors))
    model = Model(words, out)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def words_data(n=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 10, (n, 5)), rng.integers(0, 2, (n, 1)).astype("float32")


class Snapshot:
    """What must not change: weights, predictions, nodes, optimizer state, mode."""

    def __init__(self, model, x):
        self.x = x
        self.weights = [w.copy() for w in model.get_weights()]
        self.predictions = _as_list(model.predict(x, verbose=0))
        self.nodes = _node_counts(model)
        self.optimizer = copy.deepcopy(model.optimizer.state_dict()) if model.optimizer is not None else None
        self.optimizer_object = model.optimizer
        self.compiled = model._compiled

    def assert_unchanged(self, model):
        after = model.get_weights()
        assert len(after) == len(self.weights)
        for before, now in zip(self.weights, after):
            np.testing.assert_array_equal(before, now)
        assert _node_counts(model) == self.nodes
        assert model.optimizer is self.optimizer_object and model._compiled is self.compiled
        if self.optimizer is not None:
            _assert_same_state(self.optimizer, model.optimizer.state_dict())
        assert not model.training
        for before, now in zip(self.predictions, _as_list(model.predict(self.x, verbose=0))):
            np.testing.assert_array_equal(before, now)


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _node_counts(model):
    return {layer.name: (len(layer._inbound_nodes), len(layer._outbound_nodes)) for layer in model._layer_tree()}


def _assert_same_state(a, b):
    if isinstance(a, torch.Tensor):
        assert torch.equal(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _assert_same_state(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _assert_same_state(u, v)
    else:
        assert a == b


def assert_still_trains(model, x, y):
    before = [w.copy() for w in model.get_weights()]
    iterations = model.optimizer.iterations
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert model.optimizer.iterations > iterations
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


@pytest.fixture
def trained():
    """The two-input, two-output model after one epoch, its data, and its snapshot."""
    model = two_in_two_out()
    x, y = two_in_two_out_data()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    return model, x, y, Snapshot(model, x)


@pytest.fixture
def trained_words():
    model = words_model()
    x, y = words_data()
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    return model, x, y, Snapshot(model, x)


def refused(call, error, *fragments):
    """Run ``call``, expecting ``error`` whose message holds every fragment; returns the message."""
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in: {message}"
    return message


# ----------------------------------------------------------------------------- sample counts


def test_inputs_and_targets_with_different_sample_counts(trained):
    model, x, y, snapshot = trained
    short_y = [y[0][:10], y[1][:10]]
    refused(lambda: model.fit(x, short_y, verbose=0), ValueError, "same number of samples", "16", "10")
    refused(lambda: model.evaluate(x, short_y, verbose=0), ValueError, "16", "10")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


def test_two_inputs_with_different_sample_counts(trained):
    model, x, y, snapshot = trained
    refused(lambda: model.fit([x[0], x[1][:9]], y, verbose=0), ValueError,
            "same number of samples", "'numbers': 16", "'extra': 9")
    refused(lambda: model.predict([x[0], x[1][:9]], verbose=0), ValueError, "'numbers': 16", "'extra': 9")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


# ----------------------------------------------------------------------------- shapes of inputs


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_wrong_feature_size_names_the_input_and_its_shape(trained, method):
    model, x, y, snapshot = trained
    wide = [x[0], np.zeros((16, 5), "float32")]
    call = {"fit": lambda: model.fit(wide, y, verbose=0), "evaluate": lambda: model.evaluate(wide, y, verbose=0),
            "predict": lambda: model.predict(wide, verbose=0)}[method]
    refused(call, ValueError, "Input 'extra'", "(3,)", "(16, 5)")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


def test_wrong_rank_names_the_input_and_its_shape(trained):
    model, x, y, snapshot = trained
    images = [x[0].reshape(16, 2, 2), x[1]]
    refused(lambda: model.fit(images, y, verbose=0), ValueError, "Input 'numbers'", "(4,)", "(16, 2, 2)")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


def test_wrong_number_of_input_arrays_says_how_many_and_their_names(trained):
    model, x, y, snapshot = trained
    for wrong in ([x[0]], [x[0], x[1], x[1]]):
        refused(lambda: model.fit(wrong, y, verbose=0), ValueError, f"list of {len(wrong)} arrays", "2 input",
                "'numbers'", "'extra'")
    refused(lambda: model.fit(x[0], y, verbose=0), ValueError, "single array", "2 inputs", "'numbers'", "'extra'")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


def test_wrong_number_of_target_arrays_says_how_many_and_their_names(trained):
    model, x, y, snapshot = trained
    refused(lambda: model.fit(x, y + [y[0]], verbose=0), ValueError, "list of 3 arrays", "2 output",
            "'score'", "'kind'")
    refused(lambda: model.fit(x, y[1], verbose=0), ValueError, "single array", "'score'", "'kind'")
    refused(lambda: model.fit(x, verbose=0), ValueError, "needs targets", "'score'", "'kind'")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


# ----------------------------------------------------------------------------- dicts


def test_dict_inputs_with_a_missing_key(trained):
    model, x, y, snapshot = trained
    refused(lambda: model.fit({"numbers": x[0]}, y, verbose=0), ValueError, "'extra'", "keys: ['numbers']")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, {"numbers": x[0], "extra": x[1]}, y)


def test_dict_inputs_with_a_misspelt_key_suggest_the_closest_name(trained):
    model, x, y, snapshot = trained
    refused(lambda: model.fit({"numbers": x[0], "extar": x[1]}, y, verbose=0), ValueError,
            "'extar'", "Did you mean 'extra'?")
    refused(lambda: model.predict({"numbrs": x[0], "extra": x[1]}, verbose=0), ValueError,
            "'numbrs'", "Did you mean 'numbers'?")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


def test_dict_inputs_with_an_extra_key(trained):
    model, x, y, snapshot = trained
    refused(lambda: model.fit({"numbers": x[0], "extra": x[1], "labels": y[0]}, y, verbose=0), ValueError,
            "'labels'", "['numbers', 'extra']")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


def test_dict_targets_with_missing_misspelt_or_extra_keys(trained):
    model, x, y, snapshot = trained
    refused(lambda: model.fit(x, {"score": y[0]}, verbose=0), ValueError, "'kind'")
    refused(lambda: model.fit(x, {"score": y[0], "kinds": y[1]}, verbose=0), ValueError,
            "'kinds'", "Did you mean 'kind'?")
    refused(lambda: model.fit(x, {"score": y[0], "kind": y[1], "other": y[0]}, verbose=0), ValueError,
            "'other'", "['score', 'kind']")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, {"score": y[0], "kind": y[1]})


# ----------------------------------------------------------------------------- targets


def test_targets_that_do_not_fit_the_output_and_its_loss(trained):
    model, x, y, snapshot = trained
    refused(lambda: model.fit(x, [y[0], y[1][:, :2]], verbose=0), ValueError, "Output 'kind'", "(None, 3)", "(16, 2)")
    refused(lambda: model.fit(x, [np.zeros((16, 2)), y[1]], verbose=0), ValueError, "Output 'score'", "(16, 2)")
    labels = np.argmax(y[1], axis=1)
    refused(lambda: model.fit(x, [y[0], labels[:, None]], verbose=0), ValueError, "Output 'kind'",
            "categorical_crossentropy", "to_categorical", "sparse_categorical_crossentropy")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


def test_targets_for_a_custom_loss_are_checked_before_any_batch():
    def squared_error(y_true, y_pred):
        return torch.mean((y_true - y_pred) ** 2, dim=-1)

    inputs = Input(shape=(None, 2), name="steps")
    outputs = L.TimeDistributed(L.Dense(3), name="per_step")(inputs)
    model = Model(inputs, outputs)
    model.compile(optimizer="sgd", loss=squared_error)
    x = np.random.default_rng(0).standard_normal((8, 5, 2)).astype("float32")
    model.fit(x, np.zeros((8, 5, 3), "float32"), verbose=0)
    snapshot = Snapshot(model, x)
    # the time axis is unknown to the symbolic shapes: (None, None, 3); 4 steps cannot meet 5
    refused(lambda: model.fit(x, np.zeros((8, 4, 3), "float32"), verbose=0), ValueError,
            "Output 'per_step'", "squared_error", "(2, 4, 3)", "(2, 5, 3)")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, np.ones((8, 5, 3), "float32"))


def test_sparse_labels_outside_the_classes(trained):
    model, x, y, snapshot = trained
    model.compile(optimizer="adam", loss=["binary_crossentropy", "sparse_categorical_crossentropy"])
    snapshot = Snapshot(model, x)
    labels = np.arange(16) % 4  # class 3 does not exist
    refused(lambda: model.fit(x, [y[0], labels], verbose=0), ValueError, "'kind'", "3 classes", "0 to 3")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, [y[0], np.arange(16) % 3])


# ----------------------------------------------------------------------------- Embedding ids


def test_ids_outside_input_dim_are_refused_before_the_first_batch(trained_words):
    model, x, y, snapshot = trained_words
    bad = x.copy()
    bad[-1, 2] = 10  # in the last batch: refused before the first one moves a weight
    refused(lambda: model.fit(bad, y, batch_size=4, verbose=0), ValueError,
            "'words'", "Embedding 'vocab'", "id 10", "input_dim is 10")
    bad[-1, 2] = -1
    refused(lambda: model.fit(bad, y, batch_size=4, verbose=0), ValueError, "Embedding 'vocab'", "id -1")
    refused(lambda: model.evaluate(bad, y, verbose=0), ValueError, "Embedding 'vocab'", "id -1")
    refused(lambda: model.predict(bad, verbose=0), ValueError, "Embedding 'vocab'", "id -1")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


def test_ids_reaching_an_embedding_inside_a_nested_model_are_checked_too():
    inner_ids = Input(shape=(5,), dtype="int64")
    encoder = Model(inner_ids, L.GlobalAveragePooling1D()(L.Embedding(10, 3, name="inner_vocab")(inner_ids)))
    ids = Input(shape=(5,), dtype="int64", name="sentence")
    model = Model(ids, L.Dense(1, name="out")(encoder(ids)))
    model.compile(optimizer="adam", loss="mse")
    x, y = words_data()
    model.fit(x, y, batch_size=4, verbose=0)
    snapshot = Snapshot(model, x)
    bad = x.copy()
    bad[-1, 0] = 12
    refused(lambda: model.fit(bad, y, batch_size=4, verbose=0), ValueError,
            "'sentence'", "Embedding 'inner_vocab'", "id 12")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


def test_float_ids_that_are_not_whole_numbers(trained_words):
    model, x, y, snapshot = trained_words
    fractional = x.astype("float32")
    fractional[5, 0] = 2.5
    refused(lambda: model.fit(fractional, y, verbose=0), ValueError, "Embedding 'vocab'", "2.5", "input_dim=10")
    refused(lambda: model.predict(fractional, verbose=0), ValueError, "Embedding 'vocab'", "2.5")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x.astype("float32"), y)  # whole numbers as floats are fine


# ----------------------------------------------------------------------------- fit arguments


@pytest.mark.parametrize("split", [1.0, -0.1, 1.5])
def test_validation_split_outside_zero_one(trained, split):
    model, x, y, snapshot = trained
    refused(lambda: model.fit(x, y, validation_split=split, verbose=0), ValueError,
            f"validation_split={split}", "[0, 1)")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


def test_fit_arguments_of_the_wrong_kind_name_the_argument(trained):
    model, x, y, snapshot = trained
    refused(lambda: model.fit(x, y, validation_split="0.2", verbose=0), TypeError, "validation_split")
    refused(lambda: model.fit(x, y, epochs="3", verbose=0), TypeError, "epochs")
    refused(lambda: model.fit(x, y, batch_size=0, verbose=0), ValueError, "batch_size")
    refused(lambda: model.fit(x, y, epohcs=3, verbose=0), TypeError, "'epohcs'", "Did you mean 'epochs'?")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch"])
def test_training_before_compile_says_to_compile(method):
    numbers = Input(shape=(4,))
    model = Model(numbers, L.Dense(1)(numbers))
    x, y = np.zeros((4, 4), "float32"), np.zeros((4, 1), "float32")
    weights = model.get_weights()
    message = refused(lambda: getattr(model, method)(x, y), ValueError, "compile")
    assert "model.compile(" in message
    with pytest.raises(RuntimeError):  # Keras's type for it, too
        getattr(model, method)(x, y)
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, verbose=0)


# ----------------------------------------------------------------------------- compile


@pytest.mark.parametrize("arguments, fragments", [
    ({"loss": "binary_crossentropie"}, ["'binary_crossentropie'", "Did you mean 'binary_crossentropy'?"]),
    ({"loss": "mse", "metrics": ["acuracy"]}, ["'acuracy'", "Did you mean 'accuracy'?"]),
    ({"optimizer": "adamm", "loss": "mse"}, ["'adamm'", "Did you mean 'adam'?", "rmsprop"]),
    ({"loss": {"score": "mse", "knid": "mse"}}, ["'knid'", "Did you mean 'kind'?", "['score', 'kind']"]),
    ({"loss": ["mse"]}, ["list of 1", "2 output", "'score'", "'kind'"]),
    ({"loss": "mse", "loss_weights": [1.0, 0.5, 0.2]}, ["loss_weights", "list of 3", "2 output"]),
])
def test_compile_mistakes_leave_the_previous_compile(trained, arguments, fragments):
    model, x, y, snapshot = trained
    refused(lambda: model.compile(**{"optimizer": "sgd", **arguments}), ValueError, *fragments)
    snapshot.assert_unchanged(model)  # the same optimizer (with its state), losses and heads
    assert model.metrics_names == ["loss", "score_loss", "kind_loss"]
    assert_still_trains(model, x, y)


def test_unknown_activation_lists_the_valid_names():
    message = refused(lambda: L.Dense(3, activation="rleu"), ValueError, "'rleu'", "Did you mean 'relu'?")
    assert "sigmoid" in message and "softmax" in message


def test_unknown_layer_argument_suggests_the_closest():
    message = refused(lambda: L.Dense(3, activaton="relu"), TypeError, "Dense()", "'activaton'",
                      "Did you mean 'activation'?")
    assert "units" in message


# ----------------------------------------------------------------------------- building the graph


def test_input_without_a_shape_explains():
    refused(lambda: Input(), ValueError, "shape", "Input(shape=(784,))")


def built_graph():
    """A small built model and its layers, to make building mistakes against."""
    numbers = Input(shape=(4,), name="numbers")
    dense = L.Dense(3, name="dense_a")
    hidden = dense(numbers)
    model = Model(numbers, L.Dense(1, name="dense_b")(hidden))
    model.compile(optimizer="adam", loss="mse")
    x, y = np.ones((8, 4), "float32"), np.zeros((8, 1), "float32")
    model.fit(x, y, verbose=0)
    return model, dense, x, y


@pytest.mark.parametrize("argument, fragments", [
    ([1.0, 2.0, 3.0, 4.0], ["'dense_a'", "list of numbers", "np.array"]),
    ("hello", ["'dense_a'", "string 'hello'"]),
])
def test_layer_called_on_numbers_or_a_string(argument, fragments):
    model, dense, x, y = built_graph()
    snapshot = Snapshot(model, x)
    refused(lambda: dense(argument), TypeError, *fragments)
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


def test_layer_called_on_a_layer_object():
    model, dense, x, y = built_graph()
    snapshot = Snapshot(model, x)
    refused(lambda: dense(model.get_layer("dense_b")), TypeError, "'dense_a'", "layer 'dense_b' itself")
    refused(lambda: L.Dense(2)(L.Dense(4, name="not_called")), TypeError, "'not_called'", "not_called(x)")
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


def test_layer_recalled_on_an_incompatible_shape_adds_no_node():
    model, dense, x, y = built_graph()
    snapshot = Snapshot(model, x)
    other = Input(shape=(6,), name="other")
    refused(lambda: dense(other), ValueError, "'dense_a'", "last dimension 4", "(None, 6)")
    assert other._keras_history.layer._outbound_nodes == []
    conv = L.Conv2D(2, 3, name="conv")
    conv(Input(shape=(8, 8, 3)))
    message = refused(lambda: conv(Input(shape=(8, 8, 5))), ValueError, "'conv'", "(None, 8, 8, 5)")
    assert "(None, 8, 8, 3)" in message or "3" in message
    assert len(conv._inbound_nodes) == 1
    snapshot.assert_unchanged(model)
    assert_still_trains(model, x, y)


def test_merge_of_mismatched_shapes_names_both():
    a, b = Input(shape=(4,), name="a"), Input(shape=(5,), name="b")
    refused(lambda: L.add([a, b]), ValueError, "Add layer", "(None, 4)", "(None, 5)", "concatenate")
    refused(lambda: L.concatenate([Input(shape=(4, 2)), Input(shape=(5, 3))]), ValueError,
            "Concatenate layer", "(None, 4, 2)", "(None, 5, 3)")
    refused(lambda: L.multiply([a]), ValueError, "Multiply layer", "at least 2")
    assert a._keras_history.layer._outbound_nodes == [] and b._keras_history.layer._outbound_nodes == []


def test_time_distributed_model_without_a_time_axis_says_so():
    step = Input(shape=(4,))
    per_step = Model(step, L.Dense(2)(step), name="per_step")
    wrapper = L.TimeDistributed(per_step, name="every_step")
    refused(lambda: wrapper(Input(shape=(4,))), ValueError, "'every_step'", "no time axis", "(None, 4)",
            "Input(shape=(timesteps, 4))")
    refused(lambda: wrapper(Input(shape=(7, 3))), ValueError, "'every_step'", "'per_step'", "(None, 3)", "(None, 4)")
    assert wrapper._inbound_nodes == [] and not wrapper.built
    out = wrapper(Input(shape=(7, 4)))  # the right call still works
    assert out.shape == (None, 7, 2)


def test_model_from_a_non_input_tensor_explains():
    model, dense, x, y = built_graph()
    refused(lambda: Model(dense.output, model.output), ValueError, "Input(", "'dense_a'")


def test_integer_features_reach_float_layers_as_floats():
    counts = Input(shape=(3,), dtype="int64", name="counts")
    out = L.Dense(2, name="d")(L.BatchNormalization()(counts))
    model = Model(counts, out)
    assert out.dtype == "float32"
    x = np.arange(12).reshape(4, 3)
    manual = model.predict(x.astype("float32"), verbose=0)
    np.testing.assert_allclose(model.predict(x, verbose=0), manual, rtol=1e-6)


def test_a_torch_failure_inside_a_layer_names_the_layer():
    steps = Input(shape=(None, 2), name="steps")
    pooled = L.Conv1D(2, 5, name="wide_conv")(steps)
    model = Model(steps, pooled)
    message = refused(lambda: model.predict(np.zeros((1, 3, 2), "float32"), verbose=0), ValueError,
                      "'wide_conv'", "(1, 3, 2)")
    assert "Torch reported" in message
