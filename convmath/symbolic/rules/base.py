"""The rule protocol: immutable rule objects that re-execute a step and report the side
conditions they relied on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import sympy
from sympy import Basic, Derivative, Expr, Integral, Lambda, Product, Subs, Sum, Symbol, oo
from sympy.core.function import AppliedUndef

from convmath.errors import InvalidArgument
from convmath.symbolic._input import sympy_arg
from convmath.symbolic.kernel import (
    BINDERS,
    Condition,
    RuleFailure,
    alpha_equal,
    differentiated_variables,
    function_classes,
    is_poisoned,
    operator_classes,
    satisfies,
)
from convmath.symbolic.printing import text as _text
from convmath.symbolic.vectors import check_or_refuse, has_points

__all__ = ["Context", "Rule", "RuleFailure"]

#: looks a registered derivation up by its key (used by :class:`~.lemma.Lemma`)
LemmaLookup = Callable[[str], Any]


_LEMMAS: list[LemmaLookup] = []
_DERIVATION: list[type] = []  # the Derivation class, registered by its module


def register_derivation_type(cls: type) -> None:
    """Lemmas must be instances of exactly this class (a look-alike object is refused)."""
    _DERIVATION[:] = [cls]


def is_derivation(obj: Any) -> bool:
    return bool(_DERIVATION) and type(obj) is _DERIVATION[0]


def set_lemma_source(lookup: LemmaLookup) -> None:
    """Install the default lemma lookup (the theorem registry installs its own)."""
    if not callable(lookup):
        raise InvalidArgument(f"lookup={lookup!r} must be a function from a key to a "
                              "Derivation")
    _LEMMAS[:] = [lookup]


class Context:
    """What a rule may consult besides the two expressions: the lemma lookup (default: the
    one installed with :func:`set_lemma_source`, i.e. the theorem registry)."""

    def __init__(self, lemmas: LemmaLookup | None = None) -> None:
        self.lemmas = lemmas or (_LEMMAS[0] if _LEMMAS else None)


def _gated(check: Callable[..., Any]) -> Callable[..., Any]:
    """``check`` refusing vector variables (points of ℝᵈ/ℤᵈ) unless the rule's class says
    it reasons about them (``vector_safe``): a rule written for numbers (a Jacobian a, not
    |a|ᵈ; δ(2z) = δ(z)/2) must not see them."""
    def gated(self: Any, prev: Any, claimed: Any, ctx: Any = None) -> Any:
        if has_points(prev) or has_points(claimed):
            if not type(self).vector_safe:
                raise RuleFailure(f"{type(self).__name__} is not written for points of "
                                  "ℝᵈ/ℤᵈ (vector variables)")
            if isinstance(prev, Basic) and isinstance(claimed, Basic):
                # one name, one meaning: f may not take points of ℤᵈ on one side and
                # numbers (or points of ℤᵐ) on the other
                check_or_refuse(sympy.Tuple(prev, claimed), RuleFailure)
        return check(self, prev, claimed, ctx)

    gated.__doc__, gated.__name__ = check.__doc__, check.__name__
    return gated


class _Frozen(type):
    """Metaclass: a rule is immutable once its ``__init__`` has run; its ``check`` refuses
    vector variables unless the class is ``vector_safe``."""

    def __init__(cls, name: str, bases: tuple[type, ...], ns: dict[str, Any]) -> None:
        super().__init__(name, bases, ns)
        if "check" in ns:
            type.__setattr__(cls, "check", _gated(ns["check"]))

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        obj = super().__call__(*args, **kwargs)
        object.__setattr__(obj, "_frozen", True)
        return obj


class Rule(metaclass=_Frozen):
    """A proof rule. ``check(prev, claimed)`` re-executes the step and returns the side
    conditions it relied on (raising :class:`RuleFailure` when the step does not follow).
    Rules are immutable values: equal when their type and parameters are equal.
    ``vector_safe``: the rule is written for vector variables too (see
    :mod:`convmath.symbolic.vectors`); otherwise it refuses them."""

    vector_safe = False

    def describe(self) -> str:  # pragma: no cover - overridden
        """The reason as printed after "by"."""
        raise NotImplementedError

    def describe_latex(self) -> str:
        """The reason in LaTeX text mode (defaults to the Unicode text)."""
        return self.describe()

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        raise NotImplementedError  # pragma: no cover - overridden

    def apply(self, expr: Basic) -> Basic:
        """The rule's result on ``expr`` (its side conditions are dropped: use
        :meth:`check` to verify a step)."""
        return self._apply(sympy_arg(expr, "expr"), [], Context())

    def check(self, prev: Basic, claimed: Basic, ctx: Context | None = None
              ) -> tuple[Condition, ...]:
        """Re-apply the rule to ``prev``; the result must be ``claimed`` up to bound names.
        Returns the side conditions the step relies on."""
        prev, claimed = sides(prev, claimed)
        rec: list[Condition] = []
        got = self._apply(prev, rec, ctx or Context())
        if not alpha_equal(got, claimed):
            raise RuleFailure("the rule gives a different expression", got)
        return tuple(dict.fromkeys(rec))

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(f"{type(self).__name__} rules are immutable")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} rules are immutable")

    def _key(self) -> tuple[Any, ...]:
        return tuple(sorted(((k, v) for k, v in vars(self).items() if k != "_frozen"),
                            key=lambda kv: kv[0]))

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._key() == other._key()  # type: ignore

    def __hash__(self) -> int:
        return hash((type(self), self._key()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()!r})"


class NormalFormRule(Rule):
    """A rule given by a normal form: both sides must have the same normal form."""

    def check(self, prev: Basic, claimed: Basic, ctx: Context | None = None
              ) -> tuple[Condition, ...]:
        prev, claimed = sides(prev, claimed)
        rec: list[Condition] = []
        ctx = ctx or Context()
        a = self._apply(prev, rec, ctx)
        b = self._apply(claimed, rec, ctx)
        if not alpha_equal(a, b):
            raise RuleFailure("the two sides have different normal forms", a)
        return tuple(dict.fromkeys(rec))


# -- helpers shared by the rules ----------------------------------------------------------


def sides(prev: Any, claimed: Any) -> tuple[Basic, Basic]:
    """Both sides of a step, validated: SymPy objects, free of ``nan``/``zoo``, with bound
    variables whose assumptions their binders justify."""
    out = []
    for name, e in (("prev", prev), ("claimed", claimed)):
        e = sympy_arg(e, name)
        if is_poisoned(e):
            raise RuleFailure(f"{e} contains nan or zoo: it is equal to nothing")
        check_terms(e)
        out.append(e)
    return out[0], out[1]


def check_terms(e: Basic) -> None:
    """Refuse what the kernel cannot reason about exactly: floating-point numbers (rebuilding
    a sum rounds it), undefined functions declared with assumptions (Function('f',
    positive=True): neither printed nor checked when a lemma replaces f), and the binder
    problems of :func:`check_binders`. (Expressions are immutable: one that passed is
    remembered.)"""
    if e in _TERMS_OK:
        return
    if _rebuilt(e) != e:
        raise RuleFailure(f"{e} contains an expression built unevaluated (evaluate=False), "
                          "which SymPy would change when rebuilding it: build it normally")
    if e.atoms(sympy.Float):
        raise RuleFailure(f"{e} contains a floating-point number: use exact numbers "
                          "(Rational) in derivations")
    for a in e.atoms(AppliedUndef):
        if a.func.default_assumptions:
            raise RuleFailure(f"the function {a.func} is declared with assumptions: declare "
                              "them as hypotheses, not on the function")
    check_binders(e)
    check_or_refuse(e, RuleFailure)
    if len(_TERMS_OK) > 4096:
        _TERMS_OK.clear()
    _TERMS_OK[e] = None


_TERMS_OK: dict[Basic, None] = {}


def _rebuilt(e: Basic) -> Basic:
    """``e`` rebuilt node by node, so that SymPy evaluates what was left unevaluated."""
    if not e.args or isinstance(e, sympy.MatrixBase):
        return e if not isinstance(e, sympy.MatrixBase) else e.applyfunc(_rebuilt)
    return e.func(*[_rebuilt(a) for a in e.args])


def function_arg(fn: Any, name: str) -> Any:
    """An undefined function (``Function('f')``), as support rules name them."""
    if not (isinstance(fn, sympy.FunctionClass) and issubclass(fn, AppliedUndef)):
        raise InvalidArgument(f"{name}={fn!r} must be an undefined function such as "
                              "Function('f')")
    return fn


def binders_of(e: Basic, var: Symbol) -> list[Basic]:
    """The integrals and sums of ``e`` that bind ``var``."""
    return [n for n in sympy.preorder_traversal(e)
            if isinstance(n, (Integral, Sum)) and any(lim[0] == var for lim in n.limits)]


def replace_binders(e: Basic, var: Symbol, fn: Callable[[Basic], Basic], what: str) -> Basic:
    """``e`` with every integral or sum binding ``var`` replaced by ``fn`` of it."""
    found = binders_of(e, var)
    if not found:
        raise RuleFailure(f"no integral or sum binds {var} (needed to {what})")
    return e.xreplace({b: fn(b) for b in found})


def free_in(items: Iterable[Basic]) -> set[Basic]:
    out: set[Basic] = set()
    for it in items:
        out |= it.free_symbols
    return out


def is_finite_sum(b: Basic) -> bool:
    """A sum (or product) with finite limits: finitely many terms, whatever they are."""
    return isinstance(b, (Sum, Product)) and all(
        len(lim) == 3 and lim[1].is_finite is True and lim[2].is_finite is True
        for lim in b.limits)


def needs_convergence(b: Basic, rec: list[Condition]) -> None:
    """Record that the integral or sum ``b`` must converge (absolutely), unless it has
    finitely many terms."""
    if isinstance(b, BINDERS) and not is_finite_sum(b):
        rec.append(Condition("absolute", b, function_classes(b)))


_PLAIN = Symbol("t").assumptions0
_REAL = Symbol("t", real=True).assumptions0
_INTEGER = Symbol("t", integer=True).assumptions0


def _integer_or_infinite(v: Basic) -> bool:
    return bool(v in (oo, -oo) or v.is_integer is True)


def _real_or_infinite(v: Basic) -> bool:
    return bool(v in (oo, -oo) or v.is_extended_real is True)


def variable_ok(var: Basic, binder: type, bounds: Iterable[Basic]) -> str | None:
    """None when a bound variable's assumptions follow from its binder and limits; else
    the reason. An integral's variable may be declared real (over real limits), a sum's
    integer (over integer limits); nothing else (``positive`` on a variable of ∫ over ℝ
    would let SymPy simplify |w| to w)."""
    if not isinstance(var, Symbol):
        return f"{var} is not a variable"
    a = var.assumptions0
    bounds = list(bounds)
    if a == _PLAIN:
        return None
    if a == _REAL and issubclass(binder, Integral) and all(map(_real_or_infinite, bounds)):
        return None
    if a == _INTEGER and issubclass(binder, (Sum, Product)) and all(
            map(_integer_or_infinite, bounds)):
        return None
    facts = ", ".join(sorted(k for k, v in a.items() if v and k not in _PLAIN))
    return (f"the bound variable {var} is declared {facts or 'with assumptions'}, which its "
            f"{'integral' if issubclass(binder, Integral) else 'sum'} and limits "
            f"{tuple(bounds)} do not give it")


def walk_scoped(e: Basic, above: frozenset[Basic] = frozenset()
                ) -> Iterator[tuple[Basic, frozenset[Basic]]]:
    """Every node of ``e`` with the variables bound by the binders (∫, Σ, Π, Lambda, Subs)
    that contain it, and those differentiated in by a derivative (or operator) containing
    it."""
    yield e, above
    if isinstance(e, BINDERS):
        inner = above | {lim[0] for lim in e.limits}
        yield from walk_scoped(e.function, inner)
        for lim in e.limits:
            for b_ in lim[1:]:
                yield from walk_scoped(b_, inner)  # (conservative: all the binder's vars)
        return
    if isinstance(e, (Lambda, Subs)):
        yield from walk_scoped(e.expr, above | set(e.variables))
        if isinstance(e, Subs):
            for p_ in e.point:
                yield from walk_scoped(p_, above)
        return
    # d/dx: a hypothesis about x at a point says nothing about a neighbourhood
    above = above | set(differentiated_variables(e))
    for a in e.args:
        yield from walk_scoped(a, above)


def _operator_lambdas(e: Basic) -> dict[Basic, set[bool]]:
    """Each Lambda that is an argument of an operator → the operator domains (discrete?)."""
    out: dict[Basic, set[bool]] = {}
    for n in sympy.preorder_traversal(e):
        if type(n) in operator_classes() and isinstance(getattr(n, "discrete", None), bool):
            for a in n.args:
                if isinstance(a, Lambda):
                    out.setdefault(a, set()).add(bool(n.discrete))
    return out


def check_binders(e: Basic) -> None:
    """Refuse expressions whose bound variables carry assumptions their binders do not
    justify: a sum over k from 1/2 with k declared an integer; ∫ over ℝ with w positive; a
    function t ↦ … with t declared an integer inside a convolution on ℝ (or any Lambda
    outside an operator with assumptions); a ``Subs`` at a point its variable's assumptions
    exclude; a derivative with respect to anything but a variable."""
    lambdas = _operator_lambdas(e)
    for n in sympy.preorder_traversal(e):
        if isinstance(n, Lambda):
            doms = lambdas.get(n, set())
            for v in n.variables:
                a = v.assumptions0
                if a == _PLAIN or (doms == {True} and a == _INTEGER) or (
                        doms == {False} and a == _REAL):
                    continue
                raise RuleFailure(f"the function {n} declares {v} with assumptions its "
                                  "domain does not give it (use a plain variable)")
        elif isinstance(n, Subs):
            for v, p_ in zip(n.variables, n.point, strict=True):
                fact = satisfies(p_, v)
                if fact:
                    raise RuleFailure(f"{n} evaluates at {p_}, not known to be {fact} as "
                                      f"{v} is declared")
        elif isinstance(n, Derivative) and not all(
                isinstance(v, Symbol) for v, _ in n.variable_count):
            raise RuleFailure(f"{n} differentiates with respect to a non-variable: use "
                              "Partial for derivatives with respect to a value x(u)")
        if isinstance(n, BINDERS):
            names = [lim[0] for lim in n.limits]
            if len(set(names)) != len(names):
                raise RuleFailure(f"{n} binds the same variable twice")
            for lim in n.limits:
                if len(lim) != 3:
                    raise RuleFailure(f"{n} has no limits for {lim[0]}: an indefinite "
                                      "integral or sum is defined only up to a constant")
                why = variable_ok(lim[0], type(n), lim[1:])
                if why:
                    raise RuleFailure(why)


def expr_arg(value: Any, name: str) -> Expr:
    out: Expr = sympy_arg(value, name, kinds=(Expr,))
    return out


def text(e: Basic) -> str:
    """Printed form of ``e`` for rule descriptions (the derivation's text printer)."""
    return _text(e)
