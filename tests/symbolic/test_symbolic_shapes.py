"""Symbolic network sizes (``input 3xHxW``): the printed formulas, read back by a small
evaluator here, and the "fits for" conditions agree with the numeric network_shapes at many
concrete sizes."""

from __future__ import annotations

import ast
import re
from fractions import Fraction

import pytest

from convmath import InvalidArgument
from convmath.numeric._network import network_shapes
from convmath.symbolic.shapes import formula, symbolic_network_shapes


def _value(text: str, env: dict[str, int]) -> Fraction:
    """Evaluate a printed formula (⌊ ⌋, ⌈ ⌉, ·, −, superscripts) exactly, by walking its AST:
    no eval."""
    source = (text.replace("⌊", "floor(").replace("⌋", ")").replace("⌈", "ceil(")
              .replace("⌉", ")").replace("·", "*").replace("−", "-").replace("²", "**2")
              .replace("³", "**3"))

    def walk(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return Fraction(node.value)
        if isinstance(node, ast.Name):
            return Fraction(env[node.id])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.BinOp):
            a, b = walk(node.left), walk(node.right)
            ops = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                   ast.Div: lambda: a / b, ast.Pow: lambda: a ** int(b)}
            return ops[type(node.op)]()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            (arg,) = node.args
            v = walk(arg)
            return Fraction(v.numerator // v.denominator) if node.func.id == "floor" else \
                Fraction(-((-v.numerator) // v.denominator))
        raise AssertionError(f"unexpected {ast.dump(node)} in {text!r}")

    return walk(ast.parse(source, mode="eval"))


SPECS = [
    "input 3xHxW; conv 96 k=11 s=4; relu; maxpool k=3 s=2; conv 256 k=5 p=2 g=2; "
    "maxpool k=3 s=2; conv 16 k=3 p=1 d=2; avgpool k=2",
    "input 3xHxW; conv 64 k=7 s=2 p=3 nobias; bn; maxpool k=3 s=2 p=1; save a; "
    "conv 64 k=3 s=2 p=1; save b; from a; conv 64 k=1 s=2; add b; gap; fc 10",
    "input 1xL; conv 4 k=5 s=3 p=1; convT 2 k=4 s=2 p=1; subsample k=2; conv 2 k=3 p=same",
    "input 2xSxS; conv 4 k=3 s=2; avgpool k=3 s=2 p=1; flatten; fc 3",
    "input 3xHx17; conv 8 k=3 s=2 d=2; maxpool k=2 s=2 ceil",
]


@pytest.mark.parametrize("spec", SPECS, ids=[s[:30] for s in SPECS])
def test_printed_formulas_agree_with_numeric_sizes(spec: str) -> None:
    net = symbolic_network_shapes(spec)
    names = [s.name for s in net.symbols]
    checked = 0
    for h in range(1, 130):
        env = dict.fromkeys(names, h)
        concrete = _concrete(spec, h)
        try:
            numeric = network_shapes(concrete)
        except InvalidArgument:
            # below the minimum (or a merge that disagrees) — the conditions say so
            assert h < max(v or 0 for v in net.minimum.values()) or "mod" in net.fits, (h, spec)
            continue
        checked += 1
        for sym, num in zip(net.layers, numeric.layers, strict=True):
            printed = [formula(v) for v in sym.shape]
            values = [_value(t, env) for t in printed if "if" not in t]
            if len(values) == len(num.shape):
                assert tuple(values) == num.shape, (h, sym.spec, printed)
            assert _value(formula(sym.params), env) == num.params, (h, sym.spec)
            assert _value(formula(sym.macs), env) == num.macs, (h, sym.spec)
            assert _value(formula(sym.connections), env) == num.connections, (h, sym.spec)
            if isinstance(num.receptive_field, tuple):
                assert isinstance(sym.receptive_field, tuple)
                assert tuple(_value(formula(v), env) for v in sym.receptive_field) == \
                    num.receptive_field
    assert checked > 20


def _concrete(spec: str, h: int) -> str:
    """``spec`` with every named input size replaced by ``h``."""
    head, rest = spec.split(";", 1)
    kind, shape = head.split()
    parts = [p if p.isdigit() else str(h) for p in shape.split("x")]
    layout = "c" + {1: "l", 2: "hw", 3: "dhw"}[len(parts) - 1]  # small sizes read both ways
    return f"{kind} {'x'.join(parts)} layout={layout};{rest}"


def test_minimum_is_exactly_where_the_numeric_network_starts_to_work() -> None:
    spec = "input 3xHxW; conv 96 k=11 s=4; maxpool k=3 s=2; conv 8 k=5; maxpool k=2"
    net = symbolic_network_shapes(spec)
    # brute force: the smallest square size that the numeric function accepts
    ok = [h for h in range(1, 200) if _works(_concrete(spec, h))]
    assert ok and net.minimum == {"H": ok[0], "W": ok[0]}
    assert all(h in ok for h in range(ok[0], 200))  # and every size above it
    assert f"H ≥ {ok[0]}" in net.fits


def _works(spec: str) -> bool:
    try:
        network_shapes(spec)
    except InvalidArgument:
        return False
    return True


def test_exact_layers_give_congruences_checked_by_brute_force() -> None:
    spec = "input 3xHxW; conv 96 k=11 s=4 exact; maxpool k=3 s=2 exact"
    net = symbolic_network_shapes(spec)
    ok = [h for h in range(1, 300) if _works(_concrete(spec, h))]
    # the printed condition, parsed: H ≥ a, H ≡ r (mod m)
    text = net.fits_by_name["H"]
    low = int(re.search(r"H ≥ (\d+)", text).group(1))  # type: ignore[union-attr]
    r, m = map(int, re.search(r"H ≡ (\d+) \(mod (\d+)\)", text).groups())  # type: ignore
    assert ok == [h for h in range(1, 300) if h >= low and h % m == r]
    assert (r, m) == (3, 8)  # (H − 11) ≡ 0 (mod 4) and (⌊(H − 11)/4⌋ + 1 − 3) ≡ 0 (mod 2)


def test_whole_conditions_match_the_leftover_notes() -> None:
    spec = "input 3xHxW; conv 8 k=3 s=2; conv 8 k=3 s=3"
    net = symbolic_network_shapes(spec)
    text = net.all_whole
    r, m = map(int, re.search(r"H ≡ (\d+) \(mod (\d+)\)", text).groups())  # type: ignore
    for h in range(7, 100):
        notes = [x.note for x in network_shapes(_concrete(spec, h)).layers[1:]]
        assert (not any(notes)) == (h % m == r), h


def test_fc_after_symbolic_size_makes_params_a_formula() -> None:
    net = symbolic_network_shapes("input 2xHxW; conv 4 k=3; fc 10")
    assert not net.layers[-1].params.is_Integer
    assert _value(formula(net.layers[-1].params), {"H": 5, "W": 7}) == 4 * 3 * 5 * 10 + 10
    assert net.layers[1].params == 4 * 2 * 9 + 4


def test_symbols_come_from_the_validated_token_only() -> None:
    net = symbolic_network_shapes("input 3xH_inxW2")
    assert [s.name for s in net.symbols] == ["H_in", "W2"]
    assert all(s.is_integer and s.is_positive for s in net.symbols)
    for bad in ("input 3x__import__xW", "input 3xH+1xW", "input 3x(H)xW", "input Hx3x3 "
                "layout=chw"):
        with pytest.raises(InvalidArgument):
            symbolic_network_shapes(bad)


def test_merge_that_only_sometimes_agrees_is_a_condition() -> None:
    # k=2 s=2 gives ⌊(H − 2)/2⌋ + 1 = ⌊H/2⌋, the shortcut k=1 s=2 gives ⌊(H − 1)/2⌋ + 1 =
    # ⌈H/2⌉: equal only for even H
    spec = "input 4xHxW; save a; conv 4 k=2 s=2; save b; from a; conv 4 k=1 s=2; add b"
    net = symbolic_network_shapes(spec)
    assert "H ≡ 0 (mod 2)" in net.fits and "W ≡ 0 (mod 2)" in net.fits
    assert [h for h in range(1, 30) if _works(_concrete(spec, h))] == list(range(2, 30, 2))
    never = symbolic_network_shapes(spec.replace("k=2", "k=3"))  # ⌊(H − 3)/2⌋ + 1: never
    assert "no H" in never.fits


def test_formats() -> None:
    import csv
    import json

    net = symbolic_network_shapes("input 3xHxW; conv 8 k=3 s=2; fc 4")
    data = json.loads(net.table("json"))
    assert data["symbols"] == ["H", "W"] and data["layers"][1]["params"] == 8 * 27 + 8
    rows = list(csv.reader(net.table("csv").splitlines()))
    assert rows[0][0] == "layer" and len(rows) == 4
    assert net.table("markdown").startswith("| layer |")
    assert "fits for:" in net.table("text")
