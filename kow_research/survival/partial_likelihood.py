r"""Kernel layer, part 2: weighted partial-likelihood pieces from risk-set sums (Breslow/Efron).

Shared by the cause-specific Cox model and the Fine–Gray model. At each distinct event time
:math:`t_j` both need the risk-set moments :math:`S_r(t_j) = \sum_{i \in R_j} w_i e^{\eta_i}
x_i^{\otimes r}` (r = 0, 1, 2) and the same sums over the tied events :math:`D_r(t_j)`;
the log-likelihood, score, information (total and per event time) and the per-time factors of
the score residuals follow here without loops over people.

.. math::

    \ell(\beta) = \sum_j \Bigl[\sum_{i \in D_j} w_i \eta_i - \bar w_j
    \sum_{r=0}^{d_j - 1} \log\Bigl(S_0(t_j) - \tfrac{r}{d_j} D_0(t_j)\Bigr)\Bigr]

(Efron; Breslow drops the :math:`r/d_j` terms), :math:`\bar w_j` the mean weight of the events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kow_research.survival.kernels import reverse_cumsum, shifted_cumsum, sum_by_time


@dataclass(frozen=True)
class Moments:
    """Risk-set moments at every distinct time: ``s0`` (m,), ``s1`` (m, p), ``s2`` (m, p, p)."""

    s0: np.ndarray
    s1: np.ndarray
    s2: np.ndarray

    def __add__(self, other: Moments) -> Moments:
        return Moments(self.s0 + other.s0, self.s1 + other.s1, self.s2 + other.s2)

    def scaled(self, factor: np.ndarray) -> Moments:
        """Each time's moments multiplied by ``factor[j]``."""
        return Moments(factor * self.s0, factor[:, None] * self.s1,
                       factor[:, None, None] * self.s2)

    def take(self, rows: np.ndarray) -> Moments:
        """The moments at the time positions ``rows``."""
        return Moments(self.s0[rows], self.s1[rows], self.s2[rows])


def moments_by_time(index: np.ndarray, m: int, r: np.ndarray, x: np.ndarray,
                    xx: np.ndarray) -> Moments:
    """Sums of ``r``, ``r x`` and ``r x x'`` over the subjects exiting at each time."""
    return Moments(sum_by_time(index, r, m), sum_by_time(index, r[:, None] * x, m),
                   sum_by_time(index, r[:, None, None] * xx, m))


def at_risk_moments(index: np.ndarray, m: int, r: np.ndarray, x: np.ndarray,
                    xx: np.ndarray) -> Moments:
    r""":math:`S_r(t_j) = \sum_{T_i \ge t_j} r_i x_i^{\otimes r}` at every time."""
    by = moments_by_time(index, m, r, x, xx)
    return Moments(reverse_cumsum(by.s0), reverse_cumsum(by.s1), reverse_cumsum(by.s2))


def exited_before_moments(index: np.ndarray, m: int, r: np.ndarray, x: np.ndarray,
                          xx: np.ndarray) -> Moments:
    r""":math:`\sum_{T_i < t_j} r_i x_i^{\otimes r}` at every time (Fine–Gray's competing
    subjects who stay in the risk set after their event)."""
    by = moments_by_time(index, m, r, x, xx)
    return Moments(shifted_cumsum(by.s0), shifted_cumsum(by.s1), shifted_cumsum(by.s2))


def interval_moments(lo: np.ndarray, hi: np.ndarray, m: int, r: np.ndarray, x: np.ndarray,
                     xx: np.ndarray) -> Moments:
    r"""Risk-set moments of counting-process rows: a row is at risk at the time positions
    ``lo <= j < hi`` (its ``(start, stop]`` interval on the grid of ``m`` event times).

    :math:`S_r(t_j) = \sum_{i:\, lo_i \le j < hi_i} r_i x_i^{\otimes r}`, as a cumulative
    sum of entries minus exits (no loop over rows)."""
    def active(v: np.ndarray) -> np.ndarray:
        flat = v.reshape(len(v), -1)
        out = np.empty((m, flat.shape[1]))
        for a in range(flat.shape[1]):
            diff = (np.bincount(lo, weights=flat[:, a], minlength=m + 1)
                    - np.bincount(hi, weights=flat[:, a], minlength=m + 1))
            out[:, a] = diff.cumsum()[:m]
        return out.reshape((m, *v.shape[1:]))

    return Moments(active(r), active(r[:, None] * x), active(r[:, None, None] * xx))


@dataclass(frozen=True)
class Partial:
    """Log partial likelihood, score and information at one ``beta``, with per-time factors.

    ``h0, h1`` per event time: :math:`\\sum_r \\bar w / \\text{den}_r` and the same times
    :math:`\\bar x_r` (risk weight of a subject at risk that does not die then); ``g0, g1`` the
    same with Efron's :math:`(1 - r/d)` (the dying subjects'); ``xbar_d`` the mean of
    :math:`\\bar x_r` over the tied steps; ``info_by_time`` (optional) each event time's
    contribution to the information.
    """

    loglik: float
    score: np.ndarray
    info: np.ndarray
    h0: np.ndarray
    h1: np.ndarray
    g0: np.ndarray
    g1: np.ndarray
    xbar_d: np.ndarray
    info_by_time: np.ndarray | None = None


def partial(risk: Moments, tied: Moments, nd: np.ndarray, dw: np.ndarray,
            xsum_d: np.ndarray, etasum_d: np.ndarray, efron: bool,
            by_time: bool = False) -> Partial:
    """Combine the moments at the event times into the partial likelihood and its derivatives.

    Parameters
    ----------
    risk, tied : Moments
        Risk-set moments and the moments of the tied events, at the event times only.
    nd, dw : ndarray
        Number and total weight of the tied events at each event time.
    xsum_d, etasum_d : ndarray
        Weighted sums of ``x`` and of the linear predictor over the events at each time.
    efron : bool
        Efron's approximation for ties (else Breslow).
    by_time : bool
        Also return each event time's information matrix (for the PH test).
    """
    m, p = risk.s1.shape
    nd_int = nd.astype(np.int64)
    # expand each event time into its nd Efron steps r = 0..nd-1
    tj = np.repeat(np.arange(m), nd_int)
    r = np.arange(len(tj)) - np.repeat(np.cumsum(nd_int) - nd_int, nd_int)
    f = r / nd[tj] if efron else np.zeros(len(tj))
    mw = (dw / nd)[tj]
    den = risk.s0[tj] - f * tied.s0[tj]
    xb = (risk.s1[tj] - f[:, None] * tied.s1[tj]) / den[:, None]
    loglik = float(etasum_d.sum() - np.sum(mw * np.log(den)))
    score = xsum_d.sum(axis=0) - (mw[:, None] * xb).sum(axis=0)
    num2 = risk.s2[tj] - f[:, None, None] * tied.s2[tj]
    contrib = (mw / den)[:, None, None] * num2 - mw[:, None, None] * (
        xb[:, :, None] * xb[:, None, :])
    info = contrib.sum(axis=0)
    info_t = sum_by_time(tj, contrib, m) if by_time else None
    h0 = np.bincount(tj, weights=mw / den, minlength=m)
    h1 = sum_by_time(tj, (mw / den)[:, None] * xb, m) if p else np.zeros((m, 0))
    g0 = np.bincount(tj, weights=mw * (1 - f) / den, minlength=m)
    g1 = sum_by_time(tj, (mw * (1 - f) / den)[:, None] * xb, m) if p else np.zeros((m, 0))
    xbar_d = sum_by_time(tj, xb, m) / nd[:, None]
    return Partial(loglik, score, info, h0, h1, g0, g1, xbar_d, info_t)


@dataclass(frozen=True)
class ResidualParts:
    """Per-time factors on the full time grid and the Cox-type score residuals."""

    residuals: np.ndarray   # (n, p)
    h0: np.ndarray          # (m,)
    h1: np.ndarray          # (m, p)


def score_residuals(part: Partial, x: np.ndarray, exp_eta: np.ndarray, dead: np.ndarray,
                    index: np.ndarray, m: int, ev_times: np.ndarray) -> ResidualParts:
    r"""Score residuals of the Cox partial likelihood (Lin & Wei 1989), per unit weight:

    .. math::

        L_i = \delta_i \{x_i - \bar x(T_i)\} - e^{\eta_i} \sum_{t_j \le T_i}
        \frac{\bar w_j}{S_0(t_j)} \{x_i - \bar x(t_j)\}

    with the Efron-adjusted factors of :class:`Partial` for the subject's own event time.
    ``ev_times`` places the event-time factors on the full grid of ``m`` distinct times.
    """
    p = x.shape[1]
    h0, g0 = np.zeros(m), np.zeros(m)
    h1, g1, xbd = np.zeros((m, p)), np.zeros((m, p)), np.zeros((m, p))
    h0[ev_times], h1[ev_times], g0[ev_times], g1[ev_times] = part.h0, part.h1, part.g0, part.g1
    xbd[ev_times] = part.xbar_d
    before0 = shifted_cumsum(h0)[index]
    before1 = shifted_cumsum(h1)[index]
    own0 = np.where(dead, g0[index], h0[index])
    own1 = np.where(dead[:, None], g1[index], h1[index])
    resid = np.where(dead[:, None], x - xbd[index], 0.0) - exp_eta[:, None] * (
        x * (before0 + own0)[:, None] - (before1 + own1))
    return ResidualParts(residuals=resid, h0=h0, h1=h1)


def interval_score_residuals(part: Partial, x: np.ndarray, exp_eta: np.ndarray,
                             dead: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                             jd: np.ndarray) -> np.ndarray:
    r"""Score residuals of counting-process rows (per unit weight): the event term
    :math:`x_i - \bar x_j` minus :math:`e^{\eta_i}` times the risk-set terms summed over the
    event times in :math:`(start_i, stop_i]` (positions ``lo <= j < hi``), with the Efron
    :math:`(1 - r/d)` share at a row's own event time ``jd``. :func:`score_residuals` is the
    special case of one interval per person starting at 0."""
    m = len(part.h0)
    c0 = np.concatenate([[0.0], part.h0.cumsum()])
    c1 = np.vstack([np.zeros((1, x.shape[1])), part.h1.cumsum(axis=0)])
    j = np.clip(jd, 0, m - 1)
    own0 = np.where(dead, part.g0[j] - part.h0[j], 0.0)
    own1 = np.where(dead[:, None], part.g1[j] - part.h1[j], 0.0)
    risk0 = c0[hi] - c0[lo] + own0
    risk1 = c1[hi] - c1[lo] + own1
    event_part = np.where(dead[:, None], x - part.xbar_d[j], 0.0)
    return event_part - exp_eta[:, None] * (x * risk0[:, None] - risk1)  # type: ignore[no-any-return]


def sandwich(info: np.ndarray, weighted_residuals: np.ndarray) -> np.ndarray:
    r"""Robust covariance :math:`I^{-1} (\sum_i U_i U_i') I^{-1}` from rows :math:`U_i`."""
    inv = np.linalg.inv(info)
    return inv @ (weighted_residuals.T @ weighted_residuals) @ inv
