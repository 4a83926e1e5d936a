"""`claimcheck data build|validate`: rebuild the splits and check the corpus's promises."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from claimcheck.labels import LABELS
from claimcheck.modeling.dataset import (
    SPLITS,
    build_splits,
    near_duplicates,
    read_raw,
    read_split,
    split_of,
    summarise,
    write_splits,
)

MIN_LABEL_SHARE = 0.08
MIN_HELD_OUT_CASES = 120  # verify cases on the held-out topics (the issue asks for 150 cases in all)


def run_data_build(raw: Path, out: Path, console: Console) -> None:
    records = read_raw(raw)
    splits, notes = build_splits(records)
    hashes = write_splits(splits, out)
    for note in notes:
        console.print(f"[dim]{note}[/]")
    _print_summary(splits, console)
    for name, digest in hashes.items():
        console.print(f"[dim]{out / (name + '.jsonl')}  sha256 {digest[:16]}[/]")


def _print_summary(splits, console: Console) -> None:
    summary = summarise(splits)
    table = Table(title="labelled segments per split")
    table.add_column("split")
    table.add_column("articles", justify="right")
    for label in LABELS:
        table.add_column(label, justify="right")
    table.add_column("total", justify="right")
    for name in SPLITS:
        counts = summary[name]["label"]
        total = sum(counts.values())
        table.add_row(
            name,
            str(summary[name]["articles"]["articles"]),
            *[f"{counts[label]} ({counts[label] / max(total, 1):.0%})" for label in LABELS],
            str(total),
        )
    console.print(table)


def validate(raw: Path, processed: Path) -> list[str]:
    """Problems found; empty when the corpus keeps every promise of the data card."""
    problems: list[str] = []
    records = read_raw(raw)  # schema and label set: raises DataError with file:line
    articles = {r.article for r in records}
    topics = {r.topic for r in records}
    genres = {r.genre for r in records}
    if len(articles) < 150:
        problems.append(f"only {len(articles)} articles (need 150)")
    if len(records) < 4000:
        problems.append(f"only {len(records)} segments (need 4,000)")
    if len(topics) < 15:
        problems.append(f"only {len(topics)} topics (need 15)")
    if len(genres) < 8:
        problems.append(f"only {len(genres)} genres (need 8)")
    for label in LABELS:
        share = sum(r.label == label for r in records) / max(len(records), 1)
        if share < MIN_LABEL_SHARE:
            problems.append(f"label {label} is {share:.1%} of segments (need {MIN_LABEL_SHARE:.0%})")
    ids = [r.id for r in records]
    if len(ids) != len(set(ids)):
        problems.append("duplicate article ids")
    splits = {name: read_split(processed / f"{name}.jsonl") for name in SPLITS}
    seen: dict[str, str] = {}
    for name, recs in splits.items():
        for rec in recs:
            if rec.article in seen and seen[rec.article] != name:
                problems.append(f"article {rec.article} is in both {seen[rec.article]} and {name}")
            seen[rec.article] = name
            if split_of(rec.topic, rec.genre) != name:
                problems.append(f"{rec.id} is in {name} but its topic/genre belongs elsewhere")
    train_topics = {r.topic for r in splits["train"]}
    train_genres = {r.genre for r in splits["train"]}
    test_only = {r.topic for r in splits["test"]} - train_topics
    if not test_only:
        problems.append("the test split holds out no topic")
    if not ({r.genre for r in splits["test"]} - train_genres):
        problems.append("the test split holds out no genre")
    for name in ("dev", "test"):
        dups = near_duplicates(splits[name], splits["train"])
        for rec, other, jac in dups[:5]:
            problems.append(f"{name} segment {rec.id} nearly repeats train {other.id} ({jac:.2f})")
    built = sum(len(v) for v in splits.values())
    if built < len(records) * 0.97:
        problems.append(f"processed splits hold {built} of {len(records)} segments: run `make data`")
    return problems


def validate_verify(folder: Path) -> list[str]:
    """Problems with the claim-source cases: unknown sources or verdicts, repeated ids, training
    topics that leak into the held-out ones, an unbalanced or too small held-out set."""
    from collections import Counter

    from claimcheck.labels import VERDICTS
    from claimcheck.modeling.verifier import EVAL_TEST_TOPICS, load_cases

    problems: list[str] = []
    train, train_sources = load_cases(folder / "train_cases.jsonl", folder / "train_sources.jsonl")
    held, held_sources = load_cases(folder / "cases.jsonl", folder / "sources.jsonl")
    for cases, sources in ((train, train_sources), (held, held_sources)):
        for case in cases:
            if case["verdict"] not in VERDICTS:
                problems.append(f"verify case {case['id']} has an unknown verdict {case['verdict']!r}")
            if case.get("source_id") and case["source_id"] not in sources:
                problems.append(f"verify case {case['id']} cites a missing source {case['source_id']}")
            if bool(case.get("source_id")) == (case["verdict"] == "uncited"):
                problems.append(f"verify case {case['id']}: a case has no source if and only if it is uncited")
    ids = [c["id"] for c in train + held]
    problems += [f"verify case id {i} is repeated" for i, n in Counter(ids).items() if n > 1]
    leaked = {c["topic"] for c in train} & EVAL_TEST_TOPICS
    if leaked:
        problems.append(f"verify training cases use held-out topics: {', '.join(sorted(leaked))}")
    held_out = Counter(c["verdict"] for c in held if c["topic"] in EVAL_TEST_TOPICS)
    if sum(held_out.values()) < MIN_HELD_OUT_CASES:
        problems.append(f"only {sum(held_out.values())} held-out verify cases (need {MIN_HELD_OUT_CASES})")
    sourced = [held_out[v] for v in VERDICTS if v != "uncited"]
    if min(sourced) < 0.7 * max(sourced):
        problems.append(f"held-out verify verdicts are unbalanced: {dict(held_out)}")
    return problems


def run_data_validate(raw: Path, processed: Path, console: Console, verify: Path = Path("data/verify")) -> int:
    problems = validate(raw, processed) + validate_verify(verify)
    splits = {name: read_split(processed / f"{name}.jsonl") for name in SPLITS}
    _print_summary(splits, console)
    if problems:
        for p in problems:
            console.print(f"[red]problem:[/] {p}")
        return 1
    console.print(
        "[green]data ok[/]: schema, labels, splits by article and topic, "
        "no near-duplicates across splits, label balance; verify cases: sources, verdicts, held-out topics"
    )
    return 0
