"""Passage retrieval inside cited sources: Okapi BM25 over source sentences and sentence
pairs, with light stemming. Sources are a few hundred words each, so a 30-line scorer over
in-memory passages is faster than building any index; an optional sentence encoder adds
embedding similarity when one is loaded (see verify.py)."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from claimcheck.segment import split_sentences

STOPWORDS = frozenset(
    "a an the and or but of in on at to for with by from as is are was were be been being "
    "this that these those it its their his her our your we they he she you i not no than "
    "then so such can could may might will would should has have had do does did into over "
    "under about after before during per which who whom what when where while also more most "
    "less very there here each all any both between among up down out only just ".split()
)
_MARKUP = re.compile(r"\*\*|__|^#+\s*", re.M)
_TOKEN = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")


def stem(word: str) -> str:
    for suffix in ("ations", "ation", "ingly", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def terms(text: str) -> list[str]:
    return [stem(t) for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]


@dataclass(frozen=True)
class Passage:
    source_key: str
    text: str
    position: int


def passages(source_key: str, text: str) -> list[Passage]:
    """Sentences of a source and each pair of neighbours (a result often spans two)."""
    out: list[Passage] = []
    for paragraph in re.split(r"\n\s*\n", text):
        flat = " ".join(_MARKUP.sub("", paragraph).split())
        sentences = [flat[a:b] for a, b in split_sentences(flat)]
        for i, sentence in enumerate(sentences):
            out.append(Passage(source_key, sentence, len(out)))
            if i + 1 < len(sentences):
                out.append(Passage(source_key, sentence + " " + sentences[i + 1], len(out)))
    return out


class BM25:
    def __init__(self, docs: list[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.docs = [Counter(d) for d in docs]
        self.lengths = [len(d) for d in docs]
        self.avg = sum(self.lengths) / max(len(docs), 1) or 1.0
        df: Counter = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.k1, self.b = k1, b

    def scores(self, query: list[str]) -> list[float]:
        out = []
        for doc, length in zip(self.docs, self.lengths, strict=True):
            s = 0.0
            for t in set(query):
                f = doc.get(t, 0)
                if f:
                    s += self.idf[t] * f * (self.k1 + 1) / (f + self.k1 * (1 - self.b + self.b * length / self.avg))
            out.append(s)
        return out


def coverage(query: list[str], passage: list[str]) -> float:
    """Share of the query's distinct terms found in the passage (0..1)."""
    q = set(query)
    return len(q & set(passage)) / len(q) if q else 0.0
