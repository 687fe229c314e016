"""The continuous theorems of the registry, checked by quadrature on concrete functions.

1. Every theorem of :func:`convmath.symbolic.derivations` on ℝ, ℝ², ℝ³ is instantiated from
   its statement: each undefined function becomes a concrete one drawn by Hypothesis (a
   Gaussian of any mean and width, a smooth bump exp(−1/(1 − u²)), a one-sided exponential
   e^{−u}·[u ≥ 0] — one factor per coordinate, a different function per channel index),
   each free symbol (x, a, b, c, ξ, C) a drawn number, and both sides are evaluated by
   continuous_eval.py: ∗, ⋆ and ℱ by quadrature of their defining integrands, ∂ of a
   function from its closed form, ∂ of a convolution by a central difference. The list
   comes from the registry, so a new continuous theorem is checked without new code; a
   theorem the evaluator cannot compute must be listed in SKIP with its reason.
2. The evaluator itself: its values are within its own error estimate of closed forms
   (and of scipy's adaptive quadrature), and statements that are false are rejected.
3. The convolution theorem against scipy.fft on a fine grid, with a stated bound for the
   discretisation (Poisson summation: aliasing of the Gaussians' transforms), the grids'
   truncation and the FFT's rounding.

Tolerances are never chosen by hand: they are the quadrature's error estimate (a side
evaluated with 16- and 10-point panels, difference steps h and 2h; see
continuous_eval.compare), plus stated bounds for rounding and for the tails cut off.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import pytest
import scipy.fft
import scipy.integrate
import sympy
from continuous_eval import (
    Comparison,
    Concrete,
    Factor,
    Unsupported,
    compare,
    functions_of,
    on_grid,
    smooth_required,
)
from dimension_instances import untwinned_instances
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Eq, Function, Lambda, Symbol

from convmath.symbolic import conv, derivations, fourier, xcorr

# the theorems on ℝ, ℝ², ℝ³, and those on ℝᵈ at d = 1, 2 unless a registered theorem is the
# same instance (dimension_instances.py)
CONTINUOUS = [d for d in derivations() if d.domain.startswith("ℝ") and d.domain != "ℝᵈ"] + \
    untwinned_instances(discrete=False)
BY_KEY = {d.key: d for d in CONTINUOUS}

# Theorems on ℝⁿ not evaluated here, each with its reason. Every other continuous theorem is
# evaluated (test_every_continuous_theorem_is_evaluated_or_skipped), and every theorem listed
# here must really be out of the evaluator's reach (test_skipped_theorems_are_out_of_reach),
# so an entry cannot outlive its reason.
_DIRAC = ("δ is the Dirac distribution, not a function: the integrand δ(x − z)·f(z) has no "
          "values to integrate by quadrature (the identity is the sifting property, a "
          "statement about distributions)")
SKIP: dict[str, str] = {
    "conv_delta:R": _DIRAC,
    "conv_delta:R2": _DIRAC,
    "conv_delta:R3": _DIRAC,
    "delta_conv:R": _DIRAC,
    "delta_conv:R2": _DIRAC,
    "delta_conv:R3": _DIRAC,
    "xcorr_comm_counterexample:R": (
        "its functions are Dirac impulses δ and δ(· − 1) and its right-hand side "
        "δ(x − 1) − δ(x + 1) is a distribution: neither side has a value at a point"),
    **{f"conv_linear_map:{dom}:from_Rd": (
        "|det A| and f(A z) with a general matrix A: the evaluator's separable quadrature has "
        "no |·| and A mixes the coordinates; tests/symbolic/test_dimension_free.py checks "
        "the identity on a grid") for dom in ("R", "R2")},
    **{f"xcorr_comm_counterexample:{dom}:from_Rd": (
        "the ℝᵈ counterexample at d = 1, 2: Dirac impulses δ and δ(· − e), a distribution on "
        "each side") for dom in ("R", "R2")},
}
EVALUATED = [d.key for d in CONTINUOUS if d.key not in SKIP]


def _ndim(domain: str) -> int:
    rest = domain[1:]
    return {"": 1, "²": 2, "³": 3}.get(rest) or int(rest.lstrip("^"))


# -- concrete functions and numbers --------------------------------------------------------------

FAMILIES = ("gauss", "bump", "onesided")
SMOOTH = ("gauss", "bump")  # for the functions a statement differentiates (C¹ hypotheses)
#: σ of a Gaussian, radius of a bump, 1/λ of a one-sided exponential e^{−λ(t − s)}
WIDTHS = {"gauss": (0.4, 1.0), "bump": (0.8, 1.6), "onesided": (1 / 3, 1.0)}


@st.composite
def factors(draw: Any, smooth: bool) -> Factor:
    family = draw(st.sampled_from(SMOOTH if smooth else FAMILIES))
    return Factor(family, draw(st.floats(-0.5, 0.5)), draw(st.floats(*WIDTHS[family])))


@st.composite
def concrete(draw: Any, arity: int, ndim: int, smooth: bool) -> Concrete:
    """A separable function of ``arity`` arguments: the last ``ndim`` are coordinates, the
    others (a channel) move the centres and scale the amplitude."""
    parts = tuple(draw(factors(smooth)) for _ in range(min(arity, ndim)))
    amplitude = draw(st.floats(0.5, 2.0)) * draw(st.sampled_from((1, -1)))
    return Concrete(parts, amplitude, draw(st.floats(-0.5, 0.5)), draw(st.floats(-0.3, 0.3)))


def scalars(s: Symbol) -> st.SearchStrategy[Any]:
    if s.is_integer:
        return st.integers(1, 3) if s.is_positive else st.integers(-2, 2)
    # away from 0, which Hypothesis favours and which makes a scalar factor c trivial
    sign = st.sampled_from((1.0, -1.0))
    if str(s).startswith("ξ"):  # a frequency
        return st.tuples(st.floats(0.05, 0.8), sign).map(lambda v: v[0] * v[1])
    # a point, a translation, a scalar factor
    return st.tuples(st.floats(0.05, 1.0), sign).map(lambda v: v[0] * v[1])


def instantiate(d: Any, data: st.DataObject) -> tuple[dict[str, Concrete], dict[Any, Any]]:
    """Concrete functions for the statement's undefined functions (those it differentiates
    smooth), numbers for its free symbols."""
    statement, ndim = d.statement, _ndim(d.domain)
    smooth = smooth_required(statement)
    functions = {name: data.draw(concrete(arity, ndim, name in smooth), label=name)
                 for name, arity in sorted(functions_of(statement).items())}
    values = {s: data.draw(scalars(s), label=str(s))
              for s in sorted(statement.free_symbols, key=str)}
    return functions, values


def _report(c: Comparison, functions: dict[str, Concrete], values: dict[Any, Any]) -> str:
    return (f"{c}\n  functions: " + "; ".join(f"{k} = {v.describe()}"
                                                for k, v in functions.items())
            + "\n  values: " + ", ".join(f"{k} = {v}" for k, v in values.items()))


# -- 1. the registry -------------------------------------------------------------------------------


def test_every_continuous_theorem_is_evaluated_or_skipped() -> None:
    keys = {d.key for d in CONTINUOUS}
    assert keys, "the registry has no theorem on ℝⁿ"
    assert not set(SKIP) - keys, f"SKIP names no registered theorem: {set(SKIP) - keys}"
    assert set(EVALUATED) | set(SKIP) == keys
    assert not set(EVALUATED) & set(SKIP)
    assert all(reason.strip() for reason in SKIP.values())


@pytest.mark.parametrize("key", sorted(SKIP))
def test_skipped_theorems_are_out_of_reach(key: str) -> None:
    """A skipped theorem really has a node the evaluator refuses (not just a slow one)."""
    d = BY_KEY[key]
    ndim = _ndim(d.domain)
    functions = {name: Concrete(tuple(Factor("gauss", 0.1, 0.7)
                                      for _ in range(min(arity, ndim))))
                 for name, arity in functions_of(d.statement).items()}
    values = {s: 2 if s.is_integer else 0.37 for s in d.statement.free_symbols}
    with pytest.raises(Unsupported):
        compare(d.statement.lhs, d.statement.rhs, functions, values)


@pytest.mark.parametrize("key", EVALUATED)
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_registry_statement_holds_by_quadrature(key: str, data: st.DataObject) -> None:
    d = BY_KEY[key]
    for _ in range(3):
        functions, values = instantiate(d, data)
        c = compare(d.statement.lhs, d.statement.rhs, functions, values)
        assert c.holds, f"{key}: {_report(c, functions, values)}"
        if max(abs(c.lhs), abs(c.rhs)) > 1e-6:
            break  # else the supports missed each other (both sides 0): draw again


# -- 2. the evaluator against closed forms, and on false statements -----------------------------

f, g, h = Function("f"), Function("g"), Function("h")
x, x1, x2, xi = sympy.symbols("x x1 x2 ξ", real=True)
t = Symbol("t")
SQRT2PI = math.sqrt(2 * math.pi)


def _gauss(mu: float, sigma: float, amp: float = 1.0) -> Concrete:
    return Concrete((Factor("gauss", mu, sigma),), amp)


def _number(v: complex) -> sympy.Expr:
    """A closed-form value as a SymPy number (built from floats, nothing parsed)."""
    return sympy.Float(v.real, 17) + sympy.I * sympy.Float(v.imag, 17)


gauss_params = st.tuples(st.floats(-1, 1), st.floats(0.4, 1.0), st.floats(0.5, 2.0))


class Case(NamedTuple):
    """An expression, its instance, and its exact value (``reference_error``: the
    reference's own error bound, when it is computed rather than a closed form)."""

    expr: Any
    functions: dict[str, Concrete]
    values: dict[Any, Any]
    exact: complex
    reference_error: float = 0.0


def _case_conv_gauss(data: st.DataObject) -> Case:
    (m1, s1, a1), (m2, s2, a2) = data.draw(gauss_params), data.draw(gauss_params)
    p = data.draw(st.floats(-2, 2))
    s = math.hypot(s1, s2)
    exact = a1 * a2 * SQRT2PI * s1 * s2 / s * math.exp(-(p - m1 - m2) ** 2 / (2 * s * s))
    return Case(conv(f, g, x), {"f": _gauss(m1, s1, a1), "g": _gauss(m2, s2, a2)}, {x: p},
                exact)


def _case_xcorr_gauss(data: st.DataObject) -> Case:
    (m1, s1, a1), (m2, s2, a2) = data.draw(gauss_params), data.draw(gauss_params)
    p = data.draw(st.floats(-2, 2))
    s = math.hypot(s1, s2)
    exact = a1 * a2 * SQRT2PI * s1 * s2 / s * math.exp(-(p - (m2 - m1)) ** 2 / (2 * s * s))
    return Case(xcorr(f, g, x), {"f": _gauss(m1, s1, a1), "g": _gauss(m2, s2, a2)}, {x: p},
                exact)


def _case_conv_onesided(data: st.DataObject) -> Case:
    """(e^{−λ₁(·−s₁)}u ∗ e^{−λ₂(·−s₂)}u)(x) = (e^{−λ₂y} − e^{−λ₁y})/(λ₁ − λ₂), y = x − s₁ − s₂."""
    s1, s2 = data.draw(st.floats(-1, 1)), data.draw(st.floats(-1, 1))
    tau1 = data.draw(st.floats(1 / 3, 1.0))
    tau2 = tau1 * data.draw(st.floats(1.3, 2.5))
    p = data.draw(st.floats(-1, 4))
    y = p - s1 - s2
    l1, l2 = 1 / tau1, 1 / tau2
    exact = (math.exp(-l2 * y) - math.exp(-l1 * y)) / (l1 - l2) if y > 0 else 0.0
    fns = {"f": Concrete((Factor("onesided", s1, tau1),)),
           "g": Concrete((Factor("onesided", s2, tau2),))}
    return Case(conv(f, g, x), fns, {x: p}, exact)


def _case_fourier_gauss(data: st.DataObject) -> Case:
    m, s, a = data.draw(gauss_params)
    q = data.draw(st.floats(-1, 1))
    exact = a * s * SQRT2PI * math.exp(-2 * (math.pi * s * q) ** 2) * \
        complex(math.cos(2 * math.pi * m * q), -math.sin(2 * math.pi * m * q))
    return Case(fourier(f, xi), {"f": _gauss(m, s, a)}, {xi: q}, exact)


def _case_fourier_onesided(data: st.DataObject) -> Case:
    """ℱ[e^{−(·−s)/τ}u](ξ) = τ·e^{−2πisξ}/(1 + 2πiτξ)."""
    s, tau, q = data.draw(st.floats(-1, 1)), data.draw(st.floats(1 / 3, 1)), \
        data.draw(st.floats(-1, 1))
    exact = tau * complex(math.cos(2 * math.pi * s * q), -math.sin(2 * math.pi * s * q)) / \
        complex(1, 2 * math.pi * tau * q)
    return Case(fourier(f, xi), {"f": Concrete((Factor("onesided", s, tau),))}, {xi: q}, exact)


def _case_deriv_gauss(data: st.DataObject) -> Case:
    """∂ₓ(f ∗ g) by the central difference, against the closed form's derivative."""
    expr, fns, vals, value, _ = _case_conv_gauss(data)
    (m1, s1), (m2, s2) = [(fn.factors[0].center, fn.factors[0].width) for fn in fns.values()]
    exact = -(vals[x] - m1 - m2) / (s1 * s1 + s2 * s2) * value
    return Case(sympy.Derivative(expr, x), fns, vals, exact)


def _case_assoc_gauss(data: st.DataObject) -> Case:
    """((f ∗ g) ∗ h)(x), a nested integral: three Gaussians give a Gaussian of variance Σσ²."""
    ps = [data.draw(gauss_params) for _ in range(3)]
    p = data.draw(st.floats(-2, 2))
    var = sum(s * s for _, s, _ in ps)
    mean = sum(m for m, _, _ in ps)
    exact = math.prod(a * s * SQRT2PI for _, s, a in ps) * \
        math.exp(-(p - mean) ** 2 / (2 * var)) / math.sqrt(2 * math.pi * var)
    fns = {name: _gauss(*q) for name, q in zip("fgh", ps, strict=True)}
    return Case(conv(Lambda(t, conv(f, g, t)), h, x), fns, {x: p}, exact)


def _case_conv_gauss_2d(data: st.DataObject) -> Case:
    """A separable two-dimensional convolution: the product of the one-dimensional ones."""
    axes = [_case_conv_gauss(data) for _ in range(2)]
    conc = {k: Concrete(tuple(a.functions[k].factors[0] for a in axes),
                        math.prod(a.functions[k].amplitude for a in axes)) for k in "fg"}
    return Case(conv(f, g, (x1, x2)), conc, {x1: axes[0].values[x], x2: axes[1].values[x]},
                math.prod(a.exact for a in axes))


def _case_bump_onesided(data: st.DataObject) -> Case:
    """A bump ∗ a one-sided exponential against scipy's adaptive quadrature (QUADPACK),
    split at the exponential's jump; QUADPACK's own error estimate is added below."""
    c, r = data.draw(st.floats(-0.5, 0.5)), data.draw(st.floats(0.8, 1.6))
    s, tau = data.draw(st.floats(-0.5, 0.5)), data.draw(st.floats(1 / 3, 1))
    p = data.draw(st.floats(-1.5, 2.5))
    bump, one = Factor("bump", c, r), Factor("onesided", s, tau)
    hi = min(c + r, p - s)
    if hi <= c - r:
        ref, err = 0.0, 0.0
    else:
        ref, err = scipy.integrate.quad(
            lambda z: float(bump(np.array(z)) * one(np.array(p - z))), c - r, hi,
            epsabs=1e-14, epsrel=1e-13, limit=200)
    return Case(conv(f, g, x), {"f": Concrete((bump,)), "g": Concrete((one,))}, {x: p}, ref,
                err + 1e-14)


CLOSED_FORMS = {
    "gauss ∗ gauss": _case_conv_gauss,
    "gauss ⋆ gauss": _case_xcorr_gauss,
    "one-sided ∗ one-sided": _case_conv_onesided,
    "ℱ gauss": _case_fourier_gauss,
    "ℱ one-sided": _case_fourier_onesided,
    "∂(gauss ∗ gauss)": _case_deriv_gauss,
    "(gauss ∗ gauss) ∗ gauss": _case_assoc_gauss,
    "gauss ∗ gauss on ℝ²": _case_conv_gauss_2d,
    "bump ∗ one-sided (QUADPACK)": _case_bump_onesided,
}


@pytest.mark.parametrize("case", sorted(CLOSED_FORMS))
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_quadrature_is_within_its_estimate_of_closed_forms(case: str,
                                                           data: st.DataObject) -> None:
    """The error estimate is honest: the evaluator's value is within its tolerance of the
    exact value (where the reference is QUADPACK's, its error estimate is added) — and the
    tolerance is tight, far below the size of any error a false statement would make."""
    expr, functions, values, exact, reference_error = CLOSED_FORMS[case](data)
    c = compare(expr, _number(complex(exact)), functions, values)
    assert c.discrepancy <= c.tolerance + reference_error, \
        f"{case}: {_report(c, functions, values)}"
    assert c.tolerance <= 1e-7 * max(1.0, abs(exact)), f"{case}: loose tolerance, {c}"


# False statements built with the same operators (or by mutating the registry's), each with
# functions and points for which the two sides differ by far more than any tolerance.
_EXP = Concrete((Factor("onesided", 0.1, 0.6),), 1.0)
_G1, _G2 = _gauss(0.8, 0.5), _gauss(0.2, 0.7, 1.3)


def _registry(key: str) -> tuple[Any, dict[str, Symbol]]:
    d = BY_KEY[key]
    return d.statement, {str(s): s for s in d.statement.free_symbols}


def _false_statements() -> dict[str, tuple[Any, Any, dict[str, Concrete], dict[str, float]]]:
    """name: (false statement, the true one it mutates or None, functions, values)."""
    out: dict[str, tuple[Any, Any, dict[str, Concrete], dict[str, float]]] = {}
    out["(f ∗ g)(x) = (f ⋆ g)(x)"] = (
        Eq(conv(f, g, x), xcorr(f, g, x)), None, {"f": _G1, "g": _G2}, {"x": 1.0})
    out["(f ⋆ g)(x) = (g ⋆ f)(x)"] = (
        Eq(xcorr(f, g, x), xcorr(g, f, x)), None, {"f": _EXP, "g": _G2}, {"x": 0.4})
    st_, s = _registry("deriv_conv:R")
    out["∂(f ∗ g) = −(f ∗ g′)  (deriv_conv:R, wrong sign)"] = (
        Eq(st_.lhs, -st_.rhs), st_, {"f": _EXP, "g": _G2}, {"x": 0.3})
    # not a mutant but a hypothesis that fails: deriv_conv:R needs g ∈ C¹, and the one-sided
    # exponential's jump adds g(s⁺)·f(x − s) to ∂(f ∗ g); deriv_conv_left:R (f ∈ C¹) holds
    out["∂(f ∗ g) = (f ∗ g′)  (deriv_conv:R with g discontinuous, outside its hypotheses)"] = (
        _registry("deriv_conv:R")[0], _registry("deriv_conv_left:R")[0],
        {"f": _G1, "g": _EXP}, {"x": 0.9})
    st_, s = _registry("shift_conv:R")
    out["τₐf ∗ g = τ₋ₐ(f ∗ g)  (shift_conv:R, wrong direction)"] = (
        Eq(st_.lhs, st_.rhs.subs(s["a"], -s["a"])), st_, {"f": _EXP, "g": _G1},
        {"x": 0.5, "a": 0.7})
    st_, s = _registry("xcorr_eq_conv_reflect:R")
    out["f ⋆ g = f ∗ g  (xcorr_eq_conv_reflect:R, reflection dropped)"] = (
        Eq(st_.lhs, conv(f, g, s["x"])), st_, {"f": _EXP, "g": _G2}, {"x": -0.2})
    st_, s = _registry("fourier_conv:R")
    out["ℱ[f ∗ g](ξ) = ℱ[f](−ξ)·ℱ[g](ξ)  (fourier_conv:R, a conjugate)"] = (
        Eq(st_.lhs, fourier(f, -s["ξ"]) * fourier(g, s["ξ"])), st_,
        {"f": _EXP, "g": _G1}, {"ξ": 0.35})
    st_, s = _registry("conv_assoc:R2")
    out["((f ∗ g) ∗ h) = (f ∗ (g ⋆ h))  (conv_assoc:R2, one ∗ turned into ⋆)"] = (
        Eq(st_.lhs, conv(f, Lambda((t, Symbol("t2")), xcorr(g, h, (t, Symbol("t2")))),
                         (s["x1"], s["x2"]))), st_,
        {"f": Concrete((Factor("gauss", 0.3, 0.6), Factor("bump", -0.2, 1.0))),
         "g": Concrete((Factor("onesided", 0.2, 0.5), Factor("gauss", 0.4, 0.8))),
         "h": Concrete((Factor("gauss", 0.5, 0.7), Factor("onesided", -0.3, 0.4)))},
        {"x1": 0.6, "x2": 0.1})
    return out


FALSE = _false_statements()


@pytest.mark.parametrize("name", sorted(FALSE))
def test_false_statements_are_rejected(name: str) -> None:
    wrong, right, functions, named = FALSE[name]
    syms = {str(s): s for s in wrong.free_symbols}
    values = {syms[k]: v for k, v in named.items()}
    c = compare(wrong.lhs, wrong.rhs, functions, values)
    assert not c.holds, f"{name} accepted: {c}"
    assert c.discrepancy > 1e4 * c.tolerance, f"{name}: too close to call, {c}"
    if right is not None:  # the statement it mutates holds on the same instance
        ok = compare(right.lhs, right.rhs, functions, values)
        assert ok.holds, f"{name}: the unmutated statement fails too, {ok}"


# -- 3. the convolution theorem against scipy.fft --------------------------------------------------

_U = 2.0 ** -53
_ETA = _U + 4 * _U / (1 - 4 * _U) * (math.sqrt(2) + _U)  # per-stage FFT error (Higham §24.1)


def _aliasing(amp: float, sigma: float, xi: np.ndarray, dx: float) -> np.ndarray:
    """Σ_{m≠0} |ĥ(ξ + m/dx)| for h(t) = amp·e^{−(t−μ)²/(2σ²)}, |ĥ(ν)| = |amp|·σ√(2π)·
    e^{−2π²σ²ν²}: by Poisson summation, the error of dx·Σⱼ h(xⱼ) e^{−2πi xⱼ ξ} (all j ∈ ℤ) as
    ĥ(ξ). Terms with |m| > 40 are below 1e-300 for the steps used here."""
    ms = np.array([m for m in range(-40, 41) if m])[:, None]
    nu = xi[None, :] + ms / dx
    return np.sum(abs(amp) * sigma * SQRT2PI * np.exp(-2 * (np.pi * sigma * nu) ** 2), axis=0)


def _tail(amp: float, sigma: float, cut: float, dx: float) -> float:
    """dx·Σ over the samples beyond distance ``cut`` from the mean (both sides) of
    |amp|·e^{−(t−μ)²/(2σ²)}: at most 2|amp|·(dx + σ√(π/2))·e^{−cut²/(2σ²)}."""
    return 2 * abs(amp) * (dx + sigma * math.sqrt(math.pi / 2)) * math.exp(
        -cut * cut / (2 * sigma * sigma))


def _sampled_transform(samples: np.ndarray, x0: float, dx: float) -> tuple[np.ndarray,
                                                                           np.ndarray, float]:
    """dx·Σⱼ sⱼ e^{−2πi xⱼ ξₖ} at ξₖ = k/(N·dx) by scipy.fft, the frequencies, and the FFT's
    rounding bound ‖ŝ − s̃‖₂ ≤ 3·log₂N·η·√N·‖s‖₂ (times dx)."""
    n = len(samples)
    xi = scipy.fft.fftfreq(n, dx)
    out = dx * np.exp(-2j * np.pi * x0 * xi) * scipy.fft.fft(samples)
    rounding = dx * 3 * math.log2(n) * _ETA * math.sqrt(n) * float(np.linalg.norm(samples))
    return out, xi, rounding


@settings(max_examples=4, deadline=None)
@given(f_params=gauss_params, g_params=gauss_params, dx=st.floats(0.08, 0.3))
def test_convolution_theorem_against_scipy_fft(f_params: tuple[float, float, float],
                                               g_params: tuple[float, float, float],
                                               dx: float) -> None:
    """fourier_conv:R on a grid: ℱ[f ∗ g] (the registry's left side: its Lambda f ∗ g
    sampled by quadrature, transformed by scipy.fft) equals ℱ[f]·ℱ[g] (f and g sampled and
    transformed by scipy.fft) within the stated bound, at every frequency |ξ| ≤ 1/(2dx):

        |Ĥ − F̂·Ĝ| ≤ ε_H + ε_F·|Ĝ| + (|F̂| + ε_F)·ε_G

    where each ε is aliasing (Poisson summation for a Gaussian, exact sum) + the samples cut
    off beyond the grid (Gaussian tails) + the FFT's rounding; ε_H adds dx·Σⱼ of the
    quadrature bound of the samples of f ∗ g. The steps are coarse enough (up to 0.3) for
    the aliasing term to be visible (up to ~1e-4), so the bound is tested, not vacuous.
    Then the grid values are tied to the registry's two sides evaluated by quadrature."""
    (m1, s1, a1), (m2, s2, a2) = f_params, g_params
    d = BY_KEY["fourier_conv:R"]
    (xi_sym,) = d.statement.free_symbols
    body = d.statement.lhs.f  # Lambda t ↦ (f ∗ g)(t)
    functions = {"f": _gauss(m1, s1, a1), "g": _gauss(m2, s2, a2)}
    # f ∗ g is a Gaussian of width s = √(σ₁² + σ₂²) and amplitude a₁a₂√(2π)σ₁σ₂/s (only its
    # aliasing and tail bounds use this)
    s = math.hypot(s1, s2)
    ah = a1 * a2 * SQRT2PI * s1 * s2 / s
    cut = 14.0 * max(s1, s2, s)  # every grid reaches 14 widths beyond each mean
    x0 = -1.0 - cut
    n = scipy.fft.next_fast_len(math.ceil(2 * (1.0 + cut) / dx) + 1)
    grid = x0 + dx * np.arange(n)

    hv, hbound = on_grid(body.expr, body.variables[0], grid, functions, {})
    fs = [fn.amplitude * fn.factors[0](grid) for fn in functions.values()]
    (F, xi, rf), (G, _, rg), (H, _, rh) = (_sampled_transform(v, x0, dx) for v in (*fs, hv))
    eps_f = _aliasing(a1, s1, xi, dx) + _tail(a1, s1, cut - abs(m1) - 1, dx) + rf
    eps_g = _aliasing(a2, s2, xi, dx) + _tail(a2, s2, cut - abs(m2) - 1, dx) + rg
    eps_h = (_aliasing(ah, s, xi, dx) + _tail(ah, s, cut - abs(m1 + m2) - 1, dx) + rh
             + dx * float(np.sum(hbound)))
    # (+ the rounding of the phase factors, the product and the difference: 16u·magnitudes)
    bound = (eps_h + eps_f * np.abs(G) + (np.abs(F) + eps_f) * eps_g
             + 16 * _U * (np.abs(H) + np.abs(F) * np.abs(G)))
    err = np.abs(H - F * G)
    worst = int(np.argmax(err / bound))
    assert np.all(err <= bound), (
        f"ξ = {xi[worst]:.4g}: |Ĥ − F̂Ĝ| = {err[worst]:.3g} > bound {bound[worst]:.3g}")

    # the grid's transforms against the registry's sides by quadrature, at a few frequencies
    for k in (1, int(np.argmin(np.abs(xi - 0.3))), int(np.argmin(np.abs(xi + 0.6)))):
        c = compare(d.statement.lhs, d.statement.rhs, functions, {xi_sym: float(xi[k])})
        assert c.holds, f"ξ = {xi[k]}: {c}"
        assert abs(c.lhs - H[k]) <= eps_h[k] + c.tolerance, (xi[k], c.lhs, H[k], eps_h[k])
        assert abs(c.rhs - F[k] * G[k]) <= bound[k] - eps_h[k] + c.tolerance, (
            xi[k], c.rhs, F[k] * G[k])


@settings(max_examples=4, deadline=None)
@given(f_params=gauss_params, g_params=gauss_params, dx=st.floats(0.08, 0.3),
       p=st.floats(-1, 1))
def test_convolution_by_quadrature_against_scipy_fft_riemann_sum(
        f_params: tuple[float, float, float], g_params: tuple[float, float, float],
        dx: float, p: float) -> None:
    """(f ∗ g) by quadrature of the registry operator's integrand, on a grid, against
    dx·(sampled f ∗ sampled g) computed with scipy.fft, within the Riemann sum's bound:
    for x on the grid, z ↦ f(z)·g(x − z) is a Gaussian of width σₚ = σ₁σ₂/s and amplitude
    ≤ |a₁a₂|, so by Poisson summation dx·Σⱼ f(zⱼ)g(x − zⱼ) misses the integral by at most
    2|a₁a₂|σₚ√(2π)·Σ_{m≥1} e^{−2π²σₚ²m²/dx²}; add the grids' tails, the FFT convolution's
    rounding (3·log₂L·η·(‖f‖₂‖g‖₁ + ‖f‖₁‖g‖₂)·dx) and the quadrature's own bound."""
    (m1, s1, a1), (m2, s2, a2) = f_params, g_params
    functions = {"f": _gauss(m1, s1, a1), "g": _gauss(m2, s2, a2)}
    cut = 14.0 * max(s1, s2)
    n = math.ceil(2 * (1.0 + cut) / dx) + 1
    zf = p - 1.0 - cut + dx * np.arange(n)  # f's samples (offset p: not a symmetric grid)
    zg = -1.0 - cut + dx * np.arange(n)
    fv = a1 * functions["f"].factors[0](zf)
    gv = a2 * functions["g"].factors[0](zg)
    length = scipy.fft.next_fast_len(2 * n - 1)
    riemann = dx * scipy.fft.irfft(scipy.fft.rfft(fv, length) * scipy.fft.rfft(gv, length),
                                   length)[: 2 * n - 1]
    xs = zf[0] + zg[0] + dx * np.arange(2 * n - 1)
    inside = np.abs(xs - m1 - m2) <= 6 * math.hypot(s1, s2)  # where f ∗ g is not negligible
    sp = s1 * s2 / math.hypot(s1, s2)
    aliasing = 2 * abs(a1 * a2) * sp * SQRT2PI * sum(
        math.exp(-2 * (math.pi * sp * m / dx) ** 2) for m in range(1, 41))
    tails = abs(a2) * _tail(a1, s1, cut - abs(m1) - 1 - abs(p), dx) + \
        abs(a1) * _tail(a2, s2, cut - abs(m2) - 1, dx)
    rounding = dx * 3 * math.log2(length) * _ETA * float(
        np.linalg.norm(fv) * np.abs(gv).sum() + np.abs(fv).sum() * np.linalg.norm(gv))
    z = Symbol("z")
    expr = conv(f, g, z)
    quad, qbound = on_grid(expr, z, xs[inside], functions, {})
    bound = aliasing + tails + rounding + qbound
    err = np.abs(quad - riemann[inside])
    assert np.all(err <= bound), f"max error {err.max():.3g}, bound {bound[np.argmax(err)]:.3g}"
