"""The suite's profiles (tests/conftest.py): dev, ci and thorough scale every @given test."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

CALLS: list[int] = []


@settings(max_examples=40)
@given(st.integers())
def test_a_decorated_test(n: int) -> None:
    CALLS.append(n)
    assert isinstance(n, int)


def test_the_profile_scales_the_decorator_examples() -> None:
    want = {"dev": 20, "ci": 40, "thorough": 400}[os.environ["CONVMATH_PROFILE"]]
    assert test_a_decorated_test._hypothesis_internal_use_settings.max_examples == want  # type: ignore[attr-defined]
    CALLS.clear()
    test_a_decorated_test()
    assert 0 < len(CALLS) <= want


def test_the_profile_is_loaded() -> None:
    name = os.environ["CONVMATH_PROFILE"]
    assert settings.get_current_profile_name() == name
    assert settings.default.derandomize == (name == "ci")
    assert settings.default.deadline is None
