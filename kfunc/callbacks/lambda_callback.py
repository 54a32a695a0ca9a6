"""``LambdaCallback``: a callback made of functions, for one-off needs.

    LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs['loss']))

Any hook can be given by keyword, with the same arguments as the method.
"""

from kfunc._errors import did_you_mean
from kfunc.callbacks.base import HOOKS, Callback


class LambdaCallback(Callback):
    """A callback whose hooks are the functions given by keyword.

    Args:
        **hooks: ``on_epoch_end=fn``, ``on_train_batch_end=fn``, ... Epoch and batch
            hooks take ``(epoch_or_batch, logs)``; ``on_train_begin`` and the other
            begin/end hooks take ``(logs)``.

    Raises:
        ValueError: for a keyword that is not a hook name.
    """

    def __init__(self, **hooks):
        super().__init__()
        for name, fn in hooks.items():
            if name not in HOOKS:
                raise ValueError(
                    f"LambdaCallback got {name}=..., which is not a callback hook."
                    f"{did_you_mean(name, HOOKS)} The hooks are: {', '.join(HOOKS)}."
                )
            if fn is not None:
                setattr(self, name, _keep_optional_logs(fn))


def _keep_optional_logs(fn):
    """Let ``fn`` be called with ``logs`` as a keyword too, as hooks are."""

    def hook(*args, **kwargs):
        if "logs" in kwargs:
            args = args + (kwargs.pop("logs"),)
        return fn(*args, **kwargs)

    hook.__wrapped__ = fn
    return hook
