"""Random rule applications for ``test_kernel_random.py``: expressions, rules, claims, and an
independent numeric evaluator.

Every accepted step ``prev = claimed`` must hold numerically. The evaluator here shares no
code with the rule engine: integrals are done by ``scipy.integrate.quad`` (one variable at a
time, innermost first, with its own sifting of δ factors), sums term by term (with SymPy's
Karr convention for reversed limits), derivatives by a 5-point stencil, Δ by its definition
and ∗/⋆ from the formulas in the operators' docstrings. Free symbols get random values that
respect their assumptions (integer, positive); a value that cannot be computed reliably
raises :class:`Unevaluable` and the sample is skipped.
"""

from __future__ import annotations

import contextlib
import functools
import math
import random
import signal
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sympy
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from scipy import integrate
from sympy import (
    Abs,
    Add,
    Basic,
    Derivative,
    DiracDelta,
    Dummy,
    Eq,
    Expr,
    Integral,
    KroneckerDelta,
    Mul,
    Piecewise,
    Rational,
    S,
    Subs,
    Sum,
    Symbol,
    cos,
    exp,
    oo,
    pi,
    sin,
)

from convmath import ProofError
from convmath.symbolic import Derivation, Step
from convmath.symbolic.operators import (
    OPERATOR_CLASSES,
    Convolution,
    CrossCorrelation,
    Difference,
    Partial,
)
from convmath.symbolic.rules import Rule

# -- symbols ------------------------------------------------------------------------------

x = Symbol("x", real=True)  # a free real parameter
p = Symbol("p", positive=True)  # a free positive parameter
s = Symbol("s")  # a free parameter of unknown sign
n = Symbol("n", integer=True)  # a free integer parameter
z, y, u = Symbol("z"), Symbol("y"), Symbol("u")  # bound (integration) variables
w = Symbol("w")  # the usual new variable of a substitution
v_pos = Symbol("v", positive=True)  # hostile new variables: assumptions a bound one lacks
i_int = Symbol("i", integer=True)
k, j, m = Symbol("k", integer=True), Symbol("j", integer=True), Symbol("m", integer=True)
t = Symbol("t")  # a summation variable without the integer assumption
reserved = Symbol("_z0")  # the name canonical() gives the outermost bound variable

Env = dict[Basic, float]
Fn = Callable[[Env], float]


class Unevaluable(Exception):
    """The value cannot be computed reliably here (divergent, singular, unsupported)."""


class StepTimeout(BaseException):
    """A step took longer than :data:`STEP_SECONDS` to check (a BaseException, so that no
    ``except Exception`` in the checker swallows it)."""


#: a step whose check takes longer is skipped (SymPy's simplify can take minutes)
STEP_SECONDS = 3.0


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`StepTimeout` in the block after ``seconds`` (where SIGALRM exists and
    this is the main thread; elsewhere, no limit)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def fire(signum: int, frame: Any) -> None:
        raise StepTimeout(f"more than {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# -- the numeric evaluator ------------------------------------------------------------------


def _dirac(a: float) -> float:
    if a == 0:
        raise Unevaluable("δ(0)")
    return 0.0


def _heaviside(a: float, h0: float = 0.5) -> float:
    return 1.0 if a > 0 else 0.0 if a < 0 else h0


_MODULE: dict[str, Any] = {
    "DiracDelta": _dirac,
    "KroneckerDelta": lambda a, b: 1.0 if a == b else 0.0,
    "Heaviside": _heaviside,
    "re": lambda a: a,  # every value here is real
    "im": lambda a: 0.0,
}
_STRUCTURED = (Integral, Sum, Derivative, Difference, Convolution, CrossCorrelation)
_UNSUPPORTED = (Subs, Partial, *[c for c in OPERATOR_CLASSES if c not in _STRUCTURED])
_ERRORS = (ValueError, ZeroDivisionError, OverflowError, TypeError, ArithmeticError)


def _finite(v: Any) -> float:
    if isinstance(v, complex):
        if abs(v.imag) > 1e-12 * max(1.0, abs(v.real)):
            raise Unevaluable("complex value")
        v = v.real
    try:
        f = float(v)
    except _ERRORS as exc:
        raise Unevaluable(str(exc)) from None
    if not math.isfinite(f):
        raise Unevaluable("not finite")
    return f


def _sym_key(a: Basic) -> tuple[str, str]:
    return (str(a), str(sorted(a.assumptions0.items())))


def _leaf(e: Basic) -> Fn:
    syms = sorted(e.free_symbols, key=_sym_key)
    try:
        f = sympy.lambdify(syms, e, modules=[_MODULE, "math"], dummify=True)
    except Exception as exc:
        raise Unevaluable(f"lambdify: {exc}") from None

    def run(env: Env) -> float:
        try:
            args = [env[a] for a in syms]
        except KeyError as exc:
            raise Unevaluable(f"no value for {exc}") from None
        try:
            return _finite(f(*args))
        except _ERRORS as exc:
            raise Unevaluable(str(exc)) from None

    return run


def _bound(e: Basic) -> Fn:
    """A limit: ±∞ or a finite value."""
    if e == oo:
        return lambda env: math.inf
    if e == -oo:
        return lambda env: -math.inf
    return _compile(e)


@functools.lru_cache(maxsize=4096)
def _compile(e: Basic) -> Fn:
    if isinstance(e, Integral):
        return _integral(e)
    if isinstance(e, Sum):
        return _sum(e)
    if isinstance(e, Derivative):
        return _derivative(e)
    if isinstance(e, Difference):
        return _difference(e)
    if isinstance(e, (Convolution, CrossCorrelation)):
        return _operator(e)
    if e.has(*_UNSUPPORTED):
        raise Unevaluable(f"unsupported: {type(e).__name__}")
    if not e.has(*_STRUCTURED):
        return _leaf(e)
    if isinstance(e, Piecewise) or not isinstance(e, Expr):
        raise Unevaluable("an integral inside a condition")
    parts = [_compile(a) for a in e.args]
    ds = [Dummy(f"a{i}") for i in range(len(e.args))]
    combine = _leaf(e.func(*ds))

    def run(env: Env) -> float:
        return combine({d: f(env) for d, f in zip(ds, parts, strict=True)})

    return run


def _quad(f: Callable[[float], float], a: float, b: float) -> float:
    if a == b:
        return 0.0
    if a > b:
        return -_quad(f, b, a)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            val, err = integrate.quad(f, a, b, epsabs=1e-12, epsrel=1e-12, limit=200)
        except Unevaluable:
            raise
        except Exception as exc:
            raise Unevaluable(f"quad: {exc}") from None
    if not math.isfinite(val) or err > 1e-9 * max(1.0, abs(val)):
        raise Unevaluable("quad did not converge")
    return float(val)


def _deltas_outside_own_binders(e: Basic, bound: frozenset[Basic] = frozenset()
                                ) -> list[tuple[Basic, frozenset[Basic]]]:
    """Every DiracDelta in ``e`` with the variables bound between ``e`` and it."""
    if isinstance(e, DiracDelta):
        return [(e, bound)]
    if isinstance(e, (Integral, Sum)):
        inner = bound | {lim[0] for lim in e.limits}
        return [d for a in e.args for d in _deltas_outside_own_binders(a, inner)]
    return [d for a in e.args for d in _deltas_outside_own_binders(a, bound)]


def _linear_root(arg: Expr, var: Symbol) -> tuple[Fn, Fn] | None:
    """(α, β) with arg = α·var + β, α and β free of var; None if not affine."""
    alpha = sympy.diff(arg, var)
    if var in alpha.free_symbols or alpha == 0:
        return None
    beta = sympy.expand(arg - alpha * var)
    if var in beta.free_symbols:
        return None
    return _compile(alpha), _compile(beta)


def _integral(e: Integral) -> Fn:
    limits = [tuple(lim) for lim in e.limits]
    if any(len(lim) != 3 for lim in limits):
        raise Unevaluable("indefinite integral")
    own = {lim[0] for lim in limits}
    v0 = limits[0][0]
    sifted: list[tuple[Fn, Fn, Fn]] = []
    regular: list[Basic] = []
    for term in Add.make_args(e.function):
        ds = [f for f in Mul.make_args(term) if isinstance(f, DiracDelta) and v0 in f.free_symbols]
        if not ds:
            regular.append(term)
            continue
        d = ds[0]
        root = _linear_root(d.args[0], v0) if len(ds) == 1 and len(d.args) == 1 else None
        if root is None:
            raise Unevaluable("a δ that cannot be sifted")
        rest = Mul(*[f for f in Mul.make_args(term) if f is not d])
        sifted.append((_compile(rest), *root))
        for dd, _ in _deltas_outside_own_binders(rest):
            if dd.free_symbols & own:
                raise Unevaluable("two δ factors in one variable")
    for dd, inner in _deltas_outside_own_binders(Add(*regular)):
        if dd.free_symbols & own and not dd.free_symbols & inner:
            raise Unevaluable("a δ of an outer integration variable")
    for lim in limits:
        if any(b.has(DiracDelta) for b in lim[1:]):
            raise Unevaluable("a δ in a limit")
    body = _compile(Add(*regular))
    bounds = [(_bound(lim[1]), _bound(lim[2])) for lim in limits]
    vars_ = [lim[0] for lim in limits]

    def level0(env: Env) -> float:
        a, b = bounds[0][0](env), bounds[0][1](env)
        total = _quad(lambda tt: body({**env, v0: tt}), a, b)
        for rest, alpha, beta in sifted:
            al = alpha(env)
            r = -beta(env) / al
            lo, hi = min(a, b), max(a, b)
            if min(abs(r - lo), abs(r - hi)) < 1e-9:
                raise Unevaluable("δ at an end point")
            if lo < r < hi:
                total += (1 if a < b else -1) * rest({**env, v0: r}) / abs(al)
        return total

    def nest(i: int, env: Env) -> float:
        if i == 0:
            return level0(env)
        a, b = bounds[i][0](env), bounds[i][1](env)
        return _quad(lambda tt: nest(i - 1, {**env, vars_[i]: tt}), a, b)

    return lambda env: nest(len(limits) - 1, env)


_TRUNC = 40


def _grid(a: float, b: float) -> list[float] | None:
    """The points of a sum from a to b in SymPy's convention, with the sign (Karr) folded in
    by the caller; None for an infinite range."""
    if math.isinf(a) or math.isinf(b):
        return None
    steps = b - a
    if abs(steps - round(steps)) > 1e-9:
        raise Unevaluable("the limits do not differ by an integer")
    count = round(steps) + 1
    if abs(count) > 5000:
        raise Unevaluable("too many terms")
    return [a + q for q in range(count)] if count > 0 else []


def _sum(e: Sum) -> Fn:
    limits = [tuple(lim) for lim in e.limits]
    if any(len(lim) != 3 for lim in limits):
        raise Unevaluable("sum without limits")
    v0 = limits[0][0]
    kd_terms: list[tuple[Fn, Fn, Fn]] = []
    plain: list[Basic] = []
    for term in Add.make_args(e.function):
        kds = [f for f in Mul.make_args(term)
               if isinstance(f, KroneckerDelta) and v0 in f.free_symbols]
        root = _linear_root(kds[0].args[0] - kds[0].args[1], v0) if kds else None
        if root is None:
            plain.append(term)
        else:
            kd_terms.append((_compile(term), *root))
    whole = _compile(e.function)
    body = _compile(Add(*plain))
    bounds = [(_bound(lim[1]), _bound(lim[2])) for lim in limits]
    vars_ = [lim[0] for lim in limits]

    def over(i: int, env: Env, f: Callable[[Env], float], a: float, b: float) -> float:
        var = vars_[i]
        pts = _grid(a, b)
        if pts is not None:
            if b < a - 1:  # Karr: Σ_{a}^{b} = −Σ_{b+1}^{a−1}
                return -over(i, env, f, b + 1, a - 1)
            return math.fsum(f({**env, var: q}) for q in pts)
        if math.isinf(a) and math.isinf(b) and a < b:
            lo, hi = -_TRUNC, _TRUNC
        elif math.isinf(b) and b > 0:
            lo, hi = a, a + 2 * _TRUNC
        elif math.isinf(a) and a < 0:
            lo, hi = b - 2 * _TRUNC, b
        else:
            raise Unevaluable("a sum from +∞ or to −∞")
        vals = [f({**env, var: lo + q}) for q in range(round(hi - lo) + 1)]
        total = math.fsum(vals)
        ends = [vals[0], vals[1], vals[-1], vals[-2]]
        if max(abs(e_) for e_ in ends) > 1e-20 * max(1.0, abs(total)):
            raise Unevaluable("the terms do not decay fast enough to truncate")
        return total

    def level0(env: Env) -> float:
        a, b = bounds[0][0](env), bounds[0][1](env)
        if not (math.isinf(a) or math.isinf(b)):
            return over(0, env, whole, a, b)
        total = over(0, env, body, a, b) if plain else 0.0
        for term, alpha, beta in kd_terms:
            r = -beta(env) / alpha(env)
            start = a if not math.isinf(a) else b if not math.isinf(b) else 0.0
            on_grid = abs((r - start) - round(r - start)) < 1e-9
            inside = (math.isinf(a) or r >= a - 1e-9) and (math.isinf(b) or r <= b + 1e-9)
            if a > b:
                raise Unevaluable("a reversed infinite sum")
            if on_grid and inside:
                total += term({**env, vars_[0]: start + round(r - start)})
        return total

    def nest(i: int, env: Env) -> float:
        if i == 0:
            return level0(env)
        a, b = bounds[i][0](env), bounds[i][1](env)
        return over(i, env, lambda en: nest(i - 1, en), a, b)

    return lambda env: nest(len(limits) - 1, env)


def _derivative(e: Derivative) -> Fn:
    if len(e.variable_count) != 1 or e.variable_count[0][1] != 1:
        raise Unevaluable("only first derivatives")
    var = e.variable_count[0][0]
    inner = _compile(e.expr)

    def run(env: Env) -> float:
        x0 = env.get(var, 0.375)  # any point when ``e`` does not depend on var
        h = 2e-3 * max(1.0, abs(x0))
        fs = [inner({**env, var: x0 + q * h}) for q in (-2, -1, 1, 2)]
        return (fs[0] - 8 * fs[1] + 8 * fs[2] - fs[3]) / (12 * h)

    return run


def _difference(e: Difference) -> Fn:
    inner, var = _compile(e.expr), e.var

    def run(env: Env) -> float:
        if var not in env:
            raise Unevaluable(f"no value for {var}")
        return inner({**env, var: env[var] + 1}) - inner(env)

    return run


def _operator(e: Convolution | CrossCorrelation) -> Fn:
    """(f ∗ g)(x) = ∫ f(τ) g(x − τ) dτ, (f ⋆ g)(x) = ∫ f(τ) g(x + τ) dτ (Σ on ℤ), 1-D."""
    if e.ndim != 1:
        raise Unevaluable("only 1-D operators")
    tau = Dummy("tau", integer=True) if e.discrete else Dummy("tau")
    sign = -1 if isinstance(e, Convolution) else 1
    body = e.f(tau) * e.g(e.point[0] + sign * tau)
    binder = Sum if e.discrete else Integral
    return _compile(binder(body, (tau, -oo, oo)))


def value(e: Basic, env: Env) -> float:
    """The numeric value of ``e`` with the free symbols set by ``env``."""
    if not isinstance(e, Expr):
        raise Unevaluable("not an expression")
    return _compile(e)(env)


def random_env(exprs: Sequence[Basic], seed: int) -> Env:
    """Random values for the free symbols of ``exprs``: integers in [−3, 3] for integer
    symbols, multiples of 1/8 in (0, 3] for positive ones, in [−2, 2] otherwise."""
    rng = random.Random(seed)
    syms: set[Basic] = set()
    for e in exprs:
        syms |= e.free_symbols
    env: Env = {}
    for a in sorted(syms, key=_sym_key):
        if a.is_integer:
            val = float(rng.randint(1 if a.is_positive else -3, 3))
        elif a.is_positive:
            val = rng.randint(1, 24) / 8
        elif a.is_negative:
            val = -rng.randint(1, 24) / 8
        else:
            val = rng.randint(-16, 16) / 8
        env[a] = val
    return env


def _has_derivative(e: Basic) -> bool:
    return bool(e.has(Derivative))


def numerically_equal(a: Basic, b: Basic, env: Env) -> tuple[bool, float, float]:
    """(equal?, value of a, value of b) at ``env``; raises :class:`Unevaluable`."""
    va, vb = value(a, env), value(b, env)
    tol = 1e-6 if _has_derivative(a) or _has_derivative(b) else 1e-8
    return abs(va - vb) <= tol * max(1.0, abs(va), abs(vb)), va, vb


def _violates(conditions: Sequence[Any], env: Env) -> bool:
    """True when ``env`` falls outside an unstated side condition of the step that numbers
    can decide: "``subject`` is an integer" (kind ``domain``) at a non-integer value."""
    for c in conditions:
        c = c[1] if isinstance(c, tuple) else c
        if getattr(c, "kind", None) != "domain" or "integer" not in str(getattr(c, "extra", "")):
            continue
        try:
            val = value(c.subject, env)
        except Unevaluable:
            return True
        if abs(val - round(val)) > 1e-9:
            return True
    return False


def assert_numerically_equal(a: Basic, b: Basic, seeds: Sequence[int], what: str = "",
                             conditions: Sequence[Any] = ()) -> int:
    """Assert ``a == b`` at the points drawn from ``seeds`` (skipping points outside the
    step's unstated ``conditions``); return how many points could be evaluated (0: nothing
    was checked)."""
    checked = 0
    for seed in seeds:
        env = random_env([a, b], seed)
        if _violates(conditions, env):
            continue
        try:
            with deadline(STEP_SECONDS):
                ok, va, vb = numerically_equal(a, b, env)
        except (Unevaluable, StepTimeout):
            continue
        checked += 1
        assert ok, (
            f"accepted but numerically wrong{': ' + what if what else ''}\n"
            f"  prev:    {sympy.srepr(a)}\n  claimed: {sympy.srepr(b)}\n"
            f"  prev = {a}\n  claimed = {b}\n"
            f"  at {env}: prev ≈ {va!r}, claimed ≈ {vb!r}"
        )
    return checked


# -- running a step -------------------------------------------------------------------------


def verify_step(prev: Basic, claimed: Basic, rule: Rule, domain: str) -> Any:
    """What ``verify()`` returns when a one-step derivation prev = claimed by ``rule``
    verifies; None when it is rejected with a ProofError (any other exception propagates).
    Raises :class:`StepTimeout` when the check takes more than :data:`STEP_SECONDS`."""
    d = Derivation(name="rand", domain=domain, title="random",
                   statement=Eq(prev, claimed, evaluate=False),
                   steps=(Step(claimed, rule),), hypotheses=())
    try:
        with deadline(STEP_SECONDS):
            return d.verify()
    except ProofError:
        return None


def _event(what: str) -> None:
    """Count ``what`` in Hypothesis's statistics (when called from a Hypothesis test)."""
    if currently_in_test_context():
        event(what)


def check_step(prev: Basic, claimed: Basic, rule: Rule, domain: str,
               seeds: Sequence[int]) -> str:
    """Verify the step; if accepted, it must hold numerically. Returns what happened."""
    if not isinstance(claimed, Expr):
        return "skipped"
    try:
        verified = verify_step(prev, claimed, rule, domain)
    except StepTimeout:
        _event(f"{type(rule).__name__}: timed out")
        return "timed out"
    if verified is None:
        _event(f"{type(rule).__name__}: rejected")
        return "rejected"
    unstated = tuple(getattr(verified, "unstated", ()))
    what = f"by {rule!r}" + (f" (unstated side conditions: {unstated})" if unstated else "")
    checked = assert_numerically_equal(prev, claimed, seeds, what, unstated)
    _event(f"{type(rule).__name__}: accepted, {'checked' if checked else 'unevaluable'}")
    return "accepted" if checked else "unevaluable"


def rule_result(rule: Rule, prev: Basic) -> Basic | None:
    """``rule.apply(prev)``, or None when the rule does not apply (whatever it raises)."""
    try:
        got = rule.apply(prev)
    except Exception:
        return None
    return got if isinstance(got, Expr) else None


# -- expressions ----------------------------------------------------------------------------

Draw = Callable[[st.SearchStrategy[Any]], Any]

_HALF = Rational(1, 2)


def pick(draw: Draw, options: Sequence[Any]) -> Any:
    return draw(st.sampled_from(list(options)))


def _coef(draw: Draw) -> Expr:
    return sympy.sympify(pick(draw, [1, 1, 2, -1, _HALF, Rational(-3, 2), 3]))


def decaying_factor(draw: Draw, var: Symbol, params: Sequence[Expr], discrete: bool) -> Expr:
    """A factor that decays fast enough to integrate (or sum) over an infinite range."""
    c = pick(draw, [0, 0, 1, -1, _HALF, *params])
    if discrete:
        return pick(draw, [exp(-(var - c) ** 2), exp(-(var - c) ** 2 / 2),
                           exp(-var**2) * (var - c) ** 2])
    return pick(draw, [exp(-(var - c) ** 2), exp(-(var - c) ** 2 / 2) * (var - c),
                       1 / (1 + (var - c) ** 2) ** 2, exp(-var**2) * cos(var + c),
                       exp(-(var - c) ** 2) * Abs(var)])


def bounded_factor(draw: Draw, var: Symbol, params: Sequence[Expr], discrete: bool) -> Expr:
    """A smooth factor (polynomial, exp, trigonometric, |·|, a bump) for finite ranges."""
    c = pick(draw, [0, 1, -1, _HALF, 2, *params])
    opts: list[Expr] = [S.One, var, (var - c) ** 2, var**3 - c, exp(var / 2 + c),
                        sin(var + c), cos(pi * var), sin(pi * var), Abs(var - c),
                        1 / (1 + var**2)]
    if discrete:
        opts += [KroneckerDelta(var, c) if c != _HALF else var, var * (var - 1), (-1) ** var]
    return pick(draw, opts)


def coupling(draw: Draw, var: Symbol, param: Expr) -> Expr:
    """A factor that depends on both ``var`` and ``param`` (for d/dparam under ∫)."""
    return pick(draw, [exp(-((var - param) ** 2)), sin(param * var), (var + param) ** 2,
                       exp(param * var / 4), param * var, 1 / (1 + (var - param) ** 2)])


def sensitive_factor(draw: Draw, var: Symbol) -> Expr:
    """A factor whose value SymPy would change if ``var`` were declared an integer or
    positive (sin(πz) → 0, cos(πz)² → 1, |z| → z, …): bait for bound variables that gain
    assumptions."""
    return pick(draw, [sin(pi * var), cos(pi * var) ** 2, Abs(var), sin(pi * var) + var,
                       cos(2 * pi * var), Abs(var) * var, sympy.sqrt(var**2)])


def integrand(draw: Draw, var: Symbol, params: Sequence[Expr], *, infinite: bool,
              discrete: bool = False, sensitive: bool = False) -> Expr:
    """A sum of one or two terms, each a coefficient times smooth factors of ``var`` (and of
    ``params``), decaying when the range is infinite; with ``sensitive``, the first term has
    a :func:`sensitive_factor`."""
    terms = []
    for q in range(draw(st.integers(1, 2))):
        first = sensitive_factor(draw, var) if sensitive and q == 0 else bounded_factor(
            draw, var, params, discrete)
        term = _coef(draw) * first
        if infinite:
            term *= decaying_factor(draw, var, params, discrete)
        elif draw(st.booleans()):
            term *= bounded_factor(draw, var, params, discrete)
        if params and draw(st.integers(0, 3)) == 0:
            term *= pick(draw, params)
        terms.append(term)
    return Add(*terms)


def int_limits(draw: Draw, params: Sequence[Expr]) -> tuple[Expr, Expr, bool]:
    """(lo, hi, infinite?) for an integral; the range may be reversed or depend on params."""
    if draw(st.integers(0, 3)) == 0:
        lo, hi = pick(draw, [(-oo, oo), (-oo, oo), (oo, -oo), (0, oo), (-oo, 1), (1, -oo)])
        return sympy.sympify(lo), sympy.sympify(hi), True
    ends = [-2, -1, 0, _HALF, 1, 2, 3, *params, *[q + 1 for q in params],
            *[2 * q for q in params], *[1 - q for q in params]]
    lo, hi = pick(draw, ends), pick(draw, ends)
    return sympy.sympify(lo), sympy.sympify(hi), False


def sum_limits(draw: Draw, params: Sequence[Expr], *, hostile: bool = True,
               finite: bool = False) -> tuple[Expr, Expr, bool]:
    """(lo, hi, infinite?) for a sum: small integers, reversed (Karr) ranges, ranges
    depending on integer params, infinite ranges unless ``finite``; with ``hostile`` also
    half-integer ranges."""
    if not finite and draw(st.integers(0, 4)) == 0:
        lo, hi = pick(draw, [(-oo, oo), (-oo, oo), (0, oo), (-oo, 2)])
        return sympy.sympify(lo), sympy.sympify(hi), True
    ends = [-4, -2, -1, 0, 1, 2, 3, 6, *params, *[q + 1 for q in params],
            *[2 - q for q in params]]
    lo, hi = pick(draw, ends), pick(draw, ends)
    if hostile and draw(st.integers(0, 5)) == 0:
        lo, hi = lo + _HALF, hi + _HALF
    return sympy.sympify(lo), sympy.sympify(hi), False


REAL_KINDS = ("single", "combo", "iterated", "nested", "triple", "shadow", "limitvar",
              "reserved")
INTEGER_KINDS = ("single", "combo", "iterated", "nested", "half", "kronecker", "shadow",
                 "limitvar")


def real_shape(draw: Draw, kinds: Sequence[str] = REAL_KINDS, sensitive: bool = False
               ) -> Expr:
    """A random expression with integrals: single, a combination, iterated (limits depending
    on the outer variable), nested, triple (a middle limit naming the outer variable), or
    with hostile names (a free symbol shadowing a bound one, a limit naming the bound
    variable, a free symbol named like canonical()'s bound variables)."""
    shape = pick(draw, kinds)
    gen = functools.partial(integrand, draw, sensitive=sensitive)
    free = pick(draw, [[], [x], [p], [x, p]])
    if shape in ("single", "combo"):
        lo, hi, inf = int_limits(draw, free)
        e: Expr = Integral(gen(z, free, infinite=inf), (z, lo, hi))
        if shape == "combo":
            lo2, hi2, inf2 = int_limits(draw, free)
            other = Integral(gen(y, free, infinite=inf2), (y, lo2, hi2))
            e = _coef(draw) * e + pick(draw, [1, x, p, pick(draw, free or [1]) * other])
        return e
    if shape in ("iterated", "nested"):
        lo2, hi2, inf2 = int_limits(draw, free)
        lo1, hi1, inf1 = int_limits(draw, [y, *free])
        body = gen(z, [y, *free], infinite=inf1)
        if inf2:
            body *= decaying_factor(draw, y, free, False)
        if shape == "iterated":
            return Integral(body, (z, lo1, hi1), (y, lo2, hi2))
        outer = bounded_factor(draw, y, free, False)
        return Integral(outer * Integral(body, (z, lo1, hi1)), (y, lo2, hi2))
    if shape == "triple":
        body = gen(z, [y, u], infinite=False)
        return Integral(body, (z, 0, pick(draw, [1, y, u])), (u, 0, pick(draw, [y, 1, 2])),
                        (y, pick(draw, [0, -1]), 1))
    if shape == "shadow":
        lo, hi, inf = int_limits(draw, [])
        inner = Integral(gen(z, [], infinite=inf), (z, lo, hi))
        return pick(draw, [z, y, z + 1]) * inner + pick(draw, [0, Integral(z * y, (y, 0, 1))])
    if shape == "limitvar":
        body = gen(z, [y], infinite=False)
        return pick(draw, [Integral(body, (z, 0, z)), Integral(body, (z, 0, 1), (y, 0, z)),
                           Integral(body, (z, y, 1), (y, 0, 1)) * z,
                           Integral(body, (z, 0, 1), (y, z, 2))])
    lo, hi, inf = int_limits(draw, [])
    return Integral(reserved * gen(z, [], infinite=inf), (z, lo, hi))


def integer_shape(draw: Draw, kinds: Sequence[str] = INTEGER_KINDS, sensitive: bool = False
                  ) -> Expr:
    """A random expression with sums (the ℤ analogue of :func:`real_shape`), including sums
    over half-integer ranges with a summation variable that is not declared an integer."""
    shape = pick(draw, kinds)
    gen = functools.partial(integrand, draw, sensitive=sensitive)
    free = pick(draw, [[], [n], [n], [x]])
    ifree = [q for q in free if q.is_integer]
    if shape in ("single", "combo"):
        lo, hi, inf = sum_limits(draw, ifree, hostile=False)
        e: Expr = Sum(gen(k, free, infinite=inf, discrete=True), (k, lo, hi))
        if shape == "combo":
            lo2, hi2, inf2 = sum_limits(draw, ifree, hostile=False)
            other = Sum(gen(j, free, infinite=inf2, discrete=True), (j, lo2, hi2))
            e = _coef(draw) * e + pick(draw, [1, n, other, n * other])
        return e
    if shape in ("iterated", "nested"):
        lo2, hi2, inf2 = sum_limits(draw, ifree, hostile=False)
        lo1, hi1, inf1 = sum_limits(draw, [j, *ifree], hostile=False)
        body = gen(k, [j, *free], infinite=inf1, discrete=True)
        if inf2:
            body *= decaying_factor(draw, j, free, True)
        if shape == "iterated":
            return Sum(body, (k, lo1, hi1), (j, lo2, hi2))
        return Sum(bounded_factor(draw, j, free, True) * Sum(body, (k, lo1, hi1)),
                   (j, lo2, hi2))
    if shape == "half":
        lo, hi, _ = sum_limits(draw, [], hostile=False)
        shift = pick(draw, [_HALF, _HALF, Rational(1, 3), x])
        return Sum(gen(t, free, infinite=False), (t, lo + shift, hi + shift))
    if shape == "kronecker":
        c = pick(draw, [0, 2, -1, n, n + 1, *ifree])
        body = gen(k, free, infinite=False, discrete=True)
        return Sum(body * KroneckerDelta(k, c), (k, -oo, oo))
    if shape == "limitvar":
        body = gen(k, [j], infinite=False, discrete=True)
        return pick(draw, [Sum(body, (k, 0, k)), Sum(body, (k, 0, 2), (j, 0, k)),
                           Sum(body, (k, j, 2), (j, 0, 2)) * k,
                           Sum(body, (k, -1, 2), (m, 0, j), (j, 0, 2))])
    lo, hi, inf = sum_limits(draw, [], hostile=False)
    inner = Sum(gen(k, [], infinite=inf, discrete=True), (k, lo, hi))
    return pick(draw, [k, k + 1, j]) * inner


# -- claims ---------------------------------------------------------------------------------


def _binders(e: Basic) -> list[Basic]:
    return [b for b in sympy.preorder_traversal(e) if isinstance(b, (Integral, Sum))]


def mutate(draw: Draw, e: Expr) -> Expr:
    """A plausible-looking variant of ``e``: a limit moved by 1 or swapped, a sign flipped,
    the body scaled (a lost Jacobian), a constant or a free symbol shifted, a term dropped."""
    kind = pick(draw, ["negate", "limit", "swap", "body", "number", "symbol", "drop"])
    binders = _binders(e)
    if kind in ("limit", "swap", "body") and binders:
        b = pick(draw, binders)
        lims = [list(lim) for lim in b.limits]
        li = draw(st.integers(0, len(lims) - 1))
        if kind == "limit" and len(lims[li]) == 3:
            end = draw(st.integers(1, 2))
            if lims[li][end].is_finite:
                lims[li][end] += pick(draw, [1, -1])
        elif kind == "swap" and len(lims[li]) == 3:
            lims[li][1], lims[li][2] = lims[li][2], lims[li][1]
        body = b.function
        if kind == "body":
            body = body * pick(draw, [-1, 2, _HALF]) if draw(st.booleans()) else body + 1
        new = type(b)(body, *[tuple(lim) for lim in lims])
        return e.xreplace({b: new})
    if kind == "number":
        nums = sorted({a for a in e.atoms(sympy.Rational) if a not in (0, 1, -1)}, key=str)
        if nums:
            a = pick(draw, nums)
            return e.xreplace({a: a + 1})
    free = sorted(set(e.free_symbols) - set(bound_variables(e)), key=_sym_key)
    if kind == "symbol" and free:
        a = pick(draw, free)
        return e.xreplace({a: a + 1})
    if kind == "drop" and isinstance(e, Add):
        args = list(e.args)
        args.pop(draw(st.integers(0, len(args) - 1)))
        return Add(*args)
    return -e


def bound_variables(e: Basic) -> list[Symbol]:
    out: dict[Symbol, None] = {}
    for b in _binders(e):
        for lim in b.limits:
            out[lim[0]] = None
    return list(out)


def affine_maps(draw: Draw, new: Symbol, discrete: bool, extra: Sequence[Expr]) -> Expr:
    """old = a·new + b: scalings from {±2, ±1, ±1/2, 3, p, −p, s}, shifts from small numbers,
    free symbols and ``extra`` (other bound variables); sometimes nonsense (new², Piecewise,
    exp)."""
    if draw(st.integers(0, 7)) == 0:
        return pick(draw, [new**2, exp(new), new + new**2 / 4, sin(new),
                           Piecewise((new, new > 0), (2 * new, True)), new - new + 1])
    if discrete:
        a = pick(draw, [1, 1, -1, -1, 2, _HALF])
        b = pick(draw, [0, 1, -2, 3, n, n - 1, _HALF, x, *extra])
    else:
        a = pick(draw, [-2, -1, -_HALF, _HALF, 1, 1, 2, 3, p, -p, s])
        b = pick(draw, [0, 1, -1, _HALF, 2, x, p, *extra])
    return a * new + b


def substitutions(draw: Draw, prev: Expr, discrete: bool, hostile: bool = False
                  ) -> tuple[Symbol, Expr, Symbol]:
    """A random (old, old = φ(new), new) for ``prev``: ``old`` usually bound in it; with
    ``hostile``, a new variable that is in use, free, or carries assumptions."""
    bound = bound_variables(prev)
    if hostile and bound:
        old = pick(draw, bound)
        new = pick(draw, [i_int, v_pos, *bound, x, n, t] if not discrete
                   else [t, i_int, *bound, n, m])
        a = pick(draw, [1, 2, -1, _HALF] if not discrete else [1, -1])
        return old, a * new + pick(draw, [0, 1, _HALF, *bound]), new
    old = pick(draw, bound) if bound and draw(st.integers(0, 9)) else pick(draw, [z, k, x])
    new = pick(draw, [j, j, m, t]) if discrete else pick(draw, [w, w, w, u])
    extra = [b_ for b_ in bound if b_ != old] + [old]
    return old, affine_maps(draw, new, discrete, extra), new


def retyped(draw: Draw, e: Expr) -> Expr:
    """``e`` with one bound variable replaced by a same-named symbol that is declared an
    integer or positive (SymPy evaluates with the new assumptions as it rebuilds)."""
    binders = _binders(e)
    if not binders:
        return e
    b = pick(draw, binders)
    var = pick(draw, [lim[0] for lim in b.limits])
    new = Symbol(var.name, **pick(draw, [{"integer": True}, {"positive": True}]))
    return e.xreplace({b: b.xreplace({var: new})})


def expanded_bodies(e: Expr) -> Expr:
    """``e`` with the body of every integral and sum expanded (an identity)."""
    return e.replace(lambda a: isinstance(a, (Integral, Sum)),
                     lambda a: type(a)(sympy.expand(a.function), *a.limits))


def load_fuzz_settings() -> Any:
    """The ``fuzz_common`` module of tests/fuzz (FUZZ settings, CONVMATH_FUZZ=long), loaded
    under its own name so that the fuzz tests share it."""
    import importlib.util
    import sys
    from pathlib import Path

    mod = sys.modules.get("fuzz_common")
    if mod is None:
        path = Path(__file__).resolve().parents[1] / "fuzz" / "fuzz_common.py"
        spec = importlib.util.spec_from_file_location("fuzz_common", path)
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules["fuzz_common"] = mod
        spec.loader.exec_module(mod)
    return mod


# -- naive versions of the rules (what a sloppy checker would accept) ------------------------
#
# When a rule refuses to apply, these still give a claim: the textbook transformation done
# without any of the side checks (capture, dependent limits, orientation, assumptions). The
# rule must reject the claim whenever it is wrong.


def _binders_binding(e: Basic, var: Basic) -> list[Basic]:
    return [b for b in _binders(e) if any(lim[0] == var for lim in b.limits)]


def naive_rename(e: Expr, old: Symbol, new: Symbol) -> Expr | None:
    found = _binders_binding(e, old)
    return e.xreplace({b: b.xreplace({old: new}) for b in found}) if found else None


def naive_swap(e: Expr, a: Symbol, b: Symbol) -> Expr | None:
    for binder in _binders(e):
        names = [lim[0] for lim in binder.limits]
        if a in names and b in names and a != b:
            lims = [tuple(lim) for lim in binder.limits]
            i, k_ = names.index(a), names.index(b)
            lims[i], lims[k_] = lims[k_], lims[i]
            return e.xreplace({binder: type(binder)(binder.function, *lims)})
    return None


def naive_exchange(e: Expr) -> Expr | None:
    for b in _binders(e):
        if isinstance(b, Integral) and isinstance(b.function, Sum):
            inner = b.function
            return e.xreplace({b: Sum(Integral(inner.function, *b.limits), *inner.limits)})
    return None


def naive_sift(e: Expr) -> Expr | None:
    """Replace the bound variable by the root of the first δ factor (no Jacobian, no range
    check, capturing substitution)."""
    for b in _binders(e):
        v = b.limits[0][0]
        for fac in Mul.make_args(b.function):
            if isinstance(fac, DiracDelta):
                arg = fac.args[0]
            elif isinstance(fac, KroneckerDelta):
                arg = fac.args[0] - fac.args[1]
            else:
                continue
            sol = sympy.solve(arg, v)
            if len(sol) != 1:
                continue
            rest = Mul(*[f for f in Mul.make_args(b.function) if f is not fac]).subs(v, sol[0])
            new = type(b)(rest, *b.limits[1:]) if len(b.limits) > 1 else rest
            return e.xreplace({b: new})
    return None


def naive_under(e: Expr) -> Expr | None:
    """d/dx ∫ F = ∫ ∂F/∂x and Δ Σ F = Σ ΔF, ignoring limits that depend on x (or n)."""
    for node in sympy.preorder_traversal(e):
        if isinstance(node, Derivative) and isinstance(node.expr, (Integral, Sum)):
            b = node.expr
            body = sympy.diff(b.function, *node.variable_count)
            return e.xreplace({node: type(b)(body, *b.limits)})
        if isinstance(node, Difference) and isinstance(node.expr, (Integral, Sum)):
            b, var = node.expr, node.var
            body = b.function.subs(var, var + 1) - b.function
            return e.xreplace({node: type(b)(body, *b.limits)})
    return None


def naive_substitute(e: Expr, old: Symbol, phi: Expr, new: Symbol) -> Expr | None:
    """old = a·new + b with the Jacobian and the limits mapped, but no check of the map, of
    capture, or of the new variable."""
    found = _binders_binding(e, old)
    if not found:
        return None
    a = sympy.diff(phi, new)
    if a.has(new) or a == 0:
        return None
    b0 = sympy.expand(phi - a * new)
    out = {}
    for binder in found:
        lims = []
        for lim in binder.limits:
            if lim[0] != old or len(lim) != 3:
                lims.append(tuple(lim))
                continue
            lo, hi = ((lim_ - b0) / a if lim_ not in (oo, -oo) else lim_ for lim_ in lim[1:])
            if isinstance(binder, Sum) and a == -1:
                lo, hi = hi, lo
            lims.append((new, lo, hi))
        body = binder.function.subs(old, phi)
        if isinstance(binder, Integral):
            body *= a
        out[binder] = type(binder)(body, *lims)
    return e.xreplace(out)
