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
# 3. count what the 1×1 convolutions cost, and what they save;
# 4. train a small inception-style network on real hand-written digits, and look at what it
#    gets right and wrong.

# %%
import matplotlib.pyplot as plt
import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc.datasets import digits
from kfunc.classroom import Check
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
# three shapes (one per tower), and its `output_shape` has their channels added up. (Keras 3
# keeps `input_shape` only on models; there, read the shapes off the tensors themselves:
# `[t.shape for t in (tower_1, tower_2, tower_3)]`.)

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
# ## What do the 1×1 convolutions buy?
#
# In towers 1 and 2, a 1×1 convolution comes before the 3×3 and the 5×5 one. Inception
# networks call it a *bottleneck*: on an input with many channels, it first narrows them to
# `filters` channels, so that the expensive wide window reads fewer channels. Does it pay off
# here? Let's count, for the guide's module and for the same module **without** those two 1×1
# convolutions (the 3×3 and 5×5 convolutions then read the input directly; tower 3 keeps its
# 1×1 convolution, which sets the number of channels it gives).
#
# Writing the module as a Python function that calls layers lets us build it at any size, with
# or without the bottlenecks:

# %%
def inception_module(x, filters, bottlenecks=True):
    """The guide's three towers on `x`, joined along the channel axis.

    With `bottlenecks=False` the 3×3 and 5×5 convolutions read `x` itself, with no 1×1
    convolution in front of them.
    """
    t1 = Conv2D(filters, (1, 1), padding='same', activation='relu')(x) if bottlenecks else x
    t1 = Conv2D(filters, (3, 3), padding='same', activation='relu')(t1)
    t2 = Conv2D(filters, (1, 1), padding='same', activation='relu')(x) if bottlenecks else x
    t2 = Conv2D(filters, (5, 5), padding='same', activation='relu')(t2)
    t3 = MaxPooling2D((3, 3), strides=(1, 1), padding='same')(x)
    t3 = Conv2D(filters, (1, 1), padding='same', activation='relu')(t3)
    return concatenate([t1, t2, t3], axis=-1)

# %% [markdown]
# ### Counting multiply-adds
#
# The cost of a convolution for one image is its number of multiply-adds: every output pixel of
# every output channel sums `k·k·c_in` products. A model knows all the sizes it needs:

# %%
def multiply_adds(model):
    """Multiply-adds of the model's convolutions for one image (biases left out)."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, Conv2D):
            _, rows, columns, c_out = layer.output_shape
            k_rows, k_columns = layer.kernel_size
            total += rows * columns * k_rows * k_columns * layer.input_shape[-1] * c_out
    return total

# %% [markdown]
# ### With and without, on two inputs
#
# Two inputs: the guide's 256×256 colour image (3 channels), and a 256×256 input with 192
# channels, which is what a second module stacked on the first one would read.

# %%
costs = {}
for channels in (3, 192):
    for bottlenecks in (True, False):
        image = Input(shape=(256, 256, channels))
        module = Model(image, inception_module(image, 64, bottlenecks))
        costs[channels, bottlenecks] = (module.count_params(), multiply_adds(module))

print(f"{'input channels':>14}  {'1x1 bottlenecks':>15}  {'parameters':>10}  {'multiply-adds':>15}")
for (channels, bottlenecks), (params, macs) in costs.items():
    print(f"{channels:>14}  {'with' if bottlenecks else 'without':>15}  {params:>10,}  {macs:>15,}")

assert costs[3, True][0] == inception.count_params() == 140_160
assert multiply_adds(inception) == costs[3, True][1] == 256 * 256 * 64 * (3 + 9 * 64 + 3 + 25 * 64 + 3)

# %% [markdown]
# ### What the table says
#
# * On the guide's **3-channel** image the 1×1 convolutions are no bottleneck at all: they
#   *widen* 3 channels to 64 before the 3×3 and 5×5 windows, and the module needs about 20
#   times the parameters and 21 times the multiply-adds of the module without them.
# * On a **192-channel** input they narrow 192 channels to 64 first, and the module needs
#   about 2.4 times fewer parameters and multiply-adds than without them (0.41 times as
#   many).
#
# So a bottleneck saves work only where the input has more channels than the bottleneck
# keeps, as in the middle of a deep network.

# %%
ratios = {channels: (costs[channels, True][0] / costs[channels, False][0],
                     costs[channels, True][1] / costs[channels, False][1]) for channels in (3, 192)}
for channels, (params_ratio, macs_ratio) in ratios.items():
    print(f"{channels:>3} channels in, with bottlenecks / without: {params_ratio:.2f} × the parameters, "
          f"{macs_ratio:.2f} × the multiply-adds")
assert ratios[3][0] > 20 and ratios[3][1] > 20
assert 1 / ratios[192][0] > 2.4 and 1 / ratios[192][1] > 2.4

# %% [markdown]
# ## Training an inception-style network on digits
#
# A 256×256 module with 64 filters per tower is far too heavy to train on a laptop in a
# lesson. We keep the **same structure** and shrink it: real hand-written digits from
# `kfunc.datasets.digits` at 16×16 pixels with one grey channel, and 8 filters per tower.

# %%
(x_train, y_train), (x_test, y_test) = digits(shape=(16, 16, 1))
print(x_train.shape, y_train.shape, x_test.shape)

# %% [markdown]
# ### The data
#
# The first ten training images, each with its label:

# %%
def show_digits(images, titles, colours=None):
    """One row of grey digit images with a title above each."""
    colours = colours or ['black'] * len(images)
    fig, axes = plt.subplots(1, len(images), figsize=(0.9 * len(images), 1.2), dpi=70)
    for ax, image, title, colour in zip(axes, images, titles, colours):
        ax.imshow(image[..., 0], cmap='gray_r')
        ax.set_title(title, fontsize=9, color=colour)
        ax.axis('off')
    plt.show()


show_digits(x_train[:10], [str(label) for label in y_train[:10].argmax(axis=1)])

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
# ### Predictions, right and wrong
#
# Test digits it got right (black: the predicted digit) and wrong (red: the predicted digit,
# then the true one in brackets):

# %% tags=["nbval-ignore-output"]
predicted = small_inception.predict(x_test, verbose=0).argmax(axis=1)
truth = y_test.argmax(axis=1)
right, wrong = np.flatnonzero(predicted == truth)[:6], np.flatnonzero(predicted != truth)[:4]
shown = np.concatenate([right, wrong])
show_digits(x_test[shown],
            [f"{predicted[i]}" if i in right else f"{predicted[i]} ({truth[i]})" for i in shown],
            ['black' if i in right else 'red' for i in shown])
assert len(right) == 6 and len(wrong) > 0

# %% [markdown]
# ## Exercises
#
# 1. Build the guide's module on **channels-first** data: `Input(shape=(3, 256, 256))` and
#    every `Conv2D`/`MaxPooling2D` with `data_format='channels_first'`. Which `axis` joins the
#    channels now? Give the module's output shape, batch axis included, e.g. `(None, 1, 2, 3)`.
# 2. Add a fourth tower to `inception_module`: a single 1×1 convolution on the input. Before
#    running it, work out the parameter count of the guide-scale module (input
#    `(256, 256, 3)`, 64 filters per tower).
# 3. Make the max-pool in tower 3 use its default strides (`MaxPooling2D((3, 3),
#    padding='same')`). What shape does tower 3 produce on the guide's input? What happens at
#    the merge?
# 4. How many multiply-adds does tower 2 (1×1 then 5×5, 64 filters) need for one image of
#    the 192-channel input of the table above, with its bottleneck?

# %% tags=["exercise"]
# Exercise 1: replace None with the output shape, e.g. (None, 1, 2, 3).
channels_first_shape = None

# %% tags=["check"]
Check("07.1", digest="7f5635de7428f48417437f13bdac40f8b53483caf2cc4d4e19742de97341bf2c",
      hint="With channels first, each tower gives (None, filters, rows, columns).")(channels_first_shape)

# %% tags=["exercise"]
# Exercise 2: replace None with the parameter count of the four-tower module.
four_tower_parameters = None

# %% tags=["check"]
Check("07.2", digest="144d97173b80e48df2f68767cb8d578f0a7b3000e31b7be62f6a1ab5eeb44aca",
      hint="Start from the three towers' 140,160 and add one 1×1 convolution from 3 to 64 channels "
           "(kernel weights and biases).")(four_tower_parameters)

# %% tags=["exercise"]
# Exercise 3: replace None with the shape of tower 3, batch axis included.
tower_3_shape = None

# %% tags=["check"]
Check("07.3", digest="e1d019c0a5e452848d97685ed900d2436ee64f8676966afdd4c455261eed783d",
      hint="A pool's strides default to its pool size; with padding='same' the output side is "
           "the input side divided by the stride, rounded up.")(tower_3_shape)

# %% tags=["exercise"]
# Exercise 4: replace None with the number of multiply-adds.
tower_2_multiply_adds = None

# %% tags=["check"]
Check("07.4", digest="f52ed5b29f1291b9095ad3d42e3595cdffe6f5c005f12cd2ae705847318415f3",
      hint="Add the two convolutions: rows · columns · k · k · c_in · c_out each; the 1×1 reads "
           "192 channels, the 5×5 reads 64.")(tower_2_multiply_adds)

# %% [markdown] tags=["answer"]
# ### Worked answers

# %% [markdown] tags=["answer"]
# **1.** With channels-first data the channels sit at axis 1, so the guide's `axis=1` is right
# there: the towers give `(None, 64, 256, 256)` each and the merge `(None, 192, 256, 256)`.

# %% tags=["answer"]
cf_input = Input(shape=(3, 256, 256))
cf_towers = []
for size in (3, 5):
    t = Conv2D(64, (1, 1), padding='same', activation='relu', data_format='channels_first')(cf_input)
    cf_towers.append(Conv2D(64, (size, size), padding='same', activation='relu',
                            data_format='channels_first')(t))
t = MaxPooling2D((3, 3), strides=(1, 1), padding='same', data_format='channels_first')(cf_input)
cf_towers.append(Conv2D(64, (1, 1), padding='same', activation='relu', data_format='channels_first')(t))
channels_first_shape = concatenate(cf_towers, axis=1).shape
print(channels_first_shape)
Check("07.1", digest="7f5635de7428f48417437f13bdac40f8b53483caf2cc4d4e19742de97341bf2c",
      hint="With channels first, each tower gives (None, filters, rows, columns).")(channels_first_shape)

# %% [markdown] tags=["answer"]
# **2.** Four towers of 64 channels give 256 channels; the extra 1×1 convolution from 3 to 64
# channels adds `3·64 + 64 = 256` parameters, so 140,160 + 256 = 140,416.

# %% tags=["answer"]
def inception_module_4(x, filters):
    t4 = Conv2D(filters, (1, 1), padding='same', activation='relu')(x)
    merged = inception_module(x, filters)
    return concatenate([merged, t4], axis=-1)

big_input = Input(shape=(256, 256, 3))
four = Model(big_input, inception_module_4(big_input, 64))
four_tower_parameters = four.count_params()
print(four.output_shape, four_tower_parameters)
Check("07.2", digest="144d97173b80e48df2f68767cb8d578f0a7b3000e31b7be62f6a1ab5eeb44aca",
      hint="Start from the three towers' 140,160 and add one 1×1 convolution from 3 to 64 channels "
           "(kernel weights and biases).")(four_tower_parameters)

# %% [markdown] tags=["answer"]
# **3.** A pool's strides default to its pool size, so the 3×3 pool now moves 3 pixels at a
# time: 256 / 3 rounded up gives 86×86, and tower 3 is `(None, 86, 86, 64)`. The other towers
# are still 256×256 and the merge refuses the mismatch:

# %% tags=["answer"]
img = Input(shape=(256, 256, 3))
pooled = MaxPooling2D((3, 3), padding='same')(img)
t3 = Conv2D(64, (1, 1), padding='same', activation='relu')(pooled)
tower_3_shape = t3.shape
Check("07.3", digest="e1d019c0a5e452848d97685ed900d2436ee64f8676966afdd4c455261eed783d",
      hint="A pool's strides default to its pool size; with padding='same' the output side is "
           "the input side divided by the stride, rounded up.")(tower_3_shape)

# %% tags=["answer", "raises-exception"]
t1 = Conv2D(64, (3, 3), padding='same', activation='relu')(img)
concatenate([t1, t3])

# %% [markdown] tags=["answer"]
# **4.** The 1×1 convolution: `256·256·1·1·192·64`; the 5×5 one: `256·256·5·5·64·64`.
# Together 7,516,192,768, against 20,132,659,200 for a 5×5 convolution reading the 192
# channels directly.

# %% tags=["answer"]
tower_2_multiply_adds = 256 * 256 * (192 * 64 + 5 * 5 * 64 * 64)
print(f"{tower_2_multiply_adds:,} instead of {256 * 256 * 5 * 5 * 192 * 64:,}")
Check("07.4", digest="f52ed5b29f1291b9095ad3d42e3595cdffe6f5c005f12cd2ae705847318415f3",
      hint="Add the two convolutions: rows · columns · k · k · c_in · c_out each; the 1×1 reads "
           "192 channels, the 5×5 reads 64.")(tower_2_multiply_adds)

# %% [markdown]
# ## Next
#
# Next: [08 · Residual connection](08_residual_connection.ipynb). All lessons are listed in the [index](README.md).
