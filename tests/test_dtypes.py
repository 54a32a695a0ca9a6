"""kfunc.engine.dtypes: Keras's dtype names and torch's dtypes."""

import numpy as np
import pytest
import torch

from kfunc.engine.dtypes import dtype_name, torch_dtype


def test_names_from_torch_numpy_and_strings():
    assert dtype_name(torch.float32) == "float32"
    assert dtype_name(np.int64) == "int64"
    assert dtype_name("bfloat16") == "bfloat16"


def test_torch_dtype_of_names_and_dtypes():
    assert torch_dtype("int32") is torch.int32
    assert torch_dtype(np.float64) is torch.float64
    assert torch_dtype(torch.bool) is torch.bool


def test_unknown_dtype_lists_the_valid_ones_and_guesses():
    with pytest.raises(ValueError, match=r"Unknown dtype 'flaot32'. Did you mean 'float32'\? Valid dtypes: float32"):
        torch_dtype("flaot32")
