"""check_conv_transpose / check_conv_input_grad / check_conv_weight_grad: no false alarms."""

from __future__ import annotations

import pytest

import convmath.numeric as numeric
from convmath.testing import check_conv_input_grad, check_conv_transpose, check_conv_weight_grad


def test_reference_passes_its_own_checkers() -> None:
    r1 = check_conv_transpose(numeric.conv_transpose, max_examples=60, seed=0)
    r2 = check_conv_input_grad(numeric.conv_input_grad, max_examples=60, seed=0)
    r3 = check_conv_weight_grad(numeric.conv_weight_grad, max_examples=60, seed=0)
    assert min(r.examples for r in (r1, r2, r3)) > 0
    assert r1.features.get("output_padding > 0", 0) > 0
    assert r2.features.get("leftover rows", 0) > 0


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_torch_transposed_and_grads_pass(ndim: int, dtype: str) -> None:
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    kw = {"ndim": ndim, "backend": "torch", "dtypes": (dtype,), "max_examples": 25, "seed": ndim}
    check_conv_transpose(getattr(F, f"conv_transpose{ndim}d"), **kw)  # type: ignore[arg-type]
    check_conv_input_grad(getattr(torch.nn.grad, f"conv{ndim}d_input"), **kw)  # type: ignore[arg-type]
    check_conv_weight_grad(getattr(torch.nn.grad, f"conv{ndim}d_weight"), **kw)  # type: ignore[arg-type]
