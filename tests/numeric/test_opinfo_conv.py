"""PyTorch's own OpInfo sample inputs for conv{1,2,3}d and conv_transpose{1,2,3}d.

Every sample that ``torch.testing._internal.common_methods_invocations.op_db`` generates for
``nn.functional.conv{1,2,3}d`` (including its ``padding='same'``/``'valid'`` samples) and
``nn.functional.conv_transpose{1,2,3}d`` is passed to :func:`convmath.numeric.conv` /
:func:`convmath.numeric.conv_transpose` in float64, float32 and complex128; the result must
equal torch's. On the conv samples, ``conv_input_grad``/``conv_weight_grad``/
``conv_bias_grad`` must equal torch's autograd for a random ``grad_output`` (complex:
convmath's gradients are bilinear, torch's conjugate-linear, so the conjugate operand is
passed). The op's ``error_inputs`` (where torch raises) must raise InvalidArgument, except
torch's refusal to mix dtypes, which convmath documents as NumPy promotion: there the result
must equal torch's on the promoted operands.

Importing ``op_db`` takes ~4-5 s (it builds every OpInfo of PyTorch); the samples themselves
~0.5 s. The module is imported once, in a module-scoped fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from convmath import InvalidArgument
from convmath.numeric import (
    conv,
    conv_bias_grad,
    conv_input_grad,
    conv_transpose,
    conv_weight_grad,
)

torch = pytest.importorskip("torch")
pytest.importorskip("expecttest")

CONV_OPS = [f"nn.functional.conv{n}d" for n in (1, 2, 3)]
TRANSPOSE_OPS = [f"nn.functional.conv_transpose{n}d" for n in (1, 2, 3)]
#: relative tolerance per dtype; the absolute one is that times the largest |value|
DTYPES = {"float64": 1e-12, "float32": 1e-5, "complex128": 1e-12}


@pytest.fixture(scope="module")
def ops() -> Iterator[dict[str, Any]]:
    from torch.testing._internal.common_methods_invocations import op_db

    found = {op.name: op for op in op_db if op.name in CONV_OPS + TRANSPOSE_OPS}
    assert sorted(found) == sorted(CONV_OPS + TRANSPOSE_OPS), sorted(found)
    # torch's grouped/3-D kernels on these tiny samples take ~0.1 s each with its thread
    # pool on a busy machine, ~0.1 ms with one thread
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield found
    finally:
        torch.set_num_threads(threads)


def _np(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().resolve_conj().numpy().copy()
    return value


def _samples(op: Any, dtype: str) -> list[tuple[Any, Any, Any, dict[str, Any]]]:
    """``(x, w, bias, kwargs)`` of every sample, as torch tensors."""
    out = []
    for s in op.sample_inputs("cpu", getattr(torch, dtype), requires_grad=False):
        w, *rest = s.args
        bias = rest[0] if rest else s.kwargs.get("bias")
        kwargs = {k: v for k, v in s.kwargs.items() if k != "bias"}
        out.append((s.input, w, bias, kwargs))
    return out


def _close(ours: np.ndarray, theirs: Any, dtype: str, what: str) -> None:
    rtol = DTYPES[dtype]
    expected = _np(theirs)
    assert ours.shape == expected.shape, what
    assert ours.dtype == expected.dtype, what
    atol = rtol * max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    np.testing.assert_allclose(ours, expected, rtol=rtol, atol=atol, err_msg=what)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("dtype", list(DTYPES))
def test_conv_samples_match_torch(ops: dict[str, Any], dtype: str) -> None:
    count = 0
    for name in CONV_OPS:
        fn = getattr(torch.nn.functional, name.rsplit(".", 1)[1])
        for x, w, b, kw in _samples(ops[name], dtype):
            what = f"{name} x={tuple(x.shape)} w={tuple(w.shape)} bias={b is not None} {kw}"
            y = conv(_np(x), _np(w), _np(b), **kw)
            _close(y, fn(x, w, b, **kw), dtype, what)
            count += 1
    assert count == 60  # 10 + 30 + 20 samples (torch 2.x); a change here is worth a look


@pytest.mark.parametrize("dtype", list(DTYPES))
def test_conv_transpose_samples_match_torch(ops: dict[str, Any], dtype: str) -> None:
    count = 0
    for name in TRANSPOSE_OPS:
        fn = getattr(torch.nn.functional, name.rsplit(".", 1)[1])
        for x, w, b, kw in _samples(ops[name], dtype):
            what = f"{name} x={tuple(x.shape)} w={tuple(w.shape)} bias={b is not None} {kw}"
            y = conv_transpose(_np(x), _np(w), _np(b), **kw)
            _close(y, fn(x, w, b, **kw), dtype, what)
            count += 1
    assert count == 32


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("dtype", ["float64", "complex128"])
def test_conv_gradients_match_torch_autograd(ops: dict[str, Any], dtype: str) -> None:
    gen = torch.Generator().manual_seed(7)
    count = 0
    for name in CONV_OPS:
        fn = getattr(torch.nn.functional, name.rsplit(".", 1)[1])
        for x, w, b, kw in _samples(ops[name], dtype):
            what = f"{name} x={tuple(x.shape)} w={tuple(w.shape)} {kw}"
            xt = x.detach().clone().requires_grad_(True)
            wt = w.detach().clone().requires_grad_(True)
            bt = None if b is None else b.detach().clone().requires_grad_(True)
            y = fn(xt, wt, bt, **kw)
            g = torch.randn(y.shape, dtype=y.dtype, generator=gen)
            y.backward(g)
            grad_kw = {k: v for k, v in kw.items() if k in ("stride", "padding", "dilation",
                                                            "groups")}
            # bilinear (convmath) vs conjugate-linear (torch autograd): pass conj operands
            dx = conv_input_grad(tuple(x.shape), _np(w).conj(), _np(g), **grad_kw)
            dw = conv_weight_grad(_np(x).conj(), tuple(w.shape), _np(g), **grad_kw)
            _close(dx, xt.grad, dtype, "input grad " + what)
            _close(dw, wt.grad, dtype, "weight grad " + what)
            if bt is not None:
                db = conv_bias_grad(_np(g), spatial_dims=w.ndim - 2)
                _close(db, bt.grad, dtype, "bias grad " + what)
            count += 1
    assert count == 60


def test_conv_error_inputs_are_refused_or_promoted(ops: dict[str, Any]) -> None:
    refused = promoted = 0
    for name in CONV_OPS:
        fn = getattr(torch.nn.functional, name.rsplit(".", 1)[1])
        for err in ops[name].error_inputs("cpu"):
            s = err.sample_input
            w, *rest = s.args
            b = rest[0] if rest else None
            with pytest.raises(err.error_type):
                fn(s.input, w, b, **s.kwargs)
            dtypes = {t.dtype for t in (s.input, w, b) if t is not None}
            if len(dtypes) > 1:
                # torch refuses mixed dtypes; convmath promotes (documented in conv)
                common = torch.promote_types(*dtypes) if len(dtypes) == 2 else torch.float64
                tb = None if b is None else b.to(common)
                expected = fn(s.input.to(common), w.to(common), tb, **s.kwargs)
                _close(conv(_np(s.input), _np(w), _np(b), **s.kwargs), expected, "float64",
                       f"{name} mixed dtypes {dtypes}")
                promoted += 1
                continue
            with pytest.raises(InvalidArgument):
                conv(_np(s.input), _np(w), _np(b), **s.kwargs)
            refused += 1
    assert (refused, promoted) == (24, 6)
