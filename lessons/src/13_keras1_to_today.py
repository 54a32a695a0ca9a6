# %% [markdown]
# # 13 · From the Keras 1 guide to today
#
# The functional API is older than the guide we followed in lessons 01-12. Its first version
# (Keras 1, 2016) spelled many things differently, and you will still meet that code in old
# tutorials, answers and papers' repositories:
#
# | Keras 1 | Keras 2 and today |
# | --- | --- |
# | `Model(input=a, output=b)` | `Model(inputs=a, outputs=b)` |
# | `merge([a, b], mode='concat', concat_axis=-1)` | `concatenate([a, b], axis=-1)` |
# | `merge([a, b], mode='sum')`, `'mul'`, `'dot'`, ... | `add([a, b])`, `multiply`, `dot(..., axes=-1)`, ... |
# | `fit(..., nb_epoch=10)` | `fit(..., epochs=10)` |
# | `Dense(output_dim=64)` | `Dense(units=64)` or `Dense(64)` |
# | `Convolution2D(16, 3, 3, border_mode='same')` | `Conv2D(16, (3, 3), padding='same')` |
#
# Keras 1 chose the image layout once for the whole program, in its settings file
# (`image_dim_ordering`: `'th'` for channels first, `'tf'` for channels last). The older
# guide's image code was written for `'th'`: its images are `(channels, rows, columns)`, where
# today's default is channels last. kfunc cannot see that old setting, so it reads the old
# image spellings the way the guide does, channels first, and its warnings say so.
#
# Keras 2.0 to 2.2 still ran the old spellings: each was converted, with a warning that showed
# the Keras 2 call. tf.keras and Keras 3 dropped those conversions, and refuse the old
# keywords (`Model(input=...)`, `fit(nb_epoch=...)`). kfunc does what Keras 2.0-2.2 did: it
# runs them and warns once per call with the modern call written out, ready to paste. In
# this lesson we run the older guide's code **as it was written**, and when the old guide
# itself is wrong, we read the error kfunc gives.
#
# This lesson's data is the older guide's code itself: we show its code, its outputs and its
# errors. One model trains, on the digits of lesson 01, and we look at its predictions.

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np

import kfunc
import kfunc.legacy  # the Keras 1 spellings and their warnings
from kfunc.classroom import Check
from kfunc.datasets import digits

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()

# Show each warning as one short line: its kind and its message (no file path).
warnings.formatwarning = lambda message, category, *args, **kwargs: f"{category.__name__}: {message}\n"


def show_digits(images, titles, colors=None):
    """A row of 28×28 digit images with a title over each."""
    figure, axes = plt.subplots(1, len(images), figsize=(0.8 * len(images), 1.1), dpi=70)
    for i, (axis, image, title) in enumerate(zip(axes, images, titles)):
        axis.imshow(image.reshape(28, 28), cmap='gray_r')
        axis.set_title(title, fontsize=9, color=colors[i] if colors else 'black')
        axis.axis('off')
    plt.show()

# %% [markdown]
# ## A first model, Keras 1 style
#
# The older guide's first example, unchanged: only `data` and `labels` had to be supplied. We
# use real hand-written digits, 28×28 pixels flattened to 784 numbers.

# %%
(data, labels), (data_test, labels_test) = digits()
show_digits(data[:10], [str(d) for d in labels[:10].argmax(axis=1)])

# %%
from kfunc.layers import Input, Dense
from kfunc.models import Model

# this returns a tensor
inputs = Input(shape=(784,))

# a layer instance is callable on a tensor, and returns a tensor
x = Dense(64, activation='relu')(inputs)
x = Dense(64, activation='relu')(x)
predictions = Dense(10, activation='softmax')(x)

# this creates a model that includes
# the Input layer and three Dense layers
model = Model(input=inputs, output=predictions)
model.compile(optimizer='rmsprop',
              loss='categorical_crossentropy',
              metrics=['accuracy'])

# %% [markdown]
# ### Training it
#
# The model was built; the warning says what to write today. Training the Keras 1 way, with
# `nb_epoch`:

# %%
model.fit(data, labels, nb_epoch=10, verbose=0)  # starts training

# %% tags=["nbval-ignore-output"]
loss, accuracy = model.evaluate(data_test, labels_test, verbose=0)
print(f"accuracy: {accuracy:.2f}")
print("chance:   0.10 (one digit in ten)")
assert accuracy > 0.8

# %% [markdown]
# ### Its predictions
#
# Some of its answers on test digits, right and then wrong (in red, the true digit in
# brackets):

# %% tags=["nbval-ignore-output"]
answers, truth = model.predict(data_test).argmax(axis=1), labels_test.argmax(axis=1)
shown = np.concatenate([np.flatnonzero(answers == truth)[:6], np.flatnonzero(answers != truth)[:4]])
show_digits(data_test[shown], [f"{answers[i]}" if answers[i] == truth[i] else f"{answers[i]} ({truth[i]})" for i in shown],
            colors=['black' if answers[i] == truth[i] else 'red' for i in shown])
assert np.sum(answers != truth) >= 1

# %% [markdown]
# ### The modern call
#
# Pasting the modern call back in builds the same model:

# %%
modern = Model(inputs=inputs, outputs=predictions)
assert modern.count_params() == model.count_params() == 55_050
assert modern.output_shape == model.output_shape == (None, 10)
print(f"{modern.count_params():,} parameters, output {modern.output_shape}: the same model")

# %% [markdown]
# Other old keyword arguments of layers are translated the same way, for instance
# `output_dim`, which Keras 2 calls `units`:

# %%
Dense(output_dim=64)

# %% [markdown]
# ## Merging: one `merge` function with a `mode`
#
# Keras 1 had a single `merge` function; its `mode` said what to do. This is the headline
# model of the shorter Keras 1 summary, as written (the text forgot a comma in the import).
# It has the guide's full scale: a 10,000-word vocabulary, headlines of 100 words.

# %%
from kfunc.layers import Input, Embedding, LSTM, Dense, merge
from kfunc.models import Model

# receive sequences of 100 integers, between 1 and 10000
main_input = Input(shape=(100,), dtype='int32', name='main_input')

# encode input sequene into a sequence of dense 512-dimensional vectors
x = Embedding(output_dim=512, input_dim=10000, input_length=100)(main_input)

# transfrom vector sequence into single vector
lstm_out = LSTM(32)(x)

aux_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)

aux_input = Input(shape=(5,), name='aux_input')
x = merge([lstm_out, aux_input], mode='concat')

x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)

main_output =  Dense(1, activation='sigmoid', name='main_output')(x)

# model definition
model = Model(input=[main_input, aux_input],
              output=[main_output, aux_output])

# %%
headline_model = model
headline_model

# %% [markdown]
# ### The other modes
#
# The other modes map to today's merge functions: `'sum'` → `add`, `'mul'` → `multiply`,
# `'ave'` → `average`, `'max'` → `maximum`, `'dot'` and `'cos'` → `dot` (with
# `normalize=True` for the cosine). Keras 1's `'dot'` took the last axis unless told
# otherwise; today `dot` needs the axes said, so the warning spells `axes=-1` out:

# %%
a = Input(shape=(32,))
b = Input(shape=(32,))
merge([a, b], mode='sum').shape, merge([a, b], mode='dot').shape, merge([a, b], mode='cos').shape

# %% [markdown]
# ## Question answering: two mistakes in the old guide
#
# The older guide's question-answering model does not run as printed. First, its `Embedding`
# layers never say how many words there are (`input_dim`), and an embedding cannot make its
# table without that:

# %% tags=["raises-exception"]
from kfunc.layers import Input, Embedding, LSTM, merge, Lambda

# an input question will be a vector of 100 integers,
# each being the index of a word in a vocabulary
question_input = Input(shape=(100,), dtype='int32')

good_answer_input = Input(shape=(100,), dtype='int32')
bad_answer_input = Input(shape=(100,), dtype='int32')

embedded_question = Embedding(output_dim=1024)(question_input)

# %% [markdown]
# ### With a vocabulary
#
# With a vocabulary of 10,000 words, as in the rest of the guide, the encoders build, and the
# `'dot'` merges give the two scores:

# %%
embedded_question = Embedding(input_dim=10000, output_dim=1024)(question_input)
encoded_question = LSTM(512)(embedded_question)

# the two layers below will be shared across the two answer inputs.
answer_embedding = Embedding(input_dim=10000, output_dim=1024)
answer_lstm = LSTM(512)

embedded_good_answer = answer_embedding(good_answer_input)
encoded_good_answer = answer_lstm(embedded_good_answer)

embedded_bad_answer = answer_embedding(bad_answer_input)
encoded_bad_answer = answer_lstm(embedded_bad_answer)

# let's take the dot product between the question embedding
# and the embedding of the answers
good_answer_score = merge([encoded_question, encoded_good_answer], mode='dot')
bad_answer_score = merge([encoded_question, encoded_bad_answer], mode='dot')

# %% [markdown]
# ### The second mistake
#
# A `Lambda` whose function takes **two** arguments, `x` and `y`. A
# `Lambda` called on a list of tensors receives the whole list as **one** argument:

# %% tags=["raises-exception"]
from kfunc import backend as K

output = Lambda(lambda x, y: K.square(x - y))([good_answer_score, bad_answer_score])

# %% [markdown]
# Written the way the message suggests, it works (the old guide's `K.square` is in
# `kfunc.backend`), and the model of the old guide builds, with the old `input=`/`output=`:

# %%
output = Lambda(lambda t: K.square(t[0] - t[1]))([good_answer_score, bad_answer_score])

model = Model(input=[question_input, good_answer_input, bad_answer_input],
              output=[output, good_answer_score, bad_answer_score])
print(model.output_shape)
print(f"{model.count_params():,} parameters")

# %% [markdown]
# ## The layer node, then and now
#
# The Keras 1 guide reads a layer's output with the property `layer.output`, and says itself
# that this replaced `layer.get_output()`, a method from the Keras versions before 1.0. Old
# code that calls `get_output()` still runs in kfunc, and is told the modern spelling:

# %%
a = Input(shape=(140, 256))

lstm = LSTM(32)
encoded_a = lstm(a)

assert lstm.get_output() is encoded_a
assert lstm.output == encoded_a

# %% [markdown]
# ### Two calls, two nodes
#
# With two calls, `output` is ill-defined. The old guide prints this error as an
# `AssertionError`, but that is a misprint: Keras 1's code raised an `AttributeError`, as
# Keras 2 and kfunc do, with the same advice:

# %% tags=["raises-exception"]
b = Input(shape=(140, 256))
encoded_b = lstm(b)

lstm.output

# %%
assert lstm.get_output_at(0) == encoded_a
assert lstm.get_output_at(1) == encoded_b
print("get_output_at(0) is encoded_a, get_output_at(1) is encoded_b")

# %% [markdown]
# ## Channels-first images
#
# The old guide's images are `(3, 32, 32)`: channels first, its `'th'` setting. kfunc reads
# the old `Convolution2D` spelling in that layout, so the modern form it prints says
# `data_format='channels_first'`:

# %%
from kfunc.layers import merge, Convolution2D

a = Input(shape=(3, 32, 32))
b = Input(shape=(3, 64, 64))

conv = Convolution2D(16, 3, 3, border_mode='same')
conved_a = conv(a)

# only one input so far, the following will work:
assert conv.input_shape == (None, 3, 32, 32)

conved_b = conv(b)
# now the `.input_shape` wouldn't work, but this does:
assert conv.get_input_shape_at(0) == (None, 3, 32, 32)
assert conv.get_input_shape_at(1) == (None, 3, 64, 64)
print(conved_a.shape, conved_b.shape)

# %% [markdown]
# ### The old inception module
#
# The old inception module is where `concat_axis=1` comes from (lesson 07). With channels
# first, axis 1 **is** the channel axis, so the old code joins the towers the right way:

# %%
from kfunc.layers import MaxPooling2D

input_img = Input(shape=(3, 256, 256))

tower_1 = Convolution2D(64, 1, 1, border_mode='same', activation='relu')(input_img)
tower_1 = Convolution2D(64, 3, 3, border_mode='same', activation='relu')(tower_1)

tower_2 = Convolution2D(64, 1, 1, border_mode='same', activation='relu')(input_img)
tower_2 = Convolution2D(64, 5, 5, border_mode='same', activation='relu')(tower_2)

tower_3 = MaxPooling2D((3, 3), strides=(1, 1), border_mode='same')(input_img)
tower_3 = Convolution2D(64, 1, 1, border_mode='same', activation='relu')(tower_3)

output = merge([tower_1, tower_2, tower_3], mode='concat', concat_axis=1)
output.shape

# %%
assert output.shape == (None, 192, 256, 256)
assert Model(input_img, output).count_params() == 140_160  # the same as lesson 07's module
print("192 channels = 3 towers x 64; 140,160 parameters, as in lesson 07")

# %% [markdown]
# ## The residual connection: two mistakes in a row
#
# The old guide's residual block forgets to **call** the convolution on `x`: `y` is a layer,
# not a tensor, and there is nothing to add.

# %% tags=["raises-exception"]
# input tensor for a 3-channel 256x256 image
x = Input(shape=(3, 256, 256))
# 3x3 conv with 16 output channels
y = Convolution2D(16, 3, 3, border_mode='same')
# this returns x + y.
z = merge([x, y], mode='sum')

# %% [markdown]
# ### Called, and still wrong
#
# Calling it, as the message says, reveals the second mistake: 16 channels cannot be added to
# 3 (lesson 08).

# %% tags=["raises-exception"]
y = Convolution2D(16, 3, 3, border_mode='same')(x)
z = merge([x, y], mode='sum')

# %% [markdown]
# With 3 filters, the block is right, and that is what the Keras 2 guide prints:

# %%
y = Convolution2D(3, 3, 3, border_mode='same')(x)
z = merge([x, y], mode='sum')
z.shape

# %% [markdown]
# ## The shared vision model: a name from somewhere else
#
# The old guide's vision model starts from `x`, which it never defines for this block: it
# should be `digit_input`. In a fresh Python session that is a `NameError`. In a notebook it is
# worse: `x` still holds the residual block's input from above, so the convolutions quietly
# read *that* tensor, and the mistake only surfaces when the model is made. The error names the
# input that does not belong:

# %% tags=["raises-exception"]
# first, define the vision modules
digit_input = Input(shape=(1, 27, 27))
x = Convolution2D(64, 3, 3)(x)
x = Convolution2D(64, 3, 3)(x)
out = MaxPooling2D((2, 2))(x)

vision_model = Model(digit_input, out)

# %% [markdown]
# ### The right input, the wrong shapes
#
# Starting from `digit_input`, the model builds. But look at the shapes: the convolutions
# (old spelling) read channels first, while `MaxPooling2D((2, 2))` has no old keyword, so it is
# read as today's layer, channels last, and it pools the wrong two axes. (Keras 1 chose the
# image layout once for the whole program; kfunc can only tell from the spelling.) And with no
# `Flatten`, the final `Dense` produces a whole grid of outputs instead of one number:

# %%
from kfunc.layers import Dense

digit_input = Input(shape=(1, 27, 27))
x = Convolution2D(64, 3, 3)(digit_input)
x = Convolution2D(64, 3, 3)(x)
out = MaxPooling2D((2, 2))(x)

vision_model = Model(digit_input, out)

digit_a = Input(shape=(1, 27, 27))
digit_b = Input(shape=(1, 27, 27))

out_a = vision_model(digit_a)
out_b = vision_model(digit_b)

concatenated = merge([out_a, out_b], mode='concat')
out = Dense(1, activation='sigmoid')(concatenated)

classification_model = Model([digit_a, digit_b], out)
print(x.shape, "->", vision_model.output_shape, "->", classification_model.output_shape)

# %% [markdown]
# ### The Keras 2 version
#
# The Keras 2 version says the layout once per image layer, flattens, and gives one
# probability per pair (lesson 09 trains it, channels last):

# %%
from kfunc.layers import Conv2D, Flatten, concatenate

digit_input = Input(shape=(1, 27, 27))
x = Conv2D(64, (3, 3), data_format='channels_first')(digit_input)
x = Conv2D(64, (3, 3), data_format='channels_first')(x)
x = MaxPooling2D((2, 2), data_format='channels_first')(x)
vision_model = Model(digit_input, Flatten()(x))

digit_a = Input(shape=(1, 27, 27))
digit_b = Input(shape=(1, 27, 27))
out = Dense(1, activation='sigmoid')(concatenate([vision_model(digit_a), vision_model(digit_b)]))
classification_model = Model([digit_a, digit_b], out)
print(vision_model.output_shape, "->", classification_model.output_shape)
assert classification_model.count_params() == 53_057  # the same as lesson 09's guide model

# %% [markdown]
# ## What Keras 3 removed, and what to write there
#
# Everything above is Keras 2 today, and kfunc follows Keras 2. Keras 3 (2023) dropped much
# of the old node API and some of the guide's shortcuts:
#
# | the guide (Keras 2, kfunc) | Keras 3 | write in Keras 3 |
# | --- | --- | --- |
# | `layer.get_output_at(i)`, `get_input_at(i)` | gone | keep the tensor that each call returned (`encoded_b = lstm(b)`) |
# | `layer.get_input_shape_at(i)`, `get_output_shape_at(i)` | gone | the shape of that tensor: `encoded_b.shape` |
# | `layer.input_shape`, `layer.output_shape` | only on `Model` and `Sequential` | the shape of the tensor you called the layer on, or returned |
# | `layer.output` with several nodes: `AttributeError` | returns node 0's output, no error | the tensor of the call you mean |
# | `compile(loss='binary_crossentropy', loss_weights=[1., 0.2])` on two outputs | `ValueError`: 1 loss, 2 weights | one loss per output: `loss=['binary_crossentropy'] * 2`, or a dict by output name |
# | `metrics=['accuracy']` on several outputs | `ValueError` | a dict by output name, or a list of lists |
# | `Model(input=..., output=...)`, `fit(nb_epoch=...)` | errors | `inputs=`, `outputs=`, `epochs=` |
#
# The values of an inner layer, for given inputs, come from a model that ends there:
# `Model(inputs, layer_tensor).predict(x)` (lesson 14 does that). The guide's
# `loss_weights` example written the Keras 3 way also runs in kfunc:

# %%
headline_model.compile(optimizer='rmsprop', loss=['binary_crossentropy', 'binary_crossentropy'],
                       loss_weights=[1., 0.2])
print(headline_model.metrics_names)

# %% [markdown]
# ## Exercises
#
# 1. Write the Keras 1 headline model above (the `merge` one) with today's spellings only.
#    Check it has the same number of parameters as `headline_model`.
# 2. What does `merge([a, b], mode='mul')` become? Try it and read the warning: which
#    function does it call?
# 3. Old code sometimes says `Dense(64, init='uniform')`. Run it: what is the name of the
#    initializer today?
# 4. Of `input`, `output`, `get_output_at`, `input_shape` and `get_input_shape_at`, which
#    does a plain layer (a `Dense`, say) still have in Keras 3?

# %% tags=["exercise"]
# Exercise 1: replace None with your model, built with today's spellings only.
today = None

# %% tags=["check"]
check_1 = Check("13.1", test=lambda m: (m.count_params() == headline_model.count_params()
                                         and m.output_shape == headline_model.output_shape),
                hint="merge(..., mode='concat') becomes concatenate([...]); input=/output= become inputs=/outputs=.")
check_1(today)

# %% tags=["exercise"]
# Exercise 2: replace None with the function's name, as a string.
mul_function = None

# %% tags=["check"]
check_2 = Check("13.2", digest="003d03489439eae99383e6664ffd1e30cfe83ac14bb4f1e921d18a43252b272c",
                hint="Run merge([a, b], mode='mul') and read the call in the warning.")
check_2(mul_function)

# %% tags=["exercise"]
# Exercise 3: replace None with the initializer's name, as a string.
uniform_today = None

# %% tags=["check"]
check_3 = Check("13.3", digest="8b350a4725a9619cc8cac863e82376ca619fd404f26845d6f75a1027e07ba4b5",
                hint="The warning writes kernel_initializer='...': the name is between the quotes.")
check_3(uniform_today)

# %% tags=["exercise"]
# Exercise 4: replace None with a set of names, such as {'input_shape'}.
still_in_keras3 = None

# %% tags=["check"]
check_4 = Check("13.4", digest="4113f499cce4b8a98d13112c917d558fe17763e90c9f47b776f9d16581f1101f",
                hint="Read the table of what Keras 3 removed: which names keep working, and how?")
check_4(still_in_keras3)

# %% [markdown] tags=["answer"] jp-MarkdownHeadingCollapsed=true
# ### Worked answers

# %% [markdown] tags=["answer"]
# **1.** `merge(..., mode='concat')` becomes `concatenate`, `input=`/`output=` become
# `inputs=`/`outputs=`; nothing else changes.

# %% tags=["answer"]
kfunc.utils.clear_session()
main_input = Input(shape=(100,), dtype='int32', name='main_input')
lstm_out = LSTM(32)(Embedding(output_dim=512, input_dim=10000, input_length=100)(main_input))
aux_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)
aux_input = Input(shape=(5,), name='aux_input')
x = concatenate([lstm_out, aux_input])
x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)
main_output = Dense(1, activation='sigmoid', name='main_output')(x)
today = Model(inputs=[main_input, aux_input], outputs=[main_output, aux_output])
print(f"{today.count_params():,}")
check_1(today)

# %% [markdown] tags=["answer"]
# **2.** `multiply([a, b])`, the element-wise product:

# %% tags=["answer"]
a = Input(shape=(32,))
b = Input(shape=(32,))
print(merge([a, b], mode='mul').shape)
check_2('multiply')

# %% [markdown] tags=["answer"]
# **3.** `init` became `kernel_initializer`, and Keras 1's `'uniform'` is today's
# `'random_uniform'`:

# %% tags=["answer"]
Dense(64, init='uniform')
check_3('random_uniform')

# %% [markdown] tags=["answer"]
# **4.** `input` and `output` remain (they give node 0's tensors, with no error for a shared
# layer); the `get_*_at` methods are gone, and `input_shape` is left only on models.

# %% tags=["answer"]
check_4({'input', 'output'})

# %% [markdown]
# ## Next
#
# Next: [14 · Beyond the guide](14_beyond_the_guide.ipynb): feature extraction, a layer of your own, and the model as PyTorch. All lessons are listed in the [index](README.md).
