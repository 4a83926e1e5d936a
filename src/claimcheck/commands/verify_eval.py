"""`claimcheck evaluate --task verify`: per-verdict precision/recall/F1 on the claim-source
cases in data/verify, reported separately for the topics the rules were tuned on (dev) and
the held-out topics (test)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from claimcheck.config import PROJECT_ROOT
from claimcheck.labels import VERDICTS
from claimcheck.modeling.metrics import Scores, score
from claimcheck.modeling.verifier import EVAL_TEST_TOPICS as TEST_TOPICS
from claimcheck.modeling.verifier import load_cases
from claimcheck.verify import verify_claim


def evaluate_verifier(folder: Path, similarity=None, verifier=None) -> dict[str, tuple[Scores, list]]:
    cases, sources = load_cases(folder / "cases.jsonl", folder / "sources.jsonl")
    out = {}
    for split in ("dev", "test"):
        chosen = [c for c in cases if (c["topic"] in TEST_TOPICS) == (split == "test")]
        gold, pred, errors = [], [], []
        for case in chosen:
            linked = [sources[case["source_id"]]] if case["source_id"] else []
            result = verify_claim(case["claim"], linked, similarity=similarity, verifier=verifier)
            gold.append(case["verdict"])
            pred.append(str(result.verdict))
            if case["verdict"] != result.verdict:
                errors.append((case, str(result.verdict), result.reason))
        out[split] = (score(gold, pred, VERDICTS), errors)
    return out


def run_verify_evaluation(
    console: Console, min_macro_f1: float | None, data_dir: Path | None = None, verifier_dir: Path | None = None
) -> int:
    from claimcheck.commands.evaluate import confusion_table, scores_table
    from claimcheck.config import DEFAULT_VERIFIER_DIR
    from claimcheck.modeling.encoder import Encoder
    from claimcheck.modeling.verifier import LearnedVerifier

    folder = data_dir or PROJECT_ROOT / "data" / "verify"
    verifier_dir = verifier_dir or DEFAULT_VERIFIER_DIR
    encoder = Encoder(verifier_dir)
    learned = LearnedVerifier.load(verifier_dir)
    rules = evaluate_verifier(folder, encoder.similarity)
    results = evaluate_verifier(folder, encoder.similarity, learned)
    test_scores, test_errors = results["test"]
    console.print(
        scores_table(
            f"verify, held-out topics ({', '.join(sorted(TEST_TOPICS))}): learned verifier (baseline column: rules)",
            test_scores,
            rules["test"][0],
        )
    )
    console.print(
        scores_table(
            "verify, tuning topics (they chose the cross-encoder's weight; nothing was trained on them)",
            results["dev"][0],
            rules["dev"][0],
        )
    )
    if learned.pair is not None:
        parts = Table(title="held-out macro-F1 of each part (uncited findings included in every row)")
        parts.add_column("verifier")
        parts.add_column("macro-F1", justify="right")
        parts.add_row("hand-written rules", f"{rules['test'][0].macro_f1:.3f}")
        for name, weight in (("checks' regression alone", 0.0), ("cross-encoder alone", 1000.0)):
            alone = evaluate_verifier(folder, encoder.similarity, learned.with_pair_weight(weight))["test"][0]
            parts.add_row(name, f"{alone.macro_f1:.3f}")
        combined = (
            f"combined (cross-encoder weight {learned.pair_weight}, contradicted bias {learned.contradicted_bias})"
        )
        parts.add_row(combined, f"[bold]{test_scores.macro_f1:.3f}[/]")
        console.print(parts)
    console.print(confusion_table(test_scores))
    table = Table(title="held-out errors", show_lines=True)
    for col in ("gold", "predicted", "claim", "reason"):
        table.add_column(col)
    for case, predicted, reason in test_errors[:12]:
        table.add_row(case["verdict"], predicted, case["claim"], reason)
    console.print(table)
    if min_macro_f1 is not None and test_scores.macro_f1 < min_macro_f1:
        return 1
    return 0
