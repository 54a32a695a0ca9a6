"""The running-metric protocol, and the metrics that average (or add up) values.

A metric is a *running* value: during an epoch it accumulates, batch after batch,
and its ``result()`` is the value over everything seen since the last
``reset_state()``. Accuracy over an epoch is the fraction of all the epoch's samples
that were right, not the mean of the batches' accuracies.

State lives in torch tensors on the model's device, so accumulating a batch costs a
few tensor operations and never waits for the device; ``result()`` is read once per
epoch or when a progress bar prints.
"""

import torch

from kfunc import losses
from kfunc.engine.naming import to_snake_case
from kfunc.array_like import as_tensors


class Metric:
    """Base class: a value that accumulates over batches.

    Subclasses implement ``update_state(y_true, y_pred, sample_weight=None)``,
    ``result()`` and ``reset_state()``. Calling a metric updates it and returns the
    running result.

    Args:
        name: the name under which ``fit`` reports it.
        dtype: the dtype of the state (``'float32'``); targets and predictions are
            cast to it before they are compared, as in Keras, so that integer
            targets (``[0, 1, 1]``) and float predictions meet.
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or to_snake_case(type(self).__name__)
        self.dtype = dtype or "float32"

    def __call__(self, y_true, y_pred, sample_weight=None):
        self.update_state(y_true, y_pred, sample_weight=sample_weight)
        return self.result()

    def update_state(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        raise NotImplementedError

    def reset_states(self):
        """The Keras 2 spelling of :meth:`reset_state`."""
        self.reset_state()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"

    # helpers for subclasses

    @property
    def _torch_dtype(self):
        return getattr(torch, str(self.dtype).replace("torch.", ""))

    def _floats(self, y_true, y_pred):
        """``y_true`` and ``y_pred`` as detached tensors of the metric's dtype (lists and
        numpy arrays converted); a tensor already of that dtype is used as it is."""
        y_true, y_pred = as_tensors(y_true, y_pred)
        dtype = self._torch_dtype
        return y_true.detach().to(dtype), y_pred.detach().to(dtype)

    def _weights(self, sample_weight, values):
        """``sample_weight`` broadcast to ``values``' shape (ones when there is none)."""
        if sample_weight is None:
            return torch.ones_like(values)
        weight = torch.as_tensor(sample_weight, dtype=values.dtype, device=values.device)
        return losses.broadcastable_weights(weight, values).expand_as(values)


class Mean(Metric):
    """The (weighted) mean of the values it is given: ``update_state(values, sample_weight)``."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name, dtype)
        self.reset_state()

    def reset_state(self):
        self.total = None  # a tensor once the first values arrive
        self.count = 0  # a number, or a tensor when sample weights are used

    def update_state(self, values, sample_weight=None):
        if not isinstance(values, torch.Tensor) or values.requires_grad:
            values = torch.as_tensor(values).detach()
        dtype = self._torch_dtype
        if sample_weight is None:
            total, count = torch.sum(values, dtype=dtype), values.numel()
        else:
            weight = losses.broadcastable_weights(
                torch.as_tensor(sample_weight, dtype=dtype, device=values.device), values
            ).expand_as(values)
            total, count = torch.sum(values * weight, dtype=dtype), torch.sum(weight)
        self.total = total if self.total is None else self.total.add_(total)
        self.count = self.count + count

    def result(self):
        if self.total is None:
            return torch.tensor(0.0)
        return self.total / self.count


class Sum(Mean):
    """The (weighted) sum of the values it is given: ``update_state(values, sample_weight)``.

    It keeps the same running total as :class:`Mean` (and its count, unused here),
    so that a data-parallel run adds it up across processes the same way.
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name, dtype)

    def result(self):
        if self.total is None:
            return torch.tensor(0.0)
        return self.total


class MeanMetricWrapper(Mean):
    """The running mean of a per-sample function ``fn(y_true, y_pred, **kwargs)``.

    Targets and predictions are cast to the metric's dtype first (``'float32'``).

    Args:
        fn: the function, e.g. :func:`binary_accuracy`.
        name: the metric's name (``fn``'s by default).
        kwargs: passed to ``fn`` (``threshold=0.7``).
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or fn.__name__, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        if torch.is_grad_enabled():
            with torch.no_grad():
                return self.update_state(y_true, y_pred, sample_weight)
        dtype = self._torch_dtype
        if not (isinstance(y_true, torch.Tensor) and isinstance(y_pred, torch.Tensor)):
            y_true, y_pred = as_tensors(y_true, y_pred)
        y_true = y_true if y_true.dtype == dtype else y_true.to(dtype)
        y_pred = y_pred if y_pred.dtype == dtype else y_pred.to(dtype)
        super().update_state(self.fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}
