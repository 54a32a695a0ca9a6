"""How a batch runs (kfunc/training/steps.py): one factory per compile makes the steps.

The factory holds the choices (device, data parallelism, mixed precision,
jit_compile) and what is costly to make from them, once per model graph; with
none of them, a step calls the fx module's own forward, nothing in between.
"""

import numpy as np
import pytest
import torch

import kfunc
from kfunc import Input, Model, Sequential, mixed_precision
from kfunc.layers import Dense
from kfunc.training.data import ArrayData
from kfunc.training.distributed import World
from kfunc.training.steps import ShardedSteps, StepFactory, weights_device

CPU = torch.device("cpu")


def small_model(**compile_args):
    inputs = Input(shape=(3,))
    model = Model(inputs, Dense(2, activation="softmax")(inputs))
    model.compile(optimizer="sgd", loss="categorical_crossentropy", **compile_args)
    return model


def test_plain_steps_call_the_fx_modules_own_forward():
    model = small_model()
    steps = model._steps.steps(model, CPU, heads=model._heads, optimizer=model.optimizer)
    assert steps.forward == model._fx.forward and steps.loss_scaling is None


def test_mixed_precision_wraps_the_program_once_per_graph():
    with mixed_precision.policy_scope("mixed_bfloat16"):
        model = small_model()
    factory = model._steps
    first, again = factory.steps(model, CPU).forward, factory.steps(model, CPU).forward
    assert first is again and first.__wrapped__ is model._fx


def test_each_compile_makes_its_own_factory_and_predict_alone_a_plain_one():
    inputs = Input(shape=(3,))
    model = Model(inputs, Dense(2)(inputs))
    model.predict(np.zeros((1, 3), "float32"))
    plain = model._steps
    assert isinstance(plain, StepFactory) and plain.policy is None and plain.jit is None
    model.compile(optimizer="sgd", loss="mse", jit_compile=True)
    assert model._steps is not plain and model._steps.jit is not None
    assert model._steps.policy == mixed_precision.global_policy()


def test_a_sequential_that_grows_gets_programs_for_its_new_graph():
    model = Sequential([Dense(4, input_shape=(3,))])
    with mixed_precision.policy_scope("mixed_bfloat16"):
        model.compile(optimizer="sgd", loss="mse")
    before = model._steps.steps(model, CPU).forward
    model.add(Dense(2))
    after = model._steps.steps(model, CPU).forward
    assert after is not before and after.__wrapped__ is model._fx


def test_the_weights_say_where_to_compute():
    model = small_model()
    assert weights_device(model) == CPU
    assert model._steps.device_for(model) == CPU


def fake_world(rank, size):
    world = World.__new__(World)
    world.rank, world.size, world.local_rank, world.cpu_collectives = rank, size, rank, True
    return world


@pytest.mark.parametrize(("rank", "rows"), [(0, [0, 1, 2]), (1, [3, 4])])
def test_sharded_steps_work_on_their_part_of_each_batch(rank, rows):
    model = small_model()
    x = np.arange(15, dtype="float32").reshape(5, 3)
    data = ArrayData([torch.from_numpy(x)], [torch.eye(2)[[0, 1, 0, 1, 1]]], [None])
    tracker = model._compiled.tracker
    tracker.reset()
    steps = ShardedSteps(fake_world(rank, 2), model, model._heads, model._fx.forward, CPU)
    inputs, targets, weights = steps.fetcher(data)(slice(0, 5))
    assert inputs[0][:, 0].tolist() == [3.0 * r for r in rows]
    assert steps.weight == pytest.approx(len(rows) * 2 / 5)
    with torch.no_grad():
        steps.test(inputs, targets, weights, tracker)
    assert tracker.samples == len(rows)


def test_training_steps_put_the_moving_statistics_back_when_a_batch_fails():
    inputs = Input(shape=(3,))
    model = Model(inputs, Dense(1)(kfunc.layers.BatchNormalization()(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    model.optimizer.build(model.parameters())
    steps = model._steps.steps(model, CPU, heads=model._heads, optimizer=model.optimizer)
    before = [b.clone() for b in model.buffers()]
    model.train()  # (the moving statistics move)
    with pytest.raises(RuntimeError):
        steps.train([torch.randn(4, 3) * 5], [torch.zeros(3, 1)], [None], model._compiled.tracker)  # 3 targets, 4 samples
    model.eval()
    for saved, now in zip(before, model.buffers()):
        assert torch.equal(saved, now)


# ----------------------------------------------------------------------------- predict's quick path


@pytest.fixture
def counted_matching(monkeypatch):
    """How many predict calls took the full path (the one that matches the arrays to the inputs)."""
    from kfunc.training import trainer

    calls = []
    real = trainer.match_inputs
    monkeypatch.setattr(trainer, "match_inputs", lambda model, x: calls.append(1) or real(model, x))
    return calls


def test_a_like_array_skips_the_checks_and_gets_the_same_outputs(counted_matching):
    model = small_model()
    x = np.random.default_rng(0).random((5, 3), dtype=np.float32)
    first = model.predict(x)
    again, fewer = model.predict(x), model.predict(x[:1])
    assert len(counted_matching) == 1  # only the first call matched x to the input
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first[:1], fewer)
    expected = model(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(again, expected, rtol=1e-6)


@pytest.mark.parametrize("other", [
    lambda x: x.astype(np.float64),  # converted to float32 by the full path
    lambda x: np.asfortranarray(x),
    lambda x: np.concatenate([x] * 10),  # more rows than one batch
    lambda x: x.tolist(),
    lambda x: [x],
])
def test_other_arrays_take_the_full_path(counted_matching, other):
    model = small_model()
    x = np.random.default_rng(0).random((4, 3), dtype=np.float32)
    expected = model.predict(x)
    got = model.predict(other(x))
    assert len(counted_matching) == 2
    np.testing.assert_allclose(got[: len(x)], expected, rtol=1e-6)


def test_a_wrong_shape_after_a_good_call_gets_the_full_error():
    model = small_model()
    model.predict(np.zeros((1, 3), np.float32))
    with pytest.raises(ValueError, match="Input 'input_1'"):
        model.predict(np.zeros((1, 4), np.float32))


def test_the_quick_path_follows_the_model_and_its_settings(counted_matching):
    model = Sequential([Dense(2, input_shape=(3,))])
    x = np.ones((1, 3), np.float32)
    model.predict(x)
    model.add(Dense(4))  # a new graph
    assert model.predict(x).shape == (1, 4) and len(counted_matching) == 2
    model.train()
    model.predict(x)  # as the full path, predict computes in inference mode
    assert not model.training and len(counted_matching) == 2
    with mixed_precision.policy_scope("mixed_bfloat16"):  # another dtype policy
        model.predict(x)
    assert len(counted_matching) == 3
    model.compile(optimizer="sgd", loss="mse")  # a new factory
    model.predict(x)
    assert len(counted_matching) == 4
    model.predict(x, batch_size=1)  # any other argument
    assert len(counted_matching) == 5


def test_models_that_check_embedding_ids_check_them_at_every_call(counted_matching):
    inputs = Input(shape=(2,))
    model = Model(inputs, kfunc.layers.Embedding(5, 2)(inputs))
    model.predict(np.zeros((1, 2), np.float32))
    with pytest.raises(ValueError, match="Embedding"):
        model.predict(np.full((1, 2), 7, np.float32))
    assert len(counted_matching) == 2


def test_predict_on_batch_takes_the_quick_path_for_any_number_of_rows(counted_matching):
    model = small_model()
    x = np.random.default_rng(0).random((40, 3), dtype=np.float32)
    first = model.predict_on_batch(x[:1])
    many = model.predict_on_batch(x)  # more rows than predict's batch, in one go
    assert len(counted_matching) == 2  # (predict_on_batch counts the rows of the first call)
    np.testing.assert_array_equal(many[:1], first)
    np.testing.assert_allclose(many, model.predict(x), rtol=1e-6)
