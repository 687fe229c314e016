"""The runnable examples in convmath.symbolic's docstrings exist.

``--doctest-modules`` (pyproject; ``convmath`` is in ``testpaths``) runs them once; this
test only makes sure they are there, so a module cannot lose its examples unnoticed.
"""

from __future__ import annotations

import doctest
import importlib

MODULES = [
    "convmath.symbolic", "convmath.symbolic.operators", "convmath.symbolic.canon",
    "convmath.symbolic.rules", "convmath.symbolic.printing", "convmath.symbolic.theorems",
    "convmath.symbolic.mutants", "convmath.symbolic.derivation",
]


def _examples(name: str) -> int:
    tests = doctest.DocTestFinder().find(importlib.import_module(name))
    return sum(len(t.examples) for t in tests)


def test_doctests_exist() -> None:
    assert sum(_examples(n) for n in MODULES) >= 8


def test_doctests_are_collected_by_pytest() -> None:
    """The suite's configuration runs the package's doctests (so they are not run twice)."""
    from pathlib import Path

    conf = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert 'testpaths = ["tests", "convmath"]' in conf
    assert '--doctest-modules' in conf
