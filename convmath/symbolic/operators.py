"""Unevaluated SymPy operators: convolution, cross-correlation, differences, Fourier transforms.

Main definitions (conventions of docs/reference.md):

- ``conv(f, g, x)`` is :math:`(f * g)(x) = \\int f(z)\\,g(x - z)\\,dz` on ℝ or ℝⁿ
  (``x`` a tuple of variables), and :math:`\\sum_k f(k)\\,g(n - k)` on ℤ or ℤⁿ with
  ``discrete=True``;
- ``xcorr(f, g, x)`` is :math:`(f \\star g)(x) = \\int f(z)\\,g(x + z)\\,dz` (kernel first, the
  CNN-lecture convention), with the same discrete variant;
- :class:`Difference` is the forward difference Δₙh(n) = h(n + 1) − h(n);
- :class:`Fourier` is the Fourier transform ℱ[f](ξ) = ∫ f(x) e^{−2πi x·ξ} dx on ℝⁿ and the
  DTFT ℱ[f](ω) = Σₙ f(n) e^{−i n·ω} on ℤⁿ.

They stay unevaluated; :meth:`~Convolution.unfold` gives the defining integral or sum and
``.doit()`` unfolds and then evaluates it. SymPy's printers (``str``, ``repr``,
``sympy.pretty``, ``sympy.latex``) show the defining integral or sum; derivations
(:func:`~convmath.symbolic.printing.text`, :func:`~convmath.symbolic.printing.latex`) show
the compact notation ``(f ∗ g)(x)``.

>>> from sympy import Function, symbols
>>> from convmath.symbolic.printing import notation
>>> f, g = symbols("f g", cls=Function)
>>> x = symbols("x")
>>> conv(f, g, x)
∫_{−∞}^{∞} f(z)·g(x − z) dz
>>> notation(conv(f, g, x))
'(f ∗ g)(x)'
>>> conv(f, g, x).unfold()
Integral(f(z)*g(x - z), (z, -oo, oo))

Functions may be undefined functions, :class:`~sympy.Lambda` objects or expressions in the
given variables; anything else raises :class:`~convmath.InvalidArgument`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sympy
from sympy import (
    Basic,
    Expr,
    Integral,
    Lambda,
    S,
    Sum,
    Symbol,
    Tuple,
    exp,
    oo,
    pi,
)
from sympy.core.function import AppliedUndef, FunctionClass
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from convmath.errors import InvalidArgument
from convmath.symbolic._input import sympy_arg
from convmath.symbolic.kernel import beta, register_operator, subst
from convmath.symbolic.linear_forms import differentiate_linear
from convmath.symbolic.vectors import (
    AxisPartial,
    Dot,
    LinearMap,
    VectorDelta,
    VectorDummy,
    VectorSymbol,
    has_vectors,
    subscript,
    vector_form,
)

__all__ = [
    "OPERATOR_CLASSES",
    "Convolution",
    "CrossCorrelation",
    "Difference",
    "Fourier",
    "Named",
    "Partial",
    "Upsample",
    "apply_function",
    "as_function",
    "conv",
    "difference",
    "fourier",
    "function_name",
    "xcorr",
]


def _domain(discrete: bool) -> Basic:
    return S.Integers if discrete else S.Reals


def domain_name(domain: Basic, ndim: int) -> str:
    """The domain as a learner writes it: ``ℝ``, ``ℝ²``, ``ℤ``, ``ℤⁿ``…"""
    base = "ℤ" if domain == S.Integers else "ℝ"
    sup = {1: "", 2: "²", 3: "³"}.get(ndim, f"^{ndim}")
    return base + sup


def _as_point(x: Any, argname: str = "x", discrete: bool = False) -> tuple[Expr, ...]:
    """The point at which an operator is evaluated: one real (integer, on ℤⁿ) scalar
    expression per axis — a variable such as ``x``, or ``x − a``, or a number."""
    items: Sequence[Any] = tuple(x) if isinstance(x, (tuple, list, Tuple)) else (x,)
    if not items:
        raise InvalidArgument(f"{argname}={x!r}: need at least one variable")
    out = []
    for item in items:
        if isinstance(item, (tuple, list, Tuple)):
            raise InvalidArgument(f"{argname}={x!r}: a point is a flat tuple of expressions")
        e = sympy_arg(item, argname, kinds=(Expr,),
                      what="a variable or a scalar SymPy expression (the point)")
        if getattr(e, "is_Matrix", False) or e.is_number is None:
            raise InvalidArgument(f"{argname}={x!r}: {item!r} is not a scalar expression")
        if e.has(S.Infinity, S.NegativeInfinity, S.ComplexInfinity, S.NaN) \
                or e.is_extended_real is False:
            raise InvalidArgument(
                f"{argname}={x!r}: {item!r} is not a point of "
                f"{'ℤ' if discrete else 'ℝ'} (a finite real value)")
        if discrete and e.is_integer is False:
            raise InvalidArgument(
                f"{argname}={x!r}: {item!r} is not an integer, so not a point of ℤ")
        out.append(e)
    return tuple(out)


def _point_tuple(value: Any, argname: str) -> Tuple:
    """A SymPy ``Tuple`` of the expressions in ``value`` (one or a sequence), built without
    parsing anything (``Tuple`` itself would turn strings into code)."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    return Tuple(*[sympy_arg(v, argname, kinds=(Expr,)) for v in items])


def _fresh(avoid: Iterable[Basic], names: Sequence[str], n: int, integer: bool,
           like: Sequence[Basic] = ()) -> list[Symbol]:
    """``n`` new variables named after ``names`` (``z``, or ``z1``, ``z2``…) that are not in
    ``avoid``; vector variables of the same space where ``like`` (the point) is one."""
    taken = {str(s) for s in avoid}
    sp = _point_space(like)
    if sp is not None:
        for base in names:
            if base not in taken:
                return [VectorSymbol(base, sp)]
        return [VectorDummy("z", sp)]  # pragma: no cover - every name taken
    out: list[Symbol] = []
    for base in names:
        cands = [base] if n == 1 else [f"{base}{i + 1}" for i in range(n)]
        if not any(c in taken for c in cands):
            return [Symbol(c, integer=True) if integer else Symbol(c) for c in cands]
    for i in range(n):  # pragma: no cover - every name taken
        out.append(sympy.Dummy(f"z{i}", integer=integer))
    return out


def _point_space(point: Sequence[Basic]) -> Tuple | None:
    """The space of a point of ℝᵈ/ℤᵈ (one vector form), else None."""
    if len(point) != 1 or not has_vectors(point[0]):
        return None
    form = vector_form(point[0])
    spaces = {v.space for v in form} if form else set()
    if len(spaces) != 1:
        raise InvalidArgument(f"point={tuple(point)}: not a combination of points of one "
                              "space")
    return spaces.pop()


def _wants_notation(printer: Any) -> bool:
    """True for convmath's derivation printers (compact notation such as ``(f ∗ g)(x)``);
    SymPy's own printers (``str``, ``pretty``, ``latex``) get the defining ∫/Σ instead."""
    return bool(getattr(printer, "convmath_notation", False))


# -- convmath's printers, installed by convmath.symbolic.printing --------------------------
#
# The printers live in convmath.symbolic.printing, which imports this module (they name
# functions with function_name and unfold operators); this module never imports printing.
# Instead printing hands its printers over with _install_printers when it is imported, which
# is before any operator can be printed: importing this module first runs the package
# __init__, which imports printing. Until then SymPy's own printers stand in.


class _Printers:
    text: Callable[[], Any] = StrPrinter  # notation in Unicode text (function_name's default)
    latex: Callable[[], Any] = LatexPrinter  # notation in LaTeX (latex_function_name's)
    definition: Callable[[Basic], str] | None = None  # the defining ∫/Σ in Unicode text


def _install_printers(*, text: Callable[[], Any], latex: Callable[[], Any],
                      definition: Callable[[Basic], str]) -> None:
    """Called by :mod:`convmath.symbolic.printing` on import (see above)."""
    _Printers.text, _Printers.latex, _Printers.definition = text, latex, definition


def _definition_text(e: Any, printer: Any) -> str:
    """``e`` as its defining ∫/Σ in Unicode text (for ``str`` and REPL ``repr``)."""
    if hasattr(printer, "convmath_notation") or _Printers.definition is None:
        # convmath's definition printer: go on with it (or, before printing is imported,
        # SymPy's own printer with the defining integral or sum)
        return str(printer._print(e.unfold()))
    return _Printers.definition(e)


def as_function(f: Any, ndim: int, variables: Sequence[Expr] | None = None, *,
                argname: str = "f") -> Lambda:
    """``f`` as a :class:`~sympy.Lambda` of ``ndim`` variables.

    Accepts an undefined function (``Function('f')``), a SymPy function class (``sin``,
    ``DiracDelta``), a ``Lambda`` of ``ndim`` variables, an expression in ``variables`` or a
    Python callable returning an expression.

    >>> from sympy import Function
    >>> as_function(Function("f"), 1)
    Lambda(t, f(t))
    """
    if not isinstance(ndim, int) or isinstance(ndim, bool) or not 1 <= ndim <= 64:
        raise InvalidArgument(f"ndim={ndim!r} must be an int, the number of variables (1–64)")
    if variables is not None:
        if not isinstance(variables, (tuple, list, Tuple)):
            raise InvalidArgument(f"variables={variables!r} must be a sequence of symbols")
        variables = [sympy_arg(v, "variables", kinds=(Expr,)) for v in variables]
    if isinstance(f, Lambda):
        if len(f.variables) != ndim:
            raise InvalidArgument(
                f"{argname}={f}: a Lambda of {len(f.variables)} variable(s) given for a "
                f"{ndim}-dimensional operator"
            )
        return f
    ts: list[Symbol] = (
        [Symbol("t")] if ndim == 1 else [Symbol(f"t{i + 1}") for i in range(ndim)]
    )
    sp = _point_space(variables) if variables is not None else None
    if sp is not None:  # a function of one point of ℝᵈ/ℤᵈ
        ts = [VectorSymbol("t", sp)]
    if isinstance(f, FunctionClass):
        nargs = getattr(f, "nargs", S.Naturals0)
        if ndim not in nargs:
            raise InvalidArgument(
                f"{argname}={f}: takes {nargs} argument(s), the operator is {ndim}-dimensional"
            )
        return Lambda(tuple(ts), f(*ts))
    if isinstance(f, (str, bytes, bool)) or f is None:
        raise InvalidArgument(f"{argname}={f!r} is not a function")
    if isinstance(f, (int, float)) and not isinstance(f, bool):
        f = sympy_arg(f, argname)
    if isinstance(f, Basic):
        if not isinstance(f, Expr) or isinstance(f, sympy.MatrixBase):
            raise InvalidArgument(f"{argname}={f!r} is not a scalar function or expression")
        if variables is None or not all(isinstance(v, Symbol) for v in variables):
            raise InvalidArgument(
                f"{argname}={f}: an expression is a function of the operator's variables, "
                "so those must be symbols; pass a Lambda instead"
            )
        if len(variables) != ndim:  # pragma: no cover - guarded by callers
            raise InvalidArgument(f"{argname}={f}: expected {ndim} variables")
        if len(set(variables)) != len(variables):
            raise InvalidArgument(
                f"{argname}={f}: the variables {tuple(variables)} repeat, so the expression "
                "is not a function of one variable per axis; pass a Lambda instead"
            )
        return Lambda(tuple(variables), f)
    if callable(f):
        fn: Callable[..., Any] = f
        try:
            body = fn(*ts)
        except Exception as exc:
            raise InvalidArgument(
                f"{argname}={f!r}: calling it on {ndim} symbol(s) failed: {exc}"
            ) from exc
        if not isinstance(body, Expr):
            raise InvalidArgument(f"{argname}={f!r} does not return a SymPy expression")
        return Lambda(tuple(ts), body)
    raise InvalidArgument(f"{argname}={f!r} is not a function")


def apply_function(L: Lambda, args: Sequence[Expr], conditions: list[Any] | None = None
                   ) -> Expr:
    """``L(*args)`` by capture-avoiding substitution (derivatives become ``Subs``). With a
    ``conditions`` list (inside a proof rule), each argument must satisfy the declared
    assumptions of its variable: refused when it provably does not, recorded when unknown."""
    if len(args) != len(L.variables):
        raise InvalidArgument(f"args={tuple(args)}: {L} takes {len(L.variables)} argument(s)")
    result: Expr = beta(L, [sympy_arg(a, "args") for a in args], conditions)
    return result


def _subs_in_lambda(L: Lambda, old: Basic, new: Basic) -> Lambda:
    """``L`` with ``old`` replaced by ``new`` where it occurs free: ``L``'s own variables are
    left alone, and renamed first when ``new`` mentions them (no capture)."""
    if old in L.variables or not L.expr.has(old):
        return L
    def free(e: Any) -> set[Basic]:
        return set(e.free_symbols) if isinstance(e, Basic) else set()  # (f ↦ h: classes)

    if set(L.variables) & free(old):
        return L  # every occurrence of ``old`` in L mentions L's own (bound) variable
    clash = set(L.variables) & free(new)
    if clash:
        fresh = tuple(sympy.Dummy(str(v), **v.assumptions0) if v in clash else v
                      for v in L.variables)
        L = Lambda(fresh, L.expr.xreplace(dict(zip(L.variables, fresh, strict=True))))
    return Lambda(L.variables, L.expr._subs(old, new))


def _subs_operator(e: Expr, old: Basic, new: Basic) -> Expr | None:
    """``e.subs(old, new)`` for an operator whose args are its constructor's arguments.

    SymPy's default substitutes into the Lambdas too, which fails (or captures) when ``old``
    is a Lambda's own variable, e.g. ``conv(exp(-x**2), g, x).subs(x, x - a)``.
    """
    if e == old:
        return None
    args = [_subs_in_lambda(a, old, new) if isinstance(a, Lambda) else a._subs(old, new)
            for a in e.args]
    result: Expr = type(e)(*args)
    return result


class _BinaryOperator(Expr):
    """Common part of convolution and cross-correlation: args ``(F, G, point, domain)``."""

    is_commutative = True
    _text_symbol = "?"
    _latex_symbol = "?"
    _sign = 1  # g(x - z) for convolution, g(x + z) for cross-correlation

    def __new__(cls, F: Lambda, G: Lambda, point: Tuple, domain: Basic) -> _BinaryOperator:
        if not isinstance(F, Lambda) or not isinstance(G, Lambda):
            raise InvalidArgument(f"F={F!r}, G={G!r}: operator arguments must be Lambdas")
        if not isinstance(point, Tuple):
            point = _point_tuple(point, "point")
        n = len(point)
        for name, L in (("f", F), ("g", G)):
            if len(L.variables) != n:
                raise InvalidArgument(
                    f"{name}={L}: takes {len(L.variables)} variable(s) but the point "
                    f"{tuple(point)} has {n}"
                )
        if domain not in (S.Reals, S.Integers):
            raise InvalidArgument(f"domain={domain!r}: must be S.Reals or S.Integers")
        obj: _BinaryOperator = Expr.__new__(cls, F, G, point, domain)
        return obj

    @property
    def f(self) -> Lambda:
        return self.args[0]

    @property
    def g(self) -> Lambda:
        return self.args[1]

    @property
    def point(self) -> tuple[Expr, ...]:
        return tuple(self.args[2])

    @property
    def domain(self) -> Basic:
        return self.args[3]

    @property
    def discrete(self) -> bool:
        return bool(self.domain == S.Integers)

    @property
    def ndim(self) -> int:
        return len(self.args[2])

    def _eval_is_real(self) -> bool | None:
        return None

    def _eval_subs(self, old: Basic, new: Basic) -> Expr | None:
        return _subs_operator(self, old, new)

    def unfold(self, variables: Sequence[Symbol] | None = None,
               conditions: list[Any] | None = None) -> Expr:
        """The defining integral (on ℝⁿ) or sum (on ℤⁿ), unevaluated."""
        if variables is None:
            names = ("k", "j", "m", "l") if self.discrete else ("z", "w", "u", "v", "s")
            variables = _fresh(self.atoms(Symbol), names, self.ndim, self.discrete,
                               self.point)
        zs = tuple(variables)
        shifted = tuple(x + self._sign * z for x, z in zip(self.point, zs, strict=False))
        body = (apply_function(self.f, zs, conditions)
                * apply_function(self.g, shifted, conditions))
        limits = [(z, -oo, oo) for z in zs]
        return Sum(body, *limits) if self.discrete else Integral(body, *limits)

    def doit(self, **hints: Any) -> Expr:
        e = self.unfold()
        return e.doit(**hints) if hints.get("deep", True) else e

    def _text(self, printer: Any) -> str:
        args = ", ".join(printer._print(p) for p in self.point)
        return (
            f"({function_name(self.f, printer)} {self._text_symbol} "
            f"{function_name(self.g, printer)})({args})"
        )

    def _sympystr(self, printer: Any) -> str:
        if _wants_notation(printer):
            return self._text(printer)
        return _definition_text(self, printer)

    def _pretty(self, printer: Any) -> Any:
        return printer._print(self.unfold())

    def _latex(self, printer: Any) -> str:
        if not _wants_notation(printer):
            return str(printer._print(self.unfold()))
        args = ", ".join(printer._print(p) for p in self.point)
        return (
            rf"\left({latex_function_name(self.f, printer)} {self._latex_symbol} "
            rf"{latex_function_name(self.g, printer)}\right)\!\left({args}\right)"
        )


def _closed_form_doit(op: _BinaryOperator, hints: dict[str, Any]) -> Expr:
    """``doit`` of a convolution/cross-correlation: the certified closed form
    (:func:`convmath.symbolic.closed_form.evaluate`) for concrete 1-D functions, which is
    left unevaluated (with a ``ClosedFormWarning`` saying why) when there is none; the
    defining integral or sum evaluated by SymPy otherwise (undefined functions, n-D)."""
    if not hints.get("deep", True):
        return op.unfold()
    concrete = not any(isinstance(n, AppliedUndef) or has_vectors(n)
                       for L in (op.f, op.g) for n in sympy.preorder_traversal(L.expr))
    if op.ndim == 1 and concrete and not has_vectors(op.point[0]):
        from convmath.symbolic.closed_form import evaluate

        return evaluate(op)
    return op.unfold().doit(**hints)  # type: ignore[no-any-return]


class Convolution(_BinaryOperator):
    """(f ∗ g)(x): ∫ f(z) g(x − z) dz over ℝⁿ, or Σ_k f(k) g(n − k) over ℤⁿ."""

    _text_symbol = "∗"
    _latex_symbol = "*"
    _sign = -1

    def doit(self, **hints: Any) -> Expr:
        """The closed form for concrete 1-D functions (certified; see
        :func:`convmath.symbolic.closed_form.evaluate`), else the defining integral or sum
        evaluated by SymPy."""
        return _closed_form_doit(self, hints)


class CrossCorrelation(_BinaryOperator):
    """(f ⋆ g)(x): ∫ f(z) g(x + z) dz over ℝⁿ, or Σ_k f(k) g(n + k) over ℤⁿ (kernel first)."""

    _text_symbol = "⋆"
    _latex_symbol = r"\star"
    _sign = 1

    def doit(self, **hints: Any) -> Expr:
        """As :meth:`Convolution.doit` (f ⋆ g = f(−·) ∗ g)."""
        return _closed_form_doit(self, hints)


def _make(cls: type[_BinaryOperator], f: Any, g: Any, x: Any, discrete: bool) -> Expr:
    if not isinstance(discrete, bool):
        raise InvalidArgument(f"discrete={discrete!r} must be a bool")
    point = _as_point(x, "x", discrete)
    n = len(point)
    F = as_function(f, n, point, argname="f")
    G = as_function(g, n, point, argname="g")
    return cls(F, G, Tuple(*point), _domain(discrete))


def conv(f: Any, g: Any, x: Any, *, discrete: bool = False) -> Expr:
    """(f ∗ g)(x), unevaluated; ``x`` a variable or a tuple of them (n-D).

    ``f`` and ``g``: undefined functions (``Function('f')``), ``Lambda`` objects, Python
    callables returning SymPy expressions, or expressions in the variables ``x`` (which must
    then be distinct symbols). ``x`` may also be any finite real point per axis (an integer
    on ℤⁿ), such as ``x - a`` or ``3``: ``conv(f, g, 3)`` is the value (f ∗ g)(3). Strings
    are refused (they are never parsed).

    >>> from sympy import Function, symbols
    >>> f, g = symbols("f g", cls=Function)
    >>> n = symbols("n", integer=True)
    >>> conv(f, g, n, discrete=True).unfold()
    Sum(f(k)*g(-k + n), (k, -oo, oo))
    """
    return _make(Convolution, f, g, x, discrete)


def xcorr(f: Any, g: Any, x: Any, *, discrete: bool = False) -> Expr:
    """(f ⋆ g)(x) = ∫ f(z) g(x + z) dz (kernel ``f`` first), unevaluated.

    >>> from sympy import Function, symbols
    >>> f, g = symbols("f g", cls=Function)
    >>> xcorr(f, g, symbols("x")).unfold()
    Integral(f(z)*g(x + z), (z, -oo, oo))
    """
    return _make(CrossCorrelation, f, g, x, discrete)


class Difference(Expr):
    """Forward difference Δ_n h = h|_{n→n+1} − h, unevaluated; ``doit`` expands it."""

    is_commutative = True

    def __new__(cls, expr: Expr, var: Symbol) -> Difference:
        if not isinstance(var, Symbol):
            raise InvalidArgument(f"var={var!r}: must be a symbol")
        obj: Difference = Expr.__new__(cls, sympy_arg(expr, "expr", kinds=(Expr,)), var)
        return obj

    @property
    def expr(self) -> Expr:
        return self.args[0]

    @property
    def var(self) -> Symbol:
        return self.args[1]

    def unfold(self, conditions: list[Any] | None = None) -> Expr:
        """h|_{n→n+1} − h (capture-avoiding)."""
        e: Expr = subst(self.expr, {self.var: self.var + 1}) - self.expr
        return e

    def doit(self, **hints: Any) -> Expr:
        e = self.expr.doit(**hints) if hints.get("deep", True) else self.expr
        out: Expr = subst(e, {self.var: self.var + 1}) - e
        return out

    def _sympystr(self, printer: Any) -> str:
        return f"Δ_{printer._print(self.var)}[{printer._print(self.expr)}]"

    def _latex(self, printer: Any) -> str:
        return rf"\Delta_{{{printer._print(self.var)}}}\left[{printer._print(self.expr)}\right]"


def difference(expr: Expr, var: Symbol) -> Difference:
    """Δ_var expr, the forward difference (unevaluated)."""
    return Difference(expr, var)


class Fourier(Expr):
    """ℱ[f](ξ): ∫ f(x) e^{−2πi x·ξ} dx on ℝⁿ, or the DTFT Σ_n f(n) e^{−i n·ω} on ℤⁿ."""

    is_commutative = True

    def __new__(cls, F: Lambda, point: Tuple, domain: Basic) -> Fourier:
        if not isinstance(F, Lambda):
            raise InvalidArgument(f"F={F!r}: must be a Lambda")
        if domain not in (S.Reals, S.Integers):
            raise InvalidArgument(f"domain={domain!r}: must be S.Reals or S.Integers")
        pt = point if isinstance(point, Tuple) else _point_tuple(point, "point")
        if len(F.variables) != len(pt):
            raise InvalidArgument(f"F={F}: takes {len(F.variables)} variable(s), point={pt}")
        obj: Fourier = Expr.__new__(cls, F, pt, domain)
        return obj

    @property
    def f(self) -> Lambda:
        return self.args[0]

    @property
    def point(self) -> tuple[Expr, ...]:
        return tuple(self.args[1])

    @property
    def discrete(self) -> bool:
        return bool(self.args[2] == S.Integers)

    def _eval_subs(self, old: Basic, new: Basic) -> Expr | None:
        return _subs_operator(self, old, new)

    def unfold(self, variables: Sequence[Symbol] | None = None,
               conditions: list[Any] | None = None) -> Expr:
        """The defining integral or sum."""
        if variables is None:
            names = ("n", "m", "k") if self.discrete else ("x", "y", "u", "v")
            sp = _point_space(self.point)
            if sp is not None:  # a function of ℝᵈ/ℤᵈ, the frequency in ℝᵈ
                sp = self.f.variables[0].space
            variables = (_fresh(self.atoms(Symbol), names, len(self.point), self.discrete)
                         if sp is None else _fresh(self.atoms(Symbol), names, 1, False,
                                                   (VectorSymbol("_", sp),)))
        zs = tuple(variables)
        if _point_space(self.point) is not None:
            phase = Dot(zs[0], self.point[0])
        else:
            phase = sum((z * xi for z, xi in zip(zs, self.point, strict=False)), S.Zero)
        kernel = exp(-sympy.I * phase) if self.discrete else exp(-2 * pi * sympy.I * phase)
        limits = [(z, -oo, oo) for z in zs]
        body = apply_function(self.f, zs, conditions) * kernel
        return Sum(body, *limits) if self.discrete else Integral(body, *limits)

    def doit(self, **hints: Any) -> Expr:
        e = self.unfold()
        return e.doit(**hints) if hints.get("deep", True) else e

    def _sympystr(self, printer: Any) -> str:
        if not _wants_notation(printer):
            return _definition_text(self, printer)
        args = ", ".join(printer._print(p) for p in self.point)
        return f"ℱ[{function_name(self.f, printer)}]({args})"

    def _pretty(self, printer: Any) -> Any:
        return printer._print(self.unfold())

    def _latex(self, printer: Any) -> str:
        if not _wants_notation(printer):
            return str(printer._print(self.unfold()))
        args = ", ".join(printer._print(p) for p in self.point)
        return (
            rf"\mathcal{{F}}\left[{latex_function_name(self.f, printer)}\right]"
            rf"\!\left({args}\right)"
        )


def fourier(f: Any, xi: Any, *, discrete: bool = False) -> Fourier:
    """ℱ[f](ξ), unevaluated (``discrete=True``: the DTFT)."""
    if not isinstance(discrete, bool):
        raise InvalidArgument(f"discrete={discrete!r} must be a bool")
    point = _as_point(xi, "xi")
    return Fourier(as_function(f, len(point), point), Tuple(*point), _domain(discrete))


# -- naming functions for display ---------------------------------------------------------

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _named_parts(L: Lambda, latex: bool, printer: Any) -> Expr | None:
    """Replace every application h(*vars) in L's body by a symbol naming h; None if vars remain."""
    vs = tuple(L.variables)
    reps: dict[Basic, Basic] = {}
    for node in sympy.preorder_traversal(L.expr):
        if isinstance(node, _BinaryOperator) and tuple(node.point) == vs:
            sym = node._latex_symbol if latex else node._text_symbol
            a = latex_function_name(node.f, printer) if latex else function_name(node.f, printer)
            b = latex_function_name(node.g, printer) if latex else function_name(node.g, printer)
            name = rf"\left({a} {sym} {b}\right)" if latex else f"({a} {sym} {b})"
            reps[node] = Symbol(name)
        elif isinstance(node, sympy.Derivative) and isinstance(node.expr, AppliedUndef) \
                and tuple(node.expr.args) == vs and len(node.variable_count) == 1 \
                and node.variable_count[0][1] == 1:
            h = node.expr.func.__name__
            var = node.variable_count[0][0]
            if len(vs) == 1:
                reps[node] = Symbol(f"{h}'" if latex else f"{h}′")
            else:
                i = vs.index(var) + 1
                reps[node] = Symbol(rf"\partial_{{{i}}} {h}" if latex
                                    else f"∂{str(i).translate(_SUBSCRIPTS)}{h}")
        elif type(node).__name__ == "Upsample" and tuple(node.args[2]) == vs:
            fac = ", ".join(printer._print(q) for q in node.args[1])
            inner = (latex_function_name(node.args[0], printer) if latex
                     else function_name(node.args[0], printer))
            reps[node] = Symbol(rf"\left(\uparrow_{{{fac}}} {inner}\right)" if latex
                                else f"(↑[{fac}] {inner})")
        elif isinstance(node, sympy.Function) and tuple(node.args) == vs:
            name = _fn_symbol(node.func, latex)
            reps[node] = Symbol(name)
        elif (isinstance(node, sympy.KroneckerDelta) and len(vs) == 1
              and set(node.args) == {vs[0], S.Zero}) or (
                isinstance(node, VectorDelta) and node.args[0] in vs):
            reps[node] = Symbol(r"\delta" if latex else "δ")
        elif isinstance(node, AppliedUndef) and len(node.args) == 1 and \
                isinstance(node.args[0], LinearMap) and node.args[0].args[1] == vs[0]:
            h, A = node.func.__name__, printer._print(node.args[0].args[0])
            reps[node] = Symbol(rf"\left({h} \circ {A}\right)" if latex else f"({h}∘{A})")
        elif isinstance(node, AxisPartial) and isinstance(node.expr, AppliedUndef) \
                and node.expr.args == vs and node.var == vs[0]:
            h, i = node.expr.func.__name__, printer._print(node.axis)
            reps[node] = Symbol(rf"\partial_{{{i}}} {h}" if latex else f"∂{subscript(i)}{h}")
    body = L.expr.xreplace(reps)
    if body.free_symbols & set(vs):
        return None
    return body


def _fn_symbol(func: Any, latex: bool) -> str:
    name = getattr(func, "__name__", str(func))
    if name == "DiracDelta":
        return r"\delta" if latex else "δ"
    return name


def _difference_of(L: Lambda) -> tuple[str, int] | None:
    """(h, i) when L is t ↦ h(t + eᵢ) − h(t), the forward difference Δᵢh."""
    vs = tuple(L.variables)
    terms = sympy.Add.make_args(L.expr)
    if len(terms) != 2:
        return None
    pos = [t for t in terms if not t.could_extract_minus_sign()]
    neg = [-t for t in terms if t.could_extract_minus_sign()]
    if len(pos) != 1 or len(neg) != 1:
        return None
    a, b = pos[0], neg[0]
    if not (isinstance(a, AppliedUndef) and isinstance(b, AppliedUndef) and a.func == b.func
            and tuple(b.args) == vs and len(a.args) == len(vs)):
        return None
    diffs = [sympy.expand(x - v) for x, v in zip(a.args, vs, strict=True)]
    if sorted(diffs, key=str) != sorted([S.One] + [S.Zero] * (len(vs) - 1), key=str):
        return None
    return a.func.__name__, diffs.index(S.One) + 1


def _dot_like(v: Basic, name: str) -> Symbol:
    """The placeholder ``·`` for the variable ``v`` (a point of the same space, if ``v`` is
    one)."""
    return VectorSymbol(name, v.space) if has_vectors(v) else Symbol(name)


def _vector_difference(L: Lambda) -> tuple[str, str] | None:
    """(h, e) when L is t ↦ h(t + e) − h(t) for points t, e of ℤᵈ (Δₑh; Δᵢh for e = eᵢ)."""
    vs = tuple(L.variables)
    if len(vs) != 1 or not has_vectors(vs[0]):
        return None
    terms = sympy.Add.make_args(L.expr)
    pos = [t for t in terms if not t.could_extract_minus_sign()]
    neg = [-t for t in terms if t.could_extract_minus_sign()]
    if len(terms) != 2 or len(pos) != 1 or len(neg) != 1:
        return None
    a, b = pos[0], neg[0]
    if not (isinstance(a, AppliedUndef) and isinstance(b, AppliedUndef) and a.func == b.func
            and b.args == vs and len(a.args) == 1):
        return None
    e = sympy.expand(a.args[0] - vs[0])
    if not (isinstance(e, Symbol) and has_vectors(e)):
        return None
    label = e.name[1:] if e.name.startswith("e") and len(e.name) > 1 else e.name
    return a.func.__name__, label


def function_name(L: Lambda, printer: Any = None) -> str:
    """How a function argument prints in text: ``f``, ``(f ∗ g)``, ``g′``, ``f(· − a)``."""
    p = printer if printer is not None else _Printers.text()
    vdiff = _vector_difference(L)
    if vdiff is not None:
        return f"Δ{vdiff[1]}{vdiff[0]}"
    diff = _difference_of(L)
    if diff is not None:
        h, i = diff
        return f"Δ{h}" if len(L.variables) == 1 else f"Δ{str(i).translate(_SUBSCRIPTS)}{h}"
    named = _named_parts(L, False, p)
    if named is not None:
        s = p._print(named)
        return f"({s})" if isinstance(named, (sympy.Add, sympy.Mul)) else s
    dots = {v: _dot_like(v, "·") for v in L.variables}
    return f"[{p._print(L.expr.xreplace(dots))}]"


def latex_function_name(L: Lambda, printer: Any = None) -> str:
    """LaTeX counterpart of :func:`function_name`."""
    p = printer if printer is not None else _Printers.latex()
    vdiff = _vector_difference(L)
    if vdiff is not None:
        sub = {"ᵢ": "i", "ⱼ": "j", "ₖ": "k"}.get(vdiff[1], vdiff[1])
        return rf"\Delta_{{{sub}}} {vdiff[0]}"
    diff = _difference_of(L)
    if diff is not None:
        h, i = diff
        return rf"\Delta {h}" if len(L.variables) == 1 else rf"\Delta_{{{i}}} {h}"
    named = _named_parts(L, True, p)
    if named is not None:
        s = p._print(named)
        return rf"\left({s}\right)" if isinstance(named, (sympy.Add, sympy.Mul)) else s
    dots = {v: _dot_like(v, r"\cdot") for v in L.variables}
    return rf"\left[{p._print(L.expr.xreplace(dots))}\right]"


class Upsample(Expr):
    """Zero insertion (↑ₛg)(v) = Σ_t g(t) δ[s·t, v]: g(v/s) where s divides v, else 0.

    With stride s it turns a strided output gradient into a dense one; with s = d it dilates
    a kernel.
    """

    is_commutative = True
    discrete = True  # on ℤⁿ

    def __new__(cls, F: Lambda, factor: Any, point: Any) -> Upsample:
        fac = factor if isinstance(factor, Tuple) else _point_tuple(factor, "factor")
        pt = point if isinstance(point, Tuple) else _point_tuple(point, "point")
        if not isinstance(F, Lambda) or len(F.variables) != len(pt) or len(fac) != len(pt):
            raise InvalidArgument(
                f"F={F!r}, factor={factor!r}, point={point!r}: need a Lambda and one "
                "factor per coordinate"
            )
        obj: Upsample = Expr.__new__(cls, F, fac, pt)
        return obj

    @property
    def f(self) -> Lambda:
        return self.args[0]

    @property
    def factor(self) -> tuple[Expr, ...]:
        return tuple(self.args[1])

    def _eval_subs(self, old: Basic, new: Basic) -> Expr | None:
        return _subs_operator(self, old, new)

    @property
    def point(self) -> tuple[Expr, ...]:
        return tuple(self.args[2])

    def unfold(self, variables: Sequence[Symbol] | None = None,
               conditions: list[Any] | None = None) -> Expr:
        """The defining sum Σ_t g(t) Π δ[sᵢ·tᵢ, vᵢ] (on ℤᵈ: Σ_{t ∈ ℤᵈ} g(t) δ[s·t − v] with
        one factor s for every axis)."""
        sp = _point_space(self.point)
        if variables is None:
            variables = _fresh(self.atoms(Symbol), ("q", "r"), len(self.point), True,
                               self.point)
        ts = tuple(variables)
        body = apply_function(self.f, ts, conditions)
        if sp is not None:
            (s,), (t,), (v,) = self.factor, ts, self.point
            return Sum(body * VectorDelta(s * t - v, sp), (t, -oo, oo))
        for s, t, v in zip(self.factor, ts, self.point, strict=False):
            body = body * sympy.KroneckerDelta(s * t, v)
        return Sum(body, *[(t, -oo, oo) for t in ts])

    def doit(self, **hints: Any) -> Expr:
        e = self.unfold()
        return e.doit(**hints) if hints.get("deep", True) else e

    def _sympystr(self, printer: Any) -> str:
        if not _wants_notation(printer):
            return _definition_text(self, printer)
        fac = ", ".join(printer._print(s) for s in self.factor)
        args = ", ".join(printer._print(p) for p in self.point)
        return f"(↑[{fac}] {function_name(self.f, printer)})({args})"

    def _pretty(self, printer: Any) -> Any:
        return printer._print(self.unfold())

    def _latex(self, printer: Any) -> str:
        if not _wants_notation(printer):
            return str(printer._print(self.unfold()))
        fac = ", ".join(printer._print(s) for s in self.factor)
        args = ", ".join(printer._print(p) for p in self.point)
        return (
            rf"\left(\uparrow_{{{fac}}} {latex_function_name(self.f, printer)}\right)"
            rf"\!\left({args}\right)"
        )


class Partial(Expr):
    """∂expr/∂target for a target symbol ``b`` or a function value ``x(u)``.

    The values x(v) for different v are independent variables: ∂x(v)/∂x(u) = δ[v, u].
    ``doit`` differentiates expressions that are linear (affine) in the target.
    """

    is_commutative = True

    def __new__(cls, expr: Expr, target: Expr) -> Partial:
        if not (isinstance(target, (Symbol, AppliedUndef))):
            raise InvalidArgument(f"target={target!r}: must be a symbol or x(u) for undefined x")
        obj: Partial = Expr.__new__(cls, sympy_arg(expr, "expr", kinds=(Expr,)), target)
        return obj

    @property
    def expr(self) -> Expr:
        return self.args[0]

    @property
    def target(self) -> Expr:
        return self.args[1]

    def doit(self, **hints: Any) -> Expr:
        return differentiate_linear(self.expr, self.target)

    def _sympystr(self, printer: Any) -> str:
        return f"∂/∂{printer._print(self.target)} [{printer._print(self.expr)}]"

    def _latex(self, printer: Any) -> str:
        return (
            rf"\frac{{\partial}}{{\partial {printer._print(self.target)}}}"
            rf"\left[{printer._print(self.expr)}\right]"
        )


class Named(Expr):
    """An expression shown by a name (``L``) in derivations; unfolds to the expression."""

    is_commutative = True

    def __new__(cls, name: Symbol, expr: Expr) -> Named:
        if not isinstance(name, Symbol):
            raise InvalidArgument(f"name={name!r} must be a SymPy Symbol (the displayed name)")
        obj: Named = Expr.__new__(cls, name, sympy_arg(expr, "expr", kinds=(Expr,)))
        return obj

    @property
    def name(self) -> Symbol:
        return self.args[0]

    @property
    def expr(self) -> Expr:
        return self.args[1]

    def unfold(self, conditions: list[Any] | None = None) -> Expr:
        """The expression itself."""
        return self.expr

    def doit(self, **hints: Any) -> Expr:
        return self.expr.doit(**hints) if hints.get("deep", True) else self.expr

    def _sympystr(self, printer: Any) -> str:
        return printer._print(self.name)

    def _latex(self, printer: Any) -> str:
        return printer._print(self.name)


OPERATOR_CLASSES: tuple[type[Expr], ...] = (
    Convolution, CrossCorrelation, Fourier, Upsample, Difference, Named,
)

for _cls in OPERATOR_CLASSES:
    register_operator(_cls)
register_operator(Difference, diff_vars=lambda n: (n.args[1],))
register_operator(Partial,
                  diff_vars=lambda n: (n.args[1],) if isinstance(n.args[1], Symbol) else ())
register_operator(Named, labelled=True)
register_operator(AxisPartial, diff_vars=lambda n: (n.args[1],))
