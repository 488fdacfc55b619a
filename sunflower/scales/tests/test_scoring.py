"""Golden cases per instrument, each worked by hand in the comment above it.

Notation: "r(x)" is a reversed item, (min + max) − x.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from sunflower.scales import AnswerError, score, score_many
from sunflower.scales.numbers import dumps, quantize
from sunflower.scales.tests.helpers import d, demo, instrument, scored


class Phq9ScoringTestCase:
    def test_it_sums_items_and_flags_item_9(self) -> None:
        # 1+0+2+1+0+0+1+0+1 = 6 → mild (5–9); PHQ-2 = 1+0 = 1; item 9 = 1 ≥ 1 → critical.
        assert scored("phq9", [1, 0, 2, 1, 0, 0, 1, 0, 1]) == {
            "instrument": "phq9",
            "version": "1",
            "complete": True,
            "total": 6,
            "subscales": {"phq2": 1},
            "indices": {},
            "band": {"code": "mild", "label": "轻度抑郁症状"},
            "flags": ["critical_item"],
        }

    def test_it_bands_moderately_severe_without_a_flag(self) -> None:
        # 3+3+3+3 + 2+2+2 + 1 + 0 = 19 → moderately_severe (15–19); item 9 = 0.
        result = scored("phq9", [3, 3, 3, 3, 2, 2, 2, 1, 0])
        assert (result["total"], result["band"]["code"], result["flags"]) == (
            19,
            "moderately_severe",
            [],
        )

    @pytest.mark.parametrize(
        ("answers", "band"),
        [
            ([1, 1, 1, 1, 0, 0, 0, 0, 0], "minimal"),  # 4
            ([1, 1, 1, 1, 1, 0, 0, 0, 0], "mild"),  # 5
            ([2, 2, 2, 2, 2, 0, 0, 0, 0], "moderate"),  # 10
            ([3, 3, 3, 3, 3, 0, 0, 0, 0], "moderately_severe"),  # 15
            ([3, 3, 3, 3, 3, 3, 2, 0, 0], "severe"),  # 20
        ],
    )
    def test_it_puts_each_boundary_in_the_upper_band(self, answers: list[int], band: str) -> None:
        assert scored("phq9", answers)["band"]["code"] == band

    def test_it_gives_no_total_for_a_skipped_item_but_still_flags_item_9(self) -> None:
        # Item 3 skipped: no prorating rule → no total, no band; PHQ-2 (items 1–2) is complete;
        # item 9 = 2 → critical whatever else is missing.
        result = scored("phq9", [1, 1, None, 0, 0, 0, 0, 0, 2])
        assert result["complete"] is False
        assert (result["total"], result["band"]) == (None, None)
        assert result["subscales"] == {"phq2": 2}
        assert result["flags"] == ["critical_item"]


class Gad7ScoringTestCase:
    def test_it_sums_items_and_bands_moderate(self) -> None:
        # 1+2+1+2+1+2+1 = 10 → moderate (10–14); GAD-2 = 1+2 = 3.
        result = scored("gad7", [1, 2, 1, 2, 1, 2, 1])
        assert (result["total"], result["subscales"], result["band"]["code"]) == (
            10,
            {"gad2": 3},
            "moderate",
        )

    def test_it_bands_the_extremes(self) -> None:
        # 0+0+0+0+1+1+2 = 4 → minimal; 7 × 3 = 21 → severe. GAD-7 has no critical item.
        assert scored("gad7", [0, 0, 0, 0, 1, 1, 2])["band"]["code"] == "minimal"
        result = scored("gad7", [3] * 7)
        assert (result["total"], result["band"]["code"], result["flags"]) == (21, "severe", [])


class Phq15ScoringTestCase:
    def test_it_sums_items_and_bands_high(self) -> None:
        # 15 items × 1 = 15 → high (15–30).
        result = scored("phq15", [1] * 15)
        assert (result["total"], result["band"]["code"]) == (15, "high")

    def test_it_is_complete_without_the_womens_item(self) -> None:
        # Item 4 (menstrual) unanswered counts 0: 14 × 2 = 28, the men's maximum; complete.
        result = scored("phq15", [2, 2, 2, None, *[2] * 11])
        assert (result["complete"], result["total"], result["flags"]) == (True, 28, [])

    def test_it_needs_every_other_item(self) -> None:
        # Item 5 skipped: not optional → no total.
        result = scored("phq15", [1, 1, 1, 1, None, *[1] * 10])
        assert (result["complete"], result["total"]) == (False, None)


class Pss10ScoringTestCase:
    def test_it_reverses_items_4_5_7_8(self) -> None:
        # Forward 1,2,3,6,9,10: 3+2+3+2+2+3 = 15. Reversed 4,5,7,8 (4 − x): codes 1,2,1,3 →
        # 3+2+3+1 = 9. Total 24 → moderate (14–26).
        result = scored("pss10", [3, 2, 3, 1, 2, 2, 1, 3, 2, 3])
        assert result["total"] == 24
        assert result["subscales"] == {"helplessness": 15, "lack_of_self_efficacy": 9}
        assert result["band"]["code"] == "moderate"

    def test_it_scores_the_calmest_answers_zero(self) -> None:
        # Never stressed (0) on negative items, very often (4) on positive ones: 0 + 4 × 0 = 0.
        result = scored("pss10", [0, 0, 0, 4, 4, 0, 4, 4, 0, 0])
        assert (result["total"], result["band"]["code"]) == (0, "low")


class Cpss14ScoringTestCase:
    def test_it_splits_tension_and_loss_of_control(self) -> None:
        # Tension 1,2,3,8,11,12,14: 2+3+2+3+3+4+3 = 20. Loss of control 4,5,6,7,9,10,13 coded
        # 1,1,2,1,2,1,2 → reversed 3,3,2,3,2,3,2 = 18. Total 38 > 25 → health_risk.
        result = scored("cpss14", [2, 3, 2, 1, 1, 2, 1, 3, 2, 1, 3, 4, 2, 3])
        assert result["total"] == 38
        assert result["subscales"] == {"tension": 20, "loss_of_control": 18}
        assert result["band"]["code"] == "health_risk"

    def test_it_puts_25_in_the_usual_range(self) -> None:
        # All 2 except item 1 = 0 and item 12 = 1: tension 0+2+2+2+2+1+2 = 11, loss 7 × 2 = 14;
        # total 25 → normal (threshold is > 25).
        answers = [0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 2, 2]
        assert scored("cpss14", answers)["band"]["code"] == "normal"


class Who5ScoringTestCase:
    def test_it_gives_raw_and_percentage(self) -> None:
        # 3+3+2+2+2 = 12 → poor (< 13); percentage 12 × 4 = 48; no item at 0 or 1.
        result = scored("who5", [3, 3, 2, 2, 2])
        assert (result["total"], result["indices"], result["band"]["code"]) == (
            12,
            {"percentage": 48},
            "poor",
        )
        assert result["flags"] == []

    def test_it_flags_a_single_low_item(self) -> None:
        # 5+5+5+5+1 = 21 → adequate, 84 %; item 5 = 1 ("some of the time") → low_item.
        result = scored("who5", [5, 5, 5, 5, 1])
        assert (result["total"], result["indices"]["percentage"]) == (21, 84)
        assert (result["band"]["code"], result["flags"]) == ("adequate", ["low_item"])


class K10ScoringTestCase:
    def test_it_bands_with_abs_groupings(self) -> None:
        # 2+2+1+1+2+1+2+2+1+1 = 15 → low (10–15); one more point → 16 → moderate.
        assert scored("k10", [2, 2, 1, 1, 2, 1, 2, 2, 1, 1])["band"]["code"] == "low"
        result = scored("k10", [2, 2, 1, 1, 2, 1, 2, 2, 1, 2])
        assert (result["total"], result["band"]["code"]) == (16, "moderate")
        assert scored("k10", [5] * 10)["band"]["code"] == "very_high"  # 50

    def test_it_can_use_the_clinical_groupings(self) -> None:
        # 16 is "likely to be well" (10–19) under Andrews & Slade.
        result = score(
            instrument("k10"), [2, 2, 1, 1, 2, 1, 2, 2, 1, 2], convention="andrews_slade2001"
        )
        assert (result.total, result.band and result.band.code) == (16, "likely_well")
        assert result.convention == "andrews_slade2001"


class K6ScoringTestCase:
    def test_it_sums_0_to_4_codes(self) -> None:
        # 1+1+1+1+1+0 = 5 → moderate (5–12); 3+2+2+2+2+2 = 13 → serious (≥ 13).
        assert scored("k6", [1, 1, 1, 1, 1, 0])["band"]["code"] == "moderate"
        result = scored("k6", [3, 2, 2, 2, 2, 2])
        assert (result["total"], result["band"]["code"]) == (13, "serious")


def scl90(changes: dict[int, int]) -> list[int | None]:
    """All items 1 (没有) except the given item numbers."""
    answers: list[int | None] = [1] * 90
    for number, code in changes.items():
        answers[number - 1] = code
    return answers


class Scl90ScoringTestCase:
    def test_it_computes_factors_indices_and_critical_items(self) -> None:
        # Item 1 = 3 (somatization), 15 = 2 (depression), 59 = 2 (other), the rest 1.
        # Total 90 + 2 + 1 + 1 = 94; GSI 94/90 = 1.044 → 1.04; positive items 3;
        # PSDI (3+2+2)/3 = 2.333 → 2.33. Somatization (11+3)/12 = 1.167 → 1.17; depression
        # (12+2)/13 = 1.077 → 1.08; other (6+2)/7 = 1.143 → 1.14; the rest 1.00.
        # 94 ≤ 160, 3 ≤ 43, no factor ≥ 2 → negative; items 15 and 59 ≥ 2 → critical.
        result = scored("scl90", scl90({1: 3, 15: 2, 59: 2}))
        assert result["total"] == 94
        assert result["indices"] == {"gsi": d("1.04"), "positive_items": 3, "psdi": d("2.33")}
        assert result["subscales"] == {
            "somatization": d("1.17"),
            "obsessive_compulsive": d("1.00"),
            "interpersonal_sensitivity": d("1.00"),
            "depression": d("1.08"),
            "anxiety": d("1.00"),
            "hostility": d("1.00"),
            "phobic_anxiety": d("1.00"),
            "paranoid_ideation": d("1.00"),
            "psychoticism": d("1.00"),
            "other": d("1.14"),
        }
        assert result["band"] == {"code": "negative", "label": "筛查阴性"}
        assert result["flags"] == ["critical_item"]

    def test_it_is_positive_when_one_factor_reaches_2(self) -> None:
        # Hostility items 11, 24, 63, 67, 74, 81 all 3: hostility 18/6 = 3.00 ≥ 2 → positive.
        # Total 90 + 6 × 2 = 102; GSI 1.133 → 1.13; PSDI 3.00.
        result = scored("scl90", scl90(dict.fromkeys([11, 24, 63, 67, 74, 81], 3)))
        assert result["subscales"]["hostility"] == d("3.00")
        assert result["indices"] == {"gsi": d("1.13"), "positive_items": 6, "psdi": d("3.00")}
        assert (result["band"]["code"], result["flags"]) == ("positive", [])

    def test_it_is_positive_on_more_than_43_positive_items_alone(self) -> None:
        # In each factor all but one item = 2 keeps every factor mean below 2; take the first 44
        # such items. Total 90 + 44 = 134 ≤ 160, PST 44 > 43 → positive. With 43 → negative.
        lib = instrument("scl90")
        candidates = [n + 1 for scale in lib.subscales for n in scale.items[1:]]
        forty_four = scored("scl90", scl90(dict.fromkeys(candidates[:44], 2)))
        assert max(forty_four["subscales"].values()) < 2
        assert (forty_four["total"], forty_four["indices"]["positive_items"]) == (134, 44)
        assert forty_four["band"]["code"] == "positive"
        forty_three = scored("scl90", scl90(dict.fromkeys(candidates[:43], 2)))
        assert forty_three["band"]["code"] == "negative"

    def test_it_is_positive_on_a_total_over_160_alone(self) -> None:
        # Per factor of n items, extra points 4k + j = n − 1 (k items at 5, j at 2) keep the
        # mean just under 2. Extras sum to 90 − 10 = 80 → total 170 > 160, with 29 positive items.
        lib = instrument("scl90")
        changes: dict[int, int] = {}
        for scale in lib.subscales:
            numbers = [n + 1 for n in scale.items]
            fives, twos = divmod(len(numbers) - 1, 4)
            for number in numbers[:fives]:
                changes[number] = 5
            for number in numbers[fives : fives + twos]:
                changes[number] = 2
        result = scored("scl90", scl90(changes))
        assert result["total"] == 170
        assert result["indices"]["positive_items"] == 29
        assert max(result["subscales"].values()) < 2
        assert result["band"]["code"] == "positive"

    def test_it_leaves_psdi_undefined_without_positive_items(self) -> None:
        # All 1: total 90, GSI 1.00, no positive item → PSDI is a mean of nothing → null.
        result = scored("scl90", [1] * 90)
        assert result["indices"] == {"gsi": d("1.00"), "positive_items": 0, "psdi": None}

    def test_it_scores_complete_factors_of_an_incomplete_response(self) -> None:
        # Item 3 (obsessive-compulsive) skipped: that factor, the total, the indices and the
        # band are null; the other factors stand. Item 15 = 3 still raises the flag.
        result = scored("scl90", scl90({3: None, 15: 3}))  # type: ignore[dict-item]
        assert (result["complete"], result["total"], result["band"]) == (False, None, None)
        assert result["subscales"]["obsessive_compulsive"] is None
        assert result["subscales"]["depression"] == d("1.15")  # (12 + 3)/13 = 1.154
        assert result["indices"] == {"gsi": None, "positive_items": None, "psdi": None}
        assert result["flags"] == ["critical_item"]


class SdsScoringTestCase:
    def test_it_reverses_ten_items_and_floors_the_index(self) -> None:
        # All 1: forward items 10 × 1 = 10; reversed items 10 × (5 − 1) = 40; raw 50;
        # index floor(62.5) = 62 → mild (53–62). Item 19 = 1 → no flag.
        result = scored("sds", [1] * 20)
        assert (result["total"], result["indices"], result["band"]["code"]) == (
            50,
            {"index": 62},
            "mild",
        )
        assert result["flags"] == []

    def test_it_keeps_raw_42_normal_by_truncating(self) -> None:
        # Forward 1,3,4,7,8,9,10,13,15 = 3 (27), item 19 = 1 → 28; reversed items coded 4
        # (score 1) except 2, 5, 6, 11 coded 3 (score 2) → 6 × 1 + 4 × 2 = 14. Raw 42;
        # index floor(52.5) = 52 → normal (rounding would give 53, mild: scales.md §9).
        answers = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 3, 4, 3, 4, 4, 4, 1, 4]
        result = scored("sds", answers)
        assert (result["total"], result["indices"]["index"]) == (42, 52)
        assert result["band"]["code"] == "normal"

    def test_it_flags_item_19_from_some_of_the_time(self) -> None:
        answers = [1] * 20
        answers[18] = 2
        assert scored("sds", answers)["flags"] == ["critical_item"]

    def test_it_can_use_zungs_original_bands(self) -> None:
        # Raw 42 → index 52 → "mild" (50–59) under Zung's bands, "normal" under the Chinese 53.
        answers = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 3, 4, 3, 4, 4, 4, 1, 4]
        result = score(instrument("sds"), answers, convention="zung_index")
        assert result.band is not None and result.band.code == "mild"


class SasScoringTestCase:
    def test_it_reverses_five_items_and_floors_the_index(self) -> None:
        # All 2: forward 15 × 2 = 30; reversed 5,9,13,17,19 → 5 × (5 − 2) = 15; raw 45;
        # index floor(56.25) = 56 → mild (50–59).
        result = scored("sas", [2] * 20)
        assert (result["total"], result["indices"]["index"], result["band"]["code"]) == (
            45,
            56,
            "mild",
        )

    def test_it_puts_raw_40_at_the_threshold(self) -> None:
        # Forward items 2 except 1,2,3,4,6 = 3 → 15 × 2 + 5 = 35; reversed coded 4 → 5 × 1 = 5.
        # Raw 40 → index 50 → mild; dropping item 1 to 2 → raw 39 → floor(48.75) = 48 → normal.
        answers = [3, 3, 3, 3, 4, 3, 2, 2, 4, 2, 2, 2, 4, 2, 2, 2, 4, 2, 4, 2]
        result = scored("sas", answers)
        assert (result["total"], result["indices"]["index"], result["band"]["code"]) == (
            40,
            50,
            "mild",
        )
        answers[0] = 2
        result = scored("sas", answers)
        assert (result["indices"]["index"], result["band"]["code"]) == (48, "normal")


class AuditcScoringTestCase:
    def test_it_marks_3_as_positive_for_women_only(self) -> None:
        # 2 + 1 + 0 = 3: positive for women (≥ 3), not for men (≥ 4).
        assert scored("auditc", [2, 1, 0])["band"]["code"] == "positive_if_female"
        assert scored("auditc", [1, 0, 0])["band"]["code"] == "negative"  # 1
        assert scored("auditc", [2, 1, 1])["band"]["code"] == "positive"  # 4
        assert scored("auditc", [4, 4, 4])["total"] == 12


class Pcl5ScoringTestCase:
    def test_it_sums_clusters(self) -> None:
        # 20 × 2 = 40 → probable PTSD (≥ 33); B 5 × 2, C 2 × 2, D 7 × 2, E 6 × 2.
        result = scored("pcl5", [2] * 20)
        assert result["total"] == 40
        assert result["subscales"] == {
            "intrusion": 10,
            "avoidance": 4,
            "negative_cognition_mood": 14,
            "arousal_reactivity": 12,
        }
        assert result["band"]["code"] == "probable_ptsd"

    def test_it_uses_33_as_the_cutoff(self) -> None:
        # 16 × 2 + 1 + 0 = 33 → probable; 32 → below.
        assert scored("pcl5", [2] * 16 + [1, 0, 0, 0])["band"]["code"] == "probable_ptsd"
        assert scored("pcl5", [2] * 16 + [0, 0, 0, 0])["band"]["code"] == "below_cutoff"


class CbiScoringTestCase:
    def test_it_averages_each_scale_and_reverses_the_leisure_energy_item(self) -> None:
        # Personal 6 × 50 / 6 = 50.00. Work: 6 × 50 + r(100) = 300 + 0 → 300/7 = 42.857 → 42.86.
        # Client 25.00. No total. Personal ≥ 50 → high.
        result = scored("cbi", [50] * 12 + [100] + [25] * 6)
        assert result["total"] is None
        assert result["subscales"] == {
            "personal": d("50.00"),
            "work": d("42.86"),
            "client": d("25.00"),
        }
        assert result["band"]["code"] == "high"

    def test_it_applies_the_non_responder_rules(self) -> None:
        # Personal 3 of 6 answered (75, 50, 25) → 150/3 = 50.00, prorated; work 3 of 7 answered
        # (< 4) → none; client 6 × 0 → 0.00. Personal ≥ 50 → high even with work unknown.
        answers = [75, 50, None, None, 25, None, 50, 50, 50, None, None, None, None, *[0] * 6]
        result = scored("cbi", answers)
        assert result["subscales"] == {"personal": d("50.00"), "work": None, "client": d("0.00")}
        assert (result["complete"], result["band"]["code"], result["flags"]) == (
            False,
            "high",
            ["prorated"],
        )

    def test_it_gives_no_band_while_an_unknown_scale_could_still_be_high(self) -> None:
        # Personal 2 answered (< 3) → none; work none; client 0: no scale ≥ 50 known, two unknown.
        answers = [0, 0, *[None] * 11, *[0] * 6]
        assert scored("cbi", answers)["band"] is None


class Ucla3ScoringTestCase:
    def test_it_calls_6_lonely(self) -> None:
        # 2 + 2 + 2 = 6 → lonely; 1 + 2 + 2 = 5 → not lonely.
        assert scored("ucla3", [2, 2, 2])["band"]["code"] == "lonely"
        assert scored("ucla3", [1, 2, 2])["band"]["code"] == "not_lonely"


class BrsScoringTestCase:
    def test_it_averages_after_reversing_items_2_4_6(self) -> None:
        # 3, r(2) = 4, 3, r(3) = 3, 2, r(4) = 2 → 17/6 = 2.833 → 2.83 → low (1.00–2.99).
        result = scored("brs", [3, 2, 3, 3, 2, 4])
        assert (result["total"], result["band"]["code"]) == (d("2.83"), "low")
        # All agreeing with the positive items, disagreeing with the negative: 6 × 5 → 5.00.
        assert scored("brs", [5, 1, 5, 1, 5, 1])["band"]["code"] == "high"

    def test_it_averages_the_answered_items(self) -> None:
        # 5, r(1) = 5, 4, –, 3, r(2) = 4 → 21/5 = 4.20 → normal; prorated, not complete.
        result = scored("brs", [5, 1, 4, None, 3, 2])
        assert (result["total"], result["band"]["code"]) == (d("4.20"), "normal")
        assert (result["complete"], result["flags"]) == (False, ["prorated"])
        assert scored("brs", [None] * 6)["total"] is None

    def test_it_puts_4_33_in_the_high_band(self) -> None:
        # 5, r(1) = 5, 4, r(2) = 4, 4, r(2) = 4 → 26/6 = 4.333 → 4.33 ≥ 4.31 → high.
        result = scored("brs", [5, 1, 4, 2, 4, 2])
        assert (result["total"], result["band"]["code"]) == (d("4.33"), "high")


class Srq20ScoringTestCase:
    def test_it_counts_yes_answers(self) -> None:
        # 7 yes → 7 → positive (≥ 7); 6 yes → negative.
        assert scored("srq20", [1] * 7 + [0] * 13)["band"]["code"] == "positive"
        assert scored("srq20", [1] * 6 + [0] * 14)["band"]["code"] == "negative"

    def test_it_flags_item_17_whatever_the_total(self) -> None:
        answers = [0] * 20
        answers[16] = 1
        result = scored("srq20", answers)
        assert (result["total"], result["band"]["code"], result["flags"]) == (
            1,
            "negative",
            ["critical_item"],
        )


class WeightedAndProratedScoringTestCase:
    """The fixture instrument: weights 1, 1, 2, ½; item 2 reversed; prorate one missing item."""

    def test_it_weights_items(self) -> None:
        # 3 × 1 + r(0) = 3 × 1 + 3 × 2 + 3 × ½ = 3 + 3 + 6 + 1.5 = 13.5 → high.
        result = score(demo(), [3, 0, 3, 3]).to_dict()
        assert (result["total"], result["band"]["code"]) == (d("13.5"), "high")

    def test_it_prorates_by_weight(self) -> None:
        # 1 + r(2) = 1 + – + ½ = 2.5 over answered weight 2.5 of 4.5 → 2.5 × 4.5 / 2.5 = 4.5.
        result = score(demo(), [1, 2, None, 1]).to_dict()
        assert (result["total"], result["complete"], result["flags"]) == (
            d("4.5"),
            False,
            ["prorated"],
        )

    def test_it_refuses_to_prorate_past_the_limit(self) -> None:
        assert score(demo(), [None, None, 1, 1]).total is None


class ExactArithmeticTestCase:
    def test_it_reports_decimals_with_trailing_zeros_and_integers_as_int(self) -> None:
        result = scored("scl90", [2] * 90)
        assert result["total"] == 180 and isinstance(result["total"], int)
        assert str(result["subscales"]["anxiety"]) == "2.00"
        assert str(result["indices"]["gsi"]) == "2.00"

    def test_it_rounds_half_up_exactly(self) -> None:
        # Fixture: 2 + r(3) = 0 + 0 × 2 = 2 over answered weight 4 of 4.5 → 2 × 4.5 / 4 = 2.25
        # exactly → 2.3 at one decimal. Python's round(2.25, 1) gives 2.2 (binary float).
        assert round(2.25, 1) == 2.2
        assert score(demo(), [2, 3, 0, None]).total == d("2.3")

    @pytest.mark.parametrize(
        ("value", "decimals", "rounding", "expected"),
        [
            (Fraction(5, 2), 0, "half_up", 3),
            (Fraction(-5, 2), 0, "half_up", -3),
            (Fraction(25, 12), 2, "half_up", d("2.08")),
            (Fraction(1, 200), 2, "half_up", d("0.01")),
            (Fraction(105, 2), 0, "floor", 52),
            (Fraction(3), 2, "half_up", d("3.00")),
        ],
    )
    def test_it_quantizes_fractions(
        self, value: Fraction, decimals: int, rounding: str, expected: object
    ) -> None:
        result = quantize(value, decimals, rounding)
        assert result == expected and type(result) is type(expected)
        assert str(result) == str(expected)

    def test_it_writes_json_numbers_with_their_decimals(self) -> None:
        assert dumps({"a": d("1.50"), "b": 2, "c": None, "d": ["中", True]}) == (
            '{"a": 1.50, "b": 2, "c": null, "d": ["中", true]}'
        )

    def test_it_gives_the_same_digits_for_a_batch_as_one_by_one(self) -> None:
        scl = instrument("scl90")
        responses = [[(n * 7 + k) % 5 + 1 for n in range(90)] for k in range(20)]
        assert [r.to_dict() for r in score_many(scl, responses)] == [
            score(scl, answers).to_dict() for answers in responses
        ]


class AnswerCheckingTestCase:
    @pytest.mark.parametrize(
        ("answers", "message"),
        [
            ([0] * 8, "phq9 has 9 items, got 8 answers"),
            ([0] * 10, "phq9 has 9 items, got 10 answers"),
            ([0] * 8 + [4], "item 9: 4 is not an option code (0, 1, 2, 3)"),
            ([0] * 8 + [-1], "item 9: -1 is not an option code (0, 1, 2, 3)"),
            (["1"] + [0] * 8, 'item 1: "1" is not an option code (0, 1, 2, 3)'),
            ([1.0] + [0] * 8, "item 1: 1.0 is not an option code (0, 1, 2, 3)"),
            ([True] + [0] * 8, "item 1: true is not an option code (0, 1, 2, 3)"),
            ("000000000", "answers must be a list of option codes (null for unanswered)"),
        ],
    )
    def test_it_names_the_problem(self, answers: object, message: str) -> None:
        with pytest.raises(AnswerError) as caught:
            score(instrument("phq9"), answers)  # type: ignore[arg-type]
        assert str(caught.value) == message

    def test_it_names_the_response_in_a_batch(self) -> None:
        with pytest.raises(AnswerError, match=r"^responses\[1\]: item 2: 9 is not an option"):
            score_many(instrument("gad7"), [[0] * 7, [0, 9, 0, 0, 0, 0, 0]])

    def test_it_keeps_codes_distinct_from_values(self) -> None:
        # CBI codes are 100/75/50/25/0: "1" is not one of them.
        with pytest.raises(AnswerError, match="item 1: 1 is not an option code"):
            score(instrument("cbi"), [1] * 19)

    def test_it_scores_the_version_it_is_given(self) -> None:
        result = score(instrument("phq9"), [0] * 9)
        assert (result.instrument, result.version) == ("phq9", "1")
        assert isinstance(result.total, int | Decimal)
