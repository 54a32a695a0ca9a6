"""A model's generated code that could not read a layer's result, explained.

Each layer runs inside its own ``Layer.__call__``, which names the layer in its
errors. The generated code itself (see :mod:`kfunc.engine.lowering`) only reads
results out with ``getitem``; that fails when a layer returns, on data, another
nesting than it returned while the model was built. Then the error names that layer.
"""

import operator


def misread_output_error(model, error):
    """The ValueError naming the layer whose result ``model``'s code could not read, or None."""
    layer = unreadable_output(model._fx, error)
    if layer is None:
        return None
    return ValueError(
        f"Layer {layer.name!r} ({type(layer).__name__}) returned, on data, tensors nested "
        f"otherwise than when model {model.name!r} was built ({type(error).__name__}: {error}). "
        "A layer must return the same structure (one tensor, or the same lists) on every call."
    )


def unreadable_output(module, error):
    """The layer whose result the generated code could not read when ``error`` was raised, or None."""
    frames, tb = [], error.__traceback__
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    if not frames or frames[-1].tb_frame.f_code is not type(module).forward.__code__:
        return None  # the error was raised inside a layer, not by the generated code
    line = module.code.splitlines()[frames[-1].tb_lineno - 1]
    name = line.strip().split(" = ")[0]
    read = next((n for n in module.graph.nodes if n.name == name and n.target is operator.getitem), None)
    while read is not None and read.op != "call_module":
        read = read.args[0]
    return module.get_submodule(read.target) if read is not None else None
