"""Every registered derivation, rendered in every format from one verify() each: text lines
within 80 and 100 columns with nothing lost, LaTeX that pdflatex compiles (one standalone
document with all of them), Markdown math that KaTeX renders.

The whole registry is verified once per module (about 6 s, nothing when another test of the
process verified it: reuse=True); each format is rendered once."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from functools import cached_property
from pathlib import Path

import pytest
import sympy

from convmath.errors import ProofError
from convmath.symbolic import Derivation, Verified, derivations, text
from convmath.symbolic.printing import latex_document, latex_unmapped


class Registry:
    """The registry with one verify() outcome per derivation, and each rendering, made on
    first use."""

    def __init__(self) -> None:
        self.ds = derivations()
        self.outcomes: list[Verified | ProofError] = []
        for d in self.ds:
            try:
                self.outcomes.append(d.verify(reuse=True))  # free after another test
            except ProofError as exc:  # still rendered: the test that it verifies is elsewhere
                self.outcomes.append(exc)
        self._text: dict[int, list[str]] = {}

    def text(self, width: int) -> list[str]:
        if width not in self._text:
            self._text[width] = [d.render("text", outcome=o, width=width)
                                 for d, o in zip(self.ds, self.outcomes, strict=True)]
        return self._text[width]

    @cached_property
    def latex(self) -> list[str]:
        return [d.render("latex", outcome=o) for d, o in zip(self.ds, self.outcomes, strict=True)]

    @cached_property
    def markdown(self) -> list[str]:
        return [d.render("markdown", outcome=o)
                for d, o in zip(self.ds, self.outcomes, strict=True)]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry()


def _flat(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _check_nothing_lost(d: Derivation, out: str) -> int:
    """Every expression of the chain is in ``out`` (whitespace aside) — a vector too long for
    a line as a table, one line ``[k] = entry`` per entry —, and so are every reason,
    assumption and definition; the number of tables."""
    flat = _flat(out)
    pieces = [f"by {s.rule.describe()}" for s in d.steps]
    pieces += [f"assuming: {h}" for h in d.assumptions()]
    pieces += [f"where: {h}" for h in d.definitions()]
    for piece in pieces:
        assert _flat(piece) in flat, (d.key, piece[:120])
    tables = 0
    for e in [d.statement.lhs, *(s.expr for s in d.steps)]:
        if _flat(text(e)) in flat:
            continue
        assert isinstance(e, sympy.MatrixBase), (d.key, text(e)[:120])
        tables += 1
        for k, x in enumerate(e):
            assert _flat(f"[{k}] = {text(x)}") in flat, (d.key, k)
            assert re.search(rf"(?m)^ +\[{k}\] += ", out), (d.key, k)
    # the statement: whole, or with its vector sides shortened to their size
    lines = out.splitlines()
    assert _flat(text(d.statement)) in flat or any(" entries" in ln for ln in lines[:8]), d.key
    return tables


@pytest.mark.parametrize("width", [80, 100])
def test_text_fits_the_width_and_loses_nothing(registry: Registry, width: int) -> None:
    rendered = registry.text(width)
    longest = max(len(ln) for r in rendered for ln in r.splitlines())
    assert longest <= width
    tables = sum(_check_nothing_lost(d, out)
                 for d, out in zip(registry.ds, rendered, strict=True))
    assert tables >= 10  # the fixed-size backprop derivations: lhs and rhs of each


def test_every_character_printed_has_a_latex_form(registry: Registry) -> None:
    """A symbol added anywhere (a title, a rule's reason, a symbol's name) without an entry in
    printing.UNICODE_LATEX fails here, before it can break a LaTeX document."""
    missing: dict[str, str] = {}
    for d, out in zip(registry.ds, registry.text(100), strict=True):
        for c in latex_unmapped(out):
            missing.setdefault(c, d.key)
    assert not missing, f"add these to convmath.symbolic.printing.UNICODE_LATEX: {missing}"
    for d, tex in zip(registry.ds, registry.latex, strict=True):
        assert tex.isascii() and "[U+" not in tex, d.key
        assert r"\[\begin{aligned}" in tex and r"\end{aligned}\]" in tex, d.key


def _engine() -> str | None:
    return shutil.which("pdflatex") or shutil.which("lualatex")


def test_standalone_document_of_every_derivation_compiles(registry: Registry,
                                                          tmp_path: Path) -> None:
    engine = _engine()
    if engine is None:
        pytest.skip("no LaTeX engine (pdflatex or lualatex) on PATH: apt-get install "
                    "texlive-latex-base, as .ci/run does")
    doc = latex_document("\n\n".join(registry.latex))
    assert doc.startswith(r"\documentclass{article}") and doc.endswith("\\end{document}\n")
    (tmp_path / "all.tex").write_text(doc, encoding="ascii")
    t0 = time.perf_counter()
    out = subprocess.run([engine, "-halt-on-error", "-interaction=nonstopmode",
                          "-no-shell-escape", "all.tex"], cwd=tmp_path, capture_output=True,
                         text=True, errors="replace", timeout=300)
    seconds = time.perf_counter() - t0
    assert out.returncode == 0, out.stdout[-3000:]
    assert (tmp_path / "all.pdf").stat().st_size > 10_000
    log = (tmp_path / "all.log").read_text(encoding="latin-1")
    assert "Missing character" not in log and "Undefined control sequence" not in log
    assert seconds < 60, seconds


def _katex() -> Path | None:
    """KaTeX's package folder: in <venv>/node (where .ci/run installs it), else where node
    finds it by itself."""
    if shutil.which("node") is None:
        return None
    local = Path(sys.prefix) / "node" / "node_modules" / "katex"
    if local.is_dir():
        return local
    found = subprocess.run(["node", "-p", "require.resolve('katex/package.json')"],
                           capture_output=True, text=True, timeout=60)
    return Path(found.stdout.strip()).parent if found.returncode == 0 else None


_RENDER_ALL = """
const katex = require(process.argv[1]);
const items = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const errors = [];
for (const [where, src, display] of items) {
  try {
    katex.renderToString(src, {throwOnError: true, displayMode: display, strict: 'error'});
  } catch (e) { errors.push([where, String(e.message).slice(0, 300), src.slice(0, 200)]); }
}
process.stdout.write(JSON.stringify(errors));
"""


def _math_of(markdown: str) -> list[tuple[str, bool]]:
    """Every ``$$…$$`` block (display) and every ``$…$`` of the text lines (inline)."""
    out = [(m, True) for m in re.findall(r"\$\$(.*?)\$\$", markdown, flags=re.S)]
    rest = re.sub(r"\$\$(.*?)\$\$", "", markdown, flags=re.S)
    for line in rest.splitlines():
        parts = re.split(r"(?<!\\)\$", line)
        assert len(parts) % 2 == 1, f"unpaired $ in {line!r}"
        out += [(p, False) for p in parts[1::2]]
    return out


def test_markdown_math_uses_no_latex_only_syntax(registry: Registry) -> None:
    """Without KaTeX too: the Markdown has no text-mode LaTeX and pairs every $."""
    for d, md in zip(registry.ds, registry.markdown, strict=True):
        assert md.startswith(f"### `{d.name}`")
        for src, _ in _math_of(md):
            bad = re.search(r"\\(par|noindent|medskip|documentclass|\[)(?![A-Za-z])", src)
            assert bad is None, (d.key, bad)
        assert "$$\n\\begin{aligned}" in md, d.key


def test_katex_renders_every_markdown_formula(registry: Registry) -> None:
    katex = _katex()
    if katex is None:
        pytest.skip("node or KaTeX not found: npm install --prefix <venv>/node katex, as "
                    ".ci/run does")
    items = []
    families: set[str] = set()
    for d, md in zip(registry.ds, registry.markdown, strict=True):
        items += [(d.key, src, display) for src, display in _math_of(md)]
        if d.family not in families:  # Jupyter's _repr_latex_: one of each family
            families.add(d.family)
            assert d._repr_latex_().startswith("$\\begin{aligned}")
            items.append((d.key + " _repr_latex_", d._repr_latex_().strip("$"), True))
    assert len(items) > 2 * len(registry.ds) and len(families) >= 5
    out = subprocess.run(["node", "-e", _RENDER_ALL, str(katex)], input=json.dumps(items),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    errors = json.loads(out.stdout)
    assert errors == [], errors[:5]
