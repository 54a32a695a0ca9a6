# %% [markdown]
# # 11 · Video question answering: reusing trained parts
#
# In lesson 10 we built a model that answers a question about a picture. A video is a
# sequence of pictures, so most of the work is already done:
#
# * the **image encoder** can read every frame: `TimeDistributed(vision_model)` applies the
#   whole vision model to each frame, giving a sequence of frame vectors, and an `LSTM` sums
#   that sequence up into one video vector;
# * the **question encoder** (the `Embedding` and `LSTM` of the image model) can be wrapped as
#   a `Model` of its own and called on a new question input, weights and all.
#
# Only the video `LSTM` and the final answer layer are new.
#
# In this lesson you will
#
# 1. build the guide's video model (100 frames of 224×224 pictures) on top of the guide's
#    image model, and look at how the reused parts appear in its graph;
# 2. train a small image model, turn it into a video model the same way, and train that on
#    short clips of moving shapes from `kfunc.datasets`.

# %%
import numpy as np

import kfunc
from kfunc import Input, Model, Sequential
from kfunc.datasets import image_qa, video_qa
from kfunc.datasets.scene_questions import ANSWERS
from kfunc.layers import (LSTM, Conv2D, Dense, Embedding, Flatten, MaxPooling2D, TimeDistributed,
                          concatenate)

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()

# %% [markdown]
# ## The image model, as in lesson 10
#
# We rebuild the guide's visual question answering model: a `Sequential` image encoder, a
# question encoder, and a softmax over 1,000 answers. (Its 165 million weights are never
# filled in: we only build, draw and count these guide-scale models.)

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

image_input = Input(shape=(224, 224, 3))
encoded_image = vision_model(image_input)

question_input = Input(shape=(100,), dtype='int32')
embedded_question = Embedding(input_dim=10000, output_dim=256, input_length=100)(question_input)
encoded_question = LSTM(256)(embedded_question)

merged = concatenate([encoded_question, encoded_image])
output = Dense(1000, activation='softmax')(merged)
vqa_model = Model(inputs=[image_input, question_input], outputs=output)
print(f"{vqa_model.count_params():,}")

# %% [markdown]
# ## The video model
#
# A video input holds 100 frames of 224×224×3. `TimeDistributed(vision_model)` runs the
# vision model on each of the 100 frames, so 100 frames in, 100 vectors of 160,000 features
# out. The question encoder is the part of the image model's graph from `question_input` to
# `encoded_question`, made a `Model`; calling it on a new input reuses its `Embedding` and
# `LSTM` layers.

# %%
video_input = Input(shape=(100, 224, 224, 3))
encoded_frame_sequence = TimeDistributed(vision_model)(video_input)
encoded_video = LSTM(256)(encoded_frame_sequence)

question_encoder = Model(inputs=question_input, outputs=encoded_question)

video_question_input = Input(shape=(100,), dtype='int32')
encoded_video_question = question_encoder(video_question_input)

merged = concatenate([encoded_video, encoded_video_question])
output = Dense(1000, activation='softmax')(merged)
video_qa_model = Model(inputs=[video_input, video_question_input], outputs=output)

print(encoded_frame_sequence.shape, "->", encoded_video.shape)

# %% [markdown]
# The graph, with the nested models opened (`expand_nested=True`): the vision model sits
# inside the `TimeDistributed` wrapper, and the question encoder is a model of its own.

# %%
kfunc.utils.plot_model(video_qa_model, expand_nested=True)

# %%
video_qa_model.summary()

# %% [markdown]
# ## What is new and what is reused
#
# The reused parts are the **same objects** as in the image model, not copies:

# %%
wrapper = video_qa_model.get_layer('time_distributed')
assert wrapper.layer is vision_model
assert video_qa_model.get_layer(question_encoder.name) is question_encoder
assert question_encoder.get_layer('lstm') is vqa_model.get_layer('lstm')
assert question_encoder.get_layer('embedding') is vqa_model.get_layer('embedding')
print("reused:", wrapper.layer.name, "inside", wrapper.name, "and", question_encoder.name)

# %% [markdown]
# Reusing the vision model also fixes the frame size: it was built for 224×224 pictures, so a
# video of smaller frames cannot go through it. The error names the wrapped model and both
# shapes:

# %% tags=["raises-exception"]
small_frames = Input(shape=(100, 112, 112, 3))
TimeDistributed(vision_model)(small_frames)

# %% [markdown]
# Counting parameters layer by layer shows where the new weights are. The video `LSTM`
# reads 160,000 features per frame, so its input kernel alone is `160,000 × 4·256`: that is
# where most of the 169 million parameters went. (In the image model they were in the answer
# layer, which now only reads 256 + 256 numbers.)

# %%
for layer in video_qa_model.layers:
    print(f"{layer.name:17} {layer.count_params():>12,}")

reused = vision_model.count_params() + question_encoder.count_params()
new = video_qa_model.count_params() - reused
print(f"reused {reused:,} + new {new:,} = {video_qa_model.count_params():,}")
assert video_qa_model.count_params() == 169_436_968
assert new == (160_000 + 256 + 1) * 4 * 256 + 512 * 1000 + 1000

# %% [markdown]
# Each model remembers its calls as nodes. The question encoder has been called once (node 0,
# on the video question); its inner layers keep their single node from the image model.

# %%
print(question_encoder.inbound_nodes)
print(question_encoder.get_layer('lstm').inbound_nodes)

# %% [markdown]
# ## A small version, trained for real
#
# `kfunc.datasets.image_qa` and `kfunc.datasets.video_qa` use the same little language:
# the same question words and the same 16 answers. The pictures show one coloured shape; the
# clips show one shape **moving** left, right, up or down, and they can also ask "which way
# does it move?", which no single frame can answer.
#
# Reduced scale, compared with the guide: 32×32 frames instead of 224×224, clips of 2 frames
# (the first and the last) instead of 100, questions of 10 ids, 16 answers, small layers.
#
# **Step 1: train a small image model** (as in lesson 10).

# %%
kfunc.utils.clear_session()
([images, questions], answers), ([images_test, questions_test], answers_test) = image_qa(
    n=2400, image_size=32, question_maxlen=10, vocab=100, num_answers=16)

small_vision = Sequential()
small_vision.add(Conv2D(8, (3, 3), activation='relu', padding='same', input_shape=(32, 32, 3)))
small_vision.add(MaxPooling2D((2, 2)))
small_vision.add(Conv2D(16, (3, 3), activation='relu', padding='same'))
small_vision.add(MaxPooling2D((2, 2)))
small_vision.add(Flatten())

small_image = Input(shape=(32, 32, 3))
small_question = Input(shape=(10,), dtype='int32')
small_encoded_question = LSTM(32)(Embedding(input_dim=100, output_dim=32)(small_question))
small_answer = Dense(16, activation='softmax')(
    concatenate([small_encoded_question, small_vision(small_image)]))
small_vqa = Model([small_image, small_question], small_answer)
small_vqa.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])

# %% tags=["nbval-ignore-output"]
small_vqa.fit([images, questions], answers, epochs=6, batch_size=32)
image_accuracy_before = small_vqa.evaluate([images_test, questions_test], answers_test, verbose=0)[1]
print(f"image model, test accuracy: {image_accuracy_before:.2f}")
assert image_accuracy_before > 0.5

# %% [markdown]
# **Step 2: build the video model from its parts**, exactly as for the guide's model.

# %%
([videos, video_questions], video_answers), ([videos_test, video_questions_test], video_answers_test) = \
    video_qa(n=1500, frames=2, image_size=32, question_maxlen=10, vocab=100, num_answers=16)
print(videos.shape, video_questions.shape, video_answers.shape)

small_video = Input(shape=(2, 32, 32, 3))
small_encoded_video = LSTM(64)(TimeDistributed(small_vision)(small_video))

small_question_encoder = Model(small_question, small_encoded_question)
small_video_question = Input(shape=(10,), dtype='int32')
small_video_answer = Dense(16, activation='softmax')(
    concatenate([small_encoded_video, small_question_encoder(small_video_question)]))

small_video_qa = Model([small_video, small_video_question], small_video_answer)
small_video_qa.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
kfunc.utils.plot_model(small_video_qa)

# %%
history = small_video_qa.fit([videos, video_questions], video_answers, epochs=8, batch_size=32,
                             validation_data=([videos_test, video_questions_test], video_answers_test))

# %% [markdown]
# Chance is again about one in the number of answers of the asked kind (1/6, 1/4, 1/2, 1/4:
# about 0.30 on average). Direction questions are the interesting ones: only the video `LSTM`,
# which sees the frames in order, can answer them.

# %% tags=["nbval-ignore-output"]
loss, accuracy = small_video_qa.evaluate([videos_test, video_questions_test], video_answers_test,
                                         verbose=0)
print(f"accuracy: {accuracy:.2f}")
print("a model reading only the question: about 0.30")
assert accuracy > 0.5

predicted = small_video_qa.predict([videos_test, video_questions_test]).argmax(axis=-1)
kinds = {"colour": range(0, 6), "shape": range(6, 10), "size": range(10, 12), "direction": range(12, 16)}
for kind, ids in kinds.items():
    asked = np.isin(video_answers_test, list(ids))
    print(f"  {kind:9} questions: {np.mean(predicted[asked] == video_answers_test[asked]):.2f}")

# %% [markdown]
# ## Sharing cuts both ways
#
# The video model trained `small_vision` and the question encoder further, and those are the
# image model's own layers. So the image model has changed too. Let's measure it on the same
# picture test set as before:

# %% tags=["nbval-ignore-output"]
image_accuracy_after = small_vqa.evaluate([images_test, questions_test], answers_test, verbose=0)[1]
print(f"image model before video training: {image_accuracy_before:.2f}, after: {image_accuracy_after:.2f}")
assert image_accuracy_after != image_accuracy_before, "training the video model changed the shared layers"

# %% [markdown]
# If you want to keep the image model as it was, freeze the reused parts before compiling the
# video model (`small_vision.trainable = False`, and the same for the question encoder): only
# the new `LSTM` and answer layer then learn. Exercise 2 tries it.

# %% [markdown]
# ## Exercises
#
# 1. How many weights does the guide's video `LSTM(256)` have, and how many would it have if
#    the vision model ended with `GlobalAveragePooling2D()` (256 features per frame) instead of
#    `Flatten()`?
# 2. Rebuild the small video model with `small_vision` and `small_question_encoder` frozen
#    (`trainable = False`) and train it for 2 epochs. Does the image model's accuracy stay the
#    same? How many weights does the video model train?
# 3. What does `TimeDistributed(small_vision)` output for a clip of 2 frames? Check your answer
#    with `compute_output_shape`.

# %% [markdown] jp-MarkdownHeadingCollapsed=true
# ### Worked answers

# %% [markdown]
# **1.** An LSTM with `n` inputs and `u` units has `4u·(n + u + 1)` weights (input kernel,
# recurrent kernel and bias, for 4 gates). With `n = 160,000` and `u = 256`: 164,103,168. With
# `n = 256`: 525,312, the same as the question LSTM, which also reads 256 numbers per step.

# %%
def lstm_params(n, u):
    return 4 * u * (n + u + 1)

print(f"{lstm_params(160_000, 256):,} vs {lstm_params(256, 256):,}")
assert lstm_params(160_000, 256) == video_qa_model.get_layer('lstm_1').count_params()

# %% [markdown]
# **2.** Frozen layers are not updated, so the image model keeps its accuracy exactly; only the
# new LSTM and answer layer train.

# %% tags=["nbval-ignore-output"]
small_vision.trainable = False
small_question_encoder.trainable = False

frozen_video = Input(shape=(2, 32, 32, 3))
frozen_question = Input(shape=(10,), dtype='int32')
frozen_answer = Dense(16, activation='softmax')(concatenate(
    [LSTM(64)(TimeDistributed(small_vision)(frozen_video)), small_question_encoder(frozen_question)]))
frozen_model = Model([frozen_video, frozen_question], frozen_answer)
frozen_model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])

before = small_vqa.evaluate([images_test, questions_test], answers_test, verbose=0)[1]
frozen_model.fit([videos, video_questions], video_answers, epochs=2, batch_size=32, verbose=0)
after = small_vqa.evaluate([images_test, questions_test], answers_test, verbose=0)[1]
print(f"image model: {before:.2f} -> {after:.2f}")
print("trainable weights:", sum(int(np.prod(w.shape)) for w in frozen_model.trainable_weights))
assert before == after

# %% [markdown]
# **3.** One 1,024-feature vector (8×8 pixels × 16 maps) per frame: `(None, 2, 1024)`.

# %%
TimeDistributed(small_vision).compute_output_shape((None, 2, 32, 32, 3))

# %% [markdown]
# ## Next
#
# Next: [12 · The Model class API](12_model_class_api.ipynb). All lessons are listed in the [index](README.md).
