"""A siamese network that tells whether two digits are the same (the Keras examples' mnist_siamese)."""

import kfunc as keras
from kfunc import backend as K
from kfunc.layers import Dense, Dropout, Flatten, Input, Lambda
from kfunc.models import Model
from kfunc.optimizers import RMSprop


def euclidean_distance(vects):
    x, y = vects
    sum_square = K.sum(K.square(x - y), axis=1, keepdims=True)
    return K.sqrt(K.maximum(sum_square, K.epsilon()))


def eucl_dist_output_shape(shapes):
    shape1, shape2 = shapes
    return (shape1[0], 1)


def contrastive_loss(y_true, y_pred):
    """Hadsell et al.'s contrastive loss: near for the same digit, at least `margin` apart otherwise."""
    margin = 1
    square_pred = K.square(y_pred)
    margin_square = K.square(K.maximum(margin - y_pred, 0))
    return K.mean(y_true * square_pred + (1 - y_true) * margin_square)


def create_base_network(input_shape):
    """The shared network that embeds one digit."""
    input = Input(shape=input_shape)
    x = Flatten()(input)
    x = Dense(64, activation="relu")(x)
    x = Dropout(0.1)(x)
    x = Dense(64, activation="relu")(x)
    return Model(input, x)


def accuracy(y_true, y_pred):
    """Classification accuracy with a fixed threshold on distances."""
    return K.mean(K.equal(y_true, K.cast(y_pred < 0.5, y_true.dtype)))


def run(workdir):
    (pairs_train, y_train), (pairs_test, y_test) = keras.datasets.digit_pairs(seed=0)
    input_shape = pairs_train[0].shape[1:]
    base_network = create_base_network(input_shape)

    input_a = Input(shape=input_shape)
    input_b = Input(shape=input_shape)
    processed_a = base_network(input_a)  # the same weights read both digits
    processed_b = base_network(input_b)
    distance = Lambda(euclidean_distance, output_shape=eucl_dist_output_shape)([processed_a, processed_b])
    model = Model([input_a, input_b], distance)

    model.compile(loss=contrastive_loss, optimizer=RMSprop(), metrics=[accuracy])
    history = model.fit([pairs_train[0], pairs_train[1]], y_train, batch_size=64, epochs=4, verbose=0)
    assert "accuracy" in history.history

    model.save(workdir / "siamese.keras")
    again = keras.models.load_model(workdir / "siamese.keras", safe_mode=False,
                                    custom_objects={"contrastive_loss": contrastive_loss, "accuracy": accuracy})
    sample = [pairs_test[0][:32], pairs_test[1][:32]]
    return history.history["loss"], model.predict(sample), again.predict(sample)
