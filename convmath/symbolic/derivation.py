"""Derivations: calc chains whose every step SymPy re-checks.

A :class:`Derivation` proves ``statement.lhs = statement.rhs`` by a chain
``lhs = e₁ = e₂ = … = eₙ``; step *i* claims ``eᵢ`` and names the :class:`~convmath.symbolic.
rules.Rule` that produces it from the line above. :meth:`Derivation.verify` re-executes every
rule and raises :class:`~convmath.ProofError` (naming the step, its rule and both expressions)
at the first step that does not follow, or when the chain does not end at ``statement.rhs``.
Each rule returns the side conditions it relied on (convergence, Fubini–Tonelli,
differentiation under ∫, continuity for δ, a support); ``hypotheses`` states the theorem's
assumptions, as :class:`~convmath.symbolic.kernel.Hypothesis` objects (which imply recorded
conditions) or as text. :meth:`Derivation.verify` reports the conditions no stated
hypothesis implies, and the printed derivation lists them (``needs:``) instead of showing a
bare check mark. Only the rule classes of :data:`~convmath.symbolic.rules.TRUSTED_RULES` are
accepted.
"""

from __future__ import annotations

import functools
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import sympy
from sympy import Basic, Symbol

from convmath.errors import InvalidArgument, ProofError
from convmath.symbolic._input import choice_arg, str_arg, sympy_arg
from convmath.symbolic.kernel import (
    TRUSTED_HYPOTHESES,
    Condition,
    Hypothesis,
    RuleFailure,
    alpha_equal,
    covered,
    free_symbols,
    is_poisoned,
)
from convmath.symbolic.operators import Named
from convmath.symbolic.printing import latex, text
from convmath.symbolic.rules import TRUSTED_RULES, Context, Rule
from convmath.symbolic.rules.base import (
    check_terms,
    register_derivation_type,
    set_lemma_source,
)

__all__ = ["Derivation", "Step", "StepError", "Verified", "set_lemma_source"]

#: steps already checked (rules are immutable values, expressions immutable): their conditions
_PASSED: dict[tuple[Any, ...], tuple[Condition, ...]] = {}


_SIGNS = (("positive", " > 0"), ("extended_positive", " > 0"), ("nonnegative", " ≥ 0"),
          ("extended_nonnegative", " ≥ 0"), ("negative", " < 0"), ("extended_negative", " < 0"),
          ("nonpositive", " ≤ 0"), ("extended_nonpositive", " ≤ 0"), ("zero", " = 0"),
          ("nonzero", " ≠ 0"), ("extended_nonzero", " ≠ 0"))


def _declared(s_: Symbol) -> str | None:
    """"∈ ℤ (> 0)", "∈ ℝ, even" … — every declared fact of ``s_``, none left out."""
    facts = s_.assumptions0
    ref: dict[str, bool] = {}
    kind = ""
    for fact, shown in (("integer", "ℤ"), ("real", "ℝ"), ("extended_real", "ℝ ∪ {±∞}"),
                        ("complex", "ℂ")):
        if facts.get(fact):
            kind, ref[fact] = shown, True
            break
    sign = ""
    for fact, shown in _SIGNS:
        if facts.get(fact):
            sign, ref[fact] = shown, True
            break
    implied = Symbol("r", **ref).assumptions0
    extra = sorted(f_.replace("_", " ") if v_ else "not " + f_.replace("_", " ")
                   for f_, v_ in facts.items() if implied.get(f_) != v_)
    if not (kind or sign or extra):
        return None
    out = (f" ∈ {kind}" if kind else "") + (f" ({sign.strip()})" if kind and sign else sign)
    return out + (f" ({', '.join(extra)})" if extra else "")


def _assumption_text(symbols: set[Basic]) -> str | None:
    """"x ∈ ℝ; N, M ∈ ℤ (> 0)" for the declared assumptions of free symbols."""
    groups: dict[str, list[str]] = {}
    for s_ in sorted(symbols, key=str):
        if isinstance(s_, Symbol):
            what = _declared(s_)
            if what:
                groups.setdefault(what, []).append(str(s_))
    if not groups:
        return None
    return "; ".join(", ".join(names) + what for what, names in groups.items()) + \
        " (as declared)"


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
    """The result of a successful :meth:`Derivation.verify`: every step re-checked.

    ``conditions`` are the side conditions the steps relied on (with the index of the
    first step that needed each); ``unstated`` those that no stated hypothesis implies —
    when there are any, the theorem holds only under them, and it prints with ⚠, not ✓.
    """

    name: str
    domain: str
    steps: int
    seconds: float
    conditions: tuple[tuple[int, Condition], ...] = ()
    unstated: tuple[tuple[int, Condition], ...] = ()

    def __str__(self) -> str:
        what = "1 step, re-checked" if self.steps == 1 else f"{self.steps} steps, each re-checked"
        if self.unstated:
            n = len(self.unstated)
            return (f"⚠ {what} by SymPy ({self.seconds:.2f} s), but valid only under {n} "
                    f"side condition{'s' if n > 1 else ''} the hypotheses do not state "
                    "(the needs: lines)")
        return f"✓ {what} by SymPy ({self.seconds:.2f} s)"


@functools.lru_cache(maxsize=4096)
def _free_of(e: Basic) -> frozenset[Basic]:
    return frozenset(free_symbols(e))


@functools.lru_cache(maxsize=4096)
def _labels_of(e: Basic) -> tuple[tuple[Basic, Basic], ...]:
    """The (label, expression) of every Named node of ``e`` (remembered: immutable)."""
    out = []
    for n in sympy.preorder_traversal(e):
        if isinstance(n, Named):
            if not any(ch.isalpha() for ch in n.name.name):
                raise InvalidArgument(f"the name {n.name} of a named expression must "
                                      "contain a letter (it would read as a number)")
            out.append((n.name, n.expr))
    return tuple(out)


#: id(Verified) → weak references to it and to the derivation whose verify() returned it
_GENUINE: dict[int, tuple[Any, Any]] = {}


def _forget(ident: int, _ref: Any) -> None:
    _GENUINE.pop(ident, None)


def _is_outcome_of(outcome: Verified, d: Any) -> bool:
    entry = _GENUINE.get(id(outcome))
    return bool(entry is not None and entry[0]() is outcome and entry[1]() == d)


def _named_nodes(exprs: list[Basic]) -> dict[Basic, Basic]:
    """label → expression of every Named node; a label used for two different expressions,
    or also used as a symbol, is refused."""
    labels: dict[Basic, Basic] = {}
    for e in exprs:
        for name, expr in _labels_of(e):
            old = labels.setdefault(name, expr)
            if old != expr:
                raise InvalidArgument(f"the name {name} stands for two different "
                                      "expressions")
    if labels:
        used: set[Basic] = set()
        for e in exprs:
            used |= _free_of(e)
        clash = set(labels) & used
        if clash:
            raise InvalidArgument(f"the name(s) {sorted(map(str, clash))} of named "
                                  "expressions are also used as symbols")
    return labels


@dataclass(frozen=True)
class Derivation:
    """A theorem with its proof: ``statement`` (an ``Eq``), ``hypotheses`` and ``steps``.

    ``hypotheses`` holds :class:`~convmath.symbolic.kernel.Hypothesis` objects (which imply
    the side conditions the rules record) and plain text (printed, implies nothing).
    """

    name: str
    domain: str
    title: str
    statement: sympy.Eq
    steps: tuple[Step, ...]
    hypotheses: tuple[str | Hypothesis, ...] = ()
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
        hyps = self.hypotheses
        if not isinstance(hyps, (tuple, list)) or not all(
                isinstance(h, str) or type(h) in TRUSTED_HYPOTHESES for h in hyps):
            raise InvalidArgument(
                f"hypotheses={hyps!r} must be a sequence of str or of convmath's hypotheses "
                f"({', '.join(sorted(c.__name__ for c in TRUSTED_HYPOTHESES))})")
        object.__setattr__(self, "hypotheses", tuple(hyps))
        if not isinstance(self.notes, (tuple, list)) or not all(
                isinstance(h, str) for h in self.notes):
            raise InvalidArgument(f"notes={self.notes!r} must be a sequence of str")
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "steps", tuple(self.steps))
        _named_nodes([self.statement.lhs, self.statement.rhs, *(s.expr for s in self.steps)])

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

    def verify(self, *, reuse: bool = False,
               lemmas: Callable[[str], Any] | None = None) -> Verified:
        """Re-check every step; raise :class:`~convmath.ProofError` at the first failure.

        Returns :class:`Verified` with the side conditions the steps relied on and those the
        hypotheses do not imply. ``lemmas`` looks up the theorems :class:`~convmath.symbolic.
        rules.Lemma` steps use (default: the registry). With ``reuse``, steps (same rule,
        same expressions) that already passed in this process are not re-checked — for
        mutation tests that verify thousands of copies.
        """
        if not isinstance(reuse, bool):
            raise InvalidArgument(f"reuse={reuse!r} must be a bool")
        if lemmas is not None and not callable(lemmas):
            raise InvalidArgument(f"lemmas={lemmas!r} must be a function from a key to a "
                                  "Derivation")
        ctx = Context(lemmas)
        t0 = time.perf_counter()
        if not self.steps:
            raise ProofError(f"{self.key}: a derivation needs at least one step")
        for side in (self.statement.lhs, self.statement.rhs):
            if is_poisoned(side):
                raise ProofError(f"{self.key}: the statement contains nan or zoo, which are "
                                 "equal to nothing")
            try:
                check_terms(side)
            except RuleFailure as exc:
                raise ProofError(f"{self.key}: the statement {text(side)}: {exc}") from None
        prev = self.statement.lhs
        found: dict[Condition, int] = {}
        for i, step in enumerate(self.steps):
            if type(step.rule) not in TRUSTED_RULES:
                err = ProofError(f"{self.key}: steps[{i}] uses {type(step.rule).__name__}, "
                                 "which is not one of convmath's rules (a rule defined "
                                 "elsewhere is not trusted)")
                err.step_index = i  # type: ignore[attr-defined]
                raise err
            key = (step.rule, prev, step.expr, ctx.lemmas)
            try:
                conds = _PASSED.get(key) if reuse else None
                if conds is None:
                    conds = step.rule.check(prev, step.expr, ctx)
                    _PASSED[key] = conds
            except RuleFailure as exc:
                raise StepError(self.key, i, step.rule, str(exc), prev, step.expr,
                                exc.got) from None
            except (ValueError, TypeError, AttributeError, NotImplementedError,
                    RecursionError) as exc:
                err = ProofError(
                    f"{self.key}: steps[{i}] ({step.rule.describe()}) could not be checked: "
                    f"{type(exc).__name__}: {exc}\n  from:    {text(prev)}\n"
                    f"  claimed: {text(step.expr)}"
                )
                err.step_index = i  # type: ignore[attr-defined]
                err.rule = step.rule  # type: ignore[attr-defined]
                raise err from exc
            for c in conds:
                found.setdefault(c, i)
            prev = step.expr
        try:
            ends = alpha_equal(prev, self.statement.rhs)
        except RuleFailure:
            ends = False
        if not ends:
            err = ProofError(
                f"{self.key}: the chain ends at {text(prev)}, not at the statement's "
                f"right-hand side {text(self.statement.rhs)}"
            )
            err.step_index = len(self.steps) - 1  # type: ignore[attr-defined]
            raise err
        conditions = tuple((i, c) for c, i in found.items())
        unstated = tuple((i, c) for i, c in conditions if not covered(c, self.hypotheses))
        out = Verified(self.name, self.domain, len(self.steps), time.perf_counter() - t0,
                       conditions, unstated)
        ident = id(out)
        _GENUINE[ident] = (weakref.ref(out, functools.partial(_forget, ident)),
                           weakref.ref(self))
        return out

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
        if isinstance(outcome, Verified) and not _is_outcome_of(outcome, self):
            raise InvalidArgument("outcome= must be what this derivation's verify() returned "
                                  "(a Verified of another derivation, or one built by hand, "
                                  "would print a check mark that was never earned)")
        if outcome is None and verify:
            try:
                outcome = self.verify()
            except ProofError as exc:
                outcome = exc
        status: str | None = None
        ok = isinstance(outcome, Verified) and not outcome.unstated
        needs: list[str] = []
        if isinstance(outcome, Verified):
            status = str(outcome)
            needs = [f"{c.describe(text)} (steps[{i}], {self.steps[i].rule.describe()})"
                     for i, c in outcome.unstated]
        elif isinstance(outcome, ProofError):
            status = "✗ " + str(outcome).splitlines()[0]
        if fmt == "text":
            return self._text(status, needs)
        if fmt == "latex":
            return self._latex(status, ok, needs)
        return self._markdown(status, needs)

    def assumptions(self) -> list[str]:
        """The printed hypotheses: the stated ones, then the declared assumptions of the
        symbols (``x ∈ ℝ``, ``c > 0``)."""
        out = [h.describe(text) if isinstance(h, Hypothesis) else h for h in self.hypotheses]
        used: set[Basic] = set()
        for e in self._exprs():
            used |= free_symbols(e)
        declared = _assumption_text(used)
        if declared:
            out.append(declared)
        return out

    def definitions(self) -> list[str]:
        """What each named expression (``L``) stands for, printed as ``where:`` lines."""
        return [f"{label} = {text(e)}" for label, e in _named_nodes(self._exprs()).items()
                if text(e) != str(label)]

    def _exprs(self) -> list[Basic]:
        return [self.statement.lhs, self.statement.rhs, *(s.expr for s in self.steps)]

    def _text(self, status: str | None, needs: list[str]) -> str:
        lines = [f"{self.name} ({self.where}) — {self.title}",
                 f"  {text(self.statement)}"]
        lines += [f"  assuming: {h}" for h in self.assumptions()]
        lines += [f"  where: {h}" for h in self.definitions()]
        lines += ["", f"  {text(self.statement.lhs)}"]
        exprs = [text(s.expr) for s in self.steps]
        width = min(max((len(e) for e in exprs), default=0), 72)
        for e, s in zip(exprs, self.steps, strict=False):
            lines.append(f"    = {e.ljust(width)}   by {s.rule.describe()}")
        lines += [f"  needs: {n}" for n in needs]
        if status is not None:
            lines.append(f"  {status}")
        return "\n".join(lines)

    def _latex(self, status: str | None, ok: bool, needs: list[str]) -> str:
        body = []
        for i, s in enumerate(self.steps):
            head = latex(self.statement.lhs) + " " if i == 0 else ""
            body.append(rf"{head}&= {latex(s.expr)} && \text{{by {s.rule.describe_latex()}}}")
        name = self.name.replace("_", r"\_")
        out = [rf"\textbf{{{name}}} ({self.where}) --- {self.title}",
               "",
               rf"$${latex(self.statement)}$$"]
        out += [rf"Assuming: {h}" for h in self.assumptions()]
        out += [rf"Where: {h}" for h in self.definitions()]
        out.append(r"\begin{aligned}" + " \\\\\n".join(body) + r"\end{aligned}")
        out += [rf"Needs: {n}" for n in needs]
        if status is not None:
            out.append(status if ok else status.replace("✗", "FAILED:").replace("⚠", "ONLY IF:"))
        return "\n".join(out)

    def _markdown(self, status: str | None, needs: list[str]) -> str:
        out = [f"### `{self.name}` ({self.where}) — {self.title}", "",
               f"$$ {latex(self.statement)} $$", ""]
        out += [f"- assuming: {h}" for h in self.assumptions()]
        out += [f"- where: {h}" for h in self.definitions()]
        out += ["", "$$", r"\begin{aligned}"]
        for i, s in enumerate(self.steps):
            head = latex(self.statement.lhs) + " " if i == 0 else ""
            out.append(
                rf"{head}&= {latex(s.expr)} && \text{{by {s.rule.describe_latex()}}} \\")
        out += [r"\end{aligned}", "$$", ""]
        out += [f"- needs: {n}" for n in needs]
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


register_derivation_type(Derivation)
