"""The public ``check_*`` functions: argument handling around :func:`run_check`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from convmath.testing import strategies as sts
from convmath.testing._backends import resolve_backend
from convmath.testing._conv import (
    ConvInputGradSpec,
    ConvSpec,
    ConvTransposeSpec,
    ConvWeightGradSpec,
)
from convmath.testing._core import CheckReport, resolve_settings, run_check
from convmath.testing._options import DEFAULT_DEADLINE, validated
from convmath.testing._pool import AvgPoolGradSpec, AvgPoolSpec, MaxPoolGradSpec, MaxPoolSpec
from convmath.testing._signal import SignalSpec

__all__ = [
    "check_avg_pool",
    "check_avg_pool_grad",
    "check_conv",
    "check_conv_input_grad",
    "check_conv_transpose",
    "check_conv_weight_grad",
    "check_convolve",
    "check_correlate",
    "check_max_pool",
    "check_max_pool_grad",
]

DEFAULT_DTYPES = ("float32", "float64")
#: default examples per checker: convmath.numeric passes each in about 1–3 s on a 2-core
#: machine (benchmarks/RESULTS.md), well inside the 10 s budget for a NumPy implementation
DEFAULT_EXAMPLES = {
    "conv": 300,
    "conv_transpose": 250,
    "conv_input_grad": 250,
    "conv_weight_grad": 250,
    "convolve": 300,
    "correlate": 300,
    "max_pool": 300,
    "avg_pool": 300,
    "max_pool_grad": 250,
    "avg_pool_grad": 250,
}


def _run(spec: Any, key: str, fn: Callable[..., Any], strategy: Any, backend: Any,
         device: str | None, max_examples: int | None, settings: Any, seed: int | None,
         tolerance: str = "elementwise", deadline: float | None = DEFAULT_DEADLINE
         ) -> CheckReport:
    """What every checker does once its search space is built (its options were validated
    by :func:`~convmath.testing._options.validated`): resolve the backend and the settings
    (default example count from DEFAULT_EXAMPLES[key]) and run."""
    return run_check(spec, fn, strategy, resolve_backend(backend, device),
                     resolve_settings(max_examples, settings, DEFAULT_EXAMPLES[key]),
                     seed, tolerance, deadline)


@validated
def check_conv(
    fn: Callable[..., Any],
    *,
    ndim: int = 2,
    backend: Any = "numpy",
    dtypes: Sequence[str] = DEFAULT_DTYPES,
    groups: bool = True,
    stride: bool = True,
    dilation: bool = True,
    padding: bool = True,
    padding_modes: Sequence[str] = ("explicit", "same", "valid"),
    bias: bool = True,
    tolerance: str = "elementwise",
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input, weight, bias=..., stride=..., padding=..., dilation=...,
    groups=...)`` against :func:`convmath.numeric.conv` (PyTorch's ``F.conv{1,2,3}d``).

    ``tolerance='normwise'`` judges an FFT-based implementation per output plane by the
    FFT error bound instead of the elementwise bound of a direct sum.

    Switch off what ``fn`` does not support (``groups=False``, ``padding_modes=
    ("explicit",)`` for no string padding, ...): the argument is then not passed at all.
    The same option exists for the other conv-family checkers (FFT or Winograd
    implementations, whose error is bounded in norm, not per element).
    Raises :class:`~convmath.ConvCheckFailure` on a bug; returns a :class:`CheckReport`.

    Options common to every checker, all validated before anything runs (a wrong type or
    value is an :class:`~convmath.InvalidArgument` naming the option): ``ndim`` (1–3),
    ``backend``/``device``, ``dtypes``, ``max_examples`` (1 to 10**6) or ``settings``,
    ``seed`` (an int; every failure report ends with the seed that repeats its search),
    feature flags (bools), and ``deadline``: seconds one call of ``fn`` may take (default
    5; None for no limit). A call past the deadline is a ConvCheckFailure naming the case;
    so are an exception raised by ``fn`` on a valid call (chained as ``__cause__``) and an
    output that is not a numeric array. In the main thread the call is interrupted by a
    ``SIGALRM`` timer; elsewhere it is abandoned in a background thread (which CPython
    stops at its next bytecode; native code runs on until it returns).

    >>> import numpy as np
    >>> import convmath.numeric as ref
    >>> check_conv(ref.conv, max_examples=20, seed=0).examples
    20
    >>> def flipped(x, w, **kw):  # a textbook convolution instead of cross-correlation
    ...     return ref.conv(x, np.flip(w, (2, 3)).copy(), **kw)
    >>> try:
    ...     check_conv(flipped, seed=0)
    ... except AssertionError as failure:
    ...     line = [ln for ln in str(failure).splitlines() if ln.startswith("diagnosis")][0]
    ...     print(line.split(":")[1])
     flipped kernel
    """
    strategy = sts.conv_cases(
        ndim, dtypes=dtypes, groups=groups, stride=stride, dilation=dilation, padding=padding,
        padding_modes=padding_modes, bias=bias,
    )
    return _run(ConvSpec(), "conv",
                fn, strategy, backend, device, max_examples, settings, seed, tolerance,
                deadline)


@validated
def check_conv_transpose(
    fn: Callable[..., Any],
    *,
    ndim: int = 2,
    backend: Any = "numpy",
    dtypes: Sequence[str] = DEFAULT_DTYPES,
    groups: bool = True,
    stride: bool = True,
    dilation: bool = True,
    padding: bool = True,
    output_padding: bool = True,
    bias: bool = True,
    tolerance: str = "elementwise",
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input, weight, bias=..., stride=..., padding=..., output_padding=...,
    groups=..., dilation=...)`` against :func:`convmath.numeric.conv_transpose`
    (PyTorch's ``F.conv_transpose{1,2,3}d``; weight ``(C_in, C_out/groups, *k)``)."""
    strategy = sts.conv_transpose_cases(
        ndim, dtypes=dtypes, groups=groups, stride=stride, dilation=dilation, padding=padding,
        output_padding=output_padding, bias=bias,
    )
    return _run(ConvTransposeSpec(), "conv_transpose",
                fn, strategy, backend, device, max_examples, settings, seed, tolerance,
                deadline)


@validated
def check_conv_input_grad(
    fn: Callable[..., Any],
    *,
    ndim: int = 2,
    backend: Any = "numpy",
    dtypes: Sequence[str] = DEFAULT_DTYPES,
    groups: bool = True,
    stride: bool = True,
    dilation: bool = True,
    padding: bool = True,
    tolerance: str = "elementwise",
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input_size, weight, grad_output, stride=..., padding=..., dilation=...,
    groups=...)`` against :func:`convmath.numeric.conv_input_grad`
    (``torch.nn.grad.conv{1,2,3}d_input``; ``input_size`` is the full input shape)."""
    strategy = sts.conv_input_grad_cases(
        ndim, dtypes=dtypes, groups=groups, stride=stride, dilation=dilation, padding=padding,
    )
    return _run(ConvInputGradSpec(), "conv_input_grad",
                fn, strategy, backend, device, max_examples, settings, seed, tolerance,
                deadline)


@validated
def check_conv_weight_grad(
    fn: Callable[..., Any],
    *,
    ndim: int = 2,
    backend: Any = "numpy",
    dtypes: Sequence[str] = DEFAULT_DTYPES,
    groups: bool = True,
    stride: bool = True,
    dilation: bool = True,
    padding: bool = True,
    tolerance: str = "elementwise",
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input, weight_size, grad_output, stride=..., padding=..., dilation=...,
    groups=...)`` against :func:`convmath.numeric.conv_weight_grad`
    (``torch.nn.grad.conv{1,2,3}d_weight``; ``weight_size`` is the full weight shape)."""
    strategy = sts.conv_weight_grad_cases(
        ndim, dtypes=dtypes, groups=groups, stride=stride, dilation=dilation, padding=padding,
    )
    return _run(ConvWeightGradSpec(), "conv_weight_grad",
                fn, strategy, backend, device, max_examples, settings, seed, tolerance,
                deadline)


def _signal_check(
    op: str, fn: Callable[..., Any], ndim: int, backend: Any, dtypes: Sequence[str],
    modes: Sequence[str], mode_argument: bool, tolerance: str, max_examples: int | None,
    settings: Any, seed: int | None, device: str | None, deadline: float | None,
) -> CheckReport:
    make = sts.convolve_cases if op == "convolve" else sts.correlate_cases
    strategy = make(ndim, dtypes=dtypes, modes=modes, mode_argument=mode_argument)
    return _run(SignalSpec(op), op,
                fn, strategy, backend, device, max_examples, settings, seed, tolerance,
                deadline)


SIGNAL_DTYPES = ("float32", "float64", "complex128")


@validated
def check_convolve(
    fn: Callable[..., Any],
    *,
    ndim: int = 1,
    backend: Any = "numpy",
    dtypes: Sequence[str] = SIGNAL_DTYPES,
    modes: Sequence[str] = ("full", "same", "valid"),
    mode_argument: bool = True,
    tolerance: str = "elementwise",
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(in1, in2, mode=...)`` against :func:`convmath.numeric.convolve`
    (``scipy.signal.convolve`` semantics: flips ``in2``; ``'same'`` has the shape of
    ``in1``). ``tolerance='normwise'`` for FFT implementations; ``modes=('full',)`` and
    ``mode_argument=False`` for a function without a mode argument."""
    return _signal_check("convolve", fn, ndim, backend, dtypes, modes, mode_argument,
                         tolerance, max_examples, settings, seed, device, deadline)


@validated
def check_correlate(
    fn: Callable[..., Any],
    *,
    ndim: int = 1,
    backend: Any = "numpy",
    dtypes: Sequence[str] = SIGNAL_DTYPES,
    modes: Sequence[str] = ("full", "same", "valid"),
    mode_argument: bool = True,
    tolerance: str = "elementwise",
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(in1, in2, mode=...)`` against :func:`convmath.numeric.correlate`
    (``scipy.signal.correlate`` semantics: no flip, conjugates ``in2``)."""
    return _signal_check("correlate", fn, ndim, backend, dtypes, modes, mode_argument,
                         tolerance, max_examples, settings, seed, device, deadline)


@validated
def check_max_pool(
    fn: Callable[..., Any],
    *,
    ndim: int = 2,
    backend: Any = "numpy",
    dtypes: Sequence[str] = DEFAULT_DTYPES,
    stride: bool = True,
    padding: bool = True,
    dilation: bool = True,
    ceil_mode: bool = True,
    return_indices: bool = False,
    nonfinite: bool = True,
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input, kernel_size, stride=..., padding=..., dilation=..., ceil_mode=...)``
    against :func:`convmath.numeric.max_pool` (PyTorch's ``F.max_pool{1,2,3}d``). Values
    must match exactly; with ``return_indices=True`` the indices too (first maximum).
    Some inputs hold NaN and ±inf (NaN propagates, as in PyTorch); ``nonfinite=False``
    declares that unsupported."""
    strategy = sts.max_pool_cases(ndim, dtypes=dtypes, stride=stride, padding=padding,
                                  dilation=dilation, ceil_mode=ceil_mode,
                                  return_indices=return_indices, nonfinite=nonfinite)
    return _run(MaxPoolSpec(), "max_pool",
                fn, strategy, backend, device, max_examples, settings, seed,
                deadline=deadline)


@validated
def check_avg_pool(
    fn: Callable[..., Any],
    *,
    ndim: int = 2,
    backend: Any = "numpy",
    dtypes: Sequence[str] = DEFAULT_DTYPES,
    stride: bool = True,
    padding: bool = True,
    ceil_mode: bool = True,
    count_include_pad: bool = True,
    divisor_override: bool = True,
    nonfinite: bool = True,
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input, kernel_size, stride=..., padding=..., ceil_mode=...,
    count_include_pad=..., divisor_override=...)`` against
    :func:`convmath.numeric.avg_pool` (PyTorch's ``F.avg_pool{1,2,3}d``; note that
    ``F.avg_pool1d`` has no ``divisor_override``: pass ``divisor_override=False``).
    Some inputs hold NaN and ±inf, which must propagate to the windows that hold them
    (``nonfinite=False`` declares that unsupported)."""
    strategy = sts.avg_pool_cases(ndim, dtypes=dtypes, stride=stride, padding=padding,
                                  ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                                  divisor_override=divisor_override, nonfinite=nonfinite)
    return _run(AvgPoolSpec(), "avg_pool",
                fn, strategy, backend, device, max_examples, settings, seed,
                deadline=deadline)


@validated
def check_max_pool_grad(
    fn: Callable[..., Any],
    *,
    ndim: int = 2,
    backend: Any = "numpy",
    dtypes: Sequence[str] = DEFAULT_DTYPES,
    stride: bool = True,
    padding: bool = True,
    dilation: bool = True,
    ceil_mode: bool = True,
    nonfinite: bool = True,
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input, grad_output, kernel_size, stride=..., padding=..., dilation=...,
    ceil_mode=...)`` against :func:`convmath.numeric.max_pool_grad` (the gradient goes to
    the first maximum of each window, a NaN counting as the maximum; overlapping windows
    add). ``nonfinite=False`` keeps NaN and ±inf out of the inputs."""
    strategy = sts.max_pool_grad_cases(ndim, dtypes=dtypes, stride=stride, padding=padding,
                                       dilation=dilation, ceil_mode=ceil_mode,
                                       nonfinite=nonfinite)
    return _run(MaxPoolGradSpec(), "max_pool_grad",
                fn, strategy, backend, device, max_examples, settings, seed,
                deadline=deadline)


@validated
def check_avg_pool_grad(
    fn: Callable[..., Any],
    *,
    ndim: int = 2,
    backend: Any = "numpy",
    dtypes: Sequence[str] = DEFAULT_DTYPES,
    stride: bool = True,
    padding: bool = True,
    ceil_mode: bool = True,
    count_include_pad: bool = True,
    divisor_override: bool = True,
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input_size, grad_output, kernel_size, stride=..., padding=...,
    ceil_mode=..., count_include_pad=..., divisor_override=...)`` against
    :func:`convmath.numeric.avg_pool_grad` (``input_size`` is the full input shape)."""
    strategy = sts.avg_pool_grad_cases(ndim, dtypes=dtypes, stride=stride, padding=padding,
                                       ceil_mode=ceil_mode,
                                       count_include_pad=count_include_pad,
                                       divisor_override=divisor_override)
    return _run(AvgPoolGradSpec(), "avg_pool_grad",
                fn, strategy, backend, device, max_examples, settings, seed,
                deadline=deadline)
