"""Layer-by-layer shapes, parameters, MACs, connections and receptive fields of a network.

A network is written as a small text *spec*, one layer per ``;`` (or newline)::

    input 3x227x227; conv 96 k=11 s=4; maxpool k=3 s=2; conv 256 k=5 p=2 g=2; fc 1000

or as a list with one layer per item (``["input 3x32x32", "conv 8 k=3"]``).

Grammar (EBNF; spaces separate tokens, none may surround ``=``; kinds, options, flags and
labels are case-insensitive, size names are not)::

    spec    = { sep } , layer , { sep , { sep } , layer } , { sep } ;
    sep     = ";" | newline ;
    layer   = kind , [ number ] , { option | flag }
            | "input" , shape , { option }
            | branch , label ;
    branch  = "save" | "from" | "add" | "concat" ;
    label   = name ;
    shape   = size , { "x" , size } ;          (* also X or × between sizes *)
    size    = int | sizename ;
    sizename = letter , { letter | digit | "_" } ;  (* not containing x or X *)
    option  = name , "=" , value ;         (* no spaces around "=" *)
    flag    = name ;
    value   = number | name ;
    number  = int , { "x" , int } ;        (* per-axis values: 3x5 (also 3X5, 3×5) *)
    int     = digit , { digit } ;          (* ASCII digits; at most 2**62 *)
    kind    = name ;
    name    = letter , { letter | digit | "_" } ;

Empty layers (``;;``, a trailing ``;``) are skipped in a spec string; in the list form every
item must be exactly one layer. Every layer kind accepts only the options and flags of its
row below (defaults in brackets; a per-axis value is one int for every axis, or one per
spatial axis):

- ``input SHAPE [layout=chw]`` — the first layer and only there: the size of one example.
  ``layout`` names the axes of ``SHAPE`` in order: ``c`` (channels) and one letter per
  spatial axis (``l`` for 1-D, ``hw`` for 2-D, ``dhw`` for 3-D, any other distinct letters
  but ``n`` for more, at most 24). ``c`` comes first (``chw``, the default) or last
  (``hwc``, channels-last); a layout without ``c`` (``hw``, ``l``, ``dhw``) is a
  single-channel input. Spatial axes keep the order written. Without a layout, a shape that
  reads sensibly both ways is refused: one whose last number is 1–4 while the first is
  larger (``32x32x3``), and a two-number shape whose first number is larger than 4
  (``28x28``: 28 channels of a 1-D signal, or an image?). The input row's shape is always
  ``C×spatial``; with a layout its note says how it was read. A spatial size may be a
  *name* (``input 3xHxW``, ``input 3xSxS`` for a square input): :func:`network_shapes`
  refuses it, :func:`convmath.symbolic.shapes.symbolic_network_shapes` computes every size
  as a formula in those names (the channel count must be a number);
- ``conv OUT k= [s=1] [p=0|same|valid] [d=1] [g=1] [nobias] [exact] [table=lenet5]``;
- ``convT OUT k= [s=1] [p=0] [op=0] [d=1] [g=1] [nobias]`` — transposed convolution;
- ``maxpool k= [s=k] [p=0] [d=1] [ceil] [exact]``, ``avgpool k= [s=k] [p=0] [ceil] [exact]``;
- ``subsample k= [s=k] [exact]`` — LeNet-style pooling with a trainable coefficient and
  bias per channel;
- ``gap`` — global average pooling: every spatial size becomes 1 (PyTorch's
  ``AdaptiveAvgPool(1)``; a window as large as its input);
- ``fc OUT [nobias]`` (also ``linear``) — fully connected (flattens its input), ``flatten``;
- ``rbf OUT`` — LeNet-5's Euclidean RBF output: ``OUT`` units, each ``Σ (x − w)²`` over all
  inputs; its weights are fixed (hand-chosen class codes), so it has connections and MACs
  but no trainable parameters;
- ``relu``, ``tanh``, ``sigmoid``, ``lrn``, ``dropout``, ``bn`` — shape-preserving, no
  options; only ``bn`` has parameters (2 per channel);
- ``save NAME`` keeps the current tensor under ``NAME`` (a later ``save`` of the same name
  replaces it); ``from NAME`` makes the tensor saved as ``NAME`` current again, to start a
  second branch; ``add NAME`` adds the tensor saved as ``NAME`` to the current one (a
  residual connection: the shapes must agree), ``concat NAME`` joins them along the
  channels (the spatial sizes must agree), ``NAME`` first. A ResNet block with a projection
  shortcut: ``save x; conv 128 k=3 s=2 p=1 nobias; bn; relu; conv 128 k=3 p=1 nobias; bn;
  save y; from x; conv 128 k=1 s=2 nobias; bn; add y; relu``.

The flag ``exact`` asks for exact division: a layer whose windows would leave trailing
input rows unread (``(i + 2p − d(k−1) − 1)/s`` not a whole number) is an error that names
the input sizes and paddings that fit, instead of a note. Long option names are synonyms:
``kernel_size=`` (``k``), ``stride=`` (``s``), ``padding=`` (``p``), ``dilation=`` (``d``),
``groups=`` (``g``), ``output_padding=`` (``op``), and the flag ``ceil_mode`` (``ceil``);
giving one option twice, under either name, is an error. ``table=lenet5`` is the connection
table of LeNet-5's C3 (16 outputs, each reading 3, 4 or all 6 of a 6-channel input; needs
``g=1``). Anything else — an unknown or misplaced option, a repeated option, a stray word or
number, an empty value, a size over 2**62, an unknown label — raises
:class:`~convmath.errors.InvalidArgument` naming the layer (its index, 0 for the input, and
its text) and the offending token, with a suggestion for a near-miss.

Counting conventions, per example (one input; ``∏o`` output positions, ``∏k`` kernel taps):

- parameters (trainable): ``C_out·(C_in/g)·∏k (+ C_out)`` for conv and convT,
  ``fan_in·OUT (+ OUT)`` for fc, 2 per channel for ``bn`` and ``subsample``;
- MACs: ``∏o·C_out·(C_in/g)·∏k`` for conv (``∏i·C_in·(C_out/g)·∏k`` for convT: every input
  meets every tap), ``fan_in·OUT`` for fc and rbf. Pooling, activations, normalisation,
  bias additions and residual additions are not MACs;
- FLOPs: ``2·MACs`` (a multiply and an add), the convention printed by default
  (``flops("2mac")``); ``flops("2mac+bias")`` adds one addition per output of a layer with
  a bias (:attr:`LayerInfo.bias_adds`);
- connections (LeCun et al. 1998): the sum over the layer's outputs of the inputs each reads,
  plus one for its bias — a bias is a connection from a constant unit. For conv that is
  ``∏o·C_out·((C_in/g)·∏k + 1)``, for fc ``OUT·(fan_in + 1)``, for pooling ``∏o·C·∏k``
  (``+1`` for ``subsample``'s bias), ``C·∏i`` for ``gap``. Parameters count the shared
  weights once; connections count every use: AlexNet's conv1 has 34,944 parameters but
  290,400 outputs × 364 connections (11·11·3 + 1) = 105,705,600 connections. Elementwise
  layers (activations, ``bn``, ``lrn``, ``dropout``) and merges count none. Like MACs, a
  tap reading the zero padding (conv) or writing into the cropped border (convT) counts.
  LeNet-5's published 340,908 is this count over C1…F6 plus the 840 of its RBF output layer.

Receptive fields (Araujo, Norris & Sim, Distill 2019), per spatial axis, from the input
(``r = 1``, ``j = 1``, ``start = 0``): a layer with kernel ``k``, stride ``s``, padding ``p``
(the leading padding) and dilation ``d`` gives ``j_l = j_{l−1}·s``,
``r_l = r_{l−1} + d(k − 1)·j_{l−1}``, ``start_l = start_{l−1} − p·j_{l−1}``. ``r`` is the
*span* of the input positions that output 0 depends on (a dilated field has holes), ``j``
the distance in input positions between neighbouring outputs, ``start`` the input index of
the first position of output 0's field (negative: in the padding), and the field's centre
is ``start + (r − 1)/2``. Pooling layers count like conv; ``gap`` is a window as large as
its input; shape-preserving layers, ``save`` and ``flatten`` keep the field; ``add`` and
``concat`` take the union of their branches' fields (the smallest start and the largest
end; undefined if the branches' jumps differ). ``fc`` and ``rbf`` see the whole input:
their field is ``"all"``. A transposed convolution with stride 1 is a convolution with
padding ``d(k − 1) − p``; with a larger stride the outputs' fields differ with the output
position modulo ``s`` (the jump would be the fraction ``j/s``), so the field is reported as
undefined (``None``) from there on.

>>> net = network_shapes("input 1x32x32; conv 6 k=5; subsample k=2; conv 16 k=5 table=lenet5")
>>> [layer.params for layer in net.layers]
[0, 156, 12, 1516]
>>> [layer.connections for layer in net.layers]
[0, 122304, 5880, 151600]
>>> net.layers[-1].shape, net.layers[-1].receptive_field, net.layers[-1].jump
((16, 10, 10), (14, 14), (2, 2))
>>> network_shapes("input 32x32x3 layout=hwc; conv 12 k=3 p=1").layers[1].shape
(12, 32, 32)
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal, NamedTuple

from convmath.errors import InvalidArgument
from convmath.numeric._shapes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
    same_padding,
)
from convmath.numeric._validate import MAX_PARAM

__all__ = [
    "FLOP_CONVENTIONS", "PRESETS", "LayerInfo", "NetworkInfo", "explain_layer", "network_shapes",
]

# LeNet-5's C3 (LeCun et al. 1998, table I): which of S2's 6 maps each of the 16 C3 maps
# reads — 6 read 3 neighbouring maps, 9 read 4 (6 neighbouring, 3 non-neighbouring), one
# reads all 6.
_TABLES: dict[str, tuple[tuple[int, ...], ...]] = {
    "lenet5": (
        (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1),
        (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 0), (4, 5, 0, 1), (5, 0, 1, 2),
        (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
        (0, 1, 2, 3, 4, 5),
    ),
}


def _resnet18() -> str:
    """torchvision's resnet18: BasicBlocks, 1×1/2 projection shortcuts in stages 2–4."""
    layers = ["input 3x224x224", "conv 64 k=7 s=2 p=3 nobias", "bn", "relu",
              "maxpool k=3 s=2 p=1"]
    block = 0
    for stage, width in enumerate((64, 128, 256, 512)):
        for first in (True, False):
            block += 1
            down = first and stage > 0
            x, y = f"x{block}", f"y{block}"
            layers += [f"save {x}", f"conv {width} k=3{' s=2' if down else ''} p=1 nobias",
                       "bn", "relu", f"conv {width} k=3 p=1 nobias", "bn"]
            if down:
                layers += [f"save {y}", f"from {x}", f"conv {width} k=1 s=2 nobias", "bn",
                           f"add {y}"]
            else:
                layers.append(f"add {x}")
            layers.append("relu")
    return "; ".join([*layers, "gap", "fc 1000"])


PRESETS: dict[str, str] = {
    "lenet5": (
        "input 1x32x32; conv 6 k=5; tanh; subsample k=2; conv 16 k=5 table=lenet5; tanh; "
        "subsample k=2; conv 120 k=5; tanh; fc 84; tanh; rbf 10"
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
    "resnet18": _resnet18(),
    "cifar10": "input 3x32x32; conv 12 k=3 p=1; relu; maxpool k=2; fc 10",
}

#: FLOP conventions: ``"2mac"`` (2·MACs) and ``"2mac+bias"`` (plus one addition per output of
#: a layer with a bias).
FLOP_CONVENTIONS = ("2mac", "2mac+bias")

Field = tuple[int, ...] | Literal["all"] | None


def _check_flops(convention: str) -> None:
    if convention not in FLOP_CONVENTIONS:
        raise InvalidArgument(
            f"convention={convention!r} must be one of {', '.join(FLOP_CONVENTIONS)}"
        )


@dataclass(frozen=True)
class LayerInfo:
    """One layer: its spec text, output shape ``(C, *spatial)``, trainable parameters, MACs,
    connections and receptive field (see the module docstring for the conventions).

    ``receptive_field``, ``jump`` and ``start`` have one value per spatial axis of the
    network's input; ``receptive_field`` is ``"all"`` once an fc layer has seen the whole
    input (``jump``, ``start`` then None), and None where it is undefined (after a strided
    transposed convolution, or a merge of branches with different jumps)."""

    spec: str
    kind: str
    shape: tuple[int, ...]
    params: int
    macs: int
    note: str = ""
    connections: int = 0
    bias_adds: int = 0
    receptive_field: Field = None
    jump: tuple[int, ...] | None = None
    start: tuple[int, ...] | None = None

    @property
    def centre(self) -> tuple[Fraction, ...] | None:
        """The centre of output 0's field per axis, ``start + (r − 1)/2`` (None if no field)."""
        if not isinstance(self.receptive_field, tuple) or self.start is None:
            return None
        return tuple(Fraction(2 * s + r - 1, 2)
                     for s, r in zip(self.start, self.receptive_field, strict=True))

    def flops(self, convention: str = "2mac") -> int:
        """FLOPs: ``2·MACs`` (``"2mac"``), or that plus the bias additions (``"2mac+bias"``)."""
        _check_flops(convention)
        return 2 * self.macs + (self.bias_adds if convention == "2mac+bias" else 0)


@dataclass(frozen=True)
class NetworkInfo:
    """Every layer of a network, with totals."""

    layers: tuple[LayerInfo, ...]

    @property
    def params(self) -> int:
        """Total trainable parameter count."""
        return sum(layer.params for layer in self.layers)

    @property
    def macs(self) -> int:
        """Total multiply-accumulates for one example."""
        return sum(layer.macs for layer in self.layers)

    @property
    def connections(self) -> int:
        """Total connections (LeCun's count: inputs read per output, plus one per bias)."""
        return sum(layer.connections for layer in self.layers)

    def flops(self, convention: str = "2mac") -> int:
        """Total FLOPs under ``convention`` (``"2mac"`` or ``"2mac+bias"``)."""
        return sum(layer.flops(convention) for layer in self.layers)

    def table(self, fmt: str = "text", flops: str = "2mac") -> str:
        """The table in ``fmt``: ``"text"`` (aligned columns), ``"markdown"`` (a GitHub
        table), ``"csv"`` or ``"json"`` (every field); ``flops`` picks the FLOP convention
        of the text's last line (JSON holds both)."""
        _check_flops(flops)
        if fmt == "json":
            return self._json(flops)
        if fmt not in ("text", "markdown", "csv"):
            raise InvalidArgument(f"fmt={fmt!r} must be one of text, markdown, csv, json")
        header = ["layer", "output", "params", "MACs", "connections", "RF", "jump", "start",
                  "note"]
        rows = [[x.spec, _axes_text(x.shape), f"{x.params:,}", f"{x.macs:,}",
                 f"{x.connections:,}", _field_text(x.receptive_field), _axes_text(x.jump),
                 _axes_text(x.start), x.note] for x in self.layers]
        total = ["total", "", f"{self.params:,}", f"{self.macs:,}", f"{self.connections:,}",
                 "", "", "", ""]
        footer = self._flops_line(flops)
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(header)
            for row in [*rows, total]:
                writer.writerow([cell.replace(",", "") if 2 <= i <= 4 else cell
                                 for i, cell in enumerate(row)])
            return buffer.getvalue().rstrip("\n")
        if fmt == "markdown":
            def md(cells: list[str]) -> str:
                return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"
            lines = [md(header), "|" + "|".join(
                ["---", "---", "---:", "---:", "---:", "---", "---", "---", "---"]) + "|"]
            lines += [md(r) for r in [*rows, total]]
            return "\n".join([*lines, "", footer])
        return _text_table(header, rows, total, right=(2, 3, 4)) + "\n" + footer

    def _flops_line(self, convention: str) -> str:
        if convention == "2mac":
            return (f"FLOPs = 2·MACs = {self.flops('2mac'):,} (bias additions not counted; "
                    "MACs exclude pooling and activations)")
        return (f"FLOPs = 2·MACs + bias additions = {self.flops('2mac+bias'):,} "
                f"(2·MACs alone: {self.flops('2mac'):,})")

    def _json(self, convention: str) -> str:
        def field_json(value: Field) -> Any:
            return list(value) if isinstance(value, tuple) else value

        layers = []
        for x in self.layers:
            centre = x.centre
            layers.append({
                "layer": x.spec, "kind": x.kind, "shape": list(x.shape), "params": x.params,
                "macs": x.macs, "bias_adds": x.bias_adds,
                "flops": {c: x.flops(c) for c in FLOP_CONVENTIONS},
                "connections": x.connections,
                "receptive_field": field_json(x.receptive_field),
                "jump": field_json(x.jump), "start": field_json(x.start),
                "centre": None if centre is None else [
                    int(c) if c.denominator == 1 else float(c) for c in centre],
                "note": x.note,
            })
        return json.dumps({
            "layers": layers, "params": self.params, "macs": self.macs,
            "connections": self.connections,
            "flops": {c: self.flops(c) for c in FLOP_CONVENTIONS},
            "flops_convention": convention,
        }, indent=1, ensure_ascii=False)


def _axes_text(values: Sequence[int] | None) -> str:
    if values is None:
        return "—"
    return "×".join(str(v) for v in values)


def _field_text(value: Field) -> str:
    return value if isinstance(value, str) else _axes_text(value)


def _text_table(header: list[str], rows: list[list[str]], total: list[str] | None,
                right: tuple[int, ...]) -> str:
    """Aligned columns (the last column, the note, is not padded), rules around the body."""
    body = [header, *rows, *([total] if total else [])]
    n = len(header) - 1
    widths = [max(len(r[i]) for r in body) for i in range(n)]
    rule = "  ".join("-" * w for w in widths)
    lines = []
    for r in body:
        cells = [r[i].rjust(widths[i]) if i in right else r[i].ljust(widths[i])
                 for i in range(n)]
        lines.append(("  ".join(cells) + (f"  {r[n]}" if r[n] else "")).rstrip())
    lines.insert(1, rule)
    if total:
        lines.insert(-1, rule)
    return "\n".join(lines)


# --- the grammar: tokens ---------------------------------------------------------------

_TOKEN = re.compile(
    r"""
      (?P<sep>[;\n\r])
    | (?P<space>[^\S\n\r]+)
    | (?P<option>[A-Za-z_][A-Za-z0-9_]*=[^\s;]*)
    | (?P<number>[0-9]+(?:[xX×][0-9]+)*)(?![^\s;])
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)(?![^\s;])
    | (?P<junk>[^\s;]+)
    """,
    re.VERBOSE,
)
_NUMBER = re.compile(r"[0-9]+(?:[xX×][0-9]+)*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# an input shape whose sizes may be names (``3xHxW``): names start with a letter and hold no x
_SIZE_NAME = r"[A-WYZa-wyz][A-WYZa-wyz0-9_]*"
_SYMBOLIC_SHAPE = re.compile(
    rf"(?:[0-9]+|{_SIZE_NAME})(?:[xX×](?:[0-9]+|{_SIZE_NAME}))+"
)
_MAX_DIGITS = len(str(MAX_PARAM))


class _Token(NamedTuple):
    kind: str  # "sep", "option", "number", "name" or "junk"
    text: str


def _tokens(text: str) -> list[_Token]:
    """Split ``text`` into tokens (whitespace dropped); every character lands in one."""
    return [
        _Token(m.lastgroup or "junk", m.group())
        for m in _TOKEN.finditer(text)
        if m.lastgroup != "space"
    ]


def _show(text: str, limit: int = 60) -> str:
    """``repr(text)``, shortened if long (a token of thousands of digits stays readable)."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[: limit - 20]!r}…{text[-8:]!r} ({len(text):,} characters)"


# --- the grammar: what each layer kind accepts -----------------------------------------

# option spellings → canonical key; flag spellings → canonical flag
_OPTION_NAMES = {
    "k": "k", "kernel_size": "k", "s": "s", "stride": "s", "p": "p", "padding": "p",
    "d": "d", "dilation": "d", "g": "g", "groups": "g", "op": "op", "output_padding": "op",
    "table": "table", "layout": "layout",
}
_FLAG_NAMES = {"ceil": "ceil", "ceil_mode": "ceil", "nobias": "nobias", "exact": "exact"}
_WHAT = {
    "k": "kernel size", "s": "stride", "p": "padding", "d": "dilation", "g": "groups",
    "op": "output padding", "table": "connection table", "layout": "axis order",
    "ceil": "ceil mode", "nobias": "no bias", "exact": "exact division",
}


_BRANCH_KINDS = ("save", "from", "add", "concat")


@dataclass(frozen=True)
class _Kind:
    name: str  # canonical kind, as LayerInfo.kind
    count: str | None  # what the leading number is ("SHAPE", "OUT", a label "NAME")
    options: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    required: tuple[str, ...] = ()


_KINDS: dict[str, _Kind] = {
    k.name: k
    for k in (
        _Kind("input", "SHAPE", ("layout",)),
        _Kind("conv", "OUT", ("k", "s", "p", "d", "g", "table"), ("nobias", "exact"),
              ("k",)),
        _Kind("convt", "OUT", ("k", "s", "p", "op", "d", "g"), ("nobias",), ("k",)),
        _Kind("maxpool", None, ("k", "s", "p", "d"), ("ceil", "exact"), ("k",)),
        _Kind("avgpool", None, ("k", "s", "p"), ("ceil", "exact"), ("k",)),
        _Kind("subsample", None, ("k", "s"), ("exact",), ("k",)),
        _Kind("gap", None),
        _Kind("fc", "OUT", (), ("nobias",)),
        _Kind("rbf", "OUT"),
        *(_Kind(name, None) for name in
          ("flatten", "relu", "tanh", "sigmoid", "lrn", "dropout", "bn")),
        *(_Kind(name, "NAME") for name in _BRANCH_KINDS),
    )
}
_KIND_ALIASES = {"in": "input", "linear": "fc"}
_KIND_SPELLING = {"convt": "convT"}


def _synonyms(key: str, table: dict[str, str]) -> list[str]:
    return [spelled for spelled, canon in table.items() if canon == key]


def _accepts(kind: _Kind) -> str:
    """``"k=, s=, p=, ceil"``: what ``kind`` accepts, for error messages."""
    words = [f"{o}=" for o in kind.options] + list(kind.flags)
    spelled = _KIND_SPELLING.get(kind.name, kind.name)
    return f"{spelled} accepts " + (", ".join(words) if words else "no options")


def _suggest(word: str, choices: dict[str, str], suffix: str = "") -> str:
    """`` (did you mean 'ceil' (or 'ceil_mode')?)`` for a near-miss of a spelling in
    ``choices`` (spelling → canonical), else ``""``."""
    if len(word) > 40:
        return ""
    import difflib  # only when there is an error to explain

    match = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    if not match:
        return ""
    canon = choices[match[0]]
    names = [canon, *(s for s in _synonyms(canon, choices) if s != canon)]
    first, rest = names[0] + suffix, [n + suffix for n in names[1:]]
    also = f" (or {', '.join(repr(n) for n in rest)})" if rest else ""
    return f" (did you mean {first!r}{also}?)"


# --- the grammar: parser ------------------------------------------------------------------


@dataclass
class _Layer:
    """One parsed layer: kind, leading number, options (canonical key → spelled key, value
    text) and flags, all checked against the kind's row of the table."""

    index: int
    text: str
    kind: _Kind
    count: str | None = None
    options: dict[str, tuple[str, str]] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    def error(self, message: str) -> InvalidArgument:
        """An InvalidArgument naming this layer (index and text)."""
        return _layer_error(self.index, self.text, message)

    def has(self, key: str) -> bool:
        """Whether option ``key`` (canonical) was given."""
        return key in self.options

    def spelled(self, key: str) -> str:
        """How the user wrote option ``key``, e.g. ``'stride=2'``."""
        name, value = self.options[key]
        return f"{name}={value}"


def _layer_error(index: int, text: str, message: str) -> InvalidArgument:
    """``layer 3 ('conv 8 k=3 op=1'): message``."""
    return InvalidArgument(f"layer {index} ({_show(text)}): {message}")


def _parse_layer(index: int, tokens: Sequence[_Token]) -> _Layer:
    """``layer = kind , [ number ] , { option | flag }``, checked against the kind table."""
    text = " ".join(t.text for t in tokens)
    first = tokens[0]
    if first.kind != "name":
        hint = ""
        if first.kind == "option":
            hint = " (an option must follow a layer kind)"
        raise _layer_error(
            index, text,
            f"a layer starts with its kind ({', '.join(_kind_names())}), got {_show(first.text)}"
            + hint,
        )
    word = first.text.lower()
    word = _KIND_ALIASES.get(word, word)
    kind = _KINDS.get(word)
    if kind is None:
        choices = {n.lower(): n for n in [*_kind_names(), *_KIND_ALIASES]}
        raise _layer_error(
            index, text,
            f"unknown layer kind {_show(first.text)}{_suggest(first.text, choices)}; "
            f"known kinds: {', '.join(_kind_names())}",
        )
    layer = _Layer(index, text, kind)
    spelled_kind = _KIND_SPELLING.get(kind.name, kind.name)
    rest = list(tokens[1:])
    if rest and kind.count == "NAME":
        if rest[0].kind == "name":
            layer.count = rest.pop(0).text
        else:
            raise layer.error(
                f"{spelled_kind} takes a label (a name such as x1: letters, digits, '_'), "
                f"got {_show(rest[0].text)}"
            )
    elif rest and rest[0].kind == "number" and kind.count is not None:
        layer.count = rest.pop(0).text
    elif (rest and kind.name == "input" and rest[0].kind in ("name", "junk")
          and _SYMBOLIC_SHAPE.fullmatch(rest[0].text)):
        layer.count = rest.pop(0).text  # sizes given as names: checked by _input_sizes
    for j, tok in enumerate(rest):
        if tok.kind == "number":
            if kind.count in (None, "NAME"):
                raise layer.error(f"unexpected number {_show(tok.text)}: {_accepts(kind)}")
            if layer.count is None:
                raise layer.error(
                    f"{_show(tok.text)}: the {kind.count} number must come right after "
                    f"{spelled_kind!r} ('{spelled_kind} {kind.count} …')"
                )
            raise layer.error(
                f"unexpected extra number {_show(tok.text)}: {spelled_kind} takes one "
                f"number ({kind.count}), already given as {_show(layer.count)}"
            )
        if tok.kind == "junk":
            hint = ""
            if tok.text.startswith("="):
                hint = " (write options as name=value, without spaces around '=')"
            elif re.match(r"[-+]?[0-9.,()\[\]]", tok.text):
                hint = (" (sizes are positive ints in ASCII digits, one value per axis "
                        "joined by 'x', e.g. 3x5)")
            raise layer.error(f"unexpected {_show(tok.text)}{hint}")
        if tok.kind == "name":
            _parse_flag(layer, tok, rest[j + 1] if j + 1 < len(rest) else None)
        elif tok.kind == "option":
            _parse_option(layer, tok)
    if kind.count is not None and layer.count is None:
        what = {"OUT": " (the number of outputs)",
                "NAME": " (a label: the name a tensor is saved under)"}.get(kind.count, "")
        raise layer.error(f"needs its {kind.count}: '{spelled_kind} {kind.count} …'{what}")
    for key in kind.required:
        if key not in layer.options:
            raise layer.error(f"needs {key}=… (the {_WHAT[key]})")
    return layer


def _kind_names() -> list[str]:
    return [_KIND_SPELLING.get(k, k) for k in _KINDS]


def _other_kinds(key: str, attr: str) -> str:
    owners = [_KIND_SPELLING.get(k.name, k.name) for k in _KINDS.values()
              if key in getattr(k, attr)]
    return ", ".join(owners)


def _parse_flag(layer: _Layer, tok: _Token, following: _Token | None) -> None:
    kind = layer.kind
    word = tok.text.lower()
    if word in _FLAG_NAMES:
        flag = _FLAG_NAMES[word]
        if flag not in kind.flags:
            raise layer.error(
                f"the flag {_show(tok.text)} does not apply to "
                f"{_KIND_SPELLING.get(kind.name, kind.name)} (it is a flag of "
                f"{_other_kinds(flag, 'flags')}); {_accepts(kind)}"
            )
        if flag in layer.flags:
            raise layer.error(f"the flag {_show(tok.text)} is given twice")
        layer.flags.add(flag)
        return
    if word in _OPTION_NAMES:
        hint = ""
        if following is not None and following.text.startswith("="):
            hint = " without spaces around '='"
        raise layer.error(f"the option {_show(tok.text)} needs a value: write "
                          f"{word}=…{hint}")
    choices = {s: c for s, c in _FLAG_NAMES.items() if c in kind.flags}
    suggestion = _suggest(word, choices)
    if not suggestion:
        options = {s: c for s, c in _OPTION_NAMES.items() if c in kind.options}
        suggestion = _suggest(word, options, "=…")
    if not suggestion and kind.name == "input" and len(word) <= 8 and "c" in word:
        suggestion = f" (did you mean 'layout={word}'?)"
    if not suggestion and _KIND_ALIASES.get(word, word) in _KINDS:
        suggestion = " (a new layer? separate layers with ';')"
    raise layer.error(f"unknown flag or word {_show(tok.text)}{suggestion}; {_accepts(kind)}")


def _parse_option(layer: _Layer, tok: _Token) -> None:
    kind = layer.kind
    name, value = tok.text.split("=", 1)
    key = _OPTION_NAMES.get(name.lower())
    spelled_kind = _KIND_SPELLING.get(kind.name, kind.name)
    if key is None:
        if name.lower() in _FLAG_NAMES:
            flag = _FLAG_NAMES[name.lower()]
            if flag in kind.flags:
                raise layer.error(
                    f"{_show(tok.text)}: {name} is a flag and takes no value; write just "
                    f"{name!r}"
                )
            raise layer.error(
                f"{_show(tok.text)}: the flag {name!r} does not apply to {spelled_kind} (it "
                f"is a flag of {_other_kinds(flag, 'flags')}, and takes no value); "
                f"{_accepts(kind)}"
            )
        choices = {s: c for s, c in _OPTION_NAMES.items() if c in kind.options}
        suggestion = _suggest(name, choices, "=")
        raise layer.error(
            f"unknown option {_show(name + '=')} in {_show(tok.text)}{suggestion}; "
            f"{_accepts(kind)}"
        )
    if key not in kind.options:
        raise layer.error(
            f"the option {_show(name + '=')} ({_show(tok.text)}) does not apply to "
            f"{spelled_kind} (it is an option of {_other_kinds(key, 'options')}); "
            f"{_accepts(kind)}"
        )
    if key in layer.options:
        raise layer.error(
            f"{_show(tok.text)} repeats the {_WHAT[key]} already given as "
            f"{_show(layer.spelled(key))}"
        )
    if not value:
        raise layer.error(f"{_show(tok.text)} has an empty value")
    layer.options[key] = (name, value)


def _parse_spec(spec: str | Sequence[str]) -> list[_Layer]:
    """The layers of ``spec`` (a spec string or a list of layer strings), parsed."""
    layers: list[_Layer] = []
    if isinstance(spec, str):
        current: list[_Token] = []
        for tok in [*_tokens(spec), _Token("sep", ";")]:
            if tok.kind != "sep":
                current.append(tok)
            elif current:
                layers.append(_parse_layer(len(layers), current))
                current = []
        return layers
    for i, item in enumerate(spec):
        if not isinstance(item, str):
            raise InvalidArgument(
                f"spec[{i}] must be a str (one layer), got {type(item).__name__} "
                f"{_show(reprlib.repr(item))}"
            )
        tokens = _tokens(item)
        if any(t.kind == "sep" for t in tokens):
            raise InvalidArgument(
                f"spec[{i}]={_show(item)} holds more than one layer (';' or a newline); in "
                "the list form each item is one layer"
            )
        if not tokens:
            raise InvalidArgument(f"spec[{i}]={_show(item)} is empty; each item is one layer")
        layers.append(_parse_layer(i, tokens))
    return layers


# --- values ---------------------------------------------------------------------------------



def _ints(layer: _Layer, what: str, text: str, min_value: int) -> tuple[int, ...]:
    """``text`` (``3`` or ``3x5``) as ints in ``[min_value, 2**62]``; ``what`` names it."""
    label = _show(what) if "=" in what else what
    if not _NUMBER.fullmatch(text):
        raise layer.error(
            f"{label} must be an int or per-axis ints like 3x5 (ASCII digits, no "
            f"sign), got {_show(text)}"
        )
    values = []
    for part in re.split("[xX×]", text):
        digits = part.lstrip("0") or "0"
        if len(digits) > _MAX_DIGITS or int(digits) > MAX_PARAM:
            raise layer.error(
                f"{label}: {_show(part)} is too large to be a size (at most "
                f"2**62 = {MAX_PARAM:,})"
            )
        value = int(digits)
        if value < min_value:
            raise layer.error(f"{label} must be >= {min_value}, got {_show(part)}")
        values.append(value)
    return tuple(values)


def _count(layer: _Layer, what: str, text: str) -> int:
    """A single positive int (a channel count or a group count)."""
    values = _ints(layer, what, text, 1)
    if len(values) != 1:
        raise layer.error(f"{what} must be a single positive int, got {_show(text)}")
    return values[0]


def _per_axis(layer: _Layer, key: str, n: int, default: tuple[int, ...] | None,
              min_value: int) -> tuple[int, ...]:
    """Option ``key`` as one int per spatial axis (``default`` if absent)."""
    if key not in layer.options:
        assert default is not None  # required options were checked by the parser
        return default * n if len(default) == 1 else default
    text = layer.spelled(key)
    values = _ints(layer, text, layer.options[key][1], min_value)
    if len(values) == 1:
        return values * n
    if len(values) != n:
        raise layer.error(
            f"{_show(text)} needs 1 or {n} values (one per spatial axis), got {len(values)}"
        )
    return values


# --- the input layer and its layout -------------------------------------------------------

_SPATIAL_LETTERS = {1: "l", 2: "hw", 3: "dhw"}
# letters for 4+ spatial axes: any but c (channels) and n (a batch, which an input lacks)
_SPARE_LETTERS = "abdefghijklmopqrstuvwxyz"
_WHAT_IS = {1: "a {}-sample 1-D signal", 2: "a {} image", 3: "a {} volume"}


def _letters(n: int) -> str:
    return _SPATIAL_LETTERS.get(n) or _SPARE_LETTERS[:n]


def _thing(spatial: Sequence[int | str]) -> str:
    dims = "×".join(map(str, spatial))
    return _WHAT_IS.get(len(spatial), "a {} " + f"{len(spatial)}-D array").format(dims)


def _magnitude(value: int | str) -> float:
    """A size for the ambiguity rule: a size given as a name counts as large."""
    return math.inf if isinstance(value, str) else value


def _ambiguity(values: tuple[int | str, ...]) -> str:
    """Why an input shape without a layout is ambiguous ("" if it is not)."""
    m = len(values)
    last = _magnitude(values[-1])
    last_small = last <= 4 and _magnitude(values[0]) > last
    if m < 2 or not (last_small or (m == 2 and _magnitude(values[0]) > 4)):
        return ""
    spatial = _letters(m - 1)
    first = "C×" + "×".join(spatial.upper())
    readings = [
        f"read as {first} it is {values[0]} channels of "
        + (_thing(values[1:]) if m == 2 else "×".join(map(str, values[1:]))),
    ]
    layouts = ["c" + spatial]
    if m == 2:
        readings.append(f"read as H×W it is a {values[0]}×{values[1]} single-channel image")
        layouts.append("hw")
    if last_small:
        readings.append(
            f"read as {'×'.join(spatial.upper())}×C it is {_thing(values[:-1])} with "
            f"{values[-1]} channel{'s' if last > 1 else ''}"
        )
        layouts.append(spatial + "c")
    choices = " or ".join(f"layout={lay}" for lay in layouts)
    return "; ".join(readings) + f": add {choices}"


def _input_sizes(layer: _Layer) -> tuple[int | str, ...]:
    """The numbers and names of the input shape, in the order written."""
    assert layer.count is not None
    if _NUMBER.fullmatch(layer.count):
        return _ints(layer, "the input shape", layer.count, 1)
    values: list[int | str] = []
    for part in re.split("[xX×]", layer.count):
        if _NAME.fullmatch(part):
            values.append(part)
        else:
            values.extend(_ints(layer, "the input shape", part, 1))
    return tuple(values)


def _input_shape(layer: _Layer) -> tuple[tuple[int | str, ...], str]:
    """The input as ``(C, *spatial)`` (a spatial size may be a name) and the note that says
    how it was read."""
    assert layer.count is not None
    values = _input_sizes(layer)
    if len(values) > len(_SPARE_LETTERS) + 1:
        raise layer.error(
            f"the input shape {_show(layer.count)} has {len(values) - 1} spatial axes; at "
            f"most {len(_SPARE_LETTERS)} are supported (one layout letter each)"
        )
    if "layout" not in layer.options:
        why = _ambiguity(values)
        if why:
            raise layer.error(f"the input shape {_show(layer.count)} is ambiguous: {why}")
        _numeric_channels(layer, values[0], "")
        return values, ""
    text = layer.spelled("layout")
    layout = layer.options["layout"][1].lower()
    if not _NAME.fullmatch(layout) or not layout.isalpha():
        raise layer.error(f"{_show(text)} must be axis letters such as chw, hwc or hw")
    if "n" in layout:
        raise layer.error(
            f"{_show(text)}: the input is one example, without a batch axis n (drop 'n')"
        )
    repeated = sorted({ch for ch in layout if layout.count(ch) > 1})
    if repeated:
        raise layer.error(f"{_show(text)} names axis {repeated[0]!r} more than once")
    if "c" in layout[1:-1]:
        raise layer.error(
            f"{_show(text)}: c must come first (channels first, e.g. chw) or last "
            "(channels last, e.g. hwc)"
        )
    if len(layout) != len(values):
        raise layer.error(
            f"{_show(text)} names {len(layout)} axes but the shape {_show(layer.count)} has "
            f"{len(values)} values"
        )
    channels: int | str
    if "c" not in layout:
        channels, spatial, letters = 1, values, layout
    elif layout[0] == "c":
        channels, spatial, letters = values[0], values[1:], layout[1:]
    else:
        channels, spatial, letters = values[-1], values[:-1], layout[:-1]
    _numeric_channels(layer, channels, text)
    shape = (channels, *spatial)
    read_as = "×".join(["C", *letters.upper()])
    if "c" not in layout:
        source = f"a single-channel {'×'.join(layout.upper())} input, C=1, "
    elif layout[0] != "c":
        source = f"from {'×'.join(layout.upper())}, "
    else:
        source = ""
    return shape, f"read as {read_as} ({source}layout={layout})"


# --- shapes, parameters, MACs ------------------------------------------------------------



def _numeric_channels(layer: _Layer, channels: int | str, layout: str) -> None:
    if isinstance(channels, str):
        hint = ("; for a channels-last shape add layout=hwc (or lc, dhwc)" if not layout
                else "")
        raise layer.error(
            f"the channel count {_show(channels)} of {_show(layer.count or '')} must be a "
            f"number: only spatial sizes may be names{hint}"
        )


# --- receptive fields (generic over the number type: ints here, SymPy in the symbolic layer)


@dataclass(frozen=True)
class _RF:
    """Receptive-field state per spatial axis of the input: span, jump, start."""

    r: tuple[Any, ...]
    j: tuple[Any, ...]
    start: tuple[Any, ...]


_FieldState = _RF | Literal["all"] | None


def _rf_input(n: int) -> _RF:
    return _RF((1,) * n, (1,) * n, (0,) * n)


def _rf_window(rf: _FieldState, k: Sequence[Any], s: Sequence[Any], before: Sequence[Any],
               d: Sequence[Any]) -> _FieldState:
    """One window layer (kernel k, stride s, leading padding ``before``, dilation d):
    ``r + d(k−1)·j``, ``j·s``, ``start − p·j``."""
    if not isinstance(rf, _RF):
        return rf
    return _RF(
        tuple(r + dd * (kk - 1) * j for r, j, kk, dd in zip(rf.r, rf.j, k, d, strict=True)),
        tuple(j * ss for j, ss in zip(rf.j, s, strict=True)),
        tuple(st - pp * j for st, j, pp in zip(rf.start, rf.j, before, strict=True)),
    )


def _rf_union(a: _FieldState, b: _FieldState, low: Any = min, high: Any = max) -> _FieldState:
    """The field of a merge: from the smaller start to the larger end (None if either is
    undefined or the jumps differ, "all" if either is)."""
    if a is None or b is None:
        return None
    if a == "all" or b == "all":
        return "all"
    if a.j != b.j:
        return None
    start = tuple(low(x, y) for x, y in zip(a.start, b.start, strict=True))
    end = tuple(high(x + rx, y + ry) for x, rx, y, ry
                in zip(a.start, a.r, b.start, b.r, strict=True))
    return _RF(tuple(e - s for e, s in zip(end, start, strict=True)), a.j, start)


# --- shapes, parameters, MACs, connections --------------------------------------------------


@dataclass(frozen=True)
class _Geom:
    """What a window layer does on each spatial axis, whatever the input's size."""

    k: tuple[int, ...]
    s: tuple[int, ...]
    d: tuple[int, ...]
    pad: tuple[tuple[int, int], ...]  # (before, after) per axis
    op: tuple[int, ...] = ()  # convT's output padding
    ceil: bool = False
    exact: bool = False
    same: bool = False  # conv with p=same
    out: int = 0  # output channels (conv, convT)
    fan: int = 0  # (output channel, input channel) pairs: C_out·C_in/g, or the table's
    groups: int = 1
    bias: bool = False

    @property
    def before(self) -> tuple[int, ...]:
        return tuple(a for a, _ in self.pad)

    @property
    def p(self) -> tuple[int, ...]:
        """Symmetric padding (the leading one for p=same)."""
        return self.before


def _geometry(layer: _Layer, c: int, n: int) -> _Geom:
    """The per-axis geometry of a conv, convT, maxpool, avgpool or subsample layer whose
    input has ``c`` channels and ``n`` spatial axes (n ≥ 1)."""
    kind = layer.kind.name
    k = _per_axis(layer, "k", n, None, 1)
    d = _per_axis(layer, "d", n, (1,), 1)
    exact = "exact" in layer.flags
    if kind in ("conv", "convt"):
        assert layer.count is not None
        out = _count(layer, "OUT", layer.count)
        s = _per_axis(layer, "s", n, (1,), 1)
        g = _count(layer, layer.spelled("g"), layer.options["g"][1]) if layer.has("g") else 1
        if c % g or out % g:
            common = [v for v in range(1, min(c, out) + 1) if c % v == 0 and out % v == 0][-8:]
            raise layer.error(
                f"{_show(layer.spelled('g'))} must divide both C_in={c} and C_out={out}: use "
                f"g={' or g='.join(map(str, common))}, or change the channel counts"
            )
        pad_text = layer.options["p"][1].lower() if layer.has("p") else "0"
        if kind == "conv" and not _NUMBER.fullmatch(pad_text) and pad_text not in (
                "same", "valid"):
            raise layer.error(
                f"{_show(layer.spelled('p'))}: conv's padding is ints (e.g. 1 or 1x2), same "
                f"or valid{_suggest(pad_text, {'same': 'same', 'valid': 'valid'})}"
            )
        if kind == "convt" and pad_text in ("same", "valid"):
            raise layer.error(
                f"{_show(layer.spelled('p'))}: p=same and p=valid apply only to conv; give "
                "convT's padding as ints"
            )
        same = kind == "conv" and pad_text == "same"
        if same:
            if any(v != 1 for v in s):
                raise layer.error(
                    f"{_show(layer.spelled('p'))} requires stride 1, got "
                    f"{_show(layer.spelled('s'))}"
                )
            pad = same_padding(k, d)
        else:
            p = (0,) * n if pad_text == "valid" else _per_axis(layer, "p", n, (0,), 0)
            pad = tuple((v, v) for v in p)
        op = _per_axis(layer, "op", n, (0,), 0) if kind == "convt" else ()
        fan = _table_fan(layer, c, out, g) if layer.has("table") else out * (c // g)
        return _Geom(k, s, d, pad, op, exact=exact, same=same, out=out, fan=fan, groups=g,
                     bias="nobias" not in layer.flags)
    s = _per_axis(layer, "s", n, k, 1)
    if layer.has("p") and not _NUMBER.fullmatch(layer.options["p"][1]):
        raise layer.error(
            f"{_show(layer.spelled('p'))}: pooling padding must be ints (p=same and p=valid apply "
            "only to conv)"
        )
    p = _per_axis(layer, "p", n, (0,), 0)
    return _Geom(k, s, d, tuple((v, v) for v in p), ceil="ceil" in layer.flags, exact=exact,
                 bias=kind == "subsample")


@dataclass(frozen=True)
class _State:
    """The current tensor: its shape, its receptive field, the layer that made it."""

    shape: tuple[Any, ...]
    field: _FieldState
    index: int
    text: str


@dataclass(frozen=True)
class _Record:
    """One evaluated layer: the parsed layer, its input, its geometry, its result."""

    layer: _Layer
    before: _State | None
    geom: _Geom | None
    info: LayerInfo
    other: _State | None = None  # the saved tensor of add/concat/from


_WINDOWS = ("conv", "convt", "maxpool", "avgpool", "subsample")
_ELEMENTWISE = ("relu", "tanh", "sigmoid", "lrn", "dropout", "bn")


def _parse_network(spec: str | Sequence[str]) -> list[_Layer]:
    """The parsed layers of ``spec`` (a preset name, a spec string or a list), the first an
    input layer and no other."""
    if isinstance(spec, str):
        text = PRESETS.get(spec.strip().lower(), spec)
        layers = _parse_spec(text)
    elif isinstance(spec, (list, tuple)):
        layers = _parse_spec(spec)
    else:
        raise InvalidArgument(
            f"spec must be a preset name, a spec string or a list of layer strings, "
            f"got {type(spec).__name__} {_show(reprlib.repr(spec))}"
        )
    if not layers:
        raise InvalidArgument(f"spec={_show(reprlib.repr(spec))} has no layers")
    if layers[0].kind.name != "input":
        raise InvalidArgument(
            f"spec must start with 'input CxHxW', got layer 0 ({_show(layers[0].text)})"
        )
    for layer in layers[1:]:
        if layer.kind.name == "input":
            raise layer.error("'input' may only be the first layer")
    return layers


def _size_names(spec: str | Sequence[str]) -> list[str]:
    """The names among the input's sizes (``["H", "W"]`` for ``input 3xHxW``), after
    parsing the whole spec (so a bad spec raises its usual error)."""
    layers = _parse_network(spec)
    shape, _ = _input_shape(layers[0])
    return list(dict.fromkeys(v for v in shape if isinstance(v, str)))


def network_shapes(spec: str | Sequence[str]) -> NetworkInfo:
    """Shapes, parameters, MACs, connections and receptive fields of every layer of
    ``spec``: a preset name (lenet5, alexnet, vgg16, resnet18, cifar10), a spec string, or a
    list of layer strings (one layer per item). See the module docstring for the grammar and
    the conventions; any deviation from the grammar, and any layer that cannot be computed,
    raises InvalidArgument naming the layer. Sizes given as names (``input 3xHxW``) need
    :func:`convmath.symbolic.shapes.symbolic_network_shapes`."""
    return NetworkInfo(tuple(r.info for r in _evaluate(spec)))


def _evaluate(spec: str | Sequence[str]) -> list[_Record]:
    layers = _parse_network(spec)
    shape, note = _input_shape(layers[0])
    names = [v for v in shape if isinstance(v, str)]
    if names:
        raise layers[0].error(
            f"the sizes {', '.join(dict.fromkeys(names))} are names: compute the network "
            "with convmath.symbolic.shapes.symbolic_network_shapes (convmath shape does so "
            "by itself), or give numbers"
        )
    sizes = tuple(int(v) for v in shape)
    n = len(sizes) - 1
    state = _State(sizes, _rf_input(n), 0, layers[0].text)
    records = [_Record(layers[0], None, None, _info(layers[0], "input", sizes, state.field,
                                                     note=note))]
    saved: dict[str, _State] = {}
    for layer in layers[1:]:
        try:
            record = _apply(layer, state, saved)
        except InvalidArgument as exc:
            if str(exc).startswith(f"layer {layer.index} ("):
                raise
            raise layer.error(str(exc)) from None
        info = record.info
        big = [v for v in info.shape if v > MAX_PARAM]
        if big:
            raise layer.error(
                f"its output would have a size of {big[0]:,} (shape "
                f"{'×'.join(map(str, info.shape))}), more than 2**62"
            )
        records.append(record)
        state = _State(info.shape, _field_state(info), layer.index, layer.text)
        if layer.kind.name == "save":
            assert layer.count is not None
            saved[layer.count.lower()] = state
    return records


def _field_state(info: LayerInfo) -> _FieldState:
    if not isinstance(info.receptive_field, tuple):
        return info.receptive_field
    assert info.jump is not None and info.start is not None
    return _RF(info.receptive_field, info.jump, info.start)


def _info(layer: _Layer, kind: str, shape: tuple[int, ...], rf: _FieldState, *,
          params: int = 0, macs: int = 0, connections: int = 0, bias_adds: int = 0,
          note: str = "") -> LayerInfo:
    if isinstance(rf, _RF):
        return LayerInfo(layer.text, kind, shape, params, macs, note, connections, bias_adds,
                         rf.r, rf.j, rf.start)
    return LayerInfo(layer.text, kind, shape, params, macs, note, connections, bias_adds, rf)


def _saved(layer: _Layer, saved: dict[str, _State]) -> _State:
    """The tensor ``layer``'s label names."""
    assert layer.count is not None
    label = layer.count.lower()
    if label in saved:
        return saved[label]
    if not saved:
        raise layer.error(
            f"no tensor has been saved as {_show(layer.count)} (nothing is saved yet): write "
            f"'save {layer.count}' at the point the branch starts"
        )
    suggestion = _suggest(label, {k: k for k in saved})
    raise layer.error(
        f"no tensor has been saved as {_show(layer.count)}{suggestion}; saved so far: "
        f"{', '.join(sorted(saved))}"
    )


def _apply(layer: _Layer, state: _State, saved: dict[str, _State]) -> _Record:
    """``layer`` applied to the current tensor ``state``."""
    kind = layer.kind.name
    shape, rf = state.shape, state.field
    c, spatial = shape[0], shape[1:]
    n = len(spatial)
    if kind in _ELEMENTWISE or kind == "save":
        params = 2 * c if kind == "bn" else 0
        return _Record(layer, state, None, _info(layer, kind, shape, rf, params=params))
    if kind in ("from", "add", "concat"):
        other = _saved(layer, saved)
        if kind == "from":
            return _Record(layer, state, None, _info(layer, kind, other.shape, other.field),
                           other)
        _merge_check(layer, state, other)
        merged = (shape if kind == "add" else (other.shape[0] + c, *spatial))
        return _Record(layer, state, None, _info(layer, kind, merged,
                                                 _rf_union(other.field, rf)), other)
    if kind == "flatten":
        return _Record(layer, state, None, _info(layer, kind, (math.prod(shape),), rf))
    if kind in ("fc", "rbf"):
        assert layer.count is not None
        out = _count(layer, "OUT", layer.count)
        fan_in = math.prod(shape)
        if kind == "rbf":
            note = (f"{fan_in * out:,} fixed weights (hand-chosen class codes, not trained): "
                    "not counted as parameters")
            return _Record(layer, state, None, _info(
                layer, kind, (out,), "all", macs=fan_in * out, connections=fan_in * out,
                note=note))
        bias = 0 if "nobias" in layer.flags else out
        return _Record(layer, state, None, _info(
            layer, kind, (out,), "all", params=fan_in * out + bias, macs=fan_in * out,
            connections=fan_in * out + bias, bias_adds=bias))
    if n == 0:
        raise layer.error(
            f"needs spatial axes, but its input has shape {'×'.join(map(str, shape))} "
            "(channels only)"
        )
    if kind == "gap":
        ones = (1,) * n
        field_ = _rf_window(rf, spatial, spatial, (0,) * n, ones)
        return _Record(layer, state, None, _info(layer, kind, (c, *ones), field_,
                                                 connections=c * math.prod(spatial)))
    geom = _geometry(layer, c, n)
    k, s, d, p = geom.k, geom.s, geom.d, geom.p
    taps = math.prod(k)
    note = ""
    if kind == "convt":
        o = conv_transpose_output_size(spatial, k, s, p, geom.op, d)
        macs = math.prod(spatial) * geom.fan * taps
        bias_adds = geom.out * math.prod(o) if geom.bias else 0
        if all(v == 1 for v in s):  # a stride-1 transposed conv is a conv, padding d(k−1) − p
            field_ = _rf_window(rf, k, s, [dd * (kk - 1) - pp for kk, dd, pp in zip(
                k, d, p, strict=True)], d)
        else:
            field_ = None
            if rf is not None and rf != "all":
                note = "receptive field undefined from here: stride > 1 (the jump would be j/s)"
        params = geom.fan * taps + (geom.out if geom.bias else 0)
        return _Record(layer, state, geom, _info(
            layer, kind, (geom.out, *o), field_, params=params, macs=macs,
            connections=macs + bias_adds, bias_adds=bias_adds, note=note), None)
    if geom.same:
        o = spatial
    else:
        o = _window_sizes(layer, geom, spatial)
        if geom.exact:
            _require_exact(layer, geom, spatial)
        elif not geom.ceil:
            note = _leftover_note(spatial, k, s, p, d)
    field_ = _rf_window(rf, k, s, geom.before, d)
    positions = math.prod(o)
    if kind == "conv":
        macs = positions * geom.fan * taps
        bias_adds = geom.out * positions if geom.bias else 0
        params = geom.fan * taps + (geom.out if geom.bias else 0)
        return _Record(layer, state, geom, _info(
            layer, kind, (geom.out, *o), field_, params=params, macs=macs,
            connections=macs + bias_adds, bias_adds=bias_adds, note=note))
    bias_adds = c * positions if kind == "subsample" else 0
    params = 2 * c if kind == "subsample" else 0
    return _Record(layer, state, geom, _info(
        layer, kind, (c, *o), field_, params=params, connections=c * positions * taps
        + bias_adds, bias_adds=bias_adds, note=note))


def _window_sizes(layer: _Layer, geom: _Geom, spatial: Sequence[int]) -> tuple[int, ...]:
    """conv/pool output sizes; an empty output is an error that says what would fit."""
    k, s, p, d = geom.k, geom.s, geom.p, geom.d
    try:
        if layer.kind.name == "conv":
            return conv_output_size(tuple(spatial), k, s, p, d)
        return pool_output_size(tuple(spatial), k, s, p, d, ceil_mode=geom.ceil)
    except InvalidArgument as exc:
        fixes = []
        for ax, (i, kk, pp, dd) in enumerate(zip(spatial, k, p, d, strict=True)):
            span = dd * (kk - 1) + 1
            if i + 2 * pp < span:
                need_p = -(-(span - i) // 2)
                fix = f"axis {ax}: an input of at least {span - 2 * pp}"
                if layer.kind.name == "conv" or 2 * need_p <= kk:
                    fix += f", or p={need_p}"
                fixes.append(fix + f", or a kernel spanning at most {i + 2 * pp}")
        hint = f"; to fix it: {'; '.join(fixes)}" if fixes else ""
        raise layer.error(f"{exc}{hint}") from None


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


def _require_exact(layer: _Layer, geom: _Geom, spatial: Sequence[int]) -> None:
    """The ``exact`` flag: refuse a division with a remainder, saying what would fit."""
    for ax, (i, kk, ss, pp, dd) in enumerate(zip(spatial, geom.k, geom.s, geom.p, geom.d,
                                                 strict=True)):
        numer = i + 2 * pp - dd * (kk - 1) - 1
        left = numer % ss
        if not left:
            continue
        value = Fraction(numer, ss) + 1
        shown = f"{float(value):g}" if value.denominator in (2, 4, 5, 8, 10) else str(value)
        fits = [f"input {i - left}" if numer - left >= 0 else "", f"input {i + ss - left}"]
        pads = [q for q in range(0, pp + ss + 1)
                if (i + 2 * q - dd * (kk - 1) - 1) % ss == 0 and i + 2 * q > dd * (kk - 1)
                and (layer.kind.name == "conv" or 2 * q <= kk)]
        why = ""
        if pads:
            fits.append(f"p={min(pads, key=lambda q: (abs(q - pp), q))}")
        elif ss % 2 == 0:
            why = " (no padding fits: 2p only changes the numerator by an even amount)"
        raise layer.error(
            f"'exact': on axis {ax}, (i + 2p − d(k − 1) − 1)/s + 1 = ({i} + 2·{pp} − "
            f"{dd}·({kk} − 1) − 1)/{ss} + 1 = {numer}/{ss} + 1 = {shown} is not a whole "
            f"number: the output would be {numer // ss + 1} with the last {left} input "
            f"element(s) never read; to fit, use {' or '.join(f for f in fits if f)} on that "
            f"axis{why} (or drop 'exact')"
        )


def _merge_check(layer: _Layer, state: _State, other: _State) -> None:
    """``add`` needs equal shapes, ``concat`` equal spatial sizes."""
    a, b = state.shape, other.shape
    what = "shape" if layer.kind.name == "add" else "spatial size"
    if (a if layer.kind.name == "add" else a[1:]) == (b if layer.kind.name == "add" else b[1:]):
        return
    fix = ""
    if len(a) == len(b) and len(a) > 1:
        ratios = {bb // aa if aa and bb % aa == 0 else 0 for aa, bb in zip(a[1:], b[1:],
                                                                       strict=True)}
        if len(ratios) == 1 and 0 not in ratios:
            stride = ratios.pop()
            channels = a[0] if layer.kind.name == "add" else b[0]
            fix = (f"; project the saved branch to match: 'from {layer.count}; conv {channels} "
                   f"k=1{f' s={stride}' if stride > 1 else ''} nobias; bn; add …' (save the "
                   "other branch first)")
    raise layer.error(
        f"cannot {layer.kind.name} branches of different {what}s: the current tensor (layer "
        f"{state.index}, {_show(state.text)}) is {'×'.join(map(str, a))} but "
        f"{_show(layer.count or '')} (layer {other.index}, {_show(other.text)}) is "
        f"{'×'.join(map(str, b))}{fix}"
    )


# --- explaining one layer -------------------------------------------------------------------


def explain_layer(spec: str | Sequence[str], index: int) -> str:
    """Why layer ``index`` of ``spec`` (0 is the input) has its size, parameters, MACs,
    connections and receptive field: each formula, its values substituted step by step, and
    the ``convmath prove`` derivation that proves the formula."""
    records = _evaluate(spec)
    if isinstance(index, bool) or not isinstance(index, int) or not (
            0 <= index < len(records)):
        raise InvalidArgument(
            f"index={index!r} must be a layer index from 0 (the input) to "
            f"{len(records) - 1}"
        )
    rec = records[index]
    info = rec.info
    lines = [f"layer {index}: {info.spec} ({info.kind})"]
    before = rec.before
    if before is None:
        lines.append(f"  the input, read as C×spatial: {_axes_text(info.shape)}"
                     + (f" — {info.note}" if info.note else ""))
        lines.append("  receptive field r = 1, jump j = 1, start = 0 on every axis")
        return "\n".join(lines)
    lines.append(f"  input {_axes_text(before.shape)} → output {_axes_text(info.shape)}")
    n = len(before.shape) - 1
    letters = _letters(n).upper() if n else ""
    geom, kind = rec.geom, info.kind
    proofs: list[str] = []
    if geom is not None:
        lines += _explain_sizes(kind, geom, before.shape[1:], info.shape[1:], letters, proofs)
        lines += _explain_counts(kind, geom, before.shape, info, proofs)
        lines += _explain_field(kind, geom, before, info, letters, proofs)
    else:
        lines += _explain_other(rec, letters)
    lines += [f"  proved by: convmath prove {key}" for key in dict.fromkeys(proofs)]
    return "\n".join(lines)


def _by_axis(letters: str, items: list[str]) -> list[str]:
    """One line per axis, or one line for all when they read the same."""
    if len(set(items)) == 1:
        return [f"    {', '.join(letters)}: {items[0]}"]
    return [f"    {a}: {item}" for a, item in zip(letters, items, strict=True)]


def _explain_sizes(kind: str, geom: _Geom, spatial: Sequence[int], out: Sequence[int],
                   letters: str, proofs: list[str]) -> list[str]:
    items = []
    if kind == "convt":
        lines = ["  output size o = (i − 1)·s − 2p + d(k − 1) + op + 1"]
        for i, kk, ss, pp, dd, oo, o in zip(spatial, geom.k, geom.s, geom.p, geom.d, geom.op,
                                            out, strict=True):
            items.append(f"i={i}, k={kk}, s={ss}, p={pp}, d={dd}, op={oo} → ({i} − 1)·{ss} − "
                         f"2·{pp} + {dd}·({kk} − 1) + {oo} + 1 = {(i - 1) * ss} − {2 * pp} + "
                         f"{dd * (kk - 1)} + {oo} + 1 = {o}")
        proofs += ["conv_transpose_output_size:Z", "conv_transpose_shape_symmetry:Z"]
        return lines + _by_axis(letters, items)
    if geom.same:
        lines = ["  p=same (stride 1): total padding d(k − 1), ⌊total/2⌋ before, the rest "
                 "after; o = i + before + after − d(k − 1) = i"]
        for i, kk, dd, (a, b) in zip(spatial, geom.k, geom.d, geom.pad, strict=True):
            items.append(f"i={i}, k={kk}, d={dd} → padding ({a}, {b}); o = {i} + {a} + {b} − "
                         f"{dd * (kk - 1)} = {i}")
        proofs.append("conv_output_size:Z")
        return lines + _by_axis(letters, items)
    if geom.ceil:
        lines = ["  output size (ceil mode) o = ⌊(i + 2p − d(k − 1) − 1 + s − 1)/s⌋ + 1, then "
                 "one less if the last window starts in the right padding ((o − 1)·s ≥ i + p)"]
        for i, kk, ss, pp, dd, o in zip(spatial, geom.k, geom.s, geom.p, geom.d, out,
                                        strict=True):
            numer = i + 2 * pp - dd * (kk - 1) - 1 + ss - 1
            o1 = numer // ss + 1
            fix = (f"; ({o1} − 1)·{ss} = {(o1 - 1) * ss} ≥ {i} + {pp}: one less = {o}"
                   if o1 != o else "")
            items.append(f"i={i}, k={kk}, s={ss}, p={pp}, d={dd} → ⌊({i} + {2 * pp} − "
                         f"{dd * (kk - 1)} − 1 + {ss - 1})/{ss}⌋ + 1 = ⌊{numer}/{ss}⌋ + 1 = "
                         f"{o1}{fix}")
        proofs += ["pool_output_size_ceil:Z", "pool_ceil_mode_rule:Z"]
        return lines + _by_axis(letters, items)
    lines = ["  output size o = ⌊(i + 2p − d(k − 1) − 1)/s⌋ + 1"]
    for i, kk, ss, pp, dd, o in zip(spatial, geom.k, geom.s, geom.p, geom.d, out, strict=True):
        numer = i + 2 * pp - dd * (kk - 1) - 1
        left = f" (remainder {numer % ss}: {numer % ss} input element(s) never read)" if (
            numer % ss) else ""
        items.append(f"i={i}, k={kk}, s={ss}, p={pp}, d={dd} → ⌊({i} + 2·{pp} − {dd}·({kk} − "
                     f"1) − 1)/{ss}⌋ + 1 = ⌊({i} + {2 * pp} − {dd * (kk - 1)} − 1)/{ss}⌋ + 1 "
                     f"= ⌊{numer}/{ss}⌋ + 1 = {o}{left}")
    proofs.append("conv_output_size:Z" if kind == "conv" else "pool_output_size:Z")
    return lines + _by_axis(letters, items)


def _explain_counts(kind: str, geom: _Geom, shape: Sequence[int], info: LayerInfo,
                    proofs: list[str]) -> list[str]:
    c = shape[0]
    ks = "·".join(map(str, geom.k))
    if kind not in ("conv", "convt"):
        positions = "·".join(map(str, info.shape[1:]))
        lines = [f"  connections = C·∏o·∏k{' + C·∏o (its bias)' if geom.bias else ''} = "
                 f"{c}·{positions}·{ks}{f' + {c}·{positions}' if geom.bias else ''} = "
                 f"{info.connections:,}"]
        if kind == "subsample":
            lines.insert(0, f"  parameters = 2·C (a coefficient and a bias per channel) = "
                         f"2·{c} = {info.params}")
        else:
            lines.insert(0, "  parameters 0, MACs 0 (pooling is not counted as MACs)")
        return lines
    fan = (f"{geom.fan}" if geom.fan != geom.out * (c // geom.groups)
           else f"{geom.out}·({c}/{geom.groups})")
    fan_name = "C_out·(C_in/g)" if geom.fan == geom.out * (c // geom.groups) else (
        "(table connections)")
    bias = f" + {geom.out}" if geom.bias else ""
    lines = [f"  parameters = {fan_name}·∏k{' + C_out' if geom.bias else ''} = {fan}·{ks}{bias}"
             f" = {info.params:,}"]
    proofs.append("conv_params:Z")
    where = info.shape[1:] if kind == "conv" else shape[1:]
    pos = "·".join(map(str, where))
    if kind == "conv":
        lines.append(f"  MACs = ∏o·{fan_name}·∏k = {pos}·{fan}·{ks} = {info.macs:,}")
        proofs.append("conv_macs:Z")
        lines.append(f"  connections = ∏o·C_out·((C_in/g)·∏k{' + 1' if geom.bias else ''}) = "
                     f"{info.connections:,} (MACs{' + one bias per output' if geom.bias else ''}"
                     ")")
        proofs.append("conv_connections:Z")
    else:
        lines.append(f"  MACs = ∏i·C_in·(C_out/g)·∏k (every input meets every tap) = "
                     f"{pos}·{fan}·{ks} = {info.macs:,}")
        lines.append(f"  connections = MACs{' + one bias per output' if geom.bias else ''} = "
                     f"{info.connections:,}")
    return lines


def _explain_field(kind: str, geom: _Geom, before: _State, info: LayerInfo, letters: str,
                   proofs: list[str]) -> list[str]:
    rf = before.field
    if not isinstance(rf, _RF):
        return [f"  receptive field: {'all' if rf == 'all' else 'undefined'} (as its input)"]
    if kind == "convt" and any(v != 1 for v in geom.s):
        return ["  receptive field: undefined from here (stride > 1: the outputs' fields differ "
                "with their position modulo s; the jump would be the fraction j/s)"]
    lines = ["  receptive field r = r_prev + d(k − 1)·j_prev, jump j = j_prev·s, start = "
             "start_prev − p·j_prev, centre = start + (r − 1)/2"]
    if kind == "convt":
        lines[0] += " (stride 1: a conv with padding p' = d(k − 1) − p)"
    pads = geom.before if kind != "convt" else tuple(
        dd * (kk - 1) - pp for kk, dd, pp in zip(geom.k, geom.d, geom.p, strict=True))
    items = []
    for r0, j0, s0, kk, ss, pp, dd, r, j, st in zip(
            rf.r, rf.j, rf.start, geom.k, geom.s, pads, geom.d, info.receptive_field or (),
            info.jump or (), info.start or (), strict=True):
        centre = Fraction(2 * st + r - 1, 2)
        items.append(f"r = {r0} + {dd}·({kk} − 1)·{j0} = {r}; j = {j0}·{ss} = {j}; start = "
                     f"{s0} − {pp}·{j0} = {st}; centre = {st} + ({r} − 1)/2 = {centre}")
    proofs.append("receptive_field:Z")
    return lines + _by_axis(letters, items)


def _explain_other(rec: _Record, letters: str) -> list[str]:
    info, kind = rec.info, rec.info.kind
    before = rec.before
    assert before is not None
    if kind in ("fc", "rbf"):
        fan_in = math.prod(before.shape)
        out = info.shape[0]
        bias = info.bias_adds
        lines = [f"  fan-in = ∏(input shape) = {'·'.join(map(str, before.shape))} = {fan_in:,}"]
        if kind == "fc":
            lines.append(f"  parameters = fan_in·OUT{' + OUT' if bias else ''} = {fan_in}·{out}"
                         f"{f' + {out}' if bias else ''} = {info.params:,}")
        else:
            lines.append(f"  parameters 0: its {fan_in * out:,} weights are fixed")
        lines.append(f"  MACs = fan_in·OUT = {fan_in * out:,}; connections = OUT·(fan_in"
                     f"{' + 1' if bias else ''}) = {info.connections:,}")
        lines.append("  receptive field: all (each output reads the whole input)")
        return lines
    if kind == "gap":
        spatial = before.shape[1:]
        lines = [f"  every spatial size becomes 1 (a window as large as the input, "
                 f"{'×'.join(map(str, spatial))}); connections = C·∏i = {info.connections:,}"]
        if isinstance(before.field, _RF):
            lines.append("  receptive field r = r_prev + (i − 1)·j_prev: " + ", ".join(
                f"{a}: {r0} + ({i} − 1)·{j0} = {r}" for a, r0, i, j0, r in zip(
                    letters, before.field.r, spatial, before.field.j,
                    info.receptive_field or (), strict=True)))
        return lines
    if kind in ("add", "concat", "from"):
        other = rec.other
        assert other is not None
        if kind == "from":
            return [f"  continues from the tensor saved by layer {other.index} "
                    f"({_show(other.text)}): {_axes_text(other.shape)}"]
        return [f"  {kind} the current tensor {_axes_text(before.shape)} and the one saved by "
                f"layer {other.index} ({_show(other.text)}) {_axes_text(other.shape)}",
                "  parameters 0, MACs 0 (the additions are not MACs), connections 0",
                f"  receptive field: the union of both branches' fields, "
                f"{_field_text(info.receptive_field)} (start {_axes_text(info.start)})"]
    if kind == "flatten":
        return [f"  flattens {_axes_text(before.shape)} to {info.shape[0]:,} values; the field "
                "is unchanged"]
    params = f"parameters 2·C = {info.params}" if kind == "bn" else "no parameters"
    return [f"  shape-preserving ({params}); the receptive field is unchanged"]


def _table_fan(layer: _Layer, c_in: int, c_out: int, groups: int) -> int:
    """The number of (output, input) channel pairs of a conv with ``table=``."""
    text = layer.spelled("table")
    name = layer.options["table"][1].lower()
    table = _TABLES.get(name)
    if table is None:
        suggestion = _suggest(name, {t: t for t in _TABLES})
        raise layer.error(
            f"{_show(text)} is not a known connection table{suggestion} (known: "
            f"{', '.join(sorted(_TABLES))})"
        )
    needs = 1 + max(max(row) for row in table)
    if groups != 1:
        raise layer.error(f"{_show(text)} replaces groups: it needs g=1, got "
                          f"{_show(layer.spelled('g'))}")
    if len(table) != c_out:
        raise layer.error(
            f"{_show(text)} connects {len(table)} output channels, but the layer has "
            f"OUT={c_out}"
        )
    if c_in != needs:
        raise layer.error(
            f"{_show(text)} reads a {needs}-channel input, but this layer's input has "
            f"C_in={c_in} channels"
        )
    return sum(len(row) for row in table)
