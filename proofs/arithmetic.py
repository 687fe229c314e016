"""Print the convolution-arithmetic derivations (output sizes, Dumoulin & Visin's 15
relationships, pooling with ceil_mode, counts, receptive fields), each step re-checked by
SymPy; exit 1 if any fails."""

import sys

from _common import main

if __name__ == "__main__":
    sys.exit(main("--family", "arithmetic"))
