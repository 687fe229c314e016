"""Pictures of a convolution: f, g, the flipped-and-shifted kernel with the overlap shaded,
and f ∗ g with a marker at the chosen point.

``plot_convolution(f, g, at=x)`` draws three panels:

1. f and g;
2. f(τ) and the kernel g(x − τ) (for ``xcorr=True``: g(x + τ)), with their product
   f(τ)·g(x − τ) shaded in :data:`OVERLAP_COLOR` — its signed area is (f ∗ g)(x);
3. f ∗ g (or f ⋆ g), with a marker at x.

``animate_convolution`` slides x across the support of f ∗ g and writes the frames as PNG
files and/or a GIF. Signals are formulas (a string, read by the grammar of
:mod:`convmath._plot.formula`, never evaluated as code), Python callables of a NumPy array,
or — for discrete signals — 1-D arrays (entry i is the value at n = i). Discrete signals
are drawn as stems, their product as bars.

The convolution drawn is computed numerically, accurate to the picture's resolution: on ℝ
as the grid sum h·Σₖ f(kh)·g(x − kh) on the lattice hℤ (h a power of two, about 1/200 of the
narrower support; at a jump the built-in step and rect take their midpoint value, so the sum
is the trapezoid rule, error O(h²) for piecewise-smooth signals); on ℤ exactly, with
``numpy.convolve``. The support of each signal is found by sampling ±50 (±200 on ℤ) and
keeping where |f| exceeds 10⁻³ of its maximum; a signal that has not decayed there is cut
at ±10 (±20 on ℤ) — pass ``span=(lo, hi)`` to cut both signals to a chosen interval.

matplotlib is an optional dependency (``pip install 'convmath[plot]'``); it is imported
only when a picture is drawn, and its absence raises :class:`PlotDependencyError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from convmath._plot.formula import Formula, FormulaError, parse_formula
from convmath.errors import ConvmathError, InvalidArgument

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.figure import Figure

__all__ = [
    "OVERLAP_COLOR",
    "Formula",
    "FormulaError",
    "PlotDependencyError",
    "animate_convolution",
    "parse_formula",
    "plot_convolution",
]

#: the fill colour of the overlap f(τ)·g(x − τ) (used nowhere else in the picture)
OVERLAP_COLOR = "#ffb347"
F_COLOR = "#1f77b4"
G_COLOR = "#d62728"
CONV_COLOR = "#2a7a2a"
_FORMATS = (".png", ".svg", ".pdf")
_THRESHOLD = 1e-3

#: a signal: a formula, a callable of a NumPy array, or (discrete) a 1-D array
Signal: TypeAlias = "str | Formula | Callable[..., Any] | Sequence[float] | np.ndarray"


class PlotDependencyError(ConvmathError, ImportError):
    """An optional dependency of the pictures (matplotlib) is not installed."""


def _matplotlib() -> None:
    try:
        import matplotlib
        import matplotlib.figure  # noqa: F401
    except ImportError:
        raise PlotDependencyError(
            "matplotlib is needed: pip install 'convmath[plot]'") from None


@dataclass
class _Sig:
    name: str
    label: str
    fn: Callable[[np.ndarray], np.ndarray]
    lo: float
    hi: float


@dataclass
class _Model:
    f: _Sig
    g: _Sig
    discrete: bool
    xcorr: bool
    xs: np.ndarray  # where the convolution was computed
    conv: np.ndarray
    support: tuple[float, float]  # of f ∗ g (the x range an animation slides over)
    xlim: tuple[float, float] = (0.0, 1.0)
    ylim: tuple[float, float] = (0.0, 1.0)
    extra: dict[str, Any] = field(default_factory=dict)

    def kernel(self, x: float, tau: np.ndarray) -> np.ndarray:
        """g(x − τ) (convolution) or g(x + τ) (cross-correlation)."""
        return self.g.fn(x + tau if self.xcorr else x - tau)

    def kernel_range(self, x: float) -> tuple[float, float]:
        if self.xcorr:
            return self.g.lo - x, self.g.hi - x
        return x - self.g.hi, x - self.g.lo

    def value(self, x: float) -> float:
        import numpy as np

        return float(np.interp(x, self.xs, self.conv, left=0.0, right=0.0))


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    import numpy as np

    with np.errstate(all="ignore"):
        return np.where((a == 0) | (b == 0), 0.0, a * b)


def _wrap_callable(fn: Callable[..., Any], name: str) -> Callable[[np.ndarray], np.ndarray]:
    import numpy as np

    def call(t: np.ndarray) -> np.ndarray:
        try:
            with np.errstate(all="ignore"):
                v = np.asarray(fn(t), dtype=float)
            if v.shape == t.shape:
                return v
            if v.shape == ():
                return np.full(t.shape, float(v))
        except Exception:  # not vectorised (math.exp, an if on the value): call per point
            pass
        out = np.empty(t.shape)
        for i, s in enumerate(t.ravel()):
            try:
                out.flat[i] = float(fn(float(s)))
            except Exception as exc:
                raise InvalidArgument(f"{name}={fn!r} raised {type(exc).__name__}: {exc} "
                                      f"at {s:g}") from None
        return out

    return call


def _array_signal(values: Any, name: str) -> Callable[[np.ndarray], np.ndarray]:
    import numpy as np

    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{name}={values!r}: a discrete signal must be a 1-D array of "
                              "numbers") from None
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise InvalidArgument(f"{name}={values!r}: a discrete signal must be a non-empty 1-D "
                              "array of finite numbers")

    def call(n: np.ndarray) -> np.ndarray:
        idx = np.asarray(n, dtype=float)
        ok = (idx >= 0) & (idx < arr.size) & (idx == np.round(idx))
        out = np.zeros(idx.shape)
        out[ok] = arr[idx[ok].astype(int)]
        return out

    return call


def _is_array(obj: object) -> bool:
    return not isinstance(obj, str) and not callable(obj) and hasattr(obj, "__len__")


def _arg(var: str, discrete: bool) -> str:
    return f"[{var}]" if discrete else f"({var})"


def _signal(obj: Signal, name: str, discrete: bool,
            span: tuple[float, float] | None) -> _Sig:
    import numpy as np

    var = "n" if discrete else "t"
    if isinstance(obj, str):
        formula = parse_formula(obj, name=name, discrete=discrete)
        fn: Callable[[np.ndarray], np.ndarray] = formula
        label = f"{name}{_arg(var, discrete)} = {obj.strip()}"
    elif isinstance(obj, Formula):
        if obj.discrete != discrete:
            raise InvalidArgument(f"{name}={obj.text!r} was parsed with discrete="
                                  f"{obj.discrete}, the picture is discrete={discrete}")
        fn, label = obj, f"{name}{_arg(var, discrete)} = {obj.text}"
    elif callable(obj):
        fn, label = _wrap_callable(obj, name), f"{name}{_arg(var, discrete)}"
    elif _is_array(obj):
        if not discrete:
            raise InvalidArgument(f"{name}={obj!r}: an array is a discrete signal; pass "
                                  "discrete=True")
        fn = _array_signal(obj, name)
        n = len(obj)
        return _Sig(name, f"{name}[n] (n = 0…{n - 1})", fn, 0.0, float(n - 1))
    else:
        raise InvalidArgument(f"{name}={obj!r}: a signal is a formula (str), a callable or "
                              "(discrete) a 1-D array")
    if span is not None:
        lo_s, hi_s = span
        inner = fn

        def fn(t: np.ndarray) -> np.ndarray:
            return np.where((t >= lo_s) & (t <= hi_s), inner(t), 0.0)

        probe = (np.arange(math.ceil(lo_s), math.floor(hi_s) + 1, dtype=float) if discrete
                 else np.linspace(lo_s, hi_s, 20001))
    else:
        probe = (np.arange(-200, 201, dtype=float) if discrete
                 else np.linspace(-50.0, 50.0, 40001))
    with np.errstate(all="ignore"):
        v = np.asarray(fn(probe), dtype=float)
    bad = ~np.isfinite(v)
    if bad.any():
        raise InvalidArgument(f"{label!r} is not finite at {var} = {probe[bad][0]:g} "
                              "(span=(lo, hi) uses only that interval)")
    top = float(np.max(np.abs(v))) if v.size else 0.0
    if top == 0.0:
        where = f"[{probe[0]:g}, {probe[-1]:g}]" if probe.size else "the empty span"
        raise InvalidArgument(f"{label!r} is zero everywhere on {where}")
    keep = np.flatnonzero(np.abs(v) > _THRESHOLD * top)
    step = 0.0 if discrete else float(probe[1] - probe[0])
    lo, hi = float(probe[keep[0]]) - step, float(probe[keep[-1]]) + step
    if span is None and (keep[0] == 0 or keep[-1] == probe.size - 1):
        cut = 20.0 if discrete else 10.0
        lo = -cut if keep[0] == 0 else max(lo, -cut)
        hi = cut if keep[-1] == probe.size - 1 else min(hi, cut)
        if lo >= hi:
            lo, hi = -cut, cut
        inner2, a, b = fn, lo, hi

        def fn(t: np.ndarray) -> np.ndarray:
            return np.where((t >= a) & (t <= b), inner2(t), 0.0)

    return _Sig(name, label, fn, lo, hi)


def _model(f: Signal, g: Signal, discrete: bool | None, xcorr: bool,
           span: tuple[float, float] | None) -> _Model:
    import numpy as np

    if discrete is None:
        discrete = _is_array(f) or _is_array(g)
    if not isinstance(discrete, bool):
        raise InvalidArgument(f"discrete={discrete!r}: must be True, False or None")
    if not isinstance(xcorr, bool):
        raise InvalidArgument(f"xcorr={xcorr!r}: must be True or False")
    if span is not None:
        try:
            lo_s, hi_s = (float(s) for s in span)
        except (TypeError, ValueError):
            raise InvalidArgument(f"span={span!r}: must be two numbers (lo, hi)") from None
        if not (math.isfinite(lo_s) and math.isfinite(hi_s) and lo_s < hi_s):
            raise InvalidArgument(f"span={span!r}: must be finite with lo < hi")
        span = (lo_s, hi_s)
    fs, gs = _signal(f, "f", discrete, span), _signal(g, "g", discrete, span)
    if discrete:
        kf = np.arange(round(fs.lo), round(fs.hi) + 1, dtype=float)
        kg = np.arange(round(gs.lo), round(gs.hi) + 1, dtype=float)
        vf, vg = fs.fn(kf), gs.fn(kg)
        if xcorr:
            conv = np.convolve(vf[::-1], vg)
            x0 = -kf[-1] + kg[0]
        else:
            conv = np.convolve(vf, vg)
            x0 = kf[0] + kg[0]
        xs = x0 + np.arange(conv.size, dtype=float)
    else:
        wf, wg = fs.hi - fs.lo, gs.hi - gs.lo
        target = max(min(wf, wg) / 200, max(wf, wg) / 20000)
        h = 2.0 ** math.floor(math.log2(target))
        kf = np.arange(math.floor(fs.lo / h), math.ceil(fs.hi / h) + 1, dtype=float)
        kg = np.arange(math.floor(gs.lo / h), math.ceil(gs.hi / h) + 1, dtype=float)
        vf, vg = fs.fn(kf * h), gs.fn(kg * h)
        if xcorr:
            conv = np.convolve(vf[::-1], vg) * h
            k0 = -kf[-1] + kg[0]
        else:
            conv = np.convolve(vf, vg) * h
            k0 = kf[0] + kg[0]
        xs = (k0 + np.arange(conv.size, dtype=float)) * h
    support = ((gs.lo - fs.hi, gs.hi - fs.lo) if xcorr else (fs.lo + gs.lo, fs.hi + gs.hi))
    m = _Model(fs, gs, discrete, xcorr, xs, conv, support)
    # fixed limits, the same for every x (an animation's frames line up; areas compare)
    k_lo = min(m.kernel_range(support[0])[0], m.kernel_range(support[1])[0])
    k_hi = max(m.kernel_range(support[0])[1], m.kernel_range(support[1])[1])
    lo = min(fs.lo, gs.lo, support[0], k_lo)
    hi = max(fs.hi, gs.hi, support[1], k_hi)
    pad = 0.6 if discrete else 0.05 * (hi - lo)
    m.xlim = (lo - pad, hi + pad)
    vmin, vmax = float(min(vf.min(), vg.min())), float(max(vf.max(), vg.max()))
    fmin, fmax, gmin, gmax = float(vf.min()), float(vf.max()), float(vg.min()), float(vg.max())
    lo_y = min(0.0, vmin, fmin * gmax, fmax * gmin)
    hi_y = max(0.0, vmax, fmax * gmax, fmin * gmin)
    pad_y = 0.08 * (hi_y - lo_y or 1.0)
    m.ylim = (lo_y - pad_y, hi_y + pad_y)
    return m


def _check_at(at: object, discrete: bool) -> float:
    import numbers

    if isinstance(at, bool) or not isinstance(at, numbers.Real):
        raise InvalidArgument(f"at={at!r}: must be a number")
    x = float(at)
    if not math.isfinite(x):
        raise InvalidArgument(f"at={at!r}: must be finite")
    if discrete and not x.is_integer():
        raise InvalidArgument(f"at={at!r}: a discrete signal's index must be an integer")
    return x


def _check_dpi(dpi: object) -> int:
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 10 <= dpi <= 1000:
        raise InvalidArgument(f"dpi={dpi!r}: must be an integer from 10 to 1000")
    return dpi


def _check_out(out: object, name: str = "out") -> Path:
    if not isinstance(out, (str, Path)):
        raise InvalidArgument(f"{name}={out!r}: must be a file name")
    path = Path(out)
    if path.suffix.lower() not in _FORMATS:
        raise InvalidArgument(f"{name}={str(out)!r}: the file must end in "
                              f"{', '.join(_FORMATS)}")
    return path


class _Scene:
    """The figure: the static parts drawn once, the parts that depend on x redrawn by
    :meth:`set_x`."""

    def __init__(self, m: _Model, dpi: int) -> None:
        import numpy as np
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.m = m
        self.fig = Figure(figsize=(7.0, 7.2), dpi=dpi)
        FigureCanvasAgg(self.fig)  # draw() and buffer_rgba() work, without pyplot
        self.axes = self.fig.subplots(3, 1, sharex=True)
        # a fixed layout (not "constrained": that costs more than drawing the picture), the
        # same in every frame
        self.fig.subplots_adjust(left=0.1, right=0.97, top=0.95, bottom=0.075, hspace=0.3)
        self.dynamic: list[Any] = []
        a1, a2, a3 = self.axes
        var = "n" if m.discrete else "t"
        if m.discrete:
            self.tau = np.arange(math.floor(m.xlim[0]), math.ceil(m.xlim[1]) + 1, dtype=float)
        else:
            self.tau = np.linspace(m.xlim[0], m.xlim[1], 1601)
        fv, gv = m.f.fn(self.tau), m.g.fn(self.tau)
        self._curve(a1, fv, F_COLOR, _tex(m.f.label), "o")
        self._curve(a1, gv, G_COLOR, _tex(m.g.label), "s")
        a1.set_title("the signals", fontsize="medium")
        self._curve(a2, fv, F_COLOR, "$f[k]$" if m.discrete else r"$f(\tau)$", "o")
        op = r"\star" if m.xcorr else r"\ast"
        self.op = op
        if m.discrete:
            c = self.m.conv
            self._stem(a3, self.m.xs, c, CONV_COLOR, "o", rf"$(f {op} g)[{var}]$")
        else:
            a3.plot(m.xs, m.conv, color=CONV_COLOR, lw=1.6, label=rf"$(f {op} g)(x)$")
        for ax in self.axes:
            ax.axhline(0.0, color="0.6", lw=0.6, zorder=0)
            ax.set_xlim(*m.xlim)
        a1.set_ylim(*m.ylim)
        a2.set_ylim(*m.ylim)
        cmin, cmax = float(np.min(m.conv)), float(np.max(m.conv))
        pad = 0.08 * ((max(cmax, 0.0) - min(cmin, 0.0)) or 1.0)
        a3.set_ylim(min(cmin, 0.0) - pad, max(cmax, 0.0) + pad)
        a3.set_xlabel(r"$\tau$ (panels 1–2),  $x$ (panel 3)" if not m.discrete
                      else "k (panels 1–2),  n (panel 3)")
        a1.legend(loc="upper right", fontsize="small")

    def _curve(self, ax: Any, y: np.ndarray, color: str, label: str, marker: str,
               **kw: Any) -> list[Any]:
        if self.m.discrete:
            return [self._stem(ax, self.tau, y, color, marker, label, **kw)]
        return list(ax.plot(self.tau, y, color=color, lw=1.6, label=label, zorder=3, **kw))

    def _stem(self, ax: Any, x: np.ndarray, y: np.ndarray, color: str, marker: str,
              label: str, hollow: bool = False, **kw: Any) -> Any:
        import numpy as np

        keep = y != 0
        if not keep.any():
            keep = np.zeros_like(keep)
            keep[:1] = True
        st = ax.stem(x[keep], y[keep], linefmt="-", markerfmt=marker, basefmt=" ",
                     label=label)
        st.markerline.set_color(color)
        st.markerline.set_zorder(4)
        if hollow:
            st.markerline.set_markerfacecolor("white")
        st.stemlines.set_color(color)
        st.stemlines.set_zorder(3)
        return st

    def set_x(self, x: float) -> None:
        import numpy as np

        for artist in self.dynamic:
            artist.remove()
        self.dynamic = []
        m = self.m
        a2, a3 = self.axes[1], self.axes[2]
        tau = self.tau
        if not m.discrete:  # add the points where the overlap's edges fall
            edges = [e for e in (*m.kernel_range(x), m.f.lo, m.f.hi)
                     if m.xlim[0] < e < m.xlim[1]]
            tau = np.union1d(tau, np.asarray(edges))
        fv, kv = m.f.fn(tau), m.kernel(x, tau)
        prod = _product(fv, kv)
        sign = "+" if m.xcorr else "-"
        if m.discrete:
            kname = rf"$g[{x:.0f} {sign} k]$"
            self.dynamic.append(a2.bar(tau, prod, width=0.7, color=OVERLAP_COLOR,
                                       zorder=1, label=r"$f[k]\,g[n " + sign + " k]$"))
            self.dynamic.append(self._stem(a2, tau, kv, G_COLOR, "s", kname, hollow=True))
        else:
            kname = rf"$g(x {sign} \tau)$"
            self.dynamic.append(a2.fill_between(tau, 0.0, prod, color=OVERLAP_COLOR, lw=0,
                                                zorder=1,
                                                label=rf"$f(\tau)\,g(x {sign} \tau)$"))
            self.dynamic.extend(a2.plot(tau, kv, color=G_COLOR, lw=1.6, ls="--",
                                        label=kname, zorder=3))
        value = m.value(x)
        if m.discrete:
            xs_txt, what, at = f"{x:.0f}", "the sum of the bars", "n"
            result = rf"$(f {self.op} g)[n]$"
        else:
            xs_txt, what, at = f"{x:.3g}", "the shaded area", "x"
            result = rf"$(f {self.op} g)(x)$"
        a2.set_title(f"{at} = {xs_txt}: {what} is {result} = {value:.4g}", fontsize="medium")
        self.dynamic.append(a2.legend(loc="upper right", fontsize="small"))
        self.dynamic.append(a3.axvline(x, color="0.3", lw=0.8, ls=":"))
        self.dynamic.extend(a3.plot([x], [value], "o", color="black", ms=7, zorder=5))
        how = "" if m.discrete else ", computed numerically"
        a3.set_title(f"{result}{how}; the dot: {at} = {xs_txt}", fontsize="medium")


def _tex(label: str) -> str:
    return label.replace("$", r"\$")


def _default_at(m: _Model) -> float:
    import numpy as np

    x = float(m.xs[int(np.argmax(np.abs(m.conv)))])
    return float(round(x)) if m.discrete else x


def plot_convolution(f: Signal, g: Signal, *, at: float | None = None,
                     discrete: bool | None = None, xcorr: bool = False,
                     span: tuple[float, float] | None = None,
                     out: str | Path | None = None, dpi: int = 100) -> Figure:
    """Draw f, g, f ∗ g and, at ``x = at``, the kernel g(x − τ) over f(τ) with the overlap
    f(τ)·g(x − τ) shaded and a marker on f ∗ g at x; return the matplotlib ``Figure``
    (created without pyplot: nothing is shown, no global state), saved to ``out``
    (``.png``, ``.svg`` or ``.pdf``) when given.

    ``f`` and ``g`` are formulas (``"exp(-t)*u(t)"``, ``"rect(t)"``; see
    :mod:`convmath._plot.formula` for the grammar), callables of a NumPy array, or — for
    discrete signals — 1-D arrays (entry i at n = i). ``discrete`` (default: True iff a
    signal is an array) draws stems on ℤ and reads formulas as sequences (u[0] = 1,
    ``delta`` the Kronecker δ). ``xcorr=True`` draws the cross-correlation
    (f ⋆ g)(x) = ∫ f(τ) g(x + τ) dτ instead. ``at`` defaults to the x where |f ∗ g| is
    largest. ``span=(lo, hi)`` cuts both signals to that interval.

    The curve f ∗ g is computed numerically (the grid sum h·Σ f(kh)·g(x − kh), a trapezoid
    rule on a lattice of step h ≈ 1/200 of the narrower support; exactly on ℤ): accurate to
    the plot's resolution, not a closed form. Bad arguments raise ``InvalidArgument``
    naming the argument; a missing matplotlib raises :class:`PlotDependencyError`.
    """
    dpi = _check_dpi(dpi)
    path = None if out is None else _check_out(out)
    _matplotlib()
    m = _model(f, g, discrete, xcorr, span)
    x = _default_at(m) if at is None else _check_at(at, m.discrete)
    scene = _Scene(m, dpi)
    scene.set_x(x)
    if path is not None:
        scene.fig.savefig(path, dpi=dpi)
    return scene.fig


def animate_convolution(f: Signal, g: Signal, *, frames_dir: str | Path | None = None,
                        gif: str | Path | None = None, count: int = 24,
                        discrete: bool | None = None, xcorr: bool = False,
                        span: tuple[float, float] | None = None, dpi: int = 80,
                        fps: int = 8) -> list[Path]:
    """Slide x across the support of f ∗ g in ``count`` steps and write each picture of
    :func:`plot_convolution` as ``frames_dir/frame_000.png``, … and/or as the frames of
    the GIF ``gif`` (through matplotlib's ``PillowWriter``). Return the files written
    (the frames, then the GIF). On ℤ, x takes integer values (fewer than ``count`` when
    the support is shorter)."""
    import numpy as np

    if frames_dir is None and gif is None:
        raise InvalidArgument("frames_dir=None, gif=None: name a folder for the frames, a "
                              "GIF file, or both")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1000:
        raise InvalidArgument(f"count={count!r}: must be an integer from 1 to 1000")
    if isinstance(fps, bool) or not isinstance(fps, int) or not 1 <= fps <= 100:
        raise InvalidArgument(f"fps={fps!r}: must be an integer from 1 to 100")
    dpi = _check_dpi(dpi)
    gif_path = None
    if gif is not None:
        if not isinstance(gif, (str, Path)) or Path(gif).suffix.lower() != ".gif":
            raise InvalidArgument(f"gif={gif!r}: must be a file name ending in .gif")
        gif_path = Path(gif)
    folder = None
    if frames_dir is not None:
        if not isinstance(frames_dir, (str, Path)):
            raise InvalidArgument(f"frames_dir={frames_dir!r}: must be a folder name")
        folder = Path(frames_dir)
        if folder.exists() and not folder.is_dir():
            raise InvalidArgument(f"frames_dir={str(frames_dir)!r} is a file, not a folder")
    _matplotlib()
    m = _model(f, g, discrete, xcorr, span)
    lo, hi = m.support
    xs = np.linspace(lo, hi, count)
    if m.discrete:
        xs = np.unique(np.round(xs))
    scene = _Scene(m, dpi)
    written: list[Path] = []
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for i, x in enumerate(xs):
            scene.set_x(float(x))
            path = folder / f"frame_{i:03d}.png"
            scene.fig.savefig(path, dpi=dpi)
            written.append(path)
    if gif_path is not None:
        from matplotlib.animation import PillowWriter

        if not PillowWriter.isAvailable():  # pragma: no cover - Pillow comes with matplotlib
            raise PlotDependencyError("Pillow is needed for a GIF: pip install pillow")
        writer = PillowWriter(fps=fps)
        with writer.saving(scene.fig, str(gif_path), dpi):
            for x in xs:
                scene.set_x(float(x))
                writer.grab_frame()
        written.append(gif_path)
    return written
