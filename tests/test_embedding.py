"""Embedding's id check (kfunc/layers/embedding.py): once per fit, evaluate and predict, not per batch.

Checking a batch's ids reads their smallest and largest value, which makes the
program wait for a GPU at every batch. ``fit``, ``evaluate`` and ``predict`` check
all the ids of their data once, before the first batch, and the batches skip it;
a direct call of the layer or the model still checks.
"""

import numpy as np
import pytest
import torch

from kfunc import Input, Model, layers as L
from kfunc.callbacks import Callback
from kfunc.layers.embedding import Embedding, ids_checked_beforehand


def words_model():
    """Ids 'words' (5,) -> Embedding 'vocab' (input_dim 10) -> one sigmoid output."""
    words = Input(shape=(5,), dtype="int64", name="words")
    out = L.Dense(1, activation="sigmoid", name="out")(L.Flatten()(L.Embedding(10, 4, name="vocab")(words)))
    model = Model(words, out)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def words_data(n=12):
    rng = np.random.default_rng(0)
    return rng.integers(0, 10, (n, 5)), rng.integers(0, 2, (n, 1)).astype("float32")


@pytest.fixture
def checked_shapes(monkeypatch):
    """The shapes of the id arrays that Embeddings check, in order."""
    shapes, check = [], Embedding.check_ids

    def spy(self, ids):
        shapes.append(tuple(ids.shape))
        return check(self, ids)

    monkeypatch.setattr(Embedding, "check_ids", spy)
    return shapes


def test_fit_checks_every_id_once_and_no_batch_checks_again(checked_shapes):
    model, (x, y) = words_model(), words_data()
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)  # 3 batches per epoch
    assert checked_shapes == [(12, 5)]


def test_validation_data_is_checked_once_too(checked_shapes):
    model, (x, y) = words_model(), words_data()
    xv, yv = words_data(6)
    model.fit(x, y, batch_size=4, epochs=2, validation_data=(xv, yv), verbose=0)
    assert checked_shapes == [(12, 5), (6, 5)]


def test_evaluate_and_predict_check_their_data_once(checked_shapes):
    model, (x, y) = words_model(), words_data()
    model.evaluate(x, y, batch_size=4, verbose=0)
    model.predict(x, batch_size=4)
    model.predict(x[:1])  # (the one-batch path)
    model.train_on_batch(x[:4], y[:4])
    model.test_on_batch(x[:4], y[:4])
    assert checked_shapes == [(12, 5), (12, 5), (1, 5), (4, 5), (4, 5)]


def test_direct_calls_still_check_their_ids():
    model, (x, y) = words_model(), words_data()
    model.fit(x, y, batch_size=4, verbose=0)
    bad = x.copy()
    bad[0, 0] = 10
    with pytest.raises(ValueError, match="Embedding 'vocab' got the id 10"):
        model(bad)
    with pytest.raises(ValueError, match="Embedding 'vocab' got the id 10"):
        model.get_layer("vocab")(torch.from_numpy(bad))


def test_an_error_inside_fit_leaves_the_check_on():
    class Fails(Callback):
        def on_train_batch_end(self, batch, logs=None):
            raise RuntimeError("stop here")

    model, (x, y) = words_model(), words_data()
    with pytest.raises(RuntimeError, match="stop here"):
        model.fit(x, y, batch_size=4, verbose=0, callbacks=[Fails()])
    assert model.get_layer("vocab")._ids_checked is False
    with pytest.raises(ValueError, match="id -1"):
        model(np.full((1, 5), -1))


def test_an_embedding_also_fed_computed_ids_checks_every_batch(checked_shapes):
    words = Input(shape=(5,), name="words")
    vocab = L.Embedding(10, 4, name="vocab")
    computed = L.Reshape((5,))(words)  # not the input itself: ids nobody checked beforehand
    merged = L.concatenate([L.Flatten()(vocab(words)), L.Flatten()(vocab(computed))])
    model = Model(words, L.Dense(1, activation="sigmoid")(merged))
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x, y = words_data()
    model.fit(x.astype("float32"), y, batch_size=4, verbose=0)
    assert checked_shapes[0] == (12, 5)  # the input's ids, read as they are
    assert checked_shapes[1:].count((4, 5)) >= 6  # then both calls, in each of the 3 batches


def test_ids_checked_beforehand_puts_every_flag_back():
    first, second = Embedding(5, 2), Embedding(5, 2)
    second._ids_checked = True  # (an enclosing block's)
    with pytest.raises(KeyError):
        with ids_checked_beforehand([first, second]):
            assert first._ids_checked and second._ids_checked
            raise KeyError("inside")
    assert first._ids_checked is False and second._ids_checked is True
