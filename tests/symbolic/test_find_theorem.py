"""Finding a theorem: by family, theorem or instance, near names for a typo, and by words
(`derivations`, `suggest`, `search` and `convmath prove`, the CLI run in-process)."""

from __future__ import annotations

import pytest

from convmath import InvalidArgument
from convmath.cli import main
from convmath.symbolic import Derivation, derivations, search, text
from convmath.symbolic.theorems import suggest


def _keys(ds: list[Derivation]) -> list[str]:
    return [d.key for d in ds]


# -- derivations(): a family, a theorem or an instance -------------------------------------


def test_a_family_name_selects_the_family() -> None:
    fam = derivations("commutativity")
    assert fam == derivations(family="commutativity")
    assert {d.name for d in fam} == {"conv_comm"} and len(fam) >= 6
    assert _keys(derivations("backprop")) == _keys(derivations(family="backprop"))
    # the keyword still works, and combines with a name
    assert _keys(derivations("conv_comm:Z2", family="commutativity")) == ["conv_comm:Z2"]
    with pytest.raises(InvalidArgument, match="in family 'backprop'"):
        derivations("commutativity", family="backprop")


def test_a_theorem_and_an_instance() -> None:
    assert {d.key for d in derivations("conv_comm")} >= {"conv_comm:R", "conv_comm:Z2"}
    assert _keys(derivations("conv_comm:R2")) == ["conv_comm:R2"]
    assert _keys(derivations("deriv_conv:R2:axis2")) == ["deriv_conv:R2:axis2"]


@pytest.mark.parametrize(("typo", "meant"), [
    ("conv_com", ["conv_comm"]),
    ("comutativity", ["commutativity"]),
    ("backprp", ["backprop"]),
    ("Conv_Comm", ["conv_comm"]),
])
def test_near_names(typo: str, meant: list[str]) -> None:
    assert suggest(typo) == meant
    with pytest.raises(InvalidArgument, match=rf"name='{typo}': no such derivation; did you "
                                              rf"mean {meant[0]}\?"):
        derivations(typo)


def test_near_keys_for_an_unknown_domain() -> None:
    near = suggest("conv_comm:R4")
    assert near and all(k.startswith("conv_comm:R") for k in near)
    assert suggest("xyzzy") == [] and suggest("") == []
    with pytest.raises(InvalidArgument, match="no such derivation") as info:
        derivations("xyzzy")
    assert "did you mean" not in str(info.value)
    with pytest.raises(InvalidArgument, match="limit="):
        suggest("conv_com", limit=0)
    with pytest.raises(InvalidArgument, match="name="):
        suggest(None)  # type: ignore[arg-type]


# -- search() -------------------------------------------------------------------------------


def test_search_needs_every_word() -> None:
    found = search("convolution commutative")
    assert {"conv_comm:R", "conv_comm:Z3"} <= set(_keys(found))
    assert "conv_assoc:R" not in _keys(found)
    assert _keys(search(["Commutative", "R2"])) == ["conv_comm:R2"]  # any case; a sequence
    assert search("convolution commutative zebra") == []


def test_search_matches_unicode_free_spellings() -> None:
    # R2 for ℝ², delta for δ, 180 deg for 180°, f * g for ∗ in the statement
    assert _keys(search("R2 commutative")) == _keys(search("ℝ² commutative"))
    assert {"conv_delta:R2", "delta_conv:R2"} <= set(_keys(search("delta R2")))
    assert "xcorr_eq_conv_reflect:Z" in _keys(search("rotated 180 deg"))
    assert "conv_input_grad_flipped:Z" in _keys(search("rotated 180°"))
    assert set(_keys(search("(g * f)"))) >= {"conv_comm:R", "conv_comm:Z2"}


def test_search_looks_in_titles_explanations_and_statements() -> None:
    assert "fourier_conv:R" in _keys(search("multiplication"))  # the title
    assert "conv_comm:R" in _keys(search("sliding"))  # the explanation
    assert "xcorr_swap:R" in _keys(search("(g ⋆ f)(−x)"))  # the printed statement


@pytest.mark.parametrize("bad", [None, 3, "", "   ", [], ["conv", 1], b"conv"])
def test_search_refuses_bad_words(bad: object) -> None:
    with pytest.raises(InvalidArgument, match="words="):
        search(bad)  # type: ignore[arg-type]


# -- convmath prove -------------------------------------------------------------------------


def test_cli_prove_a_family(capsys: pytest.CaptureFixture[str]) -> None:
    n = len(derivations(family="commutativity"))
    assert main(["prove", "commutativity", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"✓ {n}/{n} derivations verified" in out


def test_cli_each_derivation_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "conv_comm:Z", "conv_comm:Z", "--quiet"]) == 0
    assert "1/1 derivations verified" in capsys.readouterr().out


def test_cli_unknown_name_suggests_near_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "conv_com"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("convmath prove: no such derivation 'conv_com'; did you mean "
                          "conv_comm?"), err
    assert main(["prove", "comutativity"]) == 2
    assert "did you mean commutativity?" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["", ":", "conv_comm:", "conv_comm::R", "x" * 300, "ℝ²",
                                  "conv comm", "--", "conv_comm:R2:axis9"])
def test_cli_odd_names_never_give_a_traceback(name: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["prove", "--", name]) if not name.startswith("-") else main(["prove", name])
    out = capsys.readouterr()
    assert status == 2, (name, out)
    assert "Traceback" not in out.err + out.out
    assert out.err.startswith("convmath prove:"), out.err


def test_cli_search(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "--search", "convolution", "commutative"]) == 0
    lines = capsys.readouterr().out.splitlines()
    keys = [ln.split()[0] for ln in lines]
    assert {"conv_comm:R", "conv_comm:Z2"} <= set(keys)
    d = derivations("conv_comm:R2")[0]
    assert any(ln.startswith("conv_comm:R2 ") and "ℝ²" in ln and ln.endswith(text(d.statement))
               for ln in lines), lines
    assert main(["prove", "--search", "commutative R2"]) == 0  # one quoted argument
    assert capsys.readouterr().out.split()[0] == "conv_comm:R2"


def test_cli_search_without_a_match(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "--search", "zebra", "giraffe"]) == 1
    out = capsys.readouterr()
    assert out.out == "" and "no theorem matches 'zebra giraffe'" in out.err
