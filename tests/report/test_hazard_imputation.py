"""The hazard models of notebook 04 and the summary report under ``missing_covariates:
multiple_imputation``, with either imputation model, on a design other than the default."""

from __future__ import annotations

import numpy as np
import pytest

import kow_research as kr
from kow_research.missing import impute, pool
from kow_research.report.analysis import fit_hazard_models, model_frame
from kow_research.report.summary_report import _missing_text
from kow_research.synthetic import simulation_design


@pytest.fixture(scope="module")
def study() -> kr.Study:
    return kr.simulate_studies({"GOW": 120, "IPS": 100}, seed=3)


def _frame(study: kr.Study, model: str):  # noqa: ANN202
    design = simulation_design(study, missing_covariates="multiple_imputation", imputations=3,
                               imputation_model=model, covariates=["age", "education"],
                               seed=5).resolve(study.participants)
    mf = model_frame(kr.outcomes.time_to_paid_work(study), study=study, design=design)
    return design, mf


@pytest.mark.parametrize("model", ["smcfcs", "chained"])
def test_pooled_models_are_the_pool_of_the_fits_on_the_imputations(study: kr.Study,
                                                                  model: str) -> None:
    design, mf = _frame(study, model)
    assert mf.imputed and mf.n_missing["education"] > 0
    terms = ["cohort", *mf.covariates]
    fits = fit_hazard_models(mf, design=design, terms=terms, reference={"cohort": "GOW"})
    imp = fits["imputed"]
    assert imp.m == 3
    assert (imp.attrs["settings"].get("substantive") == "cox") == (model == "smcfcs")
    assert ("SMC-FCS" in imp.attrs["note"]) == (model == "smcfcs")
    if model == "smcfcs":
        # the outcome enters through the Cox models, not as predictors
        assert set(imp.attrs["settings"]["columns"]) == set(terms)
        again = impute(mf.frame, columns=terms, m=3, seed=5, substantive="cox")
    else:
        assert any(c.startswith("_hazard_") for c in imp.attrs["settings"]["columns"])
        again = imp
    direct = pool([kr.survival.cox(f, covariates=terms, cause=1, reference={"cohort": "GOW"})
                   for f in again.frames()])
    np.testing.assert_allclose(fits["csh"].table["coef"], direct.table["coef"], rtol=1e-12)
    assert "cohort=IPS" in fits["fg"].table.index


def test_methods_text_names_the_imputation_model(study: kr.Study) -> None:
    smc, _ = _frame(study, "smcfcs")
    chained, _ = _frame(study, "chained")
    assert "SMC-FCS" in _missing_text(smc, 0) and "Cox-modellen" in _missing_text(smc, 1)
    assert "chained equations" in _missing_text(chained, 0)
    assert "chained equations" in _missing_text(chained, 1)
