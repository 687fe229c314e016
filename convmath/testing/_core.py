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

The package, by responsibility: the case model (``_case``), value generation
(``_values``), geometry drawing shared by conv, transposed conv, gradients and pooling
(``_geometry``), the case strategies (``strategies``); a checker's spec and the tolerance
policy (``_spec``); one spec per operation family (``_conv``, ``_pool``, ``_signal``) with
its diagnoses as ranked data (``_conv_candidates``, ``_diagnosis``); naming a mistake
(``_diagnose``); reports, messages and reproduction snippets (``_report``); this runner,
used by the reference checkers (``_checkers``) and the law checkers (``laws``), with the
minimizer (``_simplify``) and the geometry pool of compiled backends (``_compiled``).
Adding a checker is a spec, a strategy and a function in ``_checkers``; adding a
diagnosis is one entry in its operation's table.
"""

from __future__ import annotations

import contextlib
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
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
from convmath.testing._options import clip, show
from convmath.testing._report import (
    CheckReport,
    _describe_failure,
    _fn_name,
    _snippet,
    describe_return,
    unsupported_message,
    user_error_message,
    with_seed_hint,
)
from convmath.testing._space import Unsupported
from convmath.testing._spec import (
    Diagnosis,
    OpSpec,
    compare_with_policy,
)
from convmath.testing._tolerance import (
    Comparison,
)

__all__ = ["CheckReport", "Diagnosis", "OpSpec", "run_check"]


class _Mismatch(Exception):
    """Raised inside the Hypothesis test; turned into ConvCheckFailure after shrinking."""

    def __init__(self, case: Case, actual: Any, comparison: Comparison) -> None:
        super().__init__(comparison.detail or "mismatch")
        self.case = case
        self.actual = actual
        self.comparison = comparison


def _call(fn: Callable[..., Any], case: Case, backend: Backend) -> Any:
    def conv(v: Any) -> Any:
        return backend.to(v, case.dtype) if isinstance(v, np.ndarray) else v

    args = [conv(v) for v in case.args.values()]
    kwargs = {k: conv(v) for k, v in case.kwargs.items()}
    with backend.calling():
        return fn(*args, **kwargs)


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
