"""Every conv mutant is caught by check_conv, most with the right diagnosis."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parent.parent / "testing")]

import _standin  # noqa: E402, F401  (installs stand-ins for numeric functions not merged yet)
import conv_mutants  # noqa: E402
import pytest  # noqa: E402

from convmath import ConvCheckFailure  # noqa: E402
from convmath.testing import check_conv  # noqa: E402


@pytest.mark.parametrize("name", sorted(conv_mutants.MUTANTS))
def test_check_conv_catches_mutant(name: str) -> None:
    mutant, diagnosis = conv_mutants.MUTANTS[name]
    with pytest.raises(ConvCheckFailure) as info:
        check_conv(mutant, seed=1)
    if diagnosis is not None:
        assert f"diagnosis: {diagnosis}" in str(info.value) or (
            "diagnosis:" in str(info.value)
            and diagnosis in str(info.value).split("diagnosis:")[1].splitlines()[0]
        ), str(info.value)


def test_correct_wrapper_passes() -> None:
    report = check_conv(conv_mutants.correct, seed=1)
    assert report.examples > 0
