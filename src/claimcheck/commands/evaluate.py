"""`claimcheck evaluate`: classifier or verifier quality, printed with rich and saved."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from claimcheck.config import PROJECT_ROOT, Settings
from claimcheck.modeling.metrics import Scores


def scores_table(title: str, scores: Scores, baseline: Scores | None = None) -> Table:
    table = Table(title=title)
    table.add_column("label")
    table.add_column("precision", justify="right")
    table.add_column("recall", justify="right")
    table.add_column("F1", justify="right")
    if baseline is not None:
        table.add_column("baseline F1", justify="right")
    table.add_column("support", justify="right")
    base = {s.label: s for s in baseline.per_label} if baseline else {}
    for s in scores.per_label:
        row = [s.label, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}"]
        if baseline is not None:
            row.append(f"{base[s.label].f1:.3f}")
        table.add_row(*row, str(s.support))
    macro = ["macro", "", "", f"[bold]{scores.macro_f1:.3f}[/]"]
    if baseline is not None:
        macro.append(f"{baseline.macro_f1:.3f}")
    table.add_row(*macro, str(sum(s.support for s in scores.per_label)))
    low, high = scores.macro_f1_interval()
    table.caption = f"macro-F1 95% bootstrap interval (cases resampled): {low:.3f}-{high:.3f}"
    return table


def confusion_table(scores: Scores) -> Table:
    table = Table(title="confusion matrix (rows: gold, columns: predicted)")
    table.add_column("gold \\ predicted")
    for label in scores.labels:
        table.add_column(label[:12], justify="right")
    for label, row in zip(scores.labels, scores.confusion, strict=True):
        table.add_row(
            label, *[f"[bold]{v}[/]" if i == scores.labels.index(label) else str(v) for i, v in enumerate(row)]
        )
    return table


def run_evaluate(
    task: str,
    split: str,
    settings: Settings,
    data_dir: Path | None,
    errors: int,
    min_macro_f1: float | None,
    console: Console,
) -> int:
    if task == "verify":
        from claimcheck.commands.verify_eval import run_verify_evaluation

        return run_verify_evaluation(console, min_macro_f1, data_dir, settings.verifier_dir)
    from claimcheck.modeling.evaluate import evaluate_classifier, plot_confusion, save_metrics
    from claimcheck.modeling.model_card import write_model_card

    data_dir = data_dir or PROJECT_ROOT / "data" / "processed"
    result = evaluate_classifier(settings.model_dir, data_dir, split, settings.backend)
    console.print(
        scores_table(
            f"{split} split: {result.size} sentences, model {result.backend} vs TF-IDF + logistic regression",
            result.model,
            result.baseline,
        )
    )
    console.print(confusion_table(result.model))
    genre = Table(title="macro-F1 per genre and topic")
    genre.add_column("group")
    genre.add_column("macro-F1", justify="right")
    genre.add_column("sentences", justify="right")
    for name, (f1, n) in {
        **{f"genre {k}": v for k, v in result.by_genre.items()},
        **{f"topic {k}": v for k, v in result.by_topic.items()},
    }.items():
        genre.add_row(name, f"{f1:.3f}", str(n))
    console.print(genre)
    if result.transformer is not None:
        console.print(
            f"cascade: the TF-IDF gate decided {result.gate_share:.1%} of sentences; the int8 transformer alone "
            f"scores macro-F1 {result.transformer.macro_f1:.3f} here (cascade {result.model.macro_f1:.3f})"
        )
    if result.agreement is not None:
        console.print(f"int8 ONNX vs PyTorch argmax agreement: {result.agreement:.2%}")
    if errors:
        table = Table(title=f"most confident errors (of {len(result.errors)})", show_lines=True)
        table.add_column("gold")
        table.add_column("predicted")
        table.add_column("conf", justify="right")
        table.add_column("sentence")
        for e in result.errors[:errors]:
            table.add_row(e.gold, e.predicted, f"{e.confidence:.2f}", e.text)
        console.print(table)
    plot = plot_confusion(
        result.model, settings.model_dir / f"confusion-{split}.png", f"{split}: macro-F1 {result.model.macro_f1:.3f}"
    )
    metrics = save_metrics(result, settings.model_dir)
    write_model_card(settings.model_dir)
    console.print(f"[dim]saved {plot} and {metrics}[/]")
    if min_macro_f1 is not None and result.model.macro_f1 < min_macro_f1:
        console.print(f"[red]macro-F1 {result.model.macro_f1:.3f} is below {min_macro_f1}[/]")
        return 1
    return 0
