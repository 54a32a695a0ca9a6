"""A classifier whose learning rate decays exponentially (the keras.io optimizers page's example).

keras.io shows ``keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=1e-2,
decay_steps=10000, decay_rate=0.9)`` given to ``SGD(learning_rate=...)``, and, per
epoch, the ``LearningRateScheduler`` callback with a function of the epoch. This
program does both: a schedule given to the optimizer decays the rate at every step,
and the callback decays it per epoch, reading the rates from a schedule.
"""

import numpy as np

import kfunc as keras
from kfunc import backend as K
from kfunc.layers import Dense, Dropout, Input
from kfunc.optimizers.schedules import ExponentialDecay


def run(workdir):
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits()

    inputs = Input(shape=(784,))
    x = Dense(64, activation="relu")(inputs)
    x = Dropout(0.1)(x)
    outputs = Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)

    lr_schedule = ExponentialDecay(initial_learning_rate=0.1, decay_steps=1, decay_rate=0.7, staircase=True)
    rates = []

    def scheduler(epoch, lr):
        return lr_schedule(epoch)

    record = keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: rates.append(
        K.get_value(model.optimizer.lr)))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=64, epochs=4, verbose=0, validation_data=(x_test, y_test),
                        callbacks=[keras.callbacks.LearningRateScheduler(scheduler), record])
    np.testing.assert_allclose(rates, [0.1, 0.07, 0.049, 0.0343], rtol=1e-6)
    np.testing.assert_allclose(history.history["lr"], rates, rtol=1e-6)
    assert history.history["val_accuracy"][-1] > 0.8, history.history

    # the schedule given to the optimizer: the rate falls at every step, and saves with the model
    steps = keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=1e-2, decay_steps=10, decay_rate=0.9)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=steps), loss="categorical_crossentropy")
    model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0)
    done = model.optimizer.iterations
    np.testing.assert_allclose(K.get_value(model.optimizer.lr), 1e-2 * 0.9 ** (done / 10), rtol=1e-6)

    model.save(workdir / "decayed.h5")
    again = keras.models.load_model(workdir / "decayed.h5")
    assert isinstance(again.optimizer.learning_rate, float) and again.optimizer.iterations == done
    return history.history["loss"], model.predict(x_test), again.predict(x_test)
