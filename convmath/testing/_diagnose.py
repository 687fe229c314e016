"""Naming the mistake behind a wrong answer.

Every ranked candidate of the spec (:mod:`convmath.testing._diagnosis`) is recomputed on
the failing case and kept if it reproduces the implementation's output
(:func:`_matching`). On a minimal case several mistakes coincide: the first failing case
and grown variants of the minimal one break the tie and confirm the name
(:func:`_diagnose`, :func:`_confirmed`). Without a candidate, a precision finding
(:func:`_precision_diagnosis`: the output has the rounding error of a lower precision) or
the spec's own last resort names it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from convmath.testing._case import Case
from convmath.testing._diagnosis import ranked
from convmath.testing._spec import Diagnosis, OpSpec
from convmath.testing._tolerance import (
    Comparison,
    gamma,
    round_to_dtype,
    unit_roundoff,
)

__all__ = [
    "UNCONFIRMED",
]


def _matching(spec: OpSpec, case: Case, actual: Any, comp: Comparison) -> list[Diagnosis]:
    """Every candidate convention mismatch that reproduces ``actual`` on ``case``.

    A candidate that coincides with the reference on this case explains nothing and is
    skipped.
    """
    out: list[Diagnosis] = []
    try:
        view, act, expected = spec.diagnosis_view(case, actual, comp)
        candidates = ranked(view)
    except Exception:
        return out
    # An upper bound on Σ|terms| for the case and for every candidate: K times the product
    # of the two largest array magnitudes, plus the third (a bias).
    def peak(a: np.ndarray) -> float:  # the largest finite magnitude (inputs may hold NaN)
        fin = np.abs(a[np.isfinite(a)])
        return float(np.max(fin)) if fin.size else 0.0

    arrays = case.arrays()
    peaks = sorted((peak(a) for a in arrays.values()), reverse=True)
    peaks.extend([0.0, 0.0, 0.0])
    # one array (pooling, its gradient): the terms are its values, not products of two
    second = peaks[1] if len(arrays) > 1 else 1.0
    scale = max(case.terms, 1) * peaks[0] * second + peaks[2]
    k1 = case.terms + 1
    tol = 4 * (gamma(k1, case.dtype) + 2 * gamma(k1, "float64")) * scale + 1e-300

    def close(a: np.ndarray, b: np.ndarray) -> bool:
        if a.shape != b.shape or a.size == 0:
            return False
        with np.errstate(invalid="ignore"):
            same_inf = (a == b) | (np.isnan(a) & np.isnan(b))  # NaN propagated on both
            diff = np.where(same_inf, 0.0, np.abs(a - b))
        return bool(np.all(np.isfinite(diff)) and float(np.max(diff)) <= tol)

    seen = set()
    for name, why, compute, _rank in candidates:
        try:
            cand = np.asarray(compute())
        except Exception:
            continue
        if (name, why) in seen or not close(cand, act) or close(cand, expected):
            continue
        out.append(Diagnosis(name, why))
        seen.add((name, why))
    return out


def _diagnose(
    spec: OpSpec, case: Case, actual: Any, comp: Comparison,
    first: tuple[Case, Any] | None = None,
    probe: Callable[[Case], Any] | None = None,
) -> list[Diagnosis]:
    """Name the convention mismatch behind a failure.

    The shrunk case is small, so several mismatches may coincide on it; the first failing
    case Hypothesis found (larger, more generic) and variants of the shrunk case (larger
    kernels and inputs, fresh values), run through the implementation via ``probe``,
    confirm the names or break the tie (:func:`_confirmed`).
    """
    found = _matching(spec, case, actual, comp)
    others: list[tuple[Case, Any]] = []
    has_first = first is not None and first[0] is not case
    if has_first:
        others.append(first)  # type: ignore[arg-type]
    for variant in spec.variants(case) if (probe is not None and found) else []:
        out = probe(variant) if probe is not None else None
        if out is not None:
            others.append((variant, out))
    for i, other in enumerate(others):
        if not found:
            break
        # the first failing case names; a grown variant only separates what coincided
        found = _confirmed(spec, found, other, caveat=has_first and i == 0)
    if found:
        return found
    act = np.asarray(actual if not isinstance(actual, tuple) else actual[0])
    if comp.shape_ok:
        prec = _precision_diagnosis(spec, case, act)
        if prec is not None:
            return [prec]
        extra = spec.extra_diagnosis(case, act)
        if extra is not None:
            return [extra]
    else:
        hint = spec.shape_hint(case, tuple(act.shape))
        if hint is not None and has_first:
            # the first case's formula, if it also gives the minimal case's shape, explains
            # both (on a minimal case several formulas coincide: pad = 0 slicing and any
            # other mistake that empties the output)
            there = _first_shape_hint(spec, first)  # type: ignore[arg-type]
            if (there is not None and there.name != hint.name
                    and there.name in spec.shape_names(case, tuple(act.shape))):
                return [there]
        if hint is not None:
            return [hint]
    return []


def _first_shape_hint(spec: OpSpec, first: tuple[Case, Any]) -> Diagnosis | None:
    """The shape diagnosis of the first failing case, if its shape was wrong too."""
    case, out = first
    try:
        if spec.compare(case, out, "elementwise").shape_ok:
            return None
        act = np.asarray(out[0] if isinstance(out, tuple) else out)
        return spec.shape_hint(case, tuple(act.shape))
    except Exception:
        return None


#: appended to a diagnosis that explains the minimal case but not the first failure
UNCONFIRMED = ("; this explains the minimal case, but not the first failing case found, so "
               "another mistake may be at work there too")


def _confirmed(spec: OpSpec, found: list[Diagnosis], first: tuple[Case, Any],
               caveat: bool = True) -> list[Diagnosis]:
    """Check the diagnoses of the minimal case on the first failing case (larger and more
    generic: on a minimal case several mistakes coincide, e.g. a bias added once per
    kernel tap and a bias added twice on a two-tap kernel). Those that reproduce it too
    are kept; if none does but other candidates do, theirs is the name; if no candidate
    reproduces it, the minimal case's names stay, with a caveat (without one when
    ``caveat`` is False: a variant of the minimal case may show a second mistake)."""
    case, out = first
    try:
        there_comp = spec.compare(case, out, "elementwise")
    except Exception:
        return found
    if there_comp.ok:
        return found  # the mistake does not show there: no evidence either way
    there = _matching(spec, case, out, there_comp)
    keys = {(d.name, d.explanation) for d in there}
    both = [d for d in found if (d.name, d.explanation) in keys]
    if both:
        return both
    if there:
        return there
    if not caveat or any(d.explanation.endswith(UNCONFIRMED) for d in found):
        return found
    return [Diagnosis(d.name, d.explanation + UNCONFIRMED) for d in found]


_LOWER = {  # the more precise format first: the tightest bound that fits names the format
    "float64": ("float32", "float16", "bfloat16"),
    "complex128": ("complex64",),
    "float32": ("float16", "bfloat16"),
    "complex64": (),
    "float16": (),
    "bfloat16": (),
}


def _emulated(spec: OpSpec, case: Case, low: str) -> list[np.ndarray]:
    """The reference on inputs cast to ``low``; also with its output cast to ``low``."""
    low_case = copy.copy(case)
    low_case.args = {k: round_to_dtype(v, low) if isinstance(v, np.ndarray) else v
                     for k, v in case.args.items()}
    low_case.kwargs = {k: round_to_dtype(v, low) if isinstance(v, np.ndarray) else v
                       for k, v in case.kwargs.items()}
    try:
        out = np.asarray(spec.reference(low_case))
    except Exception:
        return []
    return [out, np.asarray(round_to_dtype(out, low))]


def _precision_diagnosis(spec: OpSpec, case: Case, act: np.ndarray) -> Diagnosis | None:
    """Name a lower precision only when it explains the output.

    Every error must lie within that precision's bound, and either the bound is tight
    (γ_{K+3} ≤ 1 %: a structural error, such as a dropped channel, cannot hide in it) or
    casting the inputs and the output to that precision reproduces the output far better
    than the reference does. ``K + 3`` counts the two input casts and the output cast.
    """
    try:
        expected = spec.reference(case)
        mag = spec.magnitude(case)
    except Exception:
        return None
    with np.errstate(invalid="ignore", over="ignore"):  # inf − inf: not a precision issue
        err = np.abs(act - expected)
    if not np.all(np.isfinite(err)) or not err.size or float(np.max(err)) == 0:
        return None
    for low in _LOWER.get(case.dtype, ()):
        k1 = case.terms + 3
        bound = (gamma(k1, low) + gamma(k1, "float64")) * mag
        if low in ("float16", "bfloat16"):
            bound = bound + k1 * (2.0**-133 if low == "bfloat16" else 2.0**-24)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = float(np.max(np.where(bound > 0, err / bound, 0.0)))
        # the errors must also be of the lower precision's size somewhere (K may count
        # terms that fall in the padding, so a float32 error can sit well below its bound)
        # a lower-precision sum of nothing is still exactly zero: an error where S = 0
        # (an output made only of padding) is no rounding error
        if not np.all(err <= bound) or bool(np.any((err > 0) & (mag == 0))):
            continue
        tight = float(gamma(k1, low)) <= 0.01 and scale >= (
            1e-3 if k1 * unit_roundoff(low) > 1e-3 else 1e-6)
        if not tight and not any(
                emu.shape == act.shape
                and float(np.max(np.abs(act - emu))) <= 0.1 * float(np.max(err))
                for emu in _emulated(spec, case, low)):
            continue
        chans = [a.shape[1] for a in case.arrays().values() if a.ndim >= 3]
        extra = ""
        if any(c % 32 == 0 for c in chans):
            extra = f" Channel counts here are {chans}: a fast path for C % 32 == 0?"
        return Diagnosis(
            "precision",
            f"the output has the rounding error of {low} arithmetic, not {case.dtype}: "
            f"accumulation (or an input/output cast) in {low} — every error is within "
            f"the {low} bound γ_K·(|w|⋆|x|) (K = {case.terms}).{extra}",
        )
    return None
