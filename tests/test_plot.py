"""convmath.plot and ``convmath plot``: the formula grammar (never evaluated as code), the
pictures (checked by their pixels), the frames and the GIF, the missing-matplotlib error."""

from __future__ import annotations

import builtins
import contextlib
import io
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convmath import ConvmathError, InvalidArgument
from convmath.cli import main
from convmath.plot import (
    OVERLAP_COLOR,
    FormulaError,
    PlotDependencyError,
    animate_convolution,
    parse_formula,
    plot_convolution,
)

T = np.array([-2.0, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 2.0])


def _mpl() -> None:
    pytest.importorskip("matplotlib")


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 2
    return status, out.getvalue(), err.getvalue()


# ---- the grammar -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("rect(t)", np.where(np.abs(T) < 0.5, 1.0, np.where(np.abs(T) == 0.5, 0.5, 0.0))),
    ("exp(-t)*u(t)", np.where(T > 0, np.exp(-T), np.where(T == 0, 0.5, 0.0))),
    ("-t^2", -(T**2)),
    ("2^-t^2", 2.0 ** -(T**2)),
    ("t**3 / 2", T**3 / 2),
    ("tri(t/2)", np.maximum(0, 1 - np.abs(T / 2))),
    ("gauss(t)", np.exp(-T**2 / 2) / math.sqrt(2 * math.pi)),
    ("sqrt(t)*H(t)", np.where(T > 0, np.sqrt(np.abs(T)), 0.0)),
    ("3*sin(pi*t) + cos(t)/2 - abs(t)", 3 * np.sin(np.pi * T) + np.cos(T) / 2 - np.abs(T)),
    ("((1.5e0 + .5) * (t - 1))", 2 * (T - 1)),
    ("e^t", np.exp(T)),
])
def test_grammar_reads_valid_formulas(text: str, expected: np.ndarray) -> None:
    assert np.allclose(parse_formula(text)(T), expected, rtol=1e-12, atol=1e-12)


def test_discrete_formulas_use_the_step_and_kronecker_delta_on_z() -> None:
    n = np.arange(-2.0, 4.0)
    assert parse_formula("0.5^n*u(n)", discrete=True)(n).tolist() == [0, 0, 1, .5, .25, .125]
    assert parse_formula("delta(n-1) - 2*delta(n)", discrete=True)(n).tolist() == [
        0, 0, -2, 1, 0, 0]


@pytest.mark.parametrize(("text", "column", "fragment"), [
    ("rect(t", 7, "ends too early"),
    ("exp(-t)u(t)", 8, "write * for multiplication"),
    ("2t", 2, "write * for multiplication"),
    ("__import__('os')", 12, "not part of the language"),
    ("rct(t)", 1, "did you mean 'rect'"),
    ("2 * foo", 5, "unknown name 'foo'"),
    ("t + exp", 5, "is a function"),
    ("delta(t)", 1, "Dirac"),
    ("1 +* 2", 4, "unexpected '*'"),
    ("t $ 2", 3, "not part of the language"),
    ("  ", 1, "empty"),
])
def test_grammar_rejects_bad_formulas_with_the_position(text: str, column: int,
                                                        fragment: str) -> None:
    with pytest.raises(FormulaError, match="F=") as info:
        parse_formula(text)
    assert isinstance(info.value, InvalidArgument)
    assert info.value.column == column, str(info.value)
    assert fragment in str(info.value)


def test_strings_are_never_evaluated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "pwned"
    attack = f"__import__('os').system('touch {target}')"

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    with pytest.raises(FormulaError):
        parse_formula(attack)
    assert not target.exists()
    # valid formulas parse and evaluate with eval/exec unavailable: the tree is walked
    assert parse_formula("exp(-t)*u(t) + rect(t)")(np.array([1.0]))[0] == pytest.approx(
        math.exp(-1))


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="tn()+-*/^.0123456789 expsinrcuH_'\"$,", max_size=16))
def test_any_text_parses_or_is_an_invalid_argument(text: str) -> None:
    try:
        values = parse_formula(text)(np.linspace(-2.0, 2.0, 5))
    except FormulaError as exc:
        assert 1 <= exc.column <= len(text) + 1, (text, str(exc))
    else:
        assert values.shape == (5,)


def test_formula_as_sympy_expression() -> None:
    import sympy

    t = sympy.Symbol("t", real=True)
    got = parse_formula("3*exp(-t/2)*u(t) + 0.25").sympy(t)
    assert got == 3 * sympy.exp(-t / 2) * sympy.Heaviside(t, sympy.S.Half) + sympy.Rational(1, 4)


# ---- the missing extra -------------------------------------------------------------------

def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(PlotDependencyError, match=r"pip install 'convmath\[plot\]'") as info:
        plot_convolution("rect(t)", "rect(t)")
    assert isinstance(info.value, ConvmathError) and isinstance(info.value, ImportError)
    status, out, err = _cli(["plot", "rect(t)", "rect(t)", "--out", str(tmp_path / "a.png")])
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "convmath[plot]" in err
    assert not (tmp_path / "a.png").exists()


def test_importing_convmath_plot_does_not_import_matplotlib() -> None:
    code = "import sys, convmath.plot; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# ---- the pictures ------------------------------------------------------------------------

def _overlap_pixels(rgb: np.ndarray) -> int:
    target = np.array([int(OVERLAP_COLOR[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)
    if rgb.dtype != np.uint8:  # imread gives floats in [0, 1]
        rgb = np.round(rgb * 255)
    return int(np.sum(np.all(np.abs(rgb[..., :3].astype(float) - target) <= 12, axis=-1)))


def test_frames_shaded_area_tracks_the_overlap_integral(tmp_path: Path) -> None:
    """rect ∗ rect: the shaded pixels of each written frame grow then shrink as x slides,
    in proportion to the overlap 1 − |x|."""
    _mpl()
    from matplotlib.image import imread

    files = animate_convolution("rect(t)", "rect(t)", frames_dir=tmp_path / "frames",
                                count=7, dpi=30)
    assert [p.name for p in files] == [f"frame_{i:03d}.png" for i in range(7)]
    assert all(p.stat().st_size > 0 for p in files)
    xs = np.linspace(-1.0, 1.0, 7)  # the support of rect ∗ rect, up to the sampling step
    overlap = np.maximum(0.0, 1.0 - np.abs(xs))
    pixels = np.array([_overlap_pixels(imread(p)) for p in files], dtype=float)
    assert pixels[0] <= 0.02 * pixels.max() and pixels[-1] <= 0.02 * pixels.max()
    assert np.all(np.diff(pixels[:4]) > 0) and np.all(np.diff(pixels[3:]) < 0), pixels
    assert np.corrcoef(pixels, overlap)[0, 1] > 0.98, pixels


def test_picture_at_x_png_and_svg(tmp_path: Path) -> None:
    _mpl()
    fig = plot_convolution("rect(t)", "rect(t)", at=0.5, out=tmp_path / "c.png", dpi=40)
    _, a2, a3 = fig.axes
    assert "0.5" in a2.get_title()  # the shaded area, (f ∗ g)(0.5) = 0.5
    # the curve f ∗ g is the triangle 1 − |x|, to the plot's resolution
    xy = a3.lines[0].get_xydata()
    assert np.max(np.abs(xy[:, 1] - np.maximum(0, 1 - np.abs(xy[:, 0])))) < 1e-2
    marker = next(ln for ln in a3.lines if ln.get_marker() == "o").get_xydata()[0]
    assert marker == pytest.approx([0.5, 0.5], abs=1e-3)
    fig.canvas.draw()
    shaded_half = _overlap_pixels(np.asarray(fig.canvas.buffer_rgba()))
    assert shaded_half > 0
    from matplotlib.image import imread

    assert _overlap_pixels(imread(tmp_path / "c.png")) == pytest.approx(shaded_half, rel=0.05)
    plot_convolution("exp(-t)*u(t)", "rect(t)", at=1.0, out=tmp_path / "c.svg", dpi=40)
    svg = (tmp_path / "c.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and OVERLAP_COLOR in svg


def test_values_and_cross_correlation() -> None:
    _mpl()
    fig = plot_convolution(lambda t: np.exp(-t) * (t >= 0), "rect(t)", at=1.0, dpi=30)
    exact = math.exp(-0.5) - math.exp(-1.5)  # ∫_{0.5}^{1.5} e^{−τ} dτ
    marker = next(ln for ln in fig.axes[2].lines if ln.get_marker() == "o").get_xydata()[0]
    assert marker[1] == pytest.approx(exact, abs=2e-3)
    # (f ⋆ g)(x) = ∫ f(τ) g(x + τ) dτ: rect(t − 1) ⋆ rect peaks at x = −1 (f ∗ g at +1)
    for xcorr, peak in ((True, -1.0), (False, 1.0)):
        fig = plot_convolution("rect(t-1)", "rect(t)", xcorr=xcorr, dpi=30)
        xy = fig.axes[2].lines[0].get_xydata()
        assert xy[np.argmax(xy[:, 1]), 0] == pytest.approx(peak, abs=0.02)


def test_discrete_signals_are_stems_and_bars() -> None:
    _mpl()
    from matplotlib.container import BarContainer, StemContainer

    fig = plot_convolution("0.8^n*u(n)", [1, 1, 1], at=3, dpi=30)
    for ax in fig.axes:
        assert any(isinstance(c, StemContainer) for c in ax.containers), ax.get_title()
    conv = next(c for c in fig.axes[2].containers if isinstance(c, StemContainer))
    n, y = conv.markerline.get_data()
    assert np.array_equal(n, np.arange(len(n))) and len(n) > 20  # stems at n = 0, 1, …
    assert np.allclose(y[:5], np.convolve(0.8 ** np.arange(5), [1, 1, 1])[:5])
    bars = next(c for c in fig.axes[1].containers if isinstance(c, BarContainer))
    heights = sorted(b.get_height() for b in bars if b.get_height() != 0)
    assert heights == pytest.approx([0.512, 0.64, 0.8])
    assert "1.952" in fig.axes[1].get_title()  # 0.8 + 0.64 + 0.512


def test_gif(tmp_path: Path) -> None:
    _mpl()
    pytest.importorskip("PIL")
    from PIL import Image

    (gif,) = animate_convolution("tri(t)", "rect(t)", gif=tmp_path / "a.gif", count=2, dpi=20)
    with Image.open(gif) as im:
        assert im.format == "GIF" and im.n_frames == 2


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"at": "1"}, "at='1'"),
    ({"at": math.nan}, "at=nan"),
    ({"dpi": 0}, "dpi=0"),
    ({"out": "x.jpg"}, "out='x.jpg'"),
    ({"f": 42}, "f=42"),
    ({"f": [1.0, 2.0], "discrete": False}, "discrete=True"),
    ({"span": (1.0, 0.0)}, "span="),
    ({"g": "0*t"}, "zero everywhere"),
    ({"g": "1/t"}, "not finite"),
    ({"discrete": True, "at": 0.5}, "at=0.5"),
])
def test_bad_arguments_name_the_argument(kwargs: dict[str, Any], fragment: str) -> None:
    _mpl()
    args: dict[str, Any] = {"f": "rect(t)", "g": "rect(t)", "dpi": 20, **kwargs}
    f, g = args.pop("f"), args.pop("g")
    with pytest.raises(InvalidArgument) as info:
        plot_convolution(f, g, **args)
    assert fragment in str(info.value)


def test_cli(tmp_path: Path) -> None:
    _mpl()
    out = tmp_path / "c.svg"
    status, stdout, err = _cli(["plot", "rect(t)", "tri(t)", "--at", "0.25", "--out", str(out),
                                "--dpi", "20"])
    assert (status, stdout.strip(), err) == (0, str(out), "")
    assert OVERLAP_COLOR in out.read_text(encoding="utf-8")
    status, stdout, err = _cli(["plot", "exp(-t)u(t)", "rect(t)", "--out",
                                str(tmp_path / "x.png")])
    assert status == 2 and stdout == "" and err.count("\n") == 1
    assert "column 8" in err and not (tmp_path / "x.png").exists()
    status, _, err = _cli(["plot", "rect(t)", "rect(t)", "--gif", "a.gif", "--at", "1"])
    assert status == 2 and "--at" in err
