"""A small convnet on hand-written digits (the Keras examples' mnist_cnn)."""

import kfunc as keras
from kfunc import backend as K
from kfunc.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from kfunc.models import Sequential


def run(workdir):
    img_rows, img_cols = 28, 28
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits(one_hot=False)
    x_train, y_train, x_test = x_train[:512], y_train[:512], x_test[:128]
    if K.image_data_format() == "channels_first":
        x_train = x_train.reshape(x_train.shape[0], 1, img_rows, img_cols)
        x_test = x_test.reshape(x_test.shape[0], 1, img_rows, img_cols)
        input_shape = (1, img_rows, img_cols)
    else:
        x_train = x_train.reshape(x_train.shape[0], img_rows, img_cols, 1)
        x_test = x_test.reshape(x_test.shape[0], img_rows, img_cols, 1)
        input_shape = (img_rows, img_cols, 1)
    y_train = keras.utils.to_categorical(y_train, 10)

    model = Sequential()
    model.add(Conv2D(8, kernel_size=(3, 3), activation="relu", input_shape=input_shape))
    model.add(Conv2D(16, (3, 3), activation="relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(32, activation="relu"))
    model.add(Dropout(0.5))
    model.add(Dense(10, activation="softmax"))
    model.compile(loss=keras.losses.categorical_crossentropy, optimizer=keras.optimizers.Adadelta(learning_rate=1.0),
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=64, epochs=3, verbose=0)

    model.save(workdir / "cnn.keras")
    again = keras.models.load_model(workdir / "cnn.keras")
    return history.history["loss"], model.predict(x_test), again.predict(x_test)
