"""Substitution into convolution operators never captures, and derivations that would need a
capture are rejected (the operators bind variables in their Lambda arguments)."""

from __future__ import annotations

import pytest
from sympy import Eq, Function, Integral, Lambda, Rational, S, Tuple, exp, oo, symbols

from convmath import ProofError
from convmath.symbolic import Convolution, Derivation, Step, conv, fourier
from convmath.symbolic.rules import Substitute

f, g, h = symbols("f g h", cls=Function)
t, x, a, b, z = symbols("t x a b z", real=True)


def test_subs_into_a_lambda_renames_its_binder_instead_of_capturing() -> None:
    e = conv(Lambda(t, a * f(t)), g, x).subs(a, t)
    assert t in e.free_symbols  # the outer t, not the Lambda's
    (w,) = e.unfold().variables
    assert e.unfold() == Integral(t * f(w) * g(x - w), (w, -oo, oo))


def test_subs_of_an_expression_of_the_bound_variable_leaves_the_lambda_alone() -> None:
    e = Convolution(Lambda(t, f(t)), Lambda(t, g(t)), Tuple(x), S.Reals)
    assert e.subs(f(t), h(t)) == e  # f(t) inside is f at the bound t, not at the outer t
    assert e.subs(f, h) == Convolution(Lambda(t, h(t)), Lambda(t, g(t)), Tuple(x), S.Reals)


def test_subs_of_the_point_of_an_operator_given_by_expressions() -> None:
    # SymPy's own Lambda substitution raised BadSignatureError here
    e = conv(exp(-x**2), g, x).subs(x, x - a)
    (w,) = e.unfold().variables
    assert e.unfold() == Integral(exp(-w**2) * g(x - a - w), (w, -oo, oo))
    assert fourier(exp(-x**2), x).subs(x, a).point == (a,)


def _one_step(lhs: object, claimed: object, rule: object) -> Derivation:
    return Derivation("attempt", "ℝ", "substitution attempt", Eq(lhs, claimed),
                      (Step(claimed, rule),))  # type: ignore[arg-type]


def test_a_change_of_variables_that_would_capture_is_rejected() -> None:
    lhs = Integral(conv(Lambda(t, a * f(t)), g, x), (a, 0, 1))
    good = Integral(2 * conv(Lambda(t, 2 * b * f(t)), g, x), (b, 0, Rational(1, 2)))
    _one_step(lhs, good, Substitute((a, 2 * b, b))).verify()
    # a = 2t with t bound inside the operator: the claim reads t·f(t), a different integrand
    bad = Integral(2 * conv(Lambda(t, 2 * t * f(t)), g, x), (t, 0, Rational(1, 2)))
    with pytest.raises(ProofError):
        _one_step(lhs, bad, Substitute((a, 2 * t, t))).verify()


@pytest.mark.parametrize("value", [0, 1, 0.5, S.NaN, oo, S.ComplexInfinity])
def test_numbers_given_as_claims_are_rejected(value: object) -> None:
    # Python numbers now reach a step through sympify(strict=True): none proves anything
    from convmath.symbolic import derivations

    for d in derivations("conv_comm:R") + derivations("xcorr_swap:Z"):
        for i in range(len(d.steps)):
            with pytest.raises(ProofError):
                d.with_step(i, value).verify()
