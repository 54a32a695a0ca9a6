# %% [markdown]
# # 01 · A first functional model
#
# The functional API builds a model the way you would draw it on a whiteboard: start from an
# input, push it through layers one call at a time, and finally say "this input, that output:
# that is my model".
#
# In this lesson you will
#
# 1. see that a layer is an object you **call** on a tensor, and that the call gives back a
#    new tensor;
# 2. turn an input tensor and an output tensor into a `Model`, and look at its graph and its
#    summary;
# 3. compile the model and train it on real hand-written digits.

# %%
import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc.datasets import digits
from kfunc.layers import Dense

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()

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
# ## Compile and train
#
# `compile` chooses how the model learns: the optimizer (`rmsprop`), the loss to minimise
# (categorical cross-entropy, since the labels are one-hot rows of 10 numbers) and the metrics
# to report while training.
#
# The data are real hand-written digits: scikit-learn's 1,797 scans of 8×8 pixels, enlarged
# to 28×28 so that each flattened image has the 784 values the guide's model expects (the
# size of the classic MNIST digits, which need a download and are far more numerous). Our
# 1,438 training images are enough to see the model learn in a few seconds.

# %%
(x_train, y_train), (x_test, y_test) = digits(shape=(784,))
print("training images:", x_train.shape, " labels:", y_train.shape)
print("test images:    ", x_test.shape, " labels:", y_test.shape)
print("first label (one-hot):", y_train[0], "-> digit", y_train[0].argmax())

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
probabilities = model.predict(x_test[:8], verbose=0)
print("shape:    ", probabilities.shape)
print("predicted:", probabilities.argmax(axis=1))
print("true:     ", y_test[:8].argmax(axis=1))
assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)

# %% [markdown]
# ## Exercises
#
# 1. Build the same network with a single hidden layer of 32 units. How many parameters does
#    it have? Work it out by hand first, then check with `count_params()`.
# 2. The model was built before any data existed. What happens if you call the first `Dense`
#    layer of `model` on an `Input(shape=(100,))`? Read the error message: what does it ask
#    you to do?

# %% [markdown]
# ### Worked answers

# %% [markdown]
# **1.** 784·32 + 32 = 25,120 weights in the hidden layer and 32·10 + 10 = 330 in the output
# layer: 25,450 in all.

# %%
small_inputs = Input(shape=(784,))
small_hidden = Dense(32, activation='relu')(small_inputs)
small_model = Model(small_inputs, Dense(10, activation='softmax')(small_hidden))
assert small_model.count_params() == 784 * 32 + 32 + 32 * 10 + 10
small_model.count_params()

# %% [markdown]
# **2.** The first `Dense` layer already has a kernel of shape (784, 64): it was built for
# inputs with 784 values, so it refuses 100 and says which layer and which shapes clash.

# %% tags=["raises-exception"]
first_dense = model.layers[1]
first_dense(Input(shape=(100,)))

# %% [markdown]
# ## Next
#
# Next: [02 · Models are callable, just like layers](02_models_are_callable.ipynb). All lessons are listed in the [index](README.md).
