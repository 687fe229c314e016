"""Signals written as formulas, read by a grammar (never evaluated as code).

The text is parsed by a LALR grammar (``lark``) into a tree; the tree is checked (known
names only, δ only where it has values) and turned into a small expression tree of its own,
which is evaluated with NumPy or rebuilt as a SymPy expression. No string ever reaches
``eval``, ``sympify`` or ``parse_expr``: ``__import__('os')`` is a grammar error.

The language::

    formula  := sum
    sum      := product (('+' | '-') product)*
    product  := unary (('*' | '/') unary)*
    unary    := ('-' | '+') unary | power
    power    := atom (('^' | '**') unary)?          (right-associative; -t^2 = -(t^2))
    atom     := NUMBER | VARIABLE | CONSTANT | FUNCTION '(' sum ')' | '(' sum ')'

VARIABLE is ``t``, ``n`` or ``x`` (all the same variable); CONSTANT is ``pi`` or ``e``;
FUNCTION is one of ``exp sin cos abs sqrt u H rect tri gauss delta``:

- ``u(t)`` = ``H(t)``: the unit step. On ℝ it takes the midpoint value 1/2 at the jump (so
  that the grid sums of :mod:`convmath.plot` are the trapezoid rule); on ℤ, ``u[0] = 1``.
- ``rect(t)``: 1 for |t| < 1/2, 0 for |t| > 1/2 (1/2 at ±1/2); ``tri(t) = max(0, 1 − |t|)``.
- ``gauss(t) = e^{−t²/2}/√(2π)``: the standard normal density.
- ``delta(n)``: the Kronecker δ[n] (1 at n = 0, else 0), discrete signals only; the Dirac δ
  on ℝ has no values to plot and is refused.

Multiplication is always written: ``exp(-t)*u(t)``, not ``exp(-t)u(t)``.

>>> import numpy as np
>>> f = parse_formula("exp(-t)*u(t)")
>>> f(np.array([-1.0, 0.0, 1.0])).round(3).tolist()
[0.0, 0.5, 0.368]
>>> parse_formula("rect(t")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
convmath._plot.formula.FormulaError: F='rect(t' is not a formula: at column 7, ...
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Any

from convmath.errors import InvalidArgument

if TYPE_CHECKING:
    import numpy as np
    from lark import Lark

__all__ = ["FUNCTIONS", "Formula", "FormulaError", "parse_formula"]

_GRAMMAR = r"""
?start: sum
?sum: product
    | sum "+" product        -> add
    | sum "-" product        -> sub
?product: unary
    | product "*" unary      -> mul
    | product "/" unary      -> div
?unary: power
    | "-" unary              -> neg
    | "+" unary              -> pos
?power: atom
    | atom POW unary         -> pow
?atom: NUMBER                -> number
    | NAME                   -> name
    | NAME "(" sum ")"       -> call
    | "(" sum ")"
POW: "^" | "**"
NUMBER: /(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/
NAME: /[A-Za-z_][A-Za-z_0-9]*/
%ignore /[ \t]+/
"""

#: the names a formula may use for its variable, constants and functions
VARIABLES = ("t", "n", "x")
CONSTANTS = {"pi": math.pi, "e": math.e}
FUNCTIONS = ("exp", "sin", "cos", "abs", "sqrt", "u", "H", "rect", "tri", "gauss", "delta")
_MAX_LENGTH = 500

_TOKEN_NAMES = {
    "RPAR": "')'", "LPAR": "'('", "PLUS": "'+'", "MINUS": "'-'", "STAR": "'*'",
    "SLASH": "'/'", "POW": "'^'", "NUMBER": "a number", "NAME": "a name", "$END": "the end",
}


class FormulaError(InvalidArgument):
    """A formula that does not parse or uses an unknown name; ``column`` (1-based) is where."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class _Node:
    op: str  # num, var, neg, add, sub, mul, div, pow, call
    args: tuple[_Node, ...] = ()
    value: float = 0.0
    text: str = ""  # the number as written, or the function's name


@cache
def _parser() -> Lark:
    from lark import Lark

    return Lark(_GRAMMAR, parser="lalr", propagate_positions=True)


def _describe(expected: object) -> str:
    names = sorted({_TOKEN_NAMES.get(str(e), str(e).lower()) for e in expected})  # type: ignore[attr-defined]
    return " or ".join(names)


@dataclass(frozen=True)
class Formula:
    """A parsed formula: call it on an array of points to get its values (floats).

    ``text`` is what was written, ``discrete`` whether it is a sequence on ℤ (then the
    unit step has ``u[0] = 1`` and ``delta`` is the Kronecker δ).
    """

    text: str
    discrete: bool
    _tree: _Node

    def __call__(self, t: np.ndarray) -> np.ndarray:
        import numpy as np

        t = np.asarray(t, dtype=float)
        with np.errstate(all="ignore"):
            return np.broadcast_to(_eval(self._tree, t, self.discrete), t.shape).astype(float)

    def sympy(self, var: Any = None) -> Any:
        """The formula as a SymPy expression in ``var`` (default: a real symbol ``t``, or an
        integer ``n`` for a discrete formula), built from the tree: exact rationals for
        the numbers, ``Heaviside`` for the step (value 1/2 at 0 on ℝ, 1 on ℤ), ``Piecewise``
        for ``tri``, ``KroneckerDelta`` for δ[n]."""
        import sympy

        if var is None:
            var = (sympy.Symbol("n", integer=True) if self.discrete
                   else sympy.Symbol("t", real=True))
        return _to_sympy(self._tree, var, self.discrete)


def parse_formula(text: str, *, name: str = "F", discrete: bool = False) -> Formula:
    """Parse ``text`` (see the module docstring for the language) into a :class:`Formula`.

    A formula that does not parse, or uses an unknown name, raises :class:`FormulaError`
    (an ``InvalidArgument``) naming ``name``, the text and the column of the problem.
    """
    if not isinstance(text, str):
        raise InvalidArgument(f"{name}={text!r}: a formula must be a string")
    if len(text) > _MAX_LENGTH:
        raise FormulaError(f"{name}: a formula of {len(text)} characters is too long "
                           f"(at most {_MAX_LENGTH})", _MAX_LENGTH + 1)
    if not text.strip():
        raise FormulaError(f"{name}={text!r} is empty: write a formula such as 'rect(t)'", 1)
    from lark.exceptions import (
        UnexpectedCharacters,
        UnexpectedEOF,
        UnexpectedInput,
        UnexpectedToken,
    )

    head = f"{name}={text!r} is not a formula"
    try:
        tree = _parser().parse(text)
    except UnexpectedCharacters as exc:
        col = exc.column
        raise FormulaError(f"{head}: at column {col}, the character {text[col - 1]!r} is not "
                           f"part of the language (numbers, t, + - * / ^, parentheses and the "
                           f"functions {', '.join(FUNCTIONS)})", col) from None
    except UnexpectedEOF as exc:
        col = len(text) + 1
        raise FormulaError(f"{head}: at column {col}, the formula ends too early (expected "
                           f"{_describe(exc.expected)})", col) from None
    except UnexpectedToken as exc:
        tok = exc.token
        if tok.type == "$END":
            col = len(text.rstrip()) + 1
            raise FormulaError(f"{head}: at column {col}, the formula ends too early "
                               f"(expected {_describe(exc.expected)})", col) from None
        col = int(tok.column)
        hint = ""
        if tok.type in ("NAME", "NUMBER", "LPAR") and "STAR" in exc.expected:
            hint = " (write * for multiplication)"
        raise FormulaError(f"{head}: at column {col}, unexpected {str(tok)!r}{hint}",
                           col) from None
    except UnexpectedInput as exc:  # pragma: no cover - the three above are exhaustive
        col = int(getattr(exc, "column", 1) or 1)
        raise FormulaError(f"{head}: at column {col}", col) from None
    except RecursionError:
        raise FormulaError(f"{head}: nested too deeply", 1) from None
    try:
        node = _build(tree, text, name, discrete)
    except RecursionError:
        raise FormulaError(f"{head}: nested too deeply", 1) from None
    return Formula(text, discrete, node)


def _build(tree: Any, text: str, name: str, discrete: bool) -> _Node:
    from lark import Token

    if isinstance(tree, Token):  # pragma: no cover - every token sits in a named tree
        raise FormulaError(f"{name}={text!r}: unexpected {str(tree)!r}", int(tree.column or 1))
    kind = str(tree.data)
    kids = [c for c in tree.children if not (isinstance(c, Token) and c.type == "POW")]
    if kind == "number":
        tok = kids[0]
        return _Node("num", value=float(tok), text=str(tok))
    if kind == "name":
        tok = kids[0]
        word, col = str(tok), int(tok.column)
        if word in VARIABLES:
            return _Node("var")
        if word in CONSTANTS:
            return _Node("num", value=CONSTANTS[word], text=word)
        if word in FUNCTIONS:
            raise FormulaError(f"{name}={text!r}: at column {col}, {word!r} is a function: "
                               f"write {word}(...)", col)
        raise _unknown(name, text, word, col, "name")
    if kind == "call":
        tok = kids[0]
        word, col = str(tok), int(tok.column)
        if word not in FUNCTIONS:
            raise _unknown(name, text, word, col, "function")
        if word == "delta" and not discrete:
            raise FormulaError(
                f"{name}={text!r}: at column {col}, delta(t) on ℝ is the Dirac δ, which has "
                "no values to plot; use the discrete mode (the Kronecker δ[n]) or a narrow "
                "pulse such as rect(t/0.05)/0.05", col)
        return _Node("call", (_build(kids[1], text, name, discrete),), text=word)
    args = tuple(_build(k, text, name, discrete) for k in kids)
    if kind in ("neg", "add", "sub", "mul", "div", "pow"):
        return _Node(kind, args)
    if kind == "pos":
        return args[0]
    raise FormulaError(f"{name}={text!r}: unexpected {kind}", 1)  # pragma: no cover


def _unknown(name: str, text: str, word: str, col: int, what: str) -> FormulaError:
    known = (*FUNCTIONS,) if what == "function" else (*VARIABLES, *CONSTANTS, *FUNCTIONS)
    near = difflib.get_close_matches(word, known, n=1)
    hint = f"; did you mean {near[0]!r}?" if near else f" (known: {', '.join(known)})"
    return FormulaError(f"{name}={text!r}: at column {col}, unknown {what} {word!r}{hint}", col)


def _step(t: np.ndarray, discrete: bool) -> np.ndarray:
    import numpy as np

    if discrete:
        return (t >= 0).astype(float)
    return np.where(t > 0, 1.0, np.where(t == 0, 0.5, 0.0))


def _rect(t: np.ndarray, discrete: bool) -> np.ndarray:
    import numpy as np

    a = np.abs(t)
    return np.where(a < 0.5, 1.0, np.where(a == 0.5, 0.5, 0.0))


def _functions() -> dict[str, Callable[[np.ndarray, bool], np.ndarray]]:
    import numpy as np

    return {
        "exp": lambda t, d: np.exp(t),
        "sin": lambda t, d: np.sin(t),
        "cos": lambda t, d: np.cos(t),
        "abs": lambda t, d: np.abs(t),
        "sqrt": lambda t, d: np.sqrt(t),
        "u": _step,
        "H": _step,
        "rect": _rect,
        "tri": lambda t, d: np.maximum(0.0, 1.0 - np.abs(t)),
        "gauss": lambda t, d: np.exp(-t * t / 2) / math.sqrt(2 * math.pi),
        "delta": lambda t, d: (t == 0).astype(float),
    }


def _eval(node: _Node, t: np.ndarray, discrete: bool) -> np.ndarray:
    import numpy as np

    op = node.op
    if op == "num":
        return np.full(t.shape, node.value)
    if op == "var":
        return t
    if op == "call":
        return _functions()[node.text](_eval(node.args[0], t, discrete), discrete)
    vals = [_eval(a, t, discrete) for a in node.args]
    if op == "neg":
        return -vals[0]
    a, b = vals
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        # a factor that is 0 makes the product 0 even where the other is undefined or
        # infinite: sqrt(t)*u(t) is 0 for t < 0, 2^(-n)*u(n) is 0 for n < 0
        return np.where((a == 0) | (b == 0), 0.0, a * b)
    if op == "div":
        return np.where(a == 0, 0.0, a / b)
    if op == "pow":
        return np.power(a, b)
    raise AssertionError(op)  # pragma: no cover


def _to_sympy(node: _Node, var: Any, discrete: bool) -> Any:
    import sympy

    op = node.op
    if op == "num":
        if node.text == "pi":
            return sympy.pi
        if node.text == "e":
            return sympy.E
        q = Fraction(node.text)
        return sympy.Rational(q.numerator, q.denominator)
    if op == "var":
        return var
    args = [_to_sympy(a, var, discrete) for a in node.args]
    if op == "call":
        (a,) = args
        half = sympy.Rational(1, 2)
        step0 = 1 if discrete else half
        table: dict[str, Callable[[], Any]] = {
            "exp": lambda: sympy.exp(a),
            "sin": lambda: sympy.sin(a),
            "cos": lambda: sympy.cos(a),
            "abs": lambda: sympy.Abs(a),
            "sqrt": lambda: sympy.sqrt(a),
            "u": lambda: sympy.Heaviside(a, step0),
            "H": lambda: sympy.Heaviside(a, step0),
            "rect": lambda: sympy.Heaviside(a + half, half) - sympy.Heaviside(a - half, half),
            "tri": lambda: sympy.Piecewise((1 - sympy.Abs(a), sympy.Abs(a) < 1), (0, True)),
            "gauss": lambda: sympy.exp(-a**2 / 2) / sympy.sqrt(2 * sympy.pi),
            "delta": lambda: sympy.KroneckerDelta(a, 0),
        }
        return table[node.text]()
    if op == "neg":
        return -args[0]
    a, b = args
    return {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
            "div": lambda: a / b, "pow": lambda: a**b}[op]()
