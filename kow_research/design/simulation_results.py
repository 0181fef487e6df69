"""The results of power by simulation and of power curves: tables, figures and the paragraph
for a proposal (English or Dutch), every number read from the result."""

from __future__ import annotations

import math
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core import Result, check_choice, new_axes, result_class
from kow_research.core.results import format_value
from kow_research.design.text import LANGUAGES, months, number, participants, percent

ANALYSIS_NAMES = {
    "gray": ("Gray's test", "de toets van Gray"),
    "fine_gray": ("the Fine-Gray model", "het Fine-Gray-model"),
    "cox": ("the cause-specific Cox model", "het oorzaakspecifieke Cox-model"),
    "ladder": ("the proportional-odds model of the ladder rung at month {w}",
               "het proportionele-oddsmodel van de trede op de participatieladder na {w} "
               "maanden"),
    "weighted": ("the propensity-weighted ({e}) comparison", "de met propensityscores "
                 "gewogen ({e}) vergelijking"),
}
SHORT = {"gray": "Gray", "fine_gray": "Fine-Gray", "cox": "Cox", "ladder": "ladder",
         "weighted": "weighted"}
ESTIMATE_NAMES = {
    "fine_gray": ("subdistribution hazard ratio", "subdistributie-hazardratio"),
    "cox": ("cause-specific hazard ratio", "oorzaakspecifieke hazardratio"),
    "ladder": ("odds ratio of a higher rung", "odds ratio voor een hogere trede"),
    "weighted": ("weighted hazard ratio", "gewogen hazardratio"),
}
PLOT_LABELS = {
    "en": {"power": "Power", "type1": "Type I error", "x": "Rejection rate",
           "alpha": "α = {a}", "target": "{p} power", "n": "Participants (total)",
           "hr": "Hazard ratio", "estimate": "Estimate (log scale)", "true": "True value",
           "title": "{k} simulated trials of {n}"},
    "nl": {"power": "Onderscheidend vermogen", "type1": "Fout van de eerste soort",
           "x": "Aandeel verworpen", "alpha": "α = {a}", "target": "vermogen {p}",
           "n": "Deelnemers (totaal)", "hr": "Hazard ratio",
           "estimate": "Schatting (log-schaal)", "true": "Ware waarde",
           "title": "{k} gesimuleerde onderzoeken met {n}"},
}


def analysis_name(name: str, attrs: dict[str, Any], language: str) -> str:
    """The analysis in words (English or Dutch)."""
    text = ANALYSIS_NAMES[name][0 if language == "en" else 1]
    return text.format(w=attrs.get("wave_month"), e=attrs.get("estimand", "ATT"))


def _and(items: list[str], language: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" and " if language == "en" else " en ") + items[-1]


def _interval(lo: float, hi: float, language: str) -> str:
    return f"{percent(lo, language)}–{percent(hi, language)}"


def _setting(attrs: dict[str, Any], language: str) -> str:
    """The simulated population, recruitment, follow-up, dropout and loss, in words."""
    d, en = attrs["design"], language == "en"
    acc, fu = months(d["accrual_months"], language), months(d["follow_up_months"], language)
    items = [f"{d['cohort']}-like participants" if en else f"deelnemers als in {d['cohort']}",
             f"uniform accrual over {acc}" if en else f"gelijkmatige instroom over {acc}",
             f"{fu} of further follow-up" if en else f"{fu} aanvullende follow-up"]
    drop = attrs.get("dropout_per_month")
    if drop:
        rate, prog = number(drop, language), months(attrs["programme_months"], language)
        strategy = {"competing": ("treated as a competing event",
                                  "behandeld als concurrerende gebeurtenis"),
                    "censor": ("censored", "gecensureerd"),
                    "ignore": ("ignored", "genegeerd")}[attrs["dropout"]][0 if en else 1]
        items.append(f"dropout of {rate} per month while in the programme ({prog}), "
                     f"{strategy}" if en else
                     f"uitval van {rate} per maand tijdens het programma ({prog}), {strategy}")
    loss = attrs.get("loss_per_month")
    if loss:
        rate = number(loss, language)
        items.append(f"loss to follow-up of {rate} per month" if en else
                     f"verlies uit de follow-up van {rate} per maand")
    if not d["randomised"] and d.get("confounding"):
        what = ", ".join(f"{k} = {v}" for k, v in d["confounding"].items())
        items.append(f"comparator population differing in {what}" if en else
                     f"vergelijkingspopulatie met afwijkende {what}")
    return _and(items, language)


@result_class
class SimulationPowerResult(Result):
    """Power, type I error and the distribution of the estimate from simulated trials.

    Attributes
    ----------
    table : DataFrame
        One row per analysis (index ``analysis``): ``estimand, n_sim, n_failed, power,
        power_lower, power_upper`` (Wilson), ``power_all`` (failures counted as
        non-rejections), ``type1, type1_lower, type1_upper, n_failed_null``,
        ``true_value, true_value_se, conditional_value, mean_estimate, bias, bias_mcse,
        empirical_se, mean_se, coverage, coverage_lower, coverage_upper`` (log scale),
        ``mean_n, mean_events, n_warned``.
    trials : DataFrame
        One row per simulated trial, effect and analysis: ``n_total, hr, scenario``
        (``alternative``/``null``), ``trial, analysis, n, events, estimate, se, lower,
        upper, p, rejected, error, warnings, warning``.
    failures : DataFrame
        Errors and warnings grouped: ``kind, scenario, n_total, hr, analysis, message,
        n_trials, first_trial``.
    n_sim, alpha, seed
        Trials per effect, significance level, root seed.
    attrs : dict
        The design, the analysis options, how the true value and the seeds were made.
    """

    table: pd.DataFrame
    trials: pd.DataFrame
    failures: pd.DataFrame
    n_sim: int
    alpha: float
    seed: int
    attrs: dict[str, Any] = field(default_factory=dict)

    def _describe(self) -> str:
        d = self.attrs["design"]
        arms = " + ".join(str(v) for v in d["arms"].values())
        parts = [f"{SHORT[a]} {format_value(r['power'], 3)}" for a, r in self.table.iterrows()]
        return (f"power by simulation, {self.n_sim} trials of {arms} (hr {d['hr']:g}, alpha "
                f"{self.alpha:g}): " + ", ".join(parts))

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("power", self.table), ("failures", self.failures), ("trials", self.trials)]

    def _notes(self) -> list[str]:
        return [str(self.attrs.get("truth_text", "")), str(self.attrs.get("seed_scheme", "")),
                self.sentence("en")]

    def sentence(self, language: str = "en") -> str:
        """A paragraph for a grant proposal, built from this result.

        Parameters
        ----------
        language : {"en", "nl"}
            English, or Dutch (decimal commas).

        Returns
        -------
        str
        """
        check_choice("language", language, LANGUAGES)
        en, a, t = language == "en", self.attrs, self.table
        d = a["design"]
        arms = list(d["arms"].values())
        people = participants(arms[0], arms[1], language)
        hr, alpha = number(d["hr"], language), number(self.alpha, language)
        level = f"{100 * (1 - a['mc_alpha']):g}"
        mc = f"{level}% Monte Carlo interval" if en else f"{level} %-Monte-Carlo-interval"
        shown = []
        for k, (name, row) in enumerate(t.iterrows()):
            what = analysis_name(str(name), a, language)
            rate = percent(row["power"], language) if np.isfinite(row["power"]) else "–"
            ci = _interval(row["power_lower"], row["power_upper"], language) \
                if np.isfinite(row["power"]) else "–"
            shown.append(f"{what} in {rate} of the trials ({mc} {ci})" if en and k == 0 else
                         f"{what} in {rate} ({ci})" if en else
                         f"{what} in {rate} van de onderzoeken ({mc} {ci})" if k == 0 else
                         f"{what} in {rate} ({ci})")
        kind = ("randomised" if d["randomised"] else "non-randomised") if en else \
            ("gerandomiseerde" if d["randomised"] else "niet-gerandomiseerde")
        if en:
            text = [f"We simulated {self.n_sim} {kind} trials of {people}: "
                    f"{_setting(a, language)}. With a hazard ratio of paid work of {hr} built "
                    f"into the simulator (given the baseline characteristics), the null "
                    f"hypothesis was rejected at α = {alpha} by {_and(shown, language)}."]
        else:
            text = [f"We simuleerden {self.n_sim} {kind} onderzoeken met {people}: "
                    f"{_setting(a, language)}. Met een in de simulatie ingebouwde "
                    f"hazardratio voor betaald werk van {hr} (gegeven de uitgangskenmerken) werd de "
                    f"nulhypothese bij α = {alpha} verworpen door {_and(shown, language)}."]
        for name, row in t.iterrows():
            if str(name) not in ESTIMATE_NAMES or not np.isfinite(row["mean_estimate"]):
                continue
            est = ESTIMATE_NAMES[str(name)][0 if en else 1]
            mean = number(math.exp(row["mean_estimate"]), language)
            conf = f"{100 * (1 - self.alpha):g}"
            if np.isfinite(row["true_value"]):
                true = number(math.exp(row["true_value"]), language)
                kind = ("true marginal value" if a["truth"] == "marginal" else
                        "conditional value") if en else \
                    ("ware marginale waarde" if a["truth"] == "marginal" else
                     "conditionele waarde")
                cov = percent(row["coverage"], language)
                text.append(
                    f"The estimated {est} ({SHORT[str(name)]}) was {mean} on average "
                    f"(geometric mean) against a {kind} of {true}; its {conf}% confidence "
                    f"interval contained that value in {cov} of the trials." if en else
                    f"De geschatte {est} ({SHORT[str(name)]}) was gemiddeld {mean} "
                    f"(meetkundig gemiddelde) tegenover een {kind} van {true}; het "
                    f"{conf} %-betrouwbaarheidsinterval bevatte die waarde in {cov} van de "
                    f"onderzoeken.")
        if a.get("null"):
            rates = [f"{percent(r['type1'], language)} ({SHORT[str(n)]})"
                     for n, r in t.iterrows() if np.isfinite(r["type1"])]
            if rates:
                text.append(f"Without an effect the type I error was {_and(rates, language)}."
                            if en else "Zonder effect was de kans op een fout van de eerste "
                            f"soort {_and(rates, language)}.")
        failed = [(str(n), int(r["n_failed"])) for n, r in t.iterrows() if r["n_failed"] > 0]
        if failed:
            items = [f"{k} ({SHORT[n]})" for n, k in failed]
            text.append(f"Trials that could not be analysed, counted as not significant in "
                        f"power_all: {_and(items, language)} of {self.n_sim}." if en else
                        f"Onderzoeken die niet geanalyseerd konden worden (in power_all als "
                        f"niet significant geteld): {_and(items, language)} van {self.n_sim}.")
        else:
            text.append("Every simulated trial could be analysed." if en else
                        "Elk gesimuleerd onderzoek kon worden geanalyseerd.")
        return " ".join(text)

    def plot(self, ax: Any = None, *, kind: str = "power", language: str = "en",
             **kwargs: Any) -> Any:
        """Power and type I error per analysis with their Monte Carlo intervals
        (``kind="power"``), or the estimates per analysis against the true value
        (``kind="estimates"``, log scale).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Drawn on a new figure when None.
        kind : {"power", "estimates"}
            What to draw.
        language : {"en", "nl"}
            Labels.
        **kwargs
            Passed to the markers (``color``, ``markersize``, ...).

        Returns
        -------
        matplotlib Axes
        """
        check_choice("kind", kind, ("power", "estimates"))
        check_choice("language", language, LANGUAGES)
        lab = PLOT_LABELS[language]
        ax = new_axes(ax, figsize=(6.25, 1.2 + 0.6 * len(self.table)))
        names = [str(n) for n in self.table.index]
        y = np.arange(len(names))[::-1].astype(float)
        d = self.attrs["design"]
        arms = " + ".join(str(v) for v in d["arms"].values())
        ax.set_title(lab["title"].format(k=self.n_sim, n=arms), fontsize=10)
        if kind == "power":
            for col, marker, shift, color in (("power", "o", 0.12, "C0"),
                                              ("type1", "s", -0.12, "C3")):
                v = self.table[col].to_numpy(dtype=float)
                if not np.isfinite(v).any():
                    continue
                # Wilson limits can lie a rounding error beyond the estimate at 0 and 1
                lo = np.clip(v - self.table[f"{col}_lower"].to_numpy(dtype=float), 0, None)
                hi = np.clip(self.table[f"{col}_upper"].to_numpy(dtype=float) - v, 0, None)
                ax.errorbar(v, y + shift, xerr=[lo, hi], fmt=marker, capsize=3,
                            label=lab[col], **{"color": color, **kwargs})
            ax.axvline(self.alpha, color="0.4", linestyle="--", linewidth=1,
                       label=lab["alpha"].format(a=number(self.alpha, language)))
            ax.axvline(0.8, color="0.4", linestyle=":", linewidth=1,
                       label=lab["target"].format(p=percent(0.8, language)))
            ax.set_xlim(0, 1)
            from matplotlib.ticker import PercentFormatter

            ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
            ax.set_xlabel(lab["x"])
        else:
            alt = self.trials[(self.trials["scenario"] == "alternative")
                              & (self.trials["error"] == "")]
            for yi, name in zip(y, names, strict=True):
                e = alt.loc[alt["analysis"] == name, "estimate"].to_numpy(dtype=float)
                e = e[np.isfinite(e)]
                if len(e):
                    q1, med, q3 = np.quantile(e, [0.25, 0.5, 0.75])
                    ax.plot(e, np.full(len(e), yi) + np.linspace(-0.2, 0.2, len(e)), ".",
                            alpha=0.25, **{"color": "C0", **kwargs})
                    ax.hlines(yi, q1, q3, color="0.2", linewidth=4)       # interquartile
                    ax.plot([med], [yi], "|", color="white", markersize=10, mew=2)
                true = self.table.loc[name, "true_value"]
                if np.isfinite(true):
                    ax.plot([true], [yi], "x", color="C3", markersize=10, mew=2,
                            label=lab["true"] if yi == y.max() else None)
            ax.set_xlabel(lab["estimate"])
            if language == "nl":                 # decimal commas on the tick labels
                from matplotlib.ticker import FuncFormatter

                ax.xaxis.set_major_formatter(FuncFormatter(
                    lambda v, _: f"{v:.10g}".replace(".", ",").replace("-", "−")))
        ax.set_yticks(y, [SHORT[n] for n in names])
        # a band above the rows for the legend, so that it covers no interval
        ax.set_ylim(y.min() - 0.6, y.max() + 1.6)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, frameon=False, loc="upper center", ncol=2)
        return ax


@result_class
class PowerCurveResult(Result):
    """Simulated power over a grid of sample sizes and hazard ratios.

    Attributes
    ----------
    table : DataFrame
        One row per analysis, total sample size and hazard ratio: ``analysis, n_total,
        n_index, n_comparator, hr, n_sim, n_failed, power, lower, upper`` (Wilson),
        ``mean_events`` and, when the null was simulated, ``type1, type1_lower,
        type1_upper``.
    failures : DataFrame
        Errors and warnings grouped, as in :class:`SimulationPowerResult`.
    n_sim, alpha, seed
        Trials per grid point, significance level, root seed.
    attrs : dict
        The design and the analysis options.
    """

    table: pd.DataFrame
    failures: pd.DataFrame
    n_sim: int
    alpha: float
    seed: int
    attrs: dict[str, Any] = field(default_factory=dict)

    def _describe(self) -> str:
        t = self.table
        return (f"power curve by simulation, {self.n_sim} trials per point: n_total "
                f"{t['n_total'].min()}-{t['n_total'].max()}, hr "
                f"{', '.join(f'{h:g}' for h in sorted(t['hr'].unique()))}, analyses "
                f"{', '.join(self.attrs['analyses'])}")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("power", self.table), ("failures", self.failures)]

    def _notes(self) -> list[str]:
        return [str(self.attrs.get("seed_scheme", "")), self.sentence("en")]

    def sentence(self, language: str = "en", *, target: float = 0.8) -> str:
        """Where the simulated power reaches ``target``, in words.

        Parameters
        ----------
        language : {"en", "nl"}
            English or Dutch.
        target : float, default 0.8
            The power wanted.

        Returns
        -------
        str
        """
        check_choice("language", language, LANGUAGES)
        en, out = language == "en", []
        goal = percent(target, language)
        for (name, hr), g in self.table.groupby(["analysis", "hr"], sort=False):
            g = g.sort_values("n_total")
            what = analysis_name(str(name), self.attrs, language)
            h = number(float(hr), language)
            hit = g[g["power"] >= target]
            if len(hit):
                r = hit.iloc[0]
                ci = _interval(r["lower"], r["upper"], language)
                out.append(f"With {what}, {goal} power for a hazard ratio of {h} is first "
                           f"reached at {int(r['n_total'])} participants of those simulated "
                           f"(power {percent(r['power'], language)}, {ci})." if en else
                           f"Met {what} wordt een vermogen van {goal} voor een hazardratio "
                           f"van {h} het eerst bereikt bij {int(r['n_total'])} deelnemers "
                           f"van de gesimuleerde aantallen (vermogen "
                           f"{percent(r['power'], language)}, {ci}).")
            else:
                r = g.iloc[-1]
                out.append(f"With {what}, {goal} power for a hazard ratio of {h} is not "
                           f"reached: {percent(r['power'], language)} at "
                           f"{int(r['n_total'])} participants, the largest size simulated."
                           if en else
                           f"Met {what} wordt een vermogen van {goal} voor een hazardratio "
                           f"van {h} niet bereikt: {percent(r['power'], language)} bij "
                           f"{int(r['n_total'])} deelnemers, het grootste gesimuleerde "
                           "aantal.")
        return " ".join(out)

    def plot(self, ax: Any = None, *, analysis: str | None = None, target: float = 0.8,
             language: str = "en", **kwargs: Any) -> Any:
        """Power against the total sample size (one line per hazard ratio and analysis,
        with the Monte Carlo band), or against the hazard ratio when only one size was
        simulated.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Drawn on a new figure when None.
        analysis : str, optional
            Only this analysis (default: all).
        target : float, default 0.8
            Horizontal reference line.
        language : {"en", "nl"}
            Labels.
        **kwargs
            Passed to the lines.

        Returns
        -------
        matplotlib Axes
        """
        check_choice("language", language, LANGUAGES)
        lab = PLOT_LABELS[language]
        t = self.table if analysis is None else self.table[self.table["analysis"] == analysis]
        if t.empty:
            raise ValueError(f"no analysis {analysis!r} in this curve; analyses: "
                             f"{self.attrs['analyses']}")
        ax = new_axes(ax)
        by_n = t["n_total"].nunique() > 1
        x, other = ("n_total", "hr") if by_n else ("hr", "n_total")
        styles = ["-", "--", ":", "-."]
        for i, ((name, value), g) in enumerate(t.groupby(["analysis", other], sort=False)):
            g = g.sort_values(x)
            style = styles[list(t["analysis"].unique()).index(name) % len(styles)]
            tag = f"HR {number(float(value), language)}" if by_n else f"n = {int(value)}"
            color = kwargs.pop("color", None) if len(t.groupby(["analysis", other])) == 1 \
                else f"C{i % 10}"
            line, = ax.plot(g[x], g["power"], marker="o", linestyle=style, color=color,
                            label=f"{SHORT[str(name)]}, {tag}", **kwargs)
            ax.fill_between(g[x].to_numpy(dtype=float), g["lower"].to_numpy(dtype=float),
                            g["upper"].to_numpy(dtype=float), color=line.get_color(),
                            alpha=0.15, linewidth=0)
        ax.axhline(target, color="0.4", linestyle=":", linewidth=1,
                   label=lab["target"].format(p=percent(target, language)))
        ax.set_ylim(0, 1)
        from matplotlib.ticker import FuncFormatter, PercentFormatter

        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        if not by_n and language == "nl":        # hazard ratios with a decimal comma
            ax.xaxis.set_major_formatter(FuncFormatter(
                lambda v, _: f"{v:.10g}".replace(".", ",")))
        ax.set_xlabel(lab["n"] if by_n else lab["hr"])
        ax.set_ylabel(lab["power"])
        ax.legend(fontsize=8, frameon=False, loc="best")
        return ax
