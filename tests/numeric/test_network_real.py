"""Real networks (issue 11): connections, receptive fields, branches, presets' published
totals. Expected values come from the papers or are computed here by hand or by brute
force (input positions whose gradient is nonzero), never from the implementation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convmath import InvalidArgument
from convmath.numeric import conv_input_grad
from convmath.numeric._network import explain_layer, network_shapes

# --- published totals -----------------------------------------------------------------------


def test_lenet5_connections_as_published() -> None:
    # LeCun et al. 1998, §II.B: C1 122,304; S2 5,880; C3 151,600; S4 2,000; C5 48,120;
    # F6 10,164 (each counts a bias as one connection) and the RBF output 84·10 = 840.
    net = network_shapes("lenet5")
    conns = [x.connections for x in net.layers if x.connections]
    assert conns == [122_304, 5_880, 151_600, 2_000, 48_120, 10_164, 840]
    assert net.connections == 340_908
    assert net.params == 60_000  # trainable: the RBF's 840 weights are fixed


def test_alexnet_conv1_connections_are_neurons_times_fan_in() -> None:
    # Krizhevsky et al.: 290,400 neurons in conv1's output, 364 = 11·11·3 + 1 inputs each
    layer = network_shapes("alexnet").layers[1]
    assert math.prod(layer.shape) == 290_400
    assert layer.connections == 290_400 * 364
    assert layer.params == 34_944


def test_presets_keep_their_published_totals() -> None:
    assert network_shapes("vgg16").params == 138_357_544
    assert network_shapes("alexnet").params == 60_965_224
    assert network_shapes("resnet18").params == 11_689_512  # torchvision


def _resnet18_macs_by_hand() -> int:
    """conv1, the 16 block convs, the 3 projections, fc: ∏o·C_out·C_in·k² each."""
    total = 112 * 112 * 64 * 3 * 49
    size, c_in = 56, 64
    for stage, width in enumerate((64, 128, 256, 512)):
        for block in range(2):
            down = stage > 0 and block == 0
            out = size // 2 if down else size
            total += out * out * width * c_in * 9 + out * out * width * width * 9
            if down:
                total += out * out * width * c_in  # 1×1/2 projection
            size, c_in = out, width
    return total + 512 * 1000


def test_resnet18_macs_by_hand() -> None:
    expected = _resnet18_macs_by_hand()
    assert expected == 1_814_073_344  # the commonly quoted torchvision count (≈ 1.82 G)
    net = network_shapes("resnet18")
    assert net.macs == expected
    assert net.layers[-1].shape == (1000,)
    assert net.layers[-2].shape == (512, 1, 1)


def test_resnet18_matches_torchvision_when_available() -> None:
    torchvision = pytest.importorskip("torchvision")
    model = torchvision.models.resnet18()
    assert sum(p.numel() for p in model.parameters()) == network_shapes("resnet18").params


def test_cifar10_preset() -> None:
    net = network_shapes("cifar10")
    # 12·3·9 + 12 = 336; fc 12·16·16·10 + 10 = 30,730
    assert [x.params for x in net.layers] == [0, 336, 0, 0, 30_730]
    assert net.layers[3].shape == (12, 16, 16)


def test_flops_conventions() -> None:
    net = network_shapes("input 2x6x6; conv 4 k=3; fc 5")
    # conv: 16 positions · 4 · 2 · 9 = 1152 MACs, 64 biased outputs; fc: 64·5 MACs, 5 biases
    assert net.macs == 1152 + 320
    assert net.flops("2mac") == 2 * (1152 + 320)
    assert net.flops("2mac+bias") == 2 * (1152 + 320) + 64 + 5
    with pytest.raises(InvalidArgument):
        net.flops("3mac")


# --- every column for transposed, dilated, grouped, depthwise layers -----------------------


@pytest.mark.parametrize(
    ("spec", "shape", "params", "macs", "bias_outputs"),
    [
        # dilated: o = 20 + 2 − 2·4 − 1 + 1 = 14; 8·4·9 + 8
        ("input 4x20x20; conv 8 k=3 p=1 d=4", (8, 14, 14), 8 * 4 * 9 + 8, 14 * 14 * 8 * 4 * 9,
         8 * 14 * 14),
        # grouped g=2: 8·(4/2)·9
        ("input 4x10x10; conv 8 k=3 g=2 nobias", (8, 8, 8), 8 * 2 * 9, 64 * 8 * 2 * 9, 0),
        # depthwise g=C: C·1·9 + C
        ("input 6x10x10; conv 6 k=3 p=1 g=6", (6, 10, 10), 6 * 9 + 6, 100 * 6 * 9, 600),
        # transposed: o = (5 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 10; MACs ∏i·C_in·(C_out/g)·∏k
        ("input 4x5x5; convT 6 k=3 s=2 p=1 op=1 g=2", (6, 10, 10), 4 * 3 * 9 + 6,
         25 * 4 * 3 * 9, 6 * 100),
    ],
)
def test_every_column_of_special_layers(spec: str, shape: tuple[int, ...], params: int,
                                        macs: int, bias_outputs: int) -> None:
    layer = network_shapes(spec).layers[-1]
    assert (layer.shape, layer.params, layer.macs) == (shape, params, macs)
    assert layer.bias_adds == bias_outputs
    assert layer.connections == macs + bias_outputs
    strided_transpose = "convT" in spec and "s=2" in spec  # the field is undefined there
    assert (layer.receptive_field is None) == strided_transpose


# --- receptive fields by brute force -----------------------------------------------------------


def _field_by_gradient(layers: list[tuple[int, int, int, int]], length: int,
                       t: int) -> np.ndarray:
    """Input positions (1-D, one channel) whose gradient w.r.t. output ``t`` of the last layer
    is nonzero; each layer (k, s, p, d) a conv with an all-ones kernel (a pool's window)."""
    sizes = [length]
    for k, s, p, d in layers:
        sizes.append((sizes[-1] + 2 * p - d * (k - 1) - 1) // s + 1)
    grad = np.zeros((1, 1, sizes[-1]))
    grad[0, 0, t] = 1.0
    for (k, s, p, d), size in zip(reversed(layers), reversed(sizes[:-1]), strict=True):
        grad = conv_input_grad((1, 1, size), np.ones((1, 1, k)), grad, stride=s, padding=p,
                               dilation=d)
    return np.flatnonzero(grad[0, 0])


_VGG_1D = [(3, 1, 1, 1)] * 2 + [(2, 2, 0, 1)] + [(3, 1, 1, 1)] * 2 + [(2, 2, 0, 1)] + (
    [(3, 1, 1, 1)] * 3 + [(2, 2, 0, 1)]) * 3


def test_vgg16_receptive_field_matches_the_gradient() -> None:
    net = network_shapes("vgg16")
    pool5 = [x for x in net.layers if x.kind == "maxpool"][-1]
    assert pool5.shape == (512, 7, 7)
    r, j, start = pool5.receptive_field[0], pool5.jump[0], pool5.start[0]  # type: ignore
    assert r == 212  # the value torchscan got wrong before its fix
    t = 3  # an output whose whole field lies inside the 224 input
    support = _field_by_gradient(_VGG_1D, 224, t)
    assert support[0] == start + t * j and support[-1] == start + t * j + r - 1
    assert len(support) == r  # no holes without dilation


@pytest.mark.parametrize(
    "layers",
    [
        [(3, 1, 0, 2), (3, 1, 0, 4), (3, 1, 0, 8)],  # WaveNet-style dilations: holes
        [(3, 2, 1, 2), (2, 2, 0, 1), (3, 1, 2, 3)],  # dilation after stride
        [(5, 3, 2, 1), (3, 1, 1, 2)],
    ],
)
def test_dilated_receptive_field_is_the_span_of_the_gradient(
        layers: list[tuple[int, int, int, int]]) -> None:
    spec = "input 1x200; " + "; ".join(f"conv 1 k={k} s={s} p={p} d={d}"
                                       for k, s, p, d in layers)
    last = network_shapes(spec).layers[-1]
    assert isinstance(last.receptive_field, tuple) and last.jump and last.start
    r, j, start = last.receptive_field[0], last.jump[0], last.start[0]
    t = last.shape[1] // 2
    support = _field_by_gradient(layers, 200, t)
    assert support[0] == start + t * j and support[-1] == start + t * j + r - 1
    centre = last.centre
    assert centre is not None and centre[0] == start + (r - 1) / 2


def test_dilated_stack_has_holes_but_span_is_r() -> None:
    layers = [(2, 1, 0, 1), (2, 1, 0, 2), (2, 1, 0, 4)]  # 1 + 1 + 2 + 4 = 8, dense
    assert len(_field_by_gradient(layers, 50, 10)) == 8
    holes = [(2, 1, 0, 3), (2, 1, 0, 3)]  # span 7, positions {0, 3, 6}
    support = _field_by_gradient(holes, 50, 10)
    last = network_shapes("input 1x50; conv 1 k=2 d=3; conv 1 k=2 d=3").layers[-1]
    assert last.receptive_field == (7,)
    assert support[-1] - support[0] + 1 == 7 and len(support) == 3


def test_fc_field_is_all_and_strided_transposed_is_undefined() -> None:
    net = network_shapes("input 1x8x8; conv 2 k=3; convT 2 k=3; convT 2 k=2 s=2; fc 3")
    assert net.layers[2].receptive_field == (5, 5)  # stride-1 convT: +d(k−1)·j
    assert net.layers[2].start == (-2, -2)  # padding d(k−1) − p = 2
    assert net.layers[3].receptive_field is None and "undefined" in net.layers[3].note
    net = network_shapes("input 1x8x8; conv 2 k=3; fc 3")
    assert net.layers[-1].receptive_field == "all" and net.layers[-1].jump is None


def test_stride1_transposed_field_matches_the_gradient() -> None:
    # convT(x)[o] = Σ_m x[o + p − d·m]·w[m]: output 0 reads inputs p − d(k−1) … p
    last = network_shapes("input 1x30; convT 1 k=4 p=1 d=2").layers[-1]
    assert last.receptive_field == (7,) and last.start == (1 - 6,)


# --- branches ---------------------------------------------------------------------------------


def test_residual_block_counts_sum_over_branches() -> None:
    spec = ("input 8x16x16; save x; conv 16 k=3 s=2 p=1 nobias; bn; relu; "
            "conv 16 k=3 p=1 nobias; bn; save y; from x; conv 16 k=1 s=2 nobias; bn; add y")
    net = network_shapes(spec)
    expected = 16 * 8 * 9 + 32 + 16 * 16 * 9 + 32 + 16 * 8 + 32
    assert net.params == expected
    assert net.macs == 64 * (16 * 8 * 9 + 16 * 16 * 9 + 16 * 8)
    add = net.layers[-1]
    assert add.shape == (16, 8, 8)
    # main branch: r = 1 + 2 = 3 (j 2), then + 2·2 = 7, start −1 − 2 = −3; shortcut r = 1:
    # union from −3 to 3
    assert add.receptive_field == (7, 7) and add.start == (-3, -3) and add.jump == (2, 2)


def test_concat_joins_channels() -> None:
    net = network_shapes("input 3x8x8; save a; conv 5 k=3 p=1; concat a")
    assert net.layers[-1].shape == (8, 8, 8)


def test_merge_with_different_shapes_names_both() -> None:
    with pytest.raises(InvalidArgument) as info:
        network_shapes("input 8x16x16; save x; conv 16 k=3 s=2 p=1; add x")
    message = str(info.value)
    assert message.startswith("layer 3 ('add x')")
    assert "16×8×8" in message and "8×16×16" in message and "k=1 s=2" in message


@pytest.mark.parametrize(
    ("spec", "index", "token"),
    [
        ("input 3x8x8; add x", 1, "'x'"),
        ("input 3x8x8; save block1; from block2", 2, "did you mean 'block1'"),
        ("input 3x8x8; save", 1, "NAME"),
        ("input 3x8x8; save 3", 1, "'3'"),
        ("input 3x8x8; save a b", 1, "'b'"),
        ("input 3x8x8; gap k=2", 1, "'k=2'"),
        ("input 3x8x8; conv 4 k=3 g=2", 1, "g=1"),
        ("input 3x8x8; conv 4 k=9", 1, "p=1"),
    ],
)
def test_branch_and_layer_errors_name_the_layer(spec: str, index: int, token: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        network_shapes(spec)
    assert str(info.value).startswith(f"layer {index} ("), str(info.value)
    assert token in str(info.value), str(info.value)


def test_exact_flag_explains_the_alexnet_224_mistake() -> None:
    with pytest.raises(InvalidArgument) as info:
        network_shapes("input 3x224x224; conv 96 k=11 s=4 exact")
    message = str(info.value)
    # (224 − 11)/4 + 1 = 54.25: 54 outputs, 1 element unread; 223 or 227 fit; 2p can't
    assert "54.25" in message and "54" in message and "last 1 input" in message
    assert "input 223" in message and "input 227" in message and "no padding" in message
    assert network_shapes("input 3x227x227; conv 96 k=11 s=4 exact").layers[1].shape == (
        96, 55, 55)
    with pytest.raises(InvalidArgument, match="p=1"):
        network_shapes("input 1x10; conv 1 k=3 s=3 exact")  # 10 − 3 = 7; 7 + 2 = 9 ✓


def test_symbolic_sizes_are_refused_by_the_numeric_function() -> None:
    with pytest.raises(InvalidArgument, match="symbolic_network_shapes"):
        network_shapes("input 3xHxW; conv 4 k=3")
    with pytest.raises(InvalidArgument, match="must be a number"):
        network_shapes("input HxWx3 layout=chw; conv 4 k=3")
    with pytest.raises(InvalidArgument, match="ambiguous"):
        network_shapes("input HxWx3; conv 4 k=3")


def test_explain_substitutes_the_values() -> None:
    text = explain_layer("alexnet", 1)
    assert "⌊216/4⌋ + 1 = 55" in text
    assert "= 34,944" in text and "105,705,600" in text
    for key in ("conv_output_size:Z", "conv_params:Z", "conv_macs:Z", "conv_connections:Z",
                "receptive_field:Z"):
        assert f"proved by: convmath prove {key}" in text
    assert "pool_output_size_ceil:Z" in explain_layer(
        "input 1x5x5; maxpool k=2 s=2 p=1 ceil", 1)
    assert "conv_transpose_output_size:Z" in explain_layer("input 1x5; convT 1 k=3 s=2", 1)
    with pytest.raises(InvalidArgument, match="index"):
        explain_layer("cifar10", 5)
