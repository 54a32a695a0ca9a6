# %% [markdown]
# # 09 · A shared vision model: one model used like a layer, twice
#
# In lesson 05 one `LSTM` *layer* read two tweets with the same weights. Here we go one step
# further and share a whole **model**: a small convolutional "vision" network that turns a
# digit image into a feature vector. We call it on two images, and a classifier on top tells
# whether the two images show the **same digit** or two different ones.
#
# Because the problem is symmetric (comparing *a* with *b* is the same as comparing *b* with
# *a*), both images should be read by the very same network, weights and all.
#
# In this lesson you will
#
# 1. build the guide's vision model and the same/different classifier, at the guide's scale;
# 2. check that calling a model twice gives it two nodes but **one** set of weights;
# 3. train a reduced version on pairs of real hand-written digits.

# %%
import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc.datasets import digit_pairs
from kfunc.layers import Conv2D, Dense, Flatten, MaxPooling2D, concatenate

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()

# %% [markdown]
# ## The vision model
#
# The guide's digits are 27×27 pixels with one grey channel. Two 3×3 convolutions with 64
# filters (no padding, so 27 → 25 → 23), a 2×2 max-pool (23 → 11) and a `Flatten` turn an
# image into a vector of `11·11·64 = 7,744` numbers. We make it a `Model` of its own:

# %%
digit_input = Input(shape=(27, 27, 1))
x = Conv2D(64, (3, 3))(digit_input)
x = Conv2D(64, (3, 3))(x)
x = MaxPooling2D((2, 2))(x)
out = Flatten()(x)

vision_model = Model(digit_input, out)
vision_model.summary()

# %% [markdown]
# ## Sharing it between two inputs
#
# A model is a layer, so we call it on tensors exactly like one. Both calls go through the
# *same* `vision_model` object.

# %%
digit_a = Input(shape=(27, 27, 1))
digit_b = Input(shape=(27, 27, 1))

out_a = vision_model(digit_a)
out_b = vision_model(digit_b)

concatenated = concatenate([out_a, out_b])
out = Dense(1, activation='sigmoid')(concatenated)

classification_model = Model([digit_a, digit_b], out)
classification_model

# %% [markdown]
# The picture draws one box per **call**, so the vision model appears twice: `model`,
# node 0 and node 1, in the same colour, and the legend says it is shared (2 calls, one set of
# weights). The summary lists each layer once instead: its `model` row is connected to
# `input_2[0][0]` *and* `input_3[0][0]`.

# %%
classification_model.summary()

# %% [markdown]
# Drawing with `expand_nested=True` opens both boxes and shows the layers inside the vision
# model: the same layers, once per call.

# %%
kfunc.utils.plot_model(classification_model, expand_nested=True)

# %% [markdown]
# ## Two nodes, one set of weights
#
# Every call of a layer adds a **node** to it (lesson 06). The vision model was called twice,
# so it has two nodes, numbered 0 and 1, and each node remembers its own input and output
# tensors.

# %%
for node in vision_model.inbound_nodes:
    print(node)

assert len(vision_model.inbound_nodes) == 2
assert vision_model.get_output_at(0) is out_a
assert vision_model.get_output_at(1) is out_b
print(vision_model.get_input_shape_at(0), "->", vision_model.get_output_shape_at(0))
print(vision_model.get_input_shape_at(1), "->", vision_model.get_output_shape_at(1))

# %% [markdown]
# A model keeps its own `input` and `output`: the tensors it was **built** from, not those of
# its calls. Those belong to its own little graph (`digit_input` → `Flatten`).

# %%
assert vision_model.input is digit_input
assert vision_model.output is not out_a and vision_model.output is not out_b
vision_model.output

# %% [markdown]
# Now the weights. The classifier lists the vision model's 4 weight tensors (two kernels, two
# biases) **once**, followed by the `Dense` layer's kernel and bias: 6 in all, not 10. They are
# the very same objects as the vision model's own.

# %%
print(len(vision_model.weights), "weights in the vision model")
print(len(classification_model.weights), "weights in the classifier")
for w in classification_model.weights:
    print(tuple(w.shape))

assert len(classification_model.weights) == 6
assert all(a is b for a, b in zip(classification_model.weights[:4], vision_model.weights))

# %% [markdown]
# So the parameter count is the vision model's once, plus the head's: `7,744 · 2` inputs to
# the `Dense` layer, plus its bias.

# %%
head = classification_model.layers[-1]
print(f"vision model {vision_model.count_params():,} + head {head.count_params():,}"
      f" = {classification_model.count_params():,}")
assert classification_model.count_params() == vision_model.count_params() + 2 * 7_744 + 1 == 53_057

# %% [markdown]
# One set of weights also means: give both inputs the **same** image and the two branches
# compute exactly the same vector. A small model that outputs both encodings shows it.

# %%
encodings = Model([digit_a, digit_b], [out_a, out_b])
image = np.random.default_rng(0).uniform(size=(1, 27, 27, 1)).astype('float32')
enc_a, enc_b = encodings.predict([image, image])
print(enc_a.shape, "identical:", np.array_equal(enc_a, enc_b))
assert np.array_equal(enc_a, enc_b)

# %% [markdown]
# Sharing also means that every input must suit the one vision model. Its layers were built for
# 27×27 images (the `Dense` head expects exactly `2 · 7,744` features), so a 28×28 digit is
# refused, with the shape the model expects:

# %% tags=["raises-exception"]
digit_c = Input(shape=(28, 28, 1))
vision_model(digit_c)

# %% [markdown]
# ## Training on real digit pairs
#
# `kfunc.datasets.digit_pairs` makes pairs of real hand-written digits (scikit-learn's scans,
# enlarged to 27×27): label 1 when both images show the same digit, 0 otherwise, half and half.
# Test pairs are drawn from images that no training pair uses.

# %%
([a_train, b_train], y_train), ([a_test, b_test], y_test) = digit_pairs(n=3000, size=27)
print(a_train.shape, b_train.shape, y_train.shape, "same-digit share:", y_train.mean())

# %% [markdown]
# To keep training to a few seconds we shrink the vision model from 64 to 8 filters per
# convolution, and add `relu` activations. We also change the head, and this matters: one
# `Dense` unit on the concatenation computes `f(a) + g(b)`, a **sum** of a score for each
# image, and "same digit" is not a sum (it is a comparison). A hidden `Dense` layer with
# `relu` after the merge gives the model room to compare the two encodings. (Exercise 2
# trains the guide's single-unit head to see the difference.)

# %%
kfunc.utils.clear_session()


def make_vision_model(filters):
    image = Input(shape=(27, 27, 1))
    h = Conv2D(filters, (3, 3), activation='relu')(image)
    h = Conv2D(filters, (3, 3), activation='relu')(h)
    h = MaxPooling2D((2, 2))(h)
    return Model(image, Flatten()(h))


small_vision = make_vision_model(8)
pair_a = Input(shape=(27, 27, 1))
pair_b = Input(shape=(27, 27, 1))
merged = concatenate([small_vision(pair_a), small_vision(pair_b)])
hidden = Dense(64, activation='relu')(merged)
same = Dense(1, activation='sigmoid')(hidden)

pair_model = Model([pair_a, pair_b], same)
pair_model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
pair_model

# %%
history = pair_model.fit([a_train, b_train], y_train, epochs=6, batch_size=32,
                         validation_data=([a_test, b_test], y_test))

# %% tags=["nbval-ignore-output"]
loss, accuracy = pair_model.evaluate([a_test, b_test], y_test, verbose=0)
print(f"accuracy: {accuracy:.2f}")
print("chance:   0.50 (half the pairs show the same digit)")
assert accuracy > 0.65

# %% [markdown]
# Because the encoder is shared, the trained model is (almost) symmetric: swapping the two
# images changes only what the hidden layer does with the order of the two halves. Let's see
# how often the decision stays the same when we swap:

# %% tags=["nbval-ignore-output"]
p_ab = pair_model.predict([a_test, b_test])[:, 0] > 0.5
p_ba = pair_model.predict([b_test, a_test])[:, 0] > 0.5
print(f"same decision after swapping the images: {np.mean(p_ab == p_ba):.0%}")
assert np.mean(p_ab == p_ba) > 0.7, "the order of the two images changes few decisions"

# %% [markdown]
# ## Exercises
#
# 1. Without running anything: how many nodes does `small_vision` have, and how many weight
#    tensors does `pair_model` list? Check your answers.
# 2. Train the guide's head (a single `Dense(1, activation='sigmoid')` directly on the
#    concatenation) with the same small vision model for 3 epochs. What test accuracy do you
#    get, and why?
# 3. Make the model exactly symmetric: merge the two encodings with something that does not
#    care about their order (for instance `multiply`, or the absolute difference in a
#    `Lambda`) instead of `concatenate`.

# %% [markdown] jp-MarkdownHeadingCollapsed=true
# ### Worked answers

# %% [markdown]
# **1.** Two nodes (one per call). The weights: 2 kernels and 2 biases in the vision model,
# plus 2 for each `Dense` layer: 8.

# %%
print(len(small_vision.inbound_nodes), len(pair_model.weights))
assert len(small_vision.inbound_nodes) == 2 and len(pair_model.weights) == 8

# %% [markdown]
# **2.** The single-unit head stays close to chance (0.5): its output is
# `sigmoid(f(a) + g(b))`, so it can only learn which digits are common in "same" pairs, not
# whether *a* and *b* agree.

# %% tags=["nbval-ignore-output"]
kfunc.utils.clear_session()
vision_2 = make_vision_model(8)
in_a, in_b = Input(shape=(27, 27, 1)), Input(shape=(27, 27, 1))
guide_head = Dense(1, activation='sigmoid')(concatenate([vision_2(in_a), vision_2(in_b)]))
guide_model = Model([in_a, in_b], guide_head)
guide_model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
guide_model.fit([a_train, b_train], y_train, epochs=3, batch_size=32, verbose=0)
guide_accuracy = guide_model.evaluate([a_test, b_test], y_test, verbose=0)[1]
print(f"guide head: {guide_accuracy:.2f}")
assert guide_accuracy < 0.62, "the guide's head stays near chance (0.5)"

# %% [markdown]
# **3.** With `|enc_a - enc_b|` the head sees the same thing whichever image comes first, so
# swapping the images gives exactly the same prediction.

# %% tags=["nbval-ignore-output"]
from kfunc.layers import Lambda

kfunc.utils.clear_session()
vision_3 = make_vision_model(8)
in_a, in_b = Input(shape=(27, 27, 1)), Input(shape=(27, 27, 1))
difference = Lambda(lambda t: abs(t[0] - t[1]))([vision_3(in_a), vision_3(in_b)])
symmetric = Model([in_a, in_b], Dense(1, activation='sigmoid')(Dense(64, activation='relu')(difference)))
symmetric.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
symmetric.fit([a_train, b_train], y_train, epochs=3, batch_size=32, verbose=0)
print(f"symmetric model: {symmetric.evaluate([a_test, b_test], y_test, verbose=0)[1]:.2f}")
assert np.array_equal(symmetric.predict([a_test, b_test]), symmetric.predict([b_test, a_test]))

# %% [markdown]
# ## Next
#
# Next: [10 · Visual question answering](10_visual_question_answering.ipynb). All lessons are listed in the [index](README.md).
