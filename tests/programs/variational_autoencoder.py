"""A variational autoencoder whose loss is added with add_loss (the Keras 2 examples' VAE)."""

import numpy as np

import kfunc as keras
from kfunc import backend as K
from kfunc.layers import Dense, Input, Lambda
from kfunc.losses import binary_crossentropy
from kfunc.models import Model


def sampling(args):
    """Reparameterization trick: z = z_mean + sqrt(var) * epsilon."""
    z_mean, z_log_var = args
    batch = K.shape(z_mean)[0]
    dim = K.int_shape(z_mean)[1]
    epsilon = K.random_normal(shape=(batch, dim))
    return z_mean + K.exp(0.5 * z_log_var) * epsilon


def run(workdir):
    (x_train, _), (x_test, _) = keras.datasets.digits(one_hot=False)
    original_dim, intermediate_dim, latent_dim = 784, 64, 2

    inputs = Input(shape=(original_dim,), name="encoder_input")
    x = Dense(intermediate_dim, activation="relu")(inputs)
    z_mean = Dense(latent_dim, name="z_mean")(x)
    z_log_var = Dense(latent_dim, name="z_log_var")(x)
    z = Lambda(sampling, output_shape=(latent_dim,), name="z")([z_mean, z_log_var])
    encoder = Model(inputs, [z_mean, z_log_var, z], name="encoder")

    latent_inputs = Input(shape=(latent_dim,), name="z_sampling")
    x = Dense(intermediate_dim, activation="relu")(latent_inputs)
    outputs = Dense(original_dim, activation="sigmoid")(x)
    decoder = Model(latent_inputs, outputs, name="decoder")

    outputs = decoder(encoder(inputs)[2])
    vae = Model(inputs, outputs, name="vae_mlp")

    reconstruction_loss = binary_crossentropy(inputs, outputs)
    reconstruction_loss *= original_dim
    kl_loss = 1 + z_log_var - K.square(z_mean) - K.exp(z_log_var)
    kl_loss = K.sum(kl_loss, axis=-1)
    kl_loss *= -0.5
    vae_loss = K.mean(reconstruction_loss + kl_loss)
    vae.add_loss(vae_loss)
    vae.compile(optimizer="adam")
    history = vae.fit(x_train, epochs=4, batch_size=64, verbose=0, validation_data=(x_test, None))

    # the decoder alone generates digits from points of the latent plane
    grid = np.array([[xi, yi] for xi in (-1.0, 0.0, 1.0) for yi in (-1.0, 0.0, 1.0)], dtype="float32")
    decoder.save_weights(workdir / "decoder.weights.h5")
    again = keras.models.clone_model(decoder)
    again.load_weights(workdir / "decoder.weights.h5")
    return history.history["loss"], decoder.predict(grid), again.predict(grid)
