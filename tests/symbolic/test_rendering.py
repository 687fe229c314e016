"""Rendering snapshots: text, LaTeX, Markdown and Jupyter."""

from __future__ import annotations

from convmath.symbolic import derivations

CONV_COMM_R = """\
conv_comm (ℝ) — convolution is commutative
  In words: Sliding g across f gives the same result as sliding f across g: the
    order of the two functions does not matter.
  (f ∗ g)(x) = (g ∗ f)(x)
  assuming: f, g ∈ L¹(ℝ) — every integral of f, g here converges absolutely
  assuming: x ∈ ℝ (as declared)

  (f ∗ g)(x)
    = ∫_{−∞}^{∞} f(z)·g(x − z) dz    by definition of ∗
    = ∫_{∞}^{−∞} −f(x − w)·g(w) dw   by substituting z = x − w
    = ∫_{−∞}^{∞} f(x − w)·g(w) dw    by reversing the limits
    = (g ∗ f)(x)                     by definition of ∗"""


def test_text_snapshot() -> None:
    d = derivations("conv_comm:R")[0]
    assert d.render("text", verify=False) == CONV_COMM_R
    assert str(d) == CONV_COMM_R


def test_check_mark_only_when_verified() -> None:
    d = derivations("conv_comm:R")[0]
    out = d.render("text")
    assert out.startswith(CONV_COMM_R)
    assert out.splitlines()[-1].startswith("  ✓ 4 steps, each re-checked by SymPy (")
    bad = d.with_step(2, d.steps[1].expr).render("text")
    assert "✓" not in bad and "✗" in bad and "steps[2]" in bad


def test_latex_and_markdown() -> None:
    d = derivations("xcorr_swap:Z")[0]
    tex = d.render("latex")
    assert r"\begin{aligned}" in tex and r"\end{aligned}" in tex
    assert r"\star" in tex and r"\text{by definition of $\star$}" in tex
    # derivations keep the compact notation, unlike sympy.latex of a bare operator
    assert r"\left(f \star g\right)\!\left(n\right)" in tex
    md = d.render("markdown")
    assert md.startswith("### `xcorr_swap` (ℤ)") and "$$" in md and "✓" in md
    j = d._repr_latex_()
    assert j.startswith("$\\begin{aligned}") and j.endswith("\\end{aligned}$")


def test_discrete_derivative_text() -> None:
    d = derivations("deriv_conv:Z")[0]
    out = d.render("text", verify=False)
    assert "Δ_n[(f ∗ g)(n)] = (f ∗ Δg)(n)" in out or "Δ_n" in out
    assert "by taking the difference under the sum" in out
