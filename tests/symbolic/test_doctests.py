"""The runnable examples in convmath.symbolic's docstrings."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "convmath.symbolic", "convmath.symbolic.operators", "convmath.symbolic.canon",
    "convmath.symbolic.rules", "convmath.symbolic.printing", "convmath.symbolic.theorems",
    "convmath.symbolic.mutants", "convmath.symbolic.derivation",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_doctests_exist() -> None:
    total = sum(doctest.testmod(importlib.import_module(n)).attempted for n in MODULES)
    assert total >= 8
