"""Derivations: calc chains whose every step SymPy re-checks.

A :class:`Derivation` proves ``statement.lhs = statement.rhs`` by a chain
``lhs = e₁ = e₂ = … = eₙ``; step *i* claims ``eᵢ`` and names the :class:`~convmath.symbolic.
rules.Rule` that produces it from the line above. :meth:`Derivation.verify` re-executes every
rule and raises :class:`~convmath.ProofError` (naming the step, its rule and both expressions)
at the first step that does not follow, or when the chain does not end at ``statement.rhs``.
Side conditions SymPy cannot check (integrability, differentiability, support) are listed in
``hypotheses`` and printed with the theorem.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import sympy
from sympy import Basic

from convmath.errors import InvalidArgument, ProofError
from convmath.symbolic._input import choice_arg, str_arg, sympy_arg
from convmath.symbolic.canon import alpha_equal
from convmath.symbolic.printing import latex, text
from convmath.symbolic.rules import Rule, RuleFailure

__all__ = ["Derivation", "Step", "StepError", "Verified"]


_PASSED: dict[tuple[Rule, Basic, Basic], None] = {}


class StepError(ProofError):
    """A :class:`~convmath.ProofError` for one step; the message (with the expressions
    printed) is built when it is first shown, so rejected claims are cheap to produce."""

    def __init__(self, key: str, index: int, rule: Rule, reason: str, prev: Basic,
                 claimed: Basic, got: Basic | None) -> None:
        super().__init__(key, index, reason)
        self.key, self.step_index, self.rule = key, index, rule
        self.reason, self.prev, self.claimed, self.got = reason, prev, claimed, got

    def __str__(self) -> str:
        out = (f"{self.key}: steps[{self.step_index}] does not follow by "
               f"{self.rule.describe()}: {self.reason}\n"
               f"  from:    {text(self.prev)}\n"
               f"  claimed: {text(self.claimed)}")
        if self.got is not None:
            out += f"\n  rule gives: {text(self.got)}"
        return out


@dataclass(frozen=True)
class Step:
    """One line of a calc chain: the claimed expression and the rule that justifies it."""

    expr: Basic
    rule: Rule

    def __post_init__(self) -> None:
        object.__setattr__(self, "expr", sympy_arg(self.expr, "expr"))
        if not isinstance(self.rule, Rule):
            raise InvalidArgument(
                f"rule={self.rule!r} is not a rule (an instance of convmath.symbolic.rules.Rule)"
            )


@dataclass(frozen=True)
class Verified:
    """The result of a successful :meth:`Derivation.verify`."""

    name: str
    domain: str
    steps: int
    seconds: float

    def __str__(self) -> str:
        what = "1 step, re-checked" if self.steps == 1 else f"{self.steps} steps, each re-checked"
        return f"✓ {what} by SymPy ({self.seconds:.2f} s)"


@dataclass(frozen=True)
class Derivation:
    """A theorem with its proof: ``statement`` (an ``Eq``), ``hypotheses`` and ``steps``."""

    name: str
    domain: str
    title: str
    statement: sympy.Eq
    steps: tuple[Step, ...]
    hypotheses: tuple[str, ...] = ()
    family: str = ""
    notes: tuple[str, ...] = field(default=())
    variant: str = ""

    def __post_init__(self) -> None:
        for name in ("name", "domain", "title", "family", "variant"):
            str_arg(getattr(self, name), name)
        if not isinstance(self.statement, sympy.Equality):
            raise InvalidArgument(
                f"statement={self.statement!r} must be a SymPy equation, sympy.Eq(lhs, rhs)"
            )
        if not isinstance(self.steps, (tuple, list)) or not all(
                isinstance(s, Step) for s in self.steps):
            raise InvalidArgument(f"steps={self.steps!r} must be a sequence of Step objects")
        for name in ("hypotheses", "notes"):
            value = getattr(self, name)
            if not isinstance(value, (tuple, list)) or not all(isinstance(h, str) for h in value):
                raise InvalidArgument(f"{name}={value!r} must be a sequence of str")
            object.__setattr__(self, name, tuple(value))
        object.__setattr__(self, "steps", tuple(self.steps))

    @property
    def key(self) -> str:
        """``name:domain`` with an ASCII domain (``conv_comm:R2``), unique in the registry;
        ``name:domain:variant`` when one theorem has several instances on a domain
        (``deriv_conv:R2:axis2``)."""
        ascii_domain = (self.domain.replace("ℝ", "R").replace("ℤ", "Z")
                        .replace("²", "2").replace("³", "3"))
        return f"{self.name}:{ascii_domain}" + (f":{self.variant}" if self.variant else "")

    @property
    def where(self) -> str:
        """The domain, and the variant if any: ``ℝ²`` or ``ℝ², axis2``."""
        return self.domain + (f", {self.variant}" if self.variant else "")

    def verify(self, *, reuse: bool = False) -> Verified:
        """Re-check every step; raise :class:`~convmath.ProofError` at the first failure.

        With ``reuse``, steps (same rule object, same expressions) that already passed in this
        process are not re-checked — for mutation tests that verify thousands of copies.
        """
        if not isinstance(reuse, bool):
            raise InvalidArgument(f"reuse={reuse!r} must be a bool")
        t0 = time.perf_counter()
        if not self.steps:
            raise ProofError(f"{self.key}: a derivation needs at least one step")
        prev = self.statement.lhs
        for i, step in enumerate(self.steps):
            key = (step.rule, prev, step.expr)
            try:
                if not (reuse and key in _PASSED):
                    step.rule.check(prev, step.expr)
                    _PASSED[key] = None
            except RuleFailure as exc:
                raise StepError(self.key, i, step.rule, str(exc), prev, step.expr,
                                exc.got) from None
            except (ValueError, TypeError, AttributeError, NotImplementedError) as exc:
                err = ProofError(
                    f"{self.key}: steps[{i}] ({step.rule.describe()}) could not be checked: "
                    f"{type(exc).__name__}: {exc}\n  from:    {text(prev)}\n"
                    f"  claimed: {text(step.expr)}"
                )
                err.step_index = i  # type: ignore[attr-defined]
                err.rule = step.rule  # type: ignore[attr-defined]
                raise err from exc
            prev = step.expr
        if not alpha_equal(prev, self.statement.rhs):
            err = ProofError(
                f"{self.key}: the chain ends at {text(prev)}, not at the statement's "
                f"right-hand side {text(self.statement.rhs)}"
            )
            err.step_index = len(self.steps) - 1  # type: ignore[attr-defined]
            raise err
        return Verified(self.name, self.domain, len(self.steps), time.perf_counter() - t0)

    def with_step(self, i: int, expr: Any) -> Derivation:
        """A copy whose ``steps[i]`` claims ``expr`` (same rule).

        ``expr`` must be a SymPy object (a string is refused: it is never parsed).
        """
        if not isinstance(i, int) or isinstance(i, bool) \
                or not -len(self.steps) <= i < len(self.steps):
            raise InvalidArgument(f"i={i!r}: {self.key} has {len(self.steps)} steps")
        steps = list(self.steps)
        steps[i] = Step(sympy_arg(expr, "expr"), steps[i].rule)
        return replace(self, steps=tuple(steps))

    # -- rendering --------------------------------------------------------------------------

    def render(self, fmt: str = "text", *, verify: bool = True,
               outcome: Verified | ProofError | None = None) -> str:
        """Render as ``text``, ``latex`` or ``markdown``.

        With ``verify`` (or a precomputed ``outcome`` of :meth:`verify`) the last line says
        whether SymPy re-checked every step (✓) or which step failed (✗); the check mark is
        never printed for a derivation that was not verified.
        """
        choice_arg(fmt, "fmt", ("text", "latex", "markdown"))
        if not isinstance(verify, bool):
            raise InvalidArgument(f"verify={verify!r} must be a bool")
        if outcome is not None and not isinstance(outcome, (Verified, ProofError)):
            raise InvalidArgument(
                f"outcome={outcome!r} must be None or what verify() gave (Verified or "
                "ProofError)")
        if outcome is None and verify:
            try:
                outcome = self.verify()
            except ProofError as exc:
                outcome = exc
        status: str | None = None
        ok = isinstance(outcome, Verified)
        if isinstance(outcome, Verified):
            status = str(outcome)
        elif isinstance(outcome, ProofError):
            status = "✗ " + str(outcome).splitlines()[0]
        if fmt == "text":
            return self._text(status)
        if fmt == "latex":
            return self._latex(status, ok)
        return self._markdown(status)

    def _text(self, status: str | None) -> str:
        lines = [f"{self.name} ({self.where}) — {self.title}",
                 f"  {text(self.statement)}"]
        lines += [f"  assuming: {h}" for h in self.hypotheses]
        lines += ["", f"  {text(self.statement.lhs)}"]
        exprs = [text(s.expr) for s in self.steps]
        width = min(max((len(e) for e in exprs), default=0), 72)
        for e, s in zip(exprs, self.steps, strict=False):
            lines.append(f"    = {e.ljust(width)}   by {s.rule.describe()}")
        if status is not None:
            lines.append(f"  {status}")
        return "\n".join(lines)

    def _latex(self, status: str | None, ok: bool) -> str:
        body = []
        for i, s in enumerate(self.steps):
            head = latex(self.statement.lhs) + " " if i == 0 else ""
            body.append(rf"{head}&= {latex(s.expr)} && \text{{by {s.rule.describe_latex()}}}")
        name = self.name.replace("_", r"\_")
        out = [rf"\textbf{{{name}}} ({self.where}) --- {self.title}",
               "",
               rf"$${latex(self.statement)}$$"]
        out += [rf"Assuming: {h}" for h in self.hypotheses]
        out.append(r"\begin{aligned}" + " \\\\\n".join(body) + r"\end{aligned}")
        if status is not None:
            out.append(status if ok else status.replace("✗", "FAILED:"))
        return "\n".join(out)

    def _markdown(self, status: str | None) -> str:
        out = [f"### `{self.name}` ({self.where}) — {self.title}", "",
               f"$$ {latex(self.statement)} $$", ""]
        out += [f"- assuming: {h}" for h in self.hypotheses]
        out += ["", "$$", r"\begin{aligned}"]
        for i, s in enumerate(self.steps):
            head = latex(self.statement.lhs) + " " if i == 0 else ""
            out.append(
                rf"{head}&= {latex(s.expr)} && \text{{by {s.rule.describe_latex()}}} \\")
        out += [r"\end{aligned}", "$$", ""]
        if status is not None:
            out.append(status)
        return "\n".join(out)

    def _repr_latex_(self) -> str:
        name = self.name.replace("_", r"\_")
        lines = [rf"\text{{{name} ({self.where}): {self.title}}}",
                 r"\\ " + latex(self.statement)]
        for s in self.steps:
            lines.append(rf"\\ &= {latex(s.expr)} && \text{{by {s.rule.describe_latex()}}}")
        return "$\\begin{aligned}" + "\n".join(lines) + "\\end{aligned}$"

    def __str__(self) -> str:
        return self.render("text", verify=False)
