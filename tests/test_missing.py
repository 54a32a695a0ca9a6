"""kfunc._errors.missing: what kfunc leaves out of Keras is named when a program asks for it."""

import pytest

import kfunc


@pytest.mark.parametrize("statement, words", [
    ("from kfunc.applications import VGG16", "no keras.applications"),
    ("import kfunc.preprocessing.image", "no keras.preprocessing"),
    ("from kfunc.preprocessing.sequence import pad_sequences", "np.pad"),
    ("from kfunc.datasets import mnist", "MNIST is downloaded"),
    ("from kfunc.layers import Conv3D", "no 3-D layers (Conv3D)"),
    ("from kfunc import applications", "no keras.applications"),
    ("from kfunc.layers import TextVectorization", "no preprocessing layer TextVectorization"),
])
def test_imports_of_missing_features_name_them(statement, words):
    with pytest.raises(ModuleNotFoundError, match=words.replace("(", r"\(").replace(")", r"\)")):
        exec(statement, {})


def test_attribute_access_names_the_missing_feature():
    with pytest.raises(AttributeError, match="offline"):
        kfunc.datasets.cifar10.load_data()
    with pytest.raises(AttributeError, match="TimeDistributed"):
        kfunc.layers.MaxPooling3D(2)
    with pytest.raises(AttributeError, match="pretrained"):
        kfunc.applications


def test_unknown_names_keep_the_plain_errors():
    assert not hasattr(kfunc.layers, "Conv3D")
    with pytest.raises(ImportError, match="cannot import name 'NoSuchLayer'"):
        exec("from kfunc.layers import NoSuchLayer", {})
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        kfunc.nothing


@pytest.mark.parametrize("statement, words", [
    ("from kfunc.utils import get_file", "get_file downloads a file"),
    ("from kfunc.callbacks import TensorBoard", "TensorBoard is TensorFlow's tool.*CSVLogger.*LiveTracker"),
    ("from kfunc.layers import LocallyConnected2D", "no LocallyConnected2D.*removed in Keras 3"),
    ("from kfunc.layers import LocallyConnected1D", "no LocallyConnected1D"),
    ("from kfunc.layers.experimental import preprocessing", "no keras.layers.experimental"),
    ("import kfunc.layers.experimental.preprocessing", "no keras.layers.experimental"),
])
def test_more_missing_features_name_themselves_on_import(statement, words):
    with pytest.raises(ModuleNotFoundError, match=words):
        exec(statement, {})


def test_more_missing_features_name_themselves_as_attributes():
    with pytest.raises(AttributeError, match="runs offline and never downloads"):
        kfunc.utils.get_file("mnist.npz", "https://example.org/mnist.npz")
    with pytest.raises(AttributeError, match="CSVLogger"):
        kfunc.callbacks.TensorBoard(log_dir="./logs")
    with pytest.raises(AttributeError, match="Lambda"):
        kfunc.layers.experimental.preprocessing.Rescaling(1 / 255)
    with pytest.raises(AttributeError, match="Conv1D/Conv2D"):
        kfunc.layers.LocallyConnected1D(4, 3)


def test_other_unknown_names_in_utils_and_callbacks_keep_the_plain_errors():
    with pytest.raises(AttributeError, match="module 'kfunc.utils' has no attribute 'nothing_here'"):
        kfunc.utils.nothing_here
    with pytest.raises(AttributeError, match="module 'kfunc.callbacks' has no attribute 'Nothing'"):
        kfunc.callbacks.Nothing
