"""Gradients of the convolution layer (``torch.nn.grad.conv{1,2,3}d_input/_weight``), fast.

For ``y = conv(x, w, b, stride=s, padding=p, dilation=d, groups)`` and ``g = ∂L/∂y``:

- ``∂L/∂b[o] = Σ_{n,t} g[n, o, t]`` — :func:`conv_bias_grad`;
- ``∂L/∂x[n, c, u] = Σ_{o,j,t : s·t + d·j = u + p} w[o, c, j] · g[n, o, t]`` —
  :func:`conv_input_grad`, the transposed convolution of ``g``. Rows that the last window
  never reaches (``(i + 2p − d(k−1) − 1) mod s`` of them) get zero gradient; the input size
  is therefore an argument, since the output size alone does not determine it;
- ``∂L/∂w[o, c, j] = Σ_{n,t} g[n, o, t] · x̄[n, c, s·t + d·j]`` — :func:`conv_weight_grad`.

Adjoint laws (checked in the tests): ``⟨conv(x, w), g⟩ = ⟨x, conv_input_grad(x.shape, w, g)⟩
= ⟨w, conv_weight_grad(x, w.shape, g)⟩``.

How it is computed: the input gradient scatters per-tap GEMM results into a strided view
of the padded input buffer (:func:`convmath.numeric._transpose.scatter_taps`), then crops
the padding — or, with stride 1, gathers them with the rotated kernel through the forward
path (:func:`convmath.numeric._transpose.transpose_gather`); the weight gradient multiplies
``g`` with an im2col buffer of ``x̄`` (axes ``(c, j, n, t)``), one GEMM per group and chunk.
The definitional twins are in :mod:`convmath.numeric.reference`.

>>> import numpy as np
>>> g = np.array([[[1.0, 1.0]]])                       # forward: i=5, k=2, s=2 -> o=2
>>> conv_input_grad((1, 1, 5), np.array([[[1.0, 2.0]]]), g, stride=2)
array([[[1., 2., 1., 2., 0.]]])
>>> conv_weight_grad(np.arange(5.0).reshape(1, 1, 5), (1, 1, 2), g, stride=2)
array([[[2., 4.]]])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from convmath.errors import InvalidArgument
from convmath.numeric._conv import (
    TAP_LOOP_BYTES,
    ConvGeometry,
    PaddedInput,
    Scratch,
    batched,
    check_groups,
    chunks,
    compute_dtype,
    conv_geometry,
    rows_slice,
    tap_columns,
    windows,
)
from convmath.numeric._transpose import gather_is_exact, scatter_taps, transpose_gather
from convmath.numeric._validate import (
    MAX_PARAM,
    as_array,
    check_elements,
    check_int_range,
    ieee_quiet,
    is_int,
    max_abs,
)

__all__ = ["conv_bias_grad", "conv_input_grad", "conv_weight_grad"]


def _shape_tuple(name: str, value: Any) -> tuple[int, ...]:
    """``value`` (a tuple, list or 1-D integer array of ints, like ``torch.Size``) as a tuple.

    Anything else — a scalar, a string, a dict, floats (even integral ones), bools, nested
    sequences, negative or huge entries — is an InvalidArgument naming ``name``.
    """
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "iu":
        items: list[Any] = value.tolist()
    elif isinstance(value, (tuple, list)):
        items = list(value)
    else:
        raise InvalidArgument(
            f"{name} must be a sequence of ints (a tuple, list or torch.Size), got "
            f"{name}={value!r}"
        )
    if not all(is_int(v) for v in items):
        raise InvalidArgument(f"{name} must be a sequence of ints, got {name}={value!r}")
    shape = tuple(int(v) for v in items)
    if any(v < 0 for v in shape):
        raise InvalidArgument(f"{name} must not have negative sizes, got {name}={value!r}")
    if any(v > MAX_PARAM for v in shape):
        raise InvalidArgument(
            f"{name} must have sizes <= {MAX_PARAM} (they must fit in np.intp), got "
            f"{name}={value!r}"
        )
    return shape


def check_grad_output(g: np.ndarray, expected: tuple[int, ...], context: str) -> None:
    if g.shape != expected:
        raise InvalidArgument(
            f"grad_output must have the forward output's shape {expected}, got shape "
            f"{g.shape} ({context})"
        )


def prepare_input_grad(
    input_size: Any, weight: Any, grad_output: Any, stride: Any, padding: Any, dilation: Any,
    groups: Any,
) -> tuple[tuple[int, ...], np.ndarray, np.ndarray, ConvGeometry, bool, np.dtype[Any]]:
    """Validate :func:`conv_input_grad`'s arguments (shared with the definitional twin).

    Returns the batched input shape, weight, batched grad_output, the forward geometry,
    whether grad_output was batched, and the dtype.
    """
    wa = as_array("weight", weight)
    if wa.ndim < 3:
        raise InvalidArgument(
            f"weight must have shape (C_out, C_in/groups, *kernel) with at least one spatial "
            f"axis, got shape {wa.shape}"
        )
    n = wa.ndim - 2
    ga, is_batched = batched("grad_output", as_array("grad_output", grad_output), n)
    size = _shape_tuple("input_size", input_size)
    grp = check_groups(groups)
    if len(size) == n:  # spatial size only: N from grad_output, C from the weight
        full = (ga.shape[0], wa.shape[1] * grp, *size)
    elif len(size) == n + 2 and is_batched:
        full = size
    elif len(size) == n + 1 and not is_batched:
        full = (1, *size)
    else:
        raise InvalidArgument(
            f"input_size must be the input's full shape ({n + 2 if is_batched else n + 1} "
            f"ints, like grad_output) or its {n} spatial sizes, got {input_size!r}"
        )
    geom = conv_geometry(full, wa.shape, stride, padding, dilation, grp,
                         x_name="input_size", w_name="weight")
    expected = (full[0], wa.shape[0], *geom.out_spatial)
    check_grad_output(ga, expected, f"input_size={input_size!r}, weight.shape={wa.shape}, "
                      f"stride={stride!r}, padding={padding!r}, dilation={dilation!r}")
    # a broadcast view holds a huge weight in no memory; the GEMM needs it contiguous
    check_elements("weight copy", wa.shape, 8, f"weight.shape={wa.shape}")
    dtype = compute_dtype(wa, ga)
    bound = max_abs(wa) * max_abs(ga) * (wa.shape[0] // geom.groups) * math.prod(geom.kernel)
    check_int_range(dtype, bound, "input gradient")
    return full, wa, ga, geom, is_batched, dtype


@ieee_quiet
def conv_input_grad(
    input_size: Sequence[int],
    weight: Any,
    grad_output: Any,
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] | str = 0,
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
) -> np.ndarray:
    """Gradient of ``conv`` with respect to its input, exactly ``torch.nn.grad.conv{N}d_input``.

    ``input_size``: the input's full shape ``(N, C_in, *spatial)`` (as PyTorch), or just its
    spatial sizes; ``weight``: ``(C_out, C_in/groups, *k)``; ``grad_output``: the forward
    output's shape ``(N, C_out, *o)`` (or unbatched ``(C_out, *o)`` with an unbatched
    ``input_size``). ``padding`` may be ``'same'``/``'valid'`` as in :func:`conv`.

    Complex input: the result is the plain transpose ``Σ w · g`` (no conjugate), the
    adjoint of ``conv`` for the *bilinear* pairing ``⟨a, b⟩ = Σ a·b``; PyTorch's autograd
    returns the conjugate-linear version ``Σ conj(w) · g``. Conjugate ``weight`` first to get
    PyTorch's. Integer operands: exact int64 (uint64 for unsigned) as in :func:`conv`.
    """
    _, wa, ga, geom, is_batched, dtype = prepare_input_grad(
        input_size, weight, grad_output, stride, padding, dilation, groups
    )
    if all(s == 1 for s in geom.stride) and gather_is_exact(wa):
        span = [d * (k - 1) for d, k in zip(geom.dilation, geom.kernel, strict=True)]
        dx = transpose_gather(ga, wa, geom.dilation, geom.groups,
                              [e - pb for e, (pb, _) in zip(span, geom.pads, strict=True)],
                              [e - pa for e, (_, pa) in zip(span, geom.pads, strict=True)], dtype)
        return dx if is_batched else dx[0]
    padded = [i + pb + pa for i, (pb, pa) in zip(geom.in_spatial, geom.pads, strict=True)]
    crop = [(pb, pb + i) for i, (pb, _) in zip(geom.in_spatial, geom.pads, strict=True)]
    dx = scatter_taps(ga, wa, geom.stride, geom.dilation, geom.groups, padded, crop, dtype)
    return dx if is_batched else dx[0]


def prepare_weight_grad(
    input: Any, weight_size: Any, grad_output: Any, stride: Any, padding: Any, dilation: Any,
    groups: Any,
) -> tuple[np.ndarray, tuple[int, ...], np.ndarray, ConvGeometry, np.dtype[Any]]:
    """Validate :func:`conv_weight_grad`'s arguments (shared with the definitional twin).

    Returns the batched input, weight shape, batched grad_output, geometry and dtype.
    """
    wsize = _shape_tuple("weight_size", weight_size)
    if len(wsize) < 3:
        raise InvalidArgument(
            f"weight_size must be (C_out, C_in/groups, *kernel) with at least one spatial "
            f"axis, got {weight_size!r}"
        )
    n = len(wsize) - 2
    xa, is_batched = batched("input", as_array("input", input), n)
    ga, g_batched = batched("grad_output", as_array("grad_output", grad_output), n)
    if g_batched != is_batched:
        raise InvalidArgument(
            f"input and grad_output must both be batched or both unbatched, got shapes "
            f"{xa.shape if is_batched else xa.shape[1:]} and "
            f"{ga.shape if g_batched else ga.shape[1:]}"
        )
    geom = conv_geometry(xa.shape, wsize, stride, padding, dilation, groups,
                         x_name="input", w_name="weight_size")
    # the result has shape weight_size even for an empty batch, which conv_geometry's
    # output guard (N · C_out · o) does not see
    check_elements("weight gradient", wsize, 16, f"weight_size={weight_size!r}")
    expected = (xa.shape[0], wsize[0], *geom.out_spatial)
    check_grad_output(ga, expected, f"input.shape={xa.shape}, weight_size={weight_size!r}, "
                      f"stride={stride!r}, padding={padding!r}, dilation={dilation!r}")
    dtype = compute_dtype(xa, ga)
    bound = max_abs(xa) * max_abs(ga) * xa.shape[0] * math.prod(geom.out_spatial)
    check_int_range(dtype, bound, "weight gradient")
    return xa, wsize, ga, geom, dtype


@ieee_quiet
def conv_weight_grad(
    input: Any,
    weight_size: Sequence[int],
    grad_output: Any,
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] | str = 0,
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
) -> np.ndarray:
    """Gradient of ``conv`` with respect to its weight, exactly ``torch.nn.grad.conv{N}d_weight``.

    ``input``: ``(N, C_in, *spatial)`` (or unbatched, with an unbatched ``grad_output``);
    ``weight_size``: ``(C_out, C_in/groups, *k)``; ``grad_output``: ``(N, C_out, *o)``.
    Returns an array of shape ``weight_size``.

    Complex input: the result is the plain transpose ``Σ g · x̄`` (no conjugate), the
    adjoint of ``conv`` in ``w`` for the *bilinear* pairing ``⟨a, b⟩ = Σ a·b``; PyTorch's
    autograd returns ``Σ g · conj(x̄)``. Conjugate ``input`` first to get PyTorch's.
    Integer operands: exact int64 (uint64 for unsigned) as in :func:`conv`.
    """
    xa, wsize, ga, geom, dtype = prepare_weight_grad(
        input, weight_size, grad_output, stride, padding, dilation, groups
    )
    grp = geom.groups
    c_out, c_in = wsize[0], xa.shape[1]
    k_size = math.prod(geom.kernel)
    o = geom.out_spatial
    n = geom.ndim
    if c_in * k_size * math.prod(o[1:]) * dtype.itemsize > TAP_LOOP_BYTES:
        return _weight_grad_per_tap(xa, ga, wsize, geom, dtype)
    # dwᵀ[grp] = cols[grp] · gᵀ[grp] or dw[grp] = g[grp] · colsᵀ[grp]: the same products;
    # OpenBLAS's sgemm is measurably faster (up to 2×) with the longer side as rows;
    # dgemm showed no such preference.
    transposed = dtype == np.float32 and (c_in // grp) * k_size > c_out // grp
    shape = (grp, (c_in // grp) * k_size, c_out // grp) if transposed else \
        (grp, c_out // grp, (c_in // grp) * k_size)
    dw = np.zeros(shape, dtype=dtype)
    row_bytes = c_in * k_size * math.prod(o[1:]) * dtype.itemsize
    # axes (n, c, *j, *t) -> (c, *j, n, *t): contract over (n, t) in one GEMM per group
    to_cols = (1, *range(2, 2 + n), 0, *range(2 + n, 2 + 2 * n))
    scratch = Scratch(dtype)
    padded = PaddedInput(xa, geom.pads, "zeros", dtype)
    for n0, n1, row_list in chunks(xa.shape[0], o[0], row_bytes):
        view = windows(padded.chunk(n0, n1), geom.kernel, geom.stride, geom.dilation, o)
        for r0, r1 in row_list:
            cols = scratch.copy("cols", view[rows_slice(r0, r1, 2 + n)].transpose(to_cols))
            cols = cols.reshape(grp, (c_in // grp) * k_size, -1)
            gc = scratch.copy("g", ga[n0:n1][rows_slice(r0, r1, 2)].swapaxes(0, 1))
            gc = gc.reshape(grp, c_out // grp, -1)
            prod = scratch.get("prod", dw.shape)
            if transposed:
                np.matmul(cols, gc.transpose(0, 2, 1), out=prod)
            else:
                np.matmul(gc, cols.transpose(0, 2, 1), out=prod)
            dw += prod
    if transposed:
        dw = dw.transpose(0, 2, 1)
    return np.ascontiguousarray(dw).reshape(wsize)


def _weight_grad_per_tap(xa: np.ndarray, ga: np.ndarray, wsize: tuple[int, ...],
                         geom: ConvGeometry, dtype: np.dtype[Any]) -> np.ndarray:
    """``dw[:, :, j] = Σ_{n,t} g[n, :, t] · x̄[n, :, s·t + d·j]ᵀ``, one GEMM per kernel tap
    (per group): the path for layers whose im2col row would be huge (see ``conv``)."""
    c_in = xa.shape[1]
    c_out, grp = wsize[0], geom.groups
    dw = np.zeros((grp, c_out // grp, c_in // grp, math.prod(geom.kernel)), dtype=dtype)
    for n0, n1, t, cols in tap_columns(xa, geom, "zeros", dtype):
        gc = ga[n0:n1].astype(dtype, copy=False).reshape(n1 - n0, grp, c_out // grp, -1)
        cg = cols.reshape(n1 - n0, grp, c_in // grp, -1)
        dw[..., t] += np.matmul(gc, cg.transpose(0, 1, 3, 2)).sum(axis=0)
    return dw.reshape(wsize)


@ieee_quiet
def conv_bias_grad(grad_output: Any, spatial_dims: int | None = None) -> np.ndarray:
    """Gradient of ``conv`` with respect to its bias: ``Σ_{n,t} grad_output[n, o, t]``.

    ``grad_output`` is batched, ``(N, C_out, *spatial)`` with at least one spatial axis
    (``ndim >= 3``): every axis but axis 1 is summed. An unbatched ``(C_out, *spatial)``
    gradient cannot be told from a batched one by its shape alone, so it is accepted only
    when ``spatial_dims`` (the number of spatial axes) says so: with ``spatial_dims``,
    ``ndim`` must be ``spatial_dims + 2`` (batched) or ``spatial_dims + 1`` (unbatched).
    Integer input gives an exact int64 (uint64) result, as :func:`conv`.

    >>> import numpy as np
    >>> conv_bias_grad(np.ones((2, 3, 4, 5)))
    array([40., 40., 40.])
    >>> conv_bias_grad(np.ones((3, 4)), spatial_dims=1)      # unbatched (C_out, L)
    array([4., 4., 4.])
    """
    ga = bias_grad_batched(grad_output, spatial_dims)
    dtype = compute_dtype(ga)
    check_int_range(dtype, max_abs(ga) * (ga.size // max(1, ga.shape[1])), "bias gradient")
    axes = (0, *range(2, ga.ndim))
    return ga.astype(dtype, copy=False).sum(axis=axes)  # type: ignore[no-any-return]


def bias_grad_batched(grad_output: Any, spatial_dims: Any) -> np.ndarray:
    """Validate :func:`conv_bias_grad`'s arguments; ``grad_output`` as a batched array."""
    ga = as_array("grad_output", grad_output)
    if spatial_dims is None:
        if ga.ndim < 3:
            raise InvalidArgument(
                f"grad_output must have shape (N, C_out, *spatial) (batched, at least one "
                f"spatial axis), got shape {ga.shape}; for an unbatched (C_out, *spatial) "
                f"gradient pass spatial_dims={max(1, ga.ndim - 1)}"
            )
        return ga
    if not is_int(spatial_dims) or spatial_dims < 1:
        raise InvalidArgument(
            f"spatial_dims must be None or a positive int, got spatial_dims={spatial_dims!r}"
        )
    ga_b, _ = batched("grad_output", ga, int(spatial_dims))
    return ga_b
