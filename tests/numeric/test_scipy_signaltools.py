"""scipy's own tests of ``convolve``/``correlate``, pointed at convmath's functions.

Runs the classes ``TestConvolve``, ``TestCorrelateReal``, ``TestCorrelate`` and
``TestCorrelateComplex`` of the installed ``scipy/signal/tests/test_signaltools.py`` with
the module globals ``convolve``, ``correlate`` and ``choose_conv_method`` of that module
replaced by :func:`convmath.numeric.convolve`, :func:`~convmath.numeric.correlate` and
:func:`~convmath.numeric.choose_method` (so helper computations inside those tests use
convmath too), on the NumPy backend only (the ``xp`` fixture below; scipy's conftest
parametrizes it over array-API libraries, which convmath does not take).

One documented difference is adapted, not skipped: for the narrow integer dtypes of
``TestCorrelateReal`` (``int8``…``int32``, ``uint8``…``uint32``), scipy's tests assert that the
result keeps the input dtype, while convmath returns the exact result widened to ``int64``
(``uint64`` for unsigned input) instead of wrapping around. There ``correlate`` is wrapped:
the wrapper asserts that convmath's result has the widened dtype, then hands scipy's test
that result cast to the input dtype. Where the values fit (the rank-1 tests, and every
16/32-bit case) scipy's assertions check them exactly; where they do not (the rank-3 tests
in ``int8``/``uint8``: values up to 8272) scipy's expected values are themselves wrapped
around, and the cast, a reduction modulo 2**bits, makes scipy's assertions check convmath's
exact values modulo 2**bits. (``tests/numeric/test_signal.py`` checks the exact values.)

Skipped cleanly when scipy's test file is not installed (some distributions strip tests).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from convmath.numeric import choose_method, convolve, correlate

# scipy's test module applies its own marks at import time; pyproject registers them for
# --strict-markers.
try:
    st = importlib.import_module("scipy.signal.tests.test_signaltools")
except ImportError:  # scipy without its tests (or without the test dependencies)
    pytest.skip("scipy/signal/tests/test_signaltools.py is not installed",
                allow_module_level=True)

_NARROW = {"int8", "int16", "int32", "uint8", "uint16", "uint32"}


@pytest.fixture
def xp(request: pytest.FixtureRequest) -> Iterator[Any]:
    """scipy's ``xp`` fixture restricted to NumPy; honours ``skip_xp_backends`` marks that
    name numpy (``np_only``/``cpu_only`` marks always allow numpy)."""
    from scipy._lib._array_api import array_namespace

    for mark in request.node.iter_markers("skip_xp_backends"):
        if "numpy" in mark.args:
            pytest.skip(mark.kwargs.get("reason", "skipped by scipy for numpy"))
    yield array_namespace(np.empty(0))


def _narrowing(dt: str) -> Callable[..., Any]:
    """``correlate`` for scipy's narrow-dtype cases: check the widening, then narrow."""
    wide = np.uint64 if dt.startswith("u") else np.int64

    def narrowed(*args: Any, **kwargs: Any) -> Any:
        out = correlate(*args, **kwargs)
        assert out.dtype == wide, f"convmath should widen {dt} to {np.dtype(wide)}"
        # an integer cast reduces modulo 2**bits: exactly scipy's wrap-around
        return out.astype(dt)

    return narrowed


@pytest.fixture(autouse=True)
def _convmath_functions(request: pytest.FixtureRequest,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(st, "convolve", convolve)
    monkeypatch.setattr(st, "choose_conv_method", choose_method)
    dt = getattr(request.node, "callspec", None)
    dt_name = dt.params.get("dt") if dt is not None else None
    if request.cls is TestCorrelateReal and dt_name in _NARROW:
        monkeypatch.setattr(st, "correlate", _narrowing(dt_name))
    else:
        monkeypatch.setattr(st, "correlate", correlate)


class TestConvolve(st.TestConvolve):  # type: ignore[name-defined,misc]
    pass


class TestCorrelateReal(st.TestCorrelateReal):  # type: ignore[name-defined,misc]
    pass


class TestCorrelate(st.TestCorrelate):  # type: ignore[name-defined,misc]
    pass


class TestCorrelateComplex(st.TestCorrelateComplex):  # type: ignore[name-defined,misc]
    pass


def test_the_functions_are_really_substituted() -> None:
    # guards the monkeypatching itself: scipy's module now calls convmath's functions
    assert st.convolve is convolve and st.correlate is correlate
    # scipy wraps int8 here, convmath does not: the substitution is visible
    assert st.convolve(np.full(2, 100, np.int8), np.full(2, 100, np.int8)).tolist() == [
        10000, 20000, 10000]
