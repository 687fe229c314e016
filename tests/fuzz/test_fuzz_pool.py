"""Fuzz of the pooling functions of convmath.numeric against PyTorch.

``max_pool``, ``avg_pool``, ``max_pool_grad``, ``avg_pool_grad`` and the per-dimension
``max_pool{1,2,3}d`` / ``avg_pool{1,2,3}d`` get inputs of every dtype and memory layout
(read-only, transposed, strided, reversed, broadcast), ranks 0-6, empty axes, NaN/inf, and
for every argument (``ndim`` included) either a valid value or one from a pool of wrong ones
(strings, floats, bools, None, nested lists, negative and huge numbers up to 2**70). The
outcome must be:

- where PyTorch accepts the call (``F.max_pool{n}d`` / ``F.avg_pool{n}d``, autograd for the
  gradients) and every argument is a plain int / sequence of ints / bool no larger than
  :data:`SMALL` (PyTorch may try to allocate for huge ones), a result equal to PyTorch's
  (max pooling values and indices exactly);
- where PyTorch has no counterpart (4 spatial axes, dtypes it does not pool,
  ``avg_pool1d`` with ``divisor_override``, huge arguments) or refuses the call, a result
  equal to the
  definitional twin in :mod:`convmath.numeric._pool_reference`, or a ConvmathError naming
  an argument;
- never a foreign exception, and no input array modified (``fuzz_common.outcome``).

Documented divergences from PyTorch, allowed here: a window that holds no input element
(PyTorch returns −∞ with an aliased index; convmath refuses), and the memory guard refusing
a huge kernel/padding that PyTorch handles by clipping the windows (arguments above
:data:`SMALL`); arguments PyTorch takes but convmath refuses as not plain ints (``True``
for a size) must be refused naming the argument.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fuzz_common import FUZZ, any_layout, assert_names, outcome
from hypothesis import given
from hypothesis import strategies as st

from convmath.numeric import (
    avg_pool,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    avg_pool_grad,
    max_pool,
    max_pool1d,
    max_pool2d,
    max_pool3d,
    max_pool_grad,
)
from convmath.numeric._pool_reference import (
    definitional_avg_pool,
    definitional_avg_pool_grad,
    definitional_max_pool,
    definitional_max_pool_grad,
)

torch = pytest.importorskip("torch")
F = torch.nn.functional
torch.set_num_threads(1)  # its thread pool makes tiny pools ~100x slower on a busy machine

BAD = [
    None, "", "2", "same", 1.5, 2.0, np.float64(2.0), float("nan"), float("inf"), 1 + 0j,
    True, False, np.bool_(True), [[1]], [[1, 2]], {}, b"1", (), [], (1, "a"), (1.0,), [None],
    (1, 2, 3, 4), -1, 0, -(2**63), 2**31, 2**40, 2**62, 2**63, 2**70, np.int64(-1),
    np.uint64(2**63), np.int8(2), object(), np.array([1, 2]), np.array(2),
]
DTYPES = ["float64", "float32", "float16", "complex128", "int8", "int16", "int32", "int64",
          "uint8", "uint64", "bool", "object", "str"]
#: Arguments at most this large are small enough for the definitional twin and the
#: memory guard.
SMALL = 64
MAX_NAMES = ("x", "kernel_size", "stride", "padding", "dilation", "ceil_mode",
             "return_indices", "ndim", "grad_output")
AVG_NAMES = ("x", "input_size", "kernel_size", "stride", "padding", "ceil_mode",
             "count_include_pad", "divisor_override", "ndim", "grad_output")
PER_DIM = {("max", 1): max_pool1d, ("max", 2): max_pool2d, ("max", 3): max_pool3d,
           ("avg", 1): avg_pool1d, ("avg", 2): avg_pool2d, ("avg", 3): avg_pool3d}


# ------------------------------------------------------------------------ strategies
@st.composite
def arrays(draw: st.DrawFn, shape: tuple[int, ...], dtype: str | None = None) -> np.ndarray:
    """An array of ``shape``: any dtype, small (tie-rich) values, maybe NaN/inf, any layout."""
    dt = np.dtype(dtype or draw(st.sampled_from(DTYPES)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    size = int(np.prod(shape))
    if dt.kind in "fc":
        a = rng.integers(-4, 5, size).astype(dt)
        if size and draw(st.integers(0, 3)) == 0:
            a[rng.integers(0, size, 2)] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    elif dt.kind in "iu":
        a = rng.integers(0 if dt.kind == "u" else -9, 10, size).astype(dt)
    elif dt.kind == "b":
        a = rng.integers(0, 2, size).astype(bool)
    else:
        a = np.array([str(v) for v in rng.integers(0, 9, size)], dtype=dt)
    return any_layout(draw, a.reshape(shape))


def maybe_bad(draw: st.DrawFn, good: st.SearchStrategy[Any], bad_rate: int = 8) -> Any:
    if draw(st.integers(0, bad_rate - 1)) == 0:
        return draw(st.sampled_from(BAD))
    return draw(good)


def per_axis(n: int, lo: int, hi: int) -> st.SearchStrategy[Any]:
    return st.one_of(st.integers(lo, hi), st.integers(lo, hi),
                     st.lists(st.integers(lo, hi), min_size=n, max_size=n).map(tuple),
                     st.lists(st.integers(lo, hi), min_size=1, max_size=1))


@st.composite
def pool_call(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """One pooling call: ``n`` spatial axes, how they are named (per-dimension function,
    ``ndim=`` or nothing), the input and the arguments — mostly valid, sometimes not."""
    n = draw(st.sampled_from([1, 1, 2, 2, 3, 4]))
    style = draw(st.sampled_from(["per_dim", "ndim", "none"] if n <= 3 else ["ndim", "none"]))
    k = draw(per_axis(n, 1, 3))
    kw: dict[str, Any] = {"kernel_size": maybe_bad(draw, st.just(k))}
    if draw(st.booleans()):
        kw["stride"] = maybe_bad(draw, st.one_of(st.none(), per_axis(n, 1, 3)))
    if draw(st.booleans()):
        kw["padding"] = maybe_bad(draw, per_axis(n, 0, 1))
    if draw(st.booleans()):
        kw["ceil_mode"] = maybe_bad(draw, st.booleans())
    if kind == "max":
        if draw(st.booleans()):
            kw["dilation"] = maybe_bad(draw, per_axis(n, 1, 2))
    else:
        if draw(st.booleans()):
            kw["count_include_pad"] = maybe_bad(draw, st.booleans())
        if draw(st.booleans()):
            kw["divisor_override"] = maybe_bad(
                draw, st.one_of(st.none(), st.integers(-5, 5), st.sampled_from([-(2**63)])))
    if style == "ndim":
        kw["ndim"] = maybe_bad(draw, st.just(n), bad_rate=10)
    rank = draw(st.sampled_from([n + 1, n + 2, n + 2]) if draw(st.integers(0, 9))
                else st.integers(0, 6))
    dims = [draw(st.integers(1, 5) if draw(st.integers(0, 11)) else st.integers(0, 2))
            for _ in range(rank)]
    x = draw(arrays(tuple(dims)))
    return {"n": n, "style": style, "x": x, "kwargs": kw}


# ------------------------------------------------------------------------ oracles
def _plain_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _plain(name: str, v: Any) -> bool:
    """A value PyTorch and convmath should read the same way."""
    if name in ("ceil_mode", "return_indices", "count_include_pad"):
        return isinstance(v, bool)
    if name in ("divisor_override", "stride") and v is None:
        return True
    if name in ("divisor_override", "ndim"):
        return _plain_int(v)
    return _plain_int(v) or (isinstance(v, (tuple, list)) and all(_plain_int(e) for e in v))


def _axes(call: dict[str, Any]) -> int | None:
    """The number of spatial axes convmath must use, or None if the call is ambiguous."""
    kw = call["kwargs"]
    if call["style"] == "per_dim":
        return int(call["n"])
    if "ndim" in kw:
        return int(kw["ndim"]) if _plain_int(kw["ndim"]) and kw["ndim"] >= 1 else None
    lengths = {len(v) for k, v in kw.items() if isinstance(v, (tuple, list)) and len(v) > 1}
    if len(lengths) > 1:
        return None
    if lengths:
        return lengths.pop()
    if any(isinstance(v, (tuple, list)) and len(v) == 1 for v in kw.values()):
        return 1
    return 1 if call["x"].ndim == 2 else None


def _big(kw: dict[str, Any]) -> bool:
    vals = [v for v in kw.values() if not isinstance(v, bool)]
    flat = [e for v in vals for e in (v if isinstance(v, (tuple, list)) else [v])]
    return any(_plain_int(e) and abs(int(e)) > SMALL for e in flat)


def _torch_ok(kw: dict[str, Any]) -> bool:
    """Every argument plain (read alike by PyTorch and convmath) and small."""
    return all(_plain(k, v) for k, v in kw.items()) and not _big(kw)


def _torch_run(fn: Any) -> tuple[Any, bool]:
    try:
        with torch.no_grad():
            return fn(), True
    except Exception:  # any refusal by PyTorch: the oracle then falls back
        return None, False


def _check(got: Any, want: Any, dtype: np.dtype[Any], *, exact: bool) -> None:
    got_t = got if isinstance(got, tuple) else (got,)
    want_t = want if isinstance(want, tuple) else (want,)
    assert len(got_t) == len(want_t)
    for g, w in zip(got_t, want_t, strict=True):
        w = w.numpy() if isinstance(w, torch.Tensor) else np.asarray(w)
        assert g.shape == w.shape, (g.shape, w.shape)
        if exact or g.dtype.kind in "iu":
            np.testing.assert_array_equal(g, w.astype(g.dtype, copy=False))
        else:
            # the result's precision decides (float32 grad_output for an int64 input ...)
            tol = max(1e-12, 10 * float(np.finfo(g.dtype).resolution))
            wide = np.complex128 if "c" in (g.dtype.kind, w.dtype.kind) else np.float64
            np.testing.assert_allclose(g.astype(wide), w.astype(wide), rtol=tol, atol=tol)


_TORCH_DTYPES = {"float64", "float32", "float16", "int8", "int16", "int32", "int64", "uint8"}


def _named(call: dict[str, Any], kw: dict[str, Any]) -> dict[str, Any]:
    """``kw`` with the ``ndim`` a per-dimension function passes (for the definitional twins)."""
    return {**kw, "ndim": call["n"]} if call["style"] == "per_dim" else kw


def _ours(kind: str, call: dict[str, Any]) -> Any:
    base = max_pool if kind == "max" else avg_pool
    return PER_DIM[(kind, call["n"])] if call["style"] == "per_dim" else base


def _settle(res: Any, err: Any, want: Any, torch_ok: bool, call: dict[str, Any],
            definitional: Any, names: tuple[str, ...], exact: bool) -> None:
    """Apply the contract of the module docstring to one outcome."""
    kw, x = call["kwargs"], call["x"]
    if err is not None:
        if torch_ok:  # only the documented divergences
            assert ("holds no input element" in str(err) or _big(kw)
                    or not all(_plain(k, v) for k, v in kw.items())), str(err)
        assert_names(err, *names)
        return
    if torch_ok:
        _check(res, want, x.dtype, exact=exact)
    else:  # convmath accepted: its windows fit in memory, so the loops are affordable
        _check(res, definitional(), x.dtype, exact=exact)


# ------------------------------------------------------------------------ tests
@FUZZ
@given(pool_call("max"), st.booleans())
def test_fuzz_max_pool(call: dict[str, Any], indices: bool) -> None:
    kw, x, n = dict(call["kwargs"]), call["x"], _axes(call)
    if indices:
        kw["return_indices"] = True
    res, err = outcome(_ours("max", call), x, **kw)
    want, torch_ok = None, False
    tkw = {k: v for k, v in kw.items() if k != "ndim"}
    if (n in (1, 2, 3) and x.dtype.name in _TORCH_DTYPES
            and _torch_ok(kw)):
        want, torch_ok = _torch_run(
            lambda: getattr(F, f"max_pool{n}d")(torch.from_numpy(x.copy()), **tkw))
    dkw = {k: v for k, v in _named(call, kw).items() if k != "return_indices"}

    def definitional() -> Any:
        vals, idx = definitional_max_pool(x, **dkw)
        return (vals, idx) if indices else vals

    _settle(res, err, want, torch_ok, call, definitional, MAX_NAMES, exact=True)


@FUZZ
@given(pool_call("avg"))
def test_fuzz_avg_pool(call: dict[str, Any]) -> None:
    kw, x, n = call["kwargs"], call["x"], _axes(call)
    res, err = outcome(_ours("avg", call), x, **kw)
    want, torch_ok = None, False
    tkw = {k: v for k, v in kw.items() if k != "ndim"}
    if (n in (1, 2, 3) and x.dtype.name in _TORCH_DTYPES
            and _torch_ok(kw)
            and not (n == 1 and tkw.get("divisor_override") is not None)):
        tkw.pop("divisor_override", None) if n == 1 else None
        want, torch_ok = _torch_run(
            lambda: getattr(F, f"avg_pool{n}d")(torch.from_numpy(x.copy()), **tkw))
    _settle(res, err, want, torch_ok, call,
            lambda: definitional_avg_pool(x, **_named(call, kw)), AVG_NAMES, exact=False)


def _grad_output(draw: st.DrawFn, shape: tuple[int, ...] | None) -> Any:
    """A grad_output of the right shape when known (mostly), else a random or bad one."""
    if shape is not None and draw(st.integers(0, 7)):
        return draw(arrays(shape, draw(st.sampled_from(["float64", "float32", "int64",
                                                        "int8", "uint8", "complex128"]))))
    if draw(st.booleans()):
        return draw(st.sampled_from(BAD))
    return draw(arrays(tuple(draw(st.lists(st.integers(0, 3), max_size=5)))))


def _torch_input_grad(fn: Any, x: np.ndarray, gy: Any, tkw: dict[str, Any]) -> tuple[Any, bool]:
    """PyTorch's ∂L/∂x (float64 input, float64 grad_output), if it accepts the call."""
    if not isinstance(gy, np.ndarray) or gy.dtype.kind not in "fiu" or x.dtype.kind not in "fiu":
        return None, False
    try:
        xt = torch.from_numpy(x.astype(np.float64)).requires_grad_(True)
        out = fn(xt, **tkw)
        y = out[0] if isinstance(out, tuple) else out
        if tuple(y.shape) != gy.shape:
            return None, False
        (gx,) = torch.autograd.grad(y, xt, torch.from_numpy(gy.astype(np.float64)))
        return gx, True
    except Exception:
        return None, False


@FUZZ
@given(pool_call("max"), st.data())
def test_fuzz_max_pool_grad(call: dict[str, Any], data: st.DataObject) -> None:
    kw, x, n = call["kwargs"], call["x"], _axes(call)
    if call["style"] == "per_dim":  # there are no per-dimension gradients: name the axes
        kw = {**kw, "ndim": call["n"]}
        call = {**call, "style": "ndim", "kwargs": kw}
    y, _ = outcome(max_pool, x, **kw)
    gy = _grad_output(data.draw, None if y is None else y.shape)
    res, err = outcome(max_pool_grad, x, gy, **kw)
    want, torch_ok = None, False
    tkw = {k: v for k, v in kw.items() if k != "ndim"}
    if (n in (1, 2, 3) and x.dtype.name in _TORCH_DTYPES and x.dtype.kind == "f"
            and _torch_ok(kw)):
        want, torch_ok = _torch_input_grad(getattr(F, f"max_pool{n}d"), x, gy, tkw)
        # integer grad_output: convmath sums exactly in int64, torch in float64: equal here
    _settle(res, err, want, torch_ok, call,
            lambda: definitional_max_pool_grad(x, gy, **kw), MAX_NAMES, exact=False)


@FUZZ
@given(pool_call("avg"), st.data())
def test_fuzz_avg_pool_grad(call: dict[str, Any], data: st.DataObject) -> None:
    kw, x, n = call["kwargs"], call["x"], _axes(call)
    if call["style"] == "per_dim":
        kw = {**kw, "ndim": call["n"]}
        call = {**call, "style": "ndim", "kwargs": kw}
    y, _ = outcome(avg_pool, x, **kw)
    gy = _grad_output(data.draw, None if y is None else y.shape)
    size: Any = data.draw(st.sampled_from(["tuple", "list", "array"]))
    input_size = {"tuple": tuple(x.shape), "list": list(x.shape), "array": x}[size]
    res, err = outcome(avg_pool_grad, input_size, gy, **kw)
    want, torch_ok = None, False
    tkw = {k: v for k, v in kw.items() if k != "ndim"}
    if (n in (1, 2, 3) and _torch_ok(kw)
            and not (n == 1 and tkw.get("divisor_override") is not None)):
        tkw.pop("divisor_override", None) if n == 1 else None
        want, torch_ok = _torch_input_grad(getattr(F, f"avg_pool{n}d"),
                                           np.zeros(x.shape), gy, tkw)
    _settle(res, err, want, torch_ok, call,
            lambda: definitional_avg_pool_grad(tuple(x.shape), gy, **kw), AVG_NAMES,
            exact=False)


@pytest.mark.parametrize("fn", [max_pool, avg_pool])
def test_every_all_int_call_on_a_3d_or_larger_input_is_refused(fn: Any) -> None:
    """No guessing: with int arguments only a 2-d input has a single reading."""
    for rank in range(3, 7):
        _, err = outcome(fn, np.zeros((1,) * rank), 1)
        assert err is not None and "pass ndim=" in str(err)
        assert_names(err, "ndim")
