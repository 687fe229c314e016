"""Fuzz of the conv family of convmath.numeric against PyTorch.

``conv``, ``conv_transpose``, ``conv_input_grad``, ``conv_weight_grad``, ``conv_bias_grad``,
their definitional twins in :mod:`convmath.numeric.reference`, and the size helpers
(``conv_output_size``, ``conv_transpose_output_size``, ``pool_output_size``,
``same_padding``) get arrays of every dtype and layout (read-only, transposed, strided,
negative strides, broadcast views), ranks 0-7, zero sizes, NaN/inf, and for each argument
either a valid value or one from a pool of wrong ones (wrong types, negative and huge
numbers, bad strings). The outcome must be:

- where PyTorch accepts the call (small declared sizes only: PyTorch would try to allocate
  huge ones), a result equal to PyTorch's, computed in float64/complex128 (integers are
  exact, so they are compared exactly);
- where PyTorch refuses it, or an argument is not a plain int/sequence/string PyTorch would
  take, a ConvmathError naming an argument (the offending one when only one is off);
- for calls PyTorch has no counterpart of (more than 3 spatial axes, huge declared sizes),
  a result equal to the definitional twin, or a ConvmathError;
- never a foreign exception, and no input array modified (``fuzz_common.outcome``).

Documented divergences from PyTorch, allowed here: zero input channels (PyTorch returns an
oddly shaped empty result; convmath refuses), and huge declared sizes with an empty batch
(PyTorch returns an empty array whose other axes are astronomically large; convmath's memory
guard refuses). The size helpers are compared with PyTorch on ``meta`` tensors (shapes only,
no memory), so huge sizes are checked exactly too.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from fuzz_common import FUZZ, any_layout, assert_names, outcome
from hypothesis import given
from hypothesis import strategies as st

from convmath import ConvmathError
from convmath.numeric import (
    conv,
    conv_bias_grad,
    conv_input_grad,
    conv_output_size,
    conv_transpose,
    conv_transpose_output_size,
    conv_weight_grad,
    pool_output_size,
    reference,
    same_padding,
)

torch = pytest.importorskip("torch")
F = torch.nn.functional
# PyTorch's thread pool makes its tiny convolutions ~1000x slower on a busy machine
torch.set_num_threads(1)

#: Values that are wrong for most arguments (a few are right for some: the oracle decides).
BAD = [
    None, "", "1", "same", "SAME", "valid", "full", "zeros", 1.5, 2.0, np.float64(2.0),
    np.float32(1.0), float("nan"), float("inf"), 1 + 0j, True, False, np.bool_(True), [[1]],
    {}, {"a": 1}, b"1", (), [], (1, "a"), (1.0,), [None], (1, 2, 3, 4, 5, 6, 7, 8), -1, 0,
    -(2**63), 2**31, 2**40, 2**62, 2**63, 2**64, 2**70, np.int64(-1), np.uint64(2**63),
    np.int8(2), object(), np.array([1, 2]), np.array(2),
]
DTYPES = ["float64", "float32", "float16", "complex128", "complex64", "int8", "int16",
          "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool", "object", "str"]
NUMERIC = "iufc"
#: Declared sizes at most this large are passed to PyTorch.
SMALL = 64


# ------------------------------------------------------------------------ strategies
@st.composite
def arrays(draw: st.DrawFn, shape: tuple[int, ...], *, dtype: str | None = None) -> np.ndarray:
    """An array of ``shape``: any dtype, small values, maybe NaN/inf, any memory layout."""
    dt = np.dtype(dtype or draw(st.sampled_from(DTYPES)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    size = int(np.prod(shape))
    if dt.kind in "fc":
        a = rng.integers(-4, 5, size).astype(dt)
        if dt.kind == "c":
            a = a + 1j * rng.integers(-4, 5, size).astype(dt)
        if size and draw(st.integers(0, 5)) == 0:
            a[rng.integers(0, size)] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    elif dt.kind in "iu":
        a = rng.integers(0 if dt.kind == "u" else -9, 10, size).astype(dt)
    elif dt.kind == "b":
        a = rng.integers(0, 2, size).astype(bool)
    else:
        a = np.array([str(v) for v in rng.integers(0, 9, size)], dtype=dt)
    return any_layout(draw, a.reshape(shape))


def maybe_bad(draw: st.DrawFn, good: st.SearchStrategy[Any], bad_rate: int = 6) -> Any:
    """A value from ``good``, or (1 in ``bad_rate``) one from :data:`BAD`."""
    if draw(st.integers(0, bad_rate - 1)) == 0:
        return draw(st.sampled_from(BAD))
    return draw(good)


def per_axis(n: int, lo: int, hi: int) -> st.SearchStrategy[Any]:
    return st.one_of(st.integers(lo, hi), st.lists(st.integers(lo, hi), min_size=n, max_size=n)
                     .map(tuple), st.lists(st.integers(lo, hi), min_size=n, max_size=n))


@st.composite
def geometry(draw: st.DrawFn, transpose: bool = False) -> dict[str, Any]:
    """Shapes and arguments of one (transposed) convolution; mostly valid, sometimes not."""
    n = draw(st.sampled_from([1, 1, 2, 2, 3, 4]))
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    c_in = groups * draw(st.integers(0 if draw(st.integers(0, 9)) == 0 else 1, 2))
    c_out = groups * draw(st.integers(1, 2))
    if draw(st.integers(0, 7)) == 0:  # channel / group mismatch
        c_in, c_out = draw(st.integers(0, 4)), draw(st.integers(0, 4))
    kernel = tuple(draw(st.integers(1, 3) if draw(st.integers(0, 15)) else st.integers(0, 3))
                   for _ in range(n))
    spatial = tuple(draw(st.integers(1, 5) if draw(st.integers(0, 15)) else st.integers(0, 5))
                    for _ in range(n))
    batch = draw(st.sampled_from([1, 2, 0, None]))  # None: unbatched
    x_shape = (*(() if batch is None else (batch,)), c_in, *spatial)
    if transpose:
        w_shape = (c_in, c_out // max(1, groups) or 1, *kernel)
    else:
        w_shape = (c_out, c_in // max(1, groups) or 1, *kernel)
    if draw(st.integers(0, 9)) == 0:  # any rank
        x_shape = tuple(draw(st.lists(st.integers(0, 3), max_size=7)))
    if draw(st.integers(0, 9)) == 0:
        w_shape = tuple(draw(st.lists(st.integers(0, 3), max_size=7)))
    kw: dict[str, Any] = {
        "stride": maybe_bad(draw, per_axis(n, 1, 3)),
        "dilation": maybe_bad(draw, per_axis(n, 1, 3)),
        "groups": maybe_bad(draw, st.just(groups), bad_rate=10),
    }
    if transpose:
        kw["padding"] = maybe_bad(draw, per_axis(n, 0, 2))
        kw["output_padding"] = maybe_bad(draw, per_axis(n, 0, 2))
    else:
        kw["padding"] = maybe_bad(draw, st.one_of(per_axis(n, 0, 2),
                                                  st.sampled_from(["same", "valid"])))
    return {"n": n, "x_shape": x_shape, "w_shape": w_shape, "kw": kw}


# ------------------------------------------------------------------------ oracle helpers
class Refused(Exception):
    """PyTorch refused the call (or would be given an argument it does not take)."""


def plain(value: Any) -> Any:
    """``value`` as PyTorch takes it: an int, a tuple of ints or a string; else Refused."""
    if isinstance(value, (bool, np.bool_)):
        raise Refused(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (tuple, list)) and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in value
    ):
        return tuple(int(v) for v in value)
    raise Refused(value)


def declared_small(*values: Any) -> bool:
    """Every int in ``values`` (nested) is at most :data:`SMALL` in magnitude."""
    for v in values:
        if isinstance(v, (tuple, list)):
            if not declared_small(*v):
                return False
        elif isinstance(v, (int, np.integer)) and not isinstance(v, bool) and abs(int(v)) > SMALL:
            return False
    return True


def wide(a: np.ndarray) -> Any:
    """``a`` as a float64/complex128 torch tensor (exact for the small ints drawn here)."""
    if a.dtype.kind not in NUMERIC:
        raise Refused(a.dtype)
    return torch.from_numpy(np.array(a, dtype=np.complex128 if a.dtype.kind == "c"
                                      else np.float64))


def torch_call(fn: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn()
        except (RuntimeError, ValueError, TypeError, IndexError, NotImplementedError,
                OverflowError) as exc:
            raise Refused(exc) from exc


def assert_same(ours: np.ndarray, theirs: Any, what: str) -> None:
    expected = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert ours.shape == expected.shape, f"{what}: shape {ours.shape} != {expected.shape}"
    if ours.dtype.kind in "iu":
        np.testing.assert_array_equal(ours.astype(np.float64), expected, err_msg=what)
        return
    rtol = {2: 2e-2, 4: 1e-4, 8: 1e-11, 16: 1e-11}[ours.real.dtype.itemsize]
    finite = np.isfinite(expected)
    if ours.dtype.kind == "c" and not (finite.all() and np.isfinite(ours).all()):
        # PyTorch multiplies complex numbers with Gauss's three-product trick, which turns
        # (inf+0j)·(1−2j) into nan where IEEE (NumPy, convmath) gives inf−inf·j: compare
        # where both are finite
        both = finite & np.isfinite(ours)
        ours, expected, finite = ours[both], expected[both], finite[both]
    scale = max(1.0, float(np.max(np.abs(expected[finite]), initial=0.0)))
    ours_w = ours.astype(expected.dtype)
    np.testing.assert_array_equal(np.isnan(ours_w), np.isnan(expected), err_msg=what)
    np.testing.assert_allclose(ours_w, expected, rtol=rtol, atol=rtol * scale, err_msg=what)


NAMES = ("x", "w", "weight", "bias", "input", "input_size", "weight_size", "grad_output",
         "stride", "padding", "dilation", "groups", "output_padding", "padding_mode",
         "spatial_dims", "kernel", "kernel_size", "ceil_mode", "channels", "dtype")


#: The arrays and shapes: a bad one may be reported before the argument that was drawn bad.
ARRAY_NAMES = ("x", "w", "weight", "bias", "input", "input_size", "weight_size",
               "grad_output", "groups")


def assert_clean(err: ConvmathError | None, bad: list[str]) -> None:
    """``err`` is a ConvmathError naming (as a word) one of ``bad``, or any argument."""
    assert err is not None, "expected a ConvmathError"
    # a combination (output_padding vs stride, 'same' vs stride) may be reported by the
    # name of its other member: every argument name counts then
    names = [*bad, *ARRAY_NAMES] if bad and "Combination" not in bad else list(NAMES)
    assert_names(err, *names)
    message = str(err)
    assert any(re.search(rf"(?<![A-Za-z_]){re.escape(n)}(?![A-Za-z_])", message)
               for n in names), f"the error should name one of {names}: {message}"


def bad_args(kw: dict[str, Any], strings_ok: bool = True) -> list[str]:
    """Names of the arguments whose value is not a small non-negative int or sequence of
    them (or ``'same'``/``'valid'`` for padding): the suspects an error should name."""
    out = []
    for k, v in kw.items():
        if strings_ok and k == "padding" and isinstance(v, str) and v in ("same", "valid"):
            continue
        try:
            p = plain(v)
        except Refused:
            out.append(k)
            continue
        low = 0 if k in ("padding", "output_padding") else 1
        if isinstance(p, str) or not declared_small(p) or np.min(p, initial=low) < low or (
            isinstance(p, tuple) and len(p) != 1
        ):
            out.append(k)
    return out


def odd_empty(x: np.ndarray, n: int) -> bool:
    """An empty input: PyTorch skips most argument checks for an empty batch (e.g.
    ``output_padding`` against ``stride``) and returns oddly shaped results for zero input
    channels; convmath validates as for any other input and refuses zero channels."""
    return x.size == 0


def check(result: Any, err: ConvmathError | None, expected: Callable[[], Any],
          twin: Callable[[], Any] | None, bad: list[str], what: str,
          allowed_refusal: bool = False) -> None:
    """The contract: equal to PyTorch where it accepts; else a clean error (or the twin)."""
    try:
        theirs = expected()
    except Refused:
        if err is not None:
            assert_clean(err, bad)
            return
        raise AssertionError(f"{what}: PyTorch refuses but convmath returned a result") from None
    if theirs is NotImplemented:  # no PyTorch counterpart: compare with the twin
        if err is not None:
            assert_clean(err, bad)
        elif twin is not None:
            tw, twin_err = outcome(twin)
            assert twin_err is None, f"{what}: twin refused: {twin_err}"
            assert_same(result, torch.from_numpy(np.asarray(tw)), what + " (twin)")
        return
    if err is not None:
        assert allowed_refusal, f"{what}: PyTorch accepts but convmath raised {err!r}"
        assert_clean(err, bad)
        return
    assert_same(result, theirs, what)


# ------------------------------------------------------------------------ conv
PADDING_MODES = ["zeros", "zeros", "zeros", "reflect", "replicate", "circular", "ZEROS", "",
                 None, 0, "constant"]


def torch_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, kw: dict[str, Any],
               mode: Any) -> Any:
    n = w.ndim - 2
    if not 1 <= n <= 3:
        return NotImplemented
    if not declared_small(*kw.values()):
        return NotImplemented
    args = {k: plain(v) for k, v in kw.items()}
    if not isinstance(mode, str):
        raise Refused(mode)
    xt, wt = wide(x), wide(w)
    bt = None if b is None else wide(b)
    dt = torch.promote_types(xt.dtype, wt.dtype)
    if bt is not None:
        dt = torch.promote_types(dt, bt.dtype)
        bt = bt.to(dt)
    xt, wt = xt.to(dt), wt.to(dt)
    fn = getattr(F, f"conv{n}d")
    if mode == "zeros":
        return torch_call(lambda: fn(xt, wt, bt, **args))

    def with_mode() -> Any:
        module_cls = getattr(torch.nn, f"Conv{n}d")
        m = module_cls(wt.shape[1] * args["groups"], wt.shape[0], tuple(wt.shape[2:]),
                       bias=bt is not None, padding_mode=mode, dtype=dt, **args)
        with torch.no_grad():
            m.weight.copy_(wt)
            if bt is not None:
                m.bias.copy_(bt)
            return m(xt)

    return torch_call(with_mode)


@FUZZ
@given(st.data())
def test_conv_fuzz(data: st.DataObject) -> None:
    g = data.draw(geometry())
    x = data.draw(arrays(g["x_shape"]))
    w = data.draw(arrays(g["w_shape"]))
    b = data.draw(st.one_of(st.none(), arrays((g["w_shape"][0] if g["w_shape"] else 1,)),
                            st.sampled_from(BAD)))
    mode = data.draw(st.sampled_from(PADDING_MODES))
    kw = g["kw"]
    kw_all = {**kw, "bias": b} if not isinstance(b, np.ndarray) and b is not None else kw
    result, err = outcome(conv, x, w, b, padding_mode=mode, **kw)
    bad = bad_args(kw_all) + ([] if mode in ("zeros", "reflect", "replicate", "circular")
                              else ["padding_mode"])
    if bad and isinstance(kw["padding"], str):
        bad.append("Combination")  # padding='same' with a stride

    def expected() -> Any:
        if not (b is None or isinstance(b, np.ndarray)):
            raise Refused(b)
        return torch_conv(x, w, b, kw, mode)

    def twin() -> Any:
        return reference.conv(x, w, b, padding_mode=mode, **kw)

    small_twin = result is not None and result.size <= 4096 and w.size <= 256
    check(result, err, expected, twin if small_twin else None, bad, "conv",
          allowed_refusal=odd_empty(x, g["n"]))
    if small_twin:
        tw, twin_err = outcome(twin)
        assert twin_err is None
        assert_same(result, torch.from_numpy(np.asarray(tw)), "conv twin")
    elif err is not None and data.draw(st.integers(0, 3)) == 0:
        _, twin_err = outcome(twin)  # the twin shares the validation
        assert twin_err is not None and type(twin_err) is type(err)


# ------------------------------------------------------------------------ conv_transpose
@FUZZ
@given(st.data())
def test_conv_transpose_fuzz(data: st.DataObject) -> None:
    g = data.draw(geometry(transpose=True))
    x = data.draw(arrays(g["x_shape"]))
    w = data.draw(arrays(g["w_shape"]))
    n_out = (g["w_shape"][1] if len(g["w_shape"]) > 1 else 1) * 2
    b = data.draw(st.one_of(st.none(), arrays((n_out,)), arrays((n_out // 2,))))
    kw = g["kw"]
    result, err = outcome(conv_transpose, x, w, b, **kw)

    def expected() -> Any:
        n = w.ndim - 2
        if not 1 <= n <= 3 or not declared_small(*kw.values()):
            return NotImplemented
        args = {k: plain(v) for k, v in kw.items()}
        xt, wt = wide(x), wide(w)
        bt = None if b is None else wide(b)
        dt = torch.promote_types(xt.dtype, wt.dtype)
        if bt is not None:
            dt = torch.promote_types(dt, bt.dtype)
            bt = bt.to(dt)
        fn = getattr(F, f"conv_transpose{n}d")
        return torch_call(lambda: fn(xt.to(dt), wt.to(dt), bt, **args))

    def twin() -> Any:
        return reference.conv_transpose(x, w, b, **kw)

    small_twin = result is not None and result.size <= 4096 and w.size <= 256
    check(result, err, expected, twin if small_twin else None, [*bad_args(kw), "Combination"],
          "conv_transpose", allowed_refusal=odd_empty(x, g["n"]))
    if small_twin:
        tw, twin_err = outcome(twin)
        assert twin_err is None
        assert_same(result, torch.from_numpy(np.asarray(tw)), "conv_transpose twin")


# ------------------------------------------------------------------------ gradients
SIZE_BAD = [None, 5, 5.0, "1,1,5", (1.0, 1, 5), (1, 1, 5.5), (True, 1, 5), [[1, 1, 5]],
            {1: 1}, (1, 1, float("inf")), (1, 1, float("nan")), (1, 1, -5), (-1, 1, 5),
            (1, 1, 2**70), (2**63, 1, 5), (1, 1, np.float64(5.0)), (), (1,),
            np.array([1.5, 2.0]), (1, 1, "5"), (1, 1, None), (1, 2**40, 5), (0, 1, 5)]


def _grad_case(draw: st.DrawFn) -> tuple[dict[str, Any], np.ndarray, np.ndarray, np.ndarray,
                                         dict[str, Any]]:
    """A forward convolution (x, w), its output gradient g (usually of the right shape)."""
    g = draw(geometry())
    dt = draw(st.sampled_from(["float64", "float64", "complex128", "float32", "int32"]))
    x = draw(arrays(g["x_shape"], dtype=dt))
    w = draw(arrays(g["w_shape"], dtype=dt))
    kw = {k: v for k, v in g["kw"].items()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y_shape = conv(x.astype(np.float64) if x.dtype.kind in "iufb" else x,
                           w.astype(np.float64) if w.dtype.kind in "iufb" else w, **kw).shape
    except (ConvmathError, TypeError, ValueError):
        y_shape = tuple(draw(st.lists(st.integers(0, 3), max_size=5)))
    if draw(st.integers(0, 7)) == 0:
        y_shape = tuple(draw(st.lists(st.integers(0, 3), max_size=6)))
    go = draw(arrays(y_shape, dtype=draw(st.sampled_from(DTYPES[:5] + DTYPES[8:9] + DTYPES[13:]))))
    return g, x, w, go, kw


def _autograd(x: np.ndarray, w: np.ndarray, go: np.ndarray, kw: dict[str, Any]) -> tuple[Any, Any]:
    """PyTorch's gradients of conv w.r.t. x and w (conjugated back: convmath's are bilinear)."""
    n = w.ndim - 2
    if not 1 <= n <= 3 or not declared_small(*kw.values()):
        return NotImplemented, NotImplemented
    args = {k: plain(v) for k, v in kw.items()}
    xt, wt, gt = wide(x), wide(w), wide(go)
    dt = torch.promote_types(torch.promote_types(xt.dtype, wt.dtype), gt.dtype)
    # torch's gradients are conjugate-linear (dx = Σ conj(w)·g), convmath's bilinear
    # (dx = Σ w·g): conjugate the operands PyTorch sees
    xt = xt.to(dt).conj().resolve_conj().requires_grad_(True)
    wt = wt.to(dt).conj().resolve_conj().requires_grad_(True)

    def run() -> tuple[Any, Any]:
        y = getattr(F, f"conv{n}d")(xt, wt, **args)
        if tuple(y.shape) != tuple(gt.shape):
            raise Refused("grad_output shape")
        y.backward(gt.to(dt))
        return xt.grad, wt.grad

    return torch_call(run)  # type: ignore[no-any-return]


@FUZZ
@given(st.data())
def test_conv_input_grad_fuzz(data: st.DataObject) -> None:
    g, x, w, go, kw = _grad_case(data.draw)
    form = data.draw(st.sampled_from(["full", "full", "spatial", "bad"]))
    if form == "bad":
        size: Any = data.draw(st.sampled_from(SIZE_BAD))
        spatial = x.shape[2:] if x.ndim == w.ndim else x.shape[1:]
        if isinstance(size, tuple) and size in (tuple(x.shape), tuple(spatial)):
            form = "full"  # a "bad" size that happens to be this input's (e.g. (1,))
    elif form == "spatial":
        size = x.shape[2:] if x.ndim == w.ndim else x.shape[1:]
    else:
        size = data.draw(st.sampled_from([tuple(x.shape), list(x.shape),
                                          torch.Size(x.shape), np.array(x.shape)]))
    result, err = outcome(conv_input_grad, size, w, go, **kw)
    bad = bad_args(kw) + (["input_size"] if form == "bad" else [])
    bad += ["Combination"] if isinstance(kw["padding"], str) else []

    def expected() -> Any:
        if form == "bad":
            raise Refused(size)
        if x.dtype.kind not in NUMERIC:
            raise Refused(x.dtype)
        dx, _ = _autograd(x, w, go, kw)
        return dx

    def twin() -> Any:
        return reference.conv_input_grad(size, w, go, **kw)

    small = result is not None and result.size <= 4096 and w.size <= 256
    check(result, err, expected, twin if small else None, bad, "conv_input_grad",
          allowed_refusal=odd_empty(x, g["n"]))
    if small:
        tw, twin_err = outcome(twin)
        assert twin_err is None
        assert_same(result, torch.from_numpy(np.asarray(tw)), "conv_input_grad twin")


@FUZZ
@given(st.data())
def test_conv_weight_grad_fuzz(data: st.DataObject) -> None:
    g, x, w, go, kw = _grad_case(data.draw)
    form = data.draw(st.sampled_from(["full", "full", "full", "bad"]))
    if form == "bad":
        size: Any = data.draw(st.sampled_from(SIZE_BAD))
        if isinstance(size, tuple) and size == tuple(w.shape):
            form = "full"  # a "bad" size that happens to be this weight's
    else:
        size = data.draw(st.sampled_from([tuple(w.shape), list(w.shape), torch.Size(w.shape),
                                          np.array(w.shape)]))
    result, err = outcome(conv_weight_grad, x, size, go, **kw)
    bad = bad_args(kw) + (["weight_size"] if form == "bad" else [])
    bad += ["Combination"] if isinstance(kw["padding"], str) else []

    def expected() -> Any:
        if form == "bad":
            raise Refused(size)
        if w.dtype.kind not in NUMERIC:
            raise Refused(w.dtype)
        _, dw = _autograd(x, w, go, kw)
        return dw

    def twin() -> Any:
        return reference.conv_weight_grad(x, size, go, **kw)

    small = result is not None and result.size <= 4096 and go.size <= 4096
    check(result, err, expected, twin if small else None, bad, "conv_weight_grad",
          allowed_refusal=odd_empty(x, g["n"]))
    if small:
        tw, twin_err = outcome(twin)
        assert twin_err is None
        assert_same(result, torch.from_numpy(np.asarray(tw)), "conv_weight_grad twin")


@FUZZ
@given(st.data())
def test_conv_bias_grad_fuzz(data: st.DataObject) -> None:
    shape = tuple(data.draw(st.lists(st.integers(0, 3), max_size=7)))
    go = data.draw(arrays(shape))
    dims = data.draw(st.one_of(st.none(), st.integers(0, 6), st.sampled_from(BAD)))
    result, err = outcome(conv_bias_grad, go, dims)
    tw, twin_err = outcome(reference.conv_bias_grad, go, dims)
    assert (err is None) == (twin_err is None)
    ok_dims = dims is None or (isinstance(dims, (int, np.integer))
                               and not isinstance(dims, (bool, np.bool_)) and dims >= 1)
    n_spatial = go.ndim - 2 if dims is None else int(dims) if ok_dims else -1
    valid = (ok_dims and go.dtype.kind in NUMERIC and
             (go.ndim >= 3 if dims is None else go.ndim in (n_spatial + 1, n_spatial + 2)))
    if not valid:
        assert_clean(err, [] if ok_dims else ["spatial_dims"])
        return
    assert err is None, err
    batched = go if go.ndim == n_spatial + 2 else go[None]
    expected = wide(batched).sum(dim=(0, *range(2, batched.ndim)))
    assert_same(result, expected, "conv_bias_grad")
    assert_same(result, torch.from_numpy(np.asarray(tw)), "conv_bias_grad twin")
    assert result.dtype.kind == ({"u": "u", "i": "i"}.get(go.dtype.kind, go.dtype.kind))


# ------------------------------------------------------------------------ size helpers
class NoOracle(Exception):
    """PyTorch cannot even describe the call (a size beyond its storage limits)."""


def _meta(*shape: int) -> Any:
    try:
        return torch.empty(*shape, device="meta")
    except RuntimeError as exc:
        raise NoOracle(shape) from exc


def _size_arg(draw: st.DrawFn, n: int, lo: int, hi: int) -> Any:
    return maybe_bad(draw, st.one_of(per_axis(n, lo, hi), per_axis(n, lo, 2**62)), bad_rate=5)


def _as_tuple(v: Any, n: int) -> tuple[int, ...]:
    p = plain(v)
    if isinstance(p, str):
        raise Refused(p)
    t = (p,) * n if isinstance(p, int) else p
    if len(t) == 1:
        t = t * n
    if len(t) != n:
        raise Refused(v)
    return t


@FUZZ
@given(st.data())
def test_size_helpers_fuzz(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 3))
    scalar = data.draw(st.booleans()) and n == 1
    which = data.draw(st.sampled_from(["conv", "transpose", "pool", "same"]))
    i_good = st.integers(0, 9) if scalar else st.lists(st.integers(0, 9), min_size=n,
                                                        max_size=n).map(tuple)
    size = maybe_bad(data.draw, st.one_of(i_good, st.just(2**61)), bad_rate=6)
    k = _size_arg(data.draw, n, 1, 4)
    s = _size_arg(data.draw, n, 1, 3)
    p = _size_arg(data.draw, n, 0, 2)
    d = _size_arg(data.draw, n, 1, 3)
    if which == "conv":
        kw = {"input_size": size, "kernel_size": k, "stride": s, "padding": p, "dilation": d}
        result, err = outcome(conv_output_size, **kw)
    elif which == "transpose":
        op = _size_arg(data.draw, n, 0, 2)
        kw = {"input_size": size, "kernel_size": k, "stride": s, "padding": p,
              "output_padding": op, "dilation": d}
        result, err = outcome(conv_transpose_output_size, **kw)
    elif which == "pool":
        ceil = data.draw(st.sampled_from([True, False, np.bool_(True), 1, None, "yes"]))
        if data.draw(st.booleans()):
            s = None
        kw = {"input_size": size, "kernel_size": k, "stride": s, "padding": p, "dilation": d,
              "ceil_mode": ceil}
        result, err = outcome(pool_output_size, **kw)
    else:
        kw = {"kernel_size": k, "dilation": d}
        result, err = outcome(same_padding, **kw)

    def expected() -> Any:
        if which == "same":
            kt = _as_tuple(k, len(k) if isinstance(k, (tuple, list)) else 1)
            dt = _as_tuple(d, len(kt))
            if not kt or min(kt) < 1 or min(dt) < 1 or max(kt + dt) > 2**62:
                raise Refused(kw)
            return tuple((dd * (kk - 1) // 2, dd * (kk - 1) - dd * (kk - 1) // 2)
                         for kk, dd in zip(kt, dt, strict=True))
        # the helpers take the number of axes from input_size (an int: one axis)
        n_eff = len(size) if isinstance(size, (tuple, list)) else 1
        if n_eff == 0:
            raise Refused(size)
        if n_eff > 3:
            raise NoOracle(size)  # no PyTorch op with more than 3 spatial axes
        it = _as_tuple(size, n_eff)
        args = {name: _as_tuple(v, n_eff) for name, v in kw.items()
                if name not in ("input_size", "ceil_mode")
                and not (which == "pool" and name == "stride" and v is None)}
        if any(v > 2**62 or v < 0 for t in [it, *args.values()] for v in t):
            raise Refused(kw)  # convmath's documented bound: sizes must fit in np.intp
        if which == "transpose" and any(
            o >= max(s_, d_) for o, s_, d_ in zip(args["output_padding"], args["stride"],
                                               args["dilation"], strict=True)
        ):  # PyTorch's rule (checked on real tensors; its meta kernel skips it)
            raise Refused(args["output_padding"])
        if any(v < 1 for name in ("kernel_size", "stride", "dilation") if name in args
               for v in args[name]):
            raise Refused(kw)  # PyTorch's rule on real tensors (its meta kernels skip it)
        if any(v > 2**40 for t in [it, *args.values()] for v in t):
            # PyTorch's meta tensors overflow its int64 storage arithmetic here
            raise NoOracle(kw)
        shape = (1, 1, *(max(v, 1) for v in it))
        if which == "conv":
            if min(it) < 0:
                raise Refused(it)
            x = _meta(1, 1, *it) if min(it) > 0 else None
            if x is None:  # PyTorch refuses empty inputs; the formula still applies
                raise Refused(it)
            out = torch_call(lambda: F.__dict__[f"conv{n_eff}d"](
                x, _meta(1, 1, *args["kernel_size"]), stride=args["stride"],
                padding=args["padding"], dilation=args["dilation"])).shape[2:]
        elif which == "transpose":
            if min(it) < 1:
                raise Refused(it)
            out = torch_call(lambda: F.__dict__[f"conv_transpose{n_eff}d"](
                _meta(*shape), _meta(1, 1, *args["kernel_size"]), stride=args["stride"],
                padding=args["padding"], output_padding=args["output_padding"],
                dilation=args["dilation"])).shape[2:]
        else:
            if not isinstance(kw["ceil_mode"], (bool, np.bool_)) or min(it) < 1:
                raise Refused(kw["ceil_mode"])
            out = torch_call(lambda: F.__dict__[f"max_pool{n_eff}d"](
                _meta(*shape), args["kernel_size"], stride=args.get("stride"),
                padding=args["padding"], dilation=args["dilation"],
                ceil_mode=bool(kw["ceil_mode"]))).shape[2:]
        if min(out) < 1:
            raise Refused(out)
        return out[0] if isinstance(size, (int, np.integer)) else tuple(out)

    def expected_or_no_oracle() -> Any:
        try:
            return expected()
        except Refused as exc:
            if "overflow" in str(exc).lower():  # the output's element count overflows int64
                raise NoOracle(kw) from exc
            raise

    try:
        theirs = expected_or_no_oracle()
    except NoOracle:
        assert err is None or isinstance(err, ConvmathError)
        return
    except Refused:
        if err is None:
            # PyTorch refuses empty inputs, where the size formula still applies
            assert which in ("conv", "pool") and 0 in np.atleast_1d(size), (
                f"{which} {kw} -> {result}")
            return
        suspects = bad_args({k_: v for k_, v in kw.items() if k_ != "ceil_mode"},
                            strings_ok=False)
        # a combination (output_padding vs stride, padding vs kernel) may be named by any
        # of its members
        assert_clean(err, [*suspects, *kw])
        return
    assert err is None, f"{which} {kw}: PyTorch gives {theirs}, convmath raised {err}"
    assert result == theirs, f"{which} {kw}: {result} != {theirs}"
