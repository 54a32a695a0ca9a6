"""The activation, reshaping and convolution layers compute in kfunc what they compute in Keras.

``tests/data/keras_reference_layers.npz`` was recorded by
``tools/make_keras_reference_layers.py`` with Keras 3 on its torch backend: weights
(in Keras's layouts), an input and Keras's output for each layer below. kfunc loads
the same weights with ``set_weights`` and must agree. The layers are written here in
tf.keras 2's spelling (``LeakyReLU(alpha=...)``).
"""

from pathlib import Path

import numpy as np
import pytest
import torch

from kfunc.layers import (
    ELU, Conv1DTranspose, Conv2DTranspose, Cropping2D, DepthwiseConv2D, LeakyReLU, PReLU, ReLU, SeparableConv1D,
    SeparableConv2D, Softmax, UpSampling2D, ZeroPadding2D,
)

DATA = np.load(Path(__file__).parent / "data" / "keras_reference_layers.npz")

CASES = {
    "prelu": lambda: PReLU(),
    "prelu_shared": lambda: PReLU(shared_axes=[1, 2]),
    "leaky_relu_default": lambda: LeakyReLU(),  # tf.keras 2's alpha=0.3 is Keras 3's default slope too
    "leaky_relu": lambda: LeakyReLU(alpha=0.1),
    "elu": lambda: ELU(alpha=0.5),
    "relu_max_value": lambda: ReLU(max_value=0.8),
    "relu_threshold": lambda: ReLU(threshold=0.5),
    "relu_negative_slope": lambda: ReLU(negative_slope=0.1),
    "relu_all": lambda: ReLU(max_value=1.2, negative_slope=0.2, threshold=0.3),
    "softmax": lambda: Softmax(),
    "softmax_axis1": lambda: Softmax(axis=1),
    "upsampling2d_nearest": lambda: UpSampling2D((2, 3)),
    "upsampling2d_bilinear": lambda: UpSampling2D(2, interpolation="bilinear"),
    "upsampling2d_bilinear_first": lambda: UpSampling2D((3, 2), data_format="channels_first",
                                                        interpolation="bilinear"),
    "zero_padding2d": lambda: ZeroPadding2D(((1, 2), (0, 3))),
    "cropping2d": lambda: Cropping2D(((1, 0), (2, 1))),
    "conv2d_transpose_valid_stride2": lambda: Conv2DTranspose(3, 3, strides=2),
    "conv2d_transpose_same_stride2": lambda: Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu"),
    "conv2d_transpose_same_even_kernel": lambda: Conv2DTranspose(2, 4, strides=2, padding="same"),
    "conv2d_transpose_output_padding": lambda: Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=1),
    "conv2d_transpose_valid_output_padding": lambda: Conv2DTranspose(2, (3, 2), strides=(2, 3),
                                                                     output_padding=(1, 2)),
    "depthwise_conv2d": lambda: DepthwiseConv2D(3, depth_multiplier=2),
    "depthwise_conv2d_same_stride2": lambda: DepthwiseConv2D((3, 2), strides=2, padding="same", depth_multiplier=2),
    "separable_conv2d": lambda: SeparableConv2D(4, 3, depth_multiplier=2),
    "separable_conv2d_same": lambda: SeparableConv2D(4, 3, padding="same", activation="relu"),
    "conv1d_transpose_valid_stride2": lambda: Conv1DTranspose(3, 3, strides=2),
    "conv1d_transpose_same_stride2": lambda: Conv1DTranspose(3, 4, strides=2, padding="same", activation="relu"),
    "conv1d_transpose_output_padding": lambda: Conv1DTranspose(2, 3, strides=3, output_padding=1),
    "conv1d_transpose_same_dilated": lambda: Conv1DTranspose(2, 3, padding="same", dilation_rate=2),
    "separable_conv1d": lambda: SeparableConv1D(4, 3, depth_multiplier=2),
    "separable_conv1d_same_stride2": lambda: SeparableConv1D(3, 3, strides=2, padding="same"),
    "separable_conv1d_dilated": lambda: SeparableConv1D(3, 3, dilation_rate=2, activation="relu"),
}


def test_every_recorded_case_is_checked():
    assert {key.split("/")[0] for key in DATA.files} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_layer_matches_keras(name):
    x = DATA[f"{name}/x"]
    weights = [DATA[f"{name}/w{i}"] for i in range(sum(k.startswith(f"{name}/w") for k in DATA.files))]
    layer = CASES[name]()
    layer(torch.as_tensor(x))  # build from the input's shape
    layer.set_weights(weights)
    out = layer(torch.as_tensor(x)).detach().numpy()
    assert out.shape == DATA[f"{name}/y"].shape
    np.testing.assert_allclose(out, DATA[f"{name}/y"], rtol=1e-4, atol=1e-5)
