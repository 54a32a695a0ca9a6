"""Learning-rate schedules: the learning rate as a function of the training step.

A constant learning rate is often too large at the end of training (the weights
jump around the minimum) or too small at its start. A schedule makes the rate
depend on how many updates the optimizer has made: ``schedule(step)`` is the rate
of update number ``step`` (counted from 0). tf.keras 2 gives the optimizer the
schedule in place of a number, ``SGD(learning_rate=ExponentialDecay(0.1, 1000,
0.96))``, and the optimizer asks it for the rate before each update.

The formulas are tf.keras 2's (``tf.keras.optimizers.schedules``); ``step`` counts
batches, not epochs. Each schedule gives its arguments back with ``get_config`` and
is made again from them with ``from_config``; :func:`serialize` and
:func:`deserialize` write and read ``{'class_name': ..., 'config': ...}``, as in
a saved optimizer's configuration.

For a rate that changes per *epoch* from a function of your own, the callback
``kfunc.callbacks.LearningRateScheduler`` does it.

Example:
    >>> schedule = ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
    >>> schedule(0), schedule(100), schedule(200)
    (0.1, 0.05, 0.025)
"""

__all__ = [
    "LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay", "InverseTimeDecay", "PolynomialDecay",
    "CosineDecay", "serialize", "deserialize",
]

import math
import numbers


def _positive(value, schedule, argument, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(
            f"{schedule}({argument}={value!r}): `{argument}` must be a "
            f"{'non-negative' if allow_zero else 'positive'} number."
        )
    return value


def _step(step):
    """The step as a float; a torch tensor or numpy number of one value is taken too."""
    value = float(step.item() if hasattr(step, "item") else step)
    if value < 0:
        raise ValueError(f"A learning-rate schedule counts steps from 0; got step {value:g}.")
    return value


class LearningRateSchedule:
    """Base class of learning-rate schedules: ``schedule(step)`` is the rate of update ``step``.

    A subclass defines ``__call__(self, step)`` and ``get_config(self)`` (the
    constructor's arguments); ``from_config`` then makes it again.

    Example:
        >>> class Halving(LearningRateSchedule):
        ...     def __init__(self, rate, every):
        ...         self.rate, self.every = rate, every
        ...     def __call__(self, step):
        ...         return self.rate * 0.5 ** (step // self.every)
        ...     def get_config(self):
        ...         return {'rate': self.rate, 'every': self.every}
    """

    def __call__(self, step):
        raise NotImplementedError(f"{type(self).__name__} must define __call__(self, step): the rate at `step`.")

    def get_config(self):
        raise NotImplementedError(
            f"{type(self).__name__} must define get_config(self): the arguments that make it again."
        )

    @classmethod
    def from_config(cls, config):
        """The schedule that ``config`` (from ``get_config``) describes."""
        return cls(**config)

    def __repr__(self):
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({arguments})"


class ExponentialDecay(LearningRateSchedule):
    """The rate falls by the factor ``decay_rate`` every ``decay_steps`` steps.

    ``rate(step) = initial_learning_rate * decay_rate ** (step / decay_steps)``; with
    ``staircase=True`` the exponent is rounded down, so the rate drops in steps.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the number of steps over which the rate is multiplied by ``decay_rate``.
        decay_rate: the factor (0.96: 4% less every ``decay_steps`` steps).
        staircase: drop at whole multiples of ``decay_steps`` only.
        name: a name, kept in the config.

    Example:
        >>> ExponentialDecay(0.1, 10, 0.5, staircase=True)(15)
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        self.initial_learning_rate = _positive(initial_learning_rate, "ExponentialDecay", "initial_learning_rate", True)
        self.decay_steps = _positive(decay_steps, "ExponentialDecay", "decay_steps")
        self.decay_rate = _positive(decay_rate, "ExponentialDecay", "decay_rate", True)
        self.staircase, self.name = bool(staircase), name

    def __call__(self, step):
        progress = _step(step) / self.decay_steps
        if self.staircase:
            progress = math.floor(progress)
        return self.initial_learning_rate * self.decay_rate ** progress

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant rate between boundaries: ``values[i]`` up to and including ``boundaries[i]``.

    With ``boundaries=[100, 200]`` and ``values=[0.1, 0.01, 0.001]``: 0.1 for steps up
    to 100, 0.01 for steps 101 to 200, 0.001 after.

    Args:
        boundaries: increasing step numbers.
        values: one rate more than there are boundaries.
        name: a name, kept in the config.
    """

    def __init__(self, boundaries, values, name=None):
        boundaries, values = list(boundaries), list(values)
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                f"PiecewiseConstantDecay(boundaries={boundaries}, values={values}): give one value more "
                f"than boundaries ({len(boundaries) + 1} values for {len(boundaries)} boundaries): a rate "
                "before the first boundary, one between each two, and one after the last."
            )
        if any(later <= earlier for earlier, later in zip(boundaries, boundaries[1:])):
            raise ValueError(f"PiecewiseConstantDecay(boundaries={boundaries}): the boundaries must increase.")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step):
        step = _step(step)
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """The rate falls as ``1 / (1 + decay_rate * step / decay_steps)``.

    ``rate(step) = initial_learning_rate / (1 + decay_rate * step / decay_steps)``;
    with ``staircase=True``, ``step / decay_steps`` is rounded down.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: how often the decay is applied (in steps).
        decay_rate: how fast the rate falls.
        staircase: fall at whole multiples of ``decay_steps`` only.
        name: a name, kept in the config.

    Example:
        >>> InverseTimeDecay(0.1, decay_steps=10, decay_rate=1.0)(10)
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        self.initial_learning_rate = _positive(initial_learning_rate, "InverseTimeDecay", "initial_learning_rate", True)
        self.decay_steps = _positive(decay_steps, "InverseTimeDecay", "decay_steps")
        self.decay_rate = _positive(decay_rate, "InverseTimeDecay", "decay_rate", True)
        self.staircase, self.name = bool(staircase), name

    def __call__(self, step):
        progress = _step(step) / self.decay_steps
        if self.staircase:
            progress = math.floor(progress)
        return self.initial_learning_rate / (1 + self.decay_rate * progress)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """The rate goes from ``initial_learning_rate`` to ``end_learning_rate`` in ``decay_steps`` steps.

    ``rate(step) = (initial - end) * (1 - step / decay_steps) ** power + end``, with the
    step held at ``decay_steps`` afterwards (the rate stays at ``end``). With
    ``cycle=True`` the decay starts again, over a span stretched to the next multiple
    of ``decay_steps`` past the step.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the steps the decay takes.
        end_learning_rate: the rate at its end (0.0001).
        power: the polynomial's power (1: a straight line).
        cycle: start again after ``decay_steps``.
        name: a name, kept in the config.

    Example:
        >>> PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.0)(5)
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name=None):
        self.initial_learning_rate = _positive(initial_learning_rate, "PolynomialDecay", "initial_learning_rate", True)
        self.decay_steps = _positive(decay_steps, "PolynomialDecay", "decay_steps")
        self.end_learning_rate = _positive(end_learning_rate, "PolynomialDecay", "end_learning_rate", True)
        self.power, self.cycle, self.name = power, bool(cycle), name

    def __call__(self, step):
        step, span = _step(step), self.decay_steps
        if self.cycle:
            span = span * max(math.ceil(step / span), 1)  # (step 0 is in the first span)
        else:
            step = min(step, span)
        fraction = (1 - step / span) ** self.power
        return (self.initial_learning_rate - self.end_learning_rate) * fraction + self.end_learning_rate

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class CosineDecay(LearningRateSchedule):
    """The rate follows half a cosine, from its start down to ``alpha`` times it, in ``decay_steps`` steps.

    ``rate(step) = initial * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha)``,
    with the step held at ``decay_steps`` afterwards. With ``warmup_steps`` and
    ``warmup_target`` (tf.keras 2.13), the rate first climbs in a straight line from
    ``initial_learning_rate`` to ``warmup_target``, then decays from there.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the steps the decay takes.
        alpha: the rate's floor, as a fraction of its start (0).
        name: a name, kept in the config.
        warmup_target: the rate reached at the end of the warm-up (None: no warm-up).
        warmup_steps: the steps of the warm-up (0).

    Example:
        >>> CosineDecay(0.1, decay_steps=10)(5)
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name=None, warmup_target=None,
                 warmup_steps=0):
        self.initial_learning_rate = _positive(initial_learning_rate, "CosineDecay", "initial_learning_rate", True)
        self.decay_steps = _positive(decay_steps, "CosineDecay", "decay_steps")
        self.alpha = _positive(alpha, "CosineDecay", "alpha", True)
        self.warmup_target = warmup_target
        self.warmup_steps = _positive(warmup_steps, "CosineDecay", "warmup_steps", True)
        self.name = name

    def __call__(self, step):
        step = _step(step)
        start = self.initial_learning_rate
        if self.warmup_target is not None:
            if step < self.warmup_steps:
                return start + (self.warmup_target - start) * step / self.warmup_steps
            step, start = step - self.warmup_steps, self.warmup_target
        cosine = 0.5 * (1 + math.cos(math.pi * min(step, self.decay_steps) / self.decay_steps))
        return start * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


_SCHEDULES = {cls.__name__: cls for cls in (
    ExponentialDecay, PiecewiseConstantDecay, InverseTimeDecay, PolynomialDecay, CosineDecay)}


def serialize(schedule):
    """``{'class_name': ..., 'config': ...}`` for a schedule, as a saved optimizer writes it."""
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config, custom_objects=None):
    """The schedule that :func:`serialize` wrote; a custom class is looked up in ``custom_objects``.

    Raises:
        ValueError: for a class name that is neither kfunc's nor in ``custom_objects``.
    """
    name = config.get("class_name") if isinstance(config, dict) else None
    cls = (custom_objects or {}).get(name) or _SCHEDULES.get(name)
    if cls is None:
        raise ValueError(
            f"Unknown learning-rate schedule {name!r}. kfunc's are {', '.join(_SCHEDULES)}; for your own "
            f"class, pass custom_objects={{{name!r}: {name}}}."
        )
    return cls.from_config(config.get("config", {}))
