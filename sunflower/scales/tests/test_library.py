"""The shipped library: what is in it, what is kept out, and that released files never change."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sunflower.scales import (
    InstrumentError,
    Library,
    UnknownInstrumentError,
    install_instrument_file,
    load_library,
    validate_instrument_file,
)
from sunflower.scales.loader import INSTRUMENTS_DIR, released_digests
from sunflower.scales.tests.helpers import FIXTURES, SHIPPED, instrument, library

CJK = re.compile(r"[\u4e00-\u9fff]")
# Licensed instruments that must not ship (scales.md §24): the format can carry them.
NOT_SHIPPED = {"mbi", "cdrisc", "cd_risc", "ghq12", "isi", "psqi", "cssrs", "c_ssrs"}


class LibraryContentsTestCase:
    def test_it_ships_the_required_instruments(self) -> None:
        assert library().ids() == sorted(SHIPPED)

    def test_it_ships_nothing_that_needs_a_licence(self) -> None:
        assert not NOT_SHIPPED & set(library().ids())
        for inst in library():
            assert inst.licence.status in {"free", "free_non_commercial", "unclear"}, inst.id

    def test_it_records_the_grey_licences_honestly(self) -> None:
        unclear = {inst.id for inst in library() if inst.licence.status == "unclear"}
        assert unclear == {"scl90", "sds", "sas"}

    @pytest.mark.parametrize(
        ("instrument_id", "items"),
        [
            ("phq9", 9), ("gad7", 7), ("phq15", 15), ("pss10", 10), ("cpss14", 14),
            ("who5", 5), ("k10", 10), ("k6", 6), ("scl90", 90), ("sds", 20), ("sas", 20),
            ("auditc", 3), ("pcl5", 20), ("cbi", 19), ("ucla3", 3), ("brs", 6), ("srq20", 20),
        ],
    )  # fmt: skip
    def test_it_has_the_published_number_of_items(self, instrument_id: str, items: int) -> None:
        assert len(instrument(instrument_id).items) == items

    @pytest.mark.parametrize(
        ("instrument_id", "reversed_items"),
        [
            ("pss10", [4, 5, 7, 8]),
            ("cpss14", [4, 5, 6, 7, 9, 10, 13]),
            ("sds", [2, 5, 6, 11, 12, 14, 16, 17, 18, 20]),
            ("sas", [5, 9, 13, 17, 19]),
            ("brs", [2, 4, 6]),
            ("cbi", [13]),
        ],
    )
    def test_it_reverses_the_published_items(
        self, instrument_id: str, reversed_items: list[int]
    ) -> None:
        inst = instrument(instrument_id)
        assert [item.number for item in inst.items if item.reverse] == reversed_items

    def test_it_reverses_the_cbi_item_by_content(self) -> None:
        (item,) = [item for item in instrument("cbi").items if item.reverse]
        assert item.key == "w7_energy_for_family"
        assert "leisure" in item.text["en"]

    @pytest.mark.parametrize(
        ("instrument_id", "codes"),
        [
            ("phq9", [0, 1, 2, 3]), ("gad7", [0, 1, 2, 3]), ("pss10", [0, 1, 2, 3, 4]),
            ("sds", [1, 2, 3, 4]), ("sas", [1, 2, 3, 4]), ("scl90", [1, 2, 3, 4, 5]),
            ("k10", [1, 2, 3, 4, 5]), ("who5", [0, 1, 2, 3, 4, 5]), ("brs", [1, 2, 3, 4, 5]),
        ],
    )  # fmt: skip
    def test_it_uses_the_option_codes_of_the_printed_forms(
        self, instrument_id: str, codes: list[int]
    ) -> None:
        for item in instrument(instrument_id).items:
            assert sorted(item.codes) == codes

    def test_it_labels_the_sds_options_as_on_the_chinese_form(self) -> None:
        options = instrument("sds").items[0].options
        assert [(o.code, o.label["zh-Hans"]) for o in options] == [
            (1, "没有或很少时间"),
            (2, "小部分时间"),
            (3, "相当多时间"),
            (4, "绝大部分或全部时间"),
        ]
        assert [o.label["zh-Hans"] for o in instrument("scl90").items[0].options] == [
            "没有", "很轻", "中等", "偏重", "严重",
        ]  # fmt: skip

    def test_it_keeps_the_verified_scl90_factor_table(self) -> None:
        factors = {s.key: [n + 1 for n in s.items] for s in instrument("scl90").subscales}
        assert factors == {
            "somatization": [1, 4, 12, 27, 40, 42, 48, 49, 52, 53, 56, 58],
            "obsessive_compulsive": [3, 9, 10, 28, 38, 45, 46, 51, 55, 65],
            "interpersonal_sensitivity": [6, 21, 34, 36, 37, 41, 61, 69, 73],
            "depression": [5, 14, 15, 20, 22, 26, 29, 30, 31, 32, 54, 71, 79],
            "anxiety": [2, 17, 23, 33, 39, 57, 72, 78, 80, 86],
            "hostility": [11, 24, 63, 67, 74, 81],
            "phobic_anxiety": [13, 25, 47, 50, 70, 75, 82],
            "paranoid_ideation": [8, 18, 43, 68, 76, 83],
            "psychoticism": [7, 16, 35, 62, 77, 84, 85, 87, 88, 90],
            "other": [19, 44, 59, 60, 64, 66, 89],
        }

    @pytest.mark.parametrize(
        ("instrument_id", "items", "threshold"),
        [("phq9", [9], 1), ("scl90", [15, 59], 2), ("sds", [19], 2), ("srq20", [17], 1)],
    )
    def test_it_has_the_crisis_rules_of_the_design(
        self, instrument_id: str, items: list[int], threshold: int
    ) -> None:
        (rule,) = [r for r in instrument(instrument_id).flags if r.code == "critical_item"]
        assert [p + 1 for p in rule.items] == items
        assert (rule.code_at_least, rule.code_at_most) == (threshold, None)

    def test_it_puts_the_suicide_items_where_the_flags_point(self) -> None:
        assert "自己的生命" in instrument("scl90").items[14].text["zh-Hans"]
        assert "死亡" in instrument("scl90").items[58].text["zh-Hans"]
        assert "死了" in instrument("sds").items[18].text["zh-Hans"]
        assert "生命" in instrument("srq20").items[16].text["zh-Hans"]
        assert "死掉" in instrument("phq9").items[8].text["zh-Hans"]

    def test_it_carries_the_loinc_codes(self) -> None:
        assert (instrument("phq9").loinc_panel, instrument("phq9").loinc_total) == (
            "44249-1",
            "44261-6",
        )
        assert (instrument("gad7").loinc_panel, instrument("gad7").loinc_total) == (
            "69737-5",
            "70274-6",
        )

    @pytest.mark.parametrize("instrument_id", SHIPPED)
    def test_it_has_chinese_and_english_texts(self, instrument_id: str) -> None:
        inst = instrument(instrument_id)
        texts = [inst.name, inst.instructions, inst.recall_period]
        texts += [item.text for item in inst.items]
        texts += [o.label for item in inst.items for o in item.options]
        for text in texts:
            assert CJK.search(text["zh-Hans"]), text
            assert not CJK.search(text["en"]), text
        assert inst.citations and inst.licence.terms and inst.text_source["zh-Hans"]

    @pytest.mark.parametrize("instrument_id", SHIPPED)
    def test_it_documents_the_total_and_the_missing_rule(self, instrument_id: str) -> None:
        inst = instrument(instrument_id)
        meaning = inst.data["scoring"]["total"]["meaning"]
        assert meaning["zh-Hans"] and meaning["en"]
        assert inst.data["scoring"]["missing"]["source"]
        for bands in inst.band_sets:
            assert bands.source and bands.evidence in {"verified", "conventional", "unverified"}


class LibraryLookupTestCase:
    def test_it_gets_the_latest_or_a_given_version(self) -> None:
        assert library().get("phq9").version == "1"
        assert library().get("phq9", "1") is library().resolve("phq9@1")
        assert "phq9@1" in library() and "phq9@9" not in library()

    def test_it_names_unknown_instruments_and_versions(self) -> None:
        with pytest.raises(UnknownInstrumentError, match="unknown instrument 'mbi'"):
            library().get("mbi")
        with pytest.raises(
            UnknownInstrumentError, match=r"phq9 has no version '2' \(versions: 1\)"
        ):
            library().resolve("phq9@2")

    def test_it_orders_versions_numerically(self) -> None:
        v1 = validate_instrument_file(FIXTURES / "demo.v1.yaml")
        text = (FIXTURES / "demo.v1.yaml").read_text(encoding="utf-8")
        v10 = validate_instrument_file(text.replace('version: "1"', 'version: "10"'))
        v2 = validate_instrument_file(text.replace('version: "1"', 'version: "2"'))
        lib = Library([v10, v1, v2])
        assert lib.versions("demo") == ["1", "2", "10"]
        assert lib.get("demo") is v10


class ImmutabilityTestCase:
    def test_it_has_released_every_shipped_file_with_its_digest(self) -> None:
        released = released_digests()
        for path in sorted(INSTRUMENTS_DIR.glob("*.yaml")):
            inst = validate_instrument_file(path)
            assert released.get(inst.ref) == hashlib.sha256(path.read_bytes()).hexdigest(), (
                f"{path.name} differs from its released digest: a released version may not "
                "change; put the change in a new version file (and add its digest)"
            )
        assert len(released) == len(list(INSTRUMENTS_DIR.glob("*.yaml")))

    def test_it_refuses_a_changed_copy_of_a_known_version(self) -> None:
        text = (FIXTURES / "demo.v1.yaml").read_text(encoding="utf-8")
        original = validate_instrument_file(text)
        changed = validate_instrument_file(text.replace("测试条目一", "改过的条目一"))
        lib = Library([original])
        lib.add(validate_instrument_file(text))  # identical bytes: fine
        with pytest.raises(InstrumentError, match="demo@1 already exists with different content"):
            lib.add(changed)

    def test_it_refuses_to_load_an_edited_released_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from sunflower.scales import loader

        copy = tmp_path / "instruments"
        shutil.copytree(INSTRUMENTS_DIR, copy)
        path = copy / "phq9.v1.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("好几天", "有几天"), "utf-8")
        monkeypatch.setattr(loader, "INSTRUMENTS_DIR", copy)
        monkeypatch.setattr(loader, "RELEASED_PATH", copy / "released.json")
        loader.shipped_instruments.cache_clear()
        try:
            with pytest.raises(
                InstrumentError, match=r"^phq9.v1.yaml: version: phq9@1 is released"
            ):
                loader.shipped_instruments()
        finally:
            monkeypatch.undo()
            loader.shipped_instruments.cache_clear()


class InstallTestCase:
    def test_it_installs_a_licensed_instrument_for_this_deployment(self, tmp_path: Path) -> None:
        local = tmp_path / "instruments"
        installed = install_instrument_file(FIXTURES / "demo.v1.yaml", local)
        assert installed.ref == "demo@1"
        assert (local / "demo.v1.yaml").read_bytes() == (FIXTURES / "demo.v1.yaml").read_bytes()
        lib = load_library(local)
        assert lib.get("demo").licence.status == "permission_required"
        assert len(lib) == len(SHIPPED) + 1
        install_instrument_file(FIXTURES / "demo.v1.yaml", local)  # again: a no-op

    def test_it_refuses_a_different_file_under_an_installed_version(self, tmp_path: Path) -> None:
        local = tmp_path / "instruments"
        install_instrument_file(FIXTURES / "demo.v1.yaml", local)
        text = (
            (FIXTURES / "demo.v1.yaml").read_text(encoding="utf-8").replace("测试条目一", "另一个")
        )
        with pytest.raises(InstrumentError, match="already exists with different content"):
            install_instrument_file(text.encode(), local, name="upload.yaml")
        assert "另一个" not in (local / "demo.v1.yaml").read_text(encoding="utf-8")

    def test_it_refuses_to_replace_a_shipped_version(self, tmp_path: Path) -> None:
        text = (INSTRUMENTS_DIR / "phq9.v1.yaml").read_text(encoding="utf-8")
        with pytest.raises(InstrumentError, match="phq9@1 already exists"):
            install_instrument_file(text.replace("好几天", "有几天").encode(), tmp_path)
        assert not list(tmp_path.iterdir())


class DjangoFreeTestCase:
    def test_it_imports_nothing_from_django(self) -> None:
        code = (
            "import importlib, pkgutil, sys\n"
            "import sunflower.scales as package\n"
            "for module in pkgutil.walk_packages(package.__path__, 'sunflower.scales.'):\n"
            "    if '.tests' not in module.name:\n"
            "        importlib.import_module(module.name)\n"
            "package.load_library()\n"
            "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
            "assert not loaded, loaded\n"
            "print(len([m for m in sys.modules if m.startswith('sunflower.scales.')]))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        assert int(done.stdout) >= 9  # every submodule was imported
