"""``InputSpec``: what a layer says about the inputs it takes, checked at every call.

A custom layer written for sequences ``(batch, steps, features)`` computes nonsense,
or fails deep inside torch, when it is given an image. tf.keras lets the layer say
what it takes, once, in ``__init__`` or ``build``::

    self.input_spec = InputSpec(ndim=3)                  # exactly 3 axes
    self.input_spec = InputSpec(min_ndim=2, axes={-1: 64})  # 2 or more, the last of size 64

and every call (on symbolic tensors or on data) checks its inputs against it before
anything else happens, ``build`` included, so that the mistake is reported with the
layer's name. A layer with several inputs sets a list, one spec (or ``None``) per
input. The check itself is :meth:`InputSpec.check`; the base ``Layer`` calls it.
"""

__all__ = ["InputSpec"]


class InputSpec:
    """The rank, sizes and dtype that a layer's input must have; ``None`` leaves each open.

    Args:
        dtype: the dtype (``'float32'``, ``'int64'``, ...).
        shape: the whole shape, batch axis included; ``None`` entries match any size.
            It fixes ``ndim`` too.
        ndim: the exact number of axes, batch axis included.
        max_ndim: the largest number of axes.
        min_ndim: the smallest number of axes.
        axes: ``{axis: size}`` for axes whose size is fixed (``{-1: 64}``).
        name: the input's name, for the messages.

    Example:
        >>> class Pairwise(Layer):
        ...     def __init__(self, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.input_spec = InputSpec(ndim=3)
        >>> Pairwise(name='pairwise')(Input(shape=(8,)))
        ValueError: Input 0 of layer 'pairwise' (Pairwise) is incompatible with the layer: expected
        ndim=3, found ndim=2. Full shape received: (None, 8). ...
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None, name=None):
        self.dtype = None if dtype is None else str(dtype).replace("torch.", "")
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.name = name
        self.axes = {int(axis): size for axis, size in (axes or {}).items()}
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            rank = self.ndim if self.ndim is not None else self.max_ndim + 1
            if max(self.axes) >= rank:
                raise ValueError(
                    f"InputSpec(axes={axes}, ndim={self.ndim}, max_ndim={self.max_ndim}): axis {max(self.axes)} "
                    f"does not exist in an input of at most {rank} axes."
                )

    def check(self, layer, index, shape, dtype):
        """Refuse input number ``index`` of ``layer``, of ``shape`` and ``dtype``, if this spec does not admit it.

        Raises:
            ValueError: naming the layer, the input, what was expected and what came.
        """
        rank = len(shape)
        if self.ndim is not None and rank != self.ndim:
            self._refuse(layer, index, f"expected ndim={self.ndim}, found ndim={rank}", shape)
        if self.max_ndim is not None and rank > self.max_ndim:
            self._refuse(layer, index, f"expected max_ndim={self.max_ndim}, found ndim={rank}", shape)
        if self.min_ndim is not None and rank < self.min_ndim:
            self._refuse(layer, index, f"expected min_ndim={self.min_ndim}, found ndim={rank}", shape)
        if self.dtype is not None and dtype != self.dtype:
            self._refuse(layer, index, f"expected dtype={self.dtype}, found dtype={dtype}", shape)
        for axis, size in self.axes.items():
            found = shape[axis] if -rank <= axis < rank else None
            if size is not None and found not in (size, None):
                self._refuse(layer, index, f"expected axis {axis} of the input to have value {size}, "
                                           f"but it has value {found}", shape)
        if self.shape is not None and rank == len(self.shape):
            for want, found in zip(self.shape, shape):
                if want is not None and found is not None and want != found:
                    self._refuse(layer, index, f"expected shape={self.shape}, found shape={shape}", shape)

    def _refuse(self, layer, index, problem, shape):
        named = f" with name {self.name!r}" if self.name else ""
        raise ValueError(
            f"Input {index}{named} of layer {layer.name!r} ({type(layer).__name__}) is incompatible with the "
            f"layer: {problem}. Full shape received: {shape}. The layer declares the inputs it takes in its "
            f"input_spec ({self!r}); give it such a tensor, or check the layer that feeds it."
        )

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim, "max_ndim": self.max_ndim,
                "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        given = [f"{k}={v!r}" for k, v in self.get_config().items() if v not in (None, {})]
        return f"InputSpec({', '.join(given)})"
