"""Declaring what an implementation supports: value sets, isotropic parameters, keywords
read from the signature, Unsupported, declared signal modes, TF-style 'SAME', the FFT
tolerance policy and the structured fields of a failure."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pytest
import scipy.signal

import convmath.numeric as ref
from convmath import ConvCheckFailure, InvalidArgument
from convmath.numeric import tf_same_padding
from convmath.testing import (
    Unsupported,
    check_avg_pool,
    check_conv,
    check_conv_input_grad,
    check_conv_linearity,
    check_convolve,
    check_correlate,
    check_max_pool,
)


def _one_int(name: str, value: Any) -> int:
    """What course-style code does with its one-int parameters."""
    if not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    return value


def course_conv(x: np.ndarray, w: np.ndarray, bias: Any = None, stride: Any = 1,
                padding: Any = 0) -> np.ndarray:
    """A course-style conv: one int stride and pad, no dilation or groups."""
    s, p = _one_int("stride", stride), _one_int("padding", padding)
    return ref.conv(x, w, bias, stride=s, padding=p)


def test_isotropic_declares_one_int_per_parameter() -> None:
    report = check_conv(course_conv, isotropic=True, padding_modes=("explicit",),
                        max_examples=40, seed=0)
    assert report.examples == 40
    assert "dilation (the function takes no such argument)" in report.not_exercised
    assert "groups (the function takes no such argument)" in report.not_exercised
    assert "not exercised: " in repr(report)


def test_without_the_declaration_a_course_conv_raises_on_a_valid_call() -> None:
    with pytest.raises(ConvCheckFailure) as info:
        check_conv(course_conv, padding_modes=("explicit",), max_examples=40, seed=0)
    assert info.value.kind == "exception"
    assert isinstance(info.value.__cause__, TypeError)


def test_value_sets_bound_every_drawn_case() -> None:
    seen: list[dict[str, Any]] = []

    def spy(x: np.ndarray, w: np.ndarray, bias: Any = None, stride: Any = 1,
            padding: Any = 0, dilation: Any = 1) -> np.ndarray:
        seen.append({"k": w.shape[2:], "stride": stride, "padding": padding,
                     "dilation": dilation})
        return ref.conv(x, w, bias, stride=stride, padding=padding, dilation=dilation)

    check_conv(spy, kernel_sizes=[3, (1, 2)], strides=[1, (2, 1)], paddings=[0, 1],
               dilations=[1], max_examples=40, seed=1)
    assert seen
    for call in seen:
        assert call["k"] in ((3, 3), (1, 2))
        assert call["stride"] in (1, (1, 1), (2, 1))
        assert call["padding"] in (0, 1, (0, 0), (1, 1), "same", "valid")
        assert call["dilation"] in (1, (1, 1))
    assert any(c["stride"] == (2, 1) for c in seen)


def test_isotropic_passes_ints_only() -> None:
    seen: list[tuple[Any, ...]] = []

    def spy(x: np.ndarray, kernel_size: Any, stride: Any = None, padding: Any = 0,
            dilation: Any = 1, ceil_mode: bool = False) -> np.ndarray:
        seen.append((kernel_size, stride, padding, dilation))
        return ref.max_pool(x, kernel_size, stride, padding, dilation, ceil_mode,
                            ndim=x.ndim - 2)

    check_max_pool(spy, isotropic=True, max_examples=40, seed=2)
    assert seen
    assert all(isinstance(v, int) or v is None for call in seen for v in call)


def test_fixed_two_by_two_window_is_declared_not_skipped() -> None:
    def pool2x2(x: np.ndarray) -> np.ndarray:  # a fixed 2×2, stride-2 max pool
        n, c, h, w = x.shape
        v = x[:, :, : h // 2 * 2, : w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2)
        return v.max(axis=(3, 5))

    def adapter(x: np.ndarray, kernel_size: int, stride: Any = None) -> np.ndarray:
        return pool2x2(x)

    report = check_max_pool(adapter, kernel_sizes=[2], strides=[2, None], isotropic=True,
                            padding=False, dilation=False, ceil_mode=False,
                            nonfinite=False, max_examples=30, seed=0)
    assert report.examples == 30


def test_keywords_the_function_lacks_are_not_passed() -> None:
    def avg_pool_no_override(x: np.ndarray, kernel_size: Any, stride: Any = None,
                             padding: Any = 0, ceil_mode: bool = False,
                             count_include_pad: bool = True) -> np.ndarray:
        return ref.avg_pool(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                            ndim=x.ndim - 2)

    report = check_avg_pool(avg_pool_no_override, max_examples=30, seed=0)
    assert report.not_exercised == ["divisor_override (the function takes no such argument)"]


def test_unsupported_cases_are_skipped_not_reported() -> None:
    def conv_1d_stride_only(x: np.ndarray, w: np.ndarray, bias: Any = None,
                            stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                            groups: int = 1) -> np.ndarray:
        if groups != 1:
            raise Unsupported("no groups")
        return ref.conv(x, w, bias, stride, padding, dilation, groups)

    report = check_conv(conv_1d_stride_only, ndim=1, max_examples=40, seed=0)
    assert report.unsupported > 0
    assert "rejected as Unsupported" in repr(report)


def test_nearly_everything_unsupported_is_a_failure_that_says_so() -> None:
    def nothing(x: np.ndarray, w: np.ndarray, **kw: Any) -> np.ndarray:
        raise Unsupported("nothing")

    with pytest.raises(ConvCheckFailure, match="Declare the space") as info:
        check_conv(nothing, max_examples=20, seed=0)
    assert info.value.kind == "unsupported"


def test_a_search_that_reached_its_examples_is_a_verdict_however_much_it_skipped() -> None:
    calls = [0]

    def picky(x: np.ndarray, w: np.ndarray, **kw: Any) -> np.ndarray:
        calls[0] += 1
        if calls[0] % 12:  # 11 of every 12 cases are outside this API
            raise Unsupported("picky")
        return ref.conv(x, w, **kw)

    report = check_conv(picky, max_examples=10, seed=0)
    assert report.examples == 10
    assert report.unsupported > 9 * report.examples


def test_laws_skip_unsupported_cases_too() -> None:
    def conv_no_groups(x: np.ndarray, w: np.ndarray, bias: Any = None, stride: Any = 1,
                       padding: Any = 0, dilation: Any = 1, groups: int = 1) -> np.ndarray:
        if groups != 1:
            raise Unsupported("no groups")
        return ref.conv(x, w, bias, stride, padding, dilation, groups)

    report = check_conv_linearity(conv_no_groups, max_examples=40, seed=0)
    assert report.examples > 0


def test_a_value_set_for_a_switched_off_feature_is_refused() -> None:
    with pytest.raises(InvalidArgument, match=r"strides=.*stride is switched off"):
        check_conv(ref.conv, strides=[2], stride=False)
    with pytest.raises(InvalidArgument, match="not an argument of the function"):
        check_conv(course_conv, dilations=[2])


@pytest.mark.parametrize("bad", [dict(strides=[0]), dict(kernel_sizes=[]),
                                 dict(paddings=[(1, 2, 3)]), dict(strides=["2"]),
                                 dict(strides=[(1, 2)], isotropic=True),
                                 dict(same_rule="keras"), dict(isotropic="yes")])
def test_bad_declarations_name_the_option(bad: dict[str, Any]) -> None:
    name = next(iter(bad))
    with pytest.raises(InvalidArgument, match=name):
        check_conv(ref.conv, **bad)


def test_declared_mode_is_honoured_without_a_mode_argument() -> None:
    report = check_correlate(lambda a, b: scipy.signal.correlate(a, b, "same"),
                             modes=("same",), max_examples=40, seed=0)
    assert any("mode" in m for m in report.not_exercised)
    with pytest.raises(ConvCheckFailure):  # the same function is not 'full'
        check_correlate(lambda a, b: scipy.signal.correlate(a, b, "same"),
                        modes=("full",), max_examples=40, seed=0)


def test_several_modes_without_a_mode_argument_is_ambiguous() -> None:
    with pytest.raises(InvalidArgument, match="declare the one mode"):
        check_convolve(lambda a, b: scipy.signal.convolve(a, b))


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_scipy_defaults_pass(ndim: int) -> None:
    """scipy.signal's method='auto' picks an FFT for larger inputs: not a bug."""
    check_convolve(scipy.signal.convolve, ndim=ndim, max_examples=40, seed=ndim)
    check_correlate(scipy.signal.correlate, ndim=ndim, max_examples=40, seed=ndim)


def test_float64_computed_in_float32_fails_even_under_auto() -> None:
    def low(a: np.ndarray, b: np.ndarray, mode: str = "full") -> np.ndarray:
        out = scipy.signal.fftconvolve(a.astype(np.float32), b.astype(np.float32), mode)
        return out.astype(np.float64)

    with pytest.raises(ConvCheckFailure):
        check_convolve(low, dtypes=("float64",), max_examples=60, seed=0)


def tf_same_conv(x: np.ndarray, w: np.ndarray, bias: Any = None, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1) -> np.ndarray:
    """A TF/JAX-style conv: 'same' gives ⌈i/s⌉ outputs for any stride."""
    if padding == "same":
        pads = tf_same_padding(x.shape[2:], w.shape[2:], stride, dilation)
        x = np.pad(x, [(0, 0), (0, 0), *pads])
        padding = 0
    return ref.conv(x, w, bias, stride, padding, dilation, groups)


def test_tf_same_rule_checks_strided_same_padding() -> None:
    seen: list[Any] = []

    def spy(x: np.ndarray, w: np.ndarray, **kw: Any) -> np.ndarray:
        if kw.get("padding") == "same":
            seen.append(kw.get("stride"))
        return tf_same_conv(x, w, **kw)

    check_conv(spy, same_rule="tf", padding_modes=("same",), max_examples=40, seed=0)
    assert any(s not in (1, (1, 1)) for s in seen)


def test_pytorch_same_fails_the_tf_rule() -> None:
    def torch_same_everywhere(x: np.ndarray, w: np.ndarray, bias: Any = None,
                              stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                              groups: int = 1) -> np.ndarray:
        if padding == "same":  # PyTorch's placement, applied at any stride
            pads = ref.same_padding(w.shape[2:], dilation)
            x = np.pad(x, [(0, 0), (0, 0), *pads])
            padding = 0
        return ref.conv(x, w, bias, stride, padding, dilation, groups)

    with pytest.raises(ConvCheckFailure) as info:
        check_conv(torch_same_everywhere, same_rule="tf", padding_modes=("same",),
                   max_examples=60, seed=0)
    # the snippet's expected output is TF's 'SAME' on the (minimized) case it prints
    code = str(info.value).split("reproduce:\n")[1].split("\nrepeat this search")[0]
    namespace: dict[str, Any] = {"fn": torch_same_everywhere}
    exec(compile(textwrap.dedent(code), "snippet", "exec"), namespace)
    kw = {k: v for k, v in info.value.case.kwargs.items() if k != "padding"}
    truth = tf_same_conv(namespace["input"].astype(np.float64),
                         namespace["weight"].astype(np.float64), padding="same", **kw)
    np.testing.assert_allclose(namespace["expected"], truth, rtol=1e-12, atol=1e-12)
    assert not np.allclose(namespace["out"], truth)


def test_failure_fields_are_structured() -> None:
    def stride_ignored(size: Any, w: np.ndarray, gy: np.ndarray, stride: Any = 1,
                       **kw: Any) -> np.ndarray:
        return ref.conv_input_grad(size, w, gy, **kw)  # the stride is dropped

    with pytest.raises(ConvCheckFailure) as info:
        check_conv_input_grad(stride_ignored, max_examples=100, seed=0)
    f = info.value
    assert f.kind in ("mismatch", "exception")
    assert f.case is not None and f.seed is not None
    if f.kind == "mismatch":
        assert isinstance(f.got, np.ndarray) and isinstance(f.expected, np.ndarray)
        assert f.bound is not None and f.error is not None


def test_the_minimizer_stays_inside_the_declared_space() -> None:
    def bias_twice(x: np.ndarray, w: np.ndarray, bias: Any = None, stride: int = 1,
                   padding: int = 0) -> np.ndarray:
        if not isinstance(stride, int) or not isinstance(padding, int):
            raise TypeError("one int per parameter")  # course style
        out = ref.conv(x, w, bias, stride, padding)
        if bias is not None:
            out = out + bias.reshape(1, -1, *([1] * (x.ndim - 2)))
        return out

    with pytest.raises(ConvCheckFailure) as info:
        check_conv(bias_twice, isotropic=True, kernel_sizes=[3], strides=[2],
                   paddings=[1], seed=0)
    case = info.value.case
    assert case is not None
    assert case.args["weight"].shape[2:] == (3, 3)  # bias twice shows on any kernel
    assert case.kwargs["stride"] == 2 and case.kwargs["padding"] == 1
    assert case.args["weight"].shape[:2] == (1, 1)  # and it still shrank what it may


def test_a_parameter_under_another_name_is_reported_with_the_name_it_has() -> None:
    def conv_b_strides(x: np.ndarray, w: np.ndarray, b: Any = None, strides: int = 1,
                       pad: int = 0) -> np.ndarray:
        return ref.conv(x, w, b, strides, pad)

    report = check_conv(conv_b_strides, max_examples=5, seed=0)
    text = " | ".join(report.not_exercised)
    assert "bias (the function takes no such argument; it takes 'b'" in text
    assert "stride (the function takes no such argument; it takes 'strides'" in text
    assert "padding (the function takes no such argument; it takes 'pad'" in text
    assert "groups (the function takes no such argument)" in text  # no near name: no hint


def test_a_pool_without_a_stride_argument_declares_the_default_stride() -> None:
    def max_pool_2x2(x: np.ndarray, kernel_size: Any) -> np.ndarray:
        return ref.max_pool(x, kernel_size, ndim=x.ndim - 2)  # stride = the kernel size

    report = check_max_pool(max_pool_2x2, kernel_sizes=[2], strides=[None], isotropic=True,
                            padding=False, dilation=False, ceil_mode=False,
                            max_examples=20, seed=0)
    text = " | ".join(report.not_exercised)
    assert "the default stride, the kernel size, is exercised" in text
    with pytest.raises(InvalidArgument, match="strides=\\[2\\] is declared"):
        check_max_pool(max_pool_2x2, strides=[2], max_examples=5)  # a stride it cannot take


def test_shrinking_halves_a_long_axis() -> None:
    def dilation_first_axis(x: np.ndarray, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1,
                            ceil_mode: bool = False) -> np.ndarray:
        d = dilation if isinstance(dilation, int) else dilation[0]
        return ref.max_pool(x, kernel_size, stride, padding, d, ceil_mode, ndim=x.ndim - 2)

    with pytest.raises(ConvCheckFailure) as info:
        check_max_pool(dilation_first_axis, max_examples=60, seed=3)  # 51 rows before
    case = info.value.case
    assert case is not None and max(case.args["input"].shape[2:]) <= 3, case
