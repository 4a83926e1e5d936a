"""The shared scorer: per-label F1, macro-F1 and its bootstrap interval."""

from claimcheck.modeling.metrics import score

LABELS = ("a", "b", "c")


def test_macro_f1_counts_only_labels_that_occur():
    scores = score(["a", "a", "b"], ["a", "b", "b"], LABELS)
    assert scores.per_label[0].f1 == 2 / 3  # a: precision 1, recall 1/2
    assert scores.per_label[1].f1 == 2 / 3  # b: precision 1/2, recall 1
    assert scores.macro_f1 == 2 / 3  # c never occurs and is left out
    assert scores.confusion == ((1, 1, 0), (0, 1, 0), (0, 0, 0))


def test_bootstrap_interval_holds_the_estimate_and_narrows_with_more_cases():
    gold = ["a"] * 20 + ["b"] * 20 + ["c"] * 20
    predicted = ["a"] * 15 + ["b"] * 5 + ["b"] * 16 + ["c"] * 4 + ["c"] * 17 + ["a"] * 3
    small = score(gold, predicted, LABELS)
    large = score(gold * 10, predicted * 10, LABELS)
    low, high = small.macro_f1_interval()
    assert low < small.macro_f1 < high
    assert high - low > 0.1  # 60 cases: a wide interval
    large_low, large_high = large.macro_f1_interval()
    assert large_low < large.macro_f1 < large_high
    assert large_high - large_low < (high - low) / 2
    assert small.macro_f1_interval() == (low, high)  # seeded: the report is reproducible


def test_perfect_and_empty_scores_have_degenerate_intervals():
    assert score(["a", "b"], ["a", "b"], LABELS).macro_f1_interval() == (1.0, 1.0)
    assert score([], [], LABELS).macro_f1_interval() == (0.0, 0.0)
