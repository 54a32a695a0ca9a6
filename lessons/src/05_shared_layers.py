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
# 2. find out why the guide's head (one `Dense` layer on the two encodings) cannot learn
#    "same author", and fix it;
# 3. train the fixed model on generated tweets from four authors.

# %%
import numpy as np

import kfunc
from kfunc import Input, Model
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
print("first tweet as character ids (-1 = padding):")
print(np.where(a_train[0].any(axis=1), a_train[0].argmax(axis=1), -1))

# %% [markdown]
# ## The guide's head cannot tell "same" from "different"
#
# Look at what the last layer computes: `sigmoid(w_a · encoded_a + w_b · encoded_b + bias)`.
# That is a score for tweet A **plus** a score for tweet B. "Same author" is not a sum:
# whatever score author 1 gets, a pair (author 1, author 1) must beat (author 1, author 2),
# and (author 2, author 2) must beat (author 2, author 1). The first needs B's score for
# author 1 to be higher than for author 2, the second the opposite. No weights satisfy both,
# so the model cannot do better than guessing, however long it trains. Let's check.

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
# Stuck at one half, as predicted. The fix is one hidden `Dense` layer with `relu` after the
# merge: it can mix the two encodings (compare them) before the final decision.

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
# ## Both tweets really are read by the same weights
#
# Cut the encoder out twice, once from each input: two models, each made of the one shared
# LSTM. Given the same tweet, they return exactly the same vector.

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
# 1. Is the trained model symmetric: does it give the same probability for (A, B) as for
#    (B, A)? Check on the test pairs. Which part of the model could make them differ?
# 2. How many parameters does the LSTM have at classroom size (alphabet 32)? Work it out, then
#    check with `count_params()`.

# %% [markdown]
# ### Worked answers

# %% [markdown]
# **1.** The encoder is shared, so swapping the tweets only swaps the two halves of the merged
# vector. But the hidden `Dense` layer weighs the two halves differently, so the probabilities
# differ. They still agree on the decision almost always.

# %% tags=["nbval-ignore-output"]
forward = model.predict([a_test, b_test], verbose=0)
backward = model.predict([b_test, a_test], verbose=0)
print(f"largest difference: {np.abs(forward - backward).max():.2f}")
print(f"same decision: {((forward > 0.5) == (backward > 0.5)).mean():.2f}")
assert ((forward > 0.5) == (backward > 0.5)).mean() > 0.9

# %% [markdown]
# **2.** 4 × (32 × 64 + 64 × 64 + 64) = 24,832.

# %%
assert lstm.count_params() == 4 * (32 * 64 + 64 * 64 + 64)
lstm.count_params()

# %% [markdown]
# ## Next
#
# Next: [06 · The layer node](06_layer_nodes.ipynb). All lessons are listed in the [index](README.md).
