"""Plain-language explanations: one sentence a student understands, for every theorem.

:data:`EXPLANATIONS` maps a theorem name (``conv_comm``; no domain) to its sentence;
:func:`explain` accepts a name or a registry key (``conv_comm:R2``,
``deriv_conv:R2:axis1``, ``dumoulin_visin:Z:r3``). The sentences say what a result means,
not how it is proven; the statement and the derivation say the rest. Nothing here imports
theorem code, so a renderer or the command line can use it freely.

>>> explain("conv_comm:Z2")[:58]
'Sliding g across f gives the same result as sliding f acro'
"""

from __future__ import annotations

import re

from convmath.errors import InvalidArgument

__all__ = ["EXPLANATIONS", "explain"]

#: Theorem name → one sentence (at most 160 characters, ending with a period).
EXPLANATIONS: dict[str, str] = {
    # -- the algebra of convolution
    "conv_comm": "Sliding g across f gives the same result as sliding f across g: the order of "
                 "the two functions does not matter.",
    "conv_assoc": "Filtering with g and then with h is the same as filtering once with g ∗ h, "
                  "so a chain of filters can be merged into one.",
    "conv_add": "Convolving f with a sum g + h gives the sum of the two results f ∗ g and "
                "f ∗ h.",
    "add_conv": "Convolving a sum f + g with h gives the sum of the two results f ∗ h and "
                "g ∗ h.",
    "smul_conv": "Scaling the first function f by a constant c scales the whole convolution "
                 "by c.",
    "conv_smul": "Scaling the second function g by a constant c also scales the whole "
                 "convolution by c.",
    # -- translations
    "shift_conv": "Shifting the signal f by a shifts the result f ∗ g by the same amount: "
                  "convolution is translation equivariant.",
    "conv_shift": "Shifting the filter g by a shifts the result f ∗ g by a as well.",
    "shift_conv_shift": "Shifting f by a and g by b shifts f ∗ g by a + b: the two shifts add "
                        "up.",
    "conv_linear_map": "Stretching, rotating or shearing both signals by the same invertible "
                       "map stretches the result the same way, up to the volume factor |det A|.",
    # -- derivatives and differences
    "deriv_conv": "The derivative of f ∗ g (on a grid, the difference) is f convolved with the "
                  "derivative of g: it passes through the integral or sum.",
    "deriv_conv_left": "The derivative of f ∗ g (on a grid, the difference) is also the "
                       "derivative of f convolved with g.",
    # -- cross-correlation
    "xcorr_eq_conv_reflect": "Cross-correlation is convolution with the kernel flipped "
                             "(rotated 180°, reversed along every axis): f ⋆ g = f̃ ∗ g.",
    "xcorr_swap": "Swapping the two functions of a cross-correlation mirrors the result: "
                  "(f ⋆ g)(x) = (g ⋆ f)(−x).",
    "xcorr_comm_counterexample": "Unlike convolution, cross-correlation depends on the order: "
                                 "two impulses give different results once swapped.",
    # -- the identity
    "conv_delta": "Convolving f with the unit impulse δ gives f back: δ acts like the number 1 "
                  "on the right.",
    "delta_conv": "Convolving the unit impulse δ with f gives f back: δ acts like the number 1 "
                  "on the left too.",
    # -- the convolution theorem
    "fourier_conv": "The Fourier transform turns convolution into plain multiplication, which "
                    "is why convolutions can be computed fast with the FFT.",
    # -- support and length
    "conv_support_length_3_2": "Convolving 3 samples with 2 samples gives 4 = 3 + 2 − 1 "
                               "non-zero outputs, and zeros on both sides.",
    "conv_support_length_2_4": "Convolving 2 samples with 4 samples gives 5 = 2 + 4 − 1 "
                               "outputs, and nothing beyond them.",
    "conv_support_length_2x1_1x2": "A 2 × 1 image convolved with a 1 × 2 kernel gives a 2 × 2 "
                                   "result: N + M − 1 samples along each axis.",
    "conv_support_left": "Signals that start at index 0 convolve to zero before index 0: no "
                         "output comes before both inputs begin.",
    "conv_support_right": "Signals of N and M samples convolve to zero after index N + M − 2, "
                          "so the full convolution has N + M − 1 samples.",
    # -- channels
    "multichannel_xcorr": "A multi-channel layer correlates each input channel with its own "
                          "slice of the kernel and adds the results over the channels.",
    # -- backpropagation, general sizes
    "conv_input_grad": "The input gradient is a transposed, dilated convolution of the output "
                       "gradient with the kernel rotated 180° (flipped along every axis).",
    "conv_input_grad_unit_stride": "With stride 1 and dilation 1 the input gradient is a full "
                                   "convolution of the output gradient with the kernel "
                                   "flipped (rotated 180°).",
    "conv_input_grad_flipped": "Written the way frameworks compute it, the input gradient "
                               "correlates the zero-stuffed output gradient with the dilated "
                               "kernel rotated 180°.",
    "conv_weight_grad": "The weight gradient is a cross-correlation of the layer's input with "
                        "the output gradient (spread out by the stride).",
    "conv_weight_grad_unit_stride": "With stride 1 and dilation 1 the weight gradient is "
                                    "simply the output gradient cross-correlated with the "
                                    "input.",
    "conv_bias_grad": "The bias gradient is the output gradient summed over all positions, "
                      "since the bias is added to every output.",
    "conv_input_grad_multichannel": "Each input channel's gradient sums, over the output "
                                    "channels, their gradients convolved with the kernel "
                                    "rotated 180° (flipped along every axis).",
    "conv_weight_grad_multichannel": "The gradient of kernel slice w(o, c) is a "
                                     "cross-correlation of input channel c with the gradient "
                                     "of output channel o.",
    "conv_bias_grad_multichannel": "Each output channel's bias gradient is that channel's "
                                   "output gradient summed over all positions.",
    "conv_input_grad_grouped": "With groups, an input channel's gradient sums only its group's "
                               "output gradients, convolved with the kernel rotated 180° "
                               "(flipped).",
    "conv_weight_grad_grouped": "With groups, a kernel slice's gradient is a cross-correlation "
                                "of the input channel it reads with its output channel's "
                                "gradient.",
    # -- backpropagation, fixed sizes with symbolic entries
    "conv_backprop_fixed_i7k3s2p1d2": "On 7 symbolic inputs (kernel 3, stride 2, padding 1, "
                                      "dilation 2) the exact gradients equal the flipped-kernel "
                                      "recipe.",
    "conv_backprop_fixed_i7k2s3p1d1": "On 7 symbolic inputs (kernel 2, stride 3, padding 1, one "
                                      "input left over) the exact gradients equal the "
                                      "flipped-kernel recipe.",
    "conv_backprop_fixed_i3x4k2x2s2x1p1x0d1x2": "On a symbolic 3 × 4 image with a 2 × 2 kernel "
                                                "and different settings per axis, the exact "
                                                "gradients equal the rotated-kernel recipe.",
    "conv_backprop_fixed_c2o3i5k2s2p1d2": "On a symbolic layer with 2 input and 3 output "
                                          "channels, the exact gradients equal the per-channel "
                                          "flipped-kernel recipe.",
    "conv_backprop_fixed_c4o2i4k2s2p1d1g2": "On a symbolic 4 → 2 channel layer in 2 groups, the "
                                            "exact gradients equal the per-group flipped-kernel "
                                            "recipe.",
    # -- convolution arithmetic
    "conv_window_count": "A kernel fits in ⌊(i + 2p − d(k − 1) − 1)/s⌋ + 1 positions of the "
                         "padded input, or in none when it is too large.",
    "conv_output_size": "A convolution outputs one value per kernel position: "
                        "⌊(i + 2p − d(k − 1) − 1)/s⌋ + 1 values when the dilated kernel fits.",
    "pool_output_size": "Pooling slides its window exactly like a convolution, so in floor "
                        "mode its output size is the same formula.",
    "pool_output_size_ceil": "In ceil mode a pooling window may hang over the end of the padded "
                             "input, but it never starts inside the right padding.",
    "pool_ceil_mode_rule": "PyTorch's ceil_mode rule (round up, then drop a last window that "
                           "would start in the right padding) counts the windows correctly.",
    "conv_transpose_output_size": "A transposed convolution outputs (i − 1)s − 2p + d(k − 1) + "
                                  "a + 1 values: a convolution over the input stretched by the "
                                  "stride.",
    "conv_transpose_shape_symmetry": "A convolution with the same settings, applied to a "
                                     "transposed convolution's output, gives back the original "
                                     "size.",
    "conv_shape_roundtrip": "Choosing output_padding a = (i + 2p − d(k − 1) − 1) mod s makes "
                            "the transposed convolution restore the input size exactly.",
    "dumoulin_visin": "The 15 output-size relationships of Dumoulin and Visin's guide to "
                      "convolution arithmetic all follow from counting kernel positions.",
    "conv_params": "A convolution layer has C_out·(C_in/groups) weights per kernel tap, plus "
                   "one bias per output channel if it has biases.",
    "conv_macs": "A convolution does one multiply-add per kernel tap, per input channel of the "
                 "group, per output channel and per output position.",
    "conv_connections": "A layer's connections count, for every output, the inputs it reads "
                        "(its fan-in), plus one for the bias.",
    "depthwise_separable_ratio": "A depthwise separable convolution costs 1/N + 1/D_K² of a "
                                 "standard one (N output channels, D_K × D_K kernels).",
    "conv1x1_matmul": "A 1×1 convolution only mixes channels: at every pixel it multiplies the "
                      "vector of channels by the same matrix.",
    "receptive_field": "Each layer widens the receptive field by d(k − 1) input spacings, and "
                       "multiplies the spacing between neighbouring outputs by its stride.",
}

_FIXED_BACKPROP = re.compile(r"conv_backprop_fixed_(\w+)")
_FIXED_SUPPORT = re.compile(r"conv_support_length_(\w+)")


def explain(name: str) -> str | None:
    """The one-sentence explanation of a theorem, or None when there is none.

    ``name`` is a theorem name (``conv_comm``) or a registry key (``conv_comm:R2``,
    ``deriv_conv:R2:axis1``, ``dumoulin_visin:Z:r3``): the part before the first ``:`` is the
    theorem. A fixed-size instance without a sentence of its own
    (``conv_backprop_fixed_<sizes>``, ``conv_support_length_<sizes>``) gets a generic one
    naming its sizes.

    >>> explain("deriv_conv:R2:axis1") == EXPLANATIONS["deriv_conv"]
    True
    >>> explain("no_such_theorem") is None
    True
    """
    if not isinstance(name, str):
        raise InvalidArgument(f"name={name!r} must be a str such as 'conv_comm' or "
                              "'conv_comm:R2'")
    theorem = name.strip().partition(":")[0]
    found = EXPLANATIONS.get(theorem)
    if found is not None:
        return found
    m = _FIXED_BACKPROP.fullmatch(theorem)
    if m:
        return (f"At the fixed sizes {m.group(1)} with symbolic entries, the exact gradients "
                "equal the flipped-kernel (rotated 180°) recipe.")
    m = _FIXED_SUPPORT.fullmatch(theorem)
    if m:
        return (f"At the fixed sizes {m.group(1)} with symbolic entries, the full convolution "
                "has N + M − 1 samples per axis and zeros around.")
    return None
