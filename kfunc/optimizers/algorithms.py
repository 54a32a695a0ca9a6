"""The optimizers with Keras's names and default hyper-parameters, each on its ``torch.optim`` class.

Where Keras and torch place the ``epsilon`` differently, kfunc keeps torch's
formula (noted on each class): the difference only shows for gradients close to 0.
"""

import torch

from kfunc.optimizers.base import Optimizer
from kfunc.optimizers.embedding_rows import LazyAdamRows, RMSpropRows
from kfunc.optimizers.multi_tensor import RMSpropStep


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    Keras defaults: ``learning_rate=0.01, momentum=0.0, nesterov=False``. Keras and
    torch write momentum differently but take the same steps at a fixed learning rate.
    """

    torch_class = torch.optim.SGD
    _defaults = {"momentum": 0.0, "nesterov": False, "weight_decay": None}

    def __init__(self, learning_rate=0.01, **kwargs):
        super().__init__(learning_rate, **kwargs)

    def _torch_arguments(self):
        h = self.hyper
        return {"momentum": h["momentum"], "nesterov": h["nesterov"], "weight_decay": h["weight_decay"] or 0.0}

    def _exact_rows(self):
        # without momentum or weight decay, rows not looked up do not move: torch's sparse update is exact
        return "torch" if not self.hyper["momentum"] and not self.hyper["weight_decay"] else None


class RMSprop(Optimizer):
    """Divide each step by a running root-mean-square of the recent gradients.

    Keras defaults: ``learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
    centered=False`` (torch's ``alpha`` is Keras's ``rho``). The update is
    ``w -= lr * g / (sqrt(ms) + epsilon)``, epsilon outside the square root, as in
    standalone Keras 2 and Keras 3 and torch; tf.keras 2 puts it inside
    (``sqrt(ms + epsilon)``), which only differs while ``ms`` is below about 1e-6.

    kfunc makes torch's update itself, on all the weights at once (the same results,
    see :mod:`kfunc.optimizers.multi_tensor`); without momentum, an ``Embedding``
    updates only the rows its batch looked up, exactly (see
    :mod:`kfunc.optimizers.embedding_rows`).
    """

    torch_class = torch.optim.RMSprop
    _defaults = {"rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False}

    def _torch_arguments(self):
        h = self.hyper
        return {"alpha": h["rho"], "eps": h["epsilon"], "momentum": h["momentum"], "centered": h["centered"]}

    def _make_dense_step(self):
        return RMSpropStep(self.torch_optimizer)

    def _exact_rows(self):
        return RMSpropRows if not self.hyper["momentum"] else None


class Adam(Optimizer):
    """Adaptive moment estimation.

    Keras defaults: ``learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
    amsgrad=False``. kfunc adds ``epsilon`` to the bias-corrected root (torch's
    formula, as the Adam paper writes it); tf.keras adds it before the bias
    correction, a difference of a factor ``sqrt(1 - beta_2**t)`` on ``epsilon`` only.

    ``embedding_updates='lazy'`` updates only the rows of an ``Embedding`` table that a
    batch looked up, as TensorFlow's sparse updates (and ``LazyAdam``) do: faster on
    a large vocabulary, but **not** dense Adam's result, where every row keeps moving
    with its moments (see :mod:`kfunc.optimizers.embedding_rows`). By default Adam
    updates the whole table.
    """

    torch_class = torch.optim.Adam
    _lazy_rows = LazyAdamRows
    _defaults = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False}

    def _torch_arguments(self):
        h = self.hyper
        return {"betas": (h["beta_1"], h["beta_2"]), "eps": h["epsilon"], "amsgrad": h["amsgrad"]}


class AdamW(Adam):
    """Adam with decoupled weight decay: each step also shrinks weights by ``lr * weight_decay``.

    Keras defaults: ``learning_rate=0.001, weight_decay=0.004, beta_1=0.9,
    beta_2=0.999, epsilon=1e-7, amsgrad=False``.
    """

    torch_class = torch.optim.AdamW
    _lazy_rows = None  # (the decoupled weight decay shrinks every row at every step)
    _defaults = {"weight_decay": 0.004, **Adam._defaults}

    def _torch_arguments(self):
        return {**super()._torch_arguments(), "weight_decay": self.hyper["weight_decay"]}


class Adagrad(Optimizer):
    """Divide each step by the root of the sum of all past squared gradients.

    Keras defaults: ``learning_rate=0.001, initial_accumulator_value=0.1,
    epsilon=1e-7`` (torch's are 0.01, 0 and 1e-10).
    """

    torch_class = torch.optim.Adagrad
    _defaults = {"initial_accumulator_value": 0.1, "epsilon": 1e-7}

    def _torch_arguments(self):
        h = self.hyper
        return {"initial_accumulator_value": h["initial_accumulator_value"], "eps": h["epsilon"]}

    def _exact_rows(self):
        return "torch"  # a zero gradient changes nothing: torch's sparse update is exact


class Adadelta(Optimizer):
    """Adagrad with a running window instead of an ever-growing sum.

    Keras defaults: ``learning_rate=0.001, rho=0.95, epsilon=1e-7``.
    """

    torch_class = torch.optim.Adadelta
    _defaults = {"rho": 0.95, "epsilon": 1e-7}

    def _torch_arguments(self):
        return {"rho": self.hyper["rho"], "eps": self.hyper["epsilon"]}


class Adamax(Optimizer):
    """Adam with the infinity norm. Keras defaults: ``learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7``."""

    torch_class = torch.optim.Adamax
    _defaults = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}

    def _torch_arguments(self):
        h = self.hyper
        return {"betas": (h["beta_1"], h["beta_2"]), "eps": h["epsilon"]}


class Nadam(Optimizer):
    """Adam with Nesterov momentum. Keras defaults: ``learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7``."""

    torch_class = torch.optim.NAdam
    _defaults = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}

    def _torch_arguments(self):
        h = self.hyper
        return {"betas": (h["beta_1"], h["beta_2"]), "eps": h["epsilon"]}


class TorchOptimizer(Optimizer):
    """Any torch optimizer, given as a factory of the parameters or as an instance.

    Args:
        factory: ``torch.optim.SGD``, ``functools.partial(torch.optim.SGD, lr=0.1)``,
            ``lambda params: torch.optim.SGD(params, lr=0.1)``, or an optimizer already
            made on the model's parameters.

    Example:
        >>> model.compile(optimizer=functools.partial(torch.optim.SGD, lr=0.1, momentum=0.9), loss='mse')
    """

    def __init__(self, factory, name=None):
        super().__init__(learning_rate=0.0, name=name or getattr(factory, "__name__", type(factory).__name__))
        self.factory = factory
        if isinstance(factory, torch.optim.Optimizer):
            self.torch_optimizer = factory
            self._params = [p for group in factory.param_groups for p in group["params"]]

    def build(self, parameters):
        if isinstance(self.factory, torch.optim.Optimizer):
            return self.torch_optimizer
        return super().build(parameters)

    def _make_torch_optimizer(self, parameters):
        made = self.factory(parameters)
        if not isinstance(made, torch.optim.Optimizer):
            raise TypeError(
                f"The optimizer factory {self.factory!r} returned {type(made).__name__}, not a "
                "torch.optim.Optimizer. Pass e.g. `torch.optim.Adam` or "
                "`functools.partial(torch.optim.SGD, lr=0.1)`."
            )
        return made

    def _current_rate(self):
        return self.learning_rate

    @property
    def learning_rate(self):
        if self.torch_optimizer is None:
            return None
        return float(self.torch_optimizer.param_groups[0]["lr"])

    @learning_rate.setter
    def learning_rate(self, value):
        self._set_rate(float(value))

    lr = learning_rate

    def get_config(self):
        return {"name": self.name}
