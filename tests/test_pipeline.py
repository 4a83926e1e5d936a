"""Pipeline properties that do not depend on the model being good."""

from pathlib import Path

from claimcheck.load import load_path
from claimcheck.modeling.predict import load_classifier
from claimcheck.pipeline import classify_documents

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def test_a_documents_labels_do_not_depend_on_the_other_documents_in_its_chunk(tiny_model):
    classifier = load_classifier(tiny_model)
    docs = [load_path(p) for p in sorted(SAMPLES.glob("*.html"))]
    together = classify_documents(docs, classifier)
    for doc, (sentences, _) in zip(docs, together, strict=True):
        alone, _ = classify_documents([doc], classifier)[0]
        assert [s.scores for s in alone] == [s.scores for s in sentences]
