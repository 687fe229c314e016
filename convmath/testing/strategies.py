"""Hypothesis strategies that generate convolution, gradient, pooling and signal cases.

Each ``*_cases`` strategy draws a :class:`Case`: the arrays (already rounded to the dtype
under test) and the keyword parameters of one call, in the convention of
:mod:`convmath.numeric` / ``torch.nn.functional`` / ``scipy.signal``. The search space aims
at the corners where real libraries had bugs: asymmetric per-axis kernel, stride, dilation
and padding; even kernels; non-square and 1-wide inputs; ``1 < groups < C`` with
``C_in ≠ C_out``; channel counts above 8 and not multiples of 8, and occasionally
multiples of 32; sizes that leave leftover rows with ``stride > 1``; occasionally large
spatial sizes (≥ 64) and long accumulations; negative values and zeros.

Values are either *integer-valued* (small integers, chosen so the exact answer is
representable and every accumulation is exact — the output must then match exactly) or
*real-valued* (normal samples rounded to the dtype). They are generated from a drawn seed
with NumPy, so large arrays stay cheap; shapes and parameters shrink as usual.

>>> from hypothesis import find
>>> case = find(conv_cases(ndim=2, dtypes=("float32",)), lambda c: c.kwargs["groups"] > 1)
>>> case.kwargs["groups"]
2
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from convmath.errors import InvalidArgument
from convmath.numeric._validate import is_int
from convmath.testing._options import FLAGS, flag
from convmath.testing._tolerance import DTYPES, exact_limit, round_to_dtype, unit_roundoff

__all__ = [
    "Case",
    "avg_pool_cases",
    "avg_pool_grad_cases",
    "channel_counts",
    "conv_cases",
    "conv_input_grad_cases",
    "conv_transpose_cases",
    "conv_weight_grad_cases",
    "convolve_cases",
    "correlate_cases",
    "kernel_sizes",
    "make_values",
    "max_pool_cases",
    "max_pool_grad_cases",
]

_PADDING_MODES = ("explicit", "same", "valid")
_SIGNAL_MODES = ("full", "same", "valid")


@dataclass(eq=False)
class Case:
    """One call of the operation under test.

    ``args`` are the positional arguments in order (arrays or shapes), ``kwargs`` the
    keyword arguments; arrays hold float64 (complex128) values already rounded to
    ``dtype``. ``terms`` is the accumulation length ``K`` per output element;
    ``integer_valued`` says whether exact mode applies.
    """

    op: str
    args: dict[str, Any]
    kwargs: dict[str, Any]
    dtype: str
    integer_valued: bool
    seed: int
    terms: int
    info: dict[str, Any] = field(default_factory=dict)

    def arrays(self) -> dict[str, np.ndarray]:
        out = {k: v for k, v in self.args.items() if isinstance(v, np.ndarray)}
        out.update({k: v for k, v in self.kwargs.items() if isinstance(v, np.ndarray)})
        return out

    def __repr__(self) -> str:
        def show(v: Any) -> str:
            if isinstance(v, np.ndarray):
                return f"{self.dtype}{list(v.shape)}"
            return repr(v)

        parts = [f"{k}: {show(v)}" for k, v in self.args.items()]
        parts += [f"{k}={show(v)}" for k, v in self.kwargs.items()]
        kind = "integer-valued" if self.integer_valued else "real-valued"
        return f"{self.op}({', '.join(parts)})  [{kind}, seed={self.seed}]"


def _validate_dtypes(dtypes: Sequence[str], allow_complex: bool = False) -> tuple[str, ...]:
    if isinstance(dtypes, str):
        dtypes = (dtypes,)
    dts = tuple(str(d) for d in dtypes)
    if not dts:
        raise InvalidArgument(f"dtypes must name at least one dtype, got dtypes={dtypes!r}")
    for d in dts:
        if d not in DTYPES or (d.startswith("complex") and not allow_complex):
            allowed = DTYPES if allow_complex else tuple(x for x in DTYPES if "complex" not in x)
            raise InvalidArgument(f"dtypes must be drawn from {allowed}, got dtypes={dtypes!r}")
    return dts


def _validate_ndim(ndim: int, allowed: Sequence[int] = (1, 2, 3)) -> int:
    if not isinstance(ndim, int) or isinstance(ndim, bool) or ndim not in allowed:
        raise InvalidArgument(f"ndim must be one of {tuple(allowed)}, got ndim={ndim!r}")
    return ndim


def _validate_subset(name: str, value: Sequence[str], universe: Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    vals = tuple(value)
    if not vals or any(v not in universe for v in vals):
        raise InvalidArgument(
            f"{name} must be a non-empty subset of {tuple(universe)}, got {name}={value!r}"
        )
    return vals


def make_values(
    shape: Sequence[int], dtype: str, rng: np.random.Generator, *, integer_max: int | None,
    zeros: float = 0.0, complex_values: bool = False, specials: float = 0.0,
    tail: float = 0.0,
) -> np.ndarray:
    """Random values of ``shape`` rounded to ``dtype``, as float64 (complex128).

    ``integer_max=m`` draws integers in ``[-m, m]``; ``None`` draws standard normals.
    A fraction ``zeros`` of the entries is set to zero, and a fraction ``specials`` to
    NaN, +inf or −inf (pooling cases: PyTorch propagates NaN). ``tail=t`` scales the
    values by ``t`` and puts one spike of size 1 among them: a large dynamic range, where
    an FFT path that drops small outputs shows.

    >>> v = make_values((3, 4), "float16", np.random.default_rng(0), integer_max=2)
    >>> bool(np.all(v == np.round(v))) and float(np.abs(v).max()) <= 2
    True
    """
    shape = tuple(int(s) for s in shape)

    def one() -> np.ndarray:
        if integer_max is not None:
            return rng.integers(-integer_max, integer_max + 1, size=shape).astype(np.float64)
        return rng.standard_normal(shape)

    vals: np.ndarray = one() + 1j * one() if complex_values else one()
    if zeros > 0:
        vals = np.where(rng.random(shape) < zeros, 0, vals)
    if tail > 0 and vals.size:
        vals = vals * tail
        vals.flat[int(rng.integers(vals.size))] = 1.0
    if specials > 0:
        pick = rng.random(shape) < specials
        vals = np.where(pick, rng.choice(np.array([np.nan, np.inf, -np.inf]), size=shape), vals)
    return round_to_dtype(vals, dtype)


class _Gen:
    """Draws the arrays of one case and records how (for the reproduction snippet).

    Small integer-valued arrays are drawn element by element with
    ``hypothesis.extra.numpy.arrays``, so Hypothesis shrinks their values too; real-valued
    and larger arrays come from NumPy's generator seeded by a drawn seed, which keeps big
    cases cheap.
    """

    SMALL = 48

    def __init__(self, seed: int, dtype: str, draw: Any = None) -> None:
        self.rng = np.random.default_rng(seed)
        self.dtype = dtype
        self.draw = draw
        self.recipe: list[tuple[Any, ...]] = []

    def __call__(
        self, name: str, shape: Sequence[int], *, integer_max: int | None,
        zeros: float = 0.0, complex_values: bool = False, specials: float = 0.0,
        tail: float = 0.0,
    ) -> np.ndarray:
        shape = tuple(int(s) for s in shape)
        more = {k: v for k, v in (("specials", specials), ("tail", tail)) if v}
        literal = (self.draw is not None and integer_max is not None and not complex_values
                   and math.prod(shape) <= self.SMALL and not more)
        if more:  # further make_values arguments, passed on by the reproduction snippet
            self.recipe.append((name, shape, integer_max, zeros, complex_values, literal,
                                more))
        else:
            self.recipe.append((name, shape, integer_max, zeros, complex_values, literal))
        if literal:
            m = int(integer_max)  # type: ignore[arg-type]
            ints = self.draw(hnp.arrays(np.int64, shape, elements=st.integers(-m, m)))
            return np.asarray(ints, dtype=np.float64)
        return make_values(shape, self.dtype, self.rng, integer_max=integer_max, zeros=zeros,
                           complex_values=complex_values, specials=specials, tail=tail)


def _integer_max(dtype: str, terms: int, cap: int = 8) -> int:
    """Largest ``m`` with ``(terms+1)·m² ≤ 2**p`` (at least 1, at most ``cap``)."""
    m = math.isqrt(int(exact_limit(dtype)) // (terms + 1))
    return max(1, min(cap, m))


def channel_counts(*, min_value: int = 1, max_value: int = 64) -> st.SearchStrategy[int]:
    """Channel counts: small (1–4), 5–16, 17–40 (mostly not multiples of 8), or 32/64.

    >>> from hypothesis import find
    >>> find(channel_counts(), lambda c: c % 32 == 0)
    32
    """
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
               for v in (min_value, max_value)) or min_value < 1 or max_value < min_value:
        raise InvalidArgument(
            f"channel_counts needs ints 1 <= min_value <= max_value, got {min_value!r}, "
            f"{max_value!r}"
        )
    opts = [
        st.integers(min_value, min(max_value, max(min_value, 4))),
        st.integers(max(min_value, 5), min(max_value, 16)) if max_value >= 5 else st.nothing(),
        st.integers(max(min_value, 17), min(max_value, 40)) if max_value >= 17 else st.nothing(),
        st.sampled_from([c for c in (32, 64) if min_value <= c <= max_value] or [min_value]),
    ]
    return st.one_of(*opts)


def kernel_sizes(*, min_value: int = 1, max_value: int = 5) -> st.SearchStrategy[int]:
    """Kernel sizes, even ones included (public name of :func:`kernel_sizes_strategy`)."""
    return kernel_sizes_strategy(min_value=min_value, max_value=max_value)


def kernel_sizes_strategy(*, min_value: int = 1, max_value: int = 5
                          ) -> st.SearchStrategy[int]:
    """Kernel sizes, even ones included."""
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
               for v in (min_value, max_value)) or min_value < 1 or max_value < min_value:
        raise InvalidArgument(
            f"kernel_sizes needs ints 1 <= min_value <= max_value, got {min_value!r}, {max_value!r}"
        )
    return st.integers(min_value, max_value)


def _as_param(draw: Any, values: Sequence[int], isotropic: bool = False
              ) -> int | tuple[int, ...]:
    """An int when all axes agree (and the draw says so, or ``isotropic``), otherwise a
    per-axis tuple."""
    if len(set(values)) == 1 and (isotropic or draw(st.booleans())):
        return int(values[0])
    return tuple(int(v) for v in values)


#: the declarable value sets, with the smallest value each accepts
SPACE_OPTIONS = {"kernel_sizes": 1, "strides": 1, "paddings": 0, "dilations": 1,
                 "output_paddings": 0}

Axes = tuple[int, ...]


def declared_values(name: str, value: Any, ndim: int, isotropic: bool = False
                    ) -> tuple[Axes | None, ...] | None:
    """A declared value set (``strides=[1, 2]``, ``kernel_sizes=[(2, 2)]``) as a tuple of
    per-axis tuples; ``None`` when nothing is declared. An int stands for the same value
    on every axis; ``None`` in ``strides`` (pooling only) for "not given" (the kernel
    size). With ``isotropic`` every entry must have one value for all axes."""
    if value is None:
        return None
    items = [value] if isinstance(value, (int, np.integer)) else value
    try:
        items = list(items)
    except TypeError:
        items = []
    low = SPACE_OPTIONS[name]
    out: list[Axes | None] = []
    for item in items:
        if item is None and name == "strides":
            out.append(None)
            continue
        if isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)):
            axes: Any = (int(item),) * ndim
        else:
            try:
                axes = tuple(item)
            except TypeError:
                axes = ()
        if (len(axes) != ndim or any(not isinstance(a, (int, np.integer))
                                     or isinstance(a, (bool, np.bool_)) or a < low
                                     for a in axes)):
            raise InvalidArgument(
                f"{name} must be a non-empty sequence of ints >= {low} or {ndim}-tuples of "
                f"them (one value per spatial axis), got {name}={value!r}"
            )
        axes = tuple(int(a) for a in axes)
        if isotropic and len(set(axes)) > 1:
            raise InvalidArgument(
                f"isotropic=True takes one value for every axis, but {name}={value!r} "
                f"holds {axes}"
            )
        out.append(axes)
    if not out:
        raise InvalidArgument(f"{name} must be a non-empty sequence of values, got "
                              f"{name}={value!r}")
    return tuple(dict.fromkeys(out))


def _axes(draw: Any, declared: tuple[Axes | None, ...] | None, ndim: int, isotropic: bool,
          default: Any, valid: Any = None) -> list[int]:
    """One option's per-axis values: a declared tuple that ``valid`` accepts (the case is
    rejected if none does), or ``default(axis)`` per axis — the first axis's value on
    every axis when ``isotropic``."""
    if declared is not None:
        options = [v for v in declared if v is not None
                   and (valid is None or all(valid(ax, v[ax]) for ax in range(ndim)))]
        if not options:
            reject()
        return list(draw(st.sampled_from(options)))
    if isotropic:
        return [default(0)] * ndim
    return [default(ax) for ax in range(ndim)]


_VALUES = ("any", "integer", "real")


#: arguments of the case strategies that are feature switches (must be real bools)
_STRATEGY_FLAGS = FLAGS | {"batch", "isotropic"}


def _eager(strategy_fn: Any) -> Any:
    """Validate a case strategy's arguments when it is *called*, not when it is first drawn
    from: ``conv_cases(groups="no")`` is an InvalidArgument at once (a flag must be a bool,
    not something merely truthy), like every other bad argument."""
    sig = inspect.signature(strategy_fn)
    complex_ok = "modes" in sig.parameters  # the signal API takes complex inputs

    @functools.wraps(strategy_fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as exc:
            raise InvalidArgument(f"{strategy_fn.__name__}: {exc}") from None
        full = sig.bind(*args, **kwargs)
        full.apply_defaults()
        nd = full.arguments.get("ndim", 2)
        iso = full.arguments.get("isotropic", False)
        for name, value in bound.arguments.items():
            if name in SPACE_OPTIONS and is_int(nd) and isinstance(iso, bool):
                declared_values(name, value, int(nd), iso)
            elif name == "same_rule" and value not in ("torch", "tf"):
                raise InvalidArgument(f"same_rule must be 'torch' or 'tf', got "
                                      f"same_rule={value!r}")
            if name in _STRATEGY_FLAGS:
                flag(name, value)
            elif name == "ndim":
                _validate_ndim(value)
            elif name == "dtypes":
                _validate_dtypes(value, allow_complex=complex_ok)
            elif name == "values" and (not isinstance(value, str) or value not in _VALUES):
                raise InvalidArgument(f"values must be one of {_VALUES}, got values={value!r}")
            elif name == "modes":
                _validate_subset("modes", value, _SIGNAL_MODES)
            elif name == "padding_modes":
                _validate_subset("padding_modes", value, ("explicit", "same", "valid"))
        return strategy_fn(*args, **kwargs)

    return wrapper


def _draw_values_kind(draw: Any, values: str = "any") -> tuple[bool, int, float]:
    if values not in _VALUES:
        raise InvalidArgument(f"values must be one of {_VALUES}, got values={values!r}")
    integer_valued = draw(st.booleans()) if values == "any" else values == "integer"
    seed = draw(st.integers(0, 2**32 - 1))
    zeros = draw(st.sampled_from([0.0, 0.3]))
    return integer_valued, seed, zeros


def _channels(draw: Any, regime: str, groups_ok: bool) -> tuple[int, int, int]:
    if regime == "typical":  # a layer as people write it: channels from {1, 3, 16, 64},
        cin = draw(st.sampled_from(_TYPICAL_CHANNELS))  # C_out = C_in half of the time
        return 1, cin, cin if draw(st.booleans()) else draw(st.sampled_from(_TYPICAL_CHANNELS))
    if regime == "long":  # the long axis is set by _long_count once the kernel is known
        return 1, 1, draw(st.integers(1, 4))
    g = draw(st.integers(2, 4)) if groups_ok and draw(st.integers(0, 2)) == 0 else 1
    if regime == "channels":
        c_in_total = draw(channel_counts(min_value=1, max_value=64))
        if groups_ok and c_in_total > 1 and draw(st.integers(0, 3)) == 0:
            # depthwise: groups == C_in, with a channel multiplier of 1 or 2
            return c_in_total, 1, draw(st.integers(1, 2))
        c_out_total = draw(channel_counts(min_value=1, max_value=64))
        cin = max(1, c_in_total // g)
        cout = max(1, c_out_total // g)
    else:
        cin = draw(st.integers(1, 3))
        cout = draw(st.integers(1, 3))
    return g, cin, cout


_TYPICAL_CHANNELS = (1, 3, 16, 64)
#: regimes of the conv family, by weight out of 16: "typical" is a layer as written in
#: practice (3×3 or 1×1, stride 1 or 2, dilation 1, padding k//2 or 'same'); "long" forces real
#: float64 values and 300–1200 accumulated terms, where a hidden float32 accumulation shows
_REGIMES = ("small",) * 4 + ("channels",) * 3 + ("spatial",) * 3 + ("typical",) * 4 + (
    "long",) * 2


def _regime(draw: Any) -> str:
    return _REGIMES[draw(st.integers(0, len(_REGIMES) - 1))]


def _long_count(draw: Any, per_unit: int) -> int:
    """How many channels (or outputs) make 300–1200 accumulated terms of ``per_unit`` each."""
    target = draw(st.integers(300, 1200))
    return max(1, -(-target // max(1, per_unit)))


def _long_dtype(dts: tuple[str, ...]) -> str:
    """The most precise dtype on offer (where a lower-precision accumulation shows most)."""
    return min(dts, key=unit_roundoff)


def _regime_values(draw: Any, regime: str, values: str, dts: tuple[str, ...]
                   ) -> tuple[bool, int, float, str]:
    integer_valued, seed, zeros = _draw_values_kind(draw, values)
    dtype = draw(st.sampled_from(dts))
    if regime == "long":
        dtype = _long_dtype(dts)
        integer_valued = integer_valued and values == "integer"
        zeros = 0.0
    return integer_valued, seed, zeros, dtype


def _typical_kernel(draw: Any, regime: str) -> int:
    """A typical layer's kernel, the same on every axis: 3×3 or 1×1 (pointwise)."""
    return draw(st.sampled_from([3, 1])) if regime == "typical" else 3


def _layer_axis(draw: Any, regime: str, ndim: int, kmax: int, stride: bool, dilation: bool,
                k_typical: int = 3) -> tuple[int, int, int] | None:
    """Kernel, stride and dilation of one axis in the "typical" and "long" regimes."""
    if regime == "typical":
        return k_typical, (draw(st.integers(1, 2)) if stride else 1), 1
    if regime == "long":
        k = draw(st.integers(3, kmax)) if ndim == 1 else 3
        return k, (draw(st.integers(1, 2)) if stride else 1), 1
    return None


@_eager
@st.composite
def conv_cases(
    draw: Any,
    ndim: int = 2,
    *,
    dtypes: Sequence[str] = ("float32", "float64"),
    groups: bool = True,
    stride: bool = True,
    dilation: bool = True,
    padding: bool = True,
    padding_modes: Sequence[str] = ("explicit",),
    bias: bool = True,
    batch: bool = True,
    values: str = "any",
    kernel_sizes: Any = None,
    strides: Any = None,
    paddings: Any = None,
    dilations: Any = None,
    isotropic: bool = False,
    same_rule: str = "torch",
) -> Case:
    """Cases for ``conv(x, w, bias=..., stride=..., padding=..., dilation=..., groups=...)``.

    ``padding_modes`` may include ``'same'`` and ``'valid'``; ``'same'`` follows
    ``same_rule``: ``'torch'`` (stride 1 only) or ``'tf'`` (TensorFlow/JAX ``'SAME'``:
    ``⌈i/s⌉`` outputs, any stride, the extra padding element after). Switch a feature off
    to keep it at its default. ``kernel_sizes``, ``strides``, ``paddings``, ``dilations``
    declare the values an implementation supports (ints, or per-axis tuples);
    ``isotropic=True`` draws one value for every axis and passes it as an int.
    """
    ndim = _validate_ndim(ndim)
    dts = _validate_dtypes(dtypes)
    modes = _validate_subset("padding_modes", padding_modes, _PADDING_MODES)
    dk, ds_, dp, dd = (declared_values(n, v, ndim, isotropic) for n, v in (
        ("kernel_sizes", kernel_sizes), ("strides", strides), ("paddings", paddings),
        ("dilations", dilations)))
    iso = isotropic
    regime = _regime(draw)
    g, cin, cout = _channels(draw, regime, groups)
    mode = draw(st.sampled_from(modes))
    if regime == "typical" and "same" in modes and draw(st.booleans()):
        mode = "same"
    elif regime == "typical" and "explicit" in modes:
        mode = "explicit"
    unit_stride = same_rule == "torch" and mode == "same"  # PyTorch: 'same' needs stride 1
    if unit_stride and ds_ is not None and (1,) * ndim not in ds_:
        reject()
    big_axis = draw(st.integers(0, ndim - 1)) if regime == "spatial" else -1
    kmax = 5 if regime != "channels" else 3
    k_typical = _typical_kernel(draw, regime)
    ks, ss, ds, layer = _conv_axes(draw, regime, ndim, kmax, stride, dilation, k_typical,
                                   iso, dk, ds_, dd, unit_stride)

    def default_pad(ax: int) -> int:
        if not (padding and mode == "explicit"):
            return 0
        if layer[ax] is not None:
            return ks[ax] // 2 if regime == "typical" else draw(st.integers(0, 1))
        return draw(st.integers(0, ds[ax] * (ks[ax] - 1) + 1))

    ps = _axes(draw, dp if padding and mode == "explicit" else None, ndim, iso, default_pad)
    sizes = []
    for ax in range(ndim):
        k, s, d, p = ks[ax], ss[ax], ds[ax], ps[ax]
        keff = d * (k - 1) + 1
        lo = max(1, keff - 2 * p) if mode != "same" else 1
        if regime == "typical":  # a feature map larger than the kernel
            i = draw(st.integers(max(lo, k + 2), max(lo, k + 2, 12)))
        elif ax == big_axis:
            i = draw(st.integers(max(lo, 64), max(lo, 64) + 8))
        else:
            i = draw(st.integers(lo, lo + 2 * s + 3))
        sizes.append(i)
    if regime == "long":
        cin = _long_count(draw, math.prod(ks))
    n = draw(st.integers(1, 4 if regime == "typical" else 2)) if batch else 1
    integer_valued, seed, zeros, dtype = _regime_values(draw, regime, values, dts)
    has_bias = bias and draw(st.booleans())
    terms = cin * math.prod(ks)
    gen = _Gen(seed, dtype, draw)
    m = _integer_max(dtype, terms + 1) if integer_valued else None
    x = gen("x", (n, cin * g, *sizes), integer_max=m, zeros=zeros)
    w = gen("w", (cout * g, cin, *ks), integer_max=m, zeros=zeros)
    kwargs: dict[str, Any] = {}
    if bias:
        kwargs["bias"] = (
            gen("bias", (cout * g,), integer_max=m) if has_bias else None
        )
    if stride:
        kwargs["stride"] = _as_param(draw, ss, iso)
    if padding or mode != "explicit":
        kwargs["padding"] = mode if mode != "explicit" else _as_param(draw, ps, iso)
    if dilation:
        kwargs["dilation"] = _as_param(draw, ds, iso)
    if groups:
        kwargs["groups"] = g
    info: dict[str, Any] = {"recipe": gen.recipe}
    if mode == "same" and same_rule == "tf":
        from convmath.numeric._shapes import tf_same_padding

        info["same_rule"] = "tf"
        info["pads"] = [tuple(p) for p in tf_same_padding(tuple(sizes), tuple(ks), tuple(ss),
                                                           tuple(ds))]
    return Case("conv", {"input": x, "weight": w}, kwargs, dtype, integer_valued, seed,
                terms + int(has_bias), info)


@_eager
@st.composite
def conv_transpose_cases(
    draw: Any,
    ndim: int = 2,
    *,
    dtypes: Sequence[str] = ("float32", "float64"),
    groups: bool = True,
    stride: bool = True,
    dilation: bool = True,
    padding: bool = True,
    output_padding: bool = True,
    bias: bool = True,
    values: str = "any",
    kernel_sizes: Any = None,
    strides: Any = None,
    paddings: Any = None,
    dilations: Any = None,
    output_paddings: Any = None,
    isotropic: bool = False,
) -> Case:
    """Cases for ``conv_transpose(x, w, bias, stride, padding, output_padding, groups,
    dilation)`` with weight ``(C_in, C_out/groups, *k)``; value sets and ``isotropic`` as
    in :func:`conv_cases`."""
    ndim = _validate_ndim(ndim)
    dts = _validate_dtypes(dtypes)
    iso = isotropic
    dk, ds_, dp, dd, dop = (declared_values(n, v, ndim, iso) for n, v in (
        ("kernel_sizes", kernel_sizes), ("strides", strides), ("paddings", paddings),
        ("dilations", dilations), ("output_paddings", output_paddings)))
    regime = _regime(draw)
    g, cin, cout = _channels(draw, regime, groups)
    big_axis = draw(st.integers(0, ndim - 1)) if regime == "spatial" else -1
    k_typical = _typical_kernel(draw, regime)
    ks, ss, ds, _ = _conv_axes(draw, regime, ndim, 4, stride, dilation, k_typical, iso,
                               dk, ds_, dd)
    # PyTorch: output_padding < max(stride, dilation) on each axis
    ops = _axes(draw, dop if output_padding else None, ndim, iso,
                lambda ax: draw(st.integers(0, max(ss[ax], ds[ax]) - 1)) if output_padding
                else 0, valid=lambda ax, v: v < max(ss[ax], ds[ax]))
    sizes = []
    for ax in range(ndim):
        if regime == "long":  # many terms *and* many outputs (a large float64 problem)
            i = draw(st.integers(*{1: (24, 64), 2: (6, 12)}.get(ndim, (3, 5))))
        elif regime == "typical":
            i = draw(st.integers(3, 8))
        elif ax == big_axis:
            i = draw(st.integers(32, 36))
        else:
            i = draw(st.integers(1, 6))
        sizes.append(i)

    def full(ax: int) -> int:
        return (sizes[ax] - 1) * ss[ax] + ds[ax] * (ks[ax] - 1) + ops[ax] + 1

    ps = _axes(draw, dp if padding else None, ndim, iso,
               lambda ax: draw(st.integers(0, min(ds[ax] * (ks[ax] - 1), (full(ax) - 1) // 2)))
               if padding else 0)
    for ax in range(ndim):  # a declared padding may need a larger input (output size >= 1)
        while full(ax) - 2 * ps[ax] < 1:
            sizes[ax] += 1
    if regime == "long":
        cin = _long_count(draw, math.prod(ks))
        cout = draw(st.integers(1, 16))
    n = draw(st.integers(1, 4 if regime == "typical" else 2))
    integer_valued, seed, zeros, dtype = _regime_values(draw, regime, values, dts)
    has_bias = bias and draw(st.booleans())
    terms = cin * math.prod(ks)
    gen = _Gen(seed, dtype, draw)
    m = _integer_max(dtype, terms + 1) if integer_valued else None
    x = gen("x", (n, cin * g, *sizes), integer_max=m, zeros=zeros)
    w = gen("w", (cin * g, cout, *ks), integer_max=m, zeros=zeros)
    kwargs: dict[str, Any] = {}
    if bias:
        kwargs["bias"] = (
            gen("bias", (cout * g,), integer_max=m) if has_bias else None
        )
    if stride:
        kwargs["stride"] = _as_param(draw, ss, iso)
    if padding:
        kwargs["padding"] = _as_param(draw, ps, iso)
    if output_padding:
        kwargs["output_padding"] = _as_param(draw, ops, iso)
    if groups:
        kwargs["groups"] = g
    if dilation:
        kwargs["dilation"] = _as_param(draw, ds, iso)
    return Case("conv_transpose", {"input": x, "weight": w}, kwargs, dtype, integer_valued,
                seed, terms + int(has_bias), {"recipe": gen.recipe})


def _conv_axes(draw: Any, regime: str, ndim: int, kmax: int, stride: bool, dilation: bool,
               k_typical: int, iso: bool, dk: Any, ds_: Any, dd: Any,
               unit_stride: bool = False,
               ) -> tuple[list[int], list[int], list[int], list[tuple[int, int, int] | None]]:
    """Kernel sizes, strides and dilations per axis, shared by the convolution, the
    transposed convolution and both gradients: declared values where given, the regime's
    otherwise (``unit_stride``: PyTorch's 'same' padding, stride 1 only). Also returns the
    regime's per-axis layer values (None outside the "typical" and "long" regimes)."""
    strided = stride and not unit_stride
    layer = [_layer_axis(draw, regime, ndim, kmax, strided, dilation, k_typical)
             for _ in range(ndim)]

    def pick(ax: int, i: int, otherwise: Any) -> int:
        lay = layer[ax]
        return lay[i] if lay is not None else int(otherwise())

    ks = _axes(draw, dk, ndim, iso, lambda ax: pick(ax, 0, lambda: draw(
        kernel_sizes_strategy(max_value=kmax if ndim < 3 else 3))))
    ss = _axes(draw, ds_ if stride else None, ndim, iso, lambda ax: pick(
        ax, 1, lambda: draw(st.integers(1, 3)) if strided else 1),
        valid=(lambda ax, v: v == 1) if unit_stride else None)
    ds = _axes(draw, dd if dilation else None, ndim, iso, lambda ax: pick(
        ax, 2, lambda: draw(st.integers(1, 3)) if dilation else 1))
    return ks, ss, ds, layer


def _grad_geometry(
    draw: Any, ndim: int, stride: bool, dilation: bool, padding: bool, groups: bool,
    weight_grad: bool = False, space: dict[str, Any] | None = None,
) -> tuple[str, int, int, int, list[int], list[int], list[int], list[int], list[int]]:
    space = space or {}
    iso = bool(space.get("isotropic", False))
    dk, ds_, dp, dd = (declared_values(n, space.get(n), ndim, iso) for n in (
        "kernel_sizes", "strides", "paddings", "dilations"))
    regime = _regime(draw)
    g, cin, cout = _channels(draw, regime, groups)
    big_axis = draw(st.integers(0, ndim - 1)) if regime == "spatial" else -1
    k_typical = _typical_kernel(draw, regime)
    ks, ss, ds, _ = _conv_axes(draw, regime, ndim, 4, stride, dilation, k_typical, iso,
                               dk, ds_, dd)
    simple = regime in ("typical", "long")

    def default_pad(ax: int) -> int:
        if not padding:
            return 0
        if simple:
            return ks[ax] // 2 if regime == "typical" else draw(st.integers(0, 1))
        return draw(st.integers(0, ds[ax] * (ks[ax] - 1)))

    ps = _axes(draw, dp if padding else None, ndim, iso, default_pad)
    sizes = []
    for ax in range(ndim):
        k, s, d, p = ks[ax], ss[ax], ds[ax], ps[ax]
        keff = d * (k - 1) + 1
        lo = max(1, keff - 2 * p)
        if regime == "long" and weight_grad:
            # the weight gradient accumulates N·∏out terms: make the outputs many
            per_axis = math.ceil(draw(st.integers(300, 1200)) ** (1 / ndim))
            i = max(lo, (per_axis - 1) * s + keff - 2 * p)
        elif regime == "typical":  # a feature map larger than the kernel
            i = draw(st.integers(max(lo, k + 2), max(lo, k + 2, 12)))
        elif ax == big_axis:
            i = draw(st.integers(max(lo, 64), max(lo, 64) + 6))
        else:
            i = draw(st.integers(lo, lo + 2 * s + 2))
        sizes.append(i)
    return regime, g, cin, cout, ks, ss, ds, ps, sizes


def _grad_kwargs(draw: Any, stride: bool, padding: bool, dilation: bool, groups: bool,
                 ss: list[int], ps: list[int], ds: list[int], g: int, iso: bool = False
                 ) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if stride:
        kwargs["stride"] = _as_param(draw, ss, iso)
    if padding:
        kwargs["padding"] = _as_param(draw, ps, iso)
    if dilation:
        kwargs["dilation"] = _as_param(draw, ds, iso)
    if groups:
        kwargs["groups"] = g
    return kwargs


def _out_sizes(sizes: list[int], ks: list[int], ss: list[int], ds: list[int],
               ps: list[int]) -> list[int]:
    from convmath.numeric._shapes import conv_output_size

    return list(conv_output_size(tuple(sizes), tuple(ks), tuple(ss), tuple(ps), tuple(ds)))


@_eager
@st.composite
def conv_input_grad_cases(
    draw: Any,
    ndim: int = 2,
    *,
    dtypes: Sequence[str] = ("float32", "float64"),
    groups: bool = True,
    stride: bool = True,
    dilation: bool = True,
    padding: bool = True,
    values: str = "any",
    kernel_sizes: Any = None,
    strides: Any = None,
    paddings: Any = None,
    dilations: Any = None,
    isotropic: bool = False,
) -> Case:
    """Cases for ``conv_input_grad(input_size, weight, grad_output, stride, padding,
    dilation, groups)``; ``input_size`` is the full input shape ``(N, C_in, *spatial)``."""
    ndim = _validate_ndim(ndim)
    dts = _validate_dtypes(dtypes)
    regime, g, cin, cout, ks, ss, ds, ps, sizes = _grad_geometry(
        draw, ndim, stride, dilation, padding, groups, space=dict(
            kernel_sizes=kernel_sizes, strides=strides, paddings=paddings, dilations=dilations,
            isotropic=isotropic))
    if regime == "long":  # the input gradient accumulates C_out/g·∏k terms
        cout = _long_count(draw, math.prod(ks))
    n = draw(st.integers(1, 4 if regime == "typical" else 2))
    integer_valued, seed, zeros, dtype = _regime_values(draw, regime, values, dts)
    terms = cout * math.prod(ks)
    gen = _Gen(seed, dtype, draw)
    m = _integer_max(dtype, terms) if integer_valued else None
    w = gen("w", (cout * g, cin, *ks), integer_max=m, zeros=zeros)
    gy = gen("gy", (n, cout * g, *_out_sizes(sizes, ks, ss, ds, ps)),
             integer_max=m, zeros=zeros)
    kwargs = _grad_kwargs(draw, stride, padding, dilation, groups, ss, ps, ds, g,
                          isotropic)
    input_size = (n, cin * g, *sizes)
    return Case("conv_input_grad", {"input_size": input_size, "weight": w, "grad_output": gy},
                kwargs, dtype, integer_valued, seed, terms, {"recipe": gen.recipe})


@_eager
@st.composite
def conv_weight_grad_cases(
    draw: Any,
    ndim: int = 2,
    *,
    dtypes: Sequence[str] = ("float32", "float64"),
    groups: bool = True,
    stride: bool = True,
    dilation: bool = True,
    padding: bool = True,
    values: str = "any",
    kernel_sizes: Any = None,
    strides: Any = None,
    paddings: Any = None,
    dilations: Any = None,
    isotropic: bool = False,
) -> Case:
    """Cases for ``conv_weight_grad(input, weight_size, grad_output, stride, padding,
    dilation, groups)``; ``weight_size`` is the full weight shape."""
    ndim = _validate_ndim(ndim)
    dts = _validate_dtypes(dtypes)
    regime, g, cin, cout, ks, ss, ds, ps, sizes = _grad_geometry(
        draw, ndim, stride, dilation, padding, groups, weight_grad=True, space=dict(
            kernel_sizes=kernel_sizes, strides=strides, paddings=paddings, dilations=dilations,
            isotropic=isotropic))
    n = draw(st.integers(1, 4 if regime == "typical" else 2))
    integer_valued, seed, zeros, dtype = _regime_values(draw, regime, values, dts)
    outs = _out_sizes(sizes, ks, ss, ds, ps)
    terms = n * math.prod(outs)
    gen = _Gen(seed, dtype, draw)
    m = _integer_max(dtype, terms) if integer_valued else None
    x = gen("x", (n, cin * g, *sizes), integer_max=m, zeros=zeros)
    gy = gen("gy", (n, cout * g, *outs), integer_max=m, zeros=zeros)
    kwargs = _grad_kwargs(draw, stride, padding, dilation, groups, ss, ps, ds, g,
                          isotropic)
    weight_size = (cout * g, cin, *ks)
    return Case("conv_weight_grad", {"input": x, "weight_size": weight_size, "grad_output": gy},
                kwargs, dtype, integer_valued, seed, terms, {"recipe": gen.recipe})


def _signal_cases(op: str) -> Any:
    @st.composite
    def cases(
        draw: Any,
        ndim: int = 1,
        *,
        dtypes: Sequence[str] = ("float32", "float64"),
        modes: Sequence[str] = _SIGNAL_MODES,
        mode_argument: bool = True,
        values: str = "any",
    ) -> Case:
        ndim = _validate_ndim(ndim)
        dts = _validate_dtypes(dtypes, allow_complex=True)
        mds = _validate_subset("modes", modes, _SIGNAL_MODES)
        mode = draw(st.sampled_from(mds))
        large = draw(st.integers(0, 3)) == 0
        s1, s2 = [], []
        for _ in range(ndim):
            a = draw(st.integers(1, 80 if (large and ndim == 1) else 9))
            b = draw(st.integers(1, 8))
            s1.append(a)
            s2.append(b)
        if mode == "valid":  # scipy needs one input at least as large on every axis
            if draw(st.booleans()):
                s1 = [max(a, b) for a, b in zip(s1, s2, strict=True)]
            else:
                s2 = [max(a, b) for a, b in zip(s1, s2, strict=True)]
        integer_valued, seed, zeros = _draw_values_kind(draw, values)
        dtype = draw(st.sampled_from(dts))
        cplx = dtype.startswith("complex")
        terms = min(math.prod(s1), math.prod(s2)) + (2 if cplx else 0)
        gen = _Gen(seed, dtype, draw)
        m = _integer_max(dtype, 2 * terms) if integer_valued else None
        # about one real-valued case in four: a spike on a 1e-10 tail in the longer input,
        # in the most precise real dtype on offer (where dropping tiny outputs is a bug)
        wide = 0
        if not integer_valued and not cplx and draw(st.integers(0, 3)) == 0:
            wide = 1 if math.prod(s1) >= math.prod(s2) else 2
            dtype = _long_dtype(tuple(d for d in dts if not d.startswith("complex")))
            gen = _Gen(seed, dtype, draw)
        a1 = gen("a1", s1, integer_max=m, zeros=zeros, complex_values=cplx,
                 tail=1e-10 if wide == 1 else 0.0)
        a2 = gen("a2", s2, integer_max=m, zeros=zeros, complex_values=cplx,
                 tail=1e-10 if wide == 2 else 0.0)
        kwargs = {"mode": mode} if mode_argument else {}
        # the mode computed, passed or not (a function without a mode argument computes
        # the one mode declared for it)
        return Case(op, {"in1": a1, "in2": a2}, kwargs, dtype, integer_valued, seed, terms,
                    {"recipe": gen.recipe, "mode": mode})

    cases.__name__ = f"{op}_cases"
    cases.__doc__ = (
        f"Cases for ``{op}(in1, in2, mode)`` with scipy.signal semantics; complex dtypes "
        "allowed; ``mode='valid'`` cases keep one input at least as large on every axis."
    )
    return cases


convolve_cases = _eager(_signal_cases("convolve"))
correlate_cases = _eager(_signal_cases("correlate"))


def _pool_geometry(
    draw: Any, ndim: int, stride: bool, padding: bool, dilation: bool, ceil_mode: bool,
    covers_kernel: bool = False, space: dict[str, Any] | None = None,
) -> tuple[list[int], list[int] | None, list[int], list[int], list[int], bool]:
    space = space or {}
    iso = bool(space.get("isotropic", False))
    dk, ds_, dp, dd = (declared_values(n, space.get(n), ndim, iso) for n in (
        "kernel_sizes", "strides", "paddings", "dilations"))
    ks = _axes(draw, dk, ndim, iso, lambda ax: draw(kernel_sizes_strategy(max_value=4)))
    if stride and ds_ is not None:  # a declared None stands for "not given"
        default_stride = draw(st.sampled_from(ds_)) is None
        ss = list(ks) if default_stride else _axes(draw, ds_, ndim, iso, None)
    else:
        default_stride = stride and draw(st.integers(0, 3)) == 0
        ss = _axes(draw, None, ndim, iso, lambda ax: (
            ks[ax] if default_stride else draw(st.integers(1, 3))) if stride else ks[ax])
    ds = _axes(draw, dd if dilation else None, ndim, iso,
               lambda ax: draw(st.integers(1, 2)) if dilation else 1)
    # PyTorch: p <= k/2
    ps = _axes(draw, dp if padding else None, ndim, iso,
               lambda ax: draw(st.integers(0, ks[ax] // 2)) if padding else 0,
               valid=lambda ax, v: v <= ks[ax] // 2)
    big_axis = draw(st.integers(0, ndim - 1)) if draw(st.integers(0, 3)) == 0 else -1
    sizes = []
    for ax in range(ndim):
        k, s, d, p = ks[ax], ss[ax], ds[ax], ps[ax]
        keff = d * (k - 1) + 1
        # a dilated window must not skip over the whole input (every window holds an element)
        lo = keff if d > 1 or covers_kernel else max(1, keff - 2 * p)
        i = (draw(st.integers(max(lo, 64), max(lo, 64) + 6)) if ax == big_axis
             else draw(st.integers(lo, lo + 2 * s + 2)))
        sizes.append(i)
    cm = ceil_mode and draw(st.booleans())
    return ks, (None if (default_stride or not stride) else ss), ps, ds, sizes, cm


def _pool_batch(draw: Any, sizes: list[int]) -> tuple[int, int]:
    """N up to 4 and channel counts as in the conv family (32/64 and 17–40 included);
    kept small when the spatial part is large."""
    n = draw(st.integers(1, 4))
    c = draw(channel_counts(max_value=64))
    if math.prod(sizes) > 256:
        n, c = min(n, 2), min(c, 3)
    return n, c


def _pool_specials(draw: Any, nonfinite: bool, integer_valued: bool) -> float:
    """The fraction of NaN/±inf entries: about one real-valued case in six has some."""
    return 0.1 if nonfinite and not integer_valued and draw(st.integers(0, 5)) == 0 else 0.0


@_eager
@st.composite
def max_pool_cases(
    draw: Any,
    ndim: int = 2,
    *,
    dtypes: Sequence[str] = ("float32", "float64"),
    stride: bool = True,
    padding: bool = True,
    dilation: bool = True,
    ceil_mode: bool = True,
    return_indices: bool = False,
    values: str = "any",
    nonfinite: bool = True,
    kernel_sizes: Any = None,
    strides: Any = None,
    paddings: Any = None,
    isotropic: bool = False,
    dilations: Any = None,
) -> Case:
    """Cases for ``max_pool(x, kernel_size, stride, padding, dilation, ceil_mode)``
    (stride ``None`` = kernel size). Ties are frequent (integer values); with
    ``nonfinite`` some real-valued inputs hold NaN and ±inf (PyTorch propagates NaN)."""
    ndim = _validate_ndim(ndim)
    dts = _validate_dtypes(dtypes)
    ks, ss, ps, ds, sizes, cm = _pool_geometry(
        draw, ndim, stride, padding, dilation, ceil_mode, space=dict(
            kernel_sizes=kernel_sizes, strides=strides, paddings=paddings,
            dilations=dilations, isotropic=isotropic))
    n, c = _pool_batch(draw, sizes)
    integer_valued, seed, zeros = _draw_values_kind(draw, values)
    dtype = draw(st.sampled_from(dts))
    specials = _pool_specials(draw, nonfinite, integer_valued)
    gen = _Gen(seed, dtype, draw)
    x = gen("x", (n, c, *sizes), integer_max=3 if integer_valued else None,
            zeros=zeros, specials=specials)
    kwargs: dict[str, Any] = {"kernel_size": _as_param(draw, ks, isotropic)}
    if stride:
        kwargs["stride"] = None if ss is None else _as_param(draw, ss, isotropic)
    if padding:
        kwargs["padding"] = _as_param(draw, ps, isotropic)
    if dilation:
        kwargs["dilation"] = _as_param(draw, ds, isotropic)
    if ceil_mode:
        kwargs["ceil_mode"] = cm
    if return_indices:
        kwargs["return_indices"] = True
    return Case("max_pool", {"input": x}, kwargs, dtype, integer_valued, seed, 0,
                {"recipe": gen.recipe})


@_eager
@st.composite
def avg_pool_cases(
    draw: Any,
    ndim: int = 2,
    *,
    dtypes: Sequence[str] = ("float32", "float64"),
    stride: bool = True,
    padding: bool = True,
    ceil_mode: bool = True,
    count_include_pad: bool = True,
    divisor_override: bool = True,
    values: str = "any",
    nonfinite: bool = True,
    kernel_sizes: Any = None,
    strides: Any = None,
    paddings: Any = None,
    isotropic: bool = False,
) -> Case:
    """Cases for ``avg_pool(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
    divisor_override)``. With ``nonfinite`` some real-valued inputs hold NaN and ±inf.
    3-D inputs are at least as large as the kernel on every axis (padding not counted),
    as ``torch.nn.functional.avg_pool3d`` requires."""
    ndim = _validate_ndim(ndim)
    dts = _validate_dtypes(dtypes)
    ks, ss, ps, _, sizes, cm = _pool_geometry(
        draw, ndim, stride, padding, False, ceil_mode, covers_kernel=ndim == 3, space=dict(
            kernel_sizes=kernel_sizes, strides=strides, paddings=paddings,
            isotropic=isotropic))
    n, c = _pool_batch(draw, sizes)
    integer_valued, seed, zeros = _draw_values_kind(draw, values)
    dtype = draw(st.sampled_from(dts))
    specials = _pool_specials(draw, nonfinite, integer_valued)
    gen = _Gen(seed, dtype, draw)
    x = gen("x", (n, c, *sizes), integer_max=3 if integer_valued else None,
            zeros=zeros, specials=specials)
    kwargs: dict[str, Any] = {"kernel_size": _as_param(draw, ks, isotropic)}
    if stride:
        kwargs["stride"] = None if ss is None else _as_param(draw, ss, isotropic)
    if padding:
        kwargs["padding"] = _as_param(draw, ps, isotropic)
    if ceil_mode:
        kwargs["ceil_mode"] = cm
    if count_include_pad:
        kwargs["count_include_pad"] = draw(st.booleans())
    if divisor_override:
        kwargs["divisor_override"] = draw(st.one_of(st.none(), st.integers(1, 5)))
    return Case("avg_pool", {"input": x}, kwargs, dtype, False, seed, math.prod(ks),
                {"recipe": gen.recipe})


def _pool_out_shape(x_shape: tuple[int, ...], kwargs: dict[str, Any], dilation: bool
                    ) -> tuple[int, ...]:
    """PyTorch's pooling output shape (floor/ceil, a window may not start in the padding)."""
    from convmath.numeric._shapes import pool_output_size

    nd = len(x_shape) - 2
    out = pool_output_size(
        tuple(x_shape[2:]), kwargs["kernel_size"], kwargs.get("stride"),
        kwargs.get("padding", 0), kwargs.get("dilation", 1) if dilation else 1,
        bool(kwargs.get("ceil_mode", False)))
    return (*x_shape[:2], *out[:nd])


@_eager
@st.composite
def max_pool_grad_cases(
    draw: Any,
    ndim: int = 2,
    *,
    dtypes: Sequence[str] = ("float32", "float64"),
    stride: bool = True,
    padding: bool = True,
    dilation: bool = True,
    ceil_mode: bool = True,
    values: str = "any",
    nonfinite: bool = True,
    kernel_sizes: Any = None,
    strides: Any = None,
    paddings: Any = None,
    isotropic: bool = False,
    dilations: Any = None,
) -> Case:
    """Cases for ``max_pool_grad(input, grad_output, kernel_size, stride, padding, dilation,
    ceil_mode)``; integer-valued inputs make ties (first vs last maximum) frequent."""
    base = draw(max_pool_cases(ndim, dtypes=dtypes, stride=stride, padding=padding,
                               dilation=dilation, ceil_mode=ceil_mode, values=values,
                               nonfinite=nonfinite,
                               kernel_sizes=kernel_sizes, strides=strides, paddings=paddings,
                               isotropic=isotropic, dilations=dilations))
    x = base.args["input"]
    out = _pool_out_shape(x.shape, base.kwargs, dilation)
    gen = _Gen(base.seed + 1, base.dtype, draw)
    g = gen("grad_output", out, integer_max=4 if base.integer_valued else None)
    ks = base.kwargs["kernel_size"]
    overlap = int(ks) ** ndim if isinstance(ks, int) else math.prod(ks)
    recipe = base.info["recipe"] + gen.recipe
    return Case("max_pool_grad", {"input": x, "grad_output": g}, dict(base.kwargs),
                base.dtype, base.integer_valued, base.seed, overlap, {"recipe": recipe})


@_eager
@st.composite
def avg_pool_grad_cases(
    draw: Any,
    ndim: int = 2,
    *,
    dtypes: Sequence[str] = ("float32", "float64"),
    stride: bool = True,
    padding: bool = True,
    ceil_mode: bool = True,
    count_include_pad: bool = True,
    divisor_override: bool = True,
    values: str = "any",
    kernel_sizes: Any = None,
    strides: Any = None,
    paddings: Any = None,
    isotropic: bool = False,
) -> Case:
    """Cases for ``avg_pool_grad(input_size, grad_output, kernel_size, stride, padding,
    ceil_mode, count_include_pad, divisor_override)``; ``input_size`` is the full shape."""
    base = draw(avg_pool_cases(ndim, dtypes=dtypes, stride=stride, padding=padding,
                               ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                               divisor_override=divisor_override, values=values,
                               kernel_sizes=kernel_sizes, strides=strides, paddings=paddings,
                               isotropic=isotropic))
    x = base.args["input"]
    out = _pool_out_shape(x.shape, base.kwargs, False)
    gen = _Gen(base.seed + 1, base.dtype, draw)
    g = gen("grad_output", out, integer_max=None)
    return Case("avg_pool_grad", {"input_size": tuple(x.shape), "grad_output": g},
                dict(base.kwargs), base.dtype, False, base.seed, base.terms,
                {"recipe": gen.recipe})
