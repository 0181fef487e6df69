"""Does attending more of the training go with faster paid work? Two analyses free of immortal
time: a landmark analysis at the end of the training period and a Cox model with attendance as
a time-varying exposure (the data sets are built in :mod:`kow_research.outcomes.dose_data`).

Both remain observational: people who attend more may differ from those who attend less in
ways the covariates do not capture. What they remove is the bias *by design* of comparing
completers with non-completers from the start date, which credits the completers with the time
they had to survive (in the programme, without a job) to complete.

References
----------
.. [1] Anderson JR, Cain KC, Gelber RD. Analysis of survival by tumor response. J Clin Oncol
   1983;1:710-719.
.. [2] Suissa S. Immortal time bias in pharmaco-epidemiology. Am J Epidemiol 2008;167:492-499.
.. [3] Andersen PK, Gill RD. Cox's regression model for counting processes: a large sample
   study. Ann Statist 1982;10:1100-1120.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core import Result, check_alpha, check_choice, check_columns, result_class
from kow_research.core.meta import outcome_meta
from kow_research.data.labels import check_language, variable_title
from kow_research.data.study import Study
from kow_research.outcomes.dose_data import (
    OutcomeSpec,
    dose_counting_process,
    landmark_data,
)
from kow_research.survival import (
    CurveResult,
    RegressionResult,
    TestResult,
    TimeVaryingCoxResult,
    cox,
    cox_time_varying,
    cumulative_incidence,
    fine_gray,
    gray_test,
)

#: exposure name -> column of the landmark and counting-process data sets
EXPOSURES: dict[str, str] = {"completed": "completer", "cumulative_sessions": "sessions",
                             "fraction": "fraction"}
DEFAULT_COVARIATES = ("age", "smi")


def _num(x: float, language: str, decimals: int = 2) -> str:
    text = f"{x:.{decimals}f}"
    return text.replace(".", ",") if language == "nl" else text


def _ci(row: pd.Series, alpha: float, language: str) -> str:
    level = f"{100 * (1 - alpha):g}"
    lo, hi = _num(float(row["lower"]), language), _num(float(row["upper"]), language)
    return f"{level}%-BI {lo}–{hi}" if language == "nl" else f"{level}% CI {lo}–{hi}"


def _covariate_text(covariates: Sequence[str], language: str) -> str:
    """', adjusted for age and severe mental illness' from the dictionary's titles."""
    if not covariates:
        return ""
    titles = []
    for c in covariates:
        t = variable_title(c, language)
        titles.append(t[0].lower() + t[1:] if len(t) > 1 and t[1].islower() else t)
    last = " en " if language == "nl" else " and "
    names = titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + last + titles[-1]
    return f", gecorrigeerd voor {names}" if language == "nl" else f", adjusted for {names}"


def _exposure_phrase(exposure: str, hr: str, ci: str, planned: int, need: int,
                     language: str) -> str:
    """'<who> started paid work at a hazard <hr> times (<ci>) that of <whom>'."""
    if language == "nl":
        if exposure == "completed":
            return (f"begonnen mensen die de training hadden afgemaakt (minstens {need} van "
                    f"{planned} bijeenkomsten) met betaald werk met een hazard {hr} keer "
                    f"({ci}) die van wie dat niet had gedaan")
        if exposure == "cumulative_sessions":
            return (f"ging elke extra bijgewoonde bijeenkomst samen met een hazard van "
                    f"betaald werk {hr} keer ({ci}) zo hoog")
        return (f"gingen alle {planned} bijeenkomsten bijwonen in plaats van geen samen met een "
                f"hazard van betaald werk {hr} keer ({ci}) zo hoog")
    if exposure == "completed":
        return (f"people who had completed the training (at least {need} of {planned} "
                f"sessions) started paid work at a hazard {hr} times ({ci}) that of those who "
                "had not")
    if exposure == "cumulative_sessions":
        return (f"each additional session attended went with a hazard of paid work {hr} "
                f"times ({ci}) as high")
    return (f"attending all {planned} sessions rather than none went with a hazard of paid "
            f"work {hr} times ({ci}) as high")


def _dropout_strategy(attrs: Mapping[str, Any]) -> str | None:
    definition = attrs.get("definition") or {}
    value = definition.get("dropout") if isinstance(definition, Mapping) else None
    return None if value is None else str(value)


def _censoring_note(attrs: Mapping[str, Any], language: str) -> str:
    strategy = _dropout_strategy(attrs)
    if language == "nl":
        if strategy == "competing":
            return ("; oorzaakspecifieke hazard: uitval beëindigt de follow-up als "
                    "concurrerende gebeurtenis")
        return "; oorzaakspecifieke hazard"
    if strategy == "competing":
        return "; cause-specific hazard: dropout ends follow-up as a competing event"
    return "; cause-specific hazard"


@result_class
class LandmarkDoseResult(Result):
    """A landmark analysis of training dose: status at the landmark, paid work from then on.

    Attributes
    ----------
    effect : DataFrame
        One row per model of the exposure's effect: ``model`` (``"cox"``, cause-specific,
        and ``"fine_gray"`` when dropout competes), ``term, coef, se, estimate, lower, upper,
        p, scale, n, n_events``; ``estimate`` is the (subdistribution) hazard ratio.
    cox : RegressionResult
        The cause-specific Cox model of paid work on the exposure and the covariates.
    fine_gray : RegressionResult or None
        The Fine–Gray model (only when the outcome has competing events after the landmark).
    incidence : CurveResult
        Aalen–Johansen cumulative incidence of paid work by ``status`` from the landmark.
    gray : TestResult
        Gray's test of equal cumulative incidence by ``status``.
    attrition : DataFrame
        ``stage, reason, label_en, label_nl, n``: from the outcome frame to the landmark.
    landmark : float
        The landmark in days from the origin.
    landmark_rule : {"last_planned_session", "given"}
    exposure : {"completed", "cumulative_sessions", "fraction"}
    cohort : str
    covariates : tuple of str
    n : int
        People at risk at the landmark (analysed).
    n_excluded : int
        People of the outcome frame excluded because of an event or censoring on or before
        the landmark.
    alpha : float
        1 - confidence level.
    attrs : dict
        The outcome definition with its ``"landmark"`` entry, the caption and the estimand.
    """

    effect: pd.DataFrame
    cox: RegressionResult
    fine_gray: RegressionResult | None
    incidence: CurveResult
    gray: TestResult
    attrition: pd.DataFrame
    landmark: float
    landmark_rule: str
    exposure: str
    cohort: str
    covariates: tuple[str, ...]
    n: int
    n_excluded: int
    alpha: float
    attrs: dict[str, Any] = field(default_factory=dict)

    def _describe(self) -> str:
        return (f"landmark dose analysis, {self.cohort}, landmark day {self.landmark:g}: "
                f"{self.n} at risk, {self.n_excluded} excluded; exposure {self.exposure}")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("effect", self.effect), ("attrition", self.attrition),
                ("gray", self.gray.table)]

    def _notes(self) -> list[str]:
        return [*super()._notes(), self.sentence("en")]

    def at(self, times: Any) -> pd.DataFrame:
        """Cumulative incidence of paid work by status at ``times`` after the landmark.

        Parameters
        ----------
        times : array_like
            Times since the landmark, in the outcome's unit.

        Returns
        -------
        DataFrame
            ``group, time, estimate, se, lower, upper``.
        """
        return self.incidence.at(times)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Cumulative incidence of paid work by status from the landmark (see
        :meth:`kow_research.survival.CurveResult.plot`); returns the Axes."""
        return self.incidence.plot(ax=ax, **kwargs)

    def sentence(self, language: str = "en") -> str:
        """The result in one sentence, in English or Dutch, built from the stored numbers.

        Parameters
        ----------
        language : {"en", "nl"}, default "en"

        Returns
        -------
        str
        """
        lang = check_language(language)
        row = self.effect.set_index("model").loc["cox"]
        lm = self.attrs.get("definition", {}).get("landmark", {})
        planned, need = int(lm.get("planned", 0)), int(lm.get("need", 0))
        day = f"{self.landmark:g}"
        hr = _num(float(row["estimate"]), lang)
        what = _exposure_phrase(self.exposure, hr, _ci(row, self.alpha, lang), planned, need,
                                lang)
        competing = _dropout_strategy(self.attrs) == "competing"
        if lang == "nl":
            when = (f"Vanaf het einde van de trainingsperiode (dag {day})"
                    if self.landmark_rule == "last_planned_session" else f"Vanaf dag {day}")
            still = ("nog zonder baan, niet uitgevallen en in follow-up" if competing
                     else "nog zonder baan en in follow-up")
            return (f"{when} {what}{_covariate_text(self.covariates, lang)}, onder de "
                    f"{self.n} mensen die toen {still} waren"
                    f"{_censoring_note(self.attrs, lang)}.")
        when = (f"From the end of the training period (day {day})"
                if self.landmark_rule == "last_planned_session" else f"From day {day}")
        still = ("still without a job, in the programme and in follow-up" if competing
                 else "still without a job and in follow-up")
        return (f"{when}, {what}{_covariate_text(self.covariates, lang)}, among the {self.n} "
                f"people {still} then{_censoring_note(self.attrs, lang)}.")


@result_class
class TimeVaryingDoseResult(Result):
    """A Cox model of paid work with attendance as a time-varying exposure.

    Attributes
    ----------
    fit : TimeVaryingCoxResult
        The cause-specific Cox model on the counting-process rows (other causes censored).
    coefficients : DataFrame
        ``fit.coefficients``: ``coef, se, z, p, estimate, lower, upper, scale, hr`` by term.
    data_summary : DataFrame
        ``quantity, n`` of the counting-process data: people, intervals, events by code
        (``event_0``, ``event_1``, ...), attended sessions counted in follow-up and attended
        sessions left out for want of a date.
    person_time : float
        Total follow-up, in the outcome's time unit.
    exposure : {"completed", "cumulative_sessions", "fraction"}
    term : str
        The exposure's column (``completer``, ``sessions`` or ``fraction``).
    cohort : str
    covariates : tuple of str
    alpha : float
    attrs : dict
        The outcome definition with its ``"dose"`` entry, model notes.
    """

    fit: TimeVaryingCoxResult
    coefficients: pd.DataFrame
    data_summary: pd.DataFrame
    person_time: float
    exposure: str
    term: str
    cohort: str
    covariates: tuple[str, ...]
    alpha: float
    attrs: dict[str, Any] = field(default_factory=dict)

    def _describe(self) -> str:
        return (f"time-varying dose ({self.exposure}), {self.cohort}: {self.fit.n} people, "
                f"{self.fit.n_intervals} intervals, {self.fit.n_events} events")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("coefficients", self.coefficients), ("data", self.data_summary)]

    def _notes(self) -> list[str]:
        return [*super()._notes(), self.sentence("en")]

    def sentence(self, language: str = "en") -> str:
        """The result in one sentence, in English or Dutch, built from the stored numbers.

        Parameters
        ----------
        language : {"en", "nl"}, default "en"

        Returns
        -------
        str
        """
        lang = check_language(language)
        row = self.coefficients.loc[self.term]
        dose = self.attrs.get("definition", {}).get("dose", {})
        planned, need = int(dose.get("planned", 0)), int(dose.get("need", 0))
        hr = _num(float(row["estimate"]), lang)
        what = _exposure_phrase(self.exposure, hr, _ci(row, self.alpha, lang), planned, need,
                                lang)
        n = self.fit.n
        if lang == "nl":
            return (f"Met mensen op elk moment vergeleken naar de bijeenkomsten die zij tot dan "
                    f"hadden bijgewoond, {what}{_covariate_text(self.covariates, lang)}, onder "
                    f"de {n} mensen gevolgd vanaf de start{_censoring_note(self.attrs, lang)}.")
        return (f"Comparing people at each moment by the sessions they had attended so far, "
                f"{what}{_covariate_text(self.covariates, lang)}, among the {n} people "
                f"followed from the start{_censoring_note(self.attrs, lang)}.")


def _covariate_list(covariates: Sequence[str] | str, frame: pd.DataFrame,
                    exposure_column: str) -> tuple[str, ...]:
    covs = (covariates,) if isinstance(covariates, str) else tuple(covariates)
    check_columns(frame, covs, "covariate")
    if exposure_column in covs:
        raise ValueError(f"covariates include {exposure_column!r}, the exposure itself; "
                         "leave it out")
    return covs


def landmark_dose(study: Study, *, landmark_days: float | None = None,
                  exposure: str = "completed", completer_fraction: float = 0.8,
                  outcome: OutcomeSpec = None,
                  covariates: Sequence[str] = DEFAULT_COVARIATES, cohort: str | None = None,
                  planned: Mapping[str, int] | None = None, alpha: float = 0.05
                  ) -> LandmarkDoseResult:
    r"""Paid work by training status at the end of the training period: a landmark analysis.

    On the data set of :func:`~kow_research.outcomes.dose_data.landmark_data` (people still at
    risk at landmark :math:`s`, time :math:`T - s`, status from sessions attended by
    :math:`s`) this estimates

    * the Aalen–Johansen cumulative incidence of paid work by status from the landmark and
      Gray's test of its equality,
    * the cause-specific Cox model :math:`\lambda_1(t \mid x) = \lambda_{10}(t)
      \exp(\beta z + \gamma' x)`, :math:`z` the exposure at :math:`s` and :math:`x` the
      ``covariates`` (dropout after :math:`s` censored), and, when the outcome has competing
      events after :math:`s`, the Fine–Gray model of the subdistribution hazard.

    :math:`e^{\beta}` compares people with the same covariates who were all still without a
    job and in follow-up at :math:`s`; no one is credited with the time needed to complete.

    Parameters
    ----------
    study : Study
        A validated study with ``participants``, ``sessions`` and (unless ``outcome`` is a
        frame) ``spells``.
    landmark_days : float, optional
        The landmark in days from the origin; default the cohort's last planned session (see
        :func:`~kow_research.outcomes.dose_data.landmark_data`).
    exposure : {"completed", "cumulative_sessions", "fraction"}, default "completed"
        The model term: completer at the landmark (0/1), sessions attended by then, or
        that number over the planned sessions (its hazard ratio compares all with none). The
        curves and Gray's test are by completer status in every case.
    completer_fraction : float, default 0.8
        A completer attended at least ``ceil(completer_fraction * planned)`` sessions.
    outcome : DataFrame, TimeToWorkDefinition or mapping, optional
        The outcome from the origin (default ``time_to_paid_work(study)``, dropout
        competing); see :func:`~kow_research.outcomes.dose_data.landmark_data`.
    covariates : sequence of str, default ("age", "smi")
        Baseline covariates of the outcome frame to adjust for.
    cohort : str, optional
        The programme, when the outcome holds several with planned sessions.
    planned : mapping cohort → int, optional
        Planned sessions per cohort (default KOW 10, GOW 8).
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    LandmarkDoseResult
        ``effect`` (hazard ratios), the models, curves, Gray's test, ``attrition`` and
        ``sentence(language)``.

    Raises
    ------
    ValueError
        As :func:`~kow_research.outcomes.dose_data.landmark_data`; an unknown exposure; both
        statuses are needed (everyone at risk completed, or nobody did); no events of paid
        work after the landmark.

    References
    ----------
    Anderson JR, Cain KC, Gelber RD (1983). J Clin Oncol 1:710-719. Gray RJ (1988). Ann
    Statist 16:1141-1154. Fine JP, Gray RJ (1999). JASA 94:496-509. Putter H, Fiocco M,
    Geskus RB (2007). Stat Med 26:2389-2430.

    Examples
    --------
    A simulated KOW cohort in which attendance has no effect on paid work
    (``beta_dose=0``): from the last session on, completers and non-completers find work at
    about the same rate.

    >>> import kow_research as kr
    >>> study = kr.simulate_studies({"KOW": 300}, seed=5, beta_dose=0.0)
    >>> res = landmark_dose(study)
    >>> res.landmark, res.n, res.n_excluded     # day 304: the last session (10 months)
    (304.0, 178, 122)
    >>> res.effect[["model", "estimate", "lower", "upper"]].round(2)
           model  estimate  lower  upper
    0        cox      0.83   0.43   1.61
    1  fine_gray      0.83   0.44   1.60
    >>> print(res.sentence("en"))  # doctest: +NORMALIZE_WHITESPACE
    From the end of the training period (day 304), people who had completed the training (at
    least 8 of 10 sessions) started paid work at a hazard 0.83 times (95% CI 0.43–1.61) that
    of those who had not, adjusted for age and severe mental illness, among the 178 people
    still without a job, in the programme and in follow-up then; cause-specific hazard:
    dropout ends follow-up as a competing event.
    """
    check_choice("exposure", exposure, EXPOSURES)
    alpha = check_alpha(alpha)
    term = EXPOSURES[exposure]
    data = landmark_data(study, landmark_days=landmark_days,
                         completer_fraction=completer_fraction, planned=planned,
                         outcome=outcome, cohort=cohort)
    covs = _covariate_list(covariates, data, term)
    lm = data.attrs["definition"]["landmark"]
    counts = data["status"].value_counts()
    if len(counts) < 2:
        raise ValueError(f"all {len(data)} people at risk at the landmark (day {lm['days']:g}) "
                         f"are {counts.index[0]}s: there is nothing to compare")
    if not (data["event"] == 1).any():
        raise ValueError(f"no paid work after the landmark (day {lm['days']:g}) among the "
                         f"{len(data)} people at risk: the effect cannot be estimated")
    fit = cox(data, covariates=[term, *covs], alpha=alpha)
    competing = bool((data["event"] > 1).any())
    fg = fine_gray(data, covariates=[term, *covs], alpha=alpha) if competing else None
    incidence = cumulative_incidence(data, cause=1, by="status", alpha=alpha)
    gray = gray_test(data, by="status", cause=1)
    rows = []
    for name, model in (("cox", fit), ("fine_gray", fg)):
        if model is None:
            continue
        r = model.coef.loc[term]
        rows.append({"model": name, "term": term, "coef": float(r["coef"]),
                     "se": float(r["se"]), "estimate": float(r["estimate"]),
                     "lower": float(r["lower"]), "upper": float(r["upper"]),
                     "p": float(r["p"]), "scale": str(r["scale"]), "n": int(model.n),
                     "n_events": int(model.n_events)})
    attrition = pd.DataFrame(data.attrs["attrition"])
    excluded = int(attrition.loc[attrition["stage"] == "excluded", "n"].sum())
    attrs = {**outcome_meta(data).result_attrs(), "exposure": exposure, "term": term,
             "covariates": list(covs),
             "note": "Cox: cause-specific (other causes censored); Fine-Gray: subdistribution"}
    return LandmarkDoseResult(
        effect=pd.DataFrame(rows), cox=fit, fine_gray=fg, incidence=incidence, gray=gray,
        attrition=attrition, landmark=float(lm["days"]), landmark_rule=str(lm["rule"]),
        exposure=exposure, cohort=str(lm["cohort"]), covariates=covs, n=len(data),
        n_excluded=excluded, alpha=alpha, attrs=attrs)


def time_varying_dose(study: Study, *, exposure: str = "cumulative_sessions",
                      outcome: OutcomeSpec = None,
                      covariates: Sequence[str] = DEFAULT_COVARIATES,
                      completer_fraction: float = 0.8, cohort: str | None = None,
                      planned: Mapping[str, int] | None = None, alpha: float = 0.05
                      ) -> TimeVaryingDoseResult:
    r"""Cox model of paid work with attendance as a time-varying exposure.

    On the counting-process rows of
    :func:`~kow_research.outcomes.dose_data.dose_counting_process` (follow-up from the origin
    split at every attended session) this fits the cause-specific Cox model

    .. math::

        \lambda_1(t \mid x, z) = \lambda_{10}(t) \exp\{\beta z(t) + \gamma' x\},

    :math:`z(t)` the exposure just before :math:`t` (0 before the first session) and
    :math:`x` the baseline ``covariates``, with Efron ties
    (:func:`kow_research.survival.cox_time_varying`). Paid work (code 1) is the event;
    dropout (code 2 with the default ``dropout="competing"``) and censoring end a person's
    follow-up: a *cause-specific* hazard ratio among people still in the programme, without a
    job and in follow-up at :math:`t`. At any time :math:`t` people are compared by the
    sessions they attended *so far*, so no one is credited with sessions still to come.

    Parameters
    ----------
    study : Study
        A validated study with ``participants``, ``sessions`` and (unless ``outcome`` is a
        frame) ``spells``.
    exposure : {"cumulative_sessions", "completed", "fraction"}, default "cumulative_sessions"
        Sessions attended so far (hazard ratio per session), completed so far (0/1), or the
        fraction of the planned sessions attended so far (hazard ratio of all against none).
    outcome : DataFrame, TimeToWorkDefinition or mapping, optional
        The outcome from the origin (default ``time_to_paid_work(study)``, dropout
        competing).
    covariates : sequence of str, default ("age", "smi")
        Baseline covariates of the outcome frame.
    completer_fraction : float, default 0.8
        For ``exposure="completed"``: completed once
        ``ceil(completer_fraction * planned)`` sessions are attended.
    cohort : str, optional
        The programme, when the outcome holds several with planned sessions.
    planned : mapping cohort → int, optional
        Planned sessions per cohort (default KOW 10, GOW 8).
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    TimeVaryingDoseResult
        ``fit`` and ``coefficients``, ``data_summary`` of the counting-process rows and
        ``sentence(language)``.

    Raises
    ------
    ValueError
        As :func:`~kow_research.outcomes.dose_data.dose_counting_process` and
        :func:`kow_research.survival.cox_time_varying` (no events, a constant exposure, no
        convergence); an unknown exposure.

    References
    ----------
    Andersen PK, Gill RD (1982). Ann Statist 10:1100-1120. Therneau TM, Grambsch PM (2000).
    Modeling Survival Data, section 3.7. Suissa S (2008). Am J Epidemiol 167:492-499.

    Examples
    --------
    The simulated cohort of :func:`landmark_dose` (no effect of attendance):

    >>> import kow_research as kr
    >>> study = kr.simulate_studies({"KOW": 300}, seed=5, beta_dose=0.0)
    >>> res = time_varying_dose(study)
    >>> res.coefficients[["coef", "se", "estimate"]].round(3)  # doctest: +NORMALIZE_WHITESPACE
               coef     se  estimate
    term
    sessions  0.010  0.063     1.010
    age      -0.016  0.010     0.984
    smi      -0.570  0.336     0.566
    >>> res.data_summary.set_index("quantity")["n"].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'people': 300, 'intervals': 1797, 'event_0': 147, 'event_1': 91, 'event_2': 62,
     'sessions_in_follow_up': 1974, 'undated_attended_sessions': 0}
    >>> print(res.sentence("nl"))  # doctest: +NORMALIZE_WHITESPACE
    Met mensen op elk moment vergeleken naar de bijeenkomsten die zij tot dan hadden
    bijgewoond, ging elke extra bijgewoonde bijeenkomst samen met een hazard van betaald werk
    1,01 keer (95%-BI 0,89–1,14) zo hoog, gecorrigeerd voor leeftijd en ernstige psychische
    aandoening (EPA), onder de 300 mensen gevolgd vanaf de start; oorzaakspecifieke hazard:
    uitval beëindigt de follow-up als concurrerende gebeurtenis.
    """
    check_choice("exposure", exposure, EXPOSURES)
    alpha = check_alpha(alpha)
    term = EXPOSURES[exposure]
    cp = dose_counting_process(study, completer_fraction=completer_fraction, planned=planned,
                               outcome=outcome, cohort=cohort)
    covs = _covariate_list(covariates, cp, term)
    fit = cox_time_varying(cp, covariates=[term, *covs], cause=1, alpha=alpha)
    dose = cp.attrs["definition"]["dose"]
    last = np.r_[cp["participant_id"].to_numpy()[1:] != cp["participant_id"].to_numpy()[:-1],
                 True]
    codes = cp["event"].to_numpy()[last]
    rows = [("people", int(last.sum())), ("intervals", len(cp))]
    rows += [(f"event_{k}", int((codes == k).sum())) for k in sorted(set(codes.tolist()) | {0, 1})]
    rows += [("sessions_in_follow_up", int(cp.groupby("participant_id")["sessions"].max().sum())),
             ("undated_attended_sessions", int(dose["undated_attended_sessions"]))]
    summary = pd.DataFrame(rows, columns=["quantity", "n"])
    attrs = {**outcome_meta(cp).result_attrs(), "exposure": exposure, "term": term,
             "covariates": list(covs),
             "note": "cause-specific: dropout and other competing events are censored"}
    return TimeVaryingDoseResult(
        fit=fit, coefficients=fit.coefficients, data_summary=summary,
        person_time=float((cp["stop"] - cp["start"]).sum()), exposure=exposure,
        term=term, cohort=str(dose["cohort"]), covariates=covs, alpha=alpha, attrs=attrs)
