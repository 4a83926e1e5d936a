"""check_document(): load -> segment -> classify -> cite -> resolve -> verify -> score.

Returns a Report and never prints; the CLI and the audit decide how to show it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from claimcheck.citations import CitedSource, extract_citations, sources_for_sentences
from claimcheck.config import Settings
from claimcheck.labels import Label, Verdict
from claimcheck.locate import LineIndex
from claimcheck.schema import Claim, Document, Report, Sentence, Source
from claimcheck.score import score_report
from claimcheck.segment import segment_document
from claimcheck.verify import verify_claim


@dataclass
class Checker:
    """The loaded parts of a check, built once and reused across documents."""

    settings: Settings
    classifier: object
    resolver: object | None = None
    similarity: Callable[[str, list[str]], list[float]] | None = None
    verifier: object | None = None
    warnings: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings, online: bool | None = None) -> Checker:
        from claimcheck.modeling.predict import load_classifier

        classifier = load_classifier(settings.model_dir, settings.backend, settings.batch_size)
        similarity, verifier, warnings = _load_verifier(settings.verifier_dir)
        return cls(settings, classifier, _build_resolver(settings, online), similarity, verifier, warnings)

    def check(self, document: Document) -> Report:
        return check_document(document, self)


def _load_verifier(folder: Path):
    """The encoder and learned verifier when built; otherwise word-overlap rules, with a warning."""
    from claimcheck.modeling.encoder import ONNX_INT8_FILE, Encoder
    from claimcheck.modeling.verifier import VERIFIER_FILE, LearnedVerifier

    if not (folder / ONNX_INT8_FILE).exists() or not (folder / VERIFIER_FILE).exists():
        return (
            None,
            None,
            (
                f"no verifier in {folder}: findings were checked by word-overlap rules only "
                "(build it with `make model`)",
            ),
        )
    return Encoder(folder).similarity, LearnedVerifier.load(folder), ()


def _build_resolver(settings: Settings, online: bool | None):
    from claimcheck.sources import build_resolver

    return build_resolver(settings, online=online)


def classify_documents(documents: list[Document], classifier) -> list[tuple[list[Sentence], list[str]]]:
    """Classify the segments of each document, one document per batched call.

    One call per document, not one for the whole chunk: int8 dynamic quantization scales
    activations per batch, so a sentence's label could otherwise depend on which other
    articles shared its batch (measured: 3 of 193 labels), and `check` and `audit` would
    disagree about the same file.
    """
    all_segments = [segment_document(d) for d in documents]
    preds = [
        p for segs in all_segments for p in classifier.predict([s.text for s in segs], [s.kind.value for s in segs])
    ]
    out = []
    pos = 0
    for document, segments in zip(documents, all_segments, strict=True):
        lines = LineIndex(document.source)
        sentences, warnings = [], []
        for i, seg in enumerate(segments):
            pred = preds[pos + i]
            line, column = lines.line_col(seg.start)
            if pred.truncated:
                warnings.append(
                    f"line {line}: a {len(seg.text.split())}-word sentence was truncated to the model's input length"
                )
            sentences.append(
                Sentence(
                    i,
                    seg.text,
                    pred.label,
                    round(pred.confidence, 4),
                    pred.scores,
                    seg.start,
                    seg.end,
                    line,
                    column,
                    seg.kind,
                    seg.block_index,
                )
            )
        pos += len(segments)
        out.append((sentences, warnings))
    return out


def _resolve(cited: CitedSource, resolver, memo: dict) -> tuple[Source | None, str]:
    if resolver is None:
        return None, "no source resolver available"
    if cited.key in memo:
        return memo[cited.key]
    reasons = []
    for kind, identifier in cited.candidates:
        resolution = resolver.resolve(kind, identifier)
        if resolution.source is not None:
            memo[cited.key] = (resolution.source, "")
            return memo[cited.key]
        reasons.append(resolution.reason)
    memo[cited.key] = (None, reasons[0] if reasons else "the reference has no identifier to look up")
    return memo[cited.key]


def check_document(document: Document, checker: Checker) -> Report:
    sentences, warnings = classify_documents([document], checker.classifier)[0]
    return finish_report(document, sentences, warnings, checker)


def finish_report(document: Document, sentences: list[Sentence], warnings: list[str], checker: Checker) -> Report:
    """Cite, resolve, verify and score a document whose sentences are classified."""
    citations = extract_citations(document, LineIndex(document.source))
    findings = [s for s in sentences if s.label == Label.FINDING]
    links = sources_for_sentences(document, findings, citations)
    memo: dict = {}
    claims = []
    for s in findings:
        cited = links.get(s.index, ())
        if not cited:
            claims.append(Claim(s.index, s.text, Verdict.UNCITED, 1.0, "no source is linked to this finding"))
            continue
        resolved, unresolved = [], []
        for c in cited:
            source, reason = _resolve(c, checker.resolver, memo)
            if source is not None:
                resolved.append(source)
            else:
                unresolved.append(f"{c.key}: {reason}")
        citation_ids = tuple(i for c in cited for i in c.citations)
        keys = tuple(c.key for c in cited)
        if not resolved:
            claims.append(
                Claim(
                    s.index,
                    s.text,
                    Verdict.NOT_FOUND,
                    0.5,
                    "the cited source could not be read: " + unresolved[0],
                    citation_ids,
                    keys,
                    None,
                    tuple(unresolved),
                )
            )
            continue
        result = verify_claim(s.text, resolved, similarity=checker.similarity, verifier=checker.verifier)
        claims.append(
            Claim(
                s.index,
                s.text,
                result.verdict,
                result.confidence,
                result.reason,
                citation_ids,
                keys,
                result.evidence,
                tuple(unresolved),
            )
        )
    score, grade, components = score_report(sentences, claims)
    return Report(
        path=document.path,
        format=document.format,
        score=score,
        grade=grade,
        sentences=tuple(sentences),
        citations=citations,
        claims=tuple(claims),
        components=components,
        title=document.title,
        warnings=tuple(document.warnings) + tuple(warnings) + (checker.warnings if claims else ()),
        model=str(getattr(checker.classifier, "name", "")),
    )


def check(text_or_path: str | Path, settings: Settings | None = None) -> Report:
    """The Python API: check a file path or a string of text (Markdown is assumed for text)."""
    from claimcheck.config import load_settings
    from claimcheck.load import load_path, load_text

    settings = settings or load_settings()
    candidate = Path(str(text_or_path)) if len(str(text_or_path)) < 4096 else None
    if candidate is not None and "\n" not in str(text_or_path) and candidate.exists():
        document = load_path(candidate, max_bytes=settings.max_bytes)
    else:
        document = load_text(str(text_or_path), "markdown")
    return Checker.from_settings(settings).check(document)
