"""Checkers for the convolution layer family: forward, transposed, input and weight gradient.

Each spec computes the reference with :mod:`convmath.numeric` in float64, the magnitude
``S`` (the same operation on absolute values) for the tolerance model, and the convention
mismatches that real libraries shipped (REFERENCE.md): flipped kernel, per-axis parameters
swapped, stride/dilation swapped, dilation ignored, 'same' split on the wrong side,
reflect/circular padding, group interleave, C_in/C_out transposed, floor/ceil, output
padding on the wrong side, transposed padding treated as input padding, leftover rows
dropped from the input gradient.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import numpy as np

from convmath.testing._core import Diagnosis, OpSpec
from convmath.testing._reference import conv_pads, numeric, per_axis, reference_conv
from convmath.testing._tolerance import (
    Comparison,
    compare_elementwise,
    fft_eta,
    gamma,
    unit_roundoff,
)
from convmath.testing.strategies import Case, make_values

__all__ = ["ConvInputGradSpec", "ConvSpec", "ConvTransposeSpec", "ConvWeightGradSpec"]

Candidate = tuple[str, str, Callable[[], Any]]


class _Geom:
    """Per-axis parameters of a conv-family case."""

    def __init__(self, case: Case, weight: np.ndarray) -> None:
        kw = case.kwargs
        self.nd = weight.ndim - 2
        self.ks = list(weight.shape[2:])
        self.s = per_axis(kw.get("stride"), self.nd, 1)
        self.d = per_axis(kw.get("dilation"), self.nd, 1)
        self.g = int(kw.get("groups", 1))
        self.pads = conv_pads(kw, self.ks, self.d)
        self.op = per_axis(kw.get("output_padding"), self.nd, 0)
        pad = kw.get("padding", 0)
        self.p = per_axis(pad, self.nd, 0) if not isinstance(pad, str) else [0] * self.nd
        self.pad_mode = pad if isinstance(pad, str) else "explicit"


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


def _leftover(i: list[int], geom: _Geom) -> list[int]:
    return [
        (n + a + b - d * (k - 1) - 1) % s
        for n, (a, b), d, k, s in zip(i, geom.pads, geom.d, geom.ks, geom.s, strict=True)
    ]


def _grown(case: Case, geom: _Geom, spatial: tuple[int, ...], grow_k: int, seed: int
           ) -> tuple[list[int], list[int], list[int], np.random.Generator, int | None]:
    """Kernel sizes, input sizes and output sizes of a variant of ``case``: kernels grown
    by ``grow_k``, inputs by ``d·grow_k + 2s + 1`` (so every window still fits)."""
    grow = [grow_k + ax if grow_k else 0 for ax in range(geom.nd)]  # unequal: see ConvSpec
    ks = [k + gk for k, gk in zip(geom.ks, grow, strict=True)]
    sizes = [n + d * gk + 2 * s + 1 for n, d, s, gk in zip(spatial, geom.d, geom.s, grow,
                                                          strict=True)]
    outs = [(n + a + b - d * (k - 1) - 1) // s + 1 for n, (a, b), d, k, s in
            zip(sizes, geom.pads, geom.d, ks, geom.s, strict=True)]
    rng = np.random.default_rng(case.seed + 1000 + seed)
    return ks, sizes, outs, rng, (2 if case.integer_valued else None)


class ConvSpec(OpSpec):
    """``conv(input, weight, bias, stride, padding, dilation, groups)``."""

    op = "conv"
    checker = "check_conv"

    def _parts(self, case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, _Geom]:
        x = case.args["input"]
        w = case.args["weight"]
        b = case.kwargs.get("bias")
        return x, w, b, _Geom(case, w)

    def _ref(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geom: _Geom, *,
             stride: list[int] | None = None, pads: list[tuple[int, int]] | None = None,
             dilation: list[int] | None = None, groups: int | None = None) -> np.ndarray:
        return reference_conv(
            x, w, b, geom.s if stride is None else stride, geom.pads if pads is None else pads,
            geom.d if dilation is None else dilation, geom.g if groups is None else groups,
        )

    def reference(self, case: Case) -> np.ndarray:
        x, w, b, geom = self._parts(case)
        return self._ref(x, w, b, geom)

    def magnitude(self, case: Case) -> np.ndarray:
        x, w, b, geom = self._parts(case)
        return self._ref(np.abs(x), np.abs(w), None if b is None else np.abs(b), geom)

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
        if any(_leftover(list(x.shape[2:]), geom)):
            f.append("leftover rows")
        return f

    def candidates(self, case: Case) -> Iterator[Candidate]:
        x, w, b, geom = self._parts(case)
        nd = geom.nd
        sp = tuple(range(2, 2 + nd))
        ref = self._ref

        yield ("flipped kernel",
               "your function flips the kernel (true convolution); the layer API is "
               "cross-correlation: y[t] = Σ_j w[j]·x[s·t + d·j] with w unflipped",
               lambda: ref(x, np.flip(w, sp), b, geom))
        if nd > 1:
            for ax in range(nd):
                yield (f"kernel flipped on axis {ax}",
                       f"the kernel is flipped along spatial axis {ax} only",
                       partial(lambda a: ref(x, np.flip(w, 2 + a), b, geom), ax))
        if nd > 1:
            yield ("output spatial axes transposed",
                   "the output's last two spatial axes are exchanged (a channels-last / layout "
                   "conversion with the wrong permutation)",
                   lambda: np.swapaxes(ref(x, w, b, geom), -1, -2))
            yield ("kernel spatial axes transposed",
                   "the kernel's last two spatial axes are exchanged (w read as (…, kW, kH)): "
                   "a per-axis swap of the kernel itself",
                   lambda: ref(x, np.swapaxes(w, -1, -2), b, geom,
                               pads=conv_pads(case.kwargs, [*geom.ks[:-2], geom.ks[-1],
                                                            geom.ks[-2]], geom.d)))
        if geom.pad_mode == "same" and any((a != c) for a, c in geom.pads):
            swapped = [(c, a) for a, c in geom.pads]
            yield ("'same' offset by one",
                   "padding='same' puts the extra padding element before the input "
                   "(MATLAB/TF-lower or numpy-centre convention); PyTorch puts ⌊d(k−1)/2⌋ "
                   "before and the extra one after, which matters for even effective kernels",
                   lambda: ref(x, w, b, geom, pads=swapped))
        if nd > 1:
            rs = geom.s[::-1]
            rd = geom.d[::-1]
            rp = geom.pads[::-1]
            if rs != geom.s:
                yield ("per-axis params swapped (stride)",
                       f"stride={tuple(geom.s)} is applied as {tuple(rs)}: per-axis "
                       "parameters swapped between axes (H/W order)",
                       lambda: ref(x, w, b, geom, stride=rs))
            if rd != geom.d:
                yield ("per-axis params swapped (dilation)",
                       f"dilation={tuple(geom.d)} is applied as {tuple(rd)}: per-axis "
                       "parameters swapped between axes",
                       lambda: ref(x, w, b, geom, dilation=rd))
            if rp != geom.pads:
                yield ("per-axis params swapped (padding)",
                       f"padding is applied per axis in reverse order ({rp} instead of "
                       f"{geom.pads})",
                       lambda: ref(x, w, b, geom, pads=rp))
            if geom.pad_mode == "same":
                same_rd = conv_pads({"padding": "same"}, geom.ks, rd)
                yield ("per-axis dilation swapped in 'same' padding",
                       "padding='same' is computed with the dilation of the other axis "
                       "(per-axis parameters swapped between axes)",
                       lambda: ref(x, w, b, geom, pads=same_rd))
            if (rs, rd, rp) != (geom.s, geom.d, geom.pads):
                yield ("per-axis params swapped",
                       "stride, padding and dilation are all applied to the other axes "
                       "(H/W order reversed)",
                       lambda: ref(x, w, b, geom, stride=rs, dilation=rd, pads=rp))
        if geom.s != geom.d and any(v > 1 for v in geom.s):  # stride 1: see _candidates
            yield ("stride and dilation swapped",
                   f"stride={tuple(geom.s)} and dilation={tuple(geom.d)} are exchanged",
                   lambda: ref(x, w, b, geom, stride=geom.d, dilation=geom.s))
        if any(v > 1 for v in geom.d):
            yield ("dilation ignored", "the dilation argument is silently ignored (d = 1)",
                   lambda: ref(x, w, b, geom, dilation=[1] * nd))
            if geom.pad_mode == "same":
                yield ("dilation ignored",
                       "the dilation argument is silently ignored (d = 1, 'same' padding "
                       "computed without it)",
                       lambda: ref(x, w, b, geom, dilation=[1] * nd,
                                   pads=conv_pads(case.kwargs, geom.ks, [1] * nd)))
            for ax in range(nd):
                if geom.d[ax] > 1 and nd > 1:
                    d1 = list(geom.d)
                    d1[ax] = 1
                    yield (f"dilation ignored on axis {ax}",
                           f"dilation is ignored on spatial axis {ax}",
                           partial(lambda dd: ref(x, w, b, geom, dilation=dd), d1))
        if any(v > 1 for v in geom.s):
            yield ("stride ignored", "the stride argument is ignored (s = 1)",
                   lambda: ref(x, w, b, geom, stride=[1] * nd))
            for ax in range(nd):
                if geom.s[ax] > 1 and nd > 1:
                    s1 = list(geom.s)
                    s1[ax] = 1
                    yield (f"stride ignored on axis {ax}",
                           f"the stride is ignored on spatial axis {ax}",
                           partial(lambda ss: ref(x, w, b, geom, stride=ss), s1))
        if nd > 1:
            for ax in range(nd):
                if any(geom.pads[ax]):
                    p1 = list(geom.pads)
                    p1[ax] = (0, 0)
                    yield (f"padding ignored on axis {ax}",
                           f"the padding is ignored on spatial axis {ax}",
                           partial(lambda pp: ref(x, w, b, geom, pads=pp), p1))
        if any(a or c for a, c in geom.pads):
            yield ("padding ignored", "the padding argument is ignored",
                   lambda: ref(x, w, b, geom, pads=[(0, 0)] * nd))
            after = [(0, a + c) for a, c in geom.pads]
            before = [(a + c, 0) for a, c in geom.pads]
            yield ("padding on one side", "all the padding is applied after the input",
                   lambda: ref(x, w, b, geom, pads=after))
            yield ("padding on one side", "all the padding is applied before the input",
                   lambda: ref(x, w, b, geom, pads=before))
            for mode, label in (("reflect", "reflect"), ("wrap", "circular"),
                                ("edge", "replicate")):
                def padded(mode: str = mode) -> np.ndarray:
                    xp = np.pad(x, [(0, 0), (0, 0), *geom.pads], mode=mode)  # type: ignore[call-overload]
                    return ref(xp, w, b, geom, pads=[(0, 0)] * nd)
                yield (f"{label} padding instead of zeros",
                       f"the input is padded with {label} values; conv padding is zeros",
                       padded)
        lo = _leftover(list(x.shape[2:]), geom)
        if any(lo):
            ceil_pads = [(a, c + (s - r) % s) for (a, c), s, r in zip(geom.pads, geom.s, lo,
                                                                       strict=True)]
            yield ("floor vs ceil output size",
                   "the output size is rounded up (ceil) instead of PyTorch's floor "
                   "⌊(i + 2p − d(k−1) − 1)/s⌋ + 1: an extra, partial window is computed",
                   lambda: ref(x, w, b, geom, pads=ceil_pads))
        if geom.g > 1:
            cout = w.shape[0]
            cin = x.shape[1]

            def out_interleave() -> np.ndarray:
                y = ref(x, w, b, geom)
                n = y.shape[0]
                return (y.reshape(n, geom.g, cout // geom.g, *y.shape[2:])
                        .swapaxes(1, 2).reshape(y.shape))

            def in_interleave() -> np.ndarray:
                perm = np.arange(cin).reshape(geom.g, cin // geom.g).T.reshape(-1)
                return ref(x[:, perm], w, b, geom)

            def zeros_after_first() -> np.ndarray:
                y = ref(x, w, b, geom).copy()
                y[:, cout // geom.g:] = 0 if b is None else b[cout // geom.g:].reshape(
                    (-1,) + (1,) * nd)
                return y

            yield ("group/channel interleave",
                   "output channels are interleaved across groups (o = j·groups + g instead "
                   "of g·(C_out/groups) + j)", out_interleave)
            yield ("group/channel interleave",
                   "input channels are assigned to groups interleaved (c = j·groups + g) "
                   "instead of in contiguous blocks", in_interleave)
            yield ("groups return zeros",
                   "only the first group is computed; the other groups' outputs are zeros",
                   zeros_after_first)
        if geom.g == 1 and w.shape[0] == w.shape[1]:
            yield ("C_in/C_out transposed",
                   "the weight is read as (C_in, C_out, *k) instead of (C_out, C_in, *k)",
                   lambda: ref(x, np.swapaxes(w, 0, 1), b, geom))
        if b is not None:
            yield ("bias ignored", "the bias is not added",
                   lambda: ref(x, w, None, geom))
            yield ("bias added twice", "the bias is added twice",
                   lambda: ref(x, w, 2 * b, geom))

    def variants(self, case: Case) -> list[Case]:
        x, w, b, geom = self._parts(case)
        out = []
        for grow_k, seed in ((0, 1), (1, 2), (2, 3)):
            # grow the axes by different amounts: square kernels hide per-axis swaps
            grow = [grow_k + ax if grow_k else 0 for ax in range(geom.nd)]
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
                            case.integer_valued, case.seed, terms))
        return out

    def shape_hint(self, case: Case, actual_shape: tuple[int, ...]) -> Diagnosis | None:
        x, _, _, geom = self._parts(case)
        i = list(x.shape[2:])
        floors, ceils = [], []
        for n, (a, c), d, k, s in zip(i, geom.pads, geom.d, geom.ks, geom.s, strict=True):
            span = n + a + c - d * (k - 1) - 1
            floors.append(span // s + 1)
            ceils.append(-(-span // s) + 1)
        sp = tuple(actual_shape[2:])
        if sp == tuple(ceils) and ceils != floors:
            return Diagnosis("floor vs ceil output size",
                             f"spatial output {sp} is the ceil formula; PyTorch uses floor "
                             f"⌊(i + 2p − d(k−1) − 1)/s⌋ + 1 = {tuple(floors)}")
        return Diagnosis("output shape",
                         f"spatial output {sp}, but ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1 gives "
                         f"{tuple(floors)} (i={tuple(i)}, k={tuple(geom.ks)}, "
                         f"s={tuple(geom.s)}, pads={geom.pads}, d={tuple(geom.d)})")


class ConvTransposeSpec(OpSpec):
    """``conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
    dilation)``."""

    op = "conv_transpose"
    checker = "check_conv_transpose"

    def _parts(self, case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, _Geom]:
        x = case.args["input"]
        w = case.args["weight"]
        return x, w, case.kwargs.get("bias"), _Geom(case, w)

    def _ref(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geom: _Geom, *,
             stride: list[int] | None = None, padding: list[int] | None = None,
             output_padding: list[int] | None = None, dilation: list[int] | None = None
             ) -> np.ndarray:
        ct = numeric("conv_transpose")
        return np.asarray(ct(
            x, w, b, tuple(geom.s if stride is None else stride),
            tuple(geom.p if padding is None else padding),
            tuple(geom.op if output_padding is None else output_padding), geom.g,
            tuple(geom.d if dilation is None else dilation),
        ))

    def _window(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geom: _Geom,
                starts: list[int], sizes: list[int]) -> np.ndarray:
        """Window ``[start, start+size)`` per axis of the uncropped transposed conv
        (zero-extended on both sides), plus bias."""
        full = self._ref(x, w, None, geom, padding=[0] * geom.nd, output_padding=[0] * geom.nd)
        ext = max(max(sizes), 8) + max(abs(v) for v in starts) + 8
        fp = np.pad(full, [(0, 0), (0, 0)] + [(ext, ext)] * geom.nd)
        sl = tuple(slice(ext + st, ext + st + sz) for st, sz in zip(starts, sizes, strict=True))
        y = fp[tuple([slice(None), slice(None), *sl])]
        if b is not None:
            y = y + b.reshape((-1,) + (1,) * geom.nd)
        return y

    def reference(self, case: Case) -> np.ndarray:
        x, w, b, geom = self._parts(case)
        return self._ref(x, w, b, geom)

    def magnitude(self, case: Case) -> np.ndarray:
        x, w, b, geom = self._parts(case)
        return self._ref(np.abs(x), np.abs(w), None if b is None else np.abs(b), geom)

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
        return out

    def features(self, case: Case) -> list[str]:
        x, w, _, geom = self._parts(case)
        f = _common_features(case, geom, x.shape[2:], x.shape[1], w.shape[1] * geom.g)
        if any(geom.op):
            f.append("output_padding > 0")
        return f

    def candidates(self, case: Case) -> Iterator[Candidate]:
        x, w, b, geom = self._parts(case)
        nd = geom.nd
        sp = tuple(range(2, 2 + nd))
        ref = self._ref
        out_sizes = list(self.reference(case).shape[2:])
        yield ("kernel not flipped",
               "the kernel orientation is wrong: PyTorch's conv_transpose is exactly the "
               "input gradient of conv (the flip is implicit); this output uses the kernel "
               "rotated 180° (e.g. jax.lax.conv_transpose with transpose_kernel=False "
               "semantics)",
               lambda: ref(x, np.flip(w, sp), b, geom))
        if any(geom.op):
            yield ("output_padding on the wrong side",
                   "the output_padding rows are added before the output (at the start) "
                   "instead of after it",
                   lambda: self._window(x, w, b, geom,
                                        [p - o for p, o in zip(geom.p, geom.op, strict=True)],
                                        out_sizes))
            yield ("output_padding as zeros",
                   "output_padding appends zero rows instead of extending the computed "
                   "output",
                   lambda: np.pad(ref(x, w, b, geom, output_padding=[0] * nd),
                                  [(0, 0), (0, 0)] + [(0, o) for o in geom.op]))
            yield ("output_padding ignored", "output_padding is ignored",
                   lambda: ref(x, w, b, geom, output_padding=[0] * nd))
        if any(geom.p):
            yield ("padding ignored", "the padding (an output crop) is ignored",
                   lambda: ref(x, w, b, geom, padding=[0] * nd))
            yield ("transposed padding treated as input padding",
                   "padding is applied to the input (zeros around x, as for a forward conv) "
                   "instead of cropping p from each side of the output",
                   lambda: ref(np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in geom.p]), w, b,
                               geom, padding=[0] * nd))
            yield ("padding cropped on one side",
                   "all 2p of the crop is taken from the start of the output",
                   lambda: self._window(x, w, b, geom, [2 * p for p in geom.p], out_sizes))
        if nd > 1:
            for name, attr in (("stride", "s"), ("dilation", "d"), ("padding", "p"),
                               ("output_padding", "op")):
                val = getattr(geom, attr)
                if val[::-1] != val:
                    def swapped(name: str = name, val: list[int] = val) -> np.ndarray:
                        key = {"stride": "stride", "dilation": "dilation",
                               "padding": "padding", "output_padding": "output_padding"}[name]
                        return ref(x, w, b, geom, **{key: val[::-1]})
                    yield (f"per-axis params swapped ({name})",
                           f"{name}={tuple(val)} is applied as {tuple(val[::-1])}", swapped)
        if geom.s != geom.d:
            def sd() -> np.ndarray:
                op = [min(o, max(s, d) - 1) for o, s, d in zip(geom.op, geom.s, geom.d,
                                                                strict=True)]
                return ref(x, w, b, geom, stride=geom.d, dilation=geom.s, output_padding=op)
            yield ("stride and dilation swapped",
                   f"stride={tuple(geom.s)} and dilation={tuple(geom.d)} are exchanged", sd)
        if any(v > 1 for v in geom.d):
            yield ("dilation ignored", "dilation is ignored in the transposed convolution",
                   lambda: ref(x, w, b, geom, dilation=[1] * nd,
                               output_padding=[min(o, s - 1) for o, s in
                                               zip(geom.op, geom.s, strict=True)]))
        if geom.g > 1:
            cout = w.shape[1] * geom.g

            def out_interleave() -> np.ndarray:
                y = ref(x, w, b, geom)
                n = y.shape[0]
                return (y.reshape(n, geom.g, cout // geom.g, *y.shape[2:])
                        .swapaxes(1, 2).reshape(y.shape))
            yield ("group/channel interleave",
                   "output channels are interleaved across groups", out_interleave)
        if geom.g == 1 and w.shape[0] == w.shape[1]:
            yield ("C_in/C_out transposed",
                   "the weight is read as (C_out, C_in, *k) (forward-conv layout) instead of "
                   "(C_in, C_out/groups, *k)",
                   lambda: ref(x, np.swapaxes(w, 0, 1), b, geom))
        if b is not None:
            yield ("bias ignored", "the bias is not added", lambda: ref(x, w, None, geom))

    def shape_hint(self, case: Case, actual_shape: tuple[int, ...]) -> Diagnosis | None:
        x, _, _, geom = self._parts(case)
        i = x.shape[2:]
        want = [(n - 1) * s - 2 * p + d * (k - 1) + o + 1 for n, s, p, d, k, o in
                zip(i, geom.s, geom.p, geom.d, geom.ks, geom.op, strict=True)]
        nodil = [(n - 1) * s - 2 * p + (k - 1) + o + 1 for n, s, p, k, o in
                 zip(i, geom.s, geom.p, geom.ks, geom.op, strict=True)]
        sp = tuple(actual_shape[2:])
        if sp == tuple(nodil) and nodil != want:
            return Diagnosis("dilation ignored in the output size",
                             f"spatial output {sp} ignores dilation; PyTorch: (i−1)s − 2p + "
                             f"d(k−1) + output_padding + 1 = {tuple(want)}")
        return Diagnosis("output shape",
                         f"spatial output {sp}, but (i−1)s − 2p + d(k−1) + output_padding + 1"
                         f" = {tuple(want)}")


class ConvInputGradSpec(OpSpec):
    """``conv_input_grad(input_size, weight, grad_output, stride, padding, dilation,
    groups)``."""

    op = "conv_input_grad"
    checker = "check_conv_input_grad"

    def _parts(self, case: Case) -> tuple[tuple[int, ...], np.ndarray, np.ndarray, _Geom]:
        return (tuple(case.args["input_size"]), case.args["weight"], case.args["grad_output"],
                _Geom(case, case.args["weight"]))

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

    def features(self, case: Case) -> list[str]:
        size, w, _, geom = self._parts(case)
        f = _common_features(case, geom, size[2:], size[1], w.shape[0])
        if any(_leftover(list(size[2:]), geom)):
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
        return out

    def candidates(self, case: Case) -> Iterator[Candidate]:
        size, w, gy, geom = self._parts(case)
        nd = geom.nd
        sp = tuple(range(2, 2 + nd))
        lo = _leftover(list(size[2:]), geom)
        if any(lo):
            def drop_leftover() -> np.ndarray:
                y = self._ref(size, w, gy, geom).copy()
                for ax, r in enumerate(lo):
                    if r:
                        idx = [slice(None)] * y.ndim
                        idx[2 + ax] = slice(size[2 + ax] - r, None)
                        y[tuple(idx)] = 0
                return y
            yield ("leftover rows dropped",
                   f"(i + 2p − d(k−1) − 1) mod s = {tuple(lo)} ≠ 0: the last rows of the "
                   "input, which no window of the last output reaches after padding, get zero "
                   "gradient where they should not — output_padding of the underlying "
                   "transposed convolution not derived from input_size", drop_leftover)
        yield ("flipped kernel",
               "the kernel is not rotated 180° (or rotated twice): the input gradient is a "
               "full cross-correlation with the flipped kernel",
               lambda: self._ref(size, np.flip(w, sp), gy, geom))
        if geom.s != geom.d:
            yield ("stride and dilation swapped",
                   f"stride={tuple(geom.s)} and dilation={tuple(geom.d)} are exchanged",
                   lambda: self._ref(size, w, gy, geom, stride=tuple(geom.d),
                                     dilation=tuple(geom.s)))
        if nd > 1:
            for name, attr in (("stride", "s"), ("dilation", "d"), ("padding", "p")):
                val = getattr(geom, attr)
                if val[::-1] != val:
                    yield (f"per-axis params swapped ({name})",
                           f"{name}={tuple(val)} is applied as {tuple(val[::-1])}",
                           partial(lambda nm, v: self._ref(size, w, gy, geom,
                                                           **{nm: tuple(v[::-1])}), name, val))
        if any(v > 1 for v in geom.d):
            yield ("dilation ignored", "dilation is ignored",
                   lambda: self._ref(size, w, gy, geom, dilation=(1,) * nd))
        if any(geom.p):
            yield ("padding ignored", "the padding is ignored (the input gradient is "
                   "computed as if the forward conv had no padding)",
                   lambda: self._ref(size, w, gy, geom, padding=(0,) * nd))
        if geom.g > 1:
            cin = size[1]

            def in_interleave() -> np.ndarray:
                y = self._ref(size, w, gy, geom)
                return (y.reshape(y.shape[0], geom.g, cin // geom.g, *y.shape[2:])
                        .swapaxes(1, 2).reshape(y.shape))
            yield ("group/channel interleave", "input channels interleaved across groups",
                   in_interleave)
        if geom.g == 1 and w.shape[0] == w.shape[1]:
            yield ("C_in/C_out transposed", "the weight's channel axes are swapped",
                   lambda: self._ref(size, np.swapaxes(w, 0, 1), gy, geom))


class ConvWeightGradSpec(OpSpec):
    """``conv_weight_grad(input, weight_size, grad_output, stride, padding, dilation,
    groups)``."""

    op = "conv_weight_grad"
    checker = "check_conv_weight_grad"

    def _parts(self, case: Case) -> tuple[np.ndarray, tuple[int, ...], np.ndarray, _Geom]:
        size = tuple(case.args["weight_size"])
        dummy = np.empty(size)
        return case.args["input"], size, case.args["grad_output"], _Geom(case, dummy)

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

    def features(self, case: Case) -> list[str]:
        x, size, _, geom = self._parts(case)
        f = _common_features(case, geom, x.shape[2:], x.shape[1], size[0])
        if any(_leftover(list(x.shape[2:]), geom)):
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
        return out

    def candidates(self, case: Case) -> Iterator[Candidate]:
        x, size, gy, geom = self._parts(case)
        nd = geom.nd
        sp = tuple(range(2, 2 + nd))
        yield ("flipped kernel", "the weight gradient comes out rotated 180°",
               lambda: np.flip(self._ref(x, size, gy, geom), sp))
        if geom.s != geom.d:
            yield ("stride and dilation swapped",
                   "stride and dilation are exchanged (they swap roles in the weight "
                   "gradient's correlation, and were swapped back wrongly)",
                   lambda: self._ref(x, size, gy, geom, stride=tuple(geom.d),
                                     dilation=tuple(geom.s)))
        if nd > 1:
            for name, attr in (("stride", "s"), ("dilation", "d"), ("padding", "p")):
                val = getattr(geom, attr)
                if val[::-1] != val:
                    yield (f"per-axis params swapped ({name})",
                           f"{name}={tuple(val)} is applied as {tuple(val[::-1])}",
                           partial(lambda nm, v: self._ref(x, size, gy, geom,
                                                           **{nm: tuple(v[::-1])}), name, val))
        if any(v > 1 for v in geom.d):
            yield ("dilation ignored", "dilation is ignored",
                   lambda: self._ref(x, size, gy, geom, dilation=(1,) * nd))
        if any(geom.p):
            yield ("padding ignored", "the padding is ignored",
                   lambda: self._ref(x, size, gy, geom, padding=(0,) * nd))
        if geom.g > 1:
            def out_interleave() -> np.ndarray:
                y = self._ref(x, size, gy, geom)
                return (y.reshape(geom.g, size[0] // geom.g, *y.shape[1:])
                        .swapaxes(0, 1).reshape(y.shape))
            yield ("group/channel interleave", "output channels interleaved across groups",
                   out_interleave)
        if geom.g == 1 and size[0] == size[1]:
            yield ("C_in/C_out transposed", "the gradient's channel axes are swapped",
                   lambda: np.swapaxes(self._ref(x, size, gy, geom), 0, 1))
        if x.shape[0] > 1:
            yield ("batch not summed", "only the first batch element contributes",
                   lambda: self._ref(x[:1], size, gy[:1], geom))

