"""Layer-by-layer shape, parameter and MAC accounting for a convolutional network.

A network is written as a small text *spec*, one layer per ``;`` (or newline)::

    input 3x227x227; conv 96 k=11 s=4; maxpool k=3 s=2; conv 256 k=5 p=2 g=2; fc 1000

or as a list with one layer per item (``["input 3x32x32", "conv 8 k=3"]``).

Grammar (EBNF; spaces separate tokens, none may surround ``=``; names are
case-insensitive)::

    spec    = { sep } , layer , { sep , { sep } , layer } , { sep } ;
    sep     = ";" | newline ;
    layer   = kind , [ number ] , { option | flag } ;
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
  ``C×spatial``; with a layout its note says how it was read;
- ``conv OUT k= [s=1] [p=0|same|valid] [d=1] [g=1] [nobias] [table=lenet5]``;
- ``convT OUT k= [s=1] [p=0] [op=0] [d=1] [g=1] [nobias]`` — transposed convolution;
- ``maxpool k= [s=k] [p=0] [d=1] [ceil]``, ``avgpool k= [s=k] [p=0] [ceil]``;
- ``subsample k= [s=k]`` — LeNet-style pooling with a trainable coefficient and bias per
  channel;
- ``fc OUT [nobias]`` (also ``linear``) — fully connected (flattens its input), ``flatten``;
- ``relu``, ``tanh``, ``sigmoid``, ``lrn``, ``dropout``, ``bn`` — shape-preserving, no
  options; only ``bn`` has parameters (2 per channel).

Long option names are synonyms: ``kernel_size=`` (``k``), ``stride=`` (``s``), ``padding=``
(``p``), ``dilation=`` (``d``), ``groups=`` (``g``), ``output_padding=`` (``op``), and the flag
``ceil_mode`` (``ceil``); giving one option twice, under either name, is an error.
``table=lenet5`` is the connection table of LeNet-5's C3 (16 outputs, each reading 3, 4 or
all 6 of a 6-channel input; needs ``g=1``). Anything else — an unknown or misplaced option,
a repeated option, a stray word or number, an empty value, a size over 2**62 — raises
:class:`~convmath.errors.InvalidArgument` naming the layer (its index, 0 for the input, and
its text) and the offending token, with a suggestion for a near-miss.

Counting conventions (REFERENCE.md): parameters ``C_out·(C_in/g)·∏k (+C_out)``; MACs
``∏o·C_out·(C_in/g)·∏k`` per example (bias additions and pooling are not MACs). FLOPs are
printed as ``2·MACs``, the common convention.

>>> net = network_shapes("input 1x32x32; conv 6 k=5; subsample k=2; conv 16 k=5 table=lenet5")
>>> [layer.params for layer in net.layers]
[0, 156, 12, 1516]
>>> net.layers[-1].shape
(16, 10, 10)
>>> network_shapes("input 32x32x3 layout=hwc; conv 12 k=3 p=1").layers[1].shape
(12, 32, 32)
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from convmath.errors import InvalidArgument
from convmath.numeric._shapes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
    same_padding,
)
from convmath.numeric._validate import MAX_PARAM

__all__ = ["PRESETS", "LayerInfo", "NetworkInfo", "network_shapes"]

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
_FLAG_NAMES = {"ceil": "ceil", "ceil_mode": "ceil", "nobias": "nobias"}
_WHAT = {
    "k": "kernel size", "s": "stride", "p": "padding", "d": "dilation", "g": "groups",
    "op": "output padding", "table": "connection table", "layout": "axis order",
    "ceil": "ceil mode", "nobias": "no bias",
}


@dataclass(frozen=True)
class _Kind:
    name: str  # canonical kind, as LayerInfo.kind
    count: str | None  # what the leading number is ("SHAPE", "OUT"), None if none
    options: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    required: tuple[str, ...] = ()


_KINDS: dict[str, _Kind] = {
    k.name: k
    for k in (
        _Kind("input", "SHAPE", ("layout",)),
        _Kind("conv", "OUT", ("k", "s", "p", "d", "g", "table"), ("nobias",), ("k",)),
        _Kind("convt", "OUT", ("k", "s", "p", "op", "d", "g"), ("nobias",), ("k",)),
        _Kind("maxpool", None, ("k", "s", "p", "d"), ("ceil",), ("k",)),
        _Kind("avgpool", None, ("k", "s", "p"), ("ceil",), ("k",)),
        _Kind("subsample", None, ("k", "s"), (), ("k",)),
        _Kind("fc", "OUT", (), ("nobias",)),
        *(_Kind(name, None) for name in
          ("flatten", "relu", "tanh", "sigmoid", "lrn", "dropout", "bn")),
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
    if rest and rest[0].kind == "number" and kind.count is not None:
        layer.count = rest.pop(0).text
    for j, tok in enumerate(rest):
        if tok.kind == "number":
            if kind.count is None:
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
        raise layer.error(
            f"needs its {kind.count}: '{spelled_kind} {kind.count} …'"
            + (" (the number of outputs)" if kind.count == "OUT" else "")
        )
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


def _thing(spatial: Sequence[int]) -> str:
    dims = "×".join(map(str, spatial))
    return _WHAT_IS.get(len(spatial), "a {} " + f"{len(spatial)}-D array").format(dims)


def _ambiguity(values: tuple[int, ...]) -> str:
    """Why an input shape without a layout is ambiguous ("" if it is not)."""
    m = len(values)
    last_small = values[-1] <= 4 and values[0] > values[-1]
    if m < 2 or not (last_small or (m == 2 and values[0] > 4)):
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
            f"{values[-1]} channel{'s' if values[-1] > 1 else ''}"
        )
        layouts.append(spatial + "c")
    choices = " or ".join(f"layout={lay}" for lay in layouts)
    return "; ".join(readings) + f": add {choices}"


def _input_shape(layer: _Layer) -> tuple[tuple[int, ...], str]:
    """The input as ``(C, *spatial)`` and the note that says how it was read."""
    assert layer.count is not None
    values = _ints(layer, "the input shape", layer.count, 1)
    if len(values) > len(_SPARE_LETTERS) + 1:
        raise layer.error(
            f"the input shape {_show(layer.count)} has {len(values) - 1} spatial axes; at "
            f"most {len(_SPARE_LETTERS)} are supported (one layout letter each)"
        )
    if "layout" not in layer.options:
        why = _ambiguity(values)
        if why:
            raise layer.error(f"the input shape {_show(layer.count)} is ambiguous: {why}")
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
    if "c" not in layout:
        channels, spatial, letters = 1, values, layout
    elif layout[0] == "c":
        channels, spatial, letters = values[0], values[1:], layout[1:]
    else:
        channels, spatial, letters = values[-1], values[:-1], layout[:-1]
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


def network_shapes(spec: str | Sequence[str]) -> NetworkInfo:
    """Shapes, parameters and MACs of every layer of ``spec``: a preset name (lenet5,
    alexnet, vgg16), a spec string, or a list of layer strings (one layer per item). See the
    module docstring for the grammar; any deviation from it raises InvalidArgument."""
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
    shape, note = _input_shape(layers[0])
    infos = [LayerInfo(layers[0].text, "input", shape, 0, 0, note)]
    for layer in layers[1:]:
        try:
            info = _apply(layer, shape)
        except InvalidArgument as exc:
            if str(exc).startswith(f"layer {layer.index} ("):
                raise
            raise layer.error(str(exc)) from None
        big = [v for v in info.shape if v > MAX_PARAM]
        if big:
            raise layer.error(
                f"its output would have a size of {big[0]:,} (shape "
                f"{'×'.join(map(str, info.shape))}), more than 2**62"
            )
        infos.append(info)
        shape = info.shape
    return NetworkInfo(tuple(infos))


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


def _apply(layer: _Layer, shape: tuple[int, ...]) -> LayerInfo:
    """The output shape, parameters and MACs of ``layer`` applied to ``shape``."""
    kind, item = layer.kind.name, layer.text
    c, spatial = shape[0], shape[1:]
    n = len(spatial)
    if kind in ("relu", "tanh", "sigmoid", "lrn", "dropout", "bn"):
        return LayerInfo(item, kind, shape, 2 * c if kind == "bn" else 0, 0)
    if kind == "flatten":
        return LayerInfo(item, kind, (math.prod(shape),), 0, 0)
    nobias = "nobias" in layer.flags
    if kind == "fc":
        assert layer.count is not None
        out = _count(layer, "OUT", layer.count)
        fan_in = math.prod(shape)
        return LayerInfo(item, kind, (out,), fan_in * out + (0 if nobias else out),
                         fan_in * out)
    if n == 0:
        raise layer.error(
            f"needs spatial axes, but its input has shape {'×'.join(map(str, shape))} "
            "(channels only)"
        )
    k = _per_axis(layer, "k", n, None, 1)
    d = _per_axis(layer, "d", n, (1,), 1)
    if kind in ("conv", "convt"):
        assert layer.count is not None
        out = _count(layer, "OUT", layer.count)
        s = _per_axis(layer, "s", n, (1,), 1)
        g = _count(layer, layer.spelled("g"), layer.options["g"][1]) if layer.has("g") else 1
        if c % g or out % g:
            raise layer.error(
                f"{_show(layer.spelled('g'))} must divide both C_in={c} and C_out={out}"
            )
        pad_text = layer.options["p"][1].lower() if layer.has("p") else "0"
        if kind == "conv" and not _NUMBER.fullmatch(pad_text) and pad_text not in (
                "same", "valid"):
            raise layer.error(
                f"{_show(layer.spelled('p'))}: conv's padding is ints (e.g. 1 or 1x2), same "
                f"or valid{_suggest(pad_text, {'same': 'same', 'valid': 'valid'})}"
            )
        note = ""
        if kind == "conv" and pad_text == "same":
            if any(v != 1 for v in s):
                raise layer.error(
                    f"{_show(layer.spelled('p'))} requires stride 1, got "
                    f"{_show(layer.spelled('s'))}"
                )
            pads = same_padding(k, d)
            o = tuple(i + a + b - dd * (kk - 1) for i, (a, b), kk, dd
                      in zip(spatial, pads, k, d, strict=True))
            if min(o) < 1:  # pragma: no cover - same padding keeps the input size
                raise layer.error("p=same gives an empty output")
        elif kind == "conv":
            p = (0,) * n if pad_text == "valid" else _per_axis(layer, "p", n, (0,), 0)
            o = conv_output_size(spatial, k, s, p, d)
            note = _leftover_note(spatial, k, s, p, d)
        else:
            if pad_text in ("same", "valid"):
                raise layer.error(
                    f"{_show(layer.spelled('p'))}: p=same and p=valid apply only to conv; give "
                    "convT's padding as ints"
                )
            p = _per_axis(layer, "p", n, (0,), 0)
            op = _per_axis(layer, "op", n, (0,), 0)
            o = conv_transpose_output_size(spatial, k, s, p, op, d)
        fan = _table_fan(layer, c, out, g) if layer.has("table") else out * (c // g)
        taps = math.prod(k)
        params = fan * taps + (0 if nobias else out)
        spatial_in = spatial if kind == "convt" else o
        macs = math.prod(spatial_in) * fan * taps
        return LayerInfo(item, kind, (out, *o), params, macs, note)
    # maxpool, avgpool, subsample
    s = _per_axis(layer, "s", n, k, 1)
    if layer.has("p") and not _NUMBER.fullmatch(layer.options["p"][1]):
        raise layer.error(
            f"{_show(layer.spelled('p'))}: pooling padding must be ints (p=same and p=valid apply "
            "only to conv)"
        )
    p = _per_axis(layer, "p", n, (0,), 0)
    ceil = "ceil" in layer.flags
    o = pool_output_size(spatial, k, s, p, d, ceil_mode=ceil)
    params = 2 * c if kind == "subsample" else 0
    note = "" if ceil else _leftover_note(spatial, k, s, p, d)
    return LayerInfo(item, kind, (c, *o), params, 0, note)


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
