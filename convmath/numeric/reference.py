"""Definitional convolution layer, transposed convolution and gradients — the slow twins.

Each function here has the signature of its fast namesake in :mod:`convmath.numeric` and
shares its argument validation, but computes the result by looping, in Python, over the
index formulas of docs/reference.md (per group, output position and kernel tap; only the sum
over a group's channels and the batch is vectorised). They are meant to be read against
the formulas and used on small inputs, as the independent oracle of the fast paths:

- ``conv``:            ``y[n,o,t] = b[o] + Σ_c Σ_j w[o,c,j] · x̄[n, c, s·t + d·j]``
- ``conv_input_grad``: ``dx[n,c,u] = Σ_{o,j : t=(u+p−d·j)/s ∈ ℤ, 0≤t<o_size} w[o,c,j] · g[n,o,t]``
- ``conv_weight_grad``: ``dw[o,c,j] = Σ_{n,t} g[n,o,t] · x̄[n, c, s·t + d·j]``
- ``conv_transpose``:  ``y[n,o,u] = b[o] + Σ_{c,j : t=(u+p−d·j)/s ∈ ℤ, 0≤t<i} w[c,o,j] · x[n,c,t]``
- ``conv_bias_grad``:  ``db[o] = Σ_{n,t} g[n,o,t]``

``x̄[n, c, v]`` reads ``x`` at the padded position ``v`` (``v − p_before`` in ``x``): zero
outside for ``'zeros'``, mirrored without the edge for ``'reflect'``, clamped for
``'replicate'``, wrapped for ``'circular'`` (see :func:`padded_index`); a padding zero
is multiplied by the weight like any value, so ``0 · inf = nan`` as in PyTorch. Note the gradients
are gathers (each input position collects its terms), whereas the fast paths scatter.

>>> import numpy as np
>>> conv(np.arange(5.0).reshape(1, 1, 5), np.array([[[1.0, 0.0, -1.0]]]))
array([[[-2., -2., -2.]]])
>>> padded_index(-2, 4, "reflect"), padded_index(5, 4, "replicate"), padded_index(-1, 4, "circular")
(2, 3, 3)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from convmath.numeric._conv import compute_dtype, prepare_conv
from convmath.numeric._grad import bias_grad_batched, prepare_input_grad, prepare_weight_grad
from convmath.numeric._transpose import prepare_conv_transpose
from convmath.numeric._validate import ieee_quiet

__all__ = [
    "conv",
    "conv_bias_grad",
    "conv_input_grad",
    "conv_transpose",
    "conv_weight_grad",
    "padded_index",
]


def padded_index(v: int, size: int, padding_mode: str = "zeros") -> int | None:
    """The index of ``x`` that padded position ``v`` (relative to ``x[0]``) reads, or
    ``None`` for a zero (``'zeros'`` outside ``0 … size−1``)."""
    if 0 <= v < size:
        return v
    if padding_mode == "zeros":
        return None
    if padding_mode == "replicate":
        return min(max(v, 0), size - 1)
    if padding_mode == "circular":
        return v % size
    # reflect: mirror about the first / last element, which is not repeated
    while not 0 <= v < size:
        v = -v if v < 0 else 2 * (size - 1) - v
    return v


def _read_padded(
    x: np.ndarray, channels: slice, v: Sequence[int], pads_before: Sequence[int],
    padding_mode: str,
) -> np.ndarray | None:
    """``x̄[:, channels, v]`` (all batch samples); zeros where it is a padding zero.

    A padding zero is multiplied like any other value (``0 · inf = nan``), as PyTorch's
    forward convolution and weight gradient do."""
    index = []
    for vv, pb, size in zip(v, pads_before, x.shape[2:], strict=True):
        i = padded_index(vv - pb, size, padding_mode)
        if i is None:
            at0: tuple[Any, ...] = (slice(None), channels, *(0,) * (x.ndim - 2))
            return np.zeros_like(x[at0])
        index.append(i)
    at: tuple[Any, ...] = (slice(None), channels, *index)
    return x[at]  # type: ignore[no-any-return]


@ieee_quiet
def conv(
    x: Any, w: Any, bias: Any = None, stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] | str = 0, dilation: int | Sequence[int] = 1, groups: int = 1,
    padding_mode: str = "zeros",
) -> np.ndarray:
    """Definitional :func:`convmath.numeric.conv`."""
    x, w, b, geom, mode, is_batched, dtype = prepare_conv(
        x, w, bias, stride, padding, dilation, groups, padding_mode
    )
    s, d, pads_before = geom.stride, geom.dilation, [pb for pb, _ in geom.pads]
    c_out, c_in_g = w.shape[0], w.shape[1]
    c_out_g = c_out // geom.groups
    y = np.zeros((x.shape[0], c_out, *geom.out_spatial), dtype=dtype)
    for grp in range(geom.groups):
        outs = slice(grp * c_out_g, (grp + 1) * c_out_g)
        ins = slice(grp * c_in_g, (grp + 1) * c_in_g)
        for t in np.ndindex(*geom.out_spatial):
            for j in np.ndindex(*geom.kernel):
                v = [ss * tt + dd * jj for ss, tt, dd, jj in zip(s, t, d, j, strict=True)]
                xv = _read_padded(x, ins, v, pads_before, mode)  # (N, C_in/groups)
                if xv is not None:
                    # y[n, o, t] += Σ_c w[o, c, j] · x̄[n, c, s·t + d·j]
                    y_at, w_at = (slice(None), outs, *t), (outs, slice(None), *j)
                    y[y_at] += xv.astype(dtype) @ w[w_at].astype(dtype).T
    if b is not None:
        y += b.astype(dtype).reshape((-1,) + (1,) * geom.ndim)
    return y if is_batched else y[0]


def _gather_transposed(
    g: np.ndarray, w: np.ndarray, size: Sequence[int], stride: Sequence[int],
    padding: Sequence[int], dilation: Sequence[int], groups: int, dtype: np.dtype[Any],
) -> np.ndarray:
    """``r[n, c, u] = Σ_{o,j : t=(u+p−d·j)/s ∈ ℤ, 0≤t<g_size} w[o, c, j] · g[n, o, t]``.

    ``g``: ``(N, C_o, *t)``, ``w``: ``(C_o, C_c/groups, *k)``, result ``(N, C_c, *size)``.
    """
    c_o, c_c_g = w.shape[0], w.shape[1]
    c_o_g = c_o // groups
    t_size = g.shape[2:]
    r = np.zeros((g.shape[0], c_c_g * groups, *size), dtype=dtype)
    for grp in range(groups):
        os_ = slice(grp * c_o_g, (grp + 1) * c_o_g)
        cs = slice(grp * c_c_g, (grp + 1) * c_c_g)
        for u in np.ndindex(*size):
            for j in np.ndindex(*w.shape[2:]):
                num = [uu + pp - dd * jj for uu, pp, dd, jj in zip(u, padding, dilation, j,
                                                                  strict=True)]
                if any(m % ss for m, ss in zip(num, stride, strict=True)):
                    continue
                t = tuple(m // ss for m, ss in zip(num, stride, strict=True))
                if all(0 <= tt < ts for tt, ts in zip(t, t_size, strict=True)):
                    g_at, w_at = (slice(None), os_, *t), (os_, slice(None), *j)
                    r_at = (slice(None), cs, *u)
                    # (N, C_o/g) @ (C_o/g, C_c/g)
                    r[r_at] += g[g_at].astype(dtype) @ w[w_at].astype(dtype)
    return r


@ieee_quiet
def conv_input_grad(
    input_size: Sequence[int], weight: Any, grad_output: Any,
    stride: int | Sequence[int] = 1, padding: int | Sequence[int] | str = 0,
    dilation: int | Sequence[int] = 1, groups: int = 1,
) -> np.ndarray:
    """Definitional :func:`convmath.numeric.conv_input_grad` (a gather over input positions)."""
    _, w, g, geom, is_batched, dtype = prepare_input_grad(
        input_size, weight, grad_output, stride, padding, dilation, groups
    )
    pads_before = [pb for pb, _ in geom.pads]
    dx = _gather_transposed(g, w, geom.in_spatial, geom.stride, pads_before, geom.dilation,
                            geom.groups, dtype)
    return dx if is_batched else dx[0]


@ieee_quiet
def conv_weight_grad(
    input: Any, weight_size: Sequence[int], grad_output: Any,
    stride: int | Sequence[int] = 1, padding: int | Sequence[int] | str = 0,
    dilation: int | Sequence[int] = 1, groups: int = 1,
) -> np.ndarray:
    """Definitional :func:`convmath.numeric.conv_weight_grad`."""
    x, wsize, g, geom, dtype = prepare_weight_grad(
        input, weight_size, grad_output, stride, padding, dilation, groups
    )
    s, d, pads_before = geom.stride, geom.dilation, [pb for pb, _ in geom.pads]
    c_out, c_in_g = wsize[0], wsize[1]
    c_out_g = c_out // geom.groups
    dw = np.zeros(wsize, dtype=dtype)
    for grp in range(geom.groups):
        outs = slice(grp * c_out_g, (grp + 1) * c_out_g)
        ins = slice(grp * c_in_g, (grp + 1) * c_in_g)
        for j in np.ndindex(*geom.kernel):
            for t in np.ndindex(*geom.out_spatial):
                v = [ss * tt + dd * jj for ss, tt, dd, jj in zip(s, t, d, j, strict=True)]
                xv = _read_padded(x, ins, v, pads_before, "zeros")  # (N, C_in/groups)
                if xv is not None:
                    # dw[o, c, j] += Σ_n g[n, o, t] · x̄[n, c, s·t + d·j]
                    dw_at, g_at = (outs, slice(None), *j), (slice(None), outs, *t)
                    dw[dw_at] += g[g_at].astype(dtype).T @ xv.astype(dtype)
    return dw


@ieee_quiet
def conv_transpose(
    x: Any, w: Any, bias: Any = None, stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] = 0, output_padding: int | Sequence[int] = 0, groups: int = 1,
    dilation: int | Sequence[int] = 1,
) -> np.ndarray:
    """Definitional :func:`convmath.numeric.conv_transpose` (a gather over output positions)."""
    x, w, b, a, is_batched, dtype = prepare_conv_transpose(
        x, w, bias, stride, padding, output_padding, groups, dilation
    )
    y = _gather_transposed(x, w, a["out"], a["stride"], a["padding"], a["dilation"],
                           a["groups"], dtype)
    if b is not None:
        y += b.astype(dtype).reshape((-1,) + (1,) * (y.ndim - 2))
    return y if is_batched else y[0]


@ieee_quiet
def conv_bias_grad(grad_output: Any, spatial_dims: int | None = None) -> np.ndarray:
    """Definitional bias gradient: ``db[o] = Σ_n Σ_t g[n, o, t]``, summed one slice at a time.

    Arguments as :func:`convmath.numeric.conv_bias_grad` (same validation)."""
    g = bias_grad_batched(grad_output, spatial_dims)
    db = np.zeros(g.shape[1], dtype=compute_dtype(g))
    for n in range(g.shape[0]):
        for o in range(g.shape[1]):
            db[o] += g[n, o].sum()
    return db
