"""The comparison's statistics against values published for R and scipy, and against exact
enumeration worked out here with integers."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations

import pytest

from tracetui.analysis.compare.significance import (
    benjamini_hochberg,
    counts_of,
    fisher_exact_p,
    mann_whitney,
    normal_sf,
    percentile,
    proportion_p,
    two_proportion_p,
)


def test_normal_tail_matches_the_table():
    assert normal_sf(1.959963984540054) == pytest.approx(0.025, rel=1e-9)
    assert normal_sf(0.0) == 0.5
    assert normal_sf(3.0) == pytest.approx(0.0013498980316301, rel=1e-9)


def test_fisher_lady_tasting_tea():
    # Fisher's own example: 3 of 4 cups right; two-sided p = 34/70.
    assert fisher_exact_p(3, 1, 1, 3) == pytest.approx(34 / 70, rel=1e-9)


@pytest.mark.parametrize("table, expected", [
    ((6, 2, 1, 4), 0.10256410256410256),   # scipy.stats.fisher_exact docs
    ((8, 2, 1, 5), 0.03496503496503497),   # R fisher.test(matrix(c(8, 1, 2, 5), 2))
])
def test_fisher_published_values(table, expected):
    assert fisher_exact_p(*table) == pytest.approx(expected, rel=1e-9)


def _fisher_by_enumeration(a: int, b: int, c: int, d: int) -> Fraction:
    r1, r2, c1 = a + b, c + d, a + c
    total = math.comb(r1 + r2, c1)
    probs = {x: Fraction(math.comb(r1, x) * math.comb(r2, c1 - x), total)
             for x in range(max(0, c1 - r2), min(r1, c1) + 1)}
    return sum((p for p in probs.values() if p <= probs[a]), Fraction(0))


@pytest.mark.parametrize("table", [(0, 17, 5, 138), (2, 15, 0, 143), (9, 3, 40, 100), (1, 0, 0, 1), (4, 4, 4, 4)])
def test_fisher_equals_exact_enumeration(table):
    assert fisher_exact_p(*table) == pytest.approx(float(_fisher_by_enumeration(*table)), rel=1e-9)


def test_two_proportion_z_test_equals_the_chi_square_test():
    # R: prop.test(c(45, 30), c(100, 100), correct = FALSE)$p.value
    assert two_proportion_p(45, 100, 30, 100) == pytest.approx(0.02845974, rel=1e-6)
    assert two_proportion_p(0, 100, 0, 50) == 1.0  # nothing to compare
    assert two_proportion_p(10, 10, 20, 20) == 1.0


def test_small_counts_use_fisher_large_ones_the_z_test():
    assert proportion_p(2, 17, 0, 143) == pytest.approx(fisher_exact_p(2, 15, 0, 143))
    assert proportion_p(45, 100, 30, 100) == pytest.approx(two_proportion_p(45, 100, 30, 100))


def test_benjamini_hochberg_worked_example():
    # sorted p: .005 .01 .03 .04 -> p*m/rank: .02 .02 .04 .04 (then the running minimum from the top)
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert benjamini_hochberg([0.9, 0.8]) == pytest.approx([0.9, 0.9])
    assert benjamini_hochberg([]) == []


def test_mann_whitney_scipy_example_exact_and_asymptotic():
    males, females = [19, 22, 16, 29, 24], [20, 11, 17, 12]
    u, p = mann_whitney(counts_of(males), counts_of(females))
    assert u == 17
    assert p == pytest.approx(0.1111111111111111, rel=1e-9)  # scipy: method="exact"
    # With a tie the normal approximation is used (scipy: method="asymptotic" on the same data
    # gives 0.11134688653314041; one tie changes it only a little).
    _, p_tie = mann_whitney(counts_of(males + [20]), counts_of(females))
    assert 0.05 < p_tie < 0.2


def test_mann_whitney_exact_distribution_by_enumeration():
    xs, ys = [1, 5, 9], [2, 3, 4, 6]
    u, p = mann_whitney(counts_of(xs), counts_of(ys))
    assert u == sum(x > y for x in xs for y in ys)
    values = sorted(xs + ys)
    us = [sum(x > y for x in c for y in set(values) - set(c)) for c in combinations(values, 3)]
    extreme = max(u, 12 - u)
    assert p == pytest.approx(min(1.0, 2 * sum(v >= extreme for v in us) / len(us)))


def test_mann_whitney_separates_shifted_samples():
    slow = counts_of(range(100, 200))
    fast = counts_of(range(0, 150))
    u, p = mann_whitney(slow, fast)
    assert u / (100 * 150) > 0.8 and p < 1e-10
    assert mann_whitney(fast, fast)[1] == pytest.approx(1.0, abs=0.02)


def test_percentile_nearest_rank():
    values = list(range(1, 11))
    assert percentile(values, 90) == 9
    assert percentile(values, 50) == 5
    assert percentile(values, 99) == 10
    assert percentile([], 50) == 0
