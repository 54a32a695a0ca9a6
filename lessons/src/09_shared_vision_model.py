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
# 3. look at pairs of real hand-written digits, train a reduced version on them, and look at
#    its answers, right and wrong.

# %%
import matplotlib.pyplot as plt
import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc.classroom import Check
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
# Sharing also means that every input must suit the one vision model. The model declared its
# input as `Input(shape=(27, 27, 1))`, so calling it on a 28×28 digit is refused, with the
# shape it expects:

# %% tags=["raises-exception"]
digit_c = Input(shape=(28, 28, 1))
vision_model(digit_c)

# %% [markdown]
# The refusal comes from that declared `Input`, not from the weights: a convolution's kernel
# (3×3×1×64 here) slides over an image of any size (lesson 06), and `vision_model` has no
# `Dense` layer. Calling its layers one by one on the 28×28 input works, with the very same
# weights; only the number of features changes (`12·12·64 = 9,216` instead of 7,744). What
# would break is the classifier's `Dense` head, whose kernel expects `2 · 7,744` inputs.

# %%
h = digit_c
for layer in vision_model.layers[1:]:  # every layer after the InputLayer
    h = layer(h)
print(h.shape)
assert h.shape == (None, 12 * 12 * 64)

# %% [markdown]
# ## Training on real digit pairs
#
# `kfunc.datasets.digit_pairs` makes pairs of real hand-written digits (scikit-learn's scans,
# enlarged to 27×27): label 1 when both images show the same digit, 0 otherwise, half and half.
# Test pairs are drawn from images that no training pair uses.

# %%
([a_train, b_train], y_train), ([a_test, b_test], y_test) = digit_pairs(n=2400, size=27)
print(a_train.shape, b_train.shape, y_train.shape, "same-digit share:", y_train.mean())


def show_pairs(a, b, titles, colours=None):
    """Draw pairs of digits in columns: image a above image b, a title over each pair."""
    fig, axes = plt.subplots(2, len(a), figsize=(1.1 * len(a), 2.5), dpi=70, squeeze=False)
    for k in range(len(a)):
        for row, image in enumerate((a[k], b[k])):
            axes[row, k].imshow(image[..., 0], cmap="gray_r")
            axes[row, k].axis("off")
        axes[0, k].set_title(titles[k], fontsize=8, color=colours[k] if colours else "black")
    plt.show()


show_pairs(a_train[:8], b_train[:8], ["same" if y else "different" for y in y_train[:8]])

# %% [markdown]
# Each column is one training example: two scans and the label. "Same" pairs are two
# *different* scans of one digit, so the model cannot just compare pixels.

# %% [markdown]
# To keep training to a few seconds we shrink the vision model from 64 to 8 filters per
# convolution, and add `relu` activations. We also change the head, and this matters: one
# `Dense` unit on the concatenation computes `f(a) + g(b)`, a **sum** of a score for each
# image, and "same digit" is not a sum (it is a comparison). A hidden `Dense` layer with
# `relu` after the merge gives the model room to compare the two encodings. (Exercise 3
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
# ### Its answers, right and wrong
#
# Test pairs, each with the model's probability of "same" and the true label: four it gets
# right (green) and up to four it gets wrong (red):

# %% tags=["nbval-ignore-output"]
p_same = pair_model.predict([a_test, b_test])[:, 0]
correct = (p_same > 0.5) == (y_test == 1)
shown = np.concatenate([np.flatnonzero(correct)[:4], np.flatnonzero(~correct)[:4]])
show_pairs(a_test[shown], b_test[shown],
           [f"p={p_same[k]:.2f}\n{'same' if y_test[k] else 'different'}" for k in shown],
           colours=["green" if correct[k] else "red" for k in shown])
assert correct.sum() >= 4

# %% [markdown]
# Because the encoder is shared, the trained model is (almost) symmetric: swapping the two
# images changes only what the hidden layer does with the order of the two halves. Let's see
# how often the decision stays the same when we swap:

# %% tags=["nbval-ignore-output"]
p_ab = p_same > 0.5
p_ba = pair_model.predict([b_test, a_test])[:, 0] > 0.5
print(f"same decision after swapping the images: {np.mean(p_ab == p_ba):.0%}")
assert np.mean(p_ab == p_ba) > 0.7, "the order of the two images changes few decisions"

# %% [markdown]
# ## Exercises
#
# 1. Without running anything: how many nodes does `small_vision` have, and how many weight
#    tensors does `pair_model` list? Give both, as a pair.
# 2. Swapping the two images gives exactly the same prediction when the two encodings are
#    merged by a function that ignores their order. Which of the merge layers `concatenate`,
#    `add`, `subtract`, `multiply`, `average` and `maximum` are such functions? Give their names
#    as a set of strings.
# 3. Train the guide's head (a single `Dense(1, activation='sigmoid')` directly on the
#    concatenation) with the same small vision model for 2 epochs. Does it do as well as
#    `pair_model` (within 0.05 of its accuracy)? Answer `True` or `False`.

# %% tags=["exercise"]
# Exercise 1: replace None with (nodes of small_vision, weight tensors of pair_model).
counts = None

# %% tags=["check"]
Check("09.1", digest="d48fbc0317c8bc081de01786d92c897dfeac5b136ae03dbe565c833b5f731d28",
      hint="A node per call; a kernel and a bias per Conv2D and per Dense layer, each listed once."
      )(counts)

# %% tags=["exercise"]
# Exercise 2: replace None with a set of layer names, e.g. {"add"}.
symmetric_merges = None

# %% tags=["check"]
Check("09.2", digest="7c6348ff16ca38485468fa6f429ce6fabca9b786496a934429df96d34d68ebe6",
      hint="For each merge, ask whether f(x, y) == f(y, x) for every x and y.")(symmetric_merges)

# %% tags=["exercise"]
# Exercise 3: replace None with True or False.
guide_head_as_good = None

# %% tags=["check"]
Check("09.3", digest="fcbcf165908dd18a9e49f7ff27810176db8e9f63b4352213741664245224f8aa",
      hint="The guide's head computes sigmoid(f(a) + g(b)): can a sum say whether a equals b?"
      )(guide_head_as_good)

# %% [markdown] tags=["answer"]
# ### Worked answers

# %% [markdown] tags=["answer"]
# **1.** Two nodes (one per call). The weights: 2 kernels and 2 biases in the vision model,
# plus 2 for each `Dense` layer: 8.

# %% tags=["answer"]
counts = (len(small_vision.inbound_nodes), len(pair_model.weights))
print(counts)
Check("09.1", digest="d48fbc0317c8bc081de01786d92c897dfeac5b136ae03dbe565c833b5f731d28",
      hint="A node per call; a kernel and a bias per Conv2D and per Dense layer, each listed once."
      )(counts)

# %% [markdown] tags=["answer"]
# **2.** `add`, `multiply`, `average` and `maximum` give the same result whichever encoding
# comes first; `concatenate` puts them in order and `subtract` changes sign. A symmetric merge
# makes the whole model symmetric: here with `|enc_a - enc_b|`, a difference made symmetric by
# the absolute value, in a `Lambda` layer. Swapping the images then gives exactly the same
# predictions.

# %% tags=["answer"]
symmetric_merges = {"add", "multiply", "average", "maximum"}
Check("09.2", digest="7c6348ff16ca38485468fa6f429ce6fabca9b786496a934429df96d34d68ebe6",
      hint="For each merge, ask whether f(x, y) == f(y, x) for every x and y.")(symmetric_merges)

# %% tags=["answer", "nbval-ignore-output"]
from kfunc.layers import Lambda

kfunc.utils.clear_session()
vision_3 = make_vision_model(8)
in_a, in_b = Input(shape=(27, 27, 1)), Input(shape=(27, 27, 1))
difference = Lambda(lambda t: abs(t[0] - t[1]))([vision_3(in_a), vision_3(in_b)])
symmetric = Model([in_a, in_b], Dense(1, activation='sigmoid')(Dense(64, activation='relu')(difference)))
symmetric.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
symmetric.fit([a_train, b_train], y_train, epochs=2, batch_size=32, verbose=0)
print(f"symmetric model: {symmetric.evaluate([a_test, b_test], y_test, verbose=0)[1]:.2f}")
assert np.array_equal(symmetric.predict([a_test, b_test]), symmetric.predict([b_test, a_test]))

# %% [markdown] tags=["answer"]
# **3.** No. Its output is `sigmoid(f(a) + g(b))`, a sum of one score per image, and "the same
# digit" is not a sum. A sum can still beat chance: scores that rank the ten digits and answer
# "same" whenever *a*'s digit ranks at least as high as *b*'s get every same pair right and
# more than half of the different ones, 75% in all (and with one score per digit, no sum does
# better on these balanced pairs). Trained for two epochs, the guide's head gets nowhere near that, and stays well below
# the head that compares the two encodings.

# %% tags=["answer", "nbval-ignore-output"]
kfunc.utils.clear_session()
vision_2 = make_vision_model(8)
in_a, in_b = Input(shape=(27, 27, 1)), Input(shape=(27, 27, 1))
guide_head = Dense(1, activation='sigmoid')(concatenate([vision_2(in_a), vision_2(in_b)]))
guide_model = Model([in_a, in_b], guide_head)
guide_model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
guide_model.fit([a_train, b_train], y_train, epochs=2, batch_size=32, verbose=0)
guide_accuracy = guide_model.evaluate([a_test, b_test], y_test, verbose=0)[1]
print(f"guide head: {guide_accuracy:.2f}, hidden-layer head: {accuracy:.2f}")
assert guide_accuracy < accuracy - 0.05

# %% tags=["answer"]
guide_head_as_good = False
Check("09.3", digest="fcbcf165908dd18a9e49f7ff27810176db8e9f63b4352213741664245224f8aa",
      hint="The guide's head computes sigmoid(f(a) + g(b)): can a sum say whether a equals b?"
      )(guide_head_as_good)

# %% [markdown]
# ## Next
#
# Next: [10 · Visual question answering](10_visual_question_answering.ipynb). All lessons are listed in the [index](README.md).
