"""The max-pool selection contract (ties, NaN, ±inf, padding) against PyTorch.

``convmath.numeric.max_pool`` / ``max_pool_grad`` select, in each window, what PyTorch's
CPU kernels select: the in-bounds taps scanned in row-major order, a tap replacing the
choice when it is greater or NaN. So equal maxima (finite or +inf) → the first; NaN beats
everything, +inf included; several NaNs → the last; −inf only → the first in-bounds
element (never the padding). The gradient goes where the index points. Checked here on
hand-built windows in 1-, 2- and 3-d, with padding, dilation and ceil_mode, for the values,
the ``return_indices`` indices and autograd's gradient, and against the loop reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from convmath.numeric import max_pool, max_pool_grad
from convmath.numeric._pool_reference import definitional_max_pool, definitional_max_pool_grad

torch = pytest.importorskip("torch")
F = torch.nn.functional

nan, inf = np.nan, np.inf

#: (name, window values, index PyTorch selects within the window)
WINDOWS = [
    ("finite tie", [1.0, 3.0, 3.0, 2.0], 1),
    ("tie at the start", [3.0, 3.0, 1.0, 0.0], 0),
    ("one NaN", [1.0, nan, 2.0, 0.0], 1),
    ("two NaNs", [nan, 1.0, nan, 2.0], 2),
    ("three NaNs", [1.0, nan, nan, nan], 3),
    ("NaN after +inf", [inf, nan, 1.0, 0.0], 1),
    ("NaN before +inf", [nan, inf, 1.0, 0.0], 0),
    ("NaNs around +inf", [nan, inf, nan, 0.0], 2),
    ("+inf tie", [inf, inf, 1.0, 0.0], 0),
    ("-inf only", [-inf, -inf, -inf, -inf], 0),
    ("+inf among -inf", [1.0, -inf, inf, inf], 2),
]


def _torch_pool(x: np.ndarray, dtype: Any, **kw: Any) -> tuple[np.ndarray, ...]:
    """Values, indices and the autograd gradient of F.max_poolNd (grad_output 1, 2, ...)."""
    nd = x.ndim - 2
    xt = torch.tensor(x, dtype=dtype, requires_grad=True)
    y, idx = getattr(F, f"max_pool{nd}d")(xt, return_indices=True, **kw)
    gy = torch.arange(1, y.numel() + 1, dtype=dtype).reshape(y.shape)
    y.backward(gy)
    return (y.detach().double().numpy(), idx.numpy(), gy.double().numpy(),
            xt.grad.double().numpy())


def _agree(x: np.ndarray, dtype: Any = torch.float64, **kw: Any) -> np.ndarray:
    """Assert numeric (and the loop reference) equal torch on ``x``; return the indices."""
    nd = x.ndim - 2
    tv, ti, gy, tg = _torch_pool(x, dtype, **kw)
    v, i = max_pool(x, **kw, return_indices=True, ndim=nd)
    np.testing.assert_array_equal(v, tv)  # (NaN equals NaN here)
    np.testing.assert_array_equal(i, ti)
    np.testing.assert_array_equal(max_pool_grad(x, gy, **kw, ndim=nd), tg)
    dv, di = definitional_max_pool(x, **kw, ndim=nd)
    np.testing.assert_array_equal(dv, tv)
    np.testing.assert_array_equal(di, ti)
    np.testing.assert_array_equal(definitional_max_pool_grad(x, gy, **kw, ndim=nd), tg)
    return np.asarray(i)


def _embed(vals: list[float], nd: int) -> np.ndarray:
    """A window of 4 values as a 1-d (4), 2-d (2×2) or 3-d (1×2×2) input."""
    shape = {1: (4,), 2: (2, 2), 3: (1, 2, 2)}[nd]
    return np.array(vals, dtype=np.float64).reshape((1, 1, *shape))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize(("name", "vals", "want"), WINDOWS, ids=[w[0] for w in WINDOWS])
def test_one_window(name: str, vals: list[float], want: int, nd: int, dtype: str) -> None:
    x = _embed(vals, nd)
    idx = _agree(x, getattr(torch, dtype), kernel_size=x.shape[2:])
    assert idx.item() == want, name


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_minus_inf_windows_with_padding_select_the_first_in_bounds_element(nd: int) -> None:
    """A window of −inf that starts in the padding names its first in-bounds element."""
    x = np.full((1, 1, *([3] * nd)), -inf)
    idx = _agree(x, kernel_size=2, stride=2, padding=1)
    # per axis the windows start at -1 and 1: first in-bounds positions 0 and 1
    firsts = np.array([0, 1])
    grids = np.meshgrid(*([firsts] * nd), indexing="ij")
    want = np.ravel_multi_index(tuple(grids), (3,) * nd)
    np.testing.assert_array_equal(idx[0, 0], want)


def test_dilation_and_padding_minus_inf() -> None:
    """With dilation the first in-bounds tap is not the clipped window start."""
    x = np.array([[[-inf, -inf, -inf, -inf, 5.0]]])
    idx = _agree(x, kernel_size=3, stride=1, padding=1, dilation=2)
    # window 0 reads positions -1, 1, 3: its first in-bounds tap is 1, not 0
    assert idx[0, 0, 0] == 1


def test_nan_windows_with_dilation_ceil_mode_and_overlap() -> None:
    x = np.array([[[nan, 1.0, nan, 2.0, nan, 3.0, 3.0]]])
    _agree(x, kernel_size=3, stride=1, dilation=2)
    _agree(x, kernel_size=2, stride=2, padding=1, ceil_mode=True)
    _agree(x, kernel_size=3, stride=2, ceil_mode=True)


def test_2d_ties_and_nans_with_padding_and_ceil_mode() -> None:
    x = np.array([[[[1.0, 3.0, 3.0, nan, nan],
                    [3.0, -inf, inf, inf, nan],
                    [nan, 2.0, nan, -inf, -inf],
                    [-inf, -inf, 0.0, 0.0, -inf]]]])
    for kw in ({"kernel_size": 2, "stride": 1},
               {"kernel_size": (2, 3), "stride": (1, 2), "padding": (1, 1)},
               {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
               {"kernel_size": 2, "stride": 1, "dilation": (1, 2), "padding": 1}):
        _agree(x, **kw)
        _agree(x, torch.float32, **kw)


def test_3d_ties_and_nans() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(-1, 2, size=(1, 2, 3, 4, 4)).astype(np.float64)
    x[0, 0, 1, 1, 1:3] = nan
    x[0, 1, 0] = -inf
    x[0, 1, 2, 2, 2] = inf
    _agree(x, kernel_size=2, stride=1)
    _agree(x, kernel_size=(2, 2, 3), stride=(1, 2, 2), padding=(1, 1, 1), ceil_mode=True)
    _agree(x, kernel_size=2, stride=1, dilation=(1, 2, 2), padding=1)


def test_random_windows_full_of_ties_and_specials() -> None:
    """A seeded sweep: small integers (ties everywhere), NaN, +inf, −inf, all geometries."""
    rng = np.random.default_rng(0)
    for _ in range(60):
        nd = int(rng.integers(1, 4))
        k = [int(rng.integers(1, 4)) for _ in range(nd)]
        s = [int(rng.integers(1, 3)) for _ in range(nd)]
        p = [int(rng.integers(0, kk // 2 + 1)) for kk in k]
        d = [int(rng.integers(1, 3)) for _ in range(nd)]
        sizes = [d[a] * (k[a] - 1) + 1 + int(rng.integers(0, 3)) for a in range(nd)]
        x = rng.integers(-1, 2, size=(1, 2, *sizes)).astype(np.float64)
        u = rng.random(x.shape)
        x[u < 0.2] = nan
        x[(u >= 0.2) & (u < 0.3)] = -inf
        x[(u >= 0.3) & (u < 0.35)] = inf
        _agree(x, kernel_size=k, stride=s, padding=p, dilation=d,
               ceil_mode=bool(rng.integers(0, 2)))
