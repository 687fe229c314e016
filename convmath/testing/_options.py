"""Up-front validation of every checker's options, in one place.

Every public checker (:mod:`convmath.testing` and :mod:`convmath.testing.laws`) is
decorated with :func:`validated`: before anything runs, each argument is checked by the
rule for its *name* (``groups`` is a feature flag and must be a bool, ``dtypes`` a
non-empty sequence of known dtypes, ``seed`` an int, ...), the backend and device are
resolved (a device the backend cannot use is refused here, not in the middle of a run),
and anything wrong raises :class:`~convmath.errors.InvalidArgument` naming the option and
its value. An unknown option is refused the same way, with a "did you mean".
"""

from __future__ import annotations

import difflib
import functools
import inspect
import math
import numbers
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import numpy as np

from convmath.errors import ConvmathError, InvalidArgument
from convmath.numeric._validate import is_int

__all__ = ["DEFAULT_DEADLINE", "MAX_EXAMPLES", "validated"]

P = ParamSpec("P")
R = TypeVar("R")

#: seconds one call of the implementation may take before it is reported as a hang
DEFAULT_DEADLINE = 5.0
#: the largest ``max_examples`` accepted (a million examples is hours of checking)
MAX_EXAMPLES = 10**6
#: the largest ``deadline`` accepted, in seconds (a day)
MAX_DEADLINE = 86400.0
#: seeds are ints in [0, 2**64)
SEED_LIMIT = 2**64

#: feature flags: declare what the implementation does not support (must be bools)
FLAGS = frozenset({
    "groups", "stride", "dilation", "padding", "bias", "output_padding", "ceil_mode",
    "count_include_pad", "divisor_override", "return_indices", "nonfinite",
    "mode_argument",
})
_CALLABLES = frozenset({"fn", "forward", "adjoint"})
_SIGNAL_CHECKERS = frozenset({"check_convolve", "check_correlate"})
_CHOICES: dict[str, tuple[str, ...]] = {
    "padding_modes": ("explicit", "same", "valid"),
    "modes": ("full", "same", "valid"),
}
_ONE_OF: dict[str, tuple[str, ...]] = {
    "tolerance": ("auto", "elementwise", "normwise"),
    "same_rule": ("torch", "tf"),
    "kind": ("input_grad", "transpose"),
}


def show(value: Any, limit: int = 120) -> str:
    """``repr(value)``, shortened to about ``limit`` characters."""
    try:
        text = repr(value)
    except Exception:  # a user object with a broken __repr__
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 5] + " ...>"


def clip(text: str, limit: int = 200) -> str:
    """``text`` cut to about ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidArgument(
            f"{name} must be True or False (a feature flag: False declares the feature "
            f"unsupported), got {name}={show(value)}"
        )
    return bool(value)


def _callable(name: str, value: Any) -> Any:
    if not callable(value):
        raise InvalidArgument(
            f"{name} must be callable (the implementation under test), got {name}={show(value)}"
        )
    return value


def _ndim(name: str, value: Any) -> int:
    if not is_int(value) or int(value) not in (1, 2, 3):
        raise InvalidArgument(f"ndim must be 1, 2 or 3, got ndim={show(value)}")
    return int(value)


def _dtype_name(d: Any) -> str | None:
    if isinstance(d, str):
        return d
    if isinstance(d, np.dtype):
        return d.name
    if isinstance(d, type) and issubclass(d, np.generic):
        return np.dtype(d).name
    if type(d).__module__ == "torch" and str(d).startswith("torch."):  # torch.float32
        return str(d)[len("torch."):]
    return None


def _dtypes(name: str, value: Any, checker: str) -> tuple[str, ...]:
    from convmath.testing._tolerance import DTYPES

    allowed = tuple(d for d in DTYPES
                    if checker in _SIGNAL_CHECKERS or not d.startswith("complex"))
    items = [value] if isinstance(value, str) or _dtype_name(value) is not None else value
    try:
        names = [_dtype_name(d) for d in items]
    except TypeError:
        names = [None]
    if not names or any(n not in allowed for n in names):
        raise InvalidArgument(
            f"dtypes must be a non-empty sequence of dtype names drawn from {allowed}, "
            f"got dtypes={show(value)}"
        )
    return tuple(n for n in names if n is not None)


def _subset(name: str, value: Any, universe: tuple[str, ...]) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    try:
        vals = list(items)
    except TypeError:
        vals = []
    if not vals or any(not isinstance(v, str) or v not in universe for v in vals):
        raise InvalidArgument(
            f"{name} must be a non-empty sequence drawn from {universe}, got {name}={show(value)}"
        )
    return tuple(vals)


def _one_of(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise InvalidArgument(f"{name} must be one of {choices}, got {name}={show(value)}")
    return value


def _max_examples(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if not is_int(value) or not 1 <= int(value) <= MAX_EXAMPLES:
        raise InvalidArgument(
            f"max_examples must be an int from 1 to {MAX_EXAMPLES:,} (or None for the "
            f"checker's default), got max_examples={show(value)}"
        )
    return int(value)


def _seed(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if not is_int(value) or not 0 <= int(value) < SEED_LIMIT:
        raise InvalidArgument(
            f"seed must be an int from 0 to 2**64 - 1 (or None for a random search), "
            f"got seed={show(value)}"
        )
    return int(value)


def _deadline(name: str, value: Any) -> float | None:
    if value is None:
        return None
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if not ok or not (math.isfinite(float(value)) and 0 < float(value) <= MAX_DEADLINE):
        raise InvalidArgument(
            f"deadline must be a number of seconds in (0, {MAX_DEADLINE:g}] or None (no "
            f"limit), got deadline={show(value)}"
        )
    return float(value)


def _settings(name: str, value: Any) -> Any:
    from hypothesis import settings as Settings

    if value is not None and not isinstance(value, Settings):
        raise InvalidArgument(
            f"settings must be a hypothesis.settings or None, got settings={show(value)}"
        )
    return value


def _device(name: str, value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if type(value).__module__ == "torch":  # a torch.device
        return value
    raise InvalidArgument(f"device must be a string such as 'cuda' or None, "
                          f"got device={show(value)}")


def _backend(backend: Any, device: Any) -> Any:
    """Resolve the backend; a device it cannot use is an InvalidArgument here."""
    from convmath.testing._backends import Backend, resolve_backend

    if isinstance(backend, str) and backend not in ("numpy", "torch", "jax"):
        raise InvalidArgument("backend must be 'numpy', 'torch', 'jax' or a pair "
                              f"(to_backend, from_backend), got backend={show(backend)}")
    if device is not None and not (backend == "torch" or isinstance(backend, Backend)
                                   or (backend == "numpy" and device == "cpu")):
        raise InvalidArgument(f"device={show(device)} needs backend='torch', "
                              f"not backend={show(backend)}")
    if backend == "torch" and device is not None:
        try:
            import torch
        except ImportError:
            raise ConvmathError(
                "backend='torch' needs PyTorch: pip install 'convmath[torch]'"
            ) from None
        try:
            torch.zeros(1, device=device)  # parses the name and initialises the device
        except Exception as exc:  # torch raises RuntimeError and others
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise InvalidArgument(
                f"device={show(device)} is not a device PyTorch can use here"
                + (f" ({reason[:200]})" if reason else "")
            ) from None
    try:
        return resolve_backend(backend, device)
    except (InvalidArgument, ConvmathError):
        raise
    except Exception as exc:  # never a foreign exception from here
        raise InvalidArgument(f"backend={show(backend)} cannot be used: {exc}") from None


def check_options(checker: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise a checker's bound arguments (see the module docstring)."""
    out = dict(arguments)
    for name, value in arguments.items():
        if name in _CALLABLES:
            out[name] = _callable(name, value)
        elif name in FLAGS or name == "isotropic":
            out[name] = flag(name, value)
        elif name == "ndim":
            out[name] = _ndim(name, value)
        elif name == "dtypes":
            out[name] = _dtypes(name, value, checker)
        elif name in _CHOICES:
            out[name] = _subset(name, value, _CHOICES[name])
        elif name in _ONE_OF:
            out[name] = _one_of(name, value, _ONE_OF[name])
        elif name == "max_examples":
            out[name] = _max_examples(name, value)
        elif name == "seed":
            out[name] = _seed(name, value)
        elif name == "deadline":
            out[name] = _deadline(name, value)
        elif name == "settings":
            out[name] = _settings(name, value)
        elif name == "device":
            out[name] = _device(name, value)
    if out.get("settings") is not None and out.get("max_examples") is not None:
        raise InvalidArgument(
            f"give max_examples or settings, not both (max_examples={out['max_examples']!r})"
        )
    if "backend" in out:  # last: it may import a framework
        out["backend"] = _backend(out["backend"], out.get("device"))
        for name in ("fn", "forward", "adjoint"):
            if (getattr(out.get(name), "__convmath_numpy_only__", False)
                    and out["backend"].name != "numpy"):
                raise InvalidArgument(
                    f"{name}={show(out[name])} is a convmath.testing.adapters wrapper, which "
                    f"works on NumPy arrays; got backend={out['backend'].name!r}: use "
                    "backend='numpy' (the default)")
        # a dtype the framework cannot hold as configured is an error up front, not a
        # "precision" finding on every case; the law checkers compute in float64
        for dtype in out.get("dtypes", ("float64",)):
            problem = out["backend"].dtype_problem(dtype)
            if problem is not None:
                where = (f"dtypes includes {dtype!r}" if "dtypes" in out
                         else f"{checker} computes in {dtype}")
                hint = ", or pass dtypes=('float32',)" if "dtypes" in out else ""
                raise InvalidArgument(f"backend={out['backend'].name!r}: {where}, but "
                                      f"{problem}{hint}")
    return out


def validated(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate a checker: validate every argument by name before the checker runs."""
    sig = inspect.signature(fn)
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as exc:
            unknown = [k for k in kwargs if k not in sig.parameters]
            if unknown:
                near = difflib.get_close_matches(unknown[0], list(sig.parameters), n=1)
                hint = f" (did you mean {near[0]}?)" if near else ""
                raise InvalidArgument(
                    f"{name} has no option {unknown[0]}, got {unknown[0]}="
                    f"{show(kwargs[unknown[0]])}{hint}; its options are "
                    f"{', '.join(p for p in sig.parameters if p not in _CALLABLES)}"
                ) from None
            raise InvalidArgument(f"{name}: {exc}") from None
        bound.apply_defaults()
        bound.arguments.update(check_options(name, dict(bound.arguments)))
        return fn(*bound.args, **bound.kwargs)

    return wrapper
