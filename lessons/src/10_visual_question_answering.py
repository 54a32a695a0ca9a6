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
# 2. train a reduced version on small pictures of coloured shapes from `kfunc.datasets`.

# %%
import numpy as np

import kfunc
from kfunc import Input, Model, Sequential
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
# ## A reduced version to train
#
# `kfunc.datasets.image_qa` draws small pictures of one coloured shape (square, circle,
# triangle or cross; six colours; small or large) and asks about its colour, its shape or its
# size. The question words and the 16 answer words are fixed lists, shared with lesson 11.
# Neither input alone gives the answer: the picture holds three facts, the question picks one.
#
# What we shrink, compared with the guide: 32×32 pictures instead of 224×224, questions of 10
# word ids from a vocabulary of 100 instead of 100 ids from 10,000, 16 answers instead of
# 1,000, and much smaller layers.

# %%
([images, questions], answers), ([images_test, questions_test], answers_test) = image_qa(
    n=3000, image_size=32, question_maxlen=10, vocab=100, num_answers=16)
print(images.shape, questions.shape, answers.shape)

words = {i: w for w, i in scene_word_index().items()}

def question_text(ids):
    return " ".join(words[i] for i in ids if i)

for k in range(3):
    print(f"{question_text(questions[k]):40} -> {ANSWERS[answers[k]]}")

# %% [markdown]
# The reduced model has exactly the guide's structure: a `Sequential` image encoder, an
# `Embedding` + `LSTM` question encoder, `concatenate`, and a softmax over the answers. The
# answers are integer ids, so the loss is `sparse_categorical_crossentropy`.

# %%
kfunc.utils.clear_session()

small_vision = Sequential()
small_vision.add(Conv2D(8, (3, 3), activation='relu', padding='same', input_shape=(32, 32, 3)))
small_vision.add(MaxPooling2D((2, 2)))
small_vision.add(Conv2D(16, (3, 3), activation='relu', padding='same'))
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
history = small_vqa.fit([images, questions], answers, epochs=8, batch_size=32,
                        validation_data=([images_test, questions_test], answers_test))

# %% [markdown]
# A model that only read the question could at best guess within the right kind of answer:
# 1 in 6 colours, 1 in 4 shapes, 1 in 2 sizes, about 31% on average. Let's see how far above
# that we are, for each kind of question.

# %% tags=["nbval-ignore-output"]
loss, accuracy = small_vqa.evaluate([images_test, questions_test], answers_test, verbose=0)
print(f"accuracy: {accuracy:.2f}")
print("a model reading only the question: about 0.31")
assert accuracy > 0.5

predicted = small_vqa.predict([images_test, questions_test]).argmax(axis=-1)
kinds = {"colour": range(0, 6), "shape": range(6, 10), "size": range(10, 12)}
for kind, ids in kinds.items():
    asked = np.isin(answers_test, list(ids))
    print(f"  {kind:7} questions: {np.mean(predicted[asked] == answers_test[asked]):.2f}")

# %% [markdown]
# Colours and sizes are the easy questions. Telling a small square from a small circle takes
# only a few pixels at 32×32, so shapes are the hardest part for such a small model.

# %%
for k in range(6):
    print(f"{question_text(questions_test[k]):40} -> {ANSWERS[predicted[k]]:8}"
          f" (true: {ANSWERS[answers_test[k]]})")

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
#    of the 256 feature maps). Predict the new total parameter count, then check it.
# 2. Ask the trained `small_vqa` your own question about the first test picture: encode
#    "what colour is it" with `scene_word_index()`, padded with zeros in front to 10 ids.
# 3. Why does the guide's question `Input` say `dtype='int32'`? What would an `Embedding`
#    do with a float like `3.5`?

# %% [markdown] jp-MarkdownHeadingCollapsed=true
# ### Worked answers

# %% [markdown]
# **1.** The vision model keeps its 1,735,488 weights but now outputs 256 numbers; the answer
# layer gets 256 + 256 inputs: `512 · 1,000 + 1,000 = 513,000`. With the embedding
# (2,560,000) and the LSTM (525,312) that makes 5,333,800, about 31 times fewer.

# %%
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
print(f"{pooled_vqa.count_params():,}")
assert pooled_vision.count_params() == vision_model.count_params()
assert pooled_vqa.count_params() == 5_333_800

# %% [markdown]
# **2.** Word ids go at the end of the row, zeros in front, as in the data set:

# %% tags=["nbval-ignore-output"]
index = scene_word_index()
ids = [index[w] for w in "what colour is it".split()]
my_question = np.zeros((1, 10), dtype='int64')
my_question[0, -len(ids):] = ids
print(my_question)
print(ANSWERS[small_vqa.predict([images_test[:1], my_question]).argmax()])

# %% [markdown]
# **3.** An `Embedding` looks up one row of its table per id, so ids must be whole numbers in
# `[0, input_dim)`; `dtype='int32'` says so. kfunc accepts floats that are whole numbers (as
# Keras does), but refuses anything else, naming the layer:

# %% tags=["raises-exception"]
small_vqa.predict([images_test[:1], np.full((1, 10), 3.5)])

# %% [markdown]
# ## Next
#
# Next: [11 · Video question answering](11_video_question_answering.ipynb). All lessons are listed in the [index](README.md).
