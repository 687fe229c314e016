"""Checkers for the signal API: ``convolve`` and ``correlate`` with scipy.signal semantics.

Reference: :func:`convmath.numeric.convolve` / :func:`convmath.numeric.correlate`
(``convolve`` flips ``in2``; ``correlate`` does not and conjugates ``in2``; ``'same'`` has
the shape of ``in1`` and starts at ``⌊(n−1)/2⌋`` inside ``'full'``). Direct
implementations get the elementwise bound (exact for integer-valued inputs); FFT
implementations are checked with ``tolerance='normwise'``. Diagnoses: kernel flipped
(convolution vs correlation), output reversed (np.correlate argument order), conjugation
missing or on the wrong argument, 'same' centred the MATLAB/TF way, 'same' with the length
of the longer input (numpy), inputs swapped, mode ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from convmath.testing._case import Case
from convmath.testing._reference import numeric
from convmath.testing._spec import Diagnosis, OpSpec
from convmath.testing._tolerance import Comparison, compare_normwise
from convmath.testing._values import make_values

__all__ = ["SignalSpec"]


class SignalSpec(OpSpec):
    """``convolve(in1, in2, mode)`` or ``correlate(in1, in2, mode)``."""

    def __init__(self, op: str) -> None:
        self.op = op
        self.checker = f"check_{op}"

    def _ref(self, a: np.ndarray, b: np.ndarray, mode: str) -> np.ndarray:
        # method='direct': the reference must be a direct sum (exact for integer values)
        return np.asarray(numeric(self.op)(np.ascontiguousarray(a), np.ascontiguousarray(b),
                                            mode, method="direct"))

    def _mode(self, case: Case) -> str:
        return str(case.kwargs.get("mode", case.info.get("mode", "full")))

    def reference(self, case: Case) -> np.ndarray:
        return self._ref(case.args["in1"], case.args["in2"], self._mode(case))

    def magnitude(self, case: Case) -> np.ndarray:
        return self._ref(np.abs(case.args["in1"]), np.abs(case.args["in2"]), self._mode(case))

    def compare(self, case: Case, actual: Any, tolerance: str) -> Comparison:
        if tolerance == "normwise":
            expected = self.reference(case)
            a, b = case.args["in1"], case.args["in2"]
            na2, nb1 = float(np.linalg.norm(a.ravel())), float(np.abs(b).sum())
            na1, nb2 = float(np.abs(a).sum()), float(np.linalg.norm(b.ravel()))
            full = int(np.prod([m + n - 1 for m, n in zip(a.shape, b.shape, strict=True)]))
            # both pairings bound the error; the larger keeps any FFT layout safe
            if na2 * nb1 >= na1 * nb2:
                return compare_normwise(expected, np.asarray(actual), na2, nb1, full,
                                        case.dtype)
            return compare_normwise(expected, np.asarray(actual), nb2, na1, full, case.dtype)
        return super().compare(case, actual, tolerance)

    def _full_window(self, case: Case, starts: list[int], shape: tuple[int, ...]
                     ) -> np.ndarray:
        full = self._ref(case.args["in1"], case.args["in2"], "full")
        sl = tuple(slice(s, s + n) for s, n in zip(starts, shape, strict=True))
        return full[sl]

    def candidates(self, case: Case) -> Iterator[tuple[str, str, Any]]:
        a, b = case.args["in1"], case.args["in2"]
        mode = self._mode(case)
        other = "correlate" if self.op == "convolve" else "convolve"
        flip_b = np.flip(b)
        yield ("flipped kernel",
               f"this is {other}, not {self.op}: the second input is "
               f"{'not ' if self.op == 'convolve' else ''}flipped (convolution flips, "
               "cross-correlation does not)",
               lambda: self._ref(a, np.conj(flip_b) if np.iscomplexobj(b) else flip_b, mode))
        yield ("output reversed",
               "the output is reversed (np.correlate-style argument order: correlate(a, v) "
               "vs correlate(v, a))", lambda: np.flip(self._ref(a, b, mode)))
        if np.iscomplexobj(a) or np.iscomplexobj(b):
            if self.op == "correlate":
                yield ("conjugation",
                       "in2 is not conjugated (scipy.signal.correlate conjugates in2)",
                       lambda: self._ref(a, np.conj(b), mode))
                yield ("conjugation", "in1 is conjugated instead of in2",
                       lambda: np.conj(self._ref(a, b, mode)))
            else:
                yield ("conjugation", "in2 is conjugated (convolution conjugates nothing)",
                       lambda: self._ref(a, np.conj(b), mode))
        if mode == "same":
            starts_m = [n // 2 for n in b.shape]
            yield ("'same' offset by one",
                   "'same' is centred the MATLAB/TF way (starting at ⌊n/2⌋ inside 'full'); "
                   "numpy/scipy start at ⌊(n−1)/2⌋ — off by one for even-length in2",
                   lambda: self._full_window(case, starts_m, a.shape))
            big = tuple(max(m, n) for m, n in zip(a.shape, b.shape, strict=True))
            starts_np = [(n - 1) // 2 if m >= n else (m - 1) // 2
                         for m, n in zip(a.shape, b.shape, strict=True)]
            yield ("'same' length max(M, N)",
                   "'same' has the length of the longer input (np.convolve and "
                   "np.correlate); scipy's 'same' has the shape of in1",
                   lambda: self._full_window(case, starts_np, big))
        if any(m > 1 and n > 1 for m, n in zip(a.shape, b.shape, strict=True)):
            yield ("circular convolution (FFT too short)",
                   "the FFT length is max(M, N) instead of at least M + N − 1: the "
                   f"{self.op} wraps around (a circular {self.op}, padded with zeros to the "
                   "full length)", lambda: self._wrapped(case))
        if mode != "full":
            yield ("mode ignored", f"mode={mode!r} is ignored: the 'full' output is returned",
                   lambda: self._ref(a, b, "full"))
        yield ("inputs swapped", "in1 and in2 are swapped", lambda: self._ref(b, a, mode))

    def _wrapped(self, case: Case) -> np.ndarray:
        """The output of an FFT of length ``max(M, N)`` per axis: the full output folded
        modulo that length (exactly: a sum of reference values), zero-padded back to the
        full length, then cut to the case's mode."""
        a, b = case.args["in1"], case.args["in2"]
        full = self._ref(a, b, "full")
        wrapped = full
        for ax, (m, n) in enumerate(zip(a.shape, b.shape, strict=True)):
            length = max(m, n)
            folded = np.zeros((*wrapped.shape[:ax], length, *wrapped.shape[ax + 1:]),
                              dtype=wrapped.dtype)
            for start in range(0, wrapped.shape[ax], length):
                part = np.take(wrapped, np.arange(start, min(start + length,
                                                             wrapped.shape[ax])), axis=ax)
                idx = [slice(None)] * wrapped.ndim
                idx[ax] = slice(0, part.shape[ax])
                folded[tuple(idx)] += part
            pad = [(0, 0)] * wrapped.ndim
            pad[ax] = (0, full.shape[ax] - length)
            wrapped = np.pad(folded, pad)
        mode = self._mode(case)
        if mode == "full":
            return wrapped
        if mode == "same":
            starts = [(n - 1) // 2 for n in b.shape]
            shape = a.shape
        else:
            starts = [min(m, n) - 1 for m, n in zip(a.shape, b.shape, strict=True)]
            shape = tuple(max(m, n) - min(m, n) + 1
                          for m, n in zip(a.shape, b.shape, strict=True))
        return wrapped[tuple(slice(s, s + n) for s, n in zip(starts, shape, strict=True))]

    def variants(self, case: Case) -> list[Case]:
        a, b = case.args["in1"], case.args["in2"]
        cplx = case.dtype.startswith("complex")
        out = []
        for grow, seed in ((0, 1), (2, 2), (3, 3)):
            rng = np.random.default_rng(case.seed + 1000 + seed)
            m = 2 if case.integer_valued else None
            s1 = [n + grow + 1 if grow else n for n in a.shape]
            s2 = [n + grow for n in b.shape]
            if self._mode(case) == "valid":
                s1 = [max(x, y) for x, y in zip(s1, s2, strict=True)]
            n1 = make_values(s1, case.dtype, rng, integer_max=m, complex_values=cplx)
            n2 = make_values(s2, case.dtype, rng, integer_max=m, complex_values=cplx)
            terms = min(n1.size, n2.size) + (2 if cplx else 0)
            out.append(Case(case.op, {"in1": n1, "in2": n2}, dict(case.kwargs), case.dtype,
                            case.integer_valued, case.seed, terms))
        return out

    def shape_hint(self, case: Case, actual_shape: tuple[int, ...]) -> Diagnosis | None:
        a, b = case.args["in1"], case.args["in2"]
        mode = self._mode(case)
        if mode == "valid" and any(m < n for m, n in zip(a.shape, b.shape, strict=True)):
            return Diagnosis("'valid' with a longer second input",
                             "scipy/numpy swap the inputs when in2 is larger in every "
                             "dimension ('valid' is then non-empty); MATLAB returns empty")
        return Diagnosis("output shape", f"output shape {actual_shape}, but mode={mode!r} "
                         f"gives {self.reference(case).shape} for in1 {a.shape}, in2 "
                         f"{b.shape}")

    def extra_diagnosis(self, case: Case, actual: np.ndarray) -> Diagnosis | None:
        if self.compare(case, actual, "normwise").ok:
            return Diagnosis(
                "FFT-like rounding",
                "the error is within the normwise bound of an FFT algorithm but not within "
                "the elementwise bound of a direct sum (inexact where the inputs allow an "
                "exact answer, or small outputs lost); if the implementation is FFT-based "
                "by design, check it with tolerance='normwise'",
            )
        return None

    def features(self, case: Case) -> list[str]:
        a, b = case.args["in1"], case.args["in2"]
        f = [case.dtype, f"mode={self._mode(case)!r}",
             "integer-valued (exact)" if case.integer_valued else "real-valued"]
        if any(n % 2 == 0 for n in b.shape):
            f.append("even-length in2")
        if any(m < n for m, n in zip(a.shape, b.shape, strict=True)):
            f.append("in2 longer than in1")
        if max(a.shape) >= 64:
            f.append("length >= 64")
        return f

