"""T-scores and percentiles from norms, and the Jacobson–Truax reliable change index."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sunflower.scales import compare_to_norm, instrument_reliable_change, reliable_change_index
from sunflower.scales.norms import percentile, t_score
from sunflower.scales.tests.helpers import d, instrument


class NormTestCase:
    def test_it_computes_t_scores_exactly(self) -> None:
        # One SD above the mean is T 60; (1.65 − 1.65)/0.51 = 0 is T 50.
        assert t_score(d("2.16"), d("1.65"), d("0.51")) == d("60.0")
        assert t_score(d("1.65"), d("1.65"), d("0.51")) == d("50.0")
        assert t_score(0, d("13.0"), d("6.35")) == d("29.5")  # 50 + 10 × (−13/6.35) = 29.53

    def test_it_gives_normal_percentiles(self) -> None:
        assert percentile(d("1.50"), d("1.50"), d("0.59")) == d("50.0")
        assert percentile(d("2.09"), d("1.50"), d("0.59")) == d("84.1")  # z = 1
        assert percentile(d("0.32"), d("1.50"), d("0.59")) == d("2.3")  # z = −2

    def test_it_compares_an_scl90_factor_with_the_1986_norm(self) -> None:
        # Depression 1.50 ± 0.59: (2.09 − 1.50)/0.59 = 1.00 → T 60.0, 84.1st percentile.
        comparison = compare_to_norm(instrument("scl90"), "subscales.depression", d("2.09"))
        assert (comparison.group, comparison.z, comparison.t, comparison.percentile) == (
            "cn_adults_1986",
            d("1.00"),
            d("60.0"),
            d("84.1"),
        )
        assert comparison.evidence == "unverified"

    def test_it_compares_a_cpss_total_with_the_chinese_urban_norm(self) -> None:
        # (30 − 24.22)/5.81 = 0.9948 → T 59.9.
        comparison = compare_to_norm(instrument("cpss14"), "total", 30, group="cn_urban_2003")
        assert (comparison.z, comparison.t) == (d("0.99"), d("59.9"))

    def test_it_names_a_missing_norm(self) -> None:
        with pytest.raises(KeyError, match="phq9 has no norm for total"):
            compare_to_norm(instrument("phq9"), "total", 10)


class ReliableChangeTestCase:
    def test_it_reproduces_the_pss10_threshold(self) -> None:
        # SEdiff = 6.35 × √(2 × 0.22) = 4.2121; threshold 1.96 × 4.2121 = 8.256 → 8.26 (≈ 8.3 in
        # scales.md §5). 25 → 16: RCI −9/4.2121 = −2.137 → −2.14: reliable improvement.
        change = instrument_reliable_change(instrument("pss10"), "total", 25, 16)
        assert (change.rci, change.threshold) == (d("-2.14"), d("8.26"))
        assert (change.reliable, change.direction) == (True, "improved")

    def test_it_calls_a_smaller_change_unreliable(self) -> None:
        # 25 → 17: −8/4.2121 = −1.90, inside ±1.96.
        change = instrument_reliable_change(instrument("pss10"), "total", 25, 17)
        assert (change.rci, change.reliable, change.direction) == (
            d("-1.90"),
            False,
            "no_reliable_change",
        )

    def test_it_reads_direction_from_the_instrument(self) -> None:
        worse = reliable_change_index(10, 20, 5, "0.8")  # higher is worse: a rise is worsening
        better = reliable_change_index(10, 20, 5, "0.8", higher_is="better")
        # SEdiff = 5 × √0.4 = 3.1623; RCI = 10/3.1623 = 3.16.
        assert (worse.rci, worse.direction, better.direction) == (
            d("3.16"),
            "worsened",
            "improved",
        )

    def test_it_refuses_impossible_inputs(self) -> None:
        with pytest.raises(ValueError, match="SD > 0"):
            reliable_change_index(1, 2, 0, "0.8")
        with pytest.raises(ValueError, match="0 < r < 1"):
            reliable_change_index(1, 2, 5, 1)

    def test_it_names_an_instrument_without_reliability_data(self) -> None:
        with pytest.raises(KeyError, match="phq9 records no SD and reliability for total"):
            instrument_reliable_change(instrument("phq9"), "total", 10, 4)

    def test_it_is_exact_decimal_arithmetic(self) -> None:
        first = reliable_change_index(d("2.37"), d("1.12"), d("0.43"), d("0.86"))
        assert first == reliable_change_index(d("2.37"), d("1.12"), d("0.43"), d("0.86"))
        assert isinstance(first.rci, Decimal)
