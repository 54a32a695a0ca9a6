"""A generative adversarial network of two MLPs on hand-written digits (the Keras 2 GAN examples).

The classic Keras 2 pattern: the discriminator is compiled on its own; then it is
frozen (``discriminator.trainable = False``) and called inside the *combined* model,
noise -> generator -> discriminator, which is compiled to train the generator only.
Training alternates ``train_on_batch`` calls: the discriminator on real images
(labelled 1) and generated ones (labelled 0), then the combined model on noise
labelled 1. As in tf.keras 2, ``trainable`` counts when a model is compiled, so the
discriminator still learns in its own ``train_on_batch`` and stays fixed in the
combined model's.
"""

import numpy as np

import kfunc as keras
from kfunc.layers import BatchNormalization, Dense, Input, LeakyReLU, Reshape, Flatten
from kfunc.models import Model, Sequential
from kfunc.optimizers import Adam

LATENT_DIM = 32
IMG_SHAPE = (28, 28, 1)


def build_generator():
    model = Sequential()
    model.add(Dense(128, input_dim=LATENT_DIM))
    model.add(LeakyReLU(alpha=0.2))
    model.add(BatchNormalization(momentum=0.8))
    model.add(Dense(256))
    model.add(LeakyReLU(alpha=0.2))
    model.add(BatchNormalization(momentum=0.8))
    model.add(Dense(int(np.prod(IMG_SHAPE)), activation="tanh"))
    model.add(Reshape(IMG_SHAPE))
    noise = Input(shape=(LATENT_DIM,))
    return Model(noise, model(noise), name="generator")


def build_discriminator():
    model = Sequential()
    model.add(Flatten(input_shape=IMG_SHAPE))
    model.add(Dense(256))
    model.add(LeakyReLU(alpha=0.2))
    model.add(Dense(128))
    model.add(LeakyReLU(alpha=0.2))
    model.add(Dense(1, activation="sigmoid"))
    img = Input(shape=IMG_SHAPE)
    return Model(img, model(img), name="discriminator")


def run(workdir, steps=60, batch_size=32):
    (x_train, _), _ = keras.datasets.digits(shape=IMG_SHAPE)
    x_train = x_train * 2.0 - 1.0  # to [-1, 1], the generator's tanh range
    rng = np.random.default_rng(0)

    optimizer = Adam(0.0002, 0.5)
    discriminator = build_discriminator()
    discriminator.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    generator = build_generator()

    z = Input(shape=(LATENT_DIM,))
    img = generator(z)
    discriminator.trainable = False  # only the generator learns in the combined model
    validity = discriminator(img)
    combined = Model(z, validity)
    combined.compile(loss="binary_crossentropy", optimizer=Adam(0.0002, 0.5))

    valid, fake = np.ones((batch_size, 1)), np.zeros((batch_size, 1))
    probe = rng.normal(size=(256, LATENT_DIM)).astype("float32")
    gaps = []  # how far the generated images' mean is from the real ones' (it falls as G learns)
    for step in range(steps):
        imgs = x_train[rng.integers(0, len(x_train), batch_size)]
        noise = rng.normal(size=(batch_size, LATENT_DIM)).astype("float32")
        gen_imgs = generator.predict(noise)

        before = [w.copy() for w in discriminator.get_weights()]
        d_loss_real = discriminator.train_on_batch(imgs, valid)
        d_loss_fake = discriminator.train_on_batch(gen_imgs, fake)
        d_loss = 0.5 * np.add(d_loss_real, d_loss_fake)
        trained = [w.copy() for w in discriminator.get_weights()]
        assert any(not np.array_equal(a, b) for a, b in zip(before, trained)), "D must learn on its own"

        g_before = [w.copy() for w in generator.get_weights()]
        g_loss = combined.train_on_batch(noise, valid)
        assert all(np.array_equal(a, b) for a, b in zip(trained, discriminator.get_weights())), "D is frozen in G's step"
        assert any(not np.array_equal(a, b) for a, b in zip(g_before, generator.get_weights())), "G must learn"
        assert np.isfinite(d_loss).all() and np.isfinite(g_loss)

        if step % 20 == 0 or step == steps - 1:
            generated = generator.predict(probe)
            gaps.append(float(np.abs(generated.mean(axis=0) - x_train.mean(axis=0)).mean()))

    generator.save(workdir / "generator.h5")
    again = keras.models.load_model(workdir / "generator.h5")
    return gaps, generator.predict(probe), again.predict(probe)
