"""Optimizers: Keras's defaults, mapped onto torch.optim, and the updates they make."""

import functools

import numpy as np
import pytest
import torch

from kfunc import optimizers


def param(values):
    return torch.nn.Parameter(torch.tensor(values, dtype=torch.float32))


def step(optimizer, p, grad):
    optimizer.build([p])
    optimizer.zero_grad()
    p.grad = torch.tensor(grad, dtype=torch.float32)
    optimizer.step()


@pytest.mark.parametrize(
    "name, expected",
    [
        ("rmsprop", {"lr": 0.001, "alpha": 0.9, "eps": 1e-7, "momentum": 0.0, "centered": False}),
        ("adam", {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-7, "amsgrad": False}),
        ("adamw", {"lr": 0.001, "weight_decay": 0.004, "eps": 1e-7}),
        ("sgd", {"lr": 0.01, "momentum": 0.0, "nesterov": False}),
        ("adagrad", {"lr": 0.001, "initial_accumulator_value": 0.1, "eps": 1e-7}),
        ("adadelta", {"lr": 0.001, "rho": 0.95, "eps": 1e-7}),
    ],
)
def test_names_give_keras_defaults_on_torch(name, expected):
    optimizer = optimizers.get(name)
    group = optimizer.build([param([1.0])]).param_groups[0]
    for key, value in expected.items():
        assert group[key] == value, key


def test_rmsprop_step_is_keras_formula():
    p = param([1.0, -2.0])
    step(optimizers.RMSprop(learning_rate=0.1), p, [0.5, -1.0])
    g = np.array([0.5, -1.0])
    ms = 0.1 * g**2
    np.testing.assert_allclose(p.detach().numpy(), [1.0, -2.0] - 0.1 * g / (np.sqrt(ms) + 1e-7), rtol=1e-6)


def test_adagrad_starts_from_its_initial_accumulator():
    p = param([1.0])
    step(optimizers.Adagrad(learning_rate=0.5), p, [2.0])
    assert p.item() == pytest.approx(1.0 - 0.5 * 2.0 / (np.sqrt(0.1 + 4.0) + 1e-7), rel=1e-6)


def test_sgd_momentum_matches_keras_velocity_form():
    p = param([0.0])
    optimizer = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    w, v = 0.0, 0.0
    for g in (1.0, 2.0, -1.0):
        step(optimizer, p, [g])
        v = 0.9 * v - 0.1 * g  # Keras: v = momentum * v - lr * g; w += v
        w += v
        assert p.item() == pytest.approx(w, rel=1e-6)


def test_adam_first_step_moves_by_learning_rate():
    p = param([3.0])
    step(optimizers.Adam(learning_rate=0.01), p, [0.2])
    assert p.item() == pytest.approx(3.0 - 0.01, rel=1e-4)


def test_learning_rate_can_be_read_and_set_before_and_after_build():
    optimizer = optimizers.Adam(learning_rate=0.01)
    assert optimizer.learning_rate == 0.01 and optimizer.lr == 0.01
    torch_optimizer = optimizer.build([param([1.0])])
    optimizer.learning_rate = 0.5
    assert torch_optimizer.param_groups[0]["lr"] == 0.5 and optimizer.lr == 0.5
    optimizer.lr = 0.25
    assert optimizer.learning_rate == 0.25


def test_old_lr_argument_warns_and_works():
    with pytest.warns(DeprecationWarning, match=r"RMSprop\(learning_rate=0.01\)"):
        optimizer = optimizers.RMSprop(lr=0.01)
    assert optimizer.learning_rate == 0.01


def test_schedule_and_decay():
    p = param([0.0])
    optimizer = optimizers.SGD(learning_rate=lambda step: 1.0 / (step + 1))
    for expected in (1.0, 0.5, 1 / 3):
        step(optimizer, p, [0.0])
        assert optimizer.learning_rate == pytest.approx(expected)
    decayed = optimizers.SGD(learning_rate=1.0, decay=1.0)
    for _ in range(3):
        step(decayed, p, [0.0])
    assert decayed.learning_rate == pytest.approx(1.0 / 3)


def test_gradient_clipping():
    p = param([0.0, 0.0])
    step(optimizers.SGD(learning_rate=1.0, clipnorm=1.0), p, [3.0, 4.0])
    np.testing.assert_allclose(p.detach().numpy(), [-0.6, -0.8], rtol=1e-5)
    p = param([0.0, 0.0])
    step(optimizers.SGD(learning_rate=1.0, clipvalue=0.5), p, [3.0, -0.1])
    np.testing.assert_allclose(p.detach().numpy(), [-0.5, 0.1], rtol=1e-5)


def test_torch_factories_and_instances():
    p = param([1.0])
    wrapped = optimizers.get(functools.partial(torch.optim.SGD, lr=0.5))
    step(wrapped, p, [1.0])
    assert p.item() == pytest.approx(0.5)
    assert isinstance(optimizers.get(torch.optim.Adam), optimizers.TorchOptimizer)
    q = param([1.0])
    instance = optimizers.get(torch.optim.SGD([q], lr=0.1))
    step(instance, q, [1.0])
    assert q.item() == pytest.approx(0.9)
    with pytest.raises(TypeError, match="not a torch.optim.Optimizer"):
        optimizers.get(lambda params: "nothing").build([p])


def test_get_errors_and_config_round_trip():
    with pytest.raises(ValueError, match="Did you mean 'rmsprop'"):
        optimizers.get("rmsprob")
    with pytest.raises(TypeError, match="unknown argument 'beta1'"):
        optimizers.Adam(beta1=0.8)
    with pytest.raises(TypeError, match="Could not interpret optimizer"):
        optimizers.get(3)
    adam = optimizers.Adam(learning_rate=0.02, beta_1=0.8)
    again = optimizers.get(optimizers.serialize(adam))
    assert again.get_config() == adam.get_config() and isinstance(again, optimizers.Adam)
    assert isinstance(optimizers.get("RMSprop"), optimizers.RMSprop)


def test_state_dict_round_trip_continues_the_same_updates():
    p = param([1.0])
    a = optimizers.Adam(learning_rate=0.1)
    step(a, p, [1.0])
    q = param([p.item()])
    b = optimizers.Adam(learning_rate=0.1)
    b.build([q])
    b.load_state_dict(a.state_dict())
    assert b.iterations == 1
    step(a, p, [0.3])
    step(b, q, [0.3])
    assert q.item() == pytest.approx(p.item(), rel=1e-7)
