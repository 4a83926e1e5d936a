"""The cascade's TF-IDF gate: scored without scikit-learn, yet identical to it."""

from pathlib import Path

import numpy as np
import pytest

from claimcheck.labels import LABELS
from claimcheck.modeling.baseline import TfidfBaseline
from claimcheck.modeling.dataset import read_split
from claimcheck.modeling.gate import GATE_FILE, TfidfGate, char_features, choose_threshold
from claimcheck.modeling.predict import GATE_NAME, CascadeClassifier, OnnxClassifier, load_classifier

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def fitted():
    rows = read_split(FIXTURES / "tiny" / "train.jsonl")
    return TfidfBaseline().fit([r.text for r in rows], [r.kind for r in rows], [r.label for r in rows])


def test_char_features_match_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()
    for text in ("A", "I am", "Trial of 4×10⁶ cells/kg\tin  café patients!", "x  \n y", ""):
        assert sorted(char_features(text)) == sorted(analyzer(text))


def test_gate_probabilities_equal_scikit_learn_after_a_save_and_load(fitted, tmp_path):
    texts = [
        "heading: Results",
        "Book your FREE consultation today!",
        "In the trial, 48 of 120 adults (40%) improved at 12 weeks.",
        "Ünïcode wörds — and   odd\tspacing",
        "",
        "zzzz qqqq unseen tokens only",
    ]
    gate = TfidfGate.load(TfidfGate.from_baseline(fitted).save(tmp_path / GATE_FILE))
    expected = fitted.pipeline.predict_proba(texts)
    assert gate.classes == tuple(str(c) for c in fitted.pipeline.classes_)
    assert np.allclose(gate.proba(texts), expected, atol=1e-6)
    # the per-word cache must not change a second answer
    assert np.allclose(gate.proba(texts[::-1]), expected[::-1], atol=1e-6)


def test_choose_threshold_takes_the_lowest_within_tolerance():
    gold = ["finding", "hype", "finding", "background"]
    transformer = ["finding", "hype", "finding", "background"]  # perfect
    classes = list(LABELS)
    probs = np.full((4, len(LABELS)), 0.01)
    # the gate is right and very sure on rows 0 and 1, wrong and half sure on rows 2 and 3
    probs[0, LABELS.index("finding")] = 0.96
    probs[1, LABELS.index("hype")] = 0.96
    probs[2, LABELS.index("hype")] = 0.6
    probs[3, LABELS.index("hype")] = 0.6
    threshold, sweep = choose_threshold(gold, probs, classes, transformer, tolerance=0.01)
    assert 0.6 < threshold <= 0.95
    assert next(s for s in sweep if s["threshold"] == threshold)["gate_share"] == 0.5
    assert next(s for s in sweep if s["threshold"] == 1.01)["gate_share"] == 0.0


def test_training_stores_the_gate_and_its_dev_threshold(tiny_model):
    import json

    meta = json.loads((tiny_model / "claimcheck.json").read_text())
    assert (tiny_model / GATE_FILE).exists()
    assert meta["gate_threshold"] in [s["threshold"] for s in meta["gate_sweep_dev"]]
    assert load_classifier(tiny_model).name == "cascade"


def test_cascade_splits_work_between_gate_and_transformer(tiny_model):
    texts = ["Book your free consultation now.", "In the trial, 48 of 120 adults improved.", "Results"]
    kinds = ["button", "paragraph", "heading"]
    alone = OnnxClassifier(tiny_model).predict(texts, kinds)
    never = CascadeClassifier(tiny_model, threshold=1.01).predict(texts, kinds)
    assert [p.label for p in never] == [p.label for p in alone]
    assert {p.decided_by for p in never} == {"onnx-int8"}
    always = CascadeClassifier(tiny_model, threshold=0.0).predict(texts, kinds)
    assert {p.decided_by for p in always} == {GATE_NAME}
    for p in always:
        assert sum(p.scores.values()) == pytest.approx(1.0, abs=1e-3)
        assert p.label in LABELS and p.confidence == pytest.approx(max(p.scores.values()), abs=1e-3)
