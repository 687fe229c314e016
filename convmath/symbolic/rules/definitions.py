"""Definitions: unfold (or fold) ∗, ⋆, ℱ, ↑, Δ and named expressions."""

from __future__ import annotations

from sympy import Basic

from convmath.errors import InvalidArgument
from convmath.symbolic._input import str_arg
from convmath.symbolic.kernel import Condition, RuleFailure
from convmath.symbolic.operators import OPERATOR_CLASSES
from convmath.symbolic.rules.base import Context, NormalFormRule

__all__ = ["Definition", "unfold_all"]


def unfold_all(e: Basic, classes: tuple[type, ...] | None = None,
               rec: list[Condition] | None = None) -> Basic:
    """Replace every operator of ``classes`` (default: all) by its definition, innermost
    first; conditions on where a function is applied go to ``rec``."""
    classes = classes or OPERATOR_CLASSES
    for _ in range(50):
        new = e.replace(lambda n: isinstance(n, classes),
                        lambda n: n.unfold(conditions=rec if rec is not None else []))
        if new == e:
            return e
        e = new
    raise RuleFailure("unfolding did not terminate")  # pragma: no cover


class Definition(NormalFormRule):
    """Unfold (or fold) the definition of an operator: both sides unfold to the same thing."""

    vector_safe = True  # the operators unfold over ℝᵈ/ℤᵈ with vector variables

    def __init__(self, symbol: str = "∗", *classes: type) -> None:
        self.symbol = str_arg(symbol, "symbol")
        if not all(isinstance(c, type) and c in OPERATOR_CLASSES for c in classes):
            raise InvalidArgument(f"classes={classes!r} must be convmath operator classes")
        self.classes = tuple(classes)

    def describe(self) -> str:
        return f"definition of {self.symbol}"

    def describe_latex(self) -> str:
        sym = {"∗": "$*$", "⋆": r"$\star$", "ℱ": r"$\mathcal{F}$", "Δ": r"$\Delta$",
               "↑": r"$\uparrow$"}.get(self.symbol, self.symbol)
        return f"definition of {sym}"

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        return unfold_all(expr, self.classes or None, rec)
