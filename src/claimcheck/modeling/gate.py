"""The cascade's first stage: the fitted TF-IDF + logistic-regression model, stored as plain
arrays and scored with numpy alone.

Most sentences on a page are easy (a "Book now" button, a copyright footer, a plain
"Participants were 40 to 65 years old"); the linear model labels those as well as the
transformer does, at 20-40x the speed. The cascade lets it decide only where it is sure
(probability at or above a threshold chosen on the dev split) and sends the rest to the
transformer. Scoring here reproduces scikit-learn's analyzers exactly (a test compares
the two), so inference needs no scikit-learn import (about 2 s) and no pickle.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

GATE_FILE = "tfidf-gate.npz"
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def word_features(text: str) -> list[str]:
    """scikit-learn's word analyzer: lowercase, tokens of 2+ word characters, 1- and 2-grams."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def char_features(text: str, low: int = 2, high: int = 5) -> list[str]:
    """scikit-learn's ``char_wb`` analyzer: n-grams inside each space-padded word; a word
    shorter than n yields itself once, and longer n are skipped, as scikit-learn does."""
    grams: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if n >= size:
                grams.append(padded)
                break
            grams.extend([padded[i : i + n] for i in range(size - n + 1)])
    return grams


class TfidfGate:
    """A linear classifier over two L2-normalised, sublinear TF-IDF blocks (words, characters)."""

    def __init__(
        self,
        words: dict[str, int],
        chars: dict[str, int],
        idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        classes: Sequence[str],
    ) -> None:
        self.words = words
        self.chars = chars
        self.idf = idf.astype(np.float64)
        self.coef = coef.astype(np.float64)  # (features, classes)
        self.intercept = intercept.astype(np.float64)
        self.classes = tuple(classes)
        self._word_cache: dict[str, list[int]] = {}

    @classmethod
    def from_baseline(cls, baseline) -> TfidfGate:
        """Lift the arrays out of a fitted ``TfidfBaseline`` (training time only)."""
        features, logreg = baseline.pipeline.steps[0][1], baseline.pipeline.steps[1][1]
        vectorizers = dict(features.transformer_list)
        words, chars = vectorizers["words"], vectorizers["chars"]
        offset = len(words.vocabulary_)
        return cls(
            words={k: int(v) for k, v in words.vocabulary_.items()},
            chars={k: int(v) + offset for k, v in chars.vocabulary_.items()},
            idf=np.concatenate([words.idf_, chars.idf_]),
            coef=logreg.coef_.T,
            intercept=logreg.intercept_,
            classes=[str(c) for c in logreg.classes_],
        )

    def save(self, path: Path) -> Path:
        names = sorted(self.words, key=self.words.__getitem__) + sorted(self.chars, key=self.chars.__getitem__)
        np.savez_compressed(
            path,
            names=np.array(names, dtype=str),
            n_words=np.array(len(self.words)),
            idf=self.idf.astype(np.float32),
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            classes=np.array(self.classes, dtype=str),
        )
        return path

    @classmethod
    def load(cls, path: Path) -> TfidfGate:
        with np.load(path, allow_pickle=False) as data:
            names = data["names"].tolist()
            n_words = int(data["n_words"])
            return cls(
                words={name: i for i, name in enumerate(names[:n_words])},
                chars={name: i + n_words for i, name in enumerate(names[n_words:])},
                idf=data["idf"],
                coef=data["coef"],
                intercept=data["intercept"],
                classes=data["classes"].tolist(),
            )

    def _char_ids(self, word: str) -> list[int]:
        """Vocabulary ids of one word's character n-grams, cached: words repeat, sentences rarely do."""
        ids = self._word_cache.get(word)
        if ids is None:
            chars = self.chars
            ids = [chars[g] for g in char_features(word) if g in chars]
            if len(self._word_cache) < 200_000:
                self._word_cache[word] = ids
        return ids

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities, one row per text, columns in ``self.classes`` order.

        The per-text work is dictionary lookups; counting, weighting, normalising and the
        dot product run once, vectorised, over the whole batch.
        """
        ids: list[int] = []
        sizes: list[int] = []
        words, cache = self.words, self._word_cache
        for text in texts:
            lowered = text.lower()
            found = [i for i in map(words.get, word_features(lowered)) if i is not None]
            for word in lowered.split():
                chars = cache.get(word)
                found.extend(self._char_ids(word) if chars is None else chars)
            ids.extend(found)
            sizes.append(len(found))
        n, size = len(texts), len(self.idf)
        logits = np.tile(self.intercept, (n, 1))
        if ids:
            rows = np.repeat(np.arange(n, dtype=np.int64), sizes)
            keys, counts = np.unique(rows * size + np.asarray(ids, dtype=np.int64), return_counts=True)
            row_of, feature = keys // size, keys % size
            weight = (1.0 + np.log(counts)) * self.idf[feature]
            block = row_of * 2 + (feature >= len(words))  # words and characters are normalised apart
            norms = np.sqrt(np.bincount(block, weights=weight * weight, minlength=2 * n))
            weight /= norms[block]
            contribution = self.coef[feature] * weight[:, None]
            for c in range(logits.shape[1]):
                logits[:, c] += np.bincount(row_of, weights=contribution[:, c], minlength=n)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        return probs / probs.sum(axis=1, keepdims=True)


THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01)


def choose_threshold(
    gold: Sequence[str], gate_probs: np.ndarray, classes: Sequence[str], transformer: Sequence[str], tolerance: float
) -> tuple[float, list[dict]]:
    """The lowest threshold whose cascade macro-F1 on ``gold`` stays within ``tolerance`` of
    the transformer's own; 1.01 means the gate never decides. Returns it with the whole sweep."""
    from claimcheck.labels import LABELS
    from claimcheck.modeling.metrics import score

    target = score(gold, transformer, LABELS).macro_f1 - tolerance
    top = gate_probs.max(axis=1)
    gate_labels = [classes[i] for i in gate_probs.argmax(axis=1)]
    sweep = []
    for threshold in THRESHOLDS:
        sure = top >= threshold
        labels = [g if ok else t for g, t, ok in zip(gate_labels, transformer, sure, strict=True)]
        sweep.append(
            {
                "threshold": threshold,
                "gate_share": round(float(sure.mean()) if len(sure) else 0.0, 4),
                "macro_f1": round(score(gold, labels, LABELS).macro_f1, 4),
            }
        )
    chosen = next(s["threshold"] for s in sweep if s["macro_f1"] >= target)
    return chosen, sweep
