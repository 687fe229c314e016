"""Laws that need no reference: checks an implementation against itself (or its adjoint).

Each law holds exactly in exact arithmetic, and the cases are integer-valued float64
(small integers, every accumulation exact), so each side must match *exactly*:

- :func:`check_conv_linearity` — ``f(x₁ + 2x₂, w) = f(x₁, w) + 2 f(x₂, w)`` and the same in w;
- :func:`check_conv_translation_equivariance` — without padding, shifting the input by
  ``s`` along an axis shifts the output by one;
- :func:`check_conv_adjoint` — ``⟨conv(x, w), y⟩ = ⟨x, conv_input_grad(x.shape, w, y)⟩``
  (or with ``conv_transpose``): the strongest single law, it catches transposed-conv bugs
  that finite differences miss;
- :func:`check_conv_groups` — a grouped conv is the concatenation of per-group convs;
- :func:`check_mode_nesting` — for ``convolve``/``correlate``: ``'valid'`` and ``'same'``
  are windows of ``'full'`` (scipy's centring ``⌊(n−1)/2⌋`` for ``'same'``).

A violation raises :class:`~convmath.ConvCheckFailure` naming the law and the case.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import reject
from hypothesis.errors import Unsatisfiable

from convmath.errors import InvalidArgument
from convmath.testing import strategies as sts
from convmath.testing._backends import Backend, resolve_backend
from convmath.testing._case import Case
from convmath.testing._core import (
    _add_note,
    _BadReturn,
    _StopSearch,
    _Timeout,
    guarded_call,
    output_problem,
    pick_seed,
    resolve_settings,
    search,
    timeout_message,
    too_many_errors,
    too_many_unsupported,
)
from convmath.testing._options import DEFAULT_DEADLINE, clip, validated
from convmath.testing._reference import per_axis
from convmath.testing._report import (
    CheckReport,
    _fn_name,
    unsupported_message,
    user_error_message,
    with_seed_hint,
)
from convmath.testing._space import Unsupported

__all__ = [
    "check_conv_adjoint",
    "check_conv_groups",
    "check_conv_linearity",
    "check_conv_translation_equivariance",
    "check_mode_nesting",
]

_DEFAULT_EXAMPLES = 200  # a correct conv takes < 1 s; 60 missed leftover-row bugs


class _Violation(Exception):
    """A law does not hold on ``case``."""

    def __init__(self, case: Case, message: str) -> None:
        super().__init__(message)
        self.case = case
        self.message = message


class _UserError(Exception):
    """The implementation (``fn``) raised ``exc`` on a valid call."""

    def __init__(self, fn: Any, exc: Exception) -> None:
        super().__init__(str(exc))
        self.fn = fn
        self.exc = exc


def _runner(law: str, fn: Any, strategy: Any, prop: Callable[[Case], None],
            max_examples: int | None, settings: Any, seed: int | None,
            deadline: float | None) -> CheckReport:
    count = {"n": 0, "unsupported": 0}
    errors: list[tuple[Case, _UserError]] = []

    def test(case: Case) -> None:
        try:
            prop(case)
        except (_Violation, _Timeout, _BadReturn):
            raise
        except _UserError as exc:
            if isinstance(exc.exc, Unsupported):  # outside the implementation's API
                count["unsupported"] += 1
                reject()  # keep looking for a violation; reported below if none
            errors.append((case, exc))
            if too_many_errors(len(errors), count["n"]):
                raise _StopSearch() from None
            reject()
        except Exception as exc:  # outputs the law cannot be evaluated on
            raise _BadReturn(case, f"the law cannot be evaluated on the implementation's "
                                   f"outputs ({type(exc).__name__}: {clip(str(exc))})") from None
        count["n"] += 1

    conf = resolve_settings(max_examples, settings, _DEFAULT_EXAMPLES)
    seed = pick_seed(seed, conf)
    start = time.perf_counter()
    try:
        search(test, strategy, conf, seed)
    except (Unsatisfiable, _StopSearch):
        if not errors and not count["unsupported"]:
            raise
    except _Timeout as t:
        raise with_seed_hint(timeout_message(law, fn, t), seed, kind="timeout",
                             case=t.case) from None
    except _BadReturn as b:
        raise with_seed_hint(f"{law}({_fn_name(fn)}) found a bug: {b.problem}\n\n"
                             f"case: {b.case!r}", seed, kind="bad_return",
                             case=b.case) from None
    except _Violation as v:
        raise with_seed_hint(
            f"{law}({_fn_name(fn)}) violated (shrunk to the smallest case):\n\n"
            f"case: {v.case!r}\n{v.message}", seed, kind="law", case=v.case) from None
    if errors:
        case, err = min(errors, key=lambda ce: sum(a.size for a in ce[0].arrays().values()))
        _add_note(err.exc, f"{law}: {_fn_name(err.fn)} raised on {case!r} (a valid call)")
        msg = user_error_message(law, fn, err.exc, len(errors), who=err.fn)
        raise with_seed_hint(f"{msg}\n\ncase: {case!r}", seed, kind="exception",
                             case=case) from err.exc
    if too_many_unsupported(count["unsupported"], count["n"],
                            getattr(conf, "max_examples", None)):
        raise with_seed_hint(unsupported_message(law, fn, count["unsupported"], count["n"]),
                             seed, kind="unsupported")
    return CheckReport(law, _fn_name(fn), count["n"], 0.0, "", {"exact law": count["n"]},
                       seconds=time.perf_counter() - start,
                       unsupported=count["unsupported"])


def _call(fn: Callable[..., Any], backend: Backend, case: Case, deadline: float | None,
          expect: tuple[int, ...] | None, *args: Any, **kw: Any) -> np.ndarray:
    """``fn(*args, **kw)`` through the backend, under the deadline; the output must be a
    numeric array of shape ``expect`` (when given)."""
    def run() -> Any:
        conv = [backend.to(a, "float64") if isinstance(a, np.ndarray) else a for a in args]
        kconv = {k: backend.to(v, "float64") if isinstance(v, np.ndarray) else v
                 for k, v in kw.items()}
        with backend.calling():
            return fn(*conv, **kconv)

    try:
        raw = guarded_call(run, case, deadline)
    except Exception as exc:
        raise _UserError(fn, exc) from None
    out, problem = output_problem(raw, lambda: backend.back(raw))
    if problem is not None:
        raise _BadReturn(case, f"{_fn_name(fn)}: {problem}")
    arr = np.asarray(out)
    if expect is not None and tuple(arr.shape) != tuple(expect):
        raise _BadReturn(case, f"{_fn_name(fn)} returned an array of shape "
                               f"{tuple(arr.shape)}; these arguments give shape {tuple(expect)}")
    return arr


def _conv_shape(x: np.ndarray, w: np.ndarray, kw: dict[str, Any]) -> tuple[int, ...]:
    """The output shape of ``conv(x, w, **kw)`` (PyTorch's formula)."""
    from convmath.numeric import conv_output_size

    nd = x.ndim - 2
    pad = kw.get("padding", 0)
    if pad == "same":
        spatial = tuple(x.shape[2:])
    else:
        spatial = tuple(conv_output_size(
            tuple(x.shape[2:]), tuple(w.shape[2:]), kw.get("stride", 1),
            0 if pad == "valid" else pad, kw.get("dilation", 1)))
    assert len(spatial) == nd
    return (x.shape[0], w.shape[0], *spatial)


def _differ(case: Case, what: str, lhs: np.ndarray, rhs: np.ndarray) -> None:
    if lhs.shape != rhs.shape:
        raise _Violation(case, f"{what}: shapes {lhs.shape} and {rhs.shape} differ")
    if not np.array_equal(lhs, rhs, equal_nan=False):
        idx = tuple(int(i) for i in np.argwhere(~(lhs == rhs))[0])
        raise _Violation(case, f"{what}: at {list(idx)} {lhs[idx]!r} != {rhs[idx]!r} "
                               "(integer-valued inputs: both sides are exact)")


def _conv_strategy(ndim: int, **features: Any) -> Any:
    return sts.conv_cases(ndim, dtypes=("float64",), values="integer", bias=False, **features)


@validated
def check_conv_linearity(
    fn: Callable[..., Any], *, ndim: int = 2, backend: Any = "numpy", groups: bool = True,
    stride: bool = True, dilation: bool = True, padding: bool = True,
    padding_modes: Any = ("explicit",), max_examples: int | None = None, settings: Any = None,
    seed: int | None = None, device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """``f(x₁ + 2x₂, w) = f(x₁, w) + 2 f(x₂, w)`` and ``f(x, w₁ + 2w₂) = …`` exactly."""
    be = resolve_backend(backend, device)

    def prop(case: Case) -> None:
        x, w = case.args["input"], case.args["weight"]
        rng = np.random.default_rng(case.seed + 1)
        x2 = rng.integers(-2, 3, size=x.shape).astype(np.float64)
        w2 = rng.integers(-2, 3, size=w.shape).astype(np.float64)
        shape = _conv_shape(x, w, case.kwargs)

        def f(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return _call(fn, be, case, deadline, shape, a, b, **case.kwargs)

        _differ(case, "linearity in the input", f(x + 2 * x2, w), f(x, w) + 2 * f(x2, w))
        _differ(case, "linearity in the weight", f(x, w + 2 * w2), f(x, w) + 2 * f(x, w2))

    return _runner("check_conv_linearity", fn,
                   _conv_strategy(ndim, groups=groups, stride=stride, dilation=dilation,
                                  padding=padding, padding_modes=padding_modes),
                   prop, max_examples, settings, seed, deadline)


@validated
def check_conv_translation_equivariance(
    fn: Callable[..., Any], *, ndim: int = 2, backend: Any = "numpy", groups: bool = True,
    stride: bool = True, dilation: bool = True, max_examples: int | None = None,
    settings: Any = None, seed: int | None = None, device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Without padding, dropping the first ``s`` input rows drops the first output row."""
    be = resolve_backend(backend, device)

    def prop(case: Case) -> None:
        x, w = case.args["input"], case.args["weight"]
        s = per_axis(case.kwargs.get("stride"), ndim, 1)
        y = _call(fn, be, case, deadline, _conv_shape(x, w, case.kwargs), x, w, **case.kwargs)
        for ax in range(ndim):
            if y.shape[2 + ax] < 2:
                continue
            sl = [slice(None)] * x.ndim
            sl[2 + ax] = slice(s[ax], None)
            ys = [slice(None)] * y.ndim
            ys[2 + ax] = slice(1, None)
            xs = np.ascontiguousarray(x[tuple(sl)])
            shifted = _call(fn, be, case, deadline, _conv_shape(xs, w, case.kwargs), xs, w,
                            **case.kwargs)
            _differ(case, f"translation equivariance on axis {ax} (input shifted by "
                          f"stride {s[ax]})", shifted, y[tuple(ys)])

    return _runner("check_conv_translation_equivariance", fn,
                   _conv_strategy(ndim, groups=groups, stride=stride, dilation=dilation,
                                  padding=False),
                   prop, max_examples, settings, seed, deadline)


@validated
def check_conv_adjoint(
    forward: Callable[..., Any], adjoint: Callable[..., Any], *, kind: str = "input_grad",
    ndim: int = 2, backend: Any = "numpy", groups: bool = True, stride: bool = True,
    dilation: bool = True, padding: bool = True, max_examples: int | None = None,
    settings: Any = None, seed: int | None = None, device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """``⟨forward(x, w), y⟩ = ⟨x, adjoint(…, w, y)⟩`` exactly.

    ``kind='input_grad'``: ``adjoint(input_size, weight, grad_output, stride, padding,
    dilation, groups)``; ``kind='transpose'``: ``adjoint(y, weight, stride=…, padding=…,
    output_padding=…, groups=…, dilation=…)`` with the output_padding that restores
    ``x.shape``.
    """
    if kind not in ("input_grad", "transpose"):
        raise InvalidArgument(f"kind must be 'input_grad' or 'transpose', got kind={kind!r}")
    be = resolve_backend(backend, device)

    def prop(case: Case) -> None:
        x, w = case.args["input"], case.args["weight"]
        kw = case.kwargs
        y = _call(forward, be, case, deadline, _conv_shape(x, w, kw), x, w, **kw)
        g = np.random.default_rng(case.seed + 7).integers(-3, 4, size=y.shape).astype(float)
        if kind == "input_grad":
            back = _call(adjoint, be, case, deadline, tuple(x.shape), tuple(x.shape), w, g,
                         **kw)
        else:
            nd = w.ndim - 2
            s = per_axis(kw.get("stride"), nd, 1)
            p = per_axis(kw.get("padding"), nd, 0)
            d = per_axis(kw.get("dilation"), nd, 1)
            ks = w.shape[2:]
            op = [(n + 2 * pp - dd * (k - 1) - 1) % ss
                  for n, pp, dd, k, ss in zip(x.shape[2:], p, d, ks, s, strict=True)]
            tkw = {k: v for k, v in kw.items()}
            tkw["output_padding"] = tuple(op)
            back = _call(adjoint, be, case, deadline, tuple(x.shape), g, w, **tkw)
        lhs = float(np.sum(y * g))
        rhs = float(np.sum(x * back))
        if lhs != rhs:
            raise _Violation(case, f"⟨forward(x, w), y⟩ = {lhs!r} but ⟨x, adjoint(y)⟩ = "
                                   f"{rhs!r} (exact integers: they must be equal)")

    strategy = _conv_strategy(ndim, groups=groups, stride=stride, dilation=dilation,
                              padding=padding, padding_modes=("explicit",))
    return _runner("check_conv_adjoint", forward, strategy, prop, max_examples, settings, seed,
                   deadline)


@validated
def check_conv_groups(
    fn: Callable[..., Any], *, ndim: int = 2, backend: Any = "numpy", max_examples: int | None
    = None, settings: Any = None, seed: int | None = None, device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """``f(x, w, groups=g)`` equals the concatenation of the ``g`` per-group convolutions."""
    be = resolve_backend(backend, device)

    def prop(case: Case) -> None:
        x, w = case.args["input"], case.args["weight"]
        g = int(case.kwargs.get("groups", 1))
        if g == 1:
            return
        kw = {k: v for k, v in case.kwargs.items() if k != "groups"}
        y = _call(fn, be, case, deadline, _conv_shape(x, w, kw), x, w, groups=g, **kw)
        ci, co = x.shape[1] // g, w.shape[0] // g
        parts = []
        for j in range(g):
            xj = np.ascontiguousarray(x[:, j * ci:(j + 1) * ci])
            wj = np.ascontiguousarray(w[j * co:(j + 1) * co])
            parts.append(_call(fn, be, case, deadline, _conv_shape(xj, wj, kw), xj, wj,
                               groups=1, **kw))
        _differ(case, f"groups={g} vs concatenated per-group convolutions", y,
                np.concatenate(parts, axis=1))

    return _runner("check_conv_groups", fn, _conv_strategy(ndim, padding_modes=("explicit",)),
                   prop, max_examples, settings, seed, deadline)


@validated
def check_mode_nesting(
    fn: Callable[..., Any], *, ndim: int = 1, backend: Any = "numpy",
    max_examples: int | None = None, settings: Any = None, seed: int | None = None,
    device: str | None = None, deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """``'valid'`` ⊂ ``'same'`` ⊂ ``'full'`` for ``fn(in1, in2, mode)`` (scipy centring)."""
    be = resolve_backend(backend, device)

    def prop(case: Case) -> None:
        a, b = case.args["in1"], case.args["in2"]
        full_shape = tuple(m + n - 1 for m, n in zip(a.shape, b.shape, strict=True))
        full = _call(fn, be, case, deadline, full_shape, a, b, mode="full")
        same = _call(fn, be, case, deadline, tuple(a.shape), a, b, mode="same")
        starts = [(n - 1) // 2 for n in b.shape]
        win = full[tuple(slice(s, s + m) for s, m in zip(starts, a.shape, strict=True))]
        _differ(case, "'same' as the window of 'full' starting at ⌊(n−1)/2⌋", same, win)
        if all(m >= n for m, n in zip(a.shape, b.shape, strict=True)):
            valid_shape = tuple(m - n + 1 for m, n in zip(a.shape, b.shape, strict=True))
            valid = _call(fn, be, case, deadline, valid_shape, a, b, mode="valid")
            vwin = full[tuple(slice(n - 1, m) for m, n in zip(a.shape, b.shape, strict=True))]
            _differ(case, "'valid' as the window of 'full' from n−1 to m", valid, vwin)

    strategy = sts.convolve_cases(ndim, dtypes=("float64",), values="integer", modes=("full",))
    return _runner("check_mode_nesting", fn, strategy, prop, max_examples, settings, seed,
                   deadline)
