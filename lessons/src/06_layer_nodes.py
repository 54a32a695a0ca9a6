# %% [markdown]
# # 06 · The layer "node"
#
# Every time you call a layer on a tensor, two things happen: you get a new tensor (the
# output), and the layer records the call as a **node**: "this input went in, that output came
# out". A layer called once has one node; a shared layer has one node per call, numbered
# 0, 1, 2, ... in the order of the calls.
#
# Nodes are why a shared layer has no single "output", and they are how kfunc (and Keras)
# find their way around a graph.
#
# In this lesson you will
#
# 1. watch nodes appear as an LSTM is called once, then twice;
# 2. see which properties stop working once a layer has several nodes (`.output`,
#    `.input_shape`), and what to use instead (`get_output_at`, `get_input_shape_at`);
# 3. train a model whose shared LSTM has two nodes, and read the trained graph node by node.

# %%
import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc.datasets import tweet_pairs
from kfunc.layers import LSTM, Conv2D, Dense, concatenate

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()

# %% [markdown]
# ## One call, one node
#
# While a layer has been called only once, there is no doubt about what its output is.

# %%
a = Input(shape=(140, 256))
lstm = LSTM(32)
encoded_a = lstm(a)

assert lstm.output is encoded_a
print("nodes:", len(lstm.inbound_nodes))
print("input shape:", lstm.input_shape, " output shape:", lstm.output_shape)

# %% [markdown]
# Displaying a layer lists its nodes: for each call, the tensor that came in (named
# `layer[node][tensor]`) and the shapes.

# %%
lstm

# %% [markdown]
# ## Two calls, two nodes
#
# Call the same LSTM on a second input. It now has two nodes, and "the output of `lstm`" could
# mean either of two tensors.

# %%
b = Input(shape=(140, 256))
encoded_b = lstm(b)
lstm

# %% [markdown]
# So `.output` refuses to choose, and says what to use instead:

# %% tags=["raises-exception"]
lstm.output

# %% [markdown]
# `get_output_at(node_index)` names the call you mean. Node 0 is the first call, node 1 the
# second.

# %%
assert lstm.get_output_at(0) is encoded_a
assert lstm.get_output_at(1) is encoded_b
assert lstm.get_input_at(1) is b
print(lstm.inbound_nodes)

# %% [markdown]
# Each tensor remembers where it came from: the layer, the node index, and which of that
# node's outputs it is. This "history" is also what a tensor shows when displayed.

# %%
print(encoded_b._keras_history)
encoded_b

# %% [markdown]
# Both calls had inputs of the same shape, so the *shapes* are still well defined, even though
# the output tensor is not:

# %%
print(lstm.input_shape, lstm.output_shape)

# %% [markdown]
# ## Same layer, different shapes
#
# A convolution's weights do not depend on the image size, so one `Conv2D` can be called on
# 32×32 images and then on 64×64 images.

# %%
a = Input(shape=(32, 32, 3))
b = Input(shape=(64, 64, 3))
conv = Conv2D(16, (3, 3), padding='same')
conved_a = conv(a)

# Only one input so far: the input shape is well defined.
assert conv.input_shape == (None, 32, 32, 3)
print(conv.input_shape)

# %%
conved_b = conv(b)
conv

# %% [markdown]
# Now there are two input shapes, and `.input_shape` cannot pick one:

# %% tags=["raises-exception"]
conv.input_shape

# %% [markdown]
# Ask per node instead:

# %%
assert conv.get_input_shape_at(0) == (None, 32, 32, 3)
assert conv.get_input_shape_at(1) == (None, 64, 64, 3)
for node in range(2):
    print(f"node {node}: in {conv.get_input_shape_at(node)} -> out {conv.get_output_shape_at(node)}")

# %% [markdown]
# ## Nodes in a model you train
#
# Here is the model of lesson 05 with the guide's `LSTM(32)`: one LSTM, called on two tweets,
# so it has two nodes. In the summary's last column every tensor is written
# `layer[node][tensor]`: `lstm_1[0][0]` is the LSTM's first call, `lstm_1[1][0]` its second.
# (A hidden `Dense` layer after the merge lets the model compare the two tweets; lesson 05
# explains why it is needed.)

# %%
kfunc.utils.set_random_seed(0)
tweet_a = Input(shape=(40, 32), name='tweet_a')
tweet_b = Input(shape=(40, 32), name='tweet_b')
shared_lstm = LSTM(32)
merged = concatenate([shared_lstm(tweet_a), shared_lstm(tweet_b)])
hidden = Dense(64, activation='relu')(merged)
same_author = Dense(1, activation='sigmoid')(hidden)

model = Model([tweet_a, tweet_b], same_author)
model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
model.summary()

# %%
model

# %% [markdown]
# Train it on generated tweets of four authors (40 characters over an alphabet of 32, as in
# lesson 05).

# %%
([a_train, b_train], y_train), ([a_test, b_test], y_test) = tweet_pairs(n=1000, length=40, alphabet=32)
history = model.fit([a_train, b_train], y_train, epochs=8, batch_size=32,
                    validation_data=([a_test, b_test], y_test))

# %% tags=["nbval-ignore-output"]
test_loss, test_accuracy = model.evaluate([a_test, b_test], y_test, verbose=0)
print(f"accuracy: {test_accuracy:.2f}")
assert test_accuracy > 0.8, "chance is 0.5"

# %% [markdown]
# ### Reading the trained graph by node
#
# The nodes are still there after training. `get_output_at(1)` is the tensor for the second
# tweet, and a model from `tweet_b` to it is a reader of second tweets, with the trained
# weights.

# %%
second_reader = Model(tweet_b, shared_lstm.get_output_at(1))
print(second_reader.predict(b_test[:3], verbose=0).shape)

# the reader computes exactly what the LSTM computed inside the full model, for the same tweets
inside = Model(model.inputs, shared_lstm.get_output_at(1)).predict([a_test[:3], b_test[:3]], verbose=0)
assert np.allclose(second_reader.predict(b_test[:3], verbose=0), inside)

# %% [markdown]
# And a node links to its neighbours. A node's public attributes carry the names Keras 2 gives
# them: `outbound_layer` is the layer that was called, `inbound_layers` the layers that fed it,
# `input_shapes` and `output_shapes` what went in and came out. As with `get_output_at`, one
# item comes alone and several come in a list: the merge node below read two tensors.

# %%
node = shared_lstm.inbound_nodes[1]
print("node:          ", node)
print("outbound layer:", node.outbound_layer.name)
print("inbound layers:", node.inbound_layers.name)
print("parent nodes:  ", node.parent_nodes)
print("input shapes:  ", node.input_shapes, "-> output shapes:", node.output_shapes)
assert node.output_tensors is shared_lstm.get_output_at(1)

merge_node = merged.node
print("merge reads:   ", [layer.name for layer in merge_node.inbound_layers], merge_node.input_shapes)

# %% [markdown]
# ## Exploring nodes interactively
#
# `kfunc.widgets.explore(model)` is a node explorer: pick a layer, then one of its nodes, and
# see that call's input and output tensors, its neighbours, its parameters and the line of
# code that made it, highlighted in the model's graph. In JupyterLab it shows drop-down menus;
# where widgets cannot run (a static view of this notebook) it shows a fixed panel.

# %%
# NODE EXPLORER: kfunc.widgets.explore
from kfunc.widgets import explore

explore(model)

# %% [markdown]
# Give a layer and a node index to open one call directly, here the shared LSTM's second call:

# %%
explore(model, shared_lstm.name, 1)

# %% [markdown]
# ## Exercises
#
# 1. Call one `Dense(4)` layer on an input of shape `(3,)`, then on an input of shape `(5, 3)`.
#    Which of `.input_shape`, `get_input_shape_at(0)` and `get_input_shape_at(1)` work, and
#    what do they return?
# 2. In the trained `model`, the `concatenate` layer was called once, with two tensors. How
#    many nodes does it have, and what are the histories (layer, node, tensor) of its inputs?

# %% [markdown]
# ### Worked answers

# %% [markdown]
# **1.** A `Dense` layer only looks at the last axis, so both calls are fine. The two nodes
# have different input shapes: `.input_shape` is ill-defined, the per-node accessors work.

# %%
dense = Dense(4)
dense(Input(shape=(3,)))
dense(Input(shape=(5, 3)))
print(dense.get_input_shape_at(0), dense.get_input_shape_at(1))
print(dense.get_output_shape_at(0), dense.get_output_shape_at(1))

# %% tags=["raises-exception"]
dense.input_shape

# %% [markdown]
# **2.** One call, so one node, even though it has two input tensors. They are the outputs of
# the LSTM's node 0 and node 1.

# %%
merge_layer = merged._keras_history.layer
print(merge_layer.name, "nodes:", len(merge_layer.inbound_nodes))
for tensor in merge_layer.get_input_at(0):
    print(tensor._keras_history)

# %% [markdown]
# ## Next
#
# Next: [07 · The inception module](07_inception_module.ipynb). All lessons are listed in the [index](README.md).
