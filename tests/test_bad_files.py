"""Files that must be refused, and saving that never corrupts what is on disk.

Loading a truncated file, a file of another architecture, a file that is not
kfunc's, or a pickle that would run code if unpickled is refused with a clear
error, and the model is exactly as before (weights, predictions, optimizer state).
Loading never runs code from the file. Saving writes exactly the path given,
through a temporary file renamed at the end.
"""

import json
import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

import kfunc
from kfunc import Input, Model, layers as L
from kfunc.models import load_model


def make_model(width=8, name=None):
    inputs = Input(shape=(4,), name="features")
    hidden = L.Dense(width, activation="relu", name="hidden")(inputs)
    model = Model(inputs, L.Dense(2, activation="softmax", name="probs")(hidden), name=name)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


X = np.random.default_rng(0).standard_normal((8, 4)).astype("float32")
Y = np.eye(2, dtype="float32")[np.arange(8) % 2]


@pytest.fixture
def trained():
    model = make_model()
    model.fit(X, Y, epochs=1, batch_size=4, verbose=0)
    return model


def unchanged(model):
    """A check that the weights, predictions and optimizer state are as now."""
    weights = [w.copy() for w in model.get_weights()]
    predictions = model.predict(X, verbose=0)
    optimizer = model.optimizer.state_dict()

    def check():
        for a, b in zip(weights, model.get_weights()):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(predictions, model.predict(X, verbose=0))
        now = model.optimizer.state_dict()
        assert now["iterations"] == optimizer["iterations"]
        for key, state in optimizer["torch"]["state"].items():
            for name, value in state.items():
                assert torch.equal(torch.as_tensor(value), torch.as_tensor(now["torch"]["state"][key][name]))
        model.fit(X, Y, epochs=1, batch_size=4, verbose=0)  # and it still trains

    return check


# ----------------------------------------------------------------------------- truncated files


@pytest.mark.parametrize("keep", [0, 10, 0.5, -1], ids=["empty", "10 bytes", "half", "all but 1 byte"])
def test_a_truncated_weights_file_is_refused(tmp_path, trained, keep):
    path = tmp_path / "weights"
    make_model().save_weights(path)
    data = path.read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else keep if keep >= 0 else len(data) + keep
    path.write_bytes(data[:cut])
    check = unchanged(trained)
    with pytest.raises(ValueError, match=r"damaged \(truncated\?\)"):
        trained.load_weights(path)
    check()


def test_a_truncated_model_file_is_refused(tmp_path):
    path = tmp_path / "model"
    make_model().save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 100])
    with pytest.raises(ValueError, match=r"'.*model' is not a kfunc model file.*damaged"):
        load_model(path)


# ----------------------------------------------------------------------------- another model's file


def test_weights_of_a_wider_model_name_the_layer_and_both_shapes(tmp_path, trained):
    make_model(width=16).save_weights(tmp_path / "wide")
    check = unchanged(trained)
    with pytest.raises(ValueError) as info:
        trained.load_weights(tmp_path / "wide")
    message = str(info.value)
    assert "layer 'hidden'" in message and "(4, 8)" in message and "(4, 16)" in message
    assert "nothing was loaded" in message
    check()


def test_weights_of_a_model_with_other_layers_are_refused(tmp_path, trained):
    inputs = Input(shape=(4,))
    deeper = Model(inputs, L.Dense(2)(L.Dense(8)(L.Dense(8)(inputs))))
    deeper.save_weights(tmp_path / "deeper")
    check = unchanged(trained)
    with pytest.raises(ValueError, match=r"3 layer\(s\).*2 layer\(s\) with weights \['hidden', 'probs'\]"):
        trained.load_weights(tmp_path / "deeper")
    check()


def test_same_architecture_under_other_names_loads_by_position(tmp_path, trained):
    kfunc.utils.clear_session()
    inputs = Input(shape=(4,))
    twin = Model(inputs, L.Dense(2, activation="softmax")(L.Dense(8, activation="relu")(inputs)))
    trained.save_weights(tmp_path / "w")
    twin.load_weights(tmp_path / "w")
    np.testing.assert_array_equal(twin.predict(X, verbose=0), trained.predict(X, verbose=0))


# ----------------------------------------------------------------------------- code in the file


class _CreatesMarker:
    """Unpickling this object would create the file ``marker`` (running code)."""

    marker = None

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _payload(marker):
    _CreatesMarker.marker = str(marker)
    return _CreatesMarker()


@pytest.mark.parametrize("wrapping", ["bare", "in a kfunc dict", "plain pickle"])
def test_a_pickle_that_would_run_code_is_refused_and_does_not_run(tmp_path, trained, wrapping):
    marker = tmp_path / "code_ran"
    path = tmp_path / "evil"
    payload = _payload(marker)
    if wrapping == "bare":
        torch.save(payload, path)
    elif wrapping == "in a kfunc dict":
        torch.save({"format": "kfunc.weights", "version": 1, "layers": ["hidden"], "weights": {},
                    "extra": payload}, path)
    else:
        path.write_bytes(pickle.dumps({"format": "kfunc.weights", "payload": payload}))
    assert not marker.exists()
    check = unchanged(trained)
    with pytest.raises(ValueError, match="not a kfunc weights file|could run code"):
        trained.load_weights(path)
    with pytest.raises(ValueError, match="not a kfunc model file|could run code"):
        load_model(path)
    assert not marker.exists()  # the payload never ran
    check()


def test_a_saved_lambda_is_rebuilt_only_with_safe_mode_off(tmp_path):
    inputs = Input(shape=(4,))
    model = Model(inputs, L.Lambda(lambda t: t * 2.0, name="double")(L.Dense(3)(inputs)))
    model.save(tmp_path / "m")
    with pytest.raises(ValueError) as info:
        load_model(tmp_path / "m")
    assert "'double'" in str(info.value) and "safe_mode=False" in str(info.value)
    again = load_model(tmp_path / "m", safe_mode=False)
    np.testing.assert_allclose(again.predict(X, verbose=0), model.predict(X, verbose=0))


# ----------------------------------------------------------------------------- not kfunc's files


@pytest.mark.parametrize("kind", ["text", "empty", "numpy", "state_dict", "json", "crafted"])
def test_files_that_are_not_kfuncs_are_refused(tmp_path, trained, kind):
    path = tmp_path / "file"
    if kind == "text":
        path.write_text("weights go here\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "numpy":
        with open(path, "wb") as f:
            np.save(f, np.zeros((4, 8)))
    elif kind == "state_dict":
        torch.save(make_model().state_dict(), path)
    elif kind == "json":
        path.write_text(trained.to_json())
    else:  # kfunc's format label, but not its contents
        torch.save({"format": "kfunc.weights", "version": 1, "layers": "hidden", "weights": [1, 2]}, path)
    check = unchanged(trained)
    with pytest.raises(ValueError, match=r"'.*file'"):
        trained.load_weights(path)
    with pytest.raises(ValueError, match=r"'.*file'"):
        load_model(path)
    check()


def test_a_damaged_architecture_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "model"
    make_model().save(path)
    content = torch.load(path, weights_only=True)
    content["model_config"] = json.dumps({"class_name": "Functional"})
    torch.save(content, path)
    with pytest.raises(ValueError, match=r"architecture in '.*model' could not be rebuilt"):
        load_model(path)


def test_a_weights_file_given_to_load_model_explains(tmp_path):
    make_model().save_weights(tmp_path / "w")
    with pytest.raises(ValueError, match="weights only.*load_weights"):
        load_model(tmp_path / "w")


def test_a_missing_file_is_a_file_not_found_error(tmp_path, trained):
    with pytest.raises(FileNotFoundError, match="no_such_file"):
        trained.load_weights(tmp_path / "no_such_file")
    with pytest.raises(FileNotFoundError, match="no_such_file"):
        load_model(tmp_path / "no_such_file")


# ----------------------------------------------------------------------------- saving


@pytest.mark.parametrize("name", ["weights", "model.h5", "model.keras", "sub dir/w.weights.h5", "w.pt"])
def test_any_path_is_written_exactly_as_given(tmp_path, trained, name):
    path = tmp_path / name
    trained.save_weights(str(path))
    assert path.is_file()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no suffix added, no temporary left
    again = make_model()
    again.load_weights(path)
    np.testing.assert_array_equal(again.predict(X, verbose=0), trained.predict(X, verbose=0))
    path.unlink()
    trained.save(path)  # a pathlib.Path works too
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    np.testing.assert_array_equal(load_model(path).predict(X, verbose=0), trained.predict(X, verbose=0))


@pytest.mark.parametrize("method", ["save_weights", "save"])
def test_a_failed_save_keeps_the_old_file_and_leaves_no_temporary(tmp_path, trained, monkeypatch, method):
    path = tmp_path / "kept"
    getattr(trained, method)(path)
    before = path.read_bytes()
    real_save = torch.save

    def fails_half_way(obj, f, *args, **kwargs):
        real_save(obj, f, *args, **kwargs)
        f.truncate(f.tell() // 2)
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", fails_half_way)
    with pytest.raises(OSError, match="disk full"):
        getattr(make_model(width=3), method)(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["kept"]
    loaded = make_model()
    loaded.load_weights(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), trained.predict(X, verbose=0))


def test_saving_writes_a_temporary_then_renames(tmp_path, trained, monkeypatch):
    renamed = []
    real_replace = os.replace

    def watching_replace(source, target):
        renamed.append((Path(source).name, Path(target).name, Path(source).parent == Path(target).parent))
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", watching_replace)
    trained.save_weights(tmp_path / "w")
    trained.save(tmp_path / "m")
    assert [(t, same) for _, t, same in renamed] == [("w", True), ("m", True)]
    assert all(source.endswith(".tmp") for source, _, _ in renamed)
