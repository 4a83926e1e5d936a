"""Score the classifier on a held-out split beside the TF-IDF baseline, in one run.

Reports per-label precision/recall/F1, macro-F1, the confusion matrix (also as a PNG),
per-genre and per-topic macro-F1, the worst errors, and how often the int8 ONNX model
agrees with the PyTorch one. For the cascade it also scores its transformer alone and says
how many sentences the TF-IDF gate decided.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from claimcheck.labels import LABELS
from claimcheck.modeling.baseline import TfidfBaseline
from claimcheck.modeling.dataset import Record, read_split
from claimcheck.modeling.metrics import Scores, score


@dataclass(frozen=True)
class Error:
    text: str
    gold: str
    predicted: str
    confidence: float
    article: str
    kind: str


@dataclass(frozen=True)
class ClassifierEvaluation:
    split: str
    size: int
    backend: str
    model: Scores
    baseline: Scores
    by_genre: dict[str, tuple[float, int]]
    by_topic: dict[str, tuple[float, int]]
    errors: tuple[Error, ...]
    agreement: float | None = None
    transformer: Scores | None = None  # the cascade's transformer on every sentence
    gate_share: float | None = None  # how many sentences the cascade's TF-IDF gate decided
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        return {
            "split": self.split,
            "size": self.size,
            "backend": self.backend,
            "model": self.model.as_dict(),
            "baseline_tfidf_logreg": self.baseline.as_dict(),
            "by_genre": {k: {"macro_f1": round(v[0], 4), "n": v[1]} for k, v in self.by_genre.items()},
            "by_topic": {k: {"macro_f1": round(v[0], 4), "n": v[1]} for k, v in self.by_topic.items()},
            "int8_vs_torch_agreement": self.agreement,
            "transformer_alone": self.transformer.as_dict() if self.transformer else None,
            "gate_share": self.gate_share,
        }


def _grouped(records: list[Record], predicted: list[str], key: str) -> dict[str, tuple[float, int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, rec in enumerate(records):
        groups[getattr(rec, key)].append(i)
    return {
        name: (score([records[i].label for i in idx], [predicted[i] for i in idx], LABELS).macro_f1, len(idx))
        for name, idx in sorted(groups.items())
    }


def evaluate_classifier(
    model_dir: Path, data_dir: Path, split: str = "test", backend: str = "auto", check_agreement: bool = True
) -> ClassifierEvaluation:
    from claimcheck.modeling.predict import GATE_NAME, CascadeClassifier, load_classifier

    records = read_split(Path(data_dir) / f"{split}.jsonl")
    train = read_split(Path(data_dir) / "train.jsonl")
    texts = [r.text for r in records]
    kinds = [r.kind for r in records]
    gold = [r.label for r in records]
    classifier = load_classifier(model_dir, backend)
    preds = classifier.predict(texts, kinds)
    predicted = [p.label for p in preds]
    transformer_preds, gate_share = None, None
    if isinstance(classifier, CascadeClassifier):
        transformer_preds = classifier.transformer.predict(texts, kinds)
        gate_share = round(sum(p.decided_by == GATE_NAME for p in preds) / max(len(preds), 1), 4)
    int8_preds = transformer_preds or (preds if classifier.name == "onnx-int8" else None)
    baseline = TfidfBaseline(use_kind=classifier.use_kind).fit(
        [r.text for r in train], [r.kind for r in train], [r.label for r in train]
    )
    base_pred = baseline.predict(texts, kinds)
    errors = sorted(
        (
            Error(r.text, r.label, p.label, p.confidence, r.article, r.kind)
            for r, p in zip(records, preds, strict=True)
            if r.label != p.label
        ),
        key=lambda e: -e.confidence,
    )
    agreement = None
    if check_agreement and int8_preds is not None:
        try:
            from claimcheck.modeling.predict import TorchClassifier

            torch_pred = TorchClassifier(Path(model_dir)).predict(texts, kinds)
            same = sum(a.label == b.label for a, b in zip(int8_preds, torch_pred, strict=True))
            agreement = round(same / max(len(texts), 1), 4)
        except ImportError:
            agreement = None
    return ClassifierEvaluation(
        split=split,
        size=len(records),
        backend=classifier.name,
        model=score(gold, predicted, LABELS),
        baseline=score(gold, base_pred, LABELS),
        by_genre=_grouped(records, predicted, "genre"),
        by_topic=_grouped(records, predicted, "topic"),
        errors=tuple(errors),
        agreement=agreement,
        transformer=score(gold, [p.label for p in transformer_preds], LABELS) if transformer_preds else None,
        gate_share=gate_share,
    )


def plot_confusion(scores: Scores, path: Path, title: str) -> Path:
    """The confusion matrix as a PNG: people read a heat map faster than a table."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matrix = scores.confusion
    fig, ax = plt.subplots(figsize=(6.4, 5.2), dpi=120)
    image = ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(scores.labels)), scores.labels, rotation=30, ha="right")
    ax.set_yticks(range(len(scores.labels)), scores.labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    peak = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            ax.text(
                j, i, str(value), ha="center", va="center", color="white" if value > peak / 2 else "black", fontsize=9
            )
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def save_metrics(evaluation: ClassifierEvaluation, model_dir: Path) -> Path:
    path = Path(model_dir) / f"metrics-{evaluation.split}.json"
    path.write_text(json.dumps(evaluation.as_dict(), indent=2), encoding="utf-8")
    return path
