# %% [markdown]
# # 08 · The residual connection: adding a layer's input back to its output
#
# A *residual* (or *skip*) connection lets a tensor jump over a layer and be added to that
# layer's result: `z = x + f(x)`. The layer `f` only has to learn a **correction** to its
# input, and when it learns nothing useful the block simply passes `x` through. Very deep
# networks train well because of this.
#
# In the functional API a skip connection is one line: use the tensor `x` twice, once as
# the input of the layer and once as an input of an `add` merge.
#
# In this lesson you will
#
# 1. build the guide's residual block on 256×256 colour images and look at its graph;
# 2. check with numbers that the block computes `x + conv(x)`;
# 3. see why the two tensors must have exactly the same shape, and how to fix it when they
#    don't;
# 4. train a small residual network on real hand-written digits.

# %%
import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc.datasets import digits
from kfunc.layers import Activation, Conv2D, Dense, Flatten, MaxPooling2D, add

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()

# %% [markdown]
# ## The guide's block
#
# A 3×3 convolution with **3** filters and `padding='same'` turns a `(256, 256, 3)` image into
# another `(256, 256, 3)` tensor, exactly the shape of its input. That is what allows adding
# the two.

# %%
x = Input(shape=(256, 256, 3))
y = Conv2D(3, (3, 3), padding='same')(x)
z = add([x, y])

print("x:", x.shape)
print("y:", y.shape)
print("z:", z.shape)

# %%
residual = Model(x, z)
residual

# %% [markdown]
# Two arrows leave the input: one into the convolution, one straight into `add`. That second
# arrow is the skip connection.

# %%
residual.summary()

# %% [markdown]
# All 84 parameters belong to the convolution (`3·3·3·3` kernel weights and 3 biases); the
# skip connection itself has none.

# %%
assert residual.count_params() == 3 * 3 * 3 * 3 + 3 == 84

# %% [markdown]
# ## Checking `z = x + conv(x)` with numbers
#
# A second model that stops at `y` shares the same convolution layer (and so the same
# weights). Run both on one random image: the residual model's output must be the input plus
# the convolution's output.

# %%
conv_only = Model(x, y)

image = np.random.default_rng(0).uniform(size=(1, 256, 256, 3)).astype('float32')
z_value = residual.predict(image)
y_value = conv_only.predict(image)

print("largest |z - (x + y)|:", float(np.abs(z_value - (image + y_value)).max()))
assert np.allclose(z_value, image + y_value, atol=1e-6)

# %% [markdown]
# And when the convolution's weights are all zero, `f(x) = 0` and the block is the identity:
# the image goes through untouched. This is why a residual block is easy to start training:
# at worst it does no harm.

# %%
conv = residual.layers[1]
print(conv.name, [w.shape for w in conv.get_weights()])
saved = conv.get_weights()
conv.set_weights([np.zeros_like(w) for w in saved])
assert np.array_equal(residual.predict(image), image)
conv.set_weights(saved)
print("with zero weights, the block returns its input exactly")

# %% [markdown]
# ## Why the shapes must match
#
# `add` sums its inputs **element by element**, so every position of `x` needs a partner in
# `y`. Give the convolution 16 filters instead of 3 and `y` has 16 channels where `x` has 3:
# there is nothing to add channel 7 to. The merge refuses, and says which axis disagrees.

# %% tags=["raises-exception"]
y16 = Conv2D(16, (3, 3), padding='same')(x)
add([x, y16])

# %% [markdown]
# The same happens with the image size: without `padding='same'` a 3×3 convolution trims a
# pixel on each border, 256 → 254.

# %% tags=["raises-exception"]
y_valid = Conv2D(3, (3, 3))(x)
add([x, y_valid])

# %% [markdown]
# When you do want more channels, the usual fix (as in ResNet) is to bring the shortcut to
# the same shape: a 1×1 convolution with 16 filters "projects" `x` to 16 channels, and then
# the two can be added.

# %%
shortcut = Conv2D(16, (1, 1))(x)
z16 = add([shortcut, y16])
z16.shape

# %% [markdown]
# ## Training a small residual network on digits
#
# We now train a network with one residual block, on real hand-written digits from
# `kfunc.datasets.digits` at 16×16 pixels (the guide's 256×256 images would be far too slow
# for a lesson). A first convolution makes 16 channels; the block adds two convolutions'
# correction back to them, so all three tensors in the block have shape `(16, 16, 16)`.

# %%
(x_train, y_train), (x_test, y_test) = digits(shape=(16, 16, 1))

kfunc.utils.clear_session()
digit_input = Input(shape=(16, 16, 1))
h = Conv2D(16, (3, 3), padding='same', activation='relu')(digit_input)

# the residual block
r = Conv2D(16, (3, 3), padding='same', activation='relu')(h)
r = Conv2D(16, (3, 3), padding='same')(r)
h = Activation('relu')(add([h, r]))

h = MaxPooling2D((2, 2))(h)
digit_probs = Dense(10, activation='softmax')(Flatten()(h))

resnet = Model(digit_input, digit_probs)
resnet.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
resnet

# %%
history = resnet.fit(x_train, y_train, epochs=4, batch_size=32, validation_split=0.1)

# %% tags=["nbval-ignore-output"]
loss, accuracy = resnet.evaluate(x_test, y_test, verbose=0)
print(f"accuracy: {accuracy:.2f}")
print("chance:   0.10 (one digit in ten)")
assert accuracy > 0.5

# %% [markdown]
# ## Exercises
#
# 1. Put a second residual block after the first one (two more convolutions and another
#    `add`). How many parameters does the network gain?
# 2. In the guide's block, replace `add` by `concatenate`. Does it still build? What is the
#    output shape, and is it still a residual connection?
# 3. Write the guide's block on a `(128, 128, 8)` input so that it still adds correctly.
#    Which single number in the code did you change?

# %% [markdown] jp-MarkdownHeadingCollapsed=true
# ### Worked answers

# %% [markdown]
# **1.** Each 3×3 convolution from 16 to 16 channels has `3·3·16·16 + 16 = 2,320`
# parameters; a block has two, so the network gains 4,640. `add` and `Activation` have none.

# %%
def residual_block(h, filters):
    r = Conv2D(filters, (3, 3), padding='same', activation='relu')(h)
    r = Conv2D(filters, (3, 3), padding='same')(r)
    return Activation('relu')(add([h, r]))

kfunc.utils.clear_session()
inp = Input(shape=(16, 16, 1))
h = Conv2D(16, (3, 3), padding='same', activation='relu')(inp)
h = residual_block(residual_block(h, 16), 16)
out = Dense(10, activation='softmax')(Flatten()(MaxPooling2D((2, 2))(h)))
deeper = Model(inp, out)
print(deeper.count_params() - resnet.count_params())
assert deeper.count_params() - resnet.count_params() == 2 * (3 * 3 * 16 * 16 + 16)

# %% [markdown]
# **2.** It builds, because the two tensors agree on every axis but the channels: the output
# is `(None, 256, 256, 6)`, the input's 3 channels next to the convolution's 3. Nothing is
# added, so the next layer receives `x` and `f(x)` side by side instead of `x + f(x)`; that is
# a *dense* (DenseNet-style) connection, not a residual one.

# %%
from kfunc.layers import concatenate

kfunc.utils.clear_session()
x = Input(shape=(256, 256, 3))
y = Conv2D(3, (3, 3), padding='same')(x)
concatenate([x, y]).shape

# %% [markdown]
# **3.** The number of filters must equal the input's channels: `Conv2D(8, ...)`. The image
# size does not matter as long as `padding='same'` keeps it.

# %%
x = Input(shape=(128, 128, 8))
y = Conv2D(8, (3, 3), padding='same')(x)
add([x, y]).shape

# %% [markdown]
# ## Next
#
# Next: [09 · Shared vision model](09_shared_vision_model.ipynb). All lessons are listed in the [index](README.md).
