"""``custom_object_scope``: make custom layers and functions known to loading, for a while.

``load_model``, ``model_from_json`` and ``Model.from_config`` find a custom class by
the name written in the saved configuration. They look in their own
``custom_objects=`` argument, in the scope opened here, then among the classes
registered with ``register_keras_serializable`` (see :mod:`kfunc.models.saving`).
A scope is handy when the loading happens deep in code that does not pass
``custom_objects`` along::

    with kfunc.utils.custom_object_scope({'Scale': Scale}):
        model = kfunc.models.load_model('scaled.kfunc')
"""

from kfunc.models.saving import objects


class CustomObjectScope:
    """A ``with`` block in which loading finds the given custom objects by name.

    Args:
        *custom_objects: dictionaries ``{name: class or function}``; later ones win.

    Scopes nest: an inner scope adds its objects to the outer one's, and its end
    restores the outer one's.
    """

    def __init__(self, *custom_objects):
        self.custom_objects = {}
        for given in custom_objects:
            if not isinstance(given, dict):
                raise TypeError(
                    f"custom_object_scope takes dictionaries {{name: class or function}}, got "
                    f"{type(given).__name__}: write custom_object_scope({{'MyLayer': MyLayer}})."
                )
            self.custom_objects.update(given)
        self._active = None

    def __enter__(self):
        self._active = objects.loading(self.custom_objects, objects.safe_mode())
        self._active.__enter__()
        return self

    def __exit__(self, *exc_info):
        active, self._active = self._active, None
        return active.__exit__(*exc_info)


def custom_object_scope(*custom_objects):
    """The :class:`CustomObjectScope` of ``custom_objects`` (Keras's function spelling)."""
    return CustomObjectScope(*custom_objects)
