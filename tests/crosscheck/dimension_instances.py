"""The ℝᵈ/ℤᵈ theorems at d = 1 and 2, for the cross-checks that evaluate statements.

A theorem proven for a symbolic d (``conv_comm:Rd``) says the same as its fixed-dimension
instances; tests/symbolic/test_dimension_free.py checks that ``instantiate_dimension`` of its
statement is α-equal to the registered ``conv_comm:R``, ``conv_comm:R2``…, which the
cross-checks evaluate already. The instances with no such registered twin (a counterexample
at a general point e, the unit-stride layer on ℤᵈ) are returned here, as derivations whose
statement is the instance, so that the cross-checks evaluate them too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sympy import S

from convmath.symbolic import derivations
from convmath.symbolic.kernel import alpha_equal
from convmath.symbolic.operators import domain_name
from convmath.symbolic.vectors import instantiate_dimension

DIMENSIONS = (1, 2)


def untwinned_instances(discrete: bool) -> list[Any]:
    """The instances at d = 1, 2 of the general theorems on ℤᵈ (ℝᵈ) whose statement is no
    registered fixed-dimension theorem's."""
    general = "ℤᵈ" if discrete else "ℝᵈ"
    every = derivations()
    fixed = [d for d in every if d.domain[0] == general[0] and d.domain != general]
    out = []
    for d in every:
        if d.domain != general:
            continue
        for n in DIMENSIONS:
            unit = tuple(1 if k == n else 0 for k in range(1, n + 1))
            inst = instantiate_dimension(d.statement, n, axis=n, values={"e": unit})
            if any(alpha_equal(inst, f.statement) for f in fixed):
                continue
            domain = domain_name(S.Integers if discrete else S.Reals, n)
            out.append(replace(d, statement=inst, domain=domain,
                               variant=f"from_{general[0].replace('ℝ', 'R').replace('ℤ', 'Z')}d"))
    return out
