"""Updating only the rows of an ``Embedding`` table that a batch looked up.

A batch of the guide's headline model looks up at most 32 x 100 of the 10,000
rows of its ``Embedding`` table; the other rows get a gradient of zero. Updating
the whole table moves 5.1 million weights at every step to change a few rows.
When training, kfunc's Embedding can instead hand in a *sparse* gradient (the
looked-up rows only, see :class:`kfunc.layers.embedding.sparse_gradients`), and the
optimizer updates those rows only. Whether that changes the result depends on the
optimizer:

* **SGD** without momentum, **Adagrad**: a zero gradient changes nothing, so the
  rows are all there is to update; torch's own sparse updates do it.
* **RMSprop** without momentum: a zero gradient leaves the weights where they are,
  but still decays the row's running mean of squared gradients by ``rho``. A row
  skipped for ``k`` steps is owed ``rho**k``; :class:`RMSpropRows` pays it when the
  row is next looked up, and for every row when the state is read (``settle``).
  The result is dense RMSprop's, up to float rounding.
* **Adam**, and any **momentum**: a zero gradient still moves the weights (the
  moments keep pushing). Updating only the looked-up rows then gives *another*
  result; kfunc does it only when asked, with ``Adam(embedding_updates='lazy')``
  (:class:`LazyAdamRows`, what TensorFlow's sparse updates and ``LazyAdam`` do).

The state stays in the torch optimizer, under torch's own keys, so that a dense
update can take over at any step.
"""

import math

import torch


def _rows_of(grad):
    """``(row indices, their gradients)`` of a sparse gradient, duplicate rows summed.

    (What ``grad.coalesce()`` gives, in half its time on a CPU: a sort of the row
    indices and one ``index_add_``.)
    """
    if grad.is_coalesced():
        return grad.indices()[0], grad.values()
    values = grad._values()
    rows, where = torch.unique(grad._indices()[0], return_inverse=True)
    return rows, values.new_zeros((len(rows),) + values.shape[1:]).index_add_(0, where, values)


def _add_to_rows(table, rows, g, avg, value):
    """``table[rows] += value * g / avg``, as ``addcdiv_`` computes it, bit for bit.

    (``index_add_`` writes rows several times faster than ``index_copy_`` on a CPU,
    and with the product computed in ``addcdiv``'s order the sum is the same.)
    """
    table.index_add_(0, rows, g.mul(value).div_(avg))


def _per_row(factors, like):
    """``factors`` (one per row) shaped to multiply rows of ``like``."""
    return factors.to(like.dtype).reshape((-1,) + (1,) * (like.dim() - 1))


class RMSpropRows:
    """Exact RMSprop (without momentum) on the looked-up rows, with the decays owed to skipped rows.

    Args:
        torch_optimizer: the ``torch.optim.RMSprop`` holding the state and the settings.
    """

    def __init__(self, torch_optimizer):
        self.torch_optimizer = torch_optimizer
        # table -> for each row, the table's step count up to which its state is decayed
        self.decayed_to = {}

    @torch.no_grad()
    def update(self, table, grad):
        group = self.torch_optimizer.param_groups[0]
        lr, alpha, eps, centered = group["lr"], group["alpha"], group["eps"], group["centered"]
        state = self._state(table, centered)
        done = int(state["step"].item())  # the steps the table has had so far
        state["step"] += 1
        rows, g = _rows_of(grad)
        decayed_to = self.decayed_to.get(table)
        if decayed_to is None:  # (every row is up to date before the first step, or after settle)
            decayed_to = self.decayed_to[table] = torch.full(table.shape[:1], done, device=table.device)
        # 1. each row's owed decays, and this step's, in one factor: rho ** (skipped steps + 1)
        owed = done - decayed_to.index_select(0, rows)
        square = state["square_avg"].index_select(0, rows)
        square.mul_(_per_row(torch.pow(alpha, (owed + 1).double()), square))
        square.addcmul_(g, g, value=1 - alpha)
        state["square_avg"].index_copy_(0, rows, square)
        if centered:
            mean = state["grad_avg"].index_select(0, rows)
            mean.mul_(_per_row(torch.pow(alpha, owed.double()), mean)).lerp_(g, 1 - alpha)
            state["grad_avg"].index_copy_(0, rows, mean)
            avg = square.addcmul(mean, mean, value=-1).sqrt_()
        else:
            avg = square.sqrt()
        # 2. the rows' update, as dense RMSprop makes it
        _add_to_rows(table, rows, g, avg.add_(eps), -lr)
        decayed_to.index_fill_(0, rows, done + 1)

    @torch.no_grad()
    def settle(self, table):
        """Pay every row of ``table`` the decays it is owed: its state is then dense RMSprop's."""
        decayed_to = self.decayed_to.pop(table, None)
        if decayed_to is None:
            return
        state = self.torch_optimizer.state[table]
        alpha = self.torch_optimizer.param_groups[0]["alpha"]
        factors = torch.pow(alpha, (int(state["step"].item()) - decayed_to).double())
        for key in ("square_avg", "grad_avg"):
            if key in state:
                state[key].mul_(_per_row(factors, state[key]))

    def forget(self):
        """After the state was replaced (loaded): no decay is owed."""
        self.decayed_to.clear()

    def _state(self, table, centered):
        state = self.torch_optimizer.state[table]
        if not state:  # as torch.optim.RMSprop makes it
            state["step"] = torch.tensor(0.0)
            state["square_avg"] = torch.zeros_like(table, memory_format=torch.preserve_format)
            if centered:
                state["grad_avg"] = torch.zeros_like(table, memory_format=torch.preserve_format)
        return state


class LazyAdamRows:
    """Adam on the looked-up rows only: the other rows keep their moments and their weights.

    Not the same as dense Adam, where a row not looked up still moves (its first
    moment is not zero yet) and its moments decay. The bias correction uses the
    table's step count. ``Adam(embedding_updates='lazy')`` selects it.

    Args:
        torch_optimizer: the ``torch.optim.Adam`` holding the state and the settings.
    """

    def __init__(self, torch_optimizer):
        self.torch_optimizer = torch_optimizer

    @torch.no_grad()
    def update(self, table, grad):
        group = self.torch_optimizer.param_groups[0]
        lr, (beta_1, beta_2), eps, amsgrad = group["lr"], group["betas"], group["eps"], group["amsgrad"]
        state = self._state(table, amsgrad)
        state["step"] += 1
        step = state["step"].item()
        rows, g = _rows_of(grad)
        mean = state["exp_avg"].index_select(0, rows).lerp_(g, 1 - beta_1)
        square = state["exp_avg_sq"].index_select(0, rows).mul_(beta_2).addcmul_(g, g, value=1 - beta_2)
        state["exp_avg"].index_copy_(0, rows, mean)
        state["exp_avg_sq"].index_copy_(0, rows, square)
        if amsgrad:
            square = torch.maximum(state["max_exp_avg_sq"].index_select(0, rows), square)
            state["max_exp_avg_sq"].index_copy_(0, rows, square)
        denom = (square.sqrt() / math.sqrt(1 - beta_2**step)).add_(eps)
        _add_to_rows(table, rows, mean, denom, -lr / (1 - beta_1**step))

    def settle(self, table):
        """Nothing is owed: the lazy rule never decays rows it skipped."""

    def forget(self):
        """Nothing is owed (see :meth:`settle`)."""

    def _state(self, table, amsgrad):
        state = self.torch_optimizer.state[table]
        if not state:  # as torch.optim.Adam makes it
            state["step"] = torch.tensor(0.0)
            state["exp_avg"] = torch.zeros_like(table, memory_format=torch.preserve_format)
            state["exp_avg_sq"] = torch.zeros_like(table, memory_format=torch.preserve_format)
            if amsgrad:
                state["max_exp_avg_sq"] = torch.zeros_like(table, memory_format=torch.preserve_format)
        return state
