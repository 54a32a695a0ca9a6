"""Every Keras 1 spelling kfunc understands, with its Keras 2 form: the one table.

This is the only place in kfunc that knows the old names; the rest of
``kfunc.legacy`` is machinery that reads these tables, and the core knows none of
them. To teach kfunc another old spelling, add a row here.

* ``LAYER_ARGUMENTS``: old keyword arguments of layer and ``Model`` constructors,
  by Keras 2 class name (``"Layer"``: rows that every layer has);
* ``OLD_LAYER_NAMES``: layer classes that Keras 2 renamed (``Convolution2D``);
* ``MERGE_MODES``: the ``mode=`` of Keras 1's ``merge`` function and ``Merge`` layer;
* ``METHOD_ARGUMENTS``: old keyword arguments of ``fit`` and its siblings;
* ``OLD_METHODS``: old ``Layer`` methods (``layer.get_output()``).
"""

from dataclasses import dataclass

from kfunc.legacy.translate import Combine, Drop, Refuse, Rename, Spelling

# ---------------------------------------------------------------------- values

INITIALIZER_NAMES = {"zero": "zeros", "one": "ones", "uniform": "random_uniform", "normal": "random_normal"}
DIM_ORDERING = {"th": "channels_first", "tf": "channels_last", "default": None}
CONSUME_LESS = {"cpu": 1, "mem": 1, "gpu": 2}  # Keras 2 folded implementation 0 into 1

CHANNELS_FIRST = dict(
    implies={"data_format": "channels_first"},
    implied_note="kfunc reads Keras 1 image layers channels-first, (channels, rows, cols), as the older guide's code does",
)

# ---------------------------------------------------------------------- layer arguments

_WEIGHTS = {
    "init": Rename("kernel_initializer", INITIALIZER_NAMES),
    "W_regularizer": Rename("kernel_regularizer"),
    "b_regularizer": Rename("bias_regularizer"),
    "W_constraint": Rename("kernel_constraint"),
    "b_constraint": Rename("bias_constraint"),
    "bias": Rename("use_bias"),
}

_RECURRENT = {
    "output_dim": Rename("units"),
    "init": Rename("kernel_initializer", INITIALIZER_NAMES),
    "inner_init": Rename("recurrent_initializer", INITIALIZER_NAMES),
    "inner_activation": Rename("recurrent_activation"),
    "W_regularizer": Rename("kernel_regularizer"),
    "U_regularizer": Rename("recurrent_regularizer"),
    "b_regularizer": Rename("bias_regularizer"),
    "W_constraint": Rename("kernel_constraint"),
    "U_constraint": Rename("recurrent_constraint"),
    "b_constraint": Rename("bias_constraint"),
    "dropout_W": Rename("dropout"),
    "dropout_U": Rename("recurrent_dropout"),
    "consume_less": Rename("implementation", CONSUME_LESS),
}

_POOLING_1D = Spelling({"pool_length": Rename("pool_size"), "stride": Rename("strides"), "border_mode": Rename("padding")})
_POOLING_2D = Spelling({"border_mode": Rename("padding")}, implied_by=frozenset({"border_mode"}), **CHANNELS_FIRST)
_DROPOUT = Spelling({"p": Rename("rate")})

LAYER_ARGUMENTS = {
    "Layer": Spelling(
        {
            "input_dtype": Rename("dtype"),
            "dim_ordering": Rename("data_format", DIM_ORDERING),
            "weights": Drop(
                "Keras 2 layers make their weights on their first call; set them afterwards "
                "with `layer.set_weights(weights)`",
                accept=(None,),
            ),
        }
    ),
    "Model": Spelling({"input": Rename("inputs"), "output": Rename("outputs")}),
    "Dense": Spelling({"output_dim": Rename("units"), **_WEIGHTS}),
    "Conv2D": Spelling(
        {
            "nb_filter": Rename("filters"),
            ("nb_row", "nb_col"): Combine("kernel_size"),
            "border_mode": Rename("padding"),
            "subsample": Rename("strides"),
            "atrous_rate": Rename("dilation_rate"),
            **_WEIGHTS,
        },
        implied_by=frozenset({"nb_filter", "nb_row", "nb_col", "border_mode", "subsample", "atrous_rate"}),
        **CHANNELS_FIRST,
    ),
    "Conv1D": Spelling(
        {
            "nb_filter": Rename("filters"),
            "filter_length": Rename("kernel_size"),
            "border_mode": Rename("padding"),
            "subsample_length": Rename("strides"),
            "atrous_rate": Rename("dilation_rate"),
            **_WEIGHTS,
        }
    ),
    "MaxPooling1D": _POOLING_1D,
    "AveragePooling1D": _POOLING_1D,
    "MaxPooling2D": _POOLING_2D,
    "AveragePooling2D": _POOLING_2D,
    "SimpleRNN": Spelling(_RECURRENT),
    "GRU": Spelling(_RECURRENT),
    "LSTM": Spelling(
        {**_RECURRENT, "forget_bias_init": Rename("unit_forget_bias", lambda init: init in ("one", "ones"))}
    ),
    "Embedding": Spelling(
        {
            "init": Rename("embeddings_initializer", INITIALIZER_NAMES),
            "W_regularizer": Rename("embeddings_regularizer"),
            "W_constraint": Rename("embeddings_constraint"),
            "dropout": Refuse(
                "For the same effect, put a `SpatialDropout1D(rate)` layer right after the Embedding."
            ),
        }
    ),
    "Dropout": _DROPOUT,
    "SpatialDropout1D": _DROPOUT,
    "SpatialDropout2D": _DROPOUT,
    "GaussianDropout": _DROPOUT,
    "GaussianNoise": Spelling({"sigma": Rename("stddev")}),
    "BatchNormalization": Spelling(
        {
            "mode": Drop(
                "Keras 2 keeps only mode 0, the usual batch normalization; modes 1 and 2 "
                "are gone (use LayerNormalization to normalize each sample instead)",
                accept=(0,),
            ),
            "beta_init": Rename("beta_initializer", INITIALIZER_NAMES),
            "gamma_init": Rename("gamma_initializer", INITIALIZER_NAMES),
        }
    ),
}

# ---------------------------------------------------------------------- renamed layers


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class OldLayerName:
    """A Keras 1 layer class that Keras 2 renamed.

    Args:
        modern: the Keras 2 class name.
        positional: the Keras 1 positional parameters, in order...
        keras1_form: ...used when this says the positional arguments are Keras 1's
            (``Convolution2D(16, 3, 3)``); otherwise they are read as Keras 2's, as
            the name survives as an alias (``Convolution2D(16, (3, 3))``).
    """

    modern: str
    positional: tuple
    keras1_form: object


_CONV2D_PARAMETERS = ("nb_filter", "nb_row", "nb_col", "init", "activation", "weights", "border_mode", "subsample")

OLD_LAYER_NAMES = {
    "Convolution2D": OldLayerName(
        "Conv2D", _CONV2D_PARAMETERS + ("dim_ordering",), lambda args: len(args) >= 3 and _is_int(args[2])
    ),
    "AtrousConvolution2D": OldLayerName(
        "Conv2D", _CONV2D_PARAMETERS + ("atrous_rate", "dim_ordering"), lambda args: len(args) >= 3 and _is_int(args[2])
    ),
    "Convolution1D": OldLayerName(
        "Conv1D",
        ("nb_filter", "filter_length", "init", "activation", "weights", "border_mode", "subsample_length"),
        lambda args: len(args) >= 3 and not _is_int(args[2]),
    ),
}

# A Keras 2 class called with Keras 1 keywords reads its positional arguments the
# Keras 1 way too, when they look like it: Conv2D(16, 3, 3, border_mode='same').
KERAS1_POSITIONAL = {"Conv2D": OLD_LAYER_NAMES["Convolution2D"]}

# ---------------------------------------------------------------------- merge

MERGE_PARAMETERS = (
    "inputs", "mode", "concat_axis", "dot_axes", "output_shape", "output_mask",
    "arguments", "node_indices", "tensor_indices", "name",
)  # fmt: skip
MERGE_DEFAULT_MODE = "sum"

_MERGE_ANY_MODE = {
    "concat_axis": Drop("concat_axis only mattered for mode='concat'"),
    "dot_axes": Drop("dot_axes only mattered for mode='dot' and 'cos'"),
    "output_mask": Drop("Keras 2 merge layers need no output_mask"),
    "node_indices": Refuse("Pass the tensors themselves, e.g. `layer.get_output_at(1)`."),
    "tensor_indices": Refuse("Pass the tensors themselves, e.g. `layer.get_output_at(0)[1]`."),
}
_NAMED_MODE = {
    **_MERGE_ANY_MODE,
    "output_shape": Drop("Keras 2 merge layers work out their output shape"),
    "arguments": Drop("arguments only mattered for a function mode"),
}


@dataclass(frozen=True)
class MergeMode:
    """A Keras 1 merge ``mode`` and the Keras 2 function and layer class that replace it."""

    function: str
    layer: str
    spelling: Spelling


MERGE_MODES = {
    "sum": MergeMode("add", "Add", Spelling(_NAMED_MODE)),
    "mul": MergeMode("multiply", "Multiply", Spelling(_NAMED_MODE)),
    "ave": MergeMode("average", "Average", Spelling(_NAMED_MODE)),
    "max": MergeMode("maximum", "Maximum", Spelling(_NAMED_MODE)),
    "concat": MergeMode("concatenate", "Concatenate", Spelling({**_NAMED_MODE, "concat_axis": Rename("axis")})),
    # Keras 1 dotted along the last axis unless told; Keras 2 wants `axes` said.
    "dot": MergeMode("dot", "Dot", Spelling({**_NAMED_MODE, "dot_axes": Rename("axes")}, implies={"axes": -1})),
    "cos": MergeMode(
        "dot",
        "Dot",
        Spelling({**_NAMED_MODE, "dot_axes": Rename("axes")}, implies={"axes": -1, "normalize": True}),
    ),
}
# A function as the mode: Keras 2 calls it a Lambda layer (output_shape and arguments stay).
MERGE_FUNCTION_MODE = MergeMode("Lambda", "Lambda", Spelling(_MERGE_ANY_MODE))

# ---------------------------------------------------------------------- training methods

_STEPS = "it counts batches, not samples: divide by the batch size"
_WORKERS = {
    "nb_worker": Rename("workers"),
    "pickle_safe": Rename("use_multiprocessing"),
    "max_q_size": Rename("max_queue_size"),
}

METHOD_ARGUMENTS = {
    "fit": Spelling({"nb_epoch": Rename("epochs")}),
    "fit_generator": Spelling(
        {
            "nb_epoch": Rename("epochs"),
            "samples_per_epoch": Rename("steps_per_epoch", note=_STEPS),
            "nb_val_samples": Rename("validation_steps", note=_STEPS),
            **_WORKERS,
        }
    ),
    "evaluate_generator": Spelling({"val_samples": Rename("steps", note=_STEPS), **_WORKERS}),
    "predict_generator": Spelling({"val_samples": Rename("steps", note=_STEPS), **_WORKERS}),
}

# ---------------------------------------------------------------------- layer methods


@dataclass(frozen=True)
class OldMethod:
    """A Keras 0/1 ``Layer`` method and what replaced it.

    Args:
        modern: the Keras 2 attribute (``output``) or method (``compute_output_shape``).
        is_property: whether the Keras 2 form is a property (no call).
        ignored: old arguments that no longer mean anything, accepted and ignored.
    """

    modern: str
    is_property: bool
    ignored: tuple = ()


OLD_METHODS = {
    "get_output": OldMethod("output", True, ignored=("train",)),
    "get_input": OldMethod("input", True, ignored=("train",)),
    "get_output_shape_for": OldMethod("compute_output_shape", False),
}
