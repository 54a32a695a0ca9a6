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
# 2. look at the headlines, then train the model with per-output losses and loss weights, by
#    list and by name, watching a validation set and stopping early when it overfits;
# 3. answer two questions a student asked about this example: **what is an embedding?** (a
#    lookup that is also a matrix product, and a picture of the learned vectors) and **what
#    does the auxiliary loss do to training?** (an experiment over several seeds).

# %%
import matplotlib.pyplot as plt
import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc.callbacks import EarlyStopping, LambdaCallback
from kfunc.classroom import Check
from kfunc.datasets import HEADLINE_AUX_FEATURES, HEADLINE_WORD_GROUPS, headline_word_index, headlines
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
print("popular share:", y_train.mean())

# %% [markdown]
# A headline is 20 word ids. Only 42 words have names (the word groups and common words such as
# "the"); the other ids are nameless filler, printed as `·`. The facts are the five columns of
# the auxiliary input. Six training headlines:

# %%
index = headline_word_index()
word_of = {i: w for w, i in index.items()}
fact_names = [name for name, _, _ in HEADLINE_AUX_FEATURES]
effect_of_word = {w: effect for effect, group in HEADLINE_WORD_GROUPS.values() for w in group}


def headline_text(ids):
    """A headline's words, with nameless filler ids shown as a dot."""
    return ' '.join(word_of.get(int(i), '·') for i in ids)


print(f"{'popular':>7}  " + ' '.join(f"{name[:9]:>9}" for name in fact_names) + "  headline")
for ids, facts, label in zip(x_train['main_input'][:6], x_train['aux_input'][:6], y_train[:6]):
    print(f"{int(label):>7}  " + ' '.join(f"{value:>9.2f}" for value in facts) + f"  {headline_text(ids)}")


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
# ## Three sets of data: train, validate, test
#
# We want to watch, while training, how the model does on headlines it does not learn from,
# and still have a fair test at the end. So the 2,000 training headlines are cut once more:
# `validation_split=0.2` keeps their last 20% (400) out of training and reports the losses on
# them after every epoch. The 500 test headlines are not touched until the very end.

# %% [markdown]
# ## Compile and train, by position
#
# One loss name for both outputs, and a weight per output in the order of `outputs=[...]`: the
# model minimises `1.0 × main loss + 0.2 × auxiliary loss`. Inputs and targets are lists in
# the order of `inputs=[...]` and `outputs=[...]`.
#
# The tracker's "loss by output" panel draws each output's own loss, before weighting; its
# legend gives the weight each one carries in the total.
#
# We also pass an `EarlyStopping` callback, explained right after the curves.

# %% tags=["nbval-ignore-output"]
kfunc.utils.set_random_seed(0)
model = headline_model(VOCAB, MAXLEN, DIM)
model.compile(optimizer='rmsprop', loss='binary_crossentropy',
              loss_weights=[1., 0.2], metrics=['accuracy'])

train_inputs = [x_train['main_input'], x_train['aux_input']]
test_inputs = [x_test['main_input'], x_test['aux_input']]
stop_early = EarlyStopping(monitor='val_loss', patience=3, restore_best_weights=True)
history = model.fit(train_inputs, [y_train, y_train], epochs=12, batch_size=32,
                    validation_split=0.2, callbacks=[stop_early])

# %% [markdown]
# The `History` has a loss per output (named after the output layers), their weighted total
# `loss`, each output's accuracy, and the same again on the validation data.

# %%
for key in history.history:
    print(key)

# %% [markdown]
# ## Overfitting, and stopping early
#
# The curves above split after a few epochs. On the training headlines the loss keeps falling
# and the accuracy keeps climbing; on the validation headlines the loss reaches its lowest
# point and then rises, while the accuracy stays about where it was. The model is learning
# things true of its 1,600 training headlines only: it **overfits**.
#
# `EarlyStopping(monitor='val_loss', patience=3, restore_best_weights=True)` watches the
# validation loss, stops when 3 epochs in a row have not improved on the best, and puts back
# the weights of the best epoch.

# %% tags=["nbval-ignore-output"]
h = history.history
best = int(np.argmin(h['val_loss']))
print(f"{'epoch':>5} {'train acc':>9} {'val acc':>7} {'val loss':>8}")
for epoch in range(len(h['val_loss'])):
    print(f"{epoch + 1:>5} {h['main_output_accuracy'][epoch]:>9.3f} "
          f"{h['val_main_output_accuracy'][epoch]:>7.3f} {h['val_loss'][epoch]:>8.3f}"
          + ("   <- best, weights kept" if epoch == best else ""))
print(f"stopped after {len(h['val_loss'])} epochs")

assert len(h['val_loss']) < 12 and h['val_loss'][-1] > h['val_loss'][best] + 0.05, "val loss rose"
assert h['main_output_accuracy'][-1] > h['val_main_output_accuracy'][-1] + 0.05, "train above val"
assert abs(h['val_main_output_accuracy'][-1] - h['val_main_output_accuracy'][best]) < 0.06

# %% [markdown]
# ### Loss up, accuracy flat
#
# In the table, the validation loss rises after the best epoch while the validation accuracy
# stays within a few points of its value there. Cross-entropy measures how much probability the
# model gives the right answer, not only which side of 0.5 it lands on: answers that grow more
# confident on headlines the model gets wrong raise the loss without changing the accuracy.

# %% [markdown]
# ### The test set, at the end
#
# Only now, once, the test set: headlines the model never trained on and that played no part in
# choosing when to stop.

# %% tags=["nbval-ignore-output"]
results = model.evaluate(test_inputs, [y_test, y_test], verbose=0)
print({name: round(float(value), 3) for name, value in zip(model.metrics_names, results)})
main_accuracy = results[model.metrics_names.index('main_output_accuracy')]
print(f"accuracy: {main_accuracy:.2f}")
aux_accuracy = results[model.metrics_names.index('aux_output_accuracy')]
assert main_accuracy > 0.7, "half the headlines are popular: chance is 0.5"
assert aux_accuracy > 0.62, "the headline alone is well above chance too"

# %% [markdown]
# ## Predictions, right and wrong
#
# Eight test headlines with the main output's probability of "popular" and the true label.
# The group words are the ones the model can use; a ✗ marks a wrong answer.

# %% tags=["nbval-ignore-output"]
main_probability = model.predict(test_inputs, verbose=0)[0][:, 0]
is_right = (main_probability > 0.5) == (y_test == 1)
shown = np.concatenate([np.flatnonzero(is_right)[:5], np.flatnonzero(~is_right)[:3]])
print(f"{'p(popular)':>10} {'popular':>7}     group words in the headline")
for i in shown:
    named = [word_of[int(w)] for w in x_test['main_input'][i] if word_of.get(int(w)) in effect_of_word]
    print(f"{main_probability[i]:>10.2f} {int(y_test[i]):>7} {'✓' if is_right[i] else '✗':>3}   "
          f"{', '.join(named) or '(none)'}")
assert is_right.mean() > 0.7

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
# a vector of `DIM` numbers. Another way to say the same: write word `i` as a one-hot row (1,000
# zeros with a 1 at place `i`) and multiply it by the table; the product picks out row `i`.

# %% tags=["nbval-ignore-output"]
embedding = model.get_layer('embedding')
table = embedding.get_weights()[0]
print("table:", table.shape)

words = ['shocking', 'the', 'drizzle']
ids = np.array([[index[w] for w in words]])               # one headline of three words
one_hot = np.eye(VOCAB, dtype='float32')[ids[0]]          # (3, 1000): a 1 at each word's id
print("one-hot rows: shape", one_hot.shape, " the 1s at", one_hot.argmax(axis=1))

product = one_hot @ table                                 # (3, 1000) x (1000, 64) -> (3, 64)
lookup = embedding(ids).detach().numpy()[0]               # what the layer outputs
np.set_printoptions(precision=3, suppress=True)
print("one-hot x table, first 4 columns:\n", product[:, :4])
print("the layer's output, first 4 columns:\n", lookup[:, :4])
assert np.allclose(product, lookup)

# %% [markdown]
# The lookup is how the layer computes it: multiplying by 1,000 mostly-zero numbers would waste
# time. The product view explains what training does: the gradient reaching the table is zero in
# every row whose word is absent from the batch, so only the rows of the words that were read
# move.

# %% [markdown]
# ### Neighbours in the table
#
# The table starts random. Training moves the rows so that the rest of the model can do its
# job. In our headlines each group of words pushes popularity by the same amount, so after
# training the nearest rows of a word (by cosine similarity) should come mostly from words
# that push the same way.

# %% tags=["nbval-ignore-output"]
unit_rows = table / np.linalg.norm(table, axis=1, keepdims=True)


def nearest(word, k=4):
    similarity = unit_rows @ unit_rows[index[word]]
    order = [i for i in np.argsort(-similarity) if i != index[word]][:k]
    return [word_of.get(i, f"<id {i}>") for i in order]


for group, (effect, group_words) in HEADLINE_WORD_GROUPS.items():
    print(f"{group_words[0]:>10} ({group}, effect {effect:+.1f}): {', '.join(nearest(group_words[0]))}")

# the two strongest words sit among words that push popularity the same way
for word in ('shocking', 'drizzle'):
    named = [effect_of_word[w] for w in nearest(word) if w in effect_of_word]
    assert named and np.sign(np.mean(named)) == np.sign(effect_of_word[word]), (word, nearest(word))

# %% [markdown]
# ### A picture of the table
#
# 64 numbers per word are too many to draw. PCA finds the two directions along which the rows
# of the named words differ most, and we draw each word at its two coordinates (computed with
# numpy's SVD of the centred rows), coloured by its group's effect on popularity.

# %% tags=["nbval-ignore-output"]
named_words = list(effect_of_word)
rows = table[[index[w] for w in named_words]]
centred = rows - rows.mean(axis=0)
_, _, directions = np.linalg.svd(centred, full_matrices=False)
xy = centred @ directions[:2].T                           # (30 words, 2 coordinates)
effects = np.array([effect_of_word[w] for w in named_words])

fig, ax = plt.subplots(figsize=(6, 4), dpi=72)
points = ax.scatter(xy[:, 0], xy[:, 1], c=effects, cmap='coolwarm_r', vmin=-2, vmax=2)
for (px, py), word in zip(xy, named_words):
    ax.annotate(word, (px, py), fontsize=7, xytext=(3, 2), textcoords='offset points')
fig.colorbar(points, label='effect on popularity')
ax.set(title='word vectors, first two principal components', xlabel='PC 1', ylabel='PC 2')
plt.show()

correlation = np.corrcoef(xy[:, 0], effects)[0, 1]
print(f"correlation of PC 1 with the words' effect: {correlation:+.2f}")
assert abs(correlation) > 0.7

# %% [markdown]
# The first direction lines the words up by their effect, from the weather words to the
# shocking ones (the correlation printed above); the sign of a PCA direction is arbitrary, so
# the order may run either way. Nothing told the model which words belong together: it only
# saw that they push the label the same way.

# %% [markdown]
# ## Question 2: what does the auxiliary loss do?
#
# The auxiliary output gives the LSTM and the Embedding a short path to a loss: their gradient
# does not have to travel back through the three `Dense` layers first. The guide calls this a
# good regularisation for deep models. We measure it: the same model and data trained with the
# auxiliary loss (weight 0.2) and without it (weight 0), each from 3 different starting weights
# (seeds), for 4 epochs, in batches of 64 to save time. For every run we record, after each
# epoch,
#
# * the main output's validation accuracy (how well the model does);
# * the train − validation accuracy gap (how much it overfits);
# * how far the rows of the 30 group words have moved from their starting values (how fast
#   the Embedding learns: the auxiliary loss's short path ends there).

# %% tags=["nbval-ignore-output"]
group_ids = [index[w] for w in named_words]
runs = {0.2: [], 0.0: []}
for aux_weight in runs:
    for seed in (1, 2, 3):
        kfunc.utils.set_random_seed(seed)
        m = headline_model(VOCAB, MAXLEN, DIM)
        m.compile(optimizer='rmsprop', loss='binary_crossentropy',
                  loss_weights=[1., aux_weight], metrics=['accuracy'])
        start = m.get_layer('embedding').get_weights()[0][group_ids]
        moved = []
        track = LambdaCallback(on_epoch_end=lambda epoch, logs, m=m, start=start, moved=moved: moved.append(
            np.linalg.norm(m.get_layer('embedding').get_weights()[0][group_ids] - start, axis=1).mean()))
        h = m.fit(train_inputs, [y_train, y_train], epochs=4, batch_size=64,
                  validation_split=0.2, callbacks=[track], verbose=0).history
        runs[aux_weight].append({
            'val accuracy': np.array(h['val_main_output_accuracy']),
            'train - val gap': np.array(h['main_output_accuracy']) - np.array(h['val_main_output_accuracy']),
            'embedding rows moved': np.array(moved)})
        print(f"aux weight {aux_weight}, seed {seed}: validation accuracy by epoch",
              np.round(h['val_main_output_accuracy'], 3))

# %% [markdown]
# ### The figures
#
# Each line is one run: blue with the auxiliary loss, orange without. A seed gives both settings
# the same starting weights, so the two runs of a seed differ only by the auxiliary loss.

# %% tags=["nbval-ignore-output"]
measures = ['val accuracy', 'train - val gap', 'embedding rows moved']
epochs = np.arange(1, 5)
fig, axes = plt.subplots(1, 3, figsize=(10, 2.8), dpi=72)
for ax, measure in zip(axes, measures):
    for aux_weight, colour in ((0.2, 'tab:blue'), (0.0, 'tab:orange')):
        for n, run in enumerate(runs[aux_weight]):
            ax.plot(epochs, run[measure], 'o-', color=colour, alpha=0.7, markersize=3,
                    label=f'aux weight {aux_weight}' if n == 0 else None)
    ax.set(title=measure, xlabel='epoch', xticks=epochs)
axes[0].legend(loc='lower right', fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# The table gives, after epoch 1 and after epoch 4, each setting's values over the 3 seeds
# (lowest to highest), and for each seed the value with the auxiliary loss minus the value
# without it.

# %% tags=["nbval-ignore-output"]
def values(aux_weight, measure, epoch):
    return np.array([run[measure][epoch] for run in runs[aux_weight]])


print(f"{'measure':>20} {'epoch':>5}  {'with aux loss':>15}  {'without':>15}  with - without, by seed")
differences = {}
for measure in measures:
    for epoch in (0, 3):
        with_aux, without = values(0.2, measure, epoch), values(0.0, measure, epoch)
        differences[measure, epoch] = with_aux - without
        print(f"{measure:>20} {epoch + 1:>5}  {with_aux.min():6.3f} to {with_aux.max():<6.3f}  "
              f"{without.min():6.3f} to {without.max():<6.3f}  "
              + '  '.join(f"{d:+.3f}" for d in differences[measure, epoch]))

bounds = {'val accuracy': 0.04, 'train - val gap': 0.045, 'embedding rows moved': 0.03}
assert all(abs(differences[m, e].mean()) < bounds[m] for m in measures for e in (0, 3)), differences

# %% [markdown]
# ### What the experiment shows
#
# What the figures show, and no more: in this model, on this data, over 4 epochs, the runs with
# and without the auxiliary loss stay close in all three measures. After epoch 1 and after
# epoch 4, the mean of the seed-by-seed differences is below 0.04 in validation accuracy, below
# 0.045 in the train − validation gap and below 0.03 in how far the embedding rows moved:
# differences of the same order as those between the seeds of one setting. With 3 seeds, these runs cannot tell an effect of the auxiliary loss on the speed
# of learning or on overfitting from chance.
#
# This experiment says nothing about deeper models, where the guide expects the effect: to find
# out, build one and measure the same way. What an auxiliary loss does in every model is to make
# a part of the network (here the LSTM's 32 numbers) usable on its own: in the test results
# above, `aux_output_accuracy`, from the headline alone, is well above chance (0.5).

# %% [markdown]
# ## Exercises
#
# 1. The guide's model, at the guide's size (`guide_model`), has an Embedding of 10,000 words
#    and 512 numbers per word. Through the one-hot view, a headline of 100 words is a matrix
#    multiplied by the table. What is that one-hot matrix's shape, as a tuple?

# %% tags=["exercise"]
# Exercise 1: replace None with a shape, such as (2, 3).
one_hot_shape = None

# %% tags=["check"]
Check("03.1", digest="8433597623471400c75fcee77f2cb028036ee35ec727e4819ad46556c43f16a7",
      hint="One row per word of the headline, one column per word of the vocabulary.")(one_hot_shape)

# %% [markdown]
# 2. `model.compile(loss='binary_crossentropy', loss_weights=[1., 0.2])` minimises a weighted
#    total. For one batch, the main output's loss is 0.40 and the auxiliary output's loss is
#    0.60. What is the total `loss` that `fit` reports for that batch?

# %% tags=["exercise"]
# Exercise 2: replace None with a number.
total_loss = None

# %% tags=["check"]
Check("03.2", digest="6fc7a7dec4a0180f30ce78307da9ef72c0e752677f281dd54057c227e6045efd",
      hint="Multiply each output's loss by its weight, in the order of outputs=[...], and add.")(total_loss)

# %% [markdown]
# 3. Training reads the table through the one-hot product, so in one step only the rows of the
#    words in the batch get a gradient and move. A batch of our training holds 32 headlines of
#    20 words. At most how many rows of the 1,000-row table can one training step change?

# %% tags=["exercise"]
# Exercise 3: replace None with a number.
rows_changed = None

# %% tags=["check"]
Check("03.3", digest="3f1bb7c0da3c01e685edd592f3a3ca0b149a399d25b97c0da47118c24a39f59a",
      hint="Count the word places in a batch; could the batch hold more different words than that?")(rows_changed)

# %% [markdown] tags=["answer"]
# ### Worked answers

# %% [markdown] tags=["answer"]
# **1.** One row per word of the headline (100), one column per vocabulary word (10,000); the
# product with the (10,000, 512) table is (100, 512), the Embedding's output for one headline.

# %% tags=["answer"]
one_hot_shape = (100, guide_model.get_layer('embedding').input_dim)
Check("03.1", digest="8433597623471400c75fcee77f2cb028036ee35ec727e4819ad46556c43f16a7",
      hint="One row per word of the headline, one column per word of the vocabulary.")(one_hot_shape)

# %% [markdown] tags=["answer"]
# **2.** 1.0 × 0.40 + 0.2 × 0.60 = 0.52. The per-output losses in the `History` are the
# unweighted ones; only `loss` is weighted.

# %% tags=["answer"]
total_loss = 1.0 * 0.40 + 0.2 * 0.60
Check("03.2", digest="6fc7a7dec4a0180f30ce78307da9ef72c0e752677f281dd54057c227e6045efd",
      hint="Multiply each output's loss by its weight, in the order of outputs=[...], and add.")(total_loss)

# %% [markdown] tags=["answer"]
# **3.** A batch has 32 × 20 = 640 word places, so at most 640 different words, fewer than the
# table's 1,000 rows. Every other row gets a zero gradient, and RMSprop leaves a weight with a
# zero gradient where it is. We check it on one step of a copy of the model:

# %% tags=["answer"]
rows_changed = 32 * MAXLEN
kfunc.utils.set_random_seed(0)
probe = headline_model(VOCAB, MAXLEN, DIM)
probe.compile(optimizer='rmsprop', loss='binary_crossentropy', loss_weights=[1., 0.2])
before = probe.get_layer('embedding').get_weights()[0]
probe.train_on_batch([x_train['main_input'][:32], x_train['aux_input'][:32]], [y_train[:32], y_train[:32]])
moved_rows = (probe.get_layer('embedding').get_weights()[0] != before).any(axis=1)
print("rows that moved:", moved_rows.sum(), " different words in the batch:",
      len(np.unique(x_train['main_input'][:32])))
assert moved_rows.sum() == len(np.unique(x_train['main_input'][:32])) <= rows_changed
Check("03.3", digest="3f1bb7c0da3c01e685edd592f3a3ca0b149a399d25b97c0da47118c24a39f59a",
      hint="Count the word places in a batch; could the batch hold more different words than that?")(rows_changed)

# %% [markdown]
# ## Next
#
# Next: [04 · Question answering with shared encoders](04_question_answering.ipynb). All lessons are listed in the [index](README.md).
