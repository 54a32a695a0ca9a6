"""Saving and loading: weights, whole models, and files that must be refused."""

import os

import numpy as np
import pytest
import torch

import guide_models as guide
import kfunc
from kfunc import Input, Model, Sequential
from kfunc.layers import LSTM, Dense, Lambda, Layer, concatenate
from kfunc.models import load_model
from kfunc.models.saving import model_from_json, register_keras_serializable


def random_inputs(model, n=3, high=5):
    rng = np.random.default_rng(0)
    return [
        rng.random((n,) + t.shape[1:]).astype("float32") if t.dtype.startswith("float")
        else rng.integers(0, high, (n,) + t.shape[1:]).astype("int32")
        for t in model.inputs
    ]


def _as_list(out):
    return out if isinstance(out, list) else [out]


def small_model(units=8, name=None):
    inputs = Input(shape=(4,))
    hidden = Dense(units, activation="relu")(inputs)
    return Model(inputs, Dense(2, activation="softmax")(hidden), name=name)


def unchanged(model):
    before = model.get_weights()

    def check():
        for a, b in zip(before, model.get_weights()):
            np.testing.assert_array_equal(a, b)

    return check


# ----------------------------------------------------------------------------- weights


def test_weights_round_trip_to_exactly_the_path_given(tmp_path):
    model = small_model()
    path = tmp_path / "my weights"  # no suffix, and none added
    model.save_weights(str(path))
    assert os.listdir(tmp_path) == ["my weights"]
    other = small_model()
    other.load_weights(str(path))
    x = np.random.rand(5, 4).astype("float32")
    np.testing.assert_array_equal(other.predict(x), model.predict(x))
    content = torch.load(str(path), weights_only=True)
    assert set(content["weights"]) == {"dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"}
    assert content["weights"]["dense/kernel"].shape == (4, 8)  # Keras's layout


def test_weights_load_by_position_when_names_differ(tmp_path):
    model = small_model()
    model.save_weights(str(tmp_path / "w.h5"))
    kfunc.utils.clear_session()
    Dense(3), Dense(3)  # a re-run notebook: the next layers get other names
    again = small_model()
    assert again.layers[1].name != model.layers[1].name
    again.load_weights(str(tmp_path / "w.h5"))
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_weights_of_another_architecture_are_refused_naming_layer_and_shapes(tmp_path):
    small_model(units=8).save_weights(str(tmp_path / "w"))
    model = small_model(units=16)
    check = unchanged(model)
    with pytest.raises(ValueError, match=r"layer 'dense_2' \(called 'dense' in the file\): its weight 'kernel' has shape \(4, 16\) in the model but \(4, 8\) in"):
        model.load_weights(str(tmp_path / "w"))
    check()
    inputs = Input(shape=(4,))
    deeper = Model(inputs, Dense(2)(Dense(8)(Dense(8)(inputs))))
    with pytest.raises(ValueError, match="holds weights for 2 layer.*the model has 3 layer"):
        deeper.load_weights(str(tmp_path / "w"))


def test_by_name_loads_matching_layers_and_can_skip_mismatches(tmp_path):
    model = small_model(units=8)
    model.save_weights(str(tmp_path / "w"))
    kfunc.utils.clear_session()
    inputs = Input(shape=(4,))
    hidden = Dense(8, activation="relu")(inputs)
    other = Model(inputs, Dense(5, name="extra")(hidden))
    extra_before = other.get_layer("extra").get_weights()
    other.load_weights(str(tmp_path / "w"), by_name=True)
    np.testing.assert_array_equal(other.layers[1].get_weights()[0], model.layers[1].get_weights()[0])
    np.testing.assert_array_equal(other.get_layer("extra").get_weights()[0], extra_before[0])
    wide = small_model(units=16)
    with pytest.warns(UserWarning, match="Skipped"):
        wide.load_weights(str(tmp_path / "w"), by_name=True, skip_mismatch=True)


def test_truncated_file_is_refused_and_model_unchanged(tmp_path):
    path = tmp_path / "w"
    small_model().save_weights(str(path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    model = small_model()
    check = unchanged(model)
    with pytest.raises(ValueError, match="damaged \\(truncated\\?\\)"):
        model.load_weights(str(path))
    check()


def test_foreign_files_are_refused_with_hints(tmp_path):
    model = small_model()
    check = unchanged(model)
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match="is not a kfunc weights file"):
        model.load_weights(str(tmp_path / "notes.txt"))
    torch.save(model.state_dict(), str(tmp_path / "state.pt"))
    with pytest.raises(ValueError, match="looks like a torch state_dict"):
        model.load_weights(str(tmp_path / "state.pt"))
    np.save(str(tmp_path / "array.npy"), np.zeros(3))
    with pytest.raises(ValueError, match="not a kfunc weights file"):
        model.load_weights(str(tmp_path / "array.npy"))
    with pytest.raises(FileNotFoundError):
        model.load_weights(str(tmp_path / "missing"))
    check()


class _RunsCode:
    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_a_pickle_that_would_run_code_does_not_run(tmp_path):
    marker = tmp_path / "ran"
    payload = _RunsCode()
    payload.marker = str(marker)
    _RunsCode.marker = str(marker)
    torch.save({"format": "kfunc.weights", "payload": payload}, str(tmp_path / "evil"))
    model = small_model()
    with pytest.raises(ValueError, match="could run code"):
        model.load_weights(str(tmp_path / "evil"))
    with pytest.raises(ValueError, match="could run code"):
        load_model(str(tmp_path / "evil"))
    assert not marker.exists()


def test_interrupted_save_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "w"
    model = small_model()
    model.save_weights(str(path))
    before = path.read_bytes()

    def broken_save(obj, f, *args, **kwargs):
        f.write(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(KeyboardInterrupt):
        small_model(units=3).save_weights(str(path))
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["w"]


def test_overwrite_false_refuses_an_existing_file(tmp_path):
    model = small_model()
    model.save_weights(str(tmp_path / "w"))
    with pytest.raises(FileExistsError):
        model.save_weights(str(tmp_path / "w"), overwrite=False)


# ----------------------------------------------------------------------------- whole models


def shared_vision():
    return guide.shared_vision_model()[0]


def video_qa():
    return guide.vqa_models(size=32, vocab=20, maxlen=5, answers=7, frames=2)[1]


def visual_qa():
    return guide.vqa_models(size=32, vocab=20, maxlen=5, answers=7, with_video=False)[0]


@pytest.mark.parametrize("build", [
    guide.dense_network,
    lambda: guide.headline_model(vocab=30, maxlen=6, embed=4),
    lambda: guide.shared_lstm_model(length=5, alphabet=3),
    shared_vision,
    visual_qa,
    video_qa,
    lambda: guide.inception_module(size=8),
    lambda: guide.residual_block(size=8),
], ids=["dense", "headline", "shared_lstm", "shared_vision", "visual_qa", "video_qa", "inception", "residual"])
def test_guide_models_round_trip_with_identical_predictions(build, tmp_path):
    model = build()
    path = str(tmp_path / "model")
    model.save(path)
    again = load_model(path)
    assert [l.name for l in again.layers] == [l.name for l in model.layers]
    assert again.input_names == model.input_names and again.output_names == model.output_names
    inputs = random_inputs(model, n=2)
    for a, b in zip(_as_list(model.predict(inputs)), _as_list(again.predict(inputs))):
        np.testing.assert_array_equal(a, b)


def test_sequential_round_trip_and_compile_settings(tmp_path):
    model = Sequential([Dense(8, activation="relu", input_shape=(4,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer=kfunc.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy", metrics=["acc"])
    x = np.random.rand(32, 4).astype("float32")
    y = (x.sum(1) > 2).astype("float32")
    model.fit(x, y, epochs=2, verbose=0)
    model.save(str(tmp_path / "seq"))
    again = load_model(str(tmp_path / "seq"))
    assert isinstance(again, Sequential) and again.metrics_names == ["loss", "acc"]
    assert isinstance(again.optimizer, kfunc.optimizers.Adam) and again.optimizer.learning_rate == 0.01
    # the optimizer's state came along: one more epoch gives the same weights on both
    model.fit(x, y, epochs=1, shuffle=False, verbose=0)
    again.fit(x, y, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_sequential_built_from_data_round_trips(tmp_path):
    model = Sequential([Dense(3), Dense(2)])
    model.predict(np.zeros((1, 5), "float32"))
    model.save(str(tmp_path / "m"))
    x = np.random.rand(4, 5).astype("float32")
    np.testing.assert_array_equal(load_model(str(tmp_path / "m")).predict(x), model.predict(x))


def test_layer_with_calls_outside_the_model_round_trips(tmp_path):
    a, b = Input(shape=(4, 3)), Input(shape=(4, 3))
    shared = LSTM(5)
    shared(a)  # node 0 belongs to no saved model
    only_b = Model(b, Dense(1)(shared(b)))
    only_b.save(str(tmp_path / "m"))
    again = load_model(str(tmp_path / "m"))
    x = np.random.rand(2, 4, 3).astype("float32")
    np.testing.assert_array_equal(again.predict(x), only_b.predict(x))


def test_lambda_needs_safe_mode_off(tmp_path):
    inputs = [Input(shape=(3,)), Input(shape=(3,))]
    out = Lambda(lambda t: kfunc.backend.square(t[0] - t[1]))(inputs)
    model = Model(inputs, Dense(1)(out))
    model.save(str(tmp_path / "m"))
    with pytest.raises(ValueError, match="safe_mode=False"):
        load_model(str(tmp_path / "m"))
    again = load_model(str(tmp_path / "m"), safe_mode=False)
    x = [np.random.rand(2, 3).astype("float32"), np.random.rand(2, 3).astype("float32")]
    np.testing.assert_array_equal(again.predict(x), model.predict(x))


class Scale(Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_custom_layers_by_custom_objects_or_registration(tmp_path):
    inputs = Input(shape=(3,))
    model = Model(inputs, Scale(3.0)(Dense(2)(inputs)))
    model.save(str(tmp_path / "m"))
    with pytest.raises(ValueError, match=r"Unknown layer class 'Scale'.*custom_objects=\{'Scale': Scale\}"):
        load_model(str(tmp_path / "m"))
    again = load_model(str(tmp_path / "m"), custom_objects={"Scale": Scale})
    x = np.random.rand(2, 3).astype("float32")
    np.testing.assert_array_equal(again.predict(x), model.predict(x))

    @register_keras_serializable(package="tests")
    class Shift(Layer):
        def call(self, inputs):
            return inputs + 1.0

    model = Model(inputs, Shift()(Dense(2)(inputs)))
    model.save(str(tmp_path / "m2"))
    np.testing.assert_array_equal(load_model(str(tmp_path / "m2")).predict(x), model.predict(x))


def test_custom_activation_by_custom_objects(tmp_path):
    def doubled_relu(x):
        return 2 * torch.relu(x)

    inputs = Input(shape=(3,))
    model = Model(inputs, Dense(2, activation=doubled_relu)(inputs))
    model.save(str(tmp_path / "m"))
    again = load_model(str(tmp_path / "m"), custom_objects={"doubled_relu": doubled_relu})
    x = np.random.rand(2, 3).astype("float32")
    np.testing.assert_array_equal(again.predict(x), model.predict(x))


def test_custom_loss_needs_custom_objects_or_compile_false(tmp_path):
    def my_loss(y_true, y_pred):
        return ((y_true - y_pred) ** 2).mean(-1)

    model = small_model()
    model.compile(optimizer="sgd", loss=my_loss)
    model.save(str(tmp_path / "m"))
    with pytest.raises(ValueError, match="custom_objects=\\{'my_loss': my_loss\\}"):
        load_model(str(tmp_path / "m"))
    assert load_model(str(tmp_path / "m"), custom_objects={"my_loss": my_loss}).loss is my_loss
    assert load_model(str(tmp_path / "m"), compile=False)._compiled is None


def test_model_file_and_weights_file_are_told_apart(tmp_path):
    model = small_model()
    model.save(str(tmp_path / "full"))
    model.save_weights(str(tmp_path / "weights"))
    with pytest.raises(ValueError, match="holds weights only"):
        load_model(str(tmp_path / "weights"))
    other = small_model()
    other.load_weights(str(tmp_path / "full"))  # a full file holds the weights too
    for a, b in zip(other.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_json_round_trip_of_the_architecture():
    a, b = Input(shape=(3,), name="a"), Input(shape=(2,), name="b")
    model = Model([a, b], Dense(1, name="out")(concatenate([a, b])))
    again = model_from_json(model.to_json())
    assert [l.name for l in again.layers] == [l.name for l in model.layers]
    assert Model.from_config(model.get_config()).output_shape == (None, 1)


def test_loading_into_a_model_without_weights_yet_explains(tmp_path):
    model = Sequential([Dense(3, input_shape=(2,))])
    model.save_weights(str(tmp_path / "w"))
    with pytest.raises(ValueError, match="no weights yet"):
        Sequential([Dense(3)]).load_weights(str(tmp_path / "w"))
