"""``convmath shape``: per-layer shapes, parameters, MACs, connections and receptive fields of
a network spec; sizes given as names (``input 3xHxW``) give formulas and the conditions
under which the network fits.

Every error (an invalid spec, a bad command-line argument) is one line on stderr and exit
status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

HELP = ("per-layer shapes, parameters, MACs, connections and receptive fields of a network "
        "(a spec or a preset)")

_EPILOG = """\
SPEC is a preset (lenet5, alexnet, vgg16, resnet18, cifar10) or layers separated by ';'
(or newlines), e.g.
  convmath shape "input 3x32x32; conv 16 k=3 p=1; maxpool k=2; conv 32 k=3 s=2; fc 10"
  convmath shape "input 32x32x3 layout=hwc; conv 12 k=3 p=1"
  convmath shape "input 3xHxW; conv 96 k=11 s=4 exact; maxpool k=3 s=2"   (formulas in H, W)
  convmath shape alexnet --explain 1      (one layer: formulas, values, derivations)
Layers (a layer is its kind, its number if any, then options name=value (no spaces around
'=') and flags; per-axis values as 3x5; anything else is an error):
  input SHAPE [layout=chw]   one example, first layer only. layout names SHAPE's axes: c
        (channels) first or last, plus spatial letters: chw (default), hwc, hw (1 channel),
        cl, lc, l (1-D), cdhw, dhwc, dhw (3-D). A shape like 32x32x3 (last number 1-4,
        first larger) or 28x28 needs an explicit layout. Spatial sizes may be names
        (3xHxW; letters, digits, _, no x): sizes become formulas.
  conv OUT k= [s= p=|same|valid d= g= nobias exact table=lenet5]
  convT OUT k= [s= p= op= d= g= nobias]
  maxpool k= [s= p= d= ceil exact] | avgpool k= [s= p= ceil exact] | subsample k= [s= exact]
  gap (global average pool) | fc OUT [nobias] | rbf OUT (LeNet-5's fixed RBF output)
  flatten | relu | tanh | sigmoid | lrn | dropout | bn
  save NAME | from NAME | add NAME | concat NAME   branches: save the current tensor, go
        back to a saved one, add a saved one (residual; shapes must agree) or concatenate
        its channels. ResNet block with projection: save x; conv 128 k=3 s=2 p=1 nobias;
        bn; relu; conv 128 k=3 p=1 nobias; bn; save y; from x; conv 128 k=1 s=2 nobias;
        bn; add y; relu
exact: a layer whose windows leave input rows unread is an error (saying what fits)
instead of a note. Long names work too: kernel_size= stride= padding= dilation= groups=
output_padding= ceil_mode. An invalid spec prints one line naming the layer and the token;
exit status 2.
Columns: params (trainable), MACs (conv: ∏o·C_out·(C_in/g)·∏k; pooling and bias additions
are not MACs), connections (inputs read per output + 1 for a bias: LeCun's count), RF
(receptive field span per axis), jump (input distance between neighbouring outputs), start
(input index where output 0's field begins; negative = in the padding). FLOPs = 2·MACs,
or with --flops 2mac+bias also one addition per biased output.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's arguments to ``parser``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    parser.add_argument("spec", metavar="SPEC", nargs="?",
                        help="a preset name or a ';'-separated spec")
    parser.add_argument("--format", choices=("text", "markdown", "csv", "json"),
                        default="text", help="output format (json holds every field)")
    parser.add_argument("--flops", choices=("2mac", "2mac+bias"), default="2mac",
                        help="FLOP convention of the text's last line: 2·MACs (default), or "
                             "also one addition per output of a layer with a bias")
    parser.add_argument("--explain", metavar="N", type=int, default=None,
                        help="explain layer N (0 is the input): formulas, values substituted "
                             "step by step, and the derivations that prove them")
    parser.add_argument("--conventions", action="store_true",
                        help="print where each library's 'same'/'valid'/padded outputs sit "
                             "inside the full convolution (no SPEC needed)")
    parser.add_argument("extra", nargs="*", default=[], help=argparse.SUPPRESS)  # unquoted spec


def _fail(message: str) -> int:
    print(f"convmath shape: {' '.join(message.split())}"[:4000], file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Print the table (or explanation); on an invalid spec print one line on stderr, exit 2."""
    from convmath.errors import ConvmathError

    if args.conventions:
        if args.spec is not None or args.extra or args.explain is not None:
            return _fail("--conventions takes no SPEC and no --explain")
        from convmath.numeric._conventions import conventions_table

        return _print(conventions_table(args.format))
    if args.spec is None:
        return _fail("the following arguments are required: SPEC (see convmath shape --help)")
    if args.extra:
        words = " ".join(repr(w) for w in [args.spec, *args.extra])
        return _fail(f"SPEC must be one argument (quote the whole spec), got {words}"[:2000])
    try:
        from convmath.numeric._network import _size_names, explain_layer, network_shapes

        if _size_names(args.spec):
            if args.explain is not None:
                return _fail("--explain needs numbers for every size; give the input's "
                             "sizes as numbers")
            from convmath.symbolic.shapes import symbolic_network_shapes

            return _print(symbolic_network_shapes(args.spec).table(args.format))
        if args.explain is not None:
            return _print(explain_layer(args.spec, args.explain))
        return _print(network_shapes(args.spec).table(args.format, flops=args.flops))
    except ConvmathError as exc:
        return _fail(str(exc))


def _print(text: str) -> int:
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `convmath shape vgg16 | head -1`: the reader left, no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 0
