"""Metrics: per-sample functions, running state over batches, Keras's reference values."""

import numpy as np
import pytest
import torch
from sklearn.metrics import precision_score, recall_score, roc_auc_score

from kfunc import metrics

T = lambda values: torch.tensor(values, dtype=torch.float32)  # noqa: E731


# as torch tensors, as numpy arrays, and as the plain lists Keras's documentation writes
AS_GIVEN = {"tensors": T, "arrays": np.array, "lists": lambda values: values}


@pytest.mark.parametrize("T", AS_GIVEN.values(), ids=AS_GIVEN.keys())
def test_keras_documented_values(T):
    m = metrics.BinaryAccuracy()
    m.update_state(T([[1], [1], [0], [0]]), T([[0.98], [1], [0], [0.6]]))
    assert float(m.result()) == pytest.approx(0.75)
    m = metrics.CategoricalAccuracy()
    m.update_state(T([[0, 0, 1], [0, 1, 0]]), T([[0.1, 0.9, 0.8], [0.05, 0.95, 0]]))
    assert float(m.result()) == pytest.approx(0.5)
    m = metrics.SparseCategoricalAccuracy()
    m.update_state(T([[2], [1]]), T([[0.1, 0.6, 0.3], [0.05, 0.95, 0]]))
    assert float(m.result()) == pytest.approx(0.5)
    m = metrics.TopKCategoricalAccuracy(k=1)
    m.update_state(T([[0, 0, 1], [0, 1, 0]]), T([[0.1, 0.9, 0.8], [0.05, 0.95, 0]]))
    assert float(m.result()) == pytest.approx(0.5)
    m = metrics.AUC()
    m.update_state(T([0, 0, 1, 1]), T([0, 0.5, 0.3, 0.9]))
    assert float(m.result()) == pytest.approx(0.75, abs=1e-3)
    for cls in (metrics.Precision, metrics.Recall):
        m = cls()
        m.update_state(T([0, 1, 1, 1]), T([1, 0, 1, 1]))
        assert float(m.result()) == pytest.approx(2 / 3, rel=1e-6)


def test_running_value_over_batches_is_over_all_samples():
    m = metrics.BinaryAccuracy()
    m.update_state(T([[1], [0]]), T([[0.9], [0.9]]))  # 1 of 2
    m.update_state(T([[1], [1], [1], [1]]), T([[0.9]] * 4))  # 4 of 4
    assert float(m.result()) == pytest.approx(5 / 6)
    m.reset_state()
    m.update_state(T([[0]]), T([[0.9]]))
    assert float(m.result()) == 0.0
    m.reset_states()
    assert float(m.result()) == 0.0


def test_sample_weights_weight_the_mean():
    m = metrics.Mean()
    m.update_state(T([1.0, 3.0]), sample_weight=T([3.0, 1.0]))
    assert float(m.result()) == pytest.approx(1.5)
    mae = metrics.MeanAbsoluteError()
    mae.update_state(T([[0.0], [0.0]]), T([[1.0], [3.0]]), sample_weight=T([1.0, 0.0]))
    assert float(mae.result()) == pytest.approx(1.0)


def test_auc_precision_recall_against_sklearn():
    rng = np.random.default_rng(0)
    y = (rng.random(300) > 0.6).astype("float32")
    p = np.clip(0.4 * y + 0.6 * rng.random(300), 0, 1).astype("float32")
    auc, precision, recall = metrics.AUC(num_thresholds=1000), metrics.Precision(), metrics.Recall()
    for start in range(0, 300, 64):  # in batches
        for m in (auc, precision, recall):
            m.update_state(torch.from_numpy(y[start:start + 64]), torch.from_numpy(p[start:start + 64]))
    assert float(auc.result()) == pytest.approx(roc_auc_score(y, p), abs=2e-3)
    assert float(precision.result()) == pytest.approx(precision_score(y, p > 0.5), rel=1e-5)
    assert float(recall.result()) == pytest.approx(recall_score(y, p > 0.5), rel=1e-5)


def test_metric_functions_per_sample():
    assert metrics.binary_accuracy(T([[1, 0], [1, 1]]), T([[0.7, 0.2], [0.2, 0.9]])).tolist() == [1.0, 0.5]
    assert metrics.sparse_categorical_accuracy(T([1, 0]), T([[0.2, 0.8], [0.3, 0.7]])).tolist() == [1.0, 0.0]
    assert metrics.sparse_top_k_categorical_accuracy(T([2]), T([[0.5, 0.3, 0.2]]), k=2).tolist() == [0.0]
    assert float(metrics.cosine_proximity(T([[1.0, 0.0]]), T([[2.0, 0.0]]))) == pytest.approx(1.0)


def test_update_does_not_build_a_graph():
    y_pred = T([[0.2, 0.8]]).requires_grad_()
    m = metrics.CategoricalCrossentropy()
    m.update_state(T([[0.0, 1.0]]), y_pred)
    assert not m.result().requires_grad


def test_get_names_and_errors():
    assert metrics.get("mae") is metrics.mean_absolute_error
    assert metrics.get("binary_crossentropy") is metrics.binary_crossentropy
    assert isinstance(metrics.get("auc"), metrics.AUC)
    assert isinstance(metrics.get("Precision"), metrics.Precision)
    assert metrics.get("cosine_similarity")(T([[1.0, 0.0]]), T([[1.0, 0.0]])).item() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="Did you mean 'binary_accuracy'"):
        metrics.get("binary_acuracy")
