"""Model subclassing: a model written as a class, its forward pass in ``call``.

The keras.io guide's "mix and match" section and many books write::

    class MyModel(kfunc.Model):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(64, activation='relu')
            self.out = Dense(10)

        def call(self, inputs, training=None):
            return self.out(self.hidden(inputs))

Such a model has no graph: ``call`` is ordinary Python, run on every batch. What a
functional model reads from its graph, a subclassed model learns otherwise:

* **its layers** are the layers assigned to its attributes, in assignment order
  (a list or a dict of layers too); torch registers them as submodules, so
  ``parameters()``, ``state_dict()`` and ``.to(device)`` see them;
* **its inputs and outputs** come from its first call (on data, or on symbolic
  tensors), or from ``build(input_shape)``: ``call`` runs once on torch's ``meta``
  device, which makes every layer's weights and gives the output shapes without
  computing anything. The outputs are named ``output_1``, ``output_2``, ... (or
  by their keys, for a dict), as tf.keras names them, so that ``compile`` and
  ``fit`` match losses and targets to them;
* **training** reaches ``call`` as its ``training`` argument: ``True`` inside
  ``fit``, ``False`` in ``evaluate`` and ``predict``.

Node semantics belong to the functional graph. The layers used inside ``call``
gain no node (they compute, they do not record), so ``get_output_at`` and the
summary's shapes say nothing about them. The model itself is a layer like any
other: called on symbolic tensors inside a functional model, it records its node
there, and ``model.input``/``model.output`` are those of its calls.
"""

import inspect

from torch import nn

from kfunc.engine.dtypes import dtype_name
from kfunc.engine.functional import Functional
from kfunc.engine.keras_tensor import KerasTensor
from kfunc.engine.layer import Layer
from kfunc.engine.shape_inference import infer_output_spec
from kfunc.engine.structure import flatten, map_structure, shapes_of
from kfunc.training.data import to_tensor


def is_subclassed_class(cls):
    """Whether ``cls`` writes its own forward pass (a ``call`` other than the functional one)."""
    return cls.call is not Functional.call


class Subclassing:
    """The part of ``kfunc.Model`` that differs when the model is a subclass with a ``call``.

    Each method keeps the functional behaviour for a model made from ``inputs`` and
    ``outputs``, and gives a subclassed model its own (see the module docstring).
    """

    _subclassed = False

    def _init_graph(self, inputs, outputs):
        if inputs is not None or outputs is not None or not is_subclassed_class(type(self)):
            super()._init_graph(inputs, outputs)
            return
        # No graph: the layers come with the attributes; inputs and outputs with the first call.
        self._subclassed = True
        parameters = inspect.signature(self.call).parameters.values()
        self._takes_training = any(p.name == "training" or p.kind is p.VAR_KEYWORD for p in parameters)
        self._nodes, self._network_nodes, self._layers = [], set(), []
        self.inputs, self.outputs = [], []
        self._input_structure = self._output_structure = None
        object.__setattr__(self, "_fx", None)
        self.built = False

    # ------------------------------------------------------------- layers

    def __setattr__(self, name, value):
        if "_modules" not in self.__dict__ and isinstance(_as_module_container(value), nn.Module):
            raise AttributeError(
                f"{type(self).__name__}.__init__ sets the layer(s) {name!r} before calling "
                "`super().__init__()`, which makes the model able to hold layers. Call "
                "`super().__init__()` first, as the first line of `__init__`."
            )
        if self._subclassed and not name.startswith("_"):
            value = _as_module_container(value)
        super().__setattr__(name, value)
        if self._subclassed and isinstance(value, nn.Module):
            self.__dict__["_layers"] = _tracked_layers(self)

    def _sublayers(self):
        return list(self._layers) if self._subclassed else super()._sublayers()

    # ------------------------------------------------------------- building

    def build(self, input_shape):
        """Make the weights for inputs of ``input_shape``: ``(None, 4)``, a list or a dict of shapes.

        A subclassed model runs its ``call`` once on stand-in tensors of that shape.
        """
        if not self._subclassed:
            return super().build(input_shape)
        if input_shape is None:
            raise ValueError(
                f"{type(self).__name__}.build() needs the input shape, with None for the batch: "
                "e.g. `model.build((None, 4))`, or a list of shapes for several inputs."
            )
        self._trace(_specs_of_shapes(input_shape))

    def _build_from(self, args):
        if not self._subclassed:
            return super()._build_from(args)
        specs = map_structure(_spec_like, args[0] if args else None)
        if type(self).build is not Subclassing.build:
            self.build(shapes_of(specs))  # the user's own build, which may make weights first
        if self._output_structure is None:
            self._trace(specs)

    def _trace(self, specs):
        """Run ``call`` once on meta stand-ins of ``specs``: weights made, output shapes known."""
        self.built = True  # (so that the run below does not build again)
        try:
            outputs = infer_output_spec(self, (specs,), {})
        except Exception:
            self.built = False
            raise
        self._input_structure, self.inputs = specs, flatten(specs)
        self._output_structure, self.outputs = outputs, flatten(outputs)
        object.__setattr__(self, "_fx", CallProgram(self, specs))
        self.__dict__["_layers"] = _tracked_layers(self)

    def _ready(self, x, need_heads=True):
        if self._subclassed and not self.built and x is not None:
            self._build_from([map_structure(lambda array: to_tensor(array, "input"), x)])
        super()._ready(x, need_heads)

    # ------------------------------------------------------------- calling

    def forward(self, *args, **kwargs):
        if self._subclassed and self._takes_training and kwargs.get("training") is None:
            kwargs["training"] = self.training  # True inside fit, as tf.keras passes it
        return super().forward(*args, **kwargs)

    def compute_output_spec(self, *args, **kwargs):
        if self._subclassed:
            return Layer.compute_output_spec(self, *args, **kwargs)
        return super().compute_output_spec(*args, **kwargs)

    def _check_input_shapes(self, input_shape):
        if not self._subclassed:  # (a subclassed model's layers check what they are given)
            super()._check_input_shapes(input_shape)

    # ------------------------------------------------------------- names

    @property
    def input_names(self):
        if not self._subclassed:
            return Functional.input_names.fget(self)
        return _names(self._input_structure, "input")

    @property
    def output_names(self):
        if not self._subclassed:
            return Functional.output_names.fget(self)
        return _names(self._output_structure, "output")

    # A subclassed model's input and output are those of its calls, as for any layer.
    input = property(lambda self: _view(self, "input"))
    output = property(lambda self: _view(self, "output"))
    input_shape = property(lambda self: _view(self, "input_shape"))
    output_shape = property(lambda self: _view(self, "output_shape"))


class CallProgram(nn.Module):
    """A subclassed model's forward pass, taking one tensor per input as a functional model's program does.

    Training runs ``model._fx(*tensors)``; this packs the tensors back into the
    structure ``call`` was first given (one tensor, a list, a dict) and calls the model.
    """

    def __init__(self, model, input_structure):
        super().__init__()
        self.model = model
        self.input_structure = input_structure

    def forward(self, *tensors):
        given = iter(tensors)
        return self.model(map_structure(lambda _: next(given), self.input_structure))

    @property
    def code(self):
        """The forward pass: the source of the model's ``call``."""
        return inspect.getsource(type(self.model).call)


def not_built_error(model):
    """Asked for what only a built subclassed model knows (its summary)."""
    return ValueError(
        f"Model {model.name!r} has not been built yet: a subclassed model learns its input shape "
        "from its first call, and makes its weights then. Call it on a batch of data "
        f"(`model(x)`, or `model.fit(...)`), or call `model.build(input_shape)` first, e.g. "
        "`model.build((None, 4))` for samples of 4 features."
    )


def cannot_serialize_error(model, what):
    """``save``/``get_config`` of a subclassed model: its architecture is Python code."""
    return NotImplementedError(
        f"{what} needs the architecture as data, and {type(model).__name__} {model.name!r} is a "
        "subclassed model: its architecture is the Python code of its `call`, which kfunc cannot "
        "write to a file. Save the weights instead, `model.save_weights(path)`, and load them into "
        "a new instance with `load_weights(path)` after building it (call it on data, or `build`)."
    )


# ---------------------------------------------------------------------------- helpers


def _as_module_container(value):
    """A list or tuple of layers as a ``ModuleList``, a dict of them as a ``ModuleDict``: tracked by torch."""
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, nn.Module) for v in value):
        return nn.ModuleList(value)
    if isinstance(value, dict) and value and all(isinstance(k, str) and isinstance(v, nn.Module)
                                                 for k, v in value.items()):
        return nn.ModuleDict(value)
    return value


def _tracked_layers(model):
    """The layers held by ``model``'s attributes, in assignment order (inside lists and dicts too)."""
    found, stack = [], list(reversed(list(model._modules.values())))
    while stack:
        module = stack.pop()
        if isinstance(module, Layer):
            if all(module is not layer for layer in found):
                found.append(module)
        elif module is not None:  # a ModuleList or ModuleDict: its layers, in order
            stack.extend(reversed(list(module.children())))
    return found


def _spec_like(value):
    """A symbolic stand-in for one input (data or symbolic): its shape with batch None, its dtype."""
    dtype = dtype_name(getattr(value, "dtype", "float32"))
    return KerasTensor((None,) + tuple(value.shape[1:]), "float32" if dtype == "float64" else dtype)


def _specs_of_shapes(input_shape):
    """Stand-ins for ``build(input_shape)``: a shape, or a list or dict of shapes."""
    if isinstance(input_shape, dict):
        return {key: _specs_of_shapes(shape) for key, shape in input_shape.items()}
    if isinstance(input_shape, (list, tuple)) and input_shape and isinstance(input_shape[0], (list, tuple)):
        return [_specs_of_shapes(shape) for shape in input_shape]
    return KerasTensor(tuple(input_shape))


def _names(structure, prefix):
    """``input_1``, ``input_2``, ... (or the keys of a dict), as tf.keras names a subclassed model's tensors."""
    if isinstance(structure, dict):
        return list(structure)
    return [f"{prefix}_{i + 1}" for i in range(len(flatten(structure)))] if structure is not None else []


def _view(model, attribute):
    """A subclassed model's ``input`` and the like, from its calls (Layer's); else the functional model's."""
    owner = Layer if model._subclassed else Functional
    return getattr(owner, attribute).fget(model)
