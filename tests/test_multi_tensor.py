"""kfunc's multi-tensor RMSprop update: bit for bit torch.optim.RMSprop's, state included."""

import pytest
import torch

from kfunc import optimizers


def parameters(seed):
    torch.manual_seed(seed)
    return [torch.nn.Parameter(torch.randn(shape)) for shape in ((7, 5), (5,), (3, 5), (2,))]


@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("centered", [False, True])
def test_rmsprop_step_is_torchs_bit_for_bit(momentum, centered):
    ours, theirs = parameters(0), parameters(0)
    optimizer = optimizers.RMSprop(learning_rate=0.01, momentum=momentum, centered=centered)
    optimizer.build(ours)
    reference = torch.optim.RMSprop(theirs, lr=0.01, alpha=0.9, eps=1e-7, momentum=momentum, centered=centered)
    assert optimizer._dense_step is not None
    for step in range(6):
        torch.manual_seed(100 + step)
        grads = [torch.randn_like(p) for p in ours]
        for params in (ours, theirs):
            for i, (p, g) in enumerate(zip(params, grads)):
                p.grad = None if (step == 2 and i == 3) else g.clone()  # a step without a gradient
        optimizer.step()
        reference.step()
        for a, b in zip(ours, theirs):
            assert torch.equal(a, b)
    state, expected = optimizer.state_dict()["torch"], reference.state_dict()
    assert state["state"].keys() == expected["state"].keys()
    for key, values in expected["state"].items():
        assert state["state"][key].keys() == values.keys()
        for name, value in values.items():
            assert torch.equal(state["state"][key][name], value), (key, name)


def test_torchs_own_step_continues_from_the_state_kfunc_left():
    ours, theirs = parameters(1), parameters(1)
    optimizer = optimizers.RMSprop(learning_rate=0.1)
    optimizer.build(ours)
    reference = torch.optim.RMSprop(theirs, lr=0.1, alpha=0.9, eps=1e-7)
    for params, step in ((ours, optimizer.step), (theirs, reference.step)):
        for _ in range(2):
            for p in params:
                p.grad = torch.ones_like(p)
            step()
    for p in ours:
        p.grad = torch.ones_like(p)
    optimizer.torch_optimizer.step()  # torch's own update, on the state kfunc made
    for p in theirs:
        p.grad = torch.ones_like(p)
    reference.step()
    for a, b in zip(ours, theirs):
        assert torch.equal(a, b)


def test_a_loaded_state_is_used():
    params = parameters(2)
    optimizer = optimizers.RMSprop(learning_rate=0.1)
    optimizer.build(params)
    for p in params:
        p.grad = torch.ones_like(p)
    optimizer.step()
    saved = optimizer.state_dict()
    optimizer.step()
    after_two = [p.detach().clone() for p in params]
    optimizer.load_state_dict(saved)
    with torch.no_grad():
        for p, value in zip(params, after_two):
            p.copy_(value)
    optimizer.step()  # from the loaded state (one step), not the state of two steps
    square = optimizer.torch_optimizer.state[params[0]]["square_avg"]
    assert torch.allclose(square, torch.full_like(square, 0.1 * 0.9 + 0.1))
