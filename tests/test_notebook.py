"""notebooks/1.01-error-analysis.ipynb runs top to bottom against the real model.

The slow test executes it with nbclient in the "python3" kernel (the one ipykernel installs into
.venv, so the kernel is this interpreter), with notebooks/ as the working directory, exactly as a
person opening it in Jupyter would. CLAIMCHECK_MODEL picks another model folder than
models/claimcheck-sentence; nothing is skipped when the model is missing, the test fails and says
how to build it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK = NOTEBOOKS / "1.01-error-analysis.ipynb"
DEFAULT_MODEL = ROOT / "models" / "claimcheck-sentence"
KERNEL = "python3"
CELL_TIMEOUT_S = 300


def _model_dir() -> Path:
    given = os.environ.get("CLAIMCHECK_MODEL")
    return Path(given).expanduser().resolve() if given else DEFAULT_MODEL


def _output_text(output: dict) -> str:
    if output["output_type"] == "stream":
        return output["text"]
    if output["output_type"] == "error":
        return "\n".join(output["traceback"])
    return output.get("data", {}).get("text/plain", "")


def test_notebook_is_saved_without_outputs():
    """The committed notebook stays small and diffable: no outputs, no execution counts."""
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code, "the notebook has no code cells"
    assert all(not cell.outputs and cell.execution_count is None for cell in code), (
        f"clear the outputs of {NOTEBOOK.name} before committing it (Jupyter: Edit > Clear Outputs of All Cells)"
    )
    assert "parameters" in code[0].metadata.get("tags", []), "the first code cell is the tagged parameters cell"


@pytest.mark.slow
def test_error_analysis_notebook_runs_top_to_bottom(monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    model = _model_dir()
    if not (model / "claimcheck.json").is_file():
        pytest.fail(
            f"no trained model in {model}: `make model` builds it "
            "(or set CLAIMCHECK_MODEL to a trained model folder); the notebook test needs the real model"
        )
    kernel_python = KernelManager(kernel_name=KERNEL).format_kernel_cmd()[0]
    assert Path(kernel_python).parent == Path(sys.executable).parent, (
        f"the {KERNEL!r} kernel runs {kernel_python}, not this environment's {sys.executable}: "
        "remove the other kernelspec or run `.venv/bin/python -m ipykernel install --sys-prefix`"
    )
    # The kernel inherits this environment; an absolute path so the notebook's cwd does not matter.
    monkeypatch.setenv("CLAIMCHECK_MODEL", str(model))

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb, kernel_name=KERNEL, timeout=CELL_TIMEOUT_S, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, when a cell fails

    outputs = [output for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs]
    text = "\n".join(_output_text(output) for output in outputs)
    assert f"model {model} (" in text, "the notebook did not load the model it was given"
    assert "vs TF-IDF + logistic regression" in text and "macro-F1" in text  # the scores table
    for label in ("finding", "hype", "call-to-action", "disclaimer", "background"):
        assert f"gold {label}: " in text, f"no worst-errors table for {label}"
    assert "accuracy by confidence bucket" in text and "errors by block kind" in text
    figures = [output for output in outputs if "image/png" in output.get("data", {})]
    assert len(figures) >= 3, "expected the confusion, per-group and calibration figures"
    tables = [output for output in outputs if "text/html" in output.get("data", {})]
    assert len(tables) >= 8, "expected the scores, 5 worst-error, calibration and block-kind tables"
