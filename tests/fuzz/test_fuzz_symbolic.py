"""Fuzz the public entry points of :mod:`convmath.symbolic` with hostile arguments.

Each call must return a result or raise a :class:`convmath.ConvmathError` naming the
argument — never a foreign exception — and no string is ever evaluated: the strings drawn
here include Python code that would set a marker if it ran.
"""

from __future__ import annotations

import builtins
import contextlib
from typing import Any

import numpy as np
import sympy
from fuzz_common import FUZZ, assert_names
from hypothesis import given
from hypothesis import strategies as st
from sympy import Eq, Function, Interval, Lambda, Matrix, S, exp, oo, symbols

from convmath import ConvmathError, InvalidArgument, ProofError
from convmath.symbolic import (
    Convolution,
    CrossCorrelation,
    Derivation,
    Fourier,
    Step,
    Upsample,
    alpha_equal,
    as_function,
    canonical,
    conv,
    definition,
    derivations,
    difference,
    fourier,
    latex,
    notation,
    text,
    xcorr,
)
from convmath.symbolic import rules as R

f, g = symbols("f g", cls=Function)
x, y, a = symbols("x y a", real=True)
n = symbols("n", integer=True)

#: Code that would leave a mark if any entry point evaluated it.
CODE = [
    "__import__('builtins').__setattr__('CONVMATH_PWNED', 1)",
    "x + 1",
    "lambda: 0",
    "f(x)",
    "",
    "1/0",
    "Integral(f(z), (z, -oo, oo))",
]

plain = st.one_of(
    st.sampled_from(CODE),
    st.text(max_size=12),
    st.binary(max_size=4),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(max_magnitude=10),
    st.just(np.bool_(True)),
    st.just(np.float64("nan")),
    st.just(np.arange(3)),
    st.just([x, "y"]),
    st.just({"x": 1}),
    st.just(object()),
    st.just(print),
)
sympy_things = st.sampled_from([
    x, y, n, a, x + 1, x - y, S(3), S.Half, oo, -oo, S.ComplexInfinity, S.NaN, sympy.I,
    S.true, Eq(x, 1), Interval(0, 1), Matrix([1, 2]), Lambda(x, f(x)), f(x), exp(-x**2),
    sympy.Tuple(x, x), sympy.Integral(f(x), (x, 0, 1)),
])
anything = st.one_of(plain, sympy_things, st.tuples(sympy_things, sympy_things),
                     st.lists(plain, max_size=2))


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``fn``; a ConvmathError is fine, anything else fails (no string ran as code)."""
    try:
        return fn(*args, **kwargs)
    except ConvmathError:
        return None
    finally:
        assert not hasattr(builtins, "CONVMATH_PWNED"), "a user string was evaluated"


@FUZZ
@given(fa=anything, ga=anything, pt=anything, discrete=st.one_of(st.booleans(), plain))
def test_fuzz_operator_constructors(fa: Any, ga: Any, pt: Any, discrete: Any) -> None:
    for make in (conv, xcorr):
        e = _call(make, fa, ga, pt, discrete=discrete)
        if e is not None:
            # What was accepted is a well-formed operator that unfolds and prints.
            assert isinstance(e.unfold(), (sympy.Integral, sympy.Sum))
            assert isinstance(text(e), str)
    _call(fourier, fa, pt, discrete=discrete)
    _call(difference, fa, pt)


@FUZZ
@given(p1=anything, p2=anything, p3=anything)
def test_fuzz_operator_classes_and_helpers(p1: Any, p2: Any, p3: Any) -> None:
    F = Lambda(x, f(x))
    for cls in (Convolution, CrossCorrelation):
        _call(cls, F, F, p1, S.Reals)
        _call(cls, p1, F, (x,), p2)
    _call(Fourier, F, p1, S.Integers)
    _call(Fourier, p1, (x,), p2)
    _call(Upsample, F, p1, p2)
    _call(canonical, p1)
    _call(alpha_equal, p1, p2)
    _call(as_function, p1, p2, p3)


@FUZZ
@given(value=anything, fmt=st.one_of(st.sampled_from(["text", "latex", "pretty"]), plain))
def test_fuzz_printers(value: Any, fmt: Any) -> None:
    for fn in (text, latex):
        _call(fn, value)
    _call(notation, value, fmt)
    _call(definition, value, fmt)


@FUZZ
@given(name=st.one_of(plain, st.sampled_from(["conv_comm", "commutativity", "conv_comm:R"])),
       family=st.one_of(st.none(), plain, st.sampled_from(["commutativity"])))
def test_fuzz_registry_lookup(name: Any, family: Any) -> None:
    _call(derivations, name, family=family)


@FUZZ
@given(a1=anything, a2=anything, a3=anything, a4=anything)
def test_fuzz_rule_constructors(a1: Any, a2: Any, a3: Any, a4: Any) -> None:
    builders = [
        lambda: R.Substitute((a1, a2, a3)),
        lambda: R.Substitute(a1),
        lambda: R.Rename(a1, a2),
        lambda: R.ReverseLimits(a1),
        lambda: R.Fubini((a1, a2)),
        lambda: R.Fubini(a1),
        lambda: R.RestrictToSupport(a1, a2, a3, a4),
        lambda: R.VanishOutsideSupport(a1, a2, a3),
        lambda: R.Lemma(a1, {"g": a2}),
        lambda: R.Lemma("conv_comm:R", a1),
        lambda: R.Algebra(a1),
        lambda: R.Compute(a1),
        lambda: R.Definition(a1),
    ]
    for build in builders:
        rule = _call(build)
        if rule is not None:
            assert isinstance(rule.describe(), str)


COMM = derivations("conv_comm:R")[0]


@FUZZ
@given(i=st.one_of(st.integers(-6, 6), plain), expr=anything)
def test_fuzz_with_step_then_verify(i: Any, expr: Any) -> None:
    d = _call(COMM.with_step, i, expr)
    if d is None:
        return
    try:
        d.verify()
    except ProofError:
        pass  # a wrong claim is rejected; anything else (a foreign error) fails the test
    finally:
        assert not hasattr(builtins, "CONVMATH_PWNED")


@FUZZ
@given(flag=st.one_of(st.booleans(), plain), fmt=st.one_of(st.sampled_from(["text"]), plain))
def test_fuzz_verify_and_render_options(flag: Any, fmt: Any) -> None:
    d = derivations("conv_comm:R")[0]
    _call(d.verify, reuse=flag)
    _call(d.render, fmt, verify=flag)
    _call(d.render, "text", outcome=flag)


@FUZZ
@given(statement=anything, expr=anything, hyp=st.one_of(plain, st.lists(plain, max_size=2)))
def test_fuzz_derivation_constructor(statement: Any, expr: Any, hyp: Any) -> None:
    step = _call(Step, expr, R.Algebra())
    steps = (step,) if step is not None else COMM.steps
    d = _call(Derivation, "t", "ℝ", "fuzz", statement, steps, hyp)
    if d is not None:
        with contextlib.suppress(ProofError):
            d.verify()
        assert isinstance(d.render("text", verify=False), str)


def test_strings_are_refused_naming_the_argument() -> None:
    """The classes the fuzz draws from, one example each, with the argument named."""
    cases = [
        (lambda: COMM.with_step(1, "__import__('os').system('true')"), "expr"),
        (lambda: COMM.with_step(1, None), "expr"),
        (lambda: definition("1+1"), "e"),
        (lambda: derivations(42), "name"),
        (lambda: conv(f, g, "x"), "x"),
        (lambda: conv(exp(-x**2), exp(-x**2), (x, x)), "f"),
        (lambda: R.Lemma("conv_comm:R", {"x": "y"}), "mapping['x']"),
        (lambda: R.RestrictToSupport(f, "0", 5, x), "lo"),
        (lambda: R.Substitute((x, "x + 1", y)), "expr"),
        (lambda: Step("x", R.Algebra()), "expr"),
    ]
    for call, name in cases:
        try:
            call()
        except InvalidArgument as exc:
            assert_names(exc, name)
        else:  # pragma: no cover - the assertion message is the report
            raise AssertionError(f"accepted: {name}")


def test_marker_would_be_seen() -> None:
    # The marker check in _call can fail: what the code string does, done directly, trips it.
    assert not hasattr(builtins, "CONVMATH_PWNED")
    try:
        builtins.CONVMATH_PWNED = 1  # type: ignore[attr-defined]
        try:
            _call(lambda: None)
        except AssertionError as exc:
            assert "evaluated" in str(exc)
        else:  # pragma: no cover
            raise AssertionError("the marker check did not fire")
    finally:
        if hasattr(builtins, "CONVMATH_PWNED"):
            delattr(builtins, "CONVMATH_PWNED")
