"""The R helper skips, naming what is missing, instead of failing (issue 15: a machine with R
but without MASS must pass the suite with the R test skipped and named)."""

from __future__ import annotations

import shutil

import pytest

from tests.r_support import r_unavailable, require_r


def test_a_missing_package_is_named():
    if shutil.which("Rscript") is None:
        assert "Rscript is not installed" in r_unavailable(("survival",))
        return
    reason = r_unavailable(("survival", "kowNoSuchPackage"))
    assert reason is not None
    assert "kowNoSuchPackage" in reason and "survival" not in reason.split("(")[0]
    assert "r-cran-kownosuchpackage" in reason


def test_require_r_skips_with_the_reason():
    with pytest.raises(pytest.skip.Exception, match="kowNoSuchPackage|Rscript"):
        require_r("kowNoSuchPackage")
