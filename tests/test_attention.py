"""Attention and MultiHeadAttention: Keras layouts, the attention maths, masks, nodes, config, errors.

The oracle is the attention written out by hand in torch, fed the layer's own
(Keras-layout) weights.
"""

import math

import numpy as np
import pytest
import torch

from kfunc.layers import Dense, GlobalAveragePooling1D, Input
from kfunc.layers.attention import Attention
from kfunc.layers.multi_head_attention import MultiHeadAttention
from kfunc.models import Model, load_model


def close(a, b):
    torch.testing.assert_close(a, b, atol=2e-5, rtol=1e-5)


def randomize(layer, *call_args, **call_kwargs):
    """Build ``layer`` on the arguments and give every weight random values; return them as tensors."""
    layer(*call_args, **call_kwargs)
    rng = np.random.default_rng(0)
    layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in layer.get_weights()])
    return [torch.as_tensor(w) for w in layer.get_weights()]


def hand_mha(query, value, key, weights, mask=None):
    """Multi-head attention written out: project, scale, softmax per head, mix the heads."""
    wq, bq, wk, bk, wv, bv, wo, bo = weights
    q = torch.einsum("btd,dhk->bthk", query, wq) + bq
    k = torch.einsum("bsd,dhk->bshk", key, wk) + bk
    v = torch.einsum("bsd,dhv->bshv", value, wv) + bv
    scores = torch.einsum("bthk,bshk->bhts", q, k) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores - 1e9 * (~mask[:, None]).float()
    weights = scores.softmax(-1)
    out = torch.einsum("bhts,bshv->bthv", weights, v)
    return torch.einsum("bthv,hvo->bto", out, wo) + bo, weights


# ---------------------------------------------------------------- Attention


def test_dot_attention_is_softmax_of_query_times_key_then_value():
    q, v, k = torch.randn(2, 4, 5), torch.randn(2, 6, 3), torch.randn(2, 6, 5)
    output, weights = Attention()([q, v, k], return_attention_scores=True)
    want_weights = (q @ k.transpose(1, 2)).softmax(-1)
    close(weights, want_weights)
    close(output, want_weights @ v)
    close(Attention()([q, k]), (q @ k.transpose(1, 2)).softmax(-1) @ k)  # the key defaults to the value


def test_use_scale_and_concat_scores_use_their_weights():
    q, v = torch.randn(2, 4, 5), torch.randn(2, 6, 5)
    scaled = Attention(use_scale=True)
    (scale,) = randomize(scaled, [q, v])
    close(scaled([q, v]), (scale * q @ v.transpose(1, 2)).softmax(-1) @ v)
    concat = Attention(score_mode="concat", use_scale=True)
    scale, weight = randomize(concat, [q, v])
    scores = weight * torch.tanh(scale * (q[:, :, None] + v[:, None])).sum(-1)
    close(concat([q, v]), scores.softmax(-1) @ v)
    assert [tuple(w.shape) for w in concat.weights] == [(), ()]


def test_value_mask_hides_key_steps_and_query_mask_zeroes_outputs():
    q, v = torch.randn(2, 4, 5), torch.randn(2, 6, 5)
    value_mask = torch.ones(2, 6, dtype=torch.bool)
    value_mask[0, 3:] = False
    query_mask = torch.tensor([[True, True, False, True]] * 2)
    output, weights = Attention()([q, v], mask=[query_mask, value_mask], return_attention_scores=True)
    assert torch.all(weights[0, :, 3:] == 0)
    close(output[0, :, :], torch.where(query_mask[0, :, None], (q[0] @ v[0, :3].T).softmax(-1) @ v[0, :3], 0.0))
    close(output[1, 2], torch.zeros(5))


@pytest.mark.parametrize("how", ["ctor", "call"])
def test_causal_attention_sees_no_future(how):
    x = torch.randn(2, 5, 4)
    layer = Attention(causal=how == "ctor")
    kwargs = {"use_causal_mask": True} if how == "call" else {}
    output, weights = layer([x, x], return_attention_scores=True, **kwargs)
    assert torch.all(weights.triu(diagonal=1) == 0)
    close(output[:, 0], x[:, 0])  # the first step sees only itself


def test_attention_on_symbolic_tensors_is_one_node_with_two_inputs():
    query, value = Input(shape=(4, 8)), Input(shape=(6, 8))
    attention = Attention()
    output, scores = attention([query, value], return_attention_scores=True)
    assert (output.shape, scores.shape) == ((None, 4, 8), (None, 4, 6))
    node = attention.inbound_nodes[0]
    assert [layer.name for layer in node.inbound_layers] == ["input_1", "input_2"]
    model = Model([query, value], output)
    q, v = torch.randn(2, 4, 8), torch.randn(2, 6, 8)
    close(model([q, v]), Attention()([q, v]))


def test_attention_dropout_only_while_training():
    q, v = torch.randn(4, 5, 6), torch.randn(4, 7, 6)
    layer = Attention(dropout=0.5)
    close(layer([q, v]), Attention()([q, v]))
    _, weights = layer([q, v], training=True, return_attention_scores=True)
    assert (weights == 0).any()


# ---------------------------------------------------------------- MultiHeadAttention


def test_mha_weights_have_keras_einsum_layouts_in_keras_order():
    layer = MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4, output_shape=6)
    layer(Input(shape=(4, 5)), Input(shape=(6, 7)), Input(shape=(6, 8)))
    assert [tuple(w.shape) for w in layer.weights] == [
        (5, 2, 3), (2, 3), (8, 2, 3), (2, 3), (7, 2, 4), (2, 4), (2, 4, 6), (6,)]
    no_bias = MultiHeadAttention(2, 3, use_bias=False)
    no_bias(Input(shape=(4, 5)), Input(shape=(6, 7)))
    assert [tuple(w.shape) for w in no_bias.weights] == [(5, 2, 3), (7, 2, 3), (7, 2, 3), (2, 3, 5)]


def test_mha_matches_hand_written_attention_with_an_attention_mask():
    q, v, k = torch.randn(2, 4, 5), torch.randn(2, 6, 7), torch.randn(2, 6, 3)
    mask = torch.rand(2, 4, 6) > 0.4
    mask[:, :, 0] = True
    layer = MultiHeadAttention(2, 3)
    weights = randomize(layer, q, v, k)
    output, scores = layer(q, v, k, attention_mask=mask, return_attention_scores=True)
    want_output, want_scores = hand_mha(q, v, k, weights, mask)
    close(output, want_output)
    close(scores, want_scores)
    assert torch.all(scores.masked_select(~mask[:, None].expand_as(scores)) == 0)


def test_mha_causal_mask_and_self_attention():
    x = torch.randn(2, 5, 4)
    layer = MultiHeadAttention(2, 3)
    weights = randomize(layer, x, x)
    output, scores = layer(x, x, use_causal_mask=True, return_attention_scores=True)
    want, _ = hand_mha(x, x, x, weights, torch.ones(5, 5, dtype=torch.bool).tril().expand(2, 5, 5))
    close(output, want)
    assert torch.all(scores.triu(diagonal=1) == 0)


def test_mha_attends_over_the_axes_asked_for():
    x = torch.randn(2, 3, 4, 5)  # (batch, rows, columns, features)
    layer = MultiHeadAttention(2, 3, attention_axes=(2,))
    weights = randomize(layer, x, x)
    output, scores = layer(x, x, return_attention_scores=True)
    assert scores.shape == (2, 3, 2, 4, 4)  # (batch, rows, heads, columns, columns)
    for row in range(3):  # each row attends within itself
        want, want_scores = hand_mha(x[:, row], x[:, row], x[:, row], weights)
        close(output[:, row], want)
        close(scores[:, row], want_scores)
    both = MultiHeadAttention(2, 3)  # by default over rows and columns together
    weights = randomize(both, x, x)
    flat = x.reshape(2, 12, 5)
    close(both(x, x), hand_mha(flat, flat, flat, weights)[0].reshape(2, 3, 4, 5))
    assert both(x, x, return_attention_scores=True)[1].shape == (2, 2, 3, 4, 3, 4)


def test_mha_called_with_named_tensors_is_one_node_with_each_input():
    query, value = Input(shape=(4, 8)), Input(shape=(6, 8))
    mask = Input(shape=(4, 6), dtype="bool")
    mha = MultiHeadAttention(num_heads=2, key_dim=3)
    output, scores = mha(query=query, value=value, attention_mask=mask, return_attention_scores=True)
    assert (output.shape, scores.shape) == ((None, 4, 8), (None, 2, 4, 6))
    assert len(mha.inbound_nodes[0].input_tensors) == 3
    assert mha.get_input_shape_at(0) == [(None, 4, 8), (None, 6, 8), (None, 4, 6)]
    model = Model([query, value, mask], output)
    q, v, m = torch.randn(2, 4, 8), torch.randn(2, 6, 8), torch.rand(2, 4, 6) > 0.3
    close(model([q, v, m]), mha(q, v, attention_mask=m))


def test_mha_dropout_only_while_training():
    x = torch.randn(3, 5, 4)
    layer, plain = MultiHeadAttention(2, 3, dropout=0.5), MultiHeadAttention(2, 3)
    weights = randomize(layer, x, x)
    plain(x, x)
    plain.set_weights([w.numpy() for w in weights])
    close(layer(x, x), plain(x, x))
    assert not torch.allclose(layer(x, x, training=True), plain(x, x))


def test_transformer_block_trains_saves_and_reloads(tmp_path):
    inputs = Input(shape=(6, 8))
    attended = MultiHeadAttention(num_heads=2, key_dim=4)(inputs, inputs)
    pooled = GlobalAveragePooling1D()(Attention(use_scale=True)([attended, inputs]))
    model = Model(inputs, Dense(1)(pooled))
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 6, 8)).astype("float32")
    y = x[:, :, :2].sum(axis=(1, 2))[:, None] / 4
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    model.save(str(tmp_path / "m"))
    custom = {"MultiHeadAttention": MultiHeadAttention, "Attention": Attention}
    np.testing.assert_array_equal(load_model(str(tmp_path / "m"), custom_objects=custom).predict(x, verbose=0),
                                  model.predict(x, verbose=0))


# ---------------------------------------------------------------- config


@pytest.mark.parametrize("layer", [
    Attention(use_scale=True, score_mode="concat", dropout=0.1, name="att"),
    Attention(causal=True),
    MultiHeadAttention(4, 8, value_dim=2, dropout=0.1, use_bias=False, output_shape=(3, 2), attention_axes=(1, 2),
                       kernel_initializer="he_normal"),
])
def test_config_round_trip(layer):
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config


def test_keras_defaults():
    assert {k: v for k, v in Attention().get_config().items() if k in ("use_scale", "score_mode", "dropout")} == {
        "use_scale": False, "score_mode": "dot", "dropout": 0.0}
    config = MultiHeadAttention(2, 3).get_config()
    assert (config["value_dim"], config["dropout"], config["use_bias"], config["output_shape"]) == (3, 0.0, True, None)
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"


# ---------------------------------------------------------------- errors


def test_attention_misuse_is_explained():
    query = Input(shape=(4, 8))
    with pytest.raises(ValueError, match=r"called on a list `\[query, value\]`.*Attention\(\)\(\[x, x\]\)"):
        Attention()(query)
    with pytest.raises(ValueError, match=r"last dimensions must match.*\(None, 6, 5\).*MultiHeadAttention"):
        Attention()([query, Input(shape=(6, 5))])
    with pytest.raises(ValueError, match=r"score_mode='add'.*'dot' or 'concat'"):
        Attention(score_mode="add")


def test_mha_misuse_is_explained():
    query = Input(shape=(4, 8))
    with pytest.raises(TypeError, match=r"called on a query and a value.*mha\(x, x\)"):
        MultiHeadAttention(2, 3)(query)
    mha = MultiHeadAttention(2, 3)
    mha(query, query)
    with pytest.raises(ValueError, match=r"built for a value of rank 3 with 8 features; got shape \(None, 6, 9\)"):
        mha(query, Input(shape=(6, 9)))
    assert len(mha.inbound_nodes) == 1
    with pytest.raises(ValueError, match=r"attention_axes=\(3,\) must name distinct axes.*1 to 1"):
        MultiHeadAttention(2, 3, attention_axes=3)(query, query)
    with pytest.raises(ValueError, match=r"num_heads=0"):
        MultiHeadAttention(0, 3)
