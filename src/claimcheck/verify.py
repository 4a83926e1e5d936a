"""Check a finding against the passages of its cited sources and give it a verdict.

Two steps, both explainable. ``measure`` runs named checks: which passage is closest (BM25 +
term coverage + embedding similarity), whether the claim's numbers appear there, whether the
population or the direction differs, whether the claim drops the source's hedges. Then a
verdict is read off the checks, either by hand-written rules or by a small logistic
regression trained on our claim-source cases (data/verify), whichever the evaluation shows
is better; the verdict carries the checks that decided it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from claimcheck.labels import Verdict
from claimcheck.numbers import Quantity, matches, qualifier, quantities, relative_gap
from claimcheck.retrieve import BM25, Passage, coverage, passages, stem, terms
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
# Citation markers are not part of what a claim says: "[3]", "¹²", digits glued after the stop.
_MARKERS = re.compile(
    r"\s?\[\d{1,3}(?:[,–-]\s?\d{1,3})*\]|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|(?<=[A-Za-z%)][.,;])\d{1,2}(?:[,–-]\d{1,2})*(?=\s|$)"
)
_PVALUE = re.compile(r"\bp\s*[<=>≤]", re.I)


@dataclass(frozen=True)
class VerifyResult:
    verdict: str
    confidence: float
    reason: str
    evidence: Evidence | None


@dataclass(frozen=True)
class VerifySettings:
    """Rule thresholds, tuned on the dev topics of data/verify (`claimcheck evaluate --task verify`)."""

    min_relevance: float = 0.30
    min_cosine: float = 0.55
    min_relevance_for_conflict: float = 0.40


@dataclass(frozen=True)
class Checks:
    """The measurements a verdict is read from; each one is shown in the report."""

    relevance: float
    cosine: float
    novel_share: float
    novel: tuple[str, ...]
    numbers: int
    numbers_local: int
    numbers_anywhere: int
    unit_conflict: bool
    certain: tuple[str, ...]
    hedges: tuple[str, ...]
    claim_hedged: bool
    population_conflict: str
    direction_conflict: bool
    source_negated: bool
    nearest_number: str
    missing_number: str = ""
    evidence: str = ""  # the closest passages joined: what the cross-encoder reads (not a feature)

    FEATURES = (
        "relevance",
        "cosine",
        "novel_share",
        "has_numbers",
        "numbers_local_share",
        "numbers_anywhere_share",
        "numbers_missing",
        "unit_conflict",
        "certain",
        "hedged_source",
        "claim_hedged",
        "population_conflict",
        "direction_conflict",
        "source_negated",
    )

    def vector(self) -> list[float]:
        share = (lambda k: k / self.numbers) if self.numbers else (lambda _k: 1.0)
        return [
            self.relevance,
            self.cosine,
            self.novel_share,
            float(self.numbers > 0),
            share(self.numbers_local),
            share(self.numbers_anywhere),
            float(self.numbers_local < self.numbers),
            float(self.unit_conflict),
            float(bool(self.certain)),
            float(bool(self.hedges)),
            float(self.claim_hedged),
            float(bool(self.population_conflict)),
            float(self.direction_conflict),
            float(self.source_negated),
        ]

    def describe(self) -> tuple[str, ...]:
        out = [f"closest passage: relevance {self.relevance:.2f}, meaning similarity {self.cosine:.2f}"]
        if self.novel:
            out.append(f"claim terms the source never uses: {', '.join(self.novel[:5])}")
        if self.numbers:
            out.append(
                f"claim figures found in the closest passages: {self.numbers_local} of {self.numbers}"
                + (
                    f" (the source has {self.nearest_number})"
                    if self.numbers_local < self.numbers and self.nearest_number
                    else ""
                )
            )
        if self.population_conflict:
            out.append(self.population_conflict)
        if self.direction_conflict:
            out.append("the claim and the source report opposite directions of change")
        if self.certain:
            out.append(f"certainty words in the claim: {', '.join(self.certain)}")
        if self.hedges:
            out.append(f"hedges in the source: {', '.join(self.hedges[:4])}")
        if self.source_negated:
            out.append("the source reports no significant effect")
        return tuple(out)


def _salient(qs: list[Quantity]) -> list[Quantity]:
    return [q for q in qs if not (q.value <= 1 and not q.unit) or q.unit == "%"]


def _populations(text: str) -> set[str]:
    return {name for name, pattern in POPULATIONS.items() if pattern.search(text)}


def _direction(text: str) -> int:
    if NEGATED.search(text):
        return 0
    up, down = len(UP.findall(text)), len(DOWN.findall(text))
    return (up > down) - (down > up)


@lru_cache(maxsize=64)
def _source_index(sources: tuple[tuple[str, str, str], ...]) -> tuple[list[Passage], list[list[str]], BM25]:
    """Passages, their terms and a BM25 index of (key, title, text) sources, built once per source set.

    An article's findings usually cite the same few sources, so the index is reused across them.
    """
    pool: list[Passage] = []
    for key, title, text in sources:
        pool.extend(passages(key, text))
        if title:
            pool.append(Passage(key, title, -1))
    tokenised = [terms(p.text) for p in pool]
    return pool, tokenised, BM25(tokenised)


def _best_passages(
    claim: str, sources: Sequence[Source], similarity: Callable[[str, list[str]], list[float]] | None, top: int = 3
) -> list[tuple[float, Passage]]:
    pool, tokenised, index = _source_index(tuple((s.key, s.title, s.text) for s in sources))
    if not pool:
        return []
    query = terms(claim)
    bm25 = index.scores(query)
    peak = max(bm25) or 1.0
    dense = similarity(claim, [p.text for p in pool]) if similarity else None
    scored = []
    for i, passage in enumerate(pool):
        score = 0.5 * coverage(query, tokenised[i]) + 0.2 * bm25[i] / peak
        score = score + 0.3 * max(dense[i], 0.0) if dense is not None else score / 0.7
        scored.append((score, passage))
    scored.sort(key=lambda sp: -sp[0])
    return scored[:top]


def _join_evidence(ranked: list[tuple[float, Passage]], words: int) -> str:
    """The ranked body passages without overlaps, best first until ``words`` words, then in
    source order. Titles are left out: they repeat the topic and crowd out the results."""
    chosen: list[Passage] = []
    used = 0
    for _, passage in ranked:
        if passage.position < 0 or any(passage.text in c.text or c.text in passage.text for c in chosen):
            continue
        size = len(passage.text.split())
        if chosen and used + size > words:
            continue
        chosen.append(passage)
        used += size
    chosen.sort(key=lambda p: (p.source_key, p.position))
    return " ".join(p.text for p in chosen)


# The cross-encoder reads 160 tokens. Measured on the held-out cases: the passage that decides
# the verdict was inside the 128 tokens it read before (110 words with the title, in source
# order, cut by the tokenizer) for 35% of them; a word budget sized to the tokens, without the
# title, takes that to 64% at 160 tokens (80% at 256, which trained too slowly for CI).
EVIDENCE_TOKENS = 160
TOKENS_PER_WORD = 1.45  # MiniLM word pieces per word, measured on data/verify sources
EVIDENCE_PASSAGES = 64  # ranked passages the evidence text is drawn from


def evidence_words(claim: str) -> int:
    """How many words of evidence fit beside ``claim`` in the cross-encoder's input."""
    claim_tokens = len(claim.split()) * TOKENS_PER_WORD + 3  # [CLS] claim [SEP] ... [SEP]
    return max(30, int((EVIDENCE_TOKENS - claim_tokens) / TOKENS_PER_WORD))


def evidence_text(
    claim: str,
    sources: Sequence[Source],
    similarity: Callable[[str, list[str]], list[float]] | None,
    words: int | None = None,
) -> str:
    """What the cross-encoder reads beside the claim (in training and in use alike);
    ``measure`` computes the same text as ``Checks.evidence``."""
    claim = _MARKERS.sub("", claim)
    ranked = _best_passages(claim, sources, similarity, EVIDENCE_PASSAGES)
    return _join_evidence(ranked, words or evidence_words(claim))


GENERIC = frozenset(
    stem(w)
    for w in [
        "patient",
        "participant",
        "people",
        "person",
        "adult",
        "study",
        "trial",
        "group",
        "week",
        "month",
        "year",
        "day",
        "daily",
        "compared",
        "placebo",
        "control",
        "reduce",
        "reduced",
        "lower",
        "higher",
        "increase",
        "increased",
        "improve",
        "improved",
        "more",
        "less",
        "than",
        "those",
        "took",
        "taking",
        "take",
        "receive",
        "received",
        "result",
        "results",
        "show",
        "showed",
        "found",
        "report",
        "reported",
        "research",
        "researcher",
        "average",
        "also",
        "significant",
        "significantly",
        "percent",
        "times",
        "after",
        "before",
        "over",
        "among",
        "both",
        "each",
        "new",
        "one",
        "two",
        "three",
        "use",
        "used",
        "users",
        "user",
        "who",
        "whose",
        "had",
        "treatment",
        "treated",
        "randomised",
        "randomized",
        "dose",
        "doses",
        "effect",
        "effects",
        "rate",
        "rates",
        "level",
        "levels",
        "total",
        "mean",
    ]
)


def _novel_terms(claim: str, source_text: str) -> tuple[list[str], int]:
    """Content terms of the claim that the source never uses, and how many content terms there are."""
    source_terms = set(terms(source_text))
    content = [t for t in dict.fromkeys(terms(claim)) if t not in GENERIC and not t[0].isdigit() and len(t) > 2]
    return [t for t in content if t not in source_terms], len(content)


def _study_population(source_text: str) -> set[str]:
    """Who the source studied, read from its opening (methods) sentences."""
    opening = " ".join(p.text for p in passages("", source_text)[:6])
    return _populations(opening)


def measure(
    claim: str,
    sources: Sequence[Source],
    similarity: Callable[[str, list[str]], list[float]] | None = None,
) -> tuple[Checks, Passage, Source] | None:
    """Run every check of ``claim`` against its (resolved) sources; None when they have no text."""
    claim = _MARKERS.sub("", claim)
    candidates = _best_passages(claim, sources, similarity, EVIDENCE_PASSAGES)
    if not candidates:
        return None
    ranked = candidates[:3]
    relevance, best = ranked[0]
    source = next(s for s in sources if s.key == best.source_key)
    full_text = f"{source.title} {source.text}"
    cosine = 0.0
    if similarity is not None:
        texts = [p.text for _, p in ranked]
        cosine = max(similarity(claim, texts))
    novel, content_n = _novel_terms(claim, full_text)
    local = " ".join(p.text for _, p in ranked if p.position >= 0)
    claim_q = _salient(quantities(_PVALUE.sub(" ", claim)))
    local_q, all_q = quantities(local), quantities(source.text)

    qualified = [(q, qualifier(claim, q)) for q in claim_q]

    def found(q: Quantity, how: str, pool: list[Quantity]) -> bool:
        return any(matches(q, how, s) for s in pool)

    missing = [q for q, how in qualified if not found(q, how, local_q)]
    near: list[Quantity] = []
    if missing:  # the closest figure in that unit, relatively: "one in ten" is nearer 39% than 0.3%
        first = missing[0]
        same_unit = [s for s in local_q if s.unit and s.unit == first.unit]
        near = sorted(same_unit, key=lambda s: relative_gap(s.value, first.value))
    claim_pop, studied = _populations(claim), _study_population(full_text)
    population = ""
    for group in ("animal", "lab"):
        if group in studied and group not in claim_pop and "human" in claim_pop:
            population = f"the source studied {group} models; the claim speaks of people"
    for group in ("child", "older"):
        if group in claim_pop and group not in _populations(full_text):
            population = f"the claim is about a {group} population the source did not study"
    claim_dir, source_dir = _direction(claim), _direction(best.text)
    hedges = sorted({h.lower() for h in HEDGES.findall(local)} | {h.lower() for h in HEDGES.findall(source.text)})
    checks = Checks(
        relevance=round(relevance, 3),
        cosine=round(cosine, 3),
        novel_share=round(len(novel) / content_n, 3) if content_n else 0.0,
        novel=tuple(novel),
        numbers=len(claim_q),
        numbers_local=len(claim_q) - len(missing),
        numbers_anywhere=sum(found(q, how, all_q) for q, how in qualified),
        unit_conflict=bool(near),
        certain=tuple(dict.fromkeys(c.lower() for c in CERTAIN.findall(claim))),
        hedges=tuple(hedges),
        claim_hedged=bool(HEDGES.search(claim)),
        population_conflict=population,
        direction_conflict=bool(claim_dir and source_dir and claim_dir != source_dir),
        source_negated=bool(NEGATED.search(best.text)) and not NEGATED.search(claim) and bool(claim_dir),
        nearest_number=near[0].text if near else "",
        missing_number=missing[0].text if missing else "",
        evidence=_join_evidence(candidates, evidence_words(claim)),
    )
    return checks, best, source


def rule_verdict(checks: Checks, settings: VerifySettings = VerifySettings()) -> tuple[str, float, str]:
    """The hand-written reading of the checks (the baseline the learned verifier must beat)."""
    unrelated = checks.relevance < settings.min_relevance or (checks.cosine and checks.cosine < settings.min_cosine)
    if unrelated:
        return Verdict.NOT_FOUND, 0.6, "no passage of the cited source addresses this finding"
    conflict_ok = checks.relevance >= settings.min_relevance_for_conflict
    if checks.numbers_local < checks.numbers and conflict_ok:
        detail = f"; the source has {checks.nearest_number}" if checks.nearest_number else ""
        return Verdict.CONTRADICTED, 0.75, f"the claim's {checks.missing_number} is not what the source reports{detail}"
    if checks.population_conflict:
        return Verdict.CONTRADICTED, 0.7, checks.population_conflict
    if checks.direction_conflict and conflict_ok:
        return Verdict.CONTRADICTED, 0.65, "the claim and the source report opposite directions of change"
    if checks.certain and (checks.hedges or not checks.claim_hedged):
        note = f" while the source says '{checks.hedges[0]}'" if checks.hedges else ""
        return Verdict.OVERSTATED, 0.7, f"the claim says '{checks.certain[0]}'{note}"
    if checks.source_negated:
        return Verdict.OVERSTATED, 0.6, "the source reports no significant effect; the claim reports one"
    return (
        Verdict.SUPPORTED,
        min(0.95, 0.5 + checks.relevance / 2),
        "the source states this" + (" with the same figures" if checks.numbers else ""),
    )


def verify_claim(
    claim: str,
    sources: Sequence[Source],
    settings: VerifySettings = VerifySettings(),
    similarity: Callable[[str, list[str]], list[float]] | None = None,
    verifier=None,
) -> VerifyResult:
    """The verdict for one finding against the sources linked to it (already resolved).

    ``verifier`` is a trained LearnedVerifier (see modeling/verifier.py), with its
    cross-encoder when built; without one the rules decide.
    """
    if not sources:
        return VerifyResult(Verdict.UNCITED, 1.0, "no source is linked to this finding", None)
    measured = measure(claim, sources, similarity)
    if measured is None:
        return VerifyResult(Verdict.NOT_FOUND, 0.6, "the cited source has no readable text", None)
    checks, best, source = measured
    if verifier is not None:
        pair_probs = None
        if verifier.pair is not None:
            pair_probs = verifier.pair.probabilities(_MARKERS.sub("", claim), checks.evidence)
        verdict, confidence, reason = verifier.decide(checks, pair_probs)
    else:
        verdict, confidence, reason = rule_verdict(checks, settings)
    evidence = Evidence(source.key, source.title, best.text, checks.relevance, (*checks.describe(), reason))
    return VerifyResult(verdict, round(min(confidence, 0.99), 2), reason, evidence)
