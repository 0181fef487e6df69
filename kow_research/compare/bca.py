"""Bias-corrected and accelerated (BCa) bootstrap limits and the jackknife that gives their
acceleration (the ``ci="bca"`` option of :func:`kow_research.compare.compare_outcomes`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: BCa acceleration: a per-person jackknife up to this many people per cohort, beyond it a
#: grouped (delete-a-group) jackknife with this many random groups per cohort
JACKKNIFE_MAX_GROUPS = 1000


def jackknife_groups(t: np.ndarray, *, seed: int | None,
                     max_groups: int = JACKKNIFE_MAX_GROUPS) -> list[np.ndarray]:
    """Persons to leave out together in the jackknife: each person alone when no cohort has
    more than ``max_groups`` people, else ``max_groups`` random groups of (nearly) equal size
    per cohort.

    Parameters
    ----------
    t : ndarray
        0/1 treatment indicator.
    seed : int, optional
        Seed of the random grouping (used only when a cohort has more than ``max_groups``).
    max_groups : int, default :data:`JACKKNIFE_MAX_GROUPS`
        Groups per cohort.

    Returns
    -------
    list of ndarray
        Row positions per group: each person in row order, or the treated cohort's groups
        first.

    Examples
    --------
    >>> t = np.array([1, 1, 1, 0, 0, 0, 0])
    >>> [x.tolist() for x in jackknife_groups(t, seed=1, max_groups=4)]
    [[0], [1], [2], [3], [4], [5], [6]]
    >>> g = jackknife_groups(t, seed=1, max_groups=2)
    >>> [len(x) for x in g], sorted(np.concatenate(g).tolist())
    ([2, 1, 2, 2], [0, 1, 2, 3, 4, 5, 6])
    """
    t = np.asarray(t)
    if max(int((t == 1).sum()), int((t == 0).sum())) <= max_groups:
        return list(np.arange(len(t))[:, None])
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xBCA,)))
    groups: list[np.ndarray] = []
    for g in (1, 0):
        idx = np.flatnonzero(t == g)
        groups.extend(np.array_split(rng.permutation(idx), min(max_groups, len(idx))))
    return groups


def bca_limits(replicates: np.ndarray, estimate: np.ndarray, jackknife: Sequence[np.ndarray],
               *, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""Bias-corrected and accelerated (BCa) bootstrap limits, per column.

    With :math:`B` replicates :math:`\hat\theta^*_b` of the estimate :math:`\hat\theta`,

    .. math::

        \hat z_0 = \Phi^{-1}\Bigl(\frac{\#\{\hat\theta^*_b < \hat\theta\}
        + \#\{\hat\theta^*_b \le \hat\theta\}}{2B}\Bigr),\qquad
        \alpha_{1,2} = \Phi\Bigl(\hat z_0 + \frac{\hat z_0 + z_{\alpha/2,\,1-\alpha/2}}
        {1 - \hat a(\hat z_0 + z_{\alpha/2,\,1-\alpha/2})}\Bigr),

    and the limits are the :math:`\alpha_1, \alpha_2` quantiles of the replicates (linear
    interpolation). The acceleration comes from the jackknife of each independently resampled
    sample :math:`j` (the cohorts) with :math:`n_j` leave-out values
    :math:`\hat\theta_{(i)}`: :math:`U_{ji} = (n_j - 1)(\bar\theta_{(\cdot)} -
    \hat\theta_{(i)})`,

    .. math::

        \hat a = \frac{1}{6} \frac{\sum_j \sum_i U_{ji}^3 / n_j^3}
        {\bigl(\sum_j \sum_i U_{ji}^2 / n_j^2\bigr)^{3/2}},

    for one sample :math:`\sum_i d_i^3 / \{6 (\sum_i d_i^2)^{3/2}\}` with :math:`d_i =
    \bar\theta_{(\cdot)} - \hat\theta_{(i)}` (Efron 1987, eq. 6.6; the ties and the several
    samples as :func:`scipy.stats.bootstrap`). A grouped jackknife (leave out groups of
    :math:`m` people, :math:`n_j` the number of groups) estimates the same :math:`\hat a`:
    :math:`U_{ji}` is then the mean influence of the group, whose second and third moments
    scale as :math:`1/m` and :math:`1/m^2`, as the formula needs. NaN replicates and
    jackknife values are left out; a column whose estimate lies outside all its replicates
    (:math:`\hat z_0` infinite) gets NaN limits.

    Parameters
    ----------
    replicates : ndarray, shape (B, k)
        Bootstrap replicates.
    estimate : ndarray, shape (k,)
        Full-data estimates.
    jackknife : sequence of ndarray, each shape (n_j, k)
        Leave-one-out (or leave-group-out) estimates per independently resampled sample.
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    (lower, upper, z0, a) : tuple of ndarray, each shape (k,)

    References
    ----------
    Efron B (1987). Better bootstrap confidence intervals. JASA 82:171-185. Efron B,
    Tibshirani RJ (1993). An Introduction to the Bootstrap, ch. 14. Chapman & Hall.

    Examples
    --------
    The mean of 0, 1, 2, 9 (3), four replicates. Two are below the estimate and none equal,
    so :math:`\hat z_0 = \Phi^{-1}(0.5) = 0`. For a mean :math:`d_i = (x_i - \bar x)/(n-1)`,
    so :math:`\hat a = \sum (x_i - \bar x)^3 / \{6 (\sum (x_i - \bar x)^2)^{3/2}\} = 180 /
    (6 \cdot 50^{3/2}) = 0.0849`; the levels are :math:`\Phi(\mp 1.96 / (1 \pm 1.96 \hat a))
    = 0.0464, 0.9906`, the quantiles 2 + 0.139 * 0.5 and 3.5 + 0.972 * 1.5:

    >>> x = np.array([0.0, 1, 2, 9])
    >>> reps = np.array([[2.0], [2.5], [3.5], [5.0]])
    >>> lo, hi, z0, a = bca_limits(reps, np.array([3.0]), [(x.sum() - x[:, None]) / 3])
    >>> float(z0[0]), round(float(a[0]), 4), round(float(lo[0]), 3), round(float(hi[0]), 3)
    (0.0, 0.0849, 2.07, 4.958)
    """
    from scipy.special import ndtr, ndtri

    reps = np.asarray(replicates, dtype=float)
    est = np.asarray(estimate, dtype=float)
    k = reps.shape[1]
    lower, upper = np.full(k, np.nan), np.full(k, np.nan)
    z0s, accel = np.full(k, np.nan), np.full(k, np.nan)
    z = ndtri(np.array([alpha / 2, 1 - alpha / 2]))
    for c in range(k):
        r = reps[np.isfinite(reps[:, c]), c]
        if len(r) < 2 or not np.isfinite(est[c]):
            continue
        z0 = float(ndtri((np.sum(r < est[c]) + np.sum(r <= est[c])) / (2 * len(r))))
        num = den = 0.0
        for jk in jackknife:
            v = np.asarray(jk, dtype=float)[:, c]
            v = v[np.isfinite(v)]
            if len(v) < 2:
                continue
            u = (len(v) - 1) * (v.mean() - v)
            num += float(np.sum(u ** 3)) / len(v) ** 3
            den += float(np.sum(u ** 2)) / len(v) ** 2
        a = num / (6 * den ** 1.5) if den > 0 else 0.0
        z0s[c], accel[c] = z0, a
        if not np.isfinite(z0):
            continue
        levels = ndtr(z0 + (z0 + z) / (1 - a * (z0 + z)))
        lower[c], upper[c] = np.quantile(r, levels)
    return lower, upper, z0s, accel
