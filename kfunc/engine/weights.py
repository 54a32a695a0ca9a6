"""A layer's weights: made on the first call, given values only when needed.

Describing a model must cost no memory, even for the guide's 169-million-parameter
video model. So ``add_weight`` makes each weight on torch's ``meta`` device (a shape
and a dtype, no numbers) and keeps its initializer; ``materialize`` draws the values
the first time they are needed: a call on data, ``fit``, ``get_weights``, or one of
torch's own views (``parameters()``, ``state_dict()``, ``.to(device)``), which all
materialize first. Layers never see this: they ``add_weight`` and compute.
"""
import functools
import itertools

import torch
from torch import nn

from kfunc import constraints, initializers, regularizers
from kfunc._errors.weights import check_weight_options, checked_weight_arrays, not_built_error
from kfunc.engine.dtypes import DTYPES, dtype_name, torch_dtype


def _values_first(method):
    """``method`` of ``torch.nn.Module``, made to materialize the weights before it runs."""

    @functools.wraps(method)
    def with_values(self, *args, **kwargs):
        self.materialize()
        return method(self, *args, **kwargs)

    return with_values


class Weights:
    """The weights part of :class:`~kfunc.engine.layer.Layer`, in Keras's order and layouts."""

    def __init__(self, trainable=True):
        super().__init__()  # torch.nn.Module's
        self._trainable = bool(trainable)
        self._weight_names = []  # own weights, in the order they were made
        self._initializers = {}  # weight name -> initializer, while the weight is on meta
        self._regularizers, self._constraints = {}, {}  # weight name -> its penalty, its rule (fit reads them)

    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
                   constraint=None, **tf_options):
        """Declare a weight of ``shape`` (Keras's layout), on ``meta`` until :meth:`materialize`.

        Keras's signature. Without a ``name``: ``variable``, ``variable_1``, ..., until
        ``self.w = self.add_weight(...)`` names it ``w``. Without an ``initializer``:
        glorot_uniform for floats, zeros otherwise. ``fit`` applies the ``regularizer`` and
        the ``constraint`` (names or objects). Trainable weights are parameters; the others
        (moving averages, say) are buffers. TensorFlow's options (``aggregation=``) are ignored.
        """
        check_weight_options(self, tf_options)
        if initializer is None and dtype is not None and dtype_name(dtype) not in DTYPES:
            initializer, dtype = dtype, None  # kfunc's earlier order: (name, shape, initializer)
        dtype = torch_dtype(dtype or self._dtype)
        unnamed = itertools.chain(["variable"], (f"variable_{i}" for i in itertools.count(1)))  # Keras 3's names
        name = name or next(n for n in unnamed if n not in self._weight_names and not hasattr(self, n))
        tensor = torch.empty(tuple(shape or ()), dtype=dtype, device="meta")
        if trainable:
            self.register_parameter(name, nn.Parameter(tensor, requires_grad=self._trainable and dtype.is_floating_point))
        else:
            self.register_buffer(name, tensor)
        self._weight_names.append(name)
        default = "glorot_uniform" if dtype.is_floating_point else "zeros"
        self._initializers[name] = initializers.get(initializer or default)
        self._regularizers[name] = regularizers.get(regularizer)
        self._constraints[name] = constraints.get(constraint)
        return getattr(self, name)

    def __setattr__(self, attribute, value):
        # `self.w = self.add_weight(...)`: from now on the weight is known by the attribute's name
        names = self.__dict__.get("_weight_names") if isinstance(value, torch.Tensor) else None
        old = next((n for n in names if self._weight(n) is value), None) if names else None
        if old is None or old == attribute or attribute in names:
            return super().__setattr__(attribute, value)
        for table in (self._parameters, self._buffers, self._initializers, self._regularizers, self._constraints):
            if old in table:  # (renamed in place: the order of the weights stays Keras's)
                items = [(attribute if k == old else k, v) for k, v in table.items()]
                table.clear()
                table.update(items)
        self._weight_names[self._weight_names.index(old)] = attribute
        self.__dict__.pop(attribute, None)  # (an attribute set before, say to None, would hide it)

    def _weight(self, name):
        return self._parameters.get(name, self._buffers.get(name))

    def materialize(self):
        """Give every weight still on ``meta`` (here and in the layers held) its initial values."""
        for layer in self._layer_tree():
            for name, initializer in list(layer._initializers.items()):
                old = getattr(layer, name)
                with torch.no_grad():
                    value = initializer(tuple(old.shape), dtype=old.dtype)
                if name in layer._parameters:
                    layer._parameters[name] = nn.Parameter(value, requires_grad=old.requires_grad)
                else:
                    layer._buffers[name] = value
                del layer._initializers[name]
        return self

    # torch's own views of the weights: each materializes them first.
    named_parameters = _values_first(nn.Module.named_parameters)  # parameters() too
    named_buffers = _values_first(nn.Module.named_buffers)  # buffers() too
    state_dict = _values_first(nn.Module.state_dict)
    load_state_dict = _values_first(nn.Module.load_state_dict)
    _apply = _values_first(nn.Module._apply)  # .to(), .cuda(), .double(), ...

    @property
    def _is_materialized(self):
        return not any(layer._initializers for layer in self._layer_tree())

    def _layer_tree(self):
        """This layer and every layer it holds, at any depth."""
        return [m for m in self.modules() if isinstance(m, Weights)]

    def _sublayers(self):
        """The layers this layer holds directly (a wrapped layer, a model's layers), in order."""
        return [m for m in self.children() if isinstance(m, Weights)]

    def _unbuild(self):
        """Forget the weights (a first call that failed): the next call builds the layer again."""
        for name in self._weight_names:
            self._parameters.pop(name, None)
            self._buffers.pop(name, None)
        for table in (self._weight_names, self._initializers, self._regularizers, self._constraints):
            table.clear()
        self.built = False

    def _own_weights(self, trainable):
        return [getattr(self, n) for n in self._weight_names if (n in self._parameters) == trainable]

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        for layer in self._layer_tree():
            layer._trainable = bool(value)
            for p in layer._parameters.values():
                if p is not None:
                    p.requires_grad_(bool(value))

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        self.materialize()
        return _unique(self._own_weights(True) + [w for l in self._sublayers() for w in l.trainable_weights])

    @property
    def non_trainable_weights(self):
        self.materialize()
        if not self.trainable:  # a frozen layer: all of its weights
            own, held = self._own_weights(True) + self._own_weights(False), [l.weights for l in self._sublayers()]
        else:
            own, held = self._own_weights(False), [l.non_trainable_weights for l in self._sublayers()]
        return _unique(own + [w for weights in held for w in weights])

    @property
    def weights(self):
        """Trainable weights, then non-trainable ones, as Keras orders them."""
        return _unique(self.trainable_weights + self.non_trainable_weights)

    def get_weights(self):
        """The weights as numpy arrays, in Keras's layouts and order."""
        return [w.detach().cpu().numpy().copy() for w in self.weights]

    def set_weights(self, weights):
        """Set every weight from a list of numpy arrays (Keras's layouts and order).

        Raises:
            ValueError: when the number of arrays or a shape does not match; then no
                weight has been changed.
        """
        own = self.weights
        arrays = checked_weight_arrays(self, own, weights)
        with torch.no_grad():
            for w, a in zip(own, arrays):
                w.copy_(torch.as_tensor(a, dtype=w.dtype))

    def count_params(self):
        """The number of scalars in the weights (shared weights counted once); no value is drawn."""
        if not self.built:
            raise not_built_error(self)
        weights = [getattr(layer, n) for layer in self._layer_tree() for n in layer._weight_names]
        return sum(w.numel() for w in _unique(weights))


def meta_copies(layer):
    """Meta stand-ins for the weights of ``layer`` that hold values, by their torch names.

    Shape inference runs a layer on meta tensors; weights with values would mix two
    devices in one operation, so it runs the layer with these copies in their place.
    Weights still on meta need no copy.
    """
    # nn.Module's own views: the ones above would draw the values of every weight.
    named = list(nn.Module.named_parameters(layer, remove_duplicate=False))
    named += list(nn.Module.named_buffers(layer, remove_duplicate=False))
    return {name: torch.empty_like(value, device="meta") for name, value in named if not value.is_meta}


def _unique(tensors):
    """``tensors`` without repeats (a shared weight is listed once), in order."""
    return list({id(t): t for t in tensors}.values())
