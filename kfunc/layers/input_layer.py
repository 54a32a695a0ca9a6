"""``Input``: where a model's data enters the graph.

``Input(shape=(784,))`` makes an ``InputLayer`` and returns its one symbolic
tensor, of shape ``(None, 784)``: ``None`` stands for the batch size, which is
not known until data arrives. The layer gets exactly one node, with no inputs.
"""

from kfunc.engine import naming
from kfunc.engine.dtypes import dtype_name
from kfunc.engine.keras_tensor import KerasTensor
from kfunc.engine.layer import Layer
from kfunc.engine.node import Node


class InputLayer(Layer):
    """The layer behind an ``Input`` tensor. Use :func:`Input` to make one.

    Args:
        input_shape: the shape of one sample, without the batch dimension.
        batch_size: a fixed batch size, or ``None``.
        dtype: the dtype of the data (``'float32'``; ``'int32'`` for word ids).
        name: the layer's (and tensor's) name; ``input_1``, ``input_2``, ... by default.
        batch_input_shape: the full shape, batch dimension included.
    """

    def __init__(self, input_shape=None, batch_size=None, dtype=None, name=None, batch_input_shape=None, sparse=False):
        if name is None:
            name = naming.unique_name("input", zero_based=False)
        super().__init__(name=name, dtype=dtype)
        if batch_input_shape is None:
            batch_input_shape = (batch_size,) + _shape_tuple(input_shape)
        self._batch_input_shape = tuple(batch_input_shape)
        self.sparse = sparse
        self.built = True
        tensor = KerasTensor(self._batch_input_shape, dtype=self._dtype, name=self.name)
        Node(self, (), {}, tensor)

    def get_config(self):
        return {
            "batch_input_shape": self._batch_input_shape,
            "dtype": self._dtype,
            "sparse": self.sparse,
            "name": self.name,
        }


def _shape_tuple(shape):
    if shape is None:
        raise ValueError(
            "Input() needs a `shape`: the shape of one sample, without the batch "
            "dimension. For vectors of 784 numbers write `Input(shape=(784,))`; for "
            "32x32 colour images `Input(shape=(32, 32, 3))`."
        )
    if isinstance(shape, int):
        raise TypeError(
            f"Input(shape={shape}): `shape` must be a tuple, even for one dimension. "
            f"Write `Input(shape=({shape},))` (note the comma)."
        )
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(
            f"Input(shape={shape!r}): `shape` must be a tuple of sizes such as (784,) "
            f"or (32, 32, 3), not a {type(shape).__name__}."
        ) from None
    for d in dims:
        if d is not None and (not isinstance(d, int) or isinstance(d, bool) or d <= 0):
            raise ValueError(
                f"Input(shape={shape!r}): every size must be a positive int, or None for "
                f"a size that varies; got {d!r}."
            )
    return dims


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=False, tensor=None, batch_shape=None):
    """A symbolic tensor where data will enter a model.

    Args:
        shape: the shape of one sample, e.g. ``(784,)``; ``None`` for a size that
            varies (``(None, 128)`` for sequences of any length).
        batch_size: a fixed batch size (rarely needed).
        name: a name for the input; naming inputs lets ``fit`` take a dict.
        dtype: ``'float32'`` by default; ``'int32'`` for word ids.
        batch_shape: the full shape including the batch dimension, instead of
            ``shape``.

    Returns:
        A :class:`KerasTensor` of shape ``(batch_size,) + shape``.

    Example:
        >>> x = Input(shape=(784,), name='pixels')
        >>> x.shape
        (None, 784)
    """
    if shape is not None and batch_shape is not None:
        raise ValueError("Input() takes `shape` or `batch_shape`, not both: `batch_shape` is `shape` with the batch size in front.")
    if tensor is not None:
        raise ValueError("Input(tensor=...) is not supported in kfunc: pass `shape=` and feed the data when you call or fit the model.")
    if batch_shape is not None:
        batch_shape = tuple(batch_shape)
        _shape_tuple(batch_shape[1:])
    layer = InputLayer(
        input_shape=None if batch_shape is not None else shape,
        batch_size=batch_size,
        dtype=dtype_name(dtype) if dtype is not None else None,
        name=name,
        batch_input_shape=batch_shape,
        sparse=sparse,
    )
    return layer._inbound_nodes[0].outputs[0]
