"""Record tf.keras 2's values of the metrics into tests/data/metrics_reference.json.

Run with the tf.keras reference environment (never a dependency of kfunc):

    /work/tfref/bin/python tools/make_metrics_reference.py

Each case is a metric class with constructor arguments and a few seeded random
batches (y_true, y_pred, and sample_weight or none); the file holds the inputs and
tf.keras's result after all batches, which tests/test_metrics_reference.py compares
kfunc's against.
"""

import json
import os

os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "metrics_reference.json")


def batches(kind, rng, n=3, size=8, classes=4):
    """``n`` batches of targets and predictions of one kind of problem."""
    out = []
    for _ in range(n):
        if kind == "binary":
            y = (rng.random((size, 1)) > 0.5).astype("float32")
            p = np.clip(0.35 * y + 0.65 * rng.random((size, 1)), 0, 1).astype("float32")
        elif kind == "multilabel":
            y = (rng.random((size, classes)) > 0.6).astype("float32")
            p = np.clip(0.4 * y + 0.6 * rng.random((size, classes)), 0, 1).astype("float32")
        elif kind == "onehot":
            y = np.eye(classes, dtype="float32")[rng.integers(0, classes, size)]
            p = rng.random((size, classes)).astype("float32") + y * 0.5
            p = (p / p.sum(-1, keepdims=True)).astype("float32")
        elif kind == "sparse":
            y = rng.integers(0, classes, (size, 1)).astype("float32")
            p = np.where(rng.random((size, 1)) > 0.4, y, rng.integers(0, classes, (size, 1))).astype("float32")
        elif kind == "regression":
            y = rng.normal(size=(size, 3)).astype("float32")
            p = (y + 0.5 * rng.normal(size=(size, 3))).astype("float32")
        elif kind == "positive":
            y = rng.random((size, 3)).astype("float32") + 0.1
            p = rng.random((size, 3)).astype("float32") + 0.1
        elif kind == "signs":
            y = (rng.random((size, 3)) > 0.5).astype("float32")
            p = rng.normal(size=(size, 3)).astype("float32")
        out.append((y, p))
    return out


CASES = [  # (class name, kwargs, kind of data)
    ("Sum", {}, "values"),
    ("RootMeanSquaredError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("LogCoshError", {}, "regression"),
    ("Hinge", {}, "signs"),
    ("SquaredHinge", {}, "signs"),
    ("CategoricalHinge", {}, "onehot"),
    ("KLDivergence", {}, "onehot"),
    ("Poisson", {}, "positive"),
    ("MeanAbsoluteError", {}, "regression"),
    ("TruePositives", {}, "binary"),
    ("FalsePositives", {}, "binary"),
    ("TrueNegatives", {}, "binary"),
    ("FalseNegatives", {}, "binary"),
    ("TruePositives", {"thresholds": [0.2, 0.5, 0.8]}, "binary"),
    ("FalseNegatives", {"thresholds": 0.3}, "multilabel"),
    ("Precision", {}, "binary"),
    ("Recall", {"thresholds": [0.3, 0.7]}, "binary"),
    ("Precision", {"top_k": 2}, "multilabel"),
    ("Recall", {"class_id": 1}, "multilabel"),
    ("AUC", {}, "binary"),
    ("AUC", {"curve": "PR"}, "binary"),
    ("AUC", {"curve": "PR", "num_thresholds": 20}, "multilabel"),
    ("AUC", {"summation_method": "minoring"}, "binary"),
    ("AUC", {"curve": "PR", "summation_method": "majoring", "num_thresholds": 50}, "binary"),
    ("AUC", {"thresholds": [0.25, 0.5, 0.75]}, "binary"),
    ("PrecisionAtRecall", {"recall": 0.6}, "binary"),
    ("RecallAtPrecision", {"precision": 0.7}, "binary"),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, "binary"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.8, "num_thresholds": 30}, "multilabel"),
    ("PrecisionAtRecall", {"recall": 0.5, "class_id": 2}, "multilabel"),
    ("MeanIoU", {"num_classes": 4}, "sparse"),
    ("IoU", {"num_classes": 4, "target_class_ids": [0, 2]}, "sparse"),
    ("MeanIoU", {"num_classes": 4, "ignore_class": 0}, "sparse"),
    ("BinaryIoU", {}, "binary"),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.4}, "binary"),
    ("OneHotIoU", {"num_classes": 4, "target_class_ids": [1, 3]}, "onehot"),
    ("OneHotMeanIoU", {"num_classes": 4}, "onehot"),
    ("F1Score", {}, "onehot"),
    ("F1Score", {"average": "macro", "threshold": 0.5}, "multilabel"),
    ("F1Score", {"average": "micro"}, "onehot"),
    ("FBetaScore", {"average": "weighted", "beta": 2.0, "threshold": 0.4}, "multilabel"),
    ("R2Score", {}, "regression"),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, "regression"),
    ("R2Score", {"class_aggregation": None, "num_regressors": 2}, "regression"),
]


def main():
    rng = np.random.default_rng(1234)
    records = []
    for class_name, kwargs, kind in CASES:
        for weighted in (False, True):
            if kind == "values":  # Sum takes values, not targets and predictions
                data = [(rng.normal(size=(8,)).astype("float32"), None) for _ in range(3)]
            else:
                data = batches(kind, rng)
            weights = [rng.random(8).astype("float32") if weighted else None for _ in data]
            metric = getattr(keras.metrics, class_name)(**kwargs)
            for (y, p), w in zip(data, weights):
                if kind == "values":
                    metric.update_state(y, sample_weight=w)
                else:
                    metric.update_state(y, p, sample_weight=w)
            records.append({
                "class_name": class_name, "kwargs": kwargs, "kind": kind,
                "batches": [[y.tolist(), None if p is None else p.tolist(), None if w is None else w.tolist()]
                            for (y, p), w in zip(data, weights)],
                "result": np.asarray(metric.result()).tolist(),
                "name": metric.name,
                "config": {k: (list(v) if isinstance(v, (list, tuple)) or type(v).__name__ == "ListWrapper" else v)
                           for k, v in metric.get_config().items()},
            })
    with open(OUT, "w") as f:
        json.dump({"generated_by": "tools/make_metrics_reference.py", "tf_keras": keras.__version__,
                   "cases": records}, f)
    print(f"{len(records)} cases written to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
