"""The learning rate as Keras 2 code reads it: a number that knows its optimizer.

In tf.keras 2, ``optimizer.lr`` is a variable, and learning-rate code reads and
writes it through the backend::

    K.set_value(model.optimizer.lr, 0.01)
    lr = K.get_value(model.optimizer.lr)

kfunc's optimizers keep their rate as a plain number, so ``optimizer.learning_rate``
(and its old name ``lr``) gives a :class:`LearningRate`: a ``float`` for every
calculation and every print, which also remembers the optimizer it was read from,
so that :func:`kfunc.backend.set_value` knows what to change. Saved, pickled or
copied, it becomes a plain ``float``.
"""

import weakref


class LearningRate(float):
    """An optimizer's learning rate, read at one moment: a float that can set the optimizer's rate.

    Args:
        value: the rate when it was read.
        optimizer: the optimizer it belongs to (held weakly: a rate kept in a
            training log does not keep its optimizer alive).

    Example:
        >>> rate = model.optimizer.learning_rate
        >>> rate * 0.5                      # a number like any other
        0.0005
        >>> rate.assign(0.01)               # tf.keras 2's spelling; K.set_value(rate, 0.01) too
        >>> model.optimizer.learning_rate
        0.01
    """

    __slots__ = ("_optimizer",)

    def __new__(cls, value, optimizer):
        rate = super().__new__(cls, value)
        rate._optimizer = weakref.ref(optimizer)
        return rate

    def current(self):
        """The optimizer's learning rate now (it may have changed since this one was read)."""
        optimizer = self._optimizer()
        return float(optimizer.learning_rate) if optimizer is not None else float(self)

    def assign(self, value):
        """Set the optimizer's learning rate to ``value``, as ``optimizer.learning_rate = value`` does."""
        optimizer = self._optimizer()
        if optimizer is None:
            raise RuntimeError("This learning rate's optimizer no longer exists, so there is no rate to set.")
        optimizer.learning_rate = float(value)

    def numpy(self):
        """The optimizer's current learning rate (tf.keras 2 code reads ``optimizer.lr.numpy()``)."""
        return self.current()

    def __reduce__(self):  # pickle and copy it as the plain number it is
        return float, (float(self),)
