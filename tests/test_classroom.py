"""kfunc.classroom: digests that equal answers share, and checks that print one line and never the answer."""

import numpy as np
import pytest
import torch

from kfunc import Input, Model
from kfunc.classroom import Check, digest
from kfunc.layers import Dense


def test_digest_is_a_stable_sha256():
    # the digest of a whole number is the SHA-256 of its decimal text: stored digests stay valid
    assert digest(8320) == "1c40b7658984206544b8b02afdb774bed2bcd4a986a0a7140a9669075edc7a50"
    assert digest([None, 2]) == "9794c3e482560979833f5fce81a836a14e7238e666f5c2a0c0a2714771c70652"
    assert digest(8320) != digest(8321)


def test_equal_answers_written_differently_share_a_digest():
    assert digest((None, 10)) == digest([None, 10]) == digest((None, 10.0))
    assert digest(8320) == digest(8320.0) == digest(np.int64(8320)) == digest(np.float32(8320))
    assert digest(0.1 + 0.2) == digest(0.3)
    assert digest(np.float32(0.1)) == digest(0.1)
    assert digest("  relu\n") == digest("relu")
    assert digest(np.array([[1, 2], [3, 4]])) == digest([[1, 2], [3, 4]]) == digest(torch.tensor([[1, 2], [3, 4]]))
    assert digest(torch.Size([2, 3])) == digest((2, 3))
    assert digest({"b", "a"}) == digest({"a", "b"})
    assert digest(-0.0) == digest(0)


def test_digest_keeps_real_differences():
    assert digest(True) != digest(1)
    assert digest(None) != digest(0)
    assert digest(0.333) != digest(1 / 3)
    assert digest("Relu") != digest("relu")
    assert digest([1, 2]) != digest([2, 1])


def test_decimals_rounds_to_decimal_places():
    assert digest(0.8512, decimals=2) == digest(0.85, decimals=2)
    assert digest(0.8512) != digest(0.85)


def test_digest_refuses_a_value_without_a_canonical_form():
    with pytest.raises(TypeError, match="Check\\(id, test="):
        digest(object())


def test_check_prints_right(capsys):
    Check("05.1", digest=digest(8320), hint="Count the four gates.")(8320.0)
    assert capsys.readouterr().out == "✓ 05.1: right.\n"


def test_check_prints_not_yet_with_the_hint_and_never_the_answer(capsys):
    check = Check("05.1", digest=digest(8320), hint="Count the four gates.")
    check(8000)
    check(None)
    check("eight thousand")
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "✗ 05.1: not yet. Hint: Count the four gates.",
        "✗ 05.1: not answered yet. Hint: Count the four gates.",
        "✗ 05.1: not yet. Hint: Count the four gates.",
    ]
    assert "8320" not in out


def test_check_without_hint():
    assert Check("01.2", digest=digest(3)).message(4) == "✗ 01.2: not yet."


def test_check_never_raises_on_a_strange_answer(capsys):
    Check("05.1", digest=digest(8320))(object())
    Check("05.1", digest=digest(8320))(lambda: 1)
    assert capsys.readouterr().out.count("not yet") == 2


def test_check_with_a_predicate_swallows_its_prints_and_errors(capsys):
    def has_ten_outputs(model):
        print("secret: (None, 10)")
        return model.output_shape == (None, 10)

    check = Check("02.1", test=has_ten_outputs, hint="Look at the last Dense layer.")
    inputs = Input(shape=(4,))
    check(Model(inputs, Dense(10)(inputs)))
    check(Model(inputs, Dense(3)(inputs)))
    check(42)  # no output_shape: the predicate raises, which is "not yet"
    check(None)
    assert capsys.readouterr().out.splitlines() == [
        "✓ 02.1: right.",
        "✗ 02.1: not yet. Hint: Look at the last Dense layer.",
        "✗ 02.1: not yet. Hint: Look at the last Dense layer.",
        "✗ 02.1: not answered yet. Hint: Look at the last Dense layer.",
    ]


def test_check_returns_nothing_so_a_notebook_shows_only_the_line():
    assert Check("05.1", digest=digest(1))(1) is None


def test_check_needs_exactly_one_of_digest_and_test():
    with pytest.raises(ValueError, match="exactly one of digest= .* or test="):
        Check("05.1")
    with pytest.raises(ValueError, match="exactly one"):
        Check("05.1", digest=digest(1), test=bool)


def test_check_with_decimals():
    check = Check("03.2", digest=digest(0.86, decimals=2), decimals=2)
    assert check.is_right(0.8612)
    assert not check.is_right(0.87)
