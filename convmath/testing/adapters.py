"""Adapters: check convolution code that does not follow PyTorch's calling convention.

The checkers call an implementation as PyTorch would: ``fn(input, weight, bias=...,
stride=..., padding=..., dilation=..., groups=...)`` on ``(N, C, *spatial)`` arrays with
``(C_out, C_in/groups, *k)`` weights. Code people publish rarely looks like that: course
solutions take a ``conv_param`` dict and return ``(out, cache)``, gradients come from a
``backward(dout, cache)``, TensorFlow-style code is channels-last with ``(kh, kw, C_in,
C_out)`` kernels, from-scratch CNNs are layer objects with ``forward``/``backward``
methods, and many functions take one image ``(C, H, W)`` or one int stride. An adapter
wraps such code in one line and returns a function with the checker's signature:

>>> import convmath.numeric as ref
>>> from convmath.testing import adapters, check_conv
>>> def conv_nhwc(x, w, bias=None, **kw):  # channels-last input, (kh, kw, C_in, C_out) kernel
...     y = ref.conv(x.transpose(0, 3, 1, 2), w.transpose(3, 2, 0, 1), bias, **kw)
...     return y.transpose(0, 2, 3, 1)
>>> check_conv(adapters.layout(conv_nhwc, "NHWC", weight="HWIO"), max_examples=15, seed=0
...            ).examples
15

- :func:`layout`: other axis orders — ``"NHWC"`` data, ``"HWIO"`` weights, 1-d and 3-d;
- :func:`unbatched`: functions of one sample ``(C, *spatial)`` (loops over the batch);
- :func:`by_name`: functions that take only some parameters, or one int stride;
- :func:`cs231n`: ``conv_forward_naive(x, w, b, conv_param)``,
  ``max_pool_forward_naive(x, pool_param)``, returning ``(out, cache)``;
- :func:`from_forward_backward`: ``dx, dw, db = backward(dout, cache)`` for the gradient
  checkers;
- :func:`layer`: layer objects with ``forward(x)`` / ``backward(dout)`` methods.

Each adapter translates exactly (transposes, loops, builds the parameter dict; a missing
bias becomes zeros) and raises :class:`~convmath.testing.Unsupported` for a case the
wrapped API cannot express: per-axis strides that differ for a function taking one int, a
dilation or ``groups`` it has no argument for, ``padding='same'`` with an even kernel
(asymmetric) for symmetric-padding code. The checker counts such a case as rejected,
never as a bug. An adapter's signature lists only the arguments it can pass on, so a
checker never draws the others (they are reported as not exercised). Adapters compose:
``unbatched(by_name(...))``, ``layout(fn, "HWC")`` (no ``N``: one sample, channels last).
They work on NumPy arrays (``backend="numpy"``, the default). Every option is validated
when the adapter is made: a bad one is an :class:`~convmath.errors.InvalidArgument` naming
it and its value.
"""

from __future__ import annotations

import contextvars
import inspect
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from convmath.errors import InvalidArgument
from convmath.testing._space import Unsupported

__all__ = ["SIGNATURES", "by_name", "cs231n", "from_forward_backward", "layer", "layout",
           "unbatched"]

Fn = Callable[..., Any]

#: The operations the checkers call, each with its parameters in PyTorch's positional
#: order: the arrays (and a pooling kernel_size) first, required; then the options.
SIGNATURES: dict[str, tuple[str, ...]] = {
    "conv": ("input", "weight", "bias", "stride", "padding", "dilation", "groups"),
    "conv_transpose": ("input", "weight", "bias", "stride", "padding", "output_padding",
                       "groups", "dilation"),
    "conv_input_grad": ("input_size", "weight", "grad_output", "stride", "padding",
                        "dilation", "groups"),
    "conv_weight_grad": ("input", "weight_size", "grad_output", "stride", "padding",
                         "dilation", "groups"),
    "max_pool": ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode",
                 "return_indices"),
    "avg_pool": ("input", "kernel_size", "stride", "padding", "ceil_mode",
                 "count_include_pad", "divisor_override"),
    "max_pool_grad": ("input", "grad_output", "kernel_size", "stride", "padding", "dilation",
                      "ceil_mode"),
    "avg_pool_grad": ("input_size", "grad_output", "kernel_size", "stride", "padding",
                      "ceil_mode", "count_include_pad", "divisor_override"),
}
_REQUIRED = {"conv": 2, "conv_transpose": 2, "conv_input_grad": 3, "conv_weight_grad": 3,
             "max_pool": 2, "avg_pool": 2, "max_pool_grad": 3, "avg_pool_grad": 3}
_CONV_OPS = ("conv", "conv_transpose", "conv_input_grad", "conv_weight_grad")
#: PyTorch's defaults (a pooling stride of None means the kernel size)
_DEFAULTS: dict[str, Any] = {
    "bias": None, "stride": 1, "padding": 0, "dilation": 1, "groups": 1, "output_padding": 0,
    "ceil_mode": False, "return_indices": False, "count_include_pad": True,
    "divisor_override": None,
}
#: what each parameter is, for the layout and batch adapters
_ROLES = {"input": "data", "grad_output": "data", "input_size": "data_shape",
          "weight": "weight", "weight_size": "weight_shape"}
_PER_AXIS = ("stride", "padding", "dilation", "output_padding", "kernel_size")
#: names a :func:`by_name` function may take besides its operation's parameters
_DERIVED = ("in_channels", "out_channels", "kernel_size")
#: the forward operation behind each gradient, and the gradient each (op, pick) checks
_FORWARD_OPS = ("conv", "conv_transpose", "max_pool", "avg_pool")
_CHECKED = {("conv", "out"): "conv", ("conv", "dx"): "conv_input_grad",
            ("conv", "dw"): "conv_weight_grad", ("conv_transpose", "out"): "conv_transpose",
            ("max_pool", "out"): "max_pool", ("max_pool", "dx"): "max_pool_grad",
            ("avg_pool", "out"): "avg_pool", ("avg_pool", "dx"): "avg_pool_grad"}

#: False while :func:`unbatched` calls the function it wraps on one sample
_BATCHED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "convmath_adapters_batched", default=True)


# --- validation and naming --------------------------------------------------------------

def _check_fn(fn: Any, name: str) -> None:
    if not callable(fn):
        raise InvalidArgument(f"{name} must be callable, got {name}={fn!r}")


def _check_choice(name: str, value: Any, choices: Collection[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise InvalidArgument(f"{name} must be one of {tuple(choices)}, got {name}={value!r}")
    return value


def _label(fn: Any) -> str:
    return str(getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn))


def _imports(fn: Any) -> tuple[str, ...]:
    """The import lines that make ``fn``'s name usable in a reproduction snippet."""
    known = getattr(fn, "__convmath_imports__", None)
    if isinstance(known, tuple):
        return known
    mod = getattr(fn, "__module__", None)
    qual = str(getattr(fn, "__qualname__", None) or "")
    if not mod or mod in ("__main__", "builtins") or not qual or "<" in qual:
        return ()
    return (f"from {mod} import {qual.split('.')[0]}",)


def _finish(wrapper: Any, text: str, op: str, exposed: Collection[str] | None,
            wrapped: Collection[Any]) -> Fn:
    """Name the wrapper ``text`` (what failure reports print, and what their reproduction
    snippet calls) and give it ``op``'s signature, cut to the ``exposed`` parameters.
    ``__convmath_imports__`` lists the imports that make ``text`` runnable (the user's
    ``wrapped`` functions and this module)."""
    wrapper.__name__ = wrapper.__qualname__ = text
    # No module: a report then prints ``adapters.cs231n(f)`` as is, and its reproduction
    # snippet calls ``adapters.cs231n(f)(x, w, ...)`` instead of importing a local name.
    wrapper.__module__ = None
    lines = ["from convmath.testing import adapters"]
    lines += [line for fn in wrapped for line in _imports(fn)]
    wrapper.__convmath_imports__ = tuple(dict.fromkeys(lines))
    wrapper.__convmath_numpy_only__ = True  # the checkers refuse another backend up front
    wrapper.__doc__ = f"{text}: the signature of convmath.numeric.{op} (see convmath.testing" \
                      ".adapters)."
    params = []
    for i, name in enumerate(SIGNATURES[op]):
        if exposed is not None and i >= _REQUIRED[op] and name not in exposed:
            continue
        default = inspect.Parameter.empty if i < _REQUIRED[op] else _default(op, name)
        params.append(inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                        default=default))
    wrapper.__signature__ = inspect.Signature(params)
    return wrapper


def _keywords(fn: Fn) -> frozenset[str] | None:
    """The keywords ``fn`` accepts; None if it takes ``**kwargs`` or has no signature."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        return None
    return frozenset(p.name for p in sig.parameters.values()
                     if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


# --- binding a PyTorch-convention call ------------------------------------------------

def _named(op: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments of a call of ``op``, by name (only those given)."""
    names = SIGNATURES[op]
    if len(args) > len(names):
        raise TypeError(f"{op} takes at most {len(names)} positional arguments "
                        f"({len(args)} given)")
    given = dict(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key not in names:
            raise TypeError(f"{op} got an unexpected keyword argument {key!r}")
        if key in given:
            raise TypeError(f"{op} got multiple values for argument {key!r}")
        given[key] = value
    missing = [n for n in names[:_REQUIRED[op]] if n not in given]
    if missing:
        raise TypeError(f"{op} is missing required argument(s) {', '.join(missing)}")
    return given


def _default(op: str, name: str) -> Any:
    return None if name == "stride" and "pool" in op else _DEFAULTS.get(name)


def _full(op: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """Every parameter of ``op``, PyTorch's default where not given."""
    return {n: given[n] if n in given else _default(op, n) for n in SIGNATURES[op]}


def _call_as(fn: Fn, op: str, values: Mapping[str, Any], n_positional: int,
             keywords: Collection[str]) -> Any:
    """Call ``fn`` the way the adapter was called: the same positional/keyword split."""
    names = SIGNATURES[op]
    return fn(*[values[n] for n in names[:n_positional]], **{k: values[k] for k in keywords})


# --- layouts ------------------------------------------------------------------------------

_SPATIAL = "DHW"


@dataclass(frozen=True)
class _Axes:
    """A parsed layout: the wrapped function's axis ``i`` is PyTorch's axis ``perm[i]``;
    its spatial axis ``j`` is PyTorch's spatial axis ``spatial[j]``."""

    arg: str
    text: str
    perm: tuple[int, ...]
    spatial: tuple[int, ...]

    def forward(self, arr: Any, name: str) -> np.ndarray:
        a = np.asarray(arr)
        if a.ndim != len(self.perm):
            raise InvalidArgument(f"{self.arg}={self.text!r} has {len(self.perm)} axes, but "
                                  f"{name} has shape {a.shape}")
        return np.ascontiguousarray(np.transpose(a, self.perm))

    def forward_shape(self, shape: Any, name: str) -> tuple[int, ...]:
        size = tuple(shape)
        if len(size) != len(self.perm):
            raise InvalidArgument(f"{self.arg}={self.text!r} has {len(self.perm)} axes, but "
                                  f"{name}={size!r}")
        return tuple(size[i] for i in self.perm)

    def back(self, out: Any) -> Any:
        if np.ndim(out) != len(self.perm):  # a wrong rank: let the checker report it as is
            return out
        return np.transpose(np.asarray(out), np.argsort(self.perm))

    def per_axis(self, value: Any) -> Any:
        if isinstance(value, (tuple, list)) and len(value) == len(self.spatial):
            return tuple(value[i] for i in self.spatial)
        return value


def _spatial_order(arg: str, text: str, letters: list[str]) -> str:
    """PyTorch's order of the spatial letters of a layout (D, H, W; one letter in 1-d)."""
    if not 1 <= len(letters) <= 3:
        raise InvalidArgument(f"{arg}={text!r} must have 1 to 3 spatial axes (D, H, W, or L "
                              f"for 1-d), found {len(letters)}")
    if len(letters) == 1:
        return letters[0]
    want = _SPATIAL[3 - len(letters):]
    if set(letters) != set(want):
        raise InvalidArgument(f"{arg}={text!r}: {len(letters)} spatial axes are "
                              f"{', '.join(want)} (L only for a 1-d layout)")
    return want


def _parse_layout(arg: str, text: Any, fixed: str, optional: str, lead: str,
                  ndim: int | None = None) -> tuple[_Axes, bool]:
    """Parse a layout string over the letters ``fixed`` (each required), ``optional`` and
    spatial letters; PyTorch's order is ``lead`` (those present) then the spatial axes."""
    example = "'NHWC'" if arg == "data" else "'HWIO'"
    if not isinstance(text, str) or not text:
        raise InvalidArgument(f"{arg} must be a layout string such as {example}, got "
                              f"{arg}={text!r}")
    allowed = fixed + optional + _SPATIAL + "L"
    for ch in text:
        if ch not in allowed:
            raise InvalidArgument(f"{arg}={text!r}: unknown axis letter {ch!r} (allowed: "
                                  f"{', '.join(allowed)})")
        if text.count(ch) > 1:
            raise InvalidArgument(f"{arg}={text!r}: axis letter {ch!r} appears twice")
    for ch in fixed:
        if ch not in text:
            raise InvalidArgument(f"{arg}={text!r} has no {ch} axis")
    letters = [ch for ch in text if ch in _SPATIAL + "L"]
    spatial = _spatial_order(arg, text, letters)
    if ndim is not None and len(letters) != ndim:
        raise InvalidArgument(f"{arg}={text!r} has {len(letters)} spatial axes, the data "
                              f"layout {ndim}")
    canonical = "".join(ch for ch in lead if ch in text) + spatial
    axes = _Axes(arg, text, tuple(canonical.index(ch) for ch in text),
                 tuple(spatial.index(ch) for ch in letters))
    return axes, all(ch in text for ch in optional)


def layout(fn: Fn, data: str, *, weight: str | None = None, op: str = "conv") -> Fn:
    """Wrap ``fn``, which takes and returns arrays in the axis order ``data`` (and weights
    in the order ``weight``), as a function of PyTorch's layouts for the checker of ``op``.
    ``fn`` takes the checker's arguments otherwise (the same names and meanings).

    ``data`` names the axes: ``N`` batch, ``C`` channels, spatial ``D``, ``H``, ``W`` (or
    ``L`` in 1-d): ``"NHWC"``, ``"NLC"``/``"NWC"``, ``"NDHWC"``; without ``N`` the function
    takes one sample (``"HWC"``) and the adapter loops over the batch (:func:`unbatched`).
    ``weight`` (conv family only; default PyTorch's order) uses ``O``, ``I`` and the same
    spatial letters: ``"HWIO"`` (TensorFlow, JAX, ``(kh, kw, C_in, C_out)``), ``"OHWI"``,
    ``"WIO"``, ``"DHWIO"``; for ``op="conv_transpose"`` ``I`` is the transposed conv's input
    channels, so PyTorch's ``(C_in, C_out/groups, *k)`` is ``"IOHW"``. The arrays (and
    ``input_size``/``weight_size`` shapes) are permuted on the way in, the result (a weight
    gradient in the weight layout) on the way out; per-axis parameters follow the order of
    the spatial letters in ``data`` (``"NWHC"`` gets ``stride=(s_w, s_h)``).
    ``op``: ``"conv"``, ``"conv_transpose"``, ``"conv_input_grad"``, ``"conv_weight_grad"``,
    ``"max_pool"``, ``"avg_pool"``, ``"max_pool_grad"`` or ``"avg_pool_grad"``.

    >>> import numpy as np, convmath.numeric as ref
    >>> f = layout(lambda x, k, **kw: ref.max_pool(x.transpose(0, 2, 1), k, ndim=1, **kw
    ...            ).transpose(0, 2, 1), "NLC", op="max_pool")   # a channels-last pool
    >>> f(np.array([[[1.0, 5.0, 2.0, 0.0]]]), 2)
    array([[[5., 2.]]])
    """
    _check_fn(fn, "fn")
    op = _check_choice("op", op, SIGNATURES)
    d, batched = _parse_layout("data", data, "C", "N", "NC")
    w: _Axes | None = None
    if weight is not None:
        if op not in _CONV_OPS:
            raise InvalidArgument(f"weight={weight!r} is a weight layout, but {op} has no "
                                  "weight")
        lead = "IO" if op == "conv_transpose" else "OI"
        w = _parse_layout("weight", weight, "OI", "", lead, len(d.spatial))[0]
    result = w if op == "conv_weight_grad" else d

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = _named(op, args, kwargs)
        for name, value in values.items():
            role = _ROLES.get(name)
            if role == "data":
                values[name] = d.forward(value, name)
            elif role == "data_shape":
                values[name] = d.forward_shape(value, name)
            elif role == "weight" and w is not None:
                values[name] = w.forward(value, name)
            elif role == "weight_shape" and w is not None:
                values[name] = w.forward_shape(value, name)
            elif name in _PER_AXIS:
                values[name] = d.per_axis(value)
        out = _call_as(fn, op, values, len(args), kwargs)
        if result is None:
            return out
        if isinstance(out, tuple):  # max_pool with return_indices: (values, indices)
            return tuple(result.back(o) for o in out)
        return result.back(out)

    text = f"adapters.layout({_label(fn)}, {data!r}" + (
        f", weight={weight!r}" if weight is not None else "") + (
        f", op={op!r})" if op != "conv" else ")")
    wrapped = _finish(wrapper, text, op, _keywords(fn), [fn])
    if batched:
        return wrapped
    outer: Any = unbatched(wrapped, op=op)  # one sample per call: loop over the batch
    outer.__name__ = outer.__qualname__ = text
    return outer


# --- one sample at a time ------------------------------------------------------------------

def unbatched(fn: Fn, *, op: str = "conv") -> Fn:
    """Wrap ``fn``, which takes one sample ``(C, *spatial)`` (and returns one), as a
    function of batched ``(N, C, *spatial)`` arrays for the checker of ``op``.

    The adapter calls ``fn`` once per sample — ``input_size`` loses its ``N``, ``weight``
    and the parameters pass unchanged — and stacks the results; the weight gradient
    (``op="conv_weight_grad"``) is the sum of the per-sample gradients. Combine with
    :func:`layout` (``layout(fn, "HWC")``) for one channels-last sample, and with
    :func:`by_name` for one int stride (``unbatched(by_name(...))``).

    >>> import numpy as np, convmath.numeric as ref
    >>> conv = unbatched(lambda x, w, **kw: ref.conv(x[None], w, **kw)[0])  # x: (C, H, W)
    >>> conv(np.ones((2, 1, 3, 3)), np.ones((1, 1, 2, 2)), stride=2).ravel().tolist()
    [4.0, 4.0]
    """
    _check_fn(fn, "fn")
    op = _check_choice("op", op, SIGNATURES)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = _named(op, args, kwargs)
        lead = np.shape(values["input"]) if "input" in values else tuple(values["input_size"])
        n = int(lead[0])
        if n == 0:
            raise Unsupported(f"{_label(wrapper)}: an empty batch")
        outs = []
        token = _BATCHED.set(False)
        try:
            for i in range(n):
                sample = dict(values)
                for name, value in values.items():
                    role = _ROLES.get(name)
                    if role == "data":
                        sample[name] = np.asarray(value)[i]
                    elif role == "data_shape":
                        sample[name] = tuple(value)[1:]
                outs.append(_call_as(fn, op, sample, len(args), kwargs))
        finally:
            _BATCHED.reset(token)
        if any(o is None for o in outs):
            return None  # the checker reports that as it is
        if op == "conv_weight_grad":
            total = np.asarray(outs[0])
            for o in outs[1:]:
                total = total + np.asarray(o)
            return total
        if isinstance(outs[0], tuple):
            return tuple(np.stack([o[k] for o in outs]) for k in range(len(outs[0])))
        return np.stack([np.asarray(o) for o in outs])

    text = f"adapters.unbatched({_label(fn)}" + (f", op={op!r})" if op != "conv" else ")")
    return _finish(wrapper, text, op, _keywords(fn), [fn])


# --- functions naming some of the parameters, maybe as scalars ----------------------------

@dataclass(frozen=True)
class _Takes:
    """The parameters of a user callable that an adapter passes (matched by name)."""

    names: tuple[str, ...]
    positional_only: frozenset[str]

    def call(self, fn: Fn, values: Mapping[str, Any]) -> Any:
        args = [values[n] for n in self.names if n in self.positional_only]
        kwargs = {n: values[n] for n in self.names if n not in self.positional_only}
        return fn(*args, **kwargs)


def _takes(fn: Fn, arg: str, vocabulary: Collection[str]) -> _Takes:
    """Which of ``vocabulary`` ``fn`` takes; a required parameter outside it is refused."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{arg}={fn!r} has no readable signature; wrap it in a lambda "
                              "naming the parameters it takes") from None
    names, positional = [], set()
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.name in vocabulary:
            names.append(p.name)
            if p.kind is p.POSITIONAL_ONLY:
                positional.add(p.name)
        elif p.default is p.empty:
            raise InvalidArgument(
                f"{arg}={_label(fn)} has a required parameter {p.name!r}, which is none of "
                f"{', '.join(vocabulary)}; rename it with a lambda (lambda input, weight, "
                f"stride: f(input, weight, stride))")
    return _Takes(tuple(names), frozenset(positional))


def _scalar_names(scalars: Any) -> frozenset[str]:
    if isinstance(scalars, (bool, np.bool_)):
        return frozenset(_PER_AXIS) if scalars else frozenset()
    if isinstance(scalars, str) or not isinstance(scalars, Collection) or any(
            s not in _PER_AXIS for s in scalars):
        raise InvalidArgument(f"scalars must be True, False or a collection of "
                              f"{', '.join(_PER_AXIS)}; got scalars={scalars!r}")
    return frozenset(scalars)


def _per_axis(name: str, value: Any, n: int) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ValueError(f"{name}={value!r} for {n} spatial axes")
        return tuple(int(v) for v in value)
    return (int(value),) * n


def _pool_out(i: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    """PyTorch's pooling output size on one axis."""
    from convmath.numeric._shapes import pool_output_size

    return pool_output_size(i, k, s, p, d, ceil)


def _express(op: str, full: Mapping[str, Any], wanted: Collection[str],
             scalars: frozenset[str], who: str) -> dict[str, Any]:
    """The values of the ``wanted`` parameters (PyTorch's, and in_channels, out_channels,
    kernel_size) for a call of ``op`` with ``full``; raises Unsupported if a parameter that
    is not wanted is not at a value that makes it irrelevant (dilation 1, no bias, ...)."""
    lead = 2 if _BATCHED.get() else 1
    weight = full.get("weight")
    wshape = tuple(np.shape(full["weight"])) if "weight" in full else tuple(
        full.get("weight_size", ()))
    shape = np.shape(full["input"]) if "input" in full else tuple(full["input_size"])
    spatial_in = tuple(int(v) for v in shape[lead:])
    n = len(wshape) - 2 if op in _CONV_OPS else len(spatial_in)
    per: dict[str, tuple[int, ...]] = {}
    per["kernel_size"] = (tuple(int(v) for v in wshape[2:]) if op in _CONV_OPS
                          else _per_axis("kernel_size", full["kernel_size"], n))
    stride = full.get("stride")
    per["stride"] = per["kernel_size"] if stride is None else _per_axis("stride", stride, n)
    per["dilation"] = _per_axis("dilation", full.get("dilation", 1), n)
    per["output_padding"] = _per_axis("output_padding", full.get("output_padding", 0), n)
    padding = full.get("padding", 0)
    if isinstance(padding, str):
        # 'same': TensorFlow's rule (⌈i/s⌉ outputs), which is PyTorch's at stride 1 (the
        # only stride PyTorch allows with 'same'); 'valid': none
        totals = [max((-(-i // s) - 1) * s + d * (k - 1) + 1 - i, 0) if padding == "same"
                  else 0 for i, k, s, d in zip(spatial_in, per["kernel_size"], per["stride"],
                                               per["dilation"], strict=True)]
        if any(t % 2 for t in totals):
            raise Unsupported(f"{who}: padding='same' here pads one element more after than "
                              f"before (kernel {per['kernel_size']}, dilation "
                              f"{per['dilation']}); symmetric padding cannot express that")
        padding = tuple(t // 2 for t in totals)
    per["padding"] = _per_axis("padding", padding, n)
    groups = int(full.get("groups", 1))
    if op == "conv_transpose":
        channels = {"in_channels": wshape[0], "out_channels": wshape[1] * groups}
    elif op in _CONV_OPS:
        channels = {"in_channels": wshape[1] * groups, "out_channels": wshape[0]}
    else:
        channels = {}

    values: dict[str, Any] = {}
    for name in wanted:
        if name in per and (name in full or op in _CONV_OPS):
            v = per[name]
            if name in scalars:
                if len(set(v)) != 1:
                    shown = full.get(name, v)
                    raise Unsupported(f"{who} takes one int {name}; this case has "
                                      f"{name}={shown!r}" + (
                                          f" (here {v})" if isinstance(shown, str) else ""))
                values[name] = v[0]
            else:
                values[name] = v
        elif name in channels:
            values[name] = channels[name]
        elif name == "bias" and full.get("bias") is None:
            values[name] = np.zeros(channels["out_channels"], dtype=np.asarray(weight).dtype)
        else:
            values[name] = full[name]
    for name in SIGNATURES[op]:
        if name not in wanted and name not in _ROLES:
            _check_irrelevant(name, full, per, spatial_in, who)
    return values


def _check_irrelevant(name: str, full: Mapping[str, Any], per: Mapping[str, tuple[int, ...]],
                      spatial_in: tuple[int, ...], who: str) -> None:
    """Raise Unsupported unless parameter ``name``, which the function does not take, has
    a value that changes nothing (so the function computes the same without it)."""
    pads = per["padding"]

    def ceil_changes() -> bool:
        args = zip(spatial_in, per["kernel_size"], per["stride"], pads, per["dilation"],
                   strict=True)
        return any(_pool_out(*a, True) != _pool_out(*a, False) for a in args)

    value = full[name]
    if name == "stride" and full.get("kernel_size") is not None:
        ok = per["stride"] == per["kernel_size"]  # pooling: the default stride
    elif name in ("stride", "dilation"):
        ok = set(per[name]) == {1}
    elif name in ("padding", "output_padding"):
        ok = not any(per[name])
    elif name == "groups":
        ok = value == 1
    elif name == "bias":
        ok = value is None
    elif name == "return_indices":
        ok = not value
    elif name == "ceil_mode":
        ok = not value or not ceil_changes()
    elif name == "count_include_pad":
        ok = bool(value) or not any(pads)
    elif name == "divisor_override":  # the window size, with every window inside the input
        ok = value is None or (value == math.prod(per["kernel_size"]) and not any(pads)
                               and not (full.get("ceil_mode") and ceil_changes()))
    else:
        ok = value == _DEFAULTS.get(name)
    if not ok:
        raise Unsupported(f"{who} takes no {name} argument; this case has "
                          f"{name}={value!r}")


def _required_names(op: str) -> tuple[str, ...]:
    return SIGNATURES[op][:_REQUIRED[op]]


def _vocabulary(op: str) -> tuple[str, ...]:
    """The names a function wrapped for ``op`` may take: its parameters, and for the conv
    family in_channels, out_channels and kernel_size (read off the weight)."""
    derived = _DERIVED if op in _CONV_OPS else ()
    return SIGNATURES[op] + tuple(d for d in derived if d not in SIGNATURES[op])


def _by_name(fn: Fn, op: str, scalars: frozenset[str], who: str, arg: str = "fn"
             ) -> tuple[Fn, tuple[str, ...]]:
    """The PyTorch-convention function calling ``fn`` by name, and the parameters of
    ``op`` that ``fn`` takes."""
    takes = _takes(fn, arg, _vocabulary(op))
    for name in _required_names(op):
        if name not in takes.names:
            raise InvalidArgument(f"{arg}={_label(fn)} must take {name} (the parameters of "
                                  f"{op} are {', '.join(SIGNATURES[op])})")

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        full = _full(op, _named(op, args, kwargs))
        return takes.call(fn, _express(op, full, takes.names, scalars, who))

    return wrapper, takes.names


def by_name(fn: Fn, *, op: str = "conv", scalars: bool | Collection[str] = True) -> Fn:
    """Wrap ``fn``, whose parameters are named after the checker's (``input``, ``weight``,
    ``bias``, ``stride``, ``padding``, ...; also ``in_channels``, ``out_channels`` and the
    conv family's ``kernel_size``, read off the weight), as a function for the checker of
    ``op``: it passes only the parameters ``fn`` takes.

    A parameter ``fn`` does not take must be at a value that changes nothing (stride 1, or
    the kernel size for pooling; no padding, dilation 1, ``groups=1``, no bias,
    ``ceil_mode`` that adds no window, ...), otherwise the case is Unsupported.
    ``scalars`` (default True: all of them) names the per-axis parameters ``fn`` takes as
    one int: a case whose axes differ is Unsupported; the others are passed as one int per
    axis. ``padding='same'`` (PyTorch's rule, or TensorFlow's with a stride, as
    ``check_conv(same_rule='tf')`` draws it) and ``'valid'`` become the equivalent
    symmetric padding, a pooling ``stride=None`` the kernel size, and a bias of None zeros.
    Rename parameters with a lambda:

    >>> import numpy as np, convmath.numeric as ref
    >>> f = by_name(lambda input, kernel_size, stride: ref.avg_pool2d(input, kernel_size,
    ...             stride), op="avg_pool")   # a course avg pool: one int kernel and stride
    >>> f(np.arange(8.0).reshape(1, 1, 2, 4), (2, 2)).tolist()
    [[[[2.5, 4.5]]]]
    """
    _check_fn(fn, "fn")
    op = _check_choice("op", op, SIGNATURES)
    names = _scalar_names(scalars)
    who = f"adapters.by_name({_label(fn)})"
    wrapper, takes = _by_name(fn, op, names, who)
    return _finish(wrapper, who if op == "conv" else f"{who[:-1]}, op={op!r})", op, takes,
                   [fn])


# --- course-style functions: a parameter dict in, (out, cache) out -------------------------

def _first(result: Any) -> Any:
    """``out`` from ``(out, cache)`` (or the result itself)."""
    return result[0] if isinstance(result, (tuple, list)) and len(result) > 0 else result


def _cs231n_call(fn: Fn, op: str, who: str) -> tuple[Fn, tuple[str, ...]]:
    """``fn(x, w, b, conv_param)`` / ``fn(x, pool_param)`` as a PyTorch-convention function
    returning ``fn``'s raw result."""
    def two_d(x: Any) -> None:
        lead = 2 if _BATCHED.get() else 1
        if np.ndim(x) != lead + 2:
            raise Unsupported(f"{who} is 2-d (N, C, H, W); this input has shape "
                              f"{np.shape(x)}")

    if op == "conv":
        def conv(input: Any, weight: Any, bias: Any, stride: int, padding: int) -> Any:
            two_d(input)
            return fn(input, weight, bias, {"stride": stride, "pad": padding})

        return _by_name(conv, op, frozenset(_PER_AXIS), who)

    def pool(input: Any, kernel_size: tuple[int, int], stride: int) -> Any:
        two_d(input)
        kh, kw = kernel_size
        return fn(input, {"pool_height": kh, "pool_width": kw, "stride": stride})

    return _by_name(pool, op, frozenset({"stride"}), who)


def cs231n(fn: Fn, *, op: str = "conv") -> Fn:
    """Wrap a course-style forward function as a function for the checker of ``op``.

    ``op="conv"``: ``out, cache = fn(x, w, b, conv_param)`` with ``conv_param = {'stride':
    s, 'pad': p}`` (CS231n's ``conv_forward_naive``); ``op="max_pool"`` or ``"avg_pool"``:
    ``out, cache = fn(x, pool_param)`` with ``pool_param = {'pool_height': kh,
    'pool_width': kw, 'stride': s}``. 2-d, NCHW, one int stride and pad (a case whose axes
    differ is Unsupported); no dilation, groups or pooling padding; a bias of None is
    passed as zeros; ``fn`` may return ``out`` alone. For the backward functions see
    :func:`from_forward_backward`.

    >>> import numpy as np, convmath.numeric as ref
    >>> f = cs231n(lambda x, w, b, p: (ref.conv(x, w, b, p["stride"], p["pad"]), None))
    >>> f(np.ones((1, 1, 3, 3)), np.ones((2, 1, 3, 3)), padding=1)[0, :, 1, 1].tolist()
    [9.0, 9.0]
    """
    _check_fn(fn, "fn")
    op = _check_choice("op", op, ("conv", "max_pool", "avg_pool"))
    who = f"adapters.cs231n({_label(fn)}" + (f", op={op!r})" if op != "conv" else ")")
    call, takes = _cs231n_call(fn, op, who)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return _first(call(*args, **kwargs))

    return _finish(wrapper, who, op, takes, [fn])


# --- gradients from backward functions and layer objects -----------------------------------

def _pick(result: Any, index: int, who: str, hint: str) -> Any:
    if isinstance(result, (tuple, list)):
        if len(result) <= index:
            raise TypeError(f"{who}: backward returned {len(result)} values, no "
                            f"{('dx', 'dw')[index]} among them")
        return result[index]
    if index == 0:
        return result
    raise TypeError(f"{who}: backward returned one array, not (dx, dw, ...); {hint}")


def _stored(obj: Any, where: str | Fn) -> Any:
    """What a layer keeps in attribute ``where`` (or ``where(obj)`` for a function)."""
    return getattr(obj, where) if isinstance(where, str) else where(obj)


def _check_out(out: Any, grad_output: Any, who: str) -> None:
    if np.shape(out) != np.shape(grad_output):
        raise ValueError(f"{who}: the forward pass returned shape {np.shape(out)}, but "
                         f"grad_output (PyTorch's output size) has shape "
                         f"{np.shape(grad_output)}")


def _forward_values(fwd_op: str, checked: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """The forward call behind a gradient call: an input of ``input_size`` and a weight of
    ``weight_size`` are zeros (neither gradient depends on their values)."""
    full = _full(checked, given)
    g = np.asarray(full["grad_output"])
    values = {k: v for k, v in full.items() if k in SIGNATURES[fwd_op]}
    if "input_size" in full:
        values["input"] = np.zeros(tuple(full["input_size"]), dtype=g.dtype)
    if "weight_size" in full:
        values["weight"] = np.zeros(tuple(full["weight_size"]), dtype=g.dtype)
    return _full(fwd_op, values)


def from_forward_backward(forward: Fn, backward: Fn, *, op: str = "conv", pick: str = "dx",
                          params: str = "cs231n") -> Fn:
    """Wrap a cache-passing pair — ``out, cache = forward(...)``, ``grads =
    backward(dout, cache)`` — as a function for a gradient checker.

    ``op="conv"`` with ``pick="dx"`` checks as :func:`~convmath.testing.check_conv_input_grad`
    (``fn(input_size, weight, grad_output, ...)``), ``pick="dw"`` as
    :func:`~convmath.testing.check_conv_weight_grad`; ``op="max_pool"``/``"avg_pool"``
    (``pick="dx"``) as :func:`~convmath.testing.check_max_pool_grad` /
    :func:`~convmath.testing.check_avg_pool_grad`. The adapter runs ``forward`` (on a zero
    input of ``input_size``, or a zero weight of ``weight_size``: the gradient asked for
    does not depend on those values), then ``backward(grad_output, cache)``, and returns
    ``dx`` (a single array, or the first of a tuple) or ``dw`` (the second).
    ``params="cs231n"`` (default): ``forward(x, w, b, conv_param)`` / ``forward(x,
    pool_param)`` as in :func:`cs231n`; ``params="by_name"``: ``forward``'s parameters are
    named after the checker's, as in :func:`by_name` (one int each).

    >>> import numpy as np, convmath.numeric as ref
    >>> fwd = lambda x, w, b, p: (ref.conv(x, w, b, p["stride"], p["pad"]), (x.shape, w))
    >>> bwd = lambda dout, cache: (ref.conv_input_grad(*cache, dout), None, None)
    >>> from_forward_backward(fwd, bwd)((1, 1, 3, 3), np.ones((1, 1, 2, 2)),
    ...                                 np.ones((1, 1, 2, 2)))[0, 0].tolist()
    [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    """
    _check_fn(forward, "forward")
    _check_fn(backward, "backward")
    op = _check_choice("op", op, ("conv", "max_pool", "avg_pool"))
    pick = _check_choice("pick", pick, ("dx", "dw"))
    params = _check_choice("params", params, ("cs231n", "by_name"))
    if (op, pick) not in _CHECKED:
        raise InvalidArgument(f"pick={pick!r} is the weight gradient, but {op} has no weight "
                              "(pick='dx')")
    checked = _CHECKED[op, pick]
    who = f"adapters.from_forward_backward({_label(forward)}, {_label(backward)}" + "".join(
        f", {k}={v!r}" for k, v, d in (("op", op, "conv"), ("pick", pick, "dx"),
                                       ("params", params, "cs231n")) if v != d) + ")"
    if params == "cs231n":
        fwd, takes = _cs231n_call(forward, op, who)
    else:
        fwd, takes = _by_name(forward, op, frozenset(_PER_AXIS), who, "forward")
    index = 0 if pick == "dx" else 1

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = _named(checked, args, kwargs)
        values = _forward_values(op, checked, given)
        result = fwd(**values)
        if not isinstance(result, (tuple, list)) or len(result) < 2:
            raise TypeError(f"{who}: forward must return (out, cache), got "
                            f"{type(result).__name__}")
        _check_out(result[0], given["grad_output"], who)
        grads = backward(given["grad_output"], result[1])
        return _pick(grads, index, who, "use pick='dx'")

    return _finish(wrapper, who, checked, takes, [forward, backward])


def layer(make: Fn, *, op: str = "conv", pick: str = "out",
          assign: Mapping[str, str] | None = None, dw: str | Fn | None = None,
          out: str | Fn | None = None, dx: str | Fn | None = None,
          forward: str = "forward", backward: str = "backward",
          scalars: bool | Collection[str] = True) -> Fn:
    """Wrap a layer object — ``out = obj.forward(x)``, ``obj.backward(dout)`` — built by
    ``make`` from the case's parameters, as a function for the checker of ``op``/``pick``.

    ``make`` names what it needs, as in :func:`by_name`: ``weight``, ``bias``, ``stride``,
    ``padding``, ``dilation``, ``groups``, ``in_channels``, ``out_channels``,
    ``kernel_size`` (PyTorch layouts; one int each unless ``scalars`` says otherwise); a
    parameter it does not name must be at a value that changes nothing, or the case is
    Unsupported. ``assign={"W": "weight", "b": "bias"}`` sets attributes after
    construction (for layers that draw their own weights). A new object is built per call.

    ``op``: ``"conv"``, ``"conv_transpose"``, ``"max_pool"``, ``"avg_pool"``; ``pick``:
    ``"out"`` (the forward output: :func:`~convmath.testing.check_conv`, ...), ``"dx"``
    (``backward``'s return, or its first element: ``check_conv_input_grad``,
    ``check_max_pool_grad``, ``check_avg_pool_grad``) or ``"dw"`` (its second element, or
    ``dw``: the attribute name or a function of the layer where it keeps the weight
    gradient, e.g. ``dw="dW"``: ``check_conv_weight_grad``). A layer that stores its
    results instead of returning them says where: ``out="output"`` (the forward result),
    ``dx="dinputs"`` (the input gradient), ``dw="dweights"`` — attribute names, or
    functions of the layer. ``forward``/``backward`` name the methods. For a gradient the
    forward pass runs on a zero input of ``input_size`` (or with a zero weight of
    ``weight_size``) first.

    >>> import numpy as np, convmath.numeric as ref
    >>> class Conv:  # a from-scratch layer (forward only here), one int stride
    ...     def __init__(self, W, b, stride): self.W, self.b, self.stride = W, b, stride
    ...     def forward(self, x): return ref.conv(x, self.W, self.b, self.stride)
    >>> f = layer(lambda weight, bias, stride: Conv(weight, bias, stride))
    >>> f(np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2)), stride=2).tolist()
    [[[[4.0, 4.0], [4.0, 4.0]]]]
    """
    _check_fn(make, "make")
    op = _check_choice("op", op, _FORWARD_OPS)
    pick = _check_choice("pick", pick, ("out", "dx", "dw"))
    if (op, pick) not in _CHECKED:
        raise InvalidArgument(f"pick={pick!r} has no checker for op={op!r} (choose from "
                              f"{', '.join(repr(p) for o, p in _CHECKED if o == op)})")
    checked = _CHECKED[op, pick]
    names = _scalar_names(scalars)
    vocabulary = tuple(n for n in _vocabulary(op) if n != "input")
    takes = _takes(make, "make", vocabulary)
    if not isinstance(assign, (Mapping, type(None))):
        raise InvalidArgument(f"assign must be a mapping of attribute names to parameter "
                              f"names, got assign={assign!r}")
    assigned = dict(assign or {})
    for attr, name in assigned.items():
        if not isinstance(attr, str) or not attr.isidentifier() or name not in vocabulary:
            raise InvalidArgument(f"assign maps attribute names to one of "
                                  f"{', '.join(vocabulary)}; got assign={assign!r}")
    for method, value in (("forward", forward), ("backward", backward)):
        if not isinstance(value, str) or not value.isidentifier():
            raise InvalidArgument(f"{method} must name a method, got {method}={value!r}")
    places: tuple[tuple[str, Any, str, tuple[str, ...]], ...] = (
        ("dw", dw, "its weight gradient", ("dw",)),
        ("dx", dx, "its input gradient", ("dx",)),
        ("out", out, "its forward result", ("out", "dx", "dw")))
    for label, where, what, picks in places:
        if where is not None and (pick not in picks or not (callable(where) or (
                isinstance(where, str) and where.isidentifier()))):
            raise InvalidArgument(
                f"{label} (where the layer keeps {what}: an attribute name or a function of "
                f"the layer) goes with pick={' or '.join(repr(p) for p in picks)}; got "
                f"{label}={where!r}, pick={pick!r}")
    wanted = tuple(dict.fromkeys(takes.names + tuple(assigned.values())))
    key = "weight" if op in _CONV_OPS else "kernel_size"
    if key not in wanted:
        raise InvalidArgument(f"make={_label(make)} must take {key} (or assign it: "
                              f"assign={{'W': 'weight'}})")
    who = f"adapters.layer({_label(make)}" + "".join(
        f", {k}={v!r}" for k, v, d in (("op", op, "conv"), ("pick", pick, "out"))
        if v != d) + "".join(
        f", {k}={v if isinstance(v, str) else _label(v)!r}"
        for k, v in (("assign", None), ("out", out), ("dx", dx), ("dw", dw)) if v is not None
        ) + (f", assign={assigned!r}" if assigned else "") + ")"

    def build(values: Mapping[str, Any]) -> Any:
        obj = takes.call(make, values)
        for attr, name in assigned.items():
            setattr(obj, attr, values[name])
        return obj

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = _named(checked, args, kwargs)
        full = _forward_values(op, checked, given) if pick != "out" else _full(op, given)
        values = _express(op, full, wanted, names, who)
        obj = build(values)
        result = _first(getattr(obj, forward)(full["input"]))
        y = _stored(obj, out) if out is not None else result
        if y is None:
            raise TypeError(f"{who}: {forward}() returned None; if the layer stores its "
                            "result, say where: out='output'")
        if pick == "out":
            return y
        _check_out(y, given["grad_output"], who)
        grads = getattr(obj, backward)(given["grad_output"])
        if pick == "dx":
            if dx is not None:
                return _stored(obj, dx)
            if grads is None:
                raise TypeError(f"{who}: {backward}() returned None; if the layer stores "
                                "the input gradient, say where: dx='dinputs'")
            return _pick(grads, 0, who, "")
        if dw is None:
            return _pick(grads, 1, who, "say where the layer keeps it: dw='dW'")
        return _stored(obj, dw)

    return _finish(wrapper, who, checked, wanted, [make])
