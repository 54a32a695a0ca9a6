"""Optimizers with Keras's names and default hyper-parameters, running on ``torch.optim``.

``compile(optimizer='rmsprop')`` means ``RMSprop()`` with Keras's defaults, which are
not torch's: Keras's ``Adagrad`` starts at ``learning_rate=0.001`` with accumulators
at 0.1, torch's at 0.01 with accumulators at 0. Each class here stores the Keras
arguments and, once ``fit`` knows the model's parameters, makes the matching torch
optimizer (``optimizer.torch_optimizer``), which does the actual updates.

Where Keras and torch place the ``epsilon`` differently, kfunc keeps torch's
formula (noted on each class): the difference only shows for gradients close to 0.

``learning_rate`` can be read and set at any time, also during training (that is
what ``ReduceLROnPlateau`` and ``LearningRateScheduler`` do); ``lr`` is its old name.

Example:
    >>> model.compile(optimizer=RMSprop(learning_rate=0.01), loss='mse')
    >>> model.optimizer.learning_rate
    0.01
"""

import copy
import warnings

import torch

from kfunc import config
from kfunc._errors import unknown_name_error
from kfunc.learning_rate import LearningRate


class Optimizer:
    """Base class: Keras's optimizer arguments, and the torch optimizer made from them.

    Args:
        learning_rate: the step size; a number, or a function of the step count
            (``lambda step: 0.01 * 0.9 ** (step // 100)``) called before each step.
        clipnorm: clip each gradient tensor to this L2 norm before the update.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients together to this L2 norm.
        decay: Keras 2's inverse-time decay: ``lr / (1 + decay * step)``.
        name: the optimizer's name.
    """

    torch_class = None  # the torch.optim class that does the updates
    _defaults = {}  # Keras argument -> default, besides learning_rate

    def __init__(self, learning_rate=0.001, clipnorm=None, clipvalue=None, global_clipnorm=None, decay=0.0,
                 name=None, **kwargs):
        if "lr" in kwargs:
            warnings.warn(
                f"{type(self).__name__}(lr=...) is the old spelling: write "
                f"{type(self).__name__}(learning_rate={kwargs['lr']!r}).",
                DeprecationWarning,
                stacklevel=3,
            )
            learning_rate = kwargs.pop("lr")
        hyper = {key: kwargs.pop(key, default) for key, default in self._defaults.items()}
        if "epsilon" in hyper and hyper["epsilon"] is None:  # Keras's epsilon=None: the session's
            hyper["epsilon"] = config.epsilon()
        if kwargs:
            name_ = next(iter(kwargs))
            valid = ["learning_rate", *self._defaults, "clipnorm", "clipvalue", "global_clipnorm", "decay", "name"]
            raise TypeError(f"{type(self).__name__}() got an unknown argument {name_!r}. Its arguments are: {', '.join(valid)}.")
        self._schedule = learning_rate if callable(learning_rate) else None
        self._learning_rate = None if callable(learning_rate) else float(learning_rate)
        self.hyper = hyper
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.decay = decay
        self.name = name or type(self).__name__
        self.iterations = 0  # how many updates were made
        self.torch_optimizer = None
        self._params = ()
        self._loss_scaling = None  # float16 training's loss scale, kept from one fit to the next

    # ---------------------------------------------------------------- torch side

    def build(self, parameters):
        """Make the torch optimizer for ``parameters`` (again, if they changed)."""
        parameters = list(parameters)
        if self.torch_optimizer is not None and [id(p) for p in parameters] == [id(p) for p in self._params]:
            return self.torch_optimizer
        self._params = parameters
        # A model without weights (only activations, say) trains nothing, as in Keras;
        # torch optimizers refuse an empty list, so there is none to make.
        self.torch_optimizer = self._make_torch_optimizer(parameters) if parameters else None
        return self.torch_optimizer

    def _make_torch_optimizer(self, parameters):
        return self.torch_class(parameters, lr=self._current_rate(), **self._torch_arguments())

    def _torch_arguments(self):
        """The torch optimizer's arguments besides ``lr``, from the Keras ones."""
        return {}

    def zero_grad(self):
        self.torch_optimizer.zero_grad(set_to_none=True)

    def step(self):
        """Clip the gradients if asked, then update the parameters."""
        if self._schedule is not None or self.decay:
            self._set_rate(self._current_rate())
        if self.clipvalue is not None or self.clipnorm is not None or self.global_clipnorm is not None:
            self._clip()
        self.torch_optimizer.step()
        self.iterations += 1

    def _clip(self):
        grads = [p for p in self._params if p.grad is not None]
        if self.clipvalue is not None:
            torch.nn.utils.clip_grad_value_(grads, self.clipvalue)
        if self.clipnorm is not None:
            for p in grads:
                torch.nn.utils.clip_grad_norm_([p], self.clipnorm)
        if self.global_clipnorm is not None:
            torch.nn.utils.clip_grad_norm_(grads, self.global_clipnorm)

    def state_dict(self):
        """A copy of the optimizer's state (its moment estimates, step counts, ...)."""
        torch_state = copy.deepcopy(self.torch_optimizer.state_dict()) if self.torch_optimizer else None
        return {"iterations": self.iterations, "torch": torch_state}

    def load_state_dict(self, state):
        self.iterations = int(state.get("iterations", 0))
        if state.get("torch") is not None and self.torch_optimizer is not None:
            self.torch_optimizer.load_state_dict(state["torch"])

    # ---------------------------------------------------------------- learning rate

    def _current_rate(self):
        base = self._schedule(self.iterations) if self._schedule is not None else self._learning_rate
        return float(base) / (1.0 + self.decay * self.iterations) if self.decay else float(base)

    def _set_rate(self, value):
        if self.torch_optimizer is not None:
            for group in self.torch_optimizer.param_groups:
                group["lr"] = value

    @property
    def learning_rate(self):
        """The current learning rate; settable, also during ``fit``.

        A float that remembers this optimizer (a :class:`~kfunc.learning_rate.LearningRate`),
        so that Keras 2's ``K.set_value(optimizer.lr, 0.01)`` can change it.
        """
        if self.torch_optimizer is not None:
            return LearningRate(self.torch_optimizer.param_groups[0]["lr"], self)
        return LearningRate(self._current_rate(), self)

    @learning_rate.setter
    def learning_rate(self, value):
        self._schedule = None
        self._learning_rate = float(value)
        self._set_rate(float(value))

    lr = learning_rate

    # ---------------------------------------------------------------- config

    def get_config(self):
        config = {"name": self.name, "learning_rate": self._learning_rate if self._schedule is None else None}
        config.update(self.hyper)
        for key in ("clipnorm", "clipvalue", "global_clipnorm"):
            if getattr(self, key) is not None:
                config[key] = getattr(self, key)
        if self.decay:
            config["decay"] = self.decay
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


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


class RMSprop(Optimizer):
    """Divide each step by a running root-mean-square of the recent gradients.

    Keras defaults: ``learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
    centered=False`` (torch's ``alpha`` is Keras's ``rho``). The update is
    ``w -= lr * g / (sqrt(ms) + epsilon)``, epsilon outside the square root, as in
    standalone Keras 2 and Keras 3 and torch; tf.keras 2 puts it inside
    (``sqrt(ms + epsilon)``), which only differs while ``ms`` is below about 1e-6.
    """

    torch_class = torch.optim.RMSprop
    _defaults = {"rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False}

    def _torch_arguments(self):
        h = self.hyper
        return {"alpha": h["rho"], "eps": h["epsilon"], "momentum": h["momentum"], "centered": h["centered"]}


class Adam(Optimizer):
    """Adaptive moment estimation.

    Keras defaults: ``learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
    amsgrad=False``. kfunc adds ``epsilon`` to the bias-corrected root (torch's
    formula, as the Adam paper writes it); tf.keras adds it before the bias
    correction, a difference of a factor ``sqrt(1 - beta_2**t)`` on ``epsilon`` only.
    """

    torch_class = torch.optim.Adam
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


_OPTIMIZERS = {
    "sgd": SGD,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
    "adagrad": Adagrad,
    "adadelta": Adadelta,
    "adamax": Adamax,
    "nadam": Nadam,
}


def get(identifier):
    """An optimizer from a name (any case), a config dict, an instance or a torch factory.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
        TypeError: for anything else.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _OPTIMIZERS.get(identifier.lower())
        if cls is None:
            raise unknown_name_error("optimizer", identifier, _OPTIMIZERS)
        return cls()
    if isinstance(identifier, dict):
        cls = _OPTIMIZERS.get(str(identifier.get("class_name", "")).lower())
        if cls is None:
            raise unknown_name_error("optimizer", identifier.get("class_name"), _OPTIMIZERS)
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    if isinstance(identifier, torch.optim.Optimizer) or callable(identifier):
        return TorchOptimizer(identifier)
    raise TypeError(
        f"Could not interpret optimizer {identifier!r}. Pass a name such as 'rmsprop' or "
        "'adam', an optimizer such as `kfunc.optimizers.Adam(learning_rate=0.01)`, or a "
        "torch optimizer class or factory such as `torch.optim.SGD`."
    )


def serialize(optimizer):
    """``{'class_name': ..., 'config': ...}`` for the Keras optimizers; None for torch ones."""
    if isinstance(optimizer, TorchOptimizer) or optimizer._schedule is not None:
        return None
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}
