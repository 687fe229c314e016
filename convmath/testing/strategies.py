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
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st

from convmath.errors import InvalidArgument
from convmath.numeric._validate import is_int
from convmath.testing._case import Case
from convmath.testing._geometry import (
    SPACE_OPTIONS,
    _as_param,
    _axes,
    _channels,
    _conv_axes,
    _grad_geometry,
    _grad_kwargs,
    _long_count,
    _out_sizes,
    _pool_batch,
    _pool_geometry,
    _pool_out_shape,
    _pool_specials,
    _regime,
    _typical_kernel,
    channel_counts,
    declared_values,
    kernel_sizes_strategy,
)
from convmath.testing._options import FLAGS, flag
from convmath.testing._tolerance import DTYPES
from convmath.testing._values import (
    _VALUES,
    _draw_values_kind,
    _Gen,
    _integer_max,
    _long_dtype,
    _regime_values,
    make_values,
)

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


def kernel_sizes(*, min_value: int = 1, max_value: int = 5) -> st.SearchStrategy[int]:
    """Kernel sizes, even ones included (public name of :func:`kernel_sizes_strategy`)."""
    return kernel_sizes_strategy(min_value=min_value, max_value=max_value)


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
    if mode == "same" and same_rule == "tf":  # the pads follow from the shapes, always
        info["same_rule"] = "tf"
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
        if mode == "same" and not large and draw(st.integers(0, 2)) == 0:
            # in2 longer than in1 on every axis: where numpy's 'same' (the longer input's
            # length) and scipy's (in1's shape) differ
            s2 = [max(b, a + 1) for a, b in zip(s1, s2, strict=True)]
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
