"""convmath.testing.adapters: exact translation, Unsupported where the wrapped API cannot
express a case, refused options, and real-style code (tests/testing/realstyle_impls.py)
checked end to end: the correct entries pass, the buggy ones are caught."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import realstyle_impls as real

import convmath.numeric as ref
from convmath import ConvCheckFailure, InvalidArgument
from convmath.testing import (
    Unsupported,
    adapters,
    check_avg_pool,
    check_avg_pool_grad,
    check_conv,
    check_conv_input_grad,
    check_conv_transpose,
    check_conv_weight_grad,
    check_max_pool,
    check_max_pool_grad,
)

Fn = Callable[..., Any]
#: how many leading arguments of each operation are positional (arrays, kernel_size)
REQUIRED = {"conv": 2, "conv_transpose": 2, "conv_input_grad": 3, "conv_weight_grad": 3,
            "max_pool": 2, "avg_pool": 2, "max_pool_grad": 3, "avg_pool_grad": 3}


def rand(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed + sum(shape)).standard_normal(shape)


def reference(op: str, ndim: int) -> Fn:
    fn = getattr(ref, op)
    return functools.partial(fn, ndim=ndim) if "pool" in op else fn


# --- fixed cases in PyTorch's convention, one per op and dimension -------------------------

def case(op: str, ndim: int) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """A call of ``op`` with every per-axis parameter different on each axis."""
    sizes = {1: (9,), 2: (7, 6), 3: (5, 4, 6)}[ndim]
    k = {1: (3,), 2: (3, 2), 3: (2, 3, 1)}[ndim]
    s = {1: (2,), 2: (2, 1), 3: (1, 2, 1)}[ndim]
    p = {1: (1,), 2: (1, 0), 3: (0, 1, 0)}[ndim]
    d = {1: (2,), 2: (1, 2), 3: (2, 1, 1)}[ndim]
    conv_kw: dict[str, Any] = {"stride": s, "padding": p, "dilation": d, "groups": 2}
    x = rand(2, 4, *sizes)
    w = rand(6, 2, *k)
    if op == "conv":
        return (x, w), {"bias": rand(6), **conv_kw}
    if op == "conv_transpose":
        return (rand(2, 4, *sizes), rand(4, 3, *k)), {
            "bias": rand(6), "stride": s, "padding": p, "output_padding": tuple(
                min(v, 1) for v in s), "groups": 2, "dilation": d}
    gy = rand(*ref.conv(x, w, **conv_kw).shape)
    if op == "conv_input_grad":
        return (x.shape, w, gy), conv_kw
    if op == "conv_weight_grad":
        return (x, w.shape, gy), conv_kw
    pool_kw: dict[str, Any] = {"kernel_size": k, "stride": s, "padding": tuple(
        min(a, b // 2) for a, b in zip(p, k, strict=True)), "ceil_mode": True}
    max_kw = {**pool_kw, "dilation": d}
    avg_kw = {**pool_kw, "count_include_pad": False, "divisor_override": None}
    if op == "max_pool":
        return (x,), {**max_kw, "return_indices": True}
    if op == "avg_pool":
        return (x,), avg_kw
    if op == "max_pool_grad":
        return (x, rand(*ref.max_pool(x, ndim=ndim, **max_kw).shape)), max_kw
    assert op == "avg_pool_grad"
    return (x.shape, rand(*ref.avg_pool(x, ndim=ndim, **avg_kw).shape)), avg_kw


def assert_same(got: Any, expected: Any) -> None:
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected)
        for g, e in zip(got, expected, strict=True):
            assert_same(g, e)
        return
    assert np.shape(got) == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


# --- layout -------------------------------------------------------------------------------------

#: data layouts: the permutation from PyTorch's (N, C, *spatial), written out by hand, and
#: the order of the spatial axes
DATA = {
    "NHWC": ((0, 2, 3, 1), (0, 1)),
    "NWHC": ((0, 3, 2, 1), (1, 0)),
    "CNHW": ((1, 0, 2, 3), (0, 1)),
    "NLC": ((0, 2, 1), (0,)),
    "NDHWC": ((0, 2, 3, 4, 1), (0, 1, 2)),
    "NCDHW": ((0, 1, 2, 3, 4), (0, 1, 2)),
}
#: weight layouts: the permutation from PyTorch's (O, I, *k); for conv_transpose
#: (TRANSPOSED_WEIGHT) from PyTorch's (I, O, *k), I being the transposed conv's input
TRANSPOSED_WEIGHT = {"HWOI": (2, 3, 1, 0), "OIW": (1, 0, 2), "IOW": (0, 1, 2)}
WEIGHT = {
    "HWIO": (2, 3, 1, 0),
    "OHWI": (0, 2, 3, 1),
    "WHIO": (3, 2, 1, 0),
    "WIO": (2, 1, 0),
    "DHWIO": (2, 3, 4, 1, 0),
}
_PER_AXIS = ("stride", "padding", "dilation", "output_padding", "kernel_size")


def in_layout(fn: Fn, op: str, data: tuple[int, ...], spatial: tuple[int, ...],
              weight: tuple[int, ...] | None = None) -> Fn:
    """``fn`` (PyTorch's layout) as code written in another layout computes it: arrays
    arrive permuted by ``data``/``weight``, per-axis tuples in the order ``spatial``, and
    the result leaves in the same layout as its arrays came."""
    back_d, back_s = tuple(np.argsort(data)), tuple(np.argsort(spatial))
    back_w = None if weight is None else tuple(np.argsort(weight))

    def user(*args: Any, **kwargs: Any) -> Any:
        names = adapters.SIGNATURES[op]
        vals = dict(zip(names, args, strict=False))
        vals.update(kwargs)
        for key, v in vals.items():
            if key in ("input", "grad_output"):
                vals[key] = np.transpose(v, back_d)
            elif key == "input_size":
                vals[key] = tuple(v[i] for i in back_d)
            elif key == "weight" and back_w is not None:
                vals[key] = np.transpose(v, back_w)
            elif key == "weight_size" and back_w is not None:
                vals[key] = tuple(v[i] for i in back_w)
            elif key in _PER_AXIS and isinstance(v, tuple):
                vals[key] = tuple(v[i] for i in back_s)
        n = REQUIRED[op]
        out = fn(*[vals.pop(name) for name in names[:n]], **vals)
        perm = weight if op == "conv_weight_grad" else data
        if perm is None:  # a weight gradient in PyTorch's weight layout
            return out
        if isinstance(out, tuple):
            return tuple(np.transpose(o, perm) for o in out)
        return np.transpose(out, perm)

    return user


LAYOUT_CASES = [
    (op, d, w)
    for op in ("conv", "conv_input_grad", "conv_weight_grad")
    for d, w in (("NHWC", "HWIO"), ("NWHC", "WHIO"), ("CNHW", "OHWI"), ("NLC", "WIO"),
                 ("NDHWC", "DHWIO"), ("NHWC", None))
] + [("conv_transpose", d, w) for d, w in (("NHWC", "HWOI"), ("NLC", "OIW"), ("NLC", "IOW"),
                                            ("NWHC", None))] + [
    (op, d, None)
    for op in ("max_pool", "avg_pool", "max_pool_grad", "avg_pool_grad")
    for d in ("NHWC", "NWHC", "NLC", "NDHWC")
]


@pytest.mark.parametrize(("op", "data", "weight"), LAYOUT_CASES)
def test_layout_translates_every_op(op: str, data: str, weight: str | None) -> None:
    perm, spatial = DATA[data]
    ndim = len(spatial)
    table = TRANSPOSED_WEIGHT if op == "conv_transpose" else WEIGHT
    wperm = None if weight is None else table[weight]
    user = in_layout(reference(op, ndim), op, perm, spatial, wperm)
    args, kwargs = case(op, ndim)
    wrapped = adapters.layout(user, data, weight=weight, op=op)
    assert_same(wrapped(*args, **kwargs), reference(op, ndim)(*args, **kwargs))


def test_layout_hands_over_exactly_the_permuted_arrays() -> None:
    seen: dict[str, Any] = {}

    def conv_nwhc(x: Any, w: Any, bias: Any = None, stride: Any = 1, padding: Any = 0) -> Any:
        seen.update(x=x, w=w, stride=stride, padding=padding)
        return np.zeros((2, 3, 4, 5))  # (N, W_out, H_out, C_out)

    x, w = rand(2, 3, 4, 5), rand(5, 3, 2, 1)
    out = adapters.layout(conv_nwhc, "NWHC", weight="HWIO")(x, w, stride=(1, 2), padding=3)
    assert np.array_equal(seen["x"], x.transpose(0, 3, 2, 1))
    assert seen["x"].flags.c_contiguous
    assert np.array_equal(seen["w"], w.transpose(2, 3, 1, 0))
    assert seen["stride"] == (2, 1) and seen["padding"] == 3
    assert out.shape == (2, 5, 4, 3)


@pytest.mark.parametrize("kw", [
    {"stride": 1, "padding": 0},
    {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2)},
    {"padding": "same", "dilation": 2},
    {"padding": "valid", "stride": 3},
])
def test_layout_of_a_tensorflow_style_conv_matches_the_reference(kw: dict[str, Any]) -> None:
    x, w, b = rand(2, 3, 8, 7), rand(4, 3, 3, 2), rand(4)
    f = adapters.layout(real.conv2d_nhwc, "NHWC", weight="HWIO")
    np.testing.assert_allclose(f(x, w, b, **kw), ref.conv(x, w, b, **kw), rtol=1e-12)


@pytest.mark.parametrize("op", sorted(adapters.SIGNATURES))
def test_layout_without_batch_axis_loops_over_the_batch(op: str) -> None:
    user = in_layout(one_sample(reference(op, 2), op), op, (1, 2, 0), (0, 1),
                     (2, 3, 1, 0) if op in ("conv", "conv_input_grad", "conv_weight_grad")
                     else None)
    weight = "HWIO" if op in ("conv", "conv_input_grad", "conv_weight_grad") else None
    args, kwargs = case(op, 2)
    got = adapters.layout(user, "HWC", weight=weight, op=op)(*args, **kwargs)
    assert_same(got, reference(op, 2)(*args, **kwargs))


# --- unbatched ---------------------------------------------------------------------------------

def one_sample(fn: Fn, op: str) -> Fn:
    """``fn`` (batched) as code that takes one sample ``(C, *spatial)`` computes it."""
    def user(*args: Any, **kwargs: Any) -> Any:
        names = adapters.SIGNATURES[op]
        vals = dict(zip(names, args, strict=False))
        vals.update(kwargs)
        rank = len(vals["input_size"]) if "input_size" in vals else np.ndim(vals["input"])
        for key in ("input", "grad_output"):
            if key in vals:
                assert np.ndim(vals[key]) == rank  # one sample: (C, *spatial)
                vals[key] = np.asarray(vals[key])[None]
        if "input_size" in vals:
            vals["input_size"] = (1, *vals["input_size"])
        n = REQUIRED[op]
        out = fn(*[vals.pop(name) for name in names[:n]], **vals)
        if op == "conv_weight_grad":
            return out
        return tuple(o[0] for o in out) if isinstance(out, tuple) else out[0]

    return user


@pytest.mark.parametrize("ndim", [1, 2])
@pytest.mark.parametrize("op", sorted(adapters.SIGNATURES))
def test_unbatched_loops_over_the_batch(op: str, ndim: int) -> None:
    args, kwargs = case(op, ndim)
    got = adapters.unbatched(one_sample(reference(op, ndim), op), op=op)(*args, **kwargs)
    assert_same(got, reference(op, ndim)(*args, **kwargs))


def test_unbatched_course_conv_composes_with_by_name() -> None:
    f = adapters.unbatched(adapters.by_name(
        lambda input, weight, bias, stride, padding: real.conv2d_chw(
            input, weight, bias, stride, padding)))
    x, w = rand(3, 2, 6, 7), rand(4, 2, 3, 3)
    np.testing.assert_allclose(f(x, w, stride=2, padding=1),
                               ref.conv(x, w, stride=2, padding=1), rtol=1e-12)
    with pytest.raises(Unsupported, match="stride"):
        f(x, w, stride=(1, 2))


# --- by_name ------------------------------------------------------------------------------------

SEEN: dict[str, Any] = {}


def spy_conv(input: Any, weight: Any, bias: Any, stride: Any, padding: Any, groups: Any,
             kernel_size: Any, in_channels: Any, out_channels: Any) -> Any:
    """Records what it was given (in SEEN) and returns zeros."""
    SEEN.clear()
    SEEN.update(locals())
    return np.zeros(1)


def test_by_name_passes_named_parameters_as_ints_or_per_axis() -> None:
    f, seen = spy_conv, SEEN
    x, w = rand(1, 4, 5, 5), rand(6, 2, 3, 3).astype(np.float32)
    adapters.by_name(f)(x, w, stride=(2, 2), padding="same", groups=2, dilation=1)
    assert seen["stride"] == 2 and seen["padding"] == 1 and seen["kernel_size"] == 3
    assert (seen["in_channels"], seen["out_channels"]) == (4, 6)
    assert seen["bias"].shape == (6,) and seen["bias"].dtype == np.float32
    assert not seen["bias"].any()  # no bias: zeros
    with pytest.raises(Unsupported, match=r"takes no groups argument; this case has groups=2"):
        adapters.by_name(lambda input, weight: None)(x, w, groups=2)
    with pytest.raises(Unsupported, match=r"one int stride; this case has stride=\(1, 2\)"):
        adapters.by_name(f)(x, w, stride=(1, 2))
    adapters.by_name(f, scalars=False)(x, w, stride=(1, 2), padding=1)
    assert seen["stride"] == (1, 2) and seen["padding"] == (1, 1)
    adapters.by_name(f, scalars=("stride",))(x, w, padding=(0, 1))
    assert seen["stride"] == 1 and seen["padding"] == (0, 1)


@pytest.mark.parametrize(("kw", "supported"), [
    ({"dilation": 1}, True),
    ({"dilation": (1, 1)}, True),
    ({"dilation": (1, 2)}, False),
    ({"padding": "valid"}, True),
    ({"padding": 0}, True),
    ({"padding": "same"}, False),  # a 3×3 kernel needs padding 1
    ({"bias": None}, True),
    ({"bias": np.ones(2)}, False),
    ({"groups": 1}, True),
    ({"groups": 2}, False),
])
def test_by_name_refuses_cases_that_need_a_parameter_it_lacks(kw: dict[str, Any],
                                                              supported: bool) -> None:
    f = adapters.by_name(lambda input, weight, stride: ref.conv(input, weight, None, stride))
    x, w = rand(1, 2, 5, 5), rand(2, 1 if kw.get("groups") == 2 else 2, 3, 3)
    if supported:
        np.testing.assert_array_equal(f(x, w, **kw), ref.conv(x, w, **kw))
    else:
        with pytest.raises(Unsupported, match=next(iter(kw))):
            f(x, w, **kw)


def test_by_name_same_padding_with_an_even_kernel_is_unsupported() -> None:
    f = adapters.by_name(lambda input, weight, padding: ref.conv(input, weight, None, 1,
                                                                   padding), scalars=False)
    x = rand(1, 1, 6, 6)
    np.testing.assert_allclose(f(x, rand(1, 1, 3, 5), padding="same"),
                               ref.conv(x, rand(1, 1, 3, 5), padding="same"), rtol=1e-12)
    with pytest.raises(Unsupported, match="same"):
        f(x, rand(1, 1, 2, 3), padding="same")


def test_by_name_same_padding_with_a_stride_follows_tensorflow() -> None:
    seen: dict[str, Any] = {}

    def f(input: Any, weight: Any, stride: Any, padding: Any) -> Any:
        seen["padding"] = padding
        return ref.conv(input, weight, stride=stride, padding=padding)

    w = rand(1, 1, 3, 3)
    # TensorFlow's 'SAME' keeps ⌈i/s⌉ outputs: 7 rows, stride 2 → 4 rows need 2 padding
    # rows (1 + 1); 9 columns, stride 3 → 3 columns need none
    adapters.by_name(f, scalars=False)(rand(1, 1, 7, 9), w, stride=(2, 3), padding="same")
    assert seen["padding"] == (1, 0)
    with pytest.raises(Unsupported, match="same"):  # 8 → 4 columns: 1 padding column
        adapters.by_name(f, scalars=False)(rand(1, 1, 7, 8), w, stride=2, padding="same")


@pytest.mark.parametrize(("kw", "supported"), [
    ({"stride": None}, True),  # PyTorch's default: the kernel size
    ({"stride": (2, 2)}, True),
    ({"stride": 1}, False),
    ({"ceil_mode": True}, True),  # 6 = 3·2: ceil mode adds no window
    ({"divisor_override": 4}, True),  # the window size, every window full
    ({"divisor_override": 3}, False),
    ({"count_include_pad": False}, True),  # no padding: nothing to count
    ({"padding": 1}, False),
])
def test_by_name_pool_irrelevant_parameters(kw: dict[str, Any], supported: bool) -> None:
    f = adapters.by_name(lambda input, kernel_size: ref.avg_pool2d(input, kernel_size),
                         op="avg_pool")
    x = rand(1, 2, 6, 6)
    if supported:
        np.testing.assert_allclose(f(x, 2, **kw), ref.avg_pool2d(x, 2, **kw), rtol=1e-12)
    else:
        with pytest.raises(Unsupported, match=next(iter(kw))):
            f(x, 2, **kw)


def test_by_name_ceil_mode_that_adds_a_window_is_unsupported() -> None:
    f = adapters.by_name(lambda input, kernel_size, stride: ref.max_pool2d(
        input, kernel_size, stride), op="max_pool")
    x = rand(1, 1, 7, 7)
    np.testing.assert_array_equal(f(x, 3, 2, ceil_mode=True), ref.max_pool2d(x, 3, 2))
    with pytest.raises(Unsupported, match="ceil_mode"):
        f(x, 2, 2, ceil_mode=True)  # 7 = 3·2 + 1: a fourth window in ceil mode
    with pytest.raises(Unsupported, match="return_indices"):
        f(x, 3, return_indices=True)


def test_by_name_signature_lists_only_what_it_can_pass() -> None:
    f = adapters.by_name(lambda input, weight, bias, stride: None)
    assert list(inspect.signature(f).parameters) == ["input", "weight", "bias", "stride"]
    pool = adapters.by_name(lambda input, kernel_size, padding: None, op="max_pool")
    assert inspect.signature(pool).parameters["kernel_size"].default is inspect.Parameter.empty


def test_by_name_positional_only_and_defaults() -> None:
    def f(input: Any, weight: Any, /, stride: int, scale: float = 1.0) -> Any:
        return scale * ref.conv(input, weight, stride=stride)

    x, w = rand(1, 1, 5, 5), rand(1, 1, 2, 2)
    np.testing.assert_array_equal(adapters.by_name(f)(x, w, stride=2),
                                  ref.conv(x, w, stride=2))


# --- cs231n -------------------------------------------------------------------------------------

def test_cs231n_conv_matches_the_reference() -> None:
    f = adapters.cs231n(real.conv_forward_naive)
    x, w, b = rand(2, 3, 7, 8), rand(4, 3, 3, 2), rand(4)
    for kw in ({"stride": 2, "padding": 1}, {"stride": (3, 3), "padding": (2, 2)}, {}):
        np.testing.assert_allclose(f(x, w, b, **kw), ref.conv(x, w, b, **kw), rtol=1e-12)
    np.testing.assert_allclose(f(x, w, None), ref.conv(x, w), rtol=1e-12)  # b = zeros
    odd = rand(4, 3, 3, 3)
    np.testing.assert_allclose(f(x, odd, padding="same"), ref.conv(x, odd, padding="same"),
                               rtol=1e-12)
    assert f.__name__ == "adapters.cs231n(conv_forward_naive)"
    assert f.__convmath_imports__ == (  # type: ignore[attr-defined]
        "from convmath.testing import adapters", "from realstyle_impls import conv_forward_naive")
    assert list(inspect.signature(f).parameters) == ["input", "weight", "bias", "stride",
                                                     "padding"]


@pytest.mark.parametrize(("x_shape", "kw", "what"), [
    ((1, 3, 7, 8), {"stride": (1, 2)}, "stride"),
    ((1, 3, 7, 8), {"padding": (0, 1)}, "padding"),
    ((1, 3, 7, 8), {"dilation": 2}, "dilation"),
    ((1, 3, 7, 8), {"groups": 3}, "groups"),
    ((1, 3, 7, 8), {"padding": "same"}, "same"),  # a 3×2 kernel
    ((1, 3, 9), {}, "2-d"),
])
def test_cs231n_conv_unsupported(x_shape: tuple[int, ...], kw: dict[str, Any],
                                 what: str) -> None:
    f = adapters.cs231n(real.conv_forward_naive)
    w = rand(3, 1 if "groups" in kw else 3, *((3, 2) if len(x_shape) == 4 else (3,)))
    with pytest.raises(Unsupported, match=what):
        f(rand(*x_shape), w, **kw)


def test_cs231n_pooling() -> None:
    mp = adapters.cs231n(real.max_pool_forward_naive, op="max_pool")
    x = rand(2, 3, 7, 9)
    np.testing.assert_array_equal(mp(x, (2, 3), 2), ref.max_pool2d(x, (2, 3), 2))
    np.testing.assert_array_equal(mp(x, 2), ref.max_pool2d(x, 2))  # stride None: 2
    for kw in ({"padding": 1}, {"dilation": 2}, {"return_indices": True}, {"stride": (1, 2)}):
        with pytest.raises(Unsupported, match=next(iter(kw))):
            mp(x, 2, **kw)

    def avg_forward(x: Any, pool_param: dict[str, int]) -> Any:  # returns out alone
        return ref.avg_pool2d(x, (pool_param["pool_height"], pool_param["pool_width"]),
                              pool_param["stride"])

    ap = adapters.cs231n(avg_forward, op="avg_pool")
    np.testing.assert_allclose(ap(x, (3, 2), 1, divisor_override=6),
                               ref.avg_pool2d(x, (3, 2), 1), rtol=1e-12)
    with pytest.raises(Unsupported, match="divisor_override"):
        ap(x, 2, divisor_override=3)


# --- from_forward_backward ----------------------------------------------------------------------

@pytest.mark.parametrize("kw", [{"stride": 2, "padding": 1}, {"stride": 3}, {}])
def test_from_forward_backward_conv_gradients(kw: dict[str, Any]) -> None:
    x, w = rand(2, 3, 8, 7), rand(4, 3, 3, 2)
    gy = rand(*ref.conv(x, w, **kw).shape)
    dx = adapters.from_forward_backward(real.conv_forward_naive, real.conv_backward_naive)
    dw = adapters.from_forward_backward(real.conv_forward_naive, real.conv_backward_naive,
                                        pick="dw")
    np.testing.assert_allclose(dx(x.shape, w, gy, **kw), ref.conv_input_grad(x.shape, w, gy,
                                                                              **kw), rtol=1e-12)
    np.testing.assert_allclose(dw(x, w.shape, gy, **kw), ref.conv_weight_grad(x, w.shape, gy,
                                                                               **kw), rtol=1e-12)
    assert list(inspect.signature(dw).parameters) == ["input", "weight_size", "grad_output",
                                                      "stride", "padding"]


def test_from_forward_backward_pooling_and_single_array_backward() -> None:
    x = rand(2, 3, 7, 6)
    g = rand(*ref.max_pool2d(x, (3, 2), 2).shape)
    f = adapters.from_forward_backward(real.max_pool_forward_naive,
                                       real.max_pool_backward_naive, op="max_pool")
    np.testing.assert_array_equal(f(x, g, (3, 2), 2), ref.max_pool_grad(x, g, (3, 2), 2,
                                                                        ndim=2))
    forward = lambda input, kernel_size, stride: (  # noqa: E731
        ref.avg_pool2d(input, kernel_size, stride), (input.shape, kernel_size, stride))
    backward = lambda dout, c: ref.avg_pool_grad(c[0], dout, c[1], c[2], ndim=2)  # noqa: E731
    avg = adapters.from_forward_backward(forward, backward, op="avg_pool", params="by_name")
    g = rand(*ref.avg_pool2d(x, 2, 1).shape)
    np.testing.assert_allclose(avg(x.shape, g, 2, 1), ref.avg_pool_grad(x.shape, g, 2, 1,
                                                                        ndim=2), rtol=1e-12)


def test_from_forward_backward_reports_broken_pairs() -> None:
    x, w = rand(1, 1, 5, 5), rand(1, 1, 3, 3)
    gy = rand(1, 1, 3, 3)
    single = adapters.from_forward_backward(real.conv_forward_naive,
                                            lambda dout, cache: dout, pick="dw")
    with pytest.raises(TypeError, match="one array"):
        single(x, w.shape, gy)
    no_cache = adapters.from_forward_backward(lambda x, w, b, p: x, real.conv_backward_naive)
    with pytest.raises(TypeError, match=r"\(out, cache\)"):
        no_cache(x.shape, w, gy)
    bad = adapters.from_forward_backward(real.conv_forward_naive, real.conv_backward_naive)
    with pytest.raises(ValueError, match="forward pass returned shape"):
        bad(x.shape, w, rand(1, 1, 4, 4))


# --- layer --------------------------------------------------------------------------------------

def make_conv(in_channels: int, out_channels: int, kernel_size: int, stride: int,
              padding: int) -> real.Conv2D:
    return real.Conv2D(in_channels, out_channels, kernel_size, stride, padding)


@pytest.mark.parametrize("kw", [{"stride": 2, "padding": 1}, {"stride": (1, 1)}, {}])
def test_layer_forward_and_gradients(kw: dict[str, Any]) -> None:
    x, w, b = rand(2, 3, 7, 8), rand(4, 3, 3, 3), rand(4)
    gy = rand(*ref.conv(x, w, **kw).shape)
    assign = {"W": "weight", "b": "bias"}
    out = adapters.layer(make_conv, assign=assign)
    dx = adapters.layer(make_conv, assign=assign, pick="dx")
    dw = adapters.layer(make_conv, assign=assign, pick="dw", dw="dW")
    dw2 = adapters.layer(make_conv, assign=assign, pick="dw", dw=lambda layer: layer.dW)
    np.testing.assert_allclose(out(x, w, b, **kw), ref.conv(x, w, b, **kw), rtol=1e-12)
    np.testing.assert_allclose(dx(x.shape, w, gy, **kw),
                               ref.conv_input_grad(x.shape, w, gy, **kw), rtol=1e-12)
    expected_dw = ref.conv_weight_grad(x, w.shape, gy, **kw)
    np.testing.assert_allclose(dw(x, w.shape, gy, **kw), expected_dw, rtol=1e-12)
    np.testing.assert_allclose(dw2(x, w.shape, gy, **kw), expected_dw, rtol=1e-12)
    with pytest.raises(Unsupported, match="kernel_size"):
        out(x, rand(4, 3, 3, 2))  # Conv2D takes one square kernel size
    with pytest.raises(Unsupported, match="dilation"):
        out(x, w, dilation=2)


def test_layer_with_weights_in_the_constructor_and_a_tuple_backward() -> None:
    class Conv:
        def __init__(self, weight: Any, bias: Any, stride: int) -> None:
            self.w, self.b, self.stride = weight, bias, stride

        def forward(self, x: Any) -> Any:
            self.x = x
            return ref.conv(x, self.w, self.b, self.stride)

        def backward(self, dout: Any) -> Any:
            return (ref.conv_input_grad(self.x.shape, self.w, dout, self.stride),
                    ref.conv_weight_grad(self.x, self.w.shape, dout, self.stride), None)

    x, w = rand(2, 2, 6, 6), rand(3, 2, 2, 2)
    gy = rand(*ref.conv(x, w, stride=2).shape)
    dw = adapters.layer(lambda weight, bias, stride: Conv(weight, bias, stride), pick="dw")
    np.testing.assert_allclose(dw(x, w.shape, gy, stride=2),
                               ref.conv_weight_grad(x, w.shape, gy, stride=2), rtol=1e-12)


def test_layer_pooling() -> None:
    class MaxPool:
        def __init__(self, size: int, stride: int) -> None:
            self.size, self.stride = size, stride

        def __call__(self, x: Any) -> Any:
            self.x = x
            return ref.max_pool2d(x, self.size, self.stride)

        def grad(self, dout: Any) -> Any:
            return ref.max_pool_grad(self.x, dout, self.size, self.stride, ndim=2)

    make = lambda kernel_size, stride: MaxPool(kernel_size, stride)  # noqa: E731
    x = rand(2, 3, 7, 7)
    g = rand(*ref.max_pool2d(x, 3, 2).shape)
    f = adapters.layer(make, op="max_pool", pick="dx", forward="__call__", backward="grad")
    np.testing.assert_array_equal(f(x, g, 3, 2), ref.max_pool_grad(x, g, 3, 2, ndim=2))
    with pytest.raises(Unsupported, match="padding"):
        f(x, g, 3, 2, padding=1)


# --- validation ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "weight", "op", "arg"), [
    ("NHW", None, "conv", "data"),  # no C
    ("NHWCC", None, "conv", "data"),
    ("NHWX", None, "conv", "data"),
    ("nhwc", None, "conv", "data"),
    ("NC", None, "conv", "data"),
    ("NCDHWL", None, "conv", "data"),
    ("NCDH", None, "conv", "data"),
    ("NCLW", None, "conv", "data"),
    ("", None, "conv", "data"),
    (42, None, "conv", "data"),
    ("NHWC", "HWI", "conv", "weight"),
    ("NHWC", "HWIOO", "conv", "weight"),
    ("NHWC", "DHWIO", "conv", "weight"),
    ("NHWC", "HWNO", "conv", "weight"),
    ("NHWC", "HWIO", "max_pool", "weight"),
    ("NHWC", None, "conv2d", "op"),
])
def test_layout_refuses_bad_strings(data: Any, weight: Any, op: Any, arg: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        adapters.layout(ref.conv, data, weight=weight, op=op)
    value = {"data": data, "weight": weight, "op": op}[arg]
    assert f"{arg}={value!r}" in str(info.value)


def needs_foo(input: Any, weight: Any, foo: Any) -> None:
    pass


@pytest.mark.parametrize(("make", "text"), [
    (lambda: adapters.layout(42, "NHWC"), "fn=42"),  # type: ignore[arg-type]
    (lambda: adapters.unbatched(ref.conv, op="pool"), "op='pool'"),
    (lambda: adapters.by_name(needs_foo), "'foo'"),
    (lambda: adapters.by_name(lambda weight, stride: None), "must take input"),
    (lambda: adapters.by_name(lambda input, weight: None, scalars="stride"), "scalars="),
    (lambda: adapters.by_name(lambda input, weight: None, scalars=["groups"]), "scalars="),
    (lambda: adapters.by_name(max), "signature"),
    (lambda: adapters.cs231n(real.conv_forward_naive, op="conv_transpose"), "op="),
    (lambda: adapters.from_forward_backward(real.conv_forward_naive, None),  # type: ignore[arg-type]
     "backward=None"),
    (lambda: adapters.from_forward_backward(real.max_pool_forward_naive,
                                            real.max_pool_backward_naive, op="max_pool",
                                            pick="dw"), "pick='dw'"),
    (lambda: adapters.from_forward_backward(real.conv_forward_naive,
                                            real.conv_backward_naive, pick="db"), "pick='db'"),
    (lambda: adapters.from_forward_backward(real.conv_forward_naive,
                                            real.conv_backward_naive, params="torch"),
     "params='torch'"),
    (lambda: adapters.layer(make_conv, op="conv2d"), "op='conv2d'"),
    (lambda: adapters.layer(make_conv, op="max_pool", pick="dw"), "pick='dw'"),
    (lambda: adapters.layer(make_conv, pick="out"), "must take weight"),
    (lambda: adapters.layer(make_conv, assign={"W": "weights"}), "assign="),
    (lambda: adapters.layer(make_conv, assign={"1W": "weight"}), "assign="),
    (lambda: adapters.layer(make_conv, assign=[("W", "weight")]),  # type: ignore[arg-type]
     "assign="),
    (lambda: adapters.layer(make_conv, assign={"W": "weight"}, forward="go()"),
     "forward='go()'"),
    (lambda: adapters.layer(make_conv, assign={"W": "weight"}, dw="dW"), "dw='dW'"),
    (lambda: adapters.layer(lambda weight, n_filters: None), "'n_filters'"),
])
def test_adapters_refuse_bad_options(make: Callable[[], Any], text: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        make()
    assert text in str(info.value)


# --- end to end: real-style code through the checkers ------------------------------------------

def test_e2e_course_conv_passes_with_unsupported_cases_rejected() -> None:
    report = check_conv(adapters.cs231n(real.conv_forward_naive), max_examples=25, seed=0)
    assert report.examples == 25
    assert report.unsupported > 0  # per-axis strides and paddings: rejected, not bugs
    assert any(s.startswith("dilation") for s in report.not_exercised)
    assert report.function == "adapters.cs231n(conv_forward_naive)"


def test_e2e_course_conv_with_a_flipped_kernel_is_caught() -> None:
    with pytest.raises(ConvCheckFailure) as info:
        check_conv(adapters.cs231n(real.conv_forward_bug_flipped), max_examples=25, seed=0)
    text = str(info.value)
    assert "diagnosis: flipped kernel" in text
    assert "out = adapters.cs231n(conv_forward_bug_flipped)(" in text  # the reproduction


def test_e2e_course_conv_gradients_pass() -> None:
    dx = adapters.from_forward_backward(real.conv_forward_naive, real.conv_backward_naive)
    dw = adapters.from_forward_backward(real.conv_forward_naive, real.conv_backward_naive,
                                        pick="dw")
    assert check_conv_input_grad(dx, max_examples=20, seed=0).examples == 20
    assert check_conv_weight_grad(dw, max_examples=20, seed=0, isotropic=True).examples == 20


@pytest.mark.parametrize("backward", [real.conv_backward_bug_stride,
                                      real.conv_backward_bug_pad_slice])
def test_e2e_course_conv_input_grad_bugs_are_caught(backward: Fn) -> None:
    dx = adapters.from_forward_backward(real.conv_forward_naive, backward)
    with pytest.raises(ConvCheckFailure):
        check_conv_input_grad(dx, max_examples=25, seed=0, isotropic=True)


def test_e2e_weight_gradient_averaged_over_the_batch_is_caught() -> None:
    dw = adapters.from_forward_backward(real.conv_forward_naive, real.conv_backward_bug_mean_dw,
                                        pick="dw")
    with pytest.raises(ConvCheckFailure, match="averaged over the batch"):
        check_conv_weight_grad(dw, max_examples=25, seed=0, isotropic=True)


def test_e2e_course_max_pool_and_its_gradient() -> None:
    fwd = adapters.cs231n(real.max_pool_forward_naive, op="max_pool")
    assert check_max_pool(fwd, max_examples=20, seed=0, nonfinite=False).examples == 20
    grad = adapters.from_forward_backward(real.max_pool_forward_naive,
                                          real.max_pool_backward_naive, op="max_pool")
    assert check_max_pool_grad(grad, max_examples=20, seed=0, nonfinite=False,
                               isotropic=True).examples == 20
    ties = adapters.from_forward_backward(real.max_pool_forward_naive,
                                          real.max_pool_backward_bug_ties, op="max_pool")
    with pytest.raises(ConvCheckFailure):
        check_max_pool_grad(ties, max_examples=20, seed=0, nonfinite=False, isotropic=True)


def test_e2e_tensorflow_layout_conv() -> None:
    report = check_conv(adapters.layout(real.conv2d_nhwc, "NHWC", weight="HWIO"),
                        max_examples=20, seed=0)
    assert report.unsupported == 0
    assert [s.split()[0] for s in report.not_exercised] == ["groups"]  # no such argument
    with pytest.raises(ConvCheckFailure):
        check_conv(adapters.layout(real.conv2d_nhwc_bug_kernel_layout, "NHWC",
                                   weight="HWIO"), max_examples=20, seed=0)


def test_e2e_one_image_conv() -> None:
    f = adapters.unbatched(adapters.by_name(
        lambda input, weight, bias, stride, padding: real.conv2d_chw(
            input, weight, bias, stride, padding)))
    assert check_conv(f, max_examples=20, seed=0, isotropic=True).examples == 20


def test_e2e_layer_object() -> None:
    assign = {"W": "weight", "b": "bias"}
    assert check_conv(adapters.layer(make_conv, assign=assign), max_examples=20, seed=0,
                      isotropic=True).examples == 20
    dw = adapters.layer(make_conv, assign=assign, pick="dw", dw="dW")
    assert check_conv_weight_grad(dw, max_examples=15, seed=0, isotropic=True).examples == 15

    def make_buggy(in_channels: int, out_channels: int, kernel_size: int, stride: int,
                   padding: int) -> real.Conv2D:
        return real.Conv2DMeanGrad(in_channels, out_channels, kernel_size, stride, padding)

    buggy = adapters.layer(make_buggy, assign=assign, pick="dw", dw="dW")
    with pytest.raises(ConvCheckFailure, match="averaged over the batch"):
        check_conv_weight_grad(buggy, max_examples=20, seed=0, isotropic=True)


def test_e2e_scalar_course_avg_pool() -> None:
    f = adapters.by_name(lambda input, kernel_size, stride: real.avg_pool2d(
        input, kernel_size, stride), op="avg_pool")
    report = check_avg_pool(f, max_examples=20, seed=0, isotropic=True, nonfinite=False)
    assert report.examples == 20 and report.unsupported == 0
    bug = adapters.by_name(lambda input, kernel_size, stride: real.avg_pool2d_bug_stride_is_size(
        input, kernel_size, stride), op="avg_pool")
    with pytest.raises(ConvCheckFailure):
        check_avg_pool(bug, max_examples=20, seed=0, isotropic=True, nonfinite=False)


CHECKERS: dict[str, Fn] = {
    "conv": check_conv, "conv_transpose": check_conv_transpose,
    "conv_input_grad": check_conv_input_grad, "conv_weight_grad": check_conv_weight_grad,
    "max_pool": functools.partial(check_max_pool, return_indices=True),
    "avg_pool": check_avg_pool, "max_pool_grad": check_max_pool_grad,
    "avg_pool_grad": check_avg_pool_grad,
}


@pytest.mark.parametrize(("op", "data", "weight"), [
    ("conv", "NHWC", "HWIO"), ("conv", "NLC", "WIO"), ("conv", "NDHWC", "DHWIO"),
    ("conv_transpose", "NHWC", "HWOI"), ("conv_input_grad", "NWHC", "OHWI"),
    ("conv_weight_grad", "NHWC", "HWIO"), ("max_pool", "NHWC", None),
    ("avg_pool", "NWHC", None), ("max_pool_grad", "NLC", None), ("avg_pool_grad", "NHWC", None),
])
def test_e2e_layouts_pass_every_checker_whole_space(op: str, data: str,
                                                    weight: str | None) -> None:
    """A correct function in another layout passes the full search space: no case is
    rejected, every per-axis parameter is translated."""
    perm, spatial = DATA[data]
    table = TRANSPOSED_WEIGHT if op == "conv_transpose" else WEIGHT
    user = in_layout(reference(op, len(spatial)), op, perm, spatial,
                     None if weight is None else table[weight])
    report = CHECKERS[op](adapters.layout(user, data, weight=weight, op=op),
                          ndim=len(spatial), max_examples=15, seed=0)
    assert report.examples == 15 and report.unsupported == 0 and not report.not_exercised


@pytest.mark.parametrize("op", sorted(adapters.SIGNATURES))
def test_e2e_unbatched_passes_every_checker_whole_space(op: str) -> None:
    report = CHECKERS[op](adapters.unbatched(one_sample(reference(op, 2), op), op=op),
                          max_examples=15, seed=0)
    assert report.examples == 15 and report.unsupported == 0


def test_e2e_course_conv_under_tensorflow_same() -> None:
    """TensorFlow's 'SAME' with a stride becomes the symmetric pad the course code takes
    (an asymmetric one is rejected)."""
    report = check_conv(adapters.cs231n(real.conv_forward_naive), same_rule="tf",
                        padding_modes=("same",), isotropic=True, max_examples=15, seed=0)
    assert report.examples == 15


def test_adapters_refuse_a_framework_backend_up_front() -> None:
    pytest.importorskip("torch")
    from convmath.testing import check_conv_linearity

    wrapped = adapters.layout(real.conv2d_nhwc, "NHWC", weight="HWIO")
    with pytest.raises(InvalidArgument, match="backend='numpy'"):
        check_conv(wrapped, backend="torch")
    with pytest.raises(InvalidArgument, match="adapters wrapper"):
        check_conv_linearity(wrapped, backend="torch")


class _StoringConv:
    """A layer that stores its results (NNFS style) and returns nothing."""

    def __init__(self, weight: np.ndarray, stride: int) -> None:
        self.weight, self.stride = weight, stride

    def forward(self, x: np.ndarray) -> None:
        self.x = x
        self.output = ref.conv(x, self.weight, None, self.stride)

    def backward(self, dvalues: np.ndarray) -> None:
        self.dinputs = ref.conv_input_grad(self.x.shape, self.weight, dvalues, self.stride)
        self.dweights = ref.conv_weight_grad(self.x, self.weight.shape, dvalues, self.stride)


def test_layer_reads_results_a_layer_stores() -> None:
    make = lambda weight, stride: _StoringConv(weight, stride)  # noqa: E731
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 6))
    w = np.random.default_rng(1).standard_normal((4, 3, 3, 2))
    out = adapters.layer(make, out="output")(x, w, stride=2)
    np.testing.assert_allclose(out, ref.conv(x, w, None, 2))
    gy = np.random.default_rng(2).standard_normal(out.shape)
    dx = adapters.layer(make, pick="dx", out="output", dx="dinputs")(x.shape, w, gy, stride=2)
    np.testing.assert_allclose(dx, ref.conv_input_grad(x.shape, w, gy, 2))
    dw = adapters.layer(make, pick="dw", out="output", dw=lambda layer: layer.dweights)(
        x, w.shape, gy, stride=2)
    np.testing.assert_allclose(dw, ref.conv_weight_grad(x, w.shape, gy, 2))
    with pytest.raises(TypeError, match="out='output'"):  # forward returned None: say where
        adapters.layer(make)(x, w, stride=2)
    with pytest.raises(TypeError, match="dx='dinputs'"):
        adapters.layer(make, pick="dx", out="output")(x.shape, w, gy, stride=2)
    with pytest.raises(InvalidArgument, match="dx"):
        adapters.layer(make, dx="dinputs")  # dx goes with pick='dx'
    with pytest.raises(InvalidArgument, match="out"):
        adapters.layer(make, out="not an attribute")
    check_conv_input_grad(adapters.layer(make, pick="dx", out="output", dx="dinputs"),
                          isotropic=True, dilation=False, padding=False, groups=False,
                          max_examples=20, seed=0)
