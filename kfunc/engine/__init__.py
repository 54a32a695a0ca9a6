"""The graph core: symbolic tensors, nodes, layers, and the functional model.

Read it in this order: ``keras_tensor`` (what flows between layers), ``node`` (one
call of one layer), ``naming``, ``layer`` (the base class every layer shares),
``input_layer``, ``graph`` (walking a DAG of nodes), ``lowering`` (turning the DAG
into torch code) and ``functional`` (the Model built from inputs and outputs).
"""
