"""Fuzz the network-spec grammar (``network_shapes``) and ``convmath shape``.

Specs are built from the grammar's tokens (kinds, options under their short and long
names, flags, per-axis values, layouts, separators, whitespace, case) with the expected
shapes and parameter counts computed independently from the size formulas
(``conv_output_size`` & co., tested on their own against PyTorch), then mutated (tokens
deleted, duplicated, inserted, replaced by garbage, huge numbers and random unicode). The
contract: a valid spec gives the expected numbers, in its string and its list form; anything
else is an InvalidArgument naming the layer (or the spec), never another exception; a
duplicated option or an option foreign to the layer kind is always refused; the CLI prints
either the table on stdout or one line on stderr with exit status 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pytest
from fuzz_common import FUZZ, assert_names, outcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convmath import InvalidArgument
from convmath.cli import main
from convmath.numeric import (
    conv_output_size,
    conv_transpose_output_size,
    network_shapes,
    pool_output_size,
)

# Every option spelling the grammar documents, by canonical key, and the layer kinds.
_SPELLINGS = {
    "k": ["k", "kernel_size", "K"], "s": ["s", "stride", "Stride"], "p": ["p", "padding"],
    "d": ["d", "dilation"], "g": ["g", "groups"], "op": ["op", "output_padding"],
    "table": ["table"], "layout": ["layout"],
}
_FLAG_SPELLINGS = {"ceil": ["ceil", "ceil_mode", "CEIL"], "nobias": ["nobias"],
                   "exact": ["exact", "EXACT"]}
_ACCEPTS = {  # the documented table: options and flags of each kind
    "input": ({"layout"}, set()),
    "conv": ({"k", "s", "p", "d", "g", "table"}, {"nobias", "exact"}),
    "convT": ({"k", "s", "p", "op", "d", "g"}, {"nobias"}),
    "maxpool": ({"k", "s", "p", "d"}, {"ceil", "exact"}),
    "avgpool": ({"k", "s", "p"}, {"ceil", "exact"}),
    "subsample": ({"k", "s"}, {"exact"}),
    "fc": (set(), {"nobias"}),
    "gap": (set(), set()),
    **{k: (set(), set()) for k in ("flatten", "relu", "tanh", "sigmoid", "lrn", "dropout",
                                    "bn")},
}
_LETTERS = {1: "l", 2: "hw", 3: "dhw"}


@dataclass
class Layer:
    kind: str
    words: list[str] = field(default_factory=list)  # tokens after the kind
    options: list[str] = field(default_factory=list)  # canonical keys given, in order


@dataclass
class Case:
    layers: list[Layer]
    expected: list[tuple[tuple[int, ...], int]]  # (shape, params) per layer
    error_at: int | None  # index of the layer the formulas refuse, if any


def _ambiguous(values: tuple[int, ...]) -> bool:
    """The documented rule: last number 1–4 with a larger first, or ``AxB`` with A > 4."""
    m = len(values)
    return m >= 2 and ((values[-1] <= 4 and values[0] > values[-1]) or (m == 2 and values[0] > 4))


def _axes(draw: st.DrawFn, n: int, lo: int, hi: int) -> tuple[tuple[int, ...], str]:
    """Per-axis values and their spelling: one int for all axes, or ``AxB…``."""
    if draw(st.booleans()):
        v = draw(st.integers(lo, hi))
        return (v,) * n, str(v)
    vals = tuple(draw(st.integers(lo, hi)) for _ in range(n))
    return vals, "x".join(map(str, vals))


def _opt(draw: st.DrawFn, layer: Layer, key: str, value: str) -> None:
    layer.words.append(f"{draw(st.sampled_from(_SPELLINGS[key]))}={value}")
    layer.options.append(key)


def _divisors(a: int, b: int) -> list[int]:
    return [g for g in range(1, min(a, b) + 1) if a % g == 0 and b % g == 0]


@st.composite
def valid_cases(draw: st.DrawFn) -> Case:
    """A spec built from the grammar, with the shapes and parameters the formulas give."""
    n = draw(st.integers(1, 3))
    c = draw(st.integers(1, 8))
    spatial = tuple(draw(st.integers(1, 24)) for _ in range(n))
    letters = _LETTERS[n]
    layout = draw(st.sampled_from([None, "c" + letters, letters + "c",
                                   *([letters] if c == 1 else [])]))
    if layout is None and _ambiguous((c, *spatial)):
        layout = "c" + letters
    values = (c, *spatial) if layout in (None, "c" + letters) else (
        spatial if layout == letters else (*spatial, c))
    first = Layer(draw(st.sampled_from(["input", "INPUT", "in"])),
                  ["x".join(map(str, values))])
    if layout is not None:
        _opt(draw, first, "layout", draw(st.sampled_from([layout, layout.upper()])))
    shape: tuple[int, ...] = (c, *spatial)
    layers, expected = [first], [(shape, 0)]
    error_at = None
    for index in range(1, draw(st.integers(0, 4)) + 1):
        kind = draw(st.sampled_from(["conv", "conv", "convT", "maxpool", "avgpool",
                                     "subsample", "relu", "bn", "fc", "flatten"]))
        if len(shape) == 1 and kind not in ("relu", "bn", "fc", "flatten"):
            kind = "relu"
        layer = Layer(kind)
        c, sp = shape[0], shape[1:]
        try:
            if kind in ("relu", "bn"):
                out_shape, params = shape, (2 * c if kind == "bn" else 0)
            elif kind == "flatten":
                out_shape, params = (math.prod(shape),), 0
            elif kind == "fc":
                out = draw(st.integers(1, 16))
                layer.words.append(str(out))
                bias = not draw(st.booleans())
                if not bias:
                    layer.words.append("nobias")
                out_shape = (out,)
                params = math.prod(shape) * out + (out if bias else 0)
            elif kind in ("conv", "convT"):
                out = draw(st.integers(1, 8))
                layer.words.append(str(out))
                k, ktext = _axes(draw, len(sp), 1, 4)
                _opt(draw, layer, "k", ktext)
                s, stext = _axes(draw, len(sp), 1, 3)
                d, dtext = _axes(draw, len(sp), 1, 2)
                if draw(st.booleans()):
                    _opt(draw, layer, "s", stext)
                else:
                    s = (1,) * len(sp)
                if draw(st.booleans()):
                    _opt(draw, layer, "d", dtext)
                else:
                    d = (1,) * len(sp)
                g = draw(st.sampled_from(_divisors(c, out)))
                if g > 1 or draw(st.booleans()):
                    _opt(draw, layer, "g", str(g))
                bias = not draw(st.booleans())
                if not bias:
                    layer.words.append("nobias")
                if kind == "conv":
                    pad = draw(st.sampled_from(["ints", "ints", "same", "valid"]))
                    if pad == "same" and set(s) == {1}:
                        _opt(draw, layer, "p", "same")
                        o = sp  # stride 1, total padding d(k−1): the size is kept
                    else:
                        p, ptext = ((0,) * len(sp), "valid") if pad == "valid" else _axes(
                            draw, len(sp), 0, 2)
                        if pad == "valid" or draw(st.booleans()):
                            _opt(draw, layer, "p", ptext)
                        else:
                            p = (0,) * len(sp)
                        o = conv_output_size(sp, k, s, p, d)
                else:
                    p, ptext = _axes(draw, len(sp), 0, 2)
                    op, optext = _axes(draw, len(sp), 0, 2)
                    _opt(draw, layer, "p", ptext)
                    if draw(st.booleans()):
                        _opt(draw, layer, "op", optext)
                    else:
                        op = (0,) * len(sp)
                    o = conv_transpose_output_size(sp, k, s, p, op, d)
                out_shape = (out, *o)
                params = out * (c // g) * math.prod(k) + (out if bias else 0)
            else:  # maxpool, avgpool, subsample
                k, ktext = _axes(draw, len(sp), 1, 4)
                _opt(draw, layer, "k", ktext)
                s, d, p = k, (1,) * len(sp), (0,) * len(sp)
                if draw(st.booleans()):
                    s, stext = _axes(draw, len(sp), 1, 3)
                    _opt(draw, layer, "s", stext)
                ceil = False
                if kind != "subsample":
                    if draw(st.booleans()):
                        p, ptext = _axes(draw, len(sp), 0, 2)
                        _opt(draw, layer, "p", ptext)
                    if kind == "maxpool" and draw(st.booleans()):
                        d, dtext = _axes(draw, len(sp), 1, 2)
                        _opt(draw, layer, "d", dtext)
                    ceil = draw(st.booleans())
                    if ceil:
                        layer.words.append(draw(st.sampled_from(_FLAG_SPELLINGS["ceil"])))
                o = pool_output_size(sp, k, s, p, d, ceil_mode=ceil)
                out_shape, params = (c, *o), (2 * c if kind == "subsample" else 0)
        except InvalidArgument:
            error_at = index
        words = layer.words[1:] if kind in ("conv", "convT", "fc") else layer.words
        head = layer.words[:1] if kind in ("conv", "convT", "fc") else []
        layer.words = head + draw(st.permutations(words))  # options in any order
        layer.kind = draw(st.sampled_from([kind, kind.upper(), kind.lower()]))
        layers.append(layer)
        if error_at is not None:
            break
        expected.append((out_shape, params))
        shape = out_shape
    return Case(layers, expected, error_at)


def _texts(draw: st.DrawFn, layers: list[Layer]) -> list[str]:
    space = st.sampled_from([" ", " ", "  ", "\t"])
    return [layer.kind + "".join(draw(space) + w for w in layer.words) for layer in layers]


def _render(draw: st.DrawFn, layers: list[Layer]) -> tuple[str, list[str]]:
    """The spec string (random separators, empty layers) and its list form."""
    items = _texts(draw, layers)
    seps = st.sampled_from(["; ", ";", "\n", " ;; ", ";\n"])
    text = items[0] + "".join(draw(seps) + item for item in items[1:])
    return text + draw(st.sampled_from(["", ";", "\n", " "])), items


@FUZZ
@given(st.data())
def test_valid_specs_agree_with_the_formulas(data: st.DataObject) -> None:
    case = data.draw(valid_cases())
    text, items = _render(data.draw, case.layers)
    for spec in (text, items):
        net, err = outcome(network_shapes, spec)
        if case.error_at is not None:
            assert err is not None, (spec, net)
            assert str(err).startswith(f"layer {case.error_at} ("), (spec, str(err))
            continue
        assert err is None, (spec, str(err))
        assert [(x.shape, x.params) for x in net.layers] == case.expected, spec
        for x in net.layers:  # conv MACs: ∏o · C_out · (C_in/g) · ∏k = (params − bias)·∏o
            if x.kind == "conv" and "nobias" in x.spec.lower():
                assert x.macs == x.params * math.prod(x.shape[1:])


# Tokens to insert: the grammar's own, in the wrong places, and garbage.
_VOCAB = [
    "k=3", "s=2", "p=1", "d=2", "g=2", "op=1", "table=lenet5", "layout=hwc", "ceil", "nobias",
    "stride=2", "kernel_size=2", "ceil_mode", "ciel", "junk", "7", "3x3", "3x3x3x3", "0",
    "k=", "=", "=3", "k=0", "s=-1", "p=same", "p=valid", "p=sme", "k=3.5", "k=1e3", "k=٣",
    "k=０", "x", "3x", "x3", "3xx3", "relu", "conv", "input", "input 3x8x8", "fc", "10",
    "4611686018427387904", "4611686018427387905", "9" * 30, "9" * 5000, "k=" + "9" * 4400,
    "×", "\u2028", "\x00", "\x1c", "\ufeff", "🙂", ";", ";;", "\n", "'", '"', "(3,3)", "-",
    "nan", "inf", "None", "__import__('os')", "{}", "k=3;k=4", "layout=nchw", "layout=cl",
]


@st.composite
def mutated_specs(draw: st.DrawFn) -> tuple[str, list[str]]:
    case = draw(valid_cases())
    tokens = [[layer.kind, *layer.words] for layer in case.layers]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(tokens) - 1))
        row = tokens[i]
        j = draw(st.integers(0, len(row)))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "insert", "unicode",
                                       "huge", "empty", "swap"]))
        if action == "delete" and row:
            del row[min(j, len(row) - 1)]
        elif action == "duplicate" and row:
            row.insert(j, row[min(j, len(row) - 1)])
        elif action == "insert":
            row.insert(j, draw(st.sampled_from(_VOCAB)))
        elif action == "unicode":
            row.insert(j, draw(st.text(min_size=1, max_size=6)))
        elif action == "huge":
            row.insert(j, draw(st.sampled_from(["", "k=", "s=", "fc "])) + "9" * draw(
                st.integers(19, 6000)))
        elif action == "empty":
            tokens.insert(i, [])
        elif len(tokens) > 1:
            a, b = draw(st.permutations(range(len(tokens))))[:2]
            tokens[a], tokens[b] = tokens[b], tokens[a]
    items = [" ".join(row) for row in tokens]
    return "; ".join(items), items


@FUZZ
@given(mutated_specs())
def test_mutated_specs_give_a_result_or_name_the_layer(spec: tuple[str, list[str]]) -> None:
    for form in spec:
        net, err = outcome(network_shapes, form)
        if err is None:
            net.table()
        else:
            assert_names(err, "layer ", "spec")
            assert "\n" not in str(err) and len(str(err)) < 2000, str(err)


_GARBAGE = st.text(
    alphabet=st.sampled_from(list("0123456789xX×=;\n\t kspdgoc_ilnbaeuvtrTmfyw٣０\u2028\x00-.")),
    max_size=60,
)


@FUZZ
@given(_GARBAGE, st.sampled_from(["", "input 3x8x8;", "input 1x16;"]))
def test_garbage_gives_a_result_or_invalid_argument(text: str, prefix: str) -> None:
    net, err = outcome(network_shapes, prefix + text)
    if err is not None:
        assert_names(err, "layer ", "spec")
    else:
        assert net.layers[0].kind == "input"


@FUZZ
@given(st.data())
def test_duplicated_or_foreign_options_are_always_refused(data: st.DataObject) -> None:
    case = data.draw(valid_cases())
    if case.error_at is not None:
        case.layers = case.layers[: case.error_at]
    i = data.draw(st.integers(0, len(case.layers) - 1))
    layer = case.layers[i]
    kind = "convT" if layer.kind.lower() == "convt" else layer.kind.lower()
    kind = {"in": "input"}.get(kind, kind)
    accepted, flags = _ACCEPTS[kind]
    has_count = kind in ("input", "conv", "convT", "fc")
    given_words = layer.words[1:] if has_count else layer.words
    how = data.draw(st.sampled_from(["duplicate", "synonym", "foreign", "number", "word"]))
    if how in ("duplicate", "synonym") and given_words:
        word = data.draw(st.sampled_from(given_words))
        if how == "synonym" and "=" in word:
            name, value = word.split("=", 1)
            key = next(k for k, v in _SPELLINGS.items() if name in v)
            word = f"{data.draw(st.sampled_from(_SPELLINGS[key]))}={value}"
        fragments = ("repeats", "twice")
    elif how == "foreign" and (set(_SPELLINGS) - accepted or set(_FLAG_SPELLINGS) - flags):
        foreign = [f"{s}=2" for k in set(_SPELLINGS) - accepted for s in _SPELLINGS[k]]
        foreign += [s for k in set(_FLAG_SPELLINGS) - flags for s in _FLAG_SPELLINGS[k]]
        word = data.draw(st.sampled_from(sorted(foreign)))
        fragments = ("does not apply", "accepts no options")
    elif how == "number":
        word = data.draw(st.sampled_from(["7", "3x3", "9" * 30]))
        fragments = ("number", "too large")
    else:
        word = data.draw(st.sampled_from(["junk", "ciel", "nobais", "strid", "hwc", "k"]))
        fragments = (word,)
    layer.words.insert(data.draw(st.integers(int(has_count), len(layer.words))), word)
    text, items = _render(data.draw, case.layers)
    for spec in (text, items):
        with pytest.raises(InvalidArgument) as info:
            network_shapes(spec)
        message = str(info.value)
        assert message.startswith(f"layer {i} ("), (spec, message)
        shown = word if len(word) < 30 else word[:10]
        assert shown.lower() in message.lower(), (spec, word, message)
        assert any(f in message for f in fragments), (spec, fragments, message)


@settings(FUZZ, suppress_health_check=[*FUZZ.suppress_health_check,
                                       HealthCheck.function_scoped_fixture])
@given(spec=st.one_of(mutated_specs().map(lambda s: s[0]), _GARBAGE, st.text(max_size=40),
                      st.sampled_from(["lenet5", "vgg16", " AlexNet "])))
def test_cli_prints_a_table_or_one_line_on_stderr(spec: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    try:
        status = main(["shape", "--", spec])
    except SystemExit as exc:
        status = exc.code  # type: ignore[assignment]
    out, err = capsys.readouterr()
    if status == 0:
        assert err == "" and out.startswith("layer")
    else:
        assert status == 2 and out == "", (status, out)
        assert len(err.splitlines()) == 1 and err.startswith("convmath shape: "), err
