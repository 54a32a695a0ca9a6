"""Keras 1 spellings work, warn once per call site with the exact Keras 2 call, and teach."""

import warnings

import numpy as np
import pytest
import torch

import kfunc
import kfunc.legacy
from kfunc import layers
from kfunc.layers import LSTM, Conv2D, Dense, Dropout, Embedding, Input, MaxPooling2D
from kfunc.legacy import Convolution2D, LegacySpellingWarning, Merge, merge, translate_fit_kwargs
from kfunc.models import Model


@pytest.fixture(autouse=True)
def fresh_warnings():
    """Each test sees the first warning of each of its call sites."""
    kfunc.legacy.reset_warnings()


def legacy(record):
    """The LegacySpellingWarnings among recorded warnings."""
    return [w for w in record if issubclass(w.category, LegacySpellingWarning)]


def modern_call(record):
    (w,) = legacy(record)
    return w.message.modern_call


def paste(call, **names):
    """Evaluate a suggested Keras 2 call with kfunc's layers and ``names`` in scope."""
    scope = {n: getattr(layers, n) for n in dir(layers) if not n.startswith("_")}
    scope.update(Model=Model, **names)
    return eval(call, scope)


def no_legacy_warning(make):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        result = make()
    assert legacy(record) == []
    return result


# ---------------------------------------------------------------------- constructors


def test_dense_output_dim_and_init_warn_with_the_keras2_call():
    x = Input(shape=(5,))
    with pytest.warns(LegacySpellingWarning) as record:
        dense = Dense(output_dim=3, init="uniform", activation="relu")
    assert modern_call(record) == "Dense(units=3, kernel_initializer='random_uniform', activation='relu')"
    message = str(legacy(record)[0].message)
    assert message.startswith("Update your Dense call: Dense(units=3, ")
    assert "output_dim is now units" in message
    assert dense.units == 3
    twin = paste(modern_call(record))
    assert twin.get_config() | {"name": dense.name} == dense.get_config()
    assert dense(x).shape == (None, 3)


def test_warning_points_at_the_users_line():
    with pytest.warns(LegacySpellingWarning) as record:
        Dropout(p=0.5)  # the line the warning must name
    (w,) = legacy(record)
    assert w.filename == __file__
    with open(__file__) as f:
        assert "the line the warning must name" in f.read().splitlines()[w.lineno - 1]


def test_warns_once_per_call_site():
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for _ in range(3):
            Dense(output_dim=2)
        Dense(output_dim=2)
    assert len(legacy(record)) == 2


def _run_as_cell(source, name):
    """Run ``source`` as the notebook cell ``name`` (a file of its own); return its legacy warnings' texts."""
    import linecache

    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        exec(compile(source, name, "exec"), {"Convolution2D": Convolution2D, "MaxPooling2D": MaxPooling2D})
    return [str(w.message) for w in legacy(record)]


def test_a_cell_explains_each_note_once_and_updates_every_call():
    cell = ("a = Convolution2D(8, 1, 1, border_mode='same')\n"
            "b = Convolution2D(8, 3, 3, border_mode='same')\n"
            "c = MaxPooling2D((2, 2), border_mode='same')\n")
    first, second, pooling = _run_as_cell(cell, "<cell-1>")
    assert first.startswith("Update your Convolution2D call: Conv2D(8, (1, 1), padding='same', data_format='channels_first')\n")
    assert "nb_row, nb_col are now kernel_size" in first and "channels-first" in first
    assert second == "Update your Convolution2D call: Conv2D(8, (3, 3), padding='same', data_format='channels_first')"
    assert pooling == "Update your MaxPooling2D call: MaxPooling2D((2, 2), padding='same', data_format='channels_first')"
    # another cell is read on its own: it explains again
    (again,) = _run_as_cell("d = Convolution2D(8, 5, 5)\n", "<cell-2>")
    assert "(Keras 1 spelling: Convolution2D is now Conv2D;" in again and "channels-first" in again


def test_each_spelling_at_one_call_site_warns_once_with_its_own_call():
    a, b = Input(shape=(4,)), Input(shape=(4,))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for _ in range(2):
            for mode in ("sum", "mul", "ave"):
                merge([a, b], mode=mode)
    calls = [w.message.modern_call for w in legacy(record)]
    assert calls == ["add([a, b])", "multiply([a, b])", "average([a, b])"]


def test_two_calls_on_one_line_warn_separately():
    x = Input(shape=(4,))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        y = Dense(output_dim=2)(Dense(output_dim=3)(x))
    assert [w.message.modern_call for w in legacy(record)] == ["Dense(units=2)", "Dense(units=3)"]
    assert y.shape == (None, 2)


def test_old_and_new_name_together_is_a_type_error_naming_both():
    with pytest.raises(TypeError, match=r"output_dim .*Keras 1.* units=4 .*Keras 2"):
        Dense(output_dim=3, units=4)
    with pytest.raises(TypeError, match=r"output_dim .*Keras 1.* 3 \(by position\)"):
        Dense(3, output_dim=3)
    x = Input(shape=(2,))
    with pytest.raises(TypeError, match=r"input .*Keras 1.*inputs=x"):
        Model(input=x, inputs=x, outputs=Dense(1)(x))


def test_model_input_output_keywords():
    inputs = Input(shape=(784,))
    preds = Dense(10, activation="softmax")(Dense(64, activation="relu")(inputs))
    with pytest.warns(LegacySpellingWarning) as record:
        model = Model(input=inputs,
                      output=preds)  # fmt: skip
    assert modern_call(record) == "Model(inputs=inputs, outputs=preds)"
    assert model.count_params() == 784 * 64 + 64 + 64 * 10 + 10
    twin = paste(modern_call(record), inputs=inputs, preds=preds)
    assert twin.output_shape == model.output_shape == (None, 10)


def test_model_with_lists_of_inputs_and_outputs():
    a, b = Input(shape=(3,)), Input(shape=(4,))
    ya, yb = Dense(1)(a), Dense(2)(b)
    with pytest.warns(LegacySpellingWarning) as record:
        model = Model(input=[a, b], output=[ya, yb])
    assert modern_call(record) == "Model(inputs=[a, b], outputs=[ya, yb])"
    assert model.output_shape == [(None, 1), (None, 2)]


def test_convolution2d_keras1_positional_form_is_channels_first():
    a = Input(shape=(3, 32, 32))
    with pytest.warns(LegacySpellingWarning) as record:
        conv = Convolution2D(16, 3, 3, border_mode="same")
    message = str(legacy(record)[0].message)
    assert message.splitlines()[0] == (
        "Update your Convolution2D call: Conv2D(16, (3, 3), padding='same', data_format='channels_first')"
    )
    assert isinstance(conv, Conv2D) and conv.name == "conv2d"
    assert conv(a).shape == (None, 16, 32, 32)
    twin = paste(modern_call(record))
    assert twin(a).shape == (None, 16, 32, 32)
    assert twin.count_params() == conv.count_params() == 3 * 3 * 3 * 16 + 16


def test_convolution2d_subsample_init_and_dim_ordering_tf():
    x = Input(shape=(32, 32, 3))
    with pytest.warns(LegacySpellingWarning) as record:
        conv = Convolution2D(8, 5, 5, subsample=(2, 2), init="he_normal", dim_ordering="tf")
    assert modern_call(record) == (
        "Conv2D(8, (5, 5), strides=(2, 2), kernel_initializer='he_normal', data_format='channels_last')"
    )
    assert conv(x).shape == (None, 14, 14, 8)


def test_convolution2d_with_modern_arguments_is_a_silent_alias():
    conv = no_legacy_warning(lambda: Convolution2D(16, (3, 3), padding="same"))
    assert isinstance(conv, Conv2D)
    assert conv(Input(shape=(8, 8, 3))).shape == (None, 8, 8, 16)


def test_conv2d_with_border_mode_keyword_goes_through_the_hook():
    with pytest.warns(LegacySpellingWarning) as record:
        conv = Conv2D(4, (3, 3), border_mode="valid")
    assert modern_call(record) == "Conv2D(4, (3, 3), padding='valid', data_format='channels_first')"
    assert conv(Input(shape=(2, 10, 10))).shape == (None, 4, 8, 8)


def test_conv2d_nb_row_without_nb_col_explains():
    with pytest.raises(TypeError, match="nb_row.*not nb_col"):
        Conv2D(nb_filter=4, nb_row=3)


def test_maxpooling2d_border_mode_and_dim_ordering():
    x = Input(shape=(3, 16, 16))
    with pytest.warns(LegacySpellingWarning) as record:
        pool = MaxPooling2D((3, 3), strides=(1, 1), border_mode="same")
    assert modern_call(record) == (
        "MaxPooling2D((3, 3), strides=(1, 1), padding='same', data_format='channels_first')"
    )
    assert pool(x).shape == (None, 3, 16, 16)
    with pytest.warns(LegacySpellingWarning) as record:
        pool = MaxPooling2D((2, 2), dim_ordering="th")
    assert modern_call(record) == "MaxPooling2D((2, 2), data_format='channels_first')"
    assert pool(Input(shape=(64, 23, 23))).shape == (None, 64, 11, 11)


def test_dim_ordering_default_is_left_out():
    with pytest.warns(LegacySpellingWarning) as record:
        pool = MaxPooling2D((2, 2), dim_ordering="default")
    assert modern_call(record) == "MaxPooling2D((2, 2))"
    assert pool(Input(shape=(8, 8, 3))).shape == (None, 4, 4, 3)


def test_lstm_keras1_arguments():
    x = Input(shape=(7, 5))
    with pytest.warns(LegacySpellingWarning) as record:
        lstm = LSTM(output_dim=6, inner_activation="hard_sigmoid", consume_less="gpu", dropout_W=0.1)
    assert modern_call(record) == (
        "LSTM(units=6, recurrent_activation='hard_sigmoid', implementation=2, dropout=0.1)"
    )
    assert lstm(x).shape == (None, 6)
    twin = paste(modern_call(record))
    twin(Input(shape=(7, 5)))
    assert twin.count_params() == lstm.count_params() == 4 * 6 * (5 + 6 + 1)


def test_dropout_p():
    with pytest.warns(LegacySpellingWarning) as record:
        layer = Dropout(p=0.25)
    assert modern_call(record) == "Dropout(rate=0.25)"
    assert layer.rate == 0.25


def test_embedding_input_length_keeps_working_without_warning():
    ids = Input(shape=(10,), dtype="int32")
    emb = no_legacy_warning(lambda: Embedding(output_dim=8, input_dim=50, input_length=10))
    assert emb(ids).shape == (None, 10, 8)


def test_embedding_keras1_init_and_dropout():
    with pytest.warns(LegacySpellingWarning) as record:
        Embedding(50, 8, init="normal")
    assert modern_call(record) == "Embedding(50, 8, embeddings_initializer='random_normal')"
    with pytest.raises(TypeError, match="SpatialDropout1D"):
        Embedding(50, 8, dropout=0.2)


def test_embedding_without_input_dim_explains():
    with pytest.raises(TypeError, match=r"needs `input_dim`, the size of the vocabulary"):
        Embedding(output_dim=1024)


def test_batch_normalization_mode():
    with pytest.warns(LegacySpellingWarning) as record:
        layers.BatchNormalization(mode=0)
    assert modern_call(record) == "layers.BatchNormalization()"
    with pytest.raises(TypeError, match="only mode 0"):
        layers.BatchNormalization(mode=2)


def test_modern_spellings_never_warn():
    def build():
        x = Input(shape=(3, 8, 8))
        y = Conv2D(4, (3, 3), padding="same", data_format="channels_first")(x)
        y = MaxPooling2D((2, 2), data_format="channels_first")(y)
        return Model(inputs=x, outputs=Dense(units=2)(layers.Flatten()(y)))

    assert no_legacy_warning(build).output_shape == (None, 2)


def test_source_unknown_falls_back_to_the_users_variable_names():
    inputs = Input(shape=(4,))
    preds = Dense(2)(inputs)
    scope = {"Model": Model, "inputs": inputs, "preds": preds}
    with pytest.warns(LegacySpellingWarning) as record:
        exec("model = Model(input=inputs, output=preds)", scope)  # no source file to read
    assert modern_call(record) == "Model(inputs=inputs, outputs=preds)"
    with pytest.warns(LegacySpellingWarning) as record:
        exec("conv = Convolution2D(16, 3, 3, border_mode='same')", {"Convolution2D": Convolution2D})
    assert modern_call(record) == "Conv2D(16, (3, 3), padding='same', data_format='channels_first')"


# ---------------------------------------------------------------------- merge


def _pair(shape=(4,)):
    return Input(shape=shape), Input(shape=shape)


@pytest.mark.parametrize(
    "mode, expected_call, torch_fn",
    [
        ("sum", "add([a, b])", lambda x, y: x + y),
        ("mul", "multiply([a, b])", lambda x, y: x * y),
        ("ave", "average([a, b])", lambda x, y: (x + y) / 2),
        ("max", "maximum([a, b])", torch.maximum),
        ("concat", "concatenate([a, b])", lambda x, y: torch.cat([x, y], -1)),
        ("dot", "dot([a, b], axes=-1)", lambda x, y: (x * y).sum(-1, keepdim=True)),
        (
            "cos",
            "dot([a, b], axes=-1, normalize=True)",
            lambda x, y: torch.nn.functional.cosine_similarity(x, y, dim=-1).unsqueeze(-1),
        ),
    ],
)
def test_merge_modes_match_their_keras2_function(mode, expected_call, torch_fn):
    a, b = _pair()
    with pytest.warns(LegacySpellingWarning) as record:
        merged = merge([a, b], mode=mode)
    assert modern_call(record) == expected_call
    model = Model(inputs=[a, b], outputs=merged)
    xa, xb = torch.randn(3, 4), torch.randn(3, 4)
    torch.testing.assert_close(model([xa, xb]), torch_fn(xa, xb))
    twin = paste(expected_call, a=a, b=b)
    assert twin.shape == merged.shape


def test_merge_default_mode_is_sum():
    a, b = _pair()
    with pytest.warns(LegacySpellingWarning) as record:
        merge([a, b])
    assert modern_call(record) == "add([a, b])"


def test_merge_concat_axis_and_dot_axes():
    a, b = _pair((2, 5))
    with pytest.warns(LegacySpellingWarning) as record:
        c = merge([a, b], mode="concat", concat_axis=1, name="joined")
    assert modern_call(record) == "concatenate([a, b], axis=1, name='joined')"
    assert c.shape == (None, 4, 5)
    with pytest.warns(LegacySpellingWarning) as record:
        d = merge([a, b], mode="dot", dot_axes=2)
    assert modern_call(record) == "dot([a, b], axes=2)"
    assert d.shape == (None, 2, 2)


def test_merge_both_axis_spellings_is_a_type_error():
    a, b = _pair()
    with pytest.raises(TypeError, match=r"concat_axis .*Keras 1.*axis=-1 .*Keras 2"):
        merge([a, b], mode="concat", concat_axis=-1, axis=-1)


def test_merge_function_mode_is_a_lambda():
    a, b = _pair()
    with pytest.warns(LegacySpellingWarning) as record:
        out = merge([a, b], mode=lambda t: t[0] - t[1], output_shape=(4,))
    assert modern_call(record) == "Lambda(lambda t: t[0] - t[1], output_shape=(4,))([a, b])"
    model = Model(inputs=[a, b], outputs=out)
    xa, xb = torch.randn(2, 4), torch.randn(2, 4)
    torch.testing.assert_close(model([xa, xb]), xa - xb)


def test_merge_unknown_mode_suggests_the_right_one():
    a, b = _pair()
    with pytest.raises(ValueError, match="Did you mean 'concat'"):
        merge([a, b], mode="concatenate")


def test_merge_of_a_layer_explains_to_call_it_first():
    x = Input(shape=(3, 16, 16))
    y = Conv2D(3, (3, 3), padding="same", data_format="channels_first")
    expected = r"you passed the layer 'conv2d'; call it on a tensor first: conv2d\(x\)"
    with pytest.raises(TypeError, match=expected) as merge_error:
        merge([x, y], mode="sum")
    assert "`y`" in str(merge_error.value)
    with pytest.raises(TypeError, match=expected):
        Merge([x, y], mode="sum")
    # Nothing was added to the graph by the failed calls.
    assert y._inbound_nodes == [] and x._keras_history.layer._outbound_nodes == []


def test_merge_of_one_tensor_explains_the_list():
    a = Input(shape=(4,))
    with pytest.raises(TypeError, match="list of tensors"):
        merge(a, mode="concat")


def test_merge_layer_class():
    a, b = _pair((2, 3))
    with pytest.warns(LegacySpellingWarning) as record:
        layer = Merge(mode="concat", concat_axis=1)
    assert modern_call(record) == "Concatenate(axis=1)"
    assert isinstance(layer, layers.Concatenate)
    assert layer([a, b]).shape == (None, 4, 3)


def test_merge_layer_given_tensors_says_to_call_the_layer():
    a, b = _pair()
    with pytest.raises(TypeError, match=r"Concatenate\(...\)\(\[x, y\]\)"):
        Merge([a, b], mode="concat")


# ---------------------------------------------------------------------- old methods


def test_get_output_and_get_input():
    a = Input(shape=(5,))
    lstm_input = Input(shape=(3, 5))
    dense = Dense(2)
    y = dense(a)
    with pytest.warns(LegacySpellingWarning) as record:
        out = dense.get_output(train=False)
    assert out is y
    assert modern_call(record) == "dense.output"
    with pytest.warns(LegacySpellingWarning) as record:
        assert dense.get_input() is a
    assert modern_call(record) == "dense.input"
    lstm = LSTM(4)
    lstm(lstm_input)
    lstm(lstm_input)
    with pytest.raises(AttributeError, match=r"get_output_at\(node_index\)"):
        with pytest.warns(LegacySpellingWarning):
            lstm.get_output()


def test_get_output_shape_for():
    dense = Dense(7)
    dense(Input(shape=(3,)))
    with pytest.warns(LegacySpellingWarning) as record:
        assert dense.get_output_shape_for((None, 3)) == (None, 7)
    assert modern_call(record) == "dense.compute_output_shape((None, 3))"


# ---------------------------------------------------------------------- fit


def _small_model():
    x = Input(shape=(3,))
    model = Model(inputs=x, outputs=Dense(1)(x))
    model.compile(optimizer="sgd", loss="mse")
    return model, np.ones((8, 3), "float32"), np.zeros((8, 1), "float32")


def test_fit_nb_epoch_trains_that_many_epochs():
    model, x, y = _small_model()
    with pytest.warns(LegacySpellingWarning) as record:
        history = model.fit(x, y, nb_epoch=2, batch_size=4, verbose=0)
    assert modern_call(record) == "model.fit(x, y, epochs=2, batch_size=4, verbose=0)"
    assert len(history.history["loss"]) == 2


def test_fit_with_both_epoch_spellings_is_a_type_error():
    model, x, y = _small_model()
    with pytest.raises(TypeError, match=r"nb_epoch \(its Keras 1 name\) and epochs=3 \(its Keras 2 name\)"):
        model.fit(x, y, epochs=3, nb_epoch=3, verbose=0)


def test_translate_fit_kwargs_renames_nb_epoch():
    with pytest.warns(LegacySpellingWarning) as record:
        assert translate_fit_kwargs("fit", {"nb_epoch": 3, "verbose": 0}) == {"epochs": 3, "verbose": 0}
    assert modern_call(record) == "model.fit(..., epochs=3, verbose=0)"
    assert no_legacy_warning(lambda: translate_fit_kwargs("fit", {"verbose": 0})) == {"verbose": 0}


def test_translate_fit_kwargs_generator_arguments_note_the_change_of_meaning():
    with pytest.warns(LegacySpellingWarning) as record:
        out = translate_fit_kwargs("fit_generator", {"samples_per_epoch": 640, "nb_val_samples": 64})
    assert out == {"steps_per_epoch": 640, "validation_steps": 64}
    assert "counts batches, not samples" in str(legacy(record)[0].message)


def test_conv2d_with_keras1_keywords_reads_keras1_positional_arguments():
    with pytest.warns(LegacySpellingWarning) as record:
        conv = Conv2D(16, 3, 3, border_mode="same")
    assert modern_call(record) == "Conv2D(16, (3, 3), padding='same', data_format='channels_first')"
    assert conv(Input(shape=(3, 8, 8))).shape == (None, 16, 8, 8)
    # Without a Keras 1 keyword, the same numbers are Keras 2's: kernel 3, strides 3.
    conv = no_legacy_warning(lambda: Conv2D(16, 3, 3))
    assert conv(Input(shape=(9, 9, 3))).shape == (None, 3, 3, 16)


def test_merge_layer_with_a_function_mode_is_a_lambda():
    a, b = _pair()
    with pytest.warns(LegacySpellingWarning) as record:
        layer = Merge(mode=lambda t: t[0] * t[1])
    assert modern_call(record) == "Lambda(lambda t: t[0] * t[1])"
    assert isinstance(layer, layers.Lambda)
    assert layer([a, b]).shape == (None, 4)
