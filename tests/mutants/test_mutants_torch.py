"""Torch-based mutants are caught through backend='torch', with the right diagnosis."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import pytest
import torch_mutants as tm

from convmath import ConvCheckFailure
from convmath.testing import check_conv, check_conv_transpose, check_max_pool

pytestmark = pytest.mark.slow  # the fast subset: pytest -m 'not slow'

CASES = (
    [(check_conv, n, *v) for n, v in tm.CONV.items()]
    + [(check_conv_transpose, n, *v) for n, v in tm.TRANSPOSE.items()]
    + [(check_max_pool, n, *v) for n, v in tm.MAX_POOL.items()]
)


@pytest.mark.parametrize(("checker", "name", "mutant", "diagnosis"), CASES,
                         ids=[c[1] for c in CASES])
def test_torch_mutant_is_caught(checker: Callable[..., Any], name: str,
                                mutant: Callable[..., Any], diagnosis: str) -> None:
    pytest.importorskip("torch")
    with pytest.raises(ConvCheckFailure) as info:
        checker(mutant, backend="torch", seed=1)
    line = str(info.value).split("diagnosis:")[1].splitlines()[0]
    assert diagnosis in line, str(info.value)
