"""Record what Keras computes for the activation, reshaping and convolution layers
that real Keras 2 programs use beyond the guide, as reference data for kfunc's tests.

Run with Keras 3 on its torch backend, in a scratch environment (Keras is never a
dependency of kfunc)::

    KERAS_BACKEND=torch python tools/make_keras_reference_layers.py tests/data/keras_reference_layers.npz

It works as ``tools/make_keras_reference.py`` does: for each case it draws weights
in Keras's layouts and an input from a fixed seed, runs the Keras layer, and saves
weights, input and output. ``tests/test_keras_reference_layers.py`` loads the same
weights into kfunc with ``set_weights`` and compares the outputs.

Arguments are written in the spelling tf.keras 2 and Keras 3 share; ``LeakyReLU``'s
slope is named ``negative_slope`` here (Keras 3's name; tf.keras 2 says ``alpha``).
"""

import os
import sys

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

L = keras.layers

CASES = {
    "prelu": (lambda: L.PReLU(), (3, 5)),
    "prelu_shared": (lambda: L.PReLU(shared_axes=[1, 2]), (2, 4, 3, 2)),
    "leaky_relu_default": (lambda: L.LeakyReLU(), (3, 6)),
    "leaky_relu": (lambda: L.LeakyReLU(negative_slope=0.1), (3, 6)),
    "elu": (lambda: L.ELU(alpha=0.5), (3, 6)),
    "relu_max_value": (lambda: L.ReLU(max_value=0.8), (3, 6)),
    "relu_threshold": (lambda: L.ReLU(threshold=0.5), (3, 6)),
    "relu_negative_slope": (lambda: L.ReLU(negative_slope=0.1), (3, 6)),
    "relu_all": (lambda: L.ReLU(max_value=1.2, negative_slope=0.2, threshold=0.3), (4, 6)),
    "softmax": (lambda: L.Softmax(), (3, 5)),
    "softmax_axis1": (lambda: L.Softmax(axis=1), (2, 3, 4)),
    "upsampling2d_nearest": (lambda: L.UpSampling2D((2, 3)), (2, 3, 4, 2)),
    "upsampling2d_bilinear": (lambda: L.UpSampling2D(2, interpolation="bilinear"), (2, 3, 4, 2)),
    "upsampling2d_bilinear_first": (
        lambda: L.UpSampling2D((3, 2), data_format="channels_first", interpolation="bilinear"), (2, 2, 3, 4)),
    "zero_padding2d": (lambda: L.ZeroPadding2D(((1, 2), (0, 3))), (2, 3, 4, 2)),
    "cropping2d": (lambda: L.Cropping2D(((1, 0), (2, 1))), (2, 5, 6, 2)),
    "conv2d_transpose_valid_stride2": (lambda: L.Conv2DTranspose(3, 3, strides=2), (2, 4, 5, 2)),
    "conv2d_transpose_same_stride2": (
        lambda: L.Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu"), (2, 4, 5, 2)),
    "conv2d_transpose_same_even_kernel": (lambda: L.Conv2DTranspose(2, 4, strides=2, padding="same"), (2, 3, 3, 2)),
    "conv2d_transpose_output_padding": (
        lambda: L.Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=1), (2, 4, 5, 2)),
    "conv2d_transpose_valid_output_padding": (
        lambda: L.Conv2DTranspose(2, (3, 2), strides=(2, 3), output_padding=(1, 2)), (2, 3, 4, 2)),
    "depthwise_conv2d": (lambda: L.DepthwiseConv2D(3, depth_multiplier=2), (2, 6, 5, 3)),
    "depthwise_conv2d_same_stride2": (
        lambda: L.DepthwiseConv2D((3, 2), strides=2, padding="same", depth_multiplier=2), (2, 7, 6, 3)),
    "separable_conv2d": (lambda: L.SeparableConv2D(4, 3, depth_multiplier=2), (2, 6, 5, 3)),
    "separable_conv2d_same": (lambda: L.SeparableConv2D(4, 3, padding="same", activation="relu"), (2, 5, 5, 3)),
    # (new cases go last: the random draws of the cases above stay as they were)
    "conv1d_transpose_valid_stride2": (lambda: L.Conv1DTranspose(3, 3, strides=2), (2, 5, 2)),
    "conv1d_transpose_same_stride2": (
        lambda: L.Conv1DTranspose(3, 4, strides=2, padding="same", activation="relu"), (2, 5, 2)),
    "conv1d_transpose_output_padding": (lambda: L.Conv1DTranspose(2, 3, strides=3, output_padding=1), (2, 4, 2)),
    "conv1d_transpose_same_dilated": (lambda: L.Conv1DTranspose(2, 3, padding="same", dilation_rate=2), (2, 6, 3)),
    "separable_conv1d": (lambda: L.SeparableConv1D(4, 3, depth_multiplier=2), (2, 9, 3)),
    "separable_conv1d_same_stride2": (lambda: L.SeparableConv1D(3, 3, strides=2, padding="same"), (2, 9, 3)),
    "separable_conv1d_dilated": (
        lambda: L.SeparableConv1D(3, 3, dilation_rate=2, activation="relu"), (2, 9, 2)),
}


def main(path):
    rng = np.random.default_rng(0)
    arrays = {}
    for name, (make, shape) in CASES.items():
        layer = make()
        x = rng.normal(size=shape).astype("float32")
        layer.build(shape)
        weights = [rng.normal(scale=0.5, size=w.shape).astype("float32") for w in layer.get_weights()]
        layer.set_weights(weights)
        y = keras.ops.convert_to_numpy(layer(x))
        arrays[f"{name}/x"] = x
        arrays[f"{name}/y"] = y
        for i, w in enumerate(weights):
            arrays[f"{name}/w{i}"] = w
    np.savez(path, **arrays)
    print(f"wrote {len(CASES)} cases to {path} with keras {keras.__version__}")


if __name__ == "__main__":
    main(sys.argv[1])
