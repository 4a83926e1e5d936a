"""Per-label precision/recall/F1, macro-F1 and the confusion matrix, in one place so the
classifier and the verifier are scored the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


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
            "macro_f1_interval_95": [round(v, 4) for v in self.macro_f1_interval()],
            "confusion": {"labels": list(self.labels), "rows_gold_cols_predicted": [list(r) for r in self.confusion]},
        }

    def macro_f1_interval(self, draws: int = 2000, seed: int = 0) -> tuple[float, float]:
        """A 95% bootstrap interval of macro-F1, resampling the scored cases (drawn from the
        confusion matrix's cells): on 139 cases it is several points wide, so differences of a
        point or two between verifiers are not evidence."""
        cells = np.array(self.confusion, dtype=float)
        k, n = len(self.labels), int(cells.sum())
        if not n:
            return 0.0, 0.0
        rng = np.random.default_rng(seed)
        drawn = rng.multinomial(n, cells.ravel() / n, size=draws).reshape(draws, k, k)
        tp = np.einsum("dii->di", drawn)
        predicted, support = drawn.sum(axis=1), drawn.sum(axis=2)
        precision = np.divide(tp, predicted, out=np.zeros_like(tp, dtype=float), where=predicted > 0)
        recall = np.divide(tp, support, out=np.zeros_like(tp, dtype=float), where=support > 0)
        total = precision + recall
        f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(total), where=total > 0)
        present = support > 0
        macro = (f1 * present).sum(axis=1) / np.maximum(present.sum(axis=1), 1)
        low, high = np.percentile(macro, [2.5, 97.5])
        return float(low), float(high)


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
