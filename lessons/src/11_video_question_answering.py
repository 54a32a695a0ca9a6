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
# 2. look at the toy clips: a coloured shape moving across 4 frames, with a question;
# 3. train a small image model, turn it into a video model the same way, train that on the
#    clips, and look at its answers, right and wrong.

# %%
import matplotlib.pyplot as plt
import numpy as np

import kfunc
from kfunc import Input, Model, Sequential
from kfunc.classroom import Check
from kfunc.datasets import image_qa, video_qa
from kfunc.datasets.scene_questions import ANSWERS, scene_word_index
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
# Reusing the vision model also fixes the frame size. Its convolutions would run on any size,
# but the model declared its input as 224×224×3 (`input_shape` on its first layer), and the
# video `LSTM` above was sized for the 160,000 features that such a frame gives. So a video of
# smaller frames is refused; the error names the wrapped model and both shapes:

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
# does it move?", which no single frame can answer. Shapes in pictures and in clips stay in the
# same small area near the middle, so a vision model trained on pictures knows the frames.
#
# Reduced scale, compared with the guide: 32×32 frames instead of 224×224, clips of 4 frames
# instead of 100, questions of 10 ids, 16 answers, small layers.

# %%
([videos, video_questions], video_answers), ([videos_test, video_questions_test], video_answers_test) = \
    video_qa(n=2000, frames=4, image_size=32, question_maxlen=10, vocab=100, num_answers=16)
print(videos.shape, video_questions.shape, video_answers.shape)

words = {i: w for w, i in scene_word_index().items()}


def question_text(ids):
    return " ".join(words[i] for i in ids if i)


def show_clips(clips, titles, colours=None):
    """Draw each clip as a strip of its frames, one clip per row, its title above the row."""
    fig, axes = plt.subplots(len(clips), clips.shape[1], figsize=(1.3 * clips.shape[1], 1.55 * len(clips)),
                             dpi=70, squeeze=False)
    for row, (clip, title) in enumerate(zip(clips, titles)):
        for t, ax in enumerate(axes[row]):
            ax.imshow(clip[t])
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel(f"frame {t}", fontsize=7)
        axes[row, 0].set_title(title, loc="left", fontsize=8,
                               color=colours[row] if colours else "black")
    fig.tight_layout()
    plt.show()


# the first clip asked about each kind of answer: colour, shape, size, direction
first = [np.flatnonzero(np.isin(video_answers, ids))[0]
         for ids in (range(0, 6), range(6, 10), range(10, 12), range(12, 16))]
show_clips(videos[first], [f"{question_text(video_questions[k])}? → {ANSWERS[video_answers[k]]}"
                           for k in first])

# %% [markdown]
# **Step 1: train a small image model** (as in lesson 10), on pictures of the same shapes.

# %%
kfunc.utils.clear_session()
([images, questions], answers), ([images_test, questions_test], answers_test) = image_qa(
    n=2000, image_size=32, question_maxlen=10, vocab=100, num_answers=16)

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
small_answer = Dense(16, activation='softmax')(
    concatenate([small_encoded_question, small_vision(small_image)]))
small_vqa = Model([small_image, small_question], small_answer)
small_vqa.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
print(images.shape, "->", small_vision.output_shape)

# %% tags=["nbval-ignore-output"]
small_vqa.fit([images, questions], answers, epochs=5, batch_size=32)
image_accuracy_before = small_vqa.evaluate([images_test, questions_test], answers_test, verbose=0)[1]
print(f"image model, test accuracy: {image_accuracy_before:.2f}")
assert image_accuracy_before > 0.8
vision_weights_before = small_vision.get_weights()

# %% [markdown]
# **Step 2: build the video model from its parts**, exactly as for the guide's model. The new
# video `LSTM` reads the vision model's 512 features per frame (4×4 pixels × 32 maps).

# %%
small_video = Input(shape=(4, 32, 32, 3))
small_encoded_video = LSTM(128)(TimeDistributed(small_vision)(small_video))

small_question_encoder = Model(small_question, small_encoded_question)
small_video_question = Input(shape=(10,), dtype='int32')
small_video_answer = Dense(16, activation='softmax')(
    concatenate([small_encoded_video, small_question_encoder(small_video_question)]))

small_video_qa = Model([small_video, small_video_question], small_video_answer)
small_video_qa.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
kfunc.utils.plot_model(small_video_qa)

# %%
history = small_video_qa.fit([videos, video_questions], video_answers, epochs=6, batch_size=32)

# %% [markdown]
# Chance is again one in the number of answers of the asked kind (1/6, 1/4, 1/2, 1/4: about
# 0.30 on average). Shape questions test what the video model reuses from the image model;
# direction questions are new: only the video `LSTM`, which sees the frames in order, can
# answer them.

# %% tags=["nbval-ignore-output"]
loss, accuracy = small_video_qa.evaluate([videos_test, video_questions_test], video_answers_test,
                                         verbose=0)
print(f"accuracy: {accuracy:.2f}")
print("a model reading only the question: about 0.30")

predicted = small_video_qa.predict([videos_test, video_questions_test]).argmax(axis=-1)
kinds = {"colour": (range(0, 6), 1 / 6), "shape": (range(6, 10), 1 / 4),
         "size": (range(10, 12), 1 / 2), "direction": (range(12, 16), 1 / 4)}
by_kind = {}
for kind, (ids, chance) in kinds.items():
    asked = np.isin(video_answers_test, list(ids))
    by_kind[kind] = np.mean(predicted[asked] == video_answers_test[asked])
    print(f"  {kind:9} questions: {by_kind[kind]:.2f}   (chance {chance:.2f})")

assert accuracy > 0.75
assert by_kind["shape"] > 0.65, "shapes are told apart in clips too"
assert by_kind["direction"] > 0.7, "the video LSTM reads the motion from the order of the frames"

# %% [markdown]
# Every kind is answered well above chance, shapes and directions included.
#
# ### Its answers, right and wrong
#
# Two test clips it answers right (green) and two it gets wrong (red, the true answer in
# brackets):

# %% tags=["nbval-ignore-output"]
right = np.flatnonzero(predicted == video_answers_test)[:2]
wrong = np.flatnonzero(predicted != video_answers_test)[:2]
shown = np.concatenate([right, wrong])
show_clips(videos_test[shown],
           [f"{question_text(video_questions_test[k])}? → {ANSWERS[predicted[k]]}"
            + ("" if predicted[k] == video_answers_test[k] else f" ({ANSWERS[video_answers_test[k]]})")
            for k in shown],
           colours=["green"] * len(right) + ["red"] * len(wrong))
assert len(right) == 2

# %% [markdown]
# ## Sharing cuts both ways
#
# The video model trained `small_vision` and the question encoder further, and those are the
# image model's own layers. So the image model has changed too: its weights are not those it
# had after step 1, and its accuracy on the same picture test set moves with them (up or down,
# depending on the run):

# %% tags=["nbval-ignore-output"]
image_accuracy_after = small_vqa.evaluate([images_test, questions_test], answers_test, verbose=0)[1]
print(f"image model before video training: {image_accuracy_before:.2f}, after: {image_accuracy_after:.2f}")
changed = [not np.array_equal(a, b) for a, b in zip(vision_weights_before, small_vision.get_weights())]
print(f"vision weights changed by the video training: {sum(changed)} of {len(changed)}")
assert all(changed), "training the video model changed the shared layers"

# %% [markdown]
# If you want to keep the image model as it was, freeze the reused parts before compiling the
# video model (`small_vision.trainable = False`, and the same for the question encoder): only
# the new `LSTM` and answer layer then learn. Exercise 2 tries it.

# %% [markdown]
# ## Exercises
#
# 1. How many weights does the guide's video `LSTM(256)` have, and how many would it have if
#    the vision model ended with `GlobalAveragePooling2D()` (256 features per frame) instead of
#    `Flatten()`? Give both, as a pair.
# 2. Rebuild the small video model with `small_vision` and `small_question_encoder` frozen
#    (`trainable = False`), a new `LSTM(128)` and a new answer layer. How many weights does it
#    train? Train it for 2 epochs: does the image model's accuracy stay the same?
# 3. What does `TimeDistributed(small_vision)` output for a batch of clips of 4 frames? Give
#    the shape, with `None` for the batch size.

# %% tags=["exercise"]
# Exercise 1: replace None with (weights with Flatten, weights with GlobalAveragePooling2D).
video_lstm_weights = None

# %% tags=["check"]
Check("11.1", digest="641487c5afe6e66706b046504f7027475de2f7c8ef8051c541e481cd3786bb12",
      hint="An LSTM with n inputs and u units has 4 gates, each with an n×u kernel, a u×u "
           "recurrent kernel and u biases.")(video_lstm_weights)

# %% tags=["exercise"]
# Exercise 2: replace None with the number of weights the frozen video model trains.
frozen_trained_weights = None

# %% tags=["check"]
Check("11.2", digest="97a4ed3d4974b8af7d361b54aaeec9f9e33828a9c54227729386eb265be43334",
      hint="Only the new LSTM (512 features in, 128 units) and the new Dense(16) (on 128 + 32 "
           "numbers) train.")(frozen_trained_weights)

# %% tags=["exercise"]
# Exercise 3: replace None with the output shape, a tuple.
frame_features_shape = None

# %% tags=["check"]
Check("11.3", digest="54e6610d77854dcd12169fc0196382f8fcb4540c5f8281f5684018b41680f277",
      hint="TimeDistributed keeps the batch and time axes and applies the model to each frame; "
           "follow 32×32 through three 2×2 pools.")(frame_features_shape)

# %% [markdown] tags=["answer"]
# ### Worked answers

# %% [markdown] tags=["answer"]
# **1.** An LSTM with `n` inputs and `u` units has `4u·(n + u + 1)` weights (input kernel,
# recurrent kernel and bias, for 4 gates). With `n = 160,000` and `u = 256`: 164,103,168. With
# `n = 256`: 525,312, the same as the question LSTM, which also reads 256 numbers per step.

# %% tags=["answer"]
def lstm_params(n, u):
    return 4 * u * (n + u + 1)


video_lstm_weights = (lstm_params(160_000, 256), lstm_params(256, 256))
print(f"{video_lstm_weights[0]:,} vs {video_lstm_weights[1]:,}")
assert video_lstm_weights[0] == video_qa_model.get_layer('lstm_1').count_params()
Check("11.1", digest="641487c5afe6e66706b046504f7027475de2f7c8ef8051c541e481cd3786bb12",
      hint="An LSTM with n inputs and u units has 4 gates, each with an n×u kernel, a u×u "
           "recurrent kernel and u biases.")(video_lstm_weights)

# %% [markdown] tags=["answer"]
# **2.** Only the new LSTM (`4·128·(512 + 128 + 1) = 328,192`) and the new answer layer
# (`160·16 + 16 = 2,576`) train: 330,768 weights. Frozen layers are not updated, so the image
# model keeps its accuracy exactly.

# %% tags=["answer"]
small_vision.trainable = False
small_question_encoder.trainable = False

frozen_video = Input(shape=(4, 32, 32, 3))
frozen_question = Input(shape=(10,), dtype='int32')
frozen_answer = Dense(16, activation='softmax')(concatenate(
    [LSTM(128)(TimeDistributed(small_vision)(frozen_video)), small_question_encoder(frozen_question)]))
frozen_model = Model([frozen_video, frozen_question], frozen_answer)
frozen_model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])

frozen_trained_weights = sum(int(np.prod(w.shape)) for w in frozen_model.trainable_weights)
print(f"trainable weights: {frozen_trained_weights:,}")
Check("11.2", digest="97a4ed3d4974b8af7d361b54aaeec9f9e33828a9c54227729386eb265be43334",
      hint="Only the new LSTM (512 features in, 128 units) and the new Dense(16) (on 128 + 32 "
           "numbers) train.")(frozen_trained_weights)

# %% tags=["answer", "nbval-ignore-output"]
before = small_vqa.evaluate([images_test, questions_test], answers_test, verbose=0)[1]
frozen_model.fit([videos[:400], video_questions[:400]], video_answers[:400], epochs=2, batch_size=32,
                 verbose=0)
after = small_vqa.evaluate([images_test, questions_test], answers_test, verbose=0)[1]
print(f"image model: {before:.2f} -> {after:.2f}")
assert before == after

# %% [markdown] tags=["answer"]
# **3.** One 512-feature vector (4×4 pixels × 32 maps) per frame: `(None, 4, 512)`.

# %% tags=["answer"]
frame_features_shape = TimeDistributed(small_vision).compute_output_shape((None, 4, 32, 32, 3))
print(frame_features_shape)
Check("11.3", digest="54e6610d77854dcd12169fc0196382f8fcb4540c5f8281f5684018b41680f277",
      hint="TimeDistributed keeps the batch and time axes and applies the model to each frame; "
           "follow 32×32 through three 2×2 pools.")(frame_features_shape)

# %% [markdown]
# ## Next
#
# Next: [12 · The Model class API](12_model_class_api.ipynb). All lessons are listed in the [index](README.md).
