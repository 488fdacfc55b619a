import datetime as dt

import pytest

from sunflower.lib.validators import (
    IdentityError,
    id_check_code,
    mask_id_number,
    mask_mobile,
    normalise_mobile,
    parse_citizen_id,
)

# GB 11643-1999's own worked example, and a number ending in X.
VALID_IDS = ["11010519491231002X", "371602198503121231"]


class CitizenIdTestCase:
    @pytest.mark.parametrize("number", VALID_IDS)
    def test_it_accepts_valid_numbers(self, number: str) -> None:
        assert parse_citizen_id(number).number == number

    def test_it_reads_birth_date_and_gender(self) -> None:
        citizen = parse_citizen_id("11010519491231002X")
        assert citizen.birth_date == dt.date(1949, 12, 31)
        assert citizen.gender == "F"  # 17th digit 2 is even

    def test_it_normalises_lower_case_x_and_spaces(self) -> None:
        assert parse_citizen_id(" 11010519491231002x ").number == "11010519491231002X"

    def test_it_rejects_a_wrong_check_code(self) -> None:
        with pytest.raises(IdentityError, match="校验位"):
            parse_citizen_id("110105194912310021")

    @pytest.mark.parametrize("number", ["11010519491231002", "11010519491231002X1"])
    def test_it_rejects_a_wrong_length(self, number: str) -> None:
        with pytest.raises(IdentityError, match="18位"):
            parse_citizen_id(number)

    @pytest.mark.parametrize(
        "number",
        ["1101051949123100AX", "11010519491231X02X", "１１０１０５１９４９１２３１００２X"],
    )
    def test_it_rejects_wrong_characters(self, number: str) -> None:
        with pytest.raises(IdentityError):
            parse_citizen_id(number)

    def test_it_rejects_an_impossible_birth_date(self) -> None:
        first17 = "11010519490231002"  # 31 February
        with pytest.raises(IdentityError, match="出生日期"):
            parse_citizen_id(first17 + id_check_code(first17))

    def test_it_rejects_a_future_birth_date(self) -> None:
        first17 = "11010521990101002"
        with pytest.raises(IdentityError, match="出生日期"):
            parse_citizen_id(first17 + id_check_code(first17))

    def test_it_asks_for_a_missing_number(self) -> None:
        with pytest.raises(IdentityError, match="请填写身份证号"):
            parse_citizen_id("")

    def test_it_masks_numbers_for_display(self) -> None:
        assert mask_id_number("11010519491231002X") == "110***********002X"


class MobileTestCase:
    @pytest.mark.parametrize(
        "raw", ["13800138000", "+86 138 0013 8000", "0086-138-0013-8000", "19912345678"]
    )
    def test_it_accepts_and_normalises(self, raw: str) -> None:
        assert normalise_mobile(raw) in ("13800138000", "19912345678")

    @pytest.mark.parametrize("raw", ["1380013800", "138001380001"])
    def test_it_rejects_a_wrong_length(self, raw: str) -> None:
        with pytest.raises(IdentityError, match="11位"):
            normalise_mobile(raw)

    @pytest.mark.parametrize("raw", ["12800138000", "03800138000"])
    def test_it_rejects_a_wrong_prefix(self, raw: str) -> None:
        with pytest.raises(IdentityError, match="格式"):
            normalise_mobile(raw)

    @pytest.mark.parametrize("raw", ["138a0138000", "138.0013.8000"])
    def test_it_rejects_wrong_characters(self, raw: str) -> None:
        with pytest.raises(IdentityError, match="数字"):
            normalise_mobile(raw)

    def test_it_asks_for_a_missing_number(self) -> None:
        with pytest.raises(IdentityError, match="请填写手机号"):
            normalise_mobile("  ")

    def test_it_masks_numbers_for_display(self) -> None:
        assert mask_mobile("13800138000") == "138****8000"
