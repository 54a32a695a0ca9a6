"""A small ResNet v1 with l2 weight decay (the Keras examples' cifar10_resnet, shrunk)."""

import kfunc as keras
from kfunc.layers import Activation, AveragePooling2D, BatchNormalization, Conv2D, Dense, Flatten, Input
from kfunc.models import Model
from kfunc.regularizers import l2


def resnet_layer(inputs, num_filters=16, kernel_size=3, strides=1, activation="relu", batch_normalization=True):
    """Conv2D, then BatchNormalization, then Activation."""
    conv = Conv2D(num_filters, kernel_size=kernel_size, strides=strides, padding="same",
                  kernel_initializer="he_normal", kernel_regularizer=l2(1e-4))
    x = conv(inputs)
    if batch_normalization:
        x = BatchNormalization()(x)
    if activation is not None:
        x = Activation(activation)(x)
    return x


def resnet_v1(input_shape, depth, num_classes=10):
    num_filters = 8
    num_res_blocks = int((depth - 2) / 6)
    inputs = Input(shape=input_shape)
    x = resnet_layer(inputs=inputs, num_filters=num_filters)
    for stack in range(2):
        for res_block in range(num_res_blocks):
            strides = 2 if stack > 0 and res_block == 0 else 1  # downsample
            y = resnet_layer(inputs=x, num_filters=num_filters, strides=strides)
            y = resnet_layer(inputs=y, num_filters=num_filters, activation=None)
            if stack > 0 and res_block == 0:  # a linear projection matches the shapes
                x = resnet_layer(inputs=x, num_filters=num_filters, kernel_size=1, strides=strides,
                                 activation=None, batch_normalization=False)
            x = keras.layers.add([x, y])
            x = Activation("relu")(x)
        num_filters *= 2
    x = AveragePooling2D(pool_size=7)(x)
    y = Flatten()(x)
    outputs = Dense(num_classes, activation="softmax", kernel_initializer="he_normal")(y)
    return Model(inputs=inputs, outputs=outputs)


def run(workdir):
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits()
    x_train, y_train = x_train[:512].reshape(-1, 28, 28, 1), y_train[:512]
    x_test = x_test[:64].reshape(-1, 28, 28, 1)
    model = resnet_v1(input_shape=(28, 28, 1), depth=8)
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  metrics=["accuracy"])
    assert len(model.losses) == sum(isinstance(layer, Conv2D) for layer in model.layers)  # one decay term per kernel
    history = model.fit(x_train, y_train, batch_size=64, epochs=3, verbose=0)

    model.save(workdir / "resnet.h5")
    again = keras.models.load_model(workdir / "resnet.h5")
    return history.history["loss"], model.predict(x_test), again.predict(x_test)
