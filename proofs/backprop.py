"""Print the backprop derivations, each step re-checked by SymPy; exit 1 if any fails."""

import sys

from _common import main

if __name__ == "__main__":
    sys.exit(main("--family", "backprop"))
