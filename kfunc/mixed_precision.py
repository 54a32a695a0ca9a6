"""Mixed precision: compute in 16-bit floats, keep the weights in 32-bit ones.

Half-size numbers halve the memory traffic and run on a GPU's tensor cores, often
two to three times faster. Keras's spelling sets it for a whole program::

    from kfunc import mixed_precision
    mixed_precision.set_global_policy('mixed_bfloat16')   # or 'mixed_float16', or 'float32'

Under a mixed policy, what ``compile`` then ``fit``, ``evaluate`` and ``predict`` do:

1. the weights stay ``float32``: small updates are not rounded away;
2. the model's computation runs under ``torch.autocast``, which picks, op by op,
   the 16-bit type where it is safe (matrix products, convolutions, LSTMs) and
   keeps ``float32`` where it is not (sums, softmax, logarithms);
3. the model's outputs are turned back into ``float32`` before the losses and the
   metrics, so ``predict`` returns ``float32`` arrays;
4. with ``'mixed_float16'`` only, the loss is *scaled* before ``backward`` (by
   torch's ``GradScaler``): ``float16`` cannot hold gradients below about 6e-8, so
   they are computed for a loss multiplied by a large factor, divided back before
   the update, and an update whose gradients overflowed is skipped.
   ``bfloat16`` has ``float32``'s range and needs no scaling.

``compile`` reads the policy in force when it is called; a model that was never
compiled uses the policy in force when ``predict`` runs.

``'mixed_bfloat16'`` works on CPUs (recent ones run it fast) and on GPUs from
NVIDIA's Ampere generation on; ``'mixed_float16'`` is for GPUs.
"""

import contextlib
import warnings

import torch

from kfunc import activations
from kfunc._errors import did_you_mean
from kfunc.engine.structure import map_structure

# policy name -> (compute dtype, variable dtype)
_POLICIES = {
    "float32": ("float32", "float32"),
    "mixed_float16": ("float16", "float32"),
    "mixed_bfloat16": ("bfloat16", "float32"),
}


class Policy:
    """A dtype policy: the type layers compute in, and the type of their weights.

    Args:
        name: ``'float32'``, ``'mixed_float16'`` or ``'mixed_bfloat16'``.

    Raises:
        ValueError: for any other name.

    Example:
        >>> policy = Policy('mixed_bfloat16')
        >>> policy.compute_dtype, policy.variable_dtype
        ('bfloat16', 'float32')
    """

    def __init__(self, name):
        if isinstance(name, Policy):
            name = name.name
        if name not in _POLICIES:
            extra = ""
            if name in ("float16", "bfloat16"):
                extra = f" For 16-bit computation with 32-bit weights, use 'mixed_{name}'."
            raise ValueError(
                f"Unknown dtype policy {name!r}.{did_you_mean(str(name), list(_POLICIES))}{extra} "
                f"kfunc knows: {', '.join(repr(p) for p in _POLICIES)}."
            )
        self.name = name
        self.compute_dtype, self.variable_dtype = _POLICIES[name]

    @property
    def is_mixed(self):
        """Whether computations run in a 16-bit type while the weights stay 32-bit."""
        return self.compute_dtype != self.variable_dtype

    @property
    def needs_loss_scaling(self):
        """Whether gradients risk underflowing (``float16``), so the loss is scaled."""
        return self.compute_dtype == "float16"

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return isinstance(other, Policy) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f'<Policy "{self.name}">'


_global_policy = Policy("float32")


def set_global_policy(policy):
    """Set the dtype policy that ``compile`` (and ``predict``) will use from now on.

    Args:
        policy: a :class:`Policy` or its name (``'mixed_bfloat16'``,
            ``'mixed_float16'``, ``'float32'``); ``None`` goes back to ``'float32'``.
    """
    global _global_policy
    _global_policy = Policy("float32" if policy is None else policy)


def global_policy():
    """The dtype policy in force (``Policy('float32')`` unless changed)."""
    return _global_policy


# ----------------------------------------------------------------------------- what training uses


def mixed_forward(forward, policy, device):
    """``forward`` computed under autocast, with its floating outputs back in float32.

    Returns ``forward`` itself when ``policy`` is not mixed, so plain training pays
    nothing.

    Args:
        forward: a function from input tensors to a tensor, a list or a dict of them.
        policy: a :class:`Policy`.
        device: the torch device the computation runs on (its type picks the
            autocast engine: ``'cuda'``, ``'cpu'``, ...).
    """
    if not policy.is_mixed:
        return forward
    device_type = torch.device(device).type
    dtype = getattr(torch, policy.compute_dtype)

    def forward_in_mixed_precision(*inputs):
        try:
            with torch.autocast(device_type, dtype=dtype), _cpu_kernels(device_type):
                result = forward(*inputs)
        except (RuntimeError, ValueError) as err:
            if not _cpu_cannot(device_type, err):
                raise
            return forward_in_mixed_precision(*inputs)  # again, with torch's own CPU kernels
        return map_structure(_to_float32, result)

    forward_in_mixed_precision.__wrapped__ = forward
    return forward_in_mixed_precision


# oneDNN, the library behind torch's fast CPU kernels, has no 16-bit LSTM for CPUs
# without 16-bit instructions (before AVX512-BF16): it fails with "could not create a
# primitive descriptor". Once that happened, mixed CPU computations go without oneDNN.
_onednn_cannot = []


def _cpu_cannot(device_type, err):
    """Whether ``err`` is oneDNN refusing a 16-bit kernel on this CPU (then: note it, warn once)."""
    if device_type != "cpu" or _onednn_cannot or "primitive descriptor" not in str(err):
        return False
    _onednn_cannot.append(True)
    warnings.warn(
        "This CPU has no 16-bit LSTM kernel in oneDNN (torch's fast CPU library), so kfunc computes "
        "under the mixed policy with torch's own CPU kernels: correct, but slower. Mixed precision pays "
        "on GPUs and on CPUs with bfloat16 instructions.",
        stacklevel=4,
    )
    return True


@contextlib.contextmanager
def _cpu_kernels(device_type):
    """Leave oneDNN out if it failed on this CPU before (see :func:`_cpu_cannot`)."""
    if device_type != "cpu" or not _onednn_cannot:
        yield
        return
    previous = torch.backends.mkldnn.enabled
    torch.backends.mkldnn.enabled = False
    try:
        yield
    finally:
        torch.backends.mkldnn.enabled = previous


def _to_float32(value):
    if isinstance(value, torch.Tensor) and value.is_floating_point() and value.dtype != torch.float32:
        kind, logits = getattr(value, "_kfunc_logits", (None, None))  # (the cross-entropies read them)
        return value.float() if kind is None else activations.keep_logits(value.float(), logits.float(), kind)
    return value


class LossScaling:
    """``backward`` and the update, with the loss scaled for ``float16`` gradients.

    A thin adapter that lets torch's ``GradScaler`` drive a kfunc optimizer (which
    clips the gradients and counts its steps before calling its torch optimizer):
    the scaler unscales the gradients first, so clipping sees their true sizes,
    and skips the update when they overflowed.

    Args:
        optimizer: the kfunc optimizer (built).
        device: where the gradients are.
    """

    def __init__(self, optimizer, device):
        self.optimizer = optimizer
        self.device_type = torch.device(device).type
        self.scaler = torch.amp.GradScaler(self.device_type)

    @property
    def param_groups(self):  # what GradScaler reads to find the gradients
        return self.optimizer.torch_optimizer.param_groups

    def step(self):  # what GradScaler calls when the gradients are finite
        self.optimizer.step()

    def backward_and_step(self, loss):
        self.scaler.scale(loss).backward()
        self.scaler.step(self)
        self.scaler.update()


def loss_scaling(policy, optimizer, device):
    """A :class:`LossScaling` when ``policy`` computes in ``float16``; else None.

    The optimizer keeps it, so the scale found in one ``fit`` carries to the next.
    """
    if optimizer is None or not policy.needs_loss_scaling:
        return None
    scaling = optimizer._loss_scaling
    if scaling is None or scaling.device_type != torch.device(device).type:
        scaling = optimizer._loss_scaling = LossScaling(optimizer, device)
    return scaling


@contextlib.contextmanager
def policy_scope(policy):
    """Use ``policy`` as the global policy inside a ``with`` block (handy in tests and lessons)."""
    previous = global_policy()
    set_global_policy(policy)
    try:
        yield global_policy()
    finally:
        set_global_policy(previous)
