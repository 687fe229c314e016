"""Transposed convolution (PyTorch's ``conv_transpose{1,2,3}d``), fast path.

A transposed convolution is the adjoint (input gradient) of a convolution: with the weight
``w`` of shape ``(C_in, C_out/groups, *k)`` it scatters every input pixel through the
kernel,

    y[n, o, s·t + d·j − p] += Σ_c w[c, o, j] · x[n, c, t]

then keeps output positions ``0 … o_size−1`` where
``o_size = (i−1)s − 2p + d(k−1) + output_padding + 1``: ``padding`` *crops* the output and
``output_padding`` adds rows at the end (only to pick among the input sizes that a strided
convolution maps to the same output size).

How it is computed: with a stride > 1 on some axis, one GEMM per group and chunk gives
every tap's contribution at once (``cols = wᵀ · x``, axes ``(n, c, j, t)``); each tap ``j``
is then added into the strided view ``buf[..., d·j :: s]`` of a padded output buffer — a
loop over the ``∏k`` taps, never over pixels (:func:`scatter_taps`). With stride 1 the
same sum is a gather, computed by the forward im2col path on ``x`` padded by
``d(k−1) − p`` and the kernel rotated 180° with its channel axes swapped
(:func:`transpose_gather`), which avoids the scatter's read-modify-write passes.
:func:`convmath.numeric.conv_input_grad` uses the same two cores with the crop of the
forward padding. The definitional twin is :func:`convmath.numeric.reference.conv_transpose`.

>>> import numpy as np
>>> conv_transpose(np.array([[[1.0, 2.0]]]), np.array([[[1.0, 10.0, 100.0]]]), stride=2)
array([[[  1.,  10., 102.,  20., 200.]]])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from convmath.errors import InvalidArgument
from convmath.numeric._conv import (
    ConvGeometry,
    Scratch,
    add_bias,
    batched,
    check_bias,
    check_groups,
    check_positive_shape,
    chunks,
    compute_dtype,
    conv_fast,
    rows_slice,
)
from convmath.numeric._shapes import conv_transpose_output_size
from convmath.numeric._validate import (
    as_array,
    check_elements,
    check_int_range,
    expand_param,
    ieee_quiet,
    max_abs,
)

__all__ = ["conv_transpose", "gather_is_exact", "scatter_taps", "transpose_gather"]


def gather_is_exact(w: np.ndarray) -> bool:
    """Whether the stride-1 gather (:func:`transpose_gather`) gives the scatter's result.

    The gather multiplies the zero padding of its input by every kernel tap; the scatter,
    like PyTorch, only ever multiplies actual entries. The two differ only when the kernel
    holds an inf or a NaN (``0 · inf = nan``), so such kernels take the scatter.
    """
    return w.dtype.kind in "iu" or bool(np.isfinite(w).all())


def scatter_taps(
    g: np.ndarray, w: np.ndarray, stride: Sequence[int], dilation: Sequence[int], groups: int,
    buffer_spatial: Sequence[int], crop: Sequence[tuple[int, int]], dtype: np.dtype[Any],
) -> np.ndarray:
    """``buf[n, c, s·t + d·j] += Σ_o w[o, c, j] · g[n, o, t]`` then ``buf[..., a:b]`` per axis.

    ``g``: ``(N, C_o, *t)``; ``w``: ``(C_o, C_c/groups, *k)``; result ``(N, C_c, *crop)``.
    ``buffer_spatial`` must hold every ``s·(t_size−1) + d·(k−1)``.
    """
    n_batch, c_o = g.shape[:2]
    t_size = g.shape[2:]
    kernel = w.shape[2:]
    n = len(kernel)
    c_c = w.shape[1] * groups
    c_og = c_o // groups
    k_size = math.prod(kernel)
    # wt[grp] = (C_c/groups * K, C_o/groups): the weight of one group, transposed.
    wt = w.astype(dtype, copy=False).reshape(groups, c_og, -1).transpose(0, 2, 1)
    out = np.empty((n_batch, c_c, *(b - a for a, b in crop)), dtype=dtype)
    crop_index = (slice(None), slice(None), *(slice(a, b) for a, b in crop))
    row_bytes = c_c * k_size * math.prod(t_size[1:]) * dtype.itemsize
    scratch = Scratch(dtype)
    for n0, n1, row_list in chunks(n_batch, t_size[0], row_bytes):
        nb = n1 - n0
        buf = scratch.get("buf", (nb, c_c, *buffer_spatial))
        buf.fill(0)
        for r0, r1 in row_list:
            rows = (r1 - r0, *t_size[1:])
            gc = scratch.copy("g", g[n0:n1][rows_slice(r0, r1, 2)])
            cols = scratch.get("cols", (nb, groups, wt.shape[1], math.prod(rows)))
            np.matmul(wt, gc.reshape(nb, groups, c_og, -1), out=cols)  # (nb, grp, Cc/g*K, T)
            cols = cols.reshape(nb, c_c, *kernel, *rows)
            first = (r0,) + (0,) * (n - 1)
            for j in np.ndindex(*kernel):
                target = tuple(
                    slice(d * jj + s * f, d * jj + s * (f + m - 1) + 1, s)
                    for jj, s, d, f, m in zip(j, stride, dilation, first, rows, strict=True)
                )
                at_tap = (slice(None), slice(None), *target)
                of_tap = (slice(None), slice(None), *j)
                buf[at_tap] += cols[of_tap]
        out[n0:n1] = buf[crop_index]
    return out


def transpose_gather(
    g: np.ndarray, w: np.ndarray, dilation: Sequence[int], groups: int,
    before: Sequence[int], after: Sequence[int], dtype: np.dtype[Any],
) -> np.ndarray:
    """The stride-1 case of :func:`scatter_taps` as a gather (docs/reference.md): pad ``g`` by
    ``before``/``after`` per axis (negative = crop) and cross-correlate it with the kernel
    rotated 180° and its channel axes swapped per group, dilation ``d``, stride 1 — which is
    the im2col forward path, cheaper than scattering when there is no stride."""
    n = len(before)
    crop = tuple(
        slice(max(0, -b), size - max(0, -a))
        for b, a, size in zip(before, after, g.shape[2:], strict=True)
    )
    at: tuple[Any, ...] = (slice(None), slice(None), *crop)
    gc = g[at]
    c_o, c_c_g = w.shape[:2]
    kernel = w.shape[2:]
    # (C_o, C_c/g, *k) -> (g, C_o/g, C_c/g, *k) -> (g, C_c/g, C_o/g, *k), flipped spatially
    wr = w.reshape(groups, c_o // groups, c_c_g, *kernel).swapaxes(1, 2)
    flip: tuple[Any, ...] = (Ellipsis, *(slice(None, None, -1) for _ in range(n)))
    wr = wr.reshape(groups * c_c_g, c_o // groups, *kernel)[flip]
    pads = tuple((max(0, b), max(0, a)) for b, a in zip(before, after, strict=True))
    size = tuple(i + b + a for i, (b, a) in zip(gc.shape[2:], pads, strict=True))
    out = tuple(L - d * (k - 1) for L, d, k in zip(size, dilation, kernel, strict=True))
    geom = ConvGeometry(tuple(kernel), (1,) * n, tuple(dilation), pads, groups,
                        tuple(gc.shape[2:]), out)
    return conv_fast(gc, wr, geom, "zeros", dtype)


def prepare_conv_transpose(
    x: Any, w: Any, bias: Any, stride: Any, padding: Any, output_padding: Any, groups: Any,
    dilation: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, dict[str, Any], bool, np.dtype[Any]]:
    """Validate the arguments of :func:`conv_transpose` (shared with the definitional twin).

    Returns ``x`` (batched), ``w``, bias, a dict of per-axis ``stride``, ``padding``,
    ``output_padding``, ``dilation``, ``groups``, ``out`` (output spatial size), whether
    ``x`` was batched, and the result dtype.
    """
    xa = as_array("x", x)
    wa = as_array("w", w)
    if wa.ndim < 3:
        raise InvalidArgument(
            f"w must have shape (C_in, C_out/groups, *kernel) with at least one spatial axis, "
            f"got shape {wa.shape}"
        )
    n = wa.ndim - 2
    xb, is_batched = batched("x", xa, n)
    grp = check_groups(groups)
    check_positive_shape("w", wa.shape, 0)
    check_positive_shape("x", xb.shape, 1)
    if wa.shape[0] % grp:
        raise InvalidArgument(
            f"w.shape[0] (input channels) = {wa.shape[0]} is not divisible by groups={grp}"
        )
    if xb.shape[1] != wa.shape[0]:
        raise InvalidArgument(
            f"x has {xb.shape[1]} channels but w.shape={wa.shape} expects {wa.shape[0]} "
            f"(w.shape[0]; a transposed-convolution weight is (C_in, C_out/groups, *k))"
        )
    if isinstance(padding, str):
        raise InvalidArgument(
            f"padding must be an int or a sequence of {n} ints for a transposed convolution "
            f"(as PyTorch), got {padding!r}"
        )
    s = expand_param("stride", stride, n, min_value=1)
    p = expand_param("padding", padding, n, min_value=0)
    op = expand_param("output_padding", output_padding, n, min_value=0)
    d = expand_param("dilation", dilation, n, min_value=1)
    # PyTorch's size formula, with its output_padding < max(stride, dilation) rule
    out = conv_transpose_output_size(
        tuple(xb.shape[2:]), tuple(wa.shape[2:]), stride, padding, output_padding, dilation
    )
    context = (f"x.shape={xb.shape}, w.shape={wa.shape}, stride={stride!r}, "
               f"padding={padding!r}, dilation={dilation!r}")
    c_out = wa.shape[1] * grp
    check_elements("output", (xb.shape[0], c_out, *out), 8, context)
    # work buffers: the uncropped scatter (stride > 1) or the padded gather input (stride 1)
    full = [(i - 1) * ss + dd * (k - 1) + 1
            for i, ss, dd, k in zip(xb.shape[2:], s, d, wa.shape[2:], strict=True)]
    check_elements("uncropped output of one sample", (c_out, *full), 8, context)
    gathered = [i + 2 * max(0, dd * (k - 1) - pp) + oo
                for i, dd, k, pp, oo in zip(xb.shape[2:], d, wa.shape[2:], p, op, strict=True)]
    check_elements("padded input of one sample", (xb.shape[1], *gathered), 8, context)
    b = check_bias(bias, c_out, "one per output channel, w.shape[1] * groups")
    # a broadcast view holds a huge weight in no memory; the GEMM needs it contiguous
    check_elements("weight copy", wa.shape, 8, f"w.shape={wa.shape}")
    dtype = compute_dtype(xb, wa, b)
    bound = max_abs(xb) * max_abs(wa) * (wa.shape[0] // grp) * math.prod(wa.shape[2:])
    check_int_range(dtype, bound + max_abs(b), "transposed convolution")
    args = {"stride": s, "padding": p, "output_padding": op, "dilation": d, "groups": grp,
            "out": tuple(out)}
    return xb, wa, b, args, is_batched, dtype


@ieee_quiet
def conv_transpose(
    x: Any,
    w: Any,
    bias: Any = None,
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] = 0,
    output_padding: int | Sequence[int] = 0,
    groups: int = 1,
    dilation: int | Sequence[int] = 1,
) -> np.ndarray:
    """N-d transposed convolution, exactly ``torch.nn.functional.conv_transpose{1,2,3}d``.

    ``x``: ``(N, C_in, *spatial)`` or unbatched ``(C_in, *spatial)``; ``w``:
    ``(C_in, C_out/groups, *kernel)``; ``bias``: ``(C_out,)``. Output size per axis
    ``(i−1)·stride − 2·padding + dilation·(k−1) + output_padding + 1`` with
    ``output_padding < max(stride, dilation)``. Equal to
    ``conv_input_grad(input_size, w, x, stride, padding, dilation, groups)`` for the input
    size that this output size corresponds to.
    """
    xb, wa, b, a, is_batched, dtype = prepare_conv_transpose(
        x, w, bias, stride, padding, output_padding, groups, dilation
    )
    kernel = wa.shape[2:]
    if all(s == 1 for s in a["stride"]) and gather_is_exact(wa):
        before = [d * (k - 1) - p for d, k, p in zip(a["dilation"], kernel, a["padding"],
                                                       strict=True)]
        after = [b + op for b, op in zip(before, a["output_padding"], strict=True)]
        y = transpose_gather(xb, wa, a["dilation"], a["groups"], before, after, dtype)
        y = add_bias(y, b)
        return y if is_batched else y[0]
    full = [
        (i - 1) * s + d * (k - 1) + 1
        for i, s, d, k in zip(xb.shape[2:], a["stride"], a["dilation"], kernel, strict=True)
    ]
    crop = [(p, p + o) for p, o in zip(a["padding"], a["out"], strict=True)]
    buffer_spatial = [max(f, c1) for f, (_, c1) in zip(full, crop, strict=True)]
    y = scatter_taps(xb, wa, a["stride"], a["dilation"], a["groups"], buffer_spatial, crop, dtype)
    y = add_bias(y, b)
    return y if is_batched else y[0]
