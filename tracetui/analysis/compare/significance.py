"""The tests the comparison needs, in pure Python (no scipy): is a difference between the
selection and the baseline more than chance?

- `two_proportion_p`: two-sided z test of two shares (pooled), the usual test for large counts;
- `fisher_exact_p`: Fisher's exact test of a 2×2 table, two-sided (tables no more likely than the
  one observed, as R's `fisher.test` and scipy's `fisher_exact`), for small counts;
- `proportion_p`: the one to use: Fisher when an expected cell count is below 5, else the z test;
- `mann_whitney`: the Mann–Whitney U test of two samples of numbers (given as value → count):
  exact distribution for small samples without ties, else the normal approximation with tie
  and continuity corrections (as scipy's `method="auto"`);
- `benjamini_hochberg`: q-values controlling the false discovery rate over many tests.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

SQRT2 = math.sqrt(2.0)
SMALL_EXPECTED = 5.0  # an expected cell count below this: Fisher's exact test
_EXACT_MAX_CELLS = 400  # Mann–Whitney: exact distribution when n1 * n2 is at most this (and no ties)


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / SQRT2)


def two_proportion_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the pooled z test of x1/n1 against x2/n2 (1.0 when it cannot differ)."""
    if n1 <= 0 or n2 <= 0:
        return 1.0
    pooled = (x1 + x2) / (n1 + n2)
    if pooled <= 0.0 or pooled >= 1.0:
        return 1.0
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    z = abs(x1 / n1 - x2 / n2) / se
    return min(1.0, 2.0 * normal_sf(z))


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact_p(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test of the table [[a, b], [c, d]].

    Sums the hypergeometric probabilities of every table with the same margins that is no more
    likely than the observed one (with a relative tolerance of 1e-7 for ties, as R and scipy)."""
    r1, r2, c1 = a + b, c + d, a + c
    n = r1 + r2
    if n == 0 or r1 == 0 or r2 == 0 or c1 == 0 or c1 == n:
        return 1.0
    lo, hi = max(0, c1 - r2), min(r1, c1)
    log_total = _log_choose(n, c1)

    def log_p(x: int) -> float:
        return _log_choose(r1, x) + _log_choose(r2, c1 - x) - log_total

    observed = log_p(a)
    limit = observed + math.log1p(1e-7)
    p = 0.0
    for x in range(lo, hi + 1):
        lp = log_p(x)
        if lp <= limit:
            p += math.exp(lp)
    return min(1.0, p)


def proportion_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """Whether x1 of n1 differs from x2 of n2: Fisher's exact test when a count expected under
    no difference is below 5, else the two-proportion z test."""
    n = n1 + n2
    if n1 <= 0 or n2 <= 0:
        return 1.0
    with_, without = x1 + x2, n - x1 - x2
    smallest = min(n1, n2) * min(with_, without) / n
    if smallest < SMALL_EXPECTED:
        return fisher_exact_p(x1, n1 - x1, x2, n2 - x2)
    return two_proportion_p(x1, n1, x2, n2)


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """q-values (BH-adjusted p-values) in the order given: q_i = min over j with p_j >= p_i of
    p_j * m / rank_j, capped at 1."""
    m = len(p_values)
    order = sorted(range(m), key=p_values.__getitem__)
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = min(1.0, running)
    return q


def mann_whitney(xs: Mapping[float, int], ys: Mapping[float, int]) -> tuple[float, float]:
    """(U of the first sample, two-sided p-value) for samples given as {value: how many times}.

    U counts the pairs (x, y) with x > y, ties counting one half; U / (n1 * n2) is the chance
    that a value of the first sample exceeds one of the second (0.5: no difference)."""
    n1, n2 = sum(xs.values()), sum(ys.values())
    if n1 == 0 or n2 == 0:
        return 0.0, 1.0
    values = sorted(set(xs) | set(ys))
    rank_sum = 0.0
    tie_term = 0.0
    seen = 0
    for v in values:
        a, b = xs.get(v, 0), ys.get(v, 0)
        t = a + b
        mid_rank = seen + (t + 1) / 2.0
        rank_sum += a * mid_rank
        if t > 1:
            tie_term += t * t * t - t
        seen += t
    u1 = rank_sum - n1 * (n1 + 1) / 2.0
    if tie_term == 0.0 and n1 * n2 <= _EXACT_MAX_CELLS:
        return u1, _exact_u_p(u1, n1, n2)
    n = n1 + n2
    mean = n1 * n2 / 2.0
    var = n1 * n2 / 12.0 * ((n + 1) - tie_term / (n * (n - 1)))
    if var <= 0.0:
        return u1, 1.0
    z = (abs(u1 - mean) - 0.5) / math.sqrt(var)  # continuity correction
    return u1, min(1.0, 2.0 * normal_sf(max(z, 0.0)))


def _exact_u_p(u1: float, n1: int, n2: int) -> float:
    """Two-sided exact p-value of U without ties: 2 × P(U >= max(u, n1 n2 - u))."""
    counts = _u_distribution(n1, n2)
    total = sum(counts)
    u = max(u1, n1 * n2 - u1)
    tail = sum(counts[math.ceil(u):])
    return min(1.0, 2.0 * tail / total)


def _u_distribution(n1: int, n2: int) -> list[int]:
    """How many of the C(n1+n2, n1) orderings give each U (0 … n1 n2): the recurrence
    f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u), built up over m."""
    # row[n][u] for the current m; start with m = 0: one ordering, U = 0, for every n.
    rows = [[1] for _ in range(n2 + 1)]
    for m in range(1, n1 + 1):
        new = [[1]]  # n = 0: U = 0 only
        for n in range(1, n2 + 1):
            size = m * n + 1
            f = [0] * size
            prev_m = rows[n]  # f(m-1, n, ·)
            for u, c in enumerate(prev_m):
                f[u + n] += c
            for u, c in enumerate(new[n - 1]):  # f(m, n-1, ·)
                f[u] += c
            new.append(f)
        rows = new
    return rows[n2]


def percentile(sorted_values: Sequence[int], pct: float) -> int:
    """Nearest-rank percentile of sorted values (the smallest value with at least pct% at or below it)."""
    n = len(sorted_values)
    if not n:
        return 0
    rank = max(1, math.ceil(pct / 100.0 * n))
    return sorted_values[min(rank, n) - 1]


def counts_of(values: Iterable[float]) -> dict[float, int]:
    out: dict[float, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out
