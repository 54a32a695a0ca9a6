"""Mixed precision: Keras's policies, autocast in training, float32 weights and results."""

import numpy as np
import pytest
import torch

import kfunc
from kfunc import Input, Model, mixed_precision
from kfunc.layers import Dense, Lambda
from kfunc.mixed_precision import Policy


@pytest.fixture(autouse=True)
def float32_afterwards():
    yield
    mixed_precision.set_global_policy("float32")


dtypes_seen = []


def note_dtype(t):
    if not t.is_meta:
        dtypes_seen.append(t.dtype)
        batches_seen.append((t.shape[0], t.dtype))
    return t


batches_seen = []  # (rows, dtype) of each call


def training_dtypes(batch_size=16):
    """The dtypes the layer saw in training batches (fit may first try a couple of samples in float32)."""
    return {dtype for rows, dtype in batches_seen if rows == batch_size}


def model_under(policy, optimizer="adam"):
    mixed_precision.set_global_policy(policy)
    kfunc.utils.set_random_seed(0)
    inputs = Input(shape=(8,))
    x = Dense(16, activation="relu")(inputs)
    x = Lambda(note_dtype)(x)
    outputs = Dense(3, activation="softmax")(x)
    model = Model(inputs, outputs)
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["acc"])
    return model


def data(n=64):
    rng = np.random.RandomState(0)
    x = rng.rand(n, 8).astype("float32")
    return x, np.eye(3, dtype="float32")[np.argmax(x[:, :3], axis=1)]


# ----------------------------------------------------------------------------- policies


def test_policies_have_keras_names_and_dtypes():
    assert mixed_precision.global_policy() == Policy("float32")
    policy = Policy("mixed_bfloat16")
    assert (policy.name, policy.compute_dtype, policy.variable_dtype) == ("mixed_bfloat16", "bfloat16", "float32")
    assert Policy("mixed_float16").compute_dtype == "float16" and Policy("mixed_float16").needs_loss_scaling
    assert not Policy("mixed_bfloat16").needs_loss_scaling and not Policy("float32").is_mixed
    assert repr(policy) == '<Policy "mixed_bfloat16">'
    assert Policy.from_config(policy.get_config()) == policy


def test_set_global_policy_takes_a_name_a_policy_or_none():
    mixed_precision.set_global_policy("mixed_float16")
    assert mixed_precision.global_policy().name == "mixed_float16"
    mixed_precision.set_global_policy(Policy("mixed_bfloat16"))
    assert mixed_precision.global_policy().name == "mixed_bfloat16"
    mixed_precision.set_global_policy(None)
    assert mixed_precision.global_policy().name == "float32"


def test_unknown_policies_are_refused_with_the_fix():
    with pytest.raises(ValueError, match="Did you mean 'mixed_bfloat16'"):
        Policy("mixed_bfloat")
    with pytest.raises(ValueError, match="use 'mixed_float16'"):
        mixed_precision.set_global_policy("float16")


def test_kfunc_mixed_precision_is_there_after_import_kfunc():
    assert kfunc.mixed_precision.set_global_policy is mixed_precision.set_global_policy


# ----------------------------------------------------------------------------- training


def test_mixed_bfloat16_trains_on_cpu_with_float32_weights():
    x, y = data()
    model = model_under("mixed_bfloat16")
    batches_seen.clear()
    history = model.fit(x, y, batch_size=16, epochs=3, verbose=0)
    assert training_dtypes() == {torch.bfloat16}  # the layers computed in bfloat16
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert history.history["loss"][-1] < history.history["loss"][0]
    predictions = model.predict(x)
    assert predictions.dtype == np.float32 and predictions.shape == (64, 3)
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, atol=1e-2)


def test_bfloat16_results_stay_close_to_float32_ones():
    x, y = data()
    full = model_under("float32")
    full.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    mixed = model_under("mixed_bfloat16")
    mixed.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(mixed.predict(x), full.predict(x), atol=3e-2)
    assert not np.array_equal(mixed.predict(x), full.predict(x))


@pytest.mark.filterwarnings("ignore:This CPU has no 16-bit LSTM kernel")
def test_an_lstm_model_trains_under_mixed_bfloat16_on_any_cpu():
    mixed_precision.set_global_policy("mixed_bfloat16")
    ids = Input(shape=(6,), dtype="int32")
    x = kfunc.layers.Embedding(20, 8)(ids)
    x = kfunc.layers.LSTM(4)(x)
    model = Model(ids, Dense(1, activation="sigmoid")(x))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    rng = np.random.RandomState(0)
    history = model.fit(rng.randint(0, 20, (32, 6)), rng.rand(32) > 0.5, batch_size=8, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert model.predict(rng.randint(0, 20, (5, 6))).dtype == np.float32


def test_the_policy_is_read_by_compile():
    x, y = data(16)
    model = model_under("mixed_bfloat16")
    mixed_precision.set_global_policy("float32")  # after compile: this model stays mixed
    batches_seen.clear()
    model.fit(x, y, verbose=0)
    assert training_dtypes() == {torch.bfloat16}
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    batches_seen.clear()
    model.fit(x, y, verbose=0)
    assert training_dtypes() == {torch.float32}


def test_an_uncompiled_model_predicts_under_the_global_policy():
    mixed_precision.set_global_policy("mixed_bfloat16")
    inputs = Input(shape=(4,))
    model = Model(inputs, Lambda(note_dtype)(Dense(2)(inputs)))
    dtypes_seen.clear()
    out = model.predict(np.ones((3, 4), "float32"))
    assert dtypes_seen == [torch.bfloat16] and out.dtype == np.float32


def test_mixed_float16_scales_the_loss_and_keeps_float32_weights():
    x, y = data()
    model = model_under("mixed_float16", optimizer="sgd")
    batches_seen.clear()
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert training_dtypes() == {torch.float16}
    scaling = model.optimizer._loss_scaling
    assert scaling.scaler.get_scale() > 1.0 and model.optimizer.iterations == 8
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert model.predict(x).dtype == np.float32


def test_loss_scaling_skips_an_update_whose_gradients_overflowed():
    weight = torch.nn.Parameter(torch.ones(2))
    optimizer = kfunc.optimizers.SGD(learning_rate=0.1)
    optimizer.build([weight])
    scaling = mixed_precision.LossScaling(optimizer, "cpu")
    scaling.backward_and_step((weight * torch.tensor([1e38, 1.0])).sum())  # times 65536: inf
    assert torch.equal(weight.detach(), torch.ones(2)) and optimizer.iterations == 0
    assert scaling.scaler.get_scale() == 2.0**15  # halved
    optimizer.zero_grad()
    scaling.backward_and_step((weight * 2.0).sum())
    torch.testing.assert_close(weight.detach(), torch.full((2,), 0.8))  # the true gradient, 2
    assert optimizer.iterations == 1


def test_clipping_sees_the_unscaled_gradients():
    weight = torch.nn.Parameter(torch.zeros(1))
    optimizer = kfunc.optimizers.SGD(learning_rate=1.0, clipvalue=0.5)
    optimizer.build([weight])
    mixed_precision.LossScaling(optimizer, "cpu").backward_and_step((weight * 0.25).sum())
    torch.testing.assert_close(weight.detach(), torch.tensor([-0.25]))  # 0.25 is under the clip


def test_float32_forward_is_left_as_it_is():
    forward = lambda t: t  # noqa: E731
    assert mixed_precision.mixed_forward(forward, Policy("float32"), "cpu") is forward
