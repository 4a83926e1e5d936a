"""Settings: defaults here, overridden by [tool.claimcheck] in pyproject.toml or by a
claimcheck.toml (searched upward from the working directory), then by CLI options."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from claimcheck.errors import ClaimcheckError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL_DIR = PROJECT_ROOT / "models" / "claimcheck-sentence"
DEFAULT_VERIFIER_DIR = PROJECT_ROOT / "models" / "claimcheck-verifier"


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(os.environ.get("CLAIMCHECK_CACHE_DIR") or user_cache_dir("claimcheck"))


@dataclass(frozen=True)
class Settings:
    """Everything a run can be configured with; each field is documented in the README."""

    model_dir: Path = DEFAULT_MODEL_DIR
    verifier_dir: Path = DEFAULT_VERIFIER_DIR
    backend: str = "auto"  # auto (cascade, else ONNX int8, else torch), cascade, onnx, onnx-fp32, torch
    batch_size: int = 16
    max_file_mb: float = 5.0
    flag_labels: tuple[str, ...] = ("hype", "call-to-action")
    source_dirs: tuple[Path, ...] = ()
    cache_dir: Path = field(default_factory=default_cache_dir)
    online: bool = False
    allow_private_addresses: bool = False
    fail_under: int | None = None
    # audit (audit.py)
    include: tuple[str, ...] = ("*.md", "*.markdown", "*.html", "*.htm", "*.txt", "*.docx")
    exclude: tuple[str, ...] = ()

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    def with_overrides(self, **values: Any) -> Settings:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


def _find_config(start: Path) -> tuple[dict[str, Any], Path] | None:
    for folder in [start, *start.parents]:
        dedicated = folder / "claimcheck.toml"
        if dedicated.is_file():
            return _read_toml(dedicated), folder
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _read_toml(pyproject).get("tool", {}).get("claimcheck")
            if table is not None:
                return table, folder
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ClaimcheckError(f"{path}: cannot read configuration ({exc})") from exc


def load_settings(start: Path | None = None, config_file: Path | None = None) -> Settings:
    """Settings from the nearest configuration file, with paths made absolute."""
    if config_file is not None:
        found: tuple[dict[str, Any], Path] | None = (_read_toml(config_file), config_file.resolve().parent)
        table = found[0].get("tool", {}).get("claimcheck", found[0])
        found = (table, found[1])
    else:
        found = _find_config((start or Path.cwd()).resolve())
    settings = Settings()
    if os.environ.get("CLAIMCHECK_MODEL"):
        settings = replace(settings, model_dir=Path(os.environ["CLAIMCHECK_MODEL"]))
    if not found:
        return settings
    table, root = found
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ClaimcheckError(f"unknown setting(s) in [tool.claimcheck]: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in ("model_dir", "cache_dir", "verifier_dir"):
            values[key] = (root / value).resolve()
        elif key == "source_dirs":
            values[key] = tuple((root / v).resolve() for v in value)
        elif isinstance(value, list):
            values[key] = tuple(value)
        else:
            values[key] = value
    return replace(settings, **values)
