"""The points where code outside the core plugs into it.

The core imports neither Keras 1 spellings nor notebook widgets; where they need a
say, it calls a named point. ``kfunc/__init__.py`` names the module that answers,
which is imported on the first call.

* ``spellings`` (``kfunc.legacy``): ``layer_arguments(cls, args, kwargs)`` translates
  a constructor's old keywords (``Dense(output_dim=64)``), ``method_arguments(name,
  kwargs)`` those of ``fit`` and its siblings (``nb_epoch=``); ``old_method(layer,
  name)`` and ``old_layer(name)`` return what ``layer.get_output`` or
  ``kfunc.layers.merge`` stand for, or None.
* ``node_listener`` (``kfunc.widgets.call_sites``): ``node_created(node)``, so the
  node explorer can note the user's line that made each node.
* ``operations`` (``kfunc.layers.op_layer``): ``apply(function, args, kwargs)`` records
  an operator or a ``kfunc.ops`` function on symbolic tensors as a node (``x + 1``);
  ``torch_function`` and ``numpy_function`` answer torch and numpy called on them.
"""

import importlib


class Plugin:
    """A named point: the installed module answers, or ``defaults`` until one is."""

    def __init__(self, defaults):
        self._defaults, self._module_name, self._module = defaults, None, None

    def install(self, module_name):
        """Let ``module_name`` answer; it is imported the first time the core calls it."""
        self._module_name, self._module = module_name, None

    def __getattr__(self, name):
        if self._module_name is None:
            return getattr(self._defaults, name)
        if self._module is None:
            self._module = importlib.import_module(self._module_name)
        return getattr(self._module, name)


class _Keras2Only:  # until kfunc.legacy answers, nothing is translated
    layer_arguments = staticmethod(lambda cls, args, kwargs: (args, kwargs))
    method_arguments = staticmethod(lambda method_name, kwargs: kwargs)
    old_method = staticmethod(lambda layer, name: None)
    old_layer = staticmethod(lambda name: None)


class _NobodyListens:
    node_created = staticmethod(lambda node: None)


spellings = Plugin(_Keras2Only)
node_listener = Plugin(_NobodyListens)
operations = Plugin(None)  # installed by `import kfunc`, before any symbolic tensor exists
