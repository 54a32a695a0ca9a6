"""A convolutional autoencoder that removes noise from digits (keras.io's image denoising)."""

import numpy as np

import kfunc as keras
from kfunc import layers
from kfunc.models import Model


def noise(array, rng):
    """Add random noise to each image, then clip to [0, 1]."""
    noisy = array + 0.4 * rng.normal(loc=0.0, scale=1.0, size=array.shape)
    return np.clip(noisy, 0.0, 1.0).astype("float32")


def run(workdir):
    rng = np.random.default_rng(0)
    (train, _), (test, _) = keras.datasets.digits(one_hot=False)
    train = train[:384].reshape(-1, 28, 28, 1)
    test = test[:32].reshape(-1, 28, 28, 1)
    noisy_train, noisy_test = noise(train, rng), noise(test, rng)

    inputs = layers.Input(shape=(28, 28, 1))
    # encoder
    x = layers.Conv2D(16, (3, 3), activation="relu", padding="same")(inputs)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(16, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    # decoder
    x = layers.Conv2DTranspose(16, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(16, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)

    autoencoder = Model(inputs, x)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    history = autoencoder.fit(noisy_train, train, epochs=4, batch_size=64, shuffle=True, verbose=0,
                              validation_data=(noisy_test, test))

    autoencoder.save(workdir / "denoiser.keras")
    again = keras.models.load_model(workdir / "denoiser.keras")
    return history.history["loss"], autoencoder.predict(noisy_test), again.predict(noisy_test)
