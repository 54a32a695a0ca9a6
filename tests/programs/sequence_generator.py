"""Training from a keras.utils.Sequence with fit_generator (the well-known "data generator" pattern).

Keras 2 tutorials teach it for data too large for memory: a ``Sequence`` subclass
holds the sample ids, makes batch ``i`` on request (here from arrays; in the
tutorials, from files on disk), reshuffles its ids in ``on_epoch_end``, and is given
to ``fit_generator``, whose ``workers`` and ``use_multiprocessing`` settings kfunc
accepts and leaves unused.
"""

import warnings

import numpy as np

import kfunc as keras
from kfunc.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from kfunc.models import Sequential


class DataGenerator(keras.utils.Sequence):
    """Generates batches of images and one-hot labels from a list of sample ids."""

    def __init__(self, list_ids, images, labels, batch_size=32, dim=(28, 28), n_channels=1, n_classes=10,
                 shuffle=True):
        self.list_ids, self.images, self.labels = list_ids, images, labels
        self.batch_size, self.dim, self.n_channels, self.n_classes = batch_size, dim, n_channels, n_classes
        self.shuffle = shuffle
        self.epochs_seen = 0
        self.on_epoch_end()

    def __len__(self):
        """The number of batches per epoch."""
        return int(np.floor(len(self.list_ids) / self.batch_size))

    def __getitem__(self, index):
        """One batch of data."""
        indexes = self.indexes[index * self.batch_size:(index + 1) * self.batch_size]
        return self.__data_generation([self.list_ids[k] for k in indexes])

    def on_epoch_end(self):
        """Reshuffle the sample ids after each epoch."""
        self.epochs_seen += 1
        self.indexes = np.arange(len(self.list_ids))
        if self.shuffle:
            np.random.shuffle(self.indexes)

    def __data_generation(self, ids):
        x = np.empty((self.batch_size, *self.dim, self.n_channels), dtype="float32")
        y = np.empty(self.batch_size, dtype=int)
        for i, sample in enumerate(ids):
            x[i] = self.images[sample]  # (the tutorials load np.load('data/' + ID + '.npy') here)
            y[i] = self.labels[sample]
        return x, keras.utils.to_categorical(y, num_classes=self.n_classes)


def run(workdir):
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits(shape=(28, 28, 1), one_hot=False)
    partition = {"train": list(range(len(x_train))), "validation": list(range(len(x_test)))}
    training_generator = DataGenerator(partition["train"], x_train, y_train, batch_size=64)
    validation_generator = DataGenerator(partition["validation"], x_test, y_test, batch_size=64, shuffle=False)

    model = Sequential()
    model.add(Conv2D(16, (3, 3), activation="relu", input_shape=(28, 28, 1)))
    model.add(MaxPooling2D((2, 2)))
    model.add(Conv2D(32, (3, 3), activation="relu"))
    model.add(MaxPooling2D((2, 2)))
    model.add(Flatten())
    model.add(Dropout(0.25))
    model.add(Dense(10, activation="softmax"))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # fit_generator is deprecated in tf.keras 2 too
        history = model.fit_generator(generator=training_generator, validation_data=validation_generator,
                                      epochs=3, use_multiprocessing=True, workers=6, verbose=0)
    assert training_generator.epochs_seen == 1 + 3  # (once in __init__, then after each epoch)
    assert history.history["val_accuracy"][-1] > 0.7, history.history

    model.save(workdir / "generator_cnn.h5")
    again = keras.models.load_model(workdir / "generator_cnn.h5")
    return history.history["loss"], model.predict(x_test[:64]), again.predict(x_test[:64])
