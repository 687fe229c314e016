"""The public table of convolution pairs for :func:`convmath.symbolic.evaluate`.

Each expected closed form is written by hand from a textbook formula (the comment gives
the derivation or the source), never taken from convmath's output. Used by
``tests/symbolic/test_closed_form.py`` and ``benchmarks/bench_closed_form.py``.

Continuous pairs use ``x`` (real); discrete ones ``n`` (integer). ``special`` names a
parameter substitution (a = b) whose branch is checked too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sympy import (
    Abs,
    DiracDelta,
    Expr,
    Heaviside,
    KroneckerDelta,
    Max,
    Piecewise,
    Rational,
    Symbol,
    cos,
    erf,
    exp,
    gamma,
    pi,
    sin,
    sqrt,
    symbols,
)

from convmath.symbolic import conv, xcorr

x = symbols("x", real=True)
n = symbols("n", integer=True)
a, b, lam, s1, s2, g1, g2, T = symbols("a b lambda s1 s2 gamma1 gamma2 T", positive=True)
al, be = symbols("alpha beta", positive=True)
m1, m2 = symbols("mu1 mu2", real=True)
H = Heaviside
half = Rational(1, 2)


def u(v: Expr) -> Expr:
    """The discrete unit step u[v] (1 at 0)."""
    return Heaviside(v, 1)


@dataclass(frozen=True)
class Pair:
    name: str
    build: Callable[[], Any]  # the operator (built lazily)
    expected: Expr
    special: dict[Symbol, Expr] = field(default_factory=dict)
    special_expected: Expr | None = None  # the expected form in the special case
    distribution: bool = False  # the answer holds Dirac deltas: compare symbolically

    @property
    def discrete(self) -> bool:
        return bool(self.build().discrete)


def rect(lo: Any, hi: Any) -> Expr:
    return Heaviside(x - lo) - Heaviside(x - hi)


def ramp(v: Expr) -> Expr:
    return v * Heaviside(v)


tri01 = Piecewise((x, (x >= 0) & (x < 1)), (2 - x, (x >= 1) & (x < 2)), (0, True))

CONTINUOUS: list[Pair] = [
    # 1. rect ∗ rect = triangle: ramp(x) − 2 ramp(x − 1) + ramp(x − 2)
    Pair("rect*rect", lambda: conv(rect(0, 1), rect(0, 1), x),
         ramp(x) - 2 * ramp(x - 1) + ramp(x - 2)),
    # 2. the same pulse written as a Piecewise (SymPy #8742)
    Pair("rect*rect piecewise",
         lambda: conv(Piecewise((1, (x >= 0) & (x <= 1)), (0, True)),
                      Piecewise((1, (x >= 0) & (x <= 1)), (0, True)), x),
         ramp(x) - 2 * ramp(x - 1) + ramp(x - 2)),
    # 3. centred unit box: 1 − |x| on |x| < 1
    Pair("centred box", lambda: conv(rect(-half, half), rect(-half, half), x),
         Piecewise((1 - Abs(x), Abs(x) < 1), (0, True))),
    # 4. e^{−at}u ∗ e^{−bt}u = (e^{−ax} − e^{−bx})/(b − a) u(x); a = b: x e^{−ax} u(x)
    Pair("exp(-a)*exp(-b)", lambda: conv(exp(-a * x) * H(x), exp(-b * x) * H(x), x),
         (exp(-a * x) - exp(-b * x)) / (b - a) * H(x), special={a: b},
         special_expected=x * exp(-b * x) * H(x)),
    # 5. Mathematica: Exp[−x] UnitStep[x] ∗ itself = x e^{−x} UnitStep[x]
    Pair("exp(-x)u*exp(-x)u", lambda: conv(exp(-x) * H(x), exp(-x) * H(x), x),
         x * exp(-x) * H(x)),
    # 6. u ∗ u = x u(x)
    Pair("u*u", lambda: conv(H(x), H(x), x), x * H(x)),
    # 7. four Heaviside factors (SymPy #28091): box·box = triangle
    Pair("four heavisides", lambda: conv(H(x) * H(1 - x), H(x) * H(1 - x), x),
         ramp(x) - 2 * ramp(x - 1) + ramp(x - 2)),
    # 8. ramp on [0, 1] ∗ box [0, 1]: ∫ z dz over [max(0, x−1), min(1, x)]
    Pair("ramp*box", lambda: conv(x * H(x) * H(1 - x), H(x) * H(1 - x), x),
         Piecewise((x**2 / 2, (x > 0) & (x < 1)), ((1 - (x - 1) ** 2) / 2, (x >= 1) & (x < 2)),
                   (0, True))),
    # 9. Piecewise ∗ Piecewise (SymPy #23761): ∫ w dw over [max(0, x−2), min(1, x)]
    Pair("piecewise*piecewise",
         lambda: conv(Piecewise((1, (x > 0) & (x < 2)), (0, True)),
                      Piecewise((x, (x > 0) & (x < 1)), (0, True)), x),
         Piecewise((x**2 / 2, (x > 0) & (x < 1)), (half, (x >= 1) & (x < 2)),
                   ((1 - (x - 2) ** 2) / 2, (x >= 2) & (x < 3)), (0, True))),
    # 10. δ′ ∗ f = f′ (SymPy #26776): d/dx e^{−x²} = −2x e^{−x²}
    Pair("delta'*gauss", lambda: conv(DiracDelta(x, 1), exp(-x**2), x),
         -2 * x * exp(-x**2)),
    # 11. f ∗ δ′ = f′ as well (commutativity)
    Pair("gauss*delta'", lambda: conv(exp(-x**2), DiracDelta(x, 1), x),
         -2 * x * exp(-x**2)),
    # 12. δ(t − 1) ∗ δ(t − 2) = δ(x − 3)
    Pair("delta*delta", lambda: conv(DiracDelta(x - 1), DiracDelta(x - 2), x),
         DiracDelta(x - 3), distribution=True),
    # 13. δ(t − 2) ∗ e^{−t}u = e^{−(x−2)} u(x − 2)
    Pair("shifted delta*exp", lambda: conv(DiracDelta(x - 2), exp(-x) * H(x), x),
         exp(2 - x) * H(x - 2)),
    # 14. δ′ ∗ u = δ (the derivative of the step)
    Pair("delta'*u", lambda: conv(DiracDelta(x, 1), H(x), x), DiracDelta(x),
         distribution=True),
    # 15. δ″ ∗ e^{−t²} = (4x² − 2) e^{−x²}
    Pair("delta''*gauss", lambda: conv(DiracDelta(x, 2), exp(-x**2), x),
         (4 * x**2 - 2) * exp(-x**2)),
    # 16. N(1, 1) ∗ N(−2, 4) = N(−1, 5): means and variances add
    Pair("normal*normal",
         lambda: conv(exp(-(x - 1) ** 2 / 2) / sqrt(2 * pi),
                      exp(-(x + 2) ** 2 / 8) / sqrt(8 * pi), x),
         exp(-(x + 1) ** 2 / 10) / sqrt(10 * pi)),
    # 17. N(0, s1²) ∗ N(0, s2²) = N(0, s1² + s2²)
    Pair("normal variances",
         lambda: conv(exp(-x**2 / (2 * s1**2)) / (s1 * sqrt(2 * pi)),
                      exp(-x**2 / (2 * s2**2)) / (s2 * sqrt(2 * pi)), x),
         exp(-x**2 / (2 * (s1**2 + s2**2))) / sqrt(2 * pi * (s1**2 + s2**2))),
    # 18. N(μ1, 1) ∗ N(μ2, 1) = N(μ1 + μ2, 2)
    Pair("normal means",
         lambda: conv(exp(-(x - m1) ** 2 / 2) / sqrt(2 * pi),
                      exp(-(x - m2) ** 2 / 2) / sqrt(2 * pi), x),
         exp(-(x - m1 - m2) ** 2 / 4) / sqrt(4 * pi)),
    # 19. ∫ e^{−z²} e^{−(x−z)²} dz = sqrt(π/2) e^{−x²/2} (complete the square)
    Pair("gauss*gauss", lambda: conv(exp(-x**2), exp(-x**2), x),
         sqrt(pi / 2) * exp(-x**2 / 2)),
    # 20. Cauchy(0, 1) ∗ Cauchy(1, 2) = Cauchy(1, 3): characteristic functions e^{iμω−γ|ω|}
    Pair("lorentz*lorentz",
         lambda: conv(1 / (pi * (1 + x**2)), 2 / (pi * (4 + (x - 1) ** 2)), x),
         3 / (pi * (9 + (x - 1) ** 2))),
    # 21. Cauchy(0, γ1) ∗ Cauchy(0, γ2) = Cauchy(0, γ1 + γ2)
    Pair("lorentz widths",
         lambda: conv(g1 / (pi * (x**2 + g1**2)), g2 / (pi * (x**2 + g2**2)), x),
         (g1 + g2) / (pi * (x**2 + (g1 + g2) ** 2))),
    # 22. Uniform(0, 2) ∗ Uniform(0, 1): a trapezoid
    Pair("uniform(0,2)*uniform(0,1)",
         lambda: conv(Piecewise((half, (x >= 0) & (x <= 2)), (0, True)),
                      Piecewise((1, (x >= 0) & (x <= 1)), (0, True)), x),
         Piecewise((x / 2, (x > 0) & (x < 1)), (half, (x >= 1) & (x < 2)),
                   ((3 - x) / 2, (x >= 2) & (x < 3)), (0, True))),
    # 23. Uniform(−1, 1) ∗ Uniform(−1, 1) = Triangular(−2, 0, 2): (2 − |x|)/4
    Pair("uniform*uniform -> triangular",
         lambda: conv(rect(-1, 1) / 2, rect(-1, 1) / 2, x),
         Piecewise(((2 - Abs(x)) / 4, Abs(x) < 2), (0, True))),
    # 24. Erlang(2, λ) ∗ Erlang(3, λ) = Erlang(5, λ)
    Pair("erlang*erlang",
         lambda: conv(lam**2 * x * exp(-lam * x) * H(x),
                      lam**3 * x**2 * exp(-lam * x) / 2 * H(x), x),
         lam**5 * x**4 * exp(-lam * x) / 24 * H(x)),
    # 25. Gamma(α, 1) ∗ Gamma(β, 1) = Gamma(α + β, 1) (Beta integral)
    Pair("gamma*gamma",
         lambda: conv(x ** (al - 1) * exp(-x) / gamma(al) * H(x),
                      x ** (be - 1) * exp(-x) / gamma(be) * H(x), x),
         x ** (al + be - 1) * exp(-x) / gamma(al + be) * H(x)),
    # 26. sin·u ∗ u = ∫_0^x sin = (1 − cos x) u(x)
    Pair("sin u*u", lambda: conv(sin(x) * H(x), H(x), x), (1 - cos(x)) * H(x)),
    # 27. cos(2t)u ∗ e^{−t}u = (cos 2x + 2 sin 2x − e^{−x})/5 u(x)
    Pair("cos u*exp u", lambda: conv(cos(2 * x) * H(x), exp(-x) * H(x), x),
         (cos(2 * x) + 2 * sin(2 * x) - exp(-x)) / 5 * H(x)),
    # 28. t u ∗ u = x²/2 u
    Pair("ramp*u", lambda: conv(x * H(x), H(x), x), x**2 / 2 * H(x)),
    # 29. t² u ∗ t u = ∫_0^x z²(x − z) dz = x⁴/12 u
    Pair("t^2 u*t u", lambda: conv(x**2 * H(x), x * H(x), x), x**4 / 12 * H(x)),
    # 30. e^{−at}u ∗ u = (1 − e^{−ax})/a u
    Pair("exp(-a) u*u", lambda: conv(exp(-a * x) * H(x), H(x), x),
         (1 - exp(-a * x)) / a * H(x)),
    # 31. e^{−|t|} ∗ e^{−|t|} = (1 + |x|) e^{−|x|}
    Pair("two-sided exp", lambda: conv(exp(-Abs(x)), exp(-Abs(x)), x),
         (1 + Abs(x)) * exp(-Abs(x))),
    # 32. e^{−a|t|} ∗ e^{−a|t|} = (1 + a|x|) e^{−a|x|}/a
    Pair("two-sided exp a", lambda: conv(exp(-a * Abs(x)), exp(-a * Abs(x)), x),
         (1 + a * Abs(x)) * exp(-a * Abs(x)) / a),
    # 33. quadratic B-spline: B2 ∗ B1 on [0, 3]
    Pair("B-spline 2", lambda: conv(tri01, rect(0, 1), x),
         Piecewise((x**2 / 2, (x > 0) & (x < 1)), ((-2 * x**2 + 6 * x - 3) / 2, (x >= 1) & (x < 2)),
                   ((3 - x) ** 2 / 2, (x >= 2) & (x < 3)), (0, True))),
    # 34. cubic B-spline: Λ ∗ Λ, Λ(t) = max(1 − |t|, 0)
    Pair("B-spline 3 (Max)", lambda: conv(Max(1 - Abs(x), 0), Max(1 - Abs(x), 0), x),
         Piecewise((Rational(2, 3) - x**2 + Abs(x) ** 3 / 2, Abs(x) <= 1),
                   ((2 - Abs(x)) ** 3 / 6, Abs(x) <= 2), (0, True))),
    # 35. e^{−2t}u ∗ e^{−t}u = (e^{−x} − e^{−2x}) u
    Pair("exp(-2)*exp(-1)", lambda: conv(exp(-2 * x) * H(x), exp(-x) * H(x), x),
         (exp(-x) - exp(-2 * x)) * H(x)),
    # 36. cross-correlation rect[0,1] ⋆ e^{−t}u: ∫_0^1 e^{−(x+z)} u(x + z) dz
    Pair("xcorr rect*exp", lambda: xcorr(rect(0, 1), exp(-x) * H(x), x),
         Piecewise((0, x < -1), (1 - exp(-x - 1), x < 0), (exp(-x) * (1 - exp(-1)), True))),
    # 37. autocorrelation of e^{−t}u: e^{−|x|}/2
    Pair("xcorr exp autocorrelation", lambda: xcorr(exp(-x) * H(x), exp(-x) * H(x), x),
         exp(-Abs(x)) / 2),
    # 38. box of width T ∗ itself: triangle of half-width T
    Pair("rect width T", lambda: conv(rect(0, T), rect(0, T), x),
         ramp(x) - 2 * ramp(x - T) + ramp(x - 2 * T)),
    # 39. t² on (−1/2, 1/3) ∗ box [0, 2]: ∫ z² dz over (x − 2, x) ∩ (−1/2, 1/3)
    Pair("parabola*box rational breakpoints",
         lambda: conv(Piecewise((x**2, (x > -half) & (x < Rational(1, 3))), (0, True)),
                      rect(0, 2), x),
         Piecewise((0, x < -half), ((x**3 + Rational(1, 8)) / 3, x < Rational(1, 3)),
                   ((Rational(1, 27) + Rational(1, 8)) / 3, x < Rational(3, 2)),
                   ((Rational(1, 27) - (x - 2) ** 3) / 3, x < Rational(7, 3)), (0, True))),
    # 40. e^{−t²} ∗ box [0, 1] = (√π/2)(erf(x) − erf(x − 1))
    Pair("gauss*box", lambda: conv(exp(-x**2), rect(0, 1), x),
         sqrt(pi) / 2 * (erf(x) - erf(x - 1))),
]

DISCRETE: list[Pair] = [
    # 1. aⁿu ∗ bⁿu = (a^{n+1} − b^{n+1})/(a − b) u[n]; a = b: (n + 1) aⁿ u[n]
    Pair("geometric a,b",
         lambda: conv(Piecewise((a**n, n >= 0), (0, True)),
                      Piecewise((b**n, n >= 0), (0, True)), n, discrete=True),
         (a ** (n + 1) - b ** (n + 1)) / (a - b) * u(n), special={a: b},
         special_expected=(n + 1) * b**n * u(n)),
    # 2. (1/2)ⁿu ∗ (1/3)ⁿu = (3·2⁻ⁿ − 2·3⁻ⁿ) u[n]
    Pair("geometric 1/2,1/3",
         lambda: conv(half**n * u(n), Rational(1, 3) ** n * u(n), n, discrete=True),
         (3 * half**n - 2 * Rational(1, 3) ** n) * u(n)),
    # 3. u ∗ u = (n + 1) u[n]
    Pair("u*u discrete", lambda: conv(u(n), u(n), n, discrete=True), (n + 1) * u(n)),
    # 4. n u ∗ u = n(n + 1)/2 u[n]
    Pair("n u*u", lambda: conv(n * u(n), u(n), n, discrete=True), n * (n + 1) / 2 * u(n)),
    # 5. [1, 2, 3] ∗ [1, 1] = [1, 3, 5, 3]
    Pair("finite sequences",
         lambda: conv(KroneckerDelta(n, 0) + 2 * KroneckerDelta(n, 1) + 3 * KroneckerDelta(n, 2),
                      KroneckerDelta(n, 0) + KroneckerDelta(n, 1), n, discrete=True),
         KroneckerDelta(n, 0) + 3 * KroneckerDelta(n, 1) + 5 * KroneckerDelta(n, 2)
         + 3 * KroneckerDelta(n, 3)),
    # 6. δ[n − 2] ∗ δ[n + 1] = δ[n − 1]
    Pair("kronecker deltas",
         lambda: conv(KroneckerDelta(n, 2), KroneckerDelta(n, -1), n, discrete=True),
         KroneckerDelta(n, 1)),
    # 7. δ[n − 3] ∗ aⁿu = a^{n−3} u[n − 3]
    Pair("delta*geometric",
         lambda: conv(KroneckerDelta(n, 3), a**n * u(n), n, discrete=True),
         a ** (n - 3) * u(n - 3)),
    # 8. (1/2)^{|n|} ∗ (1/2)^{|n|} = (|n| + 5/3) 2^{−|n|}  (r^{|n|}(|n| + 1 + 2r²/(1 − r²)))
    Pair("two-sided geometric",
         lambda: conv(half ** Abs(n), half ** Abs(n), n, discrete=True),
         (Abs(n) + Rational(5, 3)) * half ** Abs(n)),
    # 9. (1/2)ⁿu[n] ∗ 2ⁿu[−n] = (4/3) 2^{−|n|}
    Pair("causal*anticausal",
         lambda: conv(half**n * u(n), 2**n * u(-n), n, discrete=True),
         Rational(4, 3) * half ** Abs(n)),
    # 10. boxcar of length 3 ∗ itself = [1, 2, 3, 2, 1]
    Pair("boxcar*boxcar",
         lambda: conv(u(n) - u(n - 3), u(n) - u(n - 3), n, discrete=True),
         KroneckerDelta(n, 0) + 2 * KroneckerDelta(n, 1) + 3 * KroneckerDelta(n, 2)
         + 2 * KroneckerDelta(n, 3) + KroneckerDelta(n, 4)),
    # 11. n² u ∗ u = n(n + 1)(2n + 1)/6 u[n]
    Pair("n^2 u*u", lambda: conv(n**2 * u(n), u(n), n, discrete=True),
         n * (n + 1) * (2 * n + 1) / 6 * u(n)),
    # 12. aⁿu ∗ u = (1 − a^{n+1})/(1 − a) u[n]; a = 1: (n + 1) u[n]
    Pair("geometric*u", lambda: conv(a**n * u(n), u(n), n, discrete=True),
         (1 - a ** (n + 1)) / (1 - a) * u(n), special={a: 1},
         special_expected=(n + 1) * u(n)),
    # 13. cross-correlation [1, 2] ⋆ [1, 2, 3]: Σ_k f[k] g[n + k] = 2, 5, 8, 3 at n = −1..2
    Pair("xcorr finite",
         lambda: xcorr(KroneckerDelta(n, 0) + 2 * KroneckerDelta(n, 1),
                       KroneckerDelta(n, 0) + 2 * KroneckerDelta(n, 1)
                       + 3 * KroneckerDelta(n, 2), n, discrete=True),
         2 * KroneckerDelta(n, -1) + 5 * KroneckerDelta(n, 0) + 8 * KroneckerDelta(n, 1)
         + 3 * KroneckerDelta(n, 2)),
    # 14. n aⁿ u ∗ aⁿ u = aⁿ Σ_{k=0}^n k = aⁿ n(n + 1)/2 u[n]
    Pair("n a^n u*a^n u", lambda: conv(n * a**n * u(n), a**n * u(n), n, discrete=True),
         a**n * n * (n + 1) / 2 * u(n)),
    # 15. (1/2)ⁿ u[n − 2] ∗ u = Σ_{k=2}^n 2^{−k} = (1/2 − 2^{−n}) u[n − 2]
    Pair("shifted geometric*u",
         lambda: conv(half**n * u(n - 2), u(n), n, discrete=True),
         (half - half**n) * u(n - 2)),
]

TABLE: list[Pair] = CONTINUOUS + DISCRETE


def _values(pair: Pair, syms: set[Any], seed: int) -> dict[Symbol, Expr]:
    import random

    rng = random.Random(seed)
    out: dict[Symbol, Expr] = {}
    for sym in sorted(syms - {x, n}, key=str):
        if sym.is_positive:
            v = rng.uniform(0.3, 0.9) if pair.discrete else rng.uniform(0.5, 2.0)
        else:
            v = rng.uniform(-1.5, 1.5)
        out[sym] = Rational(round(v * 1000), 1000)
    return out


def agrees(pair: Pair, got: Expr, *, points: int = 12, seed: int = 0) -> bool:
    """Whether ``got`` equals the expected form: symbolically for distributions, otherwise
    numerically at ``points`` points (random parameter values; the special branch too)."""
    import math
    import random

    import sympy

    if pair.distribution:
        return bool(sympy.simplify(got - pair.expected) == 0)
    var = n if pair.discrete else x
    rng = random.Random(seed)
    branches: list[dict[Symbol, Expr]] = [{}] + ([pair.special] if pair.special else [])
    for special in branches:
        g = got.xreplace(special) if special else got
        e = pair.special_expected if special else pair.expected
        assert e is not None, pair.name
        for k in range(2):
            vals = _values(pair, g.free_symbols | e.free_symbols, seed + k)
            gf = sympy.lambdify(var, g.xreplace(vals), modules=["scipy", "numpy"])
            ef = sympy.lambdify(var, e.xreplace(vals), modules=["scipy", "numpy"])
            for _ in range(points // 2):
                at = float(rng.randint(-6, 8)) if pair.discrete else rng.uniform(-4, 5)
                try:
                    gv, ev = complex(gf(at)), complex(ef(at))
                except (TypeError, ValueError, ZeroDivisionError):
                    return False
                if not (math.isfinite(abs(gv)) and abs(gv - ev) <= 1e-8 * max(1, abs(ev))):
                    return False
    return True
