"""Embedding tables trained on the looked-up rows only: the same results as whole-table training.

The guide's headline model (at a small size) trains once with the default
``embedding_updates='auto'`` (sparse gradients, row updates) and once with
``embedding_updates='dense'`` (torch's ordinary dense gradient and update), from
the same weights on the same batches; weights, History, optimizer state and saved
files must agree.
"""

import functools

import numpy as np
import pytest
import torch

import kfunc
from kfunc import optimizers
from kfunc.layers.embedding import sparse_gradients
from tests.guide_models import headline_model

VOCAB, LENGTH, EMBED, SAMPLES = 60, 7, 8, 48


def data():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 40, (SAMPLES, LENGTH)).astype("int32")  # rows 40-59 are never looked up
    extra = rng.random((SAMPLES, 5), dtype=np.float32)
    labels = (rng.random((SAMPLES, 1)) > 0.5).astype("float32")
    return [ids, extra], [labels, labels]


def trained(optimizer, weights=None, epochs=4, fit=True, **fit_args):
    """``(model, history)``: the headline model trained with ``optimizer`` from ``weights``."""
    kfunc.utils.clear_session()
    kfunc.utils.set_random_seed(0)
    model = headline_model(vocab=VOCAB, maxlen=LENGTH, embed=EMBED)
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer=optimizer, loss="binary_crossentropy", loss_weights=[1.0, 0.2], metrics=["acc"])
    history = None
    if fit:
        x, y = data()
        kfunc.utils.set_random_seed(1)  # the same shuffles for both runs
        history = model.fit(x, y, batch_size=8, epochs=epochs, verbose=0, **fit_args)
    return model, history


@functools.cache
def _initial_weights():
    model, _ = trained("sgd", fit=False)
    return model.get_weights()


def initial_weights():
    """The headline model's first weights (made once: every test starts from them)."""
    return [w.copy() for w in _initial_weights()]


def assert_same_training(sparse, dense):
    (model_s, history_s), (model_d, history_d) = sparse, dense
    assert history_s.history.keys() == history_d.history.keys()
    for key in history_d.history:
        np.testing.assert_allclose(history_s.history[key], history_d.history[key], rtol=1e-5, atol=1e-6, err_msg=key)
    for a, b in zip(model_s.get_weights(), model_d.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda **kw: optimizers.SGD(learning_rate=0.5, **kw),
    lambda **kw: optimizers.RMSprop(learning_rate=0.01, **kw),
    lambda **kw: optimizers.Adagrad(learning_rate=0.1, **kw),
], ids=["sgd", "rmsprop", "adagrad"])
def test_row_updates_train_as_whole_table_updates(make):
    weights = initial_weights()
    sparse = trained(make(), weights, validation_split=0.25)
    dense = trained(make(embedding_updates="dense"), weights, validation_split=0.25)
    assert sparse[0].optimizer._row_params and not dense[0].optimizer._row_params
    assert_same_training(sparse, dense)


@pytest.mark.parametrize("centered", [False, True])
def test_rmsprop_row_rule_is_dense_rmsprop_in_float64(centered):
    """The rule's maths, without float32 rounding (centered RMSprop amplifies it, dividing by
    a variance that may be close to 0): equal to the last bits of float64."""
    torch.manual_seed(0)
    table = torch.nn.Parameter(torch.randn(20, 3, dtype=torch.float64))
    twin = torch.nn.Parameter(table.detach().clone())
    rows = optimizers.RMSprop(learning_rate=0.01, centered=centered)
    dense = optimizers.RMSprop(learning_rate=0.01, centered=centered, embedding_updates="dense")
    rows.build([table]), dense.build([twin])
    assert rows.updates_rows_of(table)
    for _ in range(30):
        ids, upstream = torch.randint(0, 20, (2, 3)), torch.randn(2, 3, 3, dtype=torch.float64)
        for p, optimizer, sparse in ((table, rows, True), (twin, dense, False)):
            optimizer.zero_grad()
            (torch.nn.functional.embedding(ids, p, sparse=sparse) * upstream).sum().backward()
            optimizer.step()
    torch.testing.assert_close(table, twin, rtol=1e-14, atol=1e-15)
    state, expected = rows.state_dict()["torch"]["state"][0], dense.state_dict()["torch"]["state"][0]
    assert state.keys() == expected.keys()
    for key in expected:
        torch.testing.assert_close(state[key], expected[key], rtol=1e-14, atol=1e-15)


def test_the_embedding_gets_a_sparse_gradient_only_when_its_optimizer_updates_rows():
    weights = initial_weights()
    seen = []

    class Gradient(kfunc.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(self.model.get_layer("embedding").embeddings.grad.is_sparse)

    trained("rmsprop", weights, epochs=1, callbacks=[Gradient()])
    trained("adam", weights, epochs=1, callbacks=[Gradient()])
    trained(optimizers.RMSprop(momentum=0.9), weights, epochs=1, callbacks=[Gradient()])
    trained(optimizers.SGD(clipnorm=1.0), weights, epochs=1, callbacks=[Gradient()])
    batches = SAMPLES // 8
    assert seen == [True] * batches + [False] * 3 * batches


def test_untouched_rows_keep_their_weights_and_get_their_decays():
    weights = initial_weights()
    sparse, _ = trained("rmsprop", weights)
    dense, _ = trained(optimizers.RMSprop(embedding_updates="dense"), weights)
    table = sparse.get_layer("embedding").get_weights()[0]
    np.testing.assert_array_equal(table[40:], weights[0][40:])
    # read after training, the accumulators of the skipped rows are dense RMSprop's
    table_s = sparse.get_layer("embedding").embeddings
    table_d = dense.get_layer("embedding").embeddings
    state_s = sparse.optimizer.torch_optimizer.state[table_s]
    state_d = dense.optimizer.torch_optimizer.state[table_d]
    assert state_s["step"].item() == state_d["step"].item()
    np.testing.assert_allclose(state_s["square_avg"], state_d["square_avg"], rtol=1e-5, atol=1e-12)


def test_optimizer_state_and_saved_files_equal_dense_training(tmp_path):
    weights = initial_weights()
    sparse, _ = trained("rmsprop", weights)
    dense, _ = trained(optimizers.RMSprop(embedding_updates="dense"), weights)
    # more batches after fit, with train_on_batch: decays owed again, until the state is read
    x, y = data()
    for model in (sparse, dense):
        model.train_on_batch([x[0][:4], x[1][:4]], [y[0][:4], y[1][:4]])
        model.train_on_batch([x[0][4:8], x[1][4:8]], [y[0][4:8], y[1][4:8]])
    state_s, state_d = sparse.optimizer.state_dict(), dense.optimizer.state_dict()
    assert state_s["iterations"] == state_d["iterations"]
    assert state_s["torch"]["state"].keys() == state_d["torch"]["state"].keys()
    for key, expected in state_d["torch"]["state"].items():
        assert state_s["torch"]["state"][key].keys() == expected.keys()
        for name, value in expected.items():
            np.testing.assert_allclose(state_s["torch"]["state"][key][name], value, rtol=1e-5, atol=1e-12,
                                       err_msg=f"{key} {name}")
    sparse.save(tmp_path / "sparse.kfunc")
    loaded = kfunc.models.load_model(tmp_path / "sparse.kfunc")
    for a, b in zip(loaded.get_weights(), dense.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_training_goes_on_exactly_after_a_whole_table_update():
    """A dense update between row updates (another optimizer setting) starts from the owed decays."""
    weights = initial_weights()
    x, y = data()
    models = []
    for first in ("auto", "dense"):
        model, _ = trained(optimizers.RMSprop(embedding_updates=first), weights, epochs=2)
        model.optimizer.embedding_updates = "dense"
        model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
        model.optimizer.embedding_updates = "auto"
        model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
        models.append(model)
    for a, b in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_lazy_adam_is_opt_in_and_differs_from_dense_adam():
    assert optimizers.Adam().embedding_updates == "auto"
    weights = initial_weights()
    default = trained("adam", weights)
    dense = trained(optimizers.Adam(embedding_updates="dense"), weights)
    lazy = trained(optimizers.Adam(embedding_updates="lazy"), weights)
    assert not default[0].optimizer._row_params  # Adam trains the whole table unless asked
    assert_same_training(default, dense)
    table = lazy[0].get_layer("embedding").get_weights()[0]
    np.testing.assert_array_equal(table[40:], weights[0][40:])  # lazy: rows never looked up never move
    assert not np.allclose(table, default[0].get_layer("embedding").get_weights()[0], atol=1e-6)
    assert lazy[0].optimizer.get_config()["embedding_updates"] == "lazy"
    assert "embedding_updates" not in default[0].optimizer.get_config()


def test_lazy_adam_rows_follow_adam_on_the_rows_it_updates():
    """With every row looked up at every step, lazy Adam is Adam."""
    table = torch.nn.Parameter(torch.randn(4, 3))
    twin = torch.nn.Parameter(table.detach().clone())
    lazy, dense = optimizers.Adam(learning_rate=0.1, embedding_updates="lazy"), optimizers.Adam(learning_rate=0.1)
    lazy.build([table]), dense.build([twin])
    assert lazy.updates_rows_of(table)
    ids = torch.tensor([[0, 1, 2, 3, 1]])
    for _ in range(3):
        for p, optimizer, sparse in ((table, lazy, True), (twin, dense, False)):
            optimizer.zero_grad()
            (torch.nn.functional.embedding(ids, p, sparse=sparse) ** 2).sum().backward()
            optimizer.step()
    torch.testing.assert_close(table, twin)


def test_only_adam_takes_lazy_updates():
    with pytest.raises(ValueError, match=r"RMSprop\(embedding_updates='lazy'\): only Adam"):
        optimizers.RMSprop(embedding_updates="lazy")
    with pytest.raises(ValueError, match="use one of"):
        optimizers.SGD(embedding_updates="sparse")


def test_sparse_gradients_is_undone_after_the_block():
    layer = kfunc.layers.Embedding(10, 3)
    ids = torch.tensor([[1, 2]])
    layer(ids)
    with pytest.raises(RuntimeError), sparse_gradients([layer]):
        layer(ids).sum().backward()
        assert layer.embeddings.grad.is_sparse
        raise RuntimeError("stop")
    layer.embeddings.grad = None
    layer(ids).sum().backward()
    assert not layer.embeddings.grad.is_sparse
