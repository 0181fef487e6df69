"""Immortal time in the completer comparison, and the two analyses that remove it.

Simulated KOW cohorts with the simulator's dose effect switched off (``beta_dose=0``: sessions
attended have no effect on the job hazard), so that any difference between completers and
non-completers is bias. For each cohort:

* **naive** — notebook 05's comparison: Aalen–Johansen cumulative incidence of paid work at 12
  months (365 days) from the start date, completers minus non-completers, status from all
  sessions ever attended (:func:`kow_research.outcomes.training_dose`);
* **landmark** — :func:`kow_research.outcomes.dose_analysis.landmark_dose`: status at the last
  planned session (day 304), paid work from then on among those still at risk; the
  cause-specific Cox hazard ratio of completion (adjusted for age and SMI) and the Fine–Gray
  subdistribution hazard ratio;
* **time-varying** — :func:`kow_research.outcomes.dose_analysis.time_varying_dose`: sessions
  attended so far as a time-varying exposure in a cause-specific Cox model.

The true value is 1 for every hazard ratio (0 for the coefficients) and 0 for the risk
difference. Reported: mean, SD, mean SE, coverage of the 95 % interval of the null value with
its Monte Carlo SE, and the naive difference's mean with its Monte Carlo SE.

Not part of ``make test`` (about a minute for 50 cohorts). Usage::

    python validation/dose_immortal_time.py [--n-sim 50] [--n 400] [--seed 1]
                                            [--out validation/results]

writes ``dose_immortal_time.csv`` and ``dose_immortal_time.md`` into ``--out``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

import kow_research as kr
from kow_research.outcomes.dose_analysis import landmark_dose, time_varying_dose

HORIZON_DAYS = 365.0


def naive_difference(study: kr.Study, days: float = HORIZON_DAYS) -> float:
    """Cumulative incidence of paid work at ``days`` from the start, completers minus
    non-completers (notebook 05)."""
    ttw = kr.outcomes.time_to_paid_work(study)
    dose = kr.outcomes.training_dose(study)
    d = ttw.merge(dose[["participant_id", "completer"]], on="participant_id")
    d["completer"] = d["completer"].map({True: "completer", False: "non-completer"})
    at = kr.survival.cumulative_incidence(d, cause=1, by="completer").at([days])
    at = at.set_index("group")["estimate"]
    return float(at["completer"] - at["non-completer"])


def one(seed: int, n: int) -> dict[str, float]:
    study = kr.simulate_studies({"KOW": n}, seed=seed, beta_dose=0.0)
    lm = landmark_dose(study)
    tv = time_varying_dose(study)
    row: dict[str, float] = {"seed": seed, "naive_rd_12m": naive_difference(study),
                             "landmark_day": lm.landmark, "landmark_n": lm.n,
                             "landmark_excluded": lm.n_excluded}
    for model, r in lm.effect.set_index("model").iterrows():
        row.update({f"landmark_{model}_coef": r["coef"], f"landmark_{model}_se": r["se"],
                    f"landmark_{model}_covers": float(r["lower"] <= 1 <= r["upper"])})
    r = tv.coefficients.loc["sessions"]
    row.update({"tv_sessions_coef": r["coef"], "tv_sessions_se": r["se"],
                "tv_sessions_covers": float(r["lower"] <= 1 <= r["upper"])})
    return row


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    k = len(runs)
    rows = [{"analysis": "naive: CIF difference at 12 months (completers - non-completers)",
             "truth": 0.0, "mean": runs["naive_rd_12m"].mean(),
             "mc_se": runs["naive_rd_12m"].std(ddof=1) / np.sqrt(k),
             "sd": runs["naive_rd_12m"].std(ddof=1), "mean_se": np.nan, "coverage": np.nan,
             "coverage_mc_se": np.nan}]
    for prefix, label in (("landmark_cox", "landmark: cause-specific Cox log HR of completion"),
                          ("landmark_fine_gray", "landmark: Fine-Gray log sHR of completion"),
                          ("tv_sessions", "time-varying Cox log HR per session so far")):
        c, cover = runs[f"{prefix}_coef"], runs[f"{prefix}_covers"]
        rate = cover.mean()
        rows.append({"analysis": label, "truth": 0.0, "mean": c.mean(),
                     "mc_se": c.std(ddof=1) / np.sqrt(k), "sd": c.std(ddof=1),
                     "mean_se": runs[f"{prefix}_se"].mean(), "coverage": rate,
                     "coverage_mc_se": np.sqrt(rate * (1 - rate) / k)})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sim", type=int, default=50)
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    runs = pd.DataFrame([one(args.seed + 1000 * i, args.n) for i in range(args.n_sim)])
    seconds = time.perf_counter() - started
    table = summarise(runs)
    table.to_csv(out / "dose_immortal_time.csv", index=False, float_format="%.4f")
    fmt = {c: (lambda v: "" if pd.isna(v) else f"{v:.4f}")
           for c in ("mean", "mc_se", "sd", "mean_se", "coverage", "coverage_mc_se")}
    shown = table.assign(**{c: table[c].map(f) for c, f in fmt.items()})
    lines = ["# Immortal time in the dose analyses", "",
             f"{args.n_sim} simulated KOW cohorts of {args.n} with no effect of attendance "
             f"(`beta_dose=0`), seeds {args.seed} + 1000 i; the true value of every row is 0. "
             f"Landmark: day {', '.join(f'{d:g}' for d in sorted(runs['landmark_day'].unique()))}"
             " (the last planned session), on "
             f"average {runs['landmark_n'].mean():.0f} people at risk and "
             f"{runs['landmark_excluded'].mean():.0f} excluded.",
             f"kow_research {kr.__version__}; `python validation/dose_immortal_time.py "
             f"--n-sim {args.n_sim} --n {args.n} --seed {args.seed}`.", "",
             "| analysis | mean | MC SE | SD | mean SE | coverage of the null | MC SE |",
             "|---|---|---|---|---|---|---|"]
    for _, r in shown.iterrows():
        lines.append(f"| {r['analysis']} | {r['mean']} | {r['mc_se']} | {r['sd']} | "
                     f"{r['mean_se']} | {r['coverage']} | {r['coverage_mc_se']} |")
    (out / "dose_immortal_time.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
