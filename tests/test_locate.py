from claimcheck.locate import LineIndex


def test_line_and_column_are_one_based():
    text = "ab\ncde\n\nf"
    index = LineIndex(text)
    assert index.line_col(0) == (1, 1)
    assert index.line_col(3) == (2, 1)
    assert index.line_col(5) == (2, 3)
    assert index.line_col(8) == (4, 1)
