"""Fuzz the checkers of convmath.testing: wrong options and misbehaving implementations.

Every wrong option value (a string, float, bool, None, huge or negative int where
something else belongs) is an InvalidArgument naming that option, raised before any case
runs — never a foreign exception and never a check that runs with a nonsense option. An
implementation that returns None, a wrong shape, strings, a list, or raises, is a
ConvCheckFailure — never a crash of the checker.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from fuzz_common import FUZZ, assert_names, outcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convmath.numeric as numeric
from convmath import ConvCheckFailure
from convmath.testing import _checkers as checkers
from convmath.testing import laws

CHECKERS = {name: getattr(checkers, name) for name in checkers.__all__}
CHECKERS.update({name: getattr(laws, name) for name in laws.__all__})

FLAGS = {"groups", "stride", "dilation", "padding", "bias", "output_padding", "ceil_mode",
         "count_include_pad", "divisor_override", "return_indices", "nonfinite",
         "mode_argument", "isotropic"}

junk = st.one_of(st.text(max_size=8), st.floats(allow_nan=True), st.none(),
                 st.integers(-(10**30), 10**30), st.lists(st.integers(), max_size=2),
                 st.just(object()), st.just(b"x"))
not_bool = junk.filter(lambda v: not isinstance(v, bool))
not_int = st.one_of(st.text(max_size=8), st.floats(), st.booleans(), st.just([1]),
                    st.just(object()))


def bad_values(option: str, checker: str) -> st.SearchStrategy[Any]:
    """Values that are always wrong for ``option``."""
    if option in FLAGS:
        return not_bool
    if option in ("fn", "forward", "adjoint"):
        return junk
    if option == "ndim":
        return st.one_of(not_int, st.integers().filter(lambda n: n not in (1, 2, 3)))
    if option == "dtypes":
        names = st.text(max_size=10).filter(
            lambda s: s not in ("float16", "bfloat16", "float32", "float64", "complex64",
                                "complex128"))
        return st.one_of(st.none(), st.just(""), st.just([]), st.just(()), names,
                         st.lists(st.one_of(names, st.integers(), st.none()), min_size=1,
                                  max_size=3), st.integers(), st.floats())
    if option == "seed":
        return st.one_of(st.text(max_size=8), st.floats(), st.booleans(), st.just([0]),
                         st.integers(max_value=-1), st.integers(min_value=2**64))
    if option == "max_examples":
        return st.one_of(st.text(max_size=8), st.floats(), st.booleans(),
                         st.integers(max_value=0), st.integers(min_value=10**6 + 1))
    if option == "deadline":
        return st.one_of(st.text(max_size=8), st.booleans(), st.just([1.0]),
                         st.floats(max_value=0.0), st.floats(min_value=86400.5),
                         st.just(math.nan), st.just(math.inf))
    if option in ("kernel_sizes", "strides", "paddings", "dilations", "output_paddings"):
        # a value set: ints (or per-axis tuples) at or above the option's least value
        return st.one_of(st.text(min_size=1, max_size=6), st.floats(), st.booleans(),
                         st.just([]), st.just(()), st.just([-5]), st.just([1.5]),
                         st.just([True]), st.just([(1, -1, 1)]), st.just(object()),
                         st.integers(max_value=-1))
    if option in ("tolerance", "kind", "backend", "same_rule"):
        valid = {"tolerance": ("auto", "elementwise", "normwise"),
                 "kind": ("input_grad", "transpose"), "same_rule": ("torch", "tf"),
                 "backend": ("numpy", "torch", "jax")}[option]
        return st.one_of(st.text(max_size=10).filter(lambda s: s not in valid), st.none(),
                         st.integers(), st.floats(), st.just([valid[0]]))
    if option in ("padding_modes", "modes"):
        return st.one_of(st.none(), st.just(()), st.integers(), st.just(["explicit", 3]),
                         st.lists(st.text(max_size=6).filter(
                             lambda s: s not in ("explicit", "same", "valid", "full")),
                             min_size=1, max_size=2))
    if option == "device":  # with the default numpy backend, only None and 'cpu' are valid
        return st.one_of(st.integers(), st.floats(), st.just([0]),
                         st.text(max_size=8).filter(lambda s: s != "cpu"))
    if option == "settings":
        return st.one_of(st.integers(), st.text(max_size=5), st.just({}))
    raise AssertionError(f"no bad values for {option} of {checker}")


def _options(name: str) -> list[str]:
    import inspect

    return list(inspect.signature(CHECKERS[name]).parameters)


@FUZZ
@given(data=st.data(), name=st.sampled_from(sorted(CHECKERS)))
def test_wrong_option_values_are_invalid_arguments_naming_the_option(
        data: st.DataObject, name: str) -> None:
    option = data.draw(st.sampled_from(_options(name)), label="option")
    value = data.draw(bad_values(option, name), label="value")
    positional: list[Any] = [numeric.conv]
    if name == "check_conv_adjoint":
        positional.append(numeric.conv_input_grad)
    kwargs: dict[str, Any] = {"deadline": 0.5}
    if option not in ("max_examples", "settings"):
        kwargs["max_examples"] = 1  # a nonsense option let through would run only this
    if option in ("fn", "forward"):
        positional[0] = value
    elif option == "adjoint":
        positional[1] = value
    else:
        kwargs[option] = value
    result, error = outcome(CHECKERS[name], *positional, **kwargs)
    assert error is not None, f"{name}({option}={value!r}) was accepted: {result!r}"
    assert_names(error, option)


MISBEHAVIOURS = ("none", "shape", "strings", "list", "raise", "object", "scalar", "dict")


def _misbehave(how: str, exc_type: type[Exception]) -> Any:
    def fn(*args: Any, **kwargs: Any) -> Any:
        if how == "none":
            return None
        if how == "shape":
            return np.zeros((2, 3, 1))
        if how == "strings":
            return np.array([["a", "b"]])
        if how == "list":
            return ["x", ["y"]]
        if how == "raise":
            raise exc_type("misbehaving on purpose")
        if how == "object":
            return np.array([object(), object()])
        if how == "scalar":
            return 7.0
        return {"out": 1}

    fn.__name__ = f"misbehaving_{how}"
    return fn


# a checker runs its own Hypothesis search inside this test: allowed explicitly
@settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 2),
          suppress_health_check=[*FUZZ.suppress_health_check, HealthCheck.nested_given])
@given(name=st.sampled_from(sorted(CHECKERS)), how=st.sampled_from(MISBEHAVIOURS),
       exc_type=st.sampled_from([ValueError, TypeError, IndexError, RuntimeError,
                                 ZeroDivisionError, KeyError]))
def test_misbehaving_implementations_are_check_failures(name: str, how: str,
                                                        exc_type: type[Exception]) -> None:
    fn = _misbehave(how, exc_type)
    args = [fn, numeric.conv_input_grad] if name == "check_conv_adjoint" else [fn]
    result, error = outcome(CHECKERS[name], *args, max_examples=2, seed=0, deadline=2.0)
    assert isinstance(error, ConvCheckFailure), (name, how, result, error)
    message = str(error)
    assert "case: " in message
    assert "repeat this search: seed=0" in message
    if how == "raise":
        assert f"raised {exc_type.__name__}" in message
        assert isinstance(error.__cause__, exc_type)
    elif how == "none":
        assert "returned None" in message
