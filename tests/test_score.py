"""The rubric's behaviour on small hand-built articles."""

from claimcheck.schema import BlockKind, Claim, Sentence
from claimcheck.score import grade_for, score_report


def _sentences(labels):
    return [
        Sentence(i, f"s{i}", label, 0.9, {}, i * 10, i * 10 + 5, i + 1, 1, BlockKind.PARAGRAPH, i)
        for i, label in enumerate(labels)
    ]


def test_sourced_supported_article_beats_promotional_one():
    sober = _sentences(["background", "finding", "finding", "disclaimer", "disclaimer", "background"])
    sober_claims = [
        Claim(1, "s1", "supported", 0.9, "ok", (0,), ("doi:x",)),
        Claim(2, "s2", "supported", 0.9, "ok", (0,), ("doi:x",)),
    ]
    promo = _sentences(["hype", "hype", "call-to-action", "finding", "hype", "call-to-action"])
    promo_claims = [Claim(3, "s3", "uncited", 1.0, "no source")]
    good, good_grade, _ = score_report(sober, sober_claims)
    bad, bad_grade, components = score_report(promo, promo_claims)
    assert good >= 85 and good_grade == "A"
    assert bad < 40 and bad_grade == "F"
    by_name = {c.name: c for c in components}
    assert by_name["restraint"].points == 0 and set(by_name["restraint"].sentence_indexes) == {0, 1, 4}
    assert by_name["sourcing"].sentence_indexes == (3,)


def test_components_add_up_and_explain_themselves():
    sentences = _sentences(["finding", "finding", "background", "hype"])
    claims = [
        Claim(0, "s0", "supported", 0.9, "ok", (0,), ("doi:x",)),
        Claim(1, "s1", "contradicted", 0.7, "number differs", (0,), ("doi:x",)),
    ]
    score, _, components = score_report(sentences, claims)
    assert score == round(sum(c.points for c in components))
    support = next(c for c in components if c.name == "support")
    assert support.points == 15.0 and support.sentence_indexes == (1,)
    assert all(c.explanation for c in components)


def test_contradicted_findings_cost_points():
    sentences = _sentences(["finding", "finding", "disclaimer", "disclaimer"])
    ok = [Claim(i, "", "supported", 0.9, "", (0,), ("doi:x",)) for i in (0, 1)]
    wrong = [Claim(i, "", "contradicted", 0.9, "", (0,), ("doi:x",)) for i in (0, 1)]
    assert score_report(sentences, ok)[0] - score_report(sentences, wrong)[0] == 30


def test_grades():
    assert [grade_for(s) for s in (100, 85, 84, 70, 55, 40, 39, 0)] == ["A", "A", "B", "B", "C", "D", "F", "F"]
