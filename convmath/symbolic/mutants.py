"""Proof mutants: small wrong edits of an expression, for testing that proofs catch typos.

:func:`mutants` walks an expression tree and yields ``(description, mutant)`` pairs, one
per edit a student (or a careless author) might make:

- flip the sign of one term of a sum (a wrong sign of a shift, ``x − z`` → ``x + z``);
- negate a product or drop its ``−1`` (a missing Jacobian sign);
- apply another function in one place (``f`` and ``g`` swapped in one factor);
- drop a derivative or a difference (``g′(x − z)`` → ``g(x − z)``);
- move a limit of a sum or integral by one (or a ``−∞`` to 0);
- shift the argument of one function application by one;
- change an integer constant by one; swap ∗ and ⋆, or the two operands of an operator.

Mutants structurally identical to the original are skipped. A sound derivation rejects every
mutant of every step with :class:`~convmath.ProofError`.
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy
from sympy import Add, Basic, Integral, Mul, S, Sum, oo
from sympy.core.function import AppliedUndef

from convmath.symbolic.operators import (
    Convolution,
    CrossCorrelation,
    Difference,
    _BinaryOperator,
)

__all__ = ["mutants"]

Path = tuple[int, ...]


def _nodes(e: Basic, path: Path = ()) -> Iterator[tuple[Path, Basic]]:
    yield path, e
    for i, a in enumerate(e.args):
        yield from _nodes(a, (*path, i))


def _rebuild(e: Basic, path: Path, new: Basic) -> Basic:
    if not path:
        return new
    i = path[0]
    args = list(e.args)
    args[i] = _rebuild(args[i], path[1:], new)
    return e.func(*args)


def _local(node: Basic, functions: list[type]) -> Iterator[tuple[str, Basic]]:
    if isinstance(node, Add):
        for i, t in enumerate(node.args):
            yield f"sign of term {t}", Add(*node.args[:i], -t, *node.args[i + 1:])
    if isinstance(node, Mul):
        coeff, rest = node.as_coeff_Mul()
        if coeff == -1:
            yield "dropped −1", rest
        yield "negated product", -node
    if isinstance(node, AppliedUndef):
        for other in functions:
            if other != node.func:
                yield f"{node.func} → {other}", other(*node.args)
        for i, a in enumerate(node.args):
            args = list(node.args)
            args[i] = a + 1
            yield f"argument {i} shifted", node.func(*args)
    if isinstance(node, (sympy.Derivative, sympy.Subs)):
        inner = node.expr
        if isinstance(node, sympy.Subs) and isinstance(inner, sympy.Derivative):
            yield "dropped derivative", inner.expr.subs(
                dict(zip(node.variables, node.point, strict=True)), simultaneous=True)
        elif isinstance(node, sympy.Derivative):
            yield "dropped derivative", inner
    if isinstance(node, Difference):
        yield "dropped difference", node.expr
    if isinstance(node, (Sum, Integral)):
        for i, lim in enumerate(node.limits):
            for j in (1, 2):
                if len(lim) <= j:
                    continue
                b = lim[j]
                new_b = S.Zero if b in (oo, -oo) else b + 1
                lims = [list(x) for x in node.limits]
                lims[i][j] = new_b
                yield f"limit {lim[0]} moved", type(node)(node.function, *map(tuple, lims))
        yield "negated integrand", type(node)(-node.function, *node.limits)
    if isinstance(node, _BinaryOperator):
        other = CrossCorrelation if isinstance(node, Convolution) else Convolution
        yield "∗ ↔ ⋆", other(*node.args)
        yield "operands swapped", type(node)(node.args[1], node.args[0], *node.args[2:])
    if isinstance(node, sympy.Integer) and node != 0:
        yield f"constant {node} → {node + 1}", node + 1


def mutants(expr: Basic) -> Iterator[tuple[str, Basic]]:
    """Yield ``(description, mutant)`` for single-site perturbations of ``expr``.

    >>> from sympy import Function, symbols
    >>> f, g = symbols("f g", cls=Function); x, z = symbols("x z")
    >>> sorted(str(m) for _, m in mutants(f(x - z)))[:2]
    ['f(-x - z)', 'f(x + z)']
    """
    functions = sorted({a.func for a in expr.atoms(AppliedUndef)}, key=str)
    seen = {expr}
    for path, node in _nodes(expr):
        for desc, new in _local(node, functions):
            try:
                m = _rebuild(expr, path, new)
            except (ValueError, TypeError, AttributeError, IndexError):
                continue
            if m in seen:
                continue
            seen.add(m)
            yield f"{desc} at {path}", m
