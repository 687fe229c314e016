"""Text output at a width: long expressions broken at top-level operators, reasons kept
readable, vectors as tables; the default is the terminal's width. The whole registry at 80
and 100 columns is checked in test_registry_output.py."""

from __future__ import annotations

import re
import sys
import types

import pytest
from sympy import Function, Symbol

from convmath.cli import main
from convmath.symbolic import Derivation, Verified, derivations, text
from convmath.symbolic.printing import break_line, wrap

# the snapshot of tests/symbolic/test_rendering.py, without an explanation line
CONV_COMM_R = """\
conv_comm (ℝ) — convolution is commutative
  (f ∗ g)(x) = (g ∗ f)(x)
  assuming: f, g ∈ L¹(ℝ) — every integral of f, g here converges absolutely
  assuming: x ∈ ℝ (as declared)

  (f ∗ g)(x)
    = ∫_{−∞}^{∞} f(z)·g(x − z) dz    by definition of ∗
    = ∫_{∞}^{−∞} −f(x − w)·g(w) dw   by substituting z = x − w
    = ∫_{−∞}^{∞} f(x − w)·g(w) dw    by reversing the limits
    = (g ∗ f)(x)                     by definition of ∗"""


@pytest.fixture
def no_explanations(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("convmath.symbolic.explanations")
    fake.explain = lambda name: None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "convmath.symbolic.explanations", fake)


@pytest.fixture(scope="module")
def backprop() -> tuple[Derivation, Verified]:
    d = derivations("conv_backprop_fixed_i7k3s2p1d2:Z")[0]
    return d, d.verify()


def test_break_line_prefers_top_level_operators() -> None:
    s = "(a + b)·c + (d − e)·f − g = h + (i + j)"
    assert break_line(s, 100, 100) == [s]
    # a chain: each side starts a line (before =); inside a side, + and − before ·, and
    # brackets are entered only when a top-level piece does not fit
    assert break_line(s, 20, 20) == ["(a + b)·c", "+ (d − e)·f − g", "= h + (i + j)"]
    assert break_line("aaaa + bbbb = cccc", 12, 12) == ["aaaa + bbbb", "= cccc"]
    assert break_line("x·y + (p + q + r)·y", 15, 15) == ["x·y", "+ (p + q + r)·y"]
    assert break_line("x·y + (p + q + r)·y", 14, 14) == ["x·y", "+ (p + q + r)", "·y"]
    assert break_line("x·(p + q + r)·y", 9, 9) == ["x·(p + q", "+ r)·y"]


def test_break_line_never_loses_a_character() -> None:
    s = "Σ_{k=0}^{N − 1} " + "·".join(f"w({i}, k)" for i in range(30))
    for width in (20, 33, 57):
        lines = break_line(s, width, width - 4)
        assert len(lines[0]) <= width and all(len(ln) <= width - 4 for ln in lines[1:])
        assert "".join(lines).replace(" ", "") == s.replace(" ", "")
    # no break point at all: cut at the width, nothing dropped
    assert break_line("x" * 25, 10, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_prose_breaks_at_spaces_outside_brackets() -> None:
    s = "assuming: k=(2, 2), s=(2, 1), p=(1, 0) and every integral ∫_{−∞}^{∞} f here converges"
    assert wrap(s, 40, "  ", "    ", prose=True) == [
        "  assuming: k=(2, 2), s=(2, 1), p=(1, 0)",
        "    and every integral ∫_{−∞}^{∞} f here",
        "    converges"]


def test_layout_unchanged_when_it_fits(no_explanations: None) -> None:
    d = derivations("conv_comm:R")[0]
    assert d.render("text", verify=False, width=100) == CONV_COMM_R
    assert d.render("text", verify=False, width=80) == CONV_COMM_R


def test_narrow_width_moves_reasons_to_their_own_line(no_explanations: None) -> None:
    d = derivations("conv_comm:R")[0]
    lines = d.render("text", verify=False, width=44).splitlines()
    assert max(len(ln) for ln in lines) <= 44
    i = lines.index("    = ∫_{−∞}^{∞} f(z)·g(x − z) dz")
    assert lines[i + 1] == "        by definition of ∗"
    assert "    = (g ∗ f)(x)   by definition of ∗" in lines  # fits: stays on its line
    # nothing lost: the same text once whitespace is removed
    assert re.sub(r"\s", "", "\n".join(lines)) == re.sub(r"\s", "", CONV_COMM_R)


def test_vectors_become_tables(backprop: tuple[Derivation, Verified]) -> None:
    d, outcome = backprop
    out = d.render("text", outcome=outcome, width=80)
    lines = out.splitlines()
    assert max(len(ln) for ln in lines) <= 80
    statement = next(ln for ln in lines if "entries" in ln)
    assert statement.startswith("  (11 entries: ∂/∂x(0) [L], …, ∂/∂b [L])ᵀ")
    assert "  column vector of 11 entries:" in lines
    assert any(ln.startswith("    = column vector of 11 entries:") for ln in lines)
    entries = [ln for ln in lines if re.match(r"^ {6}\[\d+\] +=", ln)]
    assert len(entries) == 22  # lhs and rhs, one line per entry
    assert "      [0]  = ∂/∂x(0) [L]" in lines and "      [10] = g(0) + g(1) + g(2)" in lines
    assert "by evaluating the derivatives of the explicit forward polynomial" in out
    # wide enough for a line: the vector stays on it
    wide = d.render("text", outcome=outcome, width=2000)
    assert "column vector" not in wide and "(∂/∂x(0) [L], ∂/∂x(1) [L]," in wide


def test_default_width_is_the_terminals(backprop: tuple[Derivation, Verified],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    d, outcome = backprop
    monkeypatch.setenv("COLUMNS", "60")
    assert max(len(ln) for ln in d.render("text", outcome=outcome).splitlines()) <= 60
    monkeypatch.setenv("COLUMNS", "20")  # a narrow terminal: the narrowest width allowed
    assert max(len(ln) for ln in d.render("text", outcome=outcome).splitlines()) <= 40


def test_cli_width(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "conv_backprop_fixed_i7k3s2p1d2:Z", "--width", "50"]) == 0
    out = capsys.readouterr().out
    assert max(len(ln) for ln in out.splitlines()) <= 50
    assert "[10] = g(0) + g(1) + g(2)" in out and "derivations verified" in out


def test_a_long_sum_is_broken_under_its_expression() -> None:
    x, w = Symbol("x"), Function("w")
    shown = text(sum(w(i) * x**i for i in range(12)))
    assert wrap("= " + shown, 60, "    ", "      ") == [
        "    = x^11·w(11) + x^10·w(10) + x^9·w(9) + x^8·w(8)",
        "      + x^7·w(7) + x^6·w(6) + x^5·w(5) + x^4·w(4) + x^3·w(3)",
        "      + x^2·w(2) + x·w(1) + w(0)"]


@pytest.mark.parametrize("columns", [80, 120])
def test_list_and_search_fit_the_terminal(columns: int, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """One line a theorem, never wider than the terminal: vectors elided, the rest cut."""
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["prove", "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == len(derivations())
    assert max(len(ln) for ln in listed) <= columns
    assert any("entries" in ln and "…" in ln for ln in listed)  # a fixed-size backprop
    if columns >= 100:  # short statements are whole (the key column takes 44 characters)
        assert any(ln.startswith("conv_comm:R2 ") and ln.rstrip().endswith("(g ∗ f)(x1, x2)")
                   for ln in listed)
    assert main(["prove", "--search", "backprop", "fixed"]) == 0
    found = capsys.readouterr().out.splitlines()
    assert found and max(len(ln) for ln in found) <= columns
