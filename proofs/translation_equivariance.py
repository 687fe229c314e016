"""Print the translation-equivariance derivations (SymPy-checked); exit 1 if any fails."""

import sys

from _common import main

if __name__ == "__main__":
    sys.exit(main("--family", "translation_equivariance"))
