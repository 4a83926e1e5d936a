"""Check a finding against the passages of its cited sources and give it a verdict.

Each decision is a named check whose outcome travels with the verdict, so a report can say
*why*: which passage was closest (BM25 + term coverage, plus embedding similarity when an
encoder is given), whether the claim's numbers appear in the source, whether the direction
or the population differs, and whether the claim drops the source's hedges.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from claimcheck.labels import Verdict
from claimcheck.numbers import Quantity, quantities, same_value, units_compatible
from claimcheck.retrieve import BM25, Passage, coverage, passages, terms
from claimcheck.schema import Evidence, Source

HEDGES = re.compile(
    r"\b(may|might|could|suggests?|suggested|suggestive|associated|association|linked|"
    r"preliminary|pilot|exploratory|not (?:statistically )?significant|non-?significant|"
    r"did not reach|no significant|trend(?:ed)? toward|possibl[ey]|potential(?:ly)?|"
    r"observational|uncertain|warrant|further (?:research|studies|trials)|larger (?:trials|studies)|"
    r"needed|hypothes[ie]s|subgroup|post[- ]hoc|secondary (?:analysis|outcome)|appeared|"
    r"modest|small (?:study|sample|trial)|limited|cannot (?:be )?(?:establish|confirm)|"
    r"not (?:designed|powered)|caution)\b",
    re.I,
)
CERTAIN = re.compile(
    r"\b(prove[sn]?|proof|cures?|cured|causes?|caused|guarantee[sd]?|eliminates?|reverses?|"
    r"definitely|conclusively|always|everyone|everybody|completely|miracle|breakthrough|"
    r"clearly|undeniabl[ey]|prevents?|stops?|fix(?:es)?|for good|once and for all|"
    r"works for|in all|all patients|no doubt|certain(?:ly)?|dramatic(?:ally)?|"
    r"slash(?:es|ed)?|transform(?:s|ed)?)\b",
    re.I,
)
UP = re.compile(
    r"\b(increas\w*|rose|rise[sn]?|rising|rais\w*|higher|improv\w*|boost\w*|gain\w*|"
    r"greater|grew|grow\w*|elevat\w*|more likely|better)\b",
    re.I,
)
DOWN = re.compile(
    r"\b(decreas\w*|fell|fall\w*|reduc\w*|lower\w*|drop\w*|declin\w*|"
    r"cut|shrank|less likely|worse\w*|fewer|loss)\b",
    re.I,
)
NEGATED = re.compile(
    r"\b(no|not|did not|didn't|without|neither|failed to)\b[^.;]{0,40}"
    r"\b(differ\w*|effect|improv\w*|change\w*|reduc\w*|increas\w*|benefit|"
    r"significant\w*)",
    re.I,
)
POPULATIONS = {
    "animal": re.compile(r"\b(mice|mouse|rats?|rodents?|animal|dogs|pigs|primates|zebrafish)\b", re.I),
    "lab": re.compile(r"\b(in vitro|cell cultures?|cultured cells|petri|test[- ]tube|organoids?)\b", re.I),
    "child": re.compile(
        r"\b(child\w*|kids|adolescen\w*|teen\w*|infants?|pediatric|paediatric|"
        r"toddlers?|aged? (?:[2-9]|1[0-7]) to)\b",
        re.I,
    ),
    "older": re.compile(r"\b(older adults|elderly|over (?:60|65|70)|aged (?:6\d|7\d))\b", re.I),
    "women": re.compile(r"\b(women|female|mothers|pregnan\w*)\b", re.I),
    "men": re.compile(r"\b(men|male)\b", re.I),
    "human": re.compile(
        r"\b(patients|participants|people|adults|humans|volunteers|men|women|"
        r"subjects|users|customers)\b",
        re.I,
    ),
}
_PVALUE = re.compile(r"\bp\s*[<=>≤]", re.I)


@dataclass(frozen=True)
class VerifyResult:
    verdict: str
    confidence: float
    reason: str
    evidence: Evidence | None


@dataclass(frozen=True)
class VerifySettings:
    """Thresholds; tuned on the dev topics of data/verify (see `claimcheck evaluate --task verify`)."""

    min_relevance: float = 0.34
    min_relevance_for_conflict: float = 0.45


def _salient(qs: list[Quantity]) -> list[Quantity]:
    return [q for q in qs if not (q.value <= 1 and not q.unit) or q.unit == "%"]


def _populations(text: str) -> set[str]:
    return {name for name, pattern in POPULATIONS.items() if pattern.search(text)}


def _direction(text: str) -> int:
    if NEGATED.search(text):
        return 0
    up, down = len(UP.findall(text)), len(DOWN.findall(text))
    return (up > down) - (down > up)


def _best_passages(
    claim: str, sources: Sequence[Source], similarity: Callable[[str, list[str]], list[float]] | None, top: int = 3
) -> list[tuple[float, Passage]]:
    pool: list[Passage] = []
    for source in sources:
        pool.extend(passages(source.key, source.text))
        if source.title:
            pool.append(Passage(source.key, source.title, -1))
    if not pool:
        return []
    query = terms(claim)
    tokenised = [terms(p.text) for p in pool]
    bm25 = BM25(tokenised).scores(query)
    peak = max(bm25) or 1.0
    dense = similarity(claim, [p.text for p in pool]) if similarity else None
    scored = []
    for i, passage in enumerate(pool):
        score = 0.5 * coverage(query, tokenised[i]) + 0.2 * bm25[i] / peak
        score = score + 0.3 * max(dense[i], 0.0) if dense is not None else score / 0.7
        scored.append((score, passage))
    scored.sort(key=lambda sp: -sp[0])
    return scored[:top]


def verify_claim(
    claim: str,
    sources: Sequence[Source],
    settings: VerifySettings = VerifySettings(),
    similarity: Callable[[str, list[str]], list[float]] | None = None,
) -> VerifyResult:
    """The verdict for one finding against the sources linked to it (already resolved)."""
    if not sources:
        return VerifyResult(Verdict.UNCITED, 1.0, "no source is linked to this finding", None)
    ranked = _best_passages(claim, sources, similarity)
    if not ranked:
        return VerifyResult(Verdict.NOT_FOUND, 0.6, "the cited source has no readable text", None)
    relevance, best = ranked[0]
    source = next(s for s in sources if s.key == best.source_key)
    checks: list[str] = [f"closest passage relevance {relevance:.2f}"]

    def result(verdict: str, confidence: float, reason: str) -> VerifyResult:
        evidence = Evidence(source.key, source.title, best.text, round(relevance, 3), (*checks, reason))
        return VerifyResult(verdict, round(confidence, 2), reason, evidence)

    if relevance < settings.min_relevance:
        return result(
            Verdict.NOT_FOUND,
            0.5 + (settings.min_relevance - relevance),
            "no passage of the cited source addresses this finding",
        )
    context = " ".join(p.text for _, p in ranked)
    source_text = " ".join(s.text for s in sources if s.key == best.source_key)
    claim_q = _salient(quantities(_PVALUE.sub(" ", claim)))
    source_q = quantities(source_text)
    missing = [
        q
        for q in claim_q
        if not any(same_value(q.value, s.value) and units_compatible(q.unit, s.unit) for s in source_q)
    ]
    conflict_ok = relevance >= settings.min_relevance_for_conflict
    if claim_q:
        checks.append(f"numbers: {len(claim_q) - len(missing)} of {len(claim_q)} found in the source")
    if missing and conflict_ok:
        near = [s for s in quantities(context) if units_compatible(missing[0].unit, s.unit)]
        detail = f"; the passage has {near[0].text}" if near else ""
        return result(Verdict.CONTRADICTED, 0.75, f"the claim's {missing[0].text!s} is not in the source{detail}")
    claim_pop, source_pop = _populations(claim), _populations(source_text)
    for group in ("animal", "lab"):
        if (
            group in source_pop
            and group not in claim_pop
            and "human" in claim_pop
            and "human" not in _populations(context)
        ):
            return result(Verdict.CONTRADICTED, 0.7, f"the source studied {group} models, the claim speaks of people")
    for group in ("child", "older"):
        if group in claim_pop and group not in source_pop:
            return result(
                Verdict.CONTRADICTED, 0.6, f"the claim is about a {group} population the source did not study"
            )
    claim_dir, source_dir = _direction(claim), _direction(best.text)
    if claim_dir and source_dir and claim_dir != source_dir and conflict_ok:
        return result(Verdict.CONTRADICTED, 0.65, "the claim and the source report opposite directions of change")
    certain = CERTAIN.findall(claim)
    hedges = {h.lower() for h in HEDGES.findall(context)} | {h.lower() for h in HEDGES.findall(source_text)}
    claim_hedged = bool(HEDGES.search(claim))
    if certain and (hedges or not claim_hedged):
        hedge_note = f" while the source says '{sorted(hedges)[0]}'" if hedges else ""
        return result(Verdict.OVERSTATED, 0.7, f"the claim says '{certain[0].lower()}'{hedge_note}")
    if NEGATED.search(best.text) and not NEGATED.search(claim) and claim_dir:
        return result(Verdict.OVERSTATED, 0.6, "the source reports no significant effect; the claim reports one")
    if missing:
        return result(Verdict.NOT_FOUND, 0.5, "the claim's figures do not appear in the source")
    return result(
        Verdict.SUPPORTED,
        min(0.95, 0.5 + relevance / 2),
        "the source states this" + (" with the same figures" if claim_q else ""),
    )
