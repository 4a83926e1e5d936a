"""Classify sentences with a trained model folder: ONNX Runtime (int8) or PyTorch.

The ONNX path imports neither torch nor transformers (only onnxruntime and tokenizers),
so `claimcheck check` starts fast. Both backends share the batching here: identical texts
are classified once, and texts are sorted by length so each batch pads little.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from claimcheck.errors import ClaimcheckError, ModelMissingError
from claimcheck.labels import LABELS
from claimcheck.modeling.inputs import model_input
from claimcheck.schema import Prediction

ONNX_INT8 = "model.int8.onnx"
ONNX_FP32 = "model.onnx"
META_FILE = "claimcheck.json"


def read_meta(model_dir: Path) -> dict:
    path = Path(model_dir) / META_FILE
    if not path.exists():
        raise ModelMissingError(model_dir)
    meta = json.loads(path.read_text(encoding="utf-8"))
    if tuple(meta.get("labels", ())) != LABELS:
        raise ClaimcheckError(
            f"{model_dir} was trained on labels {meta.get('labels')}, not {list(LABELS)}: retrain it with `make model`"
        )
    return meta


def pad(encodings) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and attention mask of a batch of tokenizers encodings, right-padded with 0."""
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, e in enumerate(encodings):
        ids[i, : len(e.ids)] = e.ids
        mask[i, : len(e.ids)] = 1
    return ids, mask


class BaseClassifier:
    """Batching, de-duplication and softmax shared by the backends."""

    name = "base"

    def __init__(self, model_dir: Path, batch_size: int = 16) -> None:
        self.model_dir = Path(model_dir)
        self.meta = read_meta(self.model_dir)
        self.use_kind = bool(self.meta.get("use_kind", False))
        self.max_length = int(self.meta.get("max_length", 64))
        self.batch_size = batch_size

    def _batch_logits(self, texts: list[str]) -> tuple[np.ndarray, list[bool]]:
        raise NotImplementedError

    def logits(self, texts: Sequence[str], kinds: Sequence[str] | None = None) -> np.ndarray:
        inputs = [
            model_input(t, k, self.use_kind) for t, k in zip(texts, kinds or ["paragraph"] * len(texts), strict=True)
        ]
        unique = list(dict.fromkeys(inputs))
        order = sorted(range(len(unique)), key=lambda i: len(unique[i]))
        out = np.zeros((len(unique), len(LABELS)), dtype=np.float32)
        self._truncated: set[str] = set()
        for b in range(0, len(order), self.batch_size):
            idx = order[b : b + self.batch_size]
            batch = [unique[i] for i in idx]
            logits, truncated = self._batch_logits(batch)
            out[idx] = logits
            self._truncated.update(t for t, flag in zip(batch, truncated, strict=True) if flag)
        position = {text: i for i, text in enumerate(unique)}
        self._inputs = inputs
        return out[[position[t] for t in inputs]] if inputs else out

    def predict(self, texts: Sequence[str], kinds: Sequence[str] | None = None) -> list[Prediction]:
        logits = self.logits(texts, kinds)
        if not len(logits):
            return []
        shifted = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(shifted)
        probs /= probs.sum(axis=1, keepdims=True)
        preds = []
        for row, text in zip(probs, self._inputs, strict=True):
            best = int(row.argmax())
            preds.append(
                Prediction(
                    label=LABELS[best],
                    confidence=float(row[best]),
                    scores={label: round(float(p), 4) for label, p in zip(LABELS, row, strict=True)},
                    truncated=text in self._truncated,
                )
            )
        return preds


class OnnxClassifier(BaseClassifier):
    """ONNX Runtime on the CPU with the tokenizers library; no torch import."""

    name = "onnx"

    def __init__(
        self, model_dir: Path, batch_size: int = 16, quantized: bool = True, threads: int | None = None
    ) -> None:
        super().__init__(model_dir, batch_size)
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = self.model_dir / (ONNX_INT8 if quantized else ONNX_FP32)
        if not path.exists():
            raise ClaimcheckError(f"{path} is missing: export it with `claimcheck train` or `make model`")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(os.cpu_count() or 1, 4)
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_length)
        self.name = "onnx-int8" if quantized else "onnx-fp32"

    def _batch_logits(self, texts: list[str]) -> tuple[np.ndarray, list[bool]]:
        encodings = self.tokenizer.encode_batch(texts)
        ids, mask = pad(encodings)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feed["token_type_ids"] = np.zeros_like(ids)
        (logits,) = self.session.run(["logits"], feed)
        return logits, [bool(e.overflowing) for e in encodings]


class TorchClassifier(BaseClassifier):
    """The PyTorch model that training saved (safetensors)."""

    name = "torch"

    def __init__(self, model_dir: Path, batch_size: int = 16, threads: int | None = None) -> None:
        super().__init__(model_dir, batch_size)
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        self.model = AutoModelForSequenceClassification.from_pretrained(self.model_dir, use_safetensors=True).eval()

    def _batch_logits(self, texts: list[str]) -> tuple[np.ndarray, list[bool]]:
        full = self.tokenizer(texts, truncation=False)["input_ids"]
        enc = self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt")
        with self.torch.inference_mode():
            logits = self.model(**enc).logits.float().numpy()
        return logits, [len(ids) > self.max_length for ids in full]


def load_classifier(model_dir: Path, backend: str = "auto", batch_size: int = 16) -> BaseClassifier:
    """The fastest available backend for ``model_dir`` unless one is named."""
    model_dir = Path(model_dir)
    read_meta(model_dir)  # a clear error when the model is missing or mislabelled
    if backend == "auto":
        backend = "onnx" if (model_dir / ONNX_INT8).exists() else "torch"
    if backend in ("onnx", "onnx-int8"):
        return OnnxClassifier(model_dir, batch_size)
    if backend == "onnx-fp32":
        return OnnxClassifier(model_dir, batch_size, quantized=False)
    if backend == "torch":
        return TorchClassifier(model_dir, batch_size)
    raise ClaimcheckError(f"unknown backend {backend!r} (auto, onnx, onnx-fp32, torch)")
