"""kfunc.training.extras: what the layers add to each step (penalties, added losses, constraints)."""

import numpy as np
import pytest
import torch

from kfunc.layers import Dense, Input, Layer
from kfunc.models import Model


class Quiet(Layer):
    """A layer of the user's: its call could add a loss, but does not."""

    def call(self, inputs):
        return inputs


def test_compile_without_a_loss_is_refused_when_nothing_adds_one():
    x = Input(shape=(3,))
    model = Model(x, Dense(1)(x))
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="compiled without a loss"):
        model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)


def test_a_user_layer_that_adds_nothing_is_found_out_at_the_first_step():
    x = Input(shape=(3,))
    model = Model(x, Quiet()(Dense(1)(x)))
    model.compile(optimizer="sgd")
    before = model.get_weights()
    with pytest.raises(ValueError, match="none of its layers adds one"):
        model.fit(np.ones((4, 3)), verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_evaluate_reports_the_penalties_as_the_loss_without_a_compiled_one():
    x = Input(shape=(3,))
    model = Model(x, Dense(1, kernel_regularizer="l1")(x))
    model.compile(optimizer="sgd")
    assert model.evaluate(np.ones((4, 3)), verbose=0) == pytest.approx(0.01 * np.abs(model.get_weights()[0]).sum())


def test_train_on_batch_adds_the_penalties_too():
    x = Input(shape=(3,))
    model = Model(x, Dense(1, kernel_regularizer="l2")(x))
    model.compile(optimizer="sgd", loss="mse")
    data, y = np.ones((4, 3), "float32"), np.zeros((4, 1), "float32")
    expected = (model.predict(data) ** 2).mean() + 0.01 * (model.get_weights()[0] ** 2).sum()
    assert model.train_on_batch(data, y) == pytest.approx(expected, rel=1e-5)


def test_predict_leaves_no_values_behind_for_the_next_step():
    class Adds(Layer):
        def call(self, inputs):
            self.add_loss(torch.tensor(100.0))
            return inputs

    x = Input(shape=(3,))
    model = Model(x, Adds()(Dense(1, kernel_initializer="zeros")(x)))
    model.compile(optimizer="sgd", loss="mse")
    for _ in range(3):
        model.predict(np.ones((2, 3)))
    assert model.evaluate(np.ones((2, 3)), np.zeros((2, 1)), verbose=0) == pytest.approx(100.0)
