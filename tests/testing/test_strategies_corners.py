"""The strategies reach the corners the red team found unreached, often enough.

Counts are taken over a fixed, derandomized run of each strategy (no Hypothesis database),
so they are reproducible; the thresholds are well below the designed rates (long
accumulation 1/8, typical layer 1/4, non-finite pooling input about 1/12, signal
dynamic-range case about 1/8 of real cases) so that they test the design, not the seed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from convmath.testing import strategies as sts
from convmath.testing.strategies import Case


def _sample(strategy: Any, n: int = 300) -> list[Case]:
    out: list[Case] = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(case: Case) -> None:
        out.append(case)

    collect()
    return out


def _count(cases: list[Case], pred: Callable[[Case], bool]) -> int:
    return sum(1 for c in cases if pred(c))


def _long_float64(c: Case) -> bool:
    return c.dtype == "float64" and not c.integer_valued and c.terms >= 300


@pytest.mark.parametrize("make", [sts.conv_cases, sts.conv_transpose_cases,
                                  sts.conv_input_grad_cases, sts.conv_weight_grad_cases])
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_long_float64_accumulations_are_drawn(make: Any, ndim: int) -> None:
    cases = _sample(make(ndim), 200)
    assert _count(cases, _long_float64) >= 5  # designed ≈ 1/8 of draws; red team saw 0


def _plain_single_channel(c: Case) -> bool:
    x, w = c.args["input"], c.args["weight"]
    kw = c.kwargs
    return (x.shape[1] == 1 and w.shape[0] == 1 and min(w.shape[2:]) > 1
            and kw.get("stride") in (1, (1, 1)) and kw.get("dilation") in (1, (1, 1)))


def test_typical_layers_reach_plain_single_channel_convs() -> None:
    # designed at ≈ 1/4 (typical) · 1/4 (C_in = 1) · 5/8 (C_out = 1) · 1/2 (stride 1) ≈ 2 %
    cases = _sample(sts.conv_cases(2, padding_modes=("explicit", "same", "valid")), 500)
    assert _count(cases, _plain_single_channel) >= 4
    three = _count(cases, lambda c: c.args["weight"].shape[2:] == (3, 3)
                   and c.kwargs.get("dilation") in (1, (1, 1)))
    assert three >= 75  # typical layers alone are designed at ≈ 1/4 = 125


def test_channel_counts_17_to_40_are_common() -> None:
    cases = _sample(sts.conv_cases(2), 300)
    assert _count(cases, lambda c: 17 <= c.args["input"].shape[1] <= 40
                  and c.args["input"].shape[1] % 8 != 0) >= 5


@pytest.mark.parametrize("make", [sts.max_pool_cases, sts.avg_pool_cases])
def test_pooling_draws_many_channels_large_batches_and_non_finite_values(make: Any) -> None:
    cases = _sample(make(2), 300)
    assert _count(cases, lambda c: c.args["input"].shape[1] >= 16) >= 10
    assert _count(cases, lambda c: c.args["input"].shape[0] >= 3) >= 10
    assert _count(cases, lambda c: bool(np.isnan(c.args["input"]).any())) >= 5
    assert _count(cases, lambda c: bool(np.isinf(c.args["input"]).any())) >= 5


def test_pooling_non_finite_values_can_be_declared_unsupported() -> None:
    cases = _sample(sts.max_pool_cases(2, nonfinite=False), 150)
    assert all(np.isfinite(c.args["input"]).all() for c in cases)


def test_avg_pool3d_inputs_cover_the_kernel() -> None:
    """torch's avg_pool3d refuses an input smaller than the kernel (padding not counted)."""
    cases = _sample(sts.avg_pool_cases(3), 200)
    for c in cases:
        ks = c.kwargs["kernel_size"]
        ks = (ks,) * 3 if isinstance(ks, int) else ks
        assert all(i >= k for i, k in zip(c.args["input"].shape[2:], ks, strict=True)), c


@pytest.mark.parametrize("make", [sts.convolve_cases, sts.correlate_cases])
def test_signal_dynamic_range_cases_are_drawn(make: Any) -> None:
    def wide(c: Case) -> bool:
        a = np.abs(np.concatenate([c.args["in1"].ravel(), c.args["in2"].ravel()]))
        nz = a[a > 0]
        return c.dtype == "float64" and nz.size > 2 and float(nz.max() / nz.min()) > 1e8

    assert _count(_sample(make(1), 300), wide) >= 10


def test_reproduction_recipe_rebuilds_special_values() -> None:
    """make_values(..., specials=, tail=) rebuilds the drawn arrays from the seed."""
    cases = _sample(sts.max_pool_cases(2), 300)
    case = next(c for c in cases if np.isnan(c.args["input"]).any())
    _name, shape, m, zeros, cplx, _literal, more = case.info["recipe"][0]
    rebuilt = sts.make_values(shape, case.dtype, np.random.default_rng(case.seed),
                              integer_max=m, zeros=zeros, complex_values=cplx, **more)
    np.testing.assert_array_equal(rebuilt, case.args["input"])


def test_feature_counter_sanity() -> None:
    cases = _sample(sts.conv_cases(2), 100)
    kinds = Counter(c.dtype for c in cases)
    assert set(kinds) <= {"float32", "float64"} and math.fsum(kinds.values()) == 100
