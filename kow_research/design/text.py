"""The paragraph for a grant proposal, in English or Dutch, built from a design result.

Every number in the text is read from the result (its fields and ``attrs``); nothing is
typed beside the calculation.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from kow_research.core import check_choice

if TYPE_CHECKING:
    from kow_research.design.results import SampleSizeResult

LANGUAGES = ("en", "nl")


def number(x: float, language: str, digits: int = 3) -> str:
    """``x`` to ``digits`` significant digits, with a decimal comma in Dutch."""
    text = f"{x:.{digits}g}"
    if "e" in text:
        text = f"{x:.{digits}f}"
    return text.replace(".", ",") if language == "nl" else text


def fixed(x: float, language: str, decimals: int = 2) -> str:
    """``x`` with a fixed number of decimals, with a decimal comma in Dutch."""
    text = f"{x:.{decimals}f}"
    return text.replace(".", ",") if language == "nl" else text


def percent(p: float, language: str) -> str:
    """A proportion as a percentage ("80%", Dutch "80 %"), one decimal unless whole."""
    v = 100 * p
    text = f"{v:.0f}" if abs(v - round(v)) < 0.05 else f"{v:.1f}"
    if language == "nl":
        return text.replace(".", ",") + " %"
    return text + "%"


def months(x: float, language: str) -> str:
    word = ("month" if x == 1 else "months") if language == "en" else \
        ("maand" if x == 1 else "maanden")
    return f"{number(x, language)} {word}"


def participants(n_t: int, n_c: int, language: str) -> str:
    total = n_t + n_c
    if language == "en":
        if n_t == n_c:
            return f"2 × {n_t} participants ({total} in total)"
        return (f"{n_t} participants in the programme group and {n_c} in the control group "
                f"({total} in total)")
    if n_t == n_c:
        return f"2 × {n_t} deelnemers ({total} in totaal)"
    return f"{n_t} deelnemers in de programmagroep en {n_c} in de controlegroep ({total} in totaal)"


def _loss(attrs: dict[str, Any], language: str) -> str:
    eta = float(attrs.get("loss_hazard") or 0.0)
    if eta <= 0:
        return ""
    per_year = percent(-math.expm1(-12 * eta), language)
    return (f"loss to follow-up of {per_year} per year" if language == "en"
            else f"uitval uit de follow-up van {per_year} per jaar")


def _control_time(attrs: dict[str, Any], language: str) -> str:
    args = attrs["arguments"]
    en = language == "en"
    if args.get("median_control") is not None:
        m = months(args["median_control"], language)
        return (f"a median time to paid work of {m} in the control group" if en else
                f"een mediane tijd tot betaald werk van {m} in de controlegroep")
    if args.get("proportion_control") is not None:
        p, h = percent(args["proportion_control"], language), months(args["horizon"], language)
        return (f"{p} in paid work within {h} in the control group" if en else
                f"{p} in betaald werk binnen {h} in de controlegroep")
    lam = number(attrs["hazard_control"], language)
    return (f"a hazard of paid work of {lam} per month in the control group" if en else
            f"een hazard van betaald werk van {lam} per maand in de controlegroep")


def _control_competing(attrs: dict[str, Any], language: str) -> str:
    lam, kap = number(attrs["hazard_control"], language), number(attrs["competing_hazard"],
                                                                  language)
    if language == "en":
        return (f"hazards in the control group of {lam} per month for paid work and {kap} "
                "per month for dropout")
    return (f"een hazard in de controlegroep van {lam} per maand voor betaald werk en {kap} "
            "per maand voor uitval")


def _effect(res: Any, language: str) -> tuple[str, str]:
    """(what is detected, method and reference) for ``res``."""
    a, en = res.attrs, language == "en"
    if res.outcome == "proportion":
        at = ""
        if a.get("horizon") is not None:
            h = months(a["horizon"], language)
            at = f" at {h}" if en else f" na {h}"
        pc, pt = percent(a["p_control"], language), percent(a["p_treated"], language)
        effect = (f"a difference in the proportion in paid work{at} of {pc} (control) versus "
                  f"{pt} (programme)" if en else
                  f"een verschil in het aandeel in betaald werk{at} van {pc} (controle) tegenover "
                  f"{pt} (programma)")
        cc = a.get("continuity_correction")
        method = {
            "pooled": ("normal approximation with pooled variance"
                       + (" and continuity correction" if cc else "")
                       + "; Fleiss, Levin & Paik 2003") if en else
                      ("normale benadering met gepoolde variantie"
                       + (" en continuïteitscorrectie" if cc else "")
                       + "; Fleiss, Levin & Paik 2003"),
            "unpooled": "normal approximation with unpooled variance" if en else
                        "normale benadering met ongepoolde variantie",
            "arcsine": (f"arcsine transformation, Cohen's h = {number(abs(a['cohens_h']), language)}"
                        "; Cohen 1988") if en else
                       (f"arcsinustransformatie, Cohens h = {number(abs(a['cohens_h']), language)}"
                        "; Cohen 1988"),
        }[a["method"]]
        return effect, method
    if res.outcome == "ladder":
        dist = ", ".join(percent(p, language) for p in a["rung_probabilities_control"])
        orr = number(a["odds_ratio"], language)
        effect = (f"a shift up the participation ladder with a common odds ratio of {orr} "
                  f"(proportional odds; control distribution over the rungs {dist})" if en else
                  f"een verschuiving omhoog op de participatieladder met een gemeenschappelijke "
                  f"odds ratio van {orr} (proportionele odds; verdeling over de treden in de "
                  f"controlegroep {dist})")
        return effect, "Whitehead 1993"
    hr = number(a["hr"], language)
    method = {"schoenfeld": "Schoenfeld 1983", "freedman": "Freedman 1982"}[a["method"]]
    if res.outcome == "time":
        return ((f"a hazard ratio of paid work of {hr} (programme versus control)" if en else
                 f"een hazardratio voor betaald werk van {hr} (programma ten opzichte van "
                 "controle)"), method)
    if res.outcome == "competing_subdistribution":
        return ((f"a subdistribution hazard ratio of paid work of {hr} (programme versus "
                 "control)" if en else
                 f"een subdistributie-hazardratio voor betaald werk van {hr} (programma ten "
                 "opzichte van controle)"),
                ("Fine-Gray model, dropout as a competing event; " if en else
                 "Fine-Gray-model, uitval als concurrerende gebeurtenis; ") + method)
    extra = ""
    if a.get("competing_hr", 1.0) != 1.0:
        k = number(a["competing_hr"], language)
        extra = f" and a hazard ratio of dropout of {k}" if en else \
            f" en een hazardratio voor uitval van {k}"
    return ((f"a cause-specific hazard ratio of paid work of {hr}{extra} (programme versus "
             "control)" if en else
             f"een oorzaakspecifieke hazardratio voor betaald werk van {hr}{extra} (programma "
             "ten opzichte van controle)"),
            ("cause-specific Cox model, dropout as a competing event; " if en else
             "oorzaakspecifiek Cox-model, uitval als concurrerende gebeurtenis; ") + method)


def _conversion(res: Any, language: str) -> tuple[str, str]:
    """Time-to-event outcomes: (accrual, follow-up and control arm; the probability of an
    observed event of interest with its reference)."""
    a, en = res.attrs, language == "en"
    control = _control_time(a, language) if res.outcome == "time" else \
        _control_competing(a, language)
    acc, fu = months(a["accrual"], language), months(a["follow_up"], language)
    ref = {"time": "Lachin & Foulkes 1986",
           "competing_subdistribution": "Latouche, Porcher & Chevret 2004",
           "competing_cause_specific": "Pintilie 2002"}[res.outcome]
    p = fixed(a["p_event"], language)
    items = ([f"uniform accrual over {acc}", f"{fu} of further follow-up"] if en else
             [f"gelijkmatige instroom over {acc}", f"{fu} aanvullende follow-up"])
    items += [control, _loss(a, language)]
    items = [i for i in items if i]
    setting = ", ".join(items[:-1]) + (" and " if en else " en ") + items[-1]
    if en:
        return setting, f"the probability of observing an entry into paid work is {p} ({ref})"
    return setting, f"de kans om een overgang naar betaald werk waar te nemen {p} ({ref})"


def _adjustments(res: Any, language: str) -> list[str]:
    a, en, out = res.attrs, language == "en", []
    if a.get("attrition"):
        pa = percent(a["attrition"], language)
        out.append(f"This allows for {pa} of participants without an outcome measurement."
                   if en else f"Hierbij is rekening gehouden met {pa} deelnemers zonder "
                   "uitkomstmeting.")
    if a.get("cluster_size") is not None:
        de, m = number(a["design_effect"], language), number(a["cluster_size"], language)
        icc = number(a["icc"], language)
        cv = ""
        if a.get("cluster_cv"):
            c = number(a["cluster_cv"], language)
            cv = f", coefficient of variation of cluster size {c}" if en else \
                f", variatiecoëfficiënt van de clustergrootte {c}"
        k = res.table.set_index("arm")["clusters"]
        out.append(
            f"It includes a design effect of {de} for delivery in clusters of on average {m} "
            f"participants (ICC {icc}{cv}; Eldridge, Ashby & Kerry 2006), i.e. "
            f"{k['programme']} + {k['control']} clusters." if en else
            f"Dit omvat een designeffect van {de} voor uitvoering in clusters van gemiddeld {m} "
            f"deelnemers (ICC {icc}{cv}; Eldridge, Ashby & Kerry 2006), dat wil zeggen "
            f"{k['programme']} + {k['control']} clusters.")
    return out


def sentence(res: SampleSizeResult, *, language: str = "en") -> str:
    """One paragraph describing the design ``res`` (a ``SampleSizeResult``).

    Parameters
    ----------
    res : SampleSizeResult
    language : {"en", "nl"}

    Returns
    -------
    str
    """
    check_choice("language", language, LANGUAGES)
    en = language == "en"
    effect, method = _effect(res, language)
    alt = res.attrs.get("alternative", "two-sided")
    sided = ("two-sided" if alt == "two-sided" else "one-sided") if en else \
        ("tweezijdige" if alt == "two-sided" else "eenzijdige")
    pw, alpha = percent(res.power, language), number(res.alpha, language)
    people = participants(res.n_treated, res.n_control, language)
    timed = res.outcome not in ("proportion", "ladder")
    if res.solved_for == "n":
        if en:
            head = f"To detect {effect} with {pw} power in a {sided} test at α = {alpha} ({method}), "
        else:
            head = (f"Om met een onderscheidend vermogen van {pw} bij een {sided} toets met "
                    f"α = {alpha} {effect} aan te tonen ({method}), ")
        if timed:
            d = res.events
            setting, prob = _conversion(res, language)
            text = (f"{head}{d} entries into paid work are needed; with {setting}, {prob}, so "
                    f"{people} are needed." if en else
                    f"{head}zijn {d} overgangen naar betaald werk nodig; bij {setting} is {prob}, "
                    f"zodat {people} nodig zijn.")
        else:
            text = f"{head}{people} are needed." if en else f"{head}zijn {people} nodig."
    else:
        if timed:
            setting, prob = _conversion(res, language)
            assert res.expected_events is not None
            e = str(int(round(res.expected_events)))
            text = (f"With {people}, {setting}, {prob}, so about {e} entries into paid work are "
                    f"expected; this gives {pw} power to detect {effect} in a {sided} test at "
                    f"α = {alpha} ({method})." if en else
                    f"Met {people}, {setting} is {prob}, zodat ongeveer {e} overgangen naar betaald werk "
                    f"verwacht worden; dat geeft een onderscheidend vermogen van {pw} om "
                    f"{effect} aan te tonen bij een {sided} toets met α = {alpha} ({method}).")
        else:
            text = (f"With {people}, the study has {pw} power to detect {effect} in a {sided} "
                    f"test at α = {alpha} ({method})." if en else
                    f"Met {people} heeft het onderzoek een onderscheidend vermogen van {pw} om "
                    f"{effect} aan te tonen bij een {sided} toets met α = {alpha} ({method}).")
    return " ".join([text, *_adjustments(res, language)])
