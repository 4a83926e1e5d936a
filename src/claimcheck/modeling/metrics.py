"""Per-label precision/recall/F1, macro-F1 and the confusion matrix, in one place so the
classifier and the verifier are scored the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LabelScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Scores:
    labels: tuple[str, ...]
    per_label: tuple[LabelScore, ...]
    macro_f1: float
    accuracy: float
    confusion: tuple[tuple[int, ...], ...]  # rows: gold, columns: predicted

    def as_dict(self) -> dict:
        return {
            "macro_f1": round(self.macro_f1, 4),
            "accuracy": round(self.accuracy, 4),
            "per_label": {
                s.label: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                }
                for s in self.per_label
            },
            "confusion": {"labels": list(self.labels), "rows_gold_cols_predicted": [list(r) for r in self.confusion]},
        }


def score(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> Scores:
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    per_label = []
    for i, label in enumerate(labels):
        tp = matrix[i][i]
        predicted_n = sum(row[i] for row in matrix)
        support = sum(matrix[i])
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label.append(LabelScore(label, precision, recall, f1, support))
    present = [s for s in per_label if s.support]
    macro = sum(s.f1 for s in present) / len(present) if present else 0.0
    correct = sum(matrix[i][i] for i in range(len(labels)))
    return Scores(tuple(labels), tuple(per_label), macro, correct / max(len(gold), 1), tuple(tuple(r) for r in matrix))
