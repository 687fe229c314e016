"""Layer-by-layer shape, parameter and MAC accounting for a convolutional network.

A network is written as a small text *spec*, one layer per ``;`` (or newline)::

    input 3x227x227; conv 96 k=11 s=4; maxpool k=3 s=2; conv 256 k=5 p=2 g=2; fc 1000

Layers and their options (per-axis values as ``3x5``; defaults in brackets):

- ``input CxHxW`` — channels then spatial sizes (any number of spatial axes);
- ``conv OUT k= [s=1] [p=0|same|valid] [d=1] [g=1] [nobias] [table=lenet5]``;
- ``convT OUT k= [s=1] [p=0] [op=0] [d=1] [g=1] [nobias]`` — transposed convolution;
- ``maxpool k= [s=k] [p=0] [d=1] [ceil]``, ``avgpool k= [s=k] [p=0] [ceil]``;
- ``subsample k= [s=k]`` — LeNet-style pooling with a trainable coefficient and bias per
  channel;
- ``fc OUT [nobias]`` — fully connected (flattens its input), ``flatten``;
- ``relu``, ``tanh``, ``sigmoid``, ``lrn``, ``dropout``, ``bn`` — shape-preserving; only
  ``bn`` has parameters (2 per channel).

Counting conventions (REFERENCE.md): parameters ``C_out·(C_in/g)·∏k (+C_out)``; MACs
``∏o·C_out·(C_in/g)·∏k`` per example (bias additions and pooling are not MACs). FLOPs are
printed as ``2·MACs``, the common convention.

>>> net = network_shapes("input 1x32x32; conv 6 k=5; subsample k=2; conv 16 k=5 table=lenet5")
>>> [layer.params for layer in net.layers]
[0, 156, 12, 1516]
>>> net.layers[-1].shape
(16, 10, 10)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from convmath.errors import InvalidArgument
from convmath.numeric._shapes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
    same_padding,
)

__all__ = ["PRESETS", "LayerInfo", "NetworkInfo", "network_shapes"]

# LeNet-5's C3 (LeCun et al. 1998, table I): of the 16 maps, 6 see 3 of S2's maps,
# 9 see 4 and one sees all 6.
_TABLES: dict[str, tuple[int, ...]] = {"lenet5": (3,) * 6 + (4,) * 9 + (6,)}

PRESETS: dict[str, str] = {
    "lenet5": (
        "input 1x32x32; conv 6 k=5; tanh; subsample k=2; conv 16 k=5 table=lenet5; tanh; "
        "subsample k=2; conv 120 k=5; tanh; fc 84; tanh"
    ),
    "alexnet": (
        "input 3x227x227; conv 96 k=11 s=4; relu; lrn; maxpool k=3 s=2; "
        "conv 256 k=5 p=2 g=2; relu; lrn; maxpool k=3 s=2; conv 384 k=3 p=1; relu; "
        "conv 384 k=3 p=1 g=2; relu; conv 256 k=3 p=1 g=2; relu; maxpool k=3 s=2; "
        "fc 4096; relu; dropout; fc 4096; relu; dropout; fc 1000"
    ),
    "vgg16": (
        "input 3x224x224; "
        + "".join(
            f"conv {c} k=3 p=1; relu; " * n + "maxpool k=2 s=2; "
            for c, n in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))
        )
        + "fc 4096; relu; fc 4096; relu; fc 1000"
    ),
}


@dataclass(frozen=True)
class LayerInfo:
    """One layer: its spec text, output shape ``(C, *spatial)``, parameters and MACs."""

    spec: str
    kind: str
    shape: tuple[int, ...]
    params: int
    macs: int
    note: str = ""


@dataclass(frozen=True)
class NetworkInfo:
    """Every layer of a network, with totals."""

    layers: tuple[LayerInfo, ...]

    @property
    def params(self) -> int:
        """Total parameter count."""
        return sum(layer.params for layer in self.layers)

    @property
    def macs(self) -> int:
        """Total multiply-accumulates for one example."""
        return sum(layer.macs for layer in self.layers)

    def table(self) -> str:
        """A plain-text table: layer, output shape, parameters, MACs, notes."""
        rows = [("layer", "output", "params", "MACs", "")]
        for layer in self.layers:
            rows.append((
                layer.spec,
                "×".join(str(v) for v in layer.shape),
                f"{layer.params:,}",
                f"{layer.macs:,}",
                layer.note,
            ))
        rows.append(("total", "", f"{self.params:,}", f"{self.macs:,}", ""))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = []
        for r in rows:
            cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1]),
                     r[2].rjust(widths[2]), r[3].rjust(widths[3])]
            lines.append("  ".join(cells) + (f"  {r[4]}" if r[4] else ""))
        lines.insert(1, "  ".join("-" * w for w in widths))
        lines.insert(-1, "  ".join("-" * w for w in widths))
        lines.append(f"FLOPs ≈ 2·MACs = {2 * self.macs:,} (bias additions not counted)")
        return "\n".join(lines)


def _ints(key: str, text: str, layer: str) -> tuple[int, ...]:
    parts = text.split("x")
    if not all(v.isascii() and v.isdigit() for v in parts):  # no signs, spaces, "²", "1_0"
        raise InvalidArgument(f"{key}={text!r} in layer {layer!r} must be an int or AxB…")
    return tuple(int(v) for v in parts)


def _count(text: str, what: str, layer: str) -> int:
    """A positive int written in ASCII digits (a channel count or a group count)."""
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise InvalidArgument(f"{what} {text!r} in layer {layer!r} must be a positive int")
    return int(text)


def _parse_layer(text: str) -> tuple[str, list[str], dict[str, str]]:
    words = text.split()
    kind = words[0].lower()
    positional = [w for w in words[1:] if "=" not in w]
    options = dict(w.split("=", 1) for w in words[1:] if "=" in w)
    return kind, positional, options


def _per_axis(value: tuple[int, ...], n: int, key: str, layer: str) -> tuple[int, ...]:
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise InvalidArgument(
            f"{key}={'x'.join(map(str, value))} in layer {layer!r} needs 1 or {n} values"
        )
    return value


def network_shapes(spec: str | Sequence[str]) -> NetworkInfo:
    """Shapes, parameters and MACs of every layer of ``spec`` (a preset name, a spec string,
    or a list of layer strings). See the module docstring for the grammar."""
    if isinstance(spec, str):
        text = PRESETS.get(spec.strip().lower(), spec)
        items = [s.strip() for s in text.replace("\n", ";").split(";")]
    elif isinstance(spec, (list, tuple)):
        items = [str(s).strip() for s in spec]
    else:
        raise InvalidArgument(
            f"spec must be a preset name, a spec string or a list of layer strings, "
            f"got {spec!r}"
        )
    items = [s for s in items if s]
    if not items:
        raise InvalidArgument(f"spec={spec!r} has no layers")
    kind, pos, _ = _parse_layer(items[0])
    if kind not in ("input", "in") or len(pos) != 1:
        raise InvalidArgument(
            f"spec must start with 'input CxHxW', got {items[0]!r} (spec={spec!r})"
        )
    shape = _ints("input", pos[0], items[0])
    if len(shape) < 1 or min(shape) < 1:
        raise InvalidArgument(f"input shape {pos[0]!r} must be positive ints CxHxW…")
    layers = [LayerInfo(items[0], "input", shape, 0, 0)]
    for item in items[1:]:
        layers.append(_apply(item, shape))
        shape = layers[-1].shape
    return NetworkInfo(tuple(layers))


def _leftover_note(i: Sequence[int], k: Sequence[int], s: Sequence[int], p: Sequence[int],
                   d: Sequence[int]) -> str:
    left = [
        (ii + 2 * pp - dd * (kk - 1) - 1) % ss
        for ii, kk, ss, pp, dd in zip(i, k, s, p, d, strict=True)
    ]
    if any(left):
        return (
            "×".join(map(str, left)) + " trailing input element(s) per axis never read"
            " (output size rounded down)"
        )
    return ""


def _apply(item: str, shape: tuple[int, ...]) -> LayerInfo:
    kind, pos, opt = _parse_layer(item)
    known = {"k", "s", "p", "d", "g", "op", "table"}
    unknown = set(opt) - known
    if unknown:
        raise InvalidArgument(f"unknown option(s) {sorted(unknown)} in layer {item!r}")
    c, spatial = shape[0], shape[1:]
    n = len(spatial)
    flags = {w.lower() for w in pos}

    def get(key: str, default: tuple[int, ...] | None) -> tuple[int, ...]:
        if key in opt:
            return _per_axis(_ints(key, opt[key], item), n, key, item)
        if default is None:
            raise InvalidArgument(f"layer {item!r} needs {key}=…")
        return _per_axis(default, n, key, item)

    if kind in ("relu", "tanh", "sigmoid", "lrn", "dropout", "bn"):
        return LayerInfo(item, kind, shape, 2 * c if kind == "bn" else 0, 0)
    if kind == "flatten":
        return LayerInfo(item, kind, (math.prod(shape),), 0, 0)
    if kind in ("fc", "linear"):
        if len(pos) < 1:
            raise InvalidArgument(f"layer {item!r} needs the number of outputs: 'fc OUT'")
        out = _count(pos[0], "the number of outputs", item)
        fan_in = math.prod(shape)
        bias = 0 if "nobias" in flags else out
        return LayerInfo(item, kind, (out,), fan_in * out + bias, fan_in * out)
    if n == 0:
        raise InvalidArgument(f"layer {item!r} needs spatial axes, but its input is {shape}")
    if kind in ("conv", "convt"):
        if len(pos) < 1:
            raise InvalidArgument(f"layer {item!r} needs the number of output channels")
        out = _count(pos[0], "the number of output channels", item)
        k = get("k", None)
        s = get("s", (1,))
        d = get("d", (1,))
        g = _count(opt.get("g", "1"), "g", item)
        if g < 1 or c % g or out % g:
            raise InvalidArgument(
                f"g={g} in layer {item!r} must divide both C_in={c} and C_out={out}"
            )
        bias = 0 if "nobias" in flags else out
        note = ""
        if kind == "conv":
            pad_text = opt.get("p", "0")
            if pad_text == "same":
                if any(v != 1 for v in s):
                    raise InvalidArgument(f"p=same in layer {item!r} requires stride 1")
                pads = same_padding(k, d)
                o = tuple(i + a + b - dd * (kk - 1) for i, (a, b), kk, dd
                          in zip(spatial, pads, k, d, strict=True))
            else:
                p = (0,) * n if pad_text == "valid" else get("p", (0,))
                o = conv_output_size(spatial, k, s, p, d)
                note = _leftover_note(spatial, k, s, p, d)
        else:
            p = get("p", (0,))
            o = conv_transpose_output_size(spatial, k, s, p, get("op", (0,)), d)
        if "table" in opt:
            table = _TABLES.get(opt["table"])
            if table is None or len(table) != out:
                raise InvalidArgument(
                    f"table={opt['table']!r} in layer {item!r} is not a known connection table "
                    f"for {out} outputs (known: {sorted(_TABLES)})"
                )
            fan = sum(table)
        else:
            fan = out * (c // g)
        taps = math.prod(k)
        params = fan * taps + bias
        spatial_in = spatial if kind == "convt" else o
        macs = math.prod(spatial_in) * fan * taps
        return LayerInfo(item, kind, (out, *o), params, macs, note)
    if kind in ("maxpool", "avgpool", "subsample"):
        k = get("k", None)
        s = get("s", k)
        p = get("p", (0,))
        d = get("d", (1,)) if kind == "maxpool" else (1,) * n
        o = pool_output_size(spatial, k, s, p, d, ceil_mode="ceil" in flags)
        params = 2 * c if kind == "subsample" else 0
        note = "" if "ceil" in flags else _leftover_note(spatial, k, s, p, d)
        return LayerInfo(item, kind, (c, *o), params, 0, note)
    raise InvalidArgument(f"unknown layer kind {kind!r} in {item!r}")
