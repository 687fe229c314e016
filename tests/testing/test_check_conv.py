"""check_conv: no false alarms on correct implementations; failures read well."""

from __future__ import annotations

import numpy as np
import pytest

import convmath.numeric as numeric
from convmath import ConvCheckFailure, InvalidArgument
from convmath.testing import CheckReport, check_conv


def test_reference_itself_passes() -> None:
    report = check_conv(numeric.conv, seed=0)
    assert isinstance(report, CheckReport)
    assert report.examples >= 100
    assert report.worst_ratio <= 1.0
    # the search space reaches the corners the issue names
    for feature in ("1 < groups", "even kernel", "leftover rows", "dilation > 1",
                    "per-axis params differ", "C_in != C_out", "padding='same'",
                    "spatial >= 64", "integer-valued (exact)", "real-valued"):
        assert report.features.get(feature, 0) > 0, (feature, report)
    assert "passed" in repr(report) and "of the allowed bound" in repr(report)


@pytest.mark.dev_sample  # half of the cases in the dev profile (tests/conftest.py)
@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_torch_conv_passes(ndim: int, dtype: str) -> None:
    torch = pytest.importorskip("torch")
    fn = getattr(torch.nn.functional, f"conv{ndim}d")
    report = check_conv(fn, ndim=ndim, backend="torch", dtypes=(dtype,), max_examples=60,
                        seed=ndim)
    assert report.examples > 0


def test_torch_half_precision_passes() -> None:
    torch = pytest.importorskip("torch")
    check_conv(torch.nn.functional.conv2d, backend="torch", dtypes=("float16", "bfloat16"),
               max_examples=60, seed=3)


def test_numpy_sliding_window_implementation_passes() -> None:
    """An independent NumPy implementation (sliding_window_view + einsum), no groups."""

    def conv2d(x, w, bias=None, stride=1, padding=0, dilation=1):  # type: ignore[no-untyped-def]
        s = (stride, stride) if isinstance(stride, int) else tuple(stride)
        p = (padding, padding) if isinstance(padding, int) else tuple(padding)
        d = (dilation, dilation) if isinstance(dilation, int) else tuple(dilation)
        xp = np.pad(x, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])])
        kh, kw = w.shape[2:]
        span = (d[0] * (kh - 1) + 1, d[1] * (kw - 1) + 1)
        win = np.lib.stride_tricks.sliding_window_view(xp, span, axis=(2, 3))
        win = win[:, :, :: s[0], :: s[1], :: d[0], :: d[1]]
        y = np.einsum("nchwij,ocij->nohw", win, w)
        return y if bias is None else y + bias[None, :, None, None]

    check_conv(conv2d, groups=False, padding_modes=("explicit",), seed=5)


def test_float32_accumulation_inside_float64_is_caught() -> None:
    def sloppy(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
        y = numeric.conv(x.astype(np.float32).astype(np.float64),
                         w.astype(np.float32).astype(np.float64), bias, stride, padding,
                         dilation, groups)
        return np.asarray(y, dtype=np.float32).astype(np.float64)

    with pytest.raises(ConvCheckFailure, match="precision"):
        check_conv(sloppy, dtypes=("float64",), padding_modes=("explicit",), seed=2)


def test_failure_message_has_case_bound_and_snippet() -> None:
    def off_by_one_bias(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
        return np.asarray(numeric.conv(x, w, bias, stride, padding, dilation, groups)) + 1.0

    with pytest.raises(ConvCheckFailure) as info:
        check_conv(off_by_one_bias, padding_modes=("explicit",), seed=0)
    msg = str(info.value)
    assert isinstance(info.value, AssertionError)
    assert "case: conv(input:" in msg
    assert "worst element out[" in msg and "expected" in msg
    assert "allowed" in msg
    assert "reproduce:" in msg and "out = " in msg
    assert "diagnosis:" in msg


def test_user_exception_is_a_failure_with_the_exception_chained() -> None:
    class Boom(RuntimeError):
        pass

    def raises(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
        raise Boom("not implemented")

    with pytest.raises(ConvCheckFailure) as info:
        check_conv(raises, max_examples=5, seed=0)
    assert "raised Boom: not implemented" in str(info.value)
    assert "case: conv(input:" in str(info.value)
    cause = info.value.__cause__
    assert isinstance(cause, Boom)
    assert any("check_conv" in n for n in getattr(cause, "__notes__", []))


def test_switched_off_features_are_not_passed() -> None:
    seen: list[dict[str, object]] = []

    def plain(x, w, **kw):  # type: ignore[no-untyped-def]
        seen.append(kw)
        return numeric.conv(x, w, **kw)

    check_conv(plain, groups=False, dilation=False, bias=False, padding_modes=("explicit",),
               max_examples=20, seed=0)
    assert seen and all(set(kw) <= {"stride", "padding"} for kw in seen)


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [({"ndim": 4}, "ndim"), ({"dtypes": ("float8",)}, "dtypes"),
     ({"padding_modes": ("circular",)}, "padding_modes"), ({"max_examples": 0}, "max_examples"),
     ({"backend": "cupy"}, "backend"), ({"seed": "x"}, "seed")],
)
def test_bad_arguments_raise_invalid_argument(kwargs: dict[str, object], word: str) -> None:
    with pytest.raises(InvalidArgument, match=word):
        check_conv(numeric.conv, **kwargs)  # type: ignore[arg-type]


def test_custom_backend_pair() -> None:
    calls = []

    def to_backend(a: np.ndarray) -> list[object]:
        calls.append(a.dtype)
        return a.tolist()

    def fn(x, w, **kw):  # type: ignore[no-untyped-def]
        return numeric.conv(np.array(x), np.array(w), **{
            k: (np.array(v) if isinstance(v, list) else v) for k, v in kw.items()})

    check_conv(fn, backend=(to_backend, np.asarray), max_examples=10, seed=0,
               dtypes=("float64",), padding_modes=("explicit",))
    assert calls


def test_settings_object_is_used_and_conflicts_with_max_examples() -> None:
    from hypothesis import settings

    report = check_conv(numeric.conv, settings=settings(max_examples=7, deadline=None,
                                                        database=None), seed=0)
    assert report.examples == 7
    with pytest.raises(InvalidArgument, match="max_examples"):
        check_conv(numeric.conv, settings=settings(max_examples=7), max_examples=3)


def test_seed_makes_the_run_reproducible() -> None:
    a = check_conv(numeric.conv, max_examples=15, seed=11)
    b = check_conv(numeric.conv, max_examples=15, seed=11)
    assert a.features == b.features and a.worst_ratio == b.worst_ratio


def _fft_conv2d(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """A correct conv2d built from scipy.signal.fftconvolve (no 'same' strings)."""
    import scipy.signal

    def two(v):  # type: ignore[no-untyped-def]
        return (v, v) if isinstance(v, int) else tuple(v)

    s, p, d = two(stride), two(padding), two(dilation)
    xp = np.pad(x, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])])
    kd = np.zeros((*w.shape[:2], d[0] * (w.shape[2] - 1) + 1, d[1] * (w.shape[3] - 1) + 1),
                  w.dtype)
    kd[:, :, :: d[0], :: d[1]] = w
    cpg, opg = x.shape[1] // groups, w.shape[0] // groups
    y = np.stack([np.stack([
        sum(scipy.signal.fftconvolve(xp[n, (o // opg) * cpg + c], kd[o, c][::-1, ::-1],
                                     mode="valid") for c in range(cpg))[:: s[0], :: s[1]]
        for o in range(w.shape[0])]) for n in range(x.shape[0])]).astype(x.dtype)
    return y if bias is None else y + bias[None, :, None, None]


def test_fft_conv_passes_normwise_and_is_named_elementwise() -> None:
    check_conv(_fft_conv2d, padding_modes=("explicit",), tolerance="normwise",
               max_examples=100, seed=0)
    with pytest.raises(ConvCheckFailure, match="FFT-like rounding"):
        check_conv(_fft_conv2d, padding_modes=("explicit",), tolerance="elementwise", seed=0)
    report = check_conv(_fft_conv2d, padding_modes=("explicit",), max_examples=60, seed=0)
    assert report.notes, "an FFT implementation passes the default policy with a note"


def test_normwise_still_catches_a_flip() -> None:
    def flipped(x, w, **kw):  # type: ignore[no-untyped-def]
        return _fft_conv2d(x, w[:, :, ::-1, ::-1].copy(), **kw)

    with pytest.raises(ConvCheckFailure, match="flipped kernel"):
        check_conv(flipped, padding_modes=("explicit",), tolerance="normwise", seed=0)
