"""``convmath plot F G``: draw f, g, f ∗ g and the flipped-and-shifted kernel with the
overlap shaded (PNG/SVG/PDF), or a sequence of frames / a GIF sliding x across the support.

Needs matplotlib (``pip install 'convmath[plot]'``). Every error (a formula that does not
parse, a bad option, matplotlib missing) is one line on stderr and exit status 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import sys

HELP = ("draw f, g, f ∗ g and the flipped, shifted kernel with the overlap shaded "
        "(PNG/SVG, frames or a GIF; needs matplotlib)")

_EPILOG = """\
F and G are formulas in t (or n with --discrete): numbers, t, + - * / ^, parentheses, pi,
e and the functions exp sin cos abs sqrt u (= H, the unit step) rect tri gauss (the
standard normal density) delta (the Kronecker δ[n], --discrete only). Multiplication is
written: exp(-t)*u(t). The text is read by a grammar, never run as code. A formula
starting with '-' goes after '--', options first: convmath plot --at 1 -- "-t*u(t)" "rect(t)"
  convmath plot "rect(t)" "rect(t)" --at 0.5 --out rect.png
  convmath plot "exp(-t)*u(t)" "rect(t)" --at 1 --out conv.svg
  convmath plot "0.8^n*u(n)" "u(n)-u(n-4)" --discrete --at 3
  convmath plot "rect(t)" "tri(t)" --frames frames/ --count 24     (frame_000.png, …)
  convmath plot "rect(t)" "tri(t)" --gif slide.gif
f ∗ g is computed numerically (a trapezoid-rule grid sum; exact sums on ℤ), accurate to
the picture's resolution.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's arguments to ``parser``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    parser.add_argument("f", metavar="F", help="the signal f, a formula such as 'exp(-t)*u(t)'")
    parser.add_argument("g", metavar="G", help="the kernel g, a formula such as 'rect(t)'")
    parser.add_argument("--at", metavar="X", type=float, default=None,
                        help="the x of the shifted kernel and the marker (default: where "
                             "|f ∗ g| is largest)")
    parser.add_argument("--discrete", action="store_true",
                        help="signals on ℤ (formulas in n), drawn as stems")
    parser.add_argument("--xcorr", action="store_true",
                        help="cross-correlation (f ⋆ g)(x) = ∫ f(τ) g(x + τ) dτ instead")
    parser.add_argument("--out", metavar="FILE", default=None,
                        help="the picture: .png, .svg or .pdf (default conv.png, unless "
                             "--frames or --gif is given)")
    anim = parser.add_mutually_exclusive_group()
    anim.add_argument("--frames", metavar="DIR", default=None,
                      help="write --count PNG frames sliding x across the support")
    anim.add_argument("--gif", metavar="FILE", default=None,
                      help="write the frames as an animated GIF")
    parser.add_argument("--count", metavar="N", type=int, default=24,
                        help="number of frames (default 24)")
    parser.add_argument("--span", metavar=("LO", "HI"), type=float, nargs=2, default=None,
                        help="cut both signals to [LO, HI] (default: their own support; a "
                             "signal that does not decay is cut at ±10)")
    parser.add_argument("--dpi", metavar="N", type=int, default=100,
                        help="resolution (default 100)")


def _fail(message: str) -> int:
    print(f"convmath plot: {' '.join(message.split())}"[:4000], file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Write the picture(s); print the files written, one a line."""
    from convmath.errors import ConvmathError

    animate = args.frames is not None or args.gif is not None
    if animate and args.at is not None:
        return _fail("--at chooses one x; --frames and --gif slide x across the support")
    try:
        from convmath.plot import animate_convolution, plot_convolution

        span = None if args.span is None else (args.span[0], args.span[1])
        written: list[object] = []
        if animate:
            written += animate_convolution(args.f, args.g, frames_dir=args.frames,
                                           gif=args.gif, count=args.count,
                                           discrete=args.discrete, xcorr=args.xcorr,
                                           span=span, dpi=args.dpi)
        if args.out is not None or not animate:
            out = "conv.png" if args.out is None else args.out
            plot_convolution(args.f, args.g, at=args.at, discrete=args.discrete, xcorr=args.xcorr,
                             span=span, out=out, dpi=args.dpi)
            written.append(out)
    except ConvmathError as exc:
        return _fail(str(exc))
    except OSError as exc:  # an unwritable file or folder
        return _fail(f"cannot write: {exc}")
    for path in written:
        print(path)
    return 0
