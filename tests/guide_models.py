"""The models of the Keras 2 functional-API guide, written with kfunc.

Each builder follows the guide's code with ``keras`` replaced by ``kfunc``; the
keyword arguments only shrink sizes for tests that run real data through them.
"""

import kfunc
from kfunc.layers import (
    LSTM,
    Conv2D,
    Dense,
    Embedding,
    Flatten,
    Input,
    MaxPooling2D,
    TimeDistributed,
)
from kfunc.models import Model, Sequential


def dense_network():
    inputs = Input(shape=(784,))
    x = Dense(64, activation="relu")(inputs)
    x = Dense(64, activation="relu")(x)
    predictions = Dense(10, activation="softmax")(x)
    return Model(inputs=inputs, outputs=predictions)


def headline_model(vocab=10000, maxlen=100, embed=512):
    main_input = Input(shape=(maxlen,), dtype="int32", name="main_input")
    x = Embedding(output_dim=embed, input_dim=vocab, input_length=maxlen)(main_input)
    lstm_out = LSTM(32)(x)
    auxiliary_output = Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
    auxiliary_input = Input(shape=(5,), name="aux_input")
    x = kfunc.layers.concatenate([lstm_out, auxiliary_input])
    x = Dense(64, activation="relu")(x)
    x = Dense(64, activation="relu")(x)
    x = Dense(64, activation="relu")(x)
    main_output = Dense(1, activation="sigmoid", name="main_output")(x)
    return Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output])


def shared_lstm_model(length=140, alphabet=256):
    tweet_a = Input(shape=(length, alphabet))
    tweet_b = Input(shape=(length, alphabet))
    shared_lstm = LSTM(64)
    encoded_a = shared_lstm(tweet_a)
    encoded_b = shared_lstm(tweet_b)
    merged_vector = kfunc.layers.concatenate([encoded_a, encoded_b], axis=-1)
    predictions = Dense(1, activation="sigmoid")(merged_vector)
    return Model(inputs=[tweet_a, tweet_b], outputs=predictions)


def inception_module(size=256):
    input_img = Input(shape=(size, size, 3))
    tower_1 = Conv2D(64, (1, 1), padding="same", activation="relu")(input_img)
    tower_1 = Conv2D(64, (3, 3), padding="same", activation="relu")(tower_1)
    tower_2 = Conv2D(64, (1, 1), padding="same", activation="relu")(input_img)
    tower_2 = Conv2D(64, (5, 5), padding="same", activation="relu")(tower_2)
    tower_3 = MaxPooling2D((3, 3), strides=(1, 1), padding="same")(input_img)
    tower_3 = Conv2D(64, (1, 1), padding="same", activation="relu")(tower_3)
    output = kfunc.layers.concatenate([tower_1, tower_2, tower_3], axis=1)
    return Model(input_img, output)


def residual_block(size=256):
    x = Input(shape=(size, size, 3))
    y = Conv2D(3, (3, 3), padding="same")(x)
    z = kfunc.layers.add([x, y])
    return Model(x, z)


def shared_vision_model():
    digit_input = Input(shape=(27, 27, 1))
    x = Conv2D(64, (3, 3))(digit_input)
    x = Conv2D(64, (3, 3))(x)
    x = MaxPooling2D((2, 2))(x)
    out = Flatten()(x)
    vision_model = Model(digit_input, out)
    digit_a = Input(shape=(27, 27, 1))
    digit_b = Input(shape=(27, 27, 1))
    out_a = vision_model(digit_a)
    out_b = vision_model(digit_b)
    concatenated = kfunc.layers.concatenate([out_a, out_b])
    out = Dense(1, activation="sigmoid")(concatenated)
    return Model([digit_a, digit_b], out), vision_model


def vqa_models(size=224, vocab=10000, maxlen=100, answers=1000, frames=100, with_video=True):
    """The visual QA model and (optionally) the video QA model built on its parts."""
    vision_model = Sequential()
    vision_model.add(Conv2D(64, (3, 3), activation="relu", padding="same", input_shape=(size, size, 3)))
    vision_model.add(Conv2D(64, (3, 3), activation="relu"))
    vision_model.add(MaxPooling2D((2, 2)))
    vision_model.add(Conv2D(128, (3, 3), activation="relu", padding="same"))
    vision_model.add(Conv2D(128, (3, 3), activation="relu"))
    vision_model.add(MaxPooling2D((2, 2)))
    vision_model.add(Conv2D(256, (3, 3), activation="relu", padding="same"))
    vision_model.add(Conv2D(256, (3, 3), activation="relu"))
    vision_model.add(Conv2D(256, (3, 3), activation="relu"))
    vision_model.add(MaxPooling2D((2, 2)))
    vision_model.add(Flatten())
    image_input = Input(shape=(size, size, 3))
    encoded_image = vision_model(image_input)
    question_input = Input(shape=(maxlen,), dtype="int32")
    embedded_question = Embedding(input_dim=vocab, output_dim=256, input_length=maxlen)(question_input)
    encoded_question = LSTM(256)(embedded_question)
    merged = kfunc.layers.concatenate([encoded_question, encoded_image])
    output = Dense(answers, activation="softmax")(merged)
    vqa_model = Model(inputs=[image_input, question_input], outputs=output)
    if not with_video:
        return vqa_model, None, vision_model
    video_input = Input(shape=(frames, size, size, 3))
    encoded_frame_sequence = TimeDistributed(vision_model)(video_input)
    encoded_video = LSTM(256)(encoded_frame_sequence)
    question_encoder = Model(inputs=question_input, outputs=encoded_question)
    video_question_input = Input(shape=(maxlen,), dtype="int32")
    encoded_video_question = question_encoder(video_question_input)
    merged = kfunc.layers.concatenate([encoded_video, encoded_video_question])
    output = Dense(answers, activation="softmax")(merged)
    video_qa_model = Model(inputs=[video_input, video_question_input], outputs=output)
    return vqa_model, video_qa_model, vision_model
