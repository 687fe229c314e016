"""convmath.symbolic operators: construction, unfolding, printing, bad input."""

from __future__ import annotations

import pytest
import sympy
from sympy import (
    DiracDelta,
    Function,
    Integral,
    KroneckerDelta,
    Lambda,
    Matrix,
    Sum,
    exp,
    oo,
    pi,
    sqrt,
    symbols,
)

from convmath import InvalidArgument
from convmath.symbolic import (
    alpha_equal,
    conv,
    definition,
    fourier,
    latex,
    notation,
    text,
    xcorr,
)

f, g, h = Function("f"), Function("g"), Function("h")
x, y, z, w, t = symbols("x y z w t")
n, k = symbols("n k", integer=True)


def test_conv_unfolds_to_the_defining_integral() -> None:
    expected = Integral(f(z) * g(x - z), (z, -oo, oo))
    assert alpha_equal(conv(f, g, x).unfold(), expected)


def test_xcorr_kernel_first_plus_sign() -> None:
    expected = Integral(f(w) * g(x + w), (w, -oo, oo))
    assert alpha_equal(xcorr(f, g, x).unfold(), expected)


def test_discrete_conv_unfolds_to_a_sum_over_the_integers() -> None:
    e = conv(f, g, n, discrete=True).unfold()
    assert isinstance(e, Sum)
    assert alpha_equal(e, Sum(f(k) * g(n - k), (k, -oo, oo)))
    assert e.limits[0][0].is_integer


def test_nd_conv_unfolds_coordinatewise() -> None:
    z1, z2 = symbols("z1 z2")
    expected = Integral(f(z1, z2) * g(x - z1, y - z2), (z1, -oo, oo), (z2, -oo, oo))
    assert alpha_equal(conv(f, g, (x, y)).unfold(), expected)


def test_lambda_and_expression_arguments() -> None:
    e = conv(Lambda(t, t**2), exp(-x), x).unfold()
    assert alpha_equal(e, Integral(z**2 * exp(-(x - z)), (z, -oo, oo)))


def test_doit_gaussian_closed_form() -> None:
    # ∫ e^{-z²} e^{-(x-z)²} dz = sqrt(π/2) e^{-x²/2}  (complete the square by hand)
    xr = symbols("xr", real=True)
    got = conv(exp(-xr**2), exp(-xr**2), xr).doit()
    assert sympy.simplify(got - sqrt(pi / 2) * exp(-xr**2 / 2)) == 0


def test_doit_finite_sequences_matches_polynomial_product() -> None:
    # (1 + 2z)² = 1 + 4z + 4z² gives the coefficients of (a ∗ a)
    a = Lambda(t, KroneckerDelta(t, 0) + 2 * KroneckerDelta(t, 1))
    got = conv(a, a, n, discrete=True).doit()
    for m, expected in [(-1, 0), (0, 1), (1, 4), (2, 4), (3, 0)]:
        assert got.subs(n, m) == expected


def test_conv_with_dirac_delta_function_class() -> None:
    assert alpha_equal(conv(f, DiracDelta, x).unfold(),
                       Integral(f(z) * DiracDelta(x - z), (z, -oo, oo)))


def test_sympy_printers_show_the_definition() -> None:
    # str / repr / pretty / latex of a bare operator: the defining integral or sum
    e = conv(f, g, x)
    assert str(e) == repr(e) == "∫_{−∞}^{∞} f(z)·g(x − z) dz"
    assert str(xcorr(f, g, x)) == "∫_{−∞}^{∞} f(z)·g(x + z) dz"
    assert str(conv(f, g, n, discrete=True)) == "Σ_{k=−∞}^{∞} f(k)·g(n − k)"
    assert str(xcorr(f, g, n, discrete=True)) == "Σ_{k=−∞}^{∞} f(k)·g(k + n)"
    assert sympy.latex(e) == (r"\int\limits_{-\infty}^{\infty} f{\left(z \right)} "
                              r"g{\left(x - z \right)}\, dz")
    assert sympy.latex(xcorr(f, g, x)) == (r"\int\limits_{-\infty}^{\infty} f{\left(z \right)} "
                                           r"g{\left(x + z \right)}\, dz")
    assert sympy.pretty(e, use_unicode=True) == sympy.pretty(
        sympy.Integral(f(z) * g(x - z), (z, -sympy.oo, sympy.oo)), use_unicode=True)
    assert "⌠" in sympy.pretty(e, use_unicode=True)
    assert "k = -∞" in sympy.pretty(conv(f, g, n, discrete=True), use_unicode=True)
    assert definition(e) == str(e) and definition(e, "latex") == sympy.latex(e)
    assert str(fourier(f, symbols("xi"))) == "∫_{−∞}^{∞} e^(−2·π·i·x·xi)·f(x) dx"


def test_derivation_printers_show_the_notation() -> None:
    e = conv(f, g, x)
    assert text(e) == notation(e) == "(f ∗ g)(x)"
    assert text(xcorr(f, g, x)) == "(f ⋆ g)(x)"
    assert latex(e) == notation(e, "latex") == r"\left(f * g\right)\!\left(x\right)"
    assert r"\star" in latex(xcorr(f, g, x))
    assert text(e.unfold()) == "∫_{−∞}^{∞} f(z)·g(x − z) dz"
    assert text(conv(f, g, n, discrete=True).unfold()) == "Σ_{k=−∞}^{∞} f(k)·g(n − k)"
    with pytest.raises(InvalidArgument, match="fmt="):
        notation(e, "pretty")
    with pytest.raises(InvalidArgument, match="fmt="):
        definition(e, "html")


def test_nested_operator_prints_as_function() -> None:
    fg = Lambda(t, conv(f, g, t))
    assert text(conv(fg, g, x)) == "((f ∗ g) ∗ g)(x)"
    # by definition, nested: the inner convolution is unfolded too (no name captured)
    assert str(conv(fg, h, x)) == "∫_{−∞}^{∞} h(x − z)·∫_{−∞}^{∞} f(w)·g(z − w) dw dz"
    assert sympy.latex(conv(fg, h, x)).count(r"\int") == 2


def test_fourier_unfold() -> None:
    xi = symbols("xi")
    e = fourier(f, xi).unfold()
    assert alpha_equal(e, Integral(f(w) * exp(-2 * pi * sympy.I * w * xi), (w, -oo, oo)))


@pytest.mark.parametrize("bad", ["f", None, 3.5j, [f], Matrix([1, 2]), sympy.Eq(x, 1)])
def test_non_function_arguments_raise_invalid_argument(bad: object) -> None:
    with pytest.raises(InvalidArgument):
        conv(bad, g, x)


def test_dimension_mismatch_lambda() -> None:
    with pytest.raises(InvalidArgument, match="variable"):
        conv(Lambda((y, z), f(y, z)), g, x)


def test_dimension_mismatch_function_with_fixed_arity() -> None:
    with pytest.raises(InvalidArgument):
        conv(f, Function("h", nargs=2), x)


def test_expression_needs_symbol_point() -> None:
    with pytest.raises(InvalidArgument, match="Lambda"):
        conv(exp(-x), g, x + 1)


def test_bad_point() -> None:
    with pytest.raises(InvalidArgument, match="x="):
        conv(f, g, "x")
    with pytest.raises(InvalidArgument):
        conv(f, g, ())


def test_invalid_argument_is_value_error() -> None:
    with pytest.raises(ValueError):
        xcorr(f, None, x)


def test_public_names_match_all() -> None:
    import convmath.symbolic as sym

    for name in sym.__all__:
        assert hasattr(sym, name), name
    for promised in ("conv", "xcorr", "Derivation", "ProofError", "derivations"):
        assert promised in sym.__all__
    import convmath

    assert sym.ProofError is convmath.ProofError


def test_symbolic_layer_never_imports_numpy() -> None:
    import subprocess
    import sys

    code = ("import sys; from convmath.symbolic import derivations; "
            "[d.verify() for d in derivations('conv_comm')]; "
            "print('numpy' in sys.modules, 'convmath.numeric' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["False", "False"]
