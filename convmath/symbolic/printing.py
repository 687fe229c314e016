"""Unicode text, LaTeX and Markdown rendering of expressions and derivations.

Two ways to show an operator such as ``conv(f, g, x)``:

- its **definition**, the defining integral or sum ``∫_{−∞}^{∞} f(z)·g(x − z) dz``: what
  SymPy's own printers show (``str``, ``repr`` in a REPL, ``sympy.pretty``,
  ``sympy.latex``), and :func:`definition`;
- its **notation** ``(f ∗ g)(x)``: what derivations are written in (:func:`text`,
  :func:`latex`, :func:`notation`, ``convmath prove``), so that each line of a calc chain
  shows where a definition is unfolded or folded.

:func:`text` prints an expression the way a learner writes it on paper:
``∫_{−∞}^{∞} f(z)·g(x − z) dz``, ``Σ_{k=−∞}^{∞} f(k)·g(n − k)``, ``g′(x − z)``,
``δ[k, 0]``, with the operators in notation.

>>> from sympy import Function, symbols
>>> from convmath.symbolic import conv
>>> f, g = symbols("f g", cls=Function)
>>> e = conv(f, g, symbols("x"))
>>> notation(e)
'(f ∗ g)(x)'
>>> definition(e)
'∫_{−∞}^{∞} f(z)·g(x − z) dz'
>>> print(definition(e, "latex"))
\\int\\limits_{-\\infty}^{\\infty} f{\\left(z \\right)} g{\\left(x - z \\right)}\\, dz
"""

from __future__ import annotations

import functools
import re
from typing import Any

import sympy
from sympy import Basic
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from convmath.symbolic._input import choice_arg, sympy_arg
from convmath.symbolic.operators import (
    _SUBSCRIPTS,
    Convolution,
    CrossCorrelation,
    Fourier,
    Upsample,
    _install_printers,
    function_name,
)
from convmath.symbolic.vectors import AxisPartial, subscript

__all__ = ["definition", "latex", "notation", "text"]


@functools.lru_cache(maxsize=16384)
def ordered_terms(e: Basic) -> tuple[Basic, ...]:
    """The terms of the sum ``e`` in the order every printer writes them — ``x − w``,
    ``N + M − 1``, ``d·j + s·t − p``: positive terms, then negative ones, numbers last, each
    group in lexicographic order (remembered: the text and LaTeX printers share it)."""
    # ordering a closed sum or integral (a count with numeric bounds) would evaluate it
    closed = any(t.has(sympy.Sum, sympy.Integral) and not t.free_symbols for t in e.args)
    return tuple(sorted(list(e.args) if closed else e.as_ordered_terms(order="lex"),
                        key=lambda t: (bool(t.is_number), bool(t.could_extract_minus_sign()))))


def _binder_domain(lim: tuple[Basic, ...], attr: str) -> str | None:
    """The space a binder ranges over when its variable names one (``domain_text`` /
    ``domain_latex``, e.g. ``ℝᵈ``) and the limits are the whole line (or absent)."""
    shown = getattr(lim[0], attr, None)
    if not isinstance(shown, str) or not shown:
        return None
    if len(lim) == 1 or (len(lim) == 3 and lim[1] == -sympy.oo and lim[2] == sympy.oo):
        return shown
    return None


class _TextPrinter(StrPrinter):
    """StrPrinter with integral, sum, derivative and δ notation; operators in notation."""

    convmath_notation = True

    def _print_Infinity(self, e: Basic) -> str:
        return "∞"

    def _print_NegativeInfinity(self, e: Basic) -> str:
        return "-∞"

    def _print_Abs(self, e: Basic) -> str:
        return f"|{self._print(e.args[0])}|"

    def _print_Pi(self, e: Basic) -> str:
        return "π"

    def _print_ImaginaryUnit(self, e: Basic) -> str:
        return "i"

    def _print_Exp1(self, e: Basic) -> str:
        return "e"

    def _print_exp(self, e: Basic) -> str:
        return f"e^({self._print(e.args[0])})"

    def _body(self, body: Basic) -> str:
        s = self._print(body)
        return f"({s})" if isinstance(body, sympy.Add) else s

    def _print_Add(self, e: Basic, order: str | None = None) -> str:
        out = []
        for i, term in enumerate(ordered_terms(e)):
            neg = bool(term.could_extract_minus_sign())
            body = self.parenthesize(-term if neg else term, precedence(e))
            out.append(("-" if neg else "") + body if i == 0
                       else (" - " if neg else " + ") + body)
        return "".join(out)

    def _print_Mul(self, e: Basic) -> str:
        # A product with an integral or sum factor: print the other factors first and the
        # integral/sum last (in parentheses unless it is the last), so that what the ∫ or Σ
        # covers is unambiguous on one line.
        binders = [a for a in e.args if isinstance(a, (sympy.Integral, sympy.Sum))]
        if not binders:
            return str(super()._print_Mul(e))
        rest = sympy.Mul(*[a for a in e.args if a not in binders])
        parts: list[str] = []
        prefix = ""
        if rest == -1:
            prefix = "-"
        elif rest != 1:
            r = self._print(rest)
            parts.append(f"({r})" if isinstance(rest, sympy.Add) else r)
        shown = [self._print(b) for b in binders]
        parts += [f"({b})" for b in shown[:-1]] + [shown[-1]]
        return prefix + "*".join(parts)

    def _print_Integral(self, e: Basic) -> str:
        heads, ds = [], []
        for lim in e.limits:
            v = self._print(lim[0])
            ds.append(f"d{v}")
            space = _binder_domain(lim, "domain_text")
            if space is not None:
                heads.append(f"∫_{{{space}}}")
            elif len(lim) == 3:
                heads.append(f"∫_{{{self._print(lim[1])}}}^{{{self._print(lim[2])}}}")
            else:
                heads.append("∫")
        return " ".join(reversed(heads)) + f" {self._body(e.function)} " + " ".join(ds)

    def _print_Sum(self, e: Basic) -> str:
        if _is_count(e):
            v = self._print(e.limits[0][0])
            return f"#{{{v} ∈ ℤ : {self._print(e.function.args[0][1])}}}"
        heads = []
        for lim in e.limits:
            v = self._print(lim[0])
            space = _binder_domain(lim, "domain_text")
            heads.append(f"Σ_{{{v} ∈ {space}}}" if space is not None
                         else f"Σ_{{{v}={self._print(lim[1])}}}^{{{self._print(lim[2])}}}")
        return " ".join(reversed(heads)) + f" {self._body(e.function)}"

    def _print_And(self, e: Basic) -> str:
        return " ∧ ".join(self.parenthesize(a, precedence(e)) for a in e.args)

    def _print_Relational(self, e: Basic) -> str:
        op = {"<=": "≤", ">=": "≥", "<": "<", ">": ">", "==": "=", "!=": "≠"}[e.rel_op]
        return f"{self._print(e.lhs)} {op} {self._print(e.rhs)}"

    def _print_Piecewise(self, e: Basic) -> str:
        parts = [f"{self._print(v)} if {self._print(c)}" if c is not sympy.true
                 else f"{self._print(v)} otherwise" for v, c in e.args]
        return "{" + "; ".join(parts) + "}"

    def _print_floor(self, e: Basic) -> str:
        return f"⌊{self._print(e.args[0])}⌋"

    def _print_ceiling(self, e: Basic) -> str:
        return f"⌈{self._print(e.args[0])}⌉"

    def _print_Max(self, e: Basic) -> str:
        return f"max({', '.join(self._print(a) for a in e.args)})"

    def _print_Min(self, e: Basic) -> str:
        return f"min({', '.join(self._print(a) for a in e.args)})"

    def _print_Mod(self, e: Basic) -> str:
        a, b = (self.parenthesize(x, precedence(e) + 1) for x in e.args)
        return f"{a} mod {b}"

    def _derivative_name(self, fn: AppliedUndef, counts: list[tuple[Basic, int]]) -> str | None:
        name = fn.func.__name__
        positions = []
        for v, n in counts:
            if v not in fn.args or list(fn.args).count(v) != 1:
                return None
            positions += [fn.args.index(v) + 1] * int(n)
        if len(fn.args) == 1:
            return name + "′" * len(positions) if len(positions) <= 3 else None
        return "".join(f"∂{str(i).translate(_SUBSCRIPTS)}" for i in positions) + name

    def _print_Derivative(self, e: Basic) -> str:
        counts = [(v, n) for v, n in e.variable_count]
        if isinstance(e.expr, AppliedUndef):
            name = self._derivative_name(e.expr, counts)
            if name is not None:
                return f"{name}({', '.join(self._print(a) for a in e.expr.args)})"
        vs = "".join(f"∂{self._print(v)}" + (f"^{n}" if n != 1 else "") for v, n in counts)
        total = sum(int(n) for _, n in counts)
        num = "∂" if total == 1 else f"∂^{total}"
        return f"{num}/{vs} [{self._print(e.expr)}]"

    def _print_Subs(self, e: Basic) -> str:
        d = e.expr
        at = _axis_partial_at(e)
        if at is not None:  # (∂ᵢh)(x − z)
            h, axis, point = at
            return f"(∂{subscript(self._print(axis))}{h})({self._print(point)})"
        if isinstance(d, sympy.Derivative) and isinstance(d.expr, AppliedUndef):
            name = self._derivative_name(d.expr, list(d.variable_count))
            if name is not None:
                rep = dict(zip(e.variables, e.point, strict=False))
                args = [a.xreplace(rep) for a in d.expr.args]
                return f"{name}({', '.join(self._print(a) for a in args)})"
        return super()._print_Subs(e)

    def _print_KroneckerDelta(self, e: Basic) -> str:
        return f"δ[{self._print(e.args[0])}, {self._print(e.args[1])}]"

    def _print_DiracDelta(self, e: Basic) -> str:
        return f"δ({self._print(e.args[0])})"

    def _print_Lambda(self, e: Basic) -> str:
        return function_name(e, self)

    def _print_Equality(self, e: Basic) -> str:
        return f"{self._print(e.lhs)} = {self._print(e.rhs)}"

    def _print_ImmutableDenseMatrix(self, e: Any) -> str:
        if e.cols == 1:
            return "(" + ", ".join(self._print(x) for x in e) + ")ᵀ"
        rows = ["[" + ", ".join(self._print(x) for x in e.row(i)) + "]" for i in range(e.rows)]
        return "[" + ", ".join(rows) + "]"

    _print_MutableDenseMatrix = _print_ImmutableDenseMatrix


class _DefinitionTextPrinter(_TextPrinter):
    """The text printer with every operator shown as its defining integral or sum."""

    convmath_notation = False

    def _print_Mul(self, e: Basic) -> str:
        # unfold operator factors first, so that they are placed like the ∫/Σ they are
        ops = (Convolution, CrossCorrelation, Fourier, Upsample)
        reps = {a: a.unfold() for a in e.args if isinstance(a, ops)}
        return super()._print_Mul(e.xreplace(reps) if reps else e)


def _axis_partial_at(e: Basic) -> tuple[str, Basic, Basic] | None:
    """(h, i, p) when ``e`` is ∂ᵢh evaluated at the point p: Subs(∂/∂tᵢ h(t), t, p)."""
    d = e.expr
    if isinstance(d, AxisPartial) and len(e.variables) == 1 and d.var == e.variables[0] \
            and isinstance(d.expr, AppliedUndef) and d.expr.args == (d.var,):
        return d.expr.func.__name__, d.axis, e.point[0]
    return None


def _is_count(e: Basic) -> bool:
    """Σ_{t=−∞}^{∞} Piecewise((1, cond), (0, True)): the number of integers t with cond."""
    lim = e.limits[0] if len(e.limits) == 1 else None
    body = e.function
    return bool(lim is not None and lim[1] == -sympy.oo and lim[2] == sympy.oo
                and isinstance(body, sympy.Piecewise) and len(body.args) == 2
                and body.args[0][0] == 1 and body.args[1] == (0, True))


class _NotationLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the operators in notation, ``(f * g)(x)``."""

    convmath_notation = True

    def _print_Subs(self, e: Basic) -> str:
        at = _axis_partial_at(e)
        if at is not None:  # (∂ᵢh)(x − z)
            h, axis, point = at
            return (rf"\left(\partial_{{{self._print(axis)}}} {h}\right)"
                    rf"\!\left({self._print(point)}\right)")
        return str(super()._print_Subs(e))

    def _print_Symbol(self, e: Any, style: str = "plain") -> str:
        # a placeholder named by a LaTeX macro (``\cdot`` in f(· − a)) is that macro; SymPy
        # would read the name's ending as an accent (\dot{\c})
        if e.name.startswith("\\") and e.name[1:].isalpha():
            return str(e.name)
        return str(super()._print_Symbol(e, style=style))

    def _print_Add(self, e: Basic, order: str | None = None) -> str:
        # the terms in the order the text printer writes them (x - w, not - w + x)
        tex = ""
        for i, term in enumerate(ordered_terms(e)):
            if i > 0:
                neg = bool(term.could_extract_minus_sign())
                tex += " - " if neg else " + "
                term = -term if neg else term
            shown = self._print(term)
            tex += rf"\left({shown}\right)" if self._needs_add_brackets(term) else shown
        return tex

    def _print_Sum(self, e: Basic) -> str:
        if _is_count(e):
            v = self._print(e.limits[0][0])
            return (rf"\#\left\{{{v} \in \mathbb{{Z}} : "
                    rf"{self._print(e.function.args[0][1])}\right\}}")
        if any(_binder_domain(lim, "domain_latex") for lim in e.limits):
            heads = []
            for lim in reversed(e.limits):
                v, space = self._print(lim[0]), _binder_domain(lim, "domain_latex")
                heads.append(rf"\sum_{{{v} \in {space}}}" if space is not None else
                             rf"\sum_{{{v}={self._print(lim[1])}}}^{{{self._print(lim[2])}}}")
            body = self._print(e.function)
            if isinstance(e.function, sympy.Add):
                body = rf"\left({body}\right)"
            return " ".join(heads) + " " + body
        return str(super()._print_Sum(e))

    def _print_Integral(self, e: Basic) -> str:
        if not any(_binder_domain(lim, "domain_latex") for lim in e.limits):
            return str(super()._print_Integral(e))
        heads: list[str] = []
        ds: list[str] = []
        for lim in reversed(e.limits):
            space = _binder_domain(lim, "domain_latex")
            if space is not None:
                heads.append(rf"\int_{{{space}}}")
            elif len(lim) == 3:
                heads.append(rf"\int\limits_{{{self._print(lim[1])}}}^{{{self._print(lim[2])}}}")
            else:
                heads.append(r"\int")
            ds.insert(0, rf"\, d{self._print(lim[0])}")
        body = self.parenthesize(e.function, PRECEDENCE["Mul"], strict=True)
        return " ".join(heads) + " " + body + "".join(ds)

    def _print_Mod(self, e: Basic, exp: str | None = None) -> str:
        a, b = (self.parenthesize(x, precedence(e) + 1) for x in e.args)
        out = rf"{a} \bmod {b}"
        return rf"\left({out}\right)^{{{exp}}}" if exp else out


def _plain(s: str) -> str:
    return s.replace("**", "^").replace("*", "·").replace("-", "−")


def text(e: Basic) -> str:
    """``e`` in Unicode text notation.

    >>> from sympy import Function, symbols
    >>> from convmath.symbolic import conv
    >>> f, g = symbols("f g", cls=Function)
    >>> text(conv(f, g, symbols("x")).unfold())
    '∫_{−∞}^{∞} f(z)·g(x − z) dz'
    """
    return _plain(_TextPrinter({"order": "none"})._print(sympy_arg(e, "e")))


def latex(e: Basic) -> str:
    """``e`` in LaTeX with the operators in notation (SymPy's printer otherwise), terms in
    the order :func:`text` writes them, ASCII only (a symbol named ``ξ`` is ``\\xi``).

    >>> from sympy import Function, symbols
    >>> from convmath.symbolic import conv
    >>> f, g = symbols("f g", cls=Function)
    >>> print(latex(conv(f, g, symbols("x"))))
    \\left(f * g\\right)\\!\\left(x\\right)
    """
    return tex_math(str(_NotationLatexPrinter().doprint(sympy_arg(e, "e"))))


def notation(e: Basic, fmt: str = "text") -> str:
    """``e`` with the operators in notation, ``(f ∗ g)(x)``: :func:`text` or :func:`latex`."""
    e = sympy_arg(e, "e")
    fmt = choice_arg(fmt, "fmt", ("text", "latex"))
    return text(e) if fmt == "text" else latex(e)


def definition(e: Basic, fmt: str = "text") -> str:
    """``e`` with every operator shown as its defining integral or sum (``fmt``: ``text``,
    ``latex`` or ``pretty``) — what ``str``, ``sympy.latex`` and ``sympy.pretty`` show."""
    e = sympy_arg(e, "e")
    fmt = choice_arg(fmt, "fmt", ("text", "latex", "pretty"))
    if fmt == "text":
        return _plain(_DefinitionTextPrinter({"order": "none"})._print(e))
    if fmt == "latex":
        return str(sympy.latex(e))
    return str(sympy.pretty(e))


# -- LaTeX from Unicode text ---------------------------------------------------------------

#: math-mode LaTeX for every non-ASCII character convmath writes (superscripts, subscripts
#: and combining accents are handled by the tables below). A character missing here is
#: written as ``[U+XXXX]`` (it compiles, visibly); the tests require none to be missing.
UNICODE_LATEX: dict[str, str] = {
    # sets and script letters
    "ℝ": r"\mathbb{R}", "ℤ": r"\mathbb{Z}", "ℕ": r"\mathbb{N}", "ℚ": r"\mathbb{Q}",
    "ℂ": r"\mathbb{C}", "ℱ": r"\mathcal{F}", "ℒ": r"\mathcal{L}", "ℓ": r"\ell",
    "∅": r"\emptyset",
    # Greek
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon",
    "ϵ": r"\epsilon", "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "ϑ": r"\vartheta",
    "ι": r"\iota", "κ": r"\kappa", "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi",
    "ο": "o", "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "ς": r"\varsigma", "τ": r"\tau",
    "υ": r"\upsilon", "φ": r"\varphi", "ϕ": r"\phi", "χ": r"\chi", "ψ": r"\psi",
    "ω": r"\omega", "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda",
    "Ξ": r"\Xi", "Π": r"\Pi", "Σ": r"\sum", "Υ": r"\Upsilon", "Φ": r"\Phi", "Ψ": r"\Psi",
    "Ω": r"\Omega",
    # operators and relations
    "∗": "*", "⋆": r"\star", "★": r"\star", "·": r"\cdot", "⋅": r"\cdot", "×": r"\times",
    "−": "-", "±": r"\pm", "∓": r"\mp", "÷": r"\div", "∘": r"\circ", "⊗": r"\otimes",
    "⊕": r"\oplus", "≤": r"\leq", "≥": r"\geq", "≠": r"\neq", "≈": r"\approx",
    "≡": r"\equiv", "∝": r"\propto", "∈": r"\in", "∉": r"\notin", "⊂": r"\subset",
    "⊆": r"\subseteq", "∪": r"\cup", "∩": r"\cap", "∧": r"\wedge", "∨": r"\vee",
    "¬": r"\neg", "∀": r"\forall", "∃": r"\exists", "⌊": r"\lfloor", "⌋": r"\rfloor",
    "⌈": r"\lceil", "⌉": r"\rceil", "⟨": r"\langle", "⟩": r"\rangle", "‖": r"\|",
    "→": r"\to", "←": r"\leftarrow", "↦": r"\mapsto", "⇒": r"\Rightarrow",
    "⇔": r"\Leftrightarrow", "↔": r"\leftrightarrow", "↑": r"\uparrow", "↓": r"\downarrow",
    "∂": r"\partial", "∇": r"\nabla", "∑": r"\sum", "∏": r"\prod", "∫": r"\int",
    "∞": r"\infty", "√": r"\surd", "°": r"{}^{\circ}", "′": "'", "″": "''", "…": r"\ldots",
    "⋯": r"\cdots", "✓": r"\checkmark", "✗": r"\times", "⚠": r"\text{(!)}",
    # punctuation (in math; text mode has its own, below)
    "—": r"\text{---}", "–": r"\text{--}", "‘": "`", "’": "'", "“": "``", "”": "''",
    "\u00a0": r"\ ",
}

#: superscript and subscript characters and what they raise or lower
SUPERSCRIPTS: dict[str, str] = dict(zip(
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ",
    "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW", strict=True))
SUBSCRIPTS: dict[str, str] = dict(zip(
    "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ",
    "0123456789+-=()aeoxhklmnpstijruv", strict=True))
#: combining accents: the LaTeX accent put on the character before
COMBINING: dict[str, str] = {"\u0302": r"\hat", "\u0303": r"\tilde", "\u0304": r"\bar",
                             "\u0305": r"\overline", "\u0307": r"\dot", "\u0308": r"\ddot",
                             "\u20d7": r"\vec"}
#: text mode only: dashes and quotes as LaTeX writes them in text
_TEXT_ONLY = {"—": "---", "–": "--", "‘": "`", "’": "'", "“": "``", "”": "''"}
#: ASCII characters that are special in LaTeX text, written as math (valid in LaTeX text
#: mode, inside ``\text{}`` and in KaTeX and MathJax, whose ``\text{}`` ignores macros)
_ASCII_MATH = {"_": r"\_", "{": r"\{", "}": r"\}", "#": r"\#", "%": r"\%", "&": r"\&",
               "^": r"\hat{}", "~": r"\sim", "\\": r"\backslash", "<": "<", ">": ">",
               "|": "|"}
_TEXT_ASCII = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'()[]/-+=*@`\"\n")


def latex_unmapped(s: str) -> set[str]:
    """The non-ASCII characters of ``s`` that :func:`tex_text` / :func:`tex_math` cannot
    write in LaTeX (the tests require this to be empty for everything convmath prints)."""
    known = set(UNICODE_LATEX) | set(SUPERSCRIPTS) | set(SUBSCRIPTS) | set(COMBINING)
    return {c for c in s if ord(c) > 127 and c not in known}


def _units(s: str, *, math: bool) -> list[tuple[bool, str]]:
    """``s`` as (is_math, LaTeX) units. In ``math`` mode ASCII is kept as it is; in text
    mode LaTeX's special characters become math. Runs of superscripts/subscripts become
    ``^{…}`` / ``_{…}``, an accent wraps the unit before it."""
    out: list[tuple[bool, str]] = []
    i = 0
    while i < len(s):
        c = s[i]
        table = SUPERSCRIPTS if c in SUPERSCRIPTS else SUBSCRIPTS if c in SUBSCRIPTS else None
        if table is not None:
            j = i
            while j < len(s) and s[j] in table:
                j += 1
            # attached to a plain character before; after anything else (a script already,
            # or in math mode, where that is unknown) on an empty group: never a double ^
            attach = not math and bool(out) and not any(ch in out[-1][1] for ch in "^_")
            op = "^" if table is SUPERSCRIPTS else "_"
            out.append((True, ("" if attach else "{}") + op + "{"
                        + "".join(table[ch] for ch in s[i:j]) + "}"))
            i = j
            continue
        script = _script(s, i) if not math and c in "_^" and out and out[-1][0] else None
        if script is not None and not out[-1][1].startswith(c):
            # ∫_{−∞}^{∞}, Δ_n: a script on a symbol written as math is a script
            out.append((True, f"{c}{{{tex_math(script[0])}}}"))
            i = script[1]
            continue
        if c in COMBINING:
            base = out.pop()[1] if out else r"\ "
            out.append((True, f"{COMBINING[c]}{{{base}}}"))
        elif math and c.isascii():
            out.append((True, c))
        elif c in _TEXT_ONLY and not math:
            out.append((False, _TEXT_ONLY[c]))
        elif c in _ASCII_MATH:
            out.append((True, _ASCII_MATH[c]))
        elif c == '"':
            out.append((False, "''"))
        elif c.isascii():
            out.append((False, c if c in _TEXT_ASCII else " "))
        elif c in "′″" and (math or (out and "^" in out[-1][1])):
            # a prime is a superscript: on an empty group where one may precede it
            out.append((True, "{}" + UNICODE_LATEX[c]))
        elif c in UNICODE_LATEX:
            out.append((True, UNICODE_LATEX[c]))
        else:
            out.append((math, f"[U+{ord(c):04X}]"))
        i += 1
    return out


def _script(s: str, i: int) -> tuple[str, int] | None:
    """The script after ``s[i]`` (``_`` or ``^``): ``{…}`` (balanced) or one letter or
    digit, and the index after it; None if there is none."""
    if i + 1 < len(s) and s[i + 1].isalnum() and s[i + 1].isascii():
        return s[i + 1], i + 2
    if i + 1 < len(s) and s[i + 1] == "{":
        depth = 0
        for j in range(i + 1, len(s)):
            depth += {"{": 1, "}": -1}.get(s[j], 0)
            if depth == 0:
                return s[i + 2:j], j + 1
    return None


def _join_math(parts: list[str]) -> str:
    """Concatenate math-mode LaTeX units, with a space where a control word meets a
    letter."""
    out = ""
    prev = ""
    for p in parts:
        if p and p[0].isalpha() and re.search(r"\\[A-Za-z]+$", prev):
            out += " "
        out += p
        prev = p
    return out


def tex_math(s: str) -> str:
    r"""Math-mode LaTeX ``s`` with its non-ASCII characters written as LaTeX (``ξ`` →
    ``\xi``, ``∗`` → ``*``, ``i′`` → ``i'``): compiles inside ``\[ … \]`` without
    Unicode support.

    >>> print(tex_math(r"\left(ξ\right) ≤ x²"))
    \left(\xi\right) \leq x{}^{2}
    """
    if s.isascii():
        return s
    return _join_math([u for _, u in _units(s, math=True)])


def tex_text(s: str) -> str:
    r"""Unicode text as LaTeX text: special characters escaped, every non-ASCII symbol as
    inline math (``∈ L¹(ℝ)`` → ``$\in$ L$^{1}$($\mathbb{R}$)``), ``$…$`` kept as math.

    The result is valid in LaTeX text mode, inside ``\text{…}`` in math (amsmath), and in
    KaTeX and MathJax (whose ``\text{}`` reads ``$…$`` but no text macros).

    >>> print(tex_text("f, g ∈ L¹(ℝ) — o_T"))
    f, g $\in$ L$^{1}$($\mathbb{R}$) --- o$\_$T
    """
    units: list[tuple[bool, str]] = []
    for k, seg in enumerate(s.split("$")):
        # a math segment, $…$ (an unpaired $ opens math the end of the text closes)
        units += [(True, tex_math(seg))] if k % 2 else _units(seg, math=False)
    out, run = "", []
    for is_math, p in units:
        if is_math:
            run.append(p)
            continue
        if run:
            out += "$" + _join_math(run) + "$"
            run = []
        out += p
    if run:
        out += "$" + _join_math(run) + "$"
    return out


#: what a standalone LaTeX document needs (amsmath: aligned, \text; amssymb: \mathbb,
#: \checkmark)
LATEX_PREAMBLE = "\n".join([
    r"\documentclass{article}",
    r"\usepackage{amsmath}",
    r"\usepackage{amssymb}",
    r"\allowdisplaybreaks",
    r"\setcounter{MaxMatrixCols}{64}",
    r"\setlength{\parindent}{0pt}",
    r"\raggedright",
    r"\begin{document}",
])
LATEX_END = r"\end{document}"


def latex_document(body: str) -> str:
    """``body`` (LaTeX fragments) as a complete document: :data:`LATEX_PREAMBLE`, ``body``,
    ``\\end{document}``."""
    return f"{LATEX_PREAMBLE}\n{body}\n{LATEX_END}\n"


_MD_SPECIAL = frozenset("\\`*_[]<>|~#")


def md_text(s: str) -> str:
    """Unicode text for a Markdown line: ``$…$`` segments kept as inline math, Markdown's
    special characters escaped elsewhere (``o_T`` stays ``o_T``, not italic)."""
    out = []
    for k, seg in enumerate(s.split("$")):
        if k % 2:
            out.append(f"${seg}$")
        else:
            out.append("".join("\\" + c if c in _MD_SPECIAL else c for c in seg))
    return "".join(out)


# -- breaking long lines ---------------------------------------------------------------------

#: break before these (in an expression), best first
_BREAK_BEFORE = ((" = ", 0), (" ≤ ", 0), (" ≥ ", 0), (" < ", 0), (" > ", 0), (" ≠ ", 0),
                 (" + ", 1), (" − ", 1), (" ∧ ", 1))


def _break_points(s: str, prose: bool) -> list[tuple[int, int, int]]:
    """(end of the line, start of the next, badness) of each place ``s`` may be broken.

    In an expression the badness grows with the bracket depth, then from ``=`` to ``+``/``−``
    to the space after a ∫/Σ head (``Σ_{k=0}^{n} ·``) to ``·`` to ``", "`` to a space. Prose
    breaks at spaces, preferably outside brackets and above all outside ``{…}`` (the limits
    of a ∫ or Σ)."""
    out = []
    depth = braces = 0
    for i, c in enumerate(s):
        if c in "([{":
            depth += 1
            braces += c == "{"
        elif c in ")]}":
            depth = max(depth - 1, 0)
            braces = max(braces - (c == "}"), 0)
        if prose:
            if c == " ":
                out.append((i, i + 1, braces * 10 + depth))
            continue
        for op, rank in _BREAK_BEFORE:
            if s.startswith(op, i):
                out.append((i, i + 1, depth * 6 + rank))
                break
        else:
            if c == " " and i > 0 and s[i - 1] == "}" and not s.startswith(" d", i):
                out.append((i, i + 1, depth * 6 + 2))  # after Σ_{…}^{…} or ∫_{…}^{…}
            elif c == "·":
                out.append((i, i, depth * 6 + 3))
            elif s.startswith(", ", i):
                out.append((i + 1, i + 2, depth * 6 + 4))
            elif c == " " and not s.startswith(" ", i + 1):
                out.append((i, i + 1, depth * 6 + 5))
    return [p for p in out if p[0] > 0 and p[1] < len(s)]


def _greedy(s: str, points: list[tuple[int, int, int]], first: int, rest: int
            ) -> tuple[list[str], bool]:
    """Fill lines of ``first`` then ``rest`` characters, breaking at ``points``: of the
    points in the last part of the room, the least bad one; a piece with no point in reach
    is cut at the room's end (no character is lost; the flag says whether that happened)."""
    lines: list[str] = []
    cut = False
    start, room = 0, first
    while len(s) - start > room:
        reach = [p for p in points if start < p[0] <= start + room and p[1] > start]
        if reach:
            late = [p for p in reach if p[0] >= start + room * 3 // 5] or reach
            best = min(late, key=lambda p: (p[2], -p[0]))
            lines.append(s[start:best[0]])
            start = best[1]
        else:
            lines.append(s[start:start + room])
            start += room
            cut = True
        room = rest
    lines.append(s[start:])
    return lines, cut


def break_line(s: str, first: int, rest: int, *, prose: bool = False) -> list[str]:
    """``s`` cut into lines of at most ``first`` (the first) and ``rest`` characters.

    An expression (``prose=False``) too long for a line is broken before each top-level
    ``=`` (or ``≤`` …), its sides then before ``+``/``−``, then at ``·``, then after ``, ``;
    inside brackets only when a top-level piece does not fit. Prose is broken at spaces,
    outside brackets where there is a choice. Nothing is dropped: ``"".join`` of the lines,
    with the spaces at the breaks, is ``s``.

    >>> break_line("a·b + c·d − e = f", 10, 8)
    ['a·b + c·d', '− e', '= f']
    """
    if len(s) <= first:
        return [s]
    points = _break_points(s, prose)
    if prose:  # words filled into lines, the breaks outside brackets where there is a choice
        return _greedy(s, points, first, rest)[0]
    top = [p for p in points if p[2] == 0]
    if top:  # a chain a = b = c too long for a line: each side on lines of its own
        out: list[str] = []
        start = 0
        for end, nxt, _ in [*top, (len(s), len(s), 0)]:
            out += break_line(s[start:end], first if not out else rest, rest)
            start = nxt
        return out
    levels = sorted({p[2] for p in points})
    for level in levels:
        lines, cut = _greedy(s, [p for p in points if p[2] <= level], first, rest)
        if not cut:
            return lines
    return _greedy(s, points, first, rest)[0]


def wrap(s: str, width: int, indent: str, cont: str, *, prose: bool = False) -> list[str]:
    """``indent + s`` in lines of at most ``width`` characters, continuation lines indented
    with ``cont``."""
    first = max(width - len(indent), 8)
    rest = max(width - len(cont), 8)
    lines = break_line(s, first, rest, prose=prose)
    return [indent + lines[0]] + [cont + ln for ln in lines[1:]]


# the operators print through these (convmath.symbolic.operators does not import this module)
_install_printers(text=_TextPrinter, latex=_NotationLatexPrinter, definition=definition)
