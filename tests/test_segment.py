import pytest

from claimcheck.segment import split_sentences


def _split(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Gao et al. (2016) found a 1.61-fold rise vs. placebo. The dose was 4×10⁶ MSC/kg.",
            ["Gao et al. (2016) found a 1.61-fold rise vs. placebo.", "The dose was 4×10⁶ MSC/kg."],
        ),
        (
            "Pain fell by approx. 30% in J. Smith's cohort. Dr. Lee agreed.",
            ["Pain fell by approx. 30% in J. Smith's cohort.", "Dr. Lee agreed."],
        ),
        ("It helped 240 participants.12 The effect faded.", ["It helped 240 participants.12", "The effect faded."]),
        ("Levels rose by 12%.³ Researchers were cautious.", ["Levels rose by 12%.³", "Researchers were cautious."]),
        ("The trial enrolled 61 patients [3]. It was small.", ["The trial enrolled 61 patients [3].", "It was small."]),
        (
            "What do you think? Drop a comment below! See Fig. 2 for details.",
            ["What do you think?", "Drop a comment below!", "See Fig. 2 for details."],
        ),
        ("Take vitamin D. The effect was small.", ["Take vitamin D.", "The effect was small."]),
        (
            "Published in the U.S. Journal of Sleep, e.g. in 2019.",
            ["Published in the U.S. Journal of Sleep, e.g. in 2019."],
        ),
        ("Spots are limited", ["Spots are limited"]),
    ],
)
def test_hard_cases(text, expected):
    assert _split(text) == expected


def test_spans_index_the_original_text():
    text = "  First one.   Second one!  "
    for a, b in split_sentences(text):
        assert text[a:b].strip() == text[a:b]
