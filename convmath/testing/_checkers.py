"""The public ``check_*`` functions: argument handling around :func:`run_check`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from convmath.errors import InvalidArgument
from convmath.testing import strategies as sts
from convmath.testing._backends import resolve_backend
from convmath.testing._conv import (
    ConvInputGradSpec,
    ConvSpec,
    ConvTransposeSpec,
    ConvWeightGradSpec,
)
from convmath.testing._core import resolve_settings, run_check
from convmath.testing._options import DEFAULT_DEADLINE, validated
from convmath.testing._pool import AvgPoolGradSpec, AvgPoolSpec, MaxPoolGradSpec, MaxPoolSpec
from convmath.testing._report import CheckReport
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


#: the keyword each feature flag stands for, where it is not the flag's own name
_KEYWORD = {"mode_argument": "mode"}
#: the declared value sets and the feature flag that must be on for each
_SPACE_FLAG = {"kernel_sizes": None, "strides": "stride", "paddings": "padding",
               "dilations": "dilation", "output_paddings": "output_padding"}


def accepted_keywords(fn: Callable[..., Any]) -> frozenset[str] | None:
    """The keyword arguments ``fn`` accepts; None when it takes ``**kwargs`` or its
    signature cannot be read (a builtin, a C extension): then every keyword is passed."""
    import inspect

    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    names = set()
    for p in sig.parameters.values():
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            return None
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY):
            names.add(p.name)
    return frozenset(names)


#: names real code gives the parameters the checkers pass (a near name is suggested too)
_ALIASES = {
    "bias": ("b", "biases", "bias_", "b_"),
    "stride": ("strides", "s", "step"),
    "padding": ("pad", "pads", "p", "zero_padding"),
    "dilation": ("dilations", "dilation_rate", "rhs_dilation", "d"),
    "groups": ("group", "feature_group_count", "num_groups", "g"),
    "output_padding": ("out_padding", "outpad", "adj"),
    "mode": ("boundary",),
}


def _near_name(keyword: str, fn: Callable[..., Any]) -> str | None:
    """A parameter of ``fn`` that probably means ``keyword`` under another name."""
    import difflib
    import inspect

    try:
        params = [p for p in inspect.signature(fn).parameters
                  if p not in ("self", "input", "weight", "x", "w")]
    except (TypeError, ValueError):
        return None
    for alias in _ALIASES.get(keyword, ()):
        if alias in params:
            return alias
    near = difflib.get_close_matches(keyword, params, n=1, cutoff=0.75)
    return near[0] if near else None


def _space(fn: Callable[..., Any], flags: dict[str, bool], declared: dict[str, Any],
           isotropic: bool) -> tuple[dict[str, bool], list[str], dict[str, Any]]:
    """Switch off every feature whose keyword ``fn`` does not accept (it is then never
    passed) and say what is not exercised, and why. A value set declared for a feature
    that is off is an InvalidArgument. Also returns the declared space (the value sets and
    ``isotropic``), which bounds the minimizer too."""
    accepted = accepted_keywords(fn)
    out = dict(flags)
    missing: list[str] = []
    for name, on in flags.items():
        keyword = _KEYWORD.get(name, name)
        if not on:
            missing.append(f"{keyword} (switched off)")
        elif accepted is not None and keyword not in accepted:
            out[name] = False
            near = _near_name(keyword, fn)
            hint = (f"; it takes {near!r}: to check it, pass it under the checker's name, "
                    f"e.g. lambda ..., {keyword}=...: fn(..., {near}={keyword})"
                    if near is not None else "")
            if keyword == "stride" and "ceil_mode" in flags:  # a pooling checker
                hint += "; the default stride, the kernel size, is exercised"
            missing.append(f"{keyword} (the function takes no such argument{hint})")
    for name, value in declared.items():
        needs = _SPACE_FLAG.get(name)
        if name == "strides" and value is not None and not isinstance(value, (int, str)):
            try:
                if all(v is None for v in value):  # pooling: "not given", the default
                    continue
            except TypeError:
                pass  # not a sequence: declared_values names the problem
        if value is not None and needs is not None and not out.get(needs, True):
            why = ("is switched off" if not flags.get(needs, True)
                   else "is not an argument of the function")
            raise InvalidArgument(f"{name}={value!r} is declared, but {needs} {why}")
    return out, missing, {**declared, "isotropic": isotropic}


def _run(spec: Any, key: str, fn: Callable[..., Any], strategy: Any, backend: Any,
         device: str | None, max_examples: int | None, settings: Any, seed: int | None,
         tolerance: str = "auto", deadline: float | None = DEFAULT_DEADLINE,
         not_exercised: list[str] | None = None, space: dict[str, Any] | None = None
         ) -> CheckReport:
    """What every checker does once its search space is built (its options were validated
    by :func:`~convmath.testing._options.validated`): resolve the backend and the settings
    (default example count from DEFAULT_EXAMPLES[key]), run, and record in the report
    what was not exercised."""
    report = run_check(spec, fn, strategy, resolve_backend(backend, device),
                       resolve_settings(max_examples, settings, DEFAULT_EXAMPLES[key]),
                       seed, tolerance, deadline, space)
    report.not_exercised = list(not_exercised or [])
    return report


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
    same_rule: str = "torch",
    bias: bool = True,
    kernel_sizes: Sequence[Any] | None = None,
    strides: Sequence[Any] | None = None,
    paddings: Sequence[Any] | None = None,
    dilations: Sequence[Any] | None = None,
    isotropic: bool = False,
    tolerance: str = "auto",
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input, weight, bias=..., stride=..., padding=..., dilation=...,
    groups=...)`` against :func:`convmath.numeric.conv` (PyTorch's ``F.conv{1,2,3}d``).

    ``padding='same'`` follows ``same_rule``: ``'torch'`` (stride 1 only, PyTorch's rule)
    or ``'tf'`` (TensorFlow/JAX ``'SAME'``: ``⌈i/s⌉`` outputs for any stride, the extra
    padding element after — :func:`convmath.numeric.tf_same_padding`).

    ``tolerance``: ``'auto'`` (default) requires the elementwise error bound of a direct
    sum (exact results for integer-valued inputs), and passes an output that meets only
    the normwise FFT bound with a note in the report ("FFT-level accuracy, not
    elementwise"); ``'elementwise'`` requires the elementwise bound; ``'normwise'`` judges
    by the FFT bound alone. A float64 function that computes in float32 fails all three.

    Declaring what the implementation supports (the default draws everything PyTorch
    accepts): a feature flag set to False keeps its argument out of every call, and a
    keyword that the function's signature does not accept is never passed either (the
    report lists both under "not exercised"). ``kernel_sizes``, ``strides``,
    ``paddings``, ``dilations`` (and ``output_paddings`` for the transposed convolution)
    restrict the values drawn — ints, or one tuple per spatial axis, e.g.
    ``strides=[1, 2]``, ``kernel_sizes=[(2, 2)]`` — and ``isotropic=True`` draws one value
    for every axis and passes it as an int, as course-style code expects. An
    implementation (or its adapter) may raise :class:`~convmath.testing.Unsupported` for a
    case outside its API: that case is skipped, never reported as a bug, and the check
    fails only if nearly every case is skipped. The other checkers take the same options.

    Raises :class:`~convmath.ConvCheckFailure` on a bug (its fields ``case``, ``index``,
    ``expected``, ``got``, ``error``, ``bound`` and ``diagnoses`` hold the finding);
    returns a :class:`CheckReport`.

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
    ...     print(failure.diagnoses[0].name)
    flipped kernel
    """
    flags, missing, space = _space(fn, dict(bias=bias, stride=stride, padding=padding,
                                            dilation=dilation, groups=groups),
                                   dict(kernel_sizes=kernel_sizes, strides=strides,
                                        paddings=paddings, dilations=dilations), isotropic)
    modes = tuple(padding_modes) if flags["padding"] else ("explicit",)
    strategy = sts.conv_cases(
        ndim, dtypes=dtypes, padding_modes=modes, same_rule=same_rule,
        kernel_sizes=kernel_sizes, strides=strides, paddings=paddings, dilations=dilations,
        isotropic=isotropic, **flags,
    )
    return _run(ConvSpec(), "conv", fn, strategy, backend, device, max_examples, settings,
                seed, tolerance, deadline, missing, space=space)


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
    kernel_sizes: Sequence[Any] | None = None,
    strides: Sequence[Any] | None = None,
    paddings: Sequence[Any] | None = None,
    dilations: Sequence[Any] | None = None,
    output_paddings: Sequence[Any] | None = None,
    isotropic: bool = False,
    tolerance: str = "auto",
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input, weight, bias=..., stride=..., padding=..., output_padding=...,
    groups=..., dilation=...)`` against :func:`convmath.numeric.conv_transpose`
    (PyTorch's ``F.conv_transpose{1,2,3}d``; weight ``(C_in, C_out/groups, *k)``).
    Options as in :func:`check_conv`."""
    flags, missing, space = _space(fn, dict(bias=bias, stride=stride, padding=padding,
                                            output_padding=output_padding, groups=groups,
                                            dilation=dilation),
                                   dict(kernel_sizes=kernel_sizes, strides=strides,
                                        paddings=paddings, dilations=dilations,
                                        output_paddings=output_paddings), isotropic)
    strategy = sts.conv_transpose_cases(
        ndim, dtypes=dtypes, kernel_sizes=kernel_sizes, strides=strides, paddings=paddings,
        dilations=dilations, output_paddings=output_paddings, isotropic=isotropic, **flags,
    )
    return _run(ConvTransposeSpec(), "conv_transpose", fn, strategy, backend, device,
                max_examples, settings, seed, tolerance, deadline, missing, space=space)


def _grad_check(kind: str, fn: Callable[..., Any], ndim: int, backend: Any,
                dtypes: Sequence[str], flags: dict[str, bool], declared: dict[str, Any],
                isotropic: bool, tolerance: str, max_examples: int | None, settings: Any,
                seed: int | None, device: str | None, deadline: float | None
                ) -> CheckReport:
    narrowed, missing, space = _space(fn, flags, declared, isotropic)
    make = sts.conv_input_grad_cases if kind == "input" else sts.conv_weight_grad_cases
    strategy = make(ndim, dtypes=dtypes, isotropic=isotropic, **declared, **narrowed)
    spec = ConvInputGradSpec() if kind == "input" else ConvWeightGradSpec()
    return _run(spec, f"conv_{kind}_grad", fn, strategy, backend, device, max_examples,
                settings, seed, tolerance, deadline, missing, space=space)


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
    kernel_sizes: Sequence[Any] | None = None,
    strides: Sequence[Any] | None = None,
    paddings: Sequence[Any] | None = None,
    dilations: Sequence[Any] | None = None,
    isotropic: bool = False,
    tolerance: str = "auto",
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input_size, weight, grad_output, stride=..., padding=..., dilation=...,
    groups=...)`` against :func:`convmath.numeric.conv_input_grad`
    (``torch.nn.grad.conv{1,2,3}d_input``; ``input_size`` is the full input shape).
    Options as in :func:`check_conv`; for cache-passing ``forward``/``backward`` pairs see
    :mod:`convmath.testing.adapters`."""
    return _grad_check(
        "input", fn, ndim, backend, dtypes,
        dict(stride=stride, padding=padding, dilation=dilation, groups=groups),
        dict(kernel_sizes=kernel_sizes, strides=strides, paddings=paddings,
             dilations=dilations), isotropic, tolerance, max_examples, settings, seed,
        device, deadline)


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
    kernel_sizes: Sequence[Any] | None = None,
    strides: Sequence[Any] | None = None,
    paddings: Sequence[Any] | None = None,
    dilations: Sequence[Any] | None = None,
    isotropic: bool = False,
    tolerance: str = "auto",
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input, weight_size, grad_output, stride=..., padding=..., dilation=...,
    groups=...)`` against :func:`convmath.numeric.conv_weight_grad`
    (``torch.nn.grad.conv{1,2,3}d_weight``; ``weight_size`` is the full weight shape).
    Options as in :func:`check_conv`."""
    return _grad_check(
        "weight", fn, ndim, backend, dtypes,
        dict(stride=stride, padding=padding, dilation=dilation, groups=groups),
        dict(kernel_sizes=kernel_sizes, strides=strides, paddings=paddings,
             dilations=dilations), isotropic, tolerance, max_examples, settings, seed,
        device, deadline)


def _signal_check(
    op: str, fn: Callable[..., Any], ndim: int, backend: Any, dtypes: Sequence[str],
    modes: Sequence[str], mode_argument: bool, tolerance: str, max_examples: int | None,
    settings: Any, seed: int | None, device: str | None, deadline: float | None,
) -> CheckReport:
    flags, missing, space = _space(fn, dict(mode_argument=mode_argument), {}, False)
    mds = (modes,) if isinstance(modes, str) else tuple(modes)
    if not flags["mode_argument"] and len(mds) != 1:
        why = ("mode_argument=False" if not mode_argument
               else "the function takes no mode argument")
        raise InvalidArgument(
            f"{why}: declare the one mode the function computes, e.g. modes=('full',) "
            f"(got modes={modes!r})")
    make = sts.convolve_cases if op == "convolve" else sts.correlate_cases
    strategy = make(ndim, dtypes=dtypes, modes=mds, mode_argument=flags["mode_argument"])
    return _run(SignalSpec(op), op, fn, strategy, backend, device, max_examples, settings,
                seed, tolerance, deadline, missing, space=space)


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
    tolerance: str = "auto",
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(in1, in2, mode=...)`` against :func:`convmath.numeric.convolve`
    (``scipy.signal.convolve`` semantics: flips ``in2``; ``'same'`` has the shape of
    ``in1``). A function without a ``mode`` argument (or ``mode_argument=False``) is
    checked on the one mode declared in ``modes``, e.g. ``modes=('same',)``. With the
    default ``tolerance='auto'`` an FFT implementation (``scipy.signal.convolve``'s
    ``method='auto'`` picks one for large inputs) passes, with a note, when it meets the
    FFT error bound; see :func:`check_conv`."""
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
    tolerance: str = "auto",
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(in1, in2, mode=...)`` against :func:`convmath.numeric.correlate`
    (``scipy.signal.correlate`` semantics: no flip, conjugates ``in2``). Options as in
    :func:`check_convolve`."""
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
    kernel_sizes: Sequence[Any] | None = None,
    strides: Sequence[Any] | None = None,
    paddings: Sequence[Any] | None = None,
    dilations: Sequence[Any] | None = None,
    isotropic: bool = False,
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input, kernel_size, stride=..., padding=..., dilation=..., ceil_mode=...)``
    against :func:`convmath.numeric.max_pool` (PyTorch's ``F.max_pool{1,2,3}d``). Values
    must match exactly; with ``return_indices=True`` the indices too. Some inputs hold NaN
    and ±inf (NaN propagates, as in PyTorch); ``nonfinite=False`` declares that
    unsupported. Declaring the space works as in :func:`check_conv`; ``strides`` may hold
    ``None`` (stride not given: the kernel size). A fixed 2×2 window with stride 2 is
    ``kernel_sizes=[2], strides=[2], padding=False, dilation=False, ceil_mode=False,
    isotropic=True``."""
    flags, missing, space = _space(fn, dict(stride=stride, padding=padding, dilation=dilation,
                                            ceil_mode=ceil_mode),
                                   dict(kernel_sizes=kernel_sizes, strides=strides,
                                        paddings=paddings, dilations=dilations), isotropic)
    strategy = sts.max_pool_cases(ndim, dtypes=dtypes, return_indices=return_indices,
                                  nonfinite=nonfinite, kernel_sizes=kernel_sizes,
                                  strides=strides, paddings=paddings, dilations=dilations,
                                  isotropic=isotropic, **flags)
    return _run(MaxPoolSpec(), "max_pool", fn, strategy, backend, device, max_examples,
                settings, seed, deadline=deadline, not_exercised=missing, space=space)


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
    kernel_sizes: Sequence[Any] | None = None,
    strides: Sequence[Any] | None = None,
    paddings: Sequence[Any] | None = None,
    isotropic: bool = False,
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input, kernel_size, stride=..., padding=..., ceil_mode=...,
    count_include_pad=..., divisor_override=...)`` against
    :func:`convmath.numeric.avg_pool` (PyTorch's ``F.avg_pool{1,2,3}d``; a function
    without a ``divisor_override`` argument is checked without it, and the report says
    so). Some inputs hold NaN and ±inf, which must propagate to the windows that hold them
    (``nonfinite=False`` declares that unsupported). Value sets as in
    :func:`check_max_pool`."""
    flags, missing, space = _space(fn, dict(stride=stride, padding=padding, ceil_mode=ceil_mode,
                                            count_include_pad=count_include_pad,
                                            divisor_override=divisor_override),
                                   dict(kernel_sizes=kernel_sizes, strides=strides,
                                        paddings=paddings), isotropic)
    strategy = sts.avg_pool_cases(ndim, dtypes=dtypes, nonfinite=nonfinite,
                                  kernel_sizes=kernel_sizes, strides=strides,
                                  paddings=paddings, isotropic=isotropic, **flags)
    return _run(AvgPoolSpec(), "avg_pool", fn, strategy, backend, device, max_examples,
                settings, seed, deadline=deadline, not_exercised=missing, space=space)


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
    kernel_sizes: Sequence[Any] | None = None,
    strides: Sequence[Any] | None = None,
    paddings: Sequence[Any] | None = None,
    dilations: Sequence[Any] | None = None,
    isotropic: bool = False,
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input, grad_output, kernel_size, stride=..., padding=..., dilation=...,
    ceil_mode=...)`` against :func:`convmath.numeric.max_pool_grad` (each window's
    gradient goes to its maximum, chosen as PyTorch does; overlapping windows add — see
    :func:`convmath.numeric.max_pool_grad` for the tie and NaN contract).

    Where the contract is PyTorch's choice rather than mathematics, the check accepts the
    other choices and says so in a report note ("NaN/tie order differs from PyTorch"): in
    a window holding several NaNs, any one NaN may receive the gradient (``np.argmax``
    takes the first, PyTorch the last); a window whose in-bounds elements are all −∞ may
    send it to the −∞ padding (dropping it). Equal finite maxima are drawn, and the first
    must win, as in PyTorch and every ``argmax``. ``nonfinite=False`` keeps NaN and ±inf
    out of the inputs. Value sets as in :func:`check_max_pool`."""
    flags, missing, space = _space(fn, dict(stride=stride, padding=padding, dilation=dilation,
                                            ceil_mode=ceil_mode),
                                   dict(kernel_sizes=kernel_sizes, strides=strides,
                                        paddings=paddings, dilations=dilations), isotropic)
    strategy = sts.max_pool_grad_cases(ndim, dtypes=dtypes, nonfinite=nonfinite,
                                       kernel_sizes=kernel_sizes, strides=strides,
                                       paddings=paddings, dilations=dilations,
                                       isotropic=isotropic, **flags)
    return _run(MaxPoolGradSpec(), "max_pool_grad", fn, strategy, backend, device,
                max_examples, settings, seed, deadline=deadline, not_exercised=missing,
                space=space)


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
    kernel_sizes: Sequence[Any] | None = None,
    strides: Sequence[Any] | None = None,
    paddings: Sequence[Any] | None = None,
    isotropic: bool = False,
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CheckReport:
    """Check ``fn(input_size, grad_output, kernel_size, stride=..., padding=...,
    ceil_mode=..., count_include_pad=..., divisor_override=...)`` against
    :func:`convmath.numeric.avg_pool_grad` (``input_size`` is the full input shape).
    Value sets as in :func:`check_max_pool`."""
    flags, missing, space = _space(fn, dict(stride=stride, padding=padding, ceil_mode=ceil_mode,
                                            count_include_pad=count_include_pad,
                                            divisor_override=divisor_override),
                                   dict(kernel_sizes=kernel_sizes, strides=strides,
                                        paddings=paddings), isotropic)
    strategy = sts.avg_pool_grad_cases(ndim, dtypes=dtypes, kernel_sizes=kernel_sizes,
                                       strides=strides, paddings=paddings,
                                       isotropic=isotropic, **flags)
    return _run(AvgPoolGradSpec(), "avg_pool_grad", fn, strategy, backend, device,
                max_examples, settings, seed, deadline=deadline, not_exercised=missing,
                space=space)
