import re
from pathlib import Path

from claimcheck.labels import ID2LABEL, LABEL2ID, LABELS, Label

ROOT = Path(__file__).resolve().parents[1]


def _contract_labels() -> list[str]:
    for candidate in (ROOT.parent / "shared" / "LABELS.md", ROOT / "shared" / "LABELS.md"):
        if candidate.exists():
            text = candidate.read_text(encoding="utf-8")
            return re.findall(r"^\| `([a-z-]+)` \|", text, flags=re.M)
    raise AssertionError("shared/LABELS.md not found beside the repository")


def test_labels_match_the_contract_in_order():
    assert list(LABELS) == _contract_labels()


def test_enum_and_id_maps_agree():
    assert [label.value for label in Label] == list(LABELS)
    assert all(LABEL2ID[ID2LABEL[i]] == i for i in ID2LABEL)


def test_guideline_names_every_label():
    guideline = (ROOT / "data" / "GUIDELINES.md").read_text(encoding="utf-8")
    for label in LABELS:
        assert f"`{label}`" in guideline
