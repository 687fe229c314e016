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

from typing import Any

import sympy
from sympy import Basic
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import precedence
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

__all__ = ["definition", "latex", "notation", "text"]


class _TextPrinter(StrPrinter):
    """StrPrinter with integral, sum, derivative and δ notation; operators in notation."""

    convmath_notation = True

    def _print_Infinity(self, e: Basic) -> str:
        return "∞"

    def _print_NegativeInfinity(self, e: Basic) -> str:
        return "-∞"

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
        # x − w, N + M − 1, d·j + s·t − p: positive terms, then negative ones, numbers last
        # ordering a closed sum or integral (a count with numeric bounds) would evaluate it
        closed = any(t.has(sympy.Sum, sympy.Integral) and not t.free_symbols for t in e.args)
        terms = sorted(list(e.args) if closed else e.as_ordered_terms(order="lex"),
                       key=lambda t: (bool(t.is_number), bool(t.could_extract_minus_sign())))
        out = []
        for i, term in enumerate(terms):
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
            if len(lim) == 3:
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
            heads.append(f"Σ_{{{v}={self._print(lim[1])}}}^{{{self._print(lim[2])}}}")
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

    def _print_Sum(self, e: Basic) -> str:
        if _is_count(e):
            v = self._print(e.limits[0][0])
            return (rf"\#\left\{{{v} \in \mathbb{{Z}} : "
                    rf"{self._print(e.function.args[0][1])}\right\}}")
        return str(super()._print_Sum(e))

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
    """``e`` in LaTeX with the operators in notation (SymPy's printer otherwise).

    >>> from sympy import Function, symbols
    >>> from convmath.symbolic import conv
    >>> f, g = symbols("f g", cls=Function)
    >>> print(latex(conv(f, g, symbols("x"))))
    \\left(f * g\\right)\\!\\left(x\\right)
    """
    return str(_NotationLatexPrinter().doprint(sympy_arg(e, "e")))


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


# the operators print through these (convmath.symbolic.operators does not import this module)
_install_printers(text=_TextPrinter, latex=_NotationLatexPrinter, definition=definition)
