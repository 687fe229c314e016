"""The engine shared by every checker: run Hypothesis, compare, shrink, report.

A checker is an :class:`OpSpec` (how to call the operation, what the reference says, how
large the rounding error may be, which convention mismatches could explain a wrong
answer) plus a case strategy. :func:`run_check` draws cases, calls the implementation
through a backend, compares under the tolerance model, lets Hypothesis shrink a failure to
the smallest case, and raises :class:`~convmath.errors.ConvCheckFailure` with the case,
the worst element, the error against its bound, a diagnosis and a reproduction snippet.
An exception raised by the implementation on a valid call, an output that is not a
numeric array and a call that runs past the per-call deadline are findings too: each is a
``ConvCheckFailure`` naming the case (the implementation's exception is chained as its
``__cause__``). Every report ends with the seed that repeats the search.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, given, reject
from hypothesis import seed as hyp_seed
from hypothesis import settings as Settings
from hypothesis.errors import Unsatisfiable
from hypothesis.strategies import SearchStrategy

from convmath.errors import ConvCheckFailure, InvalidArgument
from convmath.testing._backends import Backend
from convmath.testing._case import Case
from convmath.testing._deadline import DeadlineExceeded, call_with_deadline
from convmath.testing._diagnosis import ranked
from convmath.testing._options import clip, show
from convmath.testing._space import Unsupported
from convmath.testing._tolerance import (
    Comparison,
    compare_elementwise,
    compare_normwise_bilinear,
    gamma,
    round_to_dtype,
    unit_roundoff,
)

__all__ = ["CheckReport", "Diagnosis", "OpSpec", "run_check"]


@dataclass
class Diagnosis:
    """A named convention mismatch that reproduces the implementation's output."""

    name: str
    explanation: str

    def __str__(self) -> str:
        return f"{self.name}: {self.explanation}"


@dataclass
class CheckReport:
    """What a passing check did: examples run, features covered, worst error vs bound."""

    checker: str
    function: str
    examples: int
    worst_ratio: float
    worst_case: str
    features: dict[str, int] = field(default_factory=dict)
    exact_elements: int = 0
    elements: int = 0
    seconds: float = 0.0
    #: options never exercised, each with the reason ("divisor_override (fn takes no
    #: such argument)", "groups (switched off)")
    not_exercised: list[str] = field(default_factory=list)
    #: cases the implementation rejected by raising :class:`~convmath.testing.Unsupported`
    unsupported: int = 0
    #: passes by a weaker rule than the default, with how many examples each
    #: ("FFT-level accuracy, not elementwise ×12")
    notes: dict[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        feats = ", ".join(f"{k} ×{v}" for k, v in sorted(self.features.items()))
        lines = [
            f"<{self.checker}({self.function}): passed {self.examples} examples in "
            f"{self.seconds:.2f} s",
            f"  worst error: {self.worst_ratio:.3g} of the allowed bound"
            + (f" (on {self.worst_case})" if self.worst_case else ""),
            f"  exact: {self.exact_elements}/{self.elements} output elements had to match "
            "exactly",
            f"  covered: {feats}",
        ]
        if self.not_exercised:
            lines.append(f"  not exercised: {', '.join(self.not_exercised)}")
        if self.unsupported:
            lines.append(f"  rejected as Unsupported by the implementation: "
                         f"{self.unsupported} case(s)")
        for note, count in sorted(self.notes.items()):
            lines.append(f"  note: {note} (×{count})")
        lines[-1] += ">"
        return "\n".join(lines)


class _Mismatch(Exception):
    """Raised inside the Hypothesis test; turned into ConvCheckFailure after shrinking."""

    def __init__(self, case: Case, actual: Any, comparison: Comparison) -> None:
        super().__init__(comparison.detail or "mismatch")
        self.case = case
        self.actual = actual
        self.comparison = comparison


class OpSpec:
    """How to check one operation. Subclasses fill in the reference and diagnoses."""

    op: str = ""
    checker: str = ""

    def reference(self, case: Case) -> np.ndarray:
        raise NotImplementedError

    def magnitude(self, case: Case) -> np.ndarray:
        """``S = Σ|terms|`` per output element (the reference applied to absolute values)."""
        raise NotImplementedError

    def compare(self, case: Case, actual: Any, tolerance: str) -> Comparison:
        expected = self.reference(case)
        actual = np.asarray(actual)
        if actual.shape != expected.shape:
            return compare_elementwise(expected, actual, expected, 0, case.dtype,
                                       integer_valued=False)
        if tolerance == "normwise":  # FFT/Winograd conv family: the two operand arrays
            a, b = [v for k, v in case.args.items() if isinstance(v, np.ndarray)][:2]
            length = math.prod(
                p + 3 * q for p, q in zip(a.shape[2:], b.shape[2:], strict=False)) or 1
            return compare_normwise_bilinear(expected, actual, a, b, self.magnitude(case),
                                             case.terms, length, case.dtype)
        return compare_elementwise(
            expected, actual, self.magnitude(case), case.terms, case.dtype,
            integer_valued=case.integer_valued,
        )

    def candidates(self, case: Case) -> Iterator[tuple[str, str, Callable[[], Any]]]:
        """Convention mismatches to try: ``(name, explanation, compute_output)``."""
        return iter(())

    def shape_hint(self, case: Case, actual_shape: tuple[int, ...]) -> Diagnosis | None:
        return None

    def variants(self, case: Case) -> list[Case]:
        """Larger or re-valued versions of ``case`` on which coincidences disappear."""
        return []

    def extra_diagnosis(self, case: Case, actual: np.ndarray) -> Diagnosis | None:
        """A last-resort diagnosis for a right-shaped output no candidate explains."""
        return None

    def diagnosis_view(self, case: Case, actual: Any, comp: Comparison) -> tuple[
            Iterator[tuple[str, str, Callable[[], Any]]], np.ndarray, np.ndarray]:
        """The candidates to try, the output they must reproduce, and the reference."""
        act = np.asarray(actual[0] if isinstance(actual, tuple) else actual)
        from convmath.testing._candidates import extra_candidates, priority_candidates

        return (itertools.chain(priority_candidates(self, case), self.candidates(case),
                                extra_candidates(self, case)), act, self.reference(case))

    def features(self, case: Case) -> list[str]:
        return []

    def prepare_output(self, case: Case, out: Any, backend: Backend) -> Any:
        return backend.back(out)


def _call(fn: Callable[..., Any], case: Case, backend: Backend) -> Any:
    def conv(v: Any) -> Any:
        return backend.to(v, case.dtype) if isinstance(v, np.ndarray) else v

    args = [conv(v) for v in case.args.values()]
    kwargs = {k: conv(v) for k, v in case.kwargs.items()}
    with backend.calling():
        return fn(*args, **kwargs)


def _fn_name(fn: Any) -> str:
    mod = getattr(fn, "__module__", None) or ""
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    return f"{mod}.{name}" if mod and mod != "__main__" else str(name)


def _np_literal(a: np.ndarray, dtype: str) -> str:
    body = np.array2string(a if np.iscomplexobj(a) else a.astype(np.float64),
                           separator=", ", threshold=10**6, max_line_width=88)
    np_dtype = "np.float32" if dtype == "bfloat16" else f"np.{dtype}"
    return f"np.array({body}, dtype={np_dtype})"


def _to_backend(name: str, dtype: str, backend: Backend) -> str:
    if backend.name == "numpy":
        return name
    text = backend.snippet_wrap.format(name)
    if backend.name == "torch" and dtype in ("bfloat16", "float16"):
        text += f".to(torch.{dtype})"
    return text


def reproduction(case: Case, fn: Any, backend: Backend, spec: OpSpec) -> str:
    """A copy-paste snippet that recomputes the failing output and the reference."""
    arrays = case.arrays()
    small = bool(case.info.get("literal")) or sum(a.size for a in arrays.values()) <= 300
    lines = [backend.snippet_import, "import convmath.numeric as ref"]
    if any(not np.all(np.isfinite(a)) for a in arrays.values()):
        lines.append("from numpy import inf, nan")
    mod = getattr(fn, "__module__", None)
    qual = str(getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or "fn")
    extra = getattr(fn, "__convmath_imports__", None)  # set by convmath.testing.adapters
    if isinstance(extra, tuple) and all(isinstance(line, str) for line in extra):
        lines.extend(extra)
    if "<" in qual:
        call = "fn  # your function"
    elif mod and mod not in ("__main__", "builtins"):
        lines.append(f"from {mod} import {qual.split('.')[0]}")
        call = qual
    else:
        call = qual
    if small:
        for k, a in arrays.items():
            lines.append(f"{k} = {_np_literal(a, case.dtype)}")
    else:
        lines.append("from convmath.testing.strategies import make_values")
        lines.append(f"rng = np.random.default_rng({case.seed})")
        for k, (_, shape, m, zeros, cplx, literal, *more) in zip(
                arrays, case.info.get("recipe", []), strict=False):
            if literal:  # drawn by Hypothesis element by element: small, printed as is
                lines.append(f"{k} = {_np_literal(arrays[k], case.dtype)}")
                continue
            extra = f", zeros={zeros}" if zeros else ""
            extra += ", complex_values=True" if cplx else ""
            extra += "".join(f", {a}={v!r}" for a, v in (more[0] if more else {}).items())
            dt = "np.float32" if case.dtype == "bfloat16" else f"np.{case.dtype}"
            lines.append(f"{k} = make_values({shape}, {case.dtype!r}, rng, integer_max={m}"
                         f"{extra}).astype({dt})")

    def render(k: str, v: Any, user: bool) -> str:
        if isinstance(v, np.ndarray):
            return _to_backend(k, case.dtype, backend) if user else f"{k}.astype(np.float64)"
        return repr(v)

    user_args = [render(k, v, True) for k, v in case.args.items()]
    user_args += [f"{k}={render(k, v, True)}" for k, v in case.kwargs.items()]
    ref_args = [render(k, v, False) for k, v in case.args.items()]
    ref_args += [f"{k}={render(k, v, False)}" for k, v in case.kwargs.items()]
    if spec.op in ("convolve", "correlate"):
        if "mode" not in case.kwargs and "mode" in case.info:  # a declared mode, not passed
            ref_args.append(f"mode={case.info['mode']!r}")
        ref_args.append("method='direct'")
    if case.info.get("same_rule") == "tf":  # TF 'SAME': the reference gets explicit pads
        from convmath.numeric._shapes import tf_same_padding

        x, w = case.args["input"], case.args["weight"]
        kw = case.kwargs
        pads = [(0, 0), (0, 0), *((int(a), int(b)) for a, b in tf_same_padding(
            x.shape[2:], w.shape[2:], kw.get("stride", 1), kw.get("dilation", 1)))]
        ref_args = [f"np.pad(input.astype(np.float64), {pads})" if a.startswith("input")
                    else "padding=0" if a.startswith("padding=") else a for a in ref_args]
    if spec.op in ("max_pool", "avg_pool", "max_pool_grad", "avg_pool_grad"):
        # the reference never guesses the number of spatial axes from the shapes
        dims = (case.args["input"].ndim if "input" in case.args
                else len(case.args["input_size"])) - 2
        ref_args.append(f"ndim={dims}")
    call_fn = call.split("  #")[0]
    lines.append(f"out = {call_fn}({', '.join(user_args)})")
    lines.append(f"expected = ref.{spec.op}({', '.join(ref_args)})")
    return "\n".join(lines)


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

    peaks = sorted((peak(a) for a in case.arrays().values()), reverse=True)
    peaks.extend([0.0, 0.0, 0.0])
    scale = max(case.terms, 1) * peaks[0] * peaks[1] + peaks[2]
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
    break the tie.
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
    for other_case, other_out in others:
        if len(found) <= 1:
            break
        try:
            other_comp = spec.compare(other_case, other_out, "elementwise")
        except Exception:
            continue
        if other_comp.ok:
            continue  # the bug does not show on this variant: no evidence either way
        also = {(d.name, d.explanation)
                for d in _matching(spec, other_case, other_out, other_comp)}
        both = [d for d in found if (d.name, d.explanation) in also]
        if both:
            found = both
    if found and has_first:
        found = _confirmed(spec, found, comp, others[0])
    for other in others[1:] if has_first else others:
        if found:  # larger kernels and inputs separate what coincided on both cases
            found = _confirmed(spec, found, comp, other, caveat=False)
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
        if hint is not None:
            return [hint]
    return []


#: appended to a diagnosis that explains the minimal case but not the first failure
UNCONFIRMED = ("; this explains the minimal case, but not the first failing case found, so "
               "another mistake may be at work there too")


def _confirmed(spec: OpSpec, found: list[Diagnosis], comp: Comparison,
               first: tuple[Case, Any], caveat: bool = True) -> list[Diagnosis]:
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
    if there_comp.ok or there_comp.shape_ok != comp.shape_ok:
        return found  # the first failure is of another kind: no evidence either way
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


def _describe_failure(
    spec: OpSpec, fn: Any, case: Case, actual: Any, comp: Comparison, backend: Backend,
    examples: int, first: tuple[Case, Any] | None = None,
    probe: Callable[[Case], Any] | None = None, found: list[Diagnosis] | None = None,
) -> str:
    """The report of a wrong answer; its diagnoses are appended to ``found``."""
    found = [] if found is None else found
    lines = [
        f"{spec.checker}({_fn_name(fn)}) found a bug (at example {examples}; shrunk to the "
        "smallest failing case below).",
        "",
        f"case: {case!r}",
    ]
    if not comp.shape_ok:
        lines.append(f"{comp.detail} [{spec.op}]")
    elif comp.extra.get("what"):
        lines.append(comp.extra["what"])
    elif comp.mode == "normwise":
        lines.append(
            f"normwise error ‖out − expected‖₂ = {comp.error:.6g} exceeds the FFT bound "
            f"{comp.allowed:.6g} (ratio {comp.ratio:.3g}); worst element "
            f"out{list(comp.index or ())}: expected {comp.expected!r}, got {comp.actual!r}"
        )
    else:
        idx = list(comp.index or ())
        lines.append(f"worst element out{idx}: expected {comp.expected!r}, got {comp.actual!r}")
        if comp.exact and not case.integer_valued:
            lines.append(
                f"error {comp.error:.6g}, allowed 0: {spec.op} only selects input values (no "
                "rounding), so the output must match exactly"
            )
        elif comp.exact:
            lines.append(
                f"error {comp.error:.6g}, allowed 0: integer-valued inputs whose every "
                f"accumulation is exact in {case.dtype}, so the output must match exactly"
            )
        else:
            lines.append(
                f"error {comp.error:.6g} > allowed {comp.allowed:.6g} = γ_{case.terms + 1}"
                f"({case.dtype})·Σ|terms| (ratio {comp.ratio:.3g})"
            )
    diags = _diagnose(spec, case, actual, comp, first, probe)
    found.extend(diags)
    if diags:
        lines.append(f"diagnosis: {diags[0]}")
    else:
        lines.append("diagnosis: no known convention mismatch reproduces this output")
    arrays = case.arrays()
    if sum(a.size for a in arrays.values()) <= 120:
        lines.append("arrays:")
        for k, a in arrays.items():
            lines.append(f"  {k} = {np.array2string(a, separator=', ', prefix='    ')}")
        try:
            lines.append(f"  expected = {np.array2string(spec.reference(case), separator=', ')}")
            act = actual[0] if isinstance(actual, tuple) else actual
            lines.append(f"  actual   = {np.array2string(np.asarray(act), separator=', ')}")
        except Exception:
            pass
    lines.append("reproduce:")
    lines += ["    " + ln for ln in reproduction(case, fn, backend, spec).splitlines()]
    return "\n".join(lines)


def resolve_settings(max_examples: int | None, settings: Any, default: int) -> Any:
    if settings is not None and max_examples is not None:
        raise InvalidArgument(
            f"give max_examples or settings, not both (max_examples={max_examples!r})"
        )
    if settings is not None:
        if not isinstance(settings, Settings):
            raise InvalidArgument(f"settings must be a hypothesis.settings, got {settings!r}")
        return settings
    n = default if max_examples is None else max_examples
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise InvalidArgument(f"max_examples must be a positive int, got {max_examples!r}")
    return Settings(
        max_examples=n,
        deadline=None,
        database=None,
        derandomize=False,
        print_blob=False,
        report_multiple_bugs=False,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )


@contextlib.contextmanager
def reproducible_generation() -> Iterator[None]:
    """Make a seeded check draw the same cases whatever else the process has imported.

    Recent Hypothesis versions mix constants harvested from every *local* module loaded so
    far (the user's code, their tests) into generation. Which modules are loaded depends on
    what ran before in the process (pytest-xdist schedules tests differently on every run),
    so ``seed=`` alone would not reproduce a check. While a checker runs, the harvested
    constants are hidden; Hypothesis's built-in constants still apply. If Hypothesis's
    internals change shape, this silently does nothing.
    """
    try:
        from hypothesis.internal.conjecture import providers

        original = providers._get_local_constants
        empty = providers.Constants()
        cache = providers.CONSTANTS_CACHE.cache
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - other versions
        yield
        return
    providers._get_local_constants = lambda: empty
    cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.clear()


def _add_note(exc: BaseException, note: str) -> None:
    add = getattr(exc, "add_note", None)  # Python >= 3.11; Hypothesis's notes otherwise
    if add is not None:
        add(note)


def _size(case: Case) -> int:
    return sum(a.size for a in case.arrays().values())


# --- what every checker (reference or law) shares: the call, its deadline, the search ---

#: the last line of a failure report: how to repeat the search (the CLI rewrites it)
SEED_HINT = "repeat this search: seed={seed}"


class _Timeout(BaseException):
    """A call ran past the deadline: stops the search at once (no shrinking, since every
    smaller case could take as long). A BaseException so that Hypothesis lets it through."""

    def __init__(self, case: Case, exc: DeadlineExceeded) -> None:
        super().__init__(str(exc))
        self.case = case
        self.exc = exc


class _StopSearch(BaseException):
    """Nearly every case raised: drawing more of them would only repeat the finding."""


class _BadReturn(BaseException):
    """The implementation returned something unusable (not a numeric array, a wrong shape
    for a law): stops the search at once. Hypothesis's first case is its simplest one, and
    such a finding needs no shrinking."""

    def __init__(self, case: Case, problem: str) -> None:
        super().__init__(problem)
        self.case = case
        self.problem = problem


def guarded_call(thunk: Callable[[], Any], case: Case, deadline: float | None) -> Any:
    """``thunk()`` (a call of the implementation) under the per-call deadline."""
    try:
        return call_with_deadline(thunk, deadline)
    except DeadlineExceeded as exc:
        raise _Timeout(case, exc) from None


def describe_return(value: Any) -> str:
    """A short description of what the implementation returned, for a failure message."""
    if value is None:
        return "None"
    text = show(value, 80)
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        return f"a {type(value).__name__} of dtype {dtype} and shape {tuple(shape)}"
    return f"{text} (a {type(value).__name__})"


def output_problem(raw: Any, convert: Callable[[], Any]) -> tuple[Any, str | None]:
    """Convert the implementation's output; ``(output, None)`` or ``(None, problem)``."""
    if raw is None:
        return None, "the implementation returned None instead of an array"
    try:
        out = convert()
    except Exception as exc:  # whatever the output is, it is not an array
        return None, (f"the implementation returned {describe_return(raw)}, which is not a "
                      f"numeric array ({type(exc).__name__}: {clip(str(exc), 160)})")
    parts = out if isinstance(out, tuple) else (out,)
    for part in parts:
        kind = np.asarray(part).dtype.kind
        if kind not in "biufc":
            return None, (f"the implementation returned {describe_return(raw)}, which is not "
                          f"a numeric array (dtype kind {kind!r})")
    return out, None


def user_error_message(checker: str, fn: Any, exc: BaseException, count: int,
                       who: Any = None) -> str:
    """The first line of a report for an implementation that raised on a valid call."""
    raiser = "the implementation" if who is None or who is fn else _fn_name(who)
    return (f"{checker}({_fn_name(fn)}) found a bug: {raiser} raised "
            f"{type(exc).__name__}: {clip(str(exc), 300)} on a valid call ({count} case(s) "
            "raised; the smallest is shown; the original exception is chained as __cause__)")


def timeout_message(checker: str, fn: Any, t: _Timeout) -> str:
    lines = [
        f"{checker}({_fn_name(fn)}) found a bug: the implementation did not return within "
        f"the deadline of {t.exc.seconds:g} s (a hang, or far too slow) on the case below.",
        "The search stops at the first such case (no shrinking: each step could take as "
        "long); deadline=None disables the limit, deadline=<seconds> raises it.",
    ]
    if t.exc.abandoned:
        lines.append("(The call was left running in a background thread: it could not be "
                     "interrupted.)")
    lines += ["", f"case: {t.case!r}"]
    return "\n".join(lines)


def too_many_errors(errors: int, passed: int) -> bool:
    """Stop drawing once nearly every case raises: 25 raising cases and 3× the passes."""
    return errors >= 25 and errors > 3 * passed


def pick_seed(seed: int | None, settings: Any) -> int | None:
    """``seed``, or a random one (so that every report can say how to repeat the search);
    None when ``settings`` derandomize the search (a seed would be ignored)."""
    if seed is None and not settings.derandomize:
        return random.randrange(2**32)
    return seed


def search(test: Callable[[Case], None], strategy: SearchStrategy[Case], settings: Any,
           seed: int | None) -> None:
    """Run ``test`` over ``strategy`` with Hypothesis, seeded with ``seed`` if given.

    Hypothesis's own output (its "add @seed(…)" hint among others) is discarded: each
    report carries convmath's hint instead (:func:`with_seed_hint`).
    """
    from hypothesis.reporting import with_reporter

    wrapped = settings(given(strategy)(test))
    if seed is not None:
        wrapped = hyp_seed(seed)(wrapped)
    with reproducible_generation(), with_reporter(lambda text: None):
        wrapped()


def with_seed_hint(message: str, seed: int | None, *, kind: str | None = None,
                   case: Case | None = None) -> ConvCheckFailure:
    """A ConvCheckFailure with ``message`` and the hint that repeats the search."""
    if seed is not None:
        message += "\n" + SEED_HINT.format(seed=seed)
    failure = ConvCheckFailure(message)
    failure.seed = seed  # read by the CLI
    failure.kind = kind
    failure.case = case
    return failure


def _fill_mismatch(failure: ConvCheckFailure, spec: OpSpec, m: _Mismatch,
                   diagnoses: list[Diagnosis]) -> None:
    """The structured fields of a wrong answer (see :class:`~convmath.ConvCheckFailure`)."""
    comp = m.comparison
    failure.index = comp.index
    failure.error = comp.error
    failure.bound = comp.allowed
    failure.diagnoses = tuple(diagnoses)
    act = m.actual[0] if isinstance(m.actual, tuple) else m.actual
    failure.got = np.asarray(act)
    try:
        failure.expected = spec.reference(m.case)
    except Exception:  # the failure is reported whatever the reference does
        failure.expected = None


def _snippet(case: Case, fn: Any, backend: Backend, spec: OpSpec) -> list[str]:
    try:
        return ["reproduce:"] + ["    " + ln for ln in
                                 reproduction(case, fn, backend, spec).splitlines()]
    except Exception:  # a snippet is a courtesy, never a crash
        return []


def run_check(
    spec: OpSpec,
    fn: Callable[..., Any],
    strategy: SearchStrategy[Case],
    backend: Backend,
    settings: Any,
    seed: int | None,
    tolerance: str = "elementwise",
    deadline: float | None = None,
    space: dict[str, Any] | None = None,
) -> CheckReport:
    """Run ``spec`` on ``fn`` over ``strategy``; raise ConvCheckFailure or return a report.

    ``space`` is the declared parameter space (value sets, ``isotropic``): the minimizer
    never leaves it.

    Every finding is a :class:`~convmath.ConvCheckFailure`: a wrong answer (shrunk and
    diagnosed), an output that is not a numeric array (shrunk), an exception raised by
    ``fn`` on a valid call (the smallest such case; the exception is chained as
    ``__cause__``), and a call that runs past ``deadline`` seconds (the first such case).
    """
    if not callable(fn):
        raise InvalidArgument(f"fn must be callable, got fn={show(fn)}")
    stats: dict[str, Any] = {
        "n": 0, "worst": 0.0, "worst_case": "", "features": Counter(), "exact": 0, "elems": 0,
        "first": None, "errors": [], "n_first": 0, "unsupported": 0, "notes": Counter(),
    }

    def run_fn(case: Case) -> Any:
        return guarded_call(lambda: _call(fn, case, backend), case, deadline)

    def test(case: Case) -> None:
        try:
            raw = run_fn(case)
        except Unsupported:  # "outside my API": a rejected example, never a bug
            stats["unsupported"] += 1
            reject()
        except Exception as exc:
            # Keep looking for a wrong answer (the stronger finding); if none turns up,
            # the smallest case that raised is reported at the end.
            stats["errors"].append((case, exc))
            if too_many_errors(len(stats["errors"]), stats["n"]):
                raise _StopSearch() from None
            reject()
        out, problem = output_problem(raw, lambda: spec.prepare_output(case, raw, backend))
        if problem is not None:
            raise _BadReturn(case, problem)
        with np.errstate(invalid="ignore", over="ignore"):  # NaN/inf inputs are deliberate
            try:
                comp = compare_with_policy(spec, case, out, tolerance)
            except Exception as exc:  # an output no comparison can read
                raise _BadReturn(case, f"the implementation returned {describe_return(raw)}, "
                                       f"which cannot be compared with the reference "
                                       f"({type(exc).__name__}: {clip(str(exc), 160)})") from None
        if not comp.ok:
            if stats["first"] is None:
                stats["first"] = (case, out)
                stats["n_first"] = stats["n"] + 1
            raise _Mismatch(case, out, comp)
        stats["n"] += 1
        if comp.ratio > stats["worst"]:
            stats["worst"] = comp.ratio
            stats["worst_case"] = repr(case)
        stats["features"].update(spec.features(case))
        if comp.note:
            stats["notes"][comp.note] += 1
        stats["exact"] += comp.n_exact
        stats["elems"] += comp.n_elements

    if backend.compiled:  # one compilation per geometry: reuse a bounded set of them
        from convmath.testing._compiled import POOL_SIZE, pooled

        strategy = pooled(strategy)
        stats["notes"][f"compiled backend: at most {POOL_SIZE} distinct geometries, each "
                       "with fresh values"] += 1
    start = time.perf_counter()
    seed = pick_seed(seed, settings)
    try:
        search(test, strategy, settings, seed)
    except (Unsatisfiable, _StopSearch):
        if not stats["errors"] and not stats["unsupported"]:
            raise
    except _Timeout as t:
        raise with_seed_hint("\n".join([timeout_message(spec.checker, fn, t),
                                        *_snippet(t.case, fn, backend, spec)]),
                             seed, kind="timeout", case=t.case) from None
    except _BadReturn as b:
        msg = "\n".join([f"{spec.checker}({_fn_name(fn)}) found a bug: {b.problem} (on the "
                         "case below).", "", f"case: {b.case!r}",
                         *_snippet(b.case, fn, backend, spec)])
        raise with_seed_hint(msg, seed, kind="bad_return", case=b.case) from None
    except _Mismatch as m:
        def probe(variant: Case) -> Any:
            try:
                out = spec.prepare_output(variant, run_fn(variant), backend)
            except (Exception, _Timeout):
                return None
            return out

        m = _minimized(spec, m, probe, tolerance, space)
        diagnoses: list[Diagnosis] = []
        msg = _describe_failure(spec, fn, m.case, m.actual, m.comparison, backend,
                                stats["n_first"] or stats["n"] + 1, stats["first"], probe,
                                diagnoses)
        if stats["errors"]:
            case, exc = stats["errors"][0]
            msg += (f"\nalso: the implementation raised {type(exc).__name__}: "
                    f"{clip(str(exc), 300)} on {len(stats['errors'])} case(s), e.g. {case!r}")
        failure = with_seed_hint(msg, seed, kind="mismatch", case=m.case)
        _fill_mismatch(failure, spec, m, diagnoses)
        raise failure from None
    if stats["errors"]:
        _report_smallest_error(fn, spec, backend, stats["errors"], deadline,
                               seed)
    if too_many_unsupported(stats["unsupported"], stats["n"],
                            getattr(settings, "max_examples", None)):
        raise with_seed_hint(unsupported_message(spec.checker, fn, stats["unsupported"],
                                                 stats["n"]), seed, kind="unsupported")
    worst = stats["worst"]
    return CheckReport(
        checker=spec.checker, function=_fn_name(fn), examples=stats["n"],
        worst_ratio=0.0 if math.isnan(worst) else worst, worst_case=stats["worst_case"],
        features=dict(stats["features"]), exact_elements=stats["exact"],
        elements=stats["elems"], seconds=time.perf_counter() - start,
        unsupported=stats["unsupported"], notes=dict(stats["notes"]),
    )


#: the operations whose error an FFT (or Winograd) implementation bounds in norm only
NORMWISE_OPS = frozenset({"conv", "conv_transpose", "conv_input_grad", "conv_weight_grad",
                          "convolve", "correlate"})
FFT_NOTE = ("FFT-level accuracy, not elementwise: the output meets the normwise FFT error "
            "bound but not the elementwise bound of a direct sum (pass tolerance="
            "'elementwise' to require that)")


def compare_with_policy(spec: OpSpec, case: Case, out: Any, tolerance: str) -> Comparison:
    """Compare under the tolerance policy. ``'auto'`` (the default): the elementwise bound
    of a direct sum; an output that fails it but meets the normwise FFT bound passes with
    :data:`FFT_NOTE`. ``'elementwise'`` and ``'normwise'`` apply one rule only."""
    if tolerance != "auto":
        return spec.compare(case, out, tolerance)
    comp = spec.compare(case, out, "elementwise")
    if comp.ok or not comp.shape_ok or spec.op not in NORMWISE_OPS:
        return comp
    alt = spec.compare(case, out, "normwise")
    if alt.ok:
        alt.note = alt.note or FFT_NOTE
        return alt
    return comp


#: calls of the implementation spent, at most, on simplifying a shrunk failing case
SIMPLIFY_BUDGET = 40


def _minimized(spec: OpSpec, m: _Mismatch, probe: Callable[[Case], Any], tolerance: str,
               space: dict[str, Any] | None = None) -> _Mismatch:
    """The simplest case reachable from Hypothesis's shrunk one by one-step
    simplifications (:mod:`convmath.testing._simplify`) on which the implementation still
    gives a wrong answer of the same kind (shape or values)."""
    from convmath.testing._simplify import simpler, within

    def valid(case: Case) -> bool:
        if not within(case, space):  # a case the implementation did not declare
            return False
        try:
            spec.reference(case)
        except Exception:
            return False
        return True

    budget = SIMPLIFY_BUDGET
    current = m
    improved = True
    while improved and budget > 0:
        improved = False
        for candidate in simpler(current.case, valid):
            if budget <= 0:
                break
            budget -= 1
            out = probe(candidate)
            if out is None:
                continue
            try:
                with np.errstate(invalid="ignore", over="ignore"):
                    comp = compare_with_policy(spec, candidate, out, tolerance)
            except Exception:
                continue
            if not comp.ok and comp.shape_ok == current.comparison.shape_ok:
                current = _Mismatch(candidate, out, comp)
                improved = True
                break
    return current


def too_many_unsupported(unsupported: int, passed: int, target: int | None = None) -> bool:
    """Nearly every case was outside the implementation's API: no real verdict. A search
    that reached its ``target`` number of passed examples has one, whatever it skipped."""
    if target is not None and passed >= target:
        return False
    return unsupported > 0 and (passed == 0 or unsupported > 9 * passed)


def unsupported_message(checker: str, fn: Any, unsupported: int, passed: int) -> str:
    return (
        f"{checker}({_fn_name(fn)}) could not check the implementation: it raised "
        f"Unsupported on {unsupported} case(s) and accepted only {passed}. Declare the "
        "space it supports instead, so that every drawn case is one it takes: e.g. "
        "isotropic=True (one int per parameter), strides=[1, 2], paddings=[0, 1], "
        "kernel_sizes=[3], dilation=False, groups=False."
    )


def _report_smallest_error(fn: Callable[..., Any], spec: OpSpec, backend: Backend,
                           errors: list[tuple[Case, BaseException]], deadline: float | None,
                           seed: int | None) -> None:
    """Raise ConvCheckFailure for the smallest case that raised, chaining its exception."""
    case, exc = min(errors, key=lambda ce: _size(ce[0]))
    try:
        guarded_call(lambda: _call(fn, case, backend), case, deadline)
    except Exception as again:  # the same call, raised afresh: a clean traceback
        exc = again
    except _Timeout:
        pass
    _add_note(exc, f"{spec.checker}: the implementation raised on {case!r} (a valid call)")
    msg = "\n".join([user_error_message(spec.checker, fn, exc, len(errors)), "",
                     f"case: {case!r}", *_snippet(case, fn, backend, spec)])
    raise with_seed_hint(msg, seed, kind="exception", case=case) from exc
