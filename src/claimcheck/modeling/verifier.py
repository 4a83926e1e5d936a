"""The learned verifier: a multinomial logistic regression over the explainable checks of
verify.measure, trained on claim-source cases we wrote (data/verify/train_*.jsonl).

Saved as plain JSON (weights, feature names, classes): no pickle to trust, and each verdict
can name the checks that pushed it hardest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from claimcheck.config import DEFAULT_VERIFIER_DIR, PROJECT_ROOT
from claimcheck.errors import ClaimcheckError
from claimcheck.schema import Source
from claimcheck.verify import Checks, measure

VERIFIER_FILE = "verifier.json"
VERIFY_DATA = PROJECT_ROOT / "data" / "verify"
EXPLAIN = {  # what each feature measures, for the model card and the notebook
    "relevance": "how closely the best passage matches the claim's words",
    "cosine": "how closely the best passage matches the claim's meaning",
    "novel_share": "claim terms the source never uses",
    "has_numbers": "the claim has figures",
    "numbers_local_share": "the claim's figures appear in the closest passages",
    "numbers_anywhere_share": "the claim's figures appear somewhere in the source",
    "numbers_missing": "some claim figures are not in the closest passages",
    "unit_conflict": "the source gives a different figure in the same unit",
    "certain": "the claim uses certainty words",
    "hedged_source": "the source hedges",
    "claim_hedged": "the claim hedges",
    "population_conflict": "the populations differ",
    "direction_conflict": "the directions of change differ",
    "source_negated": "the source reports no significant effect",
}


class LearnedVerifier:
    def __init__(
        self, classes: list[str], coef: np.ndarray, intercept: np.ndarray, mean: np.ndarray, scale: np.ndarray
    ) -> None:
        self.classes, self.coef, self.intercept, self.mean, self.scale = classes, coef, intercept, mean, scale

    def probabilities(self, checks: Checks) -> np.ndarray:
        x = (np.array(checks.vector()) - self.mean) / self.scale
        logits = self.coef @ x + self.intercept
        p = np.exp(logits - logits.max())
        return p / p.sum()

    def decide(self, checks: Checks) -> tuple[str, float, str]:
        """The verdict, its probability, and a reason naming the checks (listed in the evidence)."""
        p = self.probabilities(checks)
        best = int(p.argmax())
        return self.classes[best], float(p[best]), f"{self.classes[best]}: learned verifier, {p[best]:.0%} sure"

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / VERIFIER_FILE
        path.write_text(
            json.dumps(
                {
                    "features": list(Checks.FEATURES),
                    "classes": self.classes,
                    "coef": self.coef.tolist(),
                    "intercept": self.intercept.tolist(),
                    "mean": self.mean.tolist(),
                    "scale": self.scale.tolist(),
                },
                indent=1,
            ),
            encoding="utf-8",
        )
        return path

    @classmethod
    def load(cls, folder: Path) -> LearnedVerifier:
        path = Path(folder) / VERIFIER_FILE
        if not path.exists():
            raise ClaimcheckError(f"{path} is missing: build it with `make model`")
        d = json.loads(path.read_text(encoding="utf-8"))
        if d["features"] != list(Checks.FEATURES):
            raise ClaimcheckError(f"{path} was trained on other checks: rebuild it with `make model`")
        return cls(
            d["classes"], np.array(d["coef"]), np.array(d["intercept"]), np.array(d["mean"]), np.array(d["scale"])
        )


def load_cases(cases_file: Path, sources_file: Path) -> tuple[list[dict], dict[str, Source]]:
    sources = {}
    with sources_file.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                d = json.loads(line)
                sources[d["id"]] = Source(d["id"], d["title"], d["text"], "data/verify")
    with cases_file.open(encoding="utf-8") as handle:
        cases = [json.loads(line) for line in handle if line.strip()]
    return cases, sources


def features(
    cases: Sequence[dict], sources: dict[str, Source], similarity: Callable[[str, list[str]], list[float]] | None
) -> tuple[np.ndarray, list[str]]:
    rows, labels = [], []
    for case in cases:
        if not case.get("source_id"):
            continue
        measured = measure(case["claim"], [sources[case["source_id"]]], similarity)
        if measured is None:
            continue
        rows.append(measured[0].vector())
        labels.append(case["verdict"])
    return np.array(rows), labels


def train_verifier(
    cases: Sequence[dict],
    sources: dict[str, Source],
    similarity: Callable[[str, list[str]], list[float]] | None,
    c: float = 1.0,
) -> LearnedVerifier:
    from sklearn.linear_model import LogisticRegression

    x, y = features(cases, sources, similarity)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced", random_state=13)
    model.fit((x - mean) / scale, y)
    return LearnedVerifier(list(model.classes_), model.coef_, model.intercept_, mean, scale)


TRAIN_CASES = VERIFY_DATA / "train_cases.jsonl"
TRAIN_SOURCES = VERIFY_DATA / "train_sources.jsonl"
EVAL_TEST_TOPICS = frozenset({"fertility", "batteries-energy", "cosmetics", "vaccines", "sleep"})


def training_cases() -> tuple[list[dict], dict[str, Source]]:
    """Our training cases plus the evaluation cases of the tuning (dev) topics; never test topics."""
    cases, sources = load_cases(VERIFY_DATA / "cases.jsonl", VERIFY_DATA / "sources.jsonl")
    cases = [c for c in cases if c["topic"] not in EVAL_TEST_TOPICS]
    if TRAIN_CASES.exists():
        more, more_sources = load_cases(TRAIN_CASES, TRAIN_SOURCES)
        cases += [c for c in more if c["topic"] not in EVAL_TEST_TOPICS]
        sources.update(more_sources)
    return cases, sources


def build_verifier(out_dir: Path = DEFAULT_VERIFIER_DIR, progress: Callable[[str], None] = lambda _m: None) -> Path:
    """Export the encoder (if needed) and train the learned verifier into ``out_dir``."""
    from claimcheck.modeling.encoder import ONNX_FILE, Encoder, export_encoder

    if not (Path(out_dir) / ONNX_FILE).exists():
        export_encoder(out_dir, progress=progress)
    cases, sources = training_cases()
    verifier = train_verifier(cases, sources, Encoder(out_dir).similarity, c=0.3)
    progress(f"trained the verifier on {len(cases)} claim-source cases")
    return verifier.save(Path(out_dir))
