"""Nested structures: the lists, tuples and dicts of tensors that layers take and return.

A layer may be called on one tensor, a list (``concatenate([a, b])``) or a dict, and
may return any such nesting (``[output, h, c]``). Everything in kfunc walks them with
:func:`flatten` (the leaves, in order) and :func:`map_structure` (the same nesting,
each leaf replaced).
"""


def flatten(structure):
    """Every leaf of a nested list/tuple/dict, in order: ``[1, (2, {'a': 3})]`` -> ``[1, 2, 3]``."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for value in structure.values() for leaf in flatten(value)]
    return [structure]


def map_structure(fn, structure):
    """The same nesting, ``fn`` applied to each leaf: ``(f, [1, (2,)])`` -> ``[f(1), (f(2),)]``."""
    if isinstance(structure, list):
        return [map_structure(fn, item) for item in structure]
    if isinstance(structure, tuple):
        return tuple(map_structure(fn, item) for item in structure)
    if isinstance(structure, dict):
        return {key: map_structure(fn, value) for key, value in structure.items()}
    return fn(structure)


def shapes_of(structure):
    """The shapes of a structure of tensors, as ``build`` receives them.

    A tensor (symbolic, torch or numpy) gives a tuple, a list or tuple of them a list,
    a dict a dict, anything else None: ``[(None, 3), (None, 4, 5)]``.
    """
    if isinstance(structure, (list, tuple)):
        return [shapes_of(item) for item in structure]
    if isinstance(structure, dict):
        return {key: shapes_of(value) for key, value in structure.items()}
    shape = getattr(structure, "shape", None)
    return tuple(shape) if shape is not None else None


def one_or_list(items):
    """``items[0]`` when there is one item, else a list: how Keras reports a node's tensors."""
    return items[0] if len(items) == 1 else list(items)
