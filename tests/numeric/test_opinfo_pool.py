"""PyTorch's own OpInfo sample inputs for max_pool{1,2,3}d / avg_pool{1,2,3}d, passed to
convmath.numeric (issue 7).

Every sample of ``torch.testing._internal.common_methods_invocations.op_db`` for these six
ops (batched and unbatched inputs, int and tuple arguments, ceil_mode, dilation, negative
``divisor_override``, with and without ``return_indices``) goes to the per-dimension
function (``max_pool2d`` ...) and to the generic one with ``ndim=``; the values, indices
and shapes must equal torch's, the gradients (``max_pool_grad``/``avg_pool_grad``) must
equal autograd's, and a sample torch refuses must be refused with InvalidArgument. Before
issue 7, 64 of the 2904 float64 samples gave a different result and 322 were refused.
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import convmath.numeric as num
from convmath import InvalidArgument

torch = pytest.importorskip("torch")
pytest.importorskip("expecttest")  # needed by torch.testing._internal

OPS = [f"{kind}_pool{n}d" for kind in ("max", "avg") for n in (1, 2, 3)]
# the samples of torch 2.13 (a floor: a later torch may add some, never silently drop all)
MIN_SAMPLES = {"max_pool1d": 800, "max_pool2d": 1400, "max_pool3d": 500,
               "avg_pool1d": 9, "avg_pool2d": 7, "avg_pool3d": 8}


@pytest.fixture(scope="module")
def op_db() -> Iterator[dict[str, Any]]:
    from torch.testing._internal.common_methods_invocations import op_db as db

    found = {op.name.removeprefix("nn.functional."): op for op in db
             if op.name.removeprefix("nn.functional.") in OPS and not op.variant_test_name}
    assert sorted(found) == sorted(OPS), sorted(found)
    # torch's thread pool costs ~10 ms a call on these tiny samples on a busy machine
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield found
    finally:
        torch.set_num_threads(threads)


def _np(value: Any) -> Any:
    return value.detach().numpy() if isinstance(value, torch.Tensor) else value


def _torch_call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, Exception | None]:
    try:
        return fn(*args, **kwargs), None
    except (RuntimeError, ValueError, TypeError, IndexError) as exc:
        return None, exc


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)


def _assert_same(got: Any, want: Any, dtype: Any, what: str) -> None:
    """Same shapes and dtypes; max pooling values and indices exactly equal, averages to
    a few ulps (the cheap comparisons first: there are thousands of samples)."""
    got_t, want_t = _as_tuple(got), _as_tuple(want)
    assert len(got_t) == len(want_t), what
    for g, w in zip(got_t, want_t, strict=True):
        w = w.detach().numpy()
        assert g.shape == w.shape and g.dtype == w.dtype, (what, g.shape, w.shape)
        if np.array_equal(g, w, equal_nan=True):
            continue
        if w.dtype == np.int64 or what.startswith("max"):
            np.testing.assert_array_equal(g, w, err_msg=what)  # values and indices: exact
        else:
            tol = 1e-14 if dtype == torch.float64 else 1e-6
            np.testing.assert_allclose(g, w, rtol=tol, atol=tol, err_msg=what)


@pytest.mark.parametrize("name", OPS)
def test_opinfo_samples_agree_with_torch(name: str, op_db: dict[str, Any]) -> None:
    op = op_db[name]
    nd = int(name[-2])
    ours = getattr(num, name)
    generic = num.max_pool if name.startswith("max") else num.avg_pool
    grad = num.max_pool_grad if name.startswith("max") else num.avg_pool_grad
    sig = inspect.signature(ours)
    tally: Counter[str] = Counter()
    # float32 only for the averages (a rounding check); max pooling selects, so its float32
    # path is the float64 one
    for dtype in (torch.float64,) if name.startswith("max") else (torch.float64, torch.float32):
        for sample in op.sample_inputs("cpu", dtype, requires_grad=dtype == torch.float64):
            x = sample.input
            args = [_np(a) for a in sample.args]
            kwargs = {k: _np(v) for k, v in sample.kwargs.items()}
            what = f"{name}{tuple(x.shape)} args={args} kwargs={kwargs} {dtype}"
            want, refused = _torch_call(op.op, x, *sample.args, **sample.kwargs)
            if refused is not None:
                with pytest.raises(InvalidArgument):
                    ours(_np(x), *args, **kwargs)
                tally["refused by both"] += 1
                continue
            got = ours(_np(x), *args, **kwargs)
            _assert_same(got, want, dtype, what)
            tally[str(dtype)] += 1
            if dtype != torch.float64:  # float32: the forward only
                continue
            _assert_same(generic(_np(x), *args, **kwargs, ndim=nd), want, dtype, what)
            if kwargs.get("return_indices"):  # the same gradient as without the indices
                continue
            # the input gradient against autograd, for a fixed non-trivial grad_output
            y = _as_tuple(want)[0]
            gy = torch.cos(torch.arange(y.numel(), dtype=dtype)).reshape(y.shape)
            (want_gx,) = torch.autograd.grad(y, x, gy)
            bound = sig.bind(_np(x), *args, **kwargs).arguments
            del bound["x"]
            bound.pop("return_indices", None)
            first = _np(x) if name.startswith("max") else tuple(x.shape)
            got_gx = grad(first, gy.numpy(), **bound, ndim=nd)
            if not np.allclose(got_gx, want_gx.numpy(), rtol=1e-13, atol=1e-15):
                np.testing.assert_allclose(got_gx, want_gx.numpy(), rtol=1e-13, atol=1e-15,
                                           err_msg=f"gradient of {what}")
            tally["gradients"] += 1
    assert tally["torch.float64"] >= MIN_SAMPLES[name], tally
