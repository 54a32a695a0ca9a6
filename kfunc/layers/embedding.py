"""``Embedding``: integer ids (word indices) turned into dense vectors."""

__all__ = ["Embedding"]


import torch
import torch.nn.functional as F

from kfunc import initializers
from kfunc.engine.layer import Layer
from kfunc.layers.regularization import set_weight_options, weight_options_config

_EMBEDDING_NEEDS_INPUT_DIM = """\
Embedding(output_dim={output_dim}) needs `input_dim`, the size of the vocabulary: the \
number of different ids, i.e. the largest word id + 1. Each of the input_dim ids gets its own \
vector of output_dim numbers. For a vocabulary of 10000 words write
    Embedding(input_dim=10000, output_dim={output_dim})"""


class Embedding(Layer):
    """Turns integer ids (word indices) into dense vectors: row ``i`` of a table.

    Args:
        input_dim: the size of the vocabulary; ids go from ``0`` to ``input_dim - 1``.
        output_dim: the length of each vector.
        embeddings_initializer: how to draw the table (Keras's ``'uniform'``: uniform
            in [-0.05, 0.05]).
        embeddings_regularizer, activity_regularizer, embeddings_constraint: as for
            ``Dense`` (none by default).
        mask_zero: whether id 0 means "padding". The output then carries a mask
            (:meth:`compute_mask`: True where the id is not 0), and the layers after it
            that understand masks (LSTM, GRU, ...) skip the padded steps.
        input_length: the length of the sequences, when fixed.

    The table ``embeddings`` has shape ``(input_dim, output_dim)``. The ids may have
    any integer dtype, or be floats holding whole numbers (as numpy arrays often
    do). An input ``(batch, length)`` gives ``(batch, length, output_dim)``.

    Raises:
        ValueError: when an id is not a whole number or lies outside ``[0, input_dim)``.
            Each call checks its ids, except inside ``fit``, ``evaluate`` and
            ``predict``, which check all the ids of their data once, beforehand
            (see :class:`ids_checked_beforehand`).

    Inside ``fit`` (and ``train_on_batch``), the table's gradient holds only the rows
    the batch looked up (a sparse gradient) when the optimizer can update those rows
    alone with the result of a whole-table update (see :class:`sparse_gradients` and
    :mod:`kfunc.optimizers`); elsewhere, a call gives torch's ordinary dense gradient.

    Example:
        >>> ids = Input(shape=(100,), dtype='int32')
        >>> Embedding(input_dim=10000, output_dim=512)(ids).shape
        (None, 100, 512)
    """

    # True while a caller that checked every id beforehand runs the layer (see below).
    _ids_checked = False
    # True while training with updates of the looked-up rows only (see sparse_gradients below).
    _sparse_gradients = False

    def __init__(self, input_dim=None, output_dim=None, embeddings_initializer="uniform", embeddings_regularizer=None,
                 activity_regularizer=None, embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if input_dim is None:
            raise TypeError(_EMBEDDING_NEEDS_INPUT_DIM.format(output_dim=output_dim))
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"Embedding({arg}={value!r}): `{arg}` must be a positive int "
                    "(input_dim: the vocabulary size; output_dim: the vector length)."
                )
        self.input_dim = input_dim
        self.output_dim = output_dim
        if embeddings_initializer == "uniform":  # Keras 2's short name
            embeddings_initializer = initializers.RandomUniform(-0.05, 0.05)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        set_weight_options(self, embeddings_regularizer=embeddings_regularizer,
                           embeddings_constraint=embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.input_length = input_length

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            "embeddings", (self.input_dim, self.output_dim), initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer, constraint=self.embeddings_constraint,
        )

    def _check_input_shapes(self, input_shape):
        length = self.input_length
        if isinstance(length, int) and len(input_shape) > 1 and input_shape[1] not in (None, length):
            raise ValueError(
                f"Embedding {self.name!r} was made with input_length={length}, but is called on "
                f"sequences of shape {input_shape}. Make the Input's length match, or leave "
                "input_length out."
            )

    def call(self, inputs):
        if not self._ids_checked and not inputs.is_meta:
            self.check_ids(inputs)
        if inputs.dtype not in (torch.int32, torch.int64):
            inputs = inputs.long()
        return F.embedding(inputs, self.embeddings, sparse=self._sparse_gradients)

    def check_ids(self, ids):
        """Refuse ``ids`` unless all are whole numbers in ``[0, input_dim)`` (ValueError naming the layer)."""
        if ids.numel() == 0:
            return
        if ids.is_floating_point():
            fractional = ~torch.isfinite(ids) | (ids != torch.round(ids))
            if fractional.any():
                value = ids[fractional][0].item()
                raise ValueError(
                    f"Embedding {self.name!r} takes integer ids (word indices), but got the value "
                    f"{value!r}. Pass whole numbers from 0 to {self.input_dim - 1} "
                    f"(input_dim={self.input_dim}), e.g. as an int array."
                )
        low, high = ids.min(), ids.max()
        for value in (low, high):
            if not 0 <= value < self.input_dim:
                value = value.item()
                value = int(value) if float(value).is_integer() else value
                raise ValueError(
                    f"Embedding {self.name!r} got the id {value}, outside [0, {self.input_dim}): "
                    f"its input_dim is {self.input_dim}, so ids go from 0 to {self.input_dim - 1}. "
                    "Make input_dim the vocabulary size (largest id + 1), or check the data."
                )

    def compute_mask(self, inputs, mask=None):
        """``inputs != 0`` when ``mask_zero`` is set, else ``None``."""
        return inputs != 0 if self.mask_zero else None

    def get_config(self):
        config = super().get_config()
        config.update(
            input_dim=self.input_dim,
            output_dim=self.output_dim,
            embeddings_initializer=initializers.serialize(self.embeddings_initializer),
            **weight_options_config(self, "embeddings_regularizer", "embeddings_constraint"),
            mask_zero=self.mask_zero,
            input_length=self.input_length,
        )
        return config


class ids_checked_beforehand:
    """``with ids_checked_beforehand(embeddings):`` these Embedding layers skip their check of each call's ids.

    For ``fit``, ``evaluate`` and ``predict``, which check all the ids of their data
    before the first batch: checking a batch reads the smallest and the largest id,
    which makes the program wait for a GPU at every batch. When the block ends, an
    exception included, each layer is back as it was (a direct call checks again).

    Example:
        >>> with ids_checked_beforehand([embedding]):
        ...     outputs = model._fx(ids)  # no check per batch
    """

    def __init__(self, embeddings):
        self.embeddings = embeddings

    def __enter__(self):
        self.before = [layer._ids_checked for layer in self.embeddings]
        for layer in self.embeddings:
            layer._ids_checked = True

    def __exit__(self, *exception):
        for layer, flag in zip(self.embeddings, self.before):
            layer._ids_checked = flag


class sparse_gradients:
    """``with sparse_gradients(embeddings):`` these Embedding layers give sparse gradients.

    The gradient of the table then holds only the rows that the batch looked up (a
    ``torch.sparse_coo_tensor``), and the optimizer updates only those rows. ``fit``
    and ``train_on_batch`` use it for the layers whose optimizer said it can (see
    ``Optimizer.updates_rows_of``). When the block ends, an exception included, each
    layer is back as it was.

    Example:
        >>> with sparse_gradients([embedding]):
        ...     model._fx(ids).sum().backward()
        >>> embedding.embeddings.grad.is_sparse
        True
    """

    def __init__(self, embeddings):
        self.embeddings = embeddings

    def __enter__(self):
        self.before = [layer._sparse_gradients for layer in self.embeddings]
        for layer in self.embeddings:
            layer._sparse_gradients = True

    def __exit__(self, *exception):
        for layer, flag in zip(self.embeddings, self.before):
            layer._sparse_gradients = flag
