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
