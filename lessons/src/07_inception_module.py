# %% [markdown]
# # 07 · The inception module: branching and merging
#
# So far our graphs were mostly chains, with the odd second input. An *inception module* is
# the classic example of a graph that **branches** and **merges** again: the same image goes
# through several small towers side by side, each looking at it with a different window
# (1×1, 3×3, 5×5, a max-pool), and their results are joined into one tensor.
#
# In this lesson you will
#
# 1. build the guide's inception module on 256×256 colour images and look at its graph;
# 2. find out what `concatenate(..., axis=1)` really joins when images are stored
#    channels-last, and which axis an inception module wants;
# 3. train a small inception-style network on real hand-written digits.

# %%
import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc.datasets import digits
from kfunc.layers import Concatenate, Conv2D, Dense, Flatten, MaxPooling2D, concatenate

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()

# %% [markdown]
# ## The guide's module, tower by tower
#
# Each tower starts from the same input tensor `input_img`. Calling a layer on a tensor that
# another layer already used is all it takes to branch: the graph simply gets a second (and
# third) arrow out of `input_img`.
#
# Every convolution uses `padding='same'`, and the max-pool uses `strides=(1, 1)` with
# `padding='same'`: all three towers keep the 256×256 image size. Keep that in mind, it is
# what makes the merge possible.

# %%
input_img = Input(shape=(256, 256, 3))

tower_1 = Conv2D(64, (1, 1), padding='same', activation='relu')(input_img)
tower_1 = Conv2D(64, (3, 3), padding='same', activation='relu')(tower_1)

tower_2 = Conv2D(64, (1, 1), padding='same', activation='relu')(input_img)
tower_2 = Conv2D(64, (5, 5), padding='same', activation='relu')(tower_2)

tower_3 = MaxPooling2D((3, 3), strides=(1, 1), padding='same')(input_img)
tower_3 = Conv2D(64, (1, 1), padding='same', activation='relu')(tower_3)

tower_1.shape, tower_2.shape, tower_3.shape

# %% [markdown]
# ## Which axis does the guide join?
#
# The guide merges the towers with `concatenate([...], axis=1)`. A kfunc (and Keras 2) image
# tensor is stored **channels-last**: `(batch, rows, columns, channels)`. Axis 0 is the batch,
# so axis 1 is the image *rows*. Let's see what comes out:

# %%
output_rows = concatenate([tower_1, tower_2, tower_3], axis=1)
output_rows.shape

# %% [markdown]
# 768 rows of 256 columns with 64 channels: the three feature maps were stacked **on top of
# each other**, like three photos taped into one tall strip. Nothing raised an error, because
# every other axis matched; but it is not what an inception module means.
#
# A tiny example makes it concrete. Here are three 2×2 one-channel "images" filled with 0, 1
# and 2, joined along axis 1 (rows) and along the last axis (channels):

# %%
images = [np.full((1, 2, 2, 1), value, dtype='float32') for value in (0, 1, 2)]

by_rows = Concatenate(axis=1)(images)
by_channels = Concatenate(axis=-1)(images)
print("axis=1  ->", tuple(by_rows.shape))
print(by_rows[0, :, :, 0].numpy())
print("axis=-1 ->", tuple(by_channels.shape))
print(by_channels[0].numpy())

# %% [markdown]
# With `axis=1` we got a taller image; with `axis=-1` every pixel now carries three numbers,
# one from each source. An inception module wants the second: each pixel should be described
# by the features of **all** towers, so the next layer can combine them.
#
# Why does the guide say `axis=1`, then? Its code comes from the Keras 1 days, when images were
# stored **channels-first**, `(batch, channels, rows, columns)`; there, axis 1 *was* the
# channel axis (lesson 13 runs that older code). With channels-last data the channel axis is
# `-1` (or `3`):

# %%
output = concatenate([tower_1, tower_2, tower_3], axis=-1)
output.shape

# %% [markdown]
# 64 + 64 + 64 = 192 channels on the original 256×256 grid. That is the inception module.
# Let's wrap it in a model and look at it.

# %%
inception = Model(input_img, output)
inception

# %% [markdown]
# Three arrows leave the input, and three arrows enter the `concatenate` layer: branching and
# merging are nothing more than a tensor used several times and a layer called on a list.

# %%
inception.summary()

# %% [markdown]
# ## Looking inside
#
# The merge layer has one node with three inbound tensors, so its `input_shape` is a list of
# three shapes (one per tower), and its `output_shape` has their channels added up.

# %%
merge_layer = inception.layers[-1]
print(merge_layer.name)
print(merge_layer.input_shape)
print(merge_layer.output_shape)

# %% [markdown]
# The parameters are all in the convolutions: a `k×k` convolution from `c_in` to `c_out`
# channels has `k·k·c_in·c_out` kernel weights and `c_out` biases. The merge itself learns
# nothing, and joining along the wrong axis does not change the count at all: that is why the
# mistake is easy to miss.

# %%
def conv_params(k, c_in, c_out):
    return k * k * c_in * c_out + c_out

towers = {
    "tower 1 (1x1 then 3x3)": conv_params(1, 3, 64) + conv_params(3, 64, 64),
    "tower 2 (1x1 then 5x5)": conv_params(1, 3, 64) + conv_params(5, 64, 64),
    "tower 3 (pool then 1x1)": conv_params(1, 3, 64),
}
for name, count in towers.items():
    print(f"{name:26} {count:>7,}")

assert inception.count_params() == sum(towers.values()) == 140_160
assert Model(input_img, output_rows).count_params() == inception.count_params()

# %% [markdown]
# ## Why every tower keeps the image size
#
# To join tensors side by side along the channels, every *other* axis must agree: same
# batch, same rows, same columns. A 3×3 convolution **without** `padding='same'` trims one
# pixel on each border (256 → 254), and the merge refuses it, saying which axis disagrees:

# %% tags=["raises-exception"]
trimmed = Conv2D(64, (3, 3), activation='relu')(input_img)   # padding='valid' by default
concatenate([tower_1, trimmed])

# %% [markdown]
# ## Training an inception-style network on digits
#
# A 256×256 module with 64 filters per tower is far too heavy to train on a laptop in a
# lesson. We keep the **same structure** and shrink it: real hand-written digits from
# `kfunc.datasets.digits` at 16×16 pixels with one grey channel, and 8 filters per tower.
#
# Writing the module as a Python function that calls layers lets us build it at any size:

# %%
def inception_module(x, filters):
    """The guide's three towers on `x`, joined along the channel axis."""
    t1 = Conv2D(filters, (1, 1), padding='same', activation='relu')(x)
    t1 = Conv2D(filters, (3, 3), padding='same', activation='relu')(t1)
    t2 = Conv2D(filters, (1, 1), padding='same', activation='relu')(x)
    t2 = Conv2D(filters, (5, 5), padding='same', activation='relu')(t2)
    t3 = MaxPooling2D((3, 3), strides=(1, 1), padding='same')(x)
    t3 = Conv2D(filters, (1, 1), padding='same', activation='relu')(t3)
    return concatenate([t1, t2, t3], axis=-1)


(x_train, y_train), (x_test, y_test) = digits(shape=(16, 16, 1))
print(x_train.shape, y_train.shape, x_test.shape)

# %% [markdown]
# On top of the module: a 2×2 max-pool, `Flatten`, and a 10-way softmax, one unit per digit.

# %%
digit_input = Input(shape=(16, 16, 1))
features = inception_module(digit_input, filters=8)
features = MaxPooling2D((2, 2))(features)
digit_probs = Dense(10, activation='softmax')(Flatten()(features))

small_inception = Model(digit_input, digit_probs)
small_inception.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
small_inception.count_params()

# %%
history = small_inception.fit(x_train, y_train, epochs=5, batch_size=32, validation_split=0.1)

# %% tags=["nbval-ignore-output"]
loss, accuracy = small_inception.evaluate(x_test, y_test, verbose=0)
print(f"accuracy: {accuracy:.2f}")
print("chance:   0.10 (one digit in ten)")
assert accuracy > 0.5

# %% [markdown]
# ## Exercises
#
# 1. Build the guide's module on **channels-first** data: `Input(shape=(3, 256, 256))` and
#    every `Conv2D`/`MaxPooling2D` with `data_format='channels_first'`. Which `axis` joins the
#    channels now, and what is the output shape?
# 2. Add a fourth tower to `inception_module`: a single 1×1 convolution. Before running it,
#    predict the output channels of the module at 64 filters and the new parameter count of
#    the guide-scale model.
# 3. Make the max-pool in tower 3 use its default strides (`MaxPooling2D((3, 3),
#    padding='same')`). What shape does tower 3 produce, and what happens at the merge?

# %% [markdown] jp-MarkdownHeadingCollapsed=true
# ### Worked answers

# %% [markdown]
# **1.** With channels-first data the channels sit at axis 1, so the guide's `axis=1` is right
# there: the towers give `(None, 64, 256, 256)` each and the merge `(None, 192, 256, 256)`.

# %%
kfunc.utils.clear_session()
cf_input = Input(shape=(3, 256, 256))
cf_towers = []
for size in (3, 5):
    t = Conv2D(64, (1, 1), padding='same', activation='relu', data_format='channels_first')(cf_input)
    cf_towers.append(Conv2D(64, (size, size), padding='same', activation='relu',
                            data_format='channels_first')(t))
t = MaxPooling2D((3, 3), strides=(1, 1), padding='same', data_format='channels_first')(cf_input)
cf_towers.append(Conv2D(64, (1, 1), padding='same', activation='relu', data_format='channels_first')(t))
cf_output = concatenate(cf_towers, axis=1)
cf_output.shape

# %% [markdown]
# **2.** Four towers of 64 channels give 256 channels; the extra 1×1 convolution from 3 to 64
# channels adds `3·64 + 64 = 256` parameters, so 140,160 + 256 = 140,416.

# %%
def inception_module_4(x, filters):
    t4 = Conv2D(filters, (1, 1), padding='same', activation='relu')(x)
    merged = inception_module(x, filters)
    return concatenate([merged, t4], axis=-1)

kfunc.utils.clear_session()
big_input = Input(shape=(256, 256, 3))
four = Model(big_input, inception_module_4(big_input, 64))
print(four.output_shape, four.count_params())
assert four.count_params() == 140_160 + 256

# %% [markdown]
# **3.** A pool's strides default to its pool size, so the 3×3 pool now moves 3 pixels at a
# time: 256 / 3 rounded up gives 86×86. The other towers are still 256×256 and the merge
# refuses the mismatch:

# %% tags=["raises-exception"]
kfunc.utils.clear_session()
img = Input(shape=(256, 256, 3))
pooled = MaxPooling2D((3, 3), padding='same')(img)
print(pooled.shape)
t3 = Conv2D(64, (1, 1), padding='same', activation='relu')(pooled)
t1 = Conv2D(64, (3, 3), padding='same', activation='relu')(img)
concatenate([t1, t3])

# %% [markdown]
# ## Next
#
# Next: [08 · Residual connection](08_residual_connection.ipynb). All lessons are listed in the [index](README.md).
