"""torch's RMSprop update, written with torch's multi-tensor (``_foreach``) operations.

A small model's training step is short: for the guide's 784-64-64-10 network at
batch 32, ``torch.optim.RMSprop.step`` spends about as long on its per-step
bookkeeping (gathering the state of every parameter, grouping the tensors by
device and dtype, checking options it was not given) as on the arithmetic. This
module does the same arithmetic, in the same order and with the same kernels, on
all the parameters at once, and keeps the state where torch keeps it
(``torch_optimizer.state[p]``: ``step``, ``square_avg``, ``momentum_buffer``,
``grad_avg``), so that ``state_dict``, saving and a later ``torch_optimizer.step()``
see exactly what torch's own ``step`` would have left: the results are the same,
bit for bit (``tests/test_multi_tensor.py`` checks it).
"""

import torch


class RMSpropStep:
    """``torch.optim.RMSprop``'s update of the parameters that have dense gradients.

    Args:
        torch_optimizer: the ``torch.optim.RMSprop`` holding the state and the settings.
    """

    def __init__(self, torch_optimizer):
        self.torch_optimizer = torch_optimizer

    @torch.no_grad()
    def __call__(self, params):
        if not params:
            return
        group = self.torch_optimizer.param_groups[0]
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        momentum, centered, weight_decay = group["momentum"], group["centered"], group["weight_decay"]
        states = [self._state(p, momentum, centered) for p in params]
        grads = [p.grad for p in params]
        # 1. the step counts, the weight decay
        torch._foreach_add_([s["step"] for s in states], 1)
        if weight_decay != 0:
            grads = torch._foreach_add(grads, params, alpha=weight_decay)
        # 2. the running mean of the squared gradients, and its root
        square_avgs = [s["square_avg"] for s in states]
        torch._foreach_mul_(square_avgs, alpha)
        torch._foreach_addcmul_(square_avgs, grads, grads, value=1 - alpha)
        if centered:
            grad_avgs = [s["grad_avg"] for s in states]
            torch._foreach_lerp_(grad_avgs, grads, 1 - alpha)
            avg = torch._foreach_addcmul(square_avgs, grad_avgs, grad_avgs, value=-1)
            torch._foreach_sqrt_(avg)
        else:
            avg = torch._foreach_sqrt(square_avgs)
        torch._foreach_add_(avg, eps)
        # 3. the update
        if momentum > 0:
            buffers = [s["momentum_buffer"] for s in states]
            torch._foreach_mul_(buffers, momentum)
            torch._foreach_addcdiv_(buffers, grads, avg)
            torch._foreach_add_(params, buffers, alpha=-lr)
        else:
            torch._foreach_addcdiv_(params, grads, avg, value=-lr)

    def _state(self, p, momentum, centered):
        """The parameter's state, made as ``torch.optim.RMSprop`` makes it on its first update."""
        state = self.torch_optimizer.state[p]
        if not state:
            state["step"] = torch.tensor(0.0)
            state["square_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
            if momentum > 0:
                state["momentum_buffer"] = torch.zeros_like(p, memory_format=torch.preserve_format)
            if centered:
                state["grad_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
        return state
