"""Checker options are validated up front; misbehaving implementations are findings.

Every option of every checker is type-checked before anything runs (InvalidArgument naming
the option and its value); a law checker given a function that returns None, a wrong shape
or a string, or raises, reports a ConvCheckFailure saying so; a call that runs past the
deadline is a ConvCheckFailure naming the case, never a hang.
"""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

import numpy as np
import pytest

import convmath.numeric as numeric
from convmath import ConvCheckFailure, InvalidArgument, testing
from convmath.testing import laws

REFERENCE_CHECKERS = [
    "check_conv", "check_conv_transpose", "check_conv_input_grad", "check_conv_weight_grad",
    "check_convolve", "check_correlate", "check_max_pool", "check_avg_pool",
    "check_max_pool_grad", "check_avg_pool_grad",
]
LAW_CHECKERS = [
    "check_conv_linearity", "check_conv_translation_equivariance", "check_conv_groups",
    "check_mode_nesting",
]


def _checker(name: str) -> Any:
    return getattr(testing, name)


def _run(name: str, fn: Any, **kw: Any) -> Any:
    if name == "check_conv_adjoint":
        return laws.check_conv_adjoint(fn, numeric.conv_input_grad, **kw)
    return _checker(name)(fn, **kw)


BAD_COMMON = [
    ("seed", "x"), ("seed", True), ("seed", -1), ("seed", 2**64), ("seed", 1.5),
    ("max_examples", 10**20), ("max_examples", 0), ("max_examples", -3),
    ("max_examples", 2.0), ("max_examples", True), ("ndim", 4), ("ndim", "2"),
    ("ndim", True), ("deadline", 0), ("deadline", -1.0), ("deadline", float("nan")),
    ("deadline", "5"), ("deadline", True), ("backend", "cupy"), ("backend", None),
    ("device", 3), ("settings", 10),
]


@pytest.mark.parametrize("name", [*REFERENCE_CHECKERS, *LAW_CHECKERS, "check_conv_adjoint"])
def test_common_options_are_validated(name: str) -> None:
    for option, value in BAD_COMMON:
        with pytest.raises(InvalidArgument, match=option) as info:
            _run(name, numeric.conv, **{option: value})
        assert repr(value)[:20] in str(info.value)


@pytest.mark.parametrize("name", REFERENCE_CHECKERS)
def test_dtypes_must_be_known_dtype_names(name: str) -> None:
    for value in (None, "", [], ["float128"], [3], ("float32", None), 3):
        with pytest.raises(InvalidArgument, match="dtypes"):
            _checker(name)(numeric.conv, dtypes=value)


def test_dtypes_accept_numpy_dtypes_and_refuse_complex_for_layers() -> None:
    report = testing.check_conv(numeric.conv, dtypes=[np.float64, np.dtype("float32")],
                                max_examples=3, seed=0)
    assert report.examples == 3
    with pytest.raises(InvalidArgument, match="dtypes"):
        testing.check_conv(numeric.conv, dtypes=("complex128",))
    testing.check_convolve(numeric.convolve, dtypes=("complex128",), max_examples=3, seed=0)


FLAGS = {
    "check_conv": ["groups", "stride", "dilation", "padding", "bias"],
    "check_conv_transpose": ["groups", "stride", "dilation", "padding", "output_padding",
                             "bias"],
    "check_conv_input_grad": ["groups", "stride", "dilation", "padding"],
    "check_conv_weight_grad": ["groups", "stride", "dilation", "padding"],
    "check_convolve": ["mode_argument"],
    "check_correlate": ["mode_argument"],
    "check_max_pool": ["stride", "padding", "dilation", "ceil_mode", "return_indices",
                       "nonfinite"],
    "check_avg_pool": ["stride", "padding", "ceil_mode", "count_include_pad",
                       "divisor_override", "nonfinite"],
    "check_max_pool_grad": ["stride", "padding", "dilation", "ceil_mode", "nonfinite"],
    "check_avg_pool_grad": ["stride", "padding", "ceil_mode", "count_include_pad",
                            "divisor_override"],
    "check_conv_linearity": ["groups", "stride", "dilation", "padding"],
    "check_conv_translation_equivariance": ["groups", "stride", "dilation"],
}


@pytest.mark.parametrize(("name", "flag"), [(n, f) for n, fs in FLAGS.items() for f in fs])
def test_feature_flags_must_be_bools(name: str, flag: str) -> None:
    for value in ("no", 0, 1, None, [], 1.0):
        with pytest.raises(InvalidArgument, match=flag) as info:
            _run(name, numeric.conv, **{flag: value})
        assert f"{flag}={value!r}" in str(info.value)


def test_the_issue_example_groups_no_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="groups='no'"):
        testing.check_conv(numeric.conv, groups="no")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", [*REFERENCE_CHECKERS, *LAW_CHECKERS])
def test_fn_must_be_callable(name: str) -> None:
    for value in (3, None, "numeric.conv"):
        with pytest.raises(InvalidArgument, match="fn must be callable"):
            _checker(name)(value) if name in REFERENCE_CHECKERS else getattr(laws, name)(value)
    with pytest.raises(InvalidArgument, match="adjoint must be callable"):
        laws.check_conv_adjoint(numeric.conv, 3)  # type: ignore[arg-type]


def test_other_options() -> None:
    cases: list[tuple[Any, dict[str, Any], str]] = [
        (testing.check_conv, {"tolerance": "loose"}, "tolerance"),
        (testing.check_max_pool, {"tolerance": "normwise"}, "tolerance"),  # no such option
        (testing.check_conv, {"padding_modes": ()}, "padding_modes"),
        (testing.check_conv, {"padding_modes": [1]}, "padding_modes"),
        (testing.check_convolve, {"modes": ("circular",)}, "modes"),
        (testing.check_conv, {"grops": False}, "grops"),
        (testing.check_conv, {"max_examples": 3, "settings": object()}, "settings"),
        (laws.check_conv_adjoint, {"kind": "backward"}, "kind"),
    ]
    for checker, kw, word in cases:
        with pytest.raises(InvalidArgument, match=word):
            if checker is laws.check_conv_adjoint:
                checker(numeric.conv, numeric.conv_input_grad, **kw)
            else:
                checker(numeric.conv, **kw)
    with pytest.raises(InvalidArgument, match="did you mean groups"):
        testing.check_conv(numeric.conv, grops=False)  # type: ignore[call-arg]


def test_bad_torch_device_is_invalid_argument() -> None:
    pytest.importorskip("torch")
    with pytest.raises(InvalidArgument, match="device='nonsense'"):
        testing.check_conv(numeric.conv, backend="torch", device="nonsense")
    with pytest.raises(InvalidArgument, match="device='cuda:0'"):
        testing.check_conv(numeric.conv, backend="numpy", device="cuda:0")


# --- law checkers: a misbehaving implementation is a finding, not a crash -------------

def _none(*a: Any, **k: Any) -> Any:
    return None


def _string(*a: Any, **k: Any) -> Any:
    return "out"


def _strings(*a: Any, **k: Any) -> Any:
    return ["a", "b"]


def _scalar(*a: Any, **k: Any) -> Any:
    return np.float64(1.0)


def _raises(*a: Any, **k: Any) -> Any:
    raise ValueError("not supported here")


def _wrong_shape(x: Any, w: Any, *a: Any, **k: Any) -> Any:
    return np.zeros((1, 2, 3))


@pytest.mark.parametrize("name", [*LAW_CHECKERS, "check_conv_adjoint"])
@pytest.mark.parametrize(
    ("fn", "words"),
    [(_none, "returned None"), (_string, "'out' (a str), which is not a numeric array"),
     (_strings, "not a numeric array"), (_scalar, "shape ()"),
     (_raises, "raised ValueError: not supported here"), (_wrong_shape, "shape (1, 2, 3)")],
)
def test_law_checkers_report_misbehaving_functions(name: str, fn: Any, words: str) -> None:
    with pytest.raises(ConvCheckFailure) as info:
        _run(name, fn, max_examples=3, seed=0)
    message = str(info.value)
    assert words in message, message
    assert "case: " in message and name in message
    if fn is _raises:
        assert isinstance(info.value.__cause__, ValueError)


def test_adjoint_reports_a_misbehaving_adjoint_by_name() -> None:
    def bad_adjoint(input_size: Any, w: Any, g: Any, **kw: Any) -> Any:
        return None

    with pytest.raises(ConvCheckFailure, match="bad_adjoint: the implementation returned None"):
        laws.check_conv_adjoint(numeric.conv, bad_adjoint, max_examples=3, seed=0)


# --- the per-call deadline --------------------------------------------------------------

def _spin(*a: Any, **k: Any) -> Any:
    while True:
        pass


def _sleep(*a: Any, **k: Any) -> Any:
    time.sleep(30)


@pytest.mark.parametrize(("fn", "name"), [
    (_spin, "check_conv"), (_sleep, "check_conv"), (_spin, "check_max_pool"),
    (_spin, "check_conv_linearity"), (_sleep, "check_mode_nesting")])
def test_a_hanging_function_is_a_failure_naming_the_case(fn: Any, name: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ConvCheckFailure) as info:
        _run(name, fn, deadline=0.1, seed=0)
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert "did not return within the deadline of 0.1 s" in message
    assert "case: " in message
    assert "repeat this search: seed=0" in message
    # the alarm is disarmed and the previous handler restored
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL


def test_deadline_off_the_main_thread_abandons_and_interrupts_the_call() -> None:
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            testing.check_conv(_spin, deadline=0.2, seed=0)
        except BaseException as exc:
            result["exc"] = exc

    t = threading.Thread(target=work)
    t.start()
    t.join(10)
    assert not t.is_alive()
    exc = result.get("exc")
    assert isinstance(exc, ConvCheckFailure), exc
    assert "background thread" in str(exc)
    for _ in range(100):  # the spinning worker was stopped by the injected exception
        if not any(th.name == "convmath-check-call" for th in threading.enumerate()):
            break
        time.sleep(0.02)
    assert not any(th.name == "convmath-check-call" for th in threading.enumerate())


def test_a_slow_but_finishing_function_passes_without_deadline() -> None:
    def slow(x: Any, w: Any, **kw: Any) -> Any:
        time.sleep(0.05)
        return numeric.conv(x, w, **kw)

    assert testing.check_conv(slow, deadline=None, max_examples=2, seed=0).examples == 2
    with pytest.raises(ConvCheckFailure, match=r"deadline of 0\.01 s"):
        testing.check_conv(slow, deadline=0.01, max_examples=2, seed=0)


def test_no_hypothesis_reproduction_text_in_reports(capsys: pytest.CaptureFixture[str]) -> None:
    def off(x: Any, w: Any, **kw: Any) -> Any:
        return np.asarray(numeric.conv(x, w, **kw)) + 1

    for fn in (off, _raises, _spin):
        with pytest.raises(ConvCheckFailure) as info:
            testing.check_conv(fn, max_examples=5, deadline=0.2)  # no seed: a random one
        text = str(info.value) + "".join(getattr(info.value, "__notes__", []))
        out = capsys.readouterr()
        for leak in ("@seed(", "reproduce_failure", "--hypothesis-seed"):
            assert leak not in text + out.out + out.err
        seed = int(text.rsplit("seed=", 1)[1])
        assert 0 <= seed < 2**32
