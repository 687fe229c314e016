"""The trusted kernel of the derivation checker: terms, binding, α-equivalence, substitution
and side conditions. Everything a proof rule concludes goes through these functions.

What is trusted, and why it is small:

- **Binding.** ``Integral``, ``Sum`` and ``Product`` bind the variables of their limits (the
  limits of the variable at position *k* are in the scope of the outer variables *k + 1, …*,
  as in SymPy); ``Lambda`` binds its variables; ``Subs`` binds its variables in its
  expression (its points are outside). The variables of a ``Derivative`` (or of a registered
  difference operator) are *not* binders: substituting a non-variable for them is refused.
  A registered *labelled* node (``Named``) shows its first argument as a label; the label is
  not a term and is never substituted.
- **Substitution** (:func:`subst`, :func:`replace_functions`) is simultaneous and
  capture-avoiding: a binder whose variable occurs free in an incoming expression is renamed
  to a fresh ``Dummy`` first; bound occurrences are never replaced.
- **α-equivalence** (:func:`canonical`, :func:`alpha_equal`) renames bound variables, by
  binding depth, to :class:`Bound` symbols: a private class (so no user symbol, whatever its
  name, equals one; an input that contains one is refused) carrying no assumptions (so a
  bound variable's assumptions — ``positive``, ``integer`` — neither leak nor get invented).
  ``nan`` and ``zoo`` are equal to nothing, themselves included.
- **Side conditions are data.** A rule that is valid only under a condition (convergence of
  the parts when linearity splits a sum or an integral, absolute convergence for
  Fubini–Tonelli, differentiation under ∫, continuity for δ, a support hypothesis) returns
  a :class:`Condition` unless it proved it. A derivation states :class:`Hypothesis` objects
  (only the classes in :data:`TRUSTED_HYPOTHESES`); :meth:`Hypothesis.covers` decides which
  recorded conditions a stated hypothesis implies: same kind, the condition's functions
  among the hypothesis's, and (:func:`made_of`) an integrand built from those functions at
  affine arguments that pin down every bound variable (Tonelli), bounded factors and
  constants — so "f ∈ L¹" covers ∫ f(z) g(x − z) dz but not ∫ z² f(z) dz, ∫ f(z) g(z) dz
  or Σ_{m,n ≥ 0} f(m − n). What no stated hypothesis covers is printed and keeps the
  derivation from a bare check mark.
- **Assumptions are facts of the statement.** A bound variable may carry only what its
  binder gives it (real for ∫ over real limits, integer for Σ over integer limits); a
  function's variable only what its operator's domain gives it; a value put in for a
  declared variable (a Lambda's argument, a lemma's symbol, a ``Subs`` point) must provably
  have every declared fact (refused when it provably lacks one, recorded when unknown). The
  printed ``assuming:`` lines list every declared fact of the free symbols. Floats and
  functions declared with assumptions are refused; derivatives of non-smooth heads
  (Piecewise, Abs, floor, …) are never evaluated.

This module imports nothing from the theorem code (operators register themselves with
:func:`register_operator`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import (
    Basic,
    Derivative,
    Dummy,
    Expr,
    Integral,
    Lambda,
    Product,
    S,
    Subs,
    Sum,
    Symbol,
)
from sympy.core.function import AppliedUndef

from convmath.errors import InvalidArgument
from convmath.symbolic.vectors import (
    MapSymbol,
    VectorDelta,
    VectorDummy,
    _VectorMixin,
    is_vector,
    register_vector_class,
    space_of,
    spaced_symbol,
)

__all__ = [
    "BINDERS",
    "AbsolutelyConvergent",
    "Bound",
    "Condition",
    "Continuous",
    "DifferentiableUnderIntegral",
    "Hypothesis",
    "Invertible",
    "NonNegative",
    "Remark",
    "RuleFailure",
    "Support",
    "alpha_equal",
    "beta",
    "bound_variables",
    "canonical",
    "differentiated_variables",
    "fresh",
    "function_classes",
    "has_binder_or_operator",
    "is_poisoned",
    "register_operator",
    "rename_bound",
    "replace_functions",
    "subst",
]


class RuleFailure(Exception):
    """Raised inside a rule: the rule does not apply, or it does not give the claim."""

    def __init__(self, message: str, got: Basic | None = None) -> None:
        super().__init__(message)
        self.got = got


BINDERS: tuple[Any, ...] = (Integral, Sum, Product)

#: heads whose SymPy derivative is wrong somewhere (a Piecewise's jumps carry no δ), so
#: derivatives of them are never evaluated
NOT_SMOOTH: tuple[Any, ...] = (sympy.Piecewise, sympy.Mod, sympy.floor, sympy.ceiling,
                               sympy.frac, sympy.Min, sympy.Max, sympy.SingularityFunction,
                               sympy.sign, sympy.Abs, sympy.arg, sympy.KroneckerDelta,
                               sympy.Heaviside, sympy.DiracDelta, sympy.re, sympy.im,
                               sympy.conjugate)


_SMOOTH = (sympy.Add, sympy.Mul, sympy.exp, sympy.sin, sympy.cos, sympy.sinh, sympy.cosh,
           sympy.tan, sympy.tanh, sympy.erf, Derivative, sympy.Tuple)


def may_differentiate(e: Basic) -> bool:
    """True when SymPy's derivative of ``e`` may be trusted everywhere (where finite): built
    only from smooth heads (no branch cut, no jump), integer powers, undefined functions —
    no binders, operators, Lambda or Subs."""
    if not e.args or (isinstance(e, AppliedUndef) and all(may_differentiate(a) for a in e.args)):
        return True
    if isinstance(e, sympy.Pow):
        return bool(e.exp.is_integer or (e.base.is_positive and not free_symbols(e.base))) \
            and may_differentiate(e.base) and may_differentiate(e.exp)
    return isinstance(e, _SMOOTH) and all(may_differentiate(a) for a in e.args)

_OPERATORS: list[type] = []
_DIFF_VARS: dict[type, Callable[[Basic], tuple[Basic, ...]]] = {}
_LABELLED: set[type] = set()


def register_operator(cls: type, *, diff_vars: Callable[[Basic], tuple[Basic, ...]] | None
                      = None, labelled: bool = False) -> None:
    """Declare ``cls`` an operator: opaque to algebra; ``diff_vars(node)`` are variables it
    differentiates in (not binders: only a variable may be substituted for them);
    ``labelled`` nodes show ``args[0]`` as a label that is not a term."""
    if cls not in _OPERATORS:
        _OPERATORS.append(cls)
    if diff_vars is not None:
        _DIFF_VARS[cls] = diff_vars
    if labelled:
        _LABELLED.add(cls)


def differentiated_variables(e: Basic) -> tuple[Basic, ...]:
    """The variables ``e`` differentiates in (a ``Derivative``'s, or a registered operator's
    ``diff_vars``); () for any other node. A fact about such a variable holding at a point
    says nothing about a neighbourhood, so rules that record conditions treat them as
    bound."""
    if isinstance(e, Derivative):
        return tuple(v for v, _ in e.variable_count)
    if type(e) in _DIFF_VARS:
        return tuple(_DIFF_VARS[type(e)](e))
    return ()


def operator_classes() -> tuple[type, ...]:
    """The registered operator classes."""
    return tuple(_OPERATORS)


def has_binder_or_operator(e: Basic) -> bool:
    """True when ``e`` contains an integral, sum, product, derivative or operator."""
    return bool(e.has(*BINDERS, Derivative, Subs, *_OPERATORS))


def is_poisoned(e: Basic) -> bool:
    """True when ``e`` contains ``nan``, ``zoo`` or an ``AccumBounds``: such an expression is
    equal to nothing."""
    return bool(e.has(S.NaN, S.ComplexInfinity, sympy.AccumBounds))


# -- binding --------------------------------------------------------------------------------


class Bound(Symbol):
    """A bound variable of a canonical form (``ϐ0``, ``ϐ1``, … by binding depth). No
    assumptions; private: inputs that already contain one are refused, so it never equals a
    user's symbol, whatever its name."""

    __slots__ = ()


class BoundVector(_VectorMixin, Bound):
    """A bound vector variable of a canonical form: a :class:`Bound` that keeps its space
    (∫ over ℝᵈ is not ∫ over ℝ, nor over ℝᵐ)."""

    __slots__ = ("space",)

    def __new__(cls, name: str, sp: Any) -> BoundVector:
        obj: BoundVector = spaced_symbol(cls, name, sp)
        return obj


register_vector_class(BoundVector)


def _bound(depth: int, like: Basic | None = None) -> Bound:
    sp = space_of(like)
    if sp is not None:
        return BoundVector(f"ϐ{depth}", sp)
    return Bound(f"ϐ{depth}")


def _limits_vars(e: Basic) -> list[Basic]:
    return [lim[0] for lim in e.limits]


def bound_variables(e: Basic) -> set[Basic]:
    """Every variable bound somewhere in ``e``."""
    out: set[Basic] = set()
    for n in sympy.preorder_traversal(e):
        if isinstance(n, BINDERS):
            out.update(_limits_vars(n))
        elif isinstance(n, (Lambda, Subs)):
            out.update(n.variables)
    return out


def free_symbols(e: Basic) -> set[Basic]:
    """The free symbols of ``e``, without the labels of labelled nodes."""
    if not isinstance(e, Basic):
        return set()
    if type(e) in _LABELLED:
        return set().union(*(free_symbols(a) for a in e.args[1:]))
    if not e.args or isinstance(e, (*BINDERS, Lambda, Subs, Derivative)):
        return set(e.free_symbols)
    return set().union(*(free_symbols(a) for a in e.args))


_counter = itertools.count()


def fresh(like: Basic) -> Dummy:
    """A new variable with the name and assumptions of ``like``."""
    assumptions = dict(like.assumptions0) if isinstance(like, Symbol) else {}
    if isinstance(like, Bound):
        assumptions = {}
    name = str(like).lstrip("_") or "v"
    if is_vector(like):
        return VectorDummy(name, like.space)
    return Dummy(name, **assumptions)


def _check_keys(mapping: Mapping[Basic, Basic]) -> dict[Basic, Basic]:
    out = {}
    for k, v in mapping.items():
        if not isinstance(k, Symbol):
            raise RuleFailure(f"can only substitute for a variable, not for {k}")
        if not isinstance(v, Basic):  # pragma: no cover - internal use
            raise RuleFailure(f"{v!r} is not a SymPy expression")
        if k != v:
            out[k] = v
    return out


def subst(e: Basic, mapping: Mapping[Basic, Basic]) -> Basic:
    """``e`` with every free occurrence of each key replaced, simultaneously, by its value;
    binders are renamed so that nothing in a value is captured.

    >>> from sympy import Integral, oo, symbols, Function
    >>> f = Function("f"); x, z = symbols("x z")
    >>> e = subst(Integral(f(x + z), (z, 0, 1)), {x: z})
    >>> e.limits[0][0] == z, e.function.args[0].has(z)
    (False, True)
    """
    return _subst(e, _check_keys(mapping))


def _incoming(m: Mapping[Basic, Basic]) -> set[Basic]:
    out: set[Basic] = set()
    for v in m.values():
        out |= free_symbols(v)
    return out


def _subst(e: Basic, m: dict[Basic, Basic]) -> Basic:
    if not m or not isinstance(e, Basic):
        return e
    if isinstance(e, Symbol):
        return m.get(e, e)
    live = {k: v for k, v in m.items() if k in free_symbols(e)}
    if not live:
        return e
    if isinstance(e, BINDERS):
        return _subst_binder(e, live)
    if isinstance(e, Lambda):
        variables, body = _enter(tuple(e.variables), [e.expr], live)
        return Lambda(variables, body[0])
    if isinstance(e, Subs):
        points = tuple(_subst(p, live) for p in e.point)
        variables, body = _enter(tuple(e.variables), [e.expr], live)
        return Subs(body[0], variables, points)
    if isinstance(e, Derivative) or type(e) in _DIFF_VARS:
        dvars = ([v for v, _ in e.variable_count] if isinstance(e, Derivative)
                 else list(_DIFF_VARS[type(e)](e)))
        at = [k for k, v in live.items()
              if k in dvars and not (isinstance(v, Symbol) and v not in free_symbols(e))]
        if at:  # d/dt F(t) at t = v: Subs(d/dt' F(t'), t', v) with a fresh t'
            ren = {k: fresh(k) for k in at}
            inner = _subst(_subst(e, ren), {k: v for k, v in live.items() if k not in at})
            return Subs(inner, tuple(ren[k] for k in at), tuple(live[k] for k in at))
    if type(e) in _LABELLED:
        return e.func(e.args[0], *[_subst(a, live) for a in e.args[1:]])
    return e.func(*[_subst(a, live) for a in e.args])


def _enter(variables: tuple[Basic, ...], scope: list[Basic], m: dict[Basic, Basic]
           ) -> tuple[tuple[Basic, ...], list[Basic]]:
    """Bind ``variables`` over ``scope``: drop shadowed keys, rename captured variables,
    substitute the rest."""
    inner = {k: v for k, v in m.items() if k not in variables}
    incoming = _incoming(inner)
    ren = {v: fresh(v) for v in variables if v in incoming}
    if ren:
        scope = [_subst(s, ren) for s in scope]
        variables = tuple(ren.get(v, v) for v in variables)
    return variables, [_subst(s, inner) for s in scope]


def _subst_binder(e: Basic, m: dict[Basic, Basic]) -> Basic:
    limits = [tuple(lim) for lim in e.limits]
    body = e.function
    # outermost limit first: its bounds are in the enclosing scope
    out_limits: list[tuple[Basic, ...]] = [()] * len(limits)
    m = dict(m)
    for k in range(len(limits) - 1, -1, -1):
        v, *bounds = limits[k]
        bounds = [_subst(b_, m) for b_ in bounds]
        m.pop(v, None)
        if v in _incoming(m):
            nv = fresh(v)
            ren = {v: nv}
            body = _subst(body, ren)
            limits = [(lim[0], *[_subst(b_, ren) for b_ in lim[1:]]) if j < k else lim
                      for j, lim in enumerate(limits)]
            v = nv
        out_limits[k] = (v, *bounds)
    return type(e)(_subst(body, m), *out_limits)


def rename_bound(e: Basic, avoid: Iterable[Basic]) -> Basic:
    """``e`` with every bound variable in ``avoid`` renamed to a fresh one."""
    avoid = set(avoid)
    if not avoid or not (bound_variables(e) & avoid):
        return e
    if isinstance(e, BINDERS):
        ren = {v: fresh(v) for v in _limits_vars(e) if v in avoid}
        body = _subst(e.function, ren) if ren else e.function
        limits = []
        for k, lim in enumerate(e.limits):
            inner_ren = {v: nv for v, nv in ren.items()
                         if v in [x[0] for x in e.limits[k + 1:]]}
            bounds = [rename_bound(_subst(b_, inner_ren), avoid) for b_ in lim[1:]]
            limits.append((ren.get(lim[0], lim[0]), *bounds))
        return type(e)(rename_bound(body, avoid), *limits)
    if isinstance(e, Lambda):
        ren = {v: fresh(v) for v in e.variables if v in avoid}
        return Lambda(tuple(ren.get(v, v) for v in e.variables),
                      rename_bound(_subst(e.expr, ren), avoid))
    if isinstance(e, Subs):
        ren = {v: fresh(v) for v in e.variables if v in avoid}
        return Subs(rename_bound(_subst(e.expr, ren), avoid),
                    tuple(ren.get(v, v) for v in e.variables),
                    tuple(rename_bound(p, avoid) for p in e.point))
    if not e.args:
        return e
    if type(e) in _LABELLED:
        return e.func(e.args[0], *[rename_bound(a, avoid) for a in e.args[1:]])
    return e.func(*[rename_bound(a, avoid) for a in e.args])


def satisfies(value: Basic, var: Basic) -> str | None:
    """None when ``value`` provably has every fact declared (or implied) for ``var``; else
    the first fact it is not known to have (known to lack, if one is)."""
    if not isinstance(var, Symbol):
        return None
    unknown = None
    for fact, holds in sorted(var.assumptions0.items()):
        if fact == "commutative":
            continue
        got = getattr(value, f"is_{fact}", None)
        if got is (not holds):
            return fact if holds else f"not {fact}"
        if got is None and unknown is None:
            unknown = fact if holds else f"not {fact}"
    return unknown


def fails(value: Basic, var: Basic) -> bool:
    """True when ``value`` provably violates a fact declared for ``var``."""
    return any(getattr(value, f"is_{fact}", None) is (not holds)
               for fact, holds in var.assumptions0.items() if fact != "commutative")


def beta(L: Lambda, args: Iterable[Basic], rec: list[Condition] | None = None) -> Basic:
    """``L`` applied to ``args`` (capture-avoiding). With ``rec`` (inside a rule), each
    argument must satisfy the declared assumptions of its variable — the body may have been
    simplified with them: refused when it provably does not, recorded when unknown."""
    args = tuple(args)
    if len(args) != len(L.variables):
        raise RuleFailure(f"{L} takes {len(L.variables)} argument(s), not {len(args)}")
    for v, a in zip(L.variables, args, strict=True):
        if rec is None:
            break
        fact = satisfies(a, v)
        if fact is None:
            continue
        if fails(a, v):
            raise RuleFailure(f"{L} is applied at {a}, which is not {fact} as its variable "
                              f"{v} is declared")
        rec.append(Condition("domain", a, frozenset(), (fact,),
                             note=f"{a} is {fact.replace('_', ' ')} (as {v} is declared)"))
    return _subst(L.expr, _check_keys(dict(zip(L.variables, args, strict=True))))


def function_classes(e: Any) -> frozenset[Any]:
    """The undefined functions (``Function('f')``) that occur in ``e``."""
    if isinstance(e, sympy.FunctionClass):
        return frozenset({e})
    if not isinstance(e, Basic):
        return frozenset()
    return frozenset(a.func for a in e.atoms(AppliedUndef))


def replace_functions(e: Basic, mapping: Mapping[Any, Any],
                      rec: list[Condition] | None = None) -> Basic:
    """``e`` with each application ``f(a…)`` of a key ``f`` replaced by ``mapping[f](a…)``
    (a function class or a ``Lambda``), without capture."""
    if not mapping:
        return e
    incoming: set[Basic] = set()
    for v in mapping.values():
        if isinstance(v, Basic):
            incoming |= free_symbols(v)
    e = rename_bound(e, incoming)

    def swap(n: Basic) -> Basic:
        new = mapping[n.func]
        if isinstance(new, Lambda):
            return beta(new, n.args, rec)
        return new(*n.args)

    return e.replace(lambda n: isinstance(n, AppliedUndef) and n.func in mapping, swap)


# -- α-equivalence --------------------------------------------------------------------------


def _refuse_reserved(e: Basic) -> None:
    if e.atoms(Bound):
        raise RuleFailure(f"{e} contains a reserved kernel variable")


def canonical(e: Basic) -> Basic:
    """``e`` with bound variables renamed, by binding depth, to :class:`Bound` symbols (and
    derivatives of expressions without binders or operators evaluated)."""
    _refuse_reserved(e)
    return _canonical(e)


_CANON_CACHE: dict[Basic, Basic] = {}


def _canonical(e: Basic) -> Basic:
    got = _CANON_CACHE.get(e)
    if got is None:
        got = _canon(e, 0)
        if len(_CANON_CACHE) > 20000:
            _CANON_CACHE.clear()
        _CANON_CACHE[e] = got
    return got


def _rebind(e: Basic, variables: list[Basic], depth: int) -> tuple[dict[Basic, Basic], int]:
    subs = {}
    for v in variables:
        subs[v] = _bound(depth, v)
        depth += 1
    return subs, depth


def _canon(e: Basic, depth: int) -> Basic:
    if not e.args:
        return e
    if isinstance(e, BINDERS):
        limits = [tuple(lim) for lim in e.limits]
        out: list[tuple[Basic, ...]] = [()] * len(limits)
        subs: dict[Basic, Basic] = {}
        for k in range(len(limits) - 1, -1, -1):  # outermost first
            v, *bounds = limits[k]
            out_b = [_canon(b_.xreplace(subs), depth) for b_ in bounds]
            subs[v] = _bound(depth, v)
            depth += 1
            out[k] = (subs[v], *out_b)
        body = _canon(e.function.xreplace(subs), depth)
        return type(e)(body, *out)
    if isinstance(e, Lambda):
        subs, d2 = _rebind(e, list(e.variables), depth)
        return Lambda(tuple(subs.values()), _canon(e.expr.xreplace(subs), d2))
    if isinstance(e, Subs) and _renaming(e):
        # h(t) at t = z, for a variable z not free in h: h with t renamed to z
        return _canon(_subst(e.expr, dict(zip(e.variables, e.point, strict=True))), depth)
    if isinstance(e, Subs):
        if may_differentiate(e.expr):  # evaluate with the kernel's own simultaneous subst
            body = e.expr.doit() if e.expr.has(Derivative) else e.expr
            try:
                done = _subst(body, _check_keys(dict(zip(e.variables, e.point, strict=True))))
            except RuleFailure:
                done = e
            if not isinstance(done, Subs):
                return _canon(done, depth)
        points = tuple(_canon(p, depth) for p in e.point)
        subs, d2 = _rebind(e, list(e.variables), depth)
        return Subs(_canon(e.expr.xreplace(subs), d2), tuple(subs.values()), points)
    if isinstance(e, Derivative) and may_differentiate(e.expr):
        done = e.doit()
        if done != e:
            return _canon(done, depth)
    if type(e) in _LABELLED:
        return e.func(e.args[0], *[_canon(a, depth) for a in e.args[1:]])
    return e.func(*[_canon(a, depth) for a in e.args])


def _renaming(e: Subs) -> bool:
    """True when every point of ``e`` is a distinct vector variable, of its variable's
    space, that does not occur free in ``e``'s expression (a function's value such as
    (∂ᵢh)(z), with no Lambda inside): then ``e`` is its expression with the variables
    renamed."""
    points = list(e.point)
    if len(set(points)) != len(points) or free_symbols(e.expr) & set(points) or \
            not all(is_vector(p) for p in points) or e.expr.has(Lambda):
        return False
    return all(isinstance(p, Symbol) and type(p) is not Bound and space_of(p) == space_of(v)
               and p.assumptions0 == v.assumptions0
               for v, p in zip(e.variables, points, strict=True))


def alpha_equal(a: Basic, b: Basic) -> bool:
    """True when ``a`` and ``b`` differ at most by the names of bound variables (never when
    either contains ``nan`` or ``zoo``)."""
    if is_poisoned(a) or is_poisoned(b):
        return False
    _refuse_reserved(a)
    _refuse_reserved(b)
    if a == b:
        return True
    return bool(_canonical(a) == _canonical(b))


# -- side conditions ------------------------------------------------------------------------

#: kind → sentence (``{subject}`` is the printed subject)
KINDS = {
    "absolute": "{subject} converges absolutely",
    "leibniz": "d/d{var} may move under the integral sign in {subject} "
               "(differentiable integrand, dominated derivative)",
    "continuous": "{subject} is continuous at the point δ sifts",
    "nonneg": "{subject} ≥ 0",
}


@dataclass(frozen=True)
class Condition:
    """A side condition a rule relied on: ``kind`` (a key of :data:`KINDS`), the ``subject``
    it is about (a SymPy object), the undefined ``functions`` it involves, and ``extra``
    data (the variable of a derivative, a support's bounds, a lemma hypothesis's text)."""

    kind: str
    subject: Basic
    functions: frozenset[Any] = field(default=frozenset())
    extra: tuple[Any, ...] = ()
    note: str = ""

    def describe(self, show: Callable[[Basic], str]) -> str:
        """The condition as a sentence; ``show`` prints SymPy objects."""
        if self.note:
            return self.note
        if self.kind == "support":
            fn, lo, hi = self.extra
            return f"{fn}(k) = 0 unless {show(lo)} ≤ k ≤ {show(hi)}"
        var = show(self.extra[0]) if self.extra else "x"
        return KINDS[self.kind].format(subject=show(self.subject), var=var)


class Hypothesis:
    """A stated hypothesis that implies recorded conditions of some kinds. Immutable."""

    kinds: frozenset[str] = frozenset()

    def covers(self, c: Condition) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def describe(self, show: Callable[[Basic], str]) -> str:  # pragma: no cover
        raise NotImplementedError

    def instantiate(self, fn_map: Mapping[Any, Any], sym_map: Mapping[Basic, Basic]
                    ) -> list[Condition]:  # pragma: no cover - overridden
        """The conditions this hypothesis becomes when a lemma is used with ``fn_map``."""
        raise NotImplementedError

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(f"{type(self).__name__} is immutable")
        object.__setattr__(self, name, value)

    def _key(self) -> tuple[Any, ...]:  # pragma: no cover - overridden
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._key() == other._key()  # type: ignore

    def __hash__(self) -> int:
        return hash((type(self), self._key()))


def _functions_arg(fns: tuple[Any, ...], name: str) -> frozenset[Any]:
    if not fns or not all(isinstance(fn, sympy.FunctionClass) and issubclass(fn, AppliedUndef)
                          for fn in fns):
        raise InvalidArgument(f"{name}={fns!r}: give one or more undefined functions "
                              "(Function('f'))")
    return frozenset(fns)


def _names(fns: Iterable[Any]) -> str:
    return ", ".join(sorted(str(fn) for fn in fns))


def _mapped_functions(fns: frozenset[Any], fn_map: Mapping[Any, Any]) -> frozenset[Any]:
    out: set[Any] = set()
    for fn in fns:
        out |= function_classes(fn_map.get(fn, fn))
    return frozenset(out)


def _affine_in(arg: Basic, bound: set[Basic]) -> bool:
    """``arg`` is affine in the bound variables (a ⌊affine/c⌋ with c > 0, as in a group index
    ⌊n/Q⌋, counts as one more variable: it repeats each value finitely often)."""
    floors = {f_: Dummy("q") for f_ in arg.atoms(sympy.floor)
              if _affine_in(f_.args[0], bound)}
    if floors:
        arg = arg.xreplace(floors)
        bound = bound | set(floors.values())
    vs = sorted(free_symbols(arg) & bound, key=str)
    if not vs:
        return True
    try:
        return bool(sympy.Poly(arg, *vs).total_degree() <= 1)
    except sympy.PolynomialError:
        return False


def _bounded_factor(fac: Basic, smooth: bool) -> bool:
    """|fac| ≤ const (and, if ``smooth``, fac is smooth): e^{i·real}, sin/cos of a real,
    and, when smoothness is not needed, Kronecker deltas and unit steps."""
    if isinstance(fac, (sympy.KroneckerDelta, sympy.Heaviside)):
        return not smooth
    if isinstance(fac, sympy.exp):
        return bool(sympy.expand(fac.args[0] / sympy.I).is_extended_real)
    if isinstance(fac, (sympy.sin, sympy.cos)):
        return bool(fac.args[0].is_extended_real)
    if isinstance(fac, sympy.Pow) and fac.exp.is_Integer and fac.exp > 0:
        return _bounded_factor(fac.base, smooth)
    return False


def _row(arg: Basic, cols: list[Basic]) -> list[Basic] | None:
    """The coefficients of the affine ``arg`` in ``cols`` (None if it has a floor)."""
    if arg.has(sympy.floor):
        return None
    try:
        p = sympy.Poly(arg, *cols) if cols else None
    except sympy.PolynomialError:  # e.g. A(y) for a linear map: not affine in the symbols
        return None
    return [p.coeff_monomial(c) for c in cols] if p is not None else []


def _full_rank(rows: list[list[Basic]], k: int, by_rows: bool) -> bool:
    """True when some k × k minor is provably non-zero: rank ≥ k over the columns (or, with
    ``by_rows``, the k rows are independent) for *every* value of the symbols in it."""
    rows = [r for r in rows if r]
    if k == 0:
        return True
    if not rows or len(rows[0]) < k or (by_rows and len(rows) != k) or len(rows) < k:
        return False
    m = sympy.Matrix(rows)
    row_sets = [tuple(range(k))] if by_rows else itertools.combinations(range(m.rows), k)
    col_sets = itertools.combinations(range(m.cols), k) if by_rows else [tuple(range(k))]
    if not by_rows and m.cols != k:  # pragma: no cover - callers pass square column sets
        return False
    tried = 0
    for rs in row_sets:
        for cs in col_sets if by_rows else [tuple(range(m.cols))]:
            tried += 1
            if tried > 400:
                return False
            if sympy.expand(m.extract(list(rs), list(cs)).det()).is_zero is False:
                return True
    return False


def _params(args: tuple[Basic, ...], bound: set[Basic]) -> int:
    """Arguments that are integer-declared symbols free of the bound variables: a discrete
    coordinate (a channel index), not a restriction of the function to a line."""
    return sum(1 for a in args if isinstance(a, Symbol) and a.is_integer and a not in bound)


def _independent(factors: list[tuple[Basic, ...]], level: set[Basic], bound: set[Basic],
                 discrete: bool) -> bool:
    """Tonelli's bookkeeping for one term: the arguments of the integrable factors must pin
    down every variable of this level (a non-zero maximal minor; a ⌊·⌋ argument pins
    nothing), so that Σ_{m,n ≥ 0} f(m − n) is not covered. On ℝ, where L¹ functions are
    unbounded, the arguments of all factors must moreover be independent of each other
    (free symbols such as x count) — f(z)·g(x − z) is covered (for almost every x), f(z)·g(z)
    and f(z, 0) are not."""
    cols = sorted(level, key=str)
    rows = [r for args in factors for a in args if (r := _row(a, cols)) is not None]
    if not _full_rank(rows, len(cols), by_rows=False):
        return False
    if discrete:
        return True
    if any(a.has(sympy.floor) for f_ in factors for a in f_):
        return False
    args = [a for f_ in factors for a in f_
            if not (isinstance(a, Symbol) and a.is_integer and a not in bound)]
    wide = sorted({v for a in args for v in free_symbols(a)}, key=str)
    wide_rows = [_row(a, wide) for a in args]
    return len(args) <= len(wide) and _full_rank(
        [r for r in wide_rows if r is not None], len(args), by_rows=True)


def made_of(e: Basic, fns: frozenset[Any], bound: set[Basic], smooth: bool,
            level: set[Basic] | None = None, discrete: bool = False) -> bool:
    """True when every term of ``e`` is a product of values of the functions ``fns`` at
    arguments affine in the ``bound`` variables that pin down the variables of this
    ``level`` (see :func:`_independent`), bounded factors, factors constant in them, and
    nested integrals/sums of the same kind — what "every integral of fns converges
    absolutely" (or "d/dx moves under it") is meant to cover. A weight such as z², a
    concrete integrand or a non-injective argument map is not covered."""
    return _kind(e, fns, bound, smooth, bound if level is None else level, discrete,
                 set()) is not None


def _kind(e: Basic, fns: frozenset[Any], bound: set[Basic], smooth: bool, level: set[Basic],
          discrete: bool, outer: set[Basic]) -> str | None:
    """For the integrand ``e`` of the binder of ``level``, which depends on the variables
    ``outer`` of enclosing levels: "integrable" when its arguments pin down ``level`` and
    ``outer`` together (the binder is an integrable function of them), "bounded" when they
    pin down ``level`` only (the binder is bounded by the norms: a translate stays in L¹,
    a bounded factor such as H(n − u) keeps it bounded), None otherwise."""
    outcome = "integrable" if outer else "bounded"
    for term in sympy.Add.make_args(sympy.expand_mul(e)):
        factors: list[tuple[Basic, ...]] = []
        for fac in sympy.Mul.make_args(term):
            if not (free_symbols(fac) & bound):
                continue
            if isinstance(fac, AppliedUndef):
                if fac.func in fns and all(_affine_in(a, bound) for a in fac.args):
                    factors.append(tuple(fac.args))
                    continue
                return None
            nested = fac.unfold() if type(fac) in _OPERATORS and hasattr(fac, "unfold") \
                else fac
            if isinstance(nested, (Integral, Sum)):
                inner = {lim[0] for lim in nested.limits}
                deps = free_symbols(nested) & bound
                got = _kind(nested.function, fns, bound | inner, smooth, inner,
                            isinstance(nested, Sum), deps)
                if got is None:
                    return None
                if got == "integrable":  # an integrable function of the outer variables
                    factors.append(tuple(sorted(deps, key=str)))
                continue  # bounded in the outer variables
            if discrete and isinstance(fac, sympy.KroneckerDelta) and _affine_in(
                    fac.args[0] - fac.args[1], bound):
                factors.append((fac.args[0] - fac.args[1],))  # δ[·] is summable on ℤ
                continue
            if discrete and isinstance(fac, VectorDelta) and fac.discrete and _affine_in(
                    fac.args[0], bound):
                factors.append((fac.args[0],))  # δ[·] is summable on ℤᵈ
                continue
            if _bounded_factor(fac, smooth):
                continue
            return None
        if not _independent(factors, level, bound, discrete):
            return None
        if outer and not _independent(factors, level | outer, bound, discrete):
            outcome = "bounded"
    return outcome


def _pure(value: Any) -> bool:
    """An undefined function, or a translate/reflection of one (t ↦ g(±t + c)): what is
    integrable, continuous, differentiable stays so."""
    if isinstance(value, sympy.FunctionClass):
        return True
    if not isinstance(value, Lambda) or not isinstance(value.expr, AppliedUndef):
        return False
    vs = list(value.variables)
    used = []
    for a in value.expr.args:
        mine = free_symbols(a) & set(vs)
        if len(mine) != 1:
            return False
        v = mine.pop()
        if sympy.diff(a, v) not in (S.One, S.NegativeOne) or free_symbols(
                sympy.expand(a - sympy.diff(a, v) * v)) & set(vs):
            return False
        used.append(v)
    return sorted(used, key=str) == sorted(vs, key=str)


class _FunctionsHypothesis(Hypothesis):
    phrase = ""

    def __init__(self, *functions: Any, note: str = "", domain: str | None = None) -> None:
        if not isinstance(note, str):
            raise InvalidArgument(f"note={note!r} must be a str")
        if domain not in (None, "ℝ", "ℤ"):
            raise InvalidArgument(f"domain={domain!r}: 'ℝ' (integrals), 'ℤ' (sums) or None "
                                  "(both)")
        self.functions = _functions_arg(functions, "functions")
        self.note, self.domain = note, domain
        self._frozen = True

    def _key(self) -> tuple[Any, ...]:
        return (self.functions, self.note, self.domain)

    def _phrase(self, fns: Iterable[Any]) -> str:
        what = {None: "integral and sum", "ℝ": "integral", "ℤ": "sum"}[self.domain]
        return self.phrase.format(fns=_names(fns), what=what)

    def covers(self, c: Condition) -> bool:
        if c.kind not in self.kinds or not c.functions or not c.functions <= self.functions:
            return False
        if isinstance(c.subject, BINDERS):
            kinds = {type(n) for n in sympy.preorder_traversal(c.subject)
                     if isinstance(n, BINDERS)}
            if self.domain is not None and kinds != {Integral if self.domain == "ℝ" else Sum}:
                return False
            bound = {lim[0] for lim in c.subject.limits}
            return made_of(c.subject.function, self.functions, bound, c.kind == "leibniz",
                           bound, not isinstance(c.subject, Integral))
        return self.domain is None or c.extra == (self.domain,)

    def describe(self, show: Callable[[Basic], str]) -> str:
        text = self._phrase(self.functions)
        return f"{self.note} — {text}" if self.note else text

    def instantiate(self, fn_map: Mapping[Any, Any], sym_map: Mapping[Basic, Basic]
                    ) -> list[Condition]:
        if all(_pure(fn_map.get(fn, fn)) for fn in self.functions):
            fns = _mapped_functions(self.functions, fn_map)
            extra = (self.domain,) if self.domain else ()
            return [Condition(k, S.Zero, fns, extra, note=self._phrase(fns))
                    for k in sorted(self.kinds)]
        shown = ", ".join(f"{fn} := {fn_map[fn]}" for fn in sorted(self.functions, key=str)
                          if fn in fn_map)
        return [Condition(k, S.Zero, frozenset(),
                          note=self._phrase(self.functions) + f" with {shown}")
                for k in sorted(self.kinds)]


class AbsolutelyConvergent(_FunctionsHypothesis):
    """Every integral and sum of the given functions in the derivation converges absolutely
    (e.g. f, g ∈ L¹): implies the convergence needed by linearity, Fubini–Tonelli and the
    exchange of a sum and an integral."""

    kinds = frozenset({"absolute"})
    phrase = "every {what} of {fns} here converges absolutely"


class DifferentiableUnderIntegral(_FunctionsHypothesis):
    """Derivatives may move under the integrals of the given functions (e.g. one factor C¹
    with compact support, the other locally integrable)."""

    kinds = frozenset({"leibniz"})
    phrase = "d/dx moves under every {what} of {fns} here"


class Continuous(_FunctionsHypothesis):
    """The given functions are continuous (the Dirac δ sifts them)."""

    kinds = frozenset({"continuous"})
    phrase = "{fns} continuous"


class Support(Hypothesis):
    """``fn(k) = 0`` unless ``lo ≤ k ≤ hi``."""

    kinds = frozenset({"support"})

    def __init__(self, fn: Any, lo: Any, hi: Any) -> None:
        (self.fn,) = _functions_arg((fn,), "fn")
        for name, v in (("lo", lo), ("hi", hi)):
            if not isinstance(v, Expr) and not isinstance(v, int):
                raise InvalidArgument(f"{name}={v!r} must be a SymPy expression or an int")
        self.lo, self.hi = sympy.sympify(lo, strict=True), sympy.sympify(hi, strict=True)
        self._frozen = True

    def _key(self) -> tuple[Any, ...]:
        return (self.fn, self.lo, self.hi)

    def covers(self, c: Condition) -> bool:
        return c.kind == "support" and c.extra == (self.fn, self.lo, self.hi)

    def describe(self, show: Callable[[Basic], str]) -> str:
        return f"{self.fn}(k) = 0 unless {show(self.lo)} ≤ k ≤ {show(self.hi)}"

    def instantiate(self, fn_map: Mapping[Any, Any], sym_map: Mapping[Basic, Basic]
                    ) -> list[Condition]:
        fn = fn_map.get(self.fn, self.fn)
        lo, hi = subst(self.lo, sym_map), subst(self.hi, sym_map)
        if not isinstance(fn, sympy.FunctionClass):
            return [Condition("lemma", S.Zero, frozenset(),
                              note=f"{fn} = 0 outside [{lo}, {hi}]")]
        return [Condition("support", sympy.Tuple(lo, hi), frozenset({fn}), (fn, lo, hi))]


class Remark(Hypothesis):
    """A reading aid printed with the hypotheses (a definition such as (τₐf)(x) = f(x − a));
    it implies no condition, and a lemma's remark brings none."""

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise InvalidArgument(f"text={text!r} must be a str")
        self.text = text
        self._frozen = True

    def _key(self) -> tuple[Any, ...]:
        return (self.text,)

    def covers(self, c: Condition) -> bool:
        return False

    def describe(self, show: Callable[[Basic], str]) -> str:
        return self.text

    def instantiate(self, fn_map: Mapping[Any, Any], sym_map: Mapping[Basic, Basic]
                    ) -> list[Condition]:
        return []


def _division(atom: Basic) -> tuple[Expr, Expr] | None:
    """(u, a) for ⌊u/a⌋ or ⌈u/a⌉ with u an integer and a a positive integer, else None."""
    u, a = atom.args[0].as_numer_denom()
    if u.is_integer is True and a.is_integer is True and a.is_positive is True:
        return u, a
    return None


def integer_lower_bounds(y: Expr, depth: int = 3) -> list[Expr]:
    """``y`` and expressions ``y′`` with ``y′ ≥ 0 ⇒ y ≥ 0``, for ``y`` built from integers
    and ⌊u/a⌋, ⌈u/a⌉ (u an integer, a a positive integer):

    - ⌊u/a⌋ + R ≥ 0 ⇔ u + a·R ≥ 0 when R is an integer (exact);
    - a term c·⌊u/a⌋ or c·⌈u/a⌉ replaced by its bound on the safe side:
      (u − a + 1)/a ≤ ⌊u/a⌋ ≤ u/a ≤ ⌈u/a⌉ ≤ (u + a − 1)/a (c > 0: the lower one; c < 0: the
      upper one).
    Each step keeps ``y′ ≤ y`` (or is an equivalence), so a hypothesis covering one covers
    ``y``."""
    if not isinstance(y, Expr) or has_binder_or_operator(y) or is_poisoned(y):
        return []
    out = [sympy.expand(y)]
    frontier = list(out)
    for _ in range(depth):
        nxt: list[Expr] = []
        for e in frontier:
            atoms = sorted(e.atoms(sympy.floor, sympy.ceiling), key=sympy.default_sort_key)
            for atom in atoms:
                got = _division(atom)
                if got is None:
                    continue
                u, a = got
                c = sympy.expand(e).coeff(atom)
                rest = sympy.expand(e - c * atom)
                if rest.has(atom) or c.has(atom):
                    continue
                if c == 1 and isinstance(atom, sympy.floor) and rest.is_integer is True:
                    nxt.append(sympy.expand(u + a * rest))
                if c.is_positive is True:
                    bound = (u - a + 1) / a if isinstance(atom, sympy.floor) else u / a
                elif c.is_negative is True:
                    bound = u / a if isinstance(atom, sympy.floor) else (u + a - 1) / a
                else:
                    continue
                nxt.append(sympy.expand(rest + c * bound))
        nxt = [x for x in dict.fromkeys(nxt) if x not in out]
        out += nxt
        frontier = nxt
    return out


class NonNegative(Hypothesis):
    """``expr ≥ 0``: an integer-arithmetic hypothesis (the padded input holds the dilated
    kernel, an output padding is below the stride, …).

    It covers a recorded ``nonneg`` condition ``Y ≥ 0`` when SymPy's assumptions prove
    ``Y′ − expr ≥ 0`` for ``Y′ = Y`` or one of the lower bounds of
    :func:`integer_lower_bounds` (e.g. ``Y′ − expr`` is a constant, or ``s − 1`` for a
    positive integer ``s``). It covers nothing else: a lemma's ``domain`` conditions (a
    value not known to have a declared fact) name one fact of several. A provably negative
    ``expr`` is refused."""

    kinds = frozenset({"nonneg"})

    def __init__(self, expr: Any) -> None:
        if not isinstance(expr, (Expr, int)) or isinstance(expr, bool):
            raise InvalidArgument(f"expr={expr!r} must be a SymPy expression or an int")
        self.expr = sympy.sympify(expr, strict=True)
        if is_poisoned(self.expr) or has_binder_or_operator(self.expr) or \
                self.expr.is_real is False:
            raise InvalidArgument(f"expr={expr!r} must be a real expression without "
                                  "integrals, sums or operators")
        if self.expr.is_negative is True:  # a false hypothesis makes anything "follow"
            raise InvalidArgument(f"expr={expr!r} is provably negative: NonNegative({expr}) "
                                  "is false")
        self._frozen = True

    def _key(self) -> tuple[Any, ...]:
        return (self.expr,)

    def covers(self, c: Condition) -> bool:
        if c.kind != "nonneg":
            return False
        if not isinstance(c.subject, Expr) or has_binder_or_operator(c.subject):
            return False
        for y in integer_lower_bounds(c.subject):
            gap = sympy.expand(y - self.expr)
            if gap.is_nonnegative is True and gap.is_real is True:
                return True
        return False

    def describe(self, show: Callable[[Basic], str]) -> str:
        return f"{show(self.expr)} ≥ 0"

    def instantiate(self, fn_map: Mapping[Any, Any], sym_map: Mapping[Basic, Basic]
                    ) -> list[Condition]:
        return [Condition("nonneg", subst(self.expr, sym_map))]


class Invertible(Hypothesis):
    """The linear map ``A`` of ℝᵈ is invertible (det A ≠ 0): what a change of variables
    z = A(w) + b needs (its Jacobian is |det A|)."""

    kinds = frozenset({"invertible"})

    def __init__(self, A: Any) -> None:
        if not isinstance(A, MapSymbol):
            raise InvalidArgument(f"A={A!r} must be a linear map (convmath.symbolic.vectors."
                                  "linear_map)")
        self.A = A
        self._frozen = True

    def _key(self) -> tuple[Any, ...]:
        return (self.A,)

    def covers(self, c: Condition) -> bool:
        return c.kind == "invertible" and c.extra == (self.A,)

    def describe(self, show: Callable[[Basic], str]) -> str:
        return f"{self.A} is invertible (det {self.A} ≠ 0)"

    def instantiate(self, fn_map: Mapping[Any, Any], sym_map: Mapping[Basic, Basic]
                    ) -> list[Condition]:
        A = sym_map.get(self.A, self.A)
        return [Condition("invertible", A, frozenset(), (A,), note=f"{A} is invertible")]


def support_condition(fn: Any, lo: Expr, hi: Expr) -> Condition:
    """The condition "fn vanishes outside [lo, hi]"."""
    return Condition("support", sympy.Tuple(lo, hi), frozenset({fn}), (fn, lo, hi))


def covered(c: Condition, hypotheses: Iterable[Any]) -> bool:
    """True when a stated hypothesis implies ``c`` (a free-text lemma condition is implied by
    the identical text)."""
    for h in hypotheses:
        if type(h) in TRUSTED_HYPOTHESES and h.covers(c):
            return True
        if c.kind == "lemma" and isinstance(h, str) and c.extra == (h,):
            return True
    return False


#: the hypothesis classes a derivation may state (exact types: a subclass is not trusted)
TRUSTED_HYPOTHESES: frozenset[type] = frozenset({
    AbsolutelyConvergent, DifferentiableUnderIntegral, Continuous, Support, Remark,
    NonNegative, Invertible})
