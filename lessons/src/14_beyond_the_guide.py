# %% [markdown]
# # 14 · Beyond the guide: today's functional API and its PyTorch bridge
#
# The guide stops at the layer node. This lesson takes the model of lesson 01 further, with
# what real programs do today and what kfunc adds because it runs on PyTorch:
#
# * **feature extraction**: a model whose outputs are the inner layers' outputs;
# * **a layer of your own**, with weights (`add_weight`) and a config (`get_config`), saved
#   and loaded back;
# * **the model is a `torch.nn.Module`**: its PyTorch code (`model.code`), and a training
#   loop written by hand in plain torch;
# * **speed and scale**: `torch.compile`, mixed precision, data-parallel training;
# * **what Keras 3 changed** in all this, and what to write there.

# %%
import os
import tempfile

import matplotlib.pyplot as plt
import numpy as np
import torch

import kfunc
from kfunc import Input, Model, mixed_precision
from kfunc.classroom import Check
from kfunc.datasets import digits
from kfunc.layers import Dense, Layer

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()

(x_train, y_train), (x_test, y_test) = digits()


def show_digits(images, titles, colors=None):
    """A row of 28×28 digit images with a title over each."""
    figure, axes = plt.subplots(1, len(images), figsize=(0.8 * len(images), 1.1), dpi=70)
    for i, (axis, image, title) in enumerate(zip(axes, images, titles)):
        axis.imshow(image.reshape(28, 28), cmap='gray_r')
        axis.set_title(title, fontsize=9, color=colors[i] if colors else 'black')
        axis.axis('off')
    plt.show()

# %% [markdown]
# ## The data and the model
#
# Hand-written digits, 28×28 pixels flattened to 784 numbers, with one-hot labels, as in
# lesson 01:

# %%
show_digits(x_train[:12], [str(d) for d in y_train[:12].argmax(axis=1)])
print(x_train.shape, y_train.shape, x_test.shape, y_test.shape)

# %% [markdown]
# ### The model
#
# The model of lesson 01, with names for its layers, so we can find them again:

# %%
inputs = Input(shape=(784,), name='pixels')
hidden_1 = Dense(64, activation='relu', name='hidden_1')(inputs)
hidden_2 = Dense(64, activation='relu', name='hidden_2')(hidden_1)
predictions = Dense(10, activation='softmax', name='digit')(hidden_2)
model = Model(inputs=inputs, outputs=predictions)
model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
model

# %% tags=["nbval-ignore-output"]
history = model.fit(x_train, y_train, epochs=8, validation_split=0.2)

# %% tags=["nbval-ignore-output"]
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"accuracy: {accuracy:.2f}")
assert accuracy > 0.85

# %% [markdown]
# ## Feature extraction through the nodes
#
# Every layer that was called once has one node, and `layer.output` is its output tensor
# (lesson 06). A new `Model` from the same input to **those** tensors computes every inner
# layer at once. It makes no new weights: it reuses the trained layers.

# %%
extractor = Model(inputs=model.inputs, outputs=[layer.output for layer in model.layers[1:]])
features = extractor.predict(x_test)
print([f.shape for f in features])
assert extractor.get_layer('hidden_1') is model.get_layer('hidden_1')
assert np.allclose(features[-1], model.predict(x_test))

# %% [markdown]
# ### What the last hidden layer learned
#
# Each test digit is 64 numbers at `hidden_2`. Projected onto their two main directions
# (a principal-component analysis, done with numpy), the digits gather by class, though the
# model never saw these images:

# %% tags=["nbval-ignore-output"]
hidden = features[1]
centred = hidden - hidden.mean(axis=0)
directions = np.linalg.svd(centred, full_matrices=False)[2][:2]
projected = centred @ directions.T
labels = y_test.argmax(axis=1)

figure, axis = plt.subplots(figsize=(4, 3.2), dpi=70)
for digit in range(10):
    points = projected[labels == digit]
    axis.scatter(points[:, 0], points[:, 1], s=8, color=plt.cm.tab10(digit), label=str(digit))
    axis.annotate(str(digit), points.mean(axis=0), fontsize=12, weight='bold')
axis.set_xticks([]), axis.set_yticks([]), axis.set_title('hidden_2, 2-D projection', fontsize=10)
plt.show()

# how well do the 64 features alone separate the classes? the nearest class mean, per digit
means = np.stack([hidden[labels == d].mean(axis=0) for d in range(10)])
nearest = np.argmin(((hidden[:, None, :] - means[None]) ** 2).sum(axis=-1), axis=1)
print(f"nearest class mean in hidden_2: {np.mean(nearest == labels):.2f} right")
assert np.mean(nearest == labels) > 0.75

# %% [markdown]
# ## A layer of your own
#
# A layer is a class with up to four methods:
#
# * `__init__` keeps the settings;
# * `build(input_shape)` makes the weights with `add_weight`, once the input size is known;
# * `call(inputs)` computes the output (torch operations work here);
# * `get_config()` returns the settings, so that a saved model can make the layer again.
#
# `Gain` multiplies each feature by a learned factor, one per feature, starting at `initial`:

# %%
class Gain(Layer):
    """Multiplies each feature by its own learned factor."""

    def __init__(self, initial=1.0, **kwargs):
        super().__init__(**kwargs)
        self.initial = initial

    def build(self, input_shape):
        self.gain = self.add_weight(name='gain', shape=(input_shape[-1],),
                                    initializer=kfunc.initializers.Constant(self.initial))

    def call(self, inputs):
        return inputs * self.gain

    def get_config(self):
        return {**super().get_config(), 'initial': self.initial}


kfunc.utils.set_random_seed(0)
pixels = Input(shape=(784,))
gained = Gain(initial=0.5, name='gain')(Dense(64, activation='relu')(pixels))
custom = Model(pixels, Dense(10, activation='softmax')(gained))
custom.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
custom.summary()
print(custom.get_layer('gain').get_config())

# %% tags=["nbval-ignore-output"]
custom.fit(x_train, y_train, epochs=3, verbose=0)
gains = custom.get_layer('gain').get_weights()[0]
print(f"gains after training: from {gains.min():.2f} to {gains.max():.2f} (all started at 0.5)")
assert gains.max() - gains.min() > 0.02

# %% [markdown]
# ### Saving and loading it
#
# The file stores the layer's **class name** and its config, not its code. Loading it in a
# program that does not say what `Gain` is fails, and the error says what to pass:

# %% tags=["raises-exception"]
folder = tempfile.TemporaryDirectory()
path = os.path.join(folder.name, 'gain.keras')
custom.save(path)
kfunc.models.load_model(path)

# %%
again = kfunc.models.load_model(path, custom_objects={'Gain': Gain})
assert np.array_equal(again.predict(x_test), custom.predict(x_test))
print(type(again.get_layer('gain')).__name__, again.get_layer('gain').initial, "| identical predictions")
folder.cleanup()

# %% [markdown]
# ## The model is a `torch.nn.Module`
#
# A kfunc model is a PyTorch module. The graph you built becomes ordinary PyTorch code, which
# you can read:

# %%
print(isinstance(model, torch.nn.Module))
print(model.code)

# %% [markdown]
# ### Its parameters, and calling it
#
# Its weights are the module's parameters, under their layers' names, and calling it on a
# torch tensor runs that code:

# %%
for name, parameter in model.named_parameters():
    print(f"{name:22} {tuple(parameter.shape)}")
with torch.no_grad():
    outputs = model(torch.from_numpy(x_test[:3]))
print(type(outputs).__name__, tuple(outputs.shape))
assert np.allclose(outputs.numpy(), model.predict(x_test[:3]), atol=1e-6)

# %% [markdown]
# ### Training it with a loop written by hand
#
# So any PyTorch code can train it. Here is plain stochastic gradient descent: batches of
# 32, in order, the cross-entropy of the softmax written out. The same model trained by
# `fit`, with the same optimizer and the same batches, ends with the same weights: `fit`
# is this loop plus losses by name, metrics, callbacks and the tracker.

# %%
def lesson_01_model():
    kfunc.utils.set_random_seed(0)
    kfunc.utils.clear_session()
    inputs = Input(shape=(784,))
    hidden = Dense(64, activation='relu')(Dense(64, activation='relu')(inputs))
    return Model(inputs, Dense(10, activation='softmax')(hidden))


by_hand = lesson_01_model()
optimizer = torch.optim.SGD(by_hand.parameters(), lr=0.1)
images, targets = torch.from_numpy(x_train), torch.from_numpy(y_train)
for epoch in range(3):
    for start in range(0, len(images), 32):
        probabilities = by_hand(images[start:start + 32])
        loss = -(targets[start:start + 32] * torch.log(probabilities)).sum(dim=1).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

by_fit = lesson_01_model()
by_fit.compile(optimizer=kfunc.optimizers.SGD(learning_rate=0.1), loss='categorical_crossentropy')
by_fit.fit(x_train, y_train, batch_size=32, epochs=3, shuffle=False, verbose=0)

largest = max(np.abs(a - b).max() for a, b in zip(by_hand.get_weights(), by_fit.get_weights()))
assert largest < 1e-4
print("the same weights, to float rounding")

# %% [markdown]
# ### kfunc measures what torch trained
#
# And kfunc's `evaluate` measures the weights the hand-written loop trained:

# %% tags=["nbval-ignore-output"]
by_hand.compile(optimizer='sgd', loss='categorical_crossentropy', metrics=['accuracy'])
print(f"largest difference from fit: {largest:.1e}; "
      f"test accuracy of the loop: {by_hand.evaluate(x_test, y_test, verbose=0)[1]:.2f}")
assert by_hand.evaluate(x_test, y_test, verbose=0)[1] > 0.85

# %% [markdown]
# ## `torch.compile`
#
# `torch.compile` reads a module's computation as a graph and hands it to a *backend* that
# makes it faster. A backend is a function; ours only lists the operations it receives:

# %%
def list_operations(graph_module, example_inputs):
    print([node.target.__name__ for node in graph_module.graph.nodes if node.op == 'call_function'])
    return graph_module.forward   # run it as it is


compiled = torch.compile(model, backend=list_operations)
with torch.no_grad():
    assert torch.allclose(compiled(torch.from_numpy(x_test)), model(torch.from_numpy(x_test)))

# %% [markdown]
# ### `jit_compile=True`
#
# The default backend, `inductor`, fuses these operations into generated C++ or GPU kernels.
# That takes seconds to minutes the first time, so this lesson does not run it; in your own
# programs, one argument of `compile` puts training, evaluation and prediction through it:
#
# ```python
# model.compile(optimizer='rmsprop', loss='categorical_crossentropy',
#               metrics=['accuracy'], jit_compile=True)
# ```
#
# The first batch waits for the compiler; the following ones run faster (on a GPU, often
# much faster). Where compiling fails, kfunc warns and runs the model as before.

# %% [markdown]
# ## Mixed precision
#
# Computing in 16-bit numbers halves the memory traffic and uses a GPU's tensor cores. Keras's
# switch sets it for the models compiled after it. The weights stay 32-bit (small updates are
# not lost), and the outputs come back 32-bit. `bfloat16` also works on CPUs:

# %% tags=["nbval-ignore-output"]
mixed_precision.set_global_policy('mixed_bfloat16')
half = lesson_01_model()
half.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
half.fit(x_train, y_train, epochs=3, verbose=0)
mixed_precision.set_global_policy('float32')   # back to the default for what follows

half_accuracy = half.evaluate(x_test, y_test, verbose=0)[1]
print(f"weights {half.get_weights()[0].dtype}, predictions {half.predict(x_test[:1]).dtype}, "
      f"test accuracy {half_accuracy:.2f}")
assert half.get_weights()[0].dtype == np.float32 and half_accuracy > 0.85

# %% [markdown]
# ## Data-parallel training
#
# With several GPUs (or machines), `fit` trains data-parallel when the script runs under
# `torchrun`: each process takes its share of every batch, and the gradients are averaged,
# so every process keeps the same weights. Nothing in the code changes. Put this lesson's
# training in `train.py` and start it as:
#
# ```bash
# torchrun --nproc_per_node=2 train.py
# ```
#
# `batch_size` stays the size of the whole batch, split between the processes; only process
# 0 shows progress and writes files.

# %% [markdown]
# ## Predictions, right and wrong
#
# The answers of the model trained by the hand-written loop (red: wrong, the true digit in
# brackets):

# %% tags=["nbval-ignore-output"]
answers, truth = by_hand.predict(x_test).argmax(axis=1), y_test.argmax(axis=1)
shown = np.concatenate([np.flatnonzero(answers == truth)[:6], np.flatnonzero(answers != truth)[:6]])
show_digits(x_test[shown], [f"{answers[i]}" if answers[i] == truth[i] else f"{answers[i]} ({truth[i]})" for i in shown],
            colors=['black' if answers[i] == truth[i] else 'red' for i in shown])
assert np.sum(answers != truth) >= 3

# %% [markdown]
# ## What Keras 3 changed, and what to write there
#
# Everything in this lesson is written as tf.keras 2 writes it. In Keras 3:
#
# * **feature extraction** works the same way: `Model(inputs, [layer.output ...])`. But
#   `layer.output` returns the first node's tensor even for a shared layer, with no error,
#   and `get_output_at(i)` is gone: keep the tensors your calls return (lesson 13).
# * **a model from an inner tensor**, `Model(hidden_1, predictions)`, copies that part of
#   the graph with a new `Input`;
# * **names count from 0** (`dense`, `dense_1`), as in kfunc; inputs are `input_layer`,
#   models `functional`; there is no `model.input_names`: write
#   `[t.name for t in model.inputs]`;
# * **losses and metrics for several outputs** are given per output: the guide's one loss
#   with two `loss_weights`, or one `metrics` list for two outputs, is an error (lesson 13);
# * **plain operations on tensors** (`x + y`, `keras.ops.relu(x)`) become steps of the
#   graph, listed in `model.operations`, not in `model.layers`.

# %% [markdown]
# ## Exercises
#
# 1. Make a model that gives, for a batch of images, the 64 outputs of `hidden_1` of the
#    trained `model` (no new weights).
# 2. How many numbers does the `Gain` layer in `custom` learn?
# 3. How many numbers does `model.parameters()` hold in all? Count them in torch.

# %% tags=["exercise"]
# Exercise 1: replace None with your model.
first_layer_model = None

# %% tags=["check"]
check_1 = Check("14.1", test=lambda m: (m.output_shape == (None, 64)
                                         and np.allclose(m.predict(x_test[:5]), features[0][:5], atol=1e-5)),
                hint="Model(inputs=model.inputs, outputs=...) with the output tensor of the layer named 'hidden_1'.")
check_1(first_layer_model)

# %% tags=["exercise"]
# Exercise 2: replace None with a number.
gain_numbers = None

# %% tags=["check"]
check_2 = Check("14.2", digest="a68b412c4282555f15546cf6e1fc42893b7e07f271557ceb021821098dd66c1b",
                hint="build() makes one factor per feature of its input: how many features reach it?")
check_2(gain_numbers)

# %% tags=["exercise"]
# Exercise 3: replace None with a number computed from model.parameters().
parameter_count = None

# %% tags=["check"]
check_3 = Check("14.3", digest="0c1aaffd586b54c4f07cc4b3021427df0cda79ef32a9d738a70748247810b7d8",
                hint="Each parameter is a tensor: add up their .numel().")
check_3(parameter_count)

# %% [markdown] tags=["answer"] jp-MarkdownHeadingCollapsed=true
# ### Worked answers

# %% [markdown] tags=["answer"]
# **1.** One output tensor, the first hidden layer's, from the same input:

# %% tags=["answer"]
first_layer_model = Model(inputs=model.inputs, outputs=model.get_layer('hidden_1').output)
check_1(first_layer_model)

# %% [markdown] tags=["answer"]
# **2.** One factor per feature of its input, the 64 outputs of the `Dense` before it:

# %% tags=["answer"]
gain_numbers = custom.get_layer('gain').count_params()
check_2(gain_numbers)

# %% [markdown] tags=["answer"]
# **3.** The same as `model.count_params()`, 784·64 + 64 + 64·64 + 64 + 64·10 + 10:

# %% tags=["answer"]
parameter_count = sum(p.numel() for p in model.parameters())
assert parameter_count == model.count_params()
check_3(parameter_count)

# %% [markdown]
# ## Next
#
# That was the last lesson. All lessons are listed in the [index](README.md).
