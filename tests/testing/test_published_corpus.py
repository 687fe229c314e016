"""Published-style implementations (tests/testing/corpus_published.py) through the
checkers, each wrapped in one line as a user would: the correct ones pass, the buggy ones
raise ConvCheckFailure, and where the checker names the right convention mismatch today
the test pins that diagnosis. Fixed seeds and small example counts keep this fast."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import corpus_published as pub
import numpy as np
import pytest
import scipy.signal

from convmath import ConvCheckFailure
from convmath.testing import (
    adapters,
    check_avg_pool,
    check_avg_pool_grad,
    check_conv,
    check_conv_input_grad,
    check_conv_transpose,
    check_conv_weight_grad,
    check_convolve,
    check_correlate,
    check_max_pool,
    check_max_pool_grad,
)

pytestmark = [pytest.mark.slow, pytest.mark.dev_sample]  # see tests/conftest.py

Fn = Callable[..., Any]
N = 30  # examples per check


# --- one-line wrappers, as a user of each style would write them ----------------------------

def nnfs(cls: type, pick: str = "out") -> Fn:
    """NNFS layers store their results (``self.output``, ``self.dinputs``,
    ``self.dweights``) and return nothing: the adapter reads the attributes."""
    where = {"out": {"out": "output"}, "dx": {"out": "output", "dx": "dinputs"},
             "dw": {"out": "output", "dw": "dweights"}}[pick]
    return adapters.layer(
        lambda in_channels, out_channels, kernel_size, stride, padding: cls(
            in_channels, out_channels, kernel_size, stride, padding),
        assign={"weights": "weight", "biases": "bias"}, pick=pick, **where)


def d2l(fn: Fn) -> Fn:
    return adapters.unbatched(adapters.by_name(lambda input, weight: fn(input, weight)))


def numpy_ml(fn: Fn, shift: int = 1) -> Fn:
    # numpy-ml's dilation counts the zeros inserted: PyTorch's d is numpy-ml's d - 1
    # (shift=0: the wrapper passes PyTorch's d unchanged, a user's slip)
    return adapters.by_name(adapters.layout(
        lambda input, weight, stride, padding, dilation: fn(input, weight, stride, padding,
                                                            dilation - shift),
        "NHWC", weight="HWIO"), scalars=("stride", "dilation"))


def numpy_ml_same(fn: Fn) -> Fn:  # 'same' passed through as the string numpy-ml takes
    return adapters.layout(lambda input, weight, padding: fn(input, weight, 1, padding),
                           "NHWC", weight="HWIO")


def coursera_pool(fwd: Fn, mode: str) -> Fn:
    op = "avg_pool" if mode == "average" else "max_pool"
    return adapters.by_name(adapters.layout(
        lambda input, kernel_size, stride: fwd(input, {"f": kernel_size, "stride": stride},
                                               mode)[0], "NHWC", op=op), op=op)


def coursera_pool_grad(bwd: Fn) -> Fn:
    def forward(input: np.ndarray, kernel_size: int, stride: int) -> tuple[Any, Any]:
        out, cache = pub.pool_forward(input.transpose(0, 2, 3, 1),
                                      {"f": kernel_size, "stride": stride}, "average")
        return out.transpose(0, 3, 1, 2), cache

    return adapters.from_forward_backward(
        forward, lambda dout, cache: bwd(dout.transpose(0, 2, 3, 1), cache).transpose(
            0, 3, 1, 2), op="avg_pool", params="by_name")


def coursera_conv(fn: Fn) -> Fn:
    return adapters.by_name(adapters.layout(
        lambda input, weight, bias, stride, padding: fn(
            input, weight, bias.reshape(1, 1, 1, -1), {"stride": stride, "pad": padding})[0],
        "NHWC", weight="HWIO"))


def scipy_layer(cls: type, pick: str = "out") -> Fn:
    return adapters.layer(lambda weight, bias, stride, padding: cls(weight, bias, stride,
                                                                    padding), pick=pick)


def max_pool_layer(cls: type, pick: str = "out") -> Fn:
    return adapters.layer(lambda kernel_size, stride: cls(kernel_size, stride),
                          op="max_pool", pick=pick)


def tf_same(fn: Fn) -> Fn:  # Keras argument names; always 'SAME'
    return lambda input, weight, bias=None, stride=1, padding="same", dilation=1, groups=1: fn(
        input, weight, bias, stride, dilation, groups)


def depthwise(fn: Fn) -> Fn:
    return adapters.by_name(pub.as_torch_depthwise(fn))


# --- the NumPy corpus -------------------------------------------------------------------------

#: (id, check) for implementations that must pass
CORRECT: list[tuple[str, Callable[[], Any]]] = [
    ("nnfs-conv-forward", lambda: check_conv(nnfs(pub.Layer_Conv2D), isotropic=True,
                                             max_examples=N, seed=0)),
    ("nnfs-conv-dx", lambda: check_conv_input_grad(nnfs(pub.Layer_Conv2D, "dx"),
                                                   isotropic=True, max_examples=N, seed=0)),
    ("nnfs-conv-dw", lambda: check_conv_weight_grad(nnfs(pub.Layer_Conv2D, "dw"),
                                                    isotropic=True, max_examples=N, seed=1)),
    ("d2l-corr2d-multi-in-out", lambda: check_conv(d2l(pub.corr2d_multi_in_out_fast),
                                                   max_examples=N, seed=0)),
    ("numpy-ml-conv2D", lambda: check_conv(numpy_ml(pub.conv2D), max_examples=N, seed=0)),
    ("numpy-ml-conv2D-same-string", lambda: check_conv(numpy_ml_same(pub.conv2D),
                                                       padding_modes=("same",),
                                                       max_examples=N, seed=0)),
    ("argmax-max-pool-forward", lambda: check_max_pool(max_pool_layer(pub.MaxPool2D),
                                                       isotropic=True, max_examples=N, seed=0)),
    ("argmax-max-pool-dx", lambda: check_max_pool_grad(max_pool_layer(pub.MaxPool2D, "dx"),
                                                        isotropic=True, max_examples=N,
                                                        seed=0)),
    ("coursera-avg-pool", lambda: check_avg_pool(coursera_pool(pub.pool_forward, "average"),
                                                 isotropic=True, max_examples=N, seed=0)),
    ("coursera-max-pool", lambda: check_max_pool(coursera_pool(pub.pool_forward, "max"),
                                                 isotropic=True, max_examples=N, seed=0)),
    ("coursera-avg-pool-backward", lambda: check_avg_pool_grad(
        coursera_pool_grad(pub.pool_backward), isotropic=True, max_examples=N, seed=0)),
    ("coursera-conv-forward", lambda: check_conv(coursera_conv(pub.conv_forward),
                                                 isotropic=True, max_examples=N, seed=0)),
    ("scipy-layer-forward", lambda: check_conv(scipy_layer(pub.ScipyConvLayer), isotropic=True,
                                               max_examples=N, seed=0)),
    ("scipy-layer-dx", lambda: check_conv_input_grad(scipy_layer(pub.ScipyConvLayer, "dx"),
                                                     isotropic=True, max_examples=N, seed=0)),
    ("scipy-layer-dw", lambda: check_conv_weight_grad(scipy_layer(pub.ScipyConvLayer, "dw"),
                                                      isotropic=True, max_examples=N, seed=0)),
    ("np-convolve-conv1d", lambda: check_conv(pub.conv1d_np, ndim=1, isotropic=True,
                                              padding_modes=("explicit",), max_examples=N,
                                              seed=0)),
    ("scipy-convolve", lambda: check_convolve(scipy.signal.convolve, max_examples=N, seed=0)),
    ("scipy-correlate", lambda: check_correlate(scipy.signal.correlate, max_examples=N,
                                                seed=0)),
    ("fft-convolve-1d", lambda: check_convolve(pub.fft_convolve, dtypes=("float32", "float64"),
                                               max_examples=N, seed=0)),
    ("zero-insertion-conv-transpose", lambda: check_conv_transpose(
        pub.conv_transpose2d_zero_insert, max_examples=N, seed=0)),
    ("rfft2-conv-layer", lambda: check_conv(pub.conv2d_fft, padding_modes=("explicit",),
                                            max_examples=N, seed=0)),
    ("ndimage-same", lambda: check_conv(pub.conv2d_same_ndimage, padding_modes=("same",),
                                        max_examples=N, seed=0)),
    ("dilated-kernel-conv", lambda: check_conv(pub.conv2d_dilated_kernel,
                                               padding_modes=("explicit",), max_examples=N,
                                               seed=0)),
    ("depthwise-nhwc", lambda: check_conv(depthwise(pub.depthwise_conv2d), isotropic=True,
                                          max_examples=N, seed=0)),
]

#: (id, check, diagnosis name or None) for implementations that must be caught; a name is
#: pinned only where the checker's diagnosis is the right one today
BUGGY: list[tuple[str, Callable[[], Any], str | None]] = [
    ("nnfs-reshape-mixes-batch-and-filters", lambda: check_conv(
        nnfs(pub.Layer_Conv2D_bug_reshape), isotropic=True, max_examples=N, seed=0),
     'output reshaped without a transpose'),
    ("nnfs-col2im-without-add-at", lambda: check_conv_input_grad(
        nnfs(pub.Layer_Conv2D_bug_no_add_at, "dx"), isotropic=True, max_examples=N, seed=0),
     'overlapping windows not accumulated'),
    ("nnfs-dw-last-sample-only", lambda: check_conv_weight_grad(
        nnfs(pub.Layer_Conv2D_bug_last_sample_dw, "dw"), isotropic=True, max_examples=N,
        seed=0), 'batch not summed'),
    ("d2l-off-by-one", lambda: check_conv(d2l(pub.corr2d_multi_in_out_bug_off_by_one),
                                          max_examples=N, seed=0), "output shape"),
    ("d2l-kernel-read-as-io", lambda: check_conv(d2l(pub.corr2d_multi_in_out_bug_io),
                                                 max_examples=N, seed=0),
     'C_out read from the wrong weight axis'),
    ("numpy-ml-weight-order", lambda: check_conv(numpy_ml(pub.conv2D_bug_w_order),
                                                 max_examples=N, seed=0),
     'weight flattened in the wrong order'),
    ("numpy-ml-dilation-passed-as-pytorch's", lambda: check_conv(
        numpy_ml(pub.conv2D, shift=0), max_examples=N, seed=0), 'dilation off by one'),
    ("numpy-ml-same-extra-before", lambda: check_conv(numpy_ml_same(pub.conv2D_bug_same_before),
                                                      padding_modes=("same",), max_examples=N,
                                                      seed=0), "'same' offset by one"),
    ("argmax-max-pool-ties-to-last", lambda: check_max_pool_grad(
        max_pool_layer(pub.MaxPool2D_bug_last_tie, "dx"), isotropic=True, max_examples=N,
        seed=0), "gradient to the last maximum"),
    ("argmax-max-pool-overwrite", lambda: check_max_pool_grad(
        max_pool_layer(pub.MaxPool2D_bug_overwrite, "dx"), isotropic=True, max_examples=N,
        seed=0), "overlapping windows not accumulated"),
    ("coursera-pool-ceil", lambda: check_avg_pool(coursera_pool(pub.pool_forward_bug_ceil,
                                                                "average"),
                                                  isotropic=True, max_examples=N, seed=1),
     'floor vs ceil output size'),
    ("coursera-pool-minus-one", lambda: check_avg_pool(
        coursera_pool(pub.pool_forward_bug_minus_one, "average"), isotropic=True,
        max_examples=N, seed=0), "output shape"),
    ("coursera-avg-backward-not-divided", lambda: check_avg_pool_grad(
        coursera_pool_grad(pub.pool_backward_bug_not_divided), isotropic=True, max_examples=N,
        seed=0), "avg gradient not divided"),
    ("coursera-conv-stride-in-slice", lambda: check_conv(
        coursera_conv(pub.conv_forward_bug_stride), isotropic=True, max_examples=N, seed=0),
     "stride ignored"),
    ("coursera-conv-bias-per-tap", lambda: check_conv(
        coursera_conv(pub.conv_forward_bug_bias), isotropic=True, max_examples=N, seed=0),
     'bias added inside the window sum'),
    ("scipy-layer-no-rot90", lambda: check_conv(scipy_layer(pub.ScipyConvLayer_bug_no_rot),
                                                isotropic=True, max_examples=N, seed=0),
     "flipped kernel"),
    ("scipy-layer-dx-correlate", lambda: check_conv_input_grad(
        scipy_layer(pub.ScipyConvLayer_bug_backward_correlate, "dx"), isotropic=True,
        max_examples=N, seed=0), "flipped kernel"),
    ("scipy-layer-dx-stride", lambda: check_conv_input_grad(
        scipy_layer(pub.ScipyConvLayer_bug_backward_stride, "dx"), isotropic=True,
        max_examples=N, seed=0), "stride ignored"),
    ("scipy-layer-dw-stride", lambda: check_conv_weight_grad(
        scipy_layer(pub.ScipyConvLayer_bug_backward_stride, "dw"), isotropic=True,
        max_examples=N, seed=0), "stride ignored"),
    ("np-convolve-conv1d-no-flip", lambda: check_conv(
        pub.conv1d_np_bug_no_flip, ndim=1, isotropic=True, padding_modes=("explicit",),
        max_examples=N, seed=0), "flipped kernel"),
    ("np-convolve-conv1d-one-side", lambda: check_conv(
        pub.conv1d_np_bug_one_side, ndim=1, isotropic=True, padding_modes=("explicit",),
        max_examples=N, seed=0), "padding on one side"),
    ("np.convolve-as-scipy", lambda: check_convolve(np.convolve, max_examples=100, seed=0),
     "'same' length max(M, N)"),
    ("np.correlate-as-scipy", lambda: check_correlate(np.correlate, max_examples=100, seed=0),
     "'same' length max(M, N)"),
    ("fft-convolve-circular", lambda: check_convolve(
        pub.fft_convolve_bug_circular, dtypes=("float32", "float64"), max_examples=N, seed=0),
     'circular convolution (FFT too short)'),
    ("correlate-via-convolve-complex", lambda: check_correlate(
        pub.correlate_via_convolve, max_examples=N, seed=0), "conjugation"),
    ("conv-transpose-no-flip", lambda: check_conv_transpose(
        pub.conv_transpose2d_bug_no_flip, max_examples=N, seed=0), "kernel not flipped"),
    ("conv-transpose-output-padding-before", lambda: check_conv_transpose(
        pub.conv_transpose2d_bug_op_before, max_examples=N, seed=0),
     "output_padding on the wrong side"),
    ("conv-transpose-pad-without-dilation", lambda: check_conv_transpose(
        pub.conv_transpose2d_bug_dilation_pad, max_examples=N, seed=0), None),
    ("rfft2-conv-wrap-around", lambda: check_conv(
        pub.conv2d_fft_bug_wrap, padding_modes=("explicit",), max_examples=N, seed=0),
     'FFT wrap-around (circular convolution)'),
    ("ndimage-same-origin", lambda: check_conv(
        pub.conv2d_same_ndimage_bug_origin, padding_modes=("same",), max_examples=N, seed=0),
     "'same' offset by one"),
    ("ndimage-reflect-boundary", lambda: check_conv(
        pub.conv2d_same_ndimage_bug_reflect, padding_modes=("same",), max_examples=N, seed=0),
     "symmetric (scipy.ndimage's 'reflect') padding instead of zeros"),
    ("dilated-kernel-k-times-d", lambda: check_conv(
        pub.conv2d_dilated_kernel_bug_size, padding_modes=("explicit",), max_examples=N,
        seed=0), "output shape"),
    ("depthwise-channel-order", lambda: check_conv(
        depthwise(pub.depthwise_conv2d_bug_order), isotropic=True, max_examples=N, seed=0),
     "group/channel interleave"),
]


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # NaN inputs
@pytest.mark.parametrize(("name", "check"), CORRECT, ids=[c[0] for c in CORRECT])
def test_published_correct_implementation_passes(name: str, check: Callable[[], Any]) -> None:
    report = check()
    assert report.examples == N


@pytest.mark.parametrize(("name", "check", "diagnosis"), BUGGY, ids=[b[0] for b in BUGGY])
def test_published_buggy_implementation_is_caught(name: str, check: Callable[[], Any],
                                                  diagnosis: str | None) -> None:
    with pytest.raises(ConvCheckFailure) as info:
        check()
    assert isinstance(info.value, AssertionError)
    if diagnosis is not None:
        assert info.value.diagnoses, str(info.value)
        assert info.value.diagnoses[0].name == diagnosis, str(info.value)
        assert f"diagnosis: {diagnosis}" in str(info.value)


# --- the PyTorch corpus (torch backend) -------------------------------------------------------

TORCH_CORRECT: list[tuple[str, Callable[[], Any]]] = [
    ("nn.Conv2d-with-weights-copied", lambda: check_conv(pub.conv2d_via_module, backend="torch",
                                                         max_examples=N, seed=1)),
    ("tf-same-helper", lambda: check_conv(tf_same(pub.conv2d_tf_same), backend="torch",
                                          same_rule="tf", padding_modes=("same",),
                                          max_examples=N, seed=0)),
    ("unfold-conv", lambda: check_conv(pub.conv2d_unfold, backend="torch",
                                       padding_modes=("explicit",), max_examples=N, seed=0)),
    ("fold-input-grad", lambda: check_conv_input_grad(pub.conv2d_input_grad_fold,
                                                      backend="torch", max_examples=N, seed=0)),
    ("conv-transpose2d-input-grad", lambda: check_conv_input_grad(
        pub.conv2d_input_grad_transpose, backend="torch", max_examples=N, seed=0)),
    ("autograd-weight-grad", lambda: check_conv_weight_grad(
        pub.conv2d_weight_autograd, backend="torch", max_examples=N, seed=1)),
    ("unfold-max-pool-indices", lambda: check_max_pool(
        pub.max_pool2d_unfold, backend="torch", return_indices=True, nonfinite=False,
        max_examples=N, seed=0)),
    ("conv-ones-avg-pool", lambda: check_avg_pool(pub.avg_pool2d_conv, backend="torch",
                                                  max_examples=N, seed=0)),
    ("box-kernel-avg-pool", lambda: check_avg_pool(pub.avg_pool2d_box_kernel, backend="torch",
                                                   max_examples=N, seed=0)),
]

TORCH_BUGGY: list[tuple[str, Callable[[], Any], str | None]] = [
    ("nn.Conv2d-left-in-float32", lambda: check_conv(
        pub.conv2d_via_module_bug_float32, backend="torch", max_examples=N, seed=0),
     "precision"),
    ("nn.Conv2d-reflect-padding", lambda: check_conv(
        pub.conv2d_via_module_bug_reflect, backend="torch", max_examples=N, seed=0),
     "reflect padding instead of zeros"),
    ("tf-same-extra-before", lambda: check_conv(
        tf_same(pub.conv2d_tf_same_bug_before), backend="torch", same_rule="tf",
        padding_modes=("same",), max_examples=N, seed=0), "'same' offset by one"),
    ("tf-same-floor", lambda: check_conv(
        tf_same(pub.conv2d_tf_same_bug_floor), backend="torch", same_rule="tf",
        padding_modes=("same",), max_examples=N, seed=0), "'SAME' output size ⌊i/s⌋"),
    ("unfold-conv-kernel-flattened-hwc", lambda: check_conv(
        pub.conv2d_unfold_bug_hwc, backend="torch", padding_modes=("explicit",),
        max_examples=N, seed=0), 'weight flattened in the wrong order'),
    ("unfold-conv-size-without-dilation", lambda: check_conv(
        pub.conv2d_unfold_bug_size, backend="torch", padding_modes=("explicit",),
        max_examples=N, seed=0), None),
    ("fold-input-grad-leftover", lambda: check_conv_input_grad(
        pub.conv2d_input_grad_fold_bug_leftover, backend="torch", max_examples=N, seed=1),
     "leftover rows dropped"),
    ("conv-transpose2d-input-grad-no-output-padding", lambda: check_conv_input_grad(
        pub.conv2d_input_grad_transpose_bug_no_output_padding, backend="torch",
        max_examples=N, seed=0), "leftover rows dropped"),
    ("unfold-max-pool-window-indices", lambda: check_max_pool(
        pub.max_pool2d_unfold_bug_window_index, backend="torch", return_indices=True,
        max_examples=N, seed=0), "indices within the window"),
    ("unfold-max-pool-zero-padding", lambda: check_max_pool(
        pub.max_pool2d_unfold_bug_zero_pad, backend="torch", return_indices=True,
        max_examples=N, seed=1), "zero padding in max pooling"),
    ("conv-avg-pool-excludes-padding", lambda: check_avg_pool(
        pub.avg_pool2d_conv_bug_exclude_pad, backend="torch", max_examples=N, seed=0),
     "avg divisor excludes padding"),
]


@pytest.mark.parametrize(("name", "check"), TORCH_CORRECT, ids=[c[0] for c in TORCH_CORRECT])
def test_published_torch_correct_implementation_passes(name: str,
                                                       check: Callable[[], Any]) -> None:
    pytest.importorskip("torch")
    assert check().examples == N


@pytest.mark.parametrize(("name", "check", "diagnosis"), TORCH_BUGGY,
                         ids=[b[0] for b in TORCH_BUGGY])
def test_published_torch_buggy_implementation_is_caught(name: str, check: Callable[[], Any],
                                                        diagnosis: str | None) -> None:
    pytest.importorskip("torch")
    test_published_buggy_implementation_is_caught(name, check, diagnosis)
