"""Closed-form convolution of concrete signals: the public table, certification, fallbacks.

The table (``closed_form_table.py``) is evaluated once per case and cached for the module;
in the ``dev`` profile a fixed half of the cases runs (``dev_sample``), in ``ci`` all.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import sympy
from sympy import (
    DiracDelta,
    Function,
    Heaviside,
    Integral,
    Piecewise,
    exp,
    log,
    sin,
    symbols,
)

from convmath import InvalidArgument
from convmath.symbolic import ClosedFormWarning, conv, evaluate, xcorr
from convmath.symbolic import closed_form as cf
from convmath.symbolic import operators as cf_ops

sys.path.insert(0, str(Path(__file__).parent))
from closed_form_table import CONTINUOUS, DISCRETE, TABLE, Pair, agrees

x = symbols("x", real=True)
n = symbols("n", integer=True)
a, b = symbols("a b", positive=True)
_CACHE: dict[str, tuple[sympy.Expr, list[str]]] = {}


def _evaluated(pair: Pair) -> tuple[sympy.Expr, list[str]]:
    if pair.name not in _CACHE:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = evaluate(pair.build())
        _CACHE[pair.name] = (got, [str(w.message) for w in caught
                                   if issubclass(w.category, ClosedFormWarning)])
    return _CACHE[pair.name]


def _has_operator(e: sympy.Expr) -> bool:
    return any(isinstance(node, (cf_ops.Convolution, cf_ops.CrossCorrelation))
               for node in sympy.preorder_traversal(e))


def test_the_table_is_large_enough() -> None:
    assert len(CONTINUOUS) >= 30 and len(DISCRETE) >= 12
    assert len({p.name for p in TABLE}) == len(TABLE)
    assert all(p.build().discrete for p in DISCRETE)
    assert not any(p.build().discrete for p in CONTINUOUS)


@pytest.mark.dev_sample
@pytest.mark.parametrize("pair", TABLE, ids=[p.name for p in TABLE])
def test_table_pair_evaluates_to_the_expected_form(pair: Pair) -> None:
    got, warned = _evaluated(pair)
    assert not warned, warned
    assert not _has_operator(got) and not got.has(Integral, sympy.Sum)
    assert agrees(pair, got), f"{pair.name}: got {got}, expected {pair.expected}"


@pytest.mark.parametrize("name", ["gauss*gauss", "lorentz widths", "delta''*gauss",
                                  "normal variances"])
def test_closed_forms_without_cases_simplify_to_the_expected(name: str) -> None:
    pair = next(p for p in TABLE if p.name == name)
    got, _ = _evaluated(pair)
    assert sympy.simplify(got - pair.expected) == 0


def test_a_equal_b_is_its_own_branch() -> None:
    got, _ = _evaluated(next(p for p in TABLE if p.name == "exp(-a)*exp(-b)"))
    assert isinstance(got, Piecewise) and got.args[0][1] == sympy.Eq(a, b)
    special = got.args[0][0]
    assert sympy.simplify(special.subs(x, 2) - 2 * exp(-2 * b)) == 0


def test_doit_uses_the_closed_form_and_commutes() -> None:
    f, g = exp(-(x**2)), DiracDelta(x, 1)
    assert sympy.simplify(conv(f, g, x).doit() - conv(g, f, x).doit()) == 0
    assert sympy.simplify(conv(g, f, x).doit() + 2 * x * exp(-(x**2))) == 0
    rect = Heaviside(x) - Heaviside(x - 1)
    assert xcorr(rect, rect, x).doit().subs(x, sympy.Rational(1, 2)) == sympy.Rational(1, 2)


def test_evaluate_at_a_point() -> None:
    t = symbols("t", real=True)
    rect = sympy.Lambda(t, Heaviside(t) - Heaviside(t - 1))
    assert evaluate(conv(rect, rect, sympy.Rational(3, 2))) == sympy.Rational(1, 2)
    assert evaluate(conv(rect, rect, x - 1)).subs(x, sympy.Rational(5, 2)) == \
        sympy.Rational(1, 2)


def test_a_wrong_candidate_is_never_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    rect = Heaviside(x) - Heaviside(x - 1)
    op = conv(rect, rect, x)
    wrong = Piecewise((0, x < 0), (x, x < 1), (2 - x, x < 2.5), (0, True))  # support too long
    monkeypatch.setattr(cf, "closed_form_candidate", lambda op, deadline=None: wrong)
    with pytest.warns(ClosedFormWarning, match="failed its certificate"):
        got = evaluate(op)
    assert got == op


def test_a_wrong_parameter_branch_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    op = conv(exp(-a * x) * Heaviside(x), exp(-b * x) * Heaviside(x), x)
    right = (exp(-a * x) - exp(-b * x)) / (b - a) * Heaviside(x)
    wrong = Piecewise((x * exp(-a * x) * Heaviside(x) * 2, sympy.Eq(a, b)), (right, True))
    monkeypatch.setattr(cf, "closed_form_candidate", lambda op, deadline=None: wrong)
    with pytest.warns(ClosedFormWarning, match="certificate"):
        assert evaluate(op) == op


def test_a_wrong_distribution_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    op = conv(DiracDelta(x, 1), exp(-(x**2)), x)
    monkeypatch.setattr(cf, "closed_form_candidate",
                        lambda op, deadline=None: 2 * x * exp(-(x**2)))  # sign flipped
    with pytest.warns(ClosedFormWarning, match="certificate"):
        assert evaluate(op) == op


def test_a_wrong_sum_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    op = conv(a**n * Heaviside(n, 1), Heaviside(n, 1), n, discrete=True)
    monkeypatch.setattr(cf, "closed_form_candidate",
                        lambda op, deadline=None: (1 - a**n) / (1 - a) * Heaviside(n, 1))
    with pytest.warns(ClosedFormWarning, match="certificate"):
        assert evaluate(op) == op


def test_check_false_skips_the_certificate(monkeypatch: pytest.MonkeyPatch) -> None:
    op = conv(Heaviside(x), Heaviside(x), x)
    calls: list[Any] = []
    monkeypatch.setattr(cf, "_certify", lambda *args: calls.append(args))
    got = evaluate(op, check=False)
    assert calls == [] and got.subs(x, 3) == 3


def test_no_method_leaves_the_operator_with_a_reason() -> None:
    op = conv(log(1 + x**2) * Heaviside(x), Heaviside(x), x)
    with pytest.warns(ClosedFormWarning, match="no closed-form antiderivative"):
        assert evaluate(op) == op


def test_divergence_and_undecidable_signs_are_refused() -> None:
    c = symbols("c", real=True)  # sign unknown: the integral may diverge
    with pytest.warns(ClosedFormWarning, match="diverge"):
        evaluate(conv(exp(-c * x) * Heaviside(x), exp(x) * Heaviside(-x), x))
    with pytest.warns(ClosedFormWarning, match="diverges"):
        evaluate(conv(Heaviside(x), Heaviside(-x), x))


def test_undefined_functions_keep_sympys_integral() -> None:
    f, g = symbols("f g", cls=Function)
    assert conv(f, g, x).doit() == conv(f, g, x).unfold().doit()


@pytest.mark.parametrize("bad", ["conv(f, g, x)", 3.5, None, [1, 2]])
def test_bad_expression_is_refused(bad: Any) -> None:
    with pytest.raises(InvalidArgument, match="expr="):
        evaluate(bad)


@pytest.mark.parametrize(("kw", "value"), [("check", "yes"), ("timeout", -1),
                                            ("timeout", float("nan")), ("timeout", True)])
def test_bad_options_are_refused(kw: str, value: Any) -> None:
    with pytest.raises(InvalidArgument, match=kw):
        evaluate(conv(Heaviside(x), Heaviside(x), x), **{kw: value})


def test_time_limit_leaves_it_unevaluated() -> None:
    op = conv(sin(x) * Heaviside(x), Heaviside(x), x)
    with pytest.warns(ClosedFormWarning, match="time limit"):
        assert evaluate(op, timeout=1e-9) == op


def test_expressions_with_operators_inside() -> None:
    got = evaluate(1 + conv(Heaviside(x), Heaviside(x), x))
    assert got.subs(x, 2) == 3
    assert evaluate(x + 1) == x + 1


def test_the_numeric_check_never_runs_a_users_names_as_code(tmp_path: Path) -> None:
    """lambdify prints an expression as Python source: a symbol or function named like code
    must not reach it (the wrapper renames symbols to Dummies, refuses foreign heads)."""
    planted = tmp_path / "pwned"
    name = f"__import__('pathlib').Path({str(planted)!r}).touch()"
    t = sympy.Symbol("t", real=True)
    evil_symbol = sympy.Symbol(name, positive=True)
    fn = cf._lambdify(t, sympy.exp(-evil_symbol * t**2).xreplace({evil_symbol: 2}) + 0 * t, "math")
    assert abs(fn(0.5) - sympy.exp(-0.5).evalf()) < 1e-12
    with pytest.raises(cf._Fail):  # a free symbol has no value: never printed
        cf._lambdify(t, evil_symbol * t, "math")
    with pytest.raises(cf._Fail):  # a bound variable is not free: it would be printed
        cf._lambdify(t, sympy.Integral(evil_symbol * t, (evil_symbol, 0, 1)), "math")
    evil_head = type(name, (sympy.Function,), {})
    with pytest.raises(cf._Fail):
        cf._lambdify(t, evil_head(t), "math")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = evaluate(conv(sympy.Heaviside(t) * evil_head(t), sympy.Heaviside(t), t))
    assert out.has(evil_head) or isinstance(out, (cf_ops.Convolution,))
    assert not planted.exists()
