"""Executable proof rules, by kind.

A rule checks one step ``prev = claimed`` of a derivation by *re-doing* it: it transforms
``prev`` (or, for rules given by a normal form, both sides) and compares the result with
``claimed`` up to renaming of bound variables (:func:`~convmath.symbolic.kernel.alpha_equal`).
Substitution and renaming go through the kernel (:mod:`convmath.symbolic.kernel`), so
nothing is captured. A rule that is valid only under a side condition returns it as a
:class:`~convmath.symbolic.kernel.Condition`; the derivation prints every condition its
stated hypotheses do not imply. Rules are immutable.

- definitions — :class:`Definition` (unfold ∗, ⋆, ℱ, ↑, Δ, named expressions);
- substitution — :class:`Substitute` (affine z = a·w + b; on ℤ only ±w + integer),
  :class:`ReverseLimits`, :class:`Rename`;
- calculus — :class:`Leibniz` (records differentiation under ∫), :class:`DifferenceUnderSum`,
  :class:`DifferentiateLinear`;
- linearity — :class:`Linearity` (records the convergence of each part of a split),
  :class:`Fubini` (product regions only; records absolute convergence),
  :class:`ExchangeSumIntegral`;
- delta — :class:`Sift` (records continuity for δ; refuses discontinuous factors);
- support — :class:`RestrictToSupport`, :class:`VanishOutsideSupport` (record the support
  hypothesis; refuse inconsistent supports and reversed sums);
- lemma — :class:`Lemma` (a verified theorem, instantiated without capture; its hypotheses
  become conditions);
- algebra — :class:`Algebra` (binder-free parts only), :class:`Compute` (fixed sizes);
- integers — :class:`SolveForIndex`, :class:`CountInterval`, :class:`DropMax` (records
  ``Y ≥ 0``), :class:`FloorIdentity`, :class:`SumOfConstant` (records a non-negative
  length), :class:`SingleTermSum`, :class:`MinCases`, :class:`FloorRelation`,
  :class:`BranchValue` (records what its branch's condition does not imply): counting
  integers and integer division, for convolution arithmetic;
- vectors — points of ℝᵈ/ℤᵈ for a symbolic d: :class:`ChangeOfVariables` (Jacobian |c|ᵈ),
  :class:`SiftVector` (records continuity for δ on ℝᵈ), :class:`LeibnizAxis` (∂/∂xᵢ under
  ∫, recorded). Rules not written for vector variables refuse them.

Only the classes in :data:`TRUSTED_RULES` are accepted by :meth:`Derivation.verify
<convmath.symbolic.derivation.Derivation.verify>` (a subclass could override ``check``).
"""

from __future__ import annotations

from convmath.symbolic.kernel import RuleFailure
from convmath.symbolic.linear_forms import differentiate_linear
from convmath.symbolic.rules.algebra import Algebra, Compute, algebra_equal
from convmath.symbolic.rules.base import Context, Rule
from convmath.symbolic.rules.calculus import DifferenceUnderSum, DifferentiateLinear, Leibniz
from convmath.symbolic.rules.definitions import Definition, unfold_all
from convmath.symbolic.rules.delta import Sift, sift_all
from convmath.symbolic.rules.integers import (
    BranchValue,
    CountInterval,
    DropMax,
    FloorIdentity,
    FloorRelation,
    MinCases,
    SingleTermSum,
    SolveForIndex,
    SumOfConstant,
    count,
)
from convmath.symbolic.rules.lemma import Lemma
from convmath.symbolic.rules.linearity import ExchangeSumIntegral, Fubini, Linearity
from convmath.symbolic.rules.substitution import Rename, ReverseLimits, Substitute
from convmath.symbolic.rules.support import RestrictToSupport, VanishOutsideSupport
from convmath.symbolic.rules.vectors import ChangeOfVariables, LeibnizAxis, SiftVector

__all__ = [
    "TRUSTED_RULES",
    "Algebra",
    "BranchValue",
    "ChangeOfVariables",
    "Compute",
    "Context",
    "CountInterval",
    "Definition",
    "DifferenceUnderSum",
    "DifferentiateLinear",
    "DropMax",
    "ExchangeSumIntegral",
    "FloorIdentity",
    "FloorRelation",
    "Fubini",
    "Leibniz",
    "LeibnizAxis",
    "Lemma",
    "Linearity",
    "MinCases",
    "Rename",
    "RestrictToSupport",
    "ReverseLimits",
    "Rule",
    "RuleFailure",
    "Sift",
    "SiftVector",
    "SingleTermSum",
    "SolveForIndex",
    "Substitute",
    "SumOfConstant",
    "VanishOutsideSupport",
    "algebra_equal",
    "count",
    "differentiate_linear",
    "sift_all",
    "unfold_all",
]

#: the rule classes a derivation may use (exact types: a subclass is not trusted)
TRUSTED_RULES: frozenset[type] = frozenset({
    Algebra, Compute, Definition, DifferenceUnderSum, DifferentiateLinear,
    ExchangeSumIntegral, Fubini, Leibniz, Lemma, Linearity, Rename, RestrictToSupport,
    ReverseLimits, Sift, Substitute, VanishOutsideSupport,
    CountInterval, DropMax, FloorIdentity, SingleTermSum, SolveForIndex, SumOfConstant,
    BranchValue, FloorRelation, MinCases,
    ChangeOfVariables, LeibnizAxis, SiftVector,
})
