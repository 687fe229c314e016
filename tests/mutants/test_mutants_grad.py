"""Every transposed-conv and gradient mutant is caught, most with the right diagnosis."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import grad_mutants
import pytest

from convmath import ConvCheckFailure
from convmath.testing import (
    check_conv_input_grad,
    check_conv_transpose,
    check_conv_weight_grad,
)

pytestmark = [pytest.mark.slow, pytest.mark.dev_sample]  # see tests/conftest.py

CASES = (
    [(check_conv_transpose, n, *v) for n, v in grad_mutants.TRANSPOSE.items()]
    + [(check_conv_input_grad, n, *v) for n, v in grad_mutants.INPUT_GRAD.items()]
    + [(check_conv_weight_grad, n, *v) for n, v in grad_mutants.WEIGHT_GRAD.items()]
)


def diagnosis_line(exc: BaseException) -> str:
    return str(exc).split("diagnosis:")[1].splitlines()[0]


@pytest.mark.parametrize(("checker", "name", "mutant", "diagnosis"), CASES,
                         ids=[c[1] for c in CASES])
def test_checker_catches_mutant(checker: Callable[..., Any], name: str,
                                mutant: Callable[..., Any], diagnosis: str | None) -> None:
    with pytest.raises(ConvCheckFailure) as info:
        checker(mutant, seed=1)
    if diagnosis is not None:
        assert diagnosis in diagnosis_line(info.value), str(info.value)
