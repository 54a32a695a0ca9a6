# %% [markdown]
# # 01 · A first functional model
#
# **kfunc** lets you write models with the Keras functional API (layers called on tensors,
# `Model(inputs, outputs)`, `compile`, `fit`) and runs them with PyTorch. Every model you build
# is turned into ordinary PyTorch code that you can print and read, so the Keras way of
# thinking and the PyTorch way of computing sit side by side.
#
# The functional API builds a model the way you would draw it on a whiteboard: start from an
# input, push it through layers one call at a time, and finally say "this input, that output:
# that is my model".
#
# In this lesson you will
#
# 1. look at the data: real hand-written digits;
# 2. see that a layer is an object you **call** on a tensor, and that the call gives back a
#    new tensor;
# 3. turn an input tensor and an output tensor into a `Model`, look at its graph, its summary
#    and the PyTorch code it runs, and compare it with a `Sequential` model;
# 4. compile and train it, and look at what it gets right and wrong.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

import kfunc
from kfunc import Input, Model
from kfunc.classroom import Check
from kfunc.datasets import digits
from kfunc.layers import Dense
from kfunc.models import Sequential

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()

# %% [markdown]
# ## The data
#
# The data are real hand-written digits: scikit-learn's 1,797 scans of 8×8 pixels, enlarged
# to 28×28 so that each image has the 784 values the guide's model expects (the size of the
# classic MNIST digits, which need a download and are far more numerous). Each image comes
# flattened into one row of 784 numbers between 0 and 1; each label is a one-hot row of 10
# numbers.

# %%
(x_train, y_train), (x_test, y_test) = digits(shape=(784,))
print("training images:", x_train.shape, " labels:", y_train.shape)
print("test images:    ", x_test.shape, " labels:", y_test.shape)
print("first label (one-hot):", y_train[0], "-> digit", y_train[0].argmax())


# %% [markdown]
# A row of 784 numbers is hard to read; reshaped to 28×28 it is a picture. Here are the first
# ten training images with their labels.

# %%
def show_digits(images, titles, colours=None):
    """Draw flattened 28x28 images side by side, each with its title."""
    colours = colours or ['black'] * len(images)
    fig, axes = plt.subplots(1, len(images), figsize=(1.0 * len(images), 1.3), dpi=72)
    for ax, image, title, colour in zip(axes, images, titles, colours):
        ax.imshow(image.reshape(28, 28), cmap='gray_r')
        ax.set_title(title, fontsize=9, color=colour)
        ax.axis('off')
    plt.show()


show_digits(x_train[:10], [f"label {d}" for d in y_train[:10].argmax(axis=1)])

# %% [markdown]
# ## Tensors without numbers
#
# `Input` does not hold any data. It gives back a *symbolic* tensor: a placeholder that knows
# its shape and type, and nothing else. The first dimension is `None` because the batch size
# is left open: the model will accept 1 image or 1,000.

# %%
inputs = Input(shape=(784,))
inputs

# %% [markdown]
# A layer is made in two steps. `Dense(64, activation='relu')` creates the layer (its
# settings); calling it on a tensor connects it and returns its output tensor. The weights do
# not exist yet when the layer is created: the layer only learns the size of its input, and so
# the shape of its kernel, at the first call.

# %%
layer = Dense(64, activation='relu')
print("built before the call:", layer.built)

x = layer(inputs)
print("built after the call: ", layer.built)
print("kernel shape:", tuple(layer.kernel.shape))
x

# %% [markdown]
# We keep going: every call takes the previous tensor and returns the next one. The last
# layer has 10 units with a softmax, one probability per digit.

# %%
x = Dense(64, activation='relu')(x)
predictions = Dense(10, activation='softmax')(x)
predictions.shape

# %% [markdown]
# ## From tensors to a model
#
# The tensors remember which layer call made them, so `Model` can walk back from
# `predictions` to `inputs` and collect every layer on the way. Displaying the model draws
# that graph: one box per layer call, one arrow per tensor.

# %%
model = Model(inputs=inputs, outputs=predictions)
model

# %% [markdown]
# `summary()` lists the same layers as a table. Each `Dense` layer has
# `inputs × units` kernel weights plus `units` biases: 784·64 + 64 = 50,240 for the first one.

# %%
model.summary()

# %%
assert model.count_params() == 55_050
assert model.count_params() == (784 * 64 + 64) + (64 * 64 + 64) + (64 * 10 + 10)
[layer.name for layer in model.layers]

# %% [markdown]
# ## The PyTorch code behind the graph
#
# kfunc turns the graph into the `forward` method of a PyTorch module. `model.code` is that
# method's source: one line per layer call, each layer a submodule (`self.dense` is the first
# `Dense`; its activation runs inside it). The model *is* a `torch.nn.Module`, so everything
# PyTorch offers for modules works on it too.

# %%
print(model.code)
print("a torch.nn.Module:", isinstance(model, torch.nn.Module))
assert isinstance(model, torch.nn.Module)

# %% [markdown]
# ## The same network, built with `Sequential`
#
# The guide starts from a `Sequential` model: an empty stack to which `add` appends one layer
# at a time. Only the first layer is told the input's shape (as the guide, written for Keras 2,
# does; Keras 3 warns about `input_shape=` and prefers `stack.add(Input(shape=(784,)))` first,
# which kfunc accepts too). It makes the same three layers and the same 55,050 parameters.

# %%
stack = Sequential()
stack.add(Dense(64, activation='relu', input_shape=(784,)))
stack.add(Dense(64, activation='relu'))
stack.add(Dense(10, activation='softmax'))
stack.summary()
assert stack.count_params() == model.count_params()

# %% [markdown]
# A stack can only say "then this layer". The functional form names every tensor, so a tensor
# can feed two layers, and a model can have two inputs or two outputs: lessons 03 to 11 build
# such graphs, which `add` cannot express.

# %% [markdown]
# ## Compile and train
#
# `compile` chooses how the model learns: the optimizer (`rmsprop`), the loss to minimise
# (categorical cross-entropy, since the labels are one-hot rows of 10 numbers) and the metrics
# to report while training. Our 1,438 training images are enough to see the model learn in a
# few seconds.

# %%
model.compile(optimizer='rmsprop',
              loss='categorical_crossentropy',
              metrics=['accuracy'])

history = model.fit(x_train, y_train, epochs=8, batch_size=32)

# %% [markdown]
# `fit` returns a `History`: the loss and every metric, one value per epoch.

# %% tags=["nbval-ignore-output"]
print(sorted(history.history))
print("loss per epoch:", np.round(history.history['loss'], 3))
assert history.history['loss'][-1] < history.history['loss'][0] / 2

# %% [markdown]
# ## Did it learn?
#
# Guessing at random would be right one time in ten. We measure on the test images, which the
# model never saw while training.

# %% tags=["nbval-ignore-output"]
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"accuracy: {test_accuracy:.2f}")
assert test_accuracy > 0.8, "the model should do far better than chance (0.1)"

# %% [markdown]
# `predict` gives the ten probabilities for each image; the largest one is the model's answer.

# %% tags=["nbval-ignore-output"]
probabilities = model.predict(x_test, verbose=0)
predicted, true = probabilities.argmax(axis=1), y_test.argmax(axis=1)
print("shape:    ", probabilities.shape)
print("predicted:", predicted[:8])
print("true:     ", true[:8])
assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)

# %% [markdown]
# ## Right and wrong
#
# Five test images the model got right (black) and, in red, up to five it got wrong, each with
# the model's answer, the true label and the probability the model gave its answer. Would you
# have read the red ones right?

# %% tags=["nbval-ignore-output"]
right = np.flatnonzero(predicted == true)[:5]
wrong = np.flatnonzero(predicted != true)[:5]
shown = np.concatenate([right, wrong])
show_digits(x_test[shown],
            [f"{predicted[i]} (true {true[i]})\np={probabilities[i].max():.2f}" for i in shown],
            ['black'] * len(right) + ['red'] * len(wrong))
print(f"{len(np.flatnonzero(predicted != true))} of {len(true)} test images are wrong")
assert len(right) == 5 and (predicted != true).mean() < 0.2

# %% [markdown]
# ## Exercises
#
# 1. Build the same network with a single hidden layer of 32 units. How many parameters does
#    it have? Work it out by hand first, then check with `count_params()`.

# %% tags=["exercise"]
# Exercise 1: replace None with your answer (a number).
small_parameters = None

# %% tags=["check"]
Check("01.1", digest="38bce0daebfa48c6a739077ba47d059923a91f714c813a26c5bd1e0a61f3e43d",
      hint="Count each Dense layer as inputs × units kernel weights plus units biases.")(small_parameters)

# %% [markdown]
# 2. Build that 32-unit network again, this time as a `Sequential` stack with `add`, and call
#    it `small_stack`.

# %% tags=["exercise"]
# Exercise 2: replace None with your Sequential model.
small_stack = None


# %% tags=["check"]
def is_small_stack(candidate):
    """A Sequential model of 784 inputs -> 32 relu units -> 10 softmax units."""
    return (isinstance(candidate, Sequential) and candidate.count_params() == 25_450
            and tuple(candidate.output_shape) == (None, 10) and len(candidate.layers) == 2)


Check("01.2", test=is_small_stack,
      hint="Start from Sequential(), then add two Dense layers; only the first needs input_shape.")(small_stack)

# %% [markdown]
# 3. `model` was built before any data existed. Call its first `Dense` layer
#    (`model.layers[1]`) on `Input(shape=(100,))` and read the error message. How many
#    features per example does the layer say it expects?

# %% tags=["exercise"]
# Exercise 3: replace None with your answer (a number).
expected_features = None

# %% tags=["check"]
Check("01.3", digest="ff108b68b0e9bc1e5a744f80f9ef1b8575c7d041eeb3e8d2eae300347de6e7fc",
      hint="Run the call in a new cell; the message names the size it wants and the shape it got.")(expected_features)

# %% [markdown] tags=["answer"]
# ### Worked answers

# %% [markdown] tags=["answer"]
# **1.** 784·32 + 32 = 25,120 weights in the hidden layer and 32·10 + 10 = 330 in the output
# layer: 25,450 in all.

# %% tags=["answer"]
small_inputs = Input(shape=(784,))
small_hidden = Dense(32, activation='relu')(small_inputs)
small_model = Model(small_inputs, Dense(10, activation='softmax')(small_hidden))
small_parameters = small_model.count_params()
Check("01.1", digest="38bce0daebfa48c6a739077ba47d059923a91f714c813a26c5bd1e0a61f3e43d",
      hint="Count each Dense layer as inputs × units kernel weights plus units biases.")(small_parameters)

# %% [markdown] tags=["answer"]
# **2.** Only the first layer needs `input_shape`; `add` connects each new layer to the last.

# %% tags=["answer"]
small_stack = Sequential()
small_stack.add(Dense(32, activation='relu', input_shape=(784,)))
small_stack.add(Dense(10, activation='softmax'))
Check("01.2", test=is_small_stack,
      hint="Start from Sequential(), then add two Dense layers; only the first needs input_shape.")(small_stack)

# %% [markdown] tags=["answer"]
# **3.** The first `Dense` layer already has a kernel of shape (784, 64): it was made for
# inputs of 784 features at its first call, so it refuses 100, names the layer, the size it
# expects and the shape it got, and says what to do instead. The expected size is the kernel's
# first dimension.

# %% tags=["answer", "raises-exception"]
first_dense = model.layers[1]
first_dense(Input(shape=(100,)))

# %% tags=["answer"]
expected_features = first_dense.kernel.shape[0]
Check("01.3", digest="ff108b68b0e9bc1e5a744f80f9ef1b8575c7d041eeb3e8d2eae300347de6e7fc",
      hint="Run the call in a new cell; the message names the size it wants and the shape it got.")(expected_features)

# %% [markdown]
# ## Next
#
# Next: [02 · Models are callable, just like layers](02_models_are_callable.ipynb). All lessons are listed in the [index](README.md).
