"""Data-parallel fit on torch.distributed (kfunc/training/distributed.py).

The main tests launch ``tests/distributed_fit_script.py`` with
``python -m torch.distributed.run --standalone --nproc_per_node=2`` (two CPU
processes, gloo) and once alone, then compare what each process wrote. The others
check the pieces (how a batch is split, which callbacks stay, how logs are pooled)
in this process, without starting any group.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import kfunc
from kfunc.callbacks import Callback, CSVLogger, EarlyStopping, ModelCheckpoint, ProgbarLogger
from kfunc.training import distributed
from kfunc.training.distributed import World, _SharedOrderStream

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "distributed_fit_script.py"
LAUNCHER_VARIABLES = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def run_script(launcher, out):
    env = {k: v for k, v in os.environ.items() if k not in LAUNCHER_VARIABLES}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["OMP_NUM_THREADS"] = "1"
    return subprocess.run([sys.executable, *launcher, str(SCRIPT), str(out)], env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("distributed")
    alone = run_script([], out)
    assert alone.returncode == 0, alone.stderr
    launched = run_script(["-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"], out)
    results = {name: json.loads((out / f"{name}.json").read_text())
               for name in ("single", "rank0", "rank1") if (out / f"{name}.json").exists()}
    return launched, results


def assert_close(a, b, tol):
    for x, y in zip(a, b):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=0, atol=tol)


# ----------------------------------------------------------------------------- two processes


def test_every_process_exits_cleanly(runs):
    launched, results = runs
    assert launched.returncode == 0, launched.stderr[-3000:]
    assert "terminate called" not in launched.stderr + launched.stdout
    assert results["rank0"]["world"] == results["rank1"]["world"] == 2


def test_each_process_gets_its_half_of_every_global_batch(runs):
    _, results = runs
    first, second = results["rank0"]["seen"]["fit0"], results["rank1"]["seen"]["fit0"]
    batches = [list(range(s, min(s + 8, 36))) for s in range(0, 36, 8)]  # the one-process batches
    assert results["single"]["seen"]["fit0"] == batches
    for batch, a, b in zip(batches, first, second):
        half = len(batch) // 2
        assert a == batch[:half] and b == batch[half:]
    rows = [r for batch in first + second for r in batch]
    assert sorted(rows) == list(range(36))  # disjoint, and together all of them


def test_processes_end_with_the_same_weights_and_history(runs):
    _, results = runs
    r0, r1 = results["rank0"], results["rank1"]
    for key in ("weights", "uneven_weights", "shuffled_weights"):
        assert r0[key] == r1[key]
    assert r0["history"] == r1["history"] and r0["uneven_history"] == r1["uneven_history"]
    assert set(r0["history"]) == {"loss", "acc", "mae", "val_loss", "val_acc", "val_mae"}


def test_data_parallel_fit_equals_the_one_process_fit(runs):
    _, results = runs
    single, r0 = results["single"], results["rank0"]
    assert_close(r0["weights"], single["weights"], 1e-5)
    for key, values in single["history"].items():
        np.testing.assert_allclose(r0["history"][key], values, rtol=0, atol=1e-5)
    assert single["history"]["loss"][-1] < single["history"]["loss"][0]  # it did learn


def test_a_short_last_batch_is_split_as_evenly_as_it_goes(runs):
    _, results = runs
    assert results["rank0"]["seen"]["uneven0"][-1] == [32, 33, 34]
    assert results["rank1"]["seen"]["uneven0"][-1] == [35, 36]
    assert_close(results["rank0"]["uneven_weights"], results["single"]["uneven_weights"], 1e-5)
    for key, values in results["single"]["uneven_history"].items():
        np.testing.assert_allclose(results["rank0"]["uneven_history"][key], values, rtol=0, atol=1e-5)


def test_shuffled_epochs_walk_one_permutation_on_both_processes(runs):
    _, results = runs
    for epoch in ("shuffled0", "shuffled1"):
        first, second = results["rank0"]["seen"][epoch], results["rank1"]["seen"][epoch]
        rows = [r for batch in first + second for r in batch]
        assert sorted(rows) == list(range(36))
        assert [len(b) for b in first] == [len(b) for b in second] == [4, 4, 4, 4, 2]
    assert results["rank0"]["seen"]["shuffled0"] != results["rank0"]["seen"]["shuffled1"]


def test_processes_stop_together_when_one_is_asked_to(runs):
    _, results = runs
    for rank in ("rank0", "rank1"):  # (only process 1 asked, after its third batch)
        assert len(results[rank]["seen"]["stopped0"]) == 3 and "stopped1" not in results[rank]["seen"]
        assert results[rank]["stopped_epochs"] == [0]


def test_evaluate_and_predict_return_the_full_result_everywhere(runs):
    _, results = runs
    single = results["single"]
    for rank in ("rank0", "rank1"):
        r = results[rank]
        assert r["seen"]["predict"][0] == ([0, 1, 2, 3] if rank == "rank0" else [4, 5, 6, 7])  # shared out
        assert np.asarray(r["predict"]).shape == (36, 1)
        np.testing.assert_allclose(r["predict"], single["predict"], rtol=0, atol=1e-5)
        np.testing.assert_allclose(r["uneven_predict"], single["uneven_predict"], rtol=0, atol=1e-5)
        for name, value in single["evaluate"].items():
            assert r["evaluate"][name] == pytest.approx(value, abs=1e-5)


def test_only_process_zero_prints_progress(runs):
    _, results = runs
    assert results["rank0"]["printed"].startswith("Epoch 1/3\n5/5 [")
    assert results["rank1"]["printed"] == ""


def test_a_batch_size_that_does_not_split_evenly_is_refused(runs):
    _, results = runs
    message = results["rank0"]["odd_batch_error"]
    assert "batch_size=7" in message and "2 processes" in message and "batch_size=6 or 8" in message
    assert results["single"]["odd_batch_error"] is None


# ----------------------------------------------------------------------------- the pieces, in one process


def fake_world(rank, size):
    world = World.__new__(World)
    world.rank, world.size, world.local_rank, world.cpu_collectives = rank, size, rank, True
    return world


@pytest.mark.parametrize("size", [2, 3, 4])
def test_batch_parts_cover_the_batch_and_average_to_its_mean(size):
    values = torch.arange(1.0, 12.0) ** 2
    for rows in range(1, 12):
        batch = values[:rows]
        covered, averaged = [], 0.0
        for rank in range(size):
            start, stop, weight = fake_world(rank, size).share(rows)
            if weight:
                covered += list(range(start, stop))
            averaged += weight * float(batch[start:stop].mean()) / size  # what DDP's averaging makes of it
        assert covered == list(range(rows))
        assert averaged == pytest.approx(float(batch.mean()))


def test_a_process_without_rows_computes_one_row_with_weight_zero():
    assert fake_world(1, 2).share(1) == (0, 1, 0.0)
    assert fake_world(0, 2).share(1) == (0, 1, 2.0)


def test_batch_size_check_suggests_multiples():
    with pytest.raises(ValueError, match=r"fit\(batch_size=10\) runs on 4 processes.*batch_size=8 or 12"):
        fake_world(0, 4).check_batch_size(10, "fit")
    with pytest.raises(ValueError, match=r"batch_size=3\b"):
        fake_world(0, 3).check_batch_size(1, "predict")
    fake_world(0, 4).check_batch_size(32, "fit")


def test_only_process_zero_keeps_reporting_and_writing_callbacks(tmp_path):
    class Mine(Callback):
        pass

    given = [ProgbarLogger(), EarlyStopping(), CSVLogger(str(tmp_path / "log.csv")),
             ModelCheckpoint(str(tmp_path / "m.pt")), Mine()]
    assert fake_world(0, 2).callbacks(given) == given
    kept = fake_world(1, 2).callbacks(given)
    assert [type(cb) for cb in kept] == [EarlyStopping, Mine]


def test_processes_agree_per_batch_only_when_a_callback_could_stop_mid_epoch(tmp_path):
    from kfunc.callbacks import LambdaCallback, TerminateOnNaN

    quiet = [ProgbarLogger(), ModelCheckpoint(str(tmp_path / "m.pt"), save_freq=2), EarlyStopping()]
    for rank in (0, 1):  # the same answer on every process, though process 0 runs more callbacks
        world = fake_world(rank, 2)
        assert not world.may_stop_mid_epoch(world.callbacks(quiet))
        assert world.may_stop_mid_epoch(world.callbacks(quiet + [TerminateOnNaN()]))
        assert world.may_stop_mid_epoch(world.callbacks([LambdaCallback(on_batch_end=print)]))


def test_shared_order_comes_from_the_seed_not_the_global_generator():
    state = torch.get_rng_state()
    a = [b.tolist() for b in _SharedOrderStream(10, 4, True, seed=7).epoch()]
    torch.manual_seed(123)  # another process's global generator
    b = [b.tolist() for b in _SharedOrderStream(10, 4, True, seed=7).epoch()]
    torch.set_rng_state(state)
    assert a == b and sorted(sum(a, [])) == list(range(10))
    stream = _SharedOrderStream(10, 4, True, seed=7)
    before = torch.get_rng_state()
    list(stream.epoch())
    assert torch.equal(before, torch.get_rng_state())  # the script's own generator is left alone


def test_epoch_logs_pool_the_sums_of_all_processes(monkeypatch):
    """Two processes that saw the same batches report what one process reports."""
    model = kfunc.Sequential([kfunc.layers.Dense(2, activation="softmax", input_shape=(3,))])
    model.compile(optimizer="sgd", loss="categorical_crossentropy",
                  metrics=["acc", "mae", kfunc.metrics.Precision(), kfunc.metrics.AUC(num_thresholds=5),
                           kfunc.metrics.TruePositives(),
                           kfunc.metrics.MeanIoU(2, sparse_y_true=False, sparse_y_pred=False)])
    x = np.random.RandomState(0).rand(10, 3).astype("float32")
    y = np.eye(2, dtype="float32")[[0, 1, 1, 0, 1, 0, 0, 1, 1, 1]]
    alone = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    monkeypatch.setattr(distributed.dist, "all_reduce", lambda t, *a, **k: t.mul_(2))  # a twin's sums
    pooled = model._compiled.tracker.results(fake_world(0, 2))
    for name, value in alone.items():
        twice_as_many = 2 if name == "true_positives" else 1  # a count: the twin's samples count too
        assert pooled[name] == pytest.approx(twice_as_many * value, abs=1e-6), name
    assert model._compiled.tracker.results() == pytest.approx(alone)  # the process's own sums are back


def test_alone_nothing_is_distributed(monkeypatch):
    for name in LAUNCHER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert not distributed.launched() and distributed.current() is None
    assert distributed.rank() == 0 and distributed.is_chief()


def test_missing_launcher_variables_are_named(monkeypatch):
    for name in LAUNCHER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "1")
    with pytest.raises(RuntimeError, match="MASTER_ADDR, MASTER_PORT are not set.*torchrun"):
        distributed.current()
    assert not torch.distributed.is_initialized()


def test_save_writes_only_on_process_zero(monkeypatch, tmp_path):
    model = kfunc.Sequential([kfunc.layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "1")
    model.save_weights(str(tmp_path / "w.pt"))
    model.save(str(tmp_path / "m.pt"))
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv("RANK", "0")
    model.save_weights(str(tmp_path / "w.pt"))
    assert (tmp_path / "w.pt").exists()


def test_iou_metrics_pool_their_confusion_matrix():
    from kfunc.training.tracker import _additive_state

    metric = kfunc.metrics.MeanIoU(num_classes=3)
    assert _additive_state(metric) == [(metric, "total_cm", (3, 3))]  # (not the mean of the processes' results)
