"""Recruitment forecasting with the Poisson-gamma accrual model (Anisimov & Fedorov 2007),
from a screening funnel per site (referred -> eligible -> consented) and observed accrual.

Times are months since the start of recruitment (a month is
``kow_research.core.DAYS_PER_MONTH`` days); month ``m`` of the observed accrual is the
interval ``[m, m + 1)``.
"""

from __future__ import annotations

import math
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from kow_research.core import DAYS_PER_MONTH, Result, check_alpha, check_choice, result_class
from kow_research.core.checks import check_columns

BLOCK = 1000          # simulated recruitments per seed child: results do not depend on chunking
METHODS = ("monte_carlo", "exact")


def _months(value: Any, start: Any, what: str) -> float:
    """A time as months since ``start``: numbers are months already, dates need ``start``."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return float(value)
    if start is None:
        raise ValueError(f"{what} is a date ({value!r}); give start= (the date recruitment "
                         "starts) or give it in months since the start")
    days = (pd.Timestamp(value) - pd.Timestamp(start)) / pd.Timedelta(days=1)
    return float(days / DAYS_PER_MONTH)


def _column_months(col: pd.Series, start: Any, what: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(col):
        return col.to_numpy(dtype=float)
    return np.array([_months(v, start, f"{what} {v!r}") if pd.notna(v) else np.nan
                     for v in col], dtype=float)


def _positive(frame: pd.DataFrame, col: str, *, upper: float | None = None,
              allow_nan: bool = False) -> np.ndarray:
    v = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
    bad = ~(v > 0) if upper is None else ~((v > 0) & (v <= upper))
    if allow_nan:
        bad &= ~np.isnan(v)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        bound = "> 0" if upper is None else f"in (0, {upper:g}]"
        raise ValueError(f"sites row {frame.index[i]} (site {frame['site'].iloc[i]!r}): {col} "
                         f"must be {bound}; got {frame[col].iloc[i]!r}")
    return v


def _priors(sites: pd.DataFrame, start: Any) -> pd.DataFrame:
    """Per site: opening and closing month, gamma prior of referrals per month, beta priors
    (or fixed values, ``nan`` prior size) of the eligible and consent fractions."""
    check_columns(sites, ["site", "opens"])
    if sites["site"].duplicated().any():
        dup = sites["site"][sites["site"].duplicated()].tolist()
        raise ValueError(f"sites: site names must be unique; {dup} appear more than once")
    out = pd.DataFrame({"site": sites["site"].astype(str).to_numpy()}, index=sites.index)
    out["opens"] = _column_months(sites["opens"], start, "opening date")
    if (~(out["opens"] >= 0)).any():
        i = int(np.flatnonzero(~(out["opens"] >= 0))[0])
        raise ValueError(f"sites row {sites.index[i]}: opens must be >= 0 months since the "
                         f"start; got {sites['opens'].iloc[i]!r}")
    closes = _column_months(sites["closes"], start, "closing date") if "closes" in sites \
        else np.full(len(sites), np.inf)
    out["closes"] = np.where(np.isnan(closes), np.inf, closes)
    if {"referral_shape", "referral_rate"} <= set(sites.columns):
        out["shape"] = _positive(sites, "referral_shape")
        out["rate"] = _positive(sites, "referral_rate")
    else:
        check_columns(sites, ["referrals_per_month", "prior_months"])
        mean, months = _positive(sites, "referrals_per_month"), _positive(sites, "prior_months")
        out["shape"], out["rate"] = mean * months, months
    for stage in ("eligible", "consent"):
        m = _positive(sites, stage, upper=1.0) if stage in sites else np.ones(len(sites))
        n = _positive(sites, f"{stage}_prior_n", allow_nan=True) \
            if f"{stage}_prior_n" in sites else np.full(len(sites), np.nan)
        uncertain = ~np.isnan(n)
        if (uncertain & (m >= 1)).any():
            i = int(np.flatnonzero(uncertain & (m >= 1))[0])
            raise ValueError(f"sites row {sites.index[i]}: {stage} = 1 with a prior size is not "
                             "a beta distribution; give a fraction below 1 or no prior size")
        out[f"{stage}_a"] = np.where(uncertain, m * n, m)      # fixed: a = the fraction
        out[f"{stage}_b"] = np.where(uncertain, (1 - m) * n, np.nan)
    return out


def _update(prior: pd.DataFrame, observed: pd.DataFrame | None, as_of: float,
            start: Any) -> pd.DataFrame:
    """Conjugate update of each site's funnel with its observed monthly counts."""
    post = prior.copy()
    exposure = np.clip(np.minimum(as_of, post["closes"]) - post["opens"], 0.0, None)
    post["exposure"] = exposure
    for c in ("referred", "eligible", "consented"):
        post[c] = 0.0
    if observed is None or len(observed) == 0:
        return post
    check_columns(observed, ["site", "month", "consented"])
    funnel = {"referred", "eligible"} <= set(observed.columns)
    month = _column_months(observed["month"], start, "month")
    if not pd.api.types.is_numeric_dtype(observed["month"]):
        month = np.floor(month + 1e-9)
    unknown = sorted(set(observed["site"].astype(str)) - set(post["site"]))
    if unknown:
        raise ValueError(f"observed: sites {unknown} are not in the sites table "
                         f"({sorted(post['site'])})")
    cols = ["referred", "eligible", "consented"] if funnel else ["consented"]
    counts = {c: pd.to_numeric(observed[c], errors="coerce").to_numpy(dtype=float)
              for c in cols}
    for c, v in counts.items():
        bad = ~(v >= 0) | (v != np.round(v))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"observed row {observed.index[i]}: {c} must be a count >= 0; got "
                             f"{observed[c].iloc[i]!r}")
    if funnel:
        bad = (counts["eligible"] > counts["referred"]) | (counts["consented"] >
                                                          counts["eligible"])
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"observed row {observed.index[i]} (site "
                             f"{observed['site'].iloc[i]!r}, month {month[i]:g}): the funnel "
                             "must narrow (consented <= eligible <= referred)")
    late = month + 1 > as_of + 1e-9
    if late.any():
        i = int(np.flatnonzero(late)[0])
        raise ValueError(f"observed row {observed.index[i]}: month {month[i]:g} ends after "
                         f"as_of = {as_of:g}; give a later as_of or drop the row")
    site_index = {s: k for k, s in enumerate(post["site"])}
    k = observed["site"].astype(str).map(site_index).to_numpy()
    opens = post["opens"].to_numpy()[k]
    early = (month + 1 <= opens + 1e-9) & (counts["consented"] > 0)
    if early.any():
        i = int(np.flatnonzero(early)[0])
        raise ValueError(f"observed row {observed.index[i]}: site {observed['site'].iloc[i]!r} "
                         f"reports accrual in month {month[i]:g}, before it opened "
                         f"(month {opens[i]:g})")
    for c in cols:
        post[c] = np.bincount(k, weights=counts[c], minlength=len(post))
    fixed_e, fixed_c = post["eligible_b"].isna(), post["consent_b"].isna()
    if funnel:
        post["shape"] += post["referred"]
        post["rate"] += post["exposure"]
        post.loc[~fixed_e, "eligible_a"] += post["eligible"]
        post.loc[~fixed_e, "eligible_b"] += post["referred"] - post["eligible"]
        post.loc[~fixed_c, "consent_a"] += post["consented"]
        post.loc[~fixed_c, "consent_b"] += post["eligible"] - post["consented"]
        return post
    uncertain = ~(fixed_e & fixed_c) & (post["consented"] > 0)
    if uncertain.any():
        raise ValueError(f"sites {post['site'][uncertain].tolist()}: their eligible or consent "
                         "fractions are uncertain, so updating needs the whole funnel; give "
                         "referred and eligible counts in observed (a screening log), or fixed "
                         "fractions")
    post["shape"] += post["consented"]
    post["rate"] += post["exposure"] * post["eligible_a"] * post["consent_a"]
    return post


def _mean_fraction(post: pd.DataFrame, stage: str) -> np.ndarray:
    a, b = post[f"{stage}_a"].to_numpy(), post[f"{stage}_b"].to_numpy()
    return np.where(np.isnan(b), a, a / (a + np.where(np.isnan(b), 1.0, b)))


def _window(post: pd.DataFrame, as_of: float, t: np.ndarray) -> np.ndarray:
    """Future exposure (sites x times): months open in ``(as_of, t]``."""
    lo = np.maximum(as_of, post["opens"].to_numpy())[:, None]
    hi = np.minimum(np.asarray(t, dtype=float)[None, :], post["closes"].to_numpy()[:, None])
    return np.clip(hi - lo, 0.0, None)


def _simulate(post: pd.DataFrame, *, as_of: float, grid: np.ndarray, horizon: float,
              deadline: float, remaining: int, n_sim: int, seed: Any
              ) -> tuple[np.ndarray, np.ndarray]:
    """Future accrual counts on ``grid`` (n_sim x grid) and times to ``remaining`` more
    participants (inf when not reached by the horizon), by blocks of :data:`BLOCK`.

    Time is cut at every grid month, opening, closing and the deadline, so the total rate is
    constant within each piece; counts per piece are Poisson, and the time of the
    participant who completes the target is the matching order statistic of the uniform
    arrival times in the piece where the count crosses it (a Beta draw)."""
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    sizes = [min(BLOCK, n_sim - i) for i in range(0, n_sim, BLOCK)]
    opens, closes = post["opens"].to_numpy(), post["closes"].to_numpy()
    cuts = np.concatenate([[as_of, horizon, deadline], grid, opens, closes])
    cuts = np.unique(cuts[(cuts >= as_of) & (cuts <= horizon)])
    lo, hi = cuts[:-1], cuts[1:]
    width = hi - lo
    is_open = (opens[:, None] <= lo[None, :] + 1e-12) & (closes[:, None] >= hi[None, :] - 1e-12)
    exposure = is_open * width[None, :]                          # sites x pieces
    at_grid = np.searchsorted(hi, grid)                          # piece ending at each month
    counts, times = [], []
    for size, child in zip(sizes, root.spawn(len(sizes)), strict=True):
        rng = np.random.default_rng(child)
        rate = rng.gamma(post["shape"].to_numpy()[:, None],
                         1.0 / post["rate"].to_numpy()[:, None], (len(post), size))
        for stage in ("eligible", "consent"):
            a, b = post[f"{stage}_a"].to_numpy(), post[f"{stage}_b"].to_numpy()
            frac = np.repeat(a[:, None], size, axis=1)
            unc = ~np.isnan(b)
            if unc.any():
                frac[unc] = rng.beta(a[unc, None], b[unc, None], (int(unc.sum()), size))
            rate = rate * frac
        inc = rng.poisson(rate.T @ exposure)                      # sims x pieces
        cum = inc.cumsum(axis=1)
        counts.append(cum[:, at_grid])
        t = np.full(size, as_of if remaining <= 0 else np.inf)
        if remaining > 0:
            hit = cum >= remaining
            ok = hit.any(axis=1)
            j = hit.argmax(axis=1)[ok]
            before = np.where(j > 0, cum[ok, np.maximum(j - 1, 0)], 0)
            k = inc[ok, j]
            order = remaining - before                             # 1 <= order <= k
            t[ok] = lo[j] + width[j] * rng.beta(order, k - order + 1)
        times.append(t)
    return np.vstack(counts), np.concatenate(times)


def _count_pmf(shape: np.ndarray, rate: np.ndarray, exposure: np.ndarray,
               tail: float = 1e-12) -> np.ndarray:
    """Probability mass function of a sum of independent Poisson-gamma (negative binomial)
    counts: site ``i`` has rate ~ Gamma(shape_i, rate_i) and is open ``exposure_i`` months."""
    pmf = np.ones(1)
    for a, b, e in zip(shape, rate, exposure, strict=True):
        if e <= 0:
            continue
        dist = stats.nbinom(a, b / (b + e))
        k = np.arange(int(dist.ppf(1 - tail)) + 1)
        pmf = np.convolve(pmf, dist.pmf(k))
    return pmf


def _exact(post: pd.DataFrame, *, as_of: float, grid: np.ndarray, horizon: float,
           remaining: int, levels: np.ndarray, deadline: float
           ) -> tuple[np.ndarray, np.ndarray, float, Any]:
    """Closed form when only the referral rates are uncertain: quantiles and means of the
    future counts on ``grid``, P(remaining reached by deadline), the target-time quantile
    function."""
    if post["eligible_b"].notna().any() or post["consent_b"].notna().any():
        raise ValueError("method='exact' needs fixed eligible and consent fractions (no prior "
                         "size): the consented rate is then gamma and the counts negative "
                         "binomial; use method='monte_carlo' for uncertain fractions")
    shape = post["shape"].to_numpy()
    rate = post["rate"].to_numpy() / (post["eligible_a"] * post["consent_a"]).to_numpy()
    expo = _window(post, as_of, grid)
    quant = np.zeros((len(grid), len(levels)))
    mean = (shape[:, None] / rate[:, None] * expo).sum(axis=0)
    for j in range(len(grid)):
        cdf = np.cumsum(_count_pmf(shape, rate, expo[:, j]))
        quant[j] = np.searchsorted(cdf, levels - 1e-12)

    def reached(t: float) -> float:
        if remaining <= 0:
            return 1.0
        cdf = np.cumsum(_count_pmf(shape, rate, _window(post, as_of, np.array([t]))[:, 0]))
        return float(1 - cdf[remaining - 1]) if remaining - 1 < len(cdf) else 0.0

    def target_quantile(q: float) -> float:
        if remaining <= 0:
            return as_of
        if reached(horizon) < q:
            return math.inf
        return float(optimize.brentq(lambda t: reached(t) - q, as_of, horizon, xtol=1e-6))

    return quant, mean, reached(deadline), target_quantile


@result_class
class RecruitmentForecast(Result):
    """A forecast of cumulative accrual (Poisson-gamma model).

    Attributes
    ----------
    table : DataFrame
        ``month``, ``observed`` (cumulative, up to ``as_of``), ``mean``, ``median``,
        ``lower``, ``upper`` (the ``1 - alpha`` prediction interval) of cumulative accrual.
    quantiles : DataFrame
        Cumulative accrual quantiles per month (columns are the levels) for the fan chart.
    target_time : DataFrame
        ``quantile``, ``month`` (inf: not reached by the horizon) and ``date`` of the time
        the target is reached.
    sites : DataFrame
        Per site: exposure and counts observed, posterior parameters of the funnel and the
        expected consented participants per month.
    probability : float
        Probability of reaching ``target`` by ``deadline``.
    probability_se : float
        Its Monte Carlo standard error (0 for the exact method).
    target, deadline, as_of, observed_total, alpha, method
        The question asked and how it was answered.
    attrs : dict
        Model, seed, number of simulations, start date, horizon.
    """

    table: pd.DataFrame
    quantiles: pd.DataFrame
    target_time: pd.DataFrame
    sites: pd.DataFrame
    probability: float
    probability_se: float
    target: int
    deadline: float
    as_of: float
    observed_total: int
    alpha: float
    method: str
    attrs: dict[str, Any] = field(default_factory=dict)

    def _describe(self) -> str:
        return (f"recruitment forecast ({self.method}): {self.observed_total} of {self.target} "
                f"by month {self.as_of:g}; P(target by month {self.deadline:g}) = "
                f"{self.probability:.3f}")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("forecast", self.table), ("target time", self.target_time),
                ("sites", self.sites)]

    def _notes(self) -> list[str]:
        return [str(self.attrs.get("model", ""))]

    def plot(self, ax: Any = None, *, language: str = "en", **kwargs: Any) -> Any:
        """Fan chart of cumulative accrual: observed, median forecast, 50 %, 80 % and
        ``1 - alpha`` prediction bands, the target and the deadline.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Drawn on a new 16 x 10 cm figure when None.
        language : {"en", "nl"}
            Labels in English or Dutch.
        **kwargs
            Passed to the median line (``color``, ``linewidth``, ...).

        Returns
        -------
        matplotlib Axes
        """
        from kow_research.design.recruitment_plot import fan_chart

        return fan_chart(self, ax=ax, language=language, **kwargs)


def recruitment_forecast(sites: pd.DataFrame, *, target: int, deadline: Any,
                         observed: pd.DataFrame | None = None, as_of: float | None = None,
                         horizon: float | None = None, start: Any = None,
                         method: str = "monte_carlo", n_sim: int = 10_000, alpha: float = 0.05,
                         seed: int | np.random.SeedSequence = 1) -> RecruitmentForecast:
    r"""Forecast recruitment from a screening funnel per site, updated with observed accrual.

    Each site :math:`i` opens at :math:`o_i` (and may close at :math:`c_i`) and refers
    participants as a Poisson process with rate :math:`\rho_i \sim \mathrm{Gamma}(a_i, b_i)`
    per month (Anisimov & Fedorov 2007); a fraction :math:`e_i` of them is eligible and a
    fraction :math:`\pi_i` of those consents, each fixed or
    :math:`\mathrm{Beta}`-distributed, so consented participants arrive at rate
    :math:`\lambda_i = \rho_i e_i \pi_i`. A gamma prior is given by its mean and a number of
    prior site-months :math:`b` (shape :math:`a = \text{mean}\cdot b`), a beta prior by its
    mean and a prior number screened. Observed counts update each stage conjugately:

    .. math::

        \rho_i \mid \text{data} \sim \mathrm{Gamma}(a_i + R_i,\ b_i + T_i), \quad
        e_i \mid \text{data} \sim \mathrm{Beta}(\alpha_e + E_i,\ \beta_e + R_i - E_i), \quad
        \pi_i \mid \text{data} \sim \mathrm{Beta}(\alpha_\pi + C_i,\ \beta_\pi + E_i - C_i),

    with :math:`R_i, E_i, C_i` the referred, eligible and consented counts and :math:`T_i`
    the months the site was open up to ``as_of`` (with fixed fractions and only consented
    counts, :math:`\rho_i \sim \mathrm{Gamma}(a_i + C_i, b_i + e_i\pi_i T_i)`). Future
    accrual is simulated (``method="monte_carlo"``): rates from the posterior, then Poisson
    counts over pieces of time in which the total rate is constant; the time to the target
    is the arrival of the last participant needed, the matching order statistic of the
    uniform arrival times within the piece where the count reaches it. With fixed fractions
    (``method="exact"``) the count of site :math:`i` over :math:`t` more months is negative
    binomial,

    .. math::

        P(N_i(t) = k) = \binom{k + a_i - 1}{k}\Bigl(\frac{b_i'}{b_i' + t}\Bigr)^{a_i}
        \Bigl(\frac{t}{b_i' + t}\Bigr)^k, \quad b_i' = \frac{b_i}{e_i\pi_i},

    with mean :math:`a_i t/b_i'` and variance :math:`a_i t/b_i' + a_i t^2/b_i'^2`; the
    total is their convolution, and :math:`P(T_n \le t) = P(N(t) \ge n)`.

    Parameters
    ----------
    sites : DataFrame
        One row per site: ``site``; ``opens`` (months since the start, or a date with
        ``start``); optional ``closes``; the referral prior as ``referrals_per_month`` and
        ``prior_months``, or ``referral_shape`` and ``referral_rate``; optional ``eligible``
        and ``consent`` fractions with ``eligible_prior_n`` / ``consent_prior_n`` (missing:
        the fraction is known).
    target : int
        Participants to recruit in total.
    deadline : float or date
        Months since the start (or a date with ``start``) by which the target must be met.
    observed : DataFrame, optional
        Monthly counts per site: ``site``, ``month`` (0 = the first month, or a date with
        ``start``), ``consented`` and, for uncertain fractions, ``referred`` and ``eligible``.
    as_of : float, optional
        End of the observation period in months (default: the end of the last observed
        month, or 0).
    horizon : float, optional
        Last month forecast (default: twice the deadline, rounded up to a whole month); must
        be >= the deadline.
    start : date, optional
        Date recruitment starts, to read dates and report target dates.
    method : {"monte_carlo", "exact"}, default "monte_carlo"
        Simulation, or the negative binomial convolution (fixed funnel fractions only).
    n_sim : int, default 10000
        Simulated recruitments (``monte_carlo``).
    alpha : float, default 0.05
        1 - the level of the prediction interval.
    seed : int or numpy.random.SeedSequence, default 1
        Seed; each block of 1000 simulations has its own child of
        ``SeedSequence(seed).spawn``, so results do not depend on how blocks are run.

    Returns
    -------
    RecruitmentForecast
        ``table`` (cumulative accrual per month with its prediction interval), ``probability``
        of the target by the deadline, ``target_time`` and the posterior per site.

    Raises
    ------
    ValueError
        Naming the site, row and value for invalid priors or counts.

    References
    ----------
    Anisimov VV, Fedorov VV (2007). Modelling, prediction and adaptive adjustment of
    recruitment in multicentre trials. *Stat Med* 26:4958-4975.

    Examples
    --------
    >>> sites = pd.DataFrame({"site": ["A", "B"], "opens": [0, 3],
    ...                       "referrals_per_month": [4.0, 2.0], "prior_months": [6, 6]})
    >>> fc = recruitment_forecast(sites, target=60, deadline=12, method="exact")
    >>> float(fc.table.loc[12, "mean"])     # 4 * 12 + 2 * 9
    66.0

    Site A's count by month 12 is negative binomial with shape 4 * 6 = 24 and probability
    6 / (6 + 12), site B's with shape 12 and 6 / (6 + 9); their sum reaches 60 with
    probability 0.6657 (also by simulating the gamma rates and Poisson counts):

    >>> round(fc.probability, 2)
    0.67
    """
    alpha = check_alpha(alpha)
    check_choice("method", method, METHODS)
    if isinstance(target, bool) or not isinstance(target, int | np.integer) or target < 1:
        raise ValueError(f"target must be a whole number of participants >= 1; got {target!r}")
    if isinstance(n_sim, bool) or not isinstance(n_sim, int | np.integer) or n_sim < 100:
        raise ValueError(f"n_sim must be an integer >= 100; got {n_sim!r}")
    prior = _priors(sites, start)
    dl = _months(deadline, start, "deadline")
    if observed is not None and len(observed) and as_of is None:
        m = _column_months(observed["month"], start, "month") if "month" in observed else [0]
        as_of = float(np.floor(np.nanmax(m) + 1e-9) + 1)
    as_of = 0.0 if as_of is None else float(as_of)
    if dl <= as_of:
        raise ValueError(f"deadline (month {dl:g}) must lie after as_of (month {as_of:g})")
    h = float(math.ceil(2 * dl)) if horizon is None else float(horizon)
    if h < dl:
        raise ValueError(f"horizon (month {h:g}) must be at least the deadline ({dl:g})")
    post = _update(prior, observed, as_of, start)
    observed_by_month: np.ndarray = np.zeros(0)
    if observed is not None and len(observed):
        month_index = np.floor(_column_months(observed["month"], start, "month") + 1e-9)
        observed_by_month = np.bincount(month_index.astype(int), weights=pd.to_numeric(observed["consented"])
                                        .to_numpy(dtype=float), minlength=int(as_of))
    n_obs = int(observed_by_month.sum())
    remaining = int(target) - n_obs
    grid = np.arange(0, int(math.floor(h + 1e-9)) + 1, dtype=float)
    future = grid > as_of
    levels = np.unique(np.round([alpha / 2, 0.1, 0.25, 0.5, 0.75, 0.9, 1 - alpha / 2], 10))
    q_levels = np.array([alpha / 2, 0.5, 1 - alpha / 2])
    if method == "monte_carlo":
        counts, t_hit = _simulate(post, as_of=as_of, grid=grid[future], horizon=h,
                                  deadline=dl, remaining=remaining, n_sim=int(n_sim),
                                  seed=seed)
        quant = np.quantile(counts, levels, axis=0, method="inverted_cdf").T
        mean = counts.mean(axis=0)
        prob = float(np.mean(t_hit <= dl))
        prob_se = math.sqrt(prob * (1 - prob) / n_sim)
        t_q = np.quantile(t_hit, q_levels, method="inverted_cdf")
    else:
        quant, mean, prob, tq = _exact(post, as_of=as_of, grid=grid[future], horizon=h,
                                       remaining=remaining, levels=levels, deadline=dl)
        prob_se = 0.0
        t_q = np.array([tq(q) for q in q_levels])
    cum_obs = np.concatenate([[0.0], np.cumsum(observed_by_month)])
    past = np.array([cum_obs[min(int(t), len(cum_obs) - 1)] for t in grid[~future]])
    qtab = pd.DataFrame(np.vstack([np.repeat(past[:, None], len(levels), axis=1),
                                   n_obs + quant]),
                        index=pd.Index(grid, name="month"), columns=levels)
    lo, hi = alpha / 2, 1 - alpha / 2
    table = pd.DataFrame({
        "month": grid.astype(int),
        "observed": np.concatenate([past, np.full(int(future.sum()), np.nan)]),
        "mean": np.concatenate([past, n_obs + mean]), "median": qtab[0.5].to_numpy(),
        "lower": qtab[levels[np.isclose(levels, lo)][0]].to_numpy(),
        "upper": qtab[levels[np.isclose(levels, hi)][0]].to_numpy()},
        index=pd.Index(grid.astype(int), name=None))
    dates = [(pd.Timestamp(start) + pd.Timedelta(days=float(t) * DAYS_PER_MONTH)).normalize()
             if start is not None and np.isfinite(t) else pd.NaT for t in t_q]
    target_time = pd.DataFrame({"quantile": q_levels, "month": t_q, "date": dates})
    e_mean, c_mean = _mean_fraction(post, "eligible"), _mean_fraction(post, "consent")
    site_table = pd.DataFrame({
        "site": post["site"], "opens": post["opens"], "exposure": post["exposure"],
        "referred": post["referred"], "eligible": post["eligible"],
        "consented": post["consented"], "referral_shape": post["shape"],
        "referral_rate": post["rate"], "eligible_a": post["eligible_a"],
        "eligible_b": post["eligible_b"], "consent_a": post["consent_a"],
        "consent_b": post["consent_b"],
        "consented_per_month": post["shape"] / post["rate"] * e_mean * c_mean}
    ).reset_index(drop=True)
    attrs = {"model": "Poisson-gamma accrual (Anisimov & Fedorov 2007) with a referred -> "
                      "eligible -> consented funnel per site; conjugate updates from observed "
                      "counts", "method": method, "n_sim": int(n_sim) if method ==
             "monte_carlo" else None, "seed": seed if isinstance(seed, int) else None,
             "horizon": h, "start": None if start is None else str(pd.Timestamp(start).date()),
             "time_unit": "months", "levels": levels.tolist()}
    return RecruitmentForecast(
        table=table, quantiles=qtab, target_time=target_time, sites=site_table,
        probability=1.0 if remaining <= 0 else prob, probability_se=prob_se, target=int(target),
        deadline=dl, as_of=as_of, observed_total=n_obs, alpha=alpha, method=method,
        attrs=attrs)
