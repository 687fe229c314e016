"""Every registered derivation verifies, and every mutated step is rejected."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from typing import Any

import pytest
from sympy import Function, Integral, S, Sum, symbols

from convmath import InvalidArgument, ProofError
from convmath.symbolic import Derivation, derivations, text
from convmath.symbolic.mutants import mutants

ALL = derivations()
KEYS = [d.key for d in ALL]

# The dev profile (tests/conftest.py) checks a sample of each step's mutants: the first of
# every kind, then evenly spaced ones, at most DEV_MUTANTS_PER_STEP; ci and thorough check
# every mutant.
DEV_MUTANTS_PER_STEP = 6


def _kind(desc: str) -> str:
    """'sign of term x at (0, 1, 0)' → 'sign of term': the perturbation, not where."""
    what = re.sub(r" at \(.*", "", desc)
    return re.sub(r" \S+ (moved|→ \S+)$", r" \1", re.sub(r"^(sign of term) .*", r"\1", what))


def sampled(found: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    if os.environ.get("CONVMATH_PROFILE", "dev") != "dev" or len(found) <= DEV_MUTANTS_PER_STEP:
        return found
    first: dict[str, int] = {}
    for i, (desc, _) in enumerate(found):
        first.setdefault(_kind(desc), i)
    cap = DEV_MUTANTS_PER_STEP
    spread = [round(j * (len(found) - 1) / (cap - 1)) for j in range(cap)]
    keep = list(dict.fromkeys([*first.values(), *spread]))[:cap]
    return [found[i] for i in sorted(keep)]

PROMISED = [
    "conv_comm", "conv_assoc", "conv_add", "add_conv", "smul_conv", "conv_smul",
    "conv_shift", "shift_conv", "deriv_conv", "deriv_conv_left", "xcorr_eq_conv_reflect",
    "xcorr_swap", "xcorr_comm_counterexample", "conv_delta", "delta_conv", "fourier_conv",
    "multichannel_xcorr",
]
EVERY_DOMAIN = [n for n in PROMISED if n != "xcorr_comm_counterexample"]


def test_registry_is_nonempty_and_keys_unique() -> None:
    assert len(ALL) >= 60
    assert len(set(KEYS)) == len(KEYS)


@pytest.mark.parametrize("name", EVERY_DOMAIN)
def test_theorem_on_every_domain(name: str) -> None:
    # ℝⁿ and ℤⁿ for n = 1, 2, 3, and ℝᵈ, ℤᵈ for a symbolic d
    assert {d.domain for d in derivations(name)} == {"ℝ", "ℝ²", "ℝ³", "ℤ", "ℤ²", "ℤ³",
                                                     "ℝᵈ", "ℤᵈ"}


@pytest.mark.parametrize("name", ["deriv_conv", "deriv_conv_left"])
def test_derivative_on_every_axis(name: str) -> None:
    # ∂ᵢ(f ∗ g) = f ∗ ∂ᵢg = ∂ᵢf ∗ g (Δᵢ on ℤⁿ) for every i, not only the first axis
    found = {d.key: d for d in derivations(name)}
    for dom, n in (("R2", 2), ("Z2", 2), ("R3", 3), ("Z3", 3)):
        for i in range(1, n + 1):
            d = found[f"{name}:{dom}:axis{i}"]
            sub = "₁₂₃"[i - 1]
            lhs, rhs = text(d.statement.lhs), text(d.statement.rhs)
            assert lhs.startswith(("Δ_n" if dom[0] == "Z" else "∂/∂x") + str(i)), lhs
            assert ("Δ" if dom[0] == "Z" else "∂") + sub in rhs, rhs
    assert derivations(f"{name}:R2") == [found[f"{name}:R2:axis1"], found[f"{name}:R2:axis2"]]
    assert [d.key for d in derivations(f"{name}:R")] == [f"{name}:R"]


def test_counterexample_on_both_lines() -> None:
    assert sorted(d.domain for d in derivations("xcorr_comm_counterexample")) == [
        "ℝ", "ℝᵈ", "ℤ", "ℤᵈ"]


@pytest.mark.parametrize("d", ALL, ids=KEYS)
def test_derivation_verifies(d: Derivation) -> None:
    result = d.verify()
    assert result.steps == len(d.steps) >= 1
    assert d.hypotheses, "every theorem states its side conditions"
    # every condition its rules relied on is implied by a stated hypothesis: a bare ✓
    assert result.unstated == (), [c.describe(str) for _, c in result.unstated]
    assert str(result).startswith("✓") and "needs:" not in d.render("text", outcome=result)
    assert d.statement.lhs == d.statement.lhs and d.steps[-1].rule is not None


@pytest.mark.slow
@pytest.mark.dev_sample  # (every derivation in the ci profile)
@pytest.mark.parametrize("d", ALL, ids=KEYS)
def test_every_mutated_step_is_rejected(d: Derivation) -> None:
    """Generated perturbations (sign of a shift, f↔g in one factor, dropped derivative,
    off-by-one limit, missing Jacobian sign, …) of every step raise ProofError at that step."""
    count = 0
    for i, step in enumerate(d.steps):
        for desc, bad in sampled(list(mutants(step.expr))):
            count += 1
            with pytest.raises(ProofError) as info:
                d.with_step(i, bad).verify(reuse=True)
            assert info.value.step_index == i, (d.key, i, desc)  # type: ignore[attr-defined]
    assert count > 0


def test_mutants_cover_the_named_perturbations() -> None:
    d = derivations("conv_comm:R")[0]
    descs = " ".join(desc for s in d.steps for desc, _ in mutants(s.expr))
    for kind in ("sign of term", "f → g", "limit", "negated", "argument 0 shifted"):
        assert kind in descs
    # the missing Jacobian sign: ∫_{∞}^{−∞} f(x − w) g(w) dw (no −1) is among the mutants
    step = d.steps[1].expr
    no_jacobian = Integral(-step.function, *step.limits)
    assert no_jacobian in [m for _, m in mutants(step)]


def test_proof_error_names_step_rule_and_expressions() -> None:
    d = derivations("conv_comm:R")[0]
    x, w = symbols("x w")
    f, g = Function("f"), Function("g")
    from sympy import oo

    bad = d.with_step(1, Integral(-f(x + w) * g(w), (w, oo, -oo)))
    with pytest.raises(ProofError) as info:
        bad.verify()
    msg = str(info.value)
    assert "steps[1]" in msg and "substituting z = x − w" in msg
    assert "from:" in msg and "claimed:" in msg and "f(w + x)" in msg


def test_typed_step_cannot_pass() -> None:
    """Claiming the conclusion directly after the definition is rejected."""
    d = derivations("conv_comm:R")[0]
    with pytest.raises(ProofError, match="steps\\[1\\]"):
        d.with_step(1, d.statement.rhs).verify()


def test_chain_must_end_at_the_statement() -> None:
    from dataclasses import replace

    d = derivations("conv_comm:Z")[0]
    short = replace(d, steps=d.steps[:-1])
    with pytest.raises(ProofError, match="chain ends"):
        short.verify()
    with pytest.raises(ProofError, match="at least one step"):
        replace(d, steps=()).verify()


def test_with_step_returns_a_copy() -> None:
    d = derivations("conv_comm:R")[0]
    copy = d.with_step(0, S.Zero)
    assert copy.steps[0].expr == 0 and d.steps[0].expr != 0
    assert copy.steps[0].rule is d.steps[0].rule
    with pytest.raises(InvalidArgument):
        d.with_step(len(d.steps), S.Zero)


def test_lookup_errors() -> None:
    with pytest.raises(InvalidArgument, match="no such derivation"):
        derivations("conv_nope")
    with pytest.raises(InvalidArgument, match="family"):
        derivations(family="nope")
    assert {d.family for d in derivations(family="commutativity")} == {"commutativity"}


@pytest.mark.parametrize("d", ALL, ids=KEYS)
def test_no_step_is_a_no_op(d: Derivation) -> None:
    from convmath.symbolic import alpha_equal

    prev = d.statement.lhs
    for i, step in enumerate(d.steps):
        assert not alpha_equal(prev, step.expr), f"{d.key} steps[{i}] changes nothing"
        prev = step.expr


def test_registry_wide_mutants_include_every_kind() -> None:
    kinds = {"sign of term", "dropped −1", "dropped derivative", "dropped difference",
             "negated", "moved", "shifted", "constant", "operands swapped", "∗ ↔ ⋆", "f → g"}
    missing = set(kinds)
    for d in ALL:  # stops generating once every kind has been seen
        for step in d.steps:
            for desc, _ in mutants(step.expr):
                missing -= {k for k in missing if k in desc.split(" at ")[0]}
            if not missing:
                return
    assert not missing, missing


def test_fixed_size_backprop_catches_an_unflipped_kernel() -> None:
    """The classic bug: the input gradient correlates with w instead of the flipped w."""
    d = derivations("conv_backprop_fixed_c2o3i5k2s2p1d2")[0]
    w = Function("w")
    flip = {w(o, c, j): w(o, c, 1 - j) for o in range(3) for c in range(2) for j in range(2)}
    rhs = d.steps[0].expr
    n_x = 2 * 5  # the first C_in·i entries are ∂L/∂x
    buggy = rhs.copy()
    buggy = buggy.as_mutable()
    for r in range(n_x):
        buggy[r, 0] = rhs[r, 0].xreplace(flip)
    assert buggy.as_immutable() != rhs
    with pytest.raises(ProofError, match=r"steps\[0\]"):
        d.with_step(0, buggy.as_immutable()).verify()


@pytest.mark.parametrize("dom", ["Z", "Z2"])
def test_multichannel_backprop_general_sizes(dom: str) -> None:
    """y(n, t) = b(n) + Σ_m Σ_j w(n, m, j)·x(m, s·t + d·j − p): the three gradients verify,
    and the input gradient sums over the *output* channel with w's channel axes swapped."""
    keys = {d.key for d in derivations(family="backprop")}
    for name in ("conv_input_grad_multichannel", "conv_weight_grad_multichannel",
                 "conv_bias_grad_multichannel"):
        assert f"{name}:{dom}" in keys
    d = derivations(f"conv_input_grad_multichannel:{dom}")[0]
    d.verify()
    w = Function("w")
    n, c = symbols("n c", integer=True)
    rhs = d.statement.rhs
    assert isinstance(rhs, Sum) and rhs.limits[0][0] == n  # Σ over output channels n
    # the common bug: reading the weight as w(c, n, ·) (channel axes not swapped)
    unswapped = rhs.replace(lambda e: getattr(e, "func", None) == w and e.args[:2] == (n, c),
                            lambda e: w(c, n, *e.args[2:]))
    assert unswapped != rhs
    with pytest.raises(ProofError):
        d.with_step(len(d.steps) - 1, unswapped).verify()
    # the weight gradient pairs output channel o of g with input channel c of x
    dw = derivations(f"conv_weight_grad_multichannel:{dom}")[0]
    g, x = Function("g"), Function("x")
    o = symbols("o", integer=True)
    wrong = dw.statement.rhs.replace(
        lambda e: getattr(e, "func", None) in (g, x) and e.args[0] in (o, c),
        lambda e: e.func(c if e.args[0] == o else o, *e.args[1:]))
    assert wrong != dw.statement.rhs
    with pytest.raises(ProofError):
        dw.with_step(len(dw.steps) - 1, wrong).verify()


def test_fubini_descriptions_do_not_repeat_a_variable() -> None:
    # "swapping the order over c, c and k1, k2" was printed for (c, k1), (c, k2)
    from convmath.symbolic.rules import Fubini

    c, k1, k2, j, t, nn = symbols("c k1 k2 j t n")
    assert Fubini((c, k1), (c, k2)).describe() == \
        "swapping the order over c and k1, k2 (Fubini–Tonelli)"
    assert Fubini((k1, j), (k2, t)).describe() == \
        "swapping the order over k1, k2 and j, t (Fubini–Tonelli)"
    assert Fubini((j, t), (nn, j)).describe() == \
        "swapping the order j ↔ t, then n ↔ j (Fubini–Tonelli)"
    for d in ALL:
        for step in d.steps:
            desc = step.rule.describe()
            if " over " in desc and " and " in desc:
                a, b = desc.split(" over ")[1].split(" (")[0].split(" and ")
                names = a.split(", ") + b.split(", ")
                assert len(names) == len(set(names)), (d.key, desc)


def test_titles_print_no_python_tuples() -> None:
    for d in ALL:
        assert ",)" not in d.title, (d.key, d.title)


@pytest.mark.parametrize("key, cin, cout, i, k, s, p, d, groups", [
    ("conv_backprop_fixed_c2o3i5k2s2p1d2", 2, 3, 5, 2, 2, 1, 2, 1),
    ("conv_backprop_fixed_c4o2i4k2s2p1d1g2", 4, 2, 4, 2, 2, 1, 1, 2),
])
def test_fixed_multichannel_backprop_matches_torch_autograd(
        key: str, cin: int, cout: int, i: int, k: int, s: int, p: int, d: int,
        groups: int) -> None:
    """The fixed-size right-hand side, at random integers, equals PyTorch's autograd."""
    torch = pytest.importorskip("torch")
    import random

    d_ = derivations(key)[0]
    d_.verify()
    rng = random.Random(0)
    xt = torch.tensor([[[float(rng.randint(-5, 5)) for _ in range(i)] for _ in range(cin)]],
                      dtype=torch.float64, requires_grad=True)
    wt = torch.tensor([[[float(rng.randint(-5, 5)) for _ in range(k)]
                        for _ in range(cin // groups)] for _ in range(cout)],
                      dtype=torch.float64, requires_grad=True)
    bt = torch.tensor([float(rng.randint(-5, 5)) for _ in range(cout)],
                      dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.conv1d(xt, wt, bt, stride=s, padding=p, dilation=d, groups=groups)
    gt = torch.tensor([[[float(rng.randint(-5, 5)) for _ in range(y.shape[2])]
                        for _ in range(cout)]], dtype=torch.float64)
    y.backward(gt)
    X, W, G, B = Function("x"), Function("w"), Function("g"), Function("b")
    vals = {X(c, u): int(xt[0, c, u]) for c in range(cin) for u in range(i)}
    vals |= {W(o, c, j): int(wt[o, c, j]) for o in range(cout) for c in range(cin // groups)
             for j in range(k)}
    vals |= {G(o, t): int(gt[0, o, t]) for o in range(cout) for t in range(y.shape[2])}
    vals |= {B(o): int(bt[o]) for o in range(cout)}
    got = [int(e.xreplace(vals)) for e in d_.statement.rhs]
    want = ([int(v) for v in xt.grad[0].flatten()] + [int(v) for v in wt.grad.flatten()]
            + [int(v) for v in bt.grad])
    assert got == want


@pytest.mark.parametrize("dom", ["Z", "Z2"])
def test_grouped_backprop_general_sizes(dom: str) -> None:
    """Groups: output channel n reads input channels ⌊n/Q⌋·K + m; the input gradient uses
    w(n, c − ⌊n/Q⌋·K, ·) — dropping the group offset is rejected."""
    from sympy import floor

    d = derivations(f"conv_input_grad_grouped:{dom}")[0]
    d.verify()
    w = Function("w")
    n, c = symbols("n c", integer=True)
    K, Q = symbols("K Q", integer=True, positive=True)
    offset = c - K * floor(n / Q)
    rhs = d.statement.rhs
    assert rhs.has(w(n, offset, *([symbols("τ")] if dom == "Z" else symbols("τ1 τ2"))))
    no_offset = rhs.xreplace({offset: c})
    assert no_offset != rhs
    with pytest.raises(ProofError):
        d.with_step(len(d.steps) - 1, no_offset).verify()
    dw = derivations(f"conv_weight_grad_grouped:{dom}")[0]
    dw.verify()
    o = symbols("o", integer=True)
    assert dw.statement.rhs.has(K * floor(o / Q) + c)


def _evaluate_at(e: object, env: dict[object, object],
                 tables: dict[str, dict[tuple[int, ...], int]],
                 windows: dict[object, range], default: range) -> object:
    """A tiny exact evaluator for the unfolded statements: integers and fractions, finite
    tables for the undefined functions (0 elsewhere), every Σ over a window that holds all
    its non-zero terms. Independent of the rules under test."""
    import math
    from fractions import Fraction

    from sympy import Add, KroneckerDelta, Mul, Pow, Symbol, floor
    from sympy.core.function import AppliedUndef

    def ev(a: object) -> object:
        if getattr(a, "is_Integer", False):
            return int(a)  # type: ignore[call-overload]
        if isinstance(a, Symbol):
            return env[a]
        if isinstance(a, Add):
            return sum(ev(t) for t in a.args)  # type: ignore[misc]
        if isinstance(a, Mul):
            out: object = 1
            for t in sorted(a.args, key=lambda t: not isinstance(t, KroneckerDelta)):
                out = out * ev(t)  # type: ignore[operator]
                if out == 0:
                    return 0
            return out
        if isinstance(a, Pow):
            return Fraction(ev(a.base)) ** int(a.exp)  # type: ignore[arg-type]
        if isinstance(a, KroneckerDelta):
            return int(ev(a.args[0]) == ev(a.args[1]))
        if isinstance(a, floor):
            return math.floor(ev(a.args[0]))  # type: ignore[call-overload]
        if isinstance(a, AppliedUndef):
            key = tuple(ev(t) for t in a.args)
            return tables[a.func.__name__].get(key, 0)  # type: ignore[arg-type]
        if isinstance(a, Sum):
            (v, lo, hi), rest = a.limits[0], a.limits[1:]
            inner = Sum(a.function, *rest) if rest else a.function
            assert lo == -S.Infinity and hi == S.Infinity, a
            total: object = 0
            for val in windows.get(v, default):
                env[v] = val
                total = total + ev(inner)  # type: ignore[operator]
            del env[v]
            return total
        raise AssertionError(f"cannot evaluate {a!r}")

    return ev(e)


@pytest.mark.parametrize("groups", [1, 2])
def test_general_multichannel_statements_match_torch_autograd(groups: int) -> None:
    """Instantiate the general-size statements (input, weight, bias gradient) at concrete
    strides, paddings, dilations and channel counts and compare with PyTorch autograd."""
    torch = pytest.importorskip("torch")
    import random

    from convmath.symbolic.rules import unfold_all

    cin, cout, i, k, s, p, d = 4, 2, 5, 2, 2, 1, 2
    rng = random.Random(1)
    xt = torch.tensor([[[float(rng.randint(-4, 4)) for _ in range(i)] for _ in range(cin)]],
                      dtype=torch.float64, requires_grad=True)
    wt = torch.tensor([[[float(rng.randint(-4, 4)) for _ in range(k)]
                        for _ in range(cin // groups)] for _ in range(cout)],
                      dtype=torch.float64, requires_grad=True)
    bt = torch.zeros(cout, dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.conv1d(xt, wt, bt, stride=s, padding=p, dilation=d, groups=groups)
    gt = torch.tensor([[[float(rng.randint(-4, 4)) for _ in range(y.shape[2])]
                        for _ in range(cout)]], dtype=torch.float64)
    y.backward(gt)
    tables = {
        "x": {(c, u): int(xt[0, c, u]) for c in range(cin) for u in range(i)},
        "w": {(o, c, j): int(wt[o, c, j]) for o in range(cout) for c in range(cin // groups)
              for j in range(k)},
        "g": {(o, t): int(gt[0, o, t]) for o in range(cout) for t in range(y.shape[2])},
    }
    kind = "grouped" if groups > 1 else "multichannel"
    n, c, o = symbols("n c o", integer=True)
    u, ii = symbols("u i", integer=True)
    sd = {symbols("s", integer=True, positive=True): s,
          symbols("d", integer=True, positive=True): d,
          symbols("p", integer=True, nonnegative=True): p,
          symbols("K", integer=True, positive=True): cin // groups,
          symbols("Q", integer=True, positive=True): cout // groups}
    windows = {n: range(-1, cout + 1)}
    dx = unfold_all(derivations(f"conv_input_grad_{kind}:Z")[0].statement.rhs.xreplace(sd))
    for cc in range(cin):
        for uu in range(i):
            got = _evaluate_at(dx, {c: cc, u: uu}, tables, windows, range(-8, 9))
            assert got == int(xt.grad[0, cc, uu]), (cc, uu)
    dw = unfold_all(derivations(f"conv_weight_grad_{kind}:Z")[0].statement.rhs.xreplace(sd))
    for oo in range(cout):
        for cc in range(cin // groups):
            for jj in range(k):
                got = _evaluate_at(dw, {o: oo, c: cc, ii: jj}, tables, windows, range(-8, 9))
                assert got == int(wt.grad[oo, cc, jj]), (oo, cc, jj)
    db = derivations("conv_bias_grad_multichannel:Z")[0].statement.rhs
    for oo in range(cout):
        assert _evaluate_at(db, {o: oo}, tables, windows, range(-8, 9)) == int(bt.grad[oo])


@pytest.mark.parametrize("key, kind", [
    ("conv_assoc:R", "absolute"), ("conv_assoc:Z2", "absolute"),
    ("deriv_conv:R", "leibniz"), ("conv_delta:R", "continuous"),
    ("conv_support_right:Z", "support"), ("fourier_conv:R", "absolute"),
    ("conv_input_grad:Z", "absolute"),
])
def test_side_conditions_are_recorded_and_covered_by_the_hypotheses(key: str,
                                                                     kind: str) -> None:
    d = derivations(key)[0]
    result = d.verify()
    kinds = {c.kind for _, c in result.conditions}
    assert kind in kinds, kinds  # the rules recorded what they relied on ...
    assert result.unstated == ()  # ... and the stated hypotheses imply all of it
    # without its hypotheses the same derivation is only conditionally valid
    bare = replace(d, hypotheses=())
    unstated = bare.verify().unstated
    assert unstated and kind in {c.kind for _, c in unstated}
    assert "needs:" in bare.render("text") and "⚠" in bare.render("text")
