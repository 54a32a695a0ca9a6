# %% [markdown]
# # 05 · Shared layers
#
# Did the same person write these two tweets? The question is symmetric: whatever we learn
# about reading the first tweet applies just as well to the second. So the model should read
# both tweets with **one** encoder, the same weights for both.
#
# With the functional API, sharing is nothing more than calling one layer instance twice.
#
# In this lesson you will
#
# 1. build the guide's tweet model, with one `LSTM(64)` used on both tweets, and check that it
#    holds one set of weights;
# 2. look at the tweets of four made-up authors, and see what the guide's head (one `Dense`
#    layer on the two encodings) can and cannot express;
# 3. train the guide's head and a fixed one, and look at the fixed model's right and wrong
#    answers.

# %%
import matplotlib.pyplot as plt
import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc.classroom import Check
from kfunc.datasets import tweet_pairs
from kfunc.layers import LSTM, Dense, concatenate

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()

# %% [markdown]
# ## The guide's model
#
# A tweet is a matrix of shape `(140, 256)`: 140 characters, each a one-hot vector over an
# alphabet of 256 characters.

# %%
tweet_a = Input(shape=(140, 256))
tweet_b = Input(shape=(140, 256))

# %% [markdown]
# One layer instance, called twice. Each call reads one tweet and returns a vector of 64
# numbers.

# %%
shared_lstm = LSTM(64)
encoded_a = shared_lstm(tweet_a)
encoded_b = shared_lstm(tweet_b)

merged_vector = concatenate([encoded_a, encoded_b], axis=-1)
predictions = Dense(1, activation='sigmoid')(merged_vector)

guide_model = Model(inputs=[tweet_a, tweet_b], outputs=predictions)
guide_model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
guide_model

# %% [markdown]
# The picture draws one box per call, so the LSTM shows up twice, as node 0 and node 1, in
# the same colour; the legend says it is one layer. In the summary it is one row, connected to
# both inputs.

# %%
guide_model.summary()

# %% [markdown]
# ## One layer, one set of weights
#
# An LSTM with 64 units reading 256 values per step has 4 gates, each with an input kernel
# (256 × 64), a recurrent kernel (64 × 64) and a bias (64). The model counts them **once**,
# although the layer runs twice.

# %%
lstm_params = 4 * (256 * 64 + 64 * 64 + 64)
print("LSTM parameters:", lstm_params)
assert shared_lstm.count_params() == lstm_params == 82_176
assert guide_model.count_params() == lstm_params + (128 + 1) == 82_305

print("layers of the model:", [layer.name for layer in guide_model.layers])
print("weight tensors:", [tuple(w.shape) for w in guide_model.weights])

# %% [markdown]
# The LSTM's three weight tensors keep the four gates side by side: a kernel of shape
# (256, 4 × 64), a recurrent kernel (64, 4 × 64) and a bias (4 × 64,). Then come the `Dense`
# layer's kernel (128, 1) and bias. Nothing is there twice.

# %% [markdown]
# Compare with a model that gives each tweet its **own** LSTM: twice the weights, and nothing
# forces the two readers to read alike.

# %%
separate = concatenate([LSTM(64)(tweet_a), LSTM(64)(tweet_b)])
separate_model = Model([tweet_a, tweet_b], Dense(1, activation='sigmoid')(separate))
print("shared:", guide_model.count_params(), " separate:", separate_model.count_params())
assert separate_model.count_params() == 2 * lstm_params + 129

# %% [markdown]
# ## The data, at classroom size
#
# `kfunc.datasets.tweet_pairs` writes tweets for four made-up authors, each with a favourite
# set of characters, habits of which character follows which, and a usual tweet length. Half
# of the pairs share their author. To train in seconds we use tweets of 40 characters over an
# alphabet of 32 (the guide: 140 and 256).

# %%
([a_train, b_train], y_train), ([a_test, b_test], y_test) = tweet_pairs(n=1000, length=40, alphabet=32)
print("tweets:", a_train.shape, b_train.shape, " labels:", y_train.shape, " same-author share:", y_train.mean())

# %% [markdown]
# ### A tweet is a matrix
#
# Each column is one of the 40 time steps, each row one of the 32 characters; a dark square
# marks the character written at that step. The tweet is shorter than 40 characters, so its
# first columns are empty: padding at the start.

# %%
fig, ax = plt.subplots(figsize=(5, 2.6), dpi=70)
ax.imshow(a_train[0].T, cmap='gray_r', aspect='auto')
ax.set(xlabel='time step', ylabel='character id', title='the first training tweet, one-hot')
plt.show()

# %% [markdown]
# ### The tweets as text
#
# The characters are made-up ids. To read them, we print id `i` as the `i`-th symbol of a
# 32-symbol alphabet. Here are the first eight training pairs:

# %%
ALPHABET = "abcdefghijklmnopqrstuvwxyz .,!?#"


def as_text(tweet):
    """A one-hot tweet as a string, one symbol per written character (padding left out)."""
    return ''.join(ALPHABET[row.argmax()] for row in tweet if row.any())


def show_pairs(indices, tweets_a, tweets_b, labels, probabilities=None):
    """A table of tweet pairs: the label, the model's probability if given, both tweets."""
    header = f"{'same author?':>12}  " + ("p(same)  " if probabilities is not None else "")
    print(header + f"{'tweet A':<40}  tweet B")
    for i in indices:
        answer = 'yes' if labels[i] == 1 else 'no'
        shown = f"{probabilities[i]:7.2f}  " if probabilities is not None else ""
        print(f"{answer:>12}  {shown}{as_text(tweets_a[i]):<40}  {as_text(tweets_b[i])}")


show_pairs(range(8), a_train, b_train, y_train)

# %% [markdown]
# Each author has favourite characters and habits (which character tends to follow which),
# and a usual tweet length. Same-author pairs share them; spotting that is the model's job.

# %% [markdown]
# ## What the guide's head can express
#
# Look at what the last layer computes: `sigmoid(w_a · encoded_a + w_b · encoded_b + bias)`.
# That is a score `g(A)` for tweet A **plus** a score `h(B)` for tweet B. "Same author" is
# not a sum. Take two authors, 1 and 2: the pair (1, 1) must score above (1, 2), so
# `h(1) > h(2)`; the pair (2, 2) must score above (2, 1), so `h(2) > h(1)`. Both cannot hold:
# of the four pairings of two authors, a sum gets at most three right.
#
# That is a limit, not a sentence to guessing. On unbalanced pairs a sum can beat chance
# easily (when most "same" pairs are by one author, "both tweets look like that author" is a
# sum of two scores and a good guess). Even on these balanced pairs, a sum that knew the four
# authors could be right about three times in four: number the authors and say "same" when
# A's number is at least B's. What we check here is narrower: trained on this symmetric, balanced
# data for six epochs, does this head learn anything?

# %% tags=["nbval-ignore-output"]
def tweet_model(length, alphabet, hidden_units=None):
    tweet_a = Input(shape=(length, alphabet))
    tweet_b = Input(shape=(length, alphabet))
    shared_lstm = LSTM(64)
    merged = concatenate([shared_lstm(tweet_a), shared_lstm(tweet_b)], axis=-1)
    if hidden_units:
        merged = Dense(hidden_units, activation='relu')(merged)
    predictions = Dense(1, activation='sigmoid')(merged)
    model = Model(inputs=[tweet_a, tweet_b], outputs=predictions)
    model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
    return model


kfunc.utils.set_random_seed(0)
as_in_the_guide = tweet_model(40, 32)
guide_history = as_in_the_guide.fit([a_train, b_train], y_train, epochs=6, batch_size=32,
                                    validation_data=([a_test, b_test], y_test), verbose=0)
print("test accuracy per epoch:", np.round(guide_history.history['val_accuracy'], 2))
assert max(guide_history.history['val_accuracy']) < 0.62, "the guide's head stays near chance"

# %% [markdown]
# It stays near one half, the rate of guessing: on this data, this head learns nothing
# useful in six epochs, though a sum could reach about three in four. The fix is one hidden `Dense`
# layer with `relu` after the merge: it can mix the two encodings (compare them) before the
# final decision.

# %%
kfunc.utils.set_random_seed(0)
model = tweet_model(40, 32, hidden_units=64)
model

# %%
history = model.fit([a_train, b_train], y_train, epochs=8, batch_size=32,
                    validation_data=([a_test, b_test], y_test))

# %% tags=["nbval-ignore-output"]
test_loss, test_accuracy = model.evaluate([a_test, b_test], y_test, verbose=0)
print(f"accuracy: {test_accuracy:.2f}")
assert test_accuracy > 0.8, "chance is 0.5"

# %% [markdown]
# ### Predictions, right and wrong
#
# Four test pairs the model got right, then up to four it got wrong, with the probability it
# gave to "same author":

# %% tags=["nbval-ignore-output"]
probabilities = model.predict([a_test, b_test], verbose=0)[:, 0]
correct = (probabilities > 0.5) == (y_test == 1)
right, wrong = np.flatnonzero(correct)[:4], np.flatnonzero(~correct)[:4]
show_pairs(right, a_test, b_test, y_test, probabilities)
print()
show_pairs(wrong, a_test, b_test, y_test, probabilities)
assert len(right) == 4 and len(wrong) > 0

# %% [markdown]
# ## Both tweets really are read by the same weights
#
# Cut the encoder out twice, once from each input: two models, each made of the one shared
# LSTM. Given the same tweet, they return exactly the same vector. (`get_output_at` is the
# Keras 2 way to name a call; Keras 3 removed it, and lesson 06 shows what to write there.)

# %%
lstm = model.layers[2]
reader_a = Model(model.inputs[0], lstm.get_output_at(0))
reader_b = Model(model.inputs[1], lstm.get_output_at(1))
same = np.array_equal(reader_a.predict(a_test[:5], verbose=0), reader_b.predict(a_test[:5], verbose=0))
print(type(lstm).__name__, lstm.name, "| nodes:", len(lstm.inbound_nodes), "| same vectors:", same)
assert same

# %% [markdown]
# ## Exercises
#
# 1. Two authors, and their four pairings (1, 1), (1, 2), (2, 1), (2, 2), equally common. What
#    is the best accuracy that a rule of the form "same when `g(A) + h(B) > t`" can reach on
#    them?
# 2. How many parameters does the LSTM have at classroom size (alphabet 32)? Work it out, then
#    check with `count_params()`.
# 3. Is the trained model symmetric: does it give exactly the same probability for (A, B) as
#    for (B, A)? Answer `True` or `False`, after checking on the test pairs.

# %% tags=["exercise"]
# Exercise 1: replace None with the best accuracy, a number between 0 and 1.
best_sum_accuracy = None

# %% tags=["check"]
Check("05.1", digest="ce5d3aa79ae56155078af52e8fac68eb2d0a78489f82bc26c1e1bbc667ba9fde",
      hint="A sum cannot get all four right (see above). Can you choose g, h and t to get three?")(best_sum_accuracy)

# %% tags=["exercise"]
# Exercise 2: replace None with the number of parameters.
lstm_parameters = None

# %% tags=["check"]
Check("05.2", digest="b5d9c3e64a87a360a13026278bd96af3d24019c34a02dfbd643005ea95af395d",
      hint="An LSTM has four gates; each has a kernel, a recurrent kernel and a bias.")(lstm_parameters)

# %% tags=["exercise"]
# Exercise 3: replace None with True or False.
model_is_symmetric = None

# %% tags=["check"]
Check("05.3", digest="fcbcf165908dd18a9e49f7ff27810176db8e9f63b4352213741664245224f8aa",
      hint="Compare model.predict([a_test, b_test]) with model.predict([b_test, a_test]).")(model_is_symmetric)

# %% [markdown] tags=["answer"]
# ### Worked answers

# %% [markdown] tags=["answer"]
# **1.** Three in four. Say "same" when A's number is at least B's: `g(1) = 1, g(2) = 2`,
# `h(1) = -1, h(2) = -2` and `t = -0.5`. The sum is above `t` for (1, 1), (2, 2) and (2, 1),
# so the rule is right on both same pairs and on (1, 2), and wrong on (2, 1). Four right is
# impossible, as shown above.

# %% tags=["answer"]
g, h, t = {1: 1, 2: 2}, {1: -1, 2: -2}, -0.5
pairs = [(1, 1), (1, 2), (2, 1), (2, 2)]
best_sum_accuracy = np.mean([(g[a] + h[b] > t) == (a == b) for a, b in pairs])
print(best_sum_accuracy)
Check("05.1", digest="ce5d3aa79ae56155078af52e8fac68eb2d0a78489f82bc26c1e1bbc667ba9fde",
      hint="A sum cannot get all four right (see above). Can you choose g, h and t to get three?")(best_sum_accuracy)

# %% [markdown] tags=["answer"]
# **2.** 4 × (32 × 64 + 64 × 64 + 64) = 24,832.

# %% tags=["answer"]
lstm_parameters = 4 * (32 * 64 + 64 * 64 + 64)
assert lstm.count_params() == lstm_parameters
print(lstm_parameters)
Check("05.2", digest="b5d9c3e64a87a360a13026278bd96af3d24019c34a02dfbd643005ea95af395d",
      hint="An LSTM has four gates; each has a kernel, a recurrent kernel and a bias.")(lstm_parameters)

# %% [markdown] tags=["answer"]
# **3.** No. The encoder is shared, so swapping the tweets only swaps the two halves of the
# merged vector. But the hidden `Dense` layer weighs the two halves differently, so the
# probabilities differ. They still agree on the decision almost always.

# %% tags=["answer"]
forward = model.predict([a_test, b_test], verbose=0)
backward = model.predict([b_test, a_test], verbose=0)
model_is_symmetric = bool(np.array_equal(forward, backward))
Check("05.3", digest="fcbcf165908dd18a9e49f7ff27810176db8e9f63b4352213741664245224f8aa",
      hint="Compare model.predict([a_test, b_test]) with model.predict([b_test, a_test]).")(model_is_symmetric)

# %% tags=["answer", "nbval-ignore-output"]
print(f"largest difference: {np.abs(forward - backward).max():.2f}")
print(f"same decision: {((forward > 0.5) == (backward > 0.5)).mean():.2f}")
assert ((forward > 0.5) == (backward > 0.5)).mean() > 0.9

# %% [markdown]
# ## Next
#
# Next: [06 · The layer node](06_layer_nodes.ipynb). All lessons are listed in the [index](README.md).
