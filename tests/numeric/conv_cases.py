"""Hypothesis strategies for convolution test cases (shared by the conv-family tests).

A case is the geometry of one forward convolution. The strategy deliberately draws the
awkward corners: per-axis (asymmetric) kernel / stride / dilation / padding, even kernels,
1-wide and non-square inputs, 1 < groups < C, C_in ≠ C_out, and input sizes whose last
rows no window reaches ((i + 2p − d(k−1) − 1) mod s ≠ 0). Sizes stay small enough for the
definitional loops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st


@dataclass(frozen=True)
class ConvCase:
    batch: int
    c_in: int
    c_out: int
    groups: int
    spatial: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]

    @property
    def x_shape(self) -> tuple[int, ...]:
        return (self.batch, self.c_in, *self.spatial)

    @property
    def w_shape(self) -> tuple[int, ...]:
        return (self.c_out, self.c_in // self.groups, *self.kernel)

    @property
    def out_spatial(self) -> tuple[int, ...]:
        # PyTorch's formula, written out independently of convmath
        return tuple(
            (i + 2 * p - d * (k - 1) - 1) // s + 1
            for i, k, s, p, d in zip(self.spatial, self.kernel, self.stride, self.padding,
                                     self.dilation, strict=True)
        )

    @property
    def leftover(self) -> tuple[int, ...]:
        return tuple(
            (i + 2 * p - d * (k - 1) - 1) % s
            for i, k, s, p, d in zip(self.spatial, self.kernel, self.stride, self.padding,
                                     self.dilation, strict=True)
        )

    @property
    def y_shape(self) -> tuple[int, ...]:
        return (self.batch, self.c_out, *self.out_spatial)

    def kwargs(self) -> dict[str, object]:
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation,
                "groups": self.groups}

    def arrays(
        self, seed: int, dtype: type = np.float64
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Random ``x``, ``w``, ``bias`` and a ``grad_output`` of the forward output shape."""
        rng = np.random.default_rng(seed)

        def draw(shape: tuple[int, ...]) -> np.ndarray:
            if np.issubdtype(dtype, np.integer):
                return rng.integers(-9, 10, size=shape).astype(dtype)
            a = rng.standard_normal(shape)
            if np.issubdtype(dtype, np.complexfloating):
                a = a + 1j * rng.standard_normal(shape)
            return a.astype(dtype)

        return draw(self.x_shape), draw(self.w_shape), draw((self.c_out,)), draw(self.y_shape)


_LIMITS = {  # ndim -> (max kernel, max dilation, max extra input size)
    1: (5, 3, 9),
    2: (4, 3, 5),
    3: (2, 2, 3),
    4: (2, 1, 2),
}


@st.composite
def conv_cases(draw: st.DrawFn, min_ndim: int = 1, max_ndim: int = 3) -> ConvCase:
    n = draw(st.integers(min_ndim, max_ndim))
    max_k, max_d, extra = _LIMITS[n]
    groups = draw(st.integers(1, 3))
    c_in = groups * draw(st.integers(1, 3))
    c_out = groups * draw(st.integers(1, 3))
    batch = draw(st.integers(1, 2))
    kernel, stride, padding, dilation, spatial = [], [], [], [], []
    for _ in range(n):
        k = draw(st.integers(1, max_k))
        d = draw(st.integers(1, max_d))
        p = draw(st.integers(0, 2))
        s = draw(st.integers(1, 3))
        lo = max(1, d * (k - 1) + 1 - 2 * p)
        kernel.append(k)
        dilation.append(d)
        padding.append(p)
        stride.append(s)
        spatial.append(draw(st.integers(lo, lo + extra)))
    return ConvCase(batch, c_in, c_out, groups, tuple(spatial), tuple(kernel), tuple(stride),
                    tuple(padding), tuple(dilation))


seeds = st.integers(0, 2**32 - 1)
