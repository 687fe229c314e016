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
from convmath.testing._core import CheckReport, resolve_settings, run_check

__all__ = [
    "check_conv",
    "check_conv_input_grad",
    "check_conv_transpose",
    "check_conv_weight_grad",
]

DEFAULT_DTYPES = ("float32", "float64")
#: default number of examples per checker (a correct NumPy implementation runs in < 10 s)
DEFAULT_EXAMPLES = {
    "conv": 150,
    "conv_transpose": 120,
    "conv_input_grad": 120,
    "conv_weight_grad": 120,
    "convolve": 150,
    "correlate": 150,
    "max_pool": 150,
    "avg_pool": 150,
}


def _seed(seed: Any) -> int | None:
    if seed is None:
        return None
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise InvalidArgument(f"seed must be an int or None, got seed={seed!r}")
    return seed


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
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
) -> CheckReport:
    """Check ``fn(input, weight, bias=..., stride=..., padding=..., dilation=...,
    groups=...)`` against :func:`convmath.numeric.conv` (PyTorch's ``F.conv{1,2,3}d``).

    Switch off what ``fn`` does not support (``groups=False``, ``padding_modes=
    ("explicit",)`` for no string padding, ...): the argument is then not passed at all.
    Raises :class:`~convmath.ConvCheckFailure` on a bug; returns a :class:`CheckReport`.
    """
    strategy = sts.conv_cases(
        ndim, dtypes=dtypes, groups=groups, stride=stride, dilation=dilation, padding=padding,
        padding_modes=padding_modes, bias=bias,
    )
    return run_check(ConvSpec(), fn, strategy, resolve_backend(backend, device),
                     resolve_settings(max_examples, settings, DEFAULT_EXAMPLES["conv"]),
                     _seed(seed))


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
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
) -> CheckReport:
    """Check ``fn(input, weight, bias=..., stride=..., padding=..., output_padding=...,
    groups=..., dilation=...)`` against :func:`convmath.numeric.conv_transpose`
    (PyTorch's ``F.conv_transpose{1,2,3}d``; weight ``(C_in, C_out/groups, *k)``)."""
    strategy = sts.conv_transpose_cases(
        ndim, dtypes=dtypes, groups=groups, stride=stride, dilation=dilation, padding=padding,
        output_padding=output_padding, bias=bias,
    )
    return run_check(ConvTransposeSpec(), fn, strategy, resolve_backend(backend, device),
                     resolve_settings(max_examples, settings,
                                      DEFAULT_EXAMPLES["conv_transpose"]), _seed(seed))


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
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
) -> CheckReport:
    """Check ``fn(input_size, weight, grad_output, stride=..., padding=..., dilation=...,
    groups=...)`` against :func:`convmath.numeric.conv_input_grad`
    (``torch.nn.grad.conv{1,2,3}d_input``; ``input_size`` is the full input shape)."""
    strategy = sts.conv_input_grad_cases(
        ndim, dtypes=dtypes, groups=groups, stride=stride, dilation=dilation, padding=padding,
    )
    return run_check(ConvInputGradSpec(), fn, strategy, resolve_backend(backend, device),
                     resolve_settings(max_examples, settings,
                                      DEFAULT_EXAMPLES["conv_input_grad"]), _seed(seed))


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
    max_examples: int | None = None,
    settings: Any = None,
    seed: int | None = None,
    device: str | None = None,
) -> CheckReport:
    """Check ``fn(input, weight_size, grad_output, stride=..., padding=..., dilation=...,
    groups=...)`` against :func:`convmath.numeric.conv_weight_grad`
    (``torch.nn.grad.conv{1,2,3}d_weight``; ``weight_size`` is the full weight shape)."""
    strategy = sts.conv_weight_grad_cases(
        ndim, dtypes=dtypes, groups=groups, stride=stride, dilation=dilation, padding=padding,
    )
    return run_check(ConvWeightGradSpec(), fn, strategy, resolve_backend(backend, device),
                     resolve_settings(max_examples, settings,
                                      DEFAULT_EXAMPLES["conv_weight_grad"]), _seed(seed))
