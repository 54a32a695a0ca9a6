# %% [markdown]
# # 02 · Models are callable, just like layers
#
# A `Model` is itself a layer. You can call a trained model on a new tensor, and the call
# reuses everything the model has: its architecture **and** its trained weights. Nothing is
# copied.
#
# In this lesson you will
#
# 1. train the digit classifier of lesson 01;
# 2. call it on a fresh `Input` and check that the new model shares the very same weight
#    tensors;
# 3. turn the image classifier into a classifier of *sequences* of images in one line, with
#    `TimeDistributed`.

# %%
import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc.datasets import digits
from kfunc.layers import Dense, TimeDistributed

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()

# %% [markdown]
# ## The classifier from lesson 01
#
# The same three `Dense` layers, trained on the same real digits (enlarged to 28×28 and
# flattened to 784 values).

# %%
inputs = Input(shape=(784,))
x = Dense(64, activation='relu')(inputs)
x = Dense(64, activation='relu')(x)
predictions = Dense(10, activation='softmax')(x)
model = Model(inputs=inputs, outputs=predictions)

model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
(x_train, y_train), (x_test, y_test) = digits(shape=(784,))
history = model.fit(x_train, y_train, epochs=8, batch_size=32)

# %% tags=["nbval-ignore-output"]
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"accuracy: {test_accuracy:.2f}")
assert test_accuracy > 0.8, "far better than chance (0.1)"

# %% [markdown]
# ## Calling the model on a new tensor
#
# `model(x)` looks exactly like calling a layer, and it returns a tensor, just like a layer.

# %%
x = Input(shape=(784,))
y = model(x)
y

# %% [markdown]
# `y` is made by the layer `model`: the whole classifier now appears as one box in the new
# model's graph.

# %%
reused = Model(x, y)
reused

# %%
reused.summary()

# %% [markdown]
# ### Same weights, not copies
#
# The new model owns no weights of its own. Its weights are the *same Python objects* as the
# trained model's (`is` compares identity, not values).

# %%
print("reused model has", len(reused.weights), "weight tensors")
print("the same objects:", [a is b for a, b in zip(reused.weights, model.weights)])
assert all(a is b for a, b in zip(reused.weights, model.weights))
assert reused.count_params() == model.count_params() == 55_050

# %% [markdown]
# So both models give the same answers, without any training of `reused`:

# %%
p_model = model.predict(x_test, verbose=0)
p_reused = reused.predict(x_test, verbose=0)
print("largest difference:", float(np.abs(p_model - p_reused).max()))
assert np.array_equal(p_model.argmax(axis=1), p_reused.argmax(axis=1))

# %% [markdown]
# ## From images to sequences of images, in one line
#
# `TimeDistributed(layer)` applies a layer to every step of a sequence. Wrapped around our
# classifier, it classifies every image of a sequence of 20 images: a "video" of digits. The
# input has shape `(20, 784)`: 20 time steps of 784 values.

# %%
input_sequences = Input(shape=(20, 784))
processed_sequences = TimeDistributed(model)(input_sequences)
processed_sequences.shape

# %%
assert processed_sequences.shape == (None, 20, 10)
sequence_model = Model(input_sequences, processed_sequences)
sequence_model

# %% [markdown]
# Once more, no new weights: the wrapper holds the very same model.

# %%
wrapper = sequence_model.layers[1]
print(type(wrapper).__name__, "wraps", wrapper.layer.name, "| same object:", wrapper.layer is model)
assert all(a is b for a, b in zip(sequence_model.weights, model.weights))

# %% [markdown]
# Let's make sequences out of the test images: 340 images become 17 sequences of 20. The
# sequence model labels every step, and it is exactly as right as the classifier itself,
# because it *is* the classifier.

# %% tags=["nbval-ignore-output"]
sequences = x_test[:340].reshape(17, 20, 784)
labels = y_test[:340].argmax(axis=1).reshape(17, 20)

per_step = sequence_model.predict(sequences, verbose=0)
print("predictions:", per_step.shape)
print("first sequence, predicted:", per_step[0].argmax(axis=1))
print("first sequence, true:     ", labels[0])

sequence_accuracy = (per_step.argmax(axis=2) == labels).mean()
image_accuracy = (p_model[:340].argmax(axis=1) == labels.reshape(-1)).mean()
print(f"per-step accuracy {sequence_accuracy:.3f}, per-image accuracy {image_accuracy:.3f}")
assert sequence_accuracy == image_accuracy

# %% [markdown]
# ## Exercises
#
# 1. Train `sequence_model` for one epoch on sequences made from the training images. Does the
#    original `model` change? Predict with it before and after to find out.
# 2. The guide's sequences have 20 steps. Does `sequence_model` accept sequences of another
#    length? Try `sequences.reshape(34, 10, 784)`, then build a model whose input has shape
#    `(None, 784)` (any length) to see how to allow every length.

# %% [markdown]
# ### Worked answers

# %% [markdown]
# **1.** Training the wrapper trains the shared weights, so `model`'s answers change too.

# %%
train_sequences = x_train[:1420].reshape(71, 20, 784)
train_labels = y_train[:1420].reshape(71, 20, 10)

before = model.predict(x_test[:5], verbose=0)
sequence_model.compile(optimizer='rmsprop', loss='categorical_crossentropy')
sequence_model.fit(train_sequences, train_labels, epochs=1, batch_size=8, verbose=0)
after = model.predict(x_test[:5], verbose=0)
print("model changed:", not np.allclose(before, after))
assert not np.allclose(before, after)

# %% [markdown]
# **2.** The input was declared with 20 steps, so 10 steps do not fit. An `Input` whose
# sequence length is `None` accepts any length.

# %% tags=["raises-exception"]
sequence_model.predict(sequences.reshape(34, 10, 784), verbose=0)

# %%
any_length = Input(shape=(None, 784))
any_length_model = Model(any_length, TimeDistributed(model)(any_length))
print(any_length_model.predict(sequences.reshape(34, 10, 784), verbose=0).shape)
print(any_length_model.predict(sequences.reshape(68, 5, 784), verbose=0).shape)

# %% [markdown]
# ## Next
#
# Next: [03 · Multiple inputs and outputs](03_multiple_inputs_outputs.ipynb). All lessons are listed in the [index](README.md).
