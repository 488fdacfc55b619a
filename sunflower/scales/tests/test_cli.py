"""The command-line contract, through the real `sunflower scales` command in a child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sunflower.scales.tests.helpers import FIXTURES, SHIPPED

SUNFLOWER = str(Path(sys.executable).with_name("sunflower"))


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {**os.environ, "SUNFLOWER_ENV": "test", "SUNFLOWER_VAR_DIR": str(tmp_path / "var")}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [SUNFLOWER, "scales", *args],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            timeout=60,
            check=False,
        )

    return run


class ListCommandTestCase:
    def test_it_prints_a_json_array_of_instruments(self, run) -> None:  # type: ignore[no-untyped-def]
        done = run("list")
        assert (done.returncode, done.stderr) == (0, "")
        listed = json.loads(done.stdout)
        assert [row["id"] for row in listed] == sorted(SHIPPED)
        assert all(set(row) == {"id", "version", "name", "items"} for row in listed)
        assert {
            "id": "scl90",
            "version": "1",
            "name": "症状自评量表（SCL-90）",
            "items": 90,
        } in listed


class ScoreCommandTestCase:
    def test_it_scores_one_response(self, run) -> None:  # type: ignore[no-untyped-def]
        done = run("score", "phq9", stdin='{"answers": [1, 0, 2, 1, 0, 0, 1, 0, 1]}')
        assert (done.returncode, done.stderr) == (0, "")
        assert json.loads(done.stdout) == {
            "instrument": "phq9",
            "version": "1",
            "complete": True,
            "total": 6,
            "subscales": {"phq2": 1},
            "indices": {},
            "band": {"code": "mild", "label": "轻度抑郁症状"},
            "flags": ["critical_item"],
        }

    def test_it_prints_decimals_as_fixed_point_numbers(self, run) -> None:  # type: ignore[no-untyped-def]
        answers = [1] * 90
        answers[0], answers[14], answers[58] = 3, 2, 2
        done = run("score", "scl90", stdin=json.dumps({"answers": answers}))
        assert done.returncode == 0, done.stderr
        assert '"somatization": 1.17' in done.stdout
        assert '"obsessive_compulsive": 1.00' in done.stdout
        assert '"indices": {"gsi": 1.04, "positive_items": 3, "psdi": 2.33}' in done.stdout
        result = json.loads(done.stdout)
        assert (result["total"], result["band"]["code"]) == (94, "negative")
        assert result["flags"] == ["critical_item"]

    def test_it_scores_a_batch_in_order(self, run) -> None:  # type: ignore[no-untyped-def]
        batch = [{"answers": [1] * 20}, {"answers": [None] + [1] * 19}, {"answers": [4] * 20}]
        done = run("score", "sds", "--language", "en", stdin=json.dumps(batch))
        assert done.returncode == 0, done.stderr
        results = json.loads(done.stdout)
        assert [(r["total"], r["indices"], r["complete"]) for r in results] == [
            (50, {"index": 62}, True),
            (None, {"index": None}, False),
            (50, {"index": 62}, True),
        ]
        assert results[0]["band"] == {"code": "mild", "label": "Mild"}
        assert results[2]["flags"] == ["critical_item"]

    def test_it_scores_a_named_version_and_an_empty_batch(self, run) -> None:  # type: ignore[no-untyped-def]
        done = run("score", "who5@1", stdin='{"answers": [5, 4, 3, 2, 1]}')
        assert json.loads(done.stdout)["indices"] == {"percentage": 60}
        assert run("score", "who5", stdin="[]").stdout.strip() == "[]"

    @pytest.mark.parametrize(
        ("instrument_id", "stdin", "message"),
        [
            ("mbi", '{"answers": []}', "unknown instrument 'mbi'"),
            ("phq9@3", '{"answers": []}', "phq9 has no version '3'"),
            ("phq9", '{"answers": [0, 0, 0, 0, 0, 0, 0, 0]}', "phq9 has 9 items, got 8 answers"),
            ("phq9", '{"answers": [0, 0, 0, 0, 0, 0, 0, 0, 4]}', "item 9: 4 is not an option code"),
            ("k10", '{"answers": [0, 1, 1, 1, 1, 1, 1, 1, 1, 1]}', "item 1: 0 is not an option"),
            ("phq9", '{"answers": ["1", 0, 0, 0, 0, 0, 0, 0, 0]}', 'item 1: "1" is not an option'),
            ("phq9", '{"answers": [1.5, 0, 0, 0, 0, 0, 0, 0, 0]}', "item 1: 1.5 is not an option"),
            (
                "phq9",
                '{"answers": [true, 0, 0, 0, 0, 0, 0, 0, 0]}',
                "item 1: true is not an option",
            ),
            ("phq9", '{"answers": [0, 0, 0', "malformed JSON on stdin: "),
            ("phq9", "answers: [0]", "malformed JSON on stdin: "),
            ("phq9", '{"answers": [NaN, 0, 0, 0, 0, 0, 0, 0, 0]}', "malformed JSON on stdin: NaN"),
            ("phq9", "", "no input"),
            ("phq9", "42", 'expected an object {"answers": [...]}, got a number'),
            ("phq9", "{}", 'missing "answers"'),
            ("phq9", '{"answers": "000000000"}', '"answers" must be an array, got a string'),
            ("phq9", '{"answers": [0, 0, 0, 0, 0, 0, 0, 0, 0], "id": 7}', "unexpected key 'id'"),
            (
                "gad7",
                '[{"answers": [0, 0, 0, 0, 0, 0, 0]}, {"answers": [0, 0, 9, 0, 0, 0, 0]}]',
                "responses[1]: item 3: 9 is not an option code (0, 1, 2, 3)",
            ),
            ("gad7", '[{"answers": [0, 0, 0, 0, 0, 0, 0]}, 5]', "responses[1]: expected an object"),
        ],
    )
    def test_it_rejects_bad_input_with_one_line_and_status_2(  # type: ignore[no-untyped-def]
        self, run, instrument_id: str, stdin: str, message: str
    ) -> None:
        done = run("score", instrument_id, stdin=stdin)
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr.count("\n") == 1, done.stderr
        assert message in done.stderr, done.stderr


class InstrumentFileCommandTestCase:
    def test_it_validates_installs_and_then_scores_a_licensed_instrument(self, run) -> None:  # type: ignore[no-untyped-def]
        fixture = str(FIXTURES / "demo.v1.yaml")
        assert json.loads(run("validate", fixture).stdout)["id"] == "demo"
        assert run("score", "demo", stdin='{"answers": [3, 0, 3, 3]}').returncode == 2
        installed = run("install", fixture)
        assert (installed.returncode, installed.stderr) == (0, "")
        assert "demo" in [row["id"] for row in json.loads(run("list").stdout)]
        done = run("score", "demo", stdin='{"answers": [3, 0, 3, 3]}')
        assert json.loads(done.stdout)["total"] == 13.5

    def test_it_names_the_file_and_field_of_a_broken_instrument(  # type: ignore[no-untyped-def]
        self, run, tmp_path: Path
    ) -> None:
        path = tmp_path / "isi.v1.yaml"
        text = (FIXTURES / "demo.v1.yaml").read_text(encoding="utf-8")
        path.write_text(text.replace("reverse_items: [2]", "reverse_items: [9]"), encoding="utf-8")
        done = run("validate", str(path))
        assert (done.returncode, done.stdout) == (2, "")
        assert "isi.v1.yaml: reverse_items: no item 9" in done.stderr
        assert done.stderr.count("\n") == 1
        missing = run("install", str(tmp_path / "nothing.yaml"))
        assert missing.returncode == 2 and "no such file" in missing.stderr
