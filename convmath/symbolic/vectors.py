"""Vector variables: points of ℝᵈ and ℤᵈ for a *symbolic* dimension d.

A derivation on ℝᵈ is written with one variable per point — ``x``, ``z ∈ ℝᵈ`` — instead of
one per coordinate, so that it is checked once for every d. The kernel keeps such variables
apart from numbers by their *sort* (the space they live in) and accepts them only where they
mean something (:func:`check_vectors`):

- a **vector form** is an integer or real combination ``Σ cₖ·vₖ`` of vector variables of one
  space (``x − z``, ``n + eᵢ``, ``s·n + k``; ``0`` is the zero vector): the argument of a
  function on ℝᵈ/ℤᵈ, of :class:`Dot` and of :class:`VectorDelta`, and the point of an operator
  or a ``Subs``;
- ``∫ … dz`` and ``Σ … `` over a vector variable range over the whole space (limits
  ``(−∞, ∞)``), an integral over ℝᵈ and a sum over ℤᵈ;
- a function takes the same sorts at every application (``f: ℝᵈ → ℝ``, ``w(c, ·)`` with a
  channel number ``c`` and a point of ℤᵈ);
- nothing else may contain a vector variable: not a product ``x·z``, not ``exp(x)``, not a
  ``Derivative`` with respect to ``x`` (:class:`AxisPartial` differentiates along one axis).

The inner product :class:`Dot` is kept in a normal form (bilinear, symmetric: expanded over
vector forms, its two variables sorted), so algebra treats ``x·ξ`` as a number. Rules that
have not been written for vector variables refuse them (``vector_safe`` in
:mod:`convmath.symbolic.rules.base`); the ones that have change variables with the Jacobian
|c|ᵈ, sift with δ on ℝᵈ, and differentiate along a symbolic axis i
(:mod:`convmath.symbolic.rules.vectors`).

>>> from sympy import Function
>>> R = space("R")
>>> x, z = vector("x", R), vector("z", R)
>>> f = Function("f")
>>> check_vectors(f(x - z))
>>> dot(x - z, z)
x·z - z·z
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sympy
from sympy import Add, Basic, Dummy, Expr, Integral, Lambda, Mul, S, Subs, Sum, Symbol, Tuple, oo
from sympy.core.function import AppliedUndef

from convmath.errors import InvalidArgument

__all__ = [
    "AxisPartial",
    "Dot",
    "VectorDelta",
    "VectorSymbol",
    "check_vectors",
    "dot",
    "has_points",
    "has_vectors",
    "in_space",
    "instantiate_dimension",
    "is_vector",
    "space",
    "space_of",
    "space_text",
    "vector",
    "vector_form",
]

#: the symbolic dimension d (a positive integer)
D = Symbol("d", integer=True, positive=True)

_SUPER = str.maketrans("abcdefghijklmnoprstuvwxyz0123456789",
                       "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ⁰¹²³⁴⁵⁶⁷⁸⁹")


def space(domain: str, dim: Symbol = D) -> Tuple:
    """The space ``ℝ^dim`` (``domain`` "R") or ``ℤ^dim`` ("Z"); ``dim`` a positive integer
    symbol (default d)."""
    if domain not in ("R", "Z"):
        raise InvalidArgument(f"domain={domain!r}: 'R' (ℝᵈ) or 'Z' (ℤᵈ)")
    if not isinstance(dim, Symbol) or dim.is_integer is not True or dim.is_positive is not True:
        raise InvalidArgument(f"dim={dim!r} must be a Symbol declared integer=True, "
                              "positive=True")
    return Tuple(S.Reals if domain == "R" else S.Integers, dim)


def space_text(sp: Tuple, latex: bool = False) -> str:
    """``ℝᵈ`` / ``ℤᵈ`` (or ``\\mathbb{R}^{d}``)."""
    dom, dim = sp.args
    name = str(dim)
    if latex:
        return rf"\mathbb{{{'Z' if dom == S.Integers else 'R'}}}^{{{name}}}"
    sup = name.translate(_SUPER)
    sup = sup if all(c not in "abcdefghijklmnopqrstuvwxyz" for c in sup) else f"^{name}"
    return ("ℤ" if dom == S.Integers else "ℝ") + sup


class _Spaced:
    """A symbol that belongs to a space (a point, or a linear map of it): equal only to one of
    the same name, class and space."""

    space: Tuple
    name: str

    def _hashable_content(self) -> tuple[Any, ...]:
        return (*super()._hashable_content(), self.space)  # type: ignore[misc]

    def __getnewargs_ex__(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return ((self.name, self.space), {})


def spaced_symbol(cls: type, name: str, sp: Tuple) -> Any:
    """A new symbol of the :class:`_Spaced` class ``cls`` named ``name`` in the space ``sp``."""
    obj = Symbol.__xnew__(cls, name)
    obj.space = sp
    return obj


class _VectorMixin(_Spaced):
    """What every vector variable (named, dummy or bound) has: its space."""

    @property
    def discrete(self) -> bool:
        return bool(self.space.args[0] == S.Integers)

    @property
    def dim(self) -> Symbol:
        d: Symbol = self.space.args[1]
        return d

    @property
    def domain_text(self) -> str:
        """The space, for printers: a binder over this variable ranges over all of it."""
        return space_text(self.space)

    @property
    def domain_latex(self) -> str:
        return space_text(self.space, latex=True)


class VectorSymbol(_VectorMixin, Symbol):
    """A point of ℝᵈ or ℤᵈ, named ``name``. Equal only to a vector variable with the same
    name and space (never to a number variable ``Symbol(name)``)."""

    __slots__ = ("space",)

    def __new__(cls, name: str, sp: Tuple) -> VectorSymbol:
        _check_space(sp)
        obj: VectorSymbol = spaced_symbol(cls, name, sp)
        return obj


class VectorDummy(_VectorMixin, Dummy):
    """A fresh vector variable (the kernel's renaming of a vector variable)."""

    __slots__ = ("space",)

    def __new__(cls, name: str | None = None, sp: Tuple | None = None,
                dummy_index: int | None = None) -> VectorDummy:
        if sp is None:
            raise InvalidArgument("a VectorDummy needs its space")
        _check_space(sp)
        obj: VectorDummy = Dummy.__new__(cls, name, dummy_index)
        obj.space = sp
        return obj

    def __getnewargs_ex__(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return ((self.name, self.space, self.dummy_index), {})


def _check_space(sp: Any) -> None:
    if not (isinstance(sp, Tuple) and len(sp) == 2 and sp.args[0] in (S.Reals, S.Integers)
            and isinstance(sp.args[1], Symbol) and sp.args[1].is_integer is True
            and sp.args[1].is_positive is True):
        raise InvalidArgument(f"space={sp!r} is not a space: use space('R') or space('Z')")


_VECTOR_CLASSES: list[type] = [VectorSymbol, VectorDummy]


def register_vector_class(cls: type) -> None:
    """The kernel's bound vector variables register here."""
    if cls not in _VECTOR_CLASSES:
        _VECTOR_CLASSES.append(cls)


def is_vector(e: Any) -> bool:
    """True for a vector variable (named, fresh or bound)."""
    return type(e) in _VECTOR_CLASSES


def space_of(e: Any) -> Tuple | None:
    """The space of a vector variable, else None."""
    return e.space if is_vector(e) else None


def vector(name: str, sp: Tuple) -> VectorSymbol:
    """The vector variable ``name`` of the space ``sp`` (see :func:`space`)."""
    if not isinstance(name, str) or not name:
        raise InvalidArgument(f"name={name!r} must be a non-empty str")
    return VectorSymbol(name, sp)


def has_vectors(e: Any) -> bool:
    """True when ``e`` mentions a vector variable anywhere (bound ones included)."""
    if not isinstance(e, Basic):
        return False
    if is_vector(e):
        return True
    return any(is_vector(a) for a in e.atoms(Symbol))


def vector_form(e: Any) -> dict[Basic, Expr] | None:
    """``{v: c}`` with ``e = Σ c·v`` (v vector variables, c numbers free of them) — {} for
    the zero vector — or None when ``e`` is not such a combination."""
    if isinstance(e, int) and not isinstance(e, bool):
        e = sympy.Integer(e)
    if not isinstance(e, Expr):
        return None
    if e == 0:
        return {}
    out: dict[Basic, Expr] = {}
    for term in Add.make_args(sympy.expand(e)):
        vecs = [f for f in Mul.make_args(term) if has_vectors(f)]
        if len(vecs) != 1 or not (is_vector(vecs[0]) or _is_map_atom(vecs[0])):
            return None
        v = vecs[0]
        c = Mul(*[f for f in Mul.make_args(term) if f is not v])
        out[v] = out.get(v, S.Zero) + c
    return {v: c for v, c in out.items() if c != 0}


def _form_space(form: Mapping[Basic, Expr]) -> Tuple | None:
    spaces = {v.space for v in form}
    return spaces.pop() if len(spaces) == 1 else None


# -- nodes ----------------------------------------------------------------------------------


class Dot(Expr):
    """The inner product ``u·v`` of two points of the same dimension, kept bilinear and
    symmetric: built from vector forms it expands into ``Σ cᵢcⱼ·(vᵢ·vⱼ)`` with each pair
    sorted. (Use :func:`dot`.)"""

    is_commutative = True

    def _points(self) -> bool:
        return all(is_vector(a) for a in self.args)

    def _eval_is_extended_real(self) -> bool | None:
        return True if self._points() else None  # points of ℝᵈ and ℤᵈ are real

    def _eval_is_finite(self) -> bool | None:
        return True if self._points() else None

    def _eval_is_integer(self) -> bool | None:
        return True if self._points() and all(a.discrete for a in self.args) else None

    def __new__(cls, u: Expr, v: Expr) -> Expr:
        fu, fv = vector_form(u), vector_form(v)
        dims = {p.space.args[1] for p in (*(fu or {}), *(fv or {}))}
        if fu is None or fv is None or len(dims) > 1:
            # left as it is (SymPy's Subs puts plain placeholders in); check_vectors
            # refuses it in a derivation, and dot() refuses it outright
            raw: Expr = Expr.__new__(cls, u, v)
            return raw
        if len(fu) == 1 and len(fv) == 1 and fu[next(iter(fu))] == 1 and \
                fv[next(iter(fv))] == 1:
            a, b = sorted((next(iter(fu)), next(iter(fv))), key=sympy.default_sort_key)
            obj: Expr = Expr.__new__(cls, a, b)
            return obj
        total: Expr = S.Zero
        for a, ca in fu.items():
            for b, cb in fv.items():
                total += ca * cb * Dot(a, b)
        return total

    def _sympystr(self, printer: Any) -> str:
        return f"{printer._print(self.args[0])}·{printer._print(self.args[1])}"

    def _latex(self, printer: Any) -> str:
        return rf"{printer._print(self.args[0])} \cdot {printer._print(self.args[1])}"


def dot(u: Expr, v: Expr) -> Expr:
    """``u·v`` for vector forms ``u``, ``v`` of the same dimension (see :class:`Dot`)."""
    fu, fv = vector_form(u), vector_form(v)
    if fu is None or fv is None:
        raise InvalidArgument(f"dot({u}, {v}): both arguments must be points")
    if len({p.space.args[1] for p in (*fu, *fv)}) > 1:
        raise InvalidArgument(f"dot({u}, {v}): the points have different dimensions")
    return Dot(u, v)


class VectorDelta(Expr):
    """δ(u) for a point ``u`` of the space ``sp``: the Dirac δ of ℝᵈ (∫ φ(z) δ(z − c) dz =
    φ(c)) or the Kronecker δ of ℤᵈ (1 at 0, else 0; δ[0] is 1). Kept with a sign-normal
    argument (δ(−u) = δ(u)); never scaled (δ(2z) = δ(z)/2ᵈ on ℝᵈ is not used)."""

    is_commutative = True

    def __new__(cls, u: Expr, sp: Tuple | None = None) -> Expr:
        fu = vector_form(u)
        if sp is None:
            sp = _form_space(fu) if fu else None
            if sp is None:
                raise InvalidArgument(f"VectorDelta({u}): give the space of the point")
        _check_space(sp)
        if fu is None or (fu and _form_space(fu) != sp):
            # left as it is (SymPy's Subs puts plain placeholders in); check_vectors
            # refuses it in a derivation
            raw: Expr = Expr.__new__(cls, u, sp)
            return raw
        arg = sympy.expand(u)
        if arg.could_extract_minus_sign():
            arg = -arg
        if arg == 0 and sp.args[0] == S.Integers:
            return S.One  # δ[0] = 1 on ℤᵈ
        obj: Expr = Expr.__new__(cls, arg, sp)
        return obj

    @property
    def discrete(self) -> bool:
        return bool(self.args[1].args[0] == S.Integers)

    @property
    def space(self) -> Tuple:
        sp: Tuple = self.args[1]
        return sp

    def _sympystr(self, printer: Any) -> str:
        a = printer._print(self.args[0])
        return f"δ[{a}]" if self.discrete else f"δ({a})"

    def _latex(self, printer: Any) -> str:
        a = printer._print(self.args[0])
        return rf"\delta\left[{a}\right]" if self.discrete else rf"\delta\left({a}\right)"


class AxisPartial(Expr):
    """∂/∂xᵢ of ``expr``: the partial derivative along axis ``i`` (a symbol, 1 ≤ i ≤ d) at
    the point ``x`` of ℝᵈ. Unevaluated; ``∂ᵢg`` as a function is ``Lambda(t, AxisPartial(
    g(t), t, i))``."""

    is_commutative = True

    def __new__(cls, expr: Expr, x: Basic, i: Expr) -> AxisPartial:
        # (a plain Symbol stands for x inside SymPy's Subs; check_vectors refuses it in a
        # derivation)
        if not isinstance(x, Symbol):
            raise InvalidArgument(f"x={x!r} must be a vector variable of ℝᵈ")
        if not isinstance(i, Expr) or i.is_integer is not True or i.is_positive is not True:
            raise InvalidArgument(f"i={i!r} must be a positive integer (an axis 1 … d)")
        obj: AxisPartial = Expr.__new__(cls, expr, x, i)
        return obj

    @property
    def expr(self) -> Expr:
        return self.args[0]

    @property
    def var(self) -> Basic:
        return self.args[1]

    @property
    def axis(self) -> Expr:
        return self.args[2]

    def _sympystr(self, printer: Any) -> str:
        i = subscript(printer._print(self.axis))
        e = self.expr
        if isinstance(e, AppliedUndef) and e.args == (self.var,):
            return f"∂{i}{printer._print(e.func)}({printer._print(self.var)})"
        return f"∂/∂{printer._print(self.var)}{i} {printer._print(e)}"

    def _latex(self, printer: Any) -> str:
        e = self.expr
        i = printer._print(self.axis)
        if isinstance(e, AppliedUndef) and e.args == (self.var,):
            return (rf"\partial_{{{i}}} {printer._print(e.func)}"
                    rf"\left({printer._print(self.var)}\right)")
        return (rf"\frac{{\partial}}{{\partial {printer._print(self.var)}_{{{i}}}}}"
                rf" {printer._print(e)}")


_SUBSCRIPT = str.maketrans("0123456789aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")


def subscript(name: str) -> str:
    """``name`` in Unicode subscripts where it has them (``i`` → ``ᵢ``), else ``_name``."""
    out = name.translate(_SUBSCRIPT)
    return out if out != name or not name else f"_{name}"


# -- linear maps ----------------------------------------------------------------------------


class MapSymbol(_Spaced, Symbol):
    """The name of a linear map A: ℝᵈ → ℝᵈ (a d × d real matrix). It may stand only in
    ``A(v)`` (:class:`LinearMap`) and ``det A`` (:class:`Det`); whether A is invertible is a
    hypothesis (:class:`~convmath.symbolic.kernel.Invertible`)."""

    __slots__ = ("space",)

    def __new__(cls, name: str, sp: Tuple) -> MapSymbol:
        _check_space(sp)
        if sp.args[0] != S.Reals:
            raise InvalidArgument(f"space={sp}: linear maps are of ℝᵈ (a map of ℤᵈ onto "
                                  "itself would have to be unimodular)")
        obj: MapSymbol = spaced_symbol(cls, name, sp)
        return obj


def linear_map(name: str, sp: Tuple) -> MapSymbol:
    """A linear map of the space ``sp`` (ℝᵈ), named ``name``: ``A(x)`` is ``LinearMap(A, x)``."""
    if not isinstance(name, str) or not name:
        raise InvalidArgument(f"name={name!r} must be a non-empty str")
    return MapSymbol(name, sp)


class LinearMap(Expr):
    """``A(v)``: the linear map A applied to the point v — kept linear (A(x − z) is
    A(x) − A(z), A(c·x) is c·A(x)), so that a point may be a combination of ``A(x)``'s."""

    is_commutative = True

    def __new__(cls, A: Basic, v: Expr) -> Expr:
        form = vector_form(v) if isinstance(A, MapSymbol) else None
        if form is None or any(not is_vector(p) for p in form) or (
                form and _form_space(form) != A.space):
            raw: Expr = Expr.__new__(cls, A, v)  # refused by check_vectors in a derivation
            return raw
        if len(form) == 1 and next(iter(form.values())) == 1:
            obj: Expr = Expr.__new__(cls, A, next(iter(form)))
            return obj
        return Add(*[c * LinearMap(A, p) for p, c in form.items()])

    @property
    def space(self) -> Tuple:
        sp: Tuple = self.args[0].space
        return sp

    def _sympystr(self, printer: Any) -> str:
        return f"{printer._print(self.args[0])}({printer._print(self.args[1])})"

    def _latex(self, printer: Any) -> str:
        return rf"{printer._print(self.args[0])} {printer._print(self.args[1])}"


def _is_map_atom(e: Any) -> bool:
    return isinstance(e, LinearMap) and isinstance(e.args[0], MapSymbol) and \
        is_vector(e.args[1]) and e.args[1].space == e.args[0].space


class Det(Expr):
    """det A of a linear map A (a real number)."""

    is_commutative = True

    def __new__(cls, A: Basic) -> Det:
        obj: Det = Expr.__new__(cls, A)
        return obj

    def _eval_is_extended_real(self) -> bool | None:
        return True if isinstance(self.args[0], MapSymbol) else None

    def _eval_is_finite(self) -> bool | None:
        return True if isinstance(self.args[0], MapSymbol) else None

    def _sympystr(self, printer: Any) -> str:
        return f"det {printer._print(self.args[0])}"

    def _latex(self, printer: Any) -> str:
        return rf"\det {printer._print(self.args[0])}"


# -- well-sorted expressions ----------------------------------------------------------------


class VectorSortError(ValueError):
    """An expression that uses a vector variable where a number is meant (or mixes spaces)."""


def check_vectors(e: Basic) -> None:
    """Raise :class:`VectorSortError` unless every vector variable of ``e`` stands where a
    point is meant (see the module docstring); do nothing for expressions without any."""
    if not has_points(e):
        return
    sorts = _Sorts()
    sorts.dims = {v.dim for v in e.atoms(Symbol) if is_vector(v)} | {
        a for a in e.atoms(Symbol) if isinstance(a, MapSymbol)}
    sorts.scalar(e)


_POINT_NODES: tuple[type, ...] = ()


def has_points(e: Any) -> bool:
    """True when ``e`` has a vector variable or a node that takes points."""
    return has_vectors(e) or (isinstance(e, Basic) and (bool(e.has(*_POINT_NODES)) or any(
        isinstance(a, MapSymbol) for a in e.atoms(Symbol))))


def in_space(e: Any, sp: Tuple) -> bool:
    """True when ``e`` is a point of the space ``sp``: a combination of its points with
    integer (ℤᵈ) or real, finite (ℝᵈ) coefficients free of points (0 included)."""
    form = vector_form(e)
    if form is None or any(v.space != sp for v in form):
        return False
    discrete = sp.args[0] == S.Integers
    for c in form.values():
        if has_vectors(c) or (c.is_integer is not True if discrete else not (
                c.is_extended_real is True and c.is_finite is True)):
            return False
    return True


class _Sorts:
    def __init__(self) -> None:
        self.signature: dict[Any, tuple[Tuple | None, ...]] = {}
        self.dims: set[Basic] = set()  # the dimensions of the points: never bound

    def binds(self, variables: Iterable[Basic], where: Basic) -> None:
        for v in variables:
            if v in self.dims:
                self.fail(f"{where} binds the dimension {v} of its points: a dimension is "
                          "put in with instantiate_dimension, never substituted")

    def fail(self, msg: str) -> None:
        raise VectorSortError(msg)

    def point(self, e: Basic, where: str, want: Tuple | None = None,
              dim_only: bool = False) -> Tuple:
        """A vector form (of space ``want``): return its space."""
        form = vector_form(e)
        if form is None:
            self.fail(f"{e} in {where} is not a combination Σ c·v of points")
        assert form is not None
        if not form:
            if want is None:
                self.fail(f"the zero vector in {where} has no known space")
            assert want is not None
            return want
        for p in form:
            if isinstance(p, LinearMap) and not _is_map_atom(p):
                self.fail(f"{p} in {where}: a linear map applied to a point of its space")
        sp = _form_space(form)
        if sp is None:
            self.fail(f"{e} in {where} adds points of different spaces")
        assert sp is not None
        if want is not None and (sp.args[1] != want.args[1] if dim_only else sp != want):
            self.fail(f"{e} in {where} is a point of {space_text(sp)}, not of "
                      f"{space_text(want)}")
        for c in form.values():
            self.scalar(c)
            if sp.args[0] == S.Integers and c.is_integer is not True:
                self.fail(f"{e} in {where}: the coefficient {c} is not known to be an "
                          "integer, so the point may not lie in ℤᵈ")
            if sp.args[0] == S.Reals and (c.is_extended_real is not True
                                          or c.is_finite is not True):
                self.fail(f"{e} in {where}: the coefficient {c} is not known to be real "
                          "and finite")
        return sp

    def sorts_of(self, args: Iterable[Basic], where: str) -> tuple[Tuple | None, ...]:
        out: list[Tuple | None] = []
        for a in args:
            if has_vectors(a):
                out.append(self.point(a, where))
            else:
                self.scalar(a)
                out.append(None)
        return tuple(out)

    def function(self, fn: Any, sorts: tuple[Tuple | None, ...], where: str) -> None:
        old = self.signature.setdefault(fn, sorts)
        if old != sorts:
            self.fail(f"{fn} is applied to arguments of different sorts ({where})")

    def lam(self, L: Lambda, sorts: tuple[Tuple | None, ...] | None = None) -> None:
        got = tuple(space_of(v) for v in L.variables)
        if sorts is not None and got != sorts:
            self.fail(f"the function {L} takes {got}, used on {sorts}")
        self.scalar(L.expr)

    def scalar(self, e: Basic) -> None:
        """``e`` stands where a number is meant."""
        if not isinstance(e, Basic):
            return
        if not has_points(e):  # the functions applied to numbers here take numbers
            for a in e.atoms(AppliedUndef):
                self.function(a.func, tuple(None for _ in a.args), str(a))
            return
        if is_vector(e) or isinstance(e, LinearMap):
            self.fail(f"the point {e} is used as a number")
        if isinstance(e, MapSymbol):
            self.fail(f"the linear map {e} is used as a number (write {e}(x) or det {e})")
        if isinstance(e, Det):
            if not isinstance(e.args[0], MapSymbol):
                self.fail(f"{e}: det of something that is not a linear map")
            return
        if isinstance(e, AppliedUndef):
            self.function(e.func, self.sorts_of(e.args, str(e)), str(e))
            return
        if isinstance(e, Dot):
            a, b = e.args
            if not (is_vector(a) and is_vector(b) and a.dim == b.dim):
                self.fail(f"{e}: an inner product of two points of one dimension")
            return
        if isinstance(e, VectorDelta):
            self.point(e.args[0], str(e), e.space)
            return
        if isinstance(e, AxisPartial):
            if not is_vector(e.var) or e.var.discrete:
                self.fail(f"{e} differentiates along an axis of {e.var}, not a point of ℝᵈ")
            self.scalar(e.expr)
            if e.axis.has(*[a for a in e.axis.atoms(Symbol) if is_vector(a)]):
                self.fail(f"the axis of {e} mentions a point")
            return
        if isinstance(e, (Integral, Sum)):
            self.binds([lim[0] for lim in e.limits], e)
            for lim in e.limits:
                v = lim[0]
                if is_vector(v):
                    if tuple(lim[1:]) != (-oo, oo):
                        self.fail(f"{v} ∈ {space_text(v.space)} is bound with limits "
                                  f"{tuple(lim[1:])}: a vector variable ranges over its "
                                  "whole space")
                    if isinstance(e, Integral) == v.discrete:
                        self.fail(f"{'∫' if isinstance(e, Integral) else 'Σ'} over "
                                  f"{v} ∈ {space_text(v.space)}: integrals are over ℝᵈ, "
                                  "sums over ℤᵈ")
                else:
                    for b in lim[1:]:
                        self.scalar(b)
            self.scalar(e.function)
            return
        if isinstance(e, Lambda):
            self.binds(e.variables, e)
            self.lam(e)
            return
        if isinstance(e, Subs):
            self.binds(e.variables, e)
            for v, p in zip(e.variables, e.point, strict=True):
                if is_vector(v):
                    self.point(p, str(e), v.space)
                else:
                    self.scalar(p)
            self.scalar(e.expr)
            return
        if _operator_point(self, e):
            return
        if isinstance(e, (Tuple, sympy.MatrixBase)):
            for a in (e.args if isinstance(e, Tuple) else list(e)):
                self.scalar(a)
            return
        head = type(e).__name__
        if head == "Upsample" and any(has_vectors(p) for p in e.args[2]):
            F, factor, point = e.args
            if len(point) != 1 or len(factor) != 1:
                self.fail(f"{e}: on ℤᵈ, ↑ takes one point and one factor for every axis")
            sp = self.point(point[0], "↑")
            if sp.args[0] != S.Integers:
                self.fail(f"{e}: zero insertion is on ℤᵈ")
            self.scalar(factor[0])
            if factor[0].is_integer is not True or factor[0].is_positive is not True:
                self.fail(f"{e}: the factor {factor[0]} is not known to be a positive integer")
            self.lam(F, (sp,))
            return
        if isinstance(e, (sympy.Derivative, sympy.Product)) or head in (
                "Upsample", "Difference"):
            self.fail(f"{head} is not defined for points of ℝᵈ/ℤᵈ: {e}")
        for a in e.args:
            self.scalar(a)


def _operator_point(sorts: _Sorts, e: Basic) -> bool:
    """Convolution, cross-correlation and the Fourier transform at a point of ℝᵈ/ℤᵈ."""
    name = type(e).__name__
    if name in ("Convolution", "CrossCorrelation", "Fourier") and not any(
            has_vectors(p) for p in e.args[-2]):
        for L in e.args[:-2]:  # at a number: functions of numbers
            if any(is_vector(v) for v in L.variables):
                sorts.fail(f"{e}: a function of a point, evaluated at a number")
        return False
    if name in ("Convolution", "CrossCorrelation"):
        F, G, point, domain = e.args
        if len(point) != 1:
            sorts.fail(f"{e}: a point of ℝᵈ/ℤᵈ is one vector, not a tuple of coordinates")
        sp = sorts.point(point[0], name)
        if sp.args[0] != domain:
            sorts.fail(f"{name} over {domain} evaluated at a point of {space_text(sp)}")
        sorts.lam(F, (sp,))
        sorts.lam(G, (sp,))
        return True
    if name == "Fourier":
        F, point, domain = e.args
        if len(point) != 1 or len(F.variables) != 1 or not is_vector(F.variables[0]):
            sorts.fail(f"{e}: ℱ on ℝᵈ/ℤᵈ takes a function of one point")
        var = F.variables[0]
        if var.space.args[0] != domain:
            sorts.fail(f"{e}: the function is not on {domain}")
        sp = sorts.point(point[0], "ℱ")
        if sp.args[0] != S.Reals or sp.args[1] != var.dim:
            sorts.fail(f"{e}: the frequency must be a point of ℝ^{var.dim}")
        sorts.lam(F)
        return True
    return False


def function_sorts(e: Basic) -> dict[Any, tuple[Tuple | None, ...]]:
    """The sorts each undefined function of ``e`` is applied to (None for a number)."""
    sorts = _Sorts()
    if has_vectors(e):
        sorts.scalar(e)
    for a in e.atoms(AppliedUndef):
        sorts.signature.setdefault(a.func, tuple(None for _ in a.args))
    return sorts.signature


_POINT_NODES = (Dot, VectorDelta, AxisPartial, LinearMap, Det)


def check_or_refuse(e: Basic, error: type[Exception]) -> None:
    """:func:`check_vectors`, raising ``error`` (RuleFailure, InvalidArgument) instead."""
    try:
        check_vectors(e)
    except VectorSortError as exc:
        raise error(str(exc)) from None


# -- fixed dimensions -----------------------------------------------------------------------


def instantiate_dimension(e: Basic, n: int, axis: int | None = None,
                          values: Mapping[str, tuple[int, ...]] | None = None) -> Basic:
    """``e`` with the dimension d put to ``n``: each point ``x`` of ℝᵈ/ℤᵈ becomes the
    coordinates ``x1 … xn`` (``x`` when n = 1; real or integer, plain in a function's
    variables), ``∫_{ℝᵈ} … dz`` n iterated integrals, ``x·ξ`` the sum of products, δ the
    product of one-dimensional δ's, ∂/∂xᵢ the derivative along ``axis`` (``eᵢ`` the unit
    vector of that axis); ``values`` gives other points numerically (``{"e": (1,)}``).

    This is how the fixed-dimension theorems (``conv_comm:R2``) follow from the general ones
    (``conv_comm:Rd``): the tests check that each registered instance is this one.
    """
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 16:
        raise InvalidArgument(f"n={n!r} must be an int from 1 to 16 (the dimension)")
    if axis is not None and (not isinstance(axis, int) or not 1 <= axis <= n):
        raise InvalidArgument(f"axis={axis!r} must be an int from 1 to n={n}")
    return _Instantiate(n, axis, dict(values or {})).go(e, plain=False)


class _Instantiate:
    def __init__(self, n: int, axis: int | None, values: dict[str, tuple[int, ...]]) -> None:
        self.n, self.axis, self.values = n, axis, values
        self.coords: dict[Basic, tuple[Expr, ...]] = {}

    def point_coords(self, v: Basic, plain: bool) -> tuple[Expr, ...]:
        if v in self.coords:
            return self.coords[v]  # (a function's variable: plain, whatever ``plain`` says)
        name = str(v)
        if name in self.values:
            out: tuple[Expr, ...] = tuple(sympy.Integer(c) for c in self.values[name])
        elif name.startswith("e") and name[1:] in ("ᵢ", "_i") and self.axis is not None:
            out = tuple(S.One if k == self.axis else S.Zero for k in range(1, self.n + 1))
        else:
            names = [name] if self.n == 1 else [f"{name}{k}" for k in range(1, self.n + 1)]
            facts = {} if plain else ({"integer": True} if v.discrete else {"real": True})
            out = tuple(Symbol(nm, **facts) for nm in names)
        if len(out) != self.n:
            raise InvalidArgument(f"values[{name!r}] has {len(out)} coordinates, not {self.n}")
        self.coords[v] = out
        return out

    def coordinates(self, e: Expr, plain: bool) -> tuple[Expr, ...]:
        form = vector_form(e)
        if form is None:
            raise InvalidArgument(f"{e} is not a point")
        out = [S.Zero] * self.n
        for v, c in form.items():
            if isinstance(v, LinearMap):  # A(v): the matrix times v's coordinates
                m, xs = self.matrix(v.args[0]), self.point_coords(v.args[1], plain)
                image = [Add(*[m[k, col] * xs[col] for col in range(self.n)])
                         for k in range(self.n)]
            else:
                image = list(self.point_coords(v, plain))
            for k, x in enumerate(image):
                out[k] += self.go(c, plain) * x
        return tuple(out)

    def matrix(self, A: Basic) -> sympy.Matrix:
        """The n × n matrix of the linear map A: entries A[1,1] … A[n,n] (names no point's
        coordinate takes)."""
        return sympy.Matrix(self.n, self.n,
                            lambda k, col: Symbol(f"{A}[{k + 1},{col + 1}]", real=True))

    def go(self, e: Basic, plain: bool) -> Any:
        if not isinstance(e, Basic) or not has_points(e):
            return e
        if is_vector(e):
            raise InvalidArgument(f"the point {e} is used as a number")
        if isinstance(e, AppliedUndef):
            args: list[Expr] = []
            for a in e.args:
                args += list(self.coordinates(a, plain)) if has_vectors(a) else [a]
            return e.func(*args)
        if isinstance(e, Det):
            return self.matrix(e.args[0]).det()
        if isinstance(e, Dot):
            u, v = (self.coordinates(a, plain) for a in e.args)
            return Add(*[a * b for a, b in zip(u, v, strict=True)])
        if isinstance(e, VectorDelta):
            cs = self.coordinates(e.args[0], plain)
            if e.discrete:
                return Mul(*[sympy.KroneckerDelta(c, 0) for c in cs])
            return Mul(*[sympy.DiracDelta(c) for c in cs])
        if isinstance(e, AxisPartial):
            if self.axis is None:
                raise InvalidArgument(f"{e}: give the axis to put in for i")
            xs = self.point_coords(e.var, plain)
            return sympy.Derivative(self.go(e.expr, plain), xs[self.axis - 1])
        if isinstance(e, (Integral, Sum)):
            limits: list[tuple[Basic, ...]] = []
            for lim in e.limits:
                if is_vector(lim[0]):
                    limits += [(c, -oo, oo) for c in self.point_coords(lim[0], plain)]
                else:
                    limits.append(tuple(self.go(b, plain) for b in lim))
            return type(e)(self.go(e.function, plain), *limits)
        if isinstance(e, Lambda):
            vs: list[Basic] = []
            for v in e.variables:
                vs += list(self.point_coords(v, True)) if is_vector(v) else [v]
            return Lambda(tuple(vs), self.go(e.expr, plain))
        if isinstance(e, Subs):
            vs2: list[Basic] = []
            pts: list[Basic] = []
            for v, p in zip(e.variables, e.point, strict=True):
                if is_vector(v):
                    vs2 += list(self.point_coords(v, True))
                    pts += list(self.coordinates(p, plain))
                else:
                    vs2.append(v)
                    pts.append(self.go(p, plain))
            return Subs(self.go(e.expr, plain), tuple(vs2), tuple(pts))
        if isinstance(e, sympy.Equality):
            return sympy.Eq(self.go(e.lhs, plain), self.go(e.rhs, plain), evaluate=False)
        name = type(e).__name__
        if name == "Upsample":
            F, factor, point = e.args
            coords = self.coordinates(point[0], plain)
            return type(e)(self.go(F, plain), Tuple(*[factor[0]] * self.n), Tuple(*coords))
        if name in ("Convolution", "CrossCorrelation", "Fourier"):
            *fns, point, domain = e.args
            coords = self.coordinates(point[0], plain)
            return type(e)(*[self.go(F, plain) for F in fns], Tuple(*coords), domain)
        return e.func(*[self.go(a, plain) for a in e.args])
