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
# 3. see what Keras 3 removed of all this, and what a Keras 3 program writes instead;
# 4. train a model whose shared LSTM has two nodes, and read the trained graph node by node.

# %%
import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc.classroom import Check
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
# ## Keras 3: keep the tensors
#
# Everything above is Keras 2 (tf.keras 2.x), which kfunc follows, as does the guide. Keras 3
# dropped most of it:
#
# * `get_output_at`, `get_input_at`, `get_input_shape_at` and `get_output_shape_at` are gone;
# * `input_shape` and `output_shape` exist only on models (functional and `Sequential`), not on
#   a plain layer such as `LSTM` or `Conv2D`;
# * `.output` (and `.input`) on a layer with several nodes no longer raises: it quietly
#   returns what the **first** call gave, `encoded_a` for our LSTM.
#
# A Keras 3 program keeps instead the tensor that each call returns, and asks *it*: its
# `.shape`, or a `Model` that ends there (`Model(b, conved_b)` instead of
# `Model(b, conv.get_output_at(1))`). That works in kfunc too:

# %%
print("LSTM, call 0:", encoded_a.shape, " call 1:", encoded_b.shape)
print("Conv2D, call 0:", a.shape, "->", conved_a.shape, " call 1:", b.shape, "->", conved_b.shape)
assert conved_b is conv.get_output_at(1) and conved_b.shape == conv.get_output_shape_at(1)

# %% [markdown]
# Keras 3 still records the calls, in a private list (`layer._inbound_nodes`), so that
# `Model` can follow the graph; there is no public way left to ask a shared layer for its
# second call. Keep the tensors in variables with telling names.

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
print("pairs:", len(y_train), "for training,", len(y_test), "for testing")

# %% [markdown]
# ### The data
#
# The characters are made-up ids; we print id `i` as the `i`-th symbol of a 32-symbol
# alphabet. The first six training pairs:

# %%
ALPHABET = "abcdefghijklmnopqrstuvwxyz .,!?#"


def as_text(tweet):
    """A one-hot tweet as a string, one symbol per written character (padding left out)."""
    return ''.join(ALPHABET[row.argmax()] for row in tweet if row.any())


def show_pairs(indices, tweets_a, tweets_b, labels, probabilities=None):
    """A table of tweet pairs: the label, the model's probability if given, both tweets."""
    header = f"{'same author?':>12}  " + ("p(same)  " if probabilities is not None else "")
    print(header + f"{'tweet A':<40}  tweet B")
    for i in indices:
        answer = 'yes' if labels[i] == 1 else 'no'
        shown = f"{probabilities[i]:7.2f}  " if probabilities is not None else ""
        print(f"{answer:>12}  {shown}{as_text(tweets_a[i]):<40}  {as_text(tweets_b[i])}")


show_pairs(range(6), a_train, b_train, y_train)

# %%
history = model.fit([a_train, b_train], y_train, epochs=8, batch_size=32,
                    validation_data=([a_test, b_test], y_test))

# %% tags=["nbval-ignore-output"]
test_loss, test_accuracy = model.evaluate([a_test, b_test], y_test, verbose=0)
print(f"accuracy: {test_accuracy:.2f}")
assert test_accuracy > 0.8, "chance is 0.5"

# %% [markdown]
# Three test pairs it got right and up to three it got wrong, with the probability it gave to
# "same author":

# %% tags=["nbval-ignore-output"]
probabilities = model.predict([a_test, b_test], verbose=0)[:, 0]
correct = (probabilities > 0.5) == (y_test == 1)
right, wrong = np.flatnonzero(correct)[:3], np.flatnonzero(~correct)[:3]
show_pairs(np.concatenate([right, wrong]), a_test, b_test, y_test, probabilities)
assert len(right) == 3 and len(wrong) > 0

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
#    Which of `.input_shape`, `get_input_shape_at(0)` and `get_input_shape_at(1)` work? What
#    does `get_input_shape_at(1)` return?
# 2. In the trained `model`, the `concatenate` layer was called once, with two tensors. How
#    many nodes does it have?
# 3. In Keras 3, which of our two LSTM tensors does `lstm.output` return: `'encoded_a'`,
#    `'encoded_b'`, or `'error'` if it raises?

# %% tags=["exercise"]
# Exercise 1: replace None with the shape that get_input_shape_at(1) returns.
second_input_shape = None

# %% tags=["check"]
Check("06.1", digest="8dea11c1d22205cafb26609e26e95b72e2906c6e87aa8bb9800ad32c0677752e",
      hint="A shape starts with the batch axis, None.")(second_input_shape)

# %% tags=["exercise"]
# Exercise 2: replace None with the number of nodes.
merge_nodes = None

# %% tags=["check"]
Check("06.2", digest="6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b",
      hint="A node is one call, however many tensors that call reads.")(merge_nodes)

# %% tags=["exercise"]
# Exercise 3: replace None with 'encoded_a', 'encoded_b' or 'error'.
keras3_lstm_output = None

# %% tags=["check"]
Check("06.3", digest="66ce2d93d3e9a919c46d689f8ec9e0686a6dd43b96b6d417f924a3884e23ecbe",
      hint="Read the section 'Keras 3: keep the tensors' again.")(keras3_lstm_output)

# %% [markdown] tags=["answer"]
# ### Worked answers

# %% [markdown] tags=["answer"]
# **1.** A `Dense` layer only looks at the last axis, so both calls are fine. The two nodes
# have different input shapes: `.input_shape` is ill-defined, the per-node accessors work, and
# `get_input_shape_at(1)` is `(None, 5, 3)`.

# %% tags=["answer"]
dense = Dense(4)
dense(Input(shape=(3,)))
dense(Input(shape=(5, 3)))
second_input_shape = dense.get_input_shape_at(1)
print(dense.get_input_shape_at(0), second_input_shape)
print(dense.get_output_shape_at(0), dense.get_output_shape_at(1))
Check("06.1", digest="8dea11c1d22205cafb26609e26e95b72e2906c6e87aa8bb9800ad32c0677752e",
      hint="A shape starts with the batch axis, None.")(second_input_shape)

# %% tags=["answer", "raises-exception"]
dense.input_shape

# %% [markdown] tags=["answer"]
# **2.** One call, so one node, even though it has two input tensors. They are the outputs of
# the LSTM's node 0 and node 1.

# %% tags=["answer"]
merge_layer = merged._keras_history.layer
merge_nodes = len(merge_layer.inbound_nodes)
for tensor in merge_layer.get_input_at(0):
    print(tensor._keras_history)
Check("06.2", digest="6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b",
      hint="A node is one call, however many tensors that call reads.")(merge_nodes)

# %% [markdown] tags=["answer"]
# **3.** Keras 3 does not raise: `.output` gives the first call's tensor, `encoded_a`. A
# Keras 2 program that relied on the error to catch a mistake gets the first tweet's
# encoding without a word.

# %% tags=["answer"]
keras3_lstm_output = 'encoded_a'
Check("06.3", digest="66ce2d93d3e9a919c46d689f8ec9e0686a6dd43b96b6d417f924a3884e23ecbe",
      hint="Read the section 'Keras 3: keep the tensors' again.")(keras3_lstm_output)

# %% [markdown]
# ## Next
#
# Next: [07 · The inception module](07_inception_module.ipynb). All lessons are listed in the [index](README.md).
