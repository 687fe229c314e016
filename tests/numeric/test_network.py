"""Network accounting against published counts (REFERENCE.md) and against torch modules."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convmath import InvalidArgument
from convmath.numeric import network_shapes


def test_lenet5_published_counts() -> None:
    net = network_shapes("lenet5")
    params = [x.params for x in net.layers if x.params]
    assert params == [156, 12, 1516, 32, 48120, 10164]
    assert net.params == 60_000
    shapes = [x.shape for x in net.layers if x.kind in ("conv", "subsample", "fc")]
    assert shapes[:3] == [(6, 28, 28), (6, 14, 14), (16, 10, 10)]


def test_alexnet_caffe_published_counts() -> None:
    net = network_shapes("alexnet")
    params = [x.params for x in net.layers if x.params]
    assert params == [34_944, 307_456, 885_120, 663_936, 442_624, 37_752_832, 16_781_312,
                      4_097_000]
    assert net.params == 60_965_224
    convs = [x.shape for x in net.layers if x.kind == "conv"]
    assert convs[0] == (96, 55, 55)
    pools = [x.shape for x in net.layers if x.kind == "maxpool"]
    assert pools == [(96, 27, 27), (256, 13, 13), (256, 6, 6)]


def test_alexnet_torchvision_ungrouped() -> None:
    spec = (
        "input 3x224x224; conv 64 k=11 s=4 p=2; maxpool k=3 s=2; conv 192 k=5 p=2; "
        "maxpool k=3 s=2; conv 384 k=3 p=1; conv 256 k=3 p=1; conv 256 k=3 p=1; "
        "maxpool k=3 s=2; fc 4096; fc 4096; fc 1000"
    )
    assert network_shapes(spec).params == 61_100_840


def test_vgg16_published_counts() -> None:
    net = network_shapes("vgg16")
    assert net.params == 138_357_544
    assert sum(x.params for x in net.layers if x.kind == "conv") == 14_714_688
    assert round(net.macs / 1e9, 2) == 15.47


def test_alexnet_224_without_padding_is_flagged() -> None:
    layer = network_shapes("input 3x224x224; conv 96 k=11 s=4").layers[1]
    # (224 - 11)/4 + 1 = 54.25: PyTorch floors to 54 and one row is never reached
    assert layer.shape == (96, 54, 54)
    assert "never read" in layer.note


def test_depthwise_separable_cost_ratio() -> None:
    c_in, c_out, k, size = 32, 64, 3, 16
    std = network_shapes(f"input {c_in}x{size}x{size}; conv {c_out} k={k} p=1").macs
    sep = network_shapes(
        f"input {c_in}x{size}x{size}; conv {c_in} k={k} p=1 g={c_in}; conv {c_out} k=1"
    ).macs
    assert sep / std == pytest.approx(1 / c_out + 1 / k**2)


def test_transposed_and_same_and_3d() -> None:
    net = network_shapes(
        "input 4x5x7x6; conv 8 k=3x1x2 p=same d=2x1x1; convT 2 k=3 s=2 p=1 op=1; avgpool k=2 ceil"
    )
    assert [x.shape for x in net.layers[1:]] == [(8, 5, 7, 6), (2, 10, 14, 12), (2, 5, 7, 6)]


def test_shapes_match_torch_modules() -> None:
    torch = pytest.importorskip("torch")
    nn = torch.nn
    spec = ("input 3x37x29; conv 8 k=5x3 s=2x1 p=1x2 d=1x2; maxpool k=3 s=2 p=1 ceil; "
            "conv 12 k=3 p=same g=4; convT 6 k=4 s=3 p=1 op=2 g=2; avgpool k=2 s=1x2 p=1 ceil")
    model = nn.Sequential(
        nn.Conv2d(3, 8, (5, 3), stride=(2, 1), padding=(1, 2), dilation=(1, 2)),
        nn.MaxPool2d(3, 2, 1, ceil_mode=True),
        nn.Conv2d(8, 12, 3, padding="same", groups=4),
        nn.ConvTranspose2d(12, 6, 4, stride=3, padding=1, output_padding=2, groups=2),
        nn.AvgPool2d(2, (1, 2), 1, ceil_mode=True),
    )
    x = torch.zeros(1, 3, 37, 29)
    expected = []
    for layer in model:
        x = layer(x)
        expected.append((tuple(x.shape[1:]), sum(p.numel() for p in layer.parameters())))
    net = network_shapes(spec)
    assert [(x.shape, x.params) for x in net.layers[1:]] == expected


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("conv 3 k=3", "must start with 'input"),
        ("input 3x8x8; conv 4 k=3 g=2", "g=2"),
        ("input 3x8x8; conv 4", "k="),
        ("input 3x8x8; conv 4 k=3x3x3", "k=3x3x3"),
        ("input 3x8x8; conv 4 k=3 s=2 p=same", "stride 1"),
        ("input 3x8x8; warp 4", "unknown layer kind"),
        ("input 3x8x8; conv 4 k=3 q=1", "unknown option"),
        ("input 3x8x8; conv 4 k=9", "larger than the padded input"),
        ("", "no layers"),
    ],
)
def test_bad_specs_raise_invalid_argument(spec: str, fragment: str) -> None:
    with pytest.raises(InvalidArgument, match=fragment):
        network_shapes(spec)


def test_cli_shape_text_json_and_error() -> None:
    run = [sys.executable, "-m", "convmath", "shape"]
    out = subprocess.run([*run, "vgg16"], capture_output=True, text=True, check=True)
    assert "138,357,544" in out.stdout
    out = subprocess.run([*run, "lenet5", "--format", "json"], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout)["params"] == 60_000
    bad = subprocess.run([*run, "input 3x4x4; conv 9 k=7"], capture_output=True, text=True)
    assert bad.returncode == 2 and "kernel_size" in bad.stdout


# --- regressions from the differential QA pass (issue 2 follow-up) -------------------------


@pytest.mark.parametrize("spec", [None, 5, b"input 1x5", {"input": "1x5"}])
def test_spec_of_the_wrong_type_raises_invalid_argument(spec: object) -> None:
    with pytest.raises(InvalidArgument, match="spec must be"):
        network_shapes(spec)  # type: ignore[arg-type]


def test_valid_padding_on_two_axes() -> None:
    net = network_shapes("input 2x5x5; conv 8 k=3 p=valid")
    assert net.layers[-1].shape == (8, 3, 3)  # 5 − 3 + 1 per axis
    assert net.layers[-1].params == 8 * 2 * 9 + 8


@pytest.mark.parametrize(
    "spec",
    [
        "input 3x8x8; conv ² k=3",
        "input 3x8x8; conv 4 k=3 g=x",
        "input 3x8x8; conv 4 k=3 g=0",
        "input 3x8x8; conv 0 k=3",
        "input 3x8x8; fc ³",
        "input 3x8x8; conv 4 k=-1",
        "input 3x8x8; conv 4 k=3 s=1_0",
        "input 1x99999999999999999999; conv 1 k=3",
        "input 3x8x8; maxpool k=99999999999999999999 ceil",
        "input 3x8x8; conv 4 k=3 d=99999999999999999999",
    ],
)
def test_malformed_numbers_in_specs_raise_invalid_argument(spec: str) -> None:
    with pytest.raises(InvalidArgument):
        network_shapes(spec)


_KINDS = ["conv", "convT", "maxpool", "avgpool", "subsample", "fc", "flatten", "bn", "relu",
          "pool", ""]
_VALUES = ["0", "1", "2", "3", "2x3", "1x1x1", "-1", "x", "", "same", "valid", "lenet5", "²",
           "99999999999999999999"]
_OPTION = st.builds("{}={}".format, st.sampled_from(["k", "s", "p", "d", "g", "op", "table"]),
                    st.sampled_from(_VALUES))
_LAYER = st.builds(
    lambda kind, count, options, flags, junk: " ".join([kind, *count, *options, *flags, junk]),
    st.sampled_from(_KINDS),
    st.lists(st.sampled_from(_VALUES), max_size=1),
    st.lists(_OPTION, max_size=4),
    st.lists(st.sampled_from(["ceil", "nobias"]), max_size=1),
    st.one_of(st.just(""), st.text(max_size=3)),
)
_SPEC = st.builds(lambda first, rest: "; ".join([first, *rest]),
                  st.sampled_from(["input 3x8x8", "input 1x5", "input 2x4x4x4", "input 0x5",
                                   "input x", "input 4x6x6"]),
                  st.lists(_LAYER, max_size=4))


@settings(max_examples=300, deadline=None)
@given(_SPEC)
def test_no_spec_raises_anything_but_invalid_argument(spec: str) -> None:
    # any other exception (ValueError, IndexError, TypeError, ...) fails this test
    with contextlib.suppress(InvalidArgument):
        network_shapes(spec).table()
