"""SymPy models of convolution and cross-correlation, and machine-checked derivations."""
