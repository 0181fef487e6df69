r"""The reader's side of disclosure control: solve for hidden counts exactly.

Used by :class:`kow_research.report.ledger.DisclosureLedger`, which takes its record types
(:class:`Cell`, :class:`Partition`, :class:`Mean`, :class:`Percent`, :class:`SMD`) from here. The model is a :class:`System` of unknown non-negative integer counts with bounds
and linear equations (published partitions). On top of it:

* :func:`integer_range` — the smallest and largest value an unknown takes over all integer
  solutions (two mixed-integer programs, HiGHS through :func:`scipy.optimize.milp`); equal
  ends mean the count is recovered. Candidate sets found by the functions below enter as
  domains (binary selectors for small sets);
* :func:`mean_denominators` — the denominators :math:`n` for which a printed mean of data
  ``step`` apart, :math:`\bar x = s\,\mathrm{step} / n`, can be reproduced by an integer
  :math:`s`;
* :func:`percent_pairs` — the (numerator, denominator) pairs reproducing a printed percentage;
* :func:`enumerate_assignments` — every integer assignment of a few unknowns within their
  bounds that satisfies the equations among them (the others are eliminated), for brute force
  over an SMD;
* :func:`smd_values` — the SMD of categorical counts, vectorised over candidate tables.

"Reproduces" means: within half a unit of the last printed digit (plus a relative slack of
:math:`10^{-12}` for values printed at full floating-point precision).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

#: domains larger than this enter the integer program as bounds only
MAX_DOMAIN = 200
#: a term of a record: (index of an unknown, nan) or (None, a published value)
Term = tuple[int | None, float]


def printed_value(value: float | str) -> tuple[float, float]:
    """A printed number and half a unit of its last printed digit.

    Parameters
    ----------
    value : float or str
        As printed (``"3.1"``, ``"0.625"``) or a float, whose shortest ``repr`` is taken as
        what was printed (``3.0588235294117645`` has 16 decimals). A relative slack of
        :math:`10^{-12}` covers floating-point noise.

    Returns
    -------
    (float, float)

    Examples
    --------
    >>> value, tol = printed_value("3.1")
    >>> value, round(tol, 9)
    (3.1, 0.05)
    >>> printed_value(52 / 17)[1] < 1e-11
    True
    """
    text = value.strip().replace(",", ".") if isinstance(value, str) else repr(float(value))
    v = float(text)
    if "e" in text.lower():
        mantissa, exp = text.lower().split("e")
        d = (len(mantissa.split(".")[1]) if "." in mantissa else 0) - int(exp)
    else:
        d = len(text.split(".")[1]) if "." in text else 0
    return v, 0.5 * 10.0 ** (-d) + 1e-12 * max(1.0, abs(v))


# ----------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Cell:
    """A cell of another registered table, as a reference in a partition or record.

    Examples
    --------
    >>> Cell("tables/attrition.csv", "attrition", "KOW entered", "n").file
    'tables/attrition.csv'
    """

    file: str
    table: str
    row: Hashable
    column: Hashable


#: a reference: ``(row, column)`` of the registering table, a :class:`Cell`, a named quantity
#: (``str``; unregistered names are unpublished counts, e.g. the "no" of a yes/no row) or a
#: number
Ref = tuple[Hashable, Hashable] | Cell | str | int | float


@dataclass(frozen=True)
class Partition:
    """Published cells that add up to a total (which may itself be a reference)."""

    members: Sequence[Ref]
    total: Ref


@dataclass(frozen=True)
class Mean:
    """A printed mean of integer-valued data (``step`` apart) over ``n`` persons."""

    value: float | str
    n: Ref
    step: float | None = 1.0


@dataclass(frozen=True)
class Percent:
    """A printed percentage ``scale * numerator / denominator``."""

    value: float | str
    numerator: Ref
    denominator: Ref
    scale: float = 100.0


@dataclass(frozen=True)
class SMD:
    """A printed SMD of a categorical characteristic: per group the level counts (one level:
    the "yes" of a binary characteristic, then ``n`` is needed) and the persons with a known
    value (default: the sum of the level counts). Two groups may be ``signed``
    (first minus second); more than two give the largest pairwise SMD."""

    value: float | str
    counts: Sequence[Sequence[Ref]]
    n: Sequence[Ref] | None = None
    signed: bool = False


@dataclass
class System:
    """Unknown counts (``names``), their bounds and equations ``sum(coef * x) = rhs``.

    Examples
    --------
    >>> s = System(["a", "b"], np.array([1.0, 0.0]), np.array([4.0, 50.0]))
    >>> s.add({0: 1.0, 1: 1.0}, 5.0, "a + b = 5")
    >>> len(s.rows)
    1
    """

    names: list[str]
    lo: np.ndarray
    hi: np.ndarray
    rows: list[dict[int, float]] = field(default_factory=list)
    rhs: list[float] = field(default_factory=list)
    origin: list[str] = field(default_factory=list)

    def add(self, coefs: dict[int, float], rhs: float, origin: str) -> None:
        """Add the equation ``sum(coefs[i] * x[i]) = rhs`` (``origin`` names where it is from).

        Parameters
        ----------
        coefs : dict of int to float
        rhs : float
        origin : str

        Examples
        --------
        >>> s = System(["a"], np.array([0.0]), np.array([9.0]))
        >>> s.add({0: 1.0}, 3.0, "a = 3"); s.rhs
        [3.0]
        """
        self.rows.append({v: c for v, c in coefs.items() if c != 0})
        self.rhs.append(float(rhs))
        self.origin.append(origin)

    def components(self) -> list[list[int]]:
        """Groups of unknowns linked by equations (unknowns in no equation are left out).

        Returns
        -------
        list of list of int

        Examples
        --------
        >>> s = System(list("abc"), np.zeros(3), np.full(3, 9.0))
        >>> s.add({0: 1.0, 1: 1.0}, 5.0, "")
        >>> s.components()
        [[0, 1]]
        """
        parent = list(range(len(self.names)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        used: set[int] = set()
        for row in self.rows:
            vs = list(row)
            used.update(vs)
            for v in vs[1:]:
                parent[find(v)] = find(vs[0])
        groups: dict[int, list[int]] = {}
        for v in sorted(used):
            groups.setdefault(find(v), []).append(v)
        return list(groups.values())


def integer_range(system: System, *, idx: int, members: list[int],
                  domains: dict[int, np.ndarray] | None = None) -> tuple[int, int] | None:
    """Smallest and largest integer value of unknown ``idx`` over all solutions.

    Parameters
    ----------
    system : System
    idx : int
        The unknown.
    members : list of int
        Its component (see :meth:`System.components`).
    domains : dict of int to numpy.ndarray, optional
        Allowed values of some unknowns (sets of up to :data:`MAX_DOMAIN` values are exact,
        larger ones enter as their range).

    Returns
    -------
    (int, int) or None
        None when no integer solution exists (the registered cells contradict each other).

    Examples
    --------
    ``a + b = 2`` with ``a`` a "<5" cell (1 to 4) and ``b`` any count: ``a`` is 1 or 2.

    >>> s = System(["a", "b"], np.array([1.0, 0.0]), np.array([4.0, 100.0]))
    >>> s.add({0: 1.0, 1: 1.0}, 2.0, "")
    >>> integer_range(s, idx=0, members=[0, 1])
    (1, 2)
    >>> integer_range(s, idx=0, members=[0, 1], domains={1: np.array([0, 5])})
    (2, 2)
    """
    local = {v: i for i, v in enumerate(members)}
    rows = [(r, b) for r, b in zip(system.rows, system.rhs, strict=True)
            if any(v in local for v in r)]
    lo = system.lo[members].astype(float).copy()
    hi = system.hi[members].astype(float).copy()
    exact: list[tuple[int, np.ndarray]] = []
    for v, dom in (domains or {}).items():
        if v not in local:
            continue
        dom = np.asarray(dom, dtype=float)
        if len(dom) == 0:
            return None
        lo[local[v]] = max(lo[local[v]], dom.min())
        hi[local[v]] = min(hi[local[v]], dom.max())
        if 1 < len(dom) <= MAX_DOMAIN:
            exact.append((local[v], dom))
    n_var = len(members) + sum(len(d) for _, d in exact)
    a = np.zeros((len(rows) + 2 * len(exact), n_var))
    b = np.zeros(len(a))
    for i, (row, rhs) in enumerate(rows):
        for v, coef in row.items():
            a[i, local[v]] = coef
        b[i] = rhs
    col = len(members)
    for e, (v, dom) in enumerate(exact):
        i = len(rows) + 2 * e
        a[i, v] = 1.0
        a[i, col:col + len(dom)] = -dom          # x_v = sum(d_j * z_j)
        a[i + 1, col:col + len(dom)] = 1.0       # sum(z_j) = 1
        b[i + 1] = 1.0
        col += len(dom)
    lo = np.concatenate([np.ceil(lo - 1e-9), np.zeros(n_var - len(members))])
    hi = np.concatenate([np.floor(hi + 1e-9), np.ones(n_var - len(members))])
    if (lo > hi).any():
        return None
    cons = [LinearConstraint(a, b, b)] if len(a) else []
    ends = []
    for sign in (1.0, -1.0):
        c = np.zeros(n_var)
        c[local[idx]] = sign
        res = milp(c, integrality=np.ones(n_var), bounds=Bounds(lo, hi), constraints=cons)
        if res.status != 0 or res.x is None:
            return None
        ends.append(int(round(float(res.x[local[idx]]))))
    return ends[0], ends[1]


def mean_denominators(value: float, *, tol: float, step: float, lo: int,
                      hi: int) -> np.ndarray:
    r"""Denominators ``n`` in ``[lo, hi]`` for which an integer ``s`` gives
    :math:`|s \cdot \mathrm{step} / n - \bar x| \le \mathrm{tol}`.

    Parameters
    ----------
    value : float
        The printed mean.
    tol : float
        Half a unit of its last printed digit.
    step : float
        Spacing of the data values (1 for rungs, sessions, whole months).
    lo, hi : int
        Bounds of the denominator.

    Returns
    -------
    numpy.ndarray of int

    Examples
    --------
    >>> mean_denominators(52 / 17, tol=1e-12 * 52 / 17, step=1.0, lo=1, hi=40).tolist()
    [17, 34]
    """
    n = np.arange(max(int(lo), 1), int(hi) + 1, dtype=float)
    s = np.round(value * n / step)
    ok = np.abs(s * step / n - value) <= tol
    return n[ok].astype(int)


def percent_pairs(value: float, *, tol: float, scale: float, x_range: tuple[int, int],
                  n_range: tuple[int, int], cap: int) -> np.ndarray | None:
    """(numerator, denominator) pairs within their ranges reproducing a printed percentage.

    Parameters
    ----------
    value, tol : float
        The printed value and half a unit of its last digit.
    scale : float
        100 for a percentage, 1 for a proportion.
    x_range, n_range : (int, int)
        Bounds of the numerator and the denominator.
    cap : int
        Give up (None) above this many candidate pairs.

    Returns
    -------
    numpy.ndarray or None
        Shape ``(m, 2)``.

    Examples
    --------
    2.6% of 100 to 130 people: 3 of 115 is one of them (2.6087%).

    >>> pairs = percent_pairs(2.6, tol=0.05, scale=100.0, x_range=(1, 4), n_range=(100, 130),
    ...                       cap=10_000)
    >>> [tuple(p) for p in pairs.tolist() if p[1] == 115]
    [(3, 115)]
    """
    n = np.arange(max(n_range[0], 1), n_range[1] + 1, dtype=float)
    xs_lo = np.maximum(np.ceil((value - tol) * n / scale - 1e-9), x_range[0])
    xs_hi = np.minimum(np.floor((value + tol) * n / scale + 1e-9), np.minimum(x_range[1], n))
    width = np.maximum(xs_hi - xs_lo + 1, 0).astype(int)
    if width.sum() > cap:
        return None
    nn = np.repeat(n, width)
    start = np.repeat(xs_lo, width)
    offset = np.arange(width.sum()) - np.repeat(np.cumsum(width) - width, width)
    return np.column_stack([start + offset, nn]).astype(int)


def enumerate_assignments(system: System, *, unknowns: list[int], cap: int,
                          domains: dict[int, np.ndarray] | None = None
                          ) -> dict[int, np.ndarray] | None:
    """Every integer assignment of ``unknowns`` within bounds and the equations among them.

    Unknowns that an equation (with a ±1 coefficient) defines from the others are computed,
    not enumerated; the remaining equations filter.

    Parameters
    ----------
    system : System
    unknowns : list of int
    cap : int
        Give up (None) when more than ``cap`` combinations would have to be formed.
    domains : dict, optional
        Allowed values of some unknowns.

    Returns
    -------
    dict of int to numpy.ndarray or None
        For each unknown, its value in every feasible assignment (equal-length arrays).

    Examples
    --------
    >>> s = System(["a", "b"], np.array([1.0, 0.0]), np.array([4.0, 100.0]))
    >>> s.add({0: 1.0, 1: 1.0}, 54.0, "")
    >>> out = enumerate_assignments(s, unknowns=[0, 1], cap=100)
    >>> out[0].tolist(), out[1].tolist()
    ([1, 2, 3, 4], [53, 52, 51, 50])
    """
    mine = set(unknowns)
    eqs = [(r, b) for r, b in zip(system.rows, system.rhs, strict=True)
           if r and set(r) <= mine]
    dependent: dict[int, tuple[dict[int, float], float]] = {}
    order: list[int] = []
    seen: set[int] = set()
    filters = []
    for row, rhs in eqs:
        choices = [v for v, c in row.items() if abs(c) == 1 and v not in seen
                   and v not in dependent]
        if choices:
            v = max(choices, key=lambda u: system.hi[u] - system.lo[u])
            dependent[v] = (row, rhs)
            order.append(v)
        else:
            filters.append((row, rhs))
        seen.update(row)
    free = [v for v in unknowns if v not in dependent]
    sizes = [int(system.hi[v] - system.lo[v]) + 1 for v in free]
    if math.prod(sizes) > cap:
        return None
    grids = np.meshgrid(*[np.arange(int(system.lo[v]), int(system.hi[v]) + 1) for v in free],
                        indexing="ij") if free else []
    values = {v: g.ravel().astype(np.int64) for v, g in zip(free, grids, strict=True)}
    m = len(next(iter(values.values()))) if values else 1
    keep = np.ones(m, dtype=bool)
    for v in order:
        row, rhs = dependent[v]
        acc = np.full(m, rhs)
        for u, c in row.items():
            if u != v:
                acc = acc - c * values[u]
        values[v] = np.round(acc / row[v]).astype(np.int64)
        keep &= (values[v] >= system.lo[v]) & (values[v] <= system.hi[v])
    for row, rhs in filters:
        keep &= np.isclose(sum(c * values[u] for u, c in row.items()), rhs)
    for v, dom in (domains or {}).items():
        if v in values:
            keep &= np.isin(values[v], dom)
    return {v: values[v][keep] for v in unknowns}


def smd_values(counts: np.ndarray, n: np.ndarray, *, signed: bool = False) -> np.ndarray:
    r"""SMDs of a categorical characteristic for many candidate count tables at once.

    Binary (one or two levels): :math:`(p_1 - p_2) / \sqrt{(p_1(1-p_1) + p_2(1-p_2))/2}`
    with :math:`p` the share of the last level; more levels: :math:`\sqrt{T^\top S^{+} T}`
    (Yang & Dalton 2012), as :func:`kow_research.report.table_one.smd_categorical`; more than
    two groups: the largest pairwise value.

    Parameters
    ----------
    counts : numpy.ndarray
        Shape ``(m, groups, levels)``: level counts per group.
    n : numpy.ndarray
        Shape ``(m, groups)``: persons with a known value per group.
    signed : bool, default False
        Keep the sign (first minus second group; two groups, binary only).

    Returns
    -------
    numpy.ndarray
        Shape ``(m,)``; NaN where a group is empty or the SMD is undefined.

    Examples
    --------
    30 of 100 against 50 of 100: :math:`0.2 / \sqrt{(0.21 + 0.25)/2} = 0.41703`.

    >>> smd_values(np.array([[[30], [50]]]), np.array([[100, 100]])).round(5).tolist()
    [0.41703]
    """
    c = np.asarray(counts, dtype=float)
    nn = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = c / nn[:, :, None]
    p[~np.isfinite(p)] = np.nan
    m, g, k = p.shape
    best = np.full(m, np.nan)
    for a, b in itertools.combinations(range(g), 2):
        pa, pb = p[:, a], p[:, b]
        if k <= 2:
            x, y = pa[:, -1], pb[:, -1]
            den = np.sqrt((x * (1 - x) + y * (1 - y)) / 2)
            with np.errstate(divide="ignore", invalid="ignore"):
                s = np.where(den > 0, (x - y) / den, np.where(x == y, 0.0, np.nan))
        else:
            t = (pa - pb)[:, 1:]
            eye = np.eye(k)
            cov = (pa[:, :, None] * eye - pa[:, :, None] * pa[:, None, :]
                   + pb[:, :, None] * eye - pb[:, :, None] * pb[:, None, :])[:, 1:, 1:] / 2
            ok = np.isfinite(t).all(axis=1) & np.isfinite(cov).all(axis=(1, 2))
            s = np.full(m, np.nan)
            if ok.any():
                q = np.einsum("mi,mij,mj->m", t[ok], np.linalg.pinv(cov[ok]), t[ok])
                s[ok] = np.sqrt(np.maximum(q, 0.0))
        if not (signed and g == 2 and k <= 2):
            s = np.abs(s)
        if g == 2:
            return s
        best = np.where(np.isnan(best) | (s > best), s, best)
    return best


def smd_candidates(system: System, *, groups: list[list[Term]], n: list[Term] | None,
                   value: float | str, signed: bool, cap: int,
                   domains: dict[int, np.ndarray] | None = None
                   ) -> dict[int, np.ndarray] | None:
    """The values of each hidden count consistent with a printed SMD (brute force).

    Parameters
    ----------
    system : System
        Bounds and equations of the hidden counts.
    groups : list of list of Term
        Per group, its level counts.
    n : list of Term or None
        Per group, the persons with a known value (None: the sum of the level counts).
    value : float or str
        The printed SMD.
    signed : bool
        The SMD keeps its sign (two groups, binary).
    cap : int
        Largest number of combinations to evaluate (None above it).
    domains : dict, optional
        Allowed values of some unknowns.

    Returns
    -------
    dict of int to numpy.ndarray or None
        For each hidden count in the record, its values over the consistent combinations.

    Examples
    --------
    3 of 115 against 60 of 70 ("yes" of a binary characteristic), the 3 hidden as "<5":

    >>> s = System(["x"], np.array([1.0]), np.array([4.0]))
    >>> smd_candidates(s, groups=[[(0, np.nan)], [(None, 60.0)]],
    ...                n=[(None, 115.0), (None, 70.0)], value="3.057", signed=False, cap=1000)
    {0: array([3])}
    """
    unknown = sorted({v for g in groups for v, _ in g if v is not None}
                     | {v for v, _ in (n or []) if v is not None})
    if not unknown:
        return {}
    out = enumerate_assignments(system, unknowns=unknown, cap=cap, domains=domains)
    if out is None:
        return None
    m = len(out[unknown[0]])

    def column(t: Term) -> np.ndarray:
        v, c = t
        return np.full(m, c) if v is None else out[v].astype(float)

    counts = np.stack([np.stack([column(t) for t in g], axis=1) for g in groups], axis=1)
    nn = counts.sum(axis=2) if n is None else np.stack([column(t) for t in n], axis=1)
    s = smd_values(counts, nn, signed=signed)
    v, tol = printed_value(value)
    ok = np.abs(s - (v if signed else abs(v))) <= tol
    return {u: np.unique(out[u][ok]) for u in unknown}
