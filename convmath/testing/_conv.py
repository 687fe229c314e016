"""Checkers for the convolution layer family: forward, transposed, input and weight gradient.

Each spec computes the reference with :mod:`convmath.numeric` in float64, the magnitude
``S`` (the same operation on absolute values) for the tolerance model, and — for the
diagnosis of a failure — the operation *as a buggy implementation computes it*
(:meth:`run`): with a parameter overridden (a stride ignored, the per-axis values swapped,
only the first axis's value used, a flipped kernel, …), either with the output size that
the wrong parameters give (``form='sized'``, a vectorised implementation) or into an
output of the right size (``form='loop'``, a loop over output or input positions that
gets the arithmetic wrong but allocates the right array). Which bugs are tried, in which
order, is one ranked table per operation in :mod:`convmath.testing._conv_candidates`;
the output-size formulas a wrong shape is matched against are there too.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from convmath.errors import InvalidArgument
from convmath.testing._case import Case
from convmath.testing._reference import conv_pads, numeric, per_axis, reference_conv
from convmath.testing._spec import Diagnosis, OpSpec
from convmath.testing._tolerance import (
    Comparison,
    compare_elementwise,
    fft_eta,
    gamma,
    unit_roundoff,
)
from convmath.testing._values import make_values

__all__ = ["ConvInputGradSpec", "ConvSpec", "ConvTransposeSpec", "ConvWeightGradSpec"]

#: ``run(..., bias=KEEP)``: the case's own bias
KEEP: Any = object()


class NotThisForm(Exception):
    """:meth:`run` has nothing to add in this form (the other form computes the same, or
    the implementation it models would have raised): the candidate is skipped."""


class _Geom:
    """Per-axis parameters of a conv-family case."""

    def __init__(self, case: Case, weight_shape: Sequence[int], sizes: Sequence[int]
                 ) -> None:
        kw = case.kwargs
        self.nd = len(weight_shape) - 2
        self.ks = [int(k) for k in weight_shape[2:]]
        self.sizes = [int(n) for n in sizes]
        self.s = per_axis(kw.get("stride"), self.nd, 1)
        self.d = per_axis(kw.get("dilation"), self.nd, 1)
        self.g = int(kw.get("groups", 1))
        pad = kw.get("padding", 0)
        self.pad_mode = pad if isinstance(pad, str) else "explicit"
        self.same_rule = str(case.info.get("same_rule", "torch"))
        self.pads = self.same_pads() if self.pad_mode == "same" else conv_pads(
            kw, self.ks, self.d)
        self.op = per_axis(kw.get("output_padding"), self.nd, 0)
        self.p = per_axis(pad, self.nd, 0) if not isinstance(pad, str) else [0] * self.nd

    def same_pads(self, dilation: Sequence[int] | None = None,
                  stride: Sequence[int] | None = None, ks: Sequence[int] | None = None
                  ) -> list[tuple[int, int]]:
        """``padding='same'`` as ``(before, after)`` per axis, under the case's rule
        (PyTorch's, or TensorFlow's ``'SAME'``), for ``dilation``/``stride``/kernel sizes
        ``ks`` (default: the case's)."""
        d = tuple(self.d if dilation is None else dilation)
        s = tuple(self.s if stride is None else stride)
        k = tuple(self.ks if ks is None else ks)
        if self.same_rule == "tf":
            pads = numeric("tf_same_padding")(tuple(self.sizes), k, s, d)
        else:
            pads = numeric("same_padding")(k, d)
        return [(int(a), int(b)) for a, b in pads]

    def unused(self) -> list[int]:
        """Per axis, the rows of the padded input that no window reaches
        (``(i + 2p − d(k−1) − 1) mod s``): the "leftover rows"."""
        outs = self.out_sizes()
        return [n + a + b - ((o - 1) * s + d * (k - 1) + 1) for n, (a, b), o, s, d, k in
                zip(self.sizes, self.pads, outs, self.s, self.d, self.ks, strict=True)]

    def out_sizes(self, *, stride: Sequence[int] | None = None,
                  dilation: Sequence[int] | None = None,
                  pads: Sequence[tuple[int, int]] | None = None,
                  sizes: Sequence[int] | None = None) -> list[int]:
        """The forward convolution's output size per axis (``conv_output_size`` on the
        padded input). Where the kernel does not fit, the size a loop implementation
        allocates: ``⌊(i + 2p − d(k−1) − 1)/s⌋ + 1 = 0`` (an empty output) if the window
        misses by at most a stride; otherwise ``conv_output_size``'s InvalidArgument."""
        size = numeric("conv_output_size")
        pads = self.pads if pads is None else pads
        out = []
        for n, (a, b), k, s, d in zip(
                self.sizes if sizes is None else sizes, pads, self.ks,
                self.s if stride is None else stride, self.d if dilation is None else dilation,
                strict=True):
            try:
                out.append(int(size(n + a + b, k, s, 0, d)))
            except InvalidArgument:
                if not -s <= n + a + b - d * (k - 1) - 1 < 0:
                    raise
                out.append(0)
        return out


def _common_features(case: Case, geom: _Geom, spatial: tuple[int, ...], cin: int,
                     cout: int) -> list[str]:
    f = [case.dtype, "integer-valued (exact)" if case.integer_valued else "real-valued"]
    if geom.g > 1:
        f.append("1 < groups")
        if geom.g == cin:
            f.append("depthwise")
    if any(v > 1 for v in geom.s):
        f.append("stride > 1")
    if any(v > 1 for v in geom.d):
        f.append("dilation > 1")
    if any(a or b for a, b in geom.pads):
        f.append("padding > 0")
    if any(k % 2 == 0 for k in geom.ks):
        f.append("even kernel")
    if geom.nd > 1 and any(len(set(v)) > 1 for v in (geom.ks, geom.s, geom.d, geom.p)):
        f.append("per-axis params differ")
    if cin != cout:
        f.append("C_in != C_out")
    if any(c > 8 and c % 8 for c in (cin, cout)):
        f.append("C > 8, not a multiple of 8")
    if any(c % 32 == 0 for c in (cin, cout)):
        f.append("C % 32 == 0")
    if any(n >= 64 for n in spatial):
        f.append("spatial >= 64")
    if 1 in spatial:
        f.append("1-wide input")
    if case.terms >= 256:
        f.append("accumulation >= 256")
    if geom.pad_mode != "explicit":
        f.append(f"padding='{geom.pad_mode}'")
    if case.kwargs.get("bias") is not None:
        f.append("bias")
    return f


def _window(full: np.ndarray, starts: Sequence[int], sizes: Sequence[int]) -> np.ndarray:
    """``full[..., start:start + size]`` per spatial axis, reading zeros outside ``full``
    (a start may be negative, a window may run past the end)."""
    out = np.zeros((*full.shape[:2], *sizes))
    src: list[slice] = [slice(None), slice(None)]
    dst: list[slice] = [slice(None), slice(None)]
    for n, st, sz in zip(full.shape[2:], starts, sizes, strict=True):
        lo, hi = max(st, 0), min(st + sz, n)
        if hi <= lo:
            return out
        src.append(slice(lo, hi))
        dst.append(slice(lo - st, hi - st))
    out[tuple(dst)] = full[tuple(src)]
    return out


def _with_bias(y: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    return y if b is None else y + b.reshape((-1,) + (1,) * (y.ndim - 2))


def _grown(case: Case, geom: _Geom, spatial: Sequence[int], grow_k: int, seed: int
           ) -> tuple[list[int], list[int], list[int], np.random.Generator, int | None]:
    """Kernel sizes, input sizes and output sizes of a variant of ``case``: kernels grown
    by ``grow_k``, inputs by ``d·grow_k + 2s + 1`` (so every window still fits)."""
    grow = [grow_k + ax if grow_k else 0 for ax in range(geom.nd)]  # unequal: see ConvSpec
    ks = [k + gk for k, gk in zip(geom.ks, grow, strict=True)]
    sizes = [n + d * gk + 2 * s + 1 for n, d, s, gk in zip(spatial, geom.d, geom.s, grow,
                                                          strict=True)]
    size = numeric("conv_output_size")
    outs = [int(size(n + a + b, k, s, 0, d)) for n, (a, b), d, k, s in
            zip(sizes, geom.pads, geom.d, ks, geom.s, strict=True)]
    rng = np.random.default_rng(case.seed + 1000 + seed)
    return ks, sizes, outs, rng, (2 if case.integer_valued else None)


_PER_AXIS = ("stride", "dilation", "padding", "output_padding")


def _uniform_variants(spec: OpSpec, case: Case) -> list[Case]:
    """For each per-axis option given as a tuple of unequal values, ``case`` with that
    option at its largest value on every axis (arrays regrown to fit, fresh values).

    On such a variant a function that takes one int works, one that ignores the option
    (or ignores it on one axis) still fails: it tells "only the first axis's stride used"
    from "stride ignored", which coincide on ``stride=(1, 2)``.
    """
    out: list[Case] = []
    for name in _PER_AXIS:
        value = case.kwargs.get(name)
        if not isinstance(value, tuple) or len(set(value)) < 2:
            continue
        top = max(int(v) for v in value)
        variant = _regrown(case, {**case.kwargs, name: (top,) * len(value)}, len(out))
        if variant is None:
            continue
        try:
            spec.reference(variant)
        except Exception:  # not a valid call (output_padding ≥ stride, a crop too large)
            continue
        out.append(variant)
    return out


def _regrown(case: Case, kwargs: dict[str, Any], seed: int) -> Case | None:
    """``case`` with ``kwargs``: inputs grown so that every window fits and every axis
    has more than one output, gradients re-drawn for the shape the geometry now gives,
    fresh values (seeded by the case)."""
    rng = np.random.default_rng(case.seed + 2000 + seed)
    m = 2 if case.integer_valued else None
    args = dict(case.args)
    op = case.op
    if op == "conv_transpose":  # inputs 2 larger: every axis shows its stride
        x = args["input"]
        args["input"] = make_values((*x.shape[:2], *(n + 2 for n in x.shape[2:])), case.dtype,
                                    rng, integer_max=m)
        return Case(op, args, kwargs, case.dtype, case.integer_valued, case.seed, case.terms,
                    {**case.info, "literal": True})
    wshape = args["weight"].shape if "weight" in args else tuple(args["weight_size"])
    nd = len(wshape) - 2
    ks = list(wshape[2:])
    s = per_axis(kwargs.get("stride"), nd, 1)
    d = per_axis(kwargs.get("dilation"), nd, 1)
    pad = kwargs.get("padding", 0)
    if isinstance(pad, str):
        if pad == "same" and (case.info.get("same_rule") == "tf" or any(v > 1 for v in s)):
            return None  # TF 'SAME' pads depend on the size; PyTorch's needs stride 1
        pads = conv_pads(kwargs, ks, d)
    else:
        pads = [(p, p) for p in per_axis(pad, nd, 0)]
    shape = tuple(args["input"].shape) if "input" in args else tuple(args["input_size"])
    # every window fits, and two more strides: every axis shows its stride
    sizes = [max(n, d_ * (k - 1) + 1 - a - b) + 2 * s_ for n, k, d_, s_, (a, b) in
             zip(shape[2:], ks, d, s, pads, strict=True)]
    new_shape = (*shape[:2], *sizes)
    if "input" in args:
        args["input"] = make_values(new_shape, case.dtype, rng, integer_max=m)
    else:
        args["input_size"] = new_shape
    size = numeric("conv_output_size")
    outs = [int(size(n + a + b, k, s_, 0, d_)) for n, (a, b), k, s_, d_ in
            zip(sizes, pads, ks, s, d, strict=True)]
    if "grad_output" in args:
        gy = args["grad_output"]
        args["grad_output"] = make_values((*gy.shape[:2], *outs), case.dtype, rng,
                                          integer_max=m)
    terms = case.terms
    if op == "conv_weight_grad":
        terms = shape[0] * math.prod(outs)
    return Case(op, args, kwargs, case.dtype, case.integer_valued, case.seed, terms,
                {**case.info, "literal": True})


class _ConvFamily(OpSpec):
    """What the four conv-family specs share: the diagnosis tables and the views."""

    #: the forms :meth:`run` computes, in the order their candidates are tried
    forms: tuple[str, ...] = ("sized", "loop")
    #: whether the operation takes a kernel (the weight gradient returns one)
    takes_weight = True

    def geom(self, case: Case) -> _Geom:
        raise NotImplementedError

    def out_shape(self, case: Case) -> tuple[int, ...]:
        """The shape of the correct output (from the shape helpers, not the reference)."""
        raise NotImplementedError

    def run(self, case: Case, form: str = "sized", *, stride: Sequence[int] | None = None,
            dilation: Sequence[int] | None = None,
            pads: Sequence[tuple[int, int]] | None = None,
            output_padding: Sequence[int] | None = None, x: np.ndarray | None = None,
            weight: np.ndarray | None = None, bias: Any = KEEP) -> np.ndarray:
        """The operation on ``case`` as an implementation with a wrong parameter computes
        it. ``override``: ``stride``, ``dilation`` (lists per axis), ``pads`` (``(before,
        after)`` per axis; for the transposed convolution and the gradients only
        ``before`` counts: the crop, the offset of the padding), ``output_padding``,
        ``x`` (the data array), ``weight``, ``bias``."""
        raise NotImplementedError

    def candidates(self, case: Case) -> Iterator[Any]:
        from convmath.testing._conv_candidates import candidates

        return candidates(self, case)

    def shape_hint(self, case: Case, actual_shape: tuple[int, ...]) -> Diagnosis | None:
        from convmath.testing._conv_candidates import shape_diagnosis

        return shape_diagnosis(self, case, actual_shape)

    def shape_names(self, case: Case, actual_shape: tuple[int, ...]) -> set[str]:
        from convmath.testing._conv_candidates import shape_rule_names

        return shape_rule_names(self, case, actual_shape)


class ConvSpec(_ConvFamily):
    """``conv(input, weight, bias, stride, padding, dilation, groups)``."""

    op = "conv"
    checker = "check_conv"

    def _parts(self, case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, _Geom]:
        x = case.args["input"]
        w = case.args["weight"]
        b = case.kwargs.get("bias")
        return x, w, b, self.geom(case)

    def geom(self, case: Case) -> _Geom:
        return _Geom(case, case.args["weight"].shape, case.args["input"].shape[2:])

    def _ref(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geom: _Geom, *,
             stride: Sequence[int] | None = None,
             pads: Sequence[tuple[int, int]] | None = None,
             dilation: Sequence[int] | None = None, groups: int | None = None) -> np.ndarray:
        return reference_conv(
            x, w, b, list(geom.s if stride is None else stride),
            list(geom.pads if pads is None else pads),
            list(geom.d if dilation is None else dilation), geom.g if groups is None else groups,
        )

    def reference(self, case: Case) -> np.ndarray:
        x, w, b, geom = self._parts(case)
        return self._ref(x, w, b, geom)

    def magnitude(self, case: Case) -> np.ndarray:
        x, w, b, geom = self._parts(case)
        return self._ref(np.abs(x), np.abs(w), None if b is None else np.abs(b), geom)

    def out_shape(self, case: Case) -> tuple[int, ...]:
        x, w, _, geom = self._parts(case)
        return (x.shape[0], w.shape[0], *geom.out_sizes())

    def run(self, case: Case, form: str = "sized", *, stride: Sequence[int] | None = None,
            dilation: Sequence[int] | None = None,
            pads: Sequence[tuple[int, int]] | None = None,
            output_padding: Sequence[int] | None = None, x: np.ndarray | None = None,
            weight: np.ndarray | None = None, bias: Any = KEEP) -> np.ndarray:
        """``form='loop'``: the windows computed with the wrong parameters, into an output
        of the right size (a loop over output positions that allocated it correctly);
        where the wrong windows run past the input, as a loop that checks its bounds and
        reads zeros there."""
        x0, w0, b0, geom = self._parts(case)
        xx, ww, bb = (x0 if x is None else x, w0 if weight is None else weight,
                      b0 if bias is KEEP else bias)
        if form == "sized":
            return self._ref(xx, ww, bb, geom, stride=stride, pads=pads, dilation=dilation)
        want = self.out_shape(case)
        try:
            y = self._ref(xx, ww, bb, geom, stride=stride, pads=pads, dilation=dilation)
        except InvalidArgument:  # not one window fits: the bounds-checked loop below
            y = np.zeros([0] * len(want))
        if y.shape == want:
            raise NotThisForm
        if any(a < b for a, b in zip(y.shape, want, strict=True)):
            # the wrong windows run past the input: a loop that checks its bounds
            # (``if r < H``) reads zeros there, as if the input were zero-padded on the right
            s_ = list(geom.s if stride is None else stride)
            d_ = list(geom.d if dilation is None else dilation)
            pp = list(geom.pads if pads is None else pads)
            ext = [(a, b + max(0, (o - 1) * st + dd * (k - 1) + 1 - (n + a + b)))
                   for (a, b), o, st, dd, k, n in zip(pp, want[2:], s_, d_, ww.shape[2:],
                                                      xx.shape[2:], strict=True)]
            y = self._ref(xx, ww, bb, geom, stride=s_, pads=ext, dilation=d_)
            if any(a < b for a, b in zip(y.shape, want, strict=True)):
                raise NotThisForm
        return np.ascontiguousarray(y[tuple(slice(0, n) for n in want)])

    def compare(self, case: Case, actual: Any, tolerance: str) -> Comparison:
        if tolerance != "normwise":
            return super().compare(case, actual, tolerance)
        return self._compare_normwise(case, np.asarray(actual))

    def _compare_normwise(self, case: Case, actual: np.ndarray) -> Comparison:
        """FFT implementations: per output plane ``(n, o)``, ``‖ŷ − y‖₂`` is bounded by the
        FFT bound of each channel's correlation (see :mod:`._tolerance`), summed over the
        group's input channels, plus the channel sum's own rounding ``γ_{C+1}·‖S‖₂``."""
        x, w, _, geom = self._parts(case)
        expected = self.reference(case)
        if actual.shape != expected.shape:
            return compare_elementwise(expected, actual, expected, 0, case.dtype,
                                       integer_valued=False)
        xp = np.pad(x, [(0, 0), (0, 0), *geom.pads])
        length = int(np.prod([n + k for n, k in zip(xp.shape[2:], geom.ks, strict=True)]))
        u_ref = "float64"
        coeff = (3 * fft_eta(case.dtype) * max(1.0, math.log2(length))
                 + 2 * unit_roundoff(case.dtype)
                 + 3 * fft_eta(u_ref) * max(1.0, math.log2(length)))
        n, c_in = xp.shape[:2]
        c_out = w.shape[0]
        cpg, opg = c_in // geom.g, c_out // geom.g
        sp = tuple(range(2, xp.ndim))
        x2 = np.sqrt(np.sum(xp**2, axis=sp))  # (N, C_in)
        x1 = np.sum(np.abs(xp), axis=sp)
        w2 = np.sqrt(np.sum(w**2, axis=tuple(range(2, w.ndim))))  # (C_out, C_in/g)
        w1 = np.sum(np.abs(w), axis=tuple(range(2, w.ndim)))
        mag = self.magnitude(case)
        s2 = np.sqrt(np.sum(mag**2, axis=sp))
        allowed = np.zeros((n, c_out))
        for o in range(c_out):
            grp = o // opg
            cs = slice(grp * cpg, (grp + 1) * cpg)
            pair = np.maximum(x2[:, cs] * w1[o], x1[:, cs] * w2[o])
            allowed[:, o] = coeff * pair.sum(axis=1)
        allowed += gamma(cpg + 2, case.dtype) * s2
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(actual - expected)
        diff = np.where(np.isnan(diff), np.inf, diff)
        err = np.sqrt(np.sum(diff**2, axis=sp))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(err == 0, 0.0, err / allowed)
        if ratio.size == 0:
            return Comparison(ok=True, ratio=0.0, mode="normwise")
        plane = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
        worst = float(ratio[plane])
        sub = diff[plane]
        idx = (*(int(v) for v in plane),
               *(int(v) for v in np.unravel_index(int(np.argmax(sub)), sub.shape)))
        return Comparison(ok=worst <= 1.0, ratio=worst, index=idx,
                          expected=expected[idx].item(), actual=actual[idx].item(),
                          error=float(err[plane]), allowed=float(allowed[plane]),
                          mode="normwise", n_elements=int(expected.size))

    def extra_diagnosis(self, case: Case, actual: np.ndarray) -> Diagnosis | None:
        if self._compare_normwise(case, actual).ok:
            return Diagnosis(
                "FFT-like rounding",
                "the error fits the normwise bound of an FFT algorithm but not the "
                "elementwise bound of a direct sum; if the implementation is FFT-based by "
                "design, check it with tolerance='normwise'",
            )
        return None

    def features(self, case: Case) -> list[str]:
        x, w, _, geom = self._parts(case)
        f = _common_features(case, geom, x.shape[2:], x.shape[1], w.shape[0])
        if any(geom.unused()):
            f.append("leftover rows")
        return f

    def variants(self, case: Case) -> list[Case]:
        x, w, b, geom = self._parts(case)
        out = []
        for grow_k, seed, same in ((0, 1, False), (1, 2, False), (2, 3, False), (2, 4, True)):
            # grow the axes by different amounts: square kernels hide per-axis swaps; and
            # by the same amount, for an implementation that takes square kernels only
            grow = [grow_k + (0 if same else ax) if grow_k else 0 for ax in range(geom.nd)]
            ks = [k + gk for k, gk in zip(geom.ks, grow, strict=True)]
            sizes = [n + d * gk + 2 * s + 1 for n, d, s, gk in
                     zip(x.shape[2:], geom.d, geom.s, grow, strict=True)]
            rng = np.random.default_rng(case.seed + 1000 + seed)
            m = 2 if case.integer_valued else None
            nx = make_values((x.shape[0], x.shape[1], *sizes), case.dtype, rng, integer_max=m)
            nw = make_values((w.shape[0], w.shape[1], *ks), case.dtype, rng, integer_max=m)
            kwargs = dict(case.kwargs)
            if b is not None:
                kwargs["bias"] = make_values(b.shape, case.dtype, rng, integer_max=m)
            terms = w.shape[1] * int(np.prod(ks)) + int(b is not None)
            out.append(Case(case.op, {"input": nx, "weight": nw}, kwargs, case.dtype,
                            case.integer_valued, case.seed, terms, dict(case.info)))
        return _uniform_variants(self, case) + out


class ConvTransposeSpec(_ConvFamily):
    """``conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
    dilation)``."""

    op = "conv_transpose"
    checker = "check_conv_transpose"
    forms = ("loop", "sized")

    def _parts(self, case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, _Geom]:
        x = case.args["input"]
        w = case.args["weight"]
        return x, w, case.kwargs.get("bias"), self.geom(case)

    def geom(self, case: Case) -> _Geom:
        return _Geom(case, case.args["weight"].shape, case.args["input"].shape[2:])

    def _ref(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geom: _Geom, *,
             stride: Sequence[int] | None = None, padding: Sequence[int] | None = None,
             output_padding: Sequence[int] | None = None,
             dilation: Sequence[int] | None = None) -> np.ndarray:
        ct = numeric("conv_transpose")
        return np.asarray(ct(
            x, w, b, tuple(geom.s if stride is None else stride),
            tuple(geom.p if padding is None else padding),
            tuple(geom.op if output_padding is None else output_padding), geom.g,
            tuple(geom.d if dilation is None else dilation),
        ))

    def reference(self, case: Case) -> np.ndarray:
        x, w, b, geom = self._parts(case)
        return self._ref(x, w, b, geom)

    def magnitude(self, case: Case) -> np.ndarray:
        x, w, b, geom = self._parts(case)
        return self._ref(np.abs(x), np.abs(w), None if b is None else np.abs(b), geom)

    def out_shape(self, case: Case) -> tuple[int, ...]:
        x, w, _, geom = self._parts(case)
        size = numeric("conv_transpose_output_size")
        return (x.shape[0], w.shape[1] * geom.g,
                *size(tuple(x.shape[2:]), tuple(geom.ks), tuple(geom.s), tuple(geom.p),
                      tuple(geom.op), tuple(geom.d)))

    def run(self, case: Case, form: str = "sized", *, stride: Sequence[int] | None = None,
            dilation: Sequence[int] | None = None,
            pads: Sequence[tuple[int, int]] | None = None,
            output_padding: Sequence[int] | None = None, x: np.ndarray | None = None,
            weight: np.ndarray | None = None, bias: Any = KEEP) -> np.ndarray:
        """``form='loop'``: the input scattered with the wrong parameters into the
        uncropped output, then the window ``[crop, crop + size)`` of the right size taken
        (a scatter loop into a correctly allocated buffer)."""
        x0, w0, b0, geom = self._parts(case)
        xx = x0 if x is None else x
        ww = w0 if weight is None else weight
        b = b0 if bias is KEEP else bias
        s = geom.s if stride is None else stride
        d = geom.d if dilation is None else dilation
        crop = geom.p if pads is None else [a for a, _ in pads]
        if form == "sized":
            return self._ref(xx, ww, b, geom, stride=s, dilation=d, padding=crop,
                             output_padding=output_padding)
        full = self._ref(xx, ww, None, geom, stride=s, dilation=d, padding=[0] * geom.nd,
                         output_padding=[0] * geom.nd)
        return _with_bias(_window(full, crop, self.out_shape(case)[2:]), b)

    def variants(self, case: Case) -> list[Case]:
        x, w, b, geom = self._parts(case)
        out = []
        for grow, seed in ((0, 1), (1, 2), (2, 3)):
            rng = np.random.default_rng(case.seed + 1000 + seed)
            m = 2 if case.integer_valued else None
            ks = [k + grow for k in geom.ks]
            nx = make_values((*x.shape[:2], *[n + 2 * grow for n in x.shape[2:]]), case.dtype,
                             rng, integer_max=m)
            nw = make_values((*w.shape[:2], *ks), case.dtype, rng, integer_max=m)
            kwargs = dict(case.kwargs)
            if b is not None:
                kwargs["bias"] = make_values(b.shape, case.dtype, rng, integer_max=m)
            out.append(Case(case.op, {"input": nx, "weight": nw}, kwargs, case.dtype,
                            case.integer_valued, case.seed,
                            w.shape[0] // geom.g * int(np.prod(ks)) + int(b is not None)))
        return _uniform_variants(self, case) + out

    def features(self, case: Case) -> list[str]:
        x, w, _, geom = self._parts(case)
        f = _common_features(case, geom, x.shape[2:], x.shape[1], w.shape[1] * geom.g)
        if any(geom.op):
            f.append("output_padding > 0")
        return f


class ConvInputGradSpec(_ConvFamily):
    """``conv_input_grad(input_size, weight, grad_output, stride, padding, dilation,
    groups)``."""

    op = "conv_input_grad"
    checker = "check_conv_input_grad"
    forms = ("loop", "sized")

    def _parts(self, case: Case) -> tuple[tuple[int, ...], np.ndarray, np.ndarray, _Geom]:
        return (tuple(case.args["input_size"]), case.args["weight"], case.args["grad_output"],
                self.geom(case))

    def geom(self, case: Case) -> _Geom:
        return _Geom(case, case.args["weight"].shape, tuple(case.args["input_size"])[2:])

    def _ref(self, size: tuple[int, ...], w: np.ndarray, gy: np.ndarray, geom: _Geom, **kw: Any
             ) -> np.ndarray:
        fn = numeric("conv_input_grad")
        args = {"stride": tuple(geom.s), "padding": tuple(geom.p), "dilation": tuple(geom.d),
                "groups": geom.g}
        args.update(kw)
        return np.asarray(fn(size, w, gy, **args))

    def reference(self, case: Case) -> np.ndarray:
        size, w, gy, geom = self._parts(case)
        return self._ref(size, w, gy, geom)

    def magnitude(self, case: Case) -> np.ndarray:
        size, w, gy, geom = self._parts(case)
        return self._ref(size, np.abs(w), np.abs(gy), geom)

    def out_shape(self, case: Case) -> tuple[int, ...]:
        return tuple(int(v) for v in case.args["input_size"])

    def run(self, case: Case, form: str = "sized", *, stride: Sequence[int] | None = None,
            dilation: Sequence[int] | None = None,
            pads: Sequence[tuple[int, int]] | None = None,
            output_padding: Sequence[int] | None = None, x: np.ndarray | None = None,
            weight: np.ndarray | None = None, bias: Any = KEEP) -> np.ndarray:
        """``form='loop'``: ``grad_output`` scattered back with the wrong parameters into a
        buffer of the padded input's size, cropped at the padding (CS231n-style
        ``dx_pad[:, :, i*stride:i*stride+HH, …] += …``); ``form='sized'``: the transposed
        convolution of ``grad_output`` with those parameters and no output_padding (a
        vectorised input gradient, whose size then follows from the parameters)."""
        size, w0, gy0, geom = self._parts(case)
        w = w0 if weight is None else weight
        gy = gy0 if x is None else x
        s = geom.s if stride is None else stride
        d = geom.d if dilation is None else dilation
        before = geom.p if pads is None else [a for a, _ in pads]
        ct = numeric("conv_transpose")
        if form == "sized":
            return np.asarray(ct(gy, w, None, tuple(s), tuple(before), 0, geom.g, tuple(d)))
        full = np.asarray(ct(gy, w, None, tuple(s), 0, 0, geom.g, tuple(d)))
        return _window(full, before, size[2:])

    def features(self, case: Case) -> list[str]:
        size, w, _, geom = self._parts(case)
        f = _common_features(case, geom, size[2:], size[1], w.shape[0])
        if any(geom.unused()):
            f.append("leftover rows")
        return f

    def variants(self, case: Case) -> list[Case]:
        size, w, gy, geom = self._parts(case)
        out = []
        for grow_k, seed in ((0, 1), (1, 2), (2, 3)):
            ks, sizes, outs, rng, m = _grown(case, geom, size[2:], grow_k, seed)
            if grow_k == 0:
                sizes, outs = list(size[2:]), list(gy.shape[2:])
            nw = make_values((w.shape[0], w.shape[1], *ks), case.dtype, rng, integer_max=m)
            ng = make_values((gy.shape[0], gy.shape[1], *outs), case.dtype, rng, integer_max=m)
            out.append(Case(case.op, {"input_size": (size[0], size[1], *sizes), "weight": nw,
                                      "grad_output": ng}, dict(case.kwargs), case.dtype,
                            case.integer_valued, case.seed,
                            w.shape[0] // geom.g * int(np.prod(ks))))
        return _uniform_variants(self, case) + out


class ConvWeightGradSpec(_ConvFamily):
    """``conv_weight_grad(input, weight_size, grad_output, stride, padding, dilation,
    groups)``."""

    op = "conv_weight_grad"
    checker = "check_conv_weight_grad"
    forms = ("loop",)
    takes_weight = False

    def _parts(self, case: Case) -> tuple[np.ndarray, tuple[int, ...], np.ndarray, _Geom]:
        size = tuple(case.args["weight_size"])
        return case.args["input"], size, case.args["grad_output"], self.geom(case)

    def geom(self, case: Case) -> _Geom:
        return _Geom(case, tuple(case.args["weight_size"]), case.args["input"].shape[2:])

    def _ref(self, x: np.ndarray, size: tuple[int, ...], gy: np.ndarray, geom: _Geom,
             **kw: Any) -> np.ndarray:
        fn = numeric("conv_weight_grad")
        args = {"stride": tuple(geom.s), "padding": tuple(geom.p), "dilation": tuple(geom.d),
                "groups": geom.g}
        args.update(kw)
        return np.asarray(fn(x, size, gy, **args))

    def reference(self, case: Case) -> np.ndarray:
        x, size, gy, geom = self._parts(case)
        return self._ref(x, size, gy, geom)

    def magnitude(self, case: Case) -> np.ndarray:
        x, size, gy, geom = self._parts(case)
        return self._ref(np.abs(x), size, np.abs(gy), geom)

    def out_shape(self, case: Case) -> tuple[int, ...]:
        return tuple(int(v) for v in case.args["weight_size"])

    def run(self, case: Case, form: str = "loop", *, stride: Sequence[int] | None = None,
            dilation: Sequence[int] | None = None,
            pads: Sequence[tuple[int, int]] | None = None,
            output_padding: Sequence[int] | None = None, x: np.ndarray | None = None,
            weight: np.ndarray | None = None, bias: Any = KEEP) -> np.ndarray:
        """``form='loop'``: the windows of the padded input at the wrong positions times
        ``grad_output``, summed (CS231n-style ``dw += x_pad[:, :, i*stride:…] * dout``);
        a window past the end reads zeros."""
        if form != "loop":
            raise NotThisForm
        x0, size, gy, geom = self._parts(case)
        xx = x0 if x is None else x
        s = geom.s if stride is None else stride
        d = geom.d if dilation is None else dilation
        before = geom.p if pads is None else [a for a, _ in pads]
        need = [(o - 1) * s_ + d_ * (k - 1) + 1 for o, s_, d_, k in
                zip(gy.shape[2:], s, d, size[2:], strict=True)]
        xp = _window(xx, [-a for a in before], need)
        return self._ref(xp, size, gy, geom, stride=tuple(s), padding=0, dilation=tuple(d))

    def features(self, case: Case) -> list[str]:
        x, size, _, geom = self._parts(case)
        f = _common_features(case, geom, x.shape[2:], x.shape[1], size[0])
        if any(geom.unused()):
            f.append("leftover rows")
        return f

    def variants(self, case: Case) -> list[Case]:
        x, size, gy, geom = self._parts(case)
        out = []
        for grow_k, seed in ((0, 1), (1, 2), (2, 3)):
            ks, sizes, outs, rng, m = _grown(case, geom, x.shape[2:], grow_k, seed)
            if grow_k == 0:
                sizes, outs = list(x.shape[2:]), list(gy.shape[2:])
            nx = make_values((x.shape[0], x.shape[1], *sizes), case.dtype, rng, integer_max=m)
            ng = make_values((gy.shape[0], gy.shape[1], *outs), case.dtype, rng, integer_max=m)
            out.append(Case(case.op, {"input": nx, "weight_size": (size[0], size[1], *ks),
                                      "grad_output": ng}, dict(case.kwargs), case.dtype,
                            case.integer_valued, case.seed, x.shape[0] * int(np.prod(outs))))
        return _uniform_variants(self, case) + out
