"""Trusted reference implementations of convolution, its gradients and pooling."""
