"""Backends: torch (device), jax, custom converter pairs; tolerance-model unit checks."""

from __future__ import annotations

import numpy as np
import pytest

from convmath import ConvCheckFailure
from convmath.testing import check_conv, check_max_pool
from convmath.testing._tolerance import (
    compare_elementwise,
    exact_limit,
    gamma,
    round_to_dtype,
    unit_roundoff,
)


def test_unit_roundoff_and_gamma_from_the_formula() -> None:
    assert unit_roundoff("float64") == 2.0**-53
    assert unit_roundoff("bfloat16") == 2.0**-8
    assert exact_limit("float16") == 2048
    u = 2.0**-24
    assert gamma(10, "float32") == pytest.approx(10 * u / (1 - 10 * u), rel=1e-15)
    assert gamma(2**25, "float32") == np.inf


def test_round_to_bfloat16_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(1000) * 100
    want = torch.from_numpy(x).to(torch.bfloat16).to(torch.float64).numpy()
    assert np.array_equal(round_to_dtype(x, "bfloat16"), want)


def test_exact_mode_requires_equality_and_real_mode_allows_the_bound() -> None:
    e = np.array([3.0, 5.0])
    s = np.array([3.0, 5.0])
    assert not compare_elementwise(e, e + np.array([0, 2.0**-20]), s, 4, "float32",
                                   integer_valued=True).ok
    bound = (gamma(5, "float32") + 2 * gamma(5, "float64")) * 5.0
    assert compare_elementwise(e, e + np.array([0, 0.9 * bound]), s, 4, "float32",
                               integer_valued=False).ok
    assert not compare_elementwise(e, e + np.array([0, 1.1 * bound]), s, 4, "float32",
                                   integer_valued=False).ok


def test_jax_backend_passes_lax_and_catches_a_flip() -> None:
    jax = pytest.importorskip("jax")

    def conv1d(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
        one = lambda v: (v,) if isinstance(v, int) else tuple(v)  # noqa: E731
        pad = padding.upper() if isinstance(padding, str) else [(p, p) for p in one(padding)]
        y = jax.lax.conv_general_dilated(x, w, one(stride), pad, rhs_dilation=one(dilation),
                                         feature_group_count=groups)
        return y if bias is None else y + bias[None, :, None]

    check_conv(conv1d, ndim=1, backend="jax", dtypes=("float32",), max_examples=25, seed=0)

    def flipped(x, w, **kw):  # type: ignore[no-untyped-def]
        return conv1d(x, w[..., ::-1], **kw)

    with pytest.raises(ConvCheckFailure, match="flipped kernel"):
        check_conv(flipped, ndim=1, backend="jax", dtypes=("float32",), max_examples=40,
                   seed=0)


def test_torch_device_cpu_and_float16_max_pool() -> None:
    torch = pytest.importorskip("torch")
    check_max_pool(torch.nn.functional.max_pool2d, backend="torch", device="cpu",
                   dtypes=("float16", "bfloat16"), max_examples=40, seed=0)
