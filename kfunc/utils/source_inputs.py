"""``get_source_inputs``: the ``Input`` tensors a symbolic tensor is computed from.

Code that builds a model around an existing tensor (the ``input_tensor=`` argument
of Keras's application models, for one) asks which inputs the model needs::

    inputs = get_source_inputs(features)     # [<KerasTensor ...input_1...>]
    model = Model(inputs, outputs)

The walk follows each node's input tensors back to the ``Input`` nodes, left to
right, and lists each input once, in the order it is reached, as tf.keras does.
"""

from kfunc.engine.keras_tensor import is_symbolic


def get_source_inputs(tensor):
    """The list of ``Input`` tensors that ``tensor`` depends on (``[tensor]`` for an ``Input``).

    Raises:
        ValueError: for something that is not a symbolic tensor.
    """
    if not is_symbolic(tensor) or tensor._keras_history is None:
        raise ValueError(
            f"get_source_inputs expects a symbolic tensor (an Input, or a layer's output in a model "
            f"being built); got a {type(tensor).__name__}."
        )
    sources, visited = [], set()
    to_visit = [tensor]  # a stack: the last tensor pushed is followed first
    while to_visit:
        node = to_visit.pop().node
        if id(node) in visited:
            continue
        visited.add(id(node))
        if node.is_input:
            sources += [t for t in node.outputs if all(t is not s for s in sources)]
        else:
            to_visit += reversed(node.input_tensors)  # so that the first input is followed first
    return sources
