"""Every pooling and signal mutant is caught, most with the right diagnosis."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import pool_signal_mutants as m
import pytest

from convmath import ConvCheckFailure
from convmath.testing import (
    check_avg_pool,
    check_avg_pool_grad,
    check_convolve,
    check_correlate,
    check_max_pool,
    check_max_pool_grad,
)

pytestmark = [pytest.mark.slow, pytest.mark.dev_sample]  # see tests/conftest.py

CASES = (
    [(check_max_pool, n, *v) for n, v in m.MAX_POOL.items()]
    + [(check_avg_pool, n, *v) for n, v in m.AVG_POOL.items()]
    + [(check_correlate, n, *v) for n, v in m.CORRELATE.items()]
    + [(check_convolve, n, *v) for n, v in m.CONVOLVE.items()]
    + [(check_max_pool_grad, n, *v) for n, v in m.MAX_POOL_GRAD.items()]
    + [(check_avg_pool_grad, n, *v) for n, v in m.AVG_POOL_GRAD.items()]
)


@pytest.mark.parametrize(("checker", "name", "mutant", "diagnosis"), CASES,
                         ids=[c[1] for c in CASES])
def test_checker_catches_mutant(checker: Callable[..., Any], name: str,
                                mutant: Callable[..., Any], diagnosis: str | None) -> None:
    with pytest.raises(ConvCheckFailure) as info:
        checker(mutant, seed=1)
    if diagnosis is not None:
        line = str(info.value).split("diagnosis:")[1].splitlines()[0]
        assert diagnosis in line, str(info.value)


def test_fft_losing_precision_is_caught_even_normwise() -> None:
    with pytest.raises(ConvCheckFailure):
        check_convolve(m.convolve_fft_loses_small, tolerance="normwise", dtypes=("float64",),
                       seed=1)


def test_max_pool_indices_last_maximum_is_caught() -> None:
    def last_max(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # type: ignore[no-untyped-def]
                 return_indices=False):
        import convmath.numeric as num

        flipped = num.max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, True,
                               ndim=x.ndim - 2)
        vals, _ = flipped
        from convmath.testing._pool import pool_windows  # a helper to build the bug

        nd = x.ndim - 2
        k = [kernel_size] * nd if isinstance(kernel_size, int) else list(kernel_size)
        st = k if stride is None else ([stride] * nd if isinstance(stride, int) else list(stride))
        p = [padding] * nd if isinstance(padding, int) else list(padding)
        d = [dilation] * nd if isinstance(dilation, int) else list(dilation)
        w, inb, _, flat = pool_windows(x, k, st, p, d, ceil_mode)
        w = m.np.where(inb, w, -m.np.inf).reshape(*w.shape[: 2 + nd], -1)
        arg = w.shape[-1] - 1 - m.np.argmax(w[..., ::-1], axis=-1)
        fl = m.np.broadcast_to(flat, inb.shape).reshape(*inb.shape[:nd], -1)
        idx = m.np.take_along_axis(m.np.broadcast_to(fl, w.shape), arg[..., None], -1)[..., 0]
        return vals, idx

    with pytest.raises(ConvCheckFailure, match="last maximum"):
        check_max_pool(last_max, return_indices=True, seed=1)
