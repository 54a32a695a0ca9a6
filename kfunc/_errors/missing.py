"""What kfunc leaves out of Keras, named when a program asks for it.

kfunc is the functional API on PyTorch, offline. A Keras program that reaches for a
pretrained network, a downloaded data set or file, the image and text preprocessing
tools, 3-D convolutions, layers Keras 3 removed or TensorFlow's own machinery
(TensorBoard, estimators) gets an error that names the missing
feature and what to do, not a bare ``No module named ...``.
"""

import importlib.abc
import importlib.machinery
import sys

_DOWNLOAD = (
    "{what} is downloaded from the internet by Keras; kfunc runs offline and ships small data sets "
    "instead: kfunc.datasets.digits() (real hand-written digits, 28x28) and the lessons' others "
    "(see help(kfunc.datasets)), or scikit-learn's bundled ones (sklearn.datasets.load_digits)."
)

MODULES = {
    "kfunc.applications": (
        "kfunc has no keras.applications: its pretrained networks (VGG16, ResNet50, ...) need weights "
        "downloaded from the internet, and kfunc runs offline. Build the network with kfunc's layers, "
        "or use torchvision's models as torch modules."
    ),
    "kfunc.preprocessing": (
        "kfunc has no keras.preprocessing (ImageDataGenerator, Tokenizer, pad_sequences): prepare the "
        "data with numpy (np.pad for sequences) or torchvision/scikit-learn, and pass the arrays to fit."
    ),
    "kfunc.wrappers": (
        "kfunc has no keras.wrappers.scikit_learn: call fit and predict on the model directly, or "
        "wrap it in a small scikit-learn estimator class of your own."
    ),
    "kfunc.estimator": "kfunc has no keras.estimator: Estimators are TensorFlow's own machinery.",
    "kfunc.layers.experimental": (
        "kfunc has no keras.layers.experimental: its preprocessing layers (Rescaling, Normalization, "
        "RandomFlip, ...) and its other trial layers are TensorFlow's. Prepare the data with numpy "
        "before fit, or write the step as a Lambda layer (Lambda(lambda x: x / 255.0) rescales)."
    ),
}
for _name, _what in (("mnist", "MNIST"), ("fashion_mnist", "Fashion-MNIST"), ("cifar10", "CIFAR-10"),
                     ("cifar100", "CIFAR-100"), ("imdb", "The IMDB review set"), ("reuters", "The Reuters set"),
                     ("boston_housing", "The Boston housing set")):
    MODULES[f"kfunc.datasets.{_name}"] = "kfunc.datasets has no " + _name + ": " + _DOWNLOAD.format(what=_what)

_THREE_D = (
    "kfunc has no 3-D layers ({name}): volumes and video are out of its scope. Use 2-D layers on each "
    "frame (TimeDistributed(Conv2D(...))), as the guide's video model does."
)
_PREPROCESSING = (
    "kfunc has no preprocessing layer {name}: prepare the data with numpy before fit, or write the "
    "step as a Lambda layer."
)
LAYERS = {name: _THREE_D for name in (
    "Conv3D", "Convolution3D", "Conv3DTranspose", "Convolution3DTranspose", "MaxPooling3D", "MaxPool3D",
    "AveragePooling3D", "AvgPool3D", "GlobalMaxPooling3D", "GlobalAveragePooling3D", "UpSampling3D",
    "ZeroPadding3D", "Cropping3D", "ConvLSTM2D", "ConvLSTM3D", "SpatialDropout3D",
)}
LAYERS.update({name: _PREPROCESSING for name in (
    "TextVectorization", "StringLookup", "IntegerLookup", "Hashing", "CategoryEncoding", "Discretization",
    "Normalization", "Rescaling", "Resizing", "CenterCrop", "RandomCrop", "RandomFlip", "RandomRotation",
    "RandomZoom", "RandomTranslation", "RandomContrast", "RandomHeight", "RandomWidth",
)})
LAYERS["DenseFeatures"] = "kfunc has no DenseFeatures: feature columns are TensorFlow's own machinery."
LAYERS.update({name: (
    "kfunc has no {name}: locally connected layers (a convolution whose kernel differs at every "
    "position) were removed in Keras 3 and are out of kfunc's scope. Use Conv1D/Conv2D, which share "
    "one kernel across positions, or Dense on the flattened input."
) for name in ("LocallyConnected1D", "LocallyConnected2D")})

# Single names inside modules that exist (kfunc.utils, kfunc.callbacks).
NAMES = {
    "kfunc.utils.get_file": (
        "kfunc.utils.get_file downloads a file from the internet; kfunc runs offline and never "
        "downloads. Put the file next to the notebook and open it by its path, or use the small data "
        "sets that ship with kfunc (help(kfunc.datasets))."
    ),
    "kfunc.callbacks.TensorBoard": (
        "kfunc has no TensorBoard callback: TensorBoard is TensorFlow's tool. To keep the curves, use "
        "kfunc.callbacks.CSVLogger('training.csv') (one row per epoch), model.fit's History "
        "(history.history['loss']), or the notebook's live training display, "
        "kfunc.callbacks.LiveTracker()."
    ),
}


def message_for(fullname):
    """Why kfunc has no ``fullname`` (``kfunc.applications``, ``kfunc.layers.Conv3D``, ...), or None."""
    top = next((m for m in MODULES if fullname == m or fullname.startswith(m + ".")), None)
    if top is not None:
        return MODULES[top]
    if fullname in NAMES:
        return NAMES[fullname]
    module, _, name = fullname.rpartition(".")
    return LAYERS[name].format(name=name) if module == "kfunc.layers" and name in LAYERS else None


def missing_attribute(module, name):
    """The AttributeError for ``module.name`` when ``name`` is a Keras feature kfunc leaves out, else None."""
    message = message_for(f"{module}.{name}")
    return AttributeError(message) if message else None


class _Explainer(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers ``import kfunc.applications`` or ``from kfunc.layers import Conv3D`` with the explanation."""

    def find_spec(self, fullname, path=None, target=None):
        return importlib.machinery.ModuleSpec(fullname, self) if message_for(fullname) else None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        # No `name=`: Python would then take it for a plain missing submodule and say only
        # "cannot import name" in `from kfunc import applications`.
        raise ModuleNotFoundError(message_for(module.__name__))


def install():
    """Let imports of the missing modules explain themselves (after every real finder has looked)."""
    if not any(isinstance(finder, _Explainer) for finder in sys.meta_path):
        sys.meta_path.append(_Explainer())
