"""Every metric's value against tf.keras 2's, on seeded random batches with and without weights.

The reference values are in tests/data/metrics_reference.json, written by
``/work/tfref/bin/python tools/make_metrics_reference.py`` (tf.keras, TensorFlow CPU).
"""

import json
import pathlib
import re

import numpy as np
import pytest

from kfunc import metrics

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "metrics_reference.json").read_text())
CASES = DATA["cases"]


def _id(case):
    args = ",".join(f"{k}={v}" for k, v in case["kwargs"].items())
    weighted = "weighted" if case["batches"][0][2] is not None else "plain"
    return f"{case['class_name']}({args})-{weighted}"


def _run(case, as_given=np.array):
    metric = getattr(metrics, case["class_name"])(**case["kwargs"])
    for y, p, w in case["batches"]:
        w = None if w is None else as_given(w)
        if p is None:
            metric.update_state(as_given(y), sample_weight=w)
        else:
            metric.update_state(as_given(y), as_given(p), sample_weight=w)
    return metric


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_value_as_tf_keras(case):
    metric = _run(case)
    # float32 sums in another order than TensorFlow's: a few ulps apart
    np.testing.assert_allclose(metric.result().numpy(), case["result"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CASES[::2], ids=[_id(c) for c in CASES[::2]])
def test_name_and_config_as_tf_keras(case):
    metric = getattr(metrics, case["class_name"])(**case["kwargs"])
    assert metric.name == re.sub(r"_\d+$", "", case["name"])
    theirs = {k: v for k, v in case["config"].items() if k != "name"}
    ours = {k: v for k, v in metric.get_config().items() if k != "name"}
    assert ours == theirs
    rebuilt = metrics.get(metrics.serialize(metric))
    assert type(rebuilt) is type(metric) and rebuilt.get_config() == metric.get_config()


@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] == "binary"][:8], ids=_id)
def test_plain_lists_as_keras_io_writes_them(case):
    np.testing.assert_allclose(_run(case, as_given=lambda v: v).result().numpy(), case["result"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CASES[::3], ids=[_id(c) for c in CASES[::3]])
def test_reset_state_starts_over(case):
    metric = _run(case)
    metric.reset_state()
    for y, p, w in case["batches"]:
        args = (np.array(y),) if p is None else (np.array(y), np.array(p))
        metric.update_state(*args, sample_weight=None if w is None else np.array(w))
    np.testing.assert_allclose(metric.result().numpy(), case["result"], rtol=1e-5, atol=1e-6)
