"""LaTeX and Markdown output: Unicode mapped to LaTeX, binders over a whole space, term order
shared with the text printer, standalone documents, the CLI options, notebook display and
the explanation line. The whole registry is compiled in test_registry_output.py."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
import sympy
from sympy import Function, Integral, Sum, Symbol, oo, symbols

from convmath.cli import main
from convmath.errors import InvalidArgument
from convmath.symbolic import Derivation, Step, Verified, conv, derivations, latex, text
from convmath.symbolic.printing import (
    COMBINING,
    SUBSCRIPTS,
    SUPERSCRIPTS,
    UNICODE_LATEX,
    latex_document,
    latex_unmapped,
    md_text,
    ordered_terms,
    tex_math,
    tex_text,
)
from convmath.symbolic.rules import Linearity

f, g = symbols("f g", cls=Function)


class Point(Symbol):
    """A variable ranging over ℝᵈ, as the vector variables of the registry do."""

    domain_text = "ℝᵈ"
    domain_latex = r"\mathbb{R}^{d}"


class Lattice(Symbol):
    domain_text = "ℤᵈ"
    domain_latex = r"\mathbb{Z}^{d}"


@pytest.fixture(scope="module")
def comm() -> tuple[Derivation, Verified]:
    d = derivations("conv_comm:R")[0]
    return d, d.verify()


def _unstated() -> Derivation:
    """The README's derivation whose linearity step needs what no hypothesis states."""
    z = Symbol("z", real=True)
    lhs = Integral(f(z) - f(z + 1), (z, -oo, oo))
    rhs = Integral(f(z), (z, -oo, oo)) - Integral(f(z + 1), (z, -oo, oo))
    return Derivation("split_it", "ℝ", "split a difference", sympy.Eq(lhs, rhs),
                      (Step(rhs, Linearity()),))


def _failed(d: Derivation) -> Derivation:
    return d.with_step(2, d.steps[1].expr)


# -- Unicode to LaTeX ----------------------------------------------------------------------

def test_tex_text_maps_symbols_and_escapes_specials() -> None:
    assert tex_text("f, g ∈ L¹(ℝ)") == r"f, g $\in$ L$^{1}$($\mathbb{R}$)"
    assert tex_text("o_T & 50% #1 {x} a^b ~ \\") == (
        r"o$\_$T $\&$ 50$\%$ $\#$1 $\{$x$\}$ a$\hat{}$b $\sim$ $\backslash$")
    # scripts on a symbol written as math are scripts; on a word, an underscore
    assert tex_text("∫_{−∞}^{∞} and Δ_n") == r"$\int_{-\infty}^{\infty}$ and $\Delta_{n}$"
    assert tex_text("conv_comm") == r"conv$\_$comm"
    assert tex_text("x = $\\alpha$ — δx") == r"x = $\alpha$ --- $\delta$x"
    assert tex_text("f̃ ℝᵈ ≤ x₁₂") == r"$\tilde{f}$ $\mathbb{R}^{d}$ $\leq$ x$_{12}$"
    assert tex_text("✓ ⚠ ✗") == r"$\checkmark$ $\text{(!)}$ $\times$"


def test_tex_math_maps_non_ascii_only() -> None:
    assert tex_math(r"\left(ξ\right) ≤ x²") == r"\left(\xi\right) \leq x{}^{2}"
    assert tex_math(r"\frac{a}{b}") == r"\frac{a}{b}"
    assert tex_math("δx") == r"\delta x"  # a control word never runs into a letter
    assert tex_math("i′ + (f ∗ g)(−1)") == "i{}' + (f * g)(-1)"  # never a double ^


def test_every_mapped_character_is_known_and_an_unknown_one_is_reported() -> None:
    table = "".join(UNICODE_LATEX) + "".join(SUPERSCRIPTS) + "".join(SUBSCRIPTS)
    assert latex_unmapped(table + "x" + "".join(COMBINING)) == set()
    assert latex_unmapped("a ☃ b") == {"☃"}
    assert tex_text("☃") == "[U+2603]"  # compiles, visibly; the tests refuse it
    for c in table:
        assert tex_text(c).isascii() and tex_math(c).isascii(), c


def test_latex_of_an_expression_is_ascii() -> None:
    xi = Symbol("ξ")
    assert latex(f(xi)) == r"f{\left(\xi \right)}"
    assert latex(conv(f, g, Symbol("x"))) == r"\left(f * g\right)\!\left(x\right)"


# -- binders over a whole space -------------------------------------------------------------

def test_a_binder_over_a_space_prints_the_space() -> None:
    z, a = Point("z"), Lattice("a")
    x, n = symbols("x n")
    integral = Integral(f(z) * g(x - z), (z, -oo, oo))
    total = Sum(f(a) * g(n - a), (a, -oo, oo))
    assert text(integral) == "∫_{ℝᵈ} f(z)·g(x − z) dz"
    assert text(total) == "Σ_{a ∈ ℤᵈ} f(a)·g(n − a)"
    assert latex(integral) == (r"\int_{\mathbb{R}^{d}} f{\left(z \right)} "
                               r"g{\left(x - z \right)}\, dz")
    assert latex(total) == (r"\sum_{a \in \mathbb{Z}^{d}} f{\left(a \right)} "
                            r"g{\left(n - a \right)}")
    # finite limits are kept; a plain variable over the line keeps its limits
    assert text(Integral(f(z), (z, 0, 1))) == "∫_{0}^{1} f(z) dz"
    assert latex(Integral(f(x), (x, -oo, oo))) == (
        r"\int\limits_{-\infty}^{\infty} f{\left(x \right)}\, dx")
    w = Point("w")
    nested = Integral(f(z) * g(w), (z, -oo, oo), (w, -oo, oo))
    assert text(nested) == "∫_{ℝᵈ} ∫_{ℝᵈ} f(z)·g(w) dz dw"
    assert latex(nested).startswith(r"\int_{\mathbb{R}^{d}} \int_{\mathbb{R}^{d}}")
    assert latex(nested).endswith(r"\, dz\, dw")


def test_keys_are_ascii_for_every_domain() -> None:
    d = derivations("conv_comm:R")[0]
    for domain, key in (("ℝ²", "R2"), ("ℤ³", "Z3"), ("ℝᵈ", "Rd"), ("ℤᵈ", "Zd")):
        assert d.__class__(d.name, domain, d.title, d.statement, d.steps).key == f"conv_comm:{key}"


# -- one term order ---------------------------------------------------------------------------

def test_latex_orders_terms_like_text() -> None:
    x, w, N, M, d, j, s, t, p = symbols("x w N M d j s t p")
    for e, shown in ((x - w, "x - w"), (N + M - 1, "M + N - 1"),
                     (d * j + s * t - p, "d j + s t - p"), (-w + x + 3, "x - w + 3")):
        assert latex(e) == shown
        assert text(e).replace("·", " ").replace("−", "-") == shown
    assert ordered_terms(x - w) == (x, -w)


# -- documents --------------------------------------------------------------------------------

def test_fragment_and_standalone(comm: tuple[Derivation, Verified]) -> None:
    d, outcome = comm
    frag = d.render("latex", outcome=outcome)
    assert frag.isascii() and r"\documentclass" not in frag
    assert r"\[\begin{aligned}" in frag and r"\text{by definition of $*$}" in frag
    assert r"\checkmark" in frag and "x - w" in frag  # the reason in text's term order
    doc = d.render("latex", outcome=outcome, standalone=True)
    assert doc.startswith("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}")
    assert doc.endswith("\\end{document}\n") and frag in doc


def test_failed_and_conditional_status_in_words(comm: tuple[Derivation, Verified]) -> None:
    d, _ = comm
    tex = _failed(d).render("latex")
    assert r"\textbf{Failed:}" in tex and r"\checkmark" not in tex and tex.isascii()
    md = _failed(d).render("markdown")
    assert "✗" in md and "steps\\[2\\]" in md
    tex = _unstated().render("latex")
    assert tex.count(r"\noindent Needs: $\int\limits") == 2 and r"\textbf{Warning:} 1 step" in tex
    md = _unstated().render("markdown").splitlines()
    assert md[-3].startswith("- needs: $\\int") and md[-2] == "" and md[-1].startswith("⚠ 1 step")


def test_a_fragment_compiles_in_a_minimal_document(comm: tuple[Derivation, Verified],
                                                   tmp_path: Path) -> None:
    """One compile: a derivation's fragment pasted into a document that loads amsmath and
    amssymb, every character of the tables in text and in math, and latex() of a binder
    over ℝᵈ inside \\[ … \\]."""
    engine = shutil.which("pdflatex") or shutil.which("lualatex")
    if engine is None:
        pytest.skip("no LaTeX engine (pdflatex or lualatex) on PATH: apt-get install "
                    "texlive-latex-base, as .ci/run does")
    d, outcome = comm
    chars = "".join(UNICODE_LATEX) + " x" + "".join(SUPERSCRIPTS) + " x" + "".join(SUBSCRIPTS)
    z = Point("z")
    body = "\n".join([
        d.render("latex", outcome=outcome),
        _failed(d).render("latex"),
        _unstated().render("latex"),
        tex_text("Text: " + chars + " f" + "".join(COMBINING)) + r"\par",
        rf"\[ {tex_math(chars)} \]",
        rf"\[ {latex(Integral(f(z) * g(Symbol('x') - z), (z, -oo, oo)))} \]",
        rf"\[ {latex(Sum(f(Lattice('a')), (Lattice('a'), -oo, oo)))} \]",
    ])
    doc = ("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n"
           f"\\begin{{document}}\n{body}\n\\end{{document}}\n")
    assert doc.isascii()
    (tmp_path / "frag.tex").write_text(doc, encoding="ascii")
    out = subprocess.run([engine, "-halt-on-error", "-interaction=nonstopmode",
                          "-no-shell-escape", "frag.tex"], cwd=tmp_path, capture_output=True,
                         text=True, errors="replace", timeout=120)
    assert out.returncode == 0, out.stdout[-3000:]
    assert "Missing character" not in (tmp_path / "frag.log").read_text(encoding="latin-1")


def test_latex_document_wraps_a_body() -> None:
    doc = latex_document("hello")
    assert doc.index(r"\begin{document}") < doc.index("hello") < doc.index(r"\end{document}")


def test_markdown_text_lines_escape_markdown_and_keep_math(
        comm: tuple[Derivation, Verified]) -> None:
    assert md_text("o_T [x] *y* $a_b$") == r"o\_T \[x\] \*y\* $a_b$"
    d, outcome = comm
    md = d.render("markdown", outcome=outcome)
    assert md.startswith("### `conv_comm` (ℝ) — convolution is commutative")
    assert "\n$$\n\\begin{aligned}\n" in md and "\\end{aligned}\n$$" in md
    assert md.rstrip().splitlines()[-1].startswith("✓ 4 steps")


# -- arguments --------------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "named"), [
    ({"fmt": "text", "width": 10}, "width=10"),
    ({"fmt": "text", "width": "80"}, "width='80'"),
    ({"fmt": "text", "width": True}, "width=True"),
    ({"fmt": "latex", "width": 80}, "width=80"),
    ({"fmt": "text", "standalone": True}, "standalone=True"),
    ({"fmt": "latex", "standalone": "yes"}, "standalone='yes'"),
])
def test_bad_arguments_are_named(kwargs: dict[str, object], named: str) -> None:
    d = derivations("conv_comm:R")[0]
    fmt = kwargs.pop("fmt")
    with pytest.raises(InvalidArgument, match=named.replace("(", r"\(")):
        d.render(fmt, verify=False, **kwargs)  # type: ignore[arg-type]


def test_cli_standalone_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "conv_comm:R", "--format", "latex", "--standalone"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\\documentclass{article}") and out.isascii()
    assert out.rstrip().endswith("\\end{document}")
    # the summary is a paragraph of the document, before its end
    assert r"$\checkmark$ 1/1 derivations verified" in out.rsplit(r"\end{document}")[0]


@pytest.mark.parametrize(("argv", "message"), [
    (["--standalone"], "--standalone makes a LaTeX document: it needs --format latex"),
    (["--format", "markdown", "--standalone"], "not --format markdown"),
    (["--width", "10"], "--width 10: give at least 40"),
    (["--format", "latex", "--width", "80"], "--width 80: only --format text"),
])
def test_cli_bad_output_options_exit_two(argv: list[str], message: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "conv_comm:R", *argv]) == 2
    assert message in capsys.readouterr().err


# -- notebooks and the REPL ---------------------------------------------------------------

def test_notebook_and_repl_display(comm: tuple[Derivation, Verified]) -> None:
    d, outcome = comm
    j = d._repr_latex_()
    assert j.startswith("$\\begin{aligned}") and j.endswith("\\end{aligned}$") and j.isascii()
    assert "&\\begin{aligned}" in j  # the chain nested: every outer row starts at the left
    md = d._repr_markdown_()
    assert md.startswith("### `conv_comm`") and "✓ 4 steps" in md
    assert repr(outcome) == str(outcome) and repr(outcome).startswith("✓ 4 steps, each re-checked")
    assert outcome.steps == 4 and outcome.name == "conv_comm"


# -- the explanation line -----------------------------------------------------------------

def test_explanation_is_the_second_line(comm: tuple[Derivation, Verified],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    d, outcome = comm
    fake = types.ModuleType("convmath.symbolic.explanations")
    fake.explain = lambda name: (  # type: ignore[attr-defined]
        "f_1 and g swap places — so order is irrelevant.")
    monkeypatch.setitem(sys.modules, "convmath.symbolic.explanations", fake)
    lines = d.render("text", outcome=outcome, width=100).splitlines()
    assert lines[1] == "  In words: f_1 and g swap places — so order is irrelevant."
    md = d.render("markdown", outcome=outcome).splitlines()
    assert md[2] == r"*In words: f\_1 and g swap places — so order is irrelevant.*"
    tex = d.render("latex", outcome=outcome).splitlines()
    assert tex[1] == (r"\noindent\emph{In words: f$\_$1 and g swap places --- so order is "
                      r"irrelevant.}\par")
    assert r"\text{In words: f$\_$1" in d._repr_latex_()
    fake.explain = lambda name: None  # type: ignore[attr-defined]
    out = d.render("text", outcome=outcome, width=100)
    assert "In words" not in out and out.splitlines()[1] == "  (f ∗ g)(x) = (g ∗ f)(x)"


def test_no_explanations_module_means_no_line(comm: tuple[Derivation, Verified],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    d, outcome = comm
    monkeypatch.setitem(sys.modules, "convmath.symbolic.explanations", None)
    out = d.render("markdown", outcome=outcome)
    assert "In words" not in out and out.splitlines()[2] == "$$ " + latex(d.statement) + " $$"


def test_katex_renders_needs_and_failures(comm: tuple[Derivation, Verified]) -> None:
    """The registry's Markdown is rendered in test_registry_output.py; here the lines only a
    failed or conditional derivation has (✗, needs: with inline math)."""
    node = shutil.which("node")
    katex = Path(sys.prefix) / "node" / "node_modules" / "katex"
    if node is None or not katex.is_dir():
        pytest.skip("node or KaTeX not found: npm install --prefix <venv>/node katex, as "
                    ".ci/run does")
    d, _ = comm
    items = []
    for md in (_failed(d).render("markdown"), _unstated().render("markdown")):
        items += [[m, True] for m in re.findall(r"\$\$(.*?)\$\$", md, flags=re.S)]
        rest = re.sub(r"\$\$(.*?)\$\$", "", md, flags=re.S)
        items += [[m, False] for m in re.findall(r"(?<!\\)\$(.+?)(?<!\\)\$", rest)]
    assert sum(1 for _, display in items if not display) == 2  # the two needs: lines
    script = ("const k = require(process.argv[1]); const out = [];"
              "for (const [s, d] of JSON.parse(require('fs').readFileSync(0, 'utf8'))) {"
              " try { k.renderToString(s, {throwOnError: true, displayMode: d,"
              " strict: 'error'}); } catch (e) { out.push(String(e.message)); } }"
              "process.stdout.write(JSON.stringify(out));")
    out = subprocess.run([node, "-e", script, str(katex)], input=json.dumps(items),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and json.loads(out.stdout) == [], out.stdout + out.stderr
