"""Print the backprop derivations, each step re-checked by SymPy; exit 1 if any fails.

The input gradient is a transposed convolution with the kernel rotated 180° (flipped along
every axis): ``conv_input_grad_flipped`` writes it as the correlation a framework computes,
``conv_input_grad_unit_stride`` ends with that step by the lemma ``xcorr_eq_conv_reflect``;
the weight gradient is a cross-correlation of the input with the output gradient.
"""

import sys

from _common import main

if __name__ == "__main__":
    sys.exit(main("--family", "backprop"))
