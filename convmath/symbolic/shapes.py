"""Network sizes as formulas: ``input 3xHxW`` gives every layer's size in ``H`` and ``W``.

The spec is the one of :func:`convmath.numeric.network_shapes` (the same parser, imported
when needed: this module does not import NumPy when it is imported); a spatial size of the
input may be a *name* (letters, digits, ``_``, no ``x``; the same name twice means equal
sizes). Each name becomes a SymPy ``Symbol(name, integer=True, positive=True)`` built from
the validated token — the text is never evaluated. Sizes, MACs and connections become
formulas (``⌊(H − 11)/4⌋ + 1``); parameters stay numbers unless an fc layer reads a
symbolic size.

It also answers "for which input sizes does this network fit?":

- *non-empty*: every output size is a non-decreasing function of each input size, so the
  layers are non-empty exactly for ``H ≥ H_min``; ``H_min`` is found by search on the
  numeric size formulas (``conv_output_size`` & co.), for each layer and for the network;
- *whole* (a layer reads its whole input, ``(i + 2p − d(k − 1) − 1)/s`` a whole number)
  and *merges* (the branches of ``add``/``concat`` agree): above ``H_min``, the size of
  every layer changes by a fixed amount when ``H`` grows by the product ``P`` of the
  strides before it, so these conditions are periodic in ``H`` with period ``P``; they are
  found by trying one period and printed as congruences (``H ≡ 3 (mod 4)``). A layer with
  the flag ``exact`` must be whole: its condition is part of the answer.

>>> net = symbolic_network_shapes("input 3xHxW; conv 96 k=11 s=4 exact; maxpool k=3 s=2")
>>> formula(net.layers[1].shape[1])
'⌊(H − 11)/4⌋ + 1'
>>> net.fits  # maxpool k=3 needs ⌊(H − 11)/4⌋ + 1 ≥ 3; exact asks 4 | H − 11
'H ≥ 19, H ≡ 3 (mod 4), W ≥ 19, W ≡ 3 (mod 4)'
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy
from sympy import Expr, Integer, Symbol

from convmath.errors import InvalidArgument

__all__ = ["SymbolicLayer", "SymbolicNetwork", "formula", "symbolic_network_shapes"]

#: Periods (products of strides) above this are not enumerated: the condition is then
#: reported as not computed.
MAX_PERIOD = 1 << 14


# --- printing ---------------------------------------------------------------------------------

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def formula(e: Any) -> str:
    """``e`` in the notation of the tables: ``⌊(H − 1)/2⌋ + 1``, ``96·H·W``."""
    e = sympy.sympify(e, strict=True)
    if e.is_Integer:
        return f"{int(e):,}".replace(",", "") if abs(int(e)) < 10**6 else f"{int(e)}"
    if e.is_Rational:
        return f"{e.p}/{e.q}"
    if e.is_Symbol:
        return str(e.name)
    if isinstance(e, (sympy.floor, sympy.ceiling)):
        left, right = ("⌊", "⌋") if isinstance(e, sympy.floor) else ("⌈", "⌉")
        arg = e.args[0]
        q = math.lcm(*[int(sympy.fraction(c)[1]) for c in _coefficients(arg)])
        if q == 1:
            return f"{left}{formula(arg)}{right}"
        num = sympy.expand(arg * q)
        inner = formula(num)
        if isinstance(num, sympy.Add):
            inner = f"({inner})"
        return f"{left}{inner}/{q}{right}"
    if isinstance(e, sympy.Add):
        terms = sorted(e.args, key=lambda t: (t.is_number, sympy.default_sort_key(t)))
        out = ""
        for t in terms:
            negative = t.could_extract_minus_sign()
            body = formula(-t if negative else t)
            out += (" − " if negative else " + ") + body if out else ("−" if negative else
                                                                       "") + body
        return out
    if isinstance(e, sympy.Mul):
        coeff, rest = e.as_coeff_Mul()
        if coeff.is_negative:
            return "−" + formula(-e)
        factors = list(sympy.Mul.make_args(rest))
        parts = [formula(coeff)] if coeff != 1 else []
        for f in factors:
            text = formula(f)
            parts.append(f"({text})" if isinstance(f, sympy.Add) else text)
        return "·".join(parts)
    if isinstance(e, sympy.Pow) and e.exp.is_Integer and int(e.exp) > 1:
        base = formula(e.base)
        if not (e.base.is_Symbol or isinstance(e.base, (sympy.floor, sympy.ceiling))):
            base = f"({base})"
        return base + str(int(e.exp)).translate(_SUPERSCRIPT)
    if isinstance(e, (sympy.Min, sympy.Max)):
        return f"{type(e).__name__.lower()}({', '.join(formula(a) for a in e.args)})"
    if isinstance(e, sympy.Piecewise):
        cases = [f"{formula(v)} if {c}" if c is not sympy.true else f"{formula(v)} otherwise"
                 for v, c in e.args]
        return "{" + "; ".join(cases) + "}"
    return str(e)


def _coefficients(e: Expr) -> list[Expr]:
    """The rational coefficients of a sum (its constant too)."""
    out = []
    for term in sympy.Add.make_args(e):
        coeff, _ = term.as_coeff_Mul()
        out.append(coeff)
    return out


# --- the result --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SymbolicLayer:
    """One layer: output shape, parameters, MACs, connections (numbers or SymPy formulas),
    receptive field, and the conditions on the input sizes for it to be non-empty and whole.

    ``nonempty`` and ``whole`` map each size name to a readable condition (``"H ≥ 11"``,
    ``"H ≡ 3 (mod 4)"``); ``required`` is True for a layer that must be whole (``exact``)
    and for merges (whose branches must agree)."""

    spec: str
    kind: str
    shape: tuple[Expr, ...]
    params: Expr
    macs: Expr
    connections: Expr
    receptive_field: tuple[Expr, ...] | str | None
    jump: tuple[Expr, ...] | None
    start: tuple[Expr, ...] | None
    nonempty: dict[str, str]
    whole: dict[str, str]
    required: bool = False
    note: str = ""


@dataclass(frozen=True)
class SymbolicNetwork:
    """Every layer of a network with symbolic input sizes, the totals, and the conditions."""

    symbols: tuple[Symbol, ...]
    layers: tuple[SymbolicLayer, ...]
    minimum: dict[str, int | None]  # per name: smallest size with every layer non-empty
    fits_by_name: dict[str, str]  # per name: non-empty and every required condition
    whole_by_name: dict[str, str]  # per name: every layer whole

    @property
    def params(self) -> Expr:
        return sympy.Add(*[x.params for x in self.layers])

    @property
    def macs(self) -> Expr:
        return sympy.Add(*[x.macs for x in self.layers])

    @property
    def connections(self) -> Expr:
        return sympy.Add(*[x.connections for x in self.layers])

    @property
    def fits(self) -> str:
        """The sizes for which the network can be computed: ``"H ≥ 11, H ≡ 3 (mod 4), …"``."""
        return ", ".join(v for v in self.fits_by_name.values() if v) or "any size"

    @property
    def all_whole(self) -> str:
        """The sizes for which every layer reads its whole input (no rounding anywhere)."""
        return ", ".join(v for v in self.whole_by_name.values() if v) or "any size"

    def table(self, fmt: str = "text") -> str:
        """The layers as ``"text"`` (one block per layer), ``"markdown"``, ``"csv"`` or
        ``"json"`` (formulas as strings, in the notation of :func:`formula`)."""
        header = ["layer", "output", "params", "MACs", "connections", "RF", "jump", "start",
                  "non-empty for", "whole for", "note"]
        rows = [[x.spec, _axes(x.shape), _count(x.params), _count(x.macs),
                 _count(x.connections), _field(x.receptive_field), _axes(x.jump),
                 _axes(x.start), ", ".join(v for v in x.nonempty.values() if v),
                 ", ".join(v for v in x.whole.values() if v)
                 + (" (required)" if x.required and any(x.whole.values()) else ""), x.note]
                for x in self.layers]
        summary = [f"fits for: {self.fits}",
                   f"every layer reads its whole input for: {self.all_whole}"]
        totals = [f"total params: {_count(self.params)}", f"total MACs: {_count(self.macs)}",
                  f"total connections: {_count(self.connections)}",
                  "FLOPs = 2·MACs (bias additions not counted)"]
        if fmt == "json":
            layers = []
            for x, row in zip(self.layers, rows, strict=True):
                item: dict[str, Any] = dict(zip(header, row, strict=True))
                item.update(shape=[formula(v) for v in x.shape], params=_number(x.params),
                            MACs=_number(x.macs), connections=_number(x.connections))
                layers.append(item)
            return json.dumps({
                "symbols": [s.name for s in self.symbols], "layers": layers,
                "params": _number(self.params), "macs": _number(self.macs),
                "connections": _number(self.connections),
                "minimum": self.minimum, "fits": self.fits, "all_whole": self.all_whole,
            }, indent=1, ensure_ascii=False)
        if fmt == "csv":
            import csv
            import io

            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerows([header, *rows])
            return buffer.getvalue().rstrip("\n")
        if fmt == "markdown":
            def md(cells: list[str]) -> str:
                return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"
            lines = [md(header), "|" + "|".join(["---"] * len(header)) + "|"]
            lines += [md(r) for r in rows]
            return "\n".join([*lines, "", *[f"- {s}" for s in totals + summary]])
        if fmt != "text":
            raise InvalidArgument(f"fmt={fmt!r} must be one of text, markdown, csv, json")
        lines = []
        for i, (x, row) in enumerate(zip(self.layers, rows, strict=True)):
            lines.append(f"layer {i}: {x.spec}")
            lines.append(f"  {'output':<15}{row[1]}")
            if x.params != 0 or x.macs != 0 or x.connections != 0:
                lines += [f"  {'params':<15}{row[2]}", f"  {'MACs':<15}{row[3]}",
                          f"  {'connections':<15}{row[4]}"]
            if x.kind not in _QUIET:
                lines.append(f"  {'RF':<15}{row[5]}, jump {row[6]}, start {row[7]}")
            if row[8]:
                lines.append(f"  {'non-empty':<15}{row[8]}")
            if row[9]:
                label = "must be whole" if x.required else "whole for"
                lines.append(f"  {label:<15}{row[9].replace(' (required)', '')}")
            if x.note:
                lines.append(f"  {'note':<15}{x.note}")
        return "\n".join([*lines, *totals, *summary])


_QUIET = ("relu", "tanh", "sigmoid", "lrn", "dropout", "bn", "save", "flatten")


def _count(e: Any) -> str:
    e = sympy.sympify(e, strict=True)
    return f"{int(e):,}" if e.is_Integer else formula(e)


def _number(e: Any) -> int | str:
    """An int for a number, the formula's text otherwise (for JSON)."""
    e = sympy.sympify(e, strict=True)
    return int(e) if e.is_Integer else formula(e)


def _axes(values: Sequence[Any] | None) -> str:
    if values is None:
        return "—"
    exprs = [sympy.sympify(v, strict=True) for v in values]
    if all(e.is_Integer for e in exprs):
        return "×".join(formula(e) for e in exprs)
    return " × ".join(f"({formula(e)})" if isinstance(e, sympy.Add) else formula(e)
                      for e in exprs)


def _field(value: Any) -> str:
    return value if isinstance(value, str) else _axes(value)


# --- the walk ------------------------------------------------------------------------------------


@dataclass
class _Step:
    """What the per-axis integer walk needs to know about one layer."""

    kind: str
    geom: Any = None
    label: str | None = None


def symbolic_network_shapes(spec: str | Sequence[str]) -> SymbolicNetwork:
    """Every layer of ``spec`` with the input's named sizes kept as SymPy symbols (see the
    module docstring). A spec without names works too (all sizes are then numbers). Errors
    are InvalidArgument naming the layer, as in :func:`convmath.numeric.network_shapes`."""
    from convmath.numeric import _network as nw

    layers = nw._parse_network(spec)
    shape0, note0 = nw._input_shape(layers[0])
    symbols: dict[str, Symbol] = {}
    for v in shape0[1:]:
        if isinstance(v, str) and v not in symbols:
            symbols[v] = Symbol(v, integer=True, positive=True)  # from the validated token
    sizes: tuple[Expr, ...] = tuple(
        symbols[v] if isinstance(v, str) else Integer(v) for v in shape0)
    n = len(sizes) - 1
    steps: list[_Step] = [_Step("input")]
    raw: list[dict[str, Any]] = [dict(spec=layers[0].text, kind="input", shape=sizes,
                                      params=Integer(0), macs=Integer(0),
                                      connections=Integer(0), field=nw._rf_input(n),
                                      note=note0)]
    state = (sizes, nw._rf_input(n))
    saved: dict[str, tuple[tuple[Expr, ...], Any]] = {}
    for layer in layers[1:]:
        try:
            step, row, state = _apply(nw, layer, state, saved, symbols)
        except InvalidArgument as exc:
            if str(exc).startswith(f"layer {layer.index} ("):
                raise
            raise layer.error(str(exc)) from None
        steps.append(step)
        raw.append(row)
        if layer.kind.name == "save":
            assert layer.count is not None
            saved[layer.count.lower()] = state
    conditions = _conditions(nw, layers, steps, shape0)
    out = []
    for index, row in enumerate(raw):
        fld = row["field"]
        is_rf = isinstance(fld, nw._RF)
        nonempty, whole, required = conditions.per_layer(index)
        out.append(SymbolicLayer(
            row["spec"], row["kind"], row["shape"], row["params"], row["macs"],
            row["connections"], fld.r if is_rf else fld, fld.j if is_rf else None,
            fld.start if is_rf else None, nonempty, whole, required, row["note"]))
    return SymbolicNetwork(tuple(symbols.values()), tuple(out), conditions.minimum,
                           conditions.fits, conditions.all_whole)


def _apply(nw: Any, layer: Any, state: tuple[tuple[Expr, ...], Any],
           saved: dict[str, tuple[tuple[Expr, ...], Any]], symbols: dict[str, Symbol]
           ) -> tuple[_Step, dict[str, Any], tuple[tuple[Expr, ...], Any]]:
    kind = layer.kind.name
    shape, rf = state
    c, spatial = shape[0], shape[1:]
    n = len(spatial)
    zero = Integer(0)

    def row(new_shape: tuple[Expr, ...], field: Any, params: Any = zero, macs: Any = zero,
            connections: Any = zero, note: str = "") -> dict[str, Any]:
        return dict(spec=layer.text, kind=kind, shape=tuple(sympy.sympify(v, strict=True)
                                                            for v in new_shape),
                    params=sympy.sympify(params, strict=True),
                    macs=sympy.sympify(macs, strict=True),
                    connections=sympy.sympify(connections, strict=True), field=field,
                    note=note)

    if kind in nw._ELEMENTWISE or kind == "save":
        r = row(shape, rf, params=2 * c if kind == "bn" else 0)
        return _Step(kind, label=(layer.count or "").lower() or None), r, state
    if kind in ("from", "add", "concat"):
        other = saved.get((layer.count or "").lower())
        if other is None:
            nw._saved(layer, {k: None for k in saved})  # raises the numeric message
            raise AssertionError("unreachable")  # pragma: no cover
        step = _Step(kind, label=(layer.count or "").lower())
        if kind == "from":
            return step, row(other[0], other[1]), other
        a, b = (shape, other[0]) if kind == "add" else (shape[1:], other[0][1:])
        if len(a) != len(b) or (kind == "add" and sympy.simplify(a[0] - b[0]) != 0):
            raise layer.error(
                f"cannot {kind} branches of different shapes: the current tensor is "
                f"{_axes(shape)} but {layer.count!r} is {_axes(other[0])}"
            )
        merged = shape if kind == "add" else (other[0][0] + c, *spatial)
        field = nw._rf_union(other[1], rf, sympy.Min, sympy.Max)
        return step, row(merged, field), (merged, field)
    if kind == "flatten":
        flat = (sympy.Mul(*shape),)
        return _Step(kind), row(flat, rf), (flat, rf)
    if kind in ("fc", "rbf"):
        out = nw._count(layer, "OUT", layer.count)
        fan_in = sympy.Mul(*shape)
        bias = 0 if (kind == "rbf" or "nobias" in layer.flags) else out
        params = 0 if kind == "rbf" else fan_in * out + bias
        return _Step(kind), row((out,), "all", params, fan_in * out, fan_in * out + bias), (
            (Integer(out),), "all")
    if n == 0:
        raise layer.error(f"needs spatial axes, but its input has shape {_axes(shape)}")
    if not c.is_Integer:  # pragma: no cover - only flatten makes C symbolic, and it has no axes
        raise layer.error("its channel count must be a number")
    if kind == "gap":
        ones = (Integer(1),) * n
        field = nw._rf_window(rf, spatial, spatial, (0,) * n, (1,) * n)
        new = (c, *ones)
        return _Step(kind), row(new, field, connections=c * sympy.Mul(*spatial)), (new, field)
    geom = nw._geometry(layer, int(c), n)
    k, s, p, d = geom.k, geom.s, geom.p, geom.d
    taps = math.prod(k)
    if kind == "convt":
        o = tuple((i - 1) * ss - 2 * pp + dd * (kk - 1) + oo + 1
                  for i, kk, ss, pp, dd, oo in zip(spatial, k, s, p, d, geom.op, strict=True))
        for ax, i in enumerate(spatial):  # also checks op < max(s, d) on numeric axes
            if i.is_Integer:
                nw.conv_transpose_output_size(int(i), k[ax], s[ax], p[ax], geom.op[ax], d[ax])
        if all(v == 1 for v in s):
            field = nw._rf_window(rf, k, s, [dd * (kk - 1) - pp for kk, dd, pp in zip(
                k, d, p, strict=True)], d)
        else:
            field = None
        macs = sympy.Mul(*spatial) * geom.fan * taps
        bias = geom.out * sympy.Mul(*o) if geom.bias else 0
        new = (Integer(geom.out), *o)
        return _Step(kind, geom), row(new, field, geom.fan * taps + (geom.out if geom.bias
                                                                    else 0), macs,
                                      macs + bias), (new, field)
    if geom.same:
        o = tuple(spatial)
    else:
        o = tuple(_window_size(i, kk, ss, pp, dd, geom.ceil)
                  for i, kk, ss, pp, dd in zip(spatial, k, s, p, d, strict=True))
    field = nw._rf_window(rf, k, s, geom.before, d)
    positions = sympy.Mul(*o)
    if kind == "conv":
        macs = positions * geom.fan * taps
        bias = geom.out * positions if geom.bias else 0
        new = (Integer(geom.out), *o)
        return _Step(kind, geom), row(new, field, geom.fan * taps + (geom.out if geom.bias
                                                                    else 0), macs,
                                      macs + bias), (new, field)
    bias = c * positions if kind == "subsample" else 0
    new = (c, *o)
    return _Step(kind, geom), row(new, field, 2 * c if kind == "subsample" else 0, 0,
                                  c * positions * taps + bias), (new, field)


def _window_size(i: Expr, k: int, s: int, p: int, d: int, ceil: bool) -> Expr:
    """``⌊(i + 2p − d(k−1) − 1)/s⌋ + 1``; in ceil mode PyTorch's rule (numerator + s − 1,
    then one less when the last window starts in the right padding)."""
    eff = d * (k - 1) + 1
    if not ceil:
        return sympy.floor((i + 2 * p - eff) / Integer(s)) + 1
    o = sympy.floor((i + 2 * p - eff + s - 1) / Integer(s)) + 1
    if p + s - 1 < eff:  # (o − 1)·s ≤ i + 2p − eff + s − 1 < i + p: never corrected
        return o
    return sympy.Piecewise((o - 1, (o - 1) * s >= i + p), (o, True))


# --- the conditions ------------------------------------------------------------------------------


@dataclass
class _Conditions:
    minimum: dict[str, int | None]
    fits: dict[str, str]
    all_whole: dict[str, str]
    nonempty: dict[int, dict[str, str]]
    whole: dict[int, dict[str, str]]
    required: set[int]

    def per_layer(self, index: int) -> tuple[dict[str, str], dict[str, str], bool]:
        return (self.nonempty.get(index, {}), self.whole.get(index, {}),
                index in self.required)


def _walk(nw: Any, steps: Sequence[_Step], axis: int, h: int
          ) -> tuple[int | None, dict[int, int], set[int]]:
    """One spatial axis with input size ``h``: the first layer whose output is empty (None
    if none), each dividing layer's remainder ``(i + 2p − d(k−1) − 1) mod s``, and the merges
    whose branches differ on this axis."""
    size: int | None = h
    saved: dict[str, int | None] = {}
    remainders: dict[int, int] = {}
    mismatches: set[int] = set()
    for index, step in enumerate(steps):
        if index == 0 or size is None:
            continue
        kind, g = step.kind, step.geom
        if kind == "save":
            saved[step.label or ""] = size
        elif kind == "from":
            size = saved[step.label or ""]
        elif kind in ("add", "concat"):
            if saved[step.label or ""] != size:
                mismatches.add(index)
        elif kind in ("fc", "rbf", "flatten"):
            return None, remainders, mismatches
        elif kind == "gap":
            size = 1
        elif g is not None and not g.same:
            k, s, p, d = g.k[axis], g.s[axis], g.p[axis], g.d[axis]
            try:
                if kind == "convt":
                    size = nw.conv_transpose_output_size(size, k, s, p, g.op[axis], d)
                    continue
                if kind == "conv":
                    new = nw.conv_output_size(size, k, s, p, d)
                else:
                    new = nw.pool_output_size(size, k, s, p, d, ceil_mode=g.ceil)
            except InvalidArgument:
                return index, remainders, mismatches
            if s > 1:
                remainders[index] = (size + 2 * p - d * (k - 1) - 1) % s
            size = new
    return None, remainders, mismatches


def _congruence(name: str, residues: set[int], period: int) -> str:
    """``{3} mod 4`` → ``"H ≡ 3 (mod 4)"`` at the smallest modulus that describes the set."""
    if not residues:
        return f"no {name} works"
    for m in sorted(v for v in range(1, period + 1) if period % v == 0):
        reduced = {r % m for r in residues}
        if all((r % m in reduced) == (r in residues) for r in range(period)):
            if m == 1:
                return ""
            if len(reduced) == 1:
                return f"{name} ≡ {reduced.pop()} (mod {m})"
            return f"{name} mod {m} ∈ {{{', '.join(map(str, sorted(reduced)))}}}"
    raise AssertionError("unreachable")  # pragma: no cover - m = period always works


def _conditions(nw: Any, layers: Sequence[Any], steps: Sequence[_Step],
                shape0: Sequence[int | str]) -> _Conditions:
    spatial = list(shape0[1:])
    names = list(dict.fromkeys(v for v in spatial if isinstance(v, str)))
    result = _Conditions({}, {}, {}, {}, {}, set())
    exact = {i for i, s in enumerate(steps) if s.geom is not None and s.geom.exact}
    merges = {i for i, s in enumerate(steps) if s.kind in ("add", "concat")}
    result.required = exact | merges
    # numeric axes: checked once, like the numeric network_shapes does
    for axis, v in enumerate(spatial):
        if isinstance(v, int):
            fail, rem, bad = _walk(nw, steps, axis, v)
            problems = [i for i in exact if rem.get(i)] + sorted(bad)
            problem = fail if fail is not None else min(problems, default=None)
            if problem is not None:
                layer = layers[problem]
                raise layer.error(
                    f"fails on axis {axis} of size {v} (empty output, a remainder where "
                    "'exact' is asked, or branches that disagree); compute it with numbers "
                    "for the details"
                )
    for name in names:
        axes = [a for a, v in enumerate(spatial) if v == name]

        def walk(h: int, axes: list[int] = axes) -> tuple[int | None, dict[int, int], set[int]]:
            fails = [_walk(nw, steps, a, h) for a in axes]
            firsts = [f for f, _, _ in fails if f is not None]
            remainders: dict[int, int] = {}
            for _, rem, _ in fails:
                for i, r in rem.items():
                    remainders[i] = max(remainders.get(i, 0), r)
            return (min(firsts) if firsts else None, remainders,
                    set().union(*[b for _, _, b in fails]))

        lowest = _lowest(lambda h: walk(h)[0] is None)
        result.minimum[name] = lowest
        if lowest is None:
            result.fits[name] = f"no {name} (some layer is empty for every size)"
            result.all_whole[name] = ""
            continue
        _per_layer_minimum(walk, lowest, len(steps), name, result)
        period = 1  # a multiple of the true period: the product of the strides
        for step in steps:
            if step.geom is not None and step.kind != "convt":
                period *= math.lcm(*[step.geom.s[a] for a in axes])
        fits = [f"{name} ≥ {lowest}"] if lowest > 1 else []
        if period > MAX_PERIOD:
            note = f"(not computed: period {period} > {MAX_PERIOD})"
            result.fits[name] = ", ".join([*fits, f"divisibility {note}"])
            result.all_whole[name] = f"{name}: {note}"
            continue
        walks = {h % period: walk(h) for h in range(lowest, lowest + period)}
        dividing = sorted({i for _, rem, _ in walks.values() for i in rem})
        for i in dividing:
            residues = {r for r, (_, rem, _) in walks.items() if rem.get(i, 0) == 0}
            text = _congruence(name, residues, period)
            if text:
                result.whole.setdefault(i, {})[name] = text
        for i in sorted(merges):
            residues = {r for r, (_, _, bad) in walks.items() if i not in bad}
            text = _congruence(name, residues, period)
            if text:
                result.whole.setdefault(i, {})[name] = text
        needed = {r for r, (_, rem, bad) in walks.items()
                  if not any(rem.get(i, 0) for i in exact) and not bad}
        text = _congruence(name, needed, period)
        result.fits[name] = ", ".join([*fits, *([text] if text else [])])
        every = {r for r, (_, rem, bad) in walks.items() if not any(rem.values()) and not bad}
        result.all_whole[name] = _congruence(name, every, period)
    return result


def _lowest(ok: Callable[[int], bool], limit: int = 1 << 62) -> int | None:
    """The smallest h ≥ 1 with ``ok(h)``, for a monotone ``ok`` (None if none up to limit)."""
    if ok(1):
        return 1
    hi = 2
    while not ok(hi):
        if hi >= limit:
            return None
        hi = min(2 * hi, limit)
    lo = hi // 2  # ok(lo) is False
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _per_layer_minimum(walk: Callable[[int], tuple[int | None, Any, Any]], lowest: int,
                       count: int, name: str, result: _Conditions) -> None:
    """For each layer, the smallest size for which it and every layer before it are
    non-empty (only layers whose minimum exceeds the previous one's are listed)."""
    if lowest == 1:
        return
    last_failing: dict[int, int] = {}  # first empty layer → the largest size it fails at
    if lowest <= 4096:
        for h in range(1, lowest):
            fail = walk(h)[0]
            assert fail is not None
            last_failing[fail] = h
    else:
        for i in range(1, count):
            def ok(h: int, i: int = i) -> bool:
                fail = walk(h)[0]
                return fail is None or fail > i
            v = _lowest(ok, lowest)
            if v is not None and v > 1:
                last_failing[i] = v - 1
    minima, running = {}, 0
    for i in sorted(last_failing):
        running = max(running, last_failing[i])
        minima[i] = running + 1
    previous = 1
    for i in sorted(minima):
        if minima[i] > previous:
            result.nonempty.setdefault(i, {})[name] = f"{name} ≥ {minima[i]}"
            previous = minima[i]
