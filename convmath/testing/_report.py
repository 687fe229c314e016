"""What a check tells the user: the :class:`CheckReport` of a pass, the text of a failure
(:func:`_describe_failure`), the reproduction snippet (:func:`reproduction`) and the
messages of the other findings (an exception, an unusable return value, nearly every case
Unsupported), each ending with the seed that repeats the search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from convmath.errors import ConvCheckFailure
from convmath.testing._backends import Backend
from convmath.testing._case import Case
from convmath.testing._diagnose import _diagnose
from convmath.testing._options import clip, show
from convmath.testing._spec import Diagnosis, OpSpec
from convmath.testing._tolerance import Comparison

__all__ = [
    "SEED_HINT",
    "CheckReport",
    "describe_return",
    "reproduction",
    "unsupported_message",
    "user_error_message",
    "with_seed_hint",
]


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
            lines.append(f"  rejected as Unsupported (by the implementation or its adapter): "
                         f"{self.unsupported} case(s)")
        for note, count in sorted(self.notes.items()):
            lines.append(f"  note: {note} (×{count})")
        lines[-1] += ">"
        return "\n".join(lines)


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


def _snippet(case: Case, fn: Any, backend: Backend, spec: OpSpec) -> list[str]:
    try:
        return ["reproduce:"] + ["    " + ln for ln in
                                 reproduction(case, fn, backend, spec).splitlines()]
    except Exception:  # a snippet is a courtesy, never a crash
        return []


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


#: the last line of a failure report: how to repeat the search (the CLI rewrites it)
SEED_HINT = "repeat this search: seed={seed}"


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


def user_error_message(checker: str, fn: Any, exc: BaseException, count: int,
                       who: Any = None) -> str:
    """The first line of a report for an implementation that raised on a valid call."""
    raiser = "the implementation" if who is None or who is fn else _fn_name(who)
    return (f"{checker}({_fn_name(fn)}) found a bug: {raiser} raised "
            f"{type(exc).__name__}: {clip(str(exc), 300)} on a valid call ({count} case(s) "
            "raised; the smallest is shown; the original exception is chained as __cause__)")


def unsupported_message(checker: str, fn: Any, unsupported: int, passed: int) -> str:
    return (
        f"{checker}({_fn_name(fn)}) could not check the implementation: it raised "
        f"Unsupported on {unsupported} case(s) and accepted only {passed}. Declare the "
        "space it supports instead, so that every drawn case is one it takes: e.g. "
        "isotropic=True (one int per parameter), strides=[1, 2], paddings=[0, 1], "
        "kernel_sizes=[3], dilation=False, groups=False."
    )
