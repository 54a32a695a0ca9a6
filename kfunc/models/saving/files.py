"""The files kfunc writes: ``torch.save`` to a temporary file then a rename; ``torch.load`` without code.

A kfunc file is a dict of plain data (strings, numbers, lists, dicts) and tensors,
with a ``format`` entry saying what it holds. It is read back with
``torch.load(weights_only=True)``, whose unpickler refuses anything else: reading
a file can never run code from it.
"""

import contextlib
import os
import pickle
import tempfile
import warnings

import torch

WEIGHTS_FORMAT = "kfunc.weights"
MODEL_FORMAT = "kfunc.model"
VERSION = 1


def atomic_save(content, filepath, overwrite):
    """``torch.save`` to a temporary file next to ``filepath``, then rename it over ``filepath``."""
    path = os.fspath(filepath)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path!r} exists; pass overwrite=True to replace it.")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(content, f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def read(filepath, formats):
    """The dict stored in a kfunc file, read without running any code from it."""
    path = os.fspath(filepath)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No such file: {path!r}.")
    what = "a kfunc model file (written by model.save)" if formats == (MODEL_FORMAT,) else \
        "a kfunc weights file (written by model.save_weights or model.save)"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            content = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        if "Weights only load failed" in str(err):
            raise ValueError(
                f"Refused to load {path!r}: it holds Python objects other than tensors and plain "
                f"data, and unpickling them could run code. It is not {what}."
            ) from None
        raise ValueError(f"{path!r} is not {what}: it could not be read ({err}).") from None
    except Exception as err:  # truncated zip archives, text files, ...
        raise ValueError(
            f"{path!r} is not {what}, or it is damaged (truncated?): it could not be read "
            f"({type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''})."
        ) from None
    if not isinstance(content, dict) or content.get("format") not in formats:
        found = content.get("format") if isinstance(content, dict) else type(content).__name__
        hint = ""
        if isinstance(content, dict) and found is None and all(isinstance(v, torch.Tensor) for v in content.values()):
            hint = " It looks like a torch state_dict: load it with model.load_state_dict(torch.load(path))."
        if found == WEIGHTS_FORMAT:
            hint = " It holds weights only: build the model in code, then call model.load_weights(path)."
        raise ValueError(f"{path!r} is not {what} (it holds {found!r}).{hint}")
    problem = _malformed(content)
    if problem:
        raise ValueError(f"{path!r} claims to be {what}, but {problem}: it is damaged, or was not written by kfunc.")
    return content


def _malformed(content):
    """What is wrong with the entries of a file in kfunc's format, or None."""
    layers, weights = content.get("layers"), content.get("weights")
    if not isinstance(layers, list) or not all(isinstance(name, str) for name in layers):
        return "its list of layers is missing or not a list of names"
    if not isinstance(weights, dict) or not all(
        isinstance(key, str) and isinstance(value, torch.Tensor) for key, value in weights.items()
    ):
        return "its weights are missing or are not tensors keyed by name"
    if content["format"] == MODEL_FORMAT:
        if not isinstance(content.get("model_config"), str):
            return "it holds no architecture"
        if not isinstance(content.get("training_config"), (str, type(None))):
            return "its compile settings are not readable"
        if not isinstance(content.get("optimizer_state"), (dict, type(None))):
            return "its optimizer state is not readable"
    return None


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
