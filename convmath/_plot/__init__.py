"""Internals of :mod:`convmath.plot`: the formula grammar (:mod:`convmath._plot.formula`)."""
