"""Shared fixtures: a tiny model trained in seconds on a fixture set, and isolated caches."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL_MODEL = ROOT / "models" / "claimcheck-sentence"


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["CLAIMCHECK_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1-layer model trained for a few steps on 30 fixture sentences, exported to ONNX.

    It exercises the real training, saving, export and loading code; its labels are not
    meant to be good.
    """
    from claimcheck.modeling.train import TrainConfig, train

    out = tmp_path_factory.mktemp("tiny-model")
    config = TrainConfig(
        output_dir=out, data_dir=FIXTURES / "tiny", layers=1, max_steps=6, batch_size=8, learning_rate=1e-4, epochs=1
    )
    return train(config)


@pytest.fixture(scope="session")
def tiny_settings(tiny_model: Path):
    from claimcheck.config import Settings

    return Settings(model_dir=tiny_model, source_dirs=(ROOT / "data" / "sources",))


@pytest.fixture(scope="session")
def real_model() -> Path:
    if not (REAL_MODEL / "model.int8.onnx").exists():
        pytest.fail("the real model is missing: `make test` builds it with `make model`")
    return REAL_MODEL
