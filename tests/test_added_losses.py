"""kfunc.added_losses: add_loss and add_metric, in a layer's call and on a model (the VAE pattern)."""

import numpy as np
import pytest
import torch

import kfunc
from kfunc import regularizers
from kfunc.layers import Dense, Input, Lambda, Layer
from kfunc.models import Model, load_model


class ActivityPenalty(Layer):
    """The keras.io guide's layer: it adds a loss in call."""

    def __init__(self, rate=1e-2, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * torch.sum(inputs))
        return inputs

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


class Outer(Layer):
    def __init__(self):
        super().__init__()
        self.inner = ActivityPenalty(1e-2)

    def call(self, inputs):
        return self.inner(inputs)


class Sampling(Layer):
    """The VAE's sampling layer, adding the KL divergence as a loss and reporting it."""

    def call(self, inputs):
        mean, log_var = inputs
        kl = -0.5 * torch.mean(torch.sum(1 + log_var - mean ** 2 - torch.exp(log_var), dim=1))
        self.add_loss(kl)
        self.add_metric(kl, name="kl")
        return mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)


def vae(features=8, latent=2):
    x = Input(shape=(features,))
    h = Dense(16, activation="relu")(x)
    z = Sampling()([Dense(latent, name="z_mean")(h), Dense(latent, name="z_log_var")(h)])
    out = Dense(features, activation="sigmoid", name="decoded")(Dense(16, activation="relu")(z))
    return Model(x, out)


def test_layer_losses_are_those_of_its_latest_call():
    # the keras.io guide's checks: one loss per call, reset at the start of each call
    layer = Outer()
    assert layer.losses == []
    layer(torch.zeros(1, 1))
    layer(torch.ones(1, 1))
    assert [v.item() for v in layer.losses] == [pytest.approx(0.01)]


def test_a_loss_added_in_call_joins_the_training_loss():
    x = Input(shape=(4,))
    model = Model(x, ActivityPenalty(0.5)(Dense(3)(x)))
    model.compile(optimizer=kfunc.optimizers.SGD(0.1), loss="mse")
    data, targets = np.random.rand(8, 4).astype("float32"), np.random.rand(8, 3).astype("float32")
    kernel, bias = (torch.tensor(w, requires_grad=True) for w in model.get_weights())
    outputs = torch.tensor(data) @ kernel + bias
    loss = ((outputs - torch.tensor(targets)) ** 2).mean() + 0.5 * outputs.sum()
    loss.backward()
    history = model.fit(data, targets, batch_size=8, verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(loss.item(), rel=1e-5)
    assert np.allclose(model.get_weights()[0], (kernel - 0.1 * kernel.grad).detach().numpy(), atol=1e-5)


def test_a_shared_layer_adds_the_losses_of_every_call():
    x1, x2 = Input(shape=(3,)), Input(shape=(3,))
    shared = Dense(2, activity_regularizer=regularizers.l1(1.0))
    model = Model([x1, x2], kfunc.layers.add([shared(x1), shared(x2)]))
    model.compile(optimizer="sgd", loss="mse")
    a, b = np.random.rand(4, 3).astype("float32"), np.random.rand(4, 3).astype("float32")
    y = np.zeros((4, 2), "float32")
    ya, yb = (shared(torch.tensor(v)).detach().numpy() for v in (a, b))
    expected = ((ya + yb) ** 2).mean() + np.abs(ya).sum() / 4 + np.abs(yb).sum() / 4
    assert model.evaluate([a, b], y, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_a_function_of_no_argument_is_called_at_every_step():
    x = Input(shape=(4,))
    dense = Dense(3)
    model = Model(x, dense(x))
    model.add_loss(lambda: torch.mean(dense.kernel))  # the keras.io guide's weight penalty
    model.compile(optimizer="sgd", loss="mse")
    data, y = np.random.rand(8, 4).astype("float32"), np.zeros((8, 3), "float32")
    mse = ((model.predict(data) - y) ** 2).mean()
    assert model.evaluate(data, y, verbose=0) == pytest.approx(mse + model.get_weights()[0].mean(), rel=1e-5)
    assert model.losses[0].item() == pytest.approx(model.get_weights()[0].mean())


def test_vae_with_a_symbolic_loss_trains_on_add_loss_alone():
    model = vae()
    decoded, inputs = model.output, model.input
    reconstruction = Lambda(lambda t: torch.mean(torch.sum((t[0] - t[1]) ** 2, dim=1)))([inputs, decoded])
    model.add_loss(reconstruction)
    assert model.outputs == [decoded] and "self.add_loss(" in model.code
    model.compile(optimizer="adam")  # no loss: the added ones are the loss
    data = np.random.rand(64, 8).astype("float32")
    history = model.fit(data, epochs=8, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0]
    assert history.history["kl"][0] > 0  # add_metric in the Sampling layer
    assert model.predict(data[:3]).shape == (3, 8)


def test_add_metric_on_a_model_reports_the_mean_over_batches():
    x = Input(shape=(2,))
    y = Dense(1, kernel_initializer="zeros", bias_initializer="ones")(x)
    model = Model(x, y)
    model.add_metric(Lambda(lambda t: torch.mean(t))(y), name="mean_output")
    model.compile(optimizer=kfunc.optimizers.SGD(0.0), loss="mse")
    history = model.fit(np.zeros((6, 2)), np.ones((6, 1)), batch_size=2, epochs=2, verbose=0)
    assert history.history["mean_output"] == [1.0, 1.0]
    assert "mean_output" in model.metrics_names
    assert model.evaluate(np.zeros((4, 2)), np.ones((4, 1)), verbose=0, return_dict=True)["mean_output"] == 1.0


def test_added_losses_and_metrics_survive_load_model(tmp_path):
    model = vae()
    reconstruction = Lambda(lambda t: torch.mean((t[0] - t[1]) ** 2))([model.input, model.output])
    model.add_loss(reconstruction)
    model.add_metric(reconstruction, name="reconstruction")
    model.save(tmp_path / "vae.kfunc")
    again = load_model(tmp_path / "vae.kfunc", custom_objects={"Sampling": Sampling}, safe_mode=False)
    assert [type(l).__name__ for l in again.layers[-2:]] == ["AddLoss", "AddMetric"]
    data = np.random.rand(4, 8).astype("float32")
    kfunc.utils.set_random_seed(1)
    first = model.predict(data)
    kfunc.utils.set_random_seed(1)
    assert np.array_equal(again.predict(data), first)
    again.compile(optimizer="adam")
    history = again.fit(data, epochs=1, verbose=0)
    assert set(history.history) == {"loss", "kl", "reconstruction"}


def test_model_losses_after_a_call_list_activity_and_weight_penalties():
    x = Input(shape=(3,))
    model = Model(x, Dense(2, kernel_regularizer="l2", activity_regularizer="l1")(x))
    model(torch.ones(5, 3))
    activity, penalty = model.losses
    outputs = model(torch.ones(5, 3))
    assert activity.item() == pytest.approx(0.01 * outputs.abs().sum().item() / 5)
    assert penalty.item() == pytest.approx(0.01 * (model.get_weights()[0] ** 2).sum())


def test_a_symbolic_tensor_given_to_a_plain_layer_points_to_the_model():
    x = Input(shape=(3,))
    dense = Dense(2)
    with pytest.raises(TypeError, match=r"belongs to the model: model.add_loss"):
        dense.add_loss(dense(x))


def test_add_metric_needs_a_name_and_a_mean():
    x = Input(shape=(3,))
    model = Model(x, Dense(2)(x))
    with pytest.raises(ValueError, match="needs the name"):
        model.add_metric(model.output)
    with pytest.raises(ValueError, match="only 'mean'"):
        model.add_metric(model.output, name="m", aggregation="sum")


def test_a_loss_the_inputs_do_not_lead_to_is_refused_and_the_model_stays_as_it_was():
    x, other = Input(shape=(3,)), Input(shape=(3,))
    model = Model(x, Dense(2)(x))
    code = model.code
    with pytest.raises(ValueError, match="disconnected|not among|input"):
        model.add_loss(Lambda(lambda t: t.sum())(other))
    assert model.code == code and model._hidden_outputs == ()
