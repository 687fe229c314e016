"""Every registered theorem has a one-sentence, plain-language explanation."""

from __future__ import annotations

import pytest

from convmath import InvalidArgument
from convmath.symbolic import derivations
from convmath.symbolic.explanations import EXPLANATIONS, explain

NAMES = sorted({d.name for d in derivations()})


def test_every_registered_derivation_is_explained() -> None:
    missing = [d.key for d in derivations() if explain(d.key) is None]
    assert not missing, missing
    # an instance key and its theorem name give the same sentence
    for d in derivations():
        assert explain(d.key) == explain(d.name), d.key


def test_no_explanation_of_a_theorem_that_is_not_registered() -> None:
    assert set(EXPLANATIONS) <= set(NAMES), sorted(set(EXPLANATIONS) - set(NAMES))


@pytest.mark.parametrize("name", NAMES)
def test_one_short_sentence(name: str) -> None:
    sentence = explain(name)
    assert sentence is not None
    assert "\n" not in sentence and sentence == sentence.strip(), sentence
    assert len(sentence) <= 160, (len(sentence), sentence)
    assert sentence.endswith(".") and sentence[0].isupper(), sentence
    assert "  " not in sentence, sentence


def test_no_two_theorems_share_a_sentence() -> None:
    by_sentence: dict[str, list[str]] = {}
    for name in NAMES:
        sentence = explain(name)
        assert sentence is not None
        by_sentence.setdefault(sentence, []).append(name)
    shared = {s: ns for s, ns in by_sentence.items() if len(ns) > 1}
    assert not shared, shared


def test_backprop_in_words() -> None:
    # the input gradient: a (transposed, dilated) convolution with the kernel rotated 180°
    for name in NAMES:
        if name.startswith("conv_input_grad"):
            sentence = explain(name)
            assert sentence is not None
            assert "rotated 180°" in sentence or "flipped" in sentence, name
    assert "transposed, dilated convolution" in EXPLANATIONS["conv_input_grad"]
    assert "flipped along every axis" in EXPLANATIONS["conv_input_grad"]
    # the weight gradient: a cross-correlation of the input with the output gradient
    for name in ("conv_weight_grad", "conv_weight_grad_multichannel", "conv_weight_grad_grouped"):
        assert "cross-correlation" in EXPLANATIONS[name], name
    assert "sum" in EXPLANATIONS["conv_bias_grad"]


def test_backprop_notes_say_rotated_or_flipped() -> None:
    for d in derivations(family="backprop"):
        if d.domain in ("ℤ", "ℤ²"):
            assert any("rotated 180°" in n or "flipped" in n for n in d.notes), d.key


def test_explain_accepts_names_and_keys() -> None:
    assert explain("conv_comm") == EXPLANATIONS["conv_comm"]
    assert explain("conv_comm:R2") == EXPLANATIONS["conv_comm"]
    assert explain("deriv_conv:R2:axis1") == EXPLANATIONS["deriv_conv"]
    assert explain("dumoulin_visin:Z:r3") == EXPLANATIONS["dumoulin_visin"]
    assert explain("no_such_theorem") is None and explain("") is None
    assert explain("commutativity") is None  # a family, not a theorem
    # a fixed-size instance without its own sentence gets one naming its sizes
    new = explain("conv_backprop_fixed_i9k4s1p0d1:Z")
    assert new is not None and "i9k4s1p0d1" in new and "rotated 180°" in new
    assert explain("conv_support_length_5_5") is not None


@pytest.mark.parametrize("bad", [None, 3, b"conv_comm", ["conv_comm"]])
def test_explain_refuses_a_non_str(bad: object) -> None:
    with pytest.raises(InvalidArgument, match="name="):
        explain(bad)  # type: ignore[arg-type]
