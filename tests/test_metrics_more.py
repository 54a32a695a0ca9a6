"""The metrics added for tf.keras 2 programs: in fit, against sklearn, by name, and their errors."""

import numpy as np
import pytest
import torch
from sklearn.metrics import confusion_matrix, f1_score, fbeta_score, jaccard_score, r2_score

import kfunc
from kfunc import Sequential, metrics
from kfunc.layers import Dense


def test_the_imbalanced_classification_tutorials_metrics_in_fit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 5)).astype("float32")
    y = (x[:, :1] + 0.3 * rng.normal(size=(96, 1)) > 1.0).astype("float32")
    model = Sequential([Dense(8, activation="relu", input_shape=(5,)), Dense(1, activation="sigmoid")])
    keras_metrics = [
        metrics.TruePositives(name="tp"), metrics.FalsePositives(name="fp"), metrics.TrueNegatives(name="tn"),
        metrics.FalseNegatives(name="fn"), metrics.BinaryAccuracy(name="binary_accuracy"),
        metrics.Precision(name="precision"), metrics.Recall(name="recall"), metrics.AUC(name="auc"),
        metrics.AUC(name="prc", curve="PR"),
    ]
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=keras_metrics)
    history = model.fit(x, y, batch_size=16, epochs=2, validation_split=0.25, verbose=0)
    names = ["tp", "fp", "tn", "fn", "binary_accuracy", "precision", "recall", "auc", "prc"]
    assert set(history.history) == {"loss", *names, "val_loss", *[f"val_{n}" for n in names]}
    h = {k: v[-1] for k, v in history.history.items()}
    assert h["tp"] + h["fp"] + h["tn"] + h["fn"] == pytest.approx(72)  # every training sample counted once
    assert h["val_tp"] + h["val_fp"] + h["val_tn"] + h["val_fn"] == pytest.approx(24)
    # the counts and the rates read from them agree
    assert h["binary_accuracy"] == pytest.approx((h["tp"] + h["tn"]) / 72, rel=1e-5)
    if h["tp"] + h["fn"]:
        assert h["recall"] == pytest.approx(h["tp"] / (h["tp"] + h["fn"]), rel=1e-5)


@pytest.mark.parametrize("metric", [
    metrics.RootMeanSquaredError(), metrics.R2Score(), metrics.LogCoshError(), metrics.MeanIoU(num_classes=2),
    metrics.F1Score(threshold=0.5), metrics.PrecisionAtRecall(0.5), metrics.Hinge(),
], ids=lambda m: type(m).__name__)
def test_each_new_metric_in_fit_under_its_name(metric):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = Sequential([Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse", metrics=[metric])
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history[metric.name][0])


def test_regression_metrics_by_name_in_fit():
    x = np.random.default_rng(2).normal(size=(16, 2)).astype("float32")
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse", metrics=["RootMeanSquaredError", "root_mean_squared_error"])
    history = model.fit(x, x[:, :1], epochs=1, verbose=0)
    assert {"RootMeanSquaredError", "root_mean_squared_error"} <= set(history.history)
    assert history.history["root_mean_squared_error"][0] ** 2 == pytest.approx(history.history["loss"][0], rel=1e-4)


def test_against_sklearn():
    rng = np.random.default_rng(3)
    y = rng.normal(size=(50, 2)).astype("float32")
    p = (y + rng.normal(size=(50, 2))).astype("float32")
    r2 = metrics.R2Score()
    for s in range(0, 50, 16):
        r2.update_state(y[s:s + 16], p[s:s + 16])
    assert float(r2.result()) == pytest.approx(r2_score(y, p), rel=1e-5)

    labels, guesses = rng.integers(0, 3, 60), rng.integers(0, 3, 60)
    iou = metrics.MeanIoU(num_classes=3)
    iou.update_state(labels, guesses)
    assert float(iou.result()) == pytest.approx(jaccard_score(labels, guesses, average="macro"), rel=1e-5)

    onehot, scores = np.eye(3)[labels], rng.random((60, 3)) + np.eye(3)[labels] * 0.3
    f1 = metrics.F1Score()
    f1.update_state(onehot, scores)
    np.testing.assert_allclose(f1.result().numpy(), f1_score(labels, scores.argmax(-1), average=None), rtol=1e-5)
    f2 = metrics.FBetaScore(average="macro", beta=2.0)
    f2.update_state(onehot, scores)
    assert float(f2.result()) == pytest.approx(fbeta_score(labels, scores.argmax(-1), beta=2.0, average="macro"),
                                               rel=1e-5)

    binary, prob = (labels == 1).astype(int), rng.random(60)
    (tn, fp), (fn, tp) = confusion_matrix(binary, prob > 0.5)
    for cls, expected in ((metrics.TruePositives, tp), (metrics.FalsePositives, fp),
                          (metrics.TrueNegatives, tn), (metrics.FalseNegatives, fn)):
        m = cls()
        m.update_state(binary, prob)
        assert float(m.result()) == expected


def test_keras_io_standalone_use_with_lists():
    m = metrics.MeanAbsoluteError()
    m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])  # integer lists, as keras.io writes them
    assert m.result().numpy() == pytest.approx(0.25)
    m = metrics.TruePositives()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    assert m.result().numpy() == 2.0
    m = metrics.RootMeanSquaredError()
    m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    assert m.result().numpy() == pytest.approx(0.5)
    m = metrics.MeanIoU(num_classes=2)
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    assert m.result().numpy() == pytest.approx(1 / 3)
    m = metrics.Sum()
    m.update_state([1, 3, 5, 7])
    assert m.result().numpy() == 16.0


def test_list_of_thresholds_gives_one_value_each_and_state_is_torch():
    m = metrics.Recall(thresholds=[0.3, 0.7])
    m.update_state(torch.tensor([1.0, 1.0, 0.0]), torch.tensor([0.5, 0.9, 0.8]))
    assert m.result().tolist() == [1.0, 0.5]
    assert isinstance(m.tp, torch.Tensor) and m.tp.shape == (2,)


def test_names_as_tf_keras_and_keras_3_take_them():
    for name, cls in [("RootMeanSquaredError", metrics.RootMeanSquaredError), ("TruePositives", metrics.TruePositives),
                      ("F1Score", metrics.F1Score), ("R2Score", metrics.R2Score), ("true_positives", metrics.TruePositives),
                      ("root_mean_squared_error", metrics.RootMeanSquaredError), ("sum", metrics.Sum)]:
        assert type(metrics.get(name)) is cls
    assert metrics.get("logcosh") is metrics.log_cosh
    assert metrics.LogCoshError().name == "logcosh" and metrics.MeanIoU(2).name == "mean_io_u"
    with pytest.raises(ValueError, match="Did you mean 'root_mean_squared_error'"):
        metrics.get("root_mean_squared_eror")


def test_errors_name_the_metric_and_what_to_do():
    with pytest.raises(ValueError, match=r"class id 3; class ids must be in \[0, 3\).*sparse_y_pred=False"):
        metrics.MeanIoU(num_classes=3).update_state([0, 1], [1, 3])
    with pytest.raises(ValueError, match="average='mean'"):
        metrics.F1Score(average="mean")
    with pytest.raises(ValueError, match="between 0 and 1"):
        metrics.PrecisionAtRecall(1.5)
    with pytest.raises(ValueError, match="multi_label"):
        metrics.AUC(multi_label=True)
    with pytest.raises(ValueError, match=r"shape \(batch, classes\)"):
        metrics.F1Score().update_state([0, 1], [0.2, 0.8])


def test_metric_classes_belong_to_the_package():
    assert metrics.binary_accuracy.__module__ == "kfunc.metrics"
    assert metrics.TruePositives.__module__ == "kfunc.metrics"
    assert kfunc.metrics.RootMeanSquaredError is metrics.RootMeanSquaredError
