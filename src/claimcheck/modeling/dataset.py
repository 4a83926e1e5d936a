"""The labelled corpus: raw article files -> segment records -> splits by article and topic.

Raw files (data/raw/articles/*.txt, format in data/raw/FORMAT.md) are never edited by code;
`claimcheck data build` rebuilds data/processed/{train,dev,test}.jsonl from them. The test
split holds out whole topics and a whole genre, so its score measures generalisation to
subjects and page types the model never saw; dev holds out one more topic for model choice.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from claimcheck.labels import LABELS
from claimcheck.schema import BlockKind

RAW_KINDS = {
    "title": BlockKind.TITLE,
    "heading": BlockKind.HEADING,
    "p": BlockKind.PARAGRAPH,
    "li": BlockKind.LIST_ITEM,
    "button": BlockKind.BUTTON,
    "link": BlockKind.BUTTON,
    "caption": BlockKind.CAPTION,
    "quote": BlockKind.QUOTE,
    "table": BlockKind.TABLE_ROW,
    "footer": BlockKind.FOOTER,
    "ref": BlockKind.REFERENCE,
    "meta": BlockKind.PARAGRAPH,
}
HEADER_KEYS = ("id", "topic", "genre", "register", "format")
TEST_TOPICS = frozenset({"fertility", "batteries-energy", "hearing-vision"})
TEST_GENRES = frozenset({"newsletter"})
DEV_TOPICS = frozenset({"sleep", "pet-health"})
SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class Record:
    """One labelled segment with the article metadata that splits and reports need."""

    id: str
    article: str
    topic: str
    genre: str
    register: str
    format: str
    position: int
    kind: str
    text: str
    label: str
    heading: str
    previous: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


class DataError(ValueError):
    """A raw file breaks the format; the message names the file and line."""


def parse_article(path: Path) -> list[Record]:
    """Records of one raw article file, in order."""
    lines = path.read_text(encoding="utf-8").split("\n")
    header: dict[str, str] = {}
    i = 0
    while i < len(lines) and lines[i].strip():
        key, _, value = lines[i].partition(":")
        header[key.strip()] = value.strip()
        i += 1
    missing = [k for k in HEADER_KEYS if not header.get(k)]
    if missing:
        raise DataError(f"{path}: header lacks {', '.join(missing)}")
    records: list[Record] = []
    heading = ""
    previous = ""
    for n, line in enumerate(lines[i:], start=i + 1):
        if not line.strip():
            continue
        parts = line.split(" | ", 2)
        if len(parts) != 3:
            raise DataError(f"{path}:{n}: expected 'KIND | LABEL | TEXT'")
        raw_kind, label, text = (p.strip() for p in parts)
        if raw_kind not in RAW_KINDS:
            raise DataError(f"{path}:{n}: unknown kind {raw_kind!r}")
        if label not in LABELS:
            raise DataError(f"{path}:{n}: unknown label {label!r}")
        kind = RAW_KINDS[raw_kind]
        records.append(
            Record(
                id=f"{header['id']}#{len(records)}",
                article=header["id"],
                topic=header["topic"],
                genre=header["genre"],
                register=header["register"],
                format=header["format"],
                position=len(records),
                kind=kind.value,
                text=text,
                label=label,
                heading=heading,
                previous=previous,
            )
        )
        if kind in (BlockKind.TITLE, BlockKind.HEADING):
            heading = text
        previous = text
    return records


def split_of(topic: str, genre: str) -> str:
    if topic in TEST_TOPICS or genre in TEST_GENRES:
        return "test"
    if topic in DEV_TOPICS:
        return "dev"
    return "train"


def read_raw(raw_dir: Path) -> list[Record]:
    records: list[Record] = []
    for path in sorted(raw_dir.glob("*.txt")):
        records.extend(parse_article(path))
    return records


_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    return _NON_WORD.sub(" ", text.lower()).strip()


def shingles(text: str, n: int = 5) -> frozenset[str]:
    norm = normalise(text)
    return frozenset(norm[i : i + n] for i in range(max(len(norm) - n + 1, 1)))


def near_duplicates(
    held_out: list[Record], train: list[Record], threshold: float = 0.8, min_words: int = 8
) -> list[tuple[Record, Record, float]]:
    """Held-out records whose text nearly repeats a training record (Jaccard on 5-grams).

    Short boilerplate ("Book now") legitimately recurs on every page, so only segments of
    ``min_words`` words or more count.
    """
    index: dict[str, list[int]] = {}
    train_sh: list[frozenset[str]] = []
    for i, rec in enumerate(train):
        sh = shingles(rec.text) if len(rec.text.split()) >= min_words else frozenset()
        train_sh.append(sh)
        for gram in sh:
            index.setdefault(gram, []).append(i)
    found = []
    for rec in held_out:
        if len(rec.text.split()) < min_words:
            continue
        sh = shingles(rec.text)
        hits = Counter(j for gram in sh for j in index.get(gram, ()))
        for j, common in hits.most_common(3):
            jac = common / len(sh | train_sh[j])
            if jac >= threshold:
                found.append((rec, train[j], jac))
                break
    return found


def build_splits(records: list[Record]) -> tuple[dict[str, list[Record]], list[str]]:
    """Assign records to splits by article; drop held-out near-duplicates of train text."""
    splits: dict[str, list[Record]] = {name: [] for name in SPLITS}
    for rec in records:
        splits[split_of(rec.topic, rec.genre)].append(rec)
    notes = []
    for name in ("dev", "test"):
        dups = near_duplicates(splits[name], splits["train"])
        if dups:
            drop = {rec.id for rec, _, _ in dups}
            splits[name] = [r for r in splits[name] if r.id not in drop]
            notes.append(f"dropped {len(drop)} {name} segments that nearly repeat train text")
    return splits, notes


def write_splits(splits: dict[str, list[Record]], out_dir: Path) -> dict[str, str]:
    """Write the split files; returns each file's SHA-256 (recorded in the model card)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    hashes = {}
    for name, recs in splits.items():
        body = "".join(rec.to_json() + "\n" for rec in recs)
        path = out_dir / f"{name}.jsonl"
        path.write_text(body, encoding="utf-8")
        hashes[name] = hashlib.sha256(body.encode()).hexdigest()
    return hashes


def read_split(path: Path) -> list[Record]:
    if not path.exists():
        from claimcheck.errors import ClaimcheckError

        raise ClaimcheckError(f"{path} is missing: build the splits with `make data`")
    with path.open(encoding="utf-8") as handle:
        return [Record(**json.loads(line)) for line in handle if line.strip()]


def summarise(splits: dict[str, list[Record]]) -> dict[str, dict[str, Counter]]:
    """Counts per split of labels, topics, genres and articles (for the data card)."""
    out: dict[str, dict[str, Counter]] = {}
    for name, recs in splits.items():
        out[name] = {
            "label": Counter(r.label for r in recs),
            "topic": Counter(r.topic for r in recs),
            "genre": Counter(r.genre for r in recs),
            "articles": Counter({"articles": len({r.article for r in recs})}),
        }
    return out
