"""kfunc.layers.regularization: ActivityRegularization, and the layers behind model.add_loss."""

import numpy as np
import pytest
import torch

from kfunc.layers import ActivityRegularization, AddMetric, Dense, Input
from kfunc.models import Model, load_model


def test_activity_regularization_passes_its_input_on_and_adds_a_mean_penalty():
    layer = ActivityRegularization(l1=0.1, l2=0.2)
    x = torch.tensor([[1.0, -2.0], [3.0, 0.5]])
    assert torch.equal(layer(x), x)
    (penalty,) = layer.losses
    assert penalty.item() == pytest.approx((0.1 * x.abs().sum() + 0.2 * (x ** 2).sum()).item() / 2)


def test_activity_regularization_config_is_l1_and_l2():
    config = ActivityRegularization(l1=0.01).get_config()
    assert config["l1"] == 0.01 and config["l2"] == 0.0 and "activity_regularizer" not in config
    again = ActivityRegularization.from_config(config)
    assert (again.l1, again.l2) == (0.01, 0.0)


def test_activity_regularization_joins_the_loss_in_fit_and_survives_saving(tmp_path):
    x = Input(shape=(3,))
    model = Model(x, ActivityRegularization(l2=1.0)(Dense(2)(x)))
    model.compile(optimizer="sgd", loss="mse")
    data, y = np.random.rand(4, 3).astype("float32"), np.zeros((4, 2), "float32")
    out = model.predict(data)
    assert model.evaluate(data, y, verbose=0) == pytest.approx((out ** 2).mean() + (out ** 2).sum() / 4, rel=1e-5)
    model.save(tmp_path / "m.kfunc")
    assert load_model(tmp_path / "m.kfunc").evaluate(data, y, verbose=0) == pytest.approx(
        model.evaluate(data, y, verbose=0))


def test_add_metric_layer_keeps_its_metric_name_in_its_config():
    layer = AddMetric("mean_activation", name="add_metric")
    config = layer.get_config()
    assert config["metric_name"] == "mean_activation" and config["name"] == "add_metric"


def test_the_add_loss_layer_shows_in_the_summary_and_the_code():
    x = Input(shape=(3,))
    y = Dense(2)(x)
    model = Model(x, y)
    model.add_loss(Dense(1, name="penalty")(y))
    lines = []
    model.summary(print_fn=lines.append)
    assert any(line.startswith("add_loss (AddLoss)") for line in lines)
    assert "add_loss = self.add_loss(penalty)" in model.code
