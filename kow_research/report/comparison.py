"""The comparison of the index programme with one comparator, as notebook 06 and the summary
report show it: estimand and target population from the design, weights when allocation was not
randomised, effects at the horizons both programmes follow, and every sentence about the
estimand, the population or the direction of an effect generated from this object.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kow_research.compare import (
    balance,
    bootstrap_hazard_ratio,
    compare_outcomes,
    evalue,
    love_plot,
    overlap_plot,
    propensity,
    weighted_hazard_ratio,
)
from kow_research.compare.benchmark import clopper_pearson
from kow_research.compare.separation import SEPARATION_FIT
from kow_research.core.units import DAYS_PER_MONTH
from kow_research.data.study import Study
from kow_research.data.study_design import StudyDesign
from kow_research.missing import impute, pool
from kow_research.outcomes.definitions import TimeToWorkDefinition
from kow_research.outcomes.time_to_work import time_to_paid_work
from kow_research.report.analysis import (
    ModelFrame,
    model_frame,
    term_label,
    time_to_work_definition,
)
from kow_research.report.formatting import format_ci, format_number, format_percent, in_sentence
from kow_research.report.labels import check_language
from kow_research.report.narrative import say
from kow_research.survival import cumulative_incidence
from kow_research.survival.design import design_matrix
from kow_research.synthetic.reference import reference_cohorts

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: below this effective sample size (Kish) in either programme after weighting, the cohorts
#: overlap too little for the weighted estimates to be robust; notebook 06 and the summary say so
FRAGILE_ESS = 30
#: largest share of failed bootstrap replicates of the hazard ratio (as compare_outcomes');
#: above it the robust interval is shown, with the failures named
MAX_FAILED = 0.05

_ESTIMAND_NAME = {
    "ATT": ("average effect in the treated (ATT)", "gemiddeld effect bij de deelnemers (ATT)"),
    "ATE": ("average effect in the whole population (ATE)",
            "gemiddeld effect in de hele populatie (ATE)"),
    "ATO": ("average effect in the overlap population (ATO)",
            "gemiddeld effect in de overlappopulatie (ATO)"),
    "ITT": ("intention-to-treat effect", "intention-to-treat-effect"),
}


@dataclass(frozen=True)
class Comparison:
    """The index programme against one comparator, ready to estimate.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per person of the two programmes in the analysis (time to paid work and the
        covariates).
    index, comparator : str
        The programmes, as the data name them.
    design : StudyDesign
    covariates : list of str
        Propensity-model covariates (empty when randomised).
    model : ModelFrame
        How missing covariates and rare levels were handled.
    propensity : PropensityResult or None
        None when allocation was randomised.
    horizons : list of float
        The design's horizons that both programmes follow up (months).
    dropped_horizons : list of float
        Horizons beyond the follow-up of one programme (not estimable, not extrapolated).
    """

    frame: pd.DataFrame
    index: str
    comparator: str
    design: StudyDesign
    covariates: list[str]
    model: ModelFrame
    propensity: Any
    horizons: list[float]
    dropped_horizons: list[float] = field(default_factory=list)

    @property
    def randomised(self) -> bool:
        """Allocation was randomised (comparisons unweighted)."""
        return bool(self.design["randomised"])

    @property
    def estimand(self) -> str:
        """``ITT`` when randomised, else the design's weighting estimand."""
        return "ITT" if self.randomised else str(self.design["estimand"])

    @property
    def weights(self) -> np.ndarray | None:
        """The propensity weights (None when randomised)."""
        return None if self.propensity is None else np.asarray(self.propensity.weights)

    @property
    def fragile(self) -> bool:
        """After weighting, a programme counts as fewer than :data:`FRAGILE_ESS` people
        (Kish's effective sample size): the cohorts overlap poorly and every weighted estimate
        rests on a few heavily weighted people. Never true when randomised."""
        if self.propensity is None:
            return False
        return bool(self.propensity.by_group["ess"].min() < FRAGILE_ESS)

    @property
    def n_dropped(self) -> int:
        """People of the two programmes left out for missing covariates."""
        return self.model.n_dropped

    def estimand_name(self, language: str = "en") -> str:
        """The estimand in words."""
        return _ESTIMAND_NAME[self.estimand][check_language(language) == "nl"]

    def population(self, language: str = "en") -> str:
        """The target population as a noun phrase (``people like the KOW participants``)."""
        nl = check_language(language) == "nl"
        i, c = self.index, self.comparator
        return {
            "ITT": ("de gerandomiseerde deelnemers" if nl else "the people randomised"),
            "ATT": (f"mensen zoals de {i}-deelnemers" if nl else f"people like the {i} "
                    "participants"),
            "ATE": (f"iedereen in {i} of {c} samen" if nl else f"everyone in {i} or {c} "
                    "together"),
            "ATO": (f"de mensen voor wie zowel {i} als {c} een reële keuze is" if nl else
                    f"the people for whom both {i} and {c} are realistic options"),
        }[self.estimand]

    def target(self, language: str = "en") -> str:
        """What the weights do, in words."""
        nl = check_language(language) == "nl"
        i, c = self.index, self.comparator
        return {
            "ITT": ("de groepen zoals gerandomiseerd" if nl else "the groups as randomised"),
            "ATT": (f"{c} wordt gewogen naar de kenmerken van {i}" if nl else
                    f"{c} is weighted to resemble {i}"),
            "ATE": ("beide groepen worden gewogen naar de samengevoegde populatie" if nl else
                    "both groups are weighted to the combined population"),
            "ATO": ("overlapgewichten geven het meeste gewicht aan wie in beide programma's "
                    "had kunnen zitten" if nl else "overlap weights give most weight to people "
                    "who could have been in either programme"),
        }[self.estimand]

    def effects(self, *, n_boot: int | None = None, seed: int | None = None) -> Any:
        """Risks, risk difference and ratio at :attr:`horizons`, and the restricted mean time
        without paid work, with bootstrap intervals (weights re-estimated in every replicate).

        With ``missing_covariates: multiple_imputation`` the comparison is made on every
        imputed data set and pooled by Rubin's rules (bootstrap standard errors within). The
        propensity models follow the design's ``separation`` (default ``"auto"``: maximum
        likelihood, Firth-penalised where a covariate level rare in one cohort leaves it
        without a finite estimate; see
        :func:`~kow_research.compare.compare_outcomes`), and a cohort's risk with fewer than
        the design's ``min_effective_events`` (default 10) effective events gets
        Korn–Graubard limits.

        Parameters
        ----------
        n_boot : int, optional
            Default the design's ``n_boot``.
        seed : int, optional
            Default the design's ``seed``.

        Returns
        -------
        ComparisonResult or PooledResult
        """
        n_boot = int(self.design["n_boot"] if n_boot is None else n_boot)
        seed = int(self.design["seed"] if seed is None else seed)

        def one(frame: pd.DataFrame) -> Any:
            return compare_outcomes(
                frame, treatment="cohort", treated=self.index,
                covariates=None if self.randomised else self.covariates,
                estimand="ATT" if self.randomised else self.estimand,
                horizons_months=tuple(self.horizons), tau_months=float(self.tau_months),
                n_boot=n_boot, seed=seed, separation=str(self.design["separation"]),
                min_effective_events=self.design["min_effective_events"])

        if not self.model.imputed:
            return one(self.frame)
        imp = impute(self.frame, columns=[*self.covariates, "cohort", "time", "event"],
                     m=int(self.design["imputations"]), seed=seed)
        return pool(imp.analyse(one))

    @property
    def tau_months(self) -> float:
        """Horizon of the restricted mean: the design's, shortened to what both follow."""
        return float(min(self.design["tau_months"], self.max_common_months))

    @property
    def max_common_months(self) -> float:
        """The longest time (months) that both programmes still have people under follow-up."""
        last = self.frame.groupby("cohort", observed=True)["time"].max()
        return float(last.min() / DAYS_PER_MONTH)

    @property
    def dropout(self) -> str:
        """The design's strategy for dropout (``competing``, ``censor`` or ``ignore``)."""
        return str(time_to_work_definition(self.design).dropout)

    def hazard_ratio(self, *, n_boot: int | None = None, seed: int | None = None) -> Any:
        """The weighted (or, randomised, unweighted) subdistribution hazard ratio of paid work
        of the index programme against the comparator (Fine–Gray; with dropout censored or
        ignored paid work is the only event and it is the Cox hazard ratio).

        Weighted, its interval is a basic bootstrap interval whose replicates
        re-estimate the propensity weights
        (:func:`~kow_research.compare.bootstrap_hazard_ratio`; the robust SE, which treats the
        weights as known, is kept in ``attrs["robust_se"]``); randomised, the model's robust
        interval. With ``missing_covariates: multiple_imputation`` the bootstrap fit is run on
        every imputed data set and pooled by Rubin's rules.

        Parameters
        ----------
        n_boot : int, optional
            Default the design's ``n_boot``.
        seed : int, optional
            Default the design's ``seed``.

        Returns
        -------
        RegressionResult or PooledResult
            The row ``treated`` is the index programme against the comparator.
        """
        if self.randomised:
            return weighted_hazard_ratio(self.frame, treatment="cohort", treated=self.index,
                                         weights=None, model="fine_gray")
        n_boot = int(self.design["n_boot"] if n_boot is None else n_boot)
        seed = int(self.design["seed"] if seed is None else seed)

        def one(frame: pd.DataFrame) -> Any:
            fit = bootstrap_hazard_ratio(
                frame, treatment="cohort", treated=self.index, covariates=self.covariates,
                estimand=self.estimand, model="fine_gray", n_boot=n_boot, seed=seed,
                separation=str(self.design["separation"]), max_failed=0.999)
            if fit.attrs["n_failed"] / n_boot <= MAX_FAILED:
                return fit
            # too many replicates without finite weights (poor overlap): the bootstrap
            # interval would come from a biased subset of resamples; keep the robust one and
            # say so (hazard_ratio_sentence)
            robust = weighted_hazard_ratio(frame, treatment="cohort", treated=self.index,
                                           weights=fit.attrs["weights"], model="fine_gray")
            robust.attrs.update(interval="robust, bootstrap refused",
                                n_boot=n_boot, n_failed=fit.attrs["n_failed"])
            return robust

        if not self.model.imputed:
            return one(self.frame)
        imp = impute(self.frame, columns=[*self.covariates, "cohort", "time", "event"],
                     m=int(self.design["imputations"]), seed=seed)
        return pool(imp.analyse(one))

    def ess_fields(self, language: str = "en") -> dict[str, str]:
        """``ess_index`` and ``ess_comparator``: the effective sample sizes after weighting,
        formatted (empty when randomised or imputed)."""
        if self.propensity is None:
            return {"ess_index": "", "ess_comparator": ""}
        g = self.propensity.by_group
        return {f"ess_{k}": format_number(g.loc[p, "ess"], language=language)
                for k, p in (("index", self.index), ("comparator", self.comparator))}

    def weighting_note(self, language: str = "en") -> str:
        """Under a weighted estimate: the target population, the estimand and the effective
        sample sizes (empty when randomised)."""
        if self.randomised:
            return ""
        fields = {"population": self.population(language), "estimand": self.estimand,
                  "index": self.index, "comparator": self.comparator}
        if self.propensity is None:
            return say("nb06_weighted_for_imputed", language, **fields)
        return say("nb06_weighted_for", language, **fields, **self.ess_fields(language))

    def effects_note(self, result: Any, *, language: str = "en",
                     horizons: Sequence[float] | None = None) -> str:
        """Under the effects table: how its intervals were made, from the result of
        :meth:`effects` (the interval kind, the replicates, the failed ones; the pooling
        over imputations; the rows with Korn–Graubard or percentile limits).

        Parameters
        ----------
        result : ComparisonResult or PooledResult
            What :meth:`effects` returned.
        language : {"en", "nl"}, default "en"
        horizons : sequence of float, optional
            Months of the rows the table shows (the summary shows only the main horizon):
            the rows with Korn–Graubard or percentile limits at other horizons are not named.
            Default: every horizon.

        Returns
        -------
        str
        """
        if "interval" in result.attrs:
            interval = say(f"effects_interval_{result.attrs['interval']}", language)
        else:  # pooled over imputations by Rubin's rules
            interval = say("effects_interval_pooled", language, m=int(result.attrs["m"]))
        failed = result.attrs.get("n_failed")
        note = say("nb06_effects_note", language, interval=interval,
                   n_boot=int(self.design["n_boot"]),
                   failed=_failed(failed, language))
        # rows that were not studentized, by the table's own labels
        nl = check_language(language) == "nl"

        def shown(names: list[str]) -> list[tuple[str, float]]:
            # compare_outcomes names a row "risk_control@6" (measure@horizon) or "measure"
            parts = [(m, float(h) if h else np.nan)
                     for m, h in ((n.split("@") + [""])[:2] for n in names)]
            return [(m, h) for m, h in parts if horizons is None or not np.isfinite(h)
                    or np.isclose(h, np.asarray(horizons, dtype=float)).any()]

        def rows(parts: list[tuple[str, float]]) -> str:
            return "; ".join(f"“{_row_label(m, h, self, nl)}”" for m, h in parts)

        sparse = shown(result.attrs.get("korn_graubard_rows") or [])
        if sparse:
            note += " " + say("effects_korn_graubard_rows", language, rows=rows(sparse),
                              k=result.attrs["min_effective_events"])
        fallback = shown(result.attrs.get("percentile_rows") or [])
        if fallback:
            note += " " + say("effects_percentile_rows", language, rows=rows(fallback))
        upper = result.table.loc[result.table["measure"] == "risk_ratio", "upper"]
        if (np.isfinite(upper) & (upper > RATIO_UNBOUNDED)).any():
            note += " " + say("effects_unbounded", language,
                              limit=format_number(RATIO_UNBOUNDED, language=language))
        return note

    def ess_inline(self, language: str = "en") -> str:
        """`` (effective sample sizes KOW 29, IPS 39)`` after a population, or empty."""
        if self.propensity is None:
            return ""
        return say("nb06_ess_inline", language, index=self.index, comparator=self.comparator,
                   **self.ess_fields(language))

    def balance(self) -> Any:
        """Covariate balance before and after weighting (None when randomised or imputed)."""
        if self.propensity is None:
            return None
        return balance(self.frame, treatment="cohort", treated=self.index,
                       covariates=self.covariates, weights=self.weights)

    def overlap_sentence(self, *, language: str = "en") -> str:
        """Under the balance figure when the estimand is ATO: overlap weights balance the
        means exactly (maximum likelihood) or nearly (Firth; the largest remaining SMD is
        named), so the balance panel says nothing about overlap. Empty otherwise.

        Parameters
        ----------
        language : {"en", "nl"}, default "en"

        Returns
        -------
        str
        """
        if self.propensity is None or self.estimand != "ATO":
            return ""
        if self.propensity.attrs.get("fitted_by") != "firth":   # the fit used (auto: either)
            return say("nb06_ato_balance", language)
        smd = self.balance().table["smd_after"].abs()
        worst = str(smd.idxmax())
        return say("nb06_ato_balance_firth", language,
                   smd=format_number(float(smd.max()), language=language, decimals=2),
                   term=in_sentence(term_label(worst, language=language)))

    def hazard_ratio_sentence(self, hr: Any, *, language: str = "en") -> str:
        """The hazard ratio of :meth:`hazard_ratio` in words: which hazard ratio it is (a
        subdistribution hazard ratio when dropout competes), for whom, how its interval was
        made, what above 1 means and where the interval lies.

        Parameters
        ----------
        hr : RegressionResult or PooledResult
            From :meth:`hazard_ratio`.
        language : {"en", "nl"}, default "en"

        Returns
        -------
        str
        """
        lang = check_language(language)
        table = hr.coef if hasattr(hr, "coef") else hr.table
        row = table.loc["treated"] if "treated" in table.index else table.iloc[0]
        est, lo, hi = float(row["estimate"]), float(row["lower"]), float(row["upper"])
        n_boot = int(self.design["n_boot"])
        if self.randomised:
            interval = say("hr_interval_model", lang)
        elif self.model.imputed:
            interval = say("hr_interval_pooled", lang, m=int(self.design["imputations"]),
                           n_boot=n_boot)
        elif hr.attrs.get("interval") == "robust, bootstrap refused":
            interval = say("hr_interval_refused", lang, n_boot=int(hr.attrs["n_boot"]),
                           failed=int(hr.attrs["n_failed"]))
        else:
            failed = int(hr.attrs.get("n_failed", 0))
            interval = say(f"hr_interval_bootstrap_{hr.attrs['ci']}", lang,
                           n_boot=int(hr.attrs["n_boot"]),
                           failed=_failed(failed, lang))
        direction = say("hr_direction_above" if lo > 1 else "hr_direction_below" if hi < 1
                        else "hr_direction_unclear", lang)
        fields = {"population": self.population(lang), "ess": self.ess_inline(lang),
                  "weighted": "" if self.randomised else say("weighted_word", lang),
                  "index": self.index, "comparator": self.comparator,
                  "hr": format_ci(est, lower=lo, upper=hi, language=lang),
                  "interval": interval, "direction": direction}
        if self.dropout == "competing":
            return say("nb06_hr_sdh", lang, **fields)
        return say("nb06_hr_single", lang, **fields,
                   dropout_handling=say(f"dropout_handling_{self.dropout}", lang))

    def evalue_sentence(self, result: Any, *, language: str = "en") -> str:
        """The E-value of the risk ratio of cumulative incidence at :attr:`main_horizon`, in
        words (never from a hazard ratio).

        Parameters
        ----------
        result : ComparisonResult or PooledResult
            From :meth:`effects`.
        language : {"en", "nl"}, default "en"

        Returns
        -------
        str
        """
        lang = check_language(language)
        month, ev = self.evalue(result)
        table = result.table
        rr = table[(table["measure"] == "risk_ratio")
                   & np.isclose(table["horizon_months"].astype(float), month)].iloc[0]
        return say("nb06_evalue_rr", lang, month=f"{month:g}", index=self.index,
                   comparator=self.comparator,
                   weighted="" if self.randomised else say("weighted_word", lang),
                   rr=ratio_ci(float(rr["estimate"]), float(rr["lower"]), float(rr["upper"]),
                               language=lang),
                   point=format_number(ev.table.loc["point", "evalue"], language=lang,
                                       decimals=2),
                   ci=format_number(ev.table.loc["ci", "evalue"], language=lang, decimals=2))

    def target_profile(self) -> pd.DataFrame:
        """The make-up of the target population beside the two programmes as they are.

        For every column of the propensity model's design (a numeric covariate, or an
        indicator ``column=level``): the weighted mean over both programmes together
        (``target``; with overlap weights the two weighted means are equal, with ATT weights
        both are close to the index programme's), and the unweighted means and counts of
        each programme.

        Returns
        -------
        pandas.DataFrame
            Indexed by term: ``target``, ``index``, ``comparator``, ``binary``, ``count_index``,
            ``count_comparator``, ``n_index``, ``n_comparator`` and ``std_difference``
            (``target - index`` over the SD of both programmes).

        Raises
        ------
        ValueError
            When there are no weights (randomised, or imputed covariates).

        Examples
        --------
        >>> import kow_research as kr
        >>> from kow_research.synthetic import simulation_design
        >>> s = kr.simulate_studies({"KOW": 80, "IPS": 70}, seed=1)
        >>> d = simulation_design(s, covariates=["age", "smi"]).resolve(s.participants)
        >>> p = prepare_comparison(s, design=d, comparator="IPS").target_profile()
        >>> p.index.tolist(), bool(p.loc["smi", "binary"])
        (['age', 'smi'], True)
        """
        if self.propensity is None:
            raise ValueError("the target population is described only for a weighted "
                             "comparison (randomised or imputed comparisons have no single "
                             "set of weights)")
        dm = design_matrix(self.frame, self.covariates)
        x = np.asarray(dm.x, dtype=float)
        w = np.asarray(self.propensity.weights, dtype=float)
        t = (self.frame["cohort"].astype(str) == self.index).to_numpy()
        rows = []
        for j, name in enumerate(dm.names):
            col = x[:, j]
            binary = bool(np.isin(col, (0.0, 1.0)).all())
            target = float(np.sum(w * col) / np.sum(w))
            sd = float(np.std(col, ddof=1)) if len(col) > 1 else np.nan
            rows.append({"term": name, "target": target, "index": float(col[t].mean()),
                         "comparator": float(col[~t].mean()), "binary": binary,
                         "count_index": float(col[t].sum()) if binary else np.nan,
                         "count_comparator": float(col[~t].sum()) if binary else np.nan,
                         "n_index": int(t.sum()), "n_comparator": int((~t).sum()),
                         "std_difference": (target - float(col[t].mean())) / sd
                         if sd and np.isfinite(sd) and sd > 0 else 0.0})
        return pd.DataFrame(rows).set_index("term")

    def evalue(self, result: Any) -> tuple[float, Any]:
        """The E-value of the risk ratio at the main horizon (the design's second horizon,
        or the longest available).

        Returns
        -------
        (month, EValueResult)
        """
        table = result.table
        month = self.main_horizon
        row = table[(table["measure"] == "risk_ratio")
                    & np.isclose(table["horizon_months"].astype(float), month)].iloc[0]
        return month, evalue(float(row["estimate"]), lower=float(row["lower"]),
                             upper=float(row["upper"]), measure="RR")

    @property
    def main_horizon(self) -> float:
        """The horizon the conclusion reads (the design's second, else the longest kept)."""
        wanted = list(self.design["horizons_months"])
        second = wanted[min(1, len(wanted) - 1)]
        return float(second if second in self.horizons else max(self.horizons))


def prepare_comparison(study: Study, *, design: StudyDesign, comparator: str) -> Comparison:
    """The comparison of the design's index programme with ``comparator``.

    Parameters
    ----------
    study : Study
    design : StudyDesign
        Resolved: index, randomised, estimand, covariates and their missing-data policy,
        horizons, time-to-work definition.
    comparator : str
        One of ``design.comparators``.

    Returns
    -------
    Comparison

    Raises
    ------
    ValueError
        ``comparator`` is not a comparator of the design, or no horizon of the design lies
        within the follow-up of both programmes.

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 80, "IPS": 70}, seed=1)
    >>> d = simulation_design(s, covariates=["age", "smi"]).resolve(s.participants)
    >>> c = prepare_comparison(s, design=d, comparator="IPS")
    >>> c.estimand, c.population(), c.horizons
    ('ATO', 'the people for whom both KOW and IPS are realistic options', [6.0, 12.0, 18.0])
    """
    if comparator not in design.comparators:
        raise ValueError(f"comparator {comparator!r} is not a comparator of the design; "
                         f"study.yaml comparators are {design.comparators}")
    index = design.index
    ttw = time_to_paid_work(study, definition=time_to_work_definition(design))
    pair = ttw[ttw["cohort"].astype(str).isin([index, comparator])].reset_index(drop=True)
    pair.attrs = dict(ttw.attrs)
    pair["cohort"] = pd.Categorical(pair["cohort"].astype(str), categories=[index, comparator])
    covs = [] if design["randomised"] else list(design["covariates"])
    mf = model_frame(pair, study=study, design=design, covariates=covs)
    frame = mf.frame
    last = frame.groupby("cohort", observed=True)["time"].max() / DAYS_PER_MONTH
    horizons = [float(h) for h in design["horizons_months"] if h <= last.min()]
    dropped = [float(h) for h in design["horizons_months"] if h > last.min()]
    if not horizons:
        raise ValueError(f"no horizon of study.yaml horizons_months {design['horizons_months']} "
                         f"lies within the follow-up of both {index} and {comparator} (the "
                         f"shorter ends after {last.min():.1f} months)")
    ps = None
    if not design["randomised"] and not mf.imputed:
        # the same propensity model as the effects and the hazard ratio (the fit the
        # design's separation names)
        ps = propensity(frame, treatment="cohort", treated=index, covariates=mf.covariates,
                        estimand=design["estimand"], method=SEPARATION_FIT[design["separation"]])
    return Comparison(frame=frame, index=index, comparator=comparator, design=design,
                      covariates=list(mf.covariates), model=mf, propensity=ps,
                      horizons=horizons, dropped_horizons=dropped)


def balance_figure(comparison: Comparison, *, language: str = "en",
                   styles: Mapping[str, Any] | None = None,
                   min_count: int | None = None) -> Axes:
    """Propensity-score overlap (above) and covariate balance before and after weighting
    (below), the programmes named.

    Parameters
    ----------
    comparison : Comparison
        Not randomised (it has propensity scores).
    language : {"en", "nl"}, default "en"
    styles : mapping, optional
        Programme styles (colours).
    min_count : int, optional
        Disclosure threshold k (a report passes its policy's ``k``): a binary covariate
        column held by, or missing in, 1 to k - 1 people of either programme is not drawn
        (its unweighted SMD, read off the figure, would give that count back); a line under
        the panel says how many were left out. Every bar of the overlap histogram holds at
        least k people of its programme (neighbouring bins merged,
        :func:`~kow_research.compare.plots.overlap_plot`'s ``min_count``). Default: every
        column and every bin drawn.

    Returns
    -------
    matplotlib.axes.Axes
        The balance (lower) axes; both are on its figure.

    Raises
    ------
    ValueError
        For a randomised comparison (no weights to show).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 80, "IPS": 70}, seed=1)
    >>> d = simulation_design(s, covariates=["age", "smi"]).resolve(s.participants)
    >>> ax = balance_figure(prepare_comparison(s, design=d, comparator="IPS"), language="nl")
    >>> len(ax.figure.axes), sorted(t.get_text() for t in ax.get_yticklabels())
    (2, ['Ernstige psychische aandoening (EPA)', 'Leeftijd'])
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    if comparison.propensity is None:
        raise ValueError("a randomised comparison has no propensity scores to show")
    lang = check_language(language)
    # one above the other: the covariate names need the width (16 cm at most)
    fig, axes = plt.subplots(2, 1, figsize=(6.0, 5.6), height_ratios=(1, 1.2))
    overlap_plot(comparison.propensity, ax=axes[0], language=lang, min_count=min_count)
    bal = comparison.balance()
    hidden = 0
    if min_count is not None:
        k = int(min_count)
        treated = (comparison.frame["cohort"].astype(str) == str(comparison.index)).to_numpy()
        sizes = {"treated": int(treated.sum()), "control": int((~treated).sum())}
        tab = bal.table

        def small(row: pd.Series) -> bool:
            if row["type"] != "binary":
                return False
            for g, n in sizes.items():
                x = round(float(row[f"mean_{g}_before"]) * n)
                if 0 < x < k or 0 < n - x < k:
                    return True
            return False

        keep = ~tab.apply(small, axis=1).to_numpy(dtype=bool)
        hidden = int((~keep).sum())
        bal = dataclasses.replace(bal, table=tab[keep])
    love_plot(bal, ax=axes[1], language=lang)
    if hidden:  # under the axis label, wrapped to the figure's width
        note = say("balance_rows_hidden", lang, n=hidden, k=int(min_count or 0))
        axes[1].set_xlabel(f"{axes[1].get_xlabel()}\n{textwrap.fill(note, 75)}")
    labels = [term_label(t.get_text(), language=lang) for t in axes[1].get_yticklabels()]
    axes[1].set_yticks(axes[1].get_yticks(), labels)
    for ax in axes:
        for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
            t.set_fontsize(8)
        ax.xaxis.label.set_fontsize(8)
        ax.yaxis.label.set_fontsize(8)
        if ax.get_legend() is not None:
            for t in ax.get_legend().get_texts():
                t.set_fontsize(8)
    fig.tight_layout()
    return axes[1]


_MEASURES = {
    "risk_treated": ("Paid work by {m} months, {i}", "Betaald werk na {m} maanden, {i}"),
    "risk_control": ("Paid work by {m} months, {c}", "Betaald werk na {m} maanden, {c}"),
    "risk_difference": ("Risk difference at {m} months ({i} − {c}), percentage points",
                        "Risicoverschil na {m} maanden ({i} − {c}), procentpunten"),
    "risk_ratio": ("Risk ratio at {m} months ({i} / {c})",
                   "Risicoratio na {m} maanden ({i} / {c})"),
    "event_free_time_treated": ("Months without paid work in the first {tau} months, {i}",
                                "Maanden zonder betaald werk in de eerste {tau} maanden, {i}"),
    "event_free_time_control": ("Months without paid work in the first {tau} months, {c}",
                                "Maanden zonder betaald werk in de eerste {tau} maanden, {c}"),
    "event_free_time_difference": ("Difference in months without paid work ({i} − {c})",
                                   "Verschil in maanden zonder betaald werk ({i} − {c})"),
}


#: a ratio's upper limit beyond this is shown as ∞ in the effects table
RATIO_UNBOUNDED = 1e6


def _failed(n: int | None, language: str) -> str:
    """"; 3 replicates failed and are reported" (singular for one; empty for none)."""
    if not n:
        return ""
    return say("nb06_failed_one" if n == 1 else "nb06_failed", language, n=int(n))


def ratio_ci(est: float, lower: float, upper: float, *, language: str = "en") -> str:
    """A ratio with its interval, as the effects table and the summary print it.

    A ratio whose denominator's lower limit is (nearly) 0 has no upper limit to speak of, so
    beyond :data:`RATIO_UNBOUNDED` it is shown as ∞, not as 32 digits.

    Parameters
    ----------
    est, lower, upper : float
        The ratio and its limits.
    language : {"en", "nl"}, default "en"

    Returns
    -------
    str

    Examples
    --------
    >>> ratio_ci(4.82, 0.09, 9.16e31, language="nl")
    '4,82 (0,09–∞)'
    """
    return format_ci(est, lower=lower, upper=np.inf if upper > RATIO_UNBOUNDED else upper,
                     language=check_language(language), decimals=2)


def _row_label(key: str, horizon: Any, comparison: Comparison, nl: bool) -> str:
    """The effects table's label of a row (``risk_control`` at 6 months: "Paid work by 6
    months, IPS")."""
    return _MEASURES[key][nl].format(m=f"{float(horizon):g}" if pd.notna(horizon) else "",
                                     i=comparison.index, c=comparison.comparator,
                                     tau=f"{comparison.tau_months:g}")


def effect_table(result: Any, *, comparison: Comparison, language: str = "en") -> pd.DataFrame:
    """The effects as a reader reads them: one row per measure, labelled with the programmes,
    risks in per cent, differences in percentage points, times in months.

    Parameters
    ----------
    result : ComparisonResult or PooledResult
        From :meth:`Comparison.effects`.
    comparison : Comparison
    language : {"en", "nl"}, default "en"

    Returns
    -------
    pandas.DataFrame
        ``Measure`` and ``Estimate (95% CI)``.

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 80, "IPS": 70}, seed=1)
    >>> d = simulation_design(s, covariates=["age", "smi"]).resolve(s.participants)
    >>> c = prepare_comparison(s, design=d, comparator="IPS")
    >>> t = effect_table(c.effects(n_boot=20, seed=1), comparison=c, language="nl")
    >>> list(t.columns), t["Maat"].iloc[0]
    (['Maat', 'Schatting (95%-BI)'], 'Betaald werk na 6 maanden, KOW')
    """
    lang = check_language(language)
    nl = lang == "nl"
    table = result.table
    rows = []
    for _, r in table.iterrows():
        key = str(r["measure"])
        if key not in _MEASURES:
            continue
        label = _row_label(key, r.get("horizon_months"), comparison, nl)
        est, lo, hi = float(r["estimate"]), float(r["lower"]), float(r["upper"])
        if key.startswith("risk_") and key not in ("risk_difference", "risk_ratio"):
            cell = format_ci(est, lower=lo, upper=hi, language=lang, decimals=0, percent=True)
        elif key == "risk_difference":
            cell = format_ci(100 * est, lower=100 * lo, upper=100 * hi, language=lang,
                             decimals=1)
        elif key.startswith("event_free_time"):
            cell = format_ci(est / DAYS_PER_MONTH, lower=lo / DAYS_PER_MONTH,
                             upper=hi / DAYS_PER_MONTH, language=lang, decimals=1)
        else:
            cell = ratio_ci(est, lo, hi, language=lang)
        rows.append({"measure": label, "estimate": cell})
    return pd.DataFrame(rows).rename(columns={
        "measure": "Maat" if nl else "Measure",
        "estimate": "Schatting (95%-BI)" if nl else "Estimate (95% CI)"})


#: the catalogue's outcome definitions as a reader reads them (en, nl)
_DEFINITIONS = {
    "competitive_employment": ("competitive employment", "regulier betaald werk"),
    "any_paid_work": ("any paid work (supported included)", "betaald werk (ook ondersteund)"),
    "paid_work_12h": ("paid work ≥ 12 h/week", "betaald werk ≥ 12 uur/week"),
    "work_or_education": ("work or education", "werk of opleiding"),
    "durable_work": ("durable work (≥ 6 months)", "duurzaam werk (≥ 6 maanden)"),
}

#: our outcome definition that matches a catalogue definition (options of time_to_paid_work)
_MATCHING = {"competitive_employment": {"include_supported": False},
             "any_paid_work": {"include_supported": True}}


def published_context(study: Study, *, design: StudyDesign, language: str = "en",
                      programmes: Sequence[str] | None = None) -> pd.DataFrame:
    """Published employment figures beside ours, where definitions and horizons allow.

    Every proportion in the catalogue of reference cohorts
    (:func:`kow_research.synthetic.reference_cohorts`) is listed with its study, arm,
    definition and horizon. Where the definition is one we can derive (competitive
    employment, any paid work) and the horizon lies within our follow-up, the share of our
    programmes in paid work by then is shown beside it — under the treatment-policy strategy
    (jobs after dropout count), as trials count — else the reason it is not.

    Parameters
    ----------
    study : Study
    design : StudyDesign
    language : {"en", "nl"}, default "en"
    programmes : sequence of str, optional
        Ours to show (default the index programme).

    Returns
    -------
    pandas.DataFrame
        Study, arm, definition, horizon, published %, and one column per programme of ours.

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 60}, seed=1)
    >>> d = simulation_design(s).resolve(s.participants)
    >>> t = published_context(s, design=d)
    >>> t.columns.tolist()
    ['Study', 'Arm', 'Definition', 'Months', 'Published', 'KOW']
    >>> t[t["Study"].str.startswith("Michon")]["Arm"].tolist()
    ['IPS', 'TAU']
    """
    lang = check_language(language)
    nl = lang == "nl"
    ours = list(programmes or [design.index])
    base = time_to_work_definition(design)
    curves: dict[str, Any] = {}
    for key, options in _MATCHING.items():
        d = TimeToWorkDefinition(**{**base.__dict__, **options, "dropout": "ignore"})
        df = time_to_paid_work(study, definition=d)
        df = df[df["cohort"].astype(str).isin(ours)]
        curves[key] = (df, cumulative_incidence(df, cause=1, by="cohort") if len(df) else None)
    rows = []
    for cohort in reference_cohorts().values():
        figs = cohort.figures
        figs = figs[(figs["measure"] == "proportion") & figs["horizon_months"].notna()]
        for _, f in figs.iterrows():
            month = float(f["horizon_months"])
            definition = str(f["outcome_definition"])
            arm = str(f["arm"])
            # programme arms are abbreviations (IPS, TAU); others ("mental") are described
            if not arm.isupper() and arm in cohort.arms:
                arm = (cohort.arms_nl.get(arm) if nl else None) or cohort.arms[arm]
            row = {"Study": _short_citation(cohort.citation), "Arm": arm,
                   "Definition": _DEFINITIONS.get(definition, (definition.replace("_", " "),) * 2)[nl],
                   "Months": f"{month:g}",
                   "Published": _published(f, lang)}
            for p in ours:
                if definition not in _MATCHING:
                    row[p] = "andere definitie" if nl else "other definition"
                    continue
                df, curve = curves[definition]
                mine = df[df["cohort"].astype(str) == p]
                if curve is None or mine.empty or mine["time"].max() < month * DAYS_PER_MONTH:
                    row[p] = "follow-up te kort" if nl else "follow-up too short"
                    continue
                at = curve.at([month * DAYS_PER_MONTH])
                r = at[at["group"].astype(str) == p].iloc[0]
                row[p] = (f"{format_percent(r['estimate'], language=lang)} "
                          f"({format_percent(r['lower'], language=lang)}–"
                          f"{format_percent(r['upper'], language=lang)})")
            rows.append(row)
    out = pd.DataFrame(rows)
    if nl:
        out = out.rename(columns={"Study": "Studie", "Arm": "Arm", "Definition": "Definitie",
                                  "Months": "Maanden", "Published": "Gepubliceerd"})
    return out


def _published(figure: pd.Series, language: str) -> str:
    """A published proportion with its Clopper–Pearson interval from the published arm size
    (as :func:`kow_research.compare.benchmark` uses it), ``n = …`` beside it; the bare figure
    when the article gives no arm size."""
    p = float(figure["value"])
    n = figure.get("n")
    if n is None or pd.isna(n):
        return format_percent(p, language=language)
    lo, hi = clopper_pearson(p * float(n), float(n))
    return format_ci(p, lower=lo, upper=hi, language=language, decimals=0,
                     percent=True) + f"; n = {int(n)}"


def _short_citation(citation: str) -> str:
    """``Michon H, van Busschbach JT, ... 2014`` → ``Michon et al. 2014``; a citation without
    authors keeps its first sentence."""
    year = re.search(r"\b(19|20)\d\d\b", citation)
    when = f" {year.group(0)}" if year else ""
    author = re.match(r"^([A-ZÀ-Ý][\w\-À-ÿ]+) [A-Z]{1,3}[,.]", citation)
    if author:
        return f"{author.group(1)} et al.{when}"
    first = citation.split(". ")[0].strip(". ")
    return first if year and year.group(0) in first else f"{first}{when}"


__all__ = ["Comparison", "balance_figure", "effect_table", "prepare_comparison",
           "published_context"]
