"""``convmath shape``: per-layer output shapes, parameters and MACs of a network spec.

Every error (an invalid spec, a bad command-line argument) is one line on stderr and exit
status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

HELP = "per-layer shapes, parameters and MACs of a network (a spec or a preset)"

_EPILOG = """\
SPEC is a preset (lenet5, alexnet, vgg16) or layers separated by ';' (or newlines), e.g.
  convmath shape "input 3x32x32; conv 16 k=3 p=1; maxpool k=2; conv 32 k=3 s=2; fc 10"
  convmath shape "input 32x32x3 layout=hwc; conv 12 k=3 p=1"
Layers (a layer is its kind, its number if any, then options name=value (no spaces around
'=') and flags; per-axis values as 3x5; anything else is an error):
  input SHAPE [layout=chw]   one example, first layer only. layout names SHAPE's axes: c
        (channels) first or last, plus spatial letters: chw (default), hwc, hw (1 channel),
        cl, lc, l (1-D), cdhw, dhwc, dhw (3-D). A shape like 32x32x3 (last number 1-4,
        first larger) or 28x28 needs an explicit layout.
  conv OUT k= [s= p=|same|valid d= g= nobias table=lenet5]
  convT OUT k= [s= p= op= d= g= nobias]
  maxpool k= [s= p= d= ceil] | avgpool k= [s= p= ceil] | subsample k= [s=]
  fc OUT [nobias] | flatten | relu | tanh | sigmoid | lrn | dropout | bn
Long names work too: kernel_size= stride= padding= dilation= groups= output_padding=
ceil_mode. An invalid spec prints one line naming the layer and the token; exit status 2.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's arguments to ``parser``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    parser.add_argument("spec", metavar="SPEC", help="a preset name or a ';'-separated spec")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("extra", nargs="*", default=[], help=argparse.SUPPRESS)  # unquoted spec


def run(args: argparse.Namespace) -> int:
    """Print the table (or JSON); on an invalid spec print one line on stderr, exit 2."""
    from convmath.errors import ConvmathError
    from convmath.numeric import network_shapes

    if args.extra:
        words = " ".join(repr(w) for w in [args.spec, *args.extra])
        print(f"convmath shape: SPEC must be one argument (quote the whole spec), got {words}"
              [:2000], file=sys.stderr)
        return 2
    try:
        net = network_shapes(args.spec)
    except ConvmathError as exc:
        print(f"convmath shape: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    if args.format == "json":
        layers = [
            {"layer": x.spec, "shape": list(x.shape), "params": x.params, "macs": x.macs,
             "note": x.note}
            for x in net.layers
        ]
        text = json.dumps({"layers": layers, "params": net.params, "macs": net.macs},
                          indent=1)
    else:
        text = net.table()
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `convmath shape vgg16 | head -1`: the reader left, no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 0
