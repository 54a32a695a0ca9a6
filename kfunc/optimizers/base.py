"""``Optimizer``: Keras's optimizer arguments, and the torch optimizer that holds the state.

Every kfunc optimizer stores the Keras arguments and, once ``fit`` knows the
model's parameters, makes the matching torch optimizer (``optimizer.torch_optimizer``).
The torch optimizer holds the state (moment estimates, step counts) and defines the
maths; ``state_dict`` and saving read it. One update (:meth:`Optimizer.step`) is:

1. set the learning rate (a schedule, Keras 2's ``decay``), clip the gradients;
2. take out the *sparse* gradients: an ``Embedding`` trained on rows (see
   :mod:`.embedding_rows`) hands in only the rows its batch looked up;
3. update the weights with dense gradients: torch's ``step``, or kfunc's own
   multi-tensor version of the same maths where there is one (see :mod:`.multi_tensor`);
4. update the looked-up rows: by torch itself (SGD, Adagrad: their sparse updates
   equal the dense ones) or by kfunc's row rules (RMSprop, and the opt-in lazy Adam).
"""

import copy
import warnings

import torch

from kfunc import config
from kfunc.learning_rate import LearningRate
from kfunc.optimizers import schedules

EMBEDDING_UPDATES = ("auto", "dense", "lazy")


class Optimizer:
    """Base class: Keras's optimizer arguments, and the torch optimizer made from them.

    Args:
        learning_rate: the step size; a number, or a function of the step count
            (``lambda step: 0.01 * 0.9 ** (step // 100)``) called before each step.
        clipnorm: clip each gradient tensor to this L2 norm before the update.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients together to this L2 norm.
        decay: Keras 2's inverse-time decay: ``lr / (1 + decay * step)``.
        embedding_updates: how an ``Embedding``'s table is updated when a batch
            looks up only some of its rows (kfunc's addition, see :mod:`kfunc.optimizers`):
            ``'auto'`` (the default) updates only those rows where that gives exactly
            the result of updating the whole table, and the whole table otherwise;
            ``'dense'`` always updates the whole table; ``'lazy'`` (Adam only) updates
            only those rows, also where this changes the result.
        name: the optimizer's name.
    """

    torch_class = None  # the torch.optim class that holds the state and defines the maths
    _defaults = {}  # Keras argument -> default, besides learning_rate
    _lazy_rows = None  # the inexact row rule that embedding_updates='lazy' selects (see .embedding_rows)

    def __init__(self, learning_rate=0.001, clipnorm=None, clipvalue=None, global_clipnorm=None, decay=0.0,
                 embedding_updates="auto", name=None, **kwargs):
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
            valid = ["learning_rate", *self._defaults, "clipnorm", "clipvalue", "global_clipnorm", "decay",
                     "embedding_updates", "name"]
            raise TypeError(f"{type(self).__name__}() got an unknown argument {name_!r}. Its arguments are: {', '.join(valid)}.")
        self.embedding_updates = embedding_updates
        self._schedule = learning_rate if callable(learning_rate) else None
        self._learning_rate = None if callable(learning_rate) else float(learning_rate)
        self.hyper = hyper
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.decay = decay
        self.name = name or type(self).__name__
        self.iterations = 0  # how many updates were made
        self.torch_optimizer = None
        self._params = ()
        self._dense_step = None  # kfunc's own update of the dense gradients, where it has one
        self._rows = None  # the row rule of the Embeddings trained on rows (see .embedding_rows)
        self._row_params = []  # the tables that may receive sparse gradients
        self._loss_scaling = None  # float16 training's loss scale, kept from one fit to the next

    @property
    def embedding_updates(self):
        """``'auto'``, ``'dense'`` or ``'lazy'`` (see the class docstring); settable between two fits."""
        return self._embedding_updates

    @embedding_updates.setter
    def embedding_updates(self, value):
        if value not in EMBEDDING_UPDATES:
            raise ValueError(f"{type(self).__name__}(embedding_updates={value!r}): use one of {EMBEDDING_UPDATES}.")
        if value == "lazy" and self._lazy_rows is None:
            raise ValueError(
                f"{type(self).__name__}(embedding_updates='lazy'): only Adam has a lazy row update. "
                f"{type(self).__name__} updates only the looked-up rows by itself (embedding_updates='auto') "
                "wherever that gives the same result as updating the whole table."
            )
        self._embedding_updates = value

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
        self._dense_step = self._make_dense_step() if parameters else None
        self._rows, self._row_params = None, []
        return self.torch_optimizer

    def _make_torch_optimizer(self, parameters):
        return self.torch_class(parameters, lr=self._current_rate(), **self._torch_arguments())

    def _torch_arguments(self):
        """The torch optimizer's arguments besides ``lr``, from the Keras ones."""
        return {}

    def _make_dense_step(self):
        """kfunc's own update for dense gradients (see :mod:`.multi_tensor`), or None for torch's ``step``."""
        return None

    def _exact_rows(self):
        """How sparse gradients are applied exactly: ``'torch'`` (torch's own sparse
        update equals its dense one), a row rule (see :mod:`.embedding_rows`), or None
        (only a dense update is exact)."""
        return None

    def updates_rows_of(self, table):
        """Whether ``table`` (an Embedding's weights) may be trained on rows, with sparse
        gradients; if so, the optimizer expects them from now on.

        Rows are used when ``embedding_updates`` allows them and no gradient clipping
        (which reads whole gradients) is asked for.
        """
        if self.embedding_updates == "dense" or self.torch_optimizer is None:
            return False
        if self.clipvalue is not None or self.clipnorm is not None or self.global_clipnorm is not None:
            return False
        if self.embedding_updates == "lazy":
            rule = self._lazy_rows
        else:
            rule = self._exact_rows()
        if rule is None:
            return False
        if rule != "torch" and self._rows is None:
            self._rows = rule(self.torch_optimizer)
        if not any(p is table for p in self._row_params):
            self._row_params.append(table)
        return True

    def zero_grad(self):
        """Forget the gradients (``grad = None``: the next ``backward`` writes them afresh).

        What ``torch_optimizer.zero_grad(set_to_none=True)`` does, without its
        per-call profiling and hook bookkeeping, which costs a short step more than this.
        """
        for group in self.torch_optimizer.param_groups:
            for p in group["params"]:
                p.grad = None

    def step(self):
        """Clip the gradients if asked, then update the parameters (see the module docstring)."""
        # 1. the learning rate, the clipping
        if self._schedule is not None or self.decay:
            self._set_rate(self._current_rate())
        if self.clipvalue is not None or self.clipnorm is not None or self.global_clipnorm is not None:
            self._clip()
        # 2. the sparse gradients that kfunc's row rule applies, out of torch's sight
        rows = self._take_row_gradients() if self._row_params else ()
        # 3. the dense gradients
        if self._dense_step is not None:
            self._dense_step([p for p in self._params if p.grad is not None])
        elif self._row_params:
            # (torch's own sparse updates, SGD's and Adagrad's, make sparse tensors from indices
            # that torch itself made: checking them, or warning that it does not, serves nothing)
            with torch.sparse.check_sparse_tensor_invariants(enable=False):
                self.torch_optimizer.step()
        else:
            self.torch_optimizer.step()
        # 4. the rows
        for table, grad in rows:
            self._rows.update(table, grad)
            table.grad = grad
        self.iterations += 1

    def _take_row_gradients(self):
        """``[(table, sparse gradient)]`` for kfunc's row rule, each table's ``grad``
        set to None meanwhile. A table with a dense gradient this time (an Embedding
        trained without rows, or weights tied to another layer) first gets the decays
        its rows were owed, so that the dense update starts from the exact state."""
        taken = []
        for table in self._row_params:
            grad = table.grad
            if grad is None or self._rows is None:
                continue
            if grad.is_sparse:
                taken.append((table, grad))
                table.grad = None
            else:
                self._rows.settle(table)
        return taken

    def _clip(self):
        grads = [p for p in self._params if p.grad is not None]
        if self.clipvalue is not None:
            torch.nn.utils.clip_grad_value_(grads, self.clipvalue)
        if self.clipnorm is not None:
            for p in grads:
                torch.nn.utils.clip_grad_norm_([p], self.clipnorm)
        if self.global_clipnorm is not None:
            torch.nn.utils.clip_grad_norm_(grads, self.global_clipnorm)

    def settle(self):
        """Bring the state of rows updated lazily up to date (as a dense update would have it).

        ``state_dict`` and the end of ``fit`` call it; reading ``torch_optimizer.state``
        directly between two batches shows the rows' decays still owed.
        """
        if self._rows is not None:
            for table in self._row_params:
                self._rows.settle(table)

    def state_dict(self):
        """A copy of the optimizer's state (its moment estimates, step counts, ...)."""
        self.settle()
        torch_state = copy.deepcopy(self.torch_optimizer.state_dict()) if self.torch_optimizer else None
        return {"iterations": self.iterations, "torch": torch_state}

    def load_state_dict(self, state):
        self.iterations = int(state.get("iterations", 0))
        if state.get("torch") is not None and self.torch_optimizer is not None:
            self.settle()
            self.torch_optimizer.load_state_dict(state["torch"])
            if self._rows is not None:
                self._rows.forget()  # the loaded state owes no decay

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
        if self.torch_optimizer is not None and not isinstance(self._schedule, schedules.LearningRateSchedule):
            return LearningRate(self.torch_optimizer.param_groups[0]["lr"], self)  # the last update's rate
        return LearningRate(self._current_rate(), self)  # with a schedule object: the next update's, as Keras

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(self._schedule, schedules.LearningRateSchedule):
            raise TypeError(
                f"{type(self).__name__} was made with the schedule {type(self._schedule).__name__}, which sets "
                "its learning rate at every step, so the rate cannot be set by hand (as in Keras). Make the "
                "optimizer with a number, or with another schedule."
            )
        self._schedule = None
        self._learning_rate = float(value)
        self._set_rate(float(value))

    lr = learning_rate

    # ---------------------------------------------------------------- config

    def get_config(self):
        rate = self._learning_rate
        if self._schedule is not None:  # a schedule object saves itself; a plain function cannot
            rate = schedules.serialize(self._schedule) if isinstance(self._schedule, schedules.LearningRateSchedule) else None
        config = {"name": self.name, "learning_rate": rate}
        config.update(self.hyper)
        for key in ("clipnorm", "clipvalue", "global_clipnorm"):
            if getattr(self, key) is not None:
                config[key] = getattr(self, key)
        if self.decay:
            config["decay"] = self.decay
        if self.embedding_updates != "auto":
            config["embedding_updates"] = self.embedding_updates
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"
