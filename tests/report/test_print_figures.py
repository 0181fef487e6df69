"""Every figure of the report, measured from the files it writes (issue 14, figures for print).

The figures are drawn as the notebooks draw them, on the default simulated cohorts, and saved
through the report's own path (``NotebookContext.figure`` → ``save_figure``). Each saved file is
then read back — not the matplotlib Figure object — with
:func:`kow_research.report.style.measure_figure_file`: the printed width from the SVG's
``width`` attribute (points) and from the PNG's pixels over its ``pHYs`` resolution, the
smallest ``font-size`` of the SVG's text elements at that printed size, and the PNG's dpi.
Bars: width ≤ 16 cm (A4 text width with 2.5 cm margins), text ≥ 8 pt, PNG at 300 dpi, SVG text
kept as text (editable), and one colour per programme across figures.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import kow_research as kr  # noqa: E402
from kow_research.report.style import (  # noqa: E402
    MAX_WIDTH_CM,
    MIN_FONT_PT,
    OKABE_ITO,
    PNG_DPI,
    measure_figure_file,
)

STEMS = ("01_participant_flow", "03_ladder_by_wave", "03_transitions",
         "04_cumulative_incidence", "04_forest", "05_time_to_dropout", "05_dose",
         "06_balance", "06_weighted_incidence", "08_power_by_simulation", "08_power_curve",
         "08_recruitment_forecast")


def _draw(language: str, out: Path) -> Path:
    """The notebooks' figure calls (tools/build_notebooks.py), saved into ``out``."""
    ctx = kr.report.open_notebook(None, seed=1, language=language, output_dir=out)
    design, study = ctx.design, ctx.study

    def save(ax, stem):
        ctx.figure(ax, stem=stem, caption=stem)

    ttw = kr.outcomes.time_to_paid_work(study, definition=ctx.time_to_work)
    save(kr.report.flow_diagram(ctx.ordered(kr.outcomes.attrition_table(ttw)),
                                language=language, k=ctx.k), "01_participant_flow")
    by_wave = kr.outcomes.ladder_by_wave(study, waves=design["waves"],
                                         window_days=design["wave_window_days"],
                                         baseline_window=tuple(design["baseline_window_days"]),
                                         origin=design["origin"])
    save(kr.report.ladder_plot(ctx.ordered(by_wave), language=language, caption=""),
         "03_ladder_by_wave")
    waves = design.wave_labels(design.index)
    moves = kr.outcomes.ladder_transitions(by_wave, from_wave=waves[0], to_wave=waves[-1],
                                           cohort=design.index, language=language)
    save(kr.report.transition_heatmap(moves, language=language,
                                      count_format=ctx.policy.figure_count, min_count=ctx.k),
         "03_transitions")
    ordered = ctx.ordered(ttw)
    curve = kr.survival.cumulative_incidence(ordered, cause=1, by="cohort")
    save(kr.report.incidence_plot(curve, language=language, styles=ctx.line_styles,
                                  policy=ctx.policy), "04_cumulative_incidence")
    mf = kr.report.model_frame(ordered, study=study, design=design)
    fits = kr.report.fit_hazard_models(mf, design=design, terms=["cohort"] + mf.covariates,
                                       competing=True, reference={"cohort": design.index})
    save(kr.report.forest_plot(kr.report.forest_models(fits["csh"], fg=fits["fg"],
                                                       language=language),
                               language=language, caption=""), "04_forest")
    drop = ctx.ordered(kr.outcomes.dropout(study))
    save(kr.report.incidence_plot(kr.survival.kaplan_meier(drop, cause=1, by="cohort"),
                                  language=language, styles=ctx.line_styles,
                                  policy=ctx.policy), "05_time_to_dropout")
    dose = kr.outcomes.training_dose(study, planned=design["planned_sessions"] or None,
                                     completer_fraction=design["completer_fraction"])
    save(kr.report.dose_plot(dose, design=design, policy=ctx.policy, language=language,
                             styles=ctx.styles), "05_dose")
    comparison = kr.report.prepare_comparison(study, design=design,
                                              comparator=design.comparators[0])
    save(kr.report.balance_figure(comparison, language=language, styles=ctx.styles),
         "06_balance")
    weighted = kr.compare.weighted_curves(comparison.frame, treatment="cohort",
                                          treated=design.index, weights=comparison.weights,
                                          cause=1)
    save(kr.report.incidence_plot(weighted, language=language, styles=ctx.line_styles,
                                  policy=ctx.policy), "06_weighted_incidence")
    _draw_design(language, out)
    return out


def _draw_design(language: str, out: Path) -> None:
    """Notebook 08's figures, with few simulated trials (their size does not depend on it)."""
    size = kr.report.style.figure_size
    analytic = kr.design.sample_size(outcome="competing_cause_specific", hr=1.5,
                                     hazard_control=0.03, competing_hazard=0.025, accrual=24,
                                     follow_up=12, loss_hazard=0.006)
    design = kr.design.trial_design_from(analytic, cohort="KOW", arms=("KOW", "CAU"))
    sim = kr.design.power_by_simulation(design, analysis=["cox", "fine_gray"], n_sim=6,
                                        seed=1, truth_n=600, truth_blocks=2, n_jobs=1)
    fig, axes = plt.subplots(2, 1, figsize=size(16, 11))
    sim.plot(ax=axes[0], language=language)
    sim.plot(ax=axes[1], kind="estimates", language=language)
    fig.tight_layout()
    kr.report.save_figure(fig, stem="08_power_by_simulation", output_dir=out)
    plt.close(fig)
    curve = kr.design.power_curve(design, analysis="cox", n_total=[100, 200], hr=[1.5],
                                  n_sim=4, seed=1, n_jobs=1)
    ax = curve.plot(language=language)
    kr.report.save_figure(ax.figure, stem="08_power_curve", output_dir=out)
    plt.close(ax.figure)
    import pandas as pd

    sites = pd.DataFrame({"site": ["a", "b"], "opens": [0, 1], "referrals_per_month": 15.0,
                          "prior_months": 2, "eligible": 0.6, "eligible_prior_n": 20,
                          "consent": 0.6, "consent_prior_n": 20})
    plan = kr.design.recruitment_forecast(sites, target=200, deadline=24, n_sim=200, seed=1)
    fig, axes = plt.subplots(2, 1, figsize=size(16, 15), sharex=True)
    plan.plot(ax=axes[0], language=language)
    plan.plot(ax=axes[1], language=language)
    fig.tight_layout()
    kr.report.save_figure(fig, stem="08_recruitment_forecast", output_dir=out)
    plt.close(fig)


@pytest.fixture(scope="module", params=["en", "nl"])
def figures(request, tmp_path_factory) -> Path:
    return _draw(request.param, tmp_path_factory.mktemp(f"figures_{request.param}"))


def test_every_figure_is_written_as_png_and_svg(figures):
    assert sorted(p.name for p in figures.glob("*.png")) == sorted(f"{s}.png" for s in STEMS)
    assert sorted(p.name for p in figures.glob("*.svg")) == sorted(f"{s}.svg" for s in STEMS)


@pytest.mark.parametrize("stem", STEMS)
def test_figure_prints_at_a4_text_width(figures, stem):
    png, svg = (measure_figure_file(figures / f"{stem}.{x}") for x in ("png", "svg"))
    # printed width from the files themselves (16 cm = 6.30 in)
    assert svg.width_cm <= MAX_WIDTH_CM + 0.05, svg
    assert png.width_cm <= MAX_WIDTH_CM + 0.05, png
    # the PNG says 300 dpi (pHYs stores dots per metre, hence the rounding)
    assert round(png.dpi) == PNG_DPI
    # text is text (svg.fonttype none), so it can be edited and measured
    assert svg.texts > 0
    assert svg.min_font_pt is not None and svg.min_font_pt >= MIN_FONT_PT - 0.05, svg
    assert png.problems() == [] and svg.problems() == []


def test_measurement_reads_what_matplotlib_wrote(tmp_path):
    """A hand-made case: 5 x 2 in at 300 dpi with a 6 pt title is 12.7 cm and 1500 px wide."""
    fig, ax = plt.subplots(figsize=(5, 2))
    ax.set_title("small", fontsize=6)
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(tmp_path / "f.svg")
    fig.savefig(tmp_path / "f.png", dpi=300)
    plt.close(fig)
    svg, png = measure_figure_file(tmp_path / "f.svg"), measure_figure_file(tmp_path / "f.png")
    assert svg.width_cm == pytest.approx(12.7, abs=1e-6) and svg.min_font_pt == 6.0
    assert png.width_cm == pytest.approx(12.7, abs=0.01) and round(png.dpi) == 300
    assert any("6.0 pt" in p for p in svg.problems())


def _colours(svg: Path) -> set[str]:
    text = svg.read_text(encoding="utf-8").lower()
    return set(re.findall(r"stroke:\s*(#[0-9a-f]{6})", text))


def test_one_colour_per_programme_across_figures(figures):
    """The curves of 04, 05 and 06 draw KOW in the first Okabe–Ito colour, and the colour of
    each comparator is the same in every figure that shows it."""
    styles = kr.report.style.programme_styles(["KOW", "IPS", "TAU", "GOW"])
    assert [s.color for s in styles.values()] == list(OKABE_ITO[:4])
    for stem in ("04_cumulative_incidence", "05_time_to_dropout"):
        used = _colours(figures / f"{stem}.svg")
        assert {s.color.lower() for s in styles.values()} <= used, stem
    weighted = _colours(figures / "06_weighted_incidence.svg")
    assert {styles["KOW"].color.lower(), styles["IPS"].color.lower()} <= weighted
    # the other programmes' colours are absent where they are not drawn
    assert styles["GOW"].color.lower() not in weighted
