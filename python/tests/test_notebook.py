"""`examples/tour.ipynb` runs clean, top to bottom, in a real kernel (nbclient)."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_the_tour_notebook_runs_clean():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(REPO / "examples" / "tour.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(REPO / "examples")}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    # The analysis table was shown.
    assert any("tumor_count" in str(o.get("data", {}).get("text/plain", "")) for o in outputs)
