"""Using a proven theorem as a lemma."""

from __future__ import annotations

from typing import Any

import sympy
from sympy import Basic, Lambda
from sympy.core.function import AppliedUndef

from convmath.errors import InvalidArgument
from convmath.symbolic._input import str_arg, sympy_arg
from convmath.symbolic.kernel import (
    Condition,
    Hypothesis,
    RuleFailure,
    alpha_equal,
    fails,
    free_symbols,
    replace_functions,
    satisfies,
    subst,
)
from convmath.symbolic.operators import function_name
from convmath.symbolic.printing import _TextPrinter
from convmath.symbolic.rules.base import Context, Rule, is_derivation, text, walk_scoped
from convmath.symbolic.vectors import (
    MapSymbol,
    function_sorts,
    has_vectors,
    in_space,
    is_vector,
    space_of,
    space_text,
)

__all__ = ["Lemma"]

_IN_PROGRESS: set[str] = set()


def _fn_txt(L: Any) -> str:
    return function_name(L, _TextPrinter({"order": "none"})).replace("-", "−").replace("*", "·")


class Lemma(Rule):
    """Apply a registered theorem: instantiate its statement (free symbols and undefined
    functions replaced by ``mapping``; functions possibly by Lambdas; capture-avoiding) and
    rewrite one side into the other wherever it occurs.

    The lemma is looked up through the derivation's lemma source and verified first; a value
    given for one of its symbols must satisfy that symbol's assumptions (``x`` real, ``n`` an
    integer). Its hypotheses become conditions of this step, instantiated.

    Points of ℝᵈ/ℤᵈ keep their sorts: a lemma's point is replaced only by a point of the same
    space, its number variables only by numbers, and a function only by one of the same
    sorts (a lemma proven on ℝ says nothing about functions on ℝᵈ).
    """

    vector_safe = True

    def __init__(self, key: str, mapping: dict[str, Any] | None = None) -> None:
        self.key = str_arg(key, "key")
        if mapping is not None and not isinstance(mapping, dict):
            raise InvalidArgument(f"mapping={mapping!r} must be a dict from names to SymPy objects")
        items = []
        for name, value in (mapping or {}).items():
            str_arg(name, "mapping key")
            if isinstance(value, sympy.FunctionClass):
                if not issubclass(value, AppliedUndef):
                    raise InvalidArgument(f"mapping[{name!r}]={value!r}: a function must be "
                                          "undefined (Function('h')) or a Lambda")
            else:
                value = sympy_arg(value, f"mapping[{name!r}]")
            items.append((name, value))
        self.mapping = tuple(items)

    def describe(self) -> str:
        name = self.key.partition(":")[0]
        shown = [(k, _fn_txt(v) if isinstance(v, Lambda)
                  else str(v) if isinstance(v, sympy.FunctionClass) else text(v))
                 for k, v in self.mapping]
        inst = ", ".join(f"{k} := {v}" for k, v in shown)
        return f"{name}" + (f" with {inst}" if inst else "")

    def instance(self, ctx: Context | None = None) -> tuple[Basic, Basic, list[Condition]]:
        """The instantiated (lhs, rhs) of the lemma and the conditions it brings, after
        verifying it."""
        ctx = ctx or Context()
        if ctx.lemmas is None:
            raise RuleFailure(f"no lemma source to look {self.key} up (pass lemmas= to "
                              "verify)")
        if self.key in _IN_PROGRESS:
            raise RuleFailure(f"circular use of the lemma {self.key}")
        try:
            lemma = ctx.lemmas(self.key)
        except Exception as exc:
            raise RuleFailure(f"no lemma {self.key}: {exc}") from None
        if not is_derivation(lemma):
            raise RuleFailure(f"the lemma source gave {type(lemma).__name__} for {self.key}, "
                              "not a Derivation")
        _IN_PROGRESS.add(self.key)
        try:
            outcome = lemma.verify(reuse=True, lemmas=ctx.lemmas)
        except Exception as exc:
            raise RuleFailure(f"the lemma {self.key} does not verify: {exc}") from None
        finally:
            _IN_PROGRESS.discard(self.key)
        if outcome.unstated:
            raise RuleFailure(f"the lemma {self.key} relies on conditions it does not state")
        stmt = lemma.statement
        symbols = {str(s_): s_ for s_ in stmt.free_symbols}
        functions = {f_.func.__name__: f_.func for f_ in stmt.atoms(AppliedUndef)}
        sorts = function_sorts(stmt)
        dims = {v.dim for v in stmt.atoms(sympy.Symbol) if is_vector(v)}
        sym_map: dict[Basic, Basic] = {}
        fn_map: dict[Any, Any] = {}
        domain: list[Condition] = []
        for name, value in self.mapping:
            if name in functions:
                if isinstance(value, Lambda):
                    arity = len(next(a for a in stmt.atoms(AppliedUndef)
                                     if a.func == functions[name]).args)
                    if len(value.variables) != arity:
                        raise RuleFailure(f"{name} takes {arity} argument(s)")
                    got = tuple(space_of(v) for v in value.variables)
                    if got != sorts.get(functions[name]):
                        raise RuleFailure(f"{name} := {value}: takes points of other sorts "
                                          f"than {name} in {self.key}")
                elif not isinstance(value, sympy.FunctionClass):
                    raise RuleFailure(f"{name} is a function of {self.key}: map it to a "
                                      "function or a Lambda")
                fn_map[functions[name]] = value
            elif name in symbols:
                sym = symbols[name]
                want = space_of(sym)
                maps = (isinstance(sym, MapSymbol), isinstance(value, MapSymbol))
                if any(maps) and not (all(maps) and sym.space == value.space):
                    raise RuleFailure(f"{name} := {text(value)}: a linear map is replaced "
                                      "only by a linear map of the same space")
                if sym in dims:
                    raise RuleFailure(f"{name} is the dimension of points in {self.key}: it "
                                      "is put in with instantiate_dimension, never "
                                      "substituted")
                if want is None and has_vectors(value):
                    raise RuleFailure(f"{name} is a number in {self.key}; {text(value)} is "
                                      "a point")
                if want is not None and not in_space(value, want):
                    raise RuleFailure(f"{name} is a point of {space_text(want)} in "
                                      f"{self.key}; {text(value)} is not known to be one")
                fact = satisfies(value, sym)
                if fact is not None:
                    if fails(value, sym):
                        raise RuleFailure(f"{self.key} needs {name} {fact}; {text(value)} "
                                          "is not")
                    domain.append(Condition(
                        "domain", value, frozenset(), (fact,),
                        note=f"{text(value)} is {fact.replace('_', ' ')} (as {name} in "
                             f"{self.key})"))
                sym_map[sym] = value
            else:
                raise RuleFailure(f"{self.key} has no free symbol or function {name!r}")
        sides = [replace_functions(subst(side, sym_map), fn_map, domain)
                 for side in (stmt.lhs, stmt.rhs)]
        conds: list[Condition] = domain
        for h in lemma.hypotheses:
            if isinstance(h, Hypothesis):
                conds += h.instantiate(fn_map, sym_map)
            else:
                # the text speaks of the lemma's own functions: it is the same hypothesis
                # only when no function is replaced
                conds.append(Condition("lemma", sympy.S.Zero, frozenset(),
                                       () if fn_map else (h,),
                                       note=f"{h} (a hypothesis of "
                                            f"{self.key.partition(':')[0]})"))
        return sides[0], sides[1], conds

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        lhs, rhs, conds = self.instance(ctx)
        mentioned: set[Basic] = set()
        for c in conds:  # what the lemma's conditions speak of must mean the same at a hit
            mentioned |= free_symbols(c.subject)
            for x in c.extra:
                if isinstance(x, Basic):
                    mentioned |= free_symbols(x)
        for a, b in ((lhs, rhs), (rhs, lhs)):
            hits = {}
            for n, above in walk_scoped(expr):
                if alpha_equal(n, a):
                    if mentioned & above:
                        raise RuleFailure(
                            f"the hypotheses of {self.key} mention "
                            f"{sorted(map(str, mentioned & above))}, bound around {text(n)}")
                    hits[n] = b
            if hits:
                rec.extend(conds)
                return expr.xreplace(hits)
        raise RuleFailure(f"neither side of {self.key} occurs: {text(lhs)} / {text(rhs)}")
