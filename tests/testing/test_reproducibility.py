"""A seeded check must not depend on which local modules happen to be imported."""

from __future__ import annotations

import sys
import types

import pytest

from convmath import ConvCheckFailure
from convmath.numeric import conv
from convmath.testing import check_conv
from convmath.testing._core import reproducible_generation


def _buggy(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    y = conv(x, w, bias, stride, padding, dilation, groups)
    return y * 1.001


def _first_lines() -> str:
    with pytest.raises(ConvCheckFailure) as info:
        check_conv(_buggy, seed=5)
    return "\n".join(str(info.value).splitlines()[:3])


def test_hypothesis_local_constants_are_hidden_while_a_check_runs() -> None:
    providers = pytest.importorskip("hypothesis.internal.conjecture.providers")
    original = providers._get_local_constants
    with reproducible_generation():
        assert len(providers._get_local_constants()) == 0
    assert providers._get_local_constants is original


def test_seeded_check_is_unchanged_by_importing_a_module_full_of_constants(tmp_path) -> None:  # type: ignore[no-untyped-def]
    before = _first_lines()
    source = "VALUES = [" + ", ".join(str(v) for v in (3, 7, 64, 65, 127, 2.5, -9, 1e-3)) + "]\n"
    path = tmp_path / "cm_local_constants_probe.py"
    path.write_text(source)
    sys.path.insert(0, str(tmp_path))
    try:
        module = __import__("cm_local_constants_probe")
        assert isinstance(module, types.ModuleType)
        assert _first_lines() == before
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("cm_local_constants_probe", None)
