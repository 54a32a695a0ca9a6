# %% [markdown]
# # 03 · Multiple inputs and multiple outputs
#
# A `Sequential` model has one input and one output. The functional API has no such limit: a
# model can read several inputs and answer with several outputs, each with its own loss.
#
# The guide's example predicts whether a news headline will be popular. The model reads the
# headline (a sequence of word ids) and five extra facts about the post (when it was posted,
# whether it has a picture, ...). It answers twice: a main answer that uses everything, and an
# *auxiliary* answer that uses the headline alone.
#
# In this lesson you will
#
# 1. build the guide's model at full size and find its two inputs and two outputs in the graph;
# 2. compile and train it with per-output losses and loss weights, by list and by name;
# 3. answer two questions a student asked about this example: **what is an embedding?** and
#    **what does the auxiliary loss do to training?**

# %%
import matplotlib.pyplot as plt
import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc.datasets import HEADLINE_WORD_GROUPS, headline_word_index, headlines
from kfunc.layers import LSTM, Dense, Embedding, concatenate

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()

# %% [markdown]
# ## The guide's model, at the guide's size
#
# Headlines are 100 word ids from a vocabulary of 10,000 words. Naming a layer (`name=...`)
# matters here: the names of the inputs and outputs are how we will address them later.

# %%
main_input = Input(shape=(100,), dtype='int32', name='main_input')
x = Embedding(output_dim=512, input_dim=10000, input_length=100)(main_input)
lstm_out = LSTM(32)(x)

# %% [markdown]
# The auxiliary output sits right after the LSTM. The auxiliary input joins the LSTM's
# summary of the headline, and a stack of `Dense` layers makes the main prediction.

# %%
auxiliary_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)

auxiliary_input = Input(shape=(5,), name='aux_input')
x = concatenate([lstm_out, auxiliary_input])
x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)
main_output = Dense(1, activation='sigmoid', name='main_output')(x)

guide_model = Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output])
guide_model

# %% [markdown]
# In the picture, the headline enters at the top left; the extra facts (`aux_input`) come in
# on the right and join at the `concatenate` box. The LSTM's output splits: one arrow goes to `aux_output`,
# the other continues through the dense stack to `main_output`.

# %%
guide_model.summary()

# %% [markdown]
# Almost all of the 5.2 million parameters are in the embedding: one row of 512 numbers for
# each of the 10,000 words.

# %%
assert guide_model.count_params() == 5_200_610
assert guide_model.get_layer('embedding').count_params() == 10_000 * 512
print("inputs: ", guide_model.input_names)
print("outputs:", guide_model.output_names)

# %% [markdown]
# ## The data, at classroom size
#
# `kfunc.datasets.headlines` makes up headlines whose popularity depends on a few groups of
# words ("shocking", "kitten", "drizzle", ...) and on the five extra facts. To train in
# seconds we use 20-word headlines, a vocabulary of 1,000 words and 64 numbers per word; the
# architecture is otherwise the guide's.
#
# The inputs come as a dict keyed by the input names; both outputs learn the same label.

# %%
VOCAB, MAXLEN, DIM = 1000, 20, 64
(x_train, y_train), (x_test, y_test) = headlines(n=2500, vocab_size=VOCAB, maxlen=MAXLEN)
print({name: array.shape for name, array in x_train.items()}, y_train.shape)
print("one headline:", x_train['main_input'][0])
print("popular share:", y_train.mean())

# %% [markdown]
# A small function builds the same graph at any size, so that we can make fresh copies for
# the experiments below.

# %%
def headline_model(vocab_size, maxlen, embedding_dim):
    main_input = Input(shape=(maxlen,), dtype='int32', name='main_input')
    x = Embedding(output_dim=embedding_dim, input_dim=vocab_size, name='embedding')(main_input)
    lstm_out = LSTM(32, name='lstm')(x)
    auxiliary_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)
    auxiliary_input = Input(shape=(5,), name='aux_input')
    x = concatenate([lstm_out, auxiliary_input])
    x = Dense(64, activation='relu')(x)
    x = Dense(64, activation='relu')(x)
    x = Dense(64, activation='relu')(x)
    main_output = Dense(1, activation='sigmoid', name='main_output')(x)
    return Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output])

# %% [markdown]
# ## Compile and train, by position
#
# One loss name for both outputs, and a weight per output in the order of `outputs=[...]`: the
# model minimises `1.0 × main loss + 0.2 × auxiliary loss`. Inputs and targets are lists in
# the order of `inputs=[...]` and `outputs=[...]`. The tracker shows every output's loss.

# %%
kfunc.utils.set_random_seed(0)
model = headline_model(VOCAB, MAXLEN, DIM)
model.compile(optimizer='rmsprop', loss='binary_crossentropy',
              loss_weights=[1., 0.2], metrics=['accuracy'])

train_inputs = [x_train['main_input'], x_train['aux_input']]
test_inputs = [x_test['main_input'], x_test['aux_input']]
history = model.fit(train_inputs, [y_train, y_train], epochs=10, batch_size=32,
                    validation_data=(test_inputs, [y_test, y_test]))

# %% [markdown]
# The `History` has a loss per output (named after the output layers), their weighted total
# `loss`, each output's accuracy, and the same again on the validation data.

# %%
for key in history.history:
    print(key)

# %% tags=["nbval-ignore-output"]
results = model.evaluate(test_inputs, [y_test, y_test], verbose=0)
print({name: round(float(value), 3) for name, value in zip(model.metrics_names, results)})
main_accuracy = results[model.metrics_names.index('main_output_accuracy')]
print(f"accuracy: {main_accuracy:.2f}")
assert main_accuracy > 0.7, "half the headlines are popular: chance is 0.5"

# %% [markdown]
# ## The same, by name
#
# Because the inputs and outputs have names, losses, weights, inputs and targets can be dicts
# instead of lists. Order no longer matters, which is harder to get wrong. Both spellings
# describe the same training: one epoch from the same starting weights gives the same losses.

# %% tags=["nbval-ignore-output"]
def one_epoch_by_name():
    kfunc.utils.set_random_seed(0)
    m = headline_model(VOCAB, MAXLEN, DIM)
    m.compile(optimizer='rmsprop',
              loss={'main_output': 'binary_crossentropy', 'aux_output': 'binary_crossentropy'},
              loss_weights={'main_output': 1., 'aux_output': 0.2})
    return m.fit({'main_input': x_train['main_input'], 'aux_input': x_train['aux_input']},
                 {'main_output': y_train, 'aux_output': y_train},
                 epochs=1, batch_size=32, verbose=0)


def one_epoch_by_position():
    kfunc.utils.set_random_seed(0)
    m = headline_model(VOCAB, MAXLEN, DIM)
    m.compile(optimizer='rmsprop', loss='binary_crossentropy', loss_weights=[1., 0.2])
    return m.fit(train_inputs, [y_train, y_train], epochs=1, batch_size=32, verbose=0)


by_name, by_position = one_epoch_by_name().history, one_epoch_by_position().history
print({k: round(v[0], 4) for k, v in by_name.items()})
assert by_name == by_position

# %% [markdown]
# ## Question 1: what is an embedding?
#
# An `Embedding` layer is a table with one row per word: word id `i` is replaced by row `i`,
# a vector of `DIM` numbers. There is nothing more to it. Let's check with the trained model:

# %%
embedding = model.get_layer('embedding')
table = embedding.get_weights()[0]
print("table:", table.shape)

shocking = headline_word_index()['shocking']
vector = embedding(np.array([[shocking]]))  # call the layer on one headline of one word
print("the layer's output is row", shocking, "of the table:",
      np.allclose(vector.detach().numpy()[0, 0], table[shocking]))

# %% [markdown]
# The table starts random. Training moves the rows so that the rest of the model can do its
# job, and words that play the same part end up with similar rows. In our headlines, each
# group of words pushes popularity by the same amount, so after training the nearest rows of
# a word (by cosine similarity) should be mostly its own group.

# %% tags=["nbval-ignore-output"]
index = headline_word_index()
word_of = {i: w for w, i in index.items()}
unit_rows = table / np.linalg.norm(table, axis=1, keepdims=True)


def nearest(word, k=4):
    similarity = unit_rows @ unit_rows[index[word]]
    order = [i for i in np.argsort(-similarity) if i != index[word]][:k]
    return [word_of.get(i, f"<id {i}>") for i in order]


for group, (effect, words) in HEADLINE_WORD_GROUPS.items():
    print(f"{words[0]:>10} ({group}, effect {effect:+.1f}): {', '.join(nearest(words[0]))}")

# the two strongest words sit among words that push popularity the same way
effect_of = {w: e for e, words in HEADLINE_WORD_GROUPS.values() for w in words}
for word in ('shocking', 'drizzle'):
    named = [effect_of[w] for w in nearest(word) if w in effect_of]
    assert named and np.sign(np.mean(named)) == np.sign(effect_of[word]), (word, nearest(word))

# %% [markdown]
# Read the table by the sign and size of the effects. The strongly positive words ("shock"
# and "animals") have become neighbours of each other, and so have the strongly negative ones
# ("weather" and "bureaucracy"). The task never asks the model to tell a kitten from a shocking
# headline, only how much each word pushes popularity, so words with similar pushes get similar
# rows. Words with a weak effect ("celebrity", "finance") have hardly moved yet and still sit
# among the filler ids.
#
# That is what an embedding is: a table of vectors, one per word, arranged by training so that
# what matters *for the task* is close together.

# %% [markdown]
# ## Question 2: what does the auxiliary loss do?
#
# The auxiliary output gives the LSTM and the Embedding a short path to a loss: their
# gradient does not have to travel back through the three `Dense` layers first. The guide
# calls this a good regularisation for deep models. Let's measure instead of believing it:
# the same model, same data, same starting weights, trained with the auxiliary loss's weight
# set to 0.

# %%
kfunc.utils.set_random_seed(0)
without_aux = headline_model(VOCAB, MAXLEN, DIM)
without_aux.compile(optimizer='rmsprop',
                    loss={'main_output': 'binary_crossentropy', 'aux_output': 'binary_crossentropy'},
                    loss_weights={'main_output': 1., 'aux_output': 0.},
                    metrics=['accuracy'])
history_without = without_aux.fit(train_inputs, [y_train, y_train], epochs=10, batch_size=32,
                                  validation_data=(test_inputs, [y_test, y_test]), verbose=0)

# %%
with_aux, no_aux = history.history, history_without.history
epochs = np.arange(1, 11)
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3), dpi=72)
left.plot(epochs, with_aux['val_main_output_accuracy'], 'o-', label='with auxiliary loss (0.2)')
left.plot(epochs, no_aux['val_main_output_accuracy'], 's--', label='without (0.0)')
left.set(title='main output', xlabel='epoch', ylabel='test accuracy')
right.plot(epochs, with_aux['val_aux_output_accuracy'], 'o-')
right.plot(epochs, no_aux['val_aux_output_accuracy'], 's--')
right.set(title='auxiliary output (headline only)', xlabel='epoch')
left.legend(loc='lower right')
fig.tight_layout()
plt.show()

# %% tags=["nbval-ignore-output"]
for name, h in (("with auxiliary loss", with_aux), ("without", no_aux)):
    print(f"{name:>20}: main output, best test accuracy {max(h['val_main_output_accuracy']):.3f}; "
          f"headline-only output {h['val_aux_output_accuracy'][-1]:.3f}")

assert abs(max(with_aux['val_main_output_accuracy']) - max(no_aux['val_main_output_accuracy'])) < 0.06
assert with_aux['val_aux_output_accuracy'][-1] > no_aux['val_aux_output_accuracy'][-1] + 0.2

# %% [markdown]
# What we see:
#
# * **The main output learns about as well either way.** In this model the LSTM is only four
#   layers below the main loss, so that loss reaches it well enough on its own. A small
#   experiment like this one does not show the regularising effect the guide mentions; it is
#   expected to matter in deeper models, where the signal reaching the early layers is weak.
# * **The auxiliary output is only meaningful when it is trained.** With its loss on, the
#   LSTM's 32 numbers must predict popularity *by themselves*: they become a summary of the
#   headline that stands on its own. With weight 0, the auxiliary output is never trained
#   and stays at chance level or worse: its 0.0 weight removed it from training.
#
# The honest summary: an auxiliary loss is a way to *ask* a part of the network to be useful
# on its own. Whether that speeds up or regularises the whole depends on the model and the
# data, and the way to know is to measure, as here.

# %% [markdown]
# ## Exercises
#
# 1. Look up the nearest neighbours of `'committee'` and `'panda'`. Are they in the right
#    group?
# 2. Write two headlines of your own: one made of 20 "shocking" words, one of 20 "drizzle"
#    words, with the same extra facts (say all zeros). What popularity does the trained
#    `model` predict for each?

# %% [markdown]
# ### Worked answers

# %% [markdown]
# **1.** Same lookup as above.

# %% tags=["nbval-ignore-output"]
for word in ('committee', 'panda'):
    print(word, '->', ', '.join(nearest(word)))

# %% [markdown]
# **2.** `predict` returns both outputs; the first is `main_output`.

# %% tags=["nbval-ignore-output"]
shocking_headline = np.full((1, MAXLEN), index['shocking'])
drizzle_headline = np.full((1, MAXLEN), index['drizzle'])
facts = np.zeros((1, 5), dtype='float32')
for name, headline in (("shocking", shocking_headline), ("drizzle", drizzle_headline)):
    main, aux = model.predict([headline, facts], verbose=0)
    print(f"{name:>9}: main output {main[0, 0]:.2f}, headline-only output {aux[0, 0]:.2f}")
    assert (main[0, 0] > 0.5) == (name == "shocking"), "the shocking headline is the popular one"

# %% [markdown]
# ## Next
#
# Next: [04 · Question answering with shared encoders](04_question_answering.ipynb). All lessons are listed in the [index](README.md).
