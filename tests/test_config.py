from pathlib import Path

import pytest

from claimcheck.config import load_settings
from claimcheck.errors import ClaimcheckError


def test_pyproject_table_is_read_and_paths_are_made_absolute(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.claimcheck]\nmodel_dir = "m"\nsource_dirs = ["refs"]\nfail_under = 60\nflag_labels = ["hype"]\n'
    )
    nested = tmp_path / "content" / "posts"
    nested.mkdir(parents=True)
    settings = load_settings(nested)
    assert settings.model_dir == (tmp_path / "m").resolve()
    assert settings.source_dirs == ((tmp_path / "refs").resolve(),)
    assert settings.fail_under == 60 and settings.flag_labels == ("hype",)


def test_claimcheck_toml_wins_over_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.claimcheck]\nfail_under = 10\n")
    (tmp_path / "claimcheck.toml").write_text("fail_under = 70\n")
    assert load_settings(tmp_path).fail_under == 70


def test_unknown_setting_is_a_clear_error(tmp_path):
    (tmp_path / "claimcheck.toml").write_text("fial_under = 70\n")
    with pytest.raises(ClaimcheckError, match="fial_under"):
        load_settings(tmp_path)


def test_cli_options_override(tmp_path):
    (tmp_path / "claimcheck.toml").write_text("batch_size = 8\n")
    settings = load_settings(tmp_path).with_overrides(batch_size=32, model_dir=None)
    assert settings.batch_size == 32 and isinstance(settings.model_dir, Path)
