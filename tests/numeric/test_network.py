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
    assert bad.returncode == 2 and "kernel_size" in bad.stderr and not bad.stdout
    assert len(bad.stderr.splitlines()) == 1 and "Traceback" not in bad.stderr


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


# --- issue 7: strict specs ----------------------------------------------------------------
# Each case: spec, the layer index and text the message must name, the offending token, and
# a fragment the message must also hold (a did-you-mean, or what is wrong).

_BAD = [
    # options and flags that do not apply to the layer kind
    ("input 3x8x8; maxpool k=2 ciel", 1, "maxpool k=2 ciel", "'ciel'", "did you mean 'ceil'"),
    ("input 3x8x8; maxpool k=2 ceil_mod", 1, "maxpool k=2 ceil_mod", "'ceil_mod'",
     "did you mean 'ceil'"),
    ("input 3x8x8; avgpool k=2 d=2", 1, "avgpool k=2 d=2", "'d=2'", "does not apply"),
    ("input 3x8x8; conv 8 k=3 op=1", 1, "conv 8 k=3 op=1", "'op=1'", "option of convT"),
    ("input 3x8x8; maxpool k=2 g=2", 1, "maxpool k=2 g=2", "'g=2'", "does not apply"),
    ("input 3x8x8; maxpool k=2 nobias", 1, "maxpool k=2 nobias", "'nobias'", "does not apply"),
    ("input 3x8x8; avgpool k=2 nobias", 1, "avgpool k=2 nobias", "'nobias'", "does not apply"),
    ("input 3x8x8; subsample k=2 p=1", 1, "subsample k=2 p=1", "'p=1'", "does not apply"),
    ("input 3x8x8; subsample k=2 ceil", 1, "subsample k=2 ceil", "'ceil'", "does not apply"),
    ("input 3x8x8; conv 4 k=3 ceil", 1, "conv 4 k=3 ceil", "'ceil'", "does not apply"),
    ("input 3x8x8; conv 4 k=3 ceil=1", 1, "conv 4 k=3 ceil=1", "'ceil=1'", "does not apply"),
    ("input 3x8x8; maxpool k=2 ceil=1", 1, "maxpool k=2 ceil=1", "'ceil=1'", "takes no value"),
    ("input 3x8x8; dropout p=0.5", 1, "dropout p=0.5", "'p=0.5'", "no options"),
    ("input 3x8x8; bn eps=1", 1, "bn eps=1", "'eps='", "no options"),
    ("input 3x8x8; avgpool k=2 count_include_pad", 1, "avgpool k=2 count_include_pad",
     "'count_include_pad'", "avgpool accepts"),
    ("input 3x8x8; fc 10 k=3", 1, "fc 10 k=3", "'k=3'", "does not apply"),
    ("input 3x8x8 k=3", 0, "input 3x8x8 k=3", "'k=3'", "does not apply"),
    # misspelt names: a did-you-mean (short and long spellings)
    ("input 3x8x8; conv 4 k=3 strid=2", 1, "conv 4 k=3 strid=2", "'strid='",
     "did you mean 's=' (or 'stride=')"),
    ("input 3x8x8; conv 4 k=3 dilaton=2", 1, "conv 4 k=3 dilaton=2", "'dilaton='",
     "did you mean 'd='"),
    ("input 3x8x8; conv 4 kernel=3", 1, "conv 4 kernel=3", "'kernel='",
     "did you mean 'k=' (or 'kernel_size=')"),
    ("input 3x8x8; conv 4 k=3 nobais", 1, "conv 4 k=3 nobais", "'nobais'",
     "did you mean 'nobias'"),
    ("input 3x8x8; maxpol k=2", 1, "maxpol k=2", "'maxpol'", "did you mean 'maxpool'"),
    ("input 3x8x8; conv 4 k=3 p=sme", 1, "conv 4 k=3 p=sme", "'p=sme'", "did you mean 'same'"),
    ("input 6x8x8; conv 16 k=3 table=lenet", 1, "conv 16 k=3 table=lenet", "'table=lenet'",
     "did you mean 'lenet5'"),
    ("input 3x8x8 hwc", 0, "input 3x8x8 hwc", "'hwc'", "did you mean 'layout=hwc'"),
    # repeated options, also under a synonym
    ("input 3x8x8; conv 4 k=2 k=3", 1, "conv 4 k=2 k=3", "'k=3'", "'k=2'"),
    ("input 3x8x8; conv 4 k=3 s=2 stride=3", 1, "conv 4 k=3 s=2 stride=3", "'stride=3'",
     "'s=2'"),
    ("input 3x8x8; maxpool k=2 ceil ceil_mode", 1, "maxpool k=2 ceil ceil_mode", "'ceil_mode'",
     "twice"),
    ("input 3x8x8; conv 4 k=3 nobias nobias", 1, "conv 4 k=3 nobias nobias", "'nobias'",
     "twice"),
    ("input 3x8x8 layout=chw layout=chw", 0, "input 3x8x8 layout=chw layout=chw",
     "'layout=chw'", "repeats"),
    # stray words and numbers
    ("input 3x8x8; relu junk 7", 1, "relu junk 7", "'junk'", "relu accepts no options"),
    ("input 3x8x8; relu 7", 1, "relu 7", "'7'", "unexpected number"),
    ("input 3x8x8; flatten 2", 1, "flatten 2", "'2'", "unexpected number"),
    ("input 3x8x8; fc 10 20", 1, "fc 10 20", "'20'", "extra number"),
    ("input 3x8x8 8", 0, "input 3x8x8 8", "'8'", "extra number"),
    ("input 3x8x8; conv k=3 4", 1, "conv k=3 4", "'4'", "right after 'conv'"),
    ("input 3x8x8; conv 4 k=3 relu", 1, "conv 4 k=3 relu", "'relu'", "separate layers"),
    ("input 3x8x8; conv 4 k=3 = 3", 1, "conv 4 k=3 = 3", "'='", "without spaces"),
    ("input 3x8x8; conv 4 k = 3", 1, "conv 4 k = 3", "'k'", "needs a value"),
    ("input 3x8x8; conv 4 k 3", 1, "conv 4 k 3", "'k'", "needs a value"),
    ("input 3x8x8; conv 4 k=3 s=2,2", 1, "conv 4 k=3 s=2,2", "'2,2'", "3x5"),
    ("input 3x8x8; conv 4 k=3.0", 1, "conv 4 k=3.0", "'3.0'", "ASCII digits"),
    ("input 3x8x8; conv 4 k=-1", 1, "conv 4 k=-1", "'-1'", "no sign"),
    ("input 3x8x8; conv -4 k=3", 1, "conv -4 k=3", "'-4'", "unexpected"),
    ("input 3x8x8; conv 4 k=٣", 1, "conv 4 k=٣", "'٣'", "ASCII digits"),
    ("input 3x8x8; 8 k=3", 1, "8 k=3", "'8'", "starts with its kind"),
    ("input 3x8x8; k=3", 1, "k=3", "'k=3'", "starts with its kind"),
    ("input 3x8x8; warp 4", 1, "warp 4", "'warp'", "unknown layer kind"),
    ("input 3x8x8; input 3x8x8", 1, "input 3x8x8", "'input'", "only be the first"),
    # empty values, missing values
    ("input 3x8x8; conv 4 k=", 1, "conv 4 k=", "'k='", "empty value"),
    ("input 3x8x8 layout=", 0, "input 3x8x8 layout=", "'layout='", "empty value"),
    ("input 3x8x8; conv 4", 1, "conv 4", "k=", "kernel size"),
    ("input 3x8x8; fc", 1, "fc", "OUT", "needs"),
    ("input 3x8x8; conv k=3", 1, "conv k=3", "OUT", "needs"),
    # values out of range
    ("input 3x8x8; conv 0 k=3", 1, "conv 0 k=3", "'0'", ">= 1"),
    ("input 3x8x8; conv 4 k=3 s=0", 1, "conv 4 k=3 s=0", "'s=0'", ">= 1"),
    ("input 3x8x8; conv 8x8 k=3", 1, "conv 8x8 k=3", "'8x8'", "single positive int"),
    ("input 3x8x8; conv 4 k=3 g=2", 1, "conv 4 k=3 g=2", "'g=2'", "must divide"),
    ("input 3x8x8; conv 4 k=3x3x3", 1, "conv 4 k=3x3x3", "'k=3x3x3'", "1 or 2 values"),
    ("input 3x8x8; conv 4 k=3 s=2 p=same", 1, "conv 4 k=3 s=2 p=same", "'p=same'",
     "stride 1"),
    ("input 3x8x8; maxpool k=2 p=same", 1, "maxpool k=2 p=same", "'p=same'", "only to conv"),
    ("input 3x8x8; convT 4 k=3 p=valid", 1, "convT 4 k=3 p=valid", "'p=valid'", "only to conv"),
    ("input 3x8x8; conv 4 k=9", 1, "conv 4 k=9", "kernel_size=(9, 9)", "larger than"),
    ("input 3x8x8; maxpool k=2 p=2", 1, "maxpool k=2 p=2", "padding=(2, 2)", "half"),
    ("input 3x8x8; convT 4 k=3 s=2 op=2", 1, "convT 4 k=3 s=2 op=2", "output_padding=",
     "smaller than"),
    # numbers too large to be a size: over 2**62, and thousands of digits
    ("input 3x8x8; conv 4 k=3 d=4611686018427387905", 1,
     "conv 4 k=3 d=4611686018427387905", "'4611686018427387905'", "too large"),
    ("input 3x8x8; conv 4611686018427387905 k=3", 1, "conv 4611686018427387905 k=3",
     "'4611686018427387905'", "too large"),
    ("input 3x8x8; conv 4 k=" + "9" * 5000, 1, "conv 4 k=999", "'k=999", "too large"),
    ("input 1x" + "7" * 5000, 0, "input 1x777", "'777", "too large"),
    ("input 3x8x8; fc " + "1" * 100_000, 1, "fc 111", "'111", "too large"),
    ("input 3x8x8; convT 2 k=3 s=4611686018427387904; convT 2 k=3 s=4611686018427387904", 1,
     "convT 2 k=3 s=4611686018427387904", "32281802128991715331", "more than 2**62"),
    ("input 3x8x8; flatten; conv 3 k=1", 2, "conv 3 k=1", "192", "spatial axes"),
    # LeNet-5's connection table: 16 outputs of a 6-channel input, g=1
    ("input 1x32x32; conv 16 k=5 table=lenet5", 1, "conv 16 k=5 table=lenet5",
     "'table=lenet5'", "C_in=1"),
    ("input 8x14x14; conv 16 k=5 table=lenet5", 1, "conv 16 k=5 table=lenet5",
     "'table=lenet5'", "C_in=8"),
    ("input 6x14x14; conv 12 k=5 table=lenet5", 1, "conv 12 k=5 table=lenet5",
     "'table=lenet5'", "OUT=12"),
    ("input 6x14x14; conv 16 k=5 table=lenet5 g=2", 1, "conv 16 k=5 table=lenet5 g=2",
     "'table=lenet5'", "g=1"),
    # layouts
    ("input 3x8x8 layout=nchw", 0, "input 3x8x8 layout=nchw", "'layout=nchw'", "batch"),
    ("input 3x8x8 layout=hcw", 0, "input 3x8x8 layout=hcw", "'layout=hcw'", "first"),
    ("input 3x8x8 layout=hw", 0, "input 3x8x8 layout=hw", "'layout=hw'", "3 values"),
    ("input 3x8x8 layout=chh", 0, "input 3x8x8 layout=chh", "'layout=chh'", "more than once"),
    ("input 3x8x8 layout=c1w", 0, "input 3x8x8 layout=c1w", "'layout=c1w'", "axis letters"),
    ("input 3x8x8 layout=cchw", 0, "input 3x8x8 layout=cchw", "'layout=cchw'",
     "more than once"),
]


@pytest.mark.parametrize(("spec", "index", "text", "token", "fragment"), _BAD,
                         ids=[b[0][:50] for b in _BAD])
def test_strict_specs_name_the_layer_and_the_token(spec: str, index: int, text: str,
                                                   token: str, fragment: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        network_shapes(spec)
    message = str(info.value)
    assert f"layer {index} ('{text}" in message, message
    assert token in message, message
    assert fragment in message, message
    assert "\n" not in message and len(message) < 1000


@pytest.mark.parametrize(
    ("spec", "fragments"),
    [
        ("input 32x32x3", ["32 channels of 32×3", "a 32×32 image with 3 channels",
                           "layout=chw", "layout=hwc"]),
        ("input 28x28", ["28 channels of a 28-sample 1-D signal",
                         "28×28 single-channel image", "layout=cl", "layout=hw"]),
        ("input 100x3", ["100 channels", "100-sample 1-D signal with 3 channels",
                         "layout=lc"]),
        ("input 16x16x16x1", ["16 channels of 16×16×1", "16×16×16 volume with 1 channel",
                              "layout=cdhw", "layout=dhwc"]),
        ("input 5x5x1", ["5 channels of 5×1", "5×5 image with 1 channel"]),
        ("input 8x8x8x8x2", ["C×", "with 2 channels"]),
    ],
)
def test_ambiguous_input_without_layout_shows_both_readings(spec: str,
                                                            fragments: list[str]) -> None:
    for form in (f"{spec}; relu", [spec, "relu"]):
        with pytest.raises(InvalidArgument, match="ambiguous") as info:
            network_shapes(form)
        assert str(info.value).startswith(f"layer 0 ('{spec}')")
        for fragment in fragments:
            assert fragment in str(info.value), (fragment, str(info.value))


# Hand-computed: o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1; params C_out·(C_in/g)·∏k + C_out.
_GOOD = [
    # HWC image: C=3, 32×32 → 12×32×32, 12·3·9 + 12 = 336
    ("input 32x32x3 layout=hwc; conv 12 k=3 p=1", (3, 32, 32), (12, 32, 32), 336),
    ("input 32x32x3 layout=HWC; conv 12 k=3 p=1", (3, 32, 32), (12, 32, 32), 336),
    # single-channel image: 28×28 → 26×26, 6·1·9 + 6 = 60
    ("input 28x28 layout=hw; conv 6 k=3", (1, 28, 28), (6, 26, 26), 60),
    # the same numbers as 28 channels of a 1-D signal: 6·28·3 + 6 = 510
    ("input 28x28 layout=cl; conv 6 k=3", (28, 28), (6, 26), 510),
    # 1-D channels-last: 100 samples, 3 channels → 96 samples, 8·3·5 + 8 = 128
    ("input 100x3 layout=lc; conv 8 k=5", (3, 100), (8, 96), 128),
    ("input 100 layout=l; conv 2 k=2", (1, 100), (2, 99), 6),
    # 3-D channels-last, pooled: 8×8×8 → 4×4×4
    ("input 8x8x8x2 layout=dhwc; maxpool k=2", (2, 8, 8, 8), (2, 4, 4, 4), 0),
    ("input 2x8x8x8 layout=cdhw; maxpool k=2", (2, 8, 8, 8), (2, 4, 4, 4), 0),
    # spatial axes keep the order written: W=10, H=12; k=3x1 → (10−2)×12
    ("input 10x12x3 layout=whc; conv 4 k=3x1", (3, 10, 12), (4, 8, 12), 4 * 3 * 3 + 4),
    # unambiguous shapes need no layout
    ("input 3x224x224; conv 8 k=3", (3, 224, 224), (8, 222, 222), 8 * 27 + 8),
    ("input 64x56x56; conv 64 k=1 nobias", (64, 56, 56), (64, 56, 56), 64 * 64),
    ("input 1x32x32; conv 6 k=5", (1, 32, 32), (6, 28, 28), 156),
    ("input 1x100; conv 4 k=3", (1, 100), (4, 98), 16),
    ("input 4x4; conv 2 k=2", (4, 4), (2, 3), 2 * 8 + 2),
    ("input 3x4x4; conv 2 k=2", (3, 4, 4), (2, 3, 3), 2 * 12 + 2),
    ("input 10; fc 5", (10,), (5,), 55),
    # long option names, any case, × between sizes, "linear" for fc
    ("INPUT 3x9x9; CONV 4 kernel_size=3 stride=2 padding=1 dilation=1 groups=1",
     (3, 9, 9), (4, 5, 5), 4 * 27 + 4),
    ("input 2x8x8; maxpool kernel_size=3 stride=2 ceil_mode", (2, 8, 8), (2, 4, 4), 0),
    ("input 2x5x5; convT 3 k=3 s=2 output_padding=1", (2, 5, 5), (3, 12, 12), 2 * 3 * 9 + 3),
    ("input 3×8×8; conv 2 k=3", (3, 8, 8), (2, 6, 6), 2 * 27 + 2),
    ("input 2x3x3; linear 4", (2, 3, 3), (4,), 18 * 4 + 4),
    # LeNet-5's C3 table on a 6-channel input: 60 connections · 25 taps + 16 biases
    ("input 6x14x14; conv 16 k=5 table=lenet5", (6, 14, 14), (16, 10, 10), 1516),
    # empty layers and newlines are separators
    ("input 1x5;; relu;\n\n", (1, 5), (1, 5), 0),
    ("input 3x8x8\nconv 2 k=3\n", (3, 8, 8), (2, 6, 6), 2 * 27 + 2),
]


@pytest.mark.parametrize(("spec", "input_shape", "output_shape", "params"), _GOOD,
                         ids=[g[0][:50] for g in _GOOD])
def test_layouts_and_synonyms_against_hand_computed_values(
        spec: str, input_shape: tuple[int, ...], output_shape: tuple[int, ...],
        params: int) -> None:
    net = network_shapes(spec)
    assert net.layers[0].shape == input_shape
    assert net.layers[-1].shape == output_shape
    assert net.params == params
    # the list form gives the same answer
    items = [s for s in spec.replace("\n", ";").split(";") if s.strip()]
    assert network_shapes(items) == net


def test_hwc_reading_matches_torch_on_the_permuted_tensor() -> None:
    torch = pytest.importorskip("torch")
    image = torch.zeros(32, 32, 3)  # H×W×C, as the lecture notes write it
    conv = torch.nn.Conv2d(3, 12, 3, padding=1)
    out = conv(image.permute(2, 0, 1).unsqueeze(0))
    net = network_shapes("input 32x32x3 layout=hwc; conv 12 k=3 p=1")
    assert net.layers[1].shape == tuple(out.shape[1:])
    assert net.layers[1].params == sum(p.numel() for p in conv.parameters()) == 336


def test_layout_is_shown_on_the_input_row() -> None:
    table = network_shapes("input 32x32x3 layout=hwc; conv 12 k=3 p=1").table()
    row = table.splitlines()[2]
    assert "3×32×32" in row and "H×W×C" in row and "layout=hwc" in row
    row = network_shapes("input 28x28 layout=hw").table().splitlines()[2]
    assert "1×28×28" in row and "C=1" in row


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        (["input 3x8x8", 7], "spec[1]"),
        (["input 3x8x8", None], "spec[1]"),
        ([b"input 3x8x8"], "spec[0]"),
        (("input 3x8x8", ["conv 4 k=3"]), "spec[1]"),
        (["input 3x8x8; relu"], "spec[0]"),
        (["input 3x8x8", "relu\nrelu"], "spec[1]"),
        (["input 3x8x8", "  "], "spec[1]"),
        ([], "no layers"),
        (["input 3x8x8", "maxpool k=2 ciel"], "layer 1 ('maxpool k=2 ciel')"),
        (["conv 4 k=3"], "must start with 'input"),
        (3.5, "spec must be"),
        ({"input 3x8x8"}, "spec must be"),
        (iter(["input 3x8x8"]), "spec must be"),
    ],
)
def test_list_form_and_wrong_types_name_the_item(spec: object, fragment: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        network_shapes(spec)  # type: ignore[arg-type]
    assert fragment in str(info.value), str(info.value)


@pytest.mark.parametrize(
    "argv",
    [
        ["shape", "input 32x32x3; conv 12 k=3 p=1"],
        ["shape", "input 3x8x8; maxpool k=2 ciel"],
        ["shape", "input 1x" + "9" * 10_000],
        ["shape", "input 3x8x8; conv 4 k=3\u2028relu"],
        ["shape", "\x00"],
        ["shape", ""],
        ["shape", "input", "3x8x8"],
        ["shape", "--bogus", "vgg16"],
        ["shape", "vgg16", "--format", "xml"],
        ["shape"],
    ],
)
def test_cli_errors_are_one_line_on_stderr(argv: list[str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from convmath.cli import main

    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own errors
        status = exc.code  # type: ignore[assignment]
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.endswith("\n"), err
    # ("convmath: " when argparse hands an unknown option up to the main parser)
    assert err.startswith(("convmath shape: ", "convmath: ")) and "Traceback" not in err


def test_cli_prints_the_layout_reading(capsys: pytest.CaptureFixture[str]) -> None:
    from convmath.cli import main

    assert main(["shape", "input 32x32x3 layout=hwc; conv 12 k=3 p=1"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "12×32×32" in out and "336" in out and "layout=hwc" in out
