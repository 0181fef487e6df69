"""Cluster delivery: the design effect for programmes delivered by teams or regions."""

from __future__ import annotations

from kow_research.design._common import check_number
from kow_research.design.results import SampleSizeResult, rerun


def design_effect(*, cluster_size: float, icc: float, cv: float = 0.0) -> float:
    r"""Design effect of randomising (or delivering) in clusters of unequal size.

    .. math::

        \mathrm{DE} = 1 + \bigl((\mathrm{cv}^2 + 1)\,\bar m - 1\bigr)\,\rho,

    with :math:`\bar m` the mean cluster size, :math:`\mathrm{cv}` the coefficient of
    variation of the cluster sizes (standard deviation / mean) and :math:`\rho` the
    intracluster correlation of the outcome. With equal cluster sizes (``cv=0``) it is the
    familiar :math:`1 + (m - 1)\rho`. An individually randomised sample size multiplied by DE
    gives the clustered one.

    Parameters
    ----------
    cluster_size : float
        Mean number of participants per cluster (team, region, municipality), >= 1.
    icc : float
        Intracluster correlation coefficient, 0 <= icc < 1.
    cv : float, default 0
        Coefficient of variation of the cluster sizes, >= 0.

    Returns
    -------
    float
        The design effect (>= 1).

    Raises
    ------
    ValueError
        If a parameter is outside its range.

    References
    ----------
    Kish L (1965). *Survey Sampling*. Wiley. Eldridge SM, Ashby D, Kerry S (2006). Sample size
    for cluster randomized trials: effect of coefficient of variation of cluster size and
    analysis method. *Int J Epidemiol* 35:1292-1300.

    Examples
    --------
    >>> design_effect(cluster_size=10, icc=0.05)           # 1 + 9 * 0.05
    1.45
    >>> round(design_effect(cluster_size=10, icc=0.05, cv=0.5), 4)  # 1 + (1.25*10 - 1) * 0.05
    1.575
    """
    m = check_number("cluster_size", cluster_size, low=1.0, low_open=False,
                     hint="the mean number of participants per cluster")
    rho = check_number("icc", icc, low=0.0, high=1.0, low_open=False,
                       hint="the intracluster correlation")
    c = check_number("cv", cv, low=0.0, low_open=False,
                     hint="the coefficient of variation of the cluster sizes")
    return 1.0 + ((c * c + 1.0) * m - 1.0) * rho


def inflate_for_clustering(result: SampleSizeResult, *, cluster_size: float, icc: float,
                           cv: float = 0.0) -> SampleSizeResult:
    """Recompute a sample size result for delivery in clusters.

    The calculation behind ``result`` is repeated with the design effect of
    :func:`design_effect` applied to the unrounded sample size (and, for time-to-event
    outcomes, to the events), so that rounding happens once and the proposal sentence states
    the design effect.

    Parameters
    ----------
    result : SampleSizeResult
        An unclustered result of :func:`kow_research.design.sample_size` (or one of the
        outcome-specific functions).
    cluster_size : float
        Mean number of participants per cluster, >= 1.
    icc : float
        Intracluster correlation coefficient, 0 <= icc < 1.
    cv : float, default 0
        Coefficient of variation of the cluster sizes, >= 0.

    Returns
    -------
    SampleSizeResult
        The clustered design (``attrs["design_effect"]``, clusters per arm in ``table``).

    Raises
    ------
    ValueError
        If ``result`` was solved for power, or already includes a design effect.

    Examples
    --------
    >>> from kow_research.design import sample_size
    >>> base = sample_size(outcome="proportion", p_control=0.25, p_treated=0.44)
    >>> base.n_treated
    98
    >>> inflate_for_clustering(base, cluster_size=10, icc=0.05).n_treated   # 97.08 * 1.45
    141
    """
    if not isinstance(result, SampleSizeResult):
        raise TypeError(f"expected a SampleSizeResult, got {type(result).__name__}")
    if result.solved_for != "n":
        raise ValueError("inflate_for_clustering needs a sample size result; for power with "
                         "clusters pass cluster_size, icc and cluster_cv to power() directly")
    if result.attrs.get("cluster_size") is not None:
        raise ValueError("this result already includes a design effect "
                         f"({result.attrs['design_effect']:.4g}); start from the unclustered one")
    return rerun(result, cluster_size=cluster_size, icc=icc, cluster_cv=cv)
