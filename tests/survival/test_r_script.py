"""Re-run the R reference script (only when Rscript is installed) and check the fixtures."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REF = Path(__file__).parents[1] / "reference"


@pytest.mark.r_reference
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not on PATH")
def test_r_script_reproduces_fixtures(tmp_path: Path) -> None:
    work = tmp_path / "tests" / "reference"
    work.mkdir(parents=True)
    for f in [*REF.glob("*.csv"), REF / "survival_reference.R"]:
        shutil.copy(f, work / f.name)
    proc = subprocess.run(["Rscript", "tests/reference/survival_reference.R"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and "there is no package" in proc.stderr:
        pytest.skip("R packages survival/cmprsk not installed")
    assert proc.returncode == 0, proc.stderr
    for f in sorted((REF / "fixtures").glob("*.csv")):
        new = pd.read_csv(work / "fixtures" / f.name, float_precision="round_trip")
        old = pd.read_csv(f, float_precision="round_trip")
        assert list(new.columns) == list(old.columns), f.name
        if f.name == "versions.csv":
            continue
        for col in old.columns:
            if pd.api.types.is_numeric_dtype(old[col]):
                np.testing.assert_allclose(new[col], old[col], rtol=1e-10, err_msg=f.name)
            else:
                assert (new[col] == old[col]).all(), f.name
