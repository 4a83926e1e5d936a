"""The credibility score (0-100) and grade, built from documented components.

Each component says how many points it gave, out of how many, and which sentences drove it,
so the score explains itself. The rubric is in the README; tests pin its behaviour.

| component | points | what earns them |
|---|---|---|
| sourcing | 25 | share of findings linked to a cited source |
| support | 30 | share of checked findings that their sources support |
| restraint | 20 | little hype: full marks at 0%, none at 25% or more of sentences |
| focus | 10 | few calls to action: full marks at 0%, none at 25% or more |
| caveats | 15 | limitations and notices present: 2 or more disclaimer sentences for full marks |
"""

from __future__ import annotations

from collections.abc import Sequence

from claimcheck.labels import Label, Verdict
from claimcheck.schema import Claim, ScoreComponent, Sentence

GRADES = ((85, "A"), (70, "B"), (55, "C"), (40, "D"), (0, "F"))


def grade_for(score: int) -> str:
    return next(g for floor, g in GRADES if score >= floor)


def _density_points(
    name: str, label: str, sentences: Sequence[Sentence], max_points: float, what: str
) -> ScoreComponent:
    hits = tuple(s.index for s in sentences if s.label == label)
    share = len(hits) / max(len(sentences), 1)
    points = max_points * max(0.0, 1 - share / 0.25)
    return ScoreComponent(
        name,
        round(points, 1),
        max_points,
        f"{share:.0%} {what}",
        f"{len(hits)} of {len(sentences)} sentences are {label}",
        hits,
    )


def score_report(sentences: Sequence[Sentence], claims: Sequence[Claim]) -> tuple[int, str, tuple[ScoreComponent, ...]]:
    """The score, the grade and the components behind them."""
    findings = [c for c in claims]
    cited = [c for c in findings if c.verdict != Verdict.UNCITED]
    uncited = tuple(c.sentence_index for c in findings if c.verdict == Verdict.UNCITED)
    if findings:
        sourcing = ScoreComponent(
            "sourcing",
            round(25 * len(cited) / len(findings), 1),
            25,
            f"{len(cited)}/{len(findings)} findings cited",
            f"{len(uncited)} finding(s) cite nothing" if uncited else "every finding cites a source",
            uncited,
        )
    else:
        sourcing = ScoreComponent("sourcing", 10.0, 25, "no findings", "the article reports no checkable findings")
    checked = [c for c in cited if not c.unresolved or c.evidence is not None]
    good = [c for c in checked if c.verdict == Verdict.SUPPORTED]
    bad = tuple(
        c.sentence_index for c in checked if c.verdict in (Verdict.CONTRADICTED, Verdict.OVERSTATED, Verdict.NOT_FOUND)
    )
    if checked:
        support = ScoreComponent(
            "support",
            round(30 * len(good) / len(checked), 1),
            30,
            f"{len(good)}/{len(checked)} supported",
            "findings the sources contradict, overstate or do not address"
            if bad
            else "the sources support every checked finding",
            bad,
        )
    else:
        support = ScoreComponent(
            "support",
            10.0 if findings else 15.0,
            30,
            "nothing checked",
            "no cited source could be read, so no finding was checked",
        )
    restraint = _density_points("restraint", Label.HYPE, sentences, 20, "hype")
    focus = _density_points("focus", Label.CALL_TO_ACTION, sentences, 10, "calls to action")
    caveat_idx = tuple(s.index for s in sentences if s.label == Label.DISCLAIMER)
    caveats = ScoreComponent(
        "caveats",
        round(15 * min(1.0, len(caveat_idx) / 2), 1),
        15,
        f"{len(caveat_idx)} disclaimer(s)",
        "limitations and notices are stated" if caveat_idx else "no limitation, hedge or notice anywhere",
        caveat_idx,
    )
    components = (sourcing, support, restraint, focus, caveats)
    total = round(sum(c.points for c in components))
    return total, grade_for(total), components
