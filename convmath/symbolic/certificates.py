"""Exact certificates of convolution identities at fixed sizes, with symbolic entries.

Each function fills the arrays of an identity with *distinct symbols* (one polynomial
variable per entry), computes both sides of the identity entry by entry from the defining
sum of that side, and compares the resulting polynomials exactly:

- :func:`certify_conv_comm`: ``f ∗ g = g ∗ f`` (N-d full convolution);
- :func:`certify_conv_assoc`: ``(f ∗ g) ∗ h = f ∗ (g ∗ h)``;
- :func:`certify_backprop`: for ``y = conv(x, w, b)`` (PyTorch's cross-correlation, with
  stride, padding, dilation and groups) and ``L = Σ g·y``, the gradients obtained by
  differentiating the polynomial ``L`` equal the backpropagation formulas of
  :mod:`convmath.symbolic._backprop`:
  ``∂L/∂x(n, c, u) = Σ_o ((↑_d w(o, c′)) ∗ (↑_s g(n, o)))(u + p)`` (a transposed convolution),
  ``∂L/∂w(o, c, i) = Σ_n ((↑_s g(n, o)) ⋆ x(n, c″))(d·i − p)`` and ``∂L/∂b(o) = Σ g(·, o, ·)``.

No side is derived from the other: ``f ∗ g`` is ``Σ_k f(k)·g(n−k)`` and ``g ∗ f`` is
``Σ_k g(k)·f(n−k)``, each summed over its own index set, so agreement is an independent
exact re-computation (for these sizes) rather than a consequence of how it was computed.

Arithmetic: python-flint's ``fmpz_mpoly`` when it is installed (``backend="flint"``, the
default ``"auto"`` picks it), else SymPy's sparse polynomial rings (``backend="sympy"``);
both are exact over ℤ. A success returns a :class:`Certificate`; a disagreement raises
:class:`~convmath.errors.ProofError` naming the first differing entry and both values.

>>> certify_conv_comm((3, 3), (2, 2)).entries
16
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from convmath.errors import InvalidArgument, ProofError
from convmath.symbolic._input import choice_arg

__all__ = ["Certificate", "certify_backprop", "certify_conv_assoc", "certify_conv_comm"]

#: The backends: ``"auto"`` is flint when python-flint is installed, else SymPy.
BACKENDS = ("auto", "flint", "sympy")

#: Refuse work whose exponent vectors would take more bytes than this: each monomial of a
#: polynomial over ``V`` variables stores a vector of ``V`` exponents (a byte each in flint's
#: packed form, a pointer each in SymPy's tuples), so ``monomials × V`` bounds the memory.
MAX_WORK_BYTES = 2**32

Poly = Any  # an fmpz_mpoly or a SymPy PolyElement
Index = tuple[int, ...]


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class Certificate:
    """A successful exact check of one identity at fixed sizes.

    ``identity``: ``"conv_comm"``, ``"conv_assoc"`` or ``"conv_backprop"``; ``shapes``: each
    array's name and shape; ``parameters``: the layer's ``(name, value)`` pairs (empty for
    the algebraic identities); ``backend``: ``"flint"`` or ``"sympy"``; ``entries``: how many
    entries (polynomials) were compared; ``monomials``: their total number of terms;
    ``seconds``: wall time of the whole check (not part of equality).
    """

    identity: str
    shapes: tuple[tuple[str, tuple[int, ...]], ...]
    parameters: tuple[tuple[str, Any], ...]
    backend: str
    entries: int
    monomials: int
    seconds: float = field(compare=False)

    def __str__(self) -> str:
        arrays = ", ".join(f"{name} {shape}" for name, shape in self.shapes)
        params = "".join(f", {name}={value}" for name, value in self.parameters)
        return (f"{self.identity} [{self.backend}]: {arrays}{params}: {self.entries} entries, "
                f"{self.monomials} monomials equal exactly ({self.seconds:.3f} s)")


# --------------------------------------------------------------------------- arithmetic
class _Ring:
    """Polynomials over ℤ in named variables, with flint or SymPy underneath."""

    def __init__(self, backend: str, names: Sequence[str]) -> None:
        self.backend = backend
        self.names = tuple(names)
        if backend == "flint":
            import flint

            ctx = flint.fmpz_mpoly_ctx.get(self.names, "lex")
            self.gens: tuple[Poly, ...] = tuple(ctx.gens())
            self.zero: Poly = ctx.from_dict({})
            self._ctx = ctx
        else:
            from sympy import Symbol
            from sympy.polys.domains import ZZ
            from sympy.polys.rings import PolyRing

            ring = PolyRing([Symbol(n) for n in self.names], ZZ)
            self.gens = tuple(ring.gens)
            self.zero = ring.zero
            self._ctx = ring

    def total(self, terms: Sequence[Poly]) -> Poly:
        """``Σ terms`` by pairwise addition (new objects only: flint's ``+=`` mutates)."""
        items = list(terms)
        if not items:
            return self.zero
        while len(items) > 1:
            pairs = [items[i] + items[i + 1] for i in range(0, len(items) - 1, 2)]
            if len(items) % 2:
                pairs.append(items[-1])
            items = pairs
        return items[0]

    def derivative(self, p: Poly, var: int) -> Poly:
        """``∂p/∂(variable number var)``, by the backend's exact differentiation."""
        if self.backend == "flint":
            return p.derivative(var)
        return p.diff(self.gens[var])


def _resolve_backend(backend: Any) -> str:
    """``"flint"`` or ``"sympy"``: ``"auto"`` is flint when a python-flint with multivariate
    polynomials (``fmpz_mpoly_ctx.get``) is installed, else SymPy."""
    choice = choice_arg(backend, "backend", BACKENDS)
    if choice == "sympy":
        return "sympy"
    try:
        import flint
    except ImportError:
        usable = False
    else:
        usable = hasattr(getattr(flint, "fmpz_mpoly_ctx", None), "get")
    if usable:
        return "flint"
    if choice == "flint":
        raise InvalidArgument(
            "backend='flint' needs python-flint with multivariate polynomials "
            "(flint.fmpz_mpoly_ctx.get), which is not installed (pip install "
            "'convmath[flint]'); use backend='sympy' or 'auto'"
        )
    return "sympy"


# --------------------------------------------------------------------------- arrays
@dataclass
class _Grid:
    """A finite array of polynomials on the box ``0 <= i < shape``, stored flat in C order;
    ``None`` entries are 0 (the zeros an upsampling inserts)."""

    shape: tuple[int, ...]
    flat: list[Poly]  # None entries are 0

    def __post_init__(self) -> None:
        self.dense = all(v is not None for v in self.flat)

    def at(self, idx: Index) -> Poly:
        """The entry at ``idx`` (inside the box)."""
        return self.flat[sum(i * s for i, s in zip(idx, _strides(self.shape), strict=True))]


def _strides(shape: Sequence[int]) -> tuple[int, ...]:
    """C-order strides (in entries) of an array of ``shape``."""
    out, step = [], 1
    for n in reversed(shape):
        out.append(step)
        step *= n
    return tuple(reversed(out))


def _box(shape: Sequence[int]) -> Iterable[Index]:
    """Every index of an array of ``shape``, in C order."""
    return itertools.product(*(range(n) for n in shape))


def _symbols(prefix: str, shape: Sequence[int]) -> list[str]:
    """Variable names ``prefix_i_j…``, one per index of ``shape``, in C order."""
    return [prefix + "".join(f"_{v}" for v in idx) for idx in _box(shape)]


def _combine(axes: Sequence[Sequence[tuple[int, int]]]) -> list[tuple[int, int]]:
    """Flat index pairs ``(Σ qa, Σ qb)`` over the Cartesian product of per-axis pairs."""
    pairs = [(0, 0)]
    for axis in axes:
        pairs = [(p + q, r + t) for p, r in pairs for q, t in axis]
    return pairs


def _sum_products(ring: _Ring, a: _Grid, b: _Grid, pairs: Sequence[tuple[int, int]]) -> Poly:
    """``Σ a.flat[i]·b.flat[j]`` over ``pairs``, zero entries skipped."""
    af, bf = a.flat, b.flat
    if a.dense and b.dense:
        return ring.total([af[i] * bf[j] for i, j in pairs])
    return ring.total([af[i] * bf[j] for i, j in pairs
                       if af[i] is not None and bf[j] is not None])


def _conv_axis(m: int, la: int, lb: int, sa: int, sb: int) -> list[tuple[int, int]]:
    """One axis of the defining sum of ``(a ∗ b)(m)``: ``(k, m − k)`` for every ``k`` in
    ``a``'s range with ``m − k`` in ``b``'s, as flat offsets (strides ``sa``, ``sb``)."""
    return [(k * sa, (m - k) * sb) for k in range(max(0, m - lb + 1), min(la - 1, m) + 1)]


def _conv_at(ring: _Ring, a: _Grid, b: _Grid, n: Index) -> Poly:
    """``(a ∗ b)(n) = Σ_k a(k)·b(n − k)``, ``k`` over ``a``'s box with ``n − k`` in ``b``'s
    (any ``n``: 0 where no term exists)."""
    axes = [_conv_axis(m, la, lb, sa, sb) for m, la, lb, sa, sb in zip(
        n, a.shape, b.shape, _strides(a.shape), _strides(b.shape), strict=True)]
    return _sum_products(ring, a, b, _combine(axes))


def _xcorr_at(ring: _Ring, a: _Grid, b: _Grid, tau: Index) -> Poly:
    """``(a ⋆ b)(τ) = Σ_m a(m)·b(m + τ)``, ``m`` over ``a``'s box with ``m + τ`` in ``b``'s."""
    axes = [[(m * sa, (m + t) * sb) for m in range(max(0, -t), min(la - 1, lb - 1 - t) + 1)]
            for t, la, lb, sa, sb in zip(tau, a.shape, b.shape, _strides(a.shape),
                                         _strides(b.shape), strict=True)]
    return _sum_products(ring, a, b, _combine(axes))


def _full_conv(ring: _Ring, a: _Grid, b: _Grid) -> _Grid:
    """The full N-d convolution ``a ∗ b`` on its box ``a.shape + b.shape − 1``, every entry
    by the defining sum of :func:`_conv_at` (its per-axis index lists computed once)."""
    shape = tuple(la + lb - 1 for la, lb in zip(a.shape, b.shape, strict=True))
    per_axis = [[_conv_axis(m, la, lb, sa, sb) for m in range(n)] for n, la, lb, sa, sb in zip(
        shape, a.shape, b.shape, _strides(a.shape), _strides(b.shape), strict=True)]
    flat = [_sum_products(ring, a, b, _combine([per_axis[ax][m] for ax, m in enumerate(n)]))
            for n in _box(shape)]
    return _Grid(shape, flat)


def _upsample(a: _Grid, factors: Sequence[int]) -> _Grid:
    """``(↑_s a)(m) = a(m / s)`` where ``s`` divides ``m`` (per axis), else 0."""
    shape = tuple(s * (n - 1) + 1 for s, n in zip(factors, a.shape, strict=True))
    strides = _strides(shape)
    flat: list[Poly] = [None] * math.prod(shape)
    for idx, v in zip(_box(a.shape), a.flat, strict=True):
        flat[sum(s * i * st for s, i, st in zip(factors, idx, strides, strict=True))] = v
    return _Grid(shape, flat)


def _channel(a: _Grid, lead: Index) -> _Grid:
    """The spatial array ``a[lead, ·]`` of an array with channel axes in front."""
    k = len(lead)
    size = math.prod(a.shape[k:])
    start = sum(i * s for i, s in zip(lead, _strides(a.shape[:k]), strict=True)) * size
    return _Grid(a.shape[k:], a.flat[start:start + size])


def _compare(identity: str, what: str, lhs_name: str, rhs_name: str, lhs: _Grid, rhs: _Grid,
             zero: Poly) -> tuple[int, int]:
    """Compare ``lhs`` and ``rhs`` entry by entry in C order; return (entries, monomials) or
    raise ProofError at the first difference."""
    if lhs.shape != rhs.shape:
        raise ProofError(f"{identity}: {what}: {lhs_name} has shape {lhs.shape}, but "
                         f"{rhs_name} has shape {rhs.shape}")
    entries = monomials = 0
    for idx, left, right in zip(_box(lhs.shape), lhs.flat, rhs.flat, strict=True):
        left = zero if left is None else left
        right = zero if right is None else right
        if left != right:
            raise ProofError(
                f"{identity}: {what} differs at index {idx}: {lhs_name} = {_show(left)}, "
                f"but {rhs_name} = {_show(right)}"
            )
        entries += 1
        monomials += len(left)
    return entries, monomials


def _show(p: Poly, limit: int = 400) -> str:
    text = str(p)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------- validation
def _shape(name: str, value: Any, *, min_rank: int = 1) -> tuple[int, ...]:
    from convmath.numeric._validate import is_int

    if not isinstance(value, (tuple, list)) or not all(is_int(v) for v in value):
        raise InvalidArgument(f"{name} must be a tuple of ints, got {name}={value!r}")
    if len(value) < min_rank:
        raise InvalidArgument(
            f"{name} must have at least {min_rank} axes, got {name}={value!r}"
        )
    if any(v < 1 for v in value):
        raise InvalidArgument(f"{name} must have positive sizes, got {name}={value!r}")
    return tuple(int(v) for v in value)


def _same_rank(shapes: dict[str, tuple[int, ...]]) -> None:
    ranks = {len(s) for s in shapes.values()}
    if len(ranks) > 1:
        listed = ", ".join(f"{n}={s}" for n, s in shapes.items())
        raise InvalidArgument(f"the shapes must have the same number of axes, got {listed}")


def _check_work(monomials: int, nvars: int, context: str) -> None:
    if monomials * nvars > MAX_WORK_BYTES:
        raise InvalidArgument(
            f"too large to certify: about {monomials:,} monomials over {nvars:,} variables "
            f"(~{monomials * nvars:,} bytes of exponents, limit {MAX_WORK_BYTES:,}); "
            f"use smaller sizes ({context})"
        )


def _certificate(identity: str, shapes: dict[str, tuple[int, ...]],
                 parameters: tuple[tuple[str, Any], ...], backend: str, counts: tuple[int, int],
                 start: float) -> Certificate:
    return Certificate(identity, tuple(shapes.items()), parameters, backend, counts[0],
                       counts[1], time.perf_counter() - start)


# --------------------------------------------------------------------------- identities
def _symbolic_arrays(backend: str, shapes: dict[str, tuple[int, ...]]) -> tuple[_Ring,
                                                                                 list[_Grid]]:
    """A ring with one variable per entry of each array, and the arrays of those variables."""
    names = [n for prefix, shape in shapes.items() for n in _symbols(prefix, shape)]
    ring = _Ring(backend, names)
    grids, start = [], 0
    for shape in shapes.values():
        size = math.prod(shape)
        grids.append(_Grid(shape, list(ring.gens[start:start + size])))
        start += size
    return ring, grids


def certify_conv_comm(shape_f: Sequence[int], shape_g: Sequence[int], *,
                      backend: str = "auto") -> Certificate:
    """Certify ``f ∗ g = g ∗ f`` entry by entry for arrays of distinct symbols.

    ``(f ∗ g)(n) = Σ_k f(k)·g(n − k)`` and ``(g ∗ f)(n) = Σ_k g(k)·f(n − k)`` are each
    computed from their own defining sum on the full output box ``shape_f + shape_g − 1``
    (any number of axes, the same for both) and compared as exact polynomials.

    >>> c = certify_conv_comm((4,), (3,))
    >>> (c.entries, c.monomials)
    (6, 12)
    """
    start = time.perf_counter()
    bk = _resolve_backend(backend)
    shapes = {"f": _shape("shape_f", shape_f), "g": _shape("shape_g", shape_g)}
    _same_rank({"shape_f": shapes["f"], "shape_g": shapes["g"]})
    sf, sg = shapes["f"], shapes["g"]
    _check_work(2 * math.prod(sf) * math.prod(sg), math.prod(sf) + math.prod(sg),
                f"shape_f={sf}, shape_g={sg}")
    ring, (f, g) = _symbolic_arrays(bk, shapes)
    fg = _full_conv(ring, f, g)
    gf = _full_conv(ring, g, f)
    counts = _compare("conv_comm", "entry", "(f ∗ g)", "(g ∗ f)", fg, gf, ring.zero)
    return _certificate("conv_comm", shapes, (), bk, counts, start)


def certify_conv_assoc(shape_f: Sequence[int], shape_g: Sequence[int], shape_h: Sequence[int],
                       *, backend: str = "auto") -> Certificate:
    """Certify ``(f ∗ g) ∗ h = f ∗ (g ∗ h)`` entry by entry for arrays of distinct symbols.

    The left side convolves ``h`` with the full convolution ``f ∗ g``, the right side ``f``
    with ``g ∗ h``, every entry by the defining sum ``Σ_k a(k)·b(n − k)``.

    >>> c = certify_conv_assoc((3,), (2,), (2,))
    >>> (c.entries, c.monomials)
    (5, 12)
    """
    start = time.perf_counter()
    bk = _resolve_backend(backend)
    shapes = {"f": _shape("shape_f", shape_f), "g": _shape("shape_g", shape_g),
              "h": _shape("shape_h", shape_h)}
    _same_rank({"shape_f": shapes["f"], "shape_g": shapes["g"], "shape_h": shapes["h"]})
    sizes = [math.prod(s) for s in shapes.values()]
    _check_work(2 * math.prod(sizes) + sizes[0] * sizes[1] + sizes[1] * sizes[2], sum(sizes),
                f"shape_f={shapes['f']}, shape_g={shapes['g']}, shape_h={shapes['h']}")
    ring, (f, g, h) = _symbolic_arrays(bk, shapes)
    left = _full_conv(ring, _full_conv(ring, f, g), h)
    right = _full_conv(ring, f, _full_conv(ring, g, h))
    counts = _compare("conv_assoc", "entry", "((f ∗ g) ∗ h)", "(f ∗ (g ∗ h))", left, right,
                      ring.zero)
    return _certificate("conv_assoc", shapes, (), bk, counts, start)


# --------------------------------------------------------------------------- backprop
@dataclass(frozen=True)
class _Layer:
    """A validated convolution layer: shapes, per-axis parameters, output size."""

    x_shape: tuple[int, ...]
    w_shape: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int
    out_spatial: tuple[int, ...]

    @property
    def y_shape(self) -> tuple[int, ...]:
        return (self.x_shape[0], self.w_shape[0], *self.out_spatial)

    @property
    def parameters(self) -> tuple[tuple[str, Any], ...]:
        return (("stride", self.stride), ("padding", self.padding),
                ("dilation", self.dilation), ("groups", self.groups))


def _layer(x_shape: Any, w_shape: Any, stride: Any, padding: Any, dilation: Any,
           groups: Any) -> _Layer:
    from convmath.numeric._shapes import conv_output_size
    from convmath.numeric._validate import expand_param, is_int

    xs = _shape("x_shape", x_shape, min_rank=3)
    ws = _shape("w_shape", w_shape, min_rank=3)
    if len(xs) != len(ws):
        raise InvalidArgument(
            f"x_shape (N, C_in, *spatial) and w_shape (C_out, C_in/groups, *kernel) must have "
            f"the same number of axes, got x_shape={x_shape!r}, w_shape={w_shape!r}"
        )
    if not is_int(groups) or groups < 1:
        raise InvalidArgument(f"groups must be a positive int, got groups={groups!r}")
    grp = int(groups)
    if xs[1] % grp:
        raise InvalidArgument(
            f"x_shape[1] (input channels) = {xs[1]} is not divisible by groups={grp}"
        )
    if ws[0] % grp:
        raise InvalidArgument(
            f"w_shape[0] (output channels) = {ws[0]} is not divisible by groups={grp}"
        )
    if ws[1] * grp != xs[1]:
        raise InvalidArgument(
            f"w_shape[1] * groups = {ws[1]} * {grp} must equal x_shape[1] (input channels) "
            f"= {xs[1]}, got x_shape={x_shape!r}, w_shape={w_shape!r}"
        )
    n = len(xs) - 2
    s = expand_param("stride", stride, n, min_value=1)
    p = expand_param("padding", padding, n, min_value=0)
    d = expand_param("dilation", dilation, n, min_value=1)
    try:  # every argument is valid by now: only an empty output is left to refuse
        out = conv_output_size(xs[2:], ws[2:], s, p, d)
    except InvalidArgument as exc:
        raise InvalidArgument(
            f"empty output for x_shape={x_shape!r}, w_shape={w_shape!r}, padding={padding!r}, "
            f"dilation={dilation!r}: {exc}"
        ) from None
    return _Layer(xs, ws, s, p, d, grp, tuple(out))


@dataclass
class _LayerSymbols:
    """The ring of a layer's symbols and the arrays ``x``, ``w``, ``b``, ``g`` in it."""

    ring: _Ring
    x: _Grid
    w: _Grid
    b: _Grid
    g: _Grid
    start: dict[str, int]  # number of the first variable of each array (then C order)


def _layer_symbols(backend: str, layer: _Layer) -> _LayerSymbols:
    shapes = {"x": layer.x_shape, "w": layer.w_shape, "b": (layer.w_shape[0],),
              "g": layer.y_shape}
    ring, (x, w, b, g) = _symbolic_arrays(backend, shapes)
    starts = itertools.accumulate((math.prod(s) for s in shapes.values()), initial=0)
    return _LayerSymbols(ring, x, w, b, g, dict(zip(shapes, starts, strict=False)))


Gradients = dict[str, _Grid]  # "x", "w", "b" -> ∂L/∂(each entry of that array)


def _grad_by_derivative(layer: _Layer, sym: _LayerSymbols) -> Gradients:
    """Differentiate ``L = Σ g·y`` with ``y = conv(x, w, b)`` by PyTorch's definition:
    ``y[n, o, t] = b[o] + Σ_{c, j} w[o, c, j] · x[n, ⌊o/Q⌋·K + c, s·t + d·j − p]`` (``x`` zero
    outside its box, ``K = C_in/groups``, ``Q = C_out/groups``)."""
    ring, (xs, ws) = sym.ring, (layer.x_shape, layer.w_shape)
    k_in, q_out = ws[1], ws[0] // layer.groups
    terms = []
    for idx in _box(layer.y_shape):
        nb, o, t = idx[0], idx[1], idx[2:]
        y_terms = [sym.b.at((o,))]
        for c in range(k_in):
            for j in _box(ws[2:]):
                u = tuple(s * ti + d * ji - p for s, ti, d, ji, p in zip(
                    layer.stride, t, layer.dilation, j, layer.padding, strict=True))
                if all(0 <= ui < size for ui, size in zip(u, xs[2:], strict=True)):
                    y_terms.append(sym.w.at((o, c, *j)) * sym.x.at((nb, (o // q_out) * k_in + c,
                                                                    *u)))
        terms.append(sym.g.at(idx) * ring.total(y_terms))
    loss = ring.total(terms)
    out = {}
    for name, shape in (("x", xs), ("w", ws), ("b", (ws[0],))):
        first = sym.start[name]
        out[name] = _Grid(shape, [ring.derivative(loss, v)
                                  for v in range(first, first + math.prod(shape))])
    return out


def _input_grad_formula(layer: _Layer, sym: _LayerSymbols) -> _Grid:
    """``∂L/∂x(n, c, u) = Σ_o ((↑_d w(o, c − ⌊o/Q⌋·K)) ∗ (↑_s g(n, o)))(u + p)``, the sum
    over the output channels ``o`` whose group holds ``c`` (a transposed convolution: ``g``
    with zeros inserted by the stride, convolved with the dilated kernel)."""
    ring = sym.ring
    n_batch, (c_out, k_in) = layer.x_shape[0], layer.w_shape[:2]
    q_out = c_out // layer.groups
    up_w = {(o, c): _upsample(_channel(sym.w, (o, c)), layer.dilation)
            for o in range(c_out) for c in range(k_in)}
    up_g = {(n, o): _upsample(_channel(sym.g, (n, o)), layer.stride)
            for n in range(n_batch) for o in range(c_out)}
    flat = []
    for idx in _box(layer.x_shape):
        n, c, u = idx[0], idx[1], idx[2:]
        shifted = tuple(ui + p for ui, p in zip(u, layer.padding, strict=True))
        parts = [_conv_at(ring, up_w[(o, c - (o // q_out) * k_in)], up_g[(n, o)], shifted)
                 for o in range(c_out) if 0 <= c - (o // q_out) * k_in < k_in]
        flat.append(ring.total(parts))
    return _Grid(layer.x_shape, flat)


def _weight_grad_formula(layer: _Layer, sym: _LayerSymbols) -> _Grid:
    """``∂L/∂w(o, c, i) = Σ_n ((↑_s g(n, o)) ⋆ x(n, ⌊o/Q⌋·K + c))(d·i − p)``: the input
    correlated with the stride-upsampled output gradient."""
    ring = sym.ring
    n_batch, (c_out, k_in) = layer.x_shape[0], layer.w_shape[:2]
    q_out = c_out // layer.groups
    up_g = {(n, o): _upsample(_channel(sym.g, (n, o)), layer.stride)
            for n in range(n_batch) for o in range(c_out)}
    flat = []
    for idx in _box(layer.w_shape):
        o, c, i = idx[0], idx[1], idx[2:]
        tau = tuple(d * ii - p for d, ii, p in zip(layer.dilation, i, layer.padding, strict=True))
        parts = [_xcorr_at(ring, up_g[(n, o)], _channel(sym.x, (n, (o // q_out) * k_in + c)),
                           tau)
                 for n in range(n_batch)]
        flat.append(ring.total(parts))
    return _Grid(layer.w_shape, flat)


def _bias_grad_formula(layer: _Layer, sym: _LayerSymbols) -> _Grid:
    """``∂L/∂b(o) = Σ_{n, t} g(n, o, t)``."""
    flat = []
    for o in range(layer.w_shape[0]):
        entries = [(n, o, *t) for n in range(layer.x_shape[0]) for t in _box(layer.out_spatial)]
        flat.append(sym.ring.total([sym.g.at(idx) for idx in entries]))
    return _Grid((layer.w_shape[0],), flat)


def _grad_by_formula(layer: _Layer, sym: _LayerSymbols) -> Gradients:
    return {"x": _input_grad_formula(layer, sym), "w": _weight_grad_formula(layer, sym),
            "b": _bias_grad_formula(layer, sym)}


#: What :func:`certify_backprop` compares: each gradient and the formula it must equal.
_GRADIENTS: tuple[tuple[str, str, str], ...] = (
    ("x", "∂L/∂x", "the transposed convolution Σ_o ((↑_d w) ∗ (↑_s g))(u + p)"),
    ("w", "∂L/∂w", "the correlation Σ_n ((↑_s g) ⋆ x)(d·i − p)"),
    ("b", "∂L/∂b", "Σ_{n,t} g"),
)


def certify_backprop(x_shape: Sequence[int], w_shape: Sequence[int], *,
                     stride: int | Sequence[int] = 1, padding: int | Sequence[int] = 0,
                     dilation: int | Sequence[int] = 1, groups: int = 1,
                     backend: str = "auto") -> Certificate:
    """Certify the backpropagation formulas of a convolution layer with symbolic entries.

    ``x``: ``(N, C_in, *spatial)``, ``w``: ``(C_out, C_in/groups, *k)``, ``b``: ``(C_out,)``,
    and ``g`` of the output's shape, all distinct symbols; ``y = conv(x, w, b)`` is PyTorch's
    cross-correlation with ``stride``, zero ``padding`` (ints or one per spatial axis),
    ``dilation`` and ``groups``. The exact partial derivatives of ``L = Σ g·y`` with respect
    to every entry of ``x``, ``w`` and ``b`` must equal, entry by entry,

    - ``∂L/∂x(n, c, u) = Σ_o ((↑_d w(o, c′)) ∗ (↑_s g(n, o)))(u + p)`` over the output
      channels ``o`` of ``c``'s group (``c′`` = ``c``'s index within it): the transposed
      convolution of ``g`` (stride zeros inserted) with the dilated kernel rotated 180°;
    - ``∂L/∂w(o, c, i) = Σ_n ((↑_s g(n, o)) ⋆ x(n, c″))(d·i − p)`` (``c″`` = the input
      channel ``c`` of ``o``'s group);
    - ``∂L/∂b(o) = Σ_{n, t} g(n, o, t)``.

    >>> c = certify_backprop((1, 1, 4), (1, 1, 2), stride=2, padding=1)
    >>> (c.entries, c.monomials)
    (7, 11)
    """
    start = time.perf_counter()
    bk = _resolve_backend(backend)
    layer = _layer(x_shape, w_shape, stride, padding, dilation, groups)
    nvars = sum(math.prod(s) for s in (layer.x_shape, layer.w_shape, layer.y_shape)) \
        + layer.w_shape[0]
    loss_terms = math.prod(layer.y_shape) * (1 + math.prod(layer.w_shape[1:]))
    _check_work(4 * loss_terms, nvars,
                f"x_shape={layer.x_shape}, w_shape={layer.w_shape}, output {layer.y_shape}")
    sym = _layer_symbols(bk, layer)
    by_derivative = _grad_by_derivative(layer, sym)
    by_formula = _grad_by_formula(layer, sym)
    entries = monomials = 0
    for name, what, formula in _GRADIENTS:
        e, m = _compare("conv_backprop", what, "the derivative of L", formula,
                        by_derivative[name], by_formula[name], sym.ring.zero)
        entries, monomials = entries + e, monomials + m
    shapes = {"x": layer.x_shape, "w": layer.w_shape, "b": (layer.w_shape[0],),
              "g": layer.y_shape}
    return _certificate("conv_backprop", shapes, layer.parameters, bk, (entries, monomials),
                        start)

