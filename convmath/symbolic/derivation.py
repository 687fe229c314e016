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
import shutil
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
from convmath.symbolic.printing import (
    SUPERSCRIPTS,
    latex,
    latex_document,
    md_text,
    tex_text,
    text,
    wrap,
)
from convmath.symbolic.rules import TRUSTED_RULES, Context, Rule
from convmath.symbolic.rules.base import (
    check_terms,
    register_derivation_type,
    set_lemma_source,
)
from convmath.symbolic.vectors import check_or_refuse

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


#: ℝ → R, ℤ → Z, and superscripts as plain characters: ℝ² → R2, ℤᵈ → Zd
_ASCII_DOMAIN = str.maketrans({"ℝ": "R", "ℤ": "Z", **SUPERSCRIPTS})


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

    def __repr__(self) -> str:
        # at a REPL, d.verify() shows the check line; the fields stay attributes
        return str(self)


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
        ascii_domain = self.domain.translate(_ASCII_DOMAIN)
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
        try:  # one name, one meaning on both sides (f on ℤᵈ is not f on ℤ)
            check_or_refuse(sympy.Tuple(self.statement.lhs, self.statement.rhs), RuleFailure)
        except RuleFailure as exc:
            raise ProofError(f"{self.key}: the statement: {exc}") from None
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
               outcome: Verified | ProofError | None = None, width: int | None = None,
               standalone: bool = False) -> str:
        """Render as ``text``, ``latex`` or ``markdown``.

        With ``verify`` (or a precomputed ``outcome`` of :meth:`verify`) the last line says
        whether SymPy re-checked every step (✓) or which step failed (✗); the check mark is
        never printed for a derivation that was not verified.

        ``text`` lines are at most ``width`` characters (default: the terminal's width;
        sentences at most 80): long expressions are broken at top-level ``=``, ``+``/``−``,
        then ``·``, a vector too long for a line is shown one entry a line. ``latex`` is a
        fragment for the body of a document that loads amsmath and amssymb (text lines and
        display math; ASCII only), or with ``standalone`` a complete document. ``markdown``
        has ``$$`` blocks and ``$…$`` inline math that KaTeX and MathJax render.
        """
        choice_arg(fmt, "fmt", ("text", "latex", "markdown"))
        if not isinstance(verify, bool):
            raise InvalidArgument(f"verify={verify!r} must be a bool")
        if not isinstance(standalone, bool):
            raise InvalidArgument(f"standalone={standalone!r} must be a bool")
        if standalone and fmt != "latex":
            raise InvalidArgument(f"standalone=True: only the latex format is a document, "
                                  f"not fmt={fmt!r}")
        if width is not None:
            if not isinstance(width, int) or isinstance(width, bool) or width < MIN_WIDTH:
                raise InvalidArgument(f"width={width!r} must be an int ≥ {MIN_WIDTH} (characters "
                                      "a line)")
            if fmt != "text":
                raise InvalidArgument(f"width={width!r}: only the text format is wrapped, not "
                                      f"fmt={fmt!r}")
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
        if fmt == "text":
            return self._text(outcome, terminal_width() if width is None else width)
        if fmt == "latex":
            body = self._latex(outcome)
            return latex_document(body) if standalone else body
        return self._markdown(outcome)

    def assumptions(self) -> list[str]:
        """The printed hypotheses: the stated ones, then the declared assumptions of the
        symbols (``x ∈ ℝ``, ``c > 0``)."""
        return self._assumptions(text)

    def _assumptions(self, show: Callable[[Basic], str]) -> list[str]:
        out = [h.describe(show) if isinstance(h, Hypothesis) else h for h in self.hypotheses]
        used: set[Basic] = set()
        for e in self._exprs():
            used |= _free_of(e)
        declared = _assumption_text(used)
        if declared:
            out.append(declared)
        return out

    def definitions(self) -> list[str]:
        """What each named expression (``L``) stands for, printed as ``where:`` lines."""
        return [f"{label} = {_text_of(e)}" for label, e in self._definitions()]

    def _definitions(self) -> list[tuple[Basic, Basic]]:
        return [(label, e) for label, e in _named_nodes(self._exprs()).items()
                if _text_of(e) != str(label)]

    def _exprs(self) -> list[Basic]:
        return [self.statement.lhs, self.statement.rhs, *(s.expr for s in self.steps)]

    def _status(self, outcome: Verified | ProofError | None) -> str | None:
        if isinstance(outcome, Verified):
            return str(outcome)
        if isinstance(outcome, ProofError):
            return "✗ " + str(outcome).splitlines()[0]
        return None

    def _needs(self, outcome: Verified | ProofError | None, show: Callable[[Basic], str]
               ) -> list[str]:
        if not isinstance(outcome, Verified):
            return []
        return [f"{c.describe(show)} (steps[{i}], {self.steps[i].rule.describe()})"
                for i, c in outcome.unstated]

    def _text(self, outcome: Verified | ProofError | None, width: int) -> str:
        prose = min(width, PROSE_WIDTH)  # sentences: at a width comfortable to read
        lines = wrap(f"{self.name} ({self.where}) — {self.title}", prose, "", "    ",
                     prose=True)
        words = _explanation(self.name)
        if words:
            lines += wrap(f"In words: {words}", prose, "  ", "    ", prose=True)
        lines += _statement_lines(self.statement, width)
        for h in self.assumptions():
            lines += wrap(f"assuming: {h}", prose, "  ", "    ", prose=True)
        for label, e in self._definitions():
            lines += _expr_lines(e, f"  where: {label} = ", "    ", width)
        lines += ["", *_expr_lines(self.statement.lhs, "  ", "    ", width)]
        lines += _step_lines(self.steps, width)
        for n in self._needs(outcome, text):
            lines += wrap(f"needs: {n}", prose, "  ", "    ", prose=True)
        status = self._status(outcome)
        if status is not None:
            lines += wrap(status, prose, "  ", "    ", prose=True)
        return "\n".join(lines)

    def _latex_status(self, outcome: Verified | ProofError | None) -> str | None:
        status = self._status(outcome)
        if status is None:
            return None
        for mark, word in (("✓ ", r"$\checkmark$ "), ("⚠ ", r"\textbf{Warning:} "),
                           ("✗ ", r"\textbf{Failed:} ")):
            if status.startswith(mark):
                return word + tex_text(status[len(mark):])
        return tex_text(status)  # pragma: no cover - every status starts with a mark

    def _aligned(self) -> str:
        r"""The calc chain as ``\begin{aligned} … \end{aligned}`` (LaTeX, KaTeX, MathJax)."""
        rows = []
        for i, s in enumerate(self.steps):
            head = _latex_of(self.statement.lhs) + " " if i == 0 else ""
            # the reason as the text prints it (its expressions ordered like text's), in LaTeX
            rows.append(rf"{head}&= {_latex_of(s.expr)} && \text{{by "
                        rf"{tex_text(s.rule.describe())}}}")
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"

    def _latex(self, outcome: Verified | ProofError | None) -> str:
        out = [r"\par\medskip\noindent\textbf{" + tex_text(self.name) + "} ("
               + tex_text(self.where) + ") --- " + tex_text(self.title) + r"\par"]
        words = _explanation(self.name)
        if words:
            out.append(r"\noindent\emph{In words: " + tex_text(words) + r"}\par")
        out.append(rf"\[ {_latex_of(self.statement)} \]")
        out += [r"\noindent Assuming: " + tex_text(h) + r"\par"
                for h in self._assumptions(_inline_latex)]
        out += [rf"\noindent Where: ${_latex_of(label)} = {_latex_of(e)}$\par"
                for label, e in self._definitions()]
        out.append(r"\[" + self._aligned() + r"\]")
        out += [r"\noindent Needs: " + tex_text(n) + r"\par"
                for n in self._needs(outcome, _inline_latex)]
        status = self._latex_status(outcome)
        if status is not None:
            out.append(r"\noindent " + status + r"\par")
        return "\n".join(out)

    def _markdown(self, outcome: Verified | ProofError | None) -> str:
        out = [f"### `{self.name}` ({self.where}) — {md_text(self.title)}", ""]
        words = _explanation(self.name)
        if words:
            out += [f"*In words: {md_text(words)}*", ""]
        out += [f"$$ {_latex_of(self.statement)} $$", ""]
        out += [f"- assuming: {md_text(h)}" for h in self._assumptions(_inline_latex)]
        out += [f"- where: ${_latex_of(label)} = {_latex_of(e)}$"
                for label, e in self._definitions()]
        out += ["", "$$", self._aligned(), "$$", ""]
        needs = [f"- needs: {md_text(n)}" for n in self._needs(outcome, _inline_latex)]
        out += [*needs, ""] if needs else []  # the status is a paragraph, not in the list
        status = self._status(outcome)
        if status is not None:
            out.append(md_text(status))
        return "\n".join(out)

    def _repr_latex_(self) -> str:
        """For Jupyter (MathJax): the title, the explanation, the statement and the chain,
        one ``aligned`` block (not verified: :meth:`_repr_markdown_` shows the check)."""
        rows = [r"&\text{" + tex_text(f"{self.name} ({self.where}): {self.title}") + "}"]
        words = _explanation(self.name)
        if words:
            rows.append(r"&\text{" + tex_text(f"In words: {words}") + "}")
        rows.append("&" + _latex_of(self.statement))
        rows.append("&" + self._aligned())
        return "$\\begin{aligned}" + " \\\\\n".join(rows) + "\\end{aligned}$"

    def _repr_markdown_(self) -> str:
        """For Jupyter: the Markdown rendering, verified (✓ or ✗ on the last line)."""
        return self.render("markdown")

    def __str__(self) -> str:
        return self.render("text", verify=False)


@functools.lru_cache(maxsize=8192)
def _text_of(e: Basic) -> str:
    """:func:`~convmath.symbolic.printing.text`, remembered (expressions are immutable: a
    derivation rendered at two widths, or in two formats, prints each expression once)."""
    return text(e)


@functools.lru_cache(maxsize=8192)
def _latex_of(e: Basic) -> str:
    """:func:`~convmath.symbolic.printing.latex`, remembered."""
    return latex(e)


#: the narrowest ``width=`` a text rendering accepts
MIN_WIDTH = 40
#: sentences (title, explanation, assumptions) are wrapped at most this wide, expressions at
#: the full width
PROSE_WIDTH = 80


def terminal_width() -> int:
    """The terminal's width in characters (``COLUMNS``; 100 when not a terminal), at least
    :data:`MIN_WIDTH`."""
    return max(shutil.get_terminal_size(fallback=(100, 24)).columns, MIN_WIDTH)


def _explanation(name: str) -> str | None:
    """The one-line plain-language explanation of theorem ``name``, if
    ``convmath.symbolic.explanations`` has one (imported when first rendered: without that
    module there are no explanations)."""
    try:
        from convmath.symbolic.explanations import explain
    except ModuleNotFoundError as exc:
        if exc.name != "convmath.symbolic.explanations":
            raise
        return None
    words = explain(name)
    return words.strip() if isinstance(words, str) and words.strip() else None


def _inline_latex(e: Basic) -> str:
    """``e`` as inline math, ``$…$``, inside a sentence that :func:`tex_text` converts."""
    return f"${_latex_of(e)}$"


def _matrix_entries(e: Basic) -> list[tuple[str, Basic]] | None:
    """(``[i]`` or ``[i, j]``, entry) for a matrix, None for anything else."""
    if not isinstance(e, sympy.MatrixBase):
        return None
    if e.cols == 1 or e.rows == 1:
        return [(f"[{k}]", x) for k, x in enumerate(e)]
    return [(f"[{i}, {j}]", e[i, j]) for i in range(e.rows) for j in range(e.cols)]


def _matrix_head(e: Any) -> str:
    return (f"column vector of {e.rows} entries" if e.cols == 1
            else f"row vector of {e.cols} entries" if e.rows == 1
            else f"{e.rows}×{e.cols} matrix")


def _expr_lines(e: Basic, head: str, cont: str, width: int) -> list[str]:
    """``head`` followed by ``e``, in lines of at most ``width``: on one line if it fits,
    a matrix as a table (``[i] = entry``, one a line), else broken with continuation lines
    indented by ``cont`` + 2."""
    shown = _text_of(e)
    if len(head) + len(shown) <= width:
        return [head + shown]
    entries = _matrix_entries(e)
    if not entries:
        return wrap(shown, width, head, " " * (len(cont) + 2))
    lines = [head + _matrix_head(e) + ":"]
    pad = max(len(label) for label, _ in entries)
    for label, x in entries:
        lines += _expr_lines(x, f"{cont}  {label.ljust(pad)} = ", cont + "  " + " " * pad,
                             width)
    return lines


def _elided(e: Basic, width: int) -> str:
    """A matrix shortened to its shape, first and last entry: ``(23 entries: a, …, z)ᵀ``."""
    entries = _matrix_entries(e)
    if entries is None or len(entries) < 3:
        return _text_of(e)
    first, last = _text_of(entries[0][1]), _text_of(entries[-1][1])
    n = len(entries)
    shape = f"{n} entries" if e.cols == 1 or e.rows == 1 else f"{e.rows}×{e.cols} matrix"
    close = ")ᵀ" if e.cols == 1 else ")"
    full = f"({shape}: {first}, …, {last}{close}"
    return full if len(full) <= width - 8 else f"({shape}{close}"


def _statement_lines(statement: sympy.Eq, width: int) -> list[str]:
    """The statement under the title: matrices too long for the line elided to their shape
    (their entries are printed in the chain below), the rest broken like an expression."""
    shown = _text_of(statement)
    if 2 + len(shown) > width and any(isinstance(side, sympy.MatrixBase)
                                      for side in statement.args):
        shown = f"{_elided(statement.lhs, width)} = {_elided(statement.rhs, width)}"
    return wrap(shown, width, "  ", "      ")


def statement_summary(statement: sympy.Eq, width: int) -> str:
    """The statement on one line of at most ``width`` characters (for ``--list``): matrices
    elided to their shape, then cut with "…" if still too long."""
    shown = _text_of(statement)
    if len(shown) > width and any(isinstance(side, sympy.MatrixBase)
                                  for side in statement.args):
        shown = f"{_elided(statement.lhs, width)} = {_elided(statement.rhs, width)}"
    return shown if len(shown) <= width else shown[:max(width - 1, 1)].rstrip() + "…"


def _step_lines(steps: tuple[Step, ...], width: int) -> list[str]:
    """``    = eᵢ   by RULE`` for each step, the reasons aligned in a column where they fit;
    a step that does not fit on one line is broken (or tabled), its reason on the last line
    if there is room, else on a line of its own."""
    shown = [_text_of(s.expr) for s in steps]
    reasons = [f"by {s.rule.describe()}" for s in steps]
    inline = [6 + len(e) + 3 + len(r) <= width for e, r in zip(shown, reasons, strict=True)]
    col = min(max((len(e) for e, ok in zip(shown, inline, strict=True) if ok), default=0), 72)
    lines: list[str] = []
    for e, r, s in zip(shown, reasons, steps, strict=True):
        if 6 + max(len(e), col) + 3 + len(r) <= width:
            lines.append(f"    = {e.ljust(col)}   {r}")
            continue
        if 6 + len(e) + 3 + len(r) <= width:
            lines.append(f"    = {e}   {r}")
            continue
        block = _expr_lines(s.expr, "    = ", "    ", width)
        # after a table's head line ("= column vector of 11 entries:"), else the last line
        at = 0 if _matrix_entries(s.expr) and len(block) > 1 else -1
        if len(block[at]) + 3 + len(r) <= width:
            block[at] += "   " + r
        else:
            block += wrap(r, width, "        ", "           ", prose=True)
        lines += block
    return lines


register_derivation_type(Derivation)
