"""The graph core: symbolic tensors, nodes, layers, and the functional model.

Open the files in this order:

1. ``keras_tensor``: what flows between layers while a model is described.
2. ``node``: one call of one layer, wired into the graph.
3. ``layer``: the base class; ``Layer.__call__`` is the lesson of a call, step by step.
4. ``functional``: the model made from inputs and outputs.
5. ``graph``: walking the nodes from the outputs back to the inputs.
6. ``lowering``: the nodes become torch code (``print(model.code)``).
7. ``shape_inference``: output shapes, from a run on torch's ``meta`` device.
8. ``weights``: made on the first call, given values only when needed.
9. ``masking``: which steps are padding, carried along with the tensors.
10. ``naming``, ``structure``, ``dtypes``: the helpers.
11. ``hooks``: where legacy spellings, the notebook widgets and op layers plug in.

The engine states each rule and raises; the messages that explain a user's mistake
to them live in ``kfunc/_errors/``, one module per thing checked (a layer's
arguments, a model's inputs and outputs, the graph, node accessors, weights).
``Input`` and ``InputLayer`` are a layer like the others: ``kfunc/layers/input_layer.py``.
"""
