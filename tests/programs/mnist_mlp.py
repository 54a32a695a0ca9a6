"""A multilayer perceptron on hand-written digits (the Keras examples' mnist_mlp)."""

import kfunc as keras
from kfunc.layers import Dense, Dropout
from kfunc.models import Sequential
from kfunc.optimizers import RMSprop


def run(workdir):
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits(one_hot=False)
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)

    model = Sequential()
    model.add(Dense(128, activation="relu", input_shape=(784,)))
    model.add(Dropout(0.2))
    model.add(Dense(128, activation="relu"))
    model.add(Dropout(0.2))
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer=RMSprop(), metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=64, epochs=4, verbose=0, validation_data=(x_test, y_test))
    score = model.evaluate(x_test, y_test, verbose=0)
    assert score[1] > 0.8, score

    model.save(workdir / "mlp.h5")
    again = keras.models.load_model(workdir / "mlp.h5")
    return history.history["loss"], model.predict(x_test), again.predict(x_test)
