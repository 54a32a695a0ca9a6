"""kfunc.regularizers: penalties on weights and outputs, added to the training loss."""

import numpy as np
import pytest
import torch

import kfunc
from kfunc import regularizers
from kfunc.layers import GRU, LSTM, BatchNormalization, Conv1D, Conv2D, Dense, Embedding, Input, SimpleRNN
from kfunc.models import Model, load_model


def test_penalties_match_hand_written_torch():
    w = torch.tensor([[1.0, -2.0], [0.5, 3.0]])
    assert torch.isclose(regularizers.l1(0.1)(w), 0.1 * w.abs().sum())
    assert torch.isclose(regularizers.l2(0.2)(w), 0.2 * (w ** 2).sum())
    assert torch.isclose(regularizers.l1_l2(0.1, 0.2)(w), 0.1 * w.abs().sum() + 0.2 * (w ** 2).sum())
    assert regularizers.L1L2()(w).item() == 0.0


def test_defaults_are_keras_ones():
    assert regularizers.l1().l1 == 0.01 and regularizers.l2().l2 == 0.01
    assert regularizers.l1_l2().get_config() == {"l1": 0.01, "l2": 0.01}
    assert regularizers.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}  # the class's own defaults: none


@pytest.mark.parametrize("name, cls, config", [
    ("l1", regularizers.L1, {"l1": 0.01}),
    ("l2", regularizers.L2, {"l2": 0.01}),
    ("l1_l2", regularizers.L1L2, {"l1": 0.01, "l2": 0.01}),  # tf.keras: the string means l1_l2(), not L1L2()
    ("L2", regularizers.L2, {"l2": 0.01}),
])
def test_get_by_name(name, cls, config):
    regularizer = regularizers.get(name)
    assert type(regularizer) is cls and regularizer.get_config() == config


def test_serialize_and_get_round_trip_as_keras_writes_them():
    config = regularizers.serialize(regularizers.l2(0.001))
    assert config == {"class_name": "L2", "config": {"l2": 0.001}}
    again = regularizers.get(config)
    assert isinstance(again, regularizers.L2) and again.l2 == 0.001


def test_unknown_name_names_the_argument_the_layer_and_the_valid_names():
    with pytest.raises(ValueError) as info:
        Dense(3, kernel_regularizer="l22")
    message = str(info.value)
    assert "Dense 'dense'" in message and "kernel_regularizer" in message and "'l22'" in message
    assert "Did you mean 'l2'?" in message and "l1, l1_l2, l2" in message


def test_a_number_is_refused_with_what_to_give_instead():
    with pytest.raises(TypeError, match=r"bias_regularizer=0.01.*regularizers.l2\(0.001\)"):
        Dense(3, bias_regularizer=0.01)


def test_unknown_activity_regularizer_is_refused_by_any_layer():
    with pytest.raises(ValueError, match="activity_regularizer"):
        Dense(3, activity_regularizer="l5")


def test_model_losses_list_the_weight_penalties():
    x = Input(shape=(4,))
    dense = Dense(3, kernel_regularizer="l2", bias_regularizer=regularizers.l1(0.5))
    model = Model(x, dense(x))
    kernel, bias = model.get_weights()
    values = [v.item() for v in model.losses]
    assert values == pytest.approx([0.01 * (kernel ** 2).sum(), 0.5 * np.abs(bias).sum()])


def test_a_function_of_a_tensor_is_a_regularizer_too():
    x = Input(shape=(4,))
    dense = Dense(3, kernel_regularizer=lambda w: 2.0 * w.sum())
    model = Model(x, dense(x))
    assert model.losses[0].item() == pytest.approx(2.0 * model.get_weights()[0].sum())


@pytest.mark.parametrize("make, names", [
    (lambda r: Conv2D(2, 3, kernel_regularizer=r, bias_regularizer=r), ["kernel", "bias"]),
    (lambda r: Conv1D(2, 3, kernel_regularizer=r, bias_regularizer=r), ["kernel", "bias"]),
    (lambda r: LSTM(3, kernel_regularizer=r, recurrent_regularizer=r, bias_regularizer=r),
     ["kernel", "recurrent_kernel", "bias"]),
    (lambda r: GRU(3, kernel_regularizer=r, recurrent_regularizer=r, bias_regularizer=r),
     ["kernel", "recurrent_kernel", "bias"]),
    (lambda r: SimpleRNN(3, kernel_regularizer=r, recurrent_regularizer=r, bias_regularizer=r),
     ["kernel", "recurrent_kernel", "bias"]),
    (lambda r: BatchNormalization(gamma_regularizer=r, beta_regularizer=r), ["gamma", "beta"]),
])
def test_every_weight_argument_reaches_its_weight(make, names):
    layer = make(regularizers.l2(0.3))
    shape = (6, 6, 2) if isinstance(layer, Conv2D) else (6, 2)
    layer(torch.rand(2, *shape))
    expected = [0.3 * (getattr(layer, n) ** 2).sum().item() for n in names]
    assert [v.item() for v in layer.losses] == pytest.approx(expected)


def test_embedding_takes_an_embeddings_regularizer():
    layer = Embedding(10, 4, embeddings_regularizer="l1")
    layer(torch.tensor([[1, 2]]))
    assert layer.losses[0].item() == pytest.approx(0.01 * layer.embeddings.abs().sum().item())


def test_one_sgd_step_with_an_l2_kernel_penalty_matches_torch():
    x = Input(shape=(4,))
    model = Model(x, Dense(3, kernel_regularizer=regularizers.l2(0.01))(x))
    model.compile(optimizer=kfunc.optimizers.SGD(0.1), loss="mse")
    data, targets = np.random.rand(8, 4).astype("float32"), np.random.rand(8, 3).astype("float32")
    kernel, bias = (torch.tensor(w, requires_grad=True) for w in model.get_weights())
    loss = ((torch.tensor(data) @ kernel + bias - torch.tensor(targets)) ** 2).mean() + 0.01 * (kernel ** 2).sum()
    loss.backward()
    history = model.fit(data, targets, batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(loss.item(), rel=1e-6)  # the reported loss includes it
    assert np.allclose(model.get_weights()[0], (kernel - 0.1 * kernel.grad).detach().numpy(), atol=1e-6)
    assert np.allclose(model.get_weights()[1], (bias - 0.1 * bias.grad).detach().numpy(), atol=1e-6)


def test_one_sgd_step_with_an_activity_penalty_matches_torch():
    # tf.keras divides an activity penalty by the batch size
    x = Input(shape=(4,))
    model = Model(x, Dense(3, activity_regularizer=regularizers.l1(0.1))(x))
    model.compile(optimizer=kfunc.optimizers.SGD(0.1), loss="mse")
    data, targets = np.random.rand(8, 4).astype("float32"), np.random.rand(8, 3).astype("float32")
    kernel, bias = (torch.tensor(w, requires_grad=True) for w in model.get_weights())
    outputs = torch.tensor(data) @ kernel + bias
    loss = ((outputs - torch.tensor(targets)) ** 2).mean() + 0.1 * outputs.abs().sum() / 8
    loss.backward()
    history = model.fit(data, targets, batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(loss.item(), rel=1e-6)
    assert np.allclose(model.get_weights()[0], (kernel - 0.1 * kernel.grad).detach().numpy(), atol=1e-6)


def test_per_output_losses_leave_the_penalties_out():
    x = Input(shape=(4,))
    a = Dense(1, name="a", kernel_regularizer=regularizers.l2(1.0))(x)
    b = Dense(1, name="b")(x)
    model = Model(x, [a, b])
    model.compile(optimizer="sgd", loss="mse")
    data, y = np.random.rand(8, 4).astype("float32"), np.random.rand(8, 1).astype("float32")
    logs = model.evaluate(data, [y, y], verbose=0, return_dict=True)
    penalty = (model.get_layer("a").get_weights()[0] ** 2).sum()
    assert logs["loss"] == pytest.approx(logs["a_loss"] + logs["b_loss"] + penalty, rel=1e-5)


def test_regularizers_survive_get_config_and_load_model(tmp_path):
    x = Input(shape=(6, 2))
    h = LSTM(3, recurrent_regularizer=regularizers.l1(0.2), return_sequences=True)(x)
    h = Conv1D(2, 3, kernel_regularizer="l2", activity_regularizer=regularizers.l1_l2(0.1, 0.2))(h)
    y = Dense(1, bias_regularizer=regularizers.l1(0.3))(BatchNormalization(gamma_regularizer="l1")(h))
    model = Model(x, y)
    assert model.layers[2].get_config()["kernel_regularizer"] == {"class_name": "L2", "config": {"l2": 0.01}}
    model.save(tmp_path / "m.kfunc")
    again = load_model(tmp_path / "m.kfunc")
    for before, after in zip(model.layers, again.layers):
        assert before.get_config() == after.get_config()
    data = np.random.rand(2, 6, 2).astype("float32")
    model(torch.tensor(data)), again(torch.tensor(data))
    assert [v.item() for v in again.losses] == pytest.approx([v.item() for v in model.losses])


def test_get_config_leaves_out_the_arguments_not_given():
    # (the graph pictures' hover texts list the config: they stay as they were)
    config = Dense(3).get_config()
    assert not any("regularizer" in key or "constraint" in key for key in config)


def test_keras_1_spelling_w_regularizer_reaches_the_kernel():
    with pytest.warns(Warning, match="W_regularizer is now kernel_regularizer"):
        layer = Dense(3, W_regularizer=regularizers.l2(0.5))
    assert isinstance(layer.kernel_regularizer, regularizers.L2)
