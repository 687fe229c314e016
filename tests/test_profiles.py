"""The suite's profiles (tests/conftest.py): dev, ci and thorough scale every @given test."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator

import pytest
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


@pytest.fixture(scope="module")
def a_library_replaced_the_profiles() -> Iterator[None]:
    """What importing ``torch.testing._internal.common_utils`` does (it did so mid-run in
    CI, where ``CI`` is set): register its own ``dev`` profile over ours and load
    ``pytorch_ci``. A module fixture runs before the suite's autouse one, which must undo
    it."""
    if importlib.util.find_spec("torch") and importlib.util.find_spec("expecttest"):
        import torch.testing._internal.common_utils  # noqa: F401  (the real thing)
    settings.register_profile("dev", max_examples=10, deadline=200)
    settings.register_profile("pytorch_ci", derandomize=True, database=None, max_examples=50)
    settings.load_profile("pytorch_ci")
    yield


@pytest.mark.usefixtures("a_library_replaced_the_profiles")
def test_the_profile_is_loaded() -> None:
    name = os.environ["CONVMATH_PROFILE"]
    assert settings.default.max_examples == 100
    assert settings.get_current_profile_name() == name
    assert settings.default.derandomize == (name == "ci")
    assert settings.default.deadline is None
