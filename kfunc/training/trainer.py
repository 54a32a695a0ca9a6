"""The training mixin of ``kfunc.Model`` (compile, fit, evaluate, predict)."""


class Trainer:
    """Adds training to a functional model."""
