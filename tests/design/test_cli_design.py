"""``kow-research design``: the analytic numbers and sentence, and with --simulate the
simulated power (the command module is registered on its own parser here)."""

from __future__ import annotations

import argparse

import pytest

from kow_research.commands import design as command
from kow_research.design import sample_size


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kow-research")
    command.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_analytic_design_prints_numbers_and_sentence(capsys):
    code = _run(["design", "--outcome", "time", "--hr", "0.7", "--accrual", "12",
                 "--follow-up", "12", "--median-control", "18", "--language", "nl"])
    out = capsys.readouterr().out
    res = sample_size(outcome="time", hr=0.7, accrual=12, follow_up=12, median_control=18)
    assert code == 0
    assert f"participants: {res.n_treated} + {res.n_control} = {res.n_total}" in out
    assert f"events needed: {res.events}" in out and "events needed: 247" in out
    assert res.sentence("nl") in out


def test_simulated_power_is_printed(capsys):
    code = _run(["design", "--outcome", "competing_cause_specific", "--hr", "0.6",
                 "--accrual", "12", "--follow-up", "12", "--hazard-control", "0.05",
                 "--competing-hazard", "0.02", "--n-total", "120", "--simulate", "4",
                 "--analysis", "cox", "--analysis", "gray", "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0
    assert "power (analytic)" in out and "We simulated 4 randomised trials of 2 × 60" in out


@pytest.mark.parametrize("argv,message", [
    (["--outcome", "competing_cause_specific", "--hazard-control", "0.05"],
     "needs --hazard-control and --competing-hazard"),
    (["--outcome", "competing_subdistribution", "--hazard-control", "0.05",
      "--competing-hazard", "0.02", "--simulate", "2"], "cause-specific hazard ratio"),
])
def test_errors_say_what_to_do(capsys, argv, message):
    code = _run(["design", "--hr", "0.7", "--accrual", "12", "--follow-up", "12", *argv])
    assert code == 2 and message in capsys.readouterr().err
