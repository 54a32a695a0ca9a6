"""Lambda's config: the function by name, or a lambda's own text found in its source file."""

import sys

import pytest
import torch

from kfunc import backend as K
from kfunc.layers import Lambda


def config_text(layer):
    config = layer.get_config()
    return config["function"], config["function_type"]


def test_each_of_two_lambdas_on_one_line_keeps_its_own_text():
    first, second = Lambda(lambda t: t + 1), Lambda(lambda t: t * 2)
    assert config_text(first) == ("lambda t: t + 1", "lambda")
    assert config_text(second) == ("lambda t: t * 2", "lambda")


@pytest.mark.skipif(sys.version_info < (3, 11), reason="Python 3.10 records no column positions")
def test_lambdas_with_the_same_parameters_on_one_line_are_told_apart():
    k = 2.0
    scale, shift = Lambda(lambda t: t * k), Lambda(lambda t: t + k)  # closures over k, like many real lambdas
    assert config_text(scale)[0] == "lambda t: t * k"
    assert config_text(shift)[0] == "lambda t: t + k"


def test_a_lambda_inside_a_lambda_keeps_the_inner_text():
    make = lambda factor: Lambda(lambda t: t * factor)  # noqa: E731
    assert config_text(make(3.0))[0] == "lambda t: t * factor"


def test_a_lambda_over_several_lines_is_kept_in_parentheses():
    layer = Lambda(
        lambda t: K.sum(
            t, axis=-1, keepdims=True
        )
    )
    assert config_text(layer)[0] == "(lambda t: K.sum(\n            t, axis=-1, keepdims=True\n        ))"
    clone = Lambda.from_config(layer.get_config(), safe_mode=False)
    x = torch.randn(2, 3)
    torch.testing.assert_close(clone(x), x.sum(-1, keepdim=True))


def test_a_function_defined_inside_a_function_is_kept_as_its_def():
    def offset(t, by=1.0):
        return t + by

    layer = Lambda(offset)
    text, kind = config_text(layer)
    assert kind == "lambda" and text.startswith("def offset(t, by=1.0):")
    clone = Lambda.from_config(layer.get_config(), safe_mode=False)
    torch.testing.assert_close(clone(torch.zeros(1, 2)), torch.ones(1, 2))
    assert clone.get_config() == layer.get_config()


def test_a_lambda_without_source_cannot_be_rebuilt_and_says_what_to_do():
    namespace = {}
    exec("function = lambda t: t * 5", namespace)  # no file: Python keeps no text for it
    layer = Lambda(namespace["function"], name="fivefold")
    assert config_text(layer) == (None, "lambda")
    with pytest.raises(ValueError, match=r"'fivefold'.*safe_mode=False"):
        Lambda.from_config(layer.get_config())
    with pytest.raises(ValueError, match=r"'fivefold'.*source.*Lambda\(fn\)"):
        Lambda.from_config(layer.get_config(), safe_mode=False)


def test_a_rebuilt_lambda_sees_the_globals_of_its_module():
    layer = Lambda(lambda t: K.square(t) - K.abs(t))
    clone = Lambda.from_config(layer.get_config(), safe_mode=False)
    x = torch.randn(4)
    torch.testing.assert_close(clone(x), x**2 - x.abs())
    assert config_text(clone) == config_text(layer)


def test_a_callable_that_is_no_function_is_stored_without_source():
    import functools

    layer = Lambda(functools.partial(torch.mul, other=2.0), name="twice")
    assert config_text(layer) == (None, "lambda")
    torch.testing.assert_close(layer(torch.ones(1, 2)), 2 * torch.ones(1, 2))
