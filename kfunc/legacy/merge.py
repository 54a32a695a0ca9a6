"""Keras 1's ``merge`` function and ``Merge`` layer, made of Keras 2's merge layers.

Keras 1 had one merge with a ``mode``; Keras 2 has one function (and layer class)
per mode: ``merge([a, b], mode='concat', concat_axis=1)`` is
``concatenate([a, b], axis=1)``. Both old spellings work and warn with the new call.
"""

import inspect

from kfunc._errors import did_you_mean
from kfunc.engine.keras_tensor import is_symbolic
from kfunc.engine.layer import Layer
from kfunc.legacy.call_site import find_call_site
from kfunc.legacy.layers import positional_params
from kfunc.legacy.table import MERGE_DEFAULT_MODE, MERGE_FUNCTION_MODE, MERGE_MODES, MERGE_PARAMETERS
from kfunc.legacy.translate import Arg, Rename, arrange, render, renamed_callee, translate, values

_MERGE_LAYER_PARAMETERS = ("layers",) + MERGE_PARAMETERS[1:]
# The Keras 2 names of merge arguments (axis=, axes=): accepted, so that giving one
# together with its Keras 1 name is reported as such.
_KERAS2_NAMES = {row.new for m in MERGE_MODES.values() for row in m.spelling.rows.values() if isinstance(row, Rename)}


def merge(*args, **kwargs):
    """Keras 1's merge: combine a list of tensors into one, as ``mode`` says.

    Args:
        inputs: the tensors to merge, a list.
        mode: ``'sum'`` (the default), ``'mul'``, ``'ave'``, ``'max'``,
            ``'concat'``, ``'dot'``, ``'cos'``, or a function of the list.
        concat_axis: the axis for ``'concat'`` (the last one by default).
        dot_axes: the axes for ``'dot'`` and ``'cos'`` (the last one by default).
        output_shape, arguments: for a function mode, as ``Lambda`` takes them.
        name: the name of the merge layer.

    Returns:
        The merged tensor, made by the Keras 2 function for the mode
        (``add``, ``multiply``, ``average``, ``maximum``, ``concatenate``, ``dot``),
        or by a ``Lambda`` layer for a function mode.

    Raises:
        TypeError: when an item of ``inputs`` is a layer rather than a tensor.

    Example:
        >>> merged = merge([a, b], mode='concat', concat_axis=-1)   # Keras 1
        >>> merged = concatenate([a, b], axis=-1)                     # Keras 2
    """
    # 1. check the tensors, and find the Keras 2 function for the mode
    site = find_call_site()
    bound = _bind("merge", MERGE_PARAMETERS, args, kwargs)
    _check_tensors("merge", bound.get("inputs"), site, args, kwargs)
    entry, function_arg, new_args, notes = _translate("merge", MERGE_PARAMETERS, bound, site, args, kwargs)
    callee = renamed_callee(site.callee("merge"), "merge", entry.function)
    # 2. a function mode: Lambda(function, ...)(inputs)
    if function_arg is not None:
        inputs = next(a for a in new_args if a.name == "inputs")
        positional, keywords = arrange([function_arg] + [a for a in new_args if a is not inputs], ("function",))
        site.warn_once("merge", f"{render(callee, positional, keywords)}({inputs.source})", notes)
        layer_args, layer_kwargs = values(positional, keywords)
        return _modern("Lambda")(*layer_args, **layer_kwargs)(inputs.value)
    # 3. a named mode: its function, e.g. concatenate([a, b], axis=1)
    function = _modern(entry.function)
    positional, keywords = arrange(new_args, positional_params(function))
    site.warn_once("merge", render(callee, positional, keywords), notes)
    call_args, call_kwargs = values(positional, keywords)
    return function(*call_args, **call_kwargs)


def Merge(*args, **kwargs):
    """Keras 1's Merge layer: the Keras 2 merge layer for ``mode`` (see :func:`merge`).

    ``Merge(mode='concat', concat_axis=1)`` is ``Concatenate(axis=1)``; call the
    layer it returns on a list of tensors.

    Raises:
        TypeError: when given ``layers``: Keras 2 layers are made first, then
            called on tensors.
    """
    # 1. Keras 1 could connect the layer as it was made; Keras 2 cannot
    site = find_call_site()
    bound = _bind("Merge", _MERGE_LAYER_PARAMETERS, args, kwargs)
    entry, function_arg, new_args, notes = _translate("Merge", _MERGE_LAYER_PARAMETERS, bound, site, args, kwargs)
    if bound.get("layers") is not None:
        _check_tensors("Merge", bound["layers"], site, args, kwargs, name="layers")
        raise TypeError(
            "Merge(layers=...) connects a Keras 1 Merge layer as it is made. In Keras 2, make "
            f"the layer, then call it on the list of tensors: {entry.layer}(...)([x, y]), or "
            f"use the function: {entry.function}([x, y], ...)."
        )
    # 2. the Keras 2 layer class for the mode (Lambda for a function mode)
    cls = _modern(entry.layer)
    layer_args = [function_arg] + new_args if function_arg is not None else new_args
    positional, keywords = arrange(layer_args, positional_params(cls))
    callee = renamed_callee(site.callee("Merge"), "Merge", entry.layer)
    site.warn_once("Merge", render(callee, positional, keywords), notes)
    layer_args, layer_kwargs = values(positional, keywords)
    return cls(*layer_args, **layer_kwargs)


def _translate(call, params, bound, site, args, kwargs):
    """The mode's table entry, the mode as a Lambda's function (or None), the other
    arguments in Keras 2, and the notes for the warning."""
    mode = bound.get("mode", MERGE_DEFAULT_MODE)
    entry = _entry(call, mode)
    given = site.arguments(args, kwargs, params)
    written_mode = next((a for a in given if a.name == "mode"), None)
    others = [a for a in given if a.name not in ("mode", "layers")]
    new_args, notes = translate(entry.spelling, others, call)
    if entry is not MERGE_FUNCTION_MODE:
        kind = f"{entry.function}()" if call == "merge" else entry.layer
        return entry, None, new_args, [f"{call}(mode={mode!r}) is now {kind}"] + notes
    source = written_mode.source if written_mode else site.source_of(mode)
    function_arg = Arg("function", mode, source, positional=True)
    return entry, function_arg, new_args, notes + ["a function mode is now a Lambda layer"]


merge.__signature__ = inspect.Signature(
    [inspect.Parameter("inputs", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    + [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None) for n in MERGE_PARAMETERS[1:]]
)
Merge.__signature__ = inspect.Signature(
    [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None) for n in _MERGE_LAYER_PARAMETERS]
)


# ---------------------------------------------------------------------- helpers


def _bind(call, params, args, kwargs):
    """``{parameter: value}`` for the given arguments, with Python's errors in plain words."""
    if len(args) > len(params):
        raise TypeError(f"{call}() takes at most {len(params)} positional arguments; got {len(args)}.")
    bound = dict(zip(params, args))
    for name, value in kwargs.items():
        if name not in params and name not in _KERAS2_NAMES:
            raise TypeError(
                f"{call}() got an unknown argument {name!r}.{did_you_mean(name, params)} "
                f"Its arguments are: {', '.join(params)}."
            )
        if name in bound:
            raise TypeError(f"{call}() got {name!r} twice, by position and by keyword.")
        bound[name] = value
    return bound


def _entry(call, mode):
    """The table entry for a Keras 1 merge mode (a name, or a function)."""
    if callable(mode):
        return MERGE_FUNCTION_MODE
    if mode not in MERGE_MODES:
        raise ValueError(
            f"{call}(mode={mode!r}): unknown merge mode.{did_you_mean(mode, MERGE_MODES)} The "
            f"modes are {', '.join(repr(m) for m in MERGE_MODES)}, or a function of the list of tensors."
        )
    return MERGE_MODES[mode]


def _check_tensors(call, tensors, site, args, kwargs, name="inputs"):
    """Refuse anything but a list of tensors, and explain a layer passed as a tensor."""
    example = f"{call}([x, y], mode='concat')"
    if tensors is None:
        raise TypeError(f"{call}() needs the list of tensors to merge, e.g. {example}.")
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{call}() merges a list of tensors, e.g. {example}; its `{name}` was one "
            f"{type(tensors).__name__}. Put the tensors in a list."
        )
    written = _list_item_sources(site, name, args, kwargs)
    for i, item in enumerate(tensors):
        if isinstance(item, Layer):
            written_as = f" (`{written[i]}`)" if written and written[i] != item.name else ""
            raise TypeError(
                f"{call}() merges tensors, but item {i + 1} of its list{written_as} is the layer "
                f"{item.name!r} itself: you passed the layer {item.name!r}; call it on a tensor "
                f"first: {item.name}(x), and merge the tensor it returns."
            )
        if not (is_symbolic(item) or hasattr(item, "shape")):
            raise TypeError(
                f"{call}() merges tensors; item {i + 1} of its list is a {type(item).__name__} "
                f"({item!r:.60}). Pass the tensors that layers (or Input) return."
            )
    if len(tensors) < 2:
        raise ValueError(f"{call}() needs at least 2 tensors to merge; got {len(tensors)}.")


def _list_item_sources(site, name, args, kwargs):
    """How the user wrote each item of the list argument ``name`` (``['x', 'y']``), if known."""
    import ast

    node = site.node
    if node is None:
        return None
    if name in kwargs:
        expr = next((k.value for k in node.keywords if k.arg == name), None)
    else:
        expr = node.args[0] if node.args else None
    if isinstance(expr, (ast.List, ast.Tuple)):
        return [ast.unparse(e) for e in expr.elts]
    return None


def _modern(name):
    from kfunc import layers

    return getattr(layers, name)
