"""``convmath shape``: every format parses back, --flops, --explain, symbolic sizes,
--conventions, and one-line errors."""

from __future__ import annotations

import csv
import json

import pytest

from convmath.cli import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = main(argv)
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return status, out, err


def test_json_has_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(["shape", "lenet5", "--format", "json"], capsys)
    data = json.loads(out)
    assert status == 0 and data["params"] == 60_000 and data["connections"] == 340_908
    assert data["flops"]["2mac"] == 2 * data["macs"]
    c1 = data["layers"][1]
    # C1: 6@28×28, 5×5 kernel: r = 5, j = 1, start 0, centre 2
    assert c1["receptive_field"] == [5, 5] and c1["jump"] == [1, 1] and c1["centre"] == [2, 2]
    assert c1["flops"]["2mac+bias"] == 2 * c1["macs"] + 6 * 28 * 28
    assert data["layers"][-2]["receptive_field"] == "all"


def test_csv_parses_back(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(["shape", "cifar10", "--format", "csv"], capsys)
    rows = list(csv.reader(out.splitlines()))
    assert status == 0 and rows[0][:5] == ["layer", "output", "params", "MACs", "connections"]
    assert rows[-1][0] == "total" and int(rows[-1][2]) == 336 + 30_730
    assert rows[2][5] == "3×3"  # conv 12 k=3 p=1: RF 3


def test_markdown_is_a_github_table(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(["shape", "cifar10", "--format", "markdown"], capsys)
    lines = out.splitlines()
    assert status == 0 and lines[0].startswith("| layer |") and set(lines[1]) <= set("|-:")
    assert all(line.count("|") == lines[0].count("|") for line in lines[2:8])


def test_flops_option(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(["shape", "input 1x4x4; conv 2 k=3", "--flops", "2mac+bias"], capsys)
    # 4 positions · 2 · 9 = 72 MACs, 8 biased outputs: 2·72 + 8 = 152
    assert "= 152" in out.splitlines()[-1]
    _, out, _ = _run(["shape", "input 1x4x4; conv 2 k=3"], capsys)
    assert "= 144" in out.splitlines()[-1]


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(["shape", "alexnet", "--explain", "1"], capsys)
    assert status == 0 and "⌊216/4⌋ + 1 = 55" in out
    assert "proved by: convmath prove conv_output_size:Z" in out
    status, out, err = _run(["shape", "alexnet", "--explain", "99"], capsys)
    assert status == 2 and out == "" and len(err.splitlines()) == 1


def test_symbolic_spec(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(["shape", "input 3xHxW; conv 96 k=11 s=4 exact"], capsys)
    assert status == 0 and "⌊(H − 11)/4⌋ + 1" in out
    assert "fits for: H ≥ 11, H ≡ 3 (mod 4), W ≥ 11, W ≡ 3 (mod 4)" in out


def test_conventions_flag(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("convmath.numeric._conventions")
    status, out, _ = _run(["shape", "--conventions", "--format", "csv"], capsys)
    assert status == 0 and next(csv.reader(out.splitlines()))[0] == "function"


def test_help_lists_the_presets(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(["shape", "--help"], capsys)
    for name in ("lenet5", "alexnet", "vgg16", "resnet18", "cifar10", "--explain", "--flops",
                 "save NAME", "gap", "exact"):
        assert name in out, name


@pytest.mark.parametrize(
    "argv",
    [
        ["shape", "input 3x8x8; save a; conv 4 k=3 s=2; add a"],
        ["shape", "input 3x224x224; conv 96 k=11 s=4 exact"],
        ["shape", "input 3xHxW; conv 4 k=3", "--explain", "1"],
        ["shape", "cifar10", "--flops", "3mac"],
        ["shape", "--conventions", "cifar10"],
        ["shape"],
    ],
)
def test_errors_are_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(argv, capsys)
    assert status == 2 and out == "" and len(err.splitlines()) == 1, err
