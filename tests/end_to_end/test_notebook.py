"""The exploration notebook runs top to bottom against a freshly published dataset."""

from pathlib import Path

import nbformat
from conftest import REPO_ROOT
from nbclient import NotebookClient

NOTEBOOK = REPO_ROOT / "notebooks" / "explore.ipynb"


def test_notebook_executes(published_dataset: Path, monkeypatch, tmp_path):
    monkeypatch.setenv("XXGK_CURATED_DIR", str(published_dataset))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        "commit notebooks without outputs"
    )
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)
    assert "P1" in text and "229 ≠ 178 + 0 + 15 + 15 = 208" in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 4
