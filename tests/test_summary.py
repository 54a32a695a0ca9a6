"""model.summary(): the Keras 2 table of layers, shapes, parameters and connections."""

import pytest

import deep_models
import guide_models as guide
import kfunc
from kfunc.display import count_weights, print_summary, summary_html, summary_lines, summary_text
from kfunc.layers import LSTM, BatchNormalization, Conv2D, Dense, Input, concatenate
from kfunc.models import Model, Sequential


def _row(lines, name):
    """The index of the first line of the row whose layer is ``name``."""
    return next(i for i, line in enumerate(lines) if line.startswith(f"{name} ("))


def _totals(lines):
    values = {}
    for line in lines:
        for key in ("Total params", "Trainable params", "Non-trainable params"):
            if line.startswith(key + ":"):
                values[key] = int(line.split(":")[1].replace(",", ""))
    return values


def test_headline_model_summary_lists_connections_like_keras():
    model = guide.headline_model()
    lines = summary_lines(model)
    assert lines[0] == 'Model: "model"'
    assert lines[2].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#", "Connected", "to"]
    column = lines[2].index("Connected to")
    row = lines[_row(lines, "lstm")]
    assert row.split() == ["lstm", "(LSTM)", "(None,", "32)", "69760", "embedding[0][0]"]
    # concatenate reads two tensors: one per line, both in the Connected to column
    i = _row(lines, "concatenate")
    assert lines[i][column:] == "lstm[0][0]"
    assert lines[i + 1][column:] == "aux_input[0][0]" and not lines[i + 1][:column].strip()
    assert lines[_row(lines, "aux_output")].endswith("lstm[0][0]")
    # Input rows have no connections
    assert lines[_row(lines, "main_input")].split() == ["main_input", "(InputLayer)", "(None,", "100)", "0"]
    totals = _totals(lines)
    assert totals["Total params"] == model.count_params() == 5_200_610
    assert totals["Trainable params"] == 5_200_610 and totals["Non-trainable params"] == 0
    # rows follow model.layers, the Keras order
    order = [_row(lines, layer.name) for layer in model.layers]
    assert order == sorted(order)


def test_shared_layer_lists_the_inputs_of_both_calls():
    model = guide.shared_lstm_model()
    lines = summary_lines(model)
    column = lines[2].index("Connected to")
    i = _row(lines, "lstm")
    assert lines[i][column:] == "input_1[0][0]" and lines[i + 1][column:] == "input_2[0][0]"
    j = _row(lines, "concatenate")
    assert lines[j][column:] == "lstm[0][0]" and lines[j + 1][column:] == "lstm[1][0]"
    assert "82176" in lines[i]
    assert _totals(lines)["Total params"] == model.count_params() == 82_305


def test_only_this_models_calls_are_listed():
    a, b, c = Input(shape=(4,)), Input(shape=(4,)), Input(shape=(2,))
    shared = Dense(3, name="shared")
    Model(a, shared(a))
    second = Model([b, c], Dense(2, name="head")(concatenate([shared(b), c])))
    lines = summary_lines(second)
    column = lines[2].index("Connected to")
    assert lines[_row(lines, "shared")][column:] == "input_2[0][0]"
    assert "input_1" not in "\n".join(lines)
    # the call that belongs to `second` is the layer's node 1
    assert lines[_row(lines, "concatenate")][column:] == "shared[1][0]"
    assert len(shared._inbound_nodes) == 2


def test_a_chain_has_no_connected_to_column():
    model = guide.dense_network()
    lines = summary_lines(model)
    assert "Connected to" not in lines[2]
    assert len(lines[1]) == 65
    assert lines[_row(lines, "input_1")].split() == ["input_1", "(InputLayer)", "(None,", "784)", "0"]
    assert lines[_row(lines, "dense")].split() == ["dense", "(Dense)", "(None,", "64)", "50240"]
    assert _totals(lines)["Total params"] == 55_050


def test_sequential_summary_leaves_out_the_input_row():
    model = Sequential([Dense(8, input_shape=(4,)), Dense(2)])
    lines = summary_lines(model)
    assert lines[0] == 'Model: "sequential"'
    assert not any("InputLayer" in line for line in lines)
    assert lines[_row(lines, "dense")].split()[-1] == "40"
    assert _totals(lines)["Total params"] == 58


def test_unbuilt_sequential_says_how_to_build_it():
    model = Sequential([Dense(8), Dense(2)])
    with pytest.raises(ValueError, match="input_shape"):
        model.summary()


def test_summary_method_prints_through_print_fn():
    model = guide.dense_network()
    lines = []
    assert model.summary(print_fn=lines.append) is None
    assert lines == summary_lines(model)
    collected = []
    print_summary(model, print_fn=collected.append, line_length=80, positions=[0.5, 0.8, 1.0])
    assert len(collected[1]) == 80


def test_shared_weights_and_nested_models_are_counted_once():
    model, vision = guide.shared_vision_model()
    lines = summary_lines(model)
    assert _totals(lines)["Total params"] == model.count_params() == vision.count_params() + 15_489
    column = lines[2].index("Connected to")
    i = _row(lines, "model")
    assert lines[i][column:] == "input_2[0][0]" and lines[i + 1][column:] == "input_3[0][0]"


def test_non_trainable_weights_are_totalled_apart():
    x = Input(shape=(6,))
    frozen = Dense(4, name="frozen")
    y = BatchNormalization()(frozen(x))
    model = Model(x, Dense(1)(y))
    frozen.trainable = False
    totals = _totals(summary_lines(model))
    # frozen kernel+bias (28) and the moving mean/variance (8) do not train
    assert totals["Non-trainable params"] == 28 + 8
    assert totals["Trainable params"] == 8 + 5
    assert totals["Total params"] == model.count_params()
    assert count_weights(model) == (13, 36)


def test_summary_reads_shapes_without_materializing_weights():
    model = guide.headline_model()
    summary_text(model)
    assert not model._is_materialized


def test_shared_layer_with_different_shapes_shows_multiple():
    a, b = Input(shape=(8, 8, 3)), Input(shape=(16, 16, 3))
    conv = Conv2D(4, (3, 3), padding="same")
    model = Model([a, b], [conv(a), conv(b)])
    lines = summary_lines(model)
    assert lines[_row(lines, "conv2d")].split()[2] == "multiple"


def test_expand_nested_lists_inner_layers_indented():
    model, _ = guide.shared_vision_model()
    lines = summary_lines(model, expand_nested=True)
    inner = [line for line in lines if line.startswith("  ") and line.split()[0].isidentifier()]
    assert [line.split()[0] for line in inner] == ["input_1", "conv2d", "conv2d_1", "max_pooling2d", "flatten"]
    assert "conv2d[0][0]" in next(line for line in inner if line.split()[0] == "conv2d_1")
    assert _totals(lines)["Total params"] == model.count_params()


def test_show_trainable_adds_a_column():
    model = guide.dense_network()
    model.layers[1].trainable = False
    lines = summary_lines(model, show_trainable=True)
    assert lines[2].split()[-1] == "Trainable"
    assert lines[_row(lines, "dense")].split()[-1] == "N"
    assert lines[_row(lines, "dense_1")].split()[-1] == "Y"
    assert lines[_row(lines, "input_1")].split()[-1] == "-"


def test_long_names_and_shapes_are_never_cut():
    x = Input(shape=(3,), name="a_very_long_input_name_that_keeps_going")
    y = Dense(2, name="an_even_longer_dense_layer_name_for_the_table")(x)
    z = concatenate([y, x])
    lines = summary_lines(Model(x, z))
    text = "\n".join(lines)
    assert "an_even_longer_dense_layer_name_for_the_table (Dense)" in text
    assert "an_even_longer_dense_layer_name_for_the_table[0][0]" in text
    widths = {len(line) for line in lines if set(line) <= {"_"} or set(line) <= {"="}}
    assert len(widths) == 1


def test_summary_html_has_the_same_facts():
    model = guide.headline_model()
    page = summary_html(model)
    assert page.count("<tr>") == 1 + len(model.layers)
    assert "lstm[0][0]<br>aux_input[0][0]" in page
    assert "Total params: 5,200,610" in page


def test_text_has_no_memory_addresses():
    model, _ = guide.shared_vision_model()
    text = summary_text(model, expand_nested=True)
    assert "0x" not in text and " at " not in text


def test_keras_1_recurrent_model_summary_matches_count_params():
    x = Input(shape=(5, 3))
    seq, state_h, state_c = LSTM(4, return_sequences=True, return_state=True)(x)
    model = Model(x, [seq, state_h, state_c])
    lines = summary_lines(model)
    assert lines[_row(lines, "lstm")].split()[2:8] == ["[(None,", "5,", "4),", "(None,", "4),", "(None,"]
    assert _totals(lines)["Total params"] == model.count_params() == 4 * 4 * (3 + 4 + 1)
    kfunc.utils.clear_session()


def test_a_chain_of_2000_layers_is_summarized_without_recursion():
    model = deep_models.dense_chain(2000)
    lines = []
    with deep_models.recursion_headroom(200):  # far below the default limit of 1,000 frames
        model.summary(print_fn=lines.append)
    assert sum(1 for line in lines if "(Dense)" in line) == 2000
    assert _totals(lines)["Total params"] == 2000 * (2 * 2 + 2)


def test_models_nested_150_deep_are_summarized_expanded_without_recursion():
    model = deep_models.nested_models(150)
    with deep_models.recursion_headroom(100):
        lines = summary_lines(model, expand_nested=True)
        html = summary_html(model, expand_nested=True)
    dense = next(line for line in lines if "dense (Dense)" in line)
    assert dense.startswith("  " * 150 + "dense (Dense)")
    assert _totals(lines)["Total params"] == 6 and "dense (Dense)" in html
