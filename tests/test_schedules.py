"""Learning-rate schedules give tf.keras's rates, step by step, and survive their config.

The expected rates were recorded from Keras 3 (``keras.optimizers.schedules``, whose
formulas are tf.keras 2's) at the steps below.
"""

import math

import numpy as np
import pytest
import torch

from kfunc.optimizers import schedules
from kfunc.optimizers.schedules import (
    CosineDecay, ExponentialDecay, InverseTimeDecay, LearningRateSchedule, PiecewiseConstantDecay, PolynomialDecay,
)

STEPS = [0, 1, 4, 5, 6, 12, 13, 25]

CASES = {
    "exp": (lambda: ExponentialDecay(0.1, 7, 0.6),
            [0.100000001, 0.092962399, 0.0746843, 0.069428317, 0.064542226, 0.04165699, 0.038725339, 0.016131811]),
    "exp_stair": (lambda: ExponentialDecay(0.1, 7, 0.6, staircase=True),
                  [0.100000001, 0.100000001, 0.100000001, 0.100000001, 0.100000001, 0.060000002, 0.060000002,
                   0.021600002]),
    "piecewise": (lambda: PiecewiseConstantDecay([5, 12], [0.3, 0.2, 0.05]),
                  [0.300000012, 0.300000012, 0.300000012, 0.300000012, 0.200000003, 0.200000003, 0.050000001,
                   0.050000001]),
    "inverse": (lambda: InverseTimeDecay(0.2, 4, 0.5),
                [0.200000003, 0.177777782, 0.13333334, 0.123076923, 0.114285715, 0.079999998, 0.076190479,
                 0.048484851]),
    "inverse_stair": (lambda: InverseTimeDecay(0.2, 4, 0.5, staircase=True),
                      [0.200000003, 0.200000003, 0.13333334, 0.13333334, 0.13333334, 0.079999998, 0.079999998,
                       0.050000001]),
    "poly": (lambda: PolynomialDecay(0.1, 10, 0.01, power=2.0),
             [0.100000001, 0.082899995, 0.042400002, 0.032499999, 0.0244, 0.01, 0.01, 0.01]),
    "poly_cycle": (lambda: PolynomialDecay(0.1, 10, 0.01, power=0.5, cycle=True),
                   [0.100000001, 0.095381498, 0.079713702, 0.073639609, 0.066921003, 0.066921003, 0.063244723,
                    0.04674235]),
    "cosine": (lambda: CosineDecay(0.1, 12, alpha=0.1),
               [0.100000001, 0.098466665, 0.077500001, 0.066646867, 0.054999996, 0.010000001, 0.010000001,
                0.010000001]),
    "cosine_warmup": (lambda: CosineDecay(0.0, 12, alpha=0.1, warmup_target=0.2, warmup_steps=4),
                      [0.0, 0.050000001, 0.200000003, 0.196933329, 0.187942296, 0.06499999, 0.046360392,
                       0.020000001]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_schedule_matches_keras(name):
    make, expected = CASES[name]
    schedule = make()
    np.testing.assert_allclose([schedule(step) for step in STEPS], expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(CASES))
def test_schedule_is_rebuilt_from_its_config(name):
    schedule = CASES[name][0]()
    again = type(schedule).from_config(schedule.get_config())
    assert [again(s) for s in STEPS] == [schedule(s) for s in STEPS]
    written = schedules.serialize(schedule)
    assert written["class_name"] == type(schedule).__name__
    assert [schedules.deserialize(written)(s) for s in STEPS] == [schedule(s) for s in STEPS]


def test_exponential_decay_formula_by_hand():
    schedule = ExponentialDecay(0.5, decay_steps=3, decay_rate=0.9)
    assert schedule(7) == pytest.approx(0.5 * 0.9 ** (7 / 3))
    assert ExponentialDecay(0.5, 3, 0.9, staircase=True)(7) == pytest.approx(0.5 * 0.9 ** 2)


def test_step_may_be_a_tensor_or_numpy_number():
    schedule = CosineDecay(1.0, 10)
    assert schedule(torch.tensor(5)) == pytest.approx(0.5)
    assert schedule(np.int64(10)) == pytest.approx(0.0)


def test_config_keeps_tf_keras_arguments():
    assert ExponentialDecay(0.1, 10, 0.5).get_config() == {
        "initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": False, "name": None}
    assert PiecewiseConstantDecay([1], [0.1, 0.01]).get_config() == {"boundaries": [1], "values": [0.1, 0.01],
                                                                     "name": None}


def test_custom_schedule_subclass():
    class Halving(LearningRateSchedule):
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, step):
            return self.rate * 0.5 ** (step // 10)

        def get_config(self):
            return {"rate": self.rate}

    schedule = Halving(0.8)
    assert schedule(25) == pytest.approx(0.2)
    again = schedules.deserialize(schedules.serialize(schedule), custom_objects={"Halving": Halving})
    assert again(25) == pytest.approx(0.2)


def test_unfinished_subclass_says_what_to_define():
    with pytest.raises(NotImplementedError, match="__call__"):
        LearningRateSchedule()(0)


def test_misuse_is_refused():
    with pytest.raises(ValueError, match="one value more than boundaries"):
        PiecewiseConstantDecay([10, 20], [0.1, 0.01])
    with pytest.raises(ValueError, match="must increase"):
        PiecewiseConstantDecay([20, 10], [0.1, 0.01, 0.001])
    with pytest.raises(ValueError, match="decay_steps"):
        ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="from 0"):
        CosineDecay(0.1, 10)(-1)
    with pytest.raises(ValueError, match="Unknown learning-rate schedule 'Mine'"):
        schedules.deserialize({"class_name": "Mine", "config": {}})


def test_cosine_decay_reaches_alpha_and_stays():
    schedule = CosineDecay(2.0, 8, alpha=0.25)
    assert schedule(8) == pytest.approx(0.5)
    assert schedule(100) == pytest.approx(0.5)
    assert schedule(4) == pytest.approx(2.0 * (0.75 * 0.5 * (1 + math.cos(math.pi / 2)) + 0.25))


def test_an_optimizer_made_with_a_schedule_follows_it_saves_it_and_refuses_a_hand_set_rate(tmp_path):
    import numpy as np

    import kfunc
    from kfunc import backend as K

    schedule = schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
    optimizer = kfunc.optimizers.SGD(learning_rate=schedule)
    assert optimizer.get_config()["learning_rate"]["class_name"] == "ExponentialDecay"
    x = kfunc.Input(shape=(3,))
    model = kfunc.Model(x, kfunc.layers.Dense(1)(x))
    model.compile(optimizer, "mse")
    model.fit(np.ones((8, 3)), np.ones((8, 1)), batch_size=2, epochs=1, verbose=0)
    assert optimizer.iterations == 4
    assert K.get_value(optimizer.lr) == pytest.approx(0.1 * 0.5 ** 2)  # the next update's rate, as Keras
    with pytest.raises(TypeError, match="schedule ExponentialDecay"):
        K.set_value(optimizer.lr, 0.3)
    model.save(tmp_path / "m.keras")
    again = kfunc.models.load_model(tmp_path / "m.keras")
    assert isinstance(again.optimizer._schedule, schedules.ExponentialDecay)
    assert again.optimizer.iterations == 4
