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
