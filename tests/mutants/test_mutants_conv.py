"""Every conv mutant is caught by check_conv, most with the right diagnosis."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import conv_mutants
import pytest

from convmath import ConvCheckFailure
from convmath.testing import check_conv

pytestmark = [pytest.mark.slow, pytest.mark.dev_sample]  # see tests/conftest.py


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
