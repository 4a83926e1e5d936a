"""Classify sentences with a trained model folder: the cascade (TF-IDF gate, then int8
ONNX), ONNX Runtime alone (int8 or fp32), or PyTorch.

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
from claimcheck.modeling.gate import GATE_FILE
from claimcheck.modeling.inputs import model_input
from claimcheck.schema import Prediction

ONNX_INT8 = "model.int8.onnx"
ONNX_FP32 = "model.onnx"
META_FILE = "claimcheck.json"
GATE_NAME = "tfidf-gate"


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

    def _score(self, unique: list[str]) -> tuple[np.ndarray, set[str], set[str]]:
        """Logits of distinct inputs, length-sorted into batches; the inputs that were
        truncated, and those a cheaper first stage decided (none here)."""
        order = sorted(range(len(unique)), key=lambda i: len(unique[i]))
        out = np.zeros((len(unique), len(LABELS)), dtype=np.float32)
        truncated: set[str] = set()
        for b in range(0, len(order), self.batch_size):
            idx = order[b : b + self.batch_size]
            batch = [unique[i] for i in idx]
            logits, flags = self._batch_logits(batch)
            out[idx] = logits
            truncated.update(t for t, flag in zip(batch, flags, strict=True) if flag)
        return out, truncated, set()

    def logits(self, texts: Sequence[str], kinds: Sequence[str] | None = None) -> np.ndarray:
        inputs = [
            model_input(t, k, self.use_kind) for t, k in zip(texts, kinds or ["paragraph"] * len(texts), strict=True)
        ]
        unique = list(dict.fromkeys(inputs))
        out, self._truncated, self._gated = self._score(unique)
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
                    decided_by=GATE_NAME if text in self._gated else self.transformer_name,
                )
            )
        return preds

    @property
    def transformer_name(self) -> str:
        return self.name


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


class CascadeClassifier(BaseClassifier):
    """TF-IDF gate first, the int8 transformer for whatever the gate is unsure of.

    The gate decides a sentence only when its top probability reaches the threshold that
    training chose on the dev split (stored in claimcheck.json); every other sentence goes
    to the transformer, so the model card's cascade figures are what users get.
    """

    name = "cascade"

    def __init__(self, model_dir: Path, batch_size: int = 16, threshold: float | None = None) -> None:
        super().__init__(model_dir, batch_size)
        from claimcheck.modeling.gate import TfidfGate

        self.gate = TfidfGate.load(self.model_dir / GATE_FILE)
        self.threshold = float(self.meta["gate_threshold"] if threshold is None else threshold)
        self.transformer = OnnxClassifier(self.model_dir, batch_size)
        self._columns = [self.gate.classes.index(label) for label in LABELS]

    @property
    def transformer_name(self) -> str:
        return self.transformer.name

    def _score(self, unique: list[str]) -> tuple[np.ndarray, set[str], set[str]]:
        probs = self.gate.proba(unique)[:, self._columns]
        out = np.log(np.clip(probs, 1e-9, None)).astype(np.float32)
        sure = probs.max(axis=1) >= self.threshold
        hard = [i for i, ok in enumerate(sure) if not ok]
        truncated: set[str] = set()
        if hard:
            out[hard], truncated, _ = self.transformer._score([unique[i] for i in hard])
        return out, truncated, {unique[i] for i, ok in enumerate(sure) if ok}


def has_cascade(model_dir: Path, meta: dict) -> bool:
    return (model_dir / GATE_FILE).exists() and (model_dir / ONNX_INT8).exists() and "gate_threshold" in meta


BACKENDS = ("auto", "cascade", "onnx", "onnx-int8", "onnx-fp32", "torch")


def load_classifier(model_dir: Path, backend: str = "auto", batch_size: int = 16) -> BaseClassifier:
    """The default path for ``model_dir`` (the cascade when trained, else int8 ONNX, else
    PyTorch) unless a backend is named."""
    model_dir = Path(model_dir)
    meta = read_meta(model_dir)  # a clear error when the model is missing or mislabelled
    cascade = has_cascade(model_dir, meta)
    if backend == "auto":
        backend = "cascade" if cascade else "onnx" if (model_dir / ONNX_INT8).exists() else "torch"
    if backend == "cascade":
        if not cascade:
            raise ClaimcheckError(f"{model_dir} has no TF-IDF gate: retrain it with `make model`")
        return CascadeClassifier(model_dir, batch_size)
    if backend in ("onnx", "onnx-int8"):
        return OnnxClassifier(model_dir, batch_size)
    if backend == "onnx-fp32":
        return OnnxClassifier(model_dir, batch_size, quantized=False)
    if backend == "torch":
        return TorchClassifier(model_dir, batch_size)
    raise ClaimcheckError(f"unknown backend {backend!r} ({', '.join(BACKENDS)})")
