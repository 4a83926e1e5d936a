import pytest

from claimcheck.numbers import quantities, same_value


def _values(text):
    return [(q.value, q.unit) for q in quantities(text)]


def test_percentages_counts_and_units():
    assert _values("61% of 240 patients, 34.5 percent on placebo") == [(61.0, "%"), (240.0, "patient"), (34.5, "%")]


def test_scientific_and_spelled_out():
    assert (4_000_000.0, "") in _values("a dose of 4×10⁶ cells/kg")
    assert (4_000_000.0, "") in _values("a dose of 4 x 10^6 cells")
    assert (90.0, "%") in _values("nine out of ten users")
    assert (33.3, "%") in _values("about a third of adults")
    assert (1_200_000.0, "people") in _values("1.2 million people")


def test_years_are_not_quantities():
    assert _values("in 2021 the trial began") == []


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [(61.3, 61, True), (0.48, 0.5, True), (0.4, 0.5, False), (17, 17.0, True), (43, 61, False), (12.04, 12.0, True)],
)
def test_same_value_allows_rounding(a, b, same):
    assert same_value(a, b) is same
