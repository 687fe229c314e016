"""Checkers and Hypothesis strategies to verify other projects' convolution code."""
