"""The red team's held-out mutant corpus, gathered in one table.

The mutants live in ``heldout_conv.py``, ``heldout_grad.py`` and ``heldout_pool_signal.py``
(written independently of convmath, on top of torch / numpy / scipy: ``heldout_common.py``).
Each is a correct implementation except in one corner where a real library had a bug.
``MUTANTS`` maps a name to ``(checker name, function, checker kwargs, diagnosis keyword)``;
the keyword is asserted only where the checkers name the bug (``None`` otherwise).
``EQUIVALENT`` lists mutants that agree with the reference on every generated input (so
no checker can catch them); ``CORRECT`` lists the correct implementations that must pass.
"""

from __future__ import annotations

from typing import Any

import heldout_conv as conv
import heldout_grad as grad
import heldout_pool_signal as pool

_CHECKER = {"CONV": "check_conv", "CT": "check_conv_transpose",
            "IG": "check_conv_input_grad", "WG": "check_conv_weight_grad",
            "MP": "check_max_pool", "AP": "check_avg_pool", "CV": "check_convolve",
            "CO": "check_correlate"}

#: the diagnosis the checkers give (first line after "diagnosis:"), where it names the bug
_DIAGNOSED = {
    "same_ceil_before": "'same' offset by one",
    "n1_path_kernel_transposed": "kernel spatial axes transposed",
    "single_channel_scipy": "flipped kernel",
    "dil_axis0_ignored_stride1": "dilation ignored",
    "plain_path_bias_ignored": "bias ignored",
    "f32_when_K_gt_256": "precision",
    "f16_accum_large_spatial": "precision: the output has the rounding error of float16",
    "ct_stride1_uses_dilation_as_stride": "stride and dilation swapped",
    "ct_f32_internal": "precision",
    "ig_op_ignores_dilation": "leftover rows dropped",
    "ig_f32_large_K": "precision",
    "mp_ceil_rule_gt": "ceil_mode keeping all-padding windows",
    "ap_override_ignored_ceil": "divisor_override ignored",
    "cv_numpy_same_len_max": "'same' length max(M, N)",
    "cv_f32_long": "precision",
    "co_conj_in1": "conjugation",
    "co_same_even_offset": "'same' offset by one",
    "group_bias_first_slice": "group 0's bias reused",
    "ct_bias_first_group": "group 0's bias reused",
    "bias_broadcast_last_axis": "bias broadcast on the wrong axis",
    "ig_groups_only_first": "groups return zeros",
    "wg_groups_zero_after_first": "groups return zeros",
    "wg_mean_over_batch": "weight gradient averaged over the batch",
    "wg_f32_many_terms": "precision",
    "mp_nan_ignored": "NaN ignored",
    "ap_cip_ignored": "avg divisor counts padding",
    "ap_divisor_nonzero_count": "avg divisor counts only nonzeros",
    "same_ignores_dilation": "'same' padding ignores dilation",
}

EQUIVALENT = {"int_valued_half_path"}  # exact in float16 on small integers; caught only
#                                       when a long integer accumulation overflows 2**11

MUTANTS: dict[str, tuple[str, Any, dict[str, Any], str | None]] = {}
for _table, _mod in (("CONV", conv), ("CT", grad), ("IG", grad), ("WG", grad), ("MP", pool),
                     ("AP", pool), ("CV", pool), ("CO", pool)):
    for _name, (_fn, _kw, _) in getattr(_mod, _table).items():
        if _name not in EQUIVALENT:
            MUTANTS[_name] = (_CHECKER[_table], _fn, dict(_kw), _DIAGNOSED.get(_name))

#: correct implementations (from scratch, or torch) that must pass: no false alarms
CORRECT: dict[str, tuple[str, Any, dict[str, Any]]] = {
    "im2col_numpy": ("check_conv", conv.correct_im2col, {}),
    "fft_conv[normwise]": ("check_conv", conv.fft_conv_correct, {"tolerance": "normwise"}),
    "conv_transpose_scratch": ("check_conv_transpose", grad.ct_correct_scratch, {}),
    "max_pool_scratch": ("check_max_pool", pool.mp_correct_scratch, {}),
    "correlate_2d_transposed": ("check_correlate", pool.co_2d_transposed_nonsquare,
                                {"ndim": 2}),
}
