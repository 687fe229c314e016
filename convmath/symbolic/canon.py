"""Alpha-equivalence: compare expressions up to renaming of bound variables.

:func:`canonical` renames every bound variable (of ``Integral``, ``Sum``, ``Product``,
``Lambda`` and ``Subs``), by binding depth, to a private kernel symbol that no user symbol
can equal and that carries no assumptions; it also evaluates plain derivatives of
expressions without integrals, sums or operators (so ``Derivative(g(x - z), x)`` and the
``Subs`` form SymPy produces for it compare equal). Two expressions are alpha-equivalent when
their canonical forms are structurally equal (:func:`alpha_equal`); ``nan`` and ``zoo`` are
equal to nothing. The implementation is the kernel's (:mod:`convmath.symbolic.kernel`).
"""

from __future__ import annotations

from sympy import Basic

from convmath.errors import InvalidArgument
from convmath.symbolic import kernel
from convmath.symbolic._input import sympy_arg

__all__ = ["alpha_equal", "canonical", "has_binder_or_operator"]


def has_binder_or_operator(e: Basic) -> bool:
    """True when ``e`` contains an integral, sum, derivative or convmath operator."""
    return kernel.has_binder_or_operator(sympy_arg(e, "e"))


def canonical(e: Basic) -> Basic:
    """``e`` with bound variables renamed by binding depth (see the module docstring)."""
    try:
        return kernel.canonical(sympy_arg(e, "e"))
    except kernel.RuleFailure as exc:
        raise InvalidArgument(f"e={e!r}: {exc}") from None


def alpha_equal(a: Basic, b: Basic) -> bool:
    """True when ``a`` and ``b`` differ at most by the names of bound variables.

    >>> from sympy import Function, Integral, oo, symbols
    >>> f = Function("f"); x, z, w = symbols("x z w")
    >>> alpha_equal(Integral(f(x - z), (z, -oo, oo)), Integral(f(x - w), (w, -oo, oo)))
    True
    """
    a, b = sympy_arg(a, "a"), sympy_arg(b, "b")
    try:
        return kernel.alpha_equal(a, b)
    except kernel.RuleFailure as exc:
        raise InvalidArgument(f"{exc}") from None
