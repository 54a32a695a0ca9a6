# %% [markdown]
# # 08 · The residual connection: adding a layer's input back to its output
#
# A *residual* (or *skip*) connection lets a tensor jump over a layer and be added to that
# layer's result: `z = x + f(x)`. The layer `f` only has to learn a **correction** to its
# input, and when it learns nothing useful the block simply passes `x` through. Skip
# connections are what let residual networks (ResNets) train with a hundred layers and more;
# this lesson shows the effect at a small scale.
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
# 4. train a deep stack of layers with and without skip connections on real hand-written
#    digits, and compare.

# %%
import matplotlib.pyplot as plt
import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc.datasets import digits
from kfunc.classroom import Check
from kfunc.layers import Activation, Conv2D, Dense, add

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
residual.count_params()

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
# ## Do skip connections help a deep network learn?
#
# Put the same layers in a deep stack twice: once as a plain chain, once with a skip
# connection around every pair of layers. Train both on the same data, from the same
# starting weights, and compare.
#
# ### The data
#
# Real hand-written digits from `kfunc.datasets.digits`, at their original 8×8 pixels, given
# to the network as 64 numbers. A few of them, with their labels:

# %%
(x_train, y_train), (x_test, y_test) = digits(shape=(64,))
print(x_train.shape, y_train.shape, x_test.shape)


def show_digits(images, titles, colours=None):
    """One row of 8×8 grey digit images with a title above each."""
    colours = colours or ['black'] * len(images)
    fig, axes = plt.subplots(1, len(images), figsize=(0.8 * len(images), 1.1), dpi=70)
    for ax, image, title, colour in zip(axes, images, titles, colours):
        ax.imshow(image.reshape(8, 8), cmap='gray_r')
        ax.set_title(title, fontsize=9, color=colour)
        ax.axis('off')
    plt.show()


show_digits(x_train[:10], [str(label) for label in y_train[:10].argmax(axis=1)])

# %% [markdown]
# ### Two networks, 32 layers deep
#
# Each network has a first `Dense` layer, then 15 blocks of two `Dense(32)` layers, then a
# 10-way softmax: 32 layers with weights. The only difference is the `add` in every block.
# The skip connections have no weights, so both networks have the same weights, and we copy
# the plain network's starting weights into the residual one.

# %%
def deep_network(blocks, skip):
    """A deep stack of Dense layers; with `skip`, every block adds its input back."""
    digit = Input(shape=(64,))
    h = Dense(32, activation='relu')(digit)
    block_outputs = []
    for _ in range(blocks):
        f = Dense(32, activation='relu')(h)
        f = Dense(32)(f)
        h = Activation('relu')(add([h, f]) if skip else f)
        block_outputs.append(h)
    model = Model(digit, Dense(10, activation='softmax')(h))
    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
    return model, block_outputs


plain, plain_blocks = deep_network(15, skip=False)
residual_net, residual_blocks = deep_network(15, skip=True)
residual_net.set_weights(plain.get_weights())

print("layers with weights:", sum(1 for layer in plain.layers if layer.weights))
print("parameters:", plain.count_params(), residual_net.count_params())
assert plain.count_params() == residual_net.count_params()

# %% [markdown]
# ### Before training: how far does the signal get?
#
# A model whose outputs are the 15 block outputs shows how large the numbers flowing through
# each network are, for 200 training digits, before any training (the root mean square of
# each block's output).

# %% tags=["nbval-ignore-output"]
def signal_sizes(model, block_outputs):
    outputs = Model(model.input, block_outputs).predict(x_train[:200], verbose=0)
    return np.array([np.sqrt(np.mean(np.square(out))) for out in outputs])


plain_sizes = signal_sizes(plain, plain_blocks)
residual_sizes = signal_sizes(residual_net, residual_blocks)

fig, ax = plt.subplots(figsize=(4.5, 2.4), dpi=70)
ax.semilogy(range(1, 16), plain_sizes, 'o-', label='plain')
ax.semilogy(range(1, 16), residual_sizes, 's-', label='with skip connections')
ax.set_xlabel('block')
ax.set_ylabel('size of the signal')
ax.legend(fontsize=8)
plt.show()
print(f"plain: {plain_sizes[0]:.3f} after block 1, {plain_sizes[-1]:.1e} after block 15")
print(f"residual: {residual_sizes[0]:.2f} after block 1, {residual_sizes[-1]:.2f} after block 15")
assert plain_sizes[-1] < plain_sizes[0] / 100 < residual_sizes[-1]

# %% [markdown]
# In the plain stack the signal shrinks block after block: after 15 blocks it is more than a
# hundred times smaller than after the first, so what reaches the softmax hardly depends on the
# digit. With skip connections each block adds to what it received, and the signal does not
# fade.
#
# ### Training both
#
# Five epochs each, with 20% of the training digits held out for validation.

# %%
plain_history = plain.fit(x_train, y_train, epochs=5, batch_size=32, validation_split=0.2, verbose=0)
residual_history = residual_net.fit(x_train, y_train, epochs=5, batch_size=32, validation_split=0.2,
                                    verbose=0)

# %% tags=["nbval-ignore-output"]
epochs = range(1, 6)
fig, (loss_ax, accuracy_ax) = plt.subplots(1, 2, figsize=(7.5, 2.4), dpi=70)
for history, label, marker in ((plain_history, 'plain', 'o-'),
                               (residual_history, 'with skip connections', 's-')):
    loss_ax.plot(epochs, history.history['loss'], marker, label=label)
    accuracy_ax.plot(epochs, history.history['val_accuracy'], marker, label=label)
loss_ax.set(xlabel='epoch', ylabel='training loss')
accuracy_ax.set(xlabel='epoch', ylabel='validation accuracy', ylim=(0, 1))
accuracy_ax.axhline(0.1, color='grey', linestyle=':', label='chance')
accuracy_ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

for name, history in (('plain', plain_history), ('residual', residual_history)):
    print(f"{name:>8}: training loss {history.history['loss'][-1]:.2f}, "
          f"validation accuracy {history.history['val_accuracy'][-1]:.2f} after 5 epochs")
assert residual_history.history['val_accuracy'][-1] > plain_history.history['val_accuracy'][-1] + 0.4
assert residual_history.history['loss'][-1] < plain_history.history['loss'][-1] / 2

# %% [markdown]
# The curves show it: after five epochs the plain stack is still close to chance (one digit
# in ten), while the same layers with skip connections recognise most validation digits and
# have a training loss several times lower. On the test digits, kept out until now:

# %% tags=["nbval-ignore-output"]
for name, model in (('plain stack', plain), ('with skip connections', residual_net)):
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(name)
    print(f"accuracy: {accuracy:.2f}")
assert residual_net.evaluate(x_test, y_test, verbose=0)[1] > 0.7

# %% [markdown]
# ### Predictions, right and wrong
#
# Test digits the residual network got right (black: the predicted digit) and wrong (red: the
# predicted digit, then the true one in brackets):

# %% tags=["nbval-ignore-output"]
predicted = residual_net.predict(x_test, verbose=0).argmax(axis=1)
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
# 1. A residual block of two 3×3 convolutions with 16 filters, on a 16-channel input (as in a
#    small ResNet). How many parameters does the block have?
# 2. In the guide's block, replace `add` by `concatenate`. What is the output shape, batch
#    axis included? Is it still a residual connection?
# 3. Write the guide's block on a `(128, 128, 8)` input so that it still adds correctly.
#    Which single number in the guide's code did you change, and to what?
# 4. How many parameters does `deep_network(3, skip=True)` have (3 blocks instead of 15)?
#    Work it out before building it.

# %% tags=["exercise"]
# Exercise 1: replace None with the number of parameters.
block_parameters = None

# %% tags=["check"]
Check("08.1", digest="5dfe43a321c6834c7de273c73aeadc705d919a5869e0f579f99fcd066d4c3f9f",
      hint="Each convolution has 3·3·16·16 kernel weights and 16 biases; add and relu have none.")(block_parameters)

# %% tags=["exercise"]
# Exercise 2: replace None with the output shape, e.g. (None, 1, 2, 3).
concatenated_shape = None

# %% tags=["check"]
Check("08.2", digest="f1d170e53e9ed7e07703d78c3a99619ceb45a13c23c589a0da36099ef18df951",
      hint="concatenate puts the two tensors side by side along the last axis.")(concatenated_shape)

# %% tags=["exercise"]
# Exercise 3: replace None with the new value of the number you changed.
changed_number = None

# %% tags=["check"]
Check("08.3", digest="2c624232cdd221771294dfbb310aca000a0df6ac8b66b696d90ef06fdefb64a3",
      hint="add needs both tensors to have the same shape; which number sets the channels of "
           "the convolution's output?")(changed_number)

# %% tags=["exercise"]
# Exercise 4: replace None with the number of parameters.
small_residual_parameters = None

# %% tags=["check"]
Check("08.4", digest="3dac8c55c94b122c13b32af9548b12b75aac993d45f457cfb74e97e19d8997bb",
      hint="A Dense layer from n to m numbers has n·m weights and m biases; count the first "
           "layer, two per block and the softmax. The skip connections have none.")(small_residual_parameters)

# %% [markdown] tags=["answer"]
# ### Worked answers

# %% [markdown] tags=["answer"]
# **1.** Each 3×3 convolution from 16 to 16 channels has `3·3·16·16 + 16 = 2,320`
# parameters; a block has two, 4,640 in all. `add` and `Activation` have none.

# %% tags=["answer"]
def residual_block(h, filters):
    r = Conv2D(filters, (3, 3), padding='same', activation='relu')(h)
    r = Conv2D(filters, (3, 3), padding='same')(r)
    return Activation('relu')(add([h, r]))

block_input = Input(shape=(16, 16, 16))
block_parameters = Model(block_input, residual_block(block_input, 16)).count_params()
print(block_parameters)
Check("08.1", digest="5dfe43a321c6834c7de273c73aeadc705d919a5869e0f579f99fcd066d4c3f9f",
      hint="Each convolution has 3·3·16·16 kernel weights and 16 biases; add and relu have none.")(block_parameters)

# %% [markdown] tags=["answer"]
# **2.** It builds, because the two tensors agree on every axis but the channels: the output
# is `(None, 256, 256, 6)`, the input's 3 channels next to the convolution's 3. Nothing is
# added, so the next layer receives `x` and `f(x)` side by side instead of `x + f(x)`; that is
# a *dense* (DenseNet-style) connection, not a residual one.

# %% tags=["answer"]
from kfunc.layers import concatenate

x = Input(shape=(256, 256, 3))
y = Conv2D(3, (3, 3), padding='same')(x)
concatenated_shape = concatenate([x, y]).shape
print(concatenated_shape)
Check("08.2", digest="f1d170e53e9ed7e07703d78c3a99619ceb45a13c23c589a0da36099ef18df951",
      hint="concatenate puts the two tensors side by side along the last axis.")(concatenated_shape)

# %% [markdown] tags=["answer"]
# **3.** The number of filters must equal the input's channels: `Conv2D(8, ...)`. The image
# size does not matter as long as `padding='same'` keeps it.

# %% tags=["answer"]
changed_number = 8
x = Input(shape=(128, 128, 8))
y = Conv2D(changed_number, (3, 3), padding='same')(x)
print(add([x, y]).shape)
Check("08.3", digest="2c624232cdd221771294dfbb310aca000a0df6ac8b66b696d90ef06fdefb64a3",
      hint="add needs both tensors to have the same shape; which number sets the channels of "
           "the convolution's output?")(changed_number)

# %% [markdown] tags=["answer"]
# **4.** The first layer has `64·32 + 32 = 2,080`, each block two layers of `32·32 + 32 =
# 1,056`, the softmax `32·10 + 10 = 330`: with 3 blocks, 2,080 + 6 · 1,056 + 330 = 8,746. The
# `add` layers have no weights.

# %% tags=["answer"]
small_residual_parameters = deep_network(3, skip=True)[0].count_params()
print(small_residual_parameters)
Check("08.4", digest="3dac8c55c94b122c13b32af9548b12b75aac993d45f457cfb74e97e19d8997bb",
      hint="A Dense layer from n to m numbers has n·m weights and m biases; count the first "
           "layer, two per block and the softmax. The skip connections have none.")(small_residual_parameters)

# %% [markdown]
# ## Next
#
# Next: [09 · Shared vision model](09_shared_vision_model.ipynb). All lessons are listed in the [index](README.md).
