"""False theorems cannot be "proven": plausible-looking wrong derivations are rejected."""

from __future__ import annotations

import pytest
from sympy import Eq, Function, Integral, Rational, oo, symbols

from convmath import ProofError
from convmath.symbolic import Derivation, Step, conv, xcorr
from convmath.symbolic.rules import Definition, ReverseLimits, Substitute

f, g = Function("f"), Function("g")
x, z, w = symbols("x z w")


def _derivation(lhs: object, rhs: object, steps: list[tuple[object, object]]) -> Derivation:
    return Derivation(name="bogus", domain="ℝ", title="a false claim",
                      statement=Eq(lhs, rhs, evaluate=False),
                      steps=tuple(Step(e, r) for e, r in steps),  # type: ignore[arg-type]
                      hypotheses=("none",))


def test_xcorr_is_not_provably_commutative_by_the_conv_comm_pattern() -> None:
    lhs, rhs = xcorr(f, g, x), xcorr(g, f, x)
    d = _derivation(lhs, rhs, [
        (Integral(f(z) * g(x + z), (z, -oo, oo)), Definition("⋆")),
        (Integral(-f(x - w) * g(w), (w, oo, -oo)), Substitute((z, x - w, w))),
        (Integral(f(x - w) * g(w), (w, -oo, oo)), ReverseLimits(w)),
        (rhs, Definition("⋆")),
    ])
    with pytest.raises(ProofError, match=r"steps\[1\]"):
        d.verify()


def test_missing_jacobian_of_a_scaling_is_rejected() -> None:
    lhs = Integral(f(2 * z), (z, -oo, oo))
    d = _derivation(lhs, Integral(f(w), (w, -oo, oo)),
                    [(Integral(f(w), (w, -oo, oo)), Substitute((z, w / 2, w)))])
    with pytest.raises(ProofError, match="substituting"):
        d.verify()
    ok = _derivation(lhs, Integral(Rational(1, 2) * f(w), (w, -oo, oo)),
                     [(Integral(Rational(1, 2) * f(w), (w, -oo, oo)),
                       Substitute((z, w / 2, w)))])
    assert ok.verify().steps == 1


def test_definition_does_not_swap_operands() -> None:
    d = _derivation(conv(f, g, x), conv(g, f, x), [(conv(g, f, x), Definition("∗"))])
    with pytest.raises(ProofError, match="definition of ∗"):
        d.verify()


def test_conclusion_must_match_the_statement() -> None:
    d = _derivation(conv(f, g, x), conv(g, f, x + 1), [
        (Integral(f(z) * g(x - z), (z, -oo, oo)), Definition("∗")),
    ])
    with pytest.raises(ProofError, match="chain ends"):
        d.verify()
