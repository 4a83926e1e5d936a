import pytest

from claimcheck.numbers import Quantity, matches, qualifier, quantities, same_value


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


def test_x_in_y_is_a_share_and_not_two_counts():
    assert _values("seven in ten investors were in the red") == [(70.0, "%")]
    assert _values("one in four patients") == [(25.0, "%")]
    assert _values("two in every three homes") == [(66.7, "%")]


def test_years_are_not_quantities():
    assert _values("in 2021 the trial began") == []


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [(61.3, 61, True), (0.48, 0.5, True), (0.4, 0.5, False), (17, 17.0, True), (43, 61, False), (12.04, 12.0, True)],
)
def test_same_value_allows_rounding(a, b, same):
    assert same_value(a, b) is same


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("about a third of users", "approx"),
        ("nearly 40% of women", "approx"),
        ("more than half of the patients", "above"),
        ("fewer than one in ten users", "below"),
        ("cut the risk by 25%", ""),
    ],
)
def test_qualifier_reads_the_words_before_a_figure(claim, expected):
    (figure,) = quantities(claim)
    assert qualifier(claim, figure) == expected


@pytest.mark.parametrize(
    ("claim", "source", "fits"),
    [
        ("about a third of users", Quantity(34.0, "%", "34%"), True),  # same_value alone says no
        ("about a third of users", Quantity(45.0, "%", "45%"), False),
        ("more than half of the patients", Quantity(58.0, "%", "58%"), True),
        ("more than half of the patients", Quantity(41.0, "%", "41%"), False),
        ("fewer than one in ten users", Quantity(8.0, "%", "8%"), True),
        ("fewer than one in ten users", Quantity(39.0, "%", "39%"), False),
        ("fewer than one in ten users", Quantity(8.0, "", "eight"), False),  # a range needs the unit
        ("cut the risk by 25%", Quantity(27.0, "%", "27%"), False),  # an exact figure stays exact
        ("cut the risk by 25%", Quantity(25.0, "", "25"), True),
    ],
)
def test_matches_reads_a_qualified_figure_as_a_range(claim, source, fits):
    (figure,) = quantities(claim)
    assert matches(figure, qualifier(claim, figure), source) is fits
