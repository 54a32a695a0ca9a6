"""Settings for the whole session: Keras's global defaults, and how tracebacks look.

Keras keeps a few numbers and names that every layer, loss and optimizer reads
when it is not told otherwise. kfunc keeps them here, under Keras's names (Keras 2
code reaches them as ``keras.backend.image_data_format()`` and so on, Keras 3 as
``keras.config.image_data_format()``; both spellings work with ``kfunc``):

* :func:`image_data_format`: where the channels axis of images and sequences sits,
  for the layers created with ``data_format=None`` (``Conv2D``, ``MaxPooling2D``,
  ``Flatten``, ...): ``'channels_last'`` (Keras's default) or ``'channels_first'``.
* :func:`epsilon`: the small number added to avoid dividing by zero or taking the
  logarithm of 0 (losses clip probabilities to ``[epsilon, 1 - epsilon]``).
* :func:`floatx`: the float type of weights and computations, ``'float32'``.

An error caused by a mistake in the student's code is shown without the frames of
kfunc's functions it went through (see :mod:`kfunc.tracebacks`), so the student's
own line sits right above the message. Someone debugging kfunc itself wants every
frame: switch the filtering off here, or start Python with the environment variable
``KFUNC_TRACEBACK_FILTERING=0``.

Example:
    >>> import kfunc
    >>> kfunc.config.set_image_data_format('channels_first')
    >>> kfunc.layers.Conv2D(8, 3).data_format
    'channels_first'
    >>> kfunc.config.disable_traceback_filtering()
    >>> kfunc.config.is_traceback_filtering_enabled()
    False
"""

import os

_DATA_FORMATS = ("channels_last", "channels_first")
_FLOAT_TYPES = ("float16", "bfloat16", "float32", "float64")  # what Keras's set_floatx accepts

_image_data_format = "channels_last"
_epsilon = 1e-7
# Read once, when kfunc is imported; the functions below change it afterwards.
_traceback_filtering = os.environ.get("KFUNC_TRACEBACK_FILTERING", "1").strip().lower() not in ("0", "false", "off", "no")


# ---------------------------------------------------------------- Keras's defaults


def image_data_format():
    """The data format of layers made with ``data_format=None``: ``'channels_last'`` unless set."""
    return _image_data_format


def set_image_data_format(data_format):
    """Set the data format that layers created from now on with ``data_format=None`` use.

    Layers made before keep theirs, as in Keras (each layer stores its format).

    Raises:
        ValueError: for anything but ``'channels_last'`` or ``'channels_first'``.
    """
    global _image_data_format
    if data_format not in _DATA_FORMATS:
        raise ValueError(
            f"set_image_data_format({data_format!r}): use 'channels_last' (batch, ..., channels) "
            "or 'channels_first' (batch, channels, ...)."
        )
    _image_data_format = data_format


def epsilon():
    """The small number Keras adds to avoid dividing by zero (``1e-7`` unless set)."""
    return _epsilon


def set_epsilon(value):
    """Change the value that :func:`epsilon` returns (losses read it at every call)."""
    global _epsilon
    _epsilon = float(value)


def floatx():
    """The default float type, ``'float32'``: the type of weights, inputs and computations."""
    return "float32"


def set_floatx(value):
    """Keep ``'float32'`` as the default float type: the only one kfunc computes in by default.

    Raises:
        NotImplementedError: for ``'float16'``, ``'bfloat16'`` or ``'float64'``, which
            Keras accepts: the message says what to do instead.
        ValueError: for a name that is not a float type.
    """
    if value == "float32":
        return
    if value in _FLOAT_TYPES:
        raise NotImplementedError(
            f"set_floatx({value!r}): kfunc keeps 'float32' as its default float type. "
            "For 16-bit training use kfunc.mixed_precision.set_global_policy('mixed_float16') "
            "(or 'mixed_bfloat16'), which keeps the weights in float32 and computes in 16 bits; "
            "for float64, pass dtype='float64' to the Input and to each layer."
        )
    raise ValueError(f"set_floatx({value!r}): the default float type must be one of {', '.join(_FLOAT_TYPES)}.")


# ---------------------------------------------------------------- tracebacks


def enable_traceback_filtering():
    """Show tracebacks of a user's mistakes without kfunc's frames (the default)."""
    global _traceback_filtering
    _traceback_filtering = True


def disable_traceback_filtering():
    """Show every frame of every traceback, kfunc's included (for debugging kfunc)."""
    global _traceback_filtering
    _traceback_filtering = False


def is_traceback_filtering_enabled():
    """Whether tracebacks of a user's mistakes are shown without kfunc's frames.

    Returns:
        ``True`` unless :func:`disable_traceback_filtering` was called or Python
        started with ``KFUNC_TRACEBACK_FILTERING=0`` (or ``false``, ``off``, ``no``).
    """
    return _traceback_filtering
