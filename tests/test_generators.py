"""fit, evaluate and predict on a kfunc.utils.Sequence or a generator, and tf.keras 2's *_generator aliases.

A Sequence or a generator hands over whole batches (see kfunc/training/batch_source.py):
the same batches given as arrays must give the same training, to the last digit.
"""

import warnings

import numpy as np
import pytest
import torch

import kfunc
from kfunc import Input, Model, Sequential
from kfunc.layers import Dense
from kfunc.utils import Sequence

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 4)).astype("float32")
Y = (X.sum(axis=1, keepdims=True) > 0).astype("float32")
W = RNG.uniform(0.5, 2.0, size=40).astype("float32")


class Batches(Sequence):
    """Batches of ``size`` in order; records which batches were asked for, and the epoch ends."""

    def __init__(self, x, y=None, size=8, weights=None):
        self.x, self.y, self.size, self.weights = x, y, size, weights
        self.asked, self.ends = [], 0

    def __len__(self):
        return int(np.ceil(len(self.x) / self.size))

    def __getitem__(self, index):
        self.asked.append(index)
        part = slice(index * self.size, (index + 1) * self.size)
        if self.y is None:
            return self.x[part]
        if self.weights is None:
            return self.x[part], self.y[part]
        return self.x[part], self.y[part], self.weights[part]

    def on_epoch_end(self):
        self.ends += 1


def endless(x, y, size=8, weights=None):
    """Batches in order, forever, as Keras 2 generators are written."""
    while True:
        for start in range(0, len(x), size):
            part = slice(start, start + size)
            yield (x[part], y[part]) if weights is None else (x[part], y[part], weights[part])


def model_pair():
    """Two compiled models with the same weights."""
    def make():
        inputs = Input(shape=(4,))
        model = Model(inputs, Dense(1, activation="sigmoid")(Dense(6, activation="tanh")(inputs)))
        model.compile(kfunc.optimizers.SGD(0.1), "binary_crossentropy", metrics=["accuracy"])
        return model
    a, b = make(), make()
    b.set_weights(a.get_weights())
    return a, b


def same_weights(a, b):
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------- Sequence


def test_fit_on_a_sequence_equals_fit_on_the_same_batches_as_arrays():
    arrays, batches = model_pair()
    h1 = arrays.fit(X, Y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    h2 = batches.fit(Batches(X, Y), epochs=3, shuffle=False, verbose=0)
    same_weights(arrays, batches)
    np.testing.assert_allclose(h2.history["loss"], h1.history["loss"], rtol=1e-6)
    assert set(h2.history) == {"loss", "accuracy"}


def test_sample_weights_from_the_batches_equal_sample_weight_on_arrays():
    arrays, batches = model_pair()
    arrays.fit(X, Y, sample_weight=W, batch_size=8, epochs=2, shuffle=False, verbose=0)
    batches.fit(Batches(X, Y, weights=W), epochs=2, shuffle=False, verbose=0)
    same_weights(arrays, batches)


def test_class_weight_is_applied_batch_by_batch():
    arrays, batches = model_pair()
    arrays.fit(X, Y, class_weight={0: 1.0, 1: 3.0}, batch_size=8, epochs=1, shuffle=False, verbose=0)
    batches.fit(Batches(X, Y), class_weight={0: 1.0, 1: 3.0}, epochs=1, shuffle=False, verbose=0)
    same_weights(arrays, batches)


def test_on_epoch_end_is_called_after_every_epoch_and_every_pass():
    model, _ = model_pair()
    train, val = Batches(X, Y), Batches(X[:16], Y[:16])
    model.fit(train, epochs=3, validation_data=val, verbose=0)
    assert (train.ends, val.ends) == (3, 3)
    model.evaluate(train, verbose=0)
    model.predict(Batches(X), verbose=0)
    assert train.ends == 4


def test_shuffle_visits_every_batch_once_per_epoch_in_a_new_order():
    model, _ = model_pair()
    train = Batches(X, Y)
    kfunc.utils.set_random_seed(1)
    model.fit(train, epochs=4, verbose=0)  # shuffle=True by default, as in Keras
    first = train.asked[0]
    epochs = [train.asked[1 + 5 * e:1 + 5 * (e + 1)] for e in range(4)]  # (batch `first` was checked first)
    assert first == 0 and all(sorted(e) == [0, 1, 2, 3, 4] for e in epochs)
    assert len({tuple(e) for e in epochs}) > 1
    ordered = Batches(X, Y)
    model.fit(ordered, epochs=2, shuffle=False, verbose=0)
    assert ordered.asked == [0] + [0, 1, 2, 3, 4] * 2


def test_steps_per_epoch_on_a_sequence_continues_where_the_last_epoch_stopped():
    model, _ = model_pair()
    train = Batches(X, Y)
    history = model.fit(train, epochs=3, steps_per_epoch=2, shuffle=False, verbose=0)
    assert train.asked == [0, 0, 1, 2, 3, 4, 0] and len(history.history["loss"]) == 3


def test_evaluate_and_predict_on_a_sequence_equal_the_arrays():
    model, _ = model_pair()
    np.testing.assert_allclose(model.evaluate(Batches(X, Y), verbose=0),
                               model.evaluate(X, Y, batch_size=8, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(model.predict(Batches(X), verbose=0), model.predict(X, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(model.predict(Batches(X, Y)), model.predict(X), rtol=1e-6)  # y is ignored
    assert model.evaluate(Batches(X, Y), steps=2, return_dict=True).keys() == {"loss", "accuracy"}


def test_callbacks_see_the_number_of_batches_as_steps():
    seen = []

    class Steps(kfunc.callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen.append(self.params["steps"])

    model, _ = model_pair()
    model.fit(Batches(X, Y), epochs=1, verbose=0, callbacks=[Steps()])
    model.fit(endless(X, Y), steps_per_epoch=3, epochs=1, verbose=0, callbacks=Steps())
    assert seen == [5, 3]


# ---------------------------------------------------------------- generators


def test_fit_on_a_generator_equals_fit_on_arrays_and_continues_across_epochs():
    arrays, batches = model_pair()
    arrays.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    batches.fit(endless(X, Y), steps_per_epoch=5, epochs=2, verbose=0)
    same_weights(arrays, batches)
    arrays, batches = model_pair()
    arrays.fit(X[:32], Y[:32], batch_size=8, epochs=1, shuffle=False, verbose=0)
    batches.fit(endless(X, Y), steps_per_epoch=2, epochs=2, verbose=0)  # batches 0, 1, then 2, 3
    same_weights(arrays, batches)


def test_generator_validation_data_with_validation_steps():
    model, _ = model_pair()
    drawn = []

    def counted():
        for batch in endless(X, Y):
            drawn.append(1)
            yield batch

    history = model.fit(endless(X, Y), steps_per_epoch=3, epochs=2, validation_data=counted(),
                        validation_steps=2, verbose=0)
    # two validations of two batches (the first batch, drawn to check it, is the first validated)
    assert "val_loss" in history.history and len(drawn) == 2 * 2


def test_array_validation_data_with_generator_training():
    model, _ = model_pair()
    history = model.fit(endless(X, Y), steps_per_epoch=2, epochs=1, validation_data=(X, Y), verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(X, Y, verbose=0)[0], rel=1e-6)


def test_predict_and_evaluate_on_a_generator_with_steps():
    model, _ = model_pair()
    images = (X[i:i + 8] for i in range(0, 40, 8))
    np.testing.assert_allclose(model.predict(images, steps=5), model.predict(X), rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(endless(X, Y), steps=5, verbose=0),
                               model.evaluate(X, Y, batch_size=8, verbose=0), rtol=1e-6)


def test_an_unbuilt_sequential_model_is_built_from_the_first_batch():
    model = Sequential([Dense(3, activation="relu"), Dense(1)])
    model.compile("adam", "mse")
    model.fit(endless(X, Y), steps_per_epoch=2, verbose=0)
    assert model.input_shape == (None, 4) and model.predict(X[:2]).shape == (2, 1)


def test_a_multi_input_model_takes_batches_with_lists_and_dicts():
    a, b = Input(shape=(4,), name="a"), Input(shape=(2,), name="b")
    model = Model([a, b], Dense(1)(kfunc.layers.concatenate([a, b])))
    model.compile("sgd", "mse")
    extra = RNG.normal(size=(40, 2)).astype("float32")

    def by_list():
        while True:
            yield [X[:8], extra[:8]], Y[:8]

    def by_name():
        while True:
            yield {"a": X[:8], "b": extra[:8]}, Y[:8]

    model.fit(by_list(), steps_per_epoch=2, verbose=0)
    model.fit(by_name(), steps_per_epoch=2, verbose=0)
    assert model.predict(iter([[X[:3], extra[:3]]]), steps=1).shape == (3, 1)


# ---------------------------------------------------------------- mistakes


def test_a_generator_needs_steps():
    model, _ = model_pair()
    with pytest.raises(ValueError, match=r"fit\(\) was given a generator, which has no length.*steps_per_epoch=100"):
        model.fit(endless(X, Y))
    with pytest.raises(ValueError, match=r"predict\(\) was given a generator.*steps=100"):
        model.predict(iter([X]))


def test_a_generator_that_runs_out_says_how_to_fix_it():
    model, _ = model_pair()
    with pytest.raises(ValueError, match=r"stopped after 2 batches.*steps_per_epoch=3.*while True"):
        model.fit(iter([(X[:8], Y[:8]), (X[8:16], Y[8:16])]), steps_per_epoch=3, verbose=0)


@pytest.mark.parametrize("call, match", [
    (lambda m: m.fit(Batches(X, Y), Y), r"fit\(y=...\) is for arrays; with a Sequence as x"),
    (lambda m: m.fit(endless(X, Y), batch_size=8, steps_per_epoch=2), r"fit\(batch_size=...\) is for arrays"),
    (lambda m: m.fit(Batches(X, Y), validation_split=0.2), r"validation_split=0.2.*Pass validation_data"),
    (lambda m: m.fit(iter([(X, Y, W, W)]), steps_per_epoch=1), r"got a tuple of 4 parts"),
    (lambda m: m.fit(iter([X]), steps_per_epoch=1), r"must be a tuple \(x, y\).*got ndarray"),
    (lambda m: m.evaluate(Batches(X, Y), sample_weight=W), r"evaluate\(sample_weight=...\) is for arrays"),
])
def test_arguments_for_arrays_are_refused_with_batches(call, match):
    model, _ = model_pair()
    with pytest.raises(ValueError, match=match):
        call(model)


def test_a_bad_first_batch_is_refused_before_training():
    model, _ = model_pair()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match="input"):
        model.fit(endless(X[:, :3], Y), steps_per_epoch=2, verbose=0)
    same_weights_to(model, before)


def same_weights_to(model, weights):
    for got, want in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, want)


def test_an_unfinished_sequence_says_what_to_define():
    class Empty(Sequence):
        pass

    with pytest.raises(NotImplementedError, match="define __len__"):
        len(Empty())
    with pytest.raises(NotImplementedError, match="define __getitem__"):
        Empty()[0]
    assert len(list(Batches(X[:16], Y[:16]))) == 2 and kfunc.utils.PyDataset is Sequence
    Sequence(workers=4, use_multiprocessing=True, max_queue_size=2)  # Keras 3's arguments are taken


# ---------------------------------------------------------------- the *_generator aliases


def test_generator_aliases_do_what_the_modern_calls_do_and_warn_once_per_line():
    arrays, batches = model_pair()
    arrays.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            history = batches.fit_generator(endless(X, Y), 5, epochs=1, verbose=0, workers=4)
        results = batches.evaluate_generator(endless(X, Y), steps=5)
        predictions = batches.predict_generator(Batches(X))
    same_weights(arrays, batches)
    assert len(history.history["loss"]) == 1
    np.testing.assert_allclose(results, batches.evaluate(X, Y, batch_size=8, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(predictions, batches.predict(X), rtol=1e-6)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 3, messages  # the loop's line warned once
    assert messages[0].startswith("Model.fit_generator is deprecated: model.fit takes generators and Sequences")
    assert all(w.filename == __file__ for w in caught)
