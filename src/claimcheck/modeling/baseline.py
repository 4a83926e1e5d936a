"""The simple baseline every model number is compared with: TF-IDF + logistic regression.

It sees exactly the model's input text (kind tag included), so a gap between the two is
the transformer's doing, not the input's.
"""

from __future__ import annotations

from collections.abc import Sequence

from claimcheck.labels import LABELS
from claimcheck.modeling.inputs import model_input


class TfidfBaseline:
    def __init__(self, use_kind: bool = True, seed: int = 13) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, make_pipeline

        self.use_kind = use_kind
        features = FeatureUnion(
            [
                ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)),
                ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)),
            ]
        )
        self.pipeline = make_pipeline(
            features, LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced", random_state=seed)
        )

    def _inputs(self, texts: Sequence[str], kinds: Sequence[str]) -> list[str]:
        return [model_input(t, k, self.use_kind) for t, k in zip(texts, kinds, strict=True)]

    def fit(self, texts: Sequence[str], kinds: Sequence[str], labels: Sequence[str]) -> TfidfBaseline:
        self.pipeline.fit(self._inputs(texts, kinds), list(labels))
        return self

    def predict(self, texts: Sequence[str], kinds: Sequence[str]) -> list[str]:
        return [str(p) for p in self.pipeline.predict(self._inputs(texts, kinds))]

    @property
    def labels(self) -> tuple[str, ...]:
        return LABELS
