"""One case per verdict, each checked for the passage and reason that decided it."""

from claimcheck.schema import Source
from claimcheck.verify import verify_claim

SOURCE = Source(
    "doi:10.5555/t.1",
    "Magnesium glycinate and sleep onset in older adults",
    "We randomised 46 adults aged 65 or older to 500 mg magnesium or placebo for eight weeks. "
    "Sleep onset latency fell by 17 minutes with magnesium compared with 5 minutes with placebo "
    "(p = 0.02). Total sleep time did not differ between groups. These preliminary findings "
    "suggest magnesium may modestly improve sleep onset; larger trials are needed.",
    "test",
)


def test_supported():
    r = verify_claim("In 46 older adults, magnesium cut the time to fall asleep by 17 minutes.", [SOURCE])
    assert r.verdict == "supported"
    assert "17 minutes" in r.evidence.passage


def test_contradicted_number():
    r = verify_claim("Magnesium cut the time to fall asleep by 35 minutes in older adults.", [SOURCE])
    assert r.verdict == "contradicted"
    assert "35" in r.reason


def test_overstated_certainty():
    r = verify_claim("Magnesium cures insomnia in older adults, proving it improves sleep onset.", [SOURCE])
    assert r.verdict == "overstated"


def test_not_found():
    r = verify_claim("Magnesium lowered anxiety scores in teenagers with migraine.", [])
    assert r.verdict == "uncited"
    r = verify_claim("The battery kept 91% capacity after 1,000 charging cycles.", [SOURCE])
    assert r.verdict == "not-found"


RETINOL = Source(
    "doi:10.5555/t.2",
    "Retinol serum tolerability",
    "We followed 120 women using a 0.3% retinol serum for eight weeks. Irritation such as "
    "dryness or peeling was reported by 39% of users in the first two weeks. By week eight, "
    "34% of users still reported mild dryness.",
    "test",
)


def test_a_qualified_figure_is_read_as_a_range():
    """ "About a third" is borne out by 34%; "fewer than one in ten" is not by 39%, and the
    reason names the source's closest percentage (not the serum's 0.3%)."""
    r = verify_claim("By week eight, about a third of users still reported mild dryness.", [RETINOL])
    assert r.verdict == "supported"
    r = verify_claim("Fewer than one in ten users reported dryness or peeling in the first two weeks.", [RETINOL])
    assert r.verdict == "contradicted"
    assert "the source has 34%" in r.reason
