# %% [markdown]
# # 10 · Visual question answering: a picture and a question in, a word out
#
# This model answers a short question about a picture with one word: "what colour is the
# shape?" → "red". It has **two inputs of different kinds** (an image and a sequence of word
# ids), one encoder for each, and a classifier over possible answers on top of both:
#
# * a convolutional network turns the picture into a vector;
# * an `Embedding` and an `LSTM` turn the question into a vector;
# * the two vectors are concatenated, and a `Dense` softmax picks the answer word.
#
# It also **mixes the two ways of building models**: the image encoder is a `Sequential`
# model, used as one layer inside a functional `Model`.
#
# In this lesson you will
#
# 1. build the guide's model at full scale (224×224 pictures, 1,000 answer words), look at its
#    graph and count its 165 million parameters, without ever filling them in;
# 2. look at the toy data: small pictures of coloured shapes, each with a question;
# 3. train a reduced version, measure it on each kind of question, and look at its answers,
#    right and wrong.

# %%
import matplotlib.pyplot as plt
import numpy as np

import kfunc
from kfunc import Input, Model, Sequential
from kfunc.classroom import Check
from kfunc.datasets import image_qa
from kfunc.datasets.scene_questions import ANSWERS, scene_word_index
from kfunc.layers import LSTM, Conv2D, Dense, Embedding, Flatten, MaxPooling2D, concatenate

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()

# %% [markdown]
# ## The image encoder, as a `Sequential` model
#
# A small VGG-style stack: pairs of 3×3 convolutions followed by a 2×2 max-pool, three times,
# then `Flatten`. The first layer gets `input_shape`, so the model knows its input at once.

# %%
vision_model = Sequential()
vision_model.add(Conv2D(64, (3, 3), activation='relu', padding='same', input_shape=(224, 224, 3)))
vision_model.add(Conv2D(64, (3, 3), activation='relu'))
vision_model.add(MaxPooling2D((2, 2)))
vision_model.add(Conv2D(128, (3, 3), activation='relu', padding='same'))
vision_model.add(Conv2D(128, (3, 3), activation='relu'))
vision_model.add(MaxPooling2D((2, 2)))
vision_model.add(Conv2D(256, (3, 3), activation='relu', padding='same'))
vision_model.add(Conv2D(256, (3, 3), activation='relu'))
vision_model.add(Conv2D(256, (3, 3), activation='relu'))
vision_model.add(MaxPooling2D((2, 2)))
vision_model.add(Flatten())

vision_model.summary()

# %% [markdown]
# Follow the image size down the stack: a `'same'` convolution keeps it, a convolution
# without padding loses 2 pixels, a pool halves it (rounding down). The picture ends as a
# 25×25 grid of 256 features, flattened to 160,000 numbers.

# %%
for layer in vision_model.layers:
    print(f"{layer.name:16} {str(layer.output_shape):22}")
assert vision_model.output_shape == (None, 25 * 25 * 256)

# %% [markdown]
# ## The question encoder and the whole model
#
# The `Sequential` model is called on an `Input` like any layer. The question is 100 word ids
# from a vocabulary of 10,000 words.

# %%
image_input = Input(shape=(224, 224, 3))
encoded_image = vision_model(image_input)

question_input = Input(shape=(100,), dtype='int32')
embedded_question = Embedding(input_dim=10000, output_dim=256, input_length=100)(question_input)
encoded_question = LSTM(256)(embedded_question)

merged = concatenate([encoded_question, encoded_image])
output = Dense(1000, activation='softmax')(merged)

vqa_model = Model(inputs=[image_input, question_input], outputs=output)
vqa_model

# %% [markdown]
# Two branches meet at the `concatenate` layer. The whole image encoder is one box,
# `sequential`: inside the functional model it is just a layer.

# %%
vqa_model.summary()

# %%
assert vqa_model.count_params() == 165_077_800
assert isinstance(vqa_model.get_layer('sequential'), Sequential)
print(vision_model.inbound_nodes)

# %% [markdown]
# ## Where do 165 million parameters live?
#
# Almost all of them are in the last layer: a `Dense` layer has one weight per (input, unit)
# pair, and here it gets 256 + 160,000 = 160,256 inputs for each of its 1,000 units.

# %%
for layer in vqa_model.layers:
    share = layer.count_params() / vqa_model.count_params()
    print(f"{layer.name:14} {layer.count_params():>12,}  {share:6.1%}")

# %% [markdown]
# In float32 that last kernel alone would take 160,256 × 1,000 × 4 bytes ≈ 641 MB. kfunc
# has **not** allocated it: a layer's weights are only declared (shape and dtype) when it is
# built, on torch's `meta` device, which holds no data. They get real values on the first real
# computation, or when you ask for them (`weights`, `get_weights()`, `fit`, ...). So we can draw, summarise
# and count this model without the memory it would need to run. (We never call `predict` on
# it in this lesson.)

# %%
answer_layer = vqa_model.layers[-1]
print(answer_layer.name, tuple(answer_layer.kernel.shape), "on device:", answer_layer.kernel.device)
assert answer_layer.kernel.is_meta
print(f"{answer_layer.kernel.numel() * 4 / 1e6:.0f} MB once filled in")

# %% [markdown]
# ## The toy data: a picture, a question, a one-word answer
#
# `kfunc.datasets.image_qa` draws small pictures of one coloured shape (square, circle,
# triangle or cross; six colours; small or large) near the middle of a dark, noisy picture, and
# asks about its colour, its shape or its size. The question words and the 16 answer words are
# fixed lists, shared with lesson 11. Neither input alone gives the answer: the picture holds
# three facts, the question picks one.

# %%
([images, questions], answers), ([images_test, questions_test], answers_test) = image_qa(
    n=2500, image_size=32, question_maxlen=10, vocab=100, num_answers=16)
print(images.shape, questions.shape, answers.shape)

words = {i: w for w, i in scene_word_index().items()}


def question_text(ids):
    return " ".join(words[i] for i in ids if i)


def show_examples(pictures, titles, colours=None):
    """Draw a row of pictures, each with a (two-line) title."""
    fig, axes = plt.subplots(1, len(pictures), figsize=(1.6 * len(pictures), 2.2), dpi=70,
                             squeeze=False)
    for k, (ax, picture, title) in enumerate(zip(axes[0], pictures, titles)):
        ax.imshow(picture)
        ax.set_title(title, fontsize=8, color=colours[k] if colours else "black")
        ax.axis("off")
    plt.show()


def short(question):
    """A question on two lines, to fit under a small picture."""
    ws = question.split()
    return " ".join(ws[:3]) + "\n" + " ".join(ws[3:])


show_examples(images[:8], [f"{short(question_text(q))}\n→ {ANSWERS[a]}"
                           for q, a in zip(questions[:8], answers[:8])])

# %% [markdown]
# The questions arrive as word ids, zeros in front; the answers as ids into `ANSWERS`:

# %%
print(questions[0], "->", answers[0])
print(f"{question_text(questions[0])!r} -> {ANSWERS[answers[0]]!r}")

# %% [markdown]
# ## A reduced version to train
#
# What we shrink, compared with the guide: 32×32 pictures instead of 224×224, questions of 10
# word ids from a vocabulary of 100 instead of 100 ids from 10,000, 16 answers instead of
# 1,000, and much smaller layers. The reduced model has the guide's structure: a `Sequential`
# image encoder (three convolution and pooling steps, 8, 16 and 32 filters, then `Flatten`), an
# `Embedding` + `LSTM` question encoder, `concatenate`, and a softmax over the answers. The
# answers are integer ids, so the loss is `sparse_categorical_crossentropy`.

# %%
kfunc.utils.clear_session()

small_vision = Sequential()
small_vision.add(Conv2D(8, (3, 3), activation='relu', padding='same', input_shape=(32, 32, 3)))
small_vision.add(MaxPooling2D((2, 2)))
small_vision.add(Conv2D(16, (3, 3), activation='relu', padding='same'))
small_vision.add(MaxPooling2D((2, 2)))
small_vision.add(Conv2D(32, (3, 3), activation='relu', padding='same'))
small_vision.add(MaxPooling2D((2, 2)))
small_vision.add(Flatten())

small_image = Input(shape=(32, 32, 3))
small_question = Input(shape=(10,), dtype='int32')
small_encoded_question = LSTM(32)(Embedding(input_dim=100, output_dim=32)(small_question))
small_merged = concatenate([small_encoded_question, small_vision(small_image)])
small_answer = Dense(16, activation='softmax')(small_merged)

small_vqa = Model([small_image, small_question], small_answer)
small_vqa.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
small_vqa

# %%
history = small_vqa.fit([images, questions], answers, epochs=7, batch_size=32,
                        validation_data=([images_test, questions_test], answers_test))

# %% [markdown]
# ## How well does it answer each kind of question?
#
# A model that only read the question could at best guess within the right kind of answer:
# 1 in 6 colours, 1 in 4 shapes, 1 in 2 sizes, about 31% on average. So we measure each kind
# against its own chance level. The shape questions are the real test of the vision branch:
# colour and size can be read from a few pixels, a shape only from its outline.

# %% tags=["nbval-ignore-output"]
loss, accuracy = small_vqa.evaluate([images_test, questions_test], answers_test, verbose=0)
print(f"accuracy: {accuracy:.2f}")
print("a model reading only the question: about 0.31")

predicted = small_vqa.predict([images_test, questions_test]).argmax(axis=-1)
kinds = {"colour": (range(0, 6), 1 / 6), "shape": (range(6, 10), 1 / 4), "size": (range(10, 12), 1 / 2)}
by_kind = {}
for kind, (ids, chance) in kinds.items():
    asked = np.isin(answers_test, list(ids))
    by_kind[kind] = np.mean(predicted[asked] == answers_test[asked])
    print(f"  {kind:7} questions: {by_kind[kind]:.2f}   (chance {chance:.2f})")

assert accuracy > 0.8
assert by_kind["colour"] > 0.9 and by_kind["size"] > 0.9
assert by_kind["shape"] > 0.8, "the vision branch tells the four shapes apart"

# %% [markdown]
# All three kinds are answered far above chance, shapes included: the vision branch has learned
# to tell a square from a circle, a triangle or a cross, whatever their colour and size.

# %% [markdown]
# ## Its answers, right and wrong
#
# Four test pictures it answers right (green titles) and up to four it gets wrong (red, with
# the true answer in brackets):

# %% tags=["nbval-ignore-output"]
right = np.flatnonzero(predicted == answers_test)[:4]
wrong = np.flatnonzero(predicted != answers_test)[:4]
shown = np.concatenate([right, wrong])
show_examples(images_test[shown],
              [f"{short(question_text(questions_test[k]))}\n→ {ANSWERS[predicted[k]]}"
               + ("" if predicted[k] == answers_test[k] else f" ({ANSWERS[answers_test[k]]})")
               for k in shown],
              colours=["green"] * len(right) + ["red"] * len(wrong))
assert len(right) == 4
mistakes = predicted != answers_test
for kind, (ids, _) in kinds.items():
    print(f"mistakes on {kind} questions: {np.sum(mistakes & np.isin(answers_test, list(ids)))}")

# %% [markdown]
# Nearly all the mistakes are about shapes: at 32×32 a small circle and a small square differ
# by a few corner pixels.

# %% [markdown]
# ## When the inputs come in the wrong order
#
# A model with several inputs matches a list of arrays to its inputs **by position**:
# `[image_input, question_input]` here. Swap them and kfunc tells you which input got what:

# %% tags=["raises-exception"]
small_vqa.predict([questions_test, images_test])

# %% [markdown]
# Passing a dict keyed by input name avoids the question altogether:

# %%
by_name = {small_vqa.input_names[0]: images_test[:4], small_vqa.input_names[1]: questions_test[:4]}
print(small_vqa.input_names, small_vqa.predict(by_name).shape)

# %% [markdown]
# ## Exercises
#
# 1. In the guide's model, replace `Flatten()` by `GlobalAveragePooling2D()` (the mean of each
#    of the 256 feature maps). Predict the new total parameter count, then build it to check.
# 2. Write the question "what colour is it" as the model reads it: 10 word ids (use
#    `scene_word_index()`), zeros in front. Then ask `small_vqa` about the first test picture.
# 3. Why does the guide's question `Input` say `dtype='int32'`? Keras turns a float id into an
#    integer before the lookup: which row does it read for the id `3.5`?

# %% tags=["exercise"]
# Exercise 1: replace None with the total parameter count of the pooled model.
pooled_parameters = None

# %% tags=["check"]
Check("10.1", digest="5c4e67a7ac59b43c4189da40de3830e33dc7a1ddcd5fcb1bbb1026cfc275217c",
      hint="Only the answer layer changes: it now reads 256 question numbers and 256 image numbers."
      )(pooled_parameters)

# %% tags=["exercise"]
# Exercise 2: replace None with the 10 word ids (a list or a 1-D array).
my_ids = None

# %% tags=["check"]
Check("10.2", digest="19960f9f0aee5873ceb4d34a13f7db43df56cab801cae360661dbb9db159eac5",
      hint="Look each word up in scene_word_index(); the 4 ids go at the end, after 6 zeros."
      )(my_ids)

# %% tags=["exercise"]
# Exercise 3: replace None with the row (an integer) that Keras reads for the id 3.5.
row_for_3_5 = None

# %% tags=["check"]
Check("10.3", digest="4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce",
      hint="Turning a float into an integer drops what follows the decimal point.")(row_for_3_5)

# %% [markdown] tags=["answer"]
# ### Worked answers

# %% [markdown] tags=["answer"]
# **1.** The vision model keeps its 1,735,488 weights but now outputs 256 numbers; the answer
# layer gets 256 + 256 inputs: `512 · 1,000 + 1,000 = 513,000`. With the embedding
# (2,560,000) and the LSTM (525,312) that makes 5,333,800, about 31 times fewer.

# %% tags=["answer"]
from kfunc.layers import GlobalAveragePooling2D

kfunc.utils.clear_session()
pooled_vision = Sequential()
pooled_vision.add(Conv2D(64, (3, 3), activation='relu', padding='same', input_shape=(224, 224, 3)))
pooled_vision.add(Conv2D(64, (3, 3), activation='relu'))
pooled_vision.add(MaxPooling2D((2, 2)))
pooled_vision.add(Conv2D(128, (3, 3), activation='relu', padding='same'))
pooled_vision.add(Conv2D(128, (3, 3), activation='relu'))
pooled_vision.add(MaxPooling2D((2, 2)))
pooled_vision.add(Conv2D(256, (3, 3), activation='relu', padding='same'))
pooled_vision.add(Conv2D(256, (3, 3), activation='relu'))
pooled_vision.add(Conv2D(256, (3, 3), activation='relu'))
pooled_vision.add(MaxPooling2D((2, 2)))
pooled_vision.add(GlobalAveragePooling2D())

img = Input(shape=(224, 224, 3))
q = Input(shape=(100,), dtype='int32')
q_vec = LSTM(256)(Embedding(input_dim=10000, output_dim=256)(q))
pooled_vqa = Model([img, q], Dense(1000, activation='softmax')(concatenate([q_vec, pooled_vision(img)])))
pooled_parameters = pooled_vqa.count_params()
print(f"{pooled_parameters:,}")
assert pooled_vision.count_params() == vision_model.count_params()
Check("10.1", digest="5c4e67a7ac59b43c4189da40de3830e33dc7a1ddcd5fcb1bbb1026cfc275217c",
      hint="Only the answer layer changes: it now reads 256 question numbers and 256 image numbers."
      )(pooled_parameters)

# %% [markdown] tags=["answer"]
# **2.** Word ids go at the end of the row, zeros in front, as in the data set. The model wants
# a batch, so the row goes in as a `(1, 10)` array:

# %% tags=["answer"]
index = scene_word_index()
ids = [index[w] for w in "what colour is it".split()]
my_ids = np.zeros(10, dtype='int64')
my_ids[-len(ids):] = ids
print(my_ids)
Check("10.2", digest="19960f9f0aee5873ceb4d34a13f7db43df56cab801cae360661dbb9db159eac5",
      hint="Look each word up in scene_word_index(); the 4 ids go at the end, after 6 zeros."
      )(my_ids)

# %% tags=["answer", "nbval-ignore-output"]
my_answer = ANSWERS[small_vqa.predict([images_test[:1], my_ids[None]]).argmax()]
show_examples(images_test[:1], [f"what colour\nis it\n→ {my_answer}"])
assert my_answer in ANSWERS[:6], "a colour question gets a colour"

# %% [markdown] tags=["answer"]
# **3.** An `Embedding` looks up one row of its table per id, so ids must be whole numbers in
# `[0, input_dim)`; `dtype='int32'` says so. Keras casts whatever it gets to integers before the
# lookup, which drops the fraction: `3.0` reads row 3, and so does `3.5`, silently. kfunc
# accepts floats that are whole numbers, as Keras does, but where Keras would truncate `3.5`,
# kfunc refuses it and names the layer, since a fractional id is almost always a mistake in
# the data:

# %% tags=["answer"]
row_for_3_5 = int(3.5)
Check("10.3", digest="4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce",
      hint="Turning a float into an integer drops what follows the decimal point.")(row_for_3_5)

# %% tags=["answer", "raises-exception"]
small_vqa.predict([images_test[:1], np.full((1, 10), 3.5)])

# %% [markdown]
# ## Next
#
# Next: [11 · Video question answering](11_video_question_answering.ipynb). All lessons are listed in the [index](README.md).
