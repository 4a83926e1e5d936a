"""The model card: a README.md in the model folder, written from the model's metadata and
its latest evaluation files, so the card never disagrees with what was measured."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from claimcheck.config import PROJECT_ROOT

TEMPLATE = """# claimcheck sentence classifier

Labels each sentence of a web article as one of `{labels}` (contract: shared/LABELS.md,
annotation guideline: data/GUIDELINES.md).

| | |
|---|---|
| base encoder | {base_model} (kept layers: {kept_layers}) |
| distilled from | {distill_from} |
| input | sentence{kind_note}, at most {max_length} tokens |
| training rows | {train_rows} |
| training time | {train_seconds} s on {threads} CPU threads |
| data (sha256 prefixes) | {data} |
| git commit | {git} |
| default path | {cascade} |
| config | `{config}` |

## Evaluation
{evaluation}

## Intended use and limits
Trained on 170+ articles we wrote ourselves (data/README.md), across 20+ topics and 10+
genres; the test split holds out whole topics and a whole genre. Real pages differ from any
corpus: check the per-genre scores above before trusting a label on a new kind of page.
Weights are not in git: `make model` rebuilds this folder reproducibly (fixed seed).
"""


def _git_sha() -> str:
    try:
        return (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=5
            ).stdout.strip()
            or "unknown"
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _evaluation(model_dir: Path) -> str:
    rows = []
    for path in sorted(model_dir.glob("metrics-*.json")):
        m = json.loads(path.read_text(encoding="utf-8"))
        per = m["model"]["per_label"]
        f1s = ", ".join(f"{k} {v['f1']:.3f}" for k, v in per.items())
        rows.append(
            f"- **{m['split']}** ({m['size']} sentences, {m['backend']}): macro-F1 "
            f"**{m['model']['macro_f1']:.3f}** vs TF-IDF + logistic regression "
            f"{m['baseline_tfidf_logreg']['macro_f1']:.3f}; per label: {f1s}"
            + (
                f"; int8 vs PyTorch agreement {m['int8_vs_torch_agreement']:.2%}"
                if m.get("int8_vs_torch_agreement") is not None
                else ""
            )
            + (
                f"; the TF-IDF gate decided {m['gate_share']:.1%} of sentences, the int8 transformer alone "
                f"scores {m['transformer_alone']['macro_f1']:.3f}"
                if m.get("transformer_alone")
                else ""
            )
        )
        rows.append(f"  ![confusion matrix](confusion-{m['split']}.png)")
    return "\n".join(rows) or "Not evaluated yet: run `make eval`."


def write_model_card(model_dir: Path) -> Path:
    model_dir = Path(model_dir)
    meta = json.loads((model_dir / "claimcheck.json").read_text(encoding="utf-8"))
    config = meta.get("config", {})
    card = TEMPLATE.format(
        labels="`, `".join(meta["labels"]),
        base_model=meta.get("base_model"),
        kept_layers=meta.get("kept_layers") or "all",
        distill_from=config.get("distill_from") or "—",
        kind_note=" prefixed with its block kind" if meta.get("use_kind") else "",
        max_length=meta.get("max_length"),
        train_rows=meta.get("train_rows"),
        train_seconds=meta.get("train_seconds"),
        threads=config.get("threads"),
        data=", ".join(f"{k} {v}" for k, v in meta.get("data_sha256", {}).items()),
        git=_git_sha(),
        config=json.dumps({k: config[k] for k in sorted(config) if k not in ("extra",)}),
        evaluation=_evaluation(model_dir),
        cascade=(
            f"cascade: the TF-IDF gate (tfidf-gate.npz) labels a sentence when its top probability is at least "
            f"{meta['gate_threshold']} (chosen on dev: the lowest threshold costing at most "
            f"{config.get('gate_tolerance', 0.01)} dev macro-F1); the int8 transformer labels the rest"
            if "gate_threshold" in meta
            else "int8 ONNX transformer"
        ),
    )
    path = model_dir / "README.md"
    path.write_text(card, encoding="utf-8")
    return path
