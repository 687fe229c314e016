"""``convmath shape``: per-layer output shapes, parameters and MACs of a network spec."""

from __future__ import annotations

import argparse
import json

HELP = "per-layer shapes, parameters and MACs of a network (a spec or a preset)"

_EPILOG = """\
SPEC is a preset (lenet5, alexnet, vgg16) or layers separated by ';', e.g.
  convmath shape "input 3x32x32; conv 16 k=3 p=1; maxpool k=2; conv 32 k=3 s=2; fc 10"
Layers: input CxHxW | conv OUT k= [s= p=|same|valid d= g= nobias] | convT OUT k= [s= p= op= d= g=]
        | maxpool k= [s= p= d= ceil] | avgpool k= [s= p= ceil] | subsample k= [s=] | fc OUT
        | flatten | relu | tanh | sigmoid | lrn | dropout | bn    (per-axis values as 3x5)
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's arguments to ``parser``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    parser.add_argument("spec", metavar="SPEC", help="a preset name or a ';'-separated spec")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    """Print the table (or JSON); exit 2 on an invalid spec."""
    from convmath.errors import InvalidArgument
    from convmath.numeric import network_shapes

    try:
        net = network_shapes(args.spec)
    except InvalidArgument as exc:
        print(f"convmath shape: {exc}")
        return 2
    if args.format == "json":
        layers = [
            {"layer": x.spec, "shape": list(x.shape), "params": x.params, "macs": x.macs,
             "note": x.note}
            for x in net.layers
        ]
        print(json.dumps({"layers": layers, "params": net.params, "macs": net.macs}, indent=1))
    else:
        print(net.table())
    return 0
