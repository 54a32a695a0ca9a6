"""Custom classes and functions by name: registration, and the objects of the load in progress.

A saved architecture names each layer's class (``'Dense'``, ``'Scale'``). Loading
finds kfunc's classes in ``kfunc.layers``; a custom class is found in the
``custom_objects`` given to ``load_model``, or among the classes registered with
:func:`register_keras_serializable`.
"""

import contextlib

# Custom classes and functions registered by name (see register_keras_serializable).
_REGISTERED = {}
# The custom objects and safe mode of the load in progress, for nested deserialization.
_LOADING = {"custom_objects": {}, "safe_mode": True}


def register_keras_serializable(package="Custom", name=None):
    """Class decorator: let ``load_model`` find this custom layer (or function) by name.

    Example:
        >>> @register_keras_serializable()
        ... class Scale(Layer):
        ...     def call(self, x):
        ...         return 2 * x
    """

    def register(obj):
        key = name or obj.__name__
        _REGISTERED[f"{package}>{key}"] = obj
        _REGISTERED[key] = obj
        return obj

    return register


def get_registered_object(name, custom_objects=None):
    """The class or function called ``name`` in ``custom_objects`` or the registry, or None."""
    for source in (custom_objects or {}, _LOADING["custom_objects"], _REGISTERED):
        if name in source:
            return source[name]
    return None


@contextlib.contextmanager
def loading(custom_objects, safe_mode):
    """While a model is rebuilt: the custom objects to look in, and whether code may run."""
    previous = dict(_LOADING)
    _LOADING["custom_objects"] = {**previous["custom_objects"], **(custom_objects or {})}
    _LOADING["safe_mode"] = safe_mode
    try:
        yield
    finally:
        _LOADING.update(previous)


def with_custom_objects(config):
    """Replace names of custom activations and initializers by the objects themselves."""
    if not isinstance(config, dict):
        return config
    out = dict(config)
    for key, value in config.items():
        if isinstance(value, str) and (key.endswith("activation") or key.endswith("_initializer")):
            custom = get_registered_object(value)
            if custom is not None:
                out[key] = custom
    return out


def safe_mode():
    """Whether the load in progress refuses to run code stored in the file (``Lambda``)."""
    return _LOADING["safe_mode"]
