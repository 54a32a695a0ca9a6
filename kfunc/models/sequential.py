"""``Sequential``: a model that is one straight chain of layers.

It is a functional model whose graph grows one layer at a time: each ``add``
calls the new layer on the current output, and the graph is made again from the
chain's ``Input`` to its last output, exactly as ``Model(inputs, outputs)`` makes
it. Until the first layer knows its input shape (``input_shape=`` on it, or a
first call on data), the chain is only a list and the model has no graph.
"""

from kfunc.engine.dtypes import dtype_name
from kfunc.layers.input_layer import Input, InputLayer
from kfunc.engine.keras_tensor import KerasTensor
from kfunc.engine.layer import Layer
from kfunc.engine.structure import shapes_of
from kfunc.models.model import Model


class Sequential(Model):
    """A linear stack of layers.

    Args:
        layers: the layers, in order (more can be added with :meth:`add`).
        name: the model's name (``sequential``, ``sequential_1``, ...).

    Example:
        >>> model = Sequential([Dense(32, input_shape=(784,)), Dense(10)])
        >>> model.output_shape
        (None, 10)
    """

    def __init__(self, layers=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)  # no inputs yet: a model without a graph (see _init_graph)
        self._chain = []  # the layers, in order
        self._chain_outputs = []  # the output tensor of each layer, once built
        self._start = None  # the Input tensor, once known
        for layer in layers or []:
            self.add(layer)

    def _init_graph(self, inputs, outputs):
        """Functional's graph from ``inputs`` to ``outputs``; with no inputs, an empty model.

        ``Functional.__init__`` calls it with the constructor's tensors (none for a
        Sequential), and the chain calls it again whenever it grows or shrinks.
        """
        if inputs is None:
            self._modules.clear()
            self._layers, self.inputs, self.outputs = [], [], []
            self.built = False
            return
        super()._init_graph(inputs, outputs)

    def add(self, layer):
        """Append ``layer`` to the chain (and call it, if the input shape is known).

        Raises:
            TypeError: when ``layer`` is not a layer.
            ValueError: when it cannot take the current output; the model is unchanged.
        """
        if isinstance(layer, KerasTensor) and isinstance(layer._keras_history.layer, InputLayer):
            if self._chain:
                raise ValueError("An Input can only start a Sequential model, before any layer is added.")
            self._start = layer
            return
        if isinstance(layer, InputLayer):
            self._start = layer._inbound_nodes[0].outputs[0]
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add() takes a layer, such as `Dense(10)`; it was given "
                f"{type(layer).__name__} {layer!r}."
            )
        if self._start is None and not self._chain and layer._batch_input_shape is not None:
            self._start = Input(
                batch_shape=layer._batch_input_shape,
                dtype=layer._dtype if layer._dtype != "float32" else None,
                name=f"{layer.name}_input",
            )
        self._chain.append(layer)
        if self._start is not None:
            try:
                self._grow()
            except Exception:
                self._chain.pop()
                raise

    def pop(self):
        """Remove the last layer."""
        if not self._chain:
            raise TypeError("There are no layers in this Sequential model to pop.")
        layer = self._chain.pop()
        if self._chain_outputs:
            self._chain_outputs = self._chain_outputs[: len(self._chain)]
            if self._chain:
                self._init_graph(self._start, self._chain_outputs[-1])
            else:
                self._init_graph(None, None)
        return layer

    def _grow(self):
        """Call the layers that have not been called yet, then rebuild the graph."""
        x = self._chain_outputs[-1] if self._chain_outputs else self._start
        for layer in self._chain[len(self._chain_outputs):]:
            x = layer(x)
            if not isinstance(x, KerasTensor):
                raise ValueError(
                    f"Layer {layer.name!r} returns several tensors, so it cannot be followed "
                    "by another layer in a Sequential model. Use the functional API."
                )
            self._chain_outputs.append(x)
        self._init_graph(self._start, x)

    def _build_from(self, args):
        if self.built:
            return
        data = args[0] if args else None
        shape = shapes_of(data)
        if not isinstance(shape, tuple):
            raise ValueError(f"Sequential model {self.name!r} takes one input tensor; got {type(data).__name__}.")
        dtype = getattr(data, "dtype", None)
        dtype = dtype_name(dtype) if dtype is not None else None
        if dtype == "float64":
            dtype = None
        if dtype and dtype.startswith("int") and dtype != "int32":
            dtype = "int32"
        name = f"{self._chain[0].name}_input" if self._chain else None
        self._start = Input(batch_shape=(None,) + tuple(shape[1:]), dtype=dtype, name=name)
        if self._chain:
            self._grow()

    @property
    def layers(self):
        """The layers of the chain (without the Input)."""
        return list(self._chain)

    def get_config(self):
        layers = [{"class_name": type(layer).__name__, "config": layer.get_config()} for layer in self._chain]
        config = {"name": self.name, "layers": layers}
        if self._start is not None:
            config["build_input_shape"] = self._start.shape
        return config
