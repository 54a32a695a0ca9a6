"""Random small graphs and random fit inputs: kfunc either works or says what is wrong.

Each example builds a graph at random, one layer call at a time: random layer kinds
and widths, merges of random tensors, layers shared by calling them again on other
tensors, wrappers (TimeDistributed of a layer or of a model, Bidirectional). Any
call may be a mistake (a Dense re-called on another size, a merge of unequal
shapes, a Reshape to a wrong size): kfunc must then raise a ValueError or TypeError
that names the layer, and the failed call must leave no node behind. Every tensor
made must have the shape a real forward pass gives it. The model then meets random
``fit`` data, right or wrong in one of the classic ways; a wrong one must be refused
with a ValueError or TypeError naming the culprit, before any weight moves.

Never allowed: a bare torch error, ``KeyError``, ``IndexError``, ``AssertionError``.

Profiles: ``ci`` (the default: 80 graphs, a few seconds) and ``local`` (3,000 graphs,
about five minutes on two cores, printing a tally of how the cases ended):
``HYPOTHESIS_PROFILE=local .venv/bin/python -m pytest tests/test_fuzz.py -q -s``.
What the fuzzer found, each fixed, is kept as a plain test at the end of this file.
"""

import os
import re

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kfunc
from kfunc import layers as L

settings.register_profile(
    "ci", max_examples=80, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "local", max_examples=3000, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# How many examples ran, and how they ended (printed at the end of a local run).
TALLY = {}

BATCH = 3  # real batch size of the forward pass
LENGTH = 7  # the real length of a sequence whose length is None
VOCAB = 6  # ids fed to integer inputs are in [0, VOCAB)


def _count(key):
    TALLY[key] = TALLY.get(key, 0) + 1


def _node_counts(layers):
    return {id(layer): len(layer._inbound_nodes) for layer in layers}


def _names_in(message, candidates):
    return any(re.search(rf"\b{re.escape(c)}\b", message) for c in candidates)


class RandomGraph:
    """Builds one random graph, step by step, checking each call's outcome."""

    def __init__(self, draw):
        self.draw = draw
        self.inputs = []  # symbolic inputs
        self.pool = []  # every symbolic tensor made, inputs first
        self.layers = []  # every layer made (for shared calls and node checks)
        self.real_lengths = {}  # id(input) -> the real shape used for its None dims

    # ------------------------------------------------------------------ inputs

    def make_inputs(self):
        for i in range(self.draw(st.integers(1, 2), label="inputs")):
            kind = self.draw(st.sampled_from(["vector", "sequence", "image", "ids"]), label="input kind")
            if kind == "vector":
                shape, dtype = (self.draw(st.integers(1, 6)),), "float32"
            elif kind == "sequence":
                length = self.draw(st.sampled_from([None, 4, 5]))
                shape, dtype = (length, self.draw(st.integers(1, 5))), "float32"
            elif kind == "image":
                shape, dtype = (self.draw(st.integers(3, 6)), self.draw(st.integers(3, 6)), 2), "float32"
            else:
                shape, dtype = (self.draw(st.sampled_from([None, 4])),), "int64"
            tensor = kfunc.Input(shape=shape, dtype=dtype, name=f"in_{i}")
            self.inputs.append(tensor)
            self.pool.append(tensor)

    # ------------------------------------------------------------------ layer calls

    def pick(self):
        return self.draw(st.sampled_from(self.pool), label="tensor")

    def pick_for(self, layer):
        """A tensor for ``layer``: any, but ids go to an Embedding more often than not."""
        ids = [t for t in self.inputs if t.dtype.startswith("int")]
        if isinstance(layer, L.Embedding) and ids and self.draw(st.booleans(), label="ids to embedding"):
            return self.draw(st.sampled_from(ids), label="tensor")
        return self.pick()

    def new_layer(self):
        draw = self.draw
        kind = draw(st.sampled_from([
            "dense", "activation", "dropout", "batchnorm", "layernorm", "flatten", "reshape",
            "repeat", "permute", "rnn", "conv1d", "pool1d", "gpool1d", "conv2d", "pool2d", "gpool2d",
            "embedding", "td_dense", "td_model", "bidirectional",
        ]), label="layer kind")
        width = draw(st.integers(1, 5), label="width")
        if kind == "dense":
            return L.Dense(width, activation=draw(st.sampled_from([None, "relu", "tanh", "sigmoid"])))
        if kind == "activation":
            return L.Activation(draw(st.sampled_from(["relu", "softmax", "tanh", "linear"])))
        if kind == "dropout":
            return L.Dropout(draw(st.sampled_from([0.0, 0.3])))
        if kind == "batchnorm":
            return L.BatchNormalization()
        if kind == "layernorm":
            return L.LayerNormalization()
        if kind == "flatten":
            return L.Flatten()
        if kind == "reshape":
            return L.Reshape(draw(st.sampled_from([(-1,), (width, -1), (2, 3), (-1, 2)])))
        if kind == "repeat":
            return L.RepeatVector(width)
        if kind == "permute":
            return L.Permute(draw(st.sampled_from([(1,), (2, 1), (1, 2), (3, 1, 2)])))
        if kind == "rnn":
            cls = draw(st.sampled_from([L.SimpleRNN, L.LSTM, L.GRU]))
            return cls(width, return_sequences=draw(st.booleans()))
        if kind == "conv1d":
            return L.Conv1D(width, draw(st.integers(1, 3)), padding=draw(st.sampled_from(["valid", "same"])))
        if kind == "pool1d":
            return draw(st.sampled_from([L.MaxPooling1D, L.AveragePooling1D]))(2)
        if kind == "gpool1d":
            return draw(st.sampled_from([L.GlobalMaxPooling1D, L.GlobalAveragePooling1D]))()
        if kind == "conv2d":
            return L.Conv2D(width, draw(st.integers(1, 3)), padding=draw(st.sampled_from(["valid", "same"])))
        if kind == "pool2d":
            return draw(st.sampled_from([L.MaxPooling2D, L.AveragePooling2D]))((2, 2))
        if kind == "gpool2d":
            return draw(st.sampled_from([L.GlobalMaxPooling2D, L.GlobalAveragePooling2D]))()
        if kind == "embedding":
            return L.Embedding(draw(st.sampled_from([VOCAB, VOCAB + 2, 3])), width)
        if kind == "td_dense":
            return L.TimeDistributed(L.Dense(width))
        if kind == "td_model":
            step = kfunc.Input(shape=(draw(st.integers(1, 5)),))
            return L.TimeDistributed(kfunc.Model(step, L.Dense(width, activation="relu")(step)))
        cls = draw(st.sampled_from([L.SimpleRNN, L.LSTM, L.GRU]))
        return L.Bidirectional(cls(width, return_sequences=draw(st.booleans())),
                               merge_mode=draw(st.sampled_from(["concat", "sum", "ave"])))

    def merge(self):
        draw = self.draw
        kind = draw(st.sampled_from(["add", "subtract", "multiply", "average", "maximum", "concatenate", "dot"]))
        count = 2 if kind in ("subtract", "dot") else draw(st.integers(2, 3))
        tensors = [self.pick() for _ in range(count)]
        if kind == "concatenate":
            return L.Concatenate(axis=draw(st.sampled_from([-1, 1]))), tensors
        if kind == "dot":
            return L.Dot(axes=draw(st.sampled_from([-1, 1, (1, 1)]))), tensors
        cls = {"add": L.Add, "subtract": L.Subtract, "multiply": L.Multiply, "average": L.Average,
               "maximum": L.Maximum}[kind]
        return cls(), tensors

    def step(self):
        action = self.draw(st.sampled_from(["layer", "layer", "layer", "merge", "shared"]), label="action")
        if action == "shared" and any(l._inbound_nodes for l in self.layers):
            layer = self.draw(st.sampled_from([l for l in self.layers if l._inbound_nodes]))
            node_inputs = layer._inbound_nodes[0].call_args[0]
            arg = [self.pick() for _ in node_inputs] if isinstance(node_inputs, (list, tuple)) else self.pick()
        elif action == "merge":
            layer, arg = self.merge()
        else:
            try:
                layer = self.new_layer()
            except (ValueError, TypeError) as err:  # a refused constructor argument
                assert "(" in str(err), str(err)
                _count("refused constructor")
                return
            arg = self.pick_for(layer)
        self.call(layer, arg)

    def call(self, layer, arg):
        if layer not in self.layers:
            self.layers.append(layer)
        before = _node_counts(self.layers + [t._keras_history.layer for t in self.pool])
        try:
            out = layer(arg)
        except (ValueError, TypeError) as err:
            message = str(err)
            # the message names the layer (by name or class)
            assert _names_in(message, [layer.name, type(layer).__name__]), message
            # and the failed call added no node anywhere
            after = _node_counts(self.layers + [t._keras_history.layer for t in self.pool])
            assert after == before, f"a failed call of {layer.name} left a node behind"
            _count("refused call")
            return
        outputs = out if isinstance(out, list) else [out]
        self.pool.extend(outputs)
        _count("call")

    # ------------------------------------------------------------------ real shapes

    def real_inputs(self, inputs, batch=BATCH, rng=None):
        rng = rng or np.random.default_rng(0)
        arrays = []
        for tensor in inputs:
            shape = (batch,) + tuple(LENGTH if d is None else d for d in tensor.shape[1:])
            if tensor.dtype == "int64":
                arrays.append(rng.integers(0, VOCAB, size=shape))
            else:
                arrays.append(rng.standard_normal(shape).astype("float32"))
        return arrays


def _ancestor_inputs(tensors, inputs):
    """The inputs each of ``tensors`` depends on, in ``inputs`` order."""
    seen, found, stack = set(), set(), list(tensors)
    while stack:
        tensor = stack.pop()
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if node.is_input:
            found.add(id(tensor))
        stack.extend(node.input_tensors)
    return [t for t in inputs if id(t) in found]


def _symbolic_matches(symbolic, real, lengths):
    if len(symbolic) != len(real) or real[0] != BATCH:
        return False
    return all(s is None or s == r for s, r in zip(symbolic[1:], real[1:]))


def check_shapes(graph):
    """Every tensor made has the shape of a real forward pass through a model of them all."""
    made = [t for t in graph.pool if t not in graph.inputs]
    if not made:
        return None
    used = _ancestor_inputs(made, graph.inputs)
    probe = kfunc.Model(used, made)
    arrays = graph.real_inputs(used)
    try:
        results = probe(arrays if len(arrays) > 1 else arrays[0])
    except (ValueError, TypeError) as err:
        # only a real size that the symbolic shapes could not know (a None length
        # too short for a convolution, say) may fail, naming the layer
        # too short for a convolution, say), an Embedding fed values that are not ids,
        # or integers fed to a layer that computes on floats
        unknowable = (
            any(d is None for t in used for d in t.shape[1:])
            or any(isinstance(l, L.Embedding) for l in probe.layers)
            or any(t.dtype.startswith("int") for t in used)
        )
        assert unknowable, str(err)
        assert _names_in(str(err), [l.name for l in probe.layers]), str(err)
        _count("run refused")
        return None
    results = results if isinstance(results, (list, tuple)) else [results]
    for tensor, value in zip(made, results):
        assert _symbolic_matches(tensor.shape, tuple(value.shape), LENGTH), (
            f"{tensor.name}: symbolic {tensor.shape}, real {tuple(value.shape)}"
        )
    _count("shapes checked")
    return probe


# ----------------------------------------------------------------------------- fit mistakes

MISTAKES = ["none", "sample_count_x", "sample_count_y", "feature_size", "rank", "missing_input",
            "extra_target", "dict_misspelt", "dict_extra", "target_shape", "fractional_ids",
            "validation_split", "batch_size", "string_data"]


def _fit_case(draw, graph):
    made = [t for t in graph.pool if t not in graph.inputs and t.dtype.startswith("float")]
    if not made:
        return
    outputs = draw(st.lists(st.sampled_from(made), min_size=1, max_size=2, unique_by=id), label="outputs")
    inputs = _ancestor_inputs(outputs, graph.inputs)
    try:
        model = kfunc.Model(inputs, outputs)
    except ValueError as err:  # two outputs made by the same layer, say
        assert "model" in str(err).lower(), str(err)
        _count("model refused")
        return
    model.compile(optimizer=draw(st.sampled_from(["sgd", "adam", "rmsprop"])), loss="mse")
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    n = draw(st.integers(4, 9), label="samples")
    x = graph.real_inputs(inputs, batch=n, rng=rng)
    try:
        probe_out = model.predict(x if len(x) > 1 else x[0], verbose=0)
    except (ValueError, TypeError) as err:
        assert _names_in(str(err), [l.name for l in model.layers]), str(err)
        _count("predict refused")
        return
    probe_out = probe_out if isinstance(probe_out, list) else [probe_out]
    y = [rng.standard_normal(p.shape).astype("float32") for p in probe_out]
    mistake = draw(st.sampled_from(MISTAKES), label="mistake")
    bad_x, bad_y, kwargs, expect = _apply_mistake(mistake, model, x, y, rng)
    if expect is None:  # this mistake does not apply to this model
        mistake, expect = "none", None
    weights = model.get_weights()
    if mistake != "none":
        with pytest.raises((ValueError, TypeError)) as info:
            model.fit(bad_x, bad_y, verbose=0, **kwargs)
        message = str(info.value)
        assert _names_in(message, expect), f"{mistake}: {message!r} does not name any of {expect}"
        for before, after in zip(weights, model.get_weights()):
            np.testing.assert_array_equal(before, after)
        assert not model.training
        _count(f"fit refused: {mistake}")
    fit_x, fit_y, fit_kwargs = _random_form(draw, model, x, y)
    try:
        history = model.fit(fit_x, fit_y, epochs=1, verbose=0, **fit_kwargs)
    except ValueError as err:
        # an Embedding fed computed values (not an input's ids) may see them stop being
        # whole numbers once the weights before it move
        assert re.match(r"Embedding '\w+'", str(err)), str(err)
        assert any(isinstance(l, L.Embedding) for l in model.layers)
        _count("fit stopped by an Embedding")
        return
    assert len(history.history["loss"]) == 1
    assert not model.training
    _count("fit ran")


def _random_form(draw, model, x, y):
    """The same correct data as lists, dicts, torch tensors or float64, with random options."""
    form = draw(st.sampled_from(["list", "dict", "torch", "float64"]), label="data form")
    if form == "dict":
        fit_x, fit_y = dict(zip(model.input_names, x)), dict(zip(model.output_names, y))
    elif form == "torch":
        fit_x, fit_y = [torch.from_numpy(np.asarray(a)) for a in x], [torch.from_numpy(a) for a in y]
    elif form == "float64":
        fit_x = [a.astype("float64") if a.dtype.kind == "f" else a for a in x]
        fit_y = [a.astype("float64") for a in y]
    else:
        fit_x, fit_y = list(x), list(y)
    if isinstance(fit_x, list) and len(fit_x) == 1 and draw(st.booleans(), label="bare array"):
        fit_x, fit_y = fit_x[0], fit_y[0] if len(fit_y) == 1 else fit_y
    kwargs = {
        "batch_size": draw(st.sampled_from([1, 3, 4, 32]), label="batch_size"),
        "shuffle": draw(st.sampled_from([True, False, "batch"]), label="shuffle"),
    }
    if draw(st.booleans(), label="validation"):
        kwargs["validation_split"] = 0.25
    if draw(st.booleans(), label="sample weights"):
        kwargs["sample_weight"] = np.linspace(0.5, 1.5, len(x[0])).astype("float32")
    return fit_x, fit_y, kwargs


def _apply_mistake(mistake, model, x, y, rng):
    """``(x, y, fit kwargs, names the message must mention)``; names None if not applicable."""
    in_names, out_names = model.input_names, model.output_names
    x, y = list(x), list(y)
    if mistake == "none":
        return x, y, {}, None
    if mistake == "sample_count_x":
        x[0] = x[0][:-1]
        return x, y, {}, ["samples", "x"]
    if mistake == "sample_count_y":
        y[0] = y[0][:-1]
        return x, y, {}, ["samples", "y"]
    if mistake in ("feature_size", "rank"):
        if mistake == "feature_size":
            if model.inputs[0].shape[-1] is None:
                return x, y, {}, None
            x[0] = np.concatenate([x[0], x[0][..., :1]], axis=-1)
        else:
            x[0] = x[0][..., None]
        return x, y, {}, [in_names[0]]
    if mistake == "missing_input":
        return x[:-1] if len(x) > 1 else [], y, {}, ["x", "input"]
    if mistake == "extra_target":
        return x, y + [y[0]], {}, ["y", "output", "outputs"]
    if mistake == "dict_misspelt":
        wrong = {name + "x": a for name, a in zip(in_names, x)}
        return wrong, y, {}, [in_names[0] + "x"]
    if mistake == "dict_extra":
        extra = {**dict(zip(in_names, x)), "surplus": x[0]}
        return extra, y, {}, ["surplus"]
    if mistake == "target_shape":
        y[0] = np.concatenate([y[0], y[0][..., :1]], axis=-1)
        return x, y, {}, [out_names[0]]
    if mistake == "fractional_ids":
        # an input read directly by an Embedding of the model
        read = {id(node.input_tensors[0]) for l in model.layers if isinstance(l, L.Embedding)
                for node in l._inbound_nodes}
        ids = [i for i, t in enumerate(model.inputs) if id(t) in read]
        if not ids:
            return x, y, {}, None
        x[ids[0]] = x[ids[0]] + 0.5
        return x, y, {}, [in_names[ids[0]]] + [l.name for l in model.layers]
    if mistake == "validation_split":
        return x, y, {"validation_split": 1.5}, ["validation_split"]
    if mistake == "batch_size":
        return x, y, {"batch_size": 0}, ["batch_size"]
    if mistake == "string_data":
        x[0] = np.full(x[0].shape, "word")
        return x, y, {}, [in_names[0]]
    raise AssertionError(mistake)


# ----------------------------------------------------------------------------- the test


@settings(PROFILE)
@given(data=st.data())
def test_random_graphs_work_or_explain(data):
    kfunc.utils.clear_session()
    torch.manual_seed(0)
    draw = data.draw
    graph = RandomGraph(draw)
    graph.make_inputs()
    for _ in range(draw(st.integers(1, 6), label="steps")):
        graph.step()
    check_shapes(graph)
    _fit_case(draw, graph)
    _count("examples")


def teardown_module(module):
    if os.environ.get("HYPOTHESIS_PROFILE") == "local":
        print("\nfuzz tally:", dict(sorted(TALLY.items())))


# ----------------------------------------------------------------------------- what the fuzzer found
# Each case below failed before its fix, with the error in the test's name.


def test_found_integer_features_into_float_layers_computed_nothing():
    # was: NotImplementedError "softmax_lastdim_kernel_impl not implemented for 'Long'" at
    # predict, and RuntimeError "mean(): could not infer output dtype" in fit (BatchNormalization)
    ids = kfunc.Input(shape=(4,), dtype="int64")
    out = L.BatchNormalization()(L.Activation("softmax")(ids))
    model = kfunc.Model(ids, out)
    model.compile(optimizer="sgd", loss="mse")
    x = np.arange(12).reshape(3, 4)
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(x.astype("float32"), verbose=0))
    model.fit(x, np.zeros((3, 4), "float32"), verbose=0)


def test_found_a_model_without_weights_could_not_fit():
    # was: torch's "optimizer got an empty parameter list"; Keras trains nothing and goes on
    inputs = kfunc.Input(shape=(3,))
    model = kfunc.Model(inputs, L.Activation("tanh")(inputs))
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(np.ones((4, 3), "float32"), np.zeros((4, 3), "float32"), verbose=0)
    assert history.history["loss"][0] == pytest.approx(np.tanh(1.0) ** 2, rel=1e-6)


def test_found_bidirectional_on_a_flat_input_named_only_its_inner_layer():
    with pytest.raises(ValueError, match=r"Bidirectional 'bidirectional' cannot run its 'forward_lstm'.*3D"):
        L.Bidirectional(L.LSTM(2))(kfunc.Input(shape=(2,)))


def test_found_time_distributed_let_its_inner_build_error_out_unnamed():
    repeated = L.RepeatVector(2)(kfunc.Input(shape=(None,)))  # (None, 2, None): no known feature size
    with pytest.raises(ValueError, match=r"TimeDistributed 'time_distributed' passes each time step.*'dense'"):
        L.TimeDistributed(L.Dense(3))(repeated)


def test_found_conv2d_with_one_filter_failed_on_a_one_sample_batch():
    # was: RuntimeError "slow_conv2d: grad_weight must be contiguous" in backward
    images = kfunc.Input(shape=(5, 5, 2))
    model = kfunc.Model(images, L.Conv2D(1, 3)(images))
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).standard_normal((5, 5, 5, 2)).astype("float32")
    model.fit(x, np.zeros((5, 3, 3, 1), "float32"), batch_size=4, verbose=0)  # the last batch has 1 sample


def test_found_targets_for_an_open_size_failed_inside_the_loss():
    # was: RuntimeError "The size of tensor a (14) must match the size of tensor b (15)" mid-batch
    steps = kfunc.Input(shape=(None, 2), name="steps")
    model = kfunc.Model(steps, L.Flatten(name="flat")(steps))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"Output 'flat'.*\(2, 15\).*\(2, 14\)"):
        model.fit(np.zeros((4, 7, 2), "float32"), np.zeros((4, 15), "float32"), verbose=0)


def test_found_two_outputs_of_one_shared_layer_had_the_same_name():
    # was: dict targets keyed by output name lost one of the two outputs
    sequence = kfunc.Input(shape=(5, 3))
    pool = L.GlobalMaxPooling1D(name="pool")
    model = kfunc.Model(sequence, [pool(sequence), pool(L.Dense(2)(sequence))])
    assert model.output_names == ["pool", "pool_1"]
    model.compile(optimizer="sgd", loss={"pool": "mse", "pool_1": "mae"})
    x = np.ones((4, 5, 3), "float32")
    history = model.fit(x, {"pool": np.zeros((4, 3)), "pool_1": np.zeros((4, 2))}, verbose=0)
    assert {"pool_loss", "pool_1_loss"} <= set(history.history)
