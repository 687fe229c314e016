"""The discrete layer ties: symbolic convolution ↔ convmath.numeric ↔ scipy.signal.

1. Sequences with symbolic entries (1-D to 3-D, fixed sizes), convolved and cross-correlated
   by SymPy from the operators' defining sums and expanded exactly, equal
   ``convmath.numeric.convolve``/``correlate``/``conv`` and ``scipy.signal`` (direct, exactly;
   FFT within its error bound) once Hypothesis draws integer values for the entries.
2. Every theorem of the registry on ℤⁿ is instantiated on the implementations: its statement
   is evaluated with random finitely supported tables for the functions and integers for the
   symbols, each ∗/⋆ node computed by a backend under test (registry_eval.py). The list of
   theorems comes from the registry, so a new theorem is cross-checked without new code.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
import scipy.signal
import sympy
from dimension_instances import untwinned_instances
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from registry_eval import BACKENDS, Context, Table, Unsupported, evaluate
from sympy.core.function import AppliedUndef

from convmath import numeric
from convmath.symbolic import Convolution, CrossCorrelation, conv, derivations, xcorr
from convmath.symbolic.kernel import Support
from convmath.testing._tolerance import compare_normwise

# the theorems on ℤ, ℤ², ℤ³, and those on ℤᵈ at d = 1, 2 unless a registered theorem is the
# same instance (dimension_instances.py)
DISCRETE = [d for d in derivations() if d.domain.startswith("ℤ") and d.domain != "ℤᵈ"] + \
    untwinned_instances(discrete=True)
BY_KEY = {d.key: d for d in DISCRETE}

# Theorems on ℤⁿ not evaluated here, each with its reason. A theorem whose statement uses a
# node registry_eval.py does not know fails test_every_discrete_theorem_is_evaluated until
# it is handled or listed here. The arithmetic family (counts #{t ∈ ℤ : …}, sizes under
# NonNegative hypotheses, named sizes) has no ∗ or ⋆ to cross-check and holds only where
# its hypotheses do, which registry_eval.py does not draw for: its statements are evaluated
# on the whole grid against brute-force counts, convmath's layers and torch in
# test_crosscheck_arithmetic.py, and at drawn integers in tests/symbolic/test_arithmetic.py.
SKIP: dict[str, str] = {
    d.key: "family arithmetic: evaluated in test_crosscheck_arithmetic.py and test_arithmetic.py"
    for d in DISCRETE if d.family == "arithmetic"
}


# -- 1. symbolic entries, expanded exactly ----------------------------------------------------

SHAPES = [((3,), (2,)), ((1,), (4,)), ((4,), (4,)), ((2, 3), (2, 2)), ((3, 1), (1, 2)),
          ((2, 1, 2), (1, 2, 2))]


def _symbols(name: str, shape: tuple[int, ...]) -> dict[tuple[int, ...], sympy.Symbol]:
    return {i: sympy.Symbol(f"{name}_" + "_".join(map(str, i)))
            for i in itertools.product(*[range(s) for s in shape])}


def _as_lambda(entries: dict[tuple[int, ...], sympy.Symbol], nd: int) -> sympy.Lambda:
    """The finitely supported sequence Σᵢ aᵢ·δ[t − i] with symbolic entries aᵢ."""
    t = sympy.symbols(f"t1:{nd + 1}", integer=True)
    body = sympy.Add(*[a * sympy.Mul(*[sympy.KroneckerDelta(tt, q) for tt, q in zip(t, i,
                                                                                      strict=True)])
                       for i, a in entries.items()])
    return sympy.Lambda(t, body)


@pytest.fixture(scope="module")
def expanded() -> dict[Any, Any]:
    """For each pair of shapes: the full ∗ and ⋆ as arrays of polynomials in the entries,
    each entry computed by SymPy from the operator's defining sum (finite, then expanded)."""
    out = {}
    for sa, sb in SHAPES:
        nd = len(sa)
        A, B = _symbols("a", sa), _symbols("b", sb)
        F, G = _as_lambda(A, nd), _as_lambda(B, nd)
        full = tuple(p + q - 1 for p, q in zip(sa, sb, strict=True))
        res = {}
        for name, op, origin in (("conv", conv, [0] * nd),
                                 ("xcorr", xcorr, [1 - p for p in sa])):
            arr = np.empty(full, dtype=object)
            for local in itertools.product(*[range(s) for s in full]):
                pt = tuple(o + i for o, i in zip(origin, local, strict=True))
                e = op(F, G, pt, discrete=True).unfold()
                # the summation index is f's argument, and f vanishes outside [0, p − 1]
                finite = sympy.Sum(e.function, *[(k, 0, p - 1) for (k, _, _), p
                                                 in zip(e.limits, sa, strict=True)])
                arr[local] = sympy.expand(finite.doit())
            res[name] = arr
        out[(sa, sb)] = (A, B, res)
    return out


def _values(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.int64, shape, elements=st.integers(-9, 9))


@settings(max_examples=12, deadline=None)
@given(st.data())
def test_symbolic_entries_equal_the_implementations(expanded: dict[Any, Any],
                                                     data: st.DataObject) -> None:
    sa, sb = data.draw(st.sampled_from(SHAPES))
    A, B, res = expanded[(sa, sb)]
    a, b = data.draw(_values(sa)), data.draw(_values(sb))
    subs = {**{s: int(a[i]) for i, s in A.items()}, **{s: int(b[i]) for i, s in B.items()}}
    want = {name: np.vectorize(lambda p: int(p.xreplace(subs)), otypes=[np.int64])(arr)
            for name, arr in res.items()}
    nd = len(sa)
    got_conv = {
        "numeric.convolve direct": numeric.convolve(a, b, method="direct"),
        "scipy.signal.convolve direct": scipy.signal.convolve(a, b, method="direct"),
        "numeric.conv_transpose": numeric.conv_transpose(
            b.astype(float)[None, None], a.astype(float)[None, None])[0, 0],
    }
    got_xcorr = {
        "numeric.correlate direct": numeric.correlate(b, a, method="direct"),
        "scipy.signal.correlate direct": scipy.signal.correlate(b, a, method="direct"),
        "numeric.conv": numeric.conv(b.astype(float)[None, None], a.astype(float)[None, None],
                                     padding=[s - 1 for s in sa])[0, 0],
    }
    for got, name in ((got_conv, "conv"), (got_xcorr, "xcorr")):
        for impl, out in got.items():
            np.testing.assert_array_equal(out, want[name], err_msg=f"{impl}, {sa} and {sb}")
    # FFT: within the normwise bound of the tolerance model, around the exact values
    for impl, out in (("numeric.convolve fft", numeric.convolve(a * 1.0, b * 1.0, method="fft")),
                      ("scipy.signal.convolve fft",
                       scipy.signal.convolve(a * 1.0, b * 1.0, method="fft"))):
        check = compare_normwise(want["conv"].astype(float), out, float(np.linalg.norm(a)),
                                 float(np.abs(b).sum()), want["conv"].size, "float64")
        assert check.ok, f"{impl}: ‖error‖₂ = {check.error} over the FFT bound ({nd}-D)"


# -- 2. the registry's statements on the implementations ---------------------------------------


def _functions(expr: Any) -> dict[str, int]:
    """Every undefined function applied in ``expr`` (inside Lambdas too), with its arity."""
    out: dict[str, int] = {}
    for a in expr.atoms(AppliedUndef):
        out[a.func.__name__] = len(a.args)
    return out


def _scalar(s: sympy.Symbol) -> st.SearchStrategy[int]:
    if s.is_positive:
        return st.integers(1, 3)
    if s.is_nonnegative:
        return st.integers(0, 3)
    return st.integers(-4, 4)


def _table(arity: int, box: list[tuple[int, int]] | None = None) -> st.SearchStrategy[Table]:
    longest = {1: 4, 2: 3}.get(arity, 2)

    @st.composite
    def draw(draw_: Any) -> Table:
        axes = box or [(o, o + draw_(st.integers(0, longest - 1)))
                       for o in [draw_(st.integers(-2, 1)) for _ in range(arity)]]
        idx = list(itertools.product(*[range(lo, hi + 1) for lo, hi in axes]))
        vals = draw_(st.lists(st.integers(-4, 4), min_size=len(idx), max_size=len(idx)))
        return Table(arity, dict(zip(idx, vals, strict=True)))

    return draw()


def instantiate(d: Any, data: st.DataObject) -> tuple[dict[sympy.Symbol, int], dict[str, Table]]:
    """Integers for the statement's symbols, tables for its functions (honouring the
    derivation's Support hypotheses)."""
    st_ = d.statement
    free = set(st_.free_symbols)
    for h in d.hypotheses:
        if isinstance(h, Support):
            free |= h.lo.free_symbols | h.hi.free_symbols
    env = {s: data.draw(_scalar(s), label=str(s)) for s in sorted(free, key=str)}
    supports = {}
    for h in d.hypotheses:
        if isinstance(h, Support):
            lo = int(h.lo.xreplace(env))
            hi = int(h.hi.xreplace(env))
            supports[h.fn.__name__] = [(lo, hi)]
    tables = {name: data.draw(_table(arity, supports.get(name)), label=name)
              for name, arity in sorted(_functions(st_).items())}
    return env, tables


def _sides(d: Any) -> list[tuple[Any, Any]]:
    lhs, rhs = d.statement.lhs, d.statement.rhs
    if isinstance(lhs, sympy.MatrixBase):
        return list(zip(lhs, rhs, strict=True))
    return [(lhs, rhs)]


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, complex) or isinstance(b, complex):
        # the DTFT (the one inexact value): sums of at most a few hundred terms of
        # integers times e^{−i n·ω}, each term correct to a few ulps
        return abs(complex(a) - complex(b)) <= 1e-9 * max(1.0, abs(a), abs(b))
    return bool(a == b)


def check_statement(d: Any, env: dict[sympy.Symbol, int], tables: dict[str, Table],
                    backend: str) -> None:
    for i, (lhs, rhs) in enumerate(_sides(d)):
        ctx = Context(dict(tables), BACKENDS[backend])
        left, right = evaluate(lhs, env, ctx), evaluate(rhs, env, ctx)
        assert _close(left, right), (
            f"{d.key} [{i}] on {backend}: {left} ≠ {right} with {env} and "
            f"{ {k: t.values for k, t in tables.items()} }")


@pytest.mark.parametrize("key", [d.key for d in DISCRETE if d.key not in SKIP])
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_discrete_theorem_holds_on_the_implementations(key: str, data: st.DataObject) -> None:
    d = BY_KEY[key]
    env, tables = instantiate(d, data)
    backend = data.draw(st.sampled_from(sorted(BACKENDS)), label="backend")
    check_statement(d, env, tables, backend)


def test_every_discrete_theorem_is_evaluated() -> None:
    """Nothing drops out silently: each ℤⁿ theorem evaluates (or is listed in SKIP), and
    computes at least one ∗/⋆ node with the backend when its statement has one."""
    assert set(SKIP) <= {d.key for d in DISCRETE}
    for d in DISCRETE:
        if d.key in SKIP:
            continue
        free = set(d.statement.free_symbols)
        for h in d.hypotheses:
            if isinstance(h, Support):
                free |= h.lo.free_symbols | h.hi.free_symbols
        env = {s: (2 if s.is_positive or s.is_nonnegative else 0) for s in free}
        tables = {name: Table(arity, {(0,) * arity: 2, (1,) * arity: -1})
                  for name, arity in _functions(d.statement).items()}
        ctx = Context(tables, BACKENDS["convmath.convolve/direct"])
        for lhs, rhs in _sides(d):
            assert _close(evaluate(lhs, env, ctx), evaluate(rhs, env, ctx)), d.key
        if d.statement.has(Convolution, CrossCorrelation):
            assert ctx.calls > 0, f"{d.key}: no ∗/⋆ node reached the backend"


# -- the evaluator is an honest judge ---------------------------------------------------------


def _false_statement() -> Any:
    """(f ∗ g)(n) = (f ⋆ g)(n): false (the kernel is flipped)."""
    f, g = sympy.Function("f"), sympy.Function("g")
    n = sympy.Symbol("n", integer=True)
    return sympy.Eq(conv(f, g, n, discrete=True), xcorr(f, g, n, discrete=True),
                    evaluate=False)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_a_false_identity_fails(backend: str) -> None:
    eq = _false_statement()
    f = Table(1, {(0,): 1, (1,): 2})
    g = Table(1, {(0,): 3, (1,): 5})
    n = sympy.Symbol("n", integer=True)
    ctx = Context({"f": f, "g": g}, BACKENDS[backend])
    assert evaluate(eq.lhs, {n: 1}, ctx) != evaluate(eq.rhs, {n: 1}, ctx)


def test_a_wrong_backend_is_caught() -> None:
    """A convolution that forgets to flip (it correlates) breaks conv_comm:Z."""
    from registry_eval import Backend

    good = BACKENDS["convmath.convolve/direct"]
    bad = Backend("unflipped", lambda a, b: numeric.correlate(a, b), good.xcorr)
    (d,) = derivations("conv_comm:Z")
    n = sympy.Symbol("n", integer=True)
    tables = {"f": Table(1, {(0,): 1, (1,): 2}), "g": Table(1, {(0,): 3, (1,): 5, (2,): 7})}
    results = set()
    for val in range(-3, 5):
        ctx = Context(tables, bad)
        results.add(evaluate(d.statement.lhs, {n: val}, ctx)
                    == evaluate(d.statement.rhs, {n: val}, ctx))
    assert False in results


def test_evaluator_matches_sympy_on_small_sums() -> None:
    """The evaluator's value of an unfolded statement equals SymPy's exact finite sum."""
    f, g = sympy.Function("f"), sympy.Function("g")
    n = sympy.Symbol("n", integer=True)
    ft = {0: 2, 1: -1, 2: 3}
    gt = {-1: 4, 0: 1}
    F = sympy.Lambda(sympy.Symbol("t"), sympy.Add(*[v * sympy.KroneckerDelta(
        sympy.Symbol("t"), k) for k, v in ft.items()]))
    G = sympy.Lambda(sympy.Symbol("t"), sympy.Add(*[v * sympy.KroneckerDelta(
        sympy.Symbol("t"), k) for k, v in gt.items()]))
    tables = {"f": Table(1, {(k,): v for k, v in ft.items()}),
              "g": Table(1, {(k,): v for k, v in gt.items()})}
    for op in (conv, xcorr):
        for val in range(-4, 5):
            e = op(f, g, n, discrete=True)
            mine = evaluate(e, {n: val}, Context(tables, BACKENDS["scipy.signal/direct"]))
            k = e.unfold().limits[0][0]
            exact = sympy.Sum(op(F, G, val, discrete=True).unfold().function,
                              (k, -6, 6)).doit()
            assert mine == int(exact), (op.__name__, val)


def test_an_unbounded_sum_is_refused() -> None:
    """A sum whose terms the tables do not bound is Unsupported, never truncated."""
    k, n = sympy.Symbol("k", integer=True), sympy.Symbol("n", integer=True)
    e = sympy.Sum(sympy.KroneckerDelta(n, 0), (k, -sympy.oo, sympy.oo))
    with pytest.raises(Unsupported):
        evaluate(e, {n: 0}, Context({}, BACKENDS["convmath.convolve/direct"]))


# -- the proven backprop statements equal convmath.numeric's gradients ------------------------


def _names(nd: int, base: str) -> list[str]:
    return [base] if nd == 1 else [f"{base}{i + 1}" for i in range(nd)]


@st.composite
def _layer(draw: Any, nd: int) -> dict[str, Any]:
    """A valid grouped layer: sizes, stride/padding/dilation per axis, groups, integer arrays."""
    G = draw(st.integers(1, 2))
    K, Q = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    s = [draw(st.integers(1, 3)) for _ in range(nd)]
    d = [draw(st.integers(1, 2)) for _ in range(nd)]
    k = [draw(st.integers(1, 3)) for _ in range(nd)]
    p = [draw(st.integers(0, 2)) for _ in range(nd)]
    least = [max(1, dd * (kk - 1) + 1 - 2 * pp) for dd, kk, pp in zip(d, k, p, strict=True)]
    size = [draw(st.integers(lo, max(lo, 6 if nd == 1 else 4))) for lo in least]
    out = [numeric.conv_output_size(i, kk, ss, pp, dd)
           for i, kk, ss, pp, dd in zip(size, k, s, p, d, strict=True)]

    def arr(shape: list[int]) -> np.ndarray:
        return draw(hnp.arrays(np.int64, tuple(shape), elements=st.integers(-4, 4)))

    return {"G": G, "K": K, "Q": Q, "s": s, "d": d, "k": k, "p": p, "size": size,
            "x": arr([G * K, *size]), "w": arr([G * Q, K, *k]), "g": arr([G * Q, *out]),
            "b": arr([G * Q])}


def _tables(layer: dict[str, Any]) -> dict[str, Table]:
    def table(a: np.ndarray) -> Table:
        return Table(a.ndim, {tuple(int(q) for q in i): int(v) for i, v in np.ndenumerate(a)})

    return {name: table(layer[name]) for name in ("x", "w", "g", "b")}


def _env(d: Any, layer: dict[str, Any], nd: int, **index: Any) -> dict[sympy.Symbol, int]:
    values: dict[str, int] = {"K": layer["K"], "Q": layer["Q"]}
    for base in ("s", "d", "p"):
        values.update(zip(_names(nd, base), layer[base], strict=True))
    for base, v in index.items():
        values.update(zip(_names(nd, base), v, strict=True) if isinstance(v, tuple)
                      else [(base, v)])
    env = {sym: values[str(sym)] for sym in d.statement.free_symbols}
    assert len(env) == len(d.statement.free_symbols)
    return env


@pytest.mark.parametrize("nd", [1, 2])
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_proven_backprop_statements_equal_numeric_gradients(nd: int, data: st.DataObject) -> None:
    """conv_input_grad_grouped, conv_weight_grad_grouped and conv_bias_grad_multichannel,
    evaluated on the layer's arrays (both sides: the exact ∂ of the loss and the proven
    transposed convolution with the flipped kernel), equal conv_input_grad/
    conv_weight_grad/conv_bias_grad of convmath.numeric at every index."""
    layer = data.draw(_layer(nd))
    backend = BACKENDS[data.draw(st.sampled_from(sorted(BACKENDS)), label="backend")]
    tables = _tables(layer)
    opts = {"stride": layer["s"], "padding": layer["p"], "dilation": layer["d"],
            "groups": layer["G"]}
    x, w, g = layer["x"], layer["w"], layer["g"]
    suffix = ":Z" if nd == 1 else ":Z2"
    (din,) = derivations("conv_input_grad_grouped" + suffix)
    (dw,) = derivations("conv_weight_grad_grouped" + suffix)
    want_x = numeric.conv_input_grad(x[None].shape, w, g[None], **opts)[0]
    want_w = numeric.conv_weight_grad(x[None], w.shape, g[None], **opts)
    for deriv, want, index in ((din, want_x, ("c", "u")), (dw, want_w, ("o", "c", "i"))):
        positions = list(np.ndindex(want.shape))
        # the proven right-hand side everywhere; the costlier ∂ of the loss at a few indices
        some = data.draw(st.lists(st.sampled_from(positions), min_size=1, max_size=3),
                         label="where the loss is differentiated")
        for side, where in ((deriv.statement.rhs, positions), (deriv.statement.lhs, some)):
            ctx = Context(tables, backend)
            for pos in where:
                names = dict(zip(index, [*pos[:len(index) - 1], tuple(pos[len(index) - 1:])],
                                 strict=True))
                got = evaluate(side, _env(deriv, layer, nd, **names), ctx)
                assert got == want[pos], (deriv.key, pos, got, want[pos], layer)
    if layer["G"] == 1:
        (db,) = derivations("conv_bias_grad_multichannel" + suffix)
        want_b = numeric.conv_bias_grad(g[None])
        for o, expected in enumerate(want_b):
            for side in (db.statement.rhs, db.statement.lhs):
                got = evaluate(side, _env(db, layer, nd, o=o), Context(tables, backend))
                assert got == expected, (db.key, o, got, expected)


def test_finite_sums_follow_sympy_conventions() -> None:
    """Σ with an empty or reversed range means what it means to SymPy (Karr's convention)."""
    k, a, z = (sympy.Symbol(n, integer=True) for n in ("k", "a", "z"))
    f = sympy.Function("f")
    tables = {"f": Table(1, {(i,): i * i + 1 for i in range(-6, 7)})}
    for lo in range(-3, 4):
        for hi in range(-3, 4):
            e = sympy.Sum(f(k) * sympy.Rational(1, 2) ** k, (k, a, z))
            mine = evaluate(e, {a: lo, z: hi}, Context(tables, BACKENDS["scipy.signal/direct"]))
            exact = e.subs({a: lo, z: hi}).doit().replace(
                f, lambda q: tables["f"].at((int(q),)))
            assert mine == exact, (lo, hi, mine, exact)
