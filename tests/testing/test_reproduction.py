"""The reproduction snippet in a failure message recomputes the failing output."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from convmath import ConvCheckFailure
from convmath.testing import check_conv

sys.path.insert(0, str(Path(__file__).parent.parent / "mutants"))
import conv_mutants


def _snippet(message: str) -> str:
    lines = message.split("reproduce:\n", 1)[1].splitlines()
    return "\n".join(ln[4:] for ln in lines if ln.startswith("    "))


@pytest.mark.parametrize("name", ["tiled_large_width", "flipped_kernel", "half_when_c32"])
def test_snippet_reproduces_the_failure(name: str) -> None:
    mutant = conv_mutants.MUTANTS[name][0]
    with pytest.raises(ConvCheckFailure) as info:
        check_conv(mutant, seed=0)
    code = _snippet(str(info.value))
    namespace: dict[str, object] = {}
    exec(compile(code, "snippet", "exec"), namespace)
    out = np.asarray(namespace["out"], dtype=np.float64)
    expected = np.asarray(namespace["expected"], dtype=np.float64)
    assert out.shape != expected.shape or not np.array_equal(out, expected)


def test_large_cases_are_rebuilt_from_their_seed() -> None:
    from hypothesis import find

    from convmath.testing import strategies as sts
    from convmath.testing._backends import resolve_backend
    from convmath.testing._conv import ConvSpec
    from convmath.testing._report import reproduction

    case = find(sts.conv_cases(2), lambda c: c.args["input"].size > 400)
    code = reproduction(case, conv_mutants.correct, resolve_backend("numpy"), ConvSpec())
    assert "make_values(" in code
    namespace: dict[str, object] = {}
    exec(compile(code, "snippet", "exec"), namespace)
    for k, v in case.arrays().items():
        assert np.array_equal(np.asarray(namespace[k], dtype=np.float64), v), k


def test_snippet_for_torch_backend_converts_arrays() -> None:
    torch = pytest.importorskip("torch")

    def bad(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
        return torch.nn.functional.conv2d(x, w.flip(-1), bias, stride, padding, dilation,
                                          groups)

    with pytest.raises(ConvCheckFailure) as info:
        check_conv(bad, backend="torch", seed=0)
    code = _snippet(str(info.value))
    assert "torch.from_numpy(" in code
    assert "out = fn(" in code  # a local function: the snippet names it fn
    namespace: dict[str, object] = {"fn": bad}
    exec(compile(code, "snippet", "exec"), namespace)
    out = namespace["out"].detach().numpy()  # type: ignore[attr-defined]
    assert not np.array_equal(out, namespace["expected"])


@pytest.mark.parametrize("op", ["max_pool", "avg_pool", "max_pool_grad", "avg_pool_grad"])
def test_pooling_snippet_runs_and_reproduces(op: str) -> None:
    """The reference call in a pooling snippet states its number of spatial axes (the
    numeric API refuses to guess it), so the snippet runs and shows the difference."""
    import functools

    from convmath import numeric, testing

    right = functools.partial(getattr(numeric, op), ndim=2)

    def doubled(*args: object, **kwargs: object) -> np.ndarray:
        return 2 * np.asarray(right(*args, **kwargs)) + 1

    with pytest.raises(ConvCheckFailure) as info:
        getattr(testing, f"check_{op}")(doubled, seed=0, max_examples=20)
    code = _snippet(str(info.value))
    assert "ndim=2" in code
    namespace: dict[str, object] = {"fn": doubled}  # a local function: the snippet says fn
    exec(compile(code, "snippet", "exec"), namespace)
    out = np.asarray(namespace["out"], dtype=np.float64)
    expected = np.asarray(namespace["expected"], dtype=np.float64)
    assert not np.array_equal(out, expected)
