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
#    `TimeDistributed`, and run it on short clips of digits that count up.

# %%
import matplotlib.pyplot as plt
import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc.classroom import Check
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
# ## Clips of digits that count up
#
# The guide wraps the classifier to read "videos" of 20 images. Our videos are clips that
# count: a clip starts at some digit and each frame shows the next one (after 9 comes 0), every
# frame a different hand-written test image. So a clip has an order that a single image has
# not, and we will use it below.
#
# The clips are made here from the test images: for each clip a start digit, then for each
# frame an unused test image of the digit it should show.

# %%
FRAMES = 20
test_digits = y_test.argmax(axis=1)
rng = np.random.default_rng(0)
unused = {d: list(rng.permutation(np.flatnonzero(test_digits == d))) for d in range(10)}


def counting_clip(start):
    """Indices of FRAMES test images showing start, start + 1, ... (mod 10), none used before."""
    return [unused[(start + t) % 10].pop() for t in range(FRAMES)]


starts = rng.integers(0, 10, size=12)
clip_index = np.array([counting_clip(s) for s in starts])  # (12 clips, 20 frames)
clips = x_test[clip_index]                                  # (12, 20, 784)
clip_digits = test_digits[clip_index]                       # (12, 20)
print("clips:", clips.shape, "  first digit of each clip:", starts)
assert all(np.array_equal(d, (s + np.arange(FRAMES)) % 10) for s, d in zip(starts, clip_digits))

# %% [markdown]
# Two of the clips, frame by frame:

# %%
def show_clips(frames, titles, colours):
    """Draw rows of 28x28 frames (one row per clip) with a small title under each."""
    rows, columns = frames.shape[:2]
    fig, axes = plt.subplots(rows, columns, figsize=(0.5 * columns, 0.75 * rows), dpi=72)
    for ax, frame, title, colour in zip(axes.flat, frames.reshape(-1, 784), titles, colours):
        ax.imshow(frame.reshape(28, 28), cmap='gray_r')
        ax.set_title(title, fontsize=8, color=colour, y=-0.45)
        ax.axis('off')
    plt.show()


show_clips(clips[:2], [str(d) for d in clip_digits[:2].ravel()], ['black'] * 2 * FRAMES)

# %% [markdown]
# ## From images to sequences of images, in one line
#
# `TimeDistributed(layer)` applies a layer to every step of a sequence. Wrapped around our
# classifier, it classifies every frame of a clip of 20 images. The input has shape
# `(20, 784)`: 20 time steps of 784 values.

# %%
input_sequences = Input(shape=(FRAMES, 784))
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
# ## Predictions, frame by frame
#
# The sequence model labels every frame, and it is exactly as right as the classifier itself,
# because it *is* the classifier: the same images get the same answers.

# %% tags=["nbval-ignore-output"]
per_frame = sequence_model.predict(clips, verbose=0)             # (12, 20, 10)
predicted_digits = per_frame.argmax(axis=2)
print("predictions:", per_frame.shape)
print("clip 0, predicted:", predicted_digits[0])
print("clip 0, true:     ", clip_digits[0])

frame_accuracy = (predicted_digits == clip_digits).mean()
image_accuracy = (p_model[clip_index].argmax(axis=2) == clip_digits).mean()
print(f"per-frame accuracy {frame_accuracy:.3f}, same images one by one {image_accuracy:.3f}")
assert frame_accuracy == image_accuracy and frame_accuracy > 0.8

# %% [markdown]
# The two clips with the most mistakes, each frame titled with the model's answer: red where
# it is wrong. Reading along a clip, a wrong frame breaks the count.

# %% tags=["nbval-ignore-output"]
worst = np.argsort((predicted_digits != clip_digits).sum(axis=1))[::-1][:2]
right = predicted_digits[worst] == clip_digits[worst]
show_clips(clips[worst], [str(d) for d in predicted_digits[worst].ravel()],
           ['black' if ok else 'red' for ok in right.ravel()])
print("wrong frames in these clips:", (~right).sum(axis=1))
assert (~right).sum() > 0 or frame_accuracy == 1.0

# %% [markdown]
# `TimeDistributed` looks at each frame alone: it never uses the fact that the frames count
# up. That knowledge lives outside the model; exercise 3 puts it to work.

# %% [markdown]
# ## Exercises
#
# 1. Train `sequence_model` for one epoch on sequences of 20 training images (below; they do
#    not count up, which does not matter for a model that reads each frame alone). Does
#    the original `model` change? Answer `True` or `False`, after predicting with `model`
#    before and after to find out.

# %%
train_sequences = x_train[:1420].reshape(71, FRAMES, 784)
train_labels = y_train[:1420].reshape(71, FRAMES, 10)

# %% tags=["exercise"]
# Exercise 1: replace None with True or False.
model_changed = None

# %% tags=["check"]
Check("02.1", digest="b5bea41b6c623f7c09f1bf24dcae58ebab3c0cdd90ad966bc43a45b44867e12b",
      hint="Compare model.predict(x_test[:5]) before and after sequence_model.fit(...).")(model_changed)

# %% [markdown]
# 2. `sequence_model` accepts only clips of 20 frames. Build `any_length_model`, a model that
#    wraps the same `model` and accepts clips of any length.

# %% tags=["exercise"]
# Exercise 2: replace None with your model.
any_length_model = None


# %% tags=["check"]
def reads_any_length(candidate):
    """A model sharing `model`'s weights whose clips may have 5 or 10 frames."""
    five = candidate.predict(clips[:, :5], verbose=0)
    ten = candidate.predict(clips[:, :10], verbose=0)
    shares = all(any(w is v for v in candidate.weights) for w in model.weights)
    return five.shape == (12, 5, 10) and ten.shape == (12, 10, 10) and shares


Check("02.2", test=reads_any_length,
      hint="Declare the number of frames as None in the Input's shape.")(any_length_model)

# %% [markdown]
# 3. Each clip counts up, so frame `t` of a clip that starts at digit `s` shows `(s + t) % 10`.
#    From `predicted_digits` alone, estimate each clip's first digit: let every frame vote for
#    the start it implies, and keep the most common vote. Give the 12 estimates as
#    `estimated_starts`. (Even when some frames are misread, the vote is usually right.)

# %% tags=["exercise"]
# Exercise 3: replace None with an array of 12 start digits.
estimated_starts = None

# %% tags=["check"]
Check("02.3", test=lambda answer: np.array_equal(np.asarray(answer).ravel(), starts),
      hint="A frame t that shows digit p votes for the start (p - t) % 10; np.bincount counts votes.")(estimated_starts)

# %% [markdown] tags=["answer"]
# ### Worked answers

# %% [markdown] tags=["answer"]
# **1.** Training the wrapper trains the shared weights, so `model`'s answers change too.

# %% tags=["answer"]
before = model.predict(x_test[:5], verbose=0)
sequence_model.compile(optimizer='rmsprop', loss='categorical_crossentropy')
sequence_model.fit(train_sequences, train_labels, epochs=1, batch_size=8, verbose=0)
after = model.predict(x_test[:5], verbose=0)
model_changed = not np.allclose(before, after)
Check("02.1", digest="b5bea41b6c623f7c09f1bf24dcae58ebab3c0cdd90ad966bc43a45b44867e12b",
      hint="Compare model.predict(x_test[:5]) before and after sequence_model.fit(...).")(model_changed)

# %% [markdown] tags=["answer"]
# **2.** An `Input` whose sequence length is `None` accepts any length; calling `model` through
# `TimeDistributed` again shares its weights.

# %% tags=["answer"]
any_length = Input(shape=(None, 784))
any_length_model = Model(any_length, TimeDistributed(model)(any_length))
Check("02.2", test=reads_any_length,
      hint="Declare the number of frames as None in the Input's shape.")(any_length_model)

# %% [markdown] tags=["answer"]
# The 20-frame model refuses 10 frames, and its message says which shape it expected:

# %% tags=["answer", "raises-exception"]
sequence_model.predict(clips[:, :10], verbose=0)

# %% [markdown] tags=["answer"]
# **3.** `(p - t) % 10` turns every frame's answer into a start digit; `np.bincount` counts the
# votes of a clip and `argmax` keeps the most common. Misread frames scatter their votes, while
# the right ones agree.

# %% tags=["answer"]
votes = (predicted_digits - np.arange(FRAMES)) % 10
estimated_starts = np.array([np.bincount(row, minlength=10).argmax() for row in votes])
Check("02.3", test=lambda answer: np.array_equal(np.asarray(answer).ravel(), starts),
      hint="A frame t that shows digit p votes for the start (p - t) % 10; np.bincount counts votes.")(estimated_starts)

# %% [markdown]
# ## Next
#
# Next: [03 · Multiple inputs and outputs](03_multiple_inputs_outputs.ipynb). All lessons are listed in the [index](README.md).
