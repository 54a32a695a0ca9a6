# %% [markdown]
# # 12 · The `Model` class API: compile, fit, evaluate, predict, save
#
# Every model in the earlier lessons was trained with a short `compile(...)` and `fit(...)`.
# Those methods take many more arguments than we used. This lesson walks through every
# argument that the Keras `Model` reference lists, one small experiment each, on the model of
# lesson 01 (a 784 → 64 → 64 → 10 network) and real hand-written digits:
#
# * `compile`: optimizer, loss, metrics, loss weights, weighted metrics, the temporal
#   sample-weight mode;
# * `fit`: batch size, epochs, verbosity, validation (a split or separate data, and how
#   often), shuffling, class and sample weights, resuming with `initial_epoch`, steps;
# * callbacks: `EarlyStopping`, `ModelCheckpoint`, `LambdaCallback`, `CSVLogger`;
# * the `History` that `fit` returns;
# * `evaluate` and `predict`, with their own `steps` and `callbacks`;
# * saving a whole model to one file and loading it back.

# %%
import inspect
import os
import tempfile

import matplotlib.pyplot as plt
import numpy as np

import kfunc
from kfunc import Input, Model, callbacks
from kfunc.classroom import Check
from kfunc.datasets import digits
from kfunc.layers import Dense

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()

(x_train, y_train), (x_test, y_test) = digits()
print(x_train.shape, y_train.shape, x_test.shape, y_test.shape)


def show_digits(images, titles, colors=None):
    """A row of 28×28 digit images with a title over each."""
    figure, axes = plt.subplots(1, len(images), figsize=(0.8 * len(images), 1.1), dpi=70)
    for i, (axis, image, title) in enumerate(zip(axes, images, titles)):
        axis.imshow(image.reshape(28, 28), cmap='gray_r')
        axis.set_title(title, fontsize=9, color=colors[i] if colors else 'black')
        axis.axis('off')
    plt.show()

# %% [markdown]
# ## The data
#
# 1,438 training and 359 test images of hand-written digits (scikit-learn's 8×8 scans,
# enlarged to 28×28 and flattened to 784 numbers between 0 and 1). The labels are one-hot:
# a row of ten numbers with a 1 at the digit.

# %%
show_digits(x_train[:12], [str(d) for d in y_train[:12].argmax(axis=1)])
print("first label, one-hot:", y_train[0].astype(int))

# %% [markdown]
# ## A fresh model for every experiment
#
# Many experiments below start from the **same** untrained model, so we write a function
# that seeds everything and builds and compiles it. Same seed, same initial weights.

# %%
def fresh_model(**compile_args):
    kfunc.utils.set_random_seed(0)
    kfunc.utils.clear_session()
    inputs = Input(shape=(784,))
    x = Dense(64, activation='relu')(inputs)
    x = Dense(64, activation='relu')(x)
    predictions = Dense(10, activation='softmax')(x)
    model = Model(inputs=inputs, outputs=predictions)
    model.compile(**{'optimizer': 'rmsprop', 'loss': 'categorical_crossentropy',
                     'metrics': ['accuracy'], **compile_args})
    return model


model = fresh_model()
model

# %%
model.summary()

# %% [markdown]
# ## The four methods and their arguments
#
# Python can list a method's arguments with `inspect.signature`. These are the Keras names
# and defaults (kfunc adds a few keyword-only extras at the end, such as `device`).

# %%
for method in (Model.compile, Model.fit, Model.evaluate, Model.predict):
    print(method.__name__, inspect.signature(method), "\n")

# %% [markdown]
# ## `compile`
#
# * `optimizer`: a name (`'rmsprop'`, `'adam'`, `'sgd'`, ...) with Keras's default settings,
#   or an optimizer object when you want to choose them, such as the learning rate;
# * `loss`: a name, a function `(y_true, y_pred)`, or a `kfunc.losses` object;
# * `metrics`: what to report besides the loss; `'accuracy'` picks the right accuracy for the
#   loss (here: categorical);
# * `loss_weights`: a factor per output (useful with several outputs, lesson 03).
#
# With one output, a loss weight simply scales the loss. On the untrained model, a weight of
# 2 doubles the loss that `evaluate` reports; the accuracy does not change:

# %% tags=["nbval-ignore-output"]
plain = fresh_model().evaluate(x_test, y_test, verbose=0)
doubled = fresh_model(loss_weights=[2.0]).evaluate(x_test, y_test, verbose=0)
print(f"loss {plain[0]:.4f} -> {doubled[0]:.4f}; accuracy {plain[1]:.4f} -> {doubled[1]:.4f}")
assert np.isclose(doubled[0], 2 * plain[0]) and doubled[1] == plain[1]

# %% [markdown]
# ### Objects instead of names
#
# An optimizer object, and a loss object instead of a name, give the same training:

# %%
model = fresh_model(optimizer=kfunc.optimizers.RMSprop(learning_rate=0.001),
                    loss=kfunc.losses.CategoricalCrossentropy())
model.optimizer

# %% [markdown]
# `target_tensors` belonged to the TensorFlow 1 graph era; kfunc takes targets only in
# `fit`, and says so:

# %% tags=["raises-exception"]
fresh_model(target_tensors=[y_train])

# %% [markdown]
# ## `compile`: weighted metrics
#
# `sample_weight` (below) changes what the **loss** counts. Plain `metrics` ignore it;
# `weighted_metrics` are the same metrics computed with the weights, so a weight of 0 drops a
# sample from them. When a metric is in both lists, the weighted one is logged as
# `weighted_<name>`.
#
# A weight of 1 for the threes and 0 for every other digit turns the weighted accuracy into
# the accuracy on threes alone:

# %%
model = fresh_model(weighted_metrics=['accuracy'])
model.fit(x_train, y_train, epochs=2, verbose=0)
print(model.metrics_names)

threes = y_test.argmax(axis=1) == 3
results = model.evaluate(x_test, y_test, sample_weight=threes.astype(float), verbose=0, return_dict=True)
predicted = model.predict(x_test).argmax(axis=1)
assert np.isclose(results['weighted_accuracy'], np.mean(predicted[threes] == 3))
assert np.isclose(results['accuracy'], np.mean(predicted == y_test.argmax(axis=1)))
print("weighted_accuracy = accuracy on the threes; accuracy = on all digits")

# %% [markdown]
# ## `compile`: `sample_weight_mode='temporal'`
#
# A model with an output **per time step** can take a weight per sample *and per step*: a
# `(samples, steps)` array. `compile(sample_weight_mode='temporal')` says so (kfunc also
# reads it from the weights' shape).
#
# Our example reads each digit row by row, at the 8×8 size of the original scans: 8 steps of
# 8 pixels. An LSTM with `return_sequences=True` guesses the digit after every row. After one
# or two rows nobody could tell, so those guesses get small weights: row `r` weighs `r / 7`.

# %%
from kfunc.layers import LSTM, TimeDistributed

(rows_train, labels_train), (rows_test, labels_test) = digits(shape=(8, 8))
per_row_train = np.repeat(labels_train[:, None, :], 8, axis=1)   # the label at every row
per_row_test = np.repeat(labels_test[:, None, :], 8, axis=1)
row_weight = np.linspace(0, 1, 8)                                  # 0, 1/7, ..., 1

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()
rows = Input(shape=(8, 8))
guesses = TimeDistributed(Dense(10, activation='softmax'))(LSTM(32, return_sequences=True)(rows))
reader = Model(rows, guesses)
reader.compile(optimizer=kfunc.optimizers.Adam(learning_rate=0.005), loss='categorical_crossentropy', metrics=['accuracy'],
               weighted_metrics=['accuracy'], sample_weight_mode='temporal')
print(rows_train.shape, "->", reader.output_shape, "| weights:", np.tile(row_weight, (len(rows_train), 1)).shape)

# %% tags=["nbval-ignore-output"]
reader.fit(rows_train, per_row_train, sample_weight=np.tile(row_weight, (len(rows_train), 1)),
           batch_size=64, epochs=8, verbose=0)
by_row = (reader.predict(rows_test).argmax(axis=-1) == labels_test.argmax(axis=1)[:, None]).mean(axis=0)
figure, axis = plt.subplots(figsize=(4, 2), dpi=70)
axis.plot(range(1, 9), by_row, marker='o')
axis.set_xlabel('rows read'), axis.set_ylabel('test accuracy'), axis.set_ylim(0, 1)
plt.show()
print("accuracy after 1, 4 and 8 rows:", np.round(by_row[[0, 3, 7]], 2))
assert by_row[0] < 0.3 < 0.5 < by_row[7]

# %% [markdown]
# ### What a weight of 0 means
#
# Exactly this: give the first four rows weight 0 and scramble their
# targets. The loss and the weighted accuracy do not move; only the unweighted accuracy,
# which ignores the weights, notices:

# %%
first_rows_off = np.tile([0, 0, 0, 0, 1, 1, 1, 1], (len(rows_test), 1))
scrambled = per_row_test.copy()
scrambled[:, :4] = np.roll(scrambled[:, :4], 1, axis=-1)   # wrong digits in rows 1-4

true = reader.evaluate(rows_test, per_row_test, sample_weight=first_rows_off, verbose=0, return_dict=True)
wrong = reader.evaluate(rows_test, scrambled, sample_weight=first_rows_off, verbose=0, return_dict=True)
assert np.isclose(true['loss'], wrong['loss']) and np.isclose(true['weighted_accuracy'], wrong['weighted_accuracy'])
assert true['accuracy'] != wrong['accuracy']
print("same loss and weighted accuracy; the plain accuracy changed")

# %% [markdown]
# ## `fit`: epochs, batches and progress
#
# `batch_size` samples go into each update (32 by default), so one epoch over 1,438 images is
# `ceil(1438 / 32) = 45` updates. `verbose=0` prints nothing, `verbose=1` a progress bar per
# epoch, `verbose=2` one line per epoch. In a notebook, `verbose=1` shows the live tracker.

# %% tags=["nbval-ignore-output"]
model = fresh_model()
history = model.fit(x_train, y_train, batch_size=32, epochs=2, verbose=2)

# %% [markdown]
# ### The `History`
#
# `fit` returns a `History`: `history.history` holds one value per epoch for the loss and
# each metric, `history.epoch` the epoch numbers, and `history.params` what the run was.
# The same object stays reachable as `model.history`.

# %%
print(history)
print(history.epoch, {key: len(values) for key, values in history.history.items()})
print(history.params)
assert model.history is history and history.params['steps'] == 45

# %% [markdown]
# ## Validation: a split, or separate data
#
# `validation_split=0.2` keeps the **last** 20% of the samples for validation, taken before
# any shuffling, and trains on the rest. So the validation loss at the end of training is
# exactly what `evaluate` says about those last samples:

# %%
model = fresh_model()
history = model.fit(x_train, y_train, epochs=1, validation_split=0.2, verbose=0)

n_val = len(x_train) - history.params['samples']
print("trained on", history.params['samples'], "samples, validated on the last", n_val)
tail = model.evaluate(x_train[-n_val:], y_train[-n_val:], verbose=0, return_dict=True)
assert np.isclose(tail['loss'], history.history['val_loss'][-1])
assert np.isclose(tail['accuracy'], history.history['val_accuracy'][-1])

# %% [markdown]
# ### Separate validation data, and how often
#
# If your data is sorted (all the zeros first, say), the tail is a poor validation set:
# shuffle the arrays yourself first, or pass `validation_data=(x_val, y_val)`.
# `validation_freq=2` validates only every second epoch, and the `val_` entries of the
# history only have values for those epochs:

# %%
model = fresh_model()
history = model.fit(x_train, y_train, epochs=4, validation_data=(x_test, y_test),
                    validation_freq=2, verbose=0)
print({key: len(values) for key, values in history.history.items()})
assert len(history.history['val_loss']) == 2

# %% [markdown]
# `shuffle=True` (the default) draws a new order of the training samples every epoch; the
# seed set by `kfunc.utils.set_random_seed` makes that order the same on every run.

# %% [markdown]
# ## Class weights and sample weights
#
# `sample_weight` gives each training sample a factor in the loss: the batch loss is the mean
# of `weight × loss` over the batch. A weight of 0 means the sample teaches nothing; a weight
# of 3 counts it three times as much.
#
# `class_weight` is a shortcut: `{class: weight}`, and every sample gets the weight of its
# class. We can check that the two give **exactly** the same training:

# %%
labels = y_train.argmax(axis=1)
class_weight = {digit: 1.0 + digit / 10 for digit in range(10)}   # 9s count almost double
sample_weight = np.array([class_weight[d] for d in labels])

by_class = fresh_model()
by_class.fit(x_train, y_train, epochs=1, class_weight=class_weight, verbose=0)
by_sample = fresh_model()
by_sample.fit(x_train, y_train, epochs=1, sample_weight=sample_weight, verbose=0)

same = all(np.allclose(a, b) for a, b in zip(by_class.get_weights(), by_sample.get_weights()))
print("same weights after training:", same)
assert same

# %% [markdown]
# ### Weighted evaluation
#
# `evaluate` takes `sample_weight` too, and computes the same weighted mean. Here we redo it
# by hand from `predict`: the categorical cross-entropy of a sample is `-log` of the
# probability given to its true class.

# %%
test_weight = np.random.default_rng(0).uniform(size=len(x_test))
probabilities = by_sample.predict(x_test)
per_sample = -np.log(np.sum(y_test * probabilities, axis=1))

weighted = by_sample.evaluate(x_test, y_test, sample_weight=test_weight, verbose=0)[0]
assert np.isclose(weighted, np.mean(test_weight * per_sample), rtol=1e-4)
print("evaluate(sample_weight=w) is the mean of w * loss")

# %% [markdown]
# ## Resuming: `initial_epoch`
#
# `epochs` is the number of the **last** epoch, not a count: `fit(epochs=5, initial_epoch=3)`
# trains epochs 3 and 4 (counting from 0), which is what you want to continue an interrupted
# run of 5 epochs.

# %%
model = fresh_model()
first = model.fit(x_train, y_train, epochs=3, verbose=0)
second = model.fit(x_train, y_train, epochs=5, initial_epoch=3, verbose=0)
print(first.epoch, second.epoch)
assert second.epoch == [3, 4]

# %% [markdown]
# ## Steps: `steps_per_epoch` and `validation_steps`
#
# `steps_per_epoch=10` ends each epoch after 10 batches instead of a full pass, and
# `validation_steps=3` validates on 3 batches only. A `LambdaCallback` turns any function into
# a callback; here two of them count the training and the validation batches.

# %%
batches, val_batches = [], []
count_batches = callbacks.LambdaCallback(
    on_train_batch_end=lambda batch, logs: batches.append(batch),
    on_test_batch_end=lambda batch, logs: val_batches.append(batch))

model = fresh_model()
model.fit(x_train, y_train, epochs=2, steps_per_epoch=10, validation_data=(x_test, y_test),
          validation_steps=3, callbacks=[count_batches], verbose=0)
print(len(batches), "training batches:", batches[:12], "...")
print(len(val_batches), "validation batches:", val_batches)
assert len(batches) == 20 and len(val_batches) == 6

# %% [markdown]
# ## Callbacks
#
# A callback is an object whose methods `fit` calls at fixed moments: start and end of
# training, of each epoch, of each batch. The standard ones:
#
# * `EarlyStopping(monitor='val_loss', patience=2)` stops when the monitored value has not
#   improved for `patience` epochs (`restore_best_weights=True` goes back to the best epoch);
# * `ModelCheckpoint(path)` saves the model (or only its weights) after each epoch, or only
#   when it improved (`save_best_only=True`); `{epoch:02d}` in the path numbers the files;
# * `CSVLogger(path)` writes the history as a CSV file while training runs;
# * `LambdaCallback(on_epoch_end=...)` for a quick function of your own.
#
# We put all four on the real training run of this lesson, saving files into a temporary
# folder.

# %%
folder = tempfile.TemporaryDirectory()

epoch_lines = []
report = callbacks.LambdaCallback(
    on_epoch_end=lambda epoch, logs: epoch_lines.append(f"epoch {epoch}: val_accuracy {logs['val_accuracy']:.2f}"))

run_callbacks = [
    callbacks.EarlyStopping(monitor='val_loss', patience=2, restore_best_weights=True),
    callbacks.ModelCheckpoint(os.path.join(folder.name, 'digits-{epoch:02d}.weights'),
                              save_best_only=True, save_weights_only=True),
    callbacks.CSVLogger(os.path.join(folder.name, 'training.csv')),
    report,
]

model = fresh_model()

# %% tags=["nbval-ignore-output"]
history = model.fit(x_train, y_train, epochs=30, batch_size=32, validation_split=0.2,
                    callbacks=run_callbacks)

# %% tags=["nbval-ignore-output"]
print("\n".join(epoch_lines))
print("stopped after epoch", history.epoch[-1], "| checkpoints:", sorted(os.listdir(folder.name)))
with open(os.path.join(folder.name, 'training.csv')) as f:
    print(f.readline().strip(), f"(+ {len(f.readlines())} rows)")
assert len(history.epoch) < 30, "EarlyStopping ended the training early"
with open(os.path.join(folder.name, 'training.csv')) as f:
    assert len(f.readlines()) == 1 + len(history.epoch), "one CSV row per epoch, after the header"

# %% [markdown]
# ### Restoring the best checkpoint
#
# The checkpoints are ordinary weight files: load the best one into a fresh model.

# %%
best_file = sorted(name for name in os.listdir(folder.name) if name.endswith('.weights'))[-1]
restored = fresh_model()
restored.load_weights(os.path.join(folder.name, best_file))
assert all(np.allclose(a, b) for a, b in zip(restored.get_weights(), model.get_weights()))
print("restored the best checkpoint")

# %% [markdown]
# ## `evaluate` and `predict`
#
# `evaluate` returns the loss and the metrics, in the order of `model.metrics_names`, or a
# dict with `return_dict=True`. `predict` returns the outputs: one row of 10 probabilities per
# image.

# %% tags=["nbval-ignore-output"]
print(model.metrics_names)
results = model.evaluate(x_test, y_test, batch_size=64, return_dict=True, verbose=0)
print({name: round(value, 3) for name, value in results.items()})
print(f"accuracy: {results['accuracy']:.2f}")
assert results['accuracy'] > 0.8

# %%
probabilities = model.predict(x_test, batch_size=64)
print(probabilities.shape)
assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
assert np.isclose(np.mean(probabilities.argmax(axis=1) == y_test.argmax(axis=1)), results['accuracy'])

# %% [markdown]
# ## The predictions, right and wrong
#
# Each title is the model's answer; red ones are wrong (the true digit is in brackets).

# %% tags=["nbval-ignore-output"]
answers, truth = probabilities.argmax(axis=1), y_test.argmax(axis=1)
right, wrong = np.flatnonzero(answers == truth)[:6], np.flatnonzero(answers != truth)[:6]
shown = np.concatenate([right, wrong])
show_digits(x_test[shown], [f"{answers[i]}" if answers[i] == truth[i] else f"{answers[i]} ({truth[i]})" for i in shown],
            colors=['black' if answers[i] == truth[i] else 'red' for i in shown])
assert len(right) == 6 and len(wrong) >= 3

# %% [markdown]
# ## `evaluate` and `predict`: steps and callbacks
#
# Both take `steps` (stop after that many batches) and `callbacks`, whose
# `on_test_batch_end` (evaluate) or `on_predict_batch_end` (predict) runs after each batch.
# Two steps of 32 evaluate the first 64 test images; three steps predict 96 rows:

# %%
calls = []
listener = callbacks.LambdaCallback(on_test_batch_end=lambda batch, logs: calls.append(f"test {batch}"),
                                    on_predict_batch_end=lambda batch, logs: calls.append(f"predict {batch}"))
first_64 = model.evaluate(x_test, y_test, batch_size=32, steps=2, callbacks=[listener], verbose=0)
rows_predicted = model.predict(x_test, batch_size=32, steps=3, callbacks=[listener])
print(calls, rows_predicted.shape)
assert np.allclose(first_64, model.evaluate(x_test[:64], y_test[:64], verbose=0))

# %% [markdown]
# ## Saving and loading a whole model
#
# `model.save(path)` writes one file with everything: the architecture, the weights, the
# compile settings and the optimizer's state. `kfunc.models.load_model(path)` rebuilds the
# model from it, with no code of ours. Its predictions are identical, bit for bit:

# %%
path = os.path.join(folder.name, 'digits.keras')
model.save(path)
reloaded = kfunc.models.load_model(path)
print(reloaded.name, reloaded.optimizer, reloaded.metrics_names)
assert np.array_equal(reloaded.predict(x_test), model.predict(x_test))
print("identical predictions")

# %% [markdown]
# ### Training goes on where it stopped
#
# Because the optimizer's state (RMSprop's running averages) is in the file, training goes on
# exactly where it stopped: one more epoch, from the same seed, gives the same weights.

# %%
kfunc.utils.set_random_seed(1)
model.fit(x_train, y_train, epochs=1, verbose=0)
kfunc.utils.set_random_seed(1)
reloaded.fit(x_train, y_train, epochs=1, verbose=0)
assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), reloaded.get_weights()))
print("same weights after one more epoch")
folder.cleanup()

# %% [markdown]
# ## Teaching errors
#
# A misspelt argument is refused, with the closest real name:

# %% tags=["raises-exception"]
model.fit(x_train, y_train, epoch=3)

# %% [markdown]
# and a model that was never compiled cannot be trained:

# %% tags=["raises-exception"]
kfunc.utils.clear_session()
inputs = Input(shape=(784,))
Model(inputs, Dense(10, activation='softmax')(inputs)).fit(x_train, y_train)

# %% [markdown]
# ## Exercises
#
# 1. Train `fresh_model()` for 10 epochs with `validation_data=(x_test, y_test)` and
#    `validation_freq=3`. How many validation losses does the history hold?
# 2. Write a `LambdaCallback` that stops training as soon as the training accuracy of an
#    epoch exceeds 0.9 (set `model.stop_training = True`), and train `fresh_model()` with it
#    for up to 20 epochs. Keep what `fit` returns.
# 3. Give the digit 0 a `class_weight` of 0 and every other digit 1, train `fresh_model()`
#    for 5 epochs, and measure the test accuracy on the zeros alone. What happened?
# 4. Write `sample_weight` for the 359 test images that makes `evaluate`'s
#    `weighted_accuracy` the accuracy on the digits 0 and 1 only.

# %% tags=["exercise"]
# Exercise 1: replace None with the number of validation losses.
validation_losses = None

# %% tags=["check"]
check_1 = Check("12.1", digest="4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce",
                hint="validation_freq=3 validates after every third epoch, counting epochs from 1.")
check_1(validation_losses)

# %% tags=["exercise"]
# Exercise 2: replace None with the History that fit returned.
stopped_history = None

# %% tags=["check"]
check_2 = Check("12.2", test=lambda h: (h.history['accuracy'][-1] > 0.9 and len(h.epoch) < 20
                                         and all(a <= 0.9 for a in h.history['accuracy'][:-1])),
                hint="Set model.stop_training = True inside on_epoch_end when logs['accuracy'] > 0.9.")
check_2(stopped_history)

# %% tags=["exercise"]
# Exercise 3: replace None with the test accuracy on the images of zeros (a number from 0 to 1).
accuracy_on_zeros = None

# %% tags=["check"]
check_3 = Check("12.3", test=lambda a: 0 <= a < 0.2,
                hint="Compare predict(...).argmax(axis=1) with the labels on the test images whose label is 0.")
check_3(accuracy_on_zeros)

# %% tags=["exercise"]
# Exercise 4: replace None with an array of 359 sample weights.
zeros_and_ones = None

# %% tags=["check"]
check_4 = Check("12.4", test=lambda w: (np.shape(w) == (len(y_test),)
                                         and np.array_equal(np.asarray(w) > 0, np.isin(y_test.argmax(axis=1), [0, 1]))),
                hint="A weighted metric skips the samples of weight 0 and counts the others.")
check_4(zeros_and_ones)

# %% [markdown] tags=["answer"] jp-MarkdownHeadingCollapsed=true
# ### Worked answers

# %% [markdown] tags=["answer"]
# **1.** Epochs 3, 6 and 9 (counting from 1) validate: three validation losses.

# %% tags=["answer"]
model = fresh_model()
history = model.fit(x_train, y_train, epochs=10, validation_data=(x_test, y_test),
                    validation_freq=3, verbose=0)
validation_losses = len(history.history['val_loss'])
check_1(validation_losses)

# %% [markdown] tags=["answer"]
# **2.** Once a callback sets `model.stop_training = True`, `fit` ends after the current
# epoch's work is done:

# %% tags=["answer"]
model = fresh_model()

def stop_when_good(epoch, logs):
    if logs['accuracy'] > 0.9:
        model.stop_training = True

stopped_history = model.fit(x_train, y_train, epochs=20, verbose=0,
                            callbacks=[callbacks.LambdaCallback(on_epoch_end=stop_when_good)])
check_2(stopped_history)

# %% [markdown] tags=["answer"]
# **3.** Zeros carry no weight, so nothing pushes the model to ever answer 0: it learns the
# other nine digits and misclassifies almost every zero.

# %% tags=["answer"]
model = fresh_model()
model.fit(x_train, y_train, epochs=5, class_weight={d: float(d != 0) for d in range(10)}, verbose=0)
predicted = model.predict(x_test).argmax(axis=1)
zeros = y_test.argmax(axis=1) == 0
accuracy_on_zeros = np.mean(predicted[zeros] == 0)
check_3(accuracy_on_zeros)

# %% [markdown] tags=["answer"]
# **4.** Weight 1 for the zeros and ones, 0 for the rest; the weighted accuracy then counts
# only them:

# %% tags=["answer"]
zeros_and_ones = np.isin(y_test.argmax(axis=1), [0, 1]).astype(float)
check_4(zeros_and_ones)

# %% [markdown]
# ## Next
#
# Next: [13 · From the Keras 1 guide to today](13_keras1_to_today.ipynb). Lesson 14 goes beyond the guide: data-parallel training, compiled steps and mixed precision are there. All lessons are listed in the [index](README.md).
