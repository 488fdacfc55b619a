"""A broken instrument file is refused with a message naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sunflower.scales import InstrumentError, validate_instrument_file
from sunflower.scales.loader import SCHEMA_PATH
from sunflower.scales.tests.helpers import FIXTURES

DEMO = (FIXTURES / "demo.v1.yaml").read_text(encoding="utf-8")


def broken(old: str, new: str) -> str:
    assert old in DEMO, old
    return DEMO.replace(old, new, 1)


def refused(text: str | bytes, name: str = "upload.yaml") -> InstrumentError:
    source = text if isinstance(text, bytes) else text.encode()
    with pytest.raises(InstrumentError) as caught:
        validate_instrument_file(source, name=name)
    return caught.value


class SchemaTestCase:
    def test_it_accepts_the_fixture(self) -> None:
        assert validate_instrument_file(DEMO).id == "demo"

    def test_it_is_a_valid_json_schema(self) -> None:
        from sunflower.scales.loader import _validator

        assert _validator().schema["$schema"].endswith("2020-12/schema")
        assert SCHEMA_PATH.name == "instrument.schema.json"

    @pytest.mark.parametrize(
        ("old", "new", "message"),
        [
            # Schema errors
            ("id: demo\n", "", "upload.yaml: (top level): 'id' is a required property"),
            ('version: "1"', "version: 1", "upload.yaml: version: 1 is not of type 'string'"),
            ("id: demo", "id: Demo Scale", "upload.yaml: id: 'Demo Scale' does not match"),
            (
                "  - {number: 4, options: four, weight",
                "  - {number: 4, option: four, weight",
                "upload.yaml: items[3]: 'options' is a required property",
            ),
            (
                "{code: 2, label: {zh-Hans: 经常, en: Often}}",
                "{code: two, label: {zh-Hans: 经常, en: Often}}",
                "upload.yaml: option_sets.four[2].code: 'two' is not of type 'integer'",
            ),
            (
                "text: {zh-Hans: 测试条目二, en: Test item two}",
                "text: {zh-Hans: 测试条目二}",
                "upload.yaml: items[1].text: 'en' is a required property",
            ),
            (
                "  status: permission_required",
                "  status: pirated",
                "upload.yaml: licence.status: 'pirated' is not one of",
            ),
            (
                "    rule: prorate\n    max_missing: 1\n",
                "    rule: prorate\n",
                "upload.yaml: scoring.missing: 'max_missing' is a required property",
            ),
            (
                "    evidence: unverified\n",
                "    evidence: unverified\n    colour: red\n",
                "upload.yaml: bands[0]: Additional properties are not allowed ('colour'",
            ),
            # Cross-field errors
            (
                "  - {number: 4, options: four,",
                "  - {number: 4, options: five,",
                "upload.yaml: items[3].options: 'five' is not an option set of this file",
            ),
            (
                "  - {number: 2, options: four,",
                "  - {number: 3, options: four,",
                "upload.yaml: items[1].number: expected 2: items are numbered in order",
            ),
            ("reverse_items: [2]", "reverse_items: [7]", "upload.yaml: reverse_items: no item 7"),
            (
                '    range: [0, "27/2"]',
                "    range: [0, 13]",
                "upload.yaml: scoring.total.range: declared 0–13 but the items give 0–13.5",
            ),
            (
                '{code: high, min: 7, max: "13.5"',
                '{code: high, min: 8, max: "13.5"',
                "upload.yaml: bands[0].ranges[1].min: 8 leaves a gap: expected 7.0",
            ),
            (
                '{code: high, min: 7, max: "13.5"',
                '{code: high, min: 7, max: "12"',
                "upload.yaml: bands[0].ranges[1].max: the bands must reach the highest possible "
                "score, 13.5",
            ),
            (
                "    score: total\n",
                "    score: subscales.nothing\n",
                "upload.yaml: bands[0].score: no score 'subscales.nothing' in this file",
            ),
            (
                "- {code: 1, label: {zh-Hans: 有时, en: Sometimes}}",
                "- {code: 0, label: {zh-Hans: 有时, en: Sometimes}}",
                "upload.yaml: option_sets.four: option codes must be unique",
            ),
        ],
    )
    def test_it_names_the_file_and_the_field(self, old: str, new: str, message: str) -> None:
        error = refused(broken(old, new))
        assert str(error).startswith(message), str(error)
        assert "\n" not in str(error)

    def test_it_lists_every_problem(self) -> None:
        text = broken("reverse_items: [2]", "reverse_items: [7]").replace(
            "  - {number: 4, options: four,", "  - {number: 4, options: five,"
        )
        error = refused(text)
        assert len(error.errors) == 2
        assert all(message.startswith("upload.yaml: ") for message in error.errors)

    def test_it_names_the_line_of_a_yaml_syntax_error(self) -> None:
        error = refused(broken("abbreviation: DEMO", "abbreviation: [DEMO"))
        assert str(error).startswith("upload.yaml: line "), str(error)
        assert "not valid YAML" in str(error)

    def test_it_reads_a_path_and_names_that_file(self, tmp_path: Path) -> None:
        path = tmp_path / "isi.v1.yaml"
        path.write_text(broken("reverse_items: [2]", "reverse_items: [0]"), encoding="utf-8")
        with pytest.raises(InstrumentError) as caught:
            validate_instrument_file(path)
        assert str(caught.value).startswith("isi.v1.yaml: reverse_items[0]: 0 is less than")

    def test_it_names_a_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(InstrumentError, match=r"^gone.yaml: cannot read"):
            validate_instrument_file(tmp_path / "gone.yaml")

    def test_it_refuses_bytes_that_are_not_utf8(self) -> None:
        error = refused(DEMO.encode("gb18030"))
        assert str(error).startswith("upload.yaml: not UTF-8 text")

    def test_it_refuses_a_document_that_is_not_a_mapping(self) -> None:
        assert str(refused("- just\n- a list\n")) == (
            "upload.yaml: (top level): expected a mapping of fields"
        )

    def test_it_checks_band_rules(self) -> None:
        data = yaml.safe_load(DEMO)
        data["bands"][0].pop("score")
        data["bands"][0].pop("ranges")
        data["bands"][0]["rules"] = [
            {
                "code": "high",
                "label": {"zh-Hans": "高", "en": "High"},
                "any": [{"score": "indices.nothing", "op": ">", "value": 3}],
            },
            {"code": "low", "label": {"zh-Hans": "低", "en": "Low"}, "any": [
                {"score": "total", "op": "<", "value": 3}
            ]},
        ]  # fmt: skip
        error = refused(yaml.safe_dump(data, allow_unicode=True))
        assert error.errors == [
            "upload.yaml: bands[0].rules[0].any[0].score: no score 'indices.nothing' in this file",
            "upload.yaml: bands[0].rules[1]: the last rule must be 'otherwise: true' so every "
            "score gets a band",
        ]

    def test_it_checks_that_a_flag_can_fire_and_is_not_always_on(self) -> None:
        data = yaml.safe_load(DEMO)
        reason = {"zh-Hans": "理由", "en": "reason"}
        data["flags"] = [
            {"code": "never", "items": [1], "code_at_least": 4, "reason": reason},
            {"code": "always", "items": [2], "code_at_least": 0, "reason": reason},
        ]  # fmt: skip
        assert refused(yaml.safe_dump(data, allow_unicode=True)).errors == [
            "upload.yaml: flags[0]: no answer to item 1 can raise this flag",
            "upload.yaml: flags[1]: every answer to item 2 would raise this flag",
        ]

    def test_it_checks_norm_and_change_references(self) -> None:
        data = yaml.safe_load(DEMO)
        data["norms"] = [
            {
                "group": "x",
                "name": {"zh-Hans": "组", "en": "group"},
                "source": "s",
                "evidence": "unverified",
                "scores": {"indices.gsi": {"mean": 1, "sd": 1}},
            }
        ]
        data["change"] = {"mcid": [{"score": "subscales.a", "value": 5, "source": "s"}]}
        assert refused(yaml.safe_dump(data, allow_unicode=True)).errors == [
            "upload.yaml: norms[0].scores.indices.gsi: no score 'indices.gsi' in this file",
            "upload.yaml: change.mcid[0].score: no score 'subscales.a'",
        ]
