"""Every model of the Keras 2 guide builds at the guide's shapes and runs forward."""

import numpy as np
import pytest
import torch

import guide_models as guide


def test_dense_network():
    model = guide.dense_network()
    assert model.count_params() == 55_050
    assert model.output_shape == (None, 10)
    out = model.predict_on_batch(np.random.rand(3, 784).astype("float32")) if hasattr(model, "predict_on_batch") else model(torch.rand(3, 784))
    np.testing.assert_allclose(np.asarray(torch.as_tensor(out).sum(-1).detach()), 1.0, rtol=1e-5)


def test_model_called_on_new_input_and_time_distributed():
    from kfunc.layers import Input, TimeDistributed

    model = guide.dense_network()
    x = Input(shape=(784,))
    y = model(x)
    assert y.shape == (None, 10)
    input_sequences = Input(shape=(20, 784))
    processed_sequences = TimeDistributed(model)(input_sequences)
    assert processed_sequences.shape == (None, 20, 10)
    data = torch.rand(2, 20, 784)
    out = TimeDistributed(model)(data)
    torch.testing.assert_close(out[:, 3], model(data[:, 3]))


def test_headline_model_at_guide_scale():
    model = guide.headline_model()
    assert model.count_params() == 5_200_610
    assert [l.name for l in model.layers][-3:] == ["dense_2", "main_output", "aux_output"]
    assert model.output_shape == [(None, 1), (None, 1)]
    ids = torch.randint(1, 10000, (2, 100), dtype=torch.int32)
    main, aux = model([ids, torch.rand(2, 5)])
    assert main.shape == (2, 1) and aux.shape == (2, 1)


def test_shared_lstm_model():
    model = guide.shared_lstm_model()
    assert model.count_params() == 82_305
    lstm = model.layers[2]
    assert len(lstm._inbound_nodes) == 2
    out = model([torch.rand(2, 10, 256), torch.rand(2, 10, 256)])
    assert out.shape == (2, 1)


def test_inception_module():
    model = guide.inception_module()
    assert model.count_params() == 140_160
    assert model.output_shape == (None, 768, 256, 64)
    small = guide.inception_module(size=16)
    assert small(torch.rand(2, 16, 16, 3)).shape == (2, 48, 16, 64)


def test_residual_connection():
    model = guide.residual_block()
    assert model.count_params() == 84
    assert model.output_shape == (None, 256, 256, 3)
    x = torch.rand(1, 256, 256, 3)
    conv = model.layers[1]
    torch.testing.assert_close(model(x) - conv(x), x)


def test_shared_vision_model():
    model, vision = guide.shared_vision_model()
    assert vision.output_shape == (None, 7744)
    assert vision.count_params() == 37_568
    assert model.count_params() == 53_057
    assert len(vision._inbound_nodes) == 2
    out = model([torch.rand(3, 27, 27, 1), torch.rand(3, 27, 27, 1)])
    assert out.shape == (3, 1)


def test_visual_and_video_question_answering_at_guide_scale():
    vqa, video_qa, vision = guide.vqa_models()
    assert vision.output_shape == (None, 160_000)
    assert vision.count_params() == 1_735_488
    assert vqa.count_params() == 165_077_800
    assert video_qa.output_shape == (None, 1000)
    assert video_qa.count_params() == 169_436_968
    # nothing was allocated: every weight is still on the meta device
    assert all(p.is_meta for layer in video_qa._layer_tree() for p in layer._parameters.values())


def test_visual_and_video_question_answering_forward_at_reduced_scale():
    vqa, video_qa, _ = guide.vqa_models(size=32, vocab=50, maxlen=6, answers=7, frames=3)
    image = torch.rand(2, 32, 32, 3)
    question = torch.randint(0, 50, (2, 6))
    assert vqa([image, question]).shape == (2, 7)
    video = torch.rand(2, 3, 32, 32, 3)
    out = video_qa([video, question])
    assert out.shape == (2, 7)
    torch.testing.assert_close(out.sum(-1), torch.ones(2))
