"""Shared helpers of the red-team suites (tests/symbolic/test_redteam*_kernel.py): build a
calc chain through the public API and require that it is not proven."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from sympy import Basic, Eq

from convmath import ProofError
from convmath.symbolic import Derivation, Step
from convmath.symbolic.kernel import Hypothesis
from convmath.symbolic.rules import Rule

Lookup = Callable[[str], Any]


def chain(lhs: Basic, steps: Sequence[tuple[Basic, Rule]],
          hyps: Sequence[str | Hypothesis] = (), domain: str = "ℝ",
          name: str = "redteam") -> Derivation:
    """lhs = e₁ = … = eₙ, stated as lhs = eₙ."""
    return Derivation(name=name, domain=domain, title="a red-team claim",
                      statement=Eq(lhs, steps[-1][0], evaluate=False),
                      steps=tuple(Step(e, r) for e, r in steps), hypotheses=tuple(hyps))


def assert_not_proven(d: Derivation, lemmas: Lookup | None = None) -> None:
    """Passes if ``d.verify()`` raises ProofError or leaves unstated side conditions."""
    try:
        verified = d.verify(lemmas=lemmas)
    except ProofError:
        return
    if verified.unstated:
        return
    pytest.fail(f"the false claim was proven:\n{d.render('text', outcome=verified)}")
