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
from hypothesis import given, reject
from hypothesis.errors import Unsatisfiable

from convmath.errors import ConvCheckFailure, InvalidArgument
from convmath.testing import strategies as sts
from convmath.testing._backends import Backend, resolve_backend
from convmath.testing._core import (
    CheckReport,
    _fn_name,
    reproducible_generation,
    resolve_settings,
)
from convmath.testing._reference import per_axis
from convmath.testing.strategies import Case

__all__ = [
    "check_conv_adjoint",
    "check_conv_groups",
    "check_conv_linearity",
    "check_conv_translation_equivariance",
    "check_mode_nesting",
]

_DEFAULT_EXAMPLES = 200  # a correct conv takes < 1 s; 60 missed leftover-row bugs


class _Violation(Exception):
    def __init__(self, case: Case, message: str) -> None:
        super().__init__(message)
        self.case = case
        self.message = message


def _runner(law: str, fn: Any, strategy: Any, prop: Callable[[Case], None],
            max_examples: int | None, settings: Any, seed: int | None) -> CheckReport:
    from hypothesis import seed as hyp_seed

    count = {"n": 0}
    errors: list[tuple[Case, BaseException]] = []

    def test(case: Case) -> None:
        try:
            prop(case)
        except _Violation:
            raise
        except Exception as exc:  # keep looking for a violation; re-raised below if none
            errors.append((case, exc))
            reject()
        count["n"] += 1

    wrapped = resolve_settings(max_examples, settings, _DEFAULT_EXAMPLES)(given(strategy)(test))
    if seed is not None:
        wrapped = hyp_seed(seed)(wrapped)
    start = time.perf_counter()
    try:
        with reproducible_generation():
            wrapped()
    except Unsatisfiable:
        if not errors:
            raise
    except _Violation as v:
        raise ConvCheckFailure(
            f"{law}({_fn_name(fn)}) violated (shrunk to the smallest case):\n\n"
            f"case: {v.case!r}\n{v.message}"
        ) from None
    if errors:
        case, exc = min(errors, key=lambda ce: sum(a.size for a in ce[0].arrays().values()))
        note = f"{law}: the implementation raised on {case!r} (a valid call)"
        if hasattr(exc, "add_note"):
            exc.add_note(note)
        raise exc
    return CheckReport(law, _fn_name(fn), count["n"], 0.0, "", {"exact law": count["n"]},
                       seconds=time.perf_counter() - start)


def _call(fn: Callable[..., Any], backend: Backend, dtype: str, *args: Any, **kw: Any
          ) -> np.ndarray:
    conv = [backend.to(a, dtype) if isinstance(a, np.ndarray) else a for a in args]
    kconv = {k: backend.to(v, dtype) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    return backend.back(fn(*conv, **kconv))


def _differ(case: Case, what: str, lhs: np.ndarray, rhs: np.ndarray) -> None:
    if lhs.shape != rhs.shape:
        raise _Violation(case, f"{what}: shapes {lhs.shape} and {rhs.shape} differ")
    if not np.array_equal(lhs, rhs):
        idx = tuple(int(i) for i in np.argwhere(lhs != rhs)[0])
        raise _Violation(case, f"{what}: at {list(idx)} {lhs[idx]!r} != {rhs[idx]!r} "
                               "(integer-valued inputs: both sides are exact)")


def _conv_strategy(ndim: int, **features: Any) -> Any:
    return sts.conv_cases(ndim, dtypes=("float64",), values="integer", bias=False, **features)


def check_conv_linearity(
    fn: Callable[..., Any], *, ndim: int = 2, backend: Any = "numpy", groups: bool = True,
    stride: bool = True, dilation: bool = True, padding: bool = True,
    padding_modes: Any = ("explicit",), max_examples: int | None = None, settings: Any = None,
    seed: int | None = None, device: str | None = None,
) -> CheckReport:
    """``f(x₁ + 2x₂, w) = f(x₁, w) + 2 f(x₂, w)`` and ``f(x, w₁ + 2w₂) = …`` exactly."""
    be = resolve_backend(backend, device)

    def prop(case: Case) -> None:
        x, w = case.args["input"], case.args["weight"]
        rng = np.random.default_rng(case.seed + 1)
        x2 = rng.integers(-2, 3, size=x.shape).astype(np.float64)
        w2 = rng.integers(-2, 3, size=w.shape).astype(np.float64)
        f = lambda a, b: _call(fn, be, "float64", a, b, **case.kwargs)  # noqa: E731
        _differ(case, "linearity in the input", f(x + 2 * x2, w), f(x, w) + 2 * f(x2, w))
        _differ(case, "linearity in the weight", f(x, w + 2 * w2), f(x, w) + 2 * f(x, w2))

    return _runner("check_conv_linearity", fn,
                   _conv_strategy(ndim, groups=groups, stride=stride, dilation=dilation,
                                  padding=padding, padding_modes=padding_modes),
                   prop, max_examples, settings, seed)


def check_conv_translation_equivariance(
    fn: Callable[..., Any], *, ndim: int = 2, backend: Any = "numpy", groups: bool = True,
    stride: bool = True, dilation: bool = True, max_examples: int | None = None,
    settings: Any = None, seed: int | None = None, device: str | None = None,
) -> CheckReport:
    """Without padding, dropping the first ``s`` input rows drops the first output row."""
    be = resolve_backend(backend, device)

    def prop(case: Case) -> None:
        x, w = case.args["input"], case.args["weight"]
        s = per_axis(case.kwargs.get("stride"), ndim, 1)
        y = _call(fn, be, "float64", x, w, **case.kwargs)
        for ax in range(ndim):
            if y.shape[2 + ax] < 2:
                continue
            sl = [slice(None)] * x.ndim
            sl[2 + ax] = slice(s[ax], None)
            ys = [slice(None)] * y.ndim
            ys[2 + ax] = slice(1, None)
            shifted = _call(fn, be, "float64", np.ascontiguousarray(x[tuple(sl)]), w,
                            **case.kwargs)
            _differ(case, f"translation equivariance on axis {ax} (input shifted by "
                          f"stride {s[ax]})", shifted, y[tuple(ys)])

    return _runner("check_conv_translation_equivariance", fn,
                   _conv_strategy(ndim, groups=groups, stride=stride, dilation=dilation,
                                  padding=False),
                   prop, max_examples, settings, seed)


def check_conv_adjoint(
    forward: Callable[..., Any], adjoint: Callable[..., Any], *, kind: str = "input_grad",
    ndim: int = 2, backend: Any = "numpy", groups: bool = True, stride: bool = True,
    dilation: bool = True, padding: bool = True, max_examples: int | None = None,
    settings: Any = None, seed: int | None = None, device: str | None = None,
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
        y = _call(forward, be, "float64", x, w, **kw)
        g = np.random.default_rng(case.seed + 7).integers(-3, 4, size=y.shape).astype(float)
        if kind == "input_grad":
            back = _call(adjoint, be, "float64", tuple(x.shape), w, g, **kw)
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
            back = _call(adjoint, be, "float64", g, w, **tkw)
        lhs = float(np.sum(y * g))
        if back.shape != x.shape:
            raise _Violation(case, f"adjoint returns shape {back.shape}, but the input has "
                                   f"shape {x.shape}")
        rhs = float(np.sum(x * back))
        if lhs != rhs:
            raise _Violation(case, f"⟨forward(x, w), y⟩ = {lhs!r} but ⟨x, adjoint(y)⟩ = "
                                   f"{rhs!r} (exact integers: they must be equal)")

    strategy = _conv_strategy(ndim, groups=groups, stride=stride, dilation=dilation,
                              padding=padding, padding_modes=("explicit",))
    return _runner("check_conv_adjoint", forward, strategy, prop, max_examples, settings, seed)


def check_conv_groups(
    fn: Callable[..., Any], *, ndim: int = 2, backend: Any = "numpy", max_examples: int | None
    = None, settings: Any = None, seed: int | None = None, device: str | None = None,
) -> CheckReport:
    """``f(x, w, groups=g)`` equals the concatenation of the ``g`` per-group convolutions."""
    be = resolve_backend(backend, device)

    def prop(case: Case) -> None:
        x, w = case.args["input"], case.args["weight"]
        g = int(case.kwargs.get("groups", 1))
        if g == 1:
            return
        kw = {k: v for k, v in case.kwargs.items() if k != "groups"}
        y = _call(fn, be, "float64", x, w, groups=g, **kw)
        ci, co = x.shape[1] // g, w.shape[0] // g
        parts = [_call(fn, be, "float64", np.ascontiguousarray(x[:, j * ci:(j + 1) * ci]),
                       np.ascontiguousarray(w[j * co:(j + 1) * co]), groups=1, **kw)
                 for j in range(g)]
        _differ(case, f"groups={g} vs concatenated per-group convolutions", y,
                np.concatenate(parts, axis=1))

    return _runner("check_conv_groups", fn, _conv_strategy(ndim, padding_modes=("explicit",)),
                   prop, max_examples, settings, seed)


def check_mode_nesting(
    fn: Callable[..., Any], *, ndim: int = 1, backend: Any = "numpy",
    max_examples: int | None = None, settings: Any = None, seed: int | None = None,
    device: str | None = None,
) -> CheckReport:
    """``'valid'`` ⊂ ``'same'`` ⊂ ``'full'`` for ``fn(in1, in2, mode)`` (scipy centring)."""
    be = resolve_backend(backend, device)

    def prop(case: Case) -> None:
        a, b = case.args["in1"], case.args["in2"]
        full = _call(fn, be, "float64", a, b, mode="full")
        same = _call(fn, be, "float64", a, b, mode="same")
        starts = [(n - 1) // 2 for n in b.shape]
        win = full[tuple(slice(s, s + m) for s, m in zip(starts, a.shape, strict=True))]
        _differ(case, "'same' as the window of 'full' starting at ⌊(n−1)/2⌋", same, win)
        if all(m >= n for m, n in zip(a.shape, b.shape, strict=True)):
            valid = _call(fn, be, "float64", a, b, mode="valid")
            vwin = full[tuple(slice(n - 1, m) for m, n in zip(a.shape, b.shape, strict=True))]
            _differ(case, "'valid' as the window of 'full' from n−1 to m", valid, vwin)

    strategy = sts.convolve_cases(ndim, dtypes=("float64",), values="integer", modes=("full",))
    return _runner("check_mode_nesting", fn, strategy, prop, max_examples, settings, seed)
