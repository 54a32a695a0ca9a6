"""The Keras 1 guide texts run with ``keras`` replaced by ``kfunc``: one test per code block.

The blocks of ``seeds/000_981c69b98271a9b4.txt`` (``SEED0_*``) and
``seeds/001_23bab03a39b5f296.txt`` (``SEED1_*``) are copied below as the texts
write them, with ``keras`` replaced by ``kfunc``. Only three kinds of change are
made, each marked with a ``# test:`` comment: data and the names that the text
leaves undefined are supplied; ``nb_epoch`` is 1 (the spelling stays); and where
the text is wrong, it is corrected in a second version, while the block as
written is checked to raise the error that explains the mistake.

Each block runs as a notebook cell would: compiled from a named source that
kfunc can read, so warnings carry the Keras 2 call written with the block's own
names. Pasting those calls back in builds the same models.
"""

import ast
import itertools
import linecache
import warnings

import numpy as np
import pytest

import kfunc
import kfunc.legacy
from kfunc.legacy import LegacySpellingWarning

_cells = itertools.count()


@pytest.fixture(autouse=True)
def fresh_warnings():
    kfunc.legacy.reset_warnings()


def run_cell(source, scope):
    """Run ``source`` in ``scope`` as a notebook cell; return its legacy-spelling warnings."""
    filename = f"<keras1-guide-cell-{next(_cells)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        exec(compile(source, filename, "exec"), scope)
    return [w.message for w in record if issubclass(w.category, LegacySpellingWarning)]


def paste_back(source, messages):
    """``source`` with every call that warned replaced by the Keras 2 call the warning shows."""
    replacements = {m.old_call: m.modern_call for m in messages}

    class Paste(ast.NodeTransformer):
        def visit_Call(self, node):
            modern = replacements.get(ast.unparse(node))
            if modern is not None:
                return ast.parse(modern, mode="eval").body
            return self.generic_visit(node)

    return ast.unparse(ast.fix_missing_locations(Paste().visit(ast.parse(source))))


def rng():
    return np.random.default_rng(0)


def one_hot(n, classes):
    return kfunc.utils.to_categorical(rng().integers(0, classes, size=n), classes)


def dense_network():
    """The model of the first block (``model`` in the blocks that say "as above")."""
    from kfunc.layers import Dense, Input
    from kfunc.models import Model

    inputs = Input(shape=(784,))
    x = Dense(64, activation="relu")(Dense(64, activation="relu")(inputs))
    return Model(inputs=inputs, outputs=Dense(10, activation="softmax")(x))


# ====================================================================== seeds/000

SEED0_FUNCTIONAL = """
from kfunc.layers import Input, Dense
from kfunc.models import Model

inputs = Input(shape=(784,))

x = Dense(64, activation='relu')(inputs)
x = Dense(64, activation='relu')(x)
preds = Dense(10, activation='softmax')(x)

model = Model(input=inputs, output=preds)
model.compile(optimizer='rmsprop',
              loss='categorical_crossentropy',
              metrics=['accuracy'])

model.fit(data, labels)
"""


def test_seed0_functional_model_trains():
    scope = {"data": rng().random((32, 784), dtype=np.float32), "labels": one_hot(32, 10)}
    messages = run_cell(SEED0_FUNCTIONAL, scope)
    assert [m.modern_call for m in messages] == ["Model(inputs=inputs, outputs=preds)"]
    model = scope["model"]
    assert model.count_params() == 784 * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10
    assert model.output_shape == (None, 10)
    assert len(model.history.history["loss"]) == 1


SEED0_SEQUENTIAL = """
from kfunc.models import Sequential

model = Sequential()
model.add(Dense(64, activation='relu'))
model.add(Dense(64, activation='relu'))

model.compile(optimizer='rmsprop', loss='mse')  # test: the text writes `model.compile ....`
model.fit(data, targets)  # test: the text writes `model.fit ...`
"""


def test_seed0_sequential_model_builds_on_fit():
    from kfunc.layers import Dense

    scope = {"Dense": Dense, "data": rng().random((16, 20), dtype=np.float32)}
    scope["targets"] = rng().random((16, 64), dtype=np.float32)
    assert run_cell(SEED0_SEQUENTIAL, scope) == []
    assert scope["model"].output_shape == (None, 64)
    assert scope["model"].count_params() == 20 * 64 + 64 + 64 * 64 + 64


SEED0_TIME_DISTRIBUTED = """
from kfunc.layers import TimeDistributed

input_sequences = Input(shape=(20, 784))

# assumed `model` already defined as above
processed_sequences = TimeDistributed(model)(input_sequences)
"""


def test_seed0_time_distributed_model():
    from kfunc.layers import Input

    scope = {"Input": Input, "model": dense_network()}
    assert run_cell(SEED0_TIME_DISTRIBUTED, scope) == []
    assert scope["processed_sequences"].shape == (None, 20, 10)


SEED0_MULTI_IO = """
from kfunc.layers import Input, Embedding, LSTM, Dense, merge  # test: the text misses the comma after Embedding
from kfunc.models import Model

# receive sequences of 100 integers, between 1 and 10000
main_input = Input(shape=(100,), dtype='int32', name='main_input')

# encode input sequene into a sequence of dense 512-dimensional vectors
x = Embedding(output_dim=512, input_dim=10000, input_length=100)(main_input)

# transfrom vector sequence into single vector
lstm_out = LSTM(32)(x)

aux_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)

aux_input = Input(shape=(5,), name='aux_input')
x = merge([lstm_out, aux_input], mode='concat')

x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)

main_output =  Dense(1, activation='sigmoid', name='main_output')(x)

# model definition
model = Model(input=[main_input, aux_input],
              output=[main_output, aux_output])

model.compile(optimizer='rmsprop',
              loss={
                    'main_output': 'binary_crossentropy',
                    'aux_output': 'binary_crossentropy'
                   },
              loss_weights={
                            'main_output': 1.,
                            'aux_output': 0.2
                           }
             )

model.fit(
          {'main_input': headline_data,
           'aux_input': additional_data},
          {'main_output':labels,
           'aux_output': labels},
          nb_epoch=1, batch_size=32  # test: the text trains 50 epochs
         )
"""


def headline_data_scope(n=16):
    return {
        "headline_data": rng().integers(1, 10000, size=(n, 100)),
        "additional_data": rng().random((n, 5), dtype=np.float32),
        "labels": rng().integers(0, 2, size=(n, 1)).astype(np.float32),
    }


def test_seed0_multi_input_multi_output_model():
    scope = headline_data_scope()
    messages = run_cell(SEED0_MULTI_IO, scope)
    assert [m.modern_call for m in messages] == [
        "concatenate([lstm_out, aux_input])",
        "Model(inputs=[main_input, aux_input], outputs=[main_output, aux_output])",
        "model.fit({'main_input': headline_data, 'aux_input': additional_data}, "
        "{'main_output': labels, 'aux_output': labels}, epochs=1, batch_size=32)",
    ]
    model = scope["model"]
    assert model.output_shape == [(None, 1), (None, 1)]
    assert [l.name for l in model.layers][-2:] == ["main_output", "aux_output"]
    assert len(model.history.history["loss"]) == 1


SEED0_SHARED = """
# this layer can take as input a matrix
# and will return a vector of size 64
shared_lstm = LSTM(64)

# when we reuse the same layer instance
# multiple times, the weights of the layer
# are also being reused
# (it is effectively *the same* layer)
encoded_a = shared_lstm(tweet_a)
encoded_b = shared_lstm(tweet_b)

# we can then concatenate the two vectors:
merged_vector = merge([encoded_a, encoded_b], mode='concat', concat_axis=-1)

# and add a logistic regression on top
predictions = Dense(1, activation='sigmoid')(merged_vector)

# we define a trainable model linking the
# tweet inputs to the predictions
model = Model(input=[tweet_a, tweet_b], output=predictions)

model.compile(optimizer='rmsprop',
              loss='binary_crossentropy',
              metrics=['accuracy'])
model.fit([data_a, data_b], labels, nb_epoch=1)  # test: the text trains 10 epochs
"""


def tweets_scope(n=8):
    from kfunc.layers import LSTM, Dense, Input, merge
    from kfunc.models import Model

    tweets = lambda: (rng().random((n, 140, 256)) < 0.05).astype(np.float32)  # noqa: E731
    return {
        "LSTM": LSTM, "Dense": Dense, "Input": Input, "merge": merge, "Model": Model,
        "data_a": tweets(), "data_b": tweets(),
        "labels": rng().integers(0, 2, size=(n, 1)).astype(np.float32),
    }  # fmt: skip


def test_seed0_shared_layers():
    scope = tweets_scope()
    # test: the text leaves the two tweet inputs undefined (seeds/001 defines them so)
    run_cell("tweet_a = Input(shape=(140, 256))\ntweet_b = Input(shape=(140, 256))", scope)
    messages = run_cell(SEED0_SHARED, scope)
    assert [m.modern_call for m in messages] == [
        "concatenate([encoded_a, encoded_b], axis=-1)",
        "Model(inputs=[tweet_a, tweet_b], outputs=predictions)",
        "model.fit([data_a, data_b], labels, epochs=1)",
    ]
    model = scope["model"]
    assert len(scope["shared_lstm"]._inbound_nodes) == 2
    assert model.count_params() == 4 * 64 * (256 + 64 + 1) + 128 + 1
    assert len(model.history.history["loss"]) == 1


# ====================================================================== seeds/001

SEED1_FUNCTIONAL = """
from kfunc.layers import Input, Dense
from kfunc.models import Model

# this returns a tensor
inputs = Input(shape=(784,))

# a layer instance is callable on a tensor, and returns a tensor
x = Dense(64, activation='relu')(inputs)
x = Dense(64, activation='relu')(x)
predictions = Dense(10, activation='softmax')(x)

# this creates a model that includes
# the Input layer and three Dense layers
model = Model(input=inputs, output=predictions)
model.compile(optimizer='rmsprop',
              loss='categorical_crossentropy',
              metrics=['accuracy'])
model.fit(data, labels)  # starts training
"""


def test_seed1_simple_fully_connected_network():
    scope = {"data": rng().random((32, 784), dtype=np.float32), "labels": one_hot(32, 10)}
    messages = run_cell(SEED1_FUNCTIONAL, scope)
    assert [m.modern_call for m in messages] == ["Model(inputs=inputs, outputs=predictions)"]
    assert scope["model"].count_params() == 55050
    assert len(scope["model"].history.history["loss"]) == 1


SEED1_CALL_MODEL = """
x = Input(shape=(784,))
# this works, and returns the 10-way softmax we defined above.
y = model(x)
"""


def test_seed1_models_are_callable():
    from kfunc.layers import Input

    model = dense_network()
    scope = {"Input": Input, "model": model}
    assert run_cell(SEED1_CALL_MODEL, scope) == []
    assert scope["y"].shape == (None, 10)
    assert scope["y"]._keras_history.layer is model


SEED1_TIME_DISTRIBUTED = """
from kfunc.layers import TimeDistributed

# input tensor for sequences of 20 timesteps,
# each containing a 784-dimensional vector
input_sequences = Input(shape=(20, 784))

# this applies our previous model to every timestep in the input sequences.
# the output of the previous model was a 10-way softmax,
# so the output of the layer below will be a sequence of 20 vectors of size 10.
processed_sequences = TimeDistributed(model)(input_sequences)
"""


def test_seed1_time_distributed_model():
    from kfunc.layers import Input

    scope = {"Input": Input, "model": dense_network()}
    assert run_cell(SEED1_TIME_DISTRIBUTED, scope) == []
    assert scope["processed_sequences"].shape == (None, 20, 10)


SEED1_QUESTION_ANSWERING = """
from kfunc.layers import Input, Embedding, LSTM, merge, Lambda

# an input question will be a vector of 100 integers,
# each being the index of a word in a vocabulary
question_input = Input(shape=(100,), dtype='int32')

good_answer_input = Input(shape=(100,), dtype='int32')
bad_answer_input = Input(shape=(100,), dtype='int32')

embedded_question = Embedding(output_dim=1024)(question_input)
encoded_question = LSTM(512)(embedded_question)

# the two layers below will be shared across the two answer inputs.
# we'll go over shared layers in detail in the next section.
answer_embedding = Embedding(output_dim=1024)
answer_lstm = LSTM(512)

embedded_good_answer = answer_embedding(good_answer_input)
encoded_good_answer = answer_lstm(embedded_good_answer)

embedded_bad_answer = answer_embedding(bad_answer_input)
encoded_bad_answer = answer_lstm(embedded_bad_answer)

# let's take the dot product between the question embedding
# and the embedding of the answers
good_answer_score = merge([encoded_question, encoded_good_answer], mode='dot')
bad_answer_score = merge([encoded_question, encoded_bad_answer], mode='dot')

# this is a lambda layer. It allows you to create
# simple stateless layers on the fly to take care of basic operations.
# Note how the layer below has multiple inputs. Also, here we are using
# a function from `keras.backend` that squares the error.
output = Lambda(lambda x, y: K.square(x - y))([good_answer_score, bad_answer_score])
"""
# test: the text's two mistakes, corrected. An Embedding needs its vocabulary size
# (input_dim; the text leaves it out), and a Lambda on several tensors receives them
# as ONE list.
_WITH_VOCABULARY = SEED1_QUESTION_ANSWERING.replace(
    "Embedding(output_dim=1024)", "Embedding(input_dim=VOCABULARY, output_dim=1024)"
)
SEED1_QUESTION_ANSWERING_CORRECTED = _WITH_VOCABULARY.replace(
    "Lambda(lambda x, y: K.square(x - y))", "Lambda(lambda t: K.square(t[0] - t[1]))"
)


def qa_scope():
    from kfunc import backend as K

    # test: the text uses K without importing it, and never says the vocabulary size
    return {"K": K, "VOCABULARY": 1000}


def test_seed1_question_answering_as_written_explains_the_missing_input_dim():
    with pytest.raises(TypeError, match=r"Embedding\(output_dim=1024\) needs `input_dim`, the size of the vocabulary"):
        run_cell(SEED1_QUESTION_ANSWERING, qa_scope())


def test_seed1_question_answering_lambda_of_two_arguments_is_explained():
    with pytest.raises(TypeError, match=r"(?s)receives them together, as one list.*lambda t: t\[0\] - t\[1\]"):
        run_cell(_WITH_VOCABULARY, qa_scope())


def test_seed1_question_answering_corrected():
    scope = qa_scope()
    messages = run_cell(SEED1_QUESTION_ANSWERING_CORRECTED, scope)
    assert [m.modern_call for m in messages] == [
        "dot([encoded_question, encoded_good_answer], axes=-1)",
        "dot([encoded_question, encoded_bad_answer], axes=-1)",
    ]
    assert scope["good_answer_score"].shape == (None, 1)
    assert scope["output"].shape == (None, 1)
    assert len(scope["answer_lstm"]._inbound_nodes) == 2


SEED1_QA_MODEL = """
model = Model(input=[question_input, good_answer_input, bad_answer_input],
              output=[output, good_answer_score, bad_answer_score])
model.compile(optimizer='rmsprop', loss=[custom_loss_1, custom_loss_2, custom_loss_3])
model.fit([q_data, good_ans_data, bad_ans_data], [custom_target_1, custom_target_2, custom_target_3])
"""


def qa_model_scope(n=2):
    from kfunc import backend as K
    from kfunc.models import Model

    scope = qa_scope()
    run_cell(SEED1_QUESTION_ANSWERING_CORRECTED, scope)

    def squared_error(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1)

    ids = lambda: rng().integers(0, 1000, size=(n, 100))  # noqa: E731
    target = lambda: rng().random((n, 1), dtype=np.float32)  # noqa: E731
    # test: the text leaves the data, the targets and the three losses undefined
    scope.update(
        Model=Model, q_data=ids(), good_ans_data=ids(), bad_ans_data=ids(), ans_data=ids(),
        custom_loss_1=squared_error, custom_loss_2=squared_error, custom_loss_3=squared_error,
        custom_target_1=target(), custom_target_2=target(), custom_target_3=target(),
    )  # fmt: skip
    return scope


def test_seed1_question_answering_model_trains():
    scope = qa_model_scope()
    messages = run_cell(SEED1_QA_MODEL, scope)
    assert [m.modern_call for m in messages] == [
        "Model(inputs=[question_input, good_answer_input, bad_answer_input], "
        "outputs=[output, good_answer_score, bad_answer_score])",
    ]
    model = scope["model"]
    assert model.output_shape == [(None, 1), (None, 1), (None, 1)]
    assert model.count_params() == 2 * (1000 * 1024 + 4 * 512 * (1024 + 512 + 1))
    assert len(model.history.history["loss"]) == 1


SEED1_QUESTION_EMBEDDER = """
question_embedder = Model(input=question_input, output=encoded_question)
embedded_qs = question_embedder.predict(q_data)
"""


def test_seed1_question_embedder():
    scope = qa_model_scope()
    messages = run_cell(SEED1_QUESTION_EMBEDDER, scope)
    assert [m.modern_call for m in messages] == ["Model(inputs=question_input, outputs=encoded_question)"]
    assert scope["embedded_qs"].shape == (2, 512)


SEED1_ANSWER_EMBEDDER = """
answer_embedder = Model(input=good_answer_input, output=encoded_good_answer)
embedded_ans = answer_embedder.predict(ans_data)
"""


def test_seed1_answer_embedder():
    scope = qa_model_scope()
    messages = run_cell(SEED1_ANSWER_EMBEDDER, scope)
    assert [m.modern_call for m in messages] == ["Model(inputs=good_answer_input, outputs=encoded_good_answer)"]
    assert scope["embedded_ans"].shape == (2, 512)


SEED1_TWEET_INPUTS = """
from kfunc.layers import Input, LSTM, Dense, merge
from kfunc.models import Model

tweet_a = Input(shape=(140, 256))
tweet_b = Input(shape=(140, 256))
"""


def test_seed1_tweet_inputs():
    scope = {}
    assert run_cell(SEED1_TWEET_INPUTS, scope) == []
    assert scope["tweet_a"].shape == scope["tweet_b"].shape == (None, 140, 256)


SEED1_SHARED = SEED0_SHARED  # seeds/001 has the same block, word for word


def test_seed1_shared_layers():
    scope = tweets_scope()
    run_cell(SEED1_TWEET_INPUTS, scope)
    messages = run_cell(SEED1_SHARED, scope)
    assert [m.modern_call for m in messages] == [
        "concatenate([encoded_a, encoded_b], axis=-1)",
        "Model(inputs=[tweet_a, tweet_b], outputs=predictions)",
        "model.fit([data_a, data_b], labels, epochs=1)",
    ]
    assert scope["model"].output_shape == (None, 1)
    assert len(scope["model"].history.history["loss"]) == 1


SEED1_SINGLE_NODE = """
a = Input(shape=(140, 256))

lstm = LSTM(32)
encoded_a = lstm(a)

assert lstm.output == encoded_a
"""


def test_seed1_layer_output_with_one_node():
    from kfunc.layers import LSTM, Input

    scope = {"Input": Input, "LSTM": LSTM}
    assert run_cell(SEED1_SINGLE_NODE, scope) == []
    assert scope["lstm"].output is scope["encoded_a"]


SEED1_TWO_NODES = """
a = Input(shape=(140, 256))
b = Input(shape=(140, 256))

lstm = LSTM(32)
encoded_a = lstm(a)
encoded_b = lstm(b)

lstm.output
"""


def test_seed1_layer_output_with_two_nodes_is_ill_defined():
    from kfunc.layers import LSTM, Input

    # The text shows Keras's AssertionError; kfunc raises AttributeError (as Keras 2
    # does) with the same explanation. kfunc names layers from 0, so it is `lstm`.
    expected = (
        r'Layer lstm has multiple inbound nodes, hence the notion of "layer output" is '
        r"ill-defined. Use `get_output_at\(node_index\)` instead."
    )
    with pytest.raises(AttributeError, match=expected):
        run_cell(SEED1_TWO_NODES, {"Input": Input, "LSTM": LSTM})


SEED1_GET_OUTPUT_AT = """
assert lstm.get_output_at(0) == encoded_a
assert lstm.get_output_at(1) == encoded_b
"""


def test_seed1_get_output_at():
    from kfunc.layers import LSTM, Input

    scope = {"Input": Input, "LSTM": LSTM}
    run_cell(SEED1_TWO_NODES.replace("\nlstm.output\n", "\n"), scope)
    assert run_cell(SEED1_GET_OUTPUT_AT, scope) == []


SEED1_SHAPES = """
from kfunc.layers import merge, Convolution2D

a = Input(shape=(3, 32, 32))
b = Input(shape=(3, 64, 64))

conv = Convolution2D(16, 3, 3, border_mode='same')
conved_a = conv(a)

# only one input so far, the following will work:
assert conv.input_shape == (None, 3, 32, 32)

conved_b = conv(b)
# now the `.input_shape` wouldn't work, but this does:
assert conv.get_input_shape_at(0) == (None, 3, 32, 32)
assert conv.get_input_shape_at(1) == (None, 3, 64, 64)
"""


def test_seed1_input_shapes_of_a_shared_convolution():
    from kfunc.layers import Input

    scope = {"Input": Input}
    messages = run_cell(SEED1_SHAPES, scope)
    assert [m.modern_call for m in messages] == [
        "Conv2D(16, (3, 3), padding='same', data_format='channels_first')"
    ]
    assert scope["conved_b"].shape == (None, 16, 64, 64)
    with pytest.raises(AttributeError, match=r"get_input_shape_at\(node_index\)"):
        scope["conv"].input_shape


SEED1_INCEPTION = """
input_img = Input(shape=(3, 256, 256))

tower_1 = Convolution2D(64, 1, 1, border_mode='same', activation='relu')(input_img)
tower_1 = Convolution2D(64, 3, 3, border_mode='same', activation='relu')(tower_1)

tower_2 = Convolution2D(64, 1, 1, border_mode='same', activation='relu')(input_img)
tower_2 = Convolution2D(64, 5, 5, border_mode='same', activation='relu')(tower_2)

tower_3 = MaxPooling2D((3, 3), strides=(1, 1), border_mode='same')(input_img)
tower_3 = Convolution2D(64, 1, 1, border_mode='same', activation='relu')(tower_3)

output = merge([tower_1, tower_2, tower_3], mode='concat', concat_axis=1)
"""


def image_scope():
    from kfunc.layers import Convolution2D, Dense, Input, MaxPooling2D, merge
    from kfunc.models import Model

    # test: the text leaves these imports out
    return {"Input": Input, "Convolution2D": Convolution2D, "MaxPooling2D": MaxPooling2D,
            "merge": merge, "Dense": Dense, "Model": Model}  # fmt: skip


def test_seed1_inception_module():
    scope = image_scope()
    messages = run_cell(SEED1_INCEPTION, scope)
    assert [m.modern_call for m in messages] == [
        "Conv2D(64, (1, 1), padding='same', activation='relu', data_format='channels_first')",
        "Conv2D(64, (3, 3), padding='same', activation='relu', data_format='channels_first')",
        "Conv2D(64, (1, 1), padding='same', activation='relu', data_format='channels_first')",
        "Conv2D(64, (5, 5), padding='same', activation='relu', data_format='channels_first')",
        "MaxPooling2D((3, 3), strides=(1, 1), padding='same', data_format='channels_first')",
        "Conv2D(64, (1, 1), padding='same', activation='relu', data_format='channels_first')",
        "concatenate([tower_1, tower_2, tower_3], axis=1)",
    ]
    assert scope["output"].shape == (None, 192, 256, 256)
    # test: run it on one small image (32x32 instead of 256x256, for speed)
    model = kfunc.Model(scope["input_img"], scope["output"])
    image = rng().random((1, 3, 32, 32), dtype=np.float32)
    assert tuple(model(image).shape) == (1, 192, 32, 32)


SEED1_RESIDUAL = """
from kfunc.layers import merge, Convolution2D, Input

# input tensor for a 3-channel 256x256 image
x = Input(shape=(3, 256, 256))
# 3x3 conv with 16 output channels
y = Convolution2D(16, 3, 3, border_mode='same')
# this returns x + y.
z = merge([x, y], mode='sum')
"""
# test: the text's mistake, corrected: the layer must be called on x, and x + y
# needs y to have x's 3 channels.
SEED1_RESIDUAL_CORRECTED = SEED1_RESIDUAL.replace(
    "y = Convolution2D(16, 3, 3, border_mode='same')", "y = Convolution2D(3, 3, 3, border_mode='same')(x)"
)


def test_seed1_residual_connection_as_written_explains_the_layer_passed_as_a_tensor():
    with pytest.raises(
        TypeError, match=r"you passed the layer 'conv2d'; call it on a tensor first: conv2d\(x\)"
    ):
        run_cell(SEED1_RESIDUAL, {})


def test_seed1_residual_connection_called_but_with_16_channels_explains_the_shapes():
    called = SEED1_RESIDUAL.replace("border_mode='same')\n", "border_mode='same')(x)\n")
    with pytest.raises(ValueError, match=r"\(None, 3, 256, 256\).*\(None, 16, 256, 256\)"):
        run_cell(called, {})


def test_seed1_residual_connection_corrected():
    scope = {}
    messages = run_cell(SEED1_RESIDUAL_CORRECTED, scope)
    assert [m.modern_call for m in messages] == [
        "Conv2D(3, (3, 3), padding='same', data_format='channels_first')",
        "add([x, y])",
    ]
    assert scope["z"].shape == (None, 3, 256, 256)


SEED1_SHARED_VISION = """
# first, define the vision modules
digit_input = Input(shape=(1, 27, 27))
x = Convolution2D(64, 3, 3)(x)
x = Convolution2D(64, 3, 3)(x)
out = MaxPooling2D((2, 2))(x)

vision_model = Model(digit_input, out)

# then define the tell-digits-apart model
digit_a = Input(shape=(1, 27, 27))
digit_b = Input(shape=(1, 27, 27))

# the vision model will be shared, weights and all
out_a = vision_model(digit_a)
out_b = vision_model(digit_b)

concatenated = merge([out_a, out_b], mode='concat')
out = Dense(1, activation='sigmoid')(concatenated)

classification_model = Model([digit_a, digit_b], out)
"""
# test: the text's mistake, corrected: the first convolution reads the digit input.
SEED1_SHARED_VISION_CORRECTED = SEED1_SHARED_VISION.replace(
    "x = Convolution2D(64, 3, 3)(x)\nx", "x = Convolution2D(64, 3, 3)(digit_input)\nx"
)


def test_seed1_shared_vision_model_as_written_uses_an_undefined_x():
    with pytest.raises(NameError, match="'x' is not defined"):
        run_cell(SEED1_SHARED_VISION, image_scope())


def test_seed1_shared_vision_model_corrected():
    scope = image_scope()
    messages = run_cell(SEED1_SHARED_VISION_CORRECTED, scope)
    assert [m.modern_call for m in messages] == [
        "Conv2D(64, (3, 3), data_format='channels_first')",
        "Conv2D(64, (3, 3), data_format='channels_first')",
        "concatenate([out_a, out_b])",
    ]
    vision, classifier = scope["vision_model"], scope["classification_model"]
    # The Keras 1 convolutions read channels first: (1, 27, 27) -> (64, 25, 25) -> (64, 23, 23).
    assert vision.layers[2].output_shape == (None, 64, 23, 23)
    # The pooling is spelled the Keras 2 way, so it reads channels last, as Keras 2 does:
    # it pools the (64, 23) axes. (Keras 1 set the image ordering globally.)
    assert vision.output_shape == (None, 32, 11, 23)
    assert classifier.output_shape == (None, 32, 11, 1)
    digits = [rng().random((2, 1, 27, 27), dtype=np.float32)] * 2
    assert tuple(classifier.predict(digits).shape) == (2, 32, 11, 1)


# ====================================================================== pasting back

# (block, the cells that run before it, what it builds)
_PASTE_BACK = {
    "seed0 functional": (lambda: {"data": rng().random((8, 784), dtype=np.float32), "labels": one_hot(8, 10)},
                         [SEED0_FUNCTIONAL], ["model"]),
    "seed0 multi io": (headline_data_scope, [SEED0_MULTI_IO], ["model"]),
    "seed0 shared": (tweets_scope, ["tweet_a = Input(shape=(140, 256))\ntweet_b = Input(shape=(140, 256))",
                                    SEED0_SHARED], ["model"]),
    "seed1 qa": (qa_scope, [SEED1_QUESTION_ANSWERING_CORRECTED], ["output", "good_answer_score"]),
    "seed1 shapes": (lambda: image_scope(), [SEED1_SHAPES], ["conved_a", "conved_b"]),
    "seed1 inception": (image_scope, [SEED1_INCEPTION], ["output"]),
    "seed1 residual": (lambda: {}, [SEED1_RESIDUAL_CORRECTED], ["z"]),
    "seed1 shared vision": (image_scope, [SEED1_SHARED_VISION_CORRECTED], ["vision_model", "classification_model"]),
}  # fmt: skip


def _built(scope, names):
    """Output shapes and parameter counts of the models (or tensors) named ``names``."""
    out = {}
    for name in names:
        value = scope[name]
        if isinstance(value, kfunc.Model):
            out[name] = (value.output_shape, value.count_params())
        else:
            out[name] = value.shape
    return out


@pytest.mark.parametrize("block", list(_PASTE_BACK))
def test_pasting_the_keras2_calls_back_builds_the_same_model(block):
    make_scope, cells, names = _PASTE_BACK[block]
    scope = make_scope()
    messages = [m for cell in cells for m in run_cell(cell, scope)]
    assert messages, "the block uses Keras 1 spellings"
    keras1 = _built(scope, names)

    kfunc.utils.clear_session()
    kfunc.legacy.reset_warnings()
    scope = make_scope()
    scope.update({n: getattr(kfunc.layers, n) for n in dir(kfunc.layers) if not n.startswith("_")})
    scope["Model"] = kfunc.Model
    for cell in cells:
        assert run_cell(paste_back(cell, messages), scope) == []
    assert _built(scope, names) == keras1
